/* Pixel checks of the scripted kiosk's screenshots (the pictograms of the capture steps, the
 * photo's head guide): the pixels of one exact colour in a part of the picture, and where they
 * are. */
#ifndef BIOKIOSK_TESTS_UIPIXELS_H
#define BIOKIOSK_TESTS_UIPIXELS_H

#include <glib.h>

#include "imaging/pic.h"
#include "imaging/picio.h"

typedef struct uipixels {
    long n;                  /* pixels of the colour */
    double cx, cy;           /* their centroid, as fractions of the width and height */
    double top;              /* the highest of them, as a fraction of the height */
    int width, height;       /* the screenshot's size */
    int min_x, max_x, max_y; /* the leftmost, rightmost and lowest of them, pixels */
    int min_y;               /* the highest, pixels */
} uipixels;

/* The pixels of colour r,g,b in the screenshot `png` between x0 and x1 (fractions of the width). */
static inline uipixels uipixels_find(const char *png, int r, int g, int b, double x0, double x1)
{
    uipixels out = {0, 0, 0, 1, 0, 0, -1, -1, -1, -1};
    g_autofree char *data = NULL;
    gsize size = 0;
    g_assert_true(g_file_get_contents(png, &data, &size, NULL));
    pic *p = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data, size, 1, &p), ==, BK_OK);
    g_assert_cmpint(p->channels, ==, 3);
    out.width = p->width;
    out.height = p->height;
    double sx = 0, sy = 0;
    for (int y = 0; y < p->height; y++)
        for (int x = (int)(x0 * p->width); x < (int)(x1 * p->width); x++) {
            const uint8_t *px = p->px + ((size_t)y * (size_t)p->width + (size_t)x) * 3;
            if (px[0] == r && px[1] == g && px[2] == b) {
                out.n++;
                sx += x;
                sy += y;
                if ((double)y / p->height < out.top)
                    out.top = (double)y / p->height;
                if (out.min_y < 0)
                    out.min_y = y;
                out.max_y = y;
                if (out.min_x < 0 || x < out.min_x)
                    out.min_x = x;
                if (x > out.max_x)
                    out.max_x = x;
            }
        }
    if (out.n > 0) {
        out.cx = sx / out.n / p->width;
        out.cy = sy / out.n / p->height;
    }
    pic_free(p);
    return out;
}

#endif
