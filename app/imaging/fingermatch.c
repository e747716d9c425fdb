#include "imaging/fingermatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

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
} voter;

/* Difference of two directions, 0..pi. */
static float angle_diff(float a, float b)
{
    /* directions stay within a few turns of 0: subtracting turns is cheaper than fmodf, which
     * took a third of a comparison */
    float d = fabsf(a - b);
    while (d >= 2 * (float)M_PI)
        d -= 2 * (float)M_PI;
    return d > (float)M_PI ? 2 * (float)M_PI - d : d;
}

/* Each minutia's nearest neighbours, seen from the minutia: distance, bearing relative to the
 * minutia's direction, and the neighbour's direction relative to it. Rotation and translation do
 * not change these, so they say which pairs of minutiae may correspond before any alignment. */
#define NEIGHBOURS 5
typedef struct local {
    int n;
    float d[NEIGHBOURS], bearing[NEIGHBOURS], turn[NEIGHBOURS];
} local;

/* A minutia's place along x, for finding neighbours without measuring every other minutia. */
typedef struct along {
    float x;
    int i;
} along;

static int cmp_along(const void *x, const void *y)
{
    const along *a = x, *b = y;
    return a->x < b->x ? -1 : a->x > b->x ? 1 : a->i - b->i;
}

/* The nearest neighbours so far, by distance and then by index: the five that measuring every
 * minutia in index order keeps, whatever the order they are offered in. */
typedef struct nearest {
    int n;
    float d[NEIGHBOURS];
    int j[NEIGHBOURS];
} nearest;

static void offer(nearest *l, float d, int j)
{
    int at = l->n < NEIGHBOURS ? l->n : NEIGHBOURS - 1;
    if (l->n == NEIGHBOURS && (d > l->d[at] || (d == l->d[at] && j > l->j[at])))
        return;
    while (at > 0 && (l->d[at - 1] > d || (l->d[at - 1] == d && l->j[at - 1] > j))) {
        l->d[at] = l->d[at - 1];
        l->j[at] = l->j[at - 1];
        at--;
    }
    l->d[at] = d;
    l->j[at] = j;
    if (l->n < NEIGHBOURS)
        l->n++;
}

/* Whether a minutia dx away along x (or further) can still be among the nearest: once the list
 * is full, one clearly beyond its farthest (a margin for rounding) cannot. */
static int within_reach(const nearest *l, float dx)
{
    return l->n < NEIGHBOURS || dx <= l->d[NEIGHBOURS - 1] * 1.001f + 0.01f;
}

/* Describes every minutia of f into out[]; by[] is scratch for n_minutiae entries. Neighbours are
 * searched outwards along x from the minutia, the nearer side first, until both sides are out of
 * reach: a dense print costs a dozen distances per minutia rather than all of them. */
static void describe(const fingerfeat *f, local *out, along *by)
{
    int n = f->n_minutiae;
    for (int i = 0; i < n; i++)
        by[i] = (along){f->minutiae[i].x, i};
    qsort(by, (size_t)n, sizeof *by, cmp_along);
    for (int p = 0; p < n; p++) {
        const fingerfeat_minutia *m = &f->minutiae[by[p].i];
        nearest l = {0};
        for (int right = p + 1, left = p - 1;;) {
            float dr = right < n ? by[right].x - m->x : INFINITY;
            float dl = left >= 0 ? m->x - by[left].x : INFINITY;
            int k;
            if (dr <= dl) {
                if (right >= n || !within_reach(&l, dr))
                    break;
                k = right++;
            } else {
                if (!within_reach(&l, dl))
                    break;
                k = left--;
            }
            const fingerfeat_minutia *q = &f->minutiae[by[k].i];
            float dx = q->x - m->x, dy = q->y - m->y;
            offer(&l, sqrtf(dx * dx + dy * dy), by[k].i);
        }
        local *o = &out[by[p].i];
        o->n = l.n;
        for (int k = 0; k < l.n; k++) {
            const fingerfeat_minutia *q = &f->minutiae[l.j[k]];
            o->d[k] = l.d[k];
            o->bearing[k] = atan2f(q->y - m->y, q->x - m->x) - m->angle;
            o->turn[k] = q->angle - m->angle;
        }
    }
}

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

static int cmp_pair(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    return (a->d > b->d) - (a->d < b->d);
}

static int cmp_candidate(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    return b->votes - a->votes;
}

/* One comparison's working memory, taken in one allocation. */
typedef struct work {
    const fingerfeat *a, *b;
    int na, nb;
    local *la, *lb;
    along *by;  /* scratch for describe(): the larger of na, nb */
    int *start; /* the index of b's neighbours (index_b()) */
    struct entry *entry;
    uint8_t *marks; /* nb: look_up()'s marks, all 0 between lookups */
    int *touched;   /* nb: the minutiae look_up() marked */
    uint8_t *sim;   /* na x nb: how similar the neighbourhoods of a's i and b's j are */
    voter *voters;  /* the pairs with sim >= 2, in the order i, then j */
    int n_voters;
    int *b_by_y;   /* b's minutiae in the order of y */
    float *b_y;    /* their y, ascending */
    int *near;     /* scratch: b's minutiae near one point */
    pair *pairs;   /* na x nb */
    uint8_t *used; /* na + nb */
    candidate *cand;
    int side; /* the translation grid: side x side cells of CELL pixels, the middle one no move */
    int gx, gy, gw, gh; /* the part of it that votes can reach (size_grid()) */
    uint16_t *votes;    /* gw x gh */
    uint8_t *stamp;     /* gw x gh: the rotation that last wrote the cell */
    size_t zeroed;      /* the first bytes of the block, which start zeroed (work_layout()) */
} work;

/* Sorts b's minutiae by y (insertion: a few dozen to a few hundred, once per comparison). */
static void sort_by_y(work *w)
{
    for (int j = 0; j < w->nb; j++) {
        float y = w->b->minutiae[j].y;
        int at = j;
        while (at > 0 && w->b_y[at - 1] > y) {
            w->b_y[at] = w->b_y[at - 1];
            w->b_by_y[at] = w->b_by_y[at - 1];
            at--;
        }
        w->b_y[at] = y;
        w->b_by_y[at] = j;
    }
}

/* b's minutiae whose y lies within [lo, hi], in ascending index order, into w->near. */
static int near_in_y(const work *w, float lo, float hi)
{
    int first = 0, last = w->nb;
    while (first < last) {
        int mid = first + (last - first) / 2;
        if (w->b_y[mid] < lo)
            first = mid + 1;
        else
            last = mid;
    }
    int n = 0;
    for (int k = first; k < w->nb && w->b_y[k] <= hi; k++) {
        int j = w->b_by_y[k], at = n++;
        while (at > 0 && w->near[at - 1] > j) {
            w->near[at] = w->near[at - 1];
            at--;
        }
        w->near[at] = j;
    }
    return n;
}

/* Pairs minutiae one to one, nearest first, under one alignment; fills the overlap counts. */
static int pair_up(work *w, const candidate *c, float tol, float atol, int *a_in, int *b_in)
{
    const fingerfeat *a = w->a, *b = w->b;
    float cs = cosf(c->angle), sn = sinf(c->angle);
    pair *pairs = w->pairs;
    int np = 0;
    *a_in = 0;
    *b_in = 0;
    for (int i = 0; i < a->n_minutiae; i++) {
        const fingerfeat_minutia *m = &a->minutiae[i];
        float x = cs * m->x - sn * m->y + c->dx, y = sn * m->x + cs * m->y + c->dy;
        *a_in += fingerfeat_in_foreground(b, x, y);
        /* only b's minutiae within tol of y can pass; one pixel more covers rounding, the exact
         * tests below decide, in the order of j as over all of b */
        int nn = near_in_y(w, y - tol - 1, y + tol + 1);
        for (int k = 0; k < nn; k++) {
            int j = w->near[k];
            const fingerfeat_minutia *n = &b->minutiae[j];
            float ddx = n->x - x, ddy = n->y - y;
            if (fabsf(ddx) > tol || fabsf(ddy) > tol)
                continue;
            float d = sqrtf(ddx * ddx + ddy * ddy);
            if (d > tol || angle_diff(m->angle + c->angle, n->angle) > atol)
                continue;
            /* a chance neighbour in a dense print has no matching neighbourhood */
            if (w->sim[(size_t)i * (size_t)w->nb + (size_t)j] < 1)
                continue;
            pairs[np++] = (pair){d, i, j};
        }
    }
    for (int j = 0; j < b->n_minutiae; j++) {
        const fingerfeat_minutia *n = &b->minutiae[j];
        float x = n->x - c->dx, y = n->y - c->dy;
        *b_in += fingerfeat_in_foreground(a, cs * x + sn * y, -sn * x + cs * y);
    }
    qsort(pairs, (size_t)np, sizeof *pairs, cmp_pair);
    uint8_t *used = w->used;
    memset(used, 0, (size_t)(a->n_minutiae + b->n_minutiae));
    int paired = 0;
    for (int k = 0; k < np; k++) {
        if (used[pairs[k].i] || used[a->n_minutiae + pairs[k].j])
            continue;
        used[pairs[k].i] = used[a->n_minutiae + pairs[k].j] = 1;
        pairs[paired++] = pairs[k];
    }
    return paired;
}

/* The rigid transform (rotation and translation) that best maps the paired minutiae of a onto
 * those of b in the least-squares sense; pairs[] holds the accepted pairs first. */
static void refine(const fingerfeat *a, const fingerfeat *b, const pair *pairs, int n, candidate *c)
{
    if (n < 3)
        return;
    double ax = 0, ay = 0, bx = 0, by = 0;
    for (int k = 0; k < n; k++) {
        ax += a->minutiae[pairs[k].i].x;
        ay += a->minutiae[pairs[k].i].y;
        bx += b->minutiae[pairs[k].j].x;
        by += b->minutiae[pairs[k].j].y;
    }
    ax /= n;
    ay /= n;
    bx /= n;
    by /= n;
    double sxx = 0, sxy = 0;
    for (int k = 0; k < n; k++) {
        double px = a->minutiae[pairs[k].i].x - ax, py = a->minutiae[pairs[k].i].y - ay;
        double qx = b->minutiae[pairs[k].j].x - bx, qy = b->minutiae[pairs[k].j].y - by;
        sxx += px * qx + py * qy;
        sxy += px * qy - py * qx;
    }
    double angle = atan2(sxy, sxx);
    c->angle = (float)angle;
    c->dx = (float)(bx - (cos(angle) * ax - sin(angle) * ay));
    c->dy = (float)(by - (sin(angle) * ax + cos(angle) * ay));
}

/* An index of all of b's neighbours (minutia B, neighbour j) by distance, bearing and turn, in
 * cells wider than similar()'s tolerances: every neighbour of b that can match one of a lies in
 * the cell of that neighbour or next to it, so one lookup of 27 cells replaces comparing a
 * minutia's neighbourhood with each of b's. The angles are taken within [0, 2pi) for the cells;
 * the tests themselves are similar()'s. */
#define D_CELLS  16 /* of 6.5 pixels (similar(): 6), the last open-ended */
#define B_CELLS  20 /* bearings: 2pi / 20 = 0.314 (similar(): 0.3) */
#define T_CELLS  15 /* turns: 2pi / 15 = 0.419 (similar(): 0.4) */
#define KEYS     (D_CELLS * B_CELLS * T_CELLS)
#define D_WIDTH  6.5f
#define MAX_TURN (3.5f * (float)M_PI) /* angles within this of 0: all that fingerfeat gives */

/* Whether every descriptor of a print is finite, with angles within MAX_TURN of 0 (the index's
 * cells are only proven for those; others are compared neighbourhood by neighbourhood). */
static int indexable(const local *l, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < l[i].n; k++)
            if (!(fabsf(l[i].bearing[k]) < MAX_TURN && fabsf(l[i].turn[k]) < MAX_TURN &&
                  l[i].d[k] < 1e6f))
                return 0;
    return 1;
}

/* The cell of an angle within MAX_TURN of 0 among `cells` around the circle. */
static int angle_cell(float v, int cells)
{
    const float turn = 2 * (float)M_PI;
    v = v < 0 ? v + turn : v;
    v = v < 0 ? v + turn : v;
    v = v >= turn ? v - turn : v;
    v = v >= turn ? v - turn : v;
    int c = (int)(v / (turn / (float)cells));
    return c < 0 ? 0 : c >= cells ? cells - 1 : c;
}

static int distance_cell(float d)
{
    int c = (int)(d / D_WIDTH);
    return c < 0 ? 0 : c >= D_CELLS ? D_CELLS - 1 : c;
}

static int key_of(float d, float bearing, float turn)
{
    return (distance_cell(d) * B_CELLS + angle_cell(bearing, B_CELLS)) * T_CELLS +
           angle_cell(turn, T_CELLS);
}

/* One neighbour of b in the index: its descriptor and whose it is (B * 8 + j: neighbour j of B). */
typedef struct entry {
    float d, bearing, turn;
    int who;
} entry;

/* Builds the index of b's neighbours: the entries of cell key are w->entry[w->start[key]] up to
 * w->entry[w->start[key + 1]] (counted, summed to each cell's end, then filled from the end). */
static void index_b(work *w)
{
    for (int B = 0; B < w->nb; B++)
        for (int j = 0; j < w->lb[B].n; j++)
            w->start[key_of(w->lb[B].d[j], w->lb[B].bearing[j], w->lb[B].turn[j])]++;
    for (int k = 1; k <= KEYS; k++)
        w->start[k] += w->start[k - 1];
    for (int B = 0; B < w->nb; B++) {
        const local *l = &w->lb[B];
        for (int j = 0; j < l->n; j++) {
            int key = key_of(l->d[j], l->bearing[j], l->turn[j]);
            w->entry[--w->start[key]] = (entry){l->d[j], l->bearing[j], l->turn[j], B * 8 + j};
        }
    }
}

/* Marks, for neighbour i of a's minutia `la`, every minutia of b with a neighbour among the
 * entries first..last that matches it by similar()'s tests (bit i in marks[B]; B listed in
 * touched[] when first marked); returns the new length of touched[]. */
static int mark_matches(const work *w, const local *la, int i, int first, int last, uint8_t *marks,
                        int *touched, int nt)
{
    float d = la->d[i], near = d + 6;
    for (int e = first; e < last; e++) {
        const entry *n = &w->entry[e];
        if (n->d < near && fabsf(d - n->d) < 6 && angle_diff(la->bearing[i], n->bearing) < 0.3f &&
            angle_diff(la->turn[i], n->turn) < 0.4f) {
            int B = n->who >> 3;
            if (marks[B] == 0)
                touched[nt++] = B;
            marks[B] |= (uint8_t)(1u << i);
        }
    }
    return nt;
}

/* For a's minutia A: marks[B] gets bit i for each neighbour i of A that some neighbour of B
 * matches; the minutiae B marked are listed in touched[]; returns how many. The three turn cells
 * around A's neighbour's lie next to each other in the index (two runs where they wrap). */
static int look_up(const work *w, int A, uint8_t *marks, int *touched)
{
    const local *la = &w->la[A];
    int nt = 0;
    for (int i = 0; i < la->n; i++) {
        int dc = distance_cell(la->d[i]), bc = angle_cell(la->bearing[i], B_CELLS);
        int tc = angle_cell(la->turn[i], T_CELLS);
        for (int dd = dc > 0 ? dc - 1 : 0; dd <= dc + 1 && dd < D_CELLS; dd++) {
            for (int db = -1; db <= 1; db++) {
                int row = (dd * B_CELLS + (bc + db + B_CELLS) % B_CELLS) * T_CELLS;
                int lo = tc - 1, hi = tc + 1; /* turn cells lo..hi, wrapping */
                if (lo < 0) {
                    nt = mark_matches(w, la, i, w->start[row + T_CELLS - 1],
                                      w->start[row + T_CELLS], marks, touched, nt);
                    lo = 0;
                }
                if (hi >= T_CELLS) {
                    nt = mark_matches(w, la, i, w->start[row], w->start[row + 1], marks, touched,
                                      nt);
                    hi = T_CELLS - 1;
                }
                nt = mark_matches(w, la, i, w->start[row + lo], w->start[row + hi + 1], marks,
                                  touched, nt);
            }
        }
    }
    return nt;
}

/* The neighbourhoods' similarity of every pair of minutiae that can pair, and the pairs similar
 * enough to vote. */
static void compare_neighbourhoods(work *w)
{
    describe(w->a, w->la, w->by);
    describe(w->b, w->lb, w->by);
    /* two minutiae whose directions differ by more than the largest rotation searched plus the
     * pairing tolerance can never pair: their neighbourhoods need not be compared (two thirds of
     * all pairs) */
    float reach = (float)(MAX_ROTATION_DEG * M_PI / 180.0) + PAIR_ANGLE;
    int indexed = indexable(w->la, w->na) && indexable(w->lb, w->nb);
    if (indexed)
        index_b(w);
    w->n_voters = 0;
    for (int i = 0; i < w->na; i++) {
        uint8_t *row = &w->sim[(size_t)i * (size_t)w->nb];
        float ai = w->a->minutiae[i].angle;
        if (indexed) {
            /* b's minutiae no neighbour matched score 0 whatever their direction */
            int nt = look_up(w, i, w->marks, w->touched);
            for (int t = 0; t < nt; t++) {
                int j = w->touched[t], m = w->marks[j];
                w->marks[j] = 0;
                row[j] = angle_diff(ai, w->b->minutiae[j].angle) > reach
                             ? 0
                             : (uint8_t)((m & 1) + (m >> 1 & 1) + (m >> 2 & 1) + (m >> 3 & 1) +
                                         (m >> 4 & 1));
            }
        } else {
            for (int j = 0; j < w->nb; j++)
                row[j] = angle_diff(ai, w->b->minutiae[j].angle) > reach
                             ? 0
                             : (uint8_t)similar(&w->la[i], &w->lb[j]);
        }
        for (int j = 0; j < w->nb; j++)
            if (row[j] >= 2)
                w->voters[w->n_voters++] = (voter){i, j, row[j]};
    }
}

/* Largest distance of a minutia from the origin, plus a pixel for rounding. */
static float reach_from_origin(const fingerfeat *f)
{
    float r = 0;
    for (int i = 0; i < f->n_minutiae; i++) {
        const fingerfeat_minutia *m = &f->minutiae[i];
        float d = sqrtf(m->x * m->x + m->y * m->y);
        r = d > r ? d : r;
    }
    return r + 1;
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
    float r = reach_from_origin(w->a);
    float x0 = w->b->minutiae[0].x, x1 = x0, y0 = w->b->minutiae[0].y, y1 = y0;
    for (int j = 1; j < w->nb; j++) {
        const fingerfeat_minutia *n = &w->b->minutiae[j];
        x0 = n->x < x0 ? n->x : x0;
        x1 = n->x > x1 ? n->x : x1;
        y0 = n->y < y0 ? n->y : y0;
        y1 = n->y > y1 ? n->y : y1;
    }
    grid_span(x0, x1, r, w->side, &w->gx, &w->gw);
    grid_span(y0, y1, r, w->side, &w->gy, &w->gh);
}

/* Votes for translations at each rotation searched: the best cell of each rotation in cand[]. */
static void vote(work *w, int nrot)
{
    const fingerfeat *a = w->a, *b = w->b;
    int half = w->side / 2;
    for (int r_i = 0; r_i < nrot; r_i++) {
        float angle = (float)((-MAX_ROTATION_DEG + r_i * ROTATION_STEP_DEG) * M_PI / 180.0);
        float cs = cosf(angle), sn = sinf(angle);
        uint8_t gen = (uint8_t)(r_i + 1);
        candidate best = {0, angle, 0, 0};
        for (int v = 0; v < w->n_voters; v++) {
            const fingerfeat_minutia *m = &a->minutiae[w->voters[v].i];
            const fingerfeat_minutia *n = &b->minutiae[w->voters[v].j];
            int weight = w->voters[v].weight;
            if (angle_diff(m->angle + angle, n->angle) > VOTE_ANGLE)
                continue;
            float x = cs * m->x - sn * m->y, y = sn * m->x + cs * m->y;
            float tx = n->x - x, ty = n->y - y;
            int cx = (int)lrintf(tx / CELL) + half, cy = (int)lrintf(ty / CELL) + half;
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

/* The next part of a block, size bytes at *at (kept 16-byte aligned); only counted when base is
 * NULL. */
static void *carve(char *base, size_t *at, size_t size)
{
    void *part = base != NULL ? base + *at : NULL;
    *at += (size + 15) / 16 * 16;
    return part;
}

/* Lays a comparison's memory out in base (NULL: only measures it); returns its size. */
static size_t work_layout(work *w, int nrot, char *base)
{
    size_t na = (size_t)w->na, nb = (size_t)w->nb, cells = (size_t)w->gw * (size_t)w->gh;
    size_t at = 0;
    /* first the parts that start zeroed: the index's counts, the marks, the similarities (pairs
     * never compared score 0) and the grid's stamps (no cell written yet) */
    w->start = carve(base, &at, sizeof(int) * (KEYS + 1));
    w->marks = carve(base, &at, nb);
    w->sim = carve(base, &at, na * nb);
    w->stamp = carve(base, &at, cells);
    w->zeroed = at;
    w->la = carve(base, &at, sizeof(local) * na);
    w->lb = carve(base, &at, sizeof(local) * nb);
    w->by = carve(base, &at, sizeof(along) * (na > nb ? na : nb));
    w->entry = carve(base, &at, sizeof(entry) * nb * NEIGHBOURS);
    w->touched = carve(base, &at, sizeof(int) * nb);
    w->voters = carve(base, &at, sizeof(voter) * na * nb);
    w->b_by_y = carve(base, &at, sizeof(int) * nb);
    w->b_y = carve(base, &at, sizeof(float) * nb);
    w->near = carve(base, &at, sizeof(int) * nb);
    w->pairs = carve(base, &at, sizeof(pair) * na * nb);
    w->used = carve(base, &at, na + nb);
    w->cand = carve(base, &at, sizeof(candidate) * (size_t)nrot);
    w->votes = carve(base, &at, sizeof(uint16_t) * cells);
    return at;
}

/* Pairs the minutiae under one candidate alignment, fits the alignment to the pairs and pairs
 * again tighter; the score that gives, into *r when it is better. */
static void check_candidate(work *w, candidate *c, fingermatch_result *r)
{
    int a_in = 0, b_in = 0;
    int paired = pair_up(w, c, PAIR_DISTANCE, PAIR_ANGLE, &a_in, &b_in);
    /* the votes' cells are coarse: fit the transform to the pairs, then pair again tighter */
    refine(w->a, w->b, w->pairs, paired, c);
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

bk_err fingermatch_compare(const fingerfeat *a, const fingerfeat *b, fingermatch_result *out)
{
    if (a == NULL || b == NULL || out == NULL)
        return BK_ERR_INVALID;
    fingermatch_result r = {0};
    if (a->n_minutiae < 4 || b->n_minutiae < 4) {
        *out = r;
        return BK_OK;
    }
    int nrot = 2 * MAX_ROTATION_DEG / ROTATION_STEP_DEG + 1;
    work w = {.a = a, .b = b, .na = a->n_minutiae, .nb = b->n_minutiae};
    size_grid(&w);
    char *block = malloc(work_layout(&w, nrot, NULL));
    if (block == NULL)
        return BK_ERR_NOMEM;
    work_layout(&w, nrot, block);
    memset(block, 0, w.zeroed);
    compare_neighbourhoods(&w);
    sort_by_y(&w);
    vote(&w, nrot);
    qsort(w.cand, (size_t)nrot, sizeof *w.cand, cmp_candidate);
    for (int k = 0; k < CANDIDATES && k < nrot && w.cand[k].votes > 0; k++)
        check_candidate(&w, &w.cand[k], &r);
    free(block);
    *out = r;
    return BK_OK;
}

bk_err fingermatch_check(const fingerfeat *print, int finger,
                         const fingerfeat *const kept[FINGERPLAN_FINGERS],
                         const fingerfeat *const on_file[FINGERPLAN_FINGERS], int threshold,
                         fingerplan_check *out)
{
    if (print == NULL || finger < 1 || finger > 10 || out == NULL)
        return BK_ERR_INVALID;
    fingerplan_check c = {FINGERPLAN_UNIQUE, FINGERPLAN_NONE, 0};
    int unsure = FINGERPLAN_NONE, unsure_score = 0; /* a comparison too poor for a verdict */
    for (int f = 1; f <= 10 && kept != NULL; f++) {
        if (f == finger || kept[f] == NULL)
            continue;
        fingermatch_result r;
        bk_err err = fingermatch_compare(print, kept[f], &r);
        if (err != BK_OK)
            return err;
        if (r.score >= threshold && r.score > c.score)
            c = (fingerplan_check){FINGERPLAN_SAME_FINGER, f, r.score};
        else if (unsure == FINGERPLAN_NONE && (print->n_minutiae < FINGERFEAT_MIN_MINUTIAE ||
                                               kept[f]->n_minutiae < FINGERFEAT_MIN_MINUTIAE)) {
            unsure = f;
            unsure_score = r.score;
        }
    }
    int own = 0; /* the score against this finger's own print on file */
    if (c.result == FINGERPLAN_UNIQUE && on_file != NULL && on_file[finger] != NULL) {
        fingermatch_result r;
        bk_err err = fingermatch_compare(print, on_file[finger], &r);
        if (err != BK_OK)
            return err;
        own = r.score;
    }
    if (c.result == FINGERPLAN_UNIQUE && on_file != NULL) {
        /* the other hand's fingers: 6..10 for a right finger, 1..5 for a left one; a print that
         * matches its own finger on file better is not swapped */
        int first = finger <= 5 ? 6 : 1;
        for (int f = first; f < first + 5; f++) {
            if (on_file[f] == NULL)
                continue;
            fingermatch_result r;
            bk_err err = fingermatch_compare(print, on_file[f], &r);
            if (err != BK_OK)
                return err;
            if (r.score >= threshold && r.score > c.score && r.score > own)
                c = (fingerplan_check){FINGERPLAN_HANDS_SWAPPED, f, r.score};
        }
    }
    if (c.result == FINGERPLAN_UNIQUE && unsure != FINGERPLAN_NONE)
        c = (fingerplan_check){FINGERPLAN_UNVERIFIED, unsure, unsure_score};
    *out = c;
    return BK_OK;
}
