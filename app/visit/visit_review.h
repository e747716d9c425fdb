/* What the review screen shows of one person: the pictures the capture steps put into the
 * visit's takes (core/takes.h), decoded for drawing.
 *
 * The takes hold the photo as JPEG, the prints as PNG and the signature as pen points; the ui
 * decodes nothing itself, so the controller's floor does it here, on the caller's (main)
 * thread: the cropped face is small, the prints are a few hundred pixels a side and the
 * signature is rendered into a box of max_side pixels, a few milliseconds in all. Every pixel
 * buffer is biometric data (pic, biomem): visit_review_clear wipes it.
 */
#ifndef BIOKIOSK_VISIT_REVIEW_H
#define BIOKIOSK_VISIT_REVIEW_H

#include <stddef.h>

#include "core/bk_err.h"
#include "core/takes.h"
#include "imaging/pic.h"
#include "visit/visit.h"

typedef struct visit_review_print {
    unsigned position; /* 1..10, ISO/IEC 19794-4 */
    int quality;       /* 0..100 */
    pic *image;        /* grey, NULL when it could not be decoded */
} visit_review_print;

typedef struct visit_review_pictures {
    pic *face; /* RGB or grey, NULL when none was taken */
    visit_review_print prints[TAKES_MAX_FINGERS];
    size_t n_prints;
    pic *signature; /* grey, ink black on white; NULL when none */
} visit_review_pictures;

/* Decodes what was taken of `person` into *out (zeroed first; transfer full:
 * visit_review_clear). Pictures longer than max_side on a side are shrunk. A picture that
 * cannot be decoded stays NULL and the first such error is returned (the others are still
 * filled); BK_ERR_INVALID outside a visit or past the last person. */
bk_err visit_review_pictures_get(const visit *v, size_t person, int max_side,
                                 visit_review_pictures *out);

/* Wipes and frees the pictures and zeroes *p. NULL does nothing. */
void visit_review_clear(visit_review_pictures *p);

#endif
