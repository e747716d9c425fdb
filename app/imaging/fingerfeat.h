/* Fingerprint features: foreground, ridge orientation, minutiae and a quality score 0-100.
 *
 * Pure computation over an 8-bit grey buffer (ridges dark), no GLib, no I/O. The quality score
 * is the kiosk's own (imaging/fingerqual.h: NFIQ 2's published features measured our way, no
 * trained model), ranked against NIST's NFIQ 2 and NFIQ 1 in docs/fingerprints.md; anything that
 * is not a print scores below 10.
 */
#ifndef BIOKIOSK_FINGERFEAT_H
#define BIOKIOSK_FINGERFEAT_H

#include <stdint.h>

#include "core/bk_err.h"
#include "imaging/fingerqual.h"

/* Fewer minutiae than this and a print cannot be compared reliably: even turned or moved a
 * little against itself it keeps too few pairs to reach fingermatch's threshold (see
 * fingermatch.h). Its quality is capped at FINGERFEAT_FEW_MINUTIAE_QUALITY, below every
 * default threshold (the lowest is 25), so it is never kept as passing, and the uniqueness check
 * says "could not be verified" for it instead of "unique". */
#define FINGERFEAT_MIN_MINUTIAE         15
#define FINGERFEAT_FEW_MINUTIAE_QUALITY 9

typedef enum fingerfeat_kind {
    FINGERFEAT_ENDING = 1,
    FINGERFEAT_BIFURCATION = 3,
} fingerfeat_kind;

typedef struct fingerfeat_minutia {
    float x, y;  /* pixel position */
    float angle; /* direction in radians, 0..2pi: an ending points away from its ridge, a fork
                  * along its stem */
    fingerfeat_kind kind;
} fingerfeat_minutia;

typedef struct fingerfeat {
    int width, height;            /* of the analysed image */
    int block;                    /* side of the analysis blocks in pixels */
    int bw, bh;                   /* blocks across and down */
    uint8_t *mask;                /* bw * bh, 1 = the block holds print (foreground) */
    float foreground;             /* share of the image that holds print, 0..1 */
    float coherence;              /* mean coherence over the foreground, noise discounted */
    float contrast;               /* mean grey standard deviation over the foreground, 0..128 */
    int quality;                  /* 0..100, higher is better */
    int n_minutiae;               /* entries in minutiae */
    fingerfeat_minutia *minutiae; /* biomem buffer owned by the struct (may be NULL when none) */
    int good_minutiae;            /* minutiae in blocks of quality 0.5 or more */
    fingerqual measures;          /* what the quality score was made of */
} fingerfeat;

/* Analyses width x height grey pixels (row by row, 1..5000 a side) into *out (transfer full:
 * fingerfeat_free). BK_ERR_INVALID for a bad size or NULL pixels, BK_ERR_NOMEM. */
bk_err fingerfeat_analyse(const uint8_t *pix, int width, int height, fingerfeat **out);

/* Wipes and frees. NULL does nothing. */
void fingerfeat_free(fingerfeat *feat);

/* 1 when pixel (x, y) lies in a foreground block, 0 otherwise (also outside the image). */
int fingerfeat_in_foreground(const fingerfeat *feat, float x, float y);

#endif
