#include "imaging/fingerscale.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

bool fingerscale_plausible(double ppmm)
{
    return isfinite(ppmm) && ppmm >= FINGERSCALE_PPMM_MIN && ppmm <= FINGERSCALE_PPMM_MAX;
}

bool fingerscale_below_500(double ppmm)
{
    return ppmm < FINGERSCALE_PPMM_500 * (1.0 - 1e-3);
}

static int scaled(int n, double s)
{
    double v = floor((double)n * s + 0.5);
    return v < 1.0 ? 1 : v > (double)FINGERIMG_MAX_SIDE + 1.0 ? FINGERIMG_MAX_SIDE + 1 : (int)v;
}

bk_err fingerscale_size(int width, int height, double from_ppmm, double to_ppmm, int *out_width,
                        int *out_height)
{
    if (!fingerscale_plausible(from_ppmm) || !fingerscale_plausible(to_ppmm) || width < 1 ||
        height < 1)
        return BK_ERR_INVALID;
    double s = to_ppmm / from_ppmm;
    int w = scaled(width, s), h = scaled(height, s);
    if (w > FINGERIMG_MAX_SIDE || h > FINGERIMG_MAX_SIDE)
        return BK_ERR_INVALID;
    *out_width = w;
    *out_height = h;
    return BK_OK;
}

/* The old pixels that make one new pixel along one axis: `count` taps from `first`, weights
 * summing to 1. */
typedef struct taps {
    int first, count;
    float *w; /* count weights */
} taps;

typedef struct axis {
    taps *t; /* one per new pixel */
    float *weights;
} axis;

static void axis_free(axis *a)
{
    free(a->t);
    free(a->weights);
}

/* n old pixels to m new ones at scale s (new per old, below 1: only shrinking). */
static bk_err axis_make(int n, int m, double s, axis *a)
{
    int most = (int)ceil(1.0 / s) + 2;
    a->t = calloc((size_t)m, sizeof *a->t);
    a->weights = calloc((size_t)m * (size_t)most, sizeof *a->weights);
    if (a->t == NULL || a->weights == NULL) {
        axis_free(a);
        return BK_ERR_NOMEM;
    }
    for (int o = 0; o < m; o++) {
        taps *t = &a->t[o];
        t->w = a->weights + (size_t)o * (size_t)most;
        /* the new pixel covers [lo, hi) of the old axis */
        double lo = (double)o / s, hi = (double)(o + 1) / s;
        if (hi > n)
            hi = n;
        int i0 = (int)floor(lo), i1 = (int)ceil(hi);
        if (i1 > n)
            i1 = n;
        if (i1 - i0 > most)
            i1 = i0 + most;
        double sum = 0;
        t->first = i0;
        for (int i = i0; i < i1; i++) {
            double a0 = i > lo ? i : lo, a1 = i + 1 < hi ? i + 1 : hi;
            double cover = a1 > a0 ? a1 - a0 : 0;
            t->w[t->count++] = (float)cover;
            sum += cover;
        }
        for (int k = 0; k < t->count && sum > 0; k++)
            t->w[k] = (float)(t->w[k] / sum);
    }
    return BK_OK;
}

bk_err fingerscale_resample(const fingerimg *in, double from_ppmm, double to_ppmm, fingerimg **out)
{
    int w = 0, h = 0;
    bk_err err = fingerscale_size(in->width, in->height, from_ppmm, to_ppmm, &w, &h);
    if (err != BK_OK)
        return err;
    double s = to_ppmm / from_ppmm;
    if (fabs(s - 1.0) < 1e-3)
        return fingerimg_new_from(in->width, in->height, in->pix, out);
    if (s > 1.0)
        return BK_ERR_UNSUPPORTED; /* never upscale (TR-03121): no detail would be gained */
    axis ax = {0}, ay = {0};
    fingerimg *img = NULL;
    float *mid = NULL; /* rows of the old image, already resampled across: in->height x w */
    err = axis_make(in->width, w, s, &ax);
    if (err == BK_OK)
        err = axis_make(in->height, h, s, &ay);
    if (err == BK_OK) {
        mid = biomem_alloc((size_t)in->height * (size_t)w * sizeof *mid);
        err = mid ? fingerimg_new(w, h, &img) : BK_ERR_NOMEM;
    }
    if (err != BK_OK) {
        axis_free(&ax);
        axis_free(&ay);
        biomem_free(mid);
        return err;
    }
    for (int y = 0; y < in->height; y++) {
        const uint8_t *row = in->pix + (size_t)y * (size_t)in->width;
        float *dst = mid + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            const taps *t = &ax.t[x];
            float v = 0;
            for (int k = 0; k < t->count; k++)
                v += t->w[k] * (float)row[t->first + k];
            dst[x] = v;
        }
    }
    for (int y = 0; y < h; y++) {
        const taps *t = &ay.t[y];
        uint8_t *dst = img->pix + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            float v = 0;
            for (int k = 0; k < t->count; k++)
                v += t->w[k] * mid[(size_t)(t->first + k) * (size_t)w + (size_t)x];
            long q = lroundf(v);
            dst[x] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
        }
    }
    axis_free(&ax);
    axis_free(&ay);
    biomem_free(mid);
    *out = img;
    return BK_OK;
}
