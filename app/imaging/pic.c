#include "imaging/pic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

bk_err pic_new(int width, int height, int channels, pic **out)
{
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3) ||
        (int64_t)width * height > PIC_MAX_PIXELS)
        return BK_ERR_INVALID;
    pic *p = biomem_alloc(sizeof(*p));
    if (p == NULL)
        return BK_ERR_NOMEM;
    p->px = biomem_alloc((size_t)width * (size_t)height * (size_t)channels);
    if (p->px == NULL) {
        biomem_free(p);
        return BK_ERR_NOMEM;
    }
    p->width = width;
    p->height = height;
    p->channels = channels;
    *out = p;
    return BK_OK;
}

void pic_free(pic *p)
{
    if (p == NULL)
        return;
    biomem_free(p->px);
    biomem_free(p);
}

bk_err pic_to_grey(const pic *src, pic **out)
{
    pic *g = NULL;
    bk_err err = pic_new(src->width, src->height, 1, &g);
    if (err != BK_OK)
        return err;
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++)
            g->px[(size_t)y * (size_t)src->width + (size_t)x] = (uint8_t)pic_luma(src, x, y);
    *out = g;
    return BK_OK;
}

/* Exactly half the size (the sharpness check's copy of the crop): each output pixel the rounded
 * mean of its 2x2 block, as shrink_area gives it, through row pointers. */
static void shrink_half(const pic *src, pic *dst)
{
    const size_t ch = (size_t)src->channels, stride = (size_t)src->width * ch;
    for (int y = 0; y < dst->height; y++) {
        const uint8_t *r0 = src->px + (size_t)(2 * y) * stride, *r1 = r0 + stride;
        uint8_t *d = dst->px + (size_t)y * (size_t)dst->width * ch;
        for (int x = 0; x < dst->width; x++, r0 += 2 * ch, r1 += 2 * ch, d += ch)
            for (size_t c = 0; c < ch; c++)
                d[c] = (uint8_t)((r0[c] + r0[c + ch] + r1[c] + r1[c + ch] + 2u) / 4u);
    }
}

/* One output column's or row's footprint in the source: [i0, i1). */
typedef struct span {
    int i0, i1;
} span;

static void spans_fill(int src_size, int dst_size, span *sp)
{
    const double s = (double)src_size / dst_size;
    for (int i = 0; i < dst_size; i++) {
        int i0 = (int)(i * s), i1 = (int)((i + 1) * s);
        if (i1 <= i0)
            i1 = i0 + 1;
        if (i1 > src_size)
            i1 = src_size;
        sp[i] = (span){i0, i1};
    }
}

/* Each output pixel the rounded mean of its footprint, the footprints computed once per column
 * and per row (a detector's pyramid shrinks the same picture a dozen times). */
static bk_err shrink_area(const pic *src, pic *dst)
{
    const size_t ch = (size_t)src->channels, stride = (size_t)src->width * ch;
    if (src->width == 2 * dst->width && src->height == 2 * dst->height) {
        shrink_half(src, dst);
        return BK_OK;
    }
    span *cols = malloc((size_t)(dst->width + dst->height) * sizeof *cols);
    if (cols == NULL)
        return BK_ERR_NOMEM;
    span *rows = cols + dst->width;
    spans_fill(src->width, dst->width, cols);
    spans_fill(src->height, dst->height, rows);
    uint8_t *d = dst->px;
    for (int y = 0; y < dst->height; y++) {
        const uint8_t *top = src->px + (size_t)rows[y].i0 * stride;
        const int nrows = rows[y].i1 - rows[y].i0;
        for (int x = 0; x < dst->width; x++, d += ch) {
            const size_t c0 = (size_t)cols[x].i0 * ch, c1 = (size_t)cols[x].i1 * ch;
            uint32_t acc[3] = {0, 0, 0};
            const uint8_t *row = top;
            for (int yy = 0; yy < nrows; yy++, row += stride)
                for (size_t i = c0; i < c1; i += ch)
                    for (size_t c = 0; c < ch; c++)
                        acc[c] += row[i + c];
            uint32_t n = (uint32_t)((cols[x].i1 - cols[x].i0) * nrows);
            for (size_t c = 0; c < ch; c++)
                d[c] = (uint8_t)((acc[c] + n / 2) / n);
        }
    }
    free(cols);
    return BK_OK;
}

static void sample_bilinear(const pic *src, double fx, double fy, uint8_t *d)
{
    const int ch = src->channels;
    if (fx < 0)
        fx = 0;
    if (fy < 0)
        fy = 0;
    if (fx > src->width - 1)
        fx = src->width - 1;
    if (fy > src->height - 1)
        fy = src->height - 1;
    int x0 = (int)fx, y0 = (int)fy;
    int x1 = x0 + 1 < src->width ? x0 + 1 : x0;
    int y1 = y0 + 1 < src->height ? y0 + 1 : y0;
    double ax = fx - x0, ay = fy - y0;
    const uint8_t *p00 = src->px + ((size_t)y0 * (size_t)src->width + (size_t)x0) * (size_t)ch;
    const uint8_t *p01 = src->px + ((size_t)y0 * (size_t)src->width + (size_t)x1) * (size_t)ch;
    const uint8_t *p10 = src->px + ((size_t)y1 * (size_t)src->width + (size_t)x0) * (size_t)ch;
    const uint8_t *p11 = src->px + ((size_t)y1 * (size_t)src->width + (size_t)x1) * (size_t)ch;
    for (int c = 0; c < ch; c++) {
        double v =
            (p00[c] * (1 - ax) + p01[c] * ax) * (1 - ay) + (p10[c] * (1 - ax) + p11[c] * ax) * ay;
        d[c] = (uint8_t)(v + 0.5);
    }
}

bk_err pic_resize(const pic *src, int width, int height, pic **out)
{
    pic *d = NULL;
    bk_err err = pic_new(width, height, src->channels, &d);
    if (err != BK_OK)
        return err;
    if (width <= src->width && height <= src->height) {
        err = shrink_area(src, d);
        if (err != BK_OK) {
            pic_free(d);
            return err;
        }
    } else {
        double sx = (double)src->width / width, sy = (double)src->height / height;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                sample_bilinear(src, (x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5,
                                d->px + ((size_t)y * (size_t)width + (size_t)x) *
                                            (size_t)src->channels);
    }
    *out = d;
    return BK_OK;
}

/* One axis of sample_bilinear's position: the clamped source index pair and the weight. */
typedef struct warp_tap {
    int i0, i1;
    double a;
} warp_tap;

static void warp_taps(double f, int size, warp_tap *t)
{
    if (f < 0)
        f = 0;
    if (f > size - 1)
        f = size - 1;
    t->i0 = (int)f;
    t->i1 = t->i0 + 1 < size ? t->i0 + 1 : t->i0;
    t->a = f - t->i0;
}

/* A column's taps as warp_row uses them: byte offsets and both weights. */
typedef struct warp_col {
    size_t o0, o1;
    double w0, w1; /* 1 - a and a */
} warp_col;

/* One source row sampled at every column's taps, as sample_bilinear's inner sums. The bytes
 * go through a table to double (the same values, without a conversion per sample). */
static void warp_row(const uint8_t *row, const warp_col *cols, int width, size_t ch,
                     const double *as_double, double *restrict h)
{
    for (int x = 0; x < width; x++, h += ch) {
        const warp_col *t = &cols[x];
        const uint8_t *p0 = row + t->o0, *p1 = row + t->o1;
        for (size_t c = 0; c < ch; c++)
            h[c] = as_double[p0[c]] * t->w0 + as_double[p1[c]] * t->w1;
    }
}

/* An output row from its two source rows sampled across: the vertical step of
 * sample_bilinear. */
static void warp_mix(const double *restrict h0, const double *restrict h1, double a,
                     uint8_t *restrict o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (uint8_t)(h0[i] * (1 - a) + h1[i] * a + 0.5);
}

/* pic_warp without a turn: the same samples as sample_bilinear, positions per column and row
 * computed once, and each source row sampled across once and kept while the next output row
 * still needs it (a crop of 1244x1600 samples 2 million pixels; consecutive output rows share a
 * source row). The arithmetic is sample_bilinear's, so the pixels are the same. */
static bk_err warp_straight(const pic *from, double ox, double oy, double step, double k, pic *d)
{
    const size_t ch = (size_t)from->channels, stride = (size_t)from->width * ch;
    const size_t n = (size_t)d->width * ch;
    warp_col *cols = malloc((size_t)d->width * sizeof *cols);
    /* the two source rows in use, sampled across: biometric, so wiped when freed */
    double *h[2] = {biomem_alloc(n * sizeof(double)), biomem_alloc(n * sizeof(double))};
    int have[2] = {-1, -1};
    double as_double[256];
    for (int i = 0; i < 256; i++)
        as_double[i] = i;
    bk_err err = BK_ERR_NOMEM;
    if (cols == NULL || h[0] == NULL || h[1] == NULL)
        goto out;
    for (int x = 0; x < d->width; x++) {
        warp_tap t;
        warp_taps((ox + x * step) * k + 0.5 * k - 0.5, from->width, &t);
        cols[x] = (warp_col){(size_t)t.i0 * ch, (size_t)t.i1 * ch, 1 - t.a, t.a};
    }
    for (int y = 0; y < d->height; y++) {
        warp_tap r;
        warp_taps((oy + y * step) * k + 0.5 * k - 0.5, from->height, &r);
        if (have[0] != r.i0) {
            if (have[1] == r.i0) {
                double *t = h[0];
                h[0] = h[1];
                h[1] = t;
                have[0] = r.i0;
                have[1] = -1;
            } else {
                warp_row(from->px + (size_t)r.i0 * stride, cols, d->width, ch, as_double, h[0]);
                have[0] = r.i0;
            }
        }
        if (have[1] != r.i1) {
            warp_row(from->px + (size_t)r.i1 * stride, cols, d->width, ch, as_double, h[1]);
            have[1] = r.i1;
        }
        warp_mix(h[0], h[1], r.a, d->px + (size_t)y * n, n);
    }
    err = BK_OK;
out:
    biomem_free(h[0]);
    biomem_free(h[1]);
    free(cols);
    return err;
}

bk_err pic_warp(const pic *src, double ox, double oy, double angle_rad, double step, int width,
                int height, pic **out)
{
    if (!(step > 0) || !isfinite(ox) || !isfinite(oy) || !isfinite(angle_rad))
        return BK_ERR_INVALID;
    const pic *from = src;
    pic *small = NULL;
    double k = 1.0;
    if (step > 1.5) {
        /* Pre-shrink by the whole part of the step so that bilinear sampling sees every pixel. */
        int f = (int)step;
        int sw = src->width / f, sh = src->height / f;
        /* f == 1 would be a copy: the samples are the same without it */
        if (f > 1 && sw >= 2 && sh >= 2) {
            bk_err err = pic_resize(src, sw, sh, &small);
            if (err != BK_OK)
                return err;
            from = small;
            k = (double)sw / src->width;
        }
    }
    pic *d = NULL;
    bk_err err = pic_new(width, height, src->channels, &d);
    if (err != BK_OK) {
        pic_free(small);
        return err;
    }
    if (angle_rad == 0) {
        /* the crop (icao.c): no turn, so each column's and each row's sampling positions are
         * the same all along; computed once, with the very arithmetic of the general case */
        err = warp_straight(from, ox, oy, step, k, d);
        pic_free(small);
        if (err != BK_OK) {
            pic_free(d);
            return err;
        }
        *out = d;
        return BK_OK;
    }
    const double c = cos(angle_rad) * step, s = sin(angle_rad) * step;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            double fx = ox + x * c - y * s, fy = oy + x * s + y * c;
            sample_bilinear(from, fx * k + 0.5 * k - 0.5, fy * k + 0.5 * k - 0.5,
                            d->px +
                                ((size_t)y * (size_t)width + (size_t)x) * (size_t)src->channels);
        }
    pic_free(small);
    *out = d;
    return BK_OK;
}
