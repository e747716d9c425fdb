/* Haar cascade object detection (Viola-Jones), our own loader and evaluator for the cascade files
 * that Debian's opencv-data installs (OpenCV's "opencv-cascade-classifier" XML, BOOST + HAAR,
 * stumps or small trees, upright features only).
 *
 * Detection runs over an image pyramid with variance-normalised features; overlapping windows
 * are merged, and a group counts as a detection only with enough overlapping windows. No GLib.
 */
#ifndef BIOKIOSK_HAAR_H
#define BIOKIOSK_HAAR_H

#include <stddef.h>

#include "core/bk_err.h"
#include "imaging/pic.h"

typedef struct haar haar;

typedef struct haar_hit {
    double x, y, w, h; /* in the pixels of the searched picture */
    int neighbours;    /* windows merged into this hit: a confidence */
} haar_hit;

typedef struct haar_params {
    double scale_step;  /* pyramid factor between scales, e.g. 1.1 */
    int min_size;       /* smallest window width searched, pixels */
    int max_size;       /* largest window width searched, pixels; 0 = no limit */
    int min_neighbours; /* windows needed for a hit (OpenCV's minNeighbors) */
    int step;           /* window step in pixels of each pyramid level; 0 = 2 at the finest
                           scales and 1 beyond twice the window (OpenCV's rule) */
} haar_params;

/* Parses a cascade from XML text (transfer full: haar_free). BK_ERR_UNSUPPORTED for a cascade of
 * another kind (LBP, tilted features, the old pre-2.4 format), BK_ERR_CORRUPT for XML that does
 * not hold a complete cascade. */
bk_err haar_parse(const char *xml, size_t size, haar **out);

/* Reads and parses a cascade file. BK_ERR_NOT_FOUND when the file is absent. */
bk_err haar_load(const char *path, haar **out);

void haar_free(haar *h);

/* Window size the cascade was trained on. */
void haar_window(const haar *h, int *width, int *height);

/* Finds objects in a grey picture. On success *hits (malloc'ed, transfer full: free()) holds *n
 * hits, largest first; *n may be 0 (then *hits is NULL). */
bk_err haar_detect(const haar *h, const pic *grey, const haar_params *params, haar_hit **hits,
                   size_t *n);

#endif
