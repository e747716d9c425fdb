/* The signature image: pen points (sigink.h) drawn black on white in 8-bit grey.
 *
 * sigrender_render() makes the image kept for the record: cropped to the ink with a margin,
 * scaled to fit a box (600 x 200 px by default) but never finer than the pad could resolve,
 * strokes smoothed and their width following the pressure. The drawing pieces it is made of
 * (canvas, smoothing, one segment) are public so that a screen can draw the same ink live.
 *
 * Pure functions over buffers; only sigrender_write_png touches a file. Pixels are biometric
 * data: they live in biomem buffers.
 */
#ifndef BIOKIOSK_SIGRENDER_H
#define BIOKIOSK_SIGRENDER_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "core/sigink.h"

typedef struct sigrender_options {
    int max_width; /* the box to fit, in pixels */
    int max_height;
    int margin;           /* white pixels around the ink on every side */
    double pen_mm;        /* stroke width at pressure 0.5 */
    double max_px_per_mm; /* the pad's resolution; never scale finer. <= 0: 40 px/mm */
    int smoothing;        /* corner-cutting passes, 0..4 */
} sigrender_options;

#define SIGRENDER_OPTIONS_DEFAULT ((sigrender_options){600, 200, 12, 0.6, 0.0, 2})

/* An 8-bit grey image, one byte per pixel, rows without padding; 255 is white. Also used as a
 * canvas: a point (x_mm, y_mm) lands at ((x_mm - origin_x_mm) * px_per_mm, ... ). */
typedef struct sigrender_image {
    int width;
    int height;
    uint8_t *pixels; /* biomem; free with sigrender_image_clear */
    double px_per_mm;
    double origin_x_mm;
    double origin_y_mm;
} sigrender_image;

/* Renders the ink. BK_ERR_NOT_FOUND for ink without points; BK_ERR_INVALID for options out of
 * range (box smaller than the margins, smoothing beyond 4, pen not positive); BK_ERR_NOMEM.
 * *out is written only on success. */
bk_err sigrender_render(const sigink *ink, const sigrender_options *options, sigrender_image *out);

/* A white canvas of width x height (1..8192 each) with the given mapping. */
bk_err sigrender_canvas(int width, int height, double px_per_mm, double origin_x_mm,
                        double origin_y_mm, sigrender_image *out);

/* Frees the pixels (wiping them) and zeroes the struct. NULL does nothing. */
void sigrender_image_clear(sigrender_image *image);

/* Smooths a stroke by `passes` rounds of corner cutting, keeping its two ends: n points give
 * n << passes points (n when n < 3). Writes at most `cap` points to out and returns how many
 * the full result has; call with cap 0 to size the buffer. Pressure and time are smoothed too. */
size_t sigrender_smooth(const sigink_point *in, size_t n, int passes, sigink_point *out,
                        size_t cap);

/* Draws one segment from a to b onto the canvas, anti-aliased, its width going from a's
 * pressure to b's (pen_mm at pressure 0.5, at least one pixel). a == b draws a dot. Darker
 * pixels already there stay. */
void sigrender_segment(sigrender_image *canvas, const sigink_point *a, const sigink_point *b,
                       double pen_mm);

/* The live ink of a signing screen: the canvas made white, then every stroke of `ink` smoothed
 * by `passes` rounds (0..4) and drawn with pen_mm at half pressure. BK_ERR_NOMEM when a
 * stroke's smoothing buffer cannot be had (the canvas then holds the strokes before it). */
bk_err sigrender_live(sigrender_image *canvas, const sigink *ink, int passes, double pen_mm);

/* The canvas as an overlay for a screen, ARGB8888: every pixel black with the ink's coverage
 * as alpha (255 - grey), so that what lies under the box shows through. argb holds width x
 * height pixels (pen data: a biomem buffer). */
void sigrender_overlay_argb(const sigrender_image *canvas, uint32_t *argb);

/* Writes the image as an 8-bit greyscale PNG with its scale (pHYs), mode 0600 (picio). BK_ERR_IO
 * when the file cannot be written. */
bk_err sigrender_write_png(const sigrender_image *image, const char *path);

#endif
