#include "imaging/fingermatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

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
/* A print with more minutiae is compared on this many, those nearest the centre of its minutiae:
 * a comparison's cost grows with the product of the two counts (two rolled card prints of 400
 * each took 4 ms), and NIST's bozorth3 also keeps 150 (by quality; fingerfeat gives none per
 * minutia). On bench-finger's pairs only the card's prints (222-409) have more; their plain
 * against rolled pairs match more often on the central ones (docs/fingerprints.md, session 9;
 * at 100 every card pair took under 1 ms, but fgp07's plain print no longer matched its rolled
 * one on either source). */
#define MAX_COMPARED 150
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

/* Describes each of the n minutiae mi[] into out[]; by[] is scratch for n entries. Neighbours are
 * searched outwards along x from the minutia, the nearer side first, until both sides are out of
 * reach: a dense print costs a dozen distances per minutia rather than all of them. */
static void describe(const fingerfeat_minutia *mi, int n, local *out, along *by)
{
    for (int i = 0; i < n; i++)
        by[i] = (along){mi[i].x, i};
    qsort(by, (size_t)n, sizeof *by, cmp_along);
    for (int p = 0; p < n; p++) {
        const fingerfeat_minutia *m = &mi[by[p].i];
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
            const fingerfeat_minutia *q = &mi[by[k].i];
            float dx = q->x - m->x, dy = q->y - m->y;
            offer(&l, sqrtf(dx * dx + dy * dy), by[k].i);
        }
        local *o = &out[by[p].i];
        o->n = l.n;
        for (int k = 0; k < l.n; k++) {
            const fingerfeat_minutia *q = &mi[l.j[k]];
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

/* A print prepared for comparing (fingermatch.h): what depends on one print alone, built once.
 * One biomem block: the struct, then the arrays. */
struct fingermatch_print {
    const fingerfeat *f;
    int n;                 /* minutiae compared: all of f's, or the central MAX_COMPARED */
    fingerfeat_minutia *m; /* those minutiae, in f's order */
    local *l;              /* their neighbourhoods (describe()) */
    int indexed;           /* l is indexable(): the index below is built and may be used */
    int *start;            /* the index of the neighbours (index_print()) */
    struct entry *entry;
    int *by_y;            /* the minutiae in the order of y */
    float *y;             /* their y, ascending */
    float reach;          /* largest distance of a minutia from the origin, plus a pixel */
    float x0, x1, y0, y1; /* the minutiae's bounding box */
    size_t size;          /* of the block */
};

/* One comparison's working memory, taken in one allocation. */
typedef struct work {
    const fingermatch_print *pa, *pb;
    const fingerfeat *a, *b; /* the prints' features: size and foreground */
    const fingerfeat_minutia *ma, *mb;
    int na, nb;
    uint8_t *marks; /* nb: look_up()'s marks, all 0 between lookups */
    int *touched;   /* nb: the minutiae look_up() marked */
    uint8_t *sim;   /* na x nb: how similar the neighbourhoods of a's i and b's j are */
    voter *voters;  /* the pairs with sim >= 2, in the order i, then j */
    int n_voters;
    int *near;     /* scratch: b's minutiae near one point */
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

/* Sorts p's minutiae by y (insertion: a few dozen to a few hundred, once per print). */
static void sort_by_y(fingermatch_print *p)
{
    for (int j = 0; j < p->n; j++) {
        float y = p->m[j].y;
        int at = j;
        while (at > 0 && p->y[at - 1] > y) {
            p->y[at] = p->y[at - 1];
            p->by_y[at] = p->by_y[at - 1];
            at--;
        }
        p->y[at] = y;
        p->by_y[at] = j;
    }
}

/* b's minutiae whose y lies within [lo, hi], in ascending index order, into w->near. */
static int near_in_y(const work *w, float lo, float hi)
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
    int n = 0;
    for (int k = first; k < w->nb && by[k] <= hi; k++) {
        int j = w->pb->by_y[k], at = n++;
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
    int na = w->na, nb = w->nb;
    float cs = cosf(c->angle), sn = sinf(c->angle);
    pair *pairs = w->pairs;
    int np = 0;
    *a_in = 0;
    *b_in = 0;
    for (int i = 0; i < na; i++) {
        const fingerfeat_minutia *m = &w->ma[i];
        float x = cs * m->x - sn * m->y + c->dx, y = sn * m->x + cs * m->y + c->dy;
        *a_in += fingerfeat_in_foreground(b, x, y);
        /* only b's minutiae within tol of y can pass; one pixel more covers rounding, the exact
         * tests below decide, in the order of j as over all of b */
        int nn = near_in_y(w, y - tol - 1, y + tol + 1);
        for (int k = 0; k < nn; k++) {
            int j = w->near[k];
            const fingerfeat_minutia *n = &w->mb[j];
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
    for (int j = 0; j < nb; j++) {
        const fingerfeat_minutia *n = &w->mb[j];
        float x = n->x - c->dx, y = n->y - c->dy;
        *b_in += fingerfeat_in_foreground(a, cs * x + sn * y, -sn * x + cs * y);
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

/* Builds the index of p's neighbours: the entries of cell key are p->entry[p->start[key]] up to
 * p->entry[p->start[key + 1]] (counted, summed to each cell's end, then filled from the end;
 * p->start starts zeroed). */
static void index_print(fingermatch_print *p)
{
    for (int B = 0; B < p->n; B++)
        for (int j = 0; j < p->l[B].n; j++)
            p->start[key_of(p->l[B].d[j], p->l[B].bearing[j], p->l[B].turn[j])]++;
    for (int k = 1; k <= KEYS; k++)
        p->start[k] += p->start[k - 1];
    for (int B = 0; B < p->n; B++) {
        const local *l = &p->l[B];
        for (int j = 0; j < l->n; j++) {
            int key = key_of(l->d[j], l->bearing[j], l->turn[j]);
            p->entry[--p->start[key]] = (entry){l->d[j], l->bearing[j], l->turn[j], B * 8 + j};
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
        const entry *n = &w->pb->entry[e];
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
    const local *la = &w->pa->l[A];
    const int *start = w->pb->start;
    int nt = 0;
    for (int i = 0; i < la->n; i++) {
        int dc = distance_cell(la->d[i]), bc = angle_cell(la->bearing[i], B_CELLS);
        int tc = angle_cell(la->turn[i], T_CELLS);
        for (int dd = dc > 0 ? dc - 1 : 0; dd <= dc + 1 && dd < D_CELLS; dd++) {
            for (int db = -1; db <= 1; db++) {
                int row = (dd * B_CELLS + (bc + db + B_CELLS) % B_CELLS) * T_CELLS;
                int lo = tc - 1, hi = tc + 1; /* turn cells lo..hi, wrapping */
                if (lo < 0) {
                    nt = mark_matches(w, la, i, start[row + T_CELLS - 1], start[row + T_CELLS],
                                      marks, touched, nt);
                    lo = 0;
                }
                if (hi >= T_CELLS) {
                    nt = mark_matches(w, la, i, start[row], start[row + 1], marks, touched, nt);
                    hi = T_CELLS - 1;
                }
                nt = mark_matches(w, la, i, start[row + lo], start[row + hi + 1], marks, touched,
                                  nt);
            }
        }
    }
    return nt;
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
                row[j] = angle_diff(ai, w->mb[j].angle) > reach
                             ? 0
                             : (uint8_t)((m & 1) + (m >> 1 & 1) + (m >> 2 & 1) + (m >> 3 & 1) +
                                         (m >> 4 & 1));
            }
        } else {
            for (int j = 0; j < w->nb; j++)
                row[j] = angle_diff(ai, w->mb[j].angle) > reach
                             ? 0
                             : (uint8_t)similar(&w->pa->l[i], &w->pb->l[j]);
        }
        for (int j = 0; j < w->nb; j++)
            if (row[j] >= 2)
                w->voters[w->n_voters++] = (voter){i, j, row[j]};
    }
}

/* Largest distance of a minutia from the origin, plus a pixel for rounding. */
static float reach_from_origin(const fingerfeat_minutia *mi, int n)
{
    float r = 0;
    for (int i = 0; i < n; i++) {
        const fingerfeat_minutia *m = &mi[i];
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
    grid_span(w->pb->x0, w->pb->x1, w->pa->reach, w->side, &w->gx, &w->gw);
    grid_span(w->pb->y0, w->pb->y1, w->pa->reach, w->side, &w->gy, &w->gh);
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
            const fingerfeat_minutia *m = &w->ma[w->voters[v].i];
            const fingerfeat_minutia *n = &w->mb[w->voters[v].j];
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
    /* first the parts that start zeroed: the marks, the similarities (pairs never compared
     * score 0) and the grid's stamps (no cell written yet) */
    w->marks = carve(base, &at, nb);
    w->sim = carve(base, &at, na * nb);
    w->stamp = carve(base, &at, cells);
    w->zeroed = at;
    w->touched = carve(base, &at, sizeof(int) * nb);
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
    int paired = pair_up(w, c, PAIR_DISTANCE, PAIR_ANGLE, &a_in, &b_in);
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

/* Lays a prepared print out in base (NULL: only measures it); returns its size. */
static size_t print_layout(fingermatch_print *p, int n, char *base, along **by_x)
{
    size_t at = 0, nn = (size_t)n;
    carve(base, &at, sizeof *p); /* the struct itself, at the start of the block */
    /* the index's counts start zeroed, as the whole block does */
    p->start = carve(base, &at, sizeof(int) * (KEYS + 1));
    p->m = carve(base, &at, sizeof(fingerfeat_minutia) * nn);
    p->l = carve(base, &at, sizeof(local) * nn);
    p->entry = carve(base, &at, sizeof(entry) * nn * NEIGHBOURS);
    p->by_y = carve(base, &at, sizeof(int) * nn);
    p->y = carve(base, &at, sizeof(float) * nn);
    *by_x = carve(base, &at, sizeof(along) * nn);
    return at;
}

/* Whether minutia i of n lies among the MAX_COMPARED nearest to the centre (d2: each one's squared
 * distance from it), ties by index: fewer than MAX_COMPARED nearer, or as near with a lower
 * index. Called on prints over the cap only. */
static int central(int n, int i, const float *d2)
{
    int before = 0;
    for (int k = 0; k < n && before < MAX_COMPARED; k++)
        before += d2[k] < d2[i] || (d2[k] == d2[i] && k < i);
    return before < MAX_COMPARED;
}

/* Copies f's minutiae into m[] (room for MAX_COMPARED), all of them or the MAX_COMPARED nearest
 * the centre of them all, in f's order; returns how many. d2 is scratch for f's count. */
static int select_minutiae(const fingerfeat *f, fingerfeat_minutia *m, float *d2)
{
    int n = f->n_minutiae;
    if (n <= MAX_COMPARED) {
        if (n > 0)
            memcpy(m, f->minutiae, sizeof *m * (size_t)n);
        return n;
    }
    double sx = 0, sy = 0;
    for (int i = 0; i < n; i++) {
        sx += f->minutiae[i].x;
        sy += f->minutiae[i].y;
    }
    float cx = (float)(sx / n), cy = (float)(sy / n);
    for (int i = 0; i < n; i++) {
        float dx = f->minutiae[i].x - cx, dy = f->minutiae[i].y - cy;
        d2[i] = dx * dx + dy * dy;
    }
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (central(n, i, d2))
            m[kept++] = f->minutiae[i];
    return kept;
}

bk_err fingermatch_prepare(const fingerfeat *f, fingermatch_print **out)
{
    if (f == NULL || out == NULL || f->n_minutiae < 0 || (f->n_minutiae > 0 && !f->minutiae))
        return BK_ERR_INVALID;
    int n = f->n_minutiae < MAX_COMPARED ? f->n_minutiae : MAX_COMPARED;
    fingermatch_print measure;
    along *by_x;
    size_t size = print_layout(&measure, n, NULL, &by_x);
    char *block = biomem_alloc(size);
    if (block == NULL)
        return BK_ERR_NOMEM;
    fingermatch_print *p = (fingermatch_print *)(void *)block;
    print_layout(p, n, block, &by_x);
    p->f = f;
    p->n = n;
    p->size = size;
    float *d2 = NULL;
    if (f->n_minutiae > MAX_COMPARED && (d2 = malloc(sizeof *d2 * (size_t)f->n_minutiae)) == NULL) {
        biomem_free(block);
        return BK_ERR_NOMEM;
    }
    n = p->n = select_minutiae(f, p->m, d2);
    free(d2);
    describe(p->m, n, p->l, by_x);
    p->indexed = indexable(p->l, n);
    if (p->indexed)
        index_print(p);
    sort_by_y(p);
    p->reach = reach_from_origin(p->m, n);
    for (int j = 0; j < n; j++) {
        const fingerfeat_minutia *q = &p->m[j];
        p->x0 = j == 0 || q->x < p->x0 ? q->x : p->x0;
        p->x1 = j == 0 || q->x > p->x1 ? q->x : p->x1;
        p->y0 = j == 0 || q->y < p->y0 ? q->y : p->y0;
        p->y1 = j == 0 || q->y > p->y1 ? q->y : p->y1;
    }
    *out = p;
    return BK_OK;
}

void fingermatch_print_free(fingermatch_print *p)
{
    biomem_free(p); /* wipes the whole block: the struct and the minutiae's descriptions */
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
    int nrot = 2 * MAX_ROTATION_DEG / ROTATION_STEP_DEG + 1;
    work w = {
        .pa = a, .pb = b, .a = a->f, .b = b->f, .ma = a->m, .mb = b->m, .na = a->n, .nb = b->n};
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

const fingerfeat *fingermatch_print_features(const fingermatch_print *p)
{
    return p != NULL ? p->f : NULL;
}
