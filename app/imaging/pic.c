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

/* Box-filter shrink along one axis at a time would be faster; a direct area average over the
 * source footprint is simpler and exact enough for photographs. */
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

static void shrink_area(const pic *src, pic *dst)
{
    const int ch = src->channels;
    if (src->width == 2 * dst->width && src->height == 2 * dst->height) {
        shrink_half(src, dst);
        return;
    }
    const double sx = (double)src->width / dst->width;
    const double sy = (double)src->height / dst->height;
    for (int y = 0; y < dst->height; y++) {
        int y0 = (int)(y * sy), y1 = (int)((y + 1) * sy);
        if (y1 <= y0)
            y1 = y0 + 1;
        if (y1 > src->height)
            y1 = src->height;
        for (int x = 0; x < dst->width; x++) {
            int x0 = (int)(x * sx), x1 = (int)((x + 1) * sx);
            if (x1 <= x0)
                x1 = x0 + 1;
            if (x1 > src->width)
                x1 = src->width;
            uint32_t acc[3] = {0, 0, 0};
            for (int yy = y0; yy < y1; yy++) {
                const uint8_t *row = src->px + ((size_t)yy * (size_t)src->width) * (size_t)ch;
                for (int xx = x0; xx < x1; xx++)
                    for (int c = 0; c < ch; c++)
                        acc[c] += row[(size_t)xx * (size_t)ch + (size_t)c];
            }
            uint32_t n = (uint32_t)((x1 - x0) * (y1 - y0));
            uint8_t *d = dst->px + ((size_t)y * (size_t)dst->width + (size_t)x) * (size_t)ch;
            for (int c = 0; c < ch; c++)
                d[c] = (uint8_t)((acc[c] + n / 2) / n);
        }
    }
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
        shrink_area(src, d);
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

/* pic_warp without a turn: the same samples as sample_bilinear, positions per column and row
 * computed once (a crop of 1244x1600 samples 2 million pixels). */
static bk_err warp_straight(const pic *from, double ox, double oy, double step, double k, pic *d)
{
    const size_t ch = (size_t)from->channels, stride = (size_t)from->width * ch;
    warp_tap *cols = malloc((size_t)d->width * sizeof *cols);
    if (cols == NULL)
        return BK_ERR_NOMEM;
    for (int x = 0; x < d->width; x++)
        warp_taps((ox + x * step) * k + 0.5 * k - 0.5, from->width, &cols[x]);
    for (int y = 0; y < d->height; y++) {
        warp_tap r;
        warp_taps((oy + y * step) * k + 0.5 * k - 0.5, from->height, &r);
        const uint8_t *row0 = from->px + (size_t)r.i0 * stride,
                      *row1 = from->px + (size_t)r.i1 * stride;
        uint8_t *o = d->px + (size_t)y * (size_t)d->width * ch;
        for (int x = 0; x < d->width; x++, o += ch) {
            const warp_tap *t = &cols[x];
            const uint8_t *p00 = row0 + (size_t)t->i0 * ch, *p01 = row0 + (size_t)t->i1 * ch;
            const uint8_t *p10 = row1 + (size_t)t->i0 * ch, *p11 = row1 + (size_t)t->i1 * ch;
            for (size_t c = 0; c < ch; c++) {
                double v = (p00[c] * (1 - t->a) + p01[c] * t->a) * (1 - r.a) +
                           (p10[c] * (1 - t->a) + p11[c] * t->a) * r.a;
                o[c] = (uint8_t)(v + 0.5);
            }
        }
    }
    free(cols);
    return BK_OK;
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
        if (sw >= 2 && sh >= 2) {
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
