/* Private to fingermatch.c (the comparison) and fingermatch_print.c (a print prepared for it):
 * the prepared print's layout and what both sides compute alike. Not for other callers. */
#ifndef BIOKIOSK_FINGERMATCH_PRIV_H
#define BIOKIOSK_FINGERMATCH_PRIV_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "imaging/fingermatch.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A print with more minutiae is compared on this many, those nearest the centre of its minutiae:
 * a comparison's cost grows with the product of the two counts (two rolled card prints of 400
 * each took 4 ms), and NIST's bozorth3 also keeps 150 (by quality; fingerfeat gives none per
 * minutia). On bench-finger's pairs only the card's prints (222-409) have more; their plain
 * against rolled pairs match more often on the central ones (docs/fingerprints.md, session 9;
 * at 100 every card pair took under 1 ms, but fgp07's plain print no longer matched its rolled
 * one on either source). */
#define MAX_COMPARED 150

/* Difference of two directions, 0..pi. */
static inline float angle_diff(float a, float b)
{
    /* directions stay within a few turns of 0: subtracting turns is cheaper than fmodf, which
     * took a third of a comparison */
    float d = fabsf(a - b);
    while (d >= 2 * (float)M_PI)
        d -= 2 * (float)M_PI;
    return d > (float)M_PI ? 2 * (float)M_PI - d : d;
}

/* angle_diff() without branches, for two angles less than 4 turns apart (those within MAX_TURN
 * of 0 of indexable prints, also turned by up to half a turn): at most three turns come off, as
 * angle_diff() takes them. */
static inline float angle_diff_indexed(float a, float b)
{
    const float turn = 2 * (float)M_PI;
    float d = fabsf(a - b);
    /* d - turn * 1 is d - turn, d - turn * 0 is d: the same values, selected by arithmetic */
    d -= turn * (float)(d >= turn);
    d -= turn * (float)(d >= turn);
    d -= turn * (float)(d >= turn);
    /* past half a turn, turn - d is below d, before it not: the lesser is angle_diff()'s */
    float other = turn - d;
    return other < d ? other : d;
}

/* Each minutia's nearest neighbours, seen from the minutia: distance, bearing relative to the
 * minutia's direction, and the neighbour's direction relative to it. Rotation and translation do
 * not change these, so they say which pairs of minutiae may correspond before any alignment. */
#define NEIGHBOURS 5
typedef struct local {
    int n;
    float d[NEIGHBOURS], bearing[NEIGHBOURS], turn[NEIGHBOURS];
} local;

/* An index of all of b's neighbours (minutia B, neighbour j) by distance, bearing and turn, in
 * cells wider than similar()'s tolerances: every neighbour of b that can match one of a lies in
 * the cell of that neighbour or next to it, so one lookup of 27 cells replaces comparing a
 * minutia's neighbourhood with each of b's. The angles are taken within [0, 2pi) for the cells;
 * the tests themselves are similar()'s. Each row of turn cells (one distance, one bearing) has a
 * copy of its last cell before its first and of its first after its last, so that the three turn
 * cells around any turn are one run of entries, also where they wrap round. */
#define D_CELLS  16            /* of 6.5 pixels (similar(): 6), the last open-ended */
#define B_CELLS  20            /* bearings: 2pi / 20 = 0.314 (similar(): 0.3) */
#define T_CELLS  15            /* turns: 2pi / 15 = 0.419 (similar(): 0.4) */
#define T_ROW    (T_CELLS + 2) /* a row of turn cells with the two copies */
#define KEYS     (D_CELLS * B_CELLS * T_ROW)
#define D_WIDTH  6.5f
#define MAX_TURN (3.5f * (float)M_PI) /* angles within this of 0: all that fingerfeat gives */

/* The cell of an angle within MAX_TURN of 0 among `cells` around the circle. */
static inline int angle_cell(float v, int cells)
{
    const float turn = 2 * (float)M_PI;
    v = v < 0 ? v + turn : v;
    v = v < 0 ? v + turn : v;
    v = v >= turn ? v - turn : v;
    v = v >= turn ? v - turn : v;
    int c = (int)(v / (turn / (float)cells));
    return c < 0 ? 0 : c >= cells ? cells - 1 : c;
}

static inline int distance_cell(float d)
{
    int c = (int)(d / D_WIDTH);
    return c < 0 ? 0 : c >= D_CELLS ? D_CELLS - 1 : c;
}

/* One neighbour of b in the index: its descriptor and whose it is (B * 8 + j: neighbour j of B). */
typedef struct entry {
    float d, bearing, turn;
    int who;
} entry;

/* A prepared print's minutiae are also put in a grid of square cells of GRID pixels over its
 * image (those outside it in the cells at its border), so that pairing looks at the few minutiae
 * around a point rather than at a band across the print. */
#define GRID      16
#define GRID_MAXC (1 << 20) /* cells at most; a larger image is not gridded */

/* The grid cell of coordinate v along an axis of `cells` (clamped to the border cells). */
static inline int grid_at(float v, int cells)
{
    float c = v / GRID; /* below 1 (or negative) cell 0: truncation is floor from there */
    return c < 1 ? 0 : c >= (float)(cells - 1) ? cells - 1 : (int)c;
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
    int gw, gh;           /* the grid of the minutiae: gw x gh cells of GRID pixels, 0 x 0 when
                           * not made (grid_cells()) */
    int *gstart, *gmin;   /* cell c's minutiae: gmin[gstart[c]] up to gmin[gstart[c + 1]] */
    float reach;          /* largest distance of a minutia from the origin, plus a pixel */
    float x0, x1, y0, y1; /* the minutiae's bounding box */
    size_t size;          /* of the block */
};

/* The next part of a block, size bytes at *at (kept 16-byte aligned); only counted when base is
 * NULL. */
static inline void *carve(char *base, size_t *at, size_t size)
{
    void *part = base != NULL ? base + *at : NULL;
    *at += (size + 15) / 16 * 16;
    return part;
}

#endif
