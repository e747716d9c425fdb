/* A print prepared for comparing (fingermatch.h: fingermatch_prepare): what depends on one print
 * alone (its central minutiae, their neighbourhoods and the index of them, the minutiae by y and
 * in a grid), built once in one biomem block. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/fingermatch-priv.h"

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

/* The grid's size for f (*gw x *gh cells, 0 x 0 when f's size is out of range). */
static void grid_cells(const fingerfeat *f, int *gw, int *gh)
{
    *gw = *gh = 0;
    if (f->width > 0 && f->height > 0 && f->width / GRID < 4096 && f->height / GRID < 4096 &&
        (f->width / GRID + 1) * (f->height / GRID + 1) <= GRID_MAXC) {
        *gw = (f->width + GRID - 1) / GRID;
        *gh = (f->height + GRID - 1) / GRID;
    }
}

/* Puts p's minutiae in its grid (counted, summed to each cell's end, filled from the end); no
 * grid when a coordinate is not finite. */
static void grid_print(fingermatch_print *p)
{
    for (int j = 0; j < p->n; j++)
        if (!isfinite(p->m[j].x) || !isfinite(p->m[j].y))
            p->gw = p->gh = 0;
    if (p->gw == 0)
        return;
    int cells = p->gw * p->gh;
    memset(p->gstart, 0, sizeof(int) * (size_t)(cells + 1));
    for (int j = 0; j < p->n; j++)
        p->gstart[grid_at(p->m[j].y, p->gh) * p->gw + grid_at(p->m[j].x, p->gw)]++;
    for (int c = 1; c <= cells; c++)
        p->gstart[c] += p->gstart[c - 1];
    for (int j = p->n - 1; j >= 0; j--)
        p->gmin[--p->gstart[grid_at(p->m[j].y, p->gh) * p->gw + grid_at(p->m[j].x, p->gw)]] = j;
}

/* Whether every descriptor of a print is finite, with angles within MAX_TURN of 0, and so are
 * the directions of its minutiae (the index's cells and angle_diff_indexed() are only proven for
 * those; others are compared neighbourhood by neighbourhood). */
static int indexable(const local *l, const fingerfeat_minutia *m, int n)
{
    for (int i = 0; i < n; i++)
        if (!(fabsf(m[i].angle) < MAX_TURN))
            return 0; /* the minutiae's own directions too (compare_neighbourhoods()) */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < l[i].n; k++)
            if (!(fabsf(l[i].bearing[k]) < MAX_TURN && fabsf(l[i].turn[k]) < MAX_TURN &&
                  l[i].d[k] < 1e6f))
                return 0;
    return 1;
}

/* The cells of a neighbour into key[]: its own and, in the first or last turn cell, the copy
 * at the other end of the row; returns how many (1 or 2). */
static int keys_of(float d, float bearing, float turn, int key[2])
{
    int row = (distance_cell(d) * B_CELLS + angle_cell(bearing, B_CELLS)) * T_ROW;
    int t = angle_cell(turn, T_CELLS);
    key[0] = row + t + 1;
    key[1] = t == 0 ? row + T_CELLS + 1 : row;
    return t == 0 || t == T_CELLS - 1 ? 2 : 1;
}

/* Builds the index of p's neighbours: the entries of cell key are p->entry[p->start[key]] up to
 * p->entry[p->start[key + 1]] (counted, summed to each cell's end, then filled from the end;
 * p->start starts zeroed). */
static void index_print(fingermatch_print *p)
{
    int key[2];
    for (int B = 0; B < p->n; B++)
        for (int j = 0; j < p->l[B].n; j++)
            for (int k = keys_of(p->l[B].d[j], p->l[B].bearing[j], p->l[B].turn[j], key); k > 0;)
                p->start[key[--k]]++;
    for (int k = 1; k <= KEYS; k++)
        p->start[k] += p->start[k - 1];
    for (int B = 0; B < p->n; B++) {
        const local *l = &p->l[B];
        for (int j = 0; j < l->n; j++)
            for (int k = keys_of(l->d[j], l->bearing[j], l->turn[j], key); k > 0;)
                p->entry[--p->start[key[--k]]] =
                    (entry){l->d[j], l->bearing[j], l->turn[j], B * 8 + j};
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

/* Lays a prepared print out in base (NULL: only measures it); returns its size. */
static size_t print_layout(fingermatch_print *p, int n, int cells, char *base, along **by_x)
{
    size_t at = 0, nn = (size_t)n;
    carve(base, &at, sizeof *p); /* the struct itself, at the start of the block */
    /* the index's counts start zeroed, as the whole block does */
    p->start = carve(base, &at, sizeof(int) * (KEYS + 1));
    p->m = carve(base, &at, sizeof(fingerfeat_minutia) * nn);
    p->l = carve(base, &at, sizeof(local) * nn);
    p->entry = carve(base, &at, sizeof(entry) * nn * NEIGHBOURS * 2); /* copies: index_print() */
    p->by_y = carve(base, &at, sizeof(int) * nn);
    p->y = carve(base, &at, sizeof(float) * nn);
    *by_x = carve(base, &at, sizeof(along) * nn);
    p->gstart = carve(base, &at, sizeof(int) * (size_t)(cells + 1));
    p->gmin = carve(base, &at, sizeof(int) * nn);
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
    for (int i = 0; i < n && kept < MAX_COMPARED; i++)
        if (central(n, i, d2))
            m[kept++] = f->minutiae[i];
    return kept;
}

bk_err fingermatch_prepare(const fingerfeat *f, fingermatch_print **out)
{
    if (f == NULL || out == NULL || f->n_minutiae < 0 || (f->n_minutiae > 0 && !f->minutiae))
        return BK_ERR_INVALID;
    /* a position or direction that is not a number would make the centre, the order by y and
     * the grid meaningless (and the selection of the central minutiae overrun its room) */
    for (int i = 0; i < f->n_minutiae; i++)
        if (!isfinite(f->minutiae[i].x) || !isfinite(f->minutiae[i].y) ||
            !isfinite(f->minutiae[i].angle))
            return BK_ERR_INVALID;
    int n = f->n_minutiae < MAX_COMPARED ? f->n_minutiae : MAX_COMPARED;
    fingermatch_print measure;
    along *by_x;
    int gw, gh;
    grid_cells(f, &gw, &gh);
    size_t size = print_layout(&measure, n, gw * gh, NULL, &by_x);
    char *block = biomem_alloc(size);
    if (block == NULL)
        return BK_ERR_NOMEM;
    fingermatch_print *p = (fingermatch_print *)(void *)block;
    print_layout(p, n, gw * gh, block, &by_x);
    p->f = f;
    p->gw = gw;
    p->gh = gh;
    p->n = n;
    p->size = size;
    float *d2 = NULL;
    if (f->n_minutiae > MAX_COMPARED &&
        (d2 = biomem_calloc((size_t)f->n_minutiae, sizeof *d2)) == NULL) {
        biomem_free(block);
        return BK_ERR_NOMEM;
    }
    n = p->n = select_minutiae(f, p->m, d2);
    biomem_free(d2); /* the minutiae's distances from the print's centre */
    describe(p->m, n, p->l, by_x);
    p->indexed = indexable(p->l, p->m, n);
    if (p->indexed)
        index_print(p);
    sort_by_y(p);
    grid_print(p);
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

const fingerfeat *fingermatch_print_features(const fingermatch_print *p)
{
    return p != NULL ? p->f : NULL;
}
