/* Pixel buffers for the photo: 8-bit grey or RGB, rows packed without padding.
 *
 * The pixels are allocated through biomem (wiped on free) because a portrait is biometric data.
 * Pure functions, no I/O, no GLib.
 */
#ifndef BIOKIOSK_PIC_H
#define BIOKIOSK_PIC_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

typedef struct pic {
    int width;
    int height;
    int channels; /* 1 = grey, 3 = RGB */
    uint8_t *px;  /* width * height * channels bytes, row after row */
} pic;

/* A new zero-filled picture (transfer full: pic_free). BK_ERR_INVALID for a size that is not
 * positive or over PIC_MAX_PIXELS, BK_ERR_NOMEM when out of memory. */
#define PIC_MAX_PIXELS (100 * 1000 * 1000)
bk_err pic_new(int width, int height, int channels, pic **out);

/* Wipes and frees. NULL does nothing. */
void pic_free(pic *p);

/* A grey copy (ITU-R BT.601 luma) of an RGB or grey picture (transfer full). */
bk_err pic_to_grey(const pic *src, pic **out);

/* A resampled copy of `src` of the given size (box filter when shrinking, bilinear when growing),
 * same channel count (transfer full). */
bk_err pic_resize(const pic *src, int width, int height, pic **out);

/* The output picture of `width` x `height` whose pixel (x, y) is sampled bilinearly from `src` at
 * (ox + (x * cos(a) - y * sin(a)) * step, oy + (x * sin(a) + y * cos(a)) * step): a rotated,
 * scaled window of the source. When step > 1 the source is first averaged over step x step
 * pixels so that shrinking does not alias. Outside the source the edge pixel is repeated.
 * (transfer full) */
bk_err pic_warp(const pic *src, double ox, double oy, double angle_rad, double step, int width,
                int height, pic **out);

/* Luma of pixel (x, y), 0..255; x and y must lie inside. */
static inline int pic_luma(const pic *p, int x, int y)
{
    const uint8_t *q = p->px + ((size_t)y * (size_t)p->width + (size_t)x) * (size_t)p->channels;
    if (p->channels == 1)
        return q[0];
    return (77 * q[0] + 150 * q[1] + 29 * q[2] + 128) >> 8;
}

#endif
