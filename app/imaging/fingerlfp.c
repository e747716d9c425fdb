/* Directions and kinds for libfprint's minutiae (fingerlfp.h). */
#include "imaging/fingerlfp.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

/* How far the point's ridge (or valley) is followed to find the side it goes on: about one ridge
 * period at 500 ppi, so the neighbouring ridges are not reached across a valley. */
#define TRACE_RADIUS 9
/* Half the side of the window the ridge flow is measured over (17 x 17 pixels). */
#define FLOW_RADIUS 8
/* Below this coherence the flow's axis is not trusted (the centre of the trace alone decides). */
#define MIN_FLOW_COHERENCE 0.3

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define SIDE (2 * TRACE_RADIUS + 1)

static int is_ridge(const uint8_t *bin, int w, int x, int y)
{
    return bin[(size_t)y * (size_t)w + (size_t)x] == FINGERLFP_RIDGE;
}

/* The pixels of the class `ridge` 8-connected to (x, y) within TRACE_RADIUS: the vector from
 * their centre to (x, y) in *vx, *vy. 0 when none was found. */
static int trace_side(const uint8_t *bin, int w, int h, int x, int y, int ridge, double *vx,
                      double *vy)
{
    uint8_t seen[SIDE * SIDE];
    int queue[SIDE * SIDE];
    memset(seen, 0, sizeof seen);
    int head = 0, tail = 0;
    queue[tail++] = TRACE_RADIUS * SIDE + TRACE_RADIUS;
    seen[TRACE_RADIUS * SIDE + TRACE_RADIUS] = 1;
    double sx = 0, sy = 0;
    int count = 0;
    while (head < tail) {
        int q = queue[head++];
        int qx = q % SIDE - TRACE_RADIUS, qy = q / SIDE - TRACE_RADIUS;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int nx = qx + dx, ny = qy + dy;
                if (nx * nx + ny * ny > TRACE_RADIUS * TRACE_RADIUS)
                    continue;
                int ix = x + nx, iy = y + ny, k = (ny + TRACE_RADIUS) * SIDE + nx + TRACE_RADIUS;
                if (ix < 0 || iy < 0 || ix >= w || iy >= h || seen[k] ||
                    is_ridge(bin, w, ix, iy) != ridge)
                    continue;
                seen[k] = 1;
                queue[tail++] = k;
                sx += nx;
                sy += ny;
                count++;
            }
        }
    }
    if (count == 0)
        return 0;
    *vx = -sx / count;
    *vy = -sy / count;
    return 1;
}

/* The ridge flow's axis around (x, y), 0..pi, and its coherence 0..1 in *coh. */
static double flow_axis(const uint8_t *bin, int w, int h, int x, int y, double *coh)
{
    double gxx = 0, gyy = 0, gxy = 0;
    for (int j = y - FLOW_RADIUS; j <= y + FLOW_RADIUS; j++) {
        for (int i = x - FLOW_RADIUS; i <= x + FLOW_RADIUS; i++) {
            if (i < 1 || j < 1 || i >= w - 1 || j >= h - 1)
                continue;
            double gx = is_ridge(bin, w, i + 1, j) - is_ridge(bin, w, i - 1, j);
            double gy = is_ridge(bin, w, i, j + 1) - is_ridge(bin, w, i, j - 1);
            gxx += gx * gx;
            gyy += gy * gy;
            gxy += gx * gy;
        }
    }
    double trace = gxx + gyy;
    *coh = trace > 0 ? sqrt((gxx - gyy) * (gxx - gyy) + 4 * gxy * gxy) / trace : 0;
    /* the gradients cross the ridges: the ridges run at a right angle to their mean */
    double axis = 0.5 * atan2(2 * gxy, gxx - gyy) + M_PI / 2;
    return axis >= M_PI ? axis - M_PI : axis;
}

static float wrap2pi(double a)
{
    a = fmod(a, 2 * M_PI);
    if (a < 0)
        a += 2 * M_PI;
    return a >= 2 * M_PI ? 0.0f : (float)a;
}

static void one_minutia(const uint8_t *bin, int w, int h, int x, int y, fingerfeat_minutia *m)
{
    m->x = (float)x;
    m->y = (float)y;
    m->angle = 0;
    m->kind = FINGERFEAT_ENDING;
    if (x < 0 || y < 0 || x >= w || y >= h)
        return;
    int ridge = is_ridge(bin, w, x, y);
    m->kind = ridge ? FINGERFEAT_ENDING : FINGERFEAT_BIFURCATION;
    double vx = 0, vy = 0, coh = 0;
    int side = trace_side(bin, w, h, x, y, ridge, &vx, &vy);
    double axis = flow_axis(bin, w, h, x, y, &coh);
    if (!side) {
        m->angle = wrap2pi(axis);
        return;
    }
    if (coh < MIN_FLOW_COHERENCE) {
        m->angle = wrap2pi(atan2(vy, vx));
        return;
    }
    /* the axis, turned to the side the trace says */
    double ax = cos(axis), ay = sin(axis);
    m->angle = wrap2pi(ax * vx + ay * vy >= 0 ? axis : axis + M_PI);
}

bk_err fingerlfp_minutiae(const uint8_t *bin, int width, int height, const int *xy, int n,
                          fingerfeat_minutia **out)
{
    if (bin == NULL || out == NULL || width < 1 || height < 1 || n < 0 || (n > 0 && xy == NULL))
        return BK_ERR_INVALID;
    *out = NULL;
    if (n == 0)
        return BK_OK;
    fingerfeat_minutia *m = biomem_calloc((size_t)n, sizeof *m);
    if (m == NULL)
        return BK_ERR_NOMEM;
    for (int i = 0; i < n; i++)
        one_minutia(bin, width, height, xy[2 * i], xy[2 * i + 1], &m[i]);
    *out = m;
    return BK_OK;
}

bk_err fingerlfp_replace(fingerfeat *feat, const uint8_t *bin, int width, int height, const int *xy,
                         int n)
{
    if (feat == NULL || feat->width != width || feat->height != height)
        return BK_ERR_INVALID;
    fingerfeat_minutia *m = NULL;
    bk_err err = fingerlfp_minutiae(bin, width, height, xy, n, &m);
    if (err != BK_OK)
        return err;
    biomem_free(feat->minutiae);
    feat->minutiae = m;
    feat->n_minutiae = n;
    return BK_OK;
}

bk_err fingerlfp_features(const fingerfeat *ours, const uint8_t *bin, int width, int height,
                          const int *xy, int n, fingerfeat **out)
{
    if (ours == NULL || out == NULL || ours->width != width || ours->height != height)
        return BK_ERR_INVALID;
    fingerfeat *f = calloc(1, sizeof *f);
    size_t nb = (size_t)ours->bw * (size_t)ours->bh;
    if (f == NULL)
        return BK_ERR_NOMEM;
    *f = *ours;
    f->minutiae = NULL;
    f->n_minutiae = 0;
    f->mask = ours->mask ? malloc(nb) : NULL;
    if (ours->mask && f->mask == NULL) {
        free(f);
        return BK_ERR_NOMEM;
    }
    if (f->mask)
        memcpy(f->mask, ours->mask, nb);
    bk_err err = fingerlfp_replace(f, bin, width, height, xy, n);
    if (err != BK_OK) {
        fingerfeat_free(f);
        return err;
    }
    *out = f;
    return BK_OK;
}
