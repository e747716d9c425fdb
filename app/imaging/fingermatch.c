/* The comparison of two prepared prints (fingermatch.h; the prepared print: fingermatch_print.c,
 * fingermatch-priv.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/fingermatch-priv.h"

/* A finger is laid on a flat reader roughly upright: rotations beyond this are not searched. */
#define MAX_ROTATION_DEG  45
#define ROTATION_STEP_DEG 3
/* Translation votes are pooled in cells of this many pixels. */
#define CELL 6
/* Two minutiae pair when this close after alignment (pixels, radians). */
#define PAIR_DISTANCE 12.0f
#define PAIR_ANGLE    (20.0f * (float)M_PI / 180.0f)
/* ... and after fitting the alignment to those pairs, this close. */
#define FINE_DISTANCE 10.0f
#define FINE_ANGLE    (15.0f * (float)M_PI / 180.0f)
/* Alignment votes need directions this close. */
#define VOTE_ANGLE (15.0f * (float)M_PI / 180.0f)
/* The best alignments found by voting that are checked by pairing. */
#define CANDIDATES 8
/* Fewer pairs than this scale the score down in proportion. */
#define MIN_PAIRED 10
/* Overlap counts below this are raised to it, so a sliver of overlap with two or three chance
 * pairs does not look like a match. */
#define MIN_OVERLAP 25

typedef struct candidate {
    int votes;
    float angle, dx, dy;
} candidate;

typedef struct pair {
    float d;
    int i, j;
} pair;

/* A pair of minutiae whose neighbourhoods agree well enough to vote for alignments. */
typedef struct voter {
    int i, j, weight;
    int r0, r1; /* the rotations (vote()'s steps) whose direction test it may pass: r0..r1 */
} voter;

/* How many neighbours of one minutia have a counterpart around the other (the index below finds
 * the same for the descriptors fingerfeat gives; this serves for any others). */
static int similar(const local *a, const local *b)
{
    int hits = 0;
    for (int i = 0; i < a->n; i++) {
        for (int j = 0; j < b->n; j++) {
            if (b->d[j] >= a->d[i] + 6)
                break; /* neighbours are sorted by distance: none further on is close */
            if (fabsf(a->d[i] - b->d[j]) < 6 && angle_diff(a->bearing[i], b->bearing[j]) < 0.3f &&
                angle_diff(a->turn[i], b->turn[j]) < 0.4f) {
                hits++;
                break;
            }
        }
    }
    return hits;
}

/* By distance, then by a's minutia, then by b's: the order a stable sort by distance gives the
 * pairs as they were once found (i, then j ascending), whatever order they are found in now. */
static int cmp_pair(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    if (a->d != b->d)
        return (a->d > b->d) - (a->d < b->d);
    return a->i != b->i ? a->i - b->i : a->j - b->j;
}

static int cmp_candidate(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    /* ties in the order of the rotations, as a stable sort keeps them */
    if (a->votes != b->votes)
        return b->votes - a->votes;
    return (a->angle > b->angle) - (a->angle < b->angle);
}

/* One comparison's working memory, taken in one allocation. */
typedef struct work {
    const fingermatch_print *pa, *pb;
    const fingerfeat *a, *b; /* the prints' features: size and foreground */
    const fingerfeat_minutia *ma, *mb;
    int na, nb;
    int tame;       /* both prints indexable(): angle_diff_indexed() serves */
    uint8_t *marks; /* nb: look_up()'s marks, all 0 between lookups */
    int *touched;   /* nb + 1: the minutiae look_up() marked */
    uint8_t *sim;   /* na x nb: how similar the neighbourhoods of a's i and b's j are */
    voter *voters;  /* the pairs with sim >= 2, in the order i, then j */
    int n_voters;
    int *near;     /* nb: b's minutiae near a point (near_point()) */
    pair *pairs;   /* na x nb */
    uint8_t *used; /* na + nb */
    size_t n_used;
    candidate *cand;
    int side; /* the translation grid: side x side cells of CELL pixels, the middle one no move */
    int gx, gy, gw, gh; /* the part of it that votes can reach (size_grid()) */
    uint16_t *votes;    /* gw x gh */
    uint8_t *stamp;     /* gw x gh: the rotation that last wrote the cell */
    size_t zeroed;      /* the first bytes of the block, which start zeroed (work_layout()) */
} work;

/* The first of b's minutiae in the order of y whose y is not below lo. */
static int first_in_y(const work *w, float lo)
{
    const float *by = w->pb->y;
    int first = 0, last = w->nb;
    while (first < last) {
        int mid = first + (last - first) / 2;
        if (by[mid] < lo)
            first = mid + 1;
        else
            last = mid;
    }
    return first;
}

/* b's minutiae that may lie within r of (x, y) along both axes into w->near (a superset: whole
 * cells, or a band of y when b has no grid or the point is not finite); returns how many. */
static int near_point(const work *w, float x, float y, float r)
{
    const fingermatch_print *b = w->pb;
    int n = 0;
    if (b->gw > 0 && isfinite(x) && isfinite(y)) {
        int x0 = grid_at(x - r, b->gw), x1 = grid_at(x + r, b->gw);
        int y0 = grid_at(y - r, b->gh), y1 = grid_at(y + r, b->gh);
        for (int cy = y0; cy <= y1; cy++) {
            const int *row = &b->gstart[cy * b->gw];
            for (int k = row[x0]; k < row[x1 + 1]; k++)
                w->near[n++] = b->gmin[k];
        }
        return n;
    }
    for (int k = first_in_y(w, y - r); k < w->nb && b->y[k] <= y + r; k++)
        w->near[n++] = b->by_y[k];
    return n;
}

/* Pairs minutiae one to one, nearest first, under one alignment; fills the overlap counts when
 * a_in is not NULL. */
static int pair_up(work *w, const candidate *c, float tol, float atol, int *a_in, int *b_in)
{
    const fingerfeat *a = w->a, *b = w->b;
    int na = w->na, nb = w->nb;
    float cs = cosf(c->angle), sn = sinf(c->angle);
    pair *pairs = w->pairs;
    int np = 0, ain = 0, bin = 0;
    for (int i = 0; i < na; i++) {
        const fingerfeat_minutia *m = &w->ma[i];
        float x = cs * m->x - sn * m->y + c->dx, y = sn * m->x + cs * m->y + c->dy;
        if (a_in != NULL)
            ain += fingerfeat_in_foreground(b, x, y);
        /* only b's minutiae within tol along x and y can pass; one pixel more covers rounding,
         * the exact tests below decide (the sort below puts the pairs in order whatever order
         * they are found in) */
        int nn = near_point(w, x, y, tol + 1);
        for (int k = 0; k < nn; k++) {
            int j = w->near[k];
            const fingerfeat_minutia *n = &w->mb[j];
            float ddx = n->x - x, ddy = n->y - y;
            if (fabsf(ddx) > tol || fabsf(ddy) > tol)
                continue;
            float d = sqrtf(ddx * ddx + ddy * ddy);
            float turned = m->angle + c->angle;
            if (d > tol || (w->tame ? angle_diff_indexed(turned, n->angle)
                                    : angle_diff(turned, n->angle)) > atol)
                continue;
            /* a chance neighbour in a dense print has no matching neighbourhood */
            if (w->sim[(size_t)i * (size_t)w->nb + (size_t)j] < 1)
                continue;
            pairs[np++] = (pair){d, i, j};
        }
    }
    for (int j = 0; j < nb && a_in != NULL; j++) {
        const fingerfeat_minutia *n = &w->mb[j];
        float x = n->x - c->dx, y = n->y - c->dy;
        bin += fingerfeat_in_foreground(a, cs * x + sn * y, -sn * x + cs * y);
    }
    if (a_in != NULL) {
        *a_in = ain;
        *b_in = bin;
    }
    qsort(pairs, (size_t)np, sizeof *pairs, cmp_pair);
    uint8_t *used = w->used;
    memset(used, 0, w->n_used);
    int paired = 0;
    for (int k = 0; k < np; k++) {
        if (used[pairs[k].i] || used[na + pairs[k].j])
            continue;
        used[pairs[k].i] = used[na + pairs[k].j] = 1;
        pairs[paired++] = pairs[k];
    }
    return paired;
}

/* The rigid transform (rotation and translation) that best maps the paired minutiae of a onto
 * those of b in the least-squares sense; pairs[] holds the accepted pairs first. */
static void refine(const fingerfeat_minutia *a, const fingerfeat_minutia *b, const pair *pairs,
                   int n, candidate *c)
{
    if (n < 3)
        return;
    double ax = 0, ay = 0, bx = 0, by = 0;
    for (int k = 0; k < n; k++) {
        ax += a[pairs[k].i].x;
        ay += a[pairs[k].i].y;
        bx += b[pairs[k].j].x;
        by += b[pairs[k].j].y;
    }
    ax /= n;
    ay /= n;
    bx /= n;
    by /= n;
    double sxx = 0, sxy = 0;
    for (int k = 0; k < n; k++) {
        double px = a[pairs[k].i].x - ax, py = a[pairs[k].i].y - ay;
        double qx = b[pairs[k].j].x - bx, qy = b[pairs[k].j].y - by;
        sxx += px * qx + py * qy;
        sxy += px * qy - py * qx;
    }
    double angle = atan2(sxy, sxx);
    c->angle = (float)angle;
    c->dx = (float)(bx - (cos(angle) * ax - sin(angle) * ay));
    c->dy = (float)(by - (sin(angle) * ax + cos(angle) * ay));
}

/* Marks, for neighbour i of a's minutia `la`, every minutia of b with a neighbour among the
 * entries first..last that matches it by similar()'s tests (bit i in marks[B]; B listed in
 * touched[] when first marked); returns the new length of touched[]. */
static int mark_matches(const work *w, const local *la, int i, int first, int last, uint8_t *marks,
                        int *touched, int nt)
{
    float d = la->d[i], near = d + 6, bearing = la->bearing[i], turn = la->turn[i];
    const entry *entries = w->pb->entry;
    for (int e = first; e < last; e++) {
        const entry *n = &entries[e];
        /* the tests combined without branches: each passes about half of the entries that the
         * cells let through, which branches mispredict (touched[] has room for one more) */
        int hit = (n->d < near) & (fabsf(d - n->d) < 6) &
                  (angle_diff_indexed(bearing, n->bearing) < 0.3f) &
                  (angle_diff_indexed(turn, n->turn) < 0.4f);
        int B = n->who >> 3;
        touched[nt] = B;
        nt += hit & (marks[B] == 0);
        marks[B] |= (uint8_t)(hit << i);
    }
    return nt;
}

/* For a's minutia A: marks[B] gets bit i for each neighbour i of A that some neighbour of B
 * matches; the minutiae B marked are listed in touched[]; returns how many. The three turn cells
 * around A's neighbour's are one run of entries in the index (index_print()). */
static int look_up(const work *w, int A, uint8_t *marks, int *touched)
{
    const local *la = &w->pa->l[A];
    const int *start = w->pb->start;
    int nt = 0;
    for (int i = 0; i < la->n; i++) {
        int dc = distance_cell(la->d[i]), bc = angle_cell(la->bearing[i], B_CELLS);
        int tc = angle_cell(la->turn[i], T_CELLS);
        for (int dd = dc > 0 ? dc - 1 : 0; dd <= dc + 1 && dd < D_CELLS; dd++) {
            for (int db = -1; db <= 1; db++) {
                int b = bc + db < 0          ? bc + db + B_CELLS
                        : bc + db >= B_CELLS ? bc + db - B_CELLS
                                             : bc + db;
                /* turn cells tc - 1 .. tc + 1 (wrapping): the row's cells tc .. tc + 2 */
                int at = (dd * B_CELLS + b) * T_ROW + tc;
                nt = mark_matches(w, la, i, start[at], start[at + 3], marks, touched, nt);
            }
        }
    }
    return nt;
}

#define ROTATIONS (2 * MAX_ROTATION_DEG / ROTATION_STEP_DEG + 1)

/* Whether one of the eight similarities at s (each 0..NEIGHBOURS) is 2 or more. */
static int any_two(const uint8_t *s)
{
    uint64_t eight;
    memcpy(&eight, s, sizeof eight);
    return (eight & 0xfefefefefefefefeull) != 0;
}

/* The rotations (vote()'s steps 0..ROTATIONS-1) under which a minutia of direction am may vote
 * with one of direction an: those within VOTE_ANGLE of the turn between them, and a margin far
 * wider than float rounding, so that vote()'s own test decides as it did over every rotation.
 * Directions far from 0 (never from fingerfeat) or not finite: every rotation. */
static void rotation_span(float am, float an, int *r0, int *r1)
{
    *r0 = 0;
    *r1 = ROTATIONS - 1;
    if (!(fabsf(am) < 4 * (float)M_PI && fabsf(an) < 4 * (float)M_PI))
        return;
    double turn = remainder((double)an - (double)am, 2 * M_PI) * 180.0 / M_PI;
    double slack = VOTE_ANGLE * 180.0 / M_PI + 1.0;
    double lo = ceil((turn - slack + MAX_ROTATION_DEG) / ROTATION_STEP_DEG),
           hi = floor((turn + slack + MAX_ROTATION_DEG) / ROTATION_STEP_DEG);
    *r0 = lo > 0 ? (int)lo : 0;
    *r1 = hi < ROTATIONS - 1 ? (int)hi : ROTATIONS - 1;
}

/* The neighbourhoods' similarity of every pair of minutiae that can pair, and the pairs similar
 * enough to vote. */
static void compare_neighbourhoods(work *w)
{
    /* two minutiae whose directions differ by more than the largest rotation searched plus the
     * pairing tolerance can never pair: their neighbourhoods need not be compared (two thirds of
     * all pairs) */
    float reach = (float)(MAX_ROTATION_DEG * M_PI / 180.0) + PAIR_ANGLE;
    int indexed = w->pa->indexed && w->pb->indexed;
    w->n_voters = 0;
    for (int i = 0; i < w->na; i++) {
        uint8_t *row = &w->sim[(size_t)i * (size_t)w->nb];
        float ai = w->ma[i].angle;
        if (indexed) {
            /* b's minutiae no neighbour matched score 0 whatever their direction */
            int nt = look_up(w, i, w->marks, w->touched);
            for (int t = 0; t < nt; t++) {
                int j = w->touched[t], m = w->marks[j];
                w->marks[j] = 0;
                int within = !(angle_diff_indexed(ai, w->mb[j].angle) > reach);
                row[j] = (uint8_t)(within * ((m & 1) + (m >> 1 & 1) + (m >> 2 & 1) + (m >> 3 & 1) +
                                             (m >> 4 & 1)));
            }
        } else {
            for (int j = 0; j < w->nb; j++)
                row[j] = angle_diff(ai, w->mb[j].angle) > reach
                             ? 0
                             : (uint8_t)similar(&w->pa->l[i], &w->pb->l[j]);
        }
        for (int j = 0; j < w->nb; j++) {
            if (j % 8 == 0 && j + 8 <= w->nb && !any_two(&row[j])) {
                j += 7; /* none of these eight has 2 or more */
                continue;
            }
            if (row[j] >= 2) {
                voter *v = &w->voters[w->n_voters++];
                *v = (voter){i, j, row[j], 0, 0};
                rotation_span(ai, w->mb[j].angle, &v->r0, &v->r1);
            }
        }
    }
}

/* The cells of the translation grid a vote can reach along one axis: b's coordinates in [lo, hi]
 * less a's turned by up to r, each vote also in the neighbouring cells, two cells to spare, within
 * the grid's side. */
static void grid_span(float lo, float hi, float r, int side, int *first, int *count)
{
    int f = (int)floorf((lo - r) / CELL) - 2 + side / 2,
        l = (int)ceilf((hi + r) / CELL) + 2 + side / 2;
    f = f < 0 ? 0 : f;
    l = l > side - 1 ? side - 1 : l;
    *first = f;
    *count = l >= f ? l - f + 1 : 0;
}

/* Sizes the translation grid: the layout (cell (side/2, side/2) is no translation) as it always
 * was, but only the part that a's minutiae turned and subtracted from b's can reach is kept. */
static void size_grid(work *w)
{
    float range = sqrtf((float)w->a->width * w->a->width + (float)w->a->height * w->a->height) +
                  sqrtf((float)w->b->width * w->b->width + (float)w->b->height * w->b->height);
    w->side = 2 * (int)(range / CELL) + 3;
    grid_span(w->pb->x0, w->pb->x1, w->pa->reach, w->side, &w->gx, &w->gw);
    grid_span(w->pb->y0, w->pb->y1, w->pa->reach, w->side, &w->gy, &w->gh);
}

/* lrintf() (to nearest, ties to even) without a call for |v| < 2^22: v + 1.5 * 2^23 lies where
 * floats are whole numbers, so the sum is rounded as lrintf() rounds (1.5 * 2^23 is even). */
static int round_even(float v)
{
    const float big = 12582912.0f;
    return fabsf(v) < 4194304.0f ? (int)((v + big) - big) : (int)lrintf(v);
}

/* Votes for translations at each rotation searched: the best cell of each rotation in cand[]. */
static void vote(work *w, int nrot)
{
    int half = w->side / 2;
    for (int r_i = 0; r_i < nrot; r_i++) {
        float angle = (float)((-MAX_ROTATION_DEG + r_i * ROTATION_STEP_DEG) * M_PI / 180.0);
        float cs = cosf(angle), sn = sinf(angle);
        uint8_t gen = (uint8_t)(r_i + 1);
        candidate best = {0, angle, 0, 0};
        for (int v = 0; v < w->n_voters; v++) {
            if (r_i < w->voters[v].r0 || r_i > w->voters[v].r1)
                continue; /* its directions cannot pass the test below at this rotation */
            const fingerfeat_minutia *m = &w->ma[w->voters[v].i];
            const fingerfeat_minutia *n = &w->mb[w->voters[v].j];
            int weight = w->voters[v].weight;
            float turned = m->angle + angle;
            if ((w->tame ? angle_diff_indexed(turned, n->angle) : angle_diff(turned, n->angle)) >
                VOTE_ANGLE)
                continue;
            float x = cs * m->x - sn * m->y, y = sn * m->x + cs * m->y;
            float tx = n->x - x, ty = n->y - y;
            int cx = round_even(tx / CELL) + half, cy = round_even(ty / CELL) + half;
            /* each vote also counts for the neighbouring cells: no edge effects */
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x2 = cx + dx - w->gx, y2 = cy + dy - w->gy;
                    if (x2 < 0 || y2 < 0 || x2 >= w->gw || y2 >= w->gh)
                        continue;
                    size_t c = (size_t)y2 * (size_t)w->gw + (size_t)x2;
                    if (w->stamp[c] != gen) {
                        w->stamp[c] = gen;
                        w->votes[c] = 0;
                    }
                    if (w->votes[c] < UINT16_MAX - NEIGHBOURS)
                        w->votes[c] = (uint16_t)(w->votes[c] + weight);
                    if (w->votes[c] > best.votes) {
                        best.votes = w->votes[c];
                        best.dx = (float)((x2 + w->gx - half) * CELL);
                        best.dy = (float)((y2 + w->gy - half) * CELL);
                    }
                }
            }
        }
        w->cand[r_i] = best;
    }
}

/* Lays a comparison's memory out in base (NULL: only measures it); returns its size. */
static size_t work_layout(work *w, int nrot, char *base)
{
    size_t na = (size_t)w->na, nb = (size_t)w->nb, cells = (size_t)w->gw * (size_t)w->gh;
    size_t at = 0;
    /* first the parts that start zeroed: the marks, the similarities (pairs never compared
     * score 0) and the grid's stamps (no cell written yet) */
    w->marks = carve(base, &at, nb);
    w->sim = carve(base, &at, na * nb);
    w->stamp = carve(base, &at, cells);
    w->zeroed = at;
    w->touched = carve(base, &at, sizeof(int) * (nb + 1));
    w->voters = carve(base, &at, sizeof(voter) * na * nb);
    w->near = carve(base, &at, sizeof(int) * nb);
    w->pairs = carve(base, &at, sizeof(pair) * na * nb);
    w->used = carve(base, &at, na + nb);
    w->n_used = na + nb;
    w->cand = carve(base, &at, sizeof(candidate) * (size_t)nrot);
    w->votes = carve(base, &at, sizeof(uint16_t) * cells);
    return at;
}

/* Pairs the minutiae under one candidate alignment, fits the alignment to the pairs and pairs
 * again tighter; the score that gives, into *r when it is better. */
static void check_candidate(work *w, candidate *c, fingermatch_result *r)
{
    int a_in = 0, b_in = 0;
    /* the first pairing's overlap counts were never used: not counted */
    int paired = pair_up(w, c, PAIR_DISTANCE, PAIR_ANGLE, NULL, NULL);
    /* the votes' cells are coarse: fit the transform to the pairs, then pair again tighter */
    refine(w->ma, w->mb, w->pairs, paired, c);
    paired = pair_up(w, c, FINE_DISTANCE, FINE_ANGLE, &a_in, &b_in);
    a_in = a_in < MIN_OVERLAP ? MIN_OVERLAP : a_in;
    b_in = b_in < MIN_OVERLAP ? MIN_OVERLAP : b_in;
    double s = 100.0 * paired / (a_in < b_in ? a_in : b_in);
    /* a handful of pairs is what chance gives two dense or noisy prints */
    if (paired < MIN_PAIRED)
        s = s * paired / MIN_PAIRED;
    int score = s > 100 ? 100 : (int)lrint(s);
    if (score > r->score || (score == r->score && paired > r->paired)) {
        r->score = score;
        r->paired = paired;
        r->angle = c->angle;
        r->dx = c->dx;
        r->dy = c->dy;
    }
}

/* Compares a against b, in that order. */
static bk_err compare_in_order(const fingermatch_print *a, const fingermatch_print *b,
                               fingermatch_result *out)
{
    fingermatch_result r = {0};
    if (a->n < 4 || b->n < 4) {
        *out = r;
        return BK_OK;
    }
    int nrot = ROTATIONS;
    work w = {
        .pa = a, .pb = b, .a = a->f, .b = b->f, .ma = a->m, .mb = b->m, .na = a->n, .nb = b->n};
    w.tame = a->indexed && b->indexed;
    size_grid(&w);
    char *block = malloc(work_layout(&w, nrot, NULL));
    if (block == NULL)
        return BK_ERR_NOMEM;
    work_layout(&w, nrot, block);
    memset(block, 0, w.zeroed);
    compare_neighbourhoods(&w);
    vote(&w, nrot);
    qsort(w.cand, (size_t)nrot, sizeof *w.cand, cmp_candidate);
    for (int k = 0; k < CANDIDATES && k < nrot && w.cand[k].votes > 0; k++)
        check_candidate(&w, &w.cand[k], &r);
    free(block);
    *out = r;
    return BK_OK;
}

/* Whether two prints are compared the other way round: the method is not symmetric (a's
 * minutiae are turned onto b's, a's neighbourhoods looked up among b's; 217 of bench-finger's 621
 * pairs scored differently the other way round), so each pair is compared in one order of its
 * own, whichever order it is given in: the print with fewer minutiae first (on those pairs as
 * good as the better of the two orders, with the lower impostor scores), ties broken by the
 * minutiae, then by the foreground. Prints equal in all of that give the same result either
 * way. */
static int swapped(const fingermatch_print *a, const fingermatch_print *b)
{
    const fingerfeat *fa = a->f, *fb = b->f;
    if (fa->n_minutiae != fb->n_minutiae)
        return fa->n_minutiae > fb->n_minutiae;
    int c = a->n > 0 ? memcmp(a->m, b->m, sizeof *a->m * (size_t)a->n) : 0;
    if (c != 0)
        return c > 0;
    const int ga[5] = {fa->width, fa->height, fa->block, fa->bw, fa->bh},
              gb[5] = {fb->width, fb->height, fb->block, fb->bw, fb->bh};
    for (int k = 0; k < 5; k++)
        if (ga[k] != gb[k])
            return ga[k] > gb[k];
    size_t mask = (size_t)fa->bw * (size_t)fa->bh;
    return mask > 0 && fa->mask != NULL && fb->mask != NULL && memcmp(fa->mask, fb->mask, mask) > 0;
}

/* r (b's alignment against a) as a's against b: the inverse rotation and translation. */
static void invert(fingermatch_result *r)
{
    float cs = cosf(r->angle), sn = sinf(r->angle), dx = r->dx, dy = r->dy;
    r->angle = -r->angle;
    r->dx = -(cs * dx + sn * dy);
    r->dy = sn * dx - cs * dy;
}

bk_err fingermatch_compare_prepared(const fingermatch_print *a, const fingermatch_print *b,
                                    fingermatch_result *out)
{
    if (a == NULL || b == NULL || out == NULL)
        return BK_ERR_INVALID;
    if (swapped(a, b)) {
        bk_err err = compare_in_order(b, a, out);
        if (err == BK_OK)
            invert(out);
        return err;
    }
    return compare_in_order(a, b, out);
}

bk_err fingermatch_compare(const fingerfeat *a, const fingerfeat *b, fingermatch_result *out)
{
    if (a == NULL || b == NULL || out == NULL)
        return BK_ERR_INVALID;
    fingermatch_print *pa = NULL, *pb = NULL;
    bk_err err = fingermatch_prepare(a, &pa);
    if (err == BK_OK)
        err = fingermatch_prepare(b, &pb);
    if (err == BK_OK)
        err = fingermatch_compare_prepared(pa, pb, out);
    fingermatch_print_free(pb);
    fingermatch_print_free(pa);
    return err;
}
