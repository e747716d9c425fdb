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

static void describe(const fingerfeat *f, local *out)
{
    for (int i = 0; i < f->n_minutiae; i++) {
        const fingerfeat_minutia *m = &f->minutiae[i];
        local *l = &out[i];
        l->n = 0;
        for (int j = 0; j < f->n_minutiae; j++) {
            if (j == i)
                continue;
            const fingerfeat_minutia *q = &f->minutiae[j];
            float dx = q->x - m->x, dy = q->y - m->y, d = sqrtf(dx * dx + dy * dy);
            int at = l->n < NEIGHBOURS ? l->n : NEIGHBOURS - 1;
            if (l->n == NEIGHBOURS && d >= l->d[at])
                continue;
            while (at > 0 && l->d[at - 1] > d) {
                l->d[at] = l->d[at - 1];
                l->bearing[at] = l->bearing[at - 1];
                l->turn[at] = l->turn[at - 1];
                at--;
            }
            l->d[at] = d;
            l->bearing[at] = atan2f(dy, dx) - m->angle;
            l->turn[at] = q->angle - m->angle;
            if (l->n < NEIGHBOURS)
                l->n++;
        }
    }
}

/* How many neighbours of one minutia have a counterpart around the other. */
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

/* Pairs minutiae one to one, nearest first, under one alignment; fills the overlap counts. */
static int pair_up(const fingerfeat *a, const fingerfeat *b, const uint8_t *sim, const candidate *c,
                   float tol, float atol, pair *pairs, uint8_t *used, int *a_in, int *b_in)
{
    float cs = cosf(c->angle), sn = sinf(c->angle);
    int np = 0;
    *a_in = 0;
    *b_in = 0;
    for (int i = 0; i < a->n_minutiae; i++) {
        const fingerfeat_minutia *m = &a->minutiae[i];
        float x = cs * m->x - sn * m->y + c->dx, y = sn * m->x + cs * m->y + c->dy;
        *a_in += fingerfeat_in_foreground(b, x, y);
        for (int j = 0; j < b->n_minutiae; j++) {
            const fingerfeat_minutia *n = &b->minutiae[j];
            float ddx = n->x - x, ddy = n->y - y;
            if (fabsf(ddx) > tol || fabsf(ddy) > tol)
                continue;
            float d = sqrtf(ddx * ddx + ddy * ddy);
            if (d > tol || angle_diff(m->angle + c->angle, n->angle) > atol)
                continue;
            /* a chance neighbour in a dense print has no matching neighbourhood */
            if (sim[(size_t)i * (size_t)b->n_minutiae + (size_t)j] < 1)
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

bk_err fingermatch_compare(const fingerfeat *a, const fingerfeat *b, fingermatch_result *out)
{
    if (a == NULL || b == NULL || out == NULL)
        return BK_ERR_INVALID;
    fingermatch_result r = {0};
    if (a->n_minutiae < 4 || b->n_minutiae < 4) {
        *out = r;
        return BK_OK;
    }
    bk_err err = BK_ERR_NOMEM;
    float range = sqrtf((float)a->width * a->width + (float)a->height * a->height) +
                  sqrtf((float)b->width * b->width + (float)b->height * b->height);
    int side = 2 * (int)(range / CELL) + 3;
    int nrot = 2 * MAX_ROTATION_DEG / ROTATION_STEP_DEG + 1;
    size_t cells = (size_t)side * (size_t)side;
    uint16_t *votes = calloc(cells, sizeof *votes);
    uint8_t *stamp = calloc(cells, 1);
    candidate *cand = calloc((size_t)nrot, sizeof *cand);
    size_t max_pairs = (size_t)a->n_minutiae * (size_t)b->n_minutiae;
    pair *pairs = malloc(max_pairs * sizeof *pairs);
    uint8_t *used = malloc((size_t)(a->n_minutiae + b->n_minutiae));
    local *la = malloc(sizeof(local) * (size_t)a->n_minutiae);
    local *lb = malloc(sizeof(local) * (size_t)b->n_minutiae);
    uint8_t *sim = malloc(max_pairs);
    if (votes == NULL || stamp == NULL || cand == NULL || pairs == NULL || used == NULL ||
        la == NULL || lb == NULL || sim == NULL)
        goto out;
    describe(a, la);
    describe(b, lb);
    /* two minutiae whose directions differ by more than the largest rotation searched plus the
     * pairing tolerance can never pair: their neighbourhoods need not be compared (two thirds of
     * all pairs, most of a comparison's time) */
    float reach = (float)(MAX_ROTATION_DEG * M_PI / 180.0) + PAIR_ANGLE;
    for (int i = 0; i < a->n_minutiae; i++)
        for (int j = 0; j < b->n_minutiae; j++)
            sim[(size_t)i * (size_t)b->n_minutiae + (size_t)j] =
                angle_diff(a->minutiae[i].angle, b->minutiae[j].angle) > reach
                    ? 0
                    : (uint8_t)similar(&la[i], &lb[j]);

    for (int r_i = 0; r_i < nrot; r_i++) {
        float angle = (float)((-MAX_ROTATION_DEG + r_i * ROTATION_STEP_DEG) * M_PI / 180.0);
        float cs = cosf(angle), sn = sinf(angle);
        uint8_t gen = (uint8_t)(r_i + 1);
        candidate best = {0, angle, 0, 0};
        for (int i = 0; i < a->n_minutiae; i++) {
            const fingerfeat_minutia *m = &a->minutiae[i];
            float x = cs * m->x - sn * m->y, y = sn * m->x + cs * m->y;
            for (int j = 0; j < b->n_minutiae; j++) {
                const fingerfeat_minutia *n = &b->minutiae[j];
                int weight = sim[(size_t)i * (size_t)b->n_minutiae + (size_t)j];
                if (weight < 2 || angle_diff(m->angle + angle, n->angle) > VOTE_ANGLE)
                    continue;
                float tx = n->x - x, ty = n->y - y;
                int cx = (int)lrintf(tx / CELL) + side / 2, cy = (int)lrintf(ty / CELL) + side / 2;
                /* each vote also counts for the neighbouring cells: no edge effects */
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int x2 = cx + dx, y2 = cy + dy;
                        if (x2 < 0 || y2 < 0 || x2 >= side || y2 >= side)
                            continue;
                        size_t c = (size_t)y2 * (size_t)side + (size_t)x2;
                        if (stamp[c] != gen) {
                            stamp[c] = gen;
                            votes[c] = 0;
                        }
                        if (votes[c] < UINT16_MAX - NEIGHBOURS)
                            votes[c] = (uint16_t)(votes[c] + weight);
                        if (votes[c] > best.votes) {
                            best.votes = votes[c];
                            best.dx = (float)((x2 - side / 2) * CELL);
                            best.dy = (float)((y2 - side / 2) * CELL);
                        }
                    }
                }
            }
        }
        cand[r_i] = best;
    }
    qsort(cand, (size_t)nrot, sizeof *cand, cmp_candidate);
    for (int k = 0; k < CANDIDATES && k < nrot && cand[k].votes > 0; k++) {
        int a_in = 0, b_in = 0;
        int paired =
            pair_up(a, b, sim, &cand[k], PAIR_DISTANCE, PAIR_ANGLE, pairs, used, &a_in, &b_in);
        /* the votes' cells are coarse: fit the transform to the pairs, then pair again tighter */
        refine(a, b, pairs, paired, &cand[k]);
        paired = pair_up(a, b, sim, &cand[k], FINE_DISTANCE, FINE_ANGLE, pairs, used, &a_in, &b_in);
        a_in = a_in < MIN_OVERLAP ? MIN_OVERLAP : a_in;
        b_in = b_in < MIN_OVERLAP ? MIN_OVERLAP : b_in;
        double s = 100.0 * paired / (a_in < b_in ? a_in : b_in);
        /* a handful of pairs is what chance gives two dense or noisy prints */
        if (paired < MIN_PAIRED)
            s = s * paired / MIN_PAIRED;
        int score = s > 100 ? 100 : (int)lrint(s);
        if (score > r.score || (score == r.score && paired > r.paired)) {
            r.score = score;
            r.paired = paired;
            r.angle = cand[k].angle;
            r.dx = cand[k].dx;
            r.dy = cand[k].dy;
        }
    }
    *out = r;
    err = BK_OK;
out:
    free(votes);
    free(stamp);
    free(cand);
    free(pairs);
    free(used);
    free(la);
    free(lb);
    free(sim);
    return err;
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
