/* Fingerprint quality: does the image hold a usable print, and how good is it (0-100)?
 *
 * Written for the kiosk from the published descriptions of NIST's NFIQ 2 quality features (NIST
 * IR 8382: frequency domain analysis, local clarity, orientation certainty and flow, ridge-valley
 * uniformity, minutiae in the centre, foreground) and of NFIQ 1 (NISTIR 7151: the share of the
 * image in good blocks, minutiae of good quality). It is not NFIQ 2 (no trained model): each
 * block of the print is measured in a window turned to its ridge direction, the measures are
 * mapped to a block quality 0..1 with fixed ramps, and the score combines the area of good print,
 * the block qualities and the minutiae. The ramps and the weights were set on the shared captures
 * against NFIQ 2 and NFIQ 1 (docs/fingerprints.md gives the figures).
 *
 * Anything that is not a print is held below 10 by gates that NFIQ 2 lacks: ridges must repeat at
 * a ridge period along a line across them (noise does not), at the print's own period (a stroke
 * of ink or a letter beside the print does not), keep their shape along the ridge
 * (blurred noise does not), stand out from the valleys (smudges, washed-out and faint images do
 * not), be darker than a washed-out image can be, cover a fifth of the image or more (slivers and
 * tips do not), and be dark on light
 * (a negative is refused at any contrast and grey offset: by a surround darker than the print,
 * by valleys darker and less even than a reader shows where the finger does not touch, or, when
 * the surround does not say the print lies on light, by dark lines both smoother and no wider
 * than the light ones: ridges carry the grain of pores, ink and contact, or are pressed wide).
 *
 * Pure computation, no GLib, no I/O.
 */
#ifndef BIOKIOSK_FINGERQUAL_H
#define BIOKIOSK_FINGERQUAL_H

#include <stdint.h>

/* What fingerfeat has measured per block (transfer none: all arrays stay the caller's). */
typedef struct fingerqual_input {
    const uint8_t *pix;   /* width * height grey pixels, ridges dark */
    int width, height;    /* of the image */
    int block;            /* side of a block in pixels */
    int bw, bh;           /* blocks across and down */
    const float *orient;  /* per block: ridge direction, 0..pi */
    const float *coh;     /* per block: orientation coherence over the block and its neighbours,
                           * the image's pixel noise discounted (fingerfeat.c) */
    const float *mean;    /* per block: mean grey */
    const uint8_t *mask;  /* per block: 1 = foreground (print) */
    float *block_quality; /* out, per block: 0..1, 0 outside the print (may be NULL) */
} fingerqual_input;

/* The measures behind the score, each averaged over the foreground blocks unless said. */
typedef struct fingerqual {
    float coherence;    /* orientation certainty 0..1 */
    float frequency;    /* share of the across-ridge profile's energy at its ridge frequency 0..1 */
    float clarity;      /* ridge-valley separation: grey distance over spread */
    float consistency;  /* correlation of the across-ridge profile between two halves along it */
    float flow;         /* share of blocks whose direction agrees with their neighbours 0..1 */
    float uniformity;   /* 1 - spread of the ridge share of the profile, 0..1 */
    float ridge_share;  /* median share of the profile darker than its mean (ridges) */
    float foreground;   /* share of the blocks that hold print 0..1 */
    float good_area;    /* area of good print (block quality summed) in pixels at 500 ppi */
    float good_share;   /* good area against the image area 0..1 */
    float block_mean;   /* mean block quality over the foreground 0..1 */
    float valley_level; /* mean grey of the light lines (the profile's lightest) */
    float ridge_level;  /* mean grey of the dark lines (the profile's darkest) */
    float ridge_spread; /* spread of the dark lines' grey over the print, against the contrast */
    float valley_spread; /* the same for the light lines */
    float dark_share;    /* share of the profile darker than its mean, over the good blocks */
    float grain;         /* log ratio of the fine grain of the dark lines to that of the light
                          * ones, over the good blocks: > 0 when the dark lines carry it */
    float surround_dark; /* share of the blocks outside the print darker than its mean by a
                          * fifth of its ridge-valley span (-1: no surround) */
    float surround_rise; /* the mean grey outside the print above the mean inside, against the
                          * print's ridge-valley span (0 without surround) */
    int inverted;        /* 1 when the print looks light on dark */
    int quality;         /* 0..100 */
} fingerqual;

/* Measures `in` into *out (all but quality) and fills in->block_quality. Returns 0, or -1 when
 * out of memory (then *out is zeroed). */
int fingerqual_measure(const fingerqual_input *in, fingerqual *out);

/* Sets q->quality from the measures and `good_minutiae`, the minutiae found in blocks of quality
 * 0.5 or more (NIST IR 8382's minutiae quality). */
void fingerqual_score(fingerqual *q, int good_minutiae);

#endif
