/* Images made from a real print for the fingerprint tests and the benchmark: degraded copies
 * that are still prints (to rank), and things that are not prints (to refuse). Each kind has a
 * name that tests and the benchmark print. Deterministic: the same seed gives the same image. */
#ifndef BIOKIOSK_FINGERKINDS_H
#define BIOKIOSK_FINGERKINDS_H

#include <stdint.h>

#include "imaging/fingerimg.h"

typedef enum fingerkinds_degraded {
    FINGERKINDS_BLUR,         /* out of focus / moved: a Gaussian-like blur of about 1.6 px */
    FINGERKINDS_LOW_CONTRAST, /* light pressure: contrast cut to 35 %, towards white */
    FINGERKINDS_NOISE,        /* sensor noise: Gaussian, sigma 30 grey levels */
    FINGERKINDS_DRY,          /* dry skin: ridges broken by light specks over about 40 % */
    FINGERKINDS_PARTIAL,      /* the central 70 % x 70 % of the print (half the area) */
    FINGERKINDS_N_DEGRADED
} fingerkinds_degraded;

typedef enum fingerkinds_nonprint {
    FINGERKINDS_UNIFORM_NOISE, /* uniform random grey */
    FINGERKINDS_BLURRED_NOISE, /* the same, blurred and stretched to full contrast */
    FINGERKINDS_BLANK,         /* white */
    FINGERKINDS_NEARLY_BLANK,  /* white with a few grey levels of noise */
    FINGERKINDS_SMUDGE,        /* the print smeared until no ridge is left, darker */
    FINGERKINDS_WASHED_OUT,    /* the print at 10 % contrast towards white */
    FINGERKINDS_FAINT,         /* the print at 6 % contrast around mid-grey */
    FINGERKINDS_SLIVER,        /* a vertical strip of a fifth of the width, the rest white */
    FINGERKINDS_TIP,           /* a top corner of a fifth of the area, the rest white */
    FINGERKINDS_INVERTED,      /* light ridges on dark */
    FINGERKINDS_N_NONPRINT
} fingerkinds_nonprint;

/* "blur", "low-contrast", ... (static). */
const char *fingerkinds_degraded_str(fingerkinds_degraded kind);
const char *fingerkinds_nonprint_str(fingerkinds_nonprint kind);

/* A new image (transfer full), NULL when out of memory. The tests and the benchmark seed the
 * copies of a shared capture with its place, from 1, in the list of captures/ sorted by name
 * (strcmp), so that both make the same copies. */
fingerimg *fingerkinds_degrade(const fingerimg *print, fingerkinds_degraded kind, uint32_t seed);
fingerimg *fingerkinds_nonprint_make(const fingerimg *print, fingerkinds_nonprint kind,
                                     uint32_t seed);

/* The print turned by `degrees` about its centre, moved by (dx, dy) and cut: `crop` of the width
 * from the left (crop > 0) or of the height from the top (crop < 0); white fills the rest. */
fingerimg *fingerkinds_transform(const fingerimg *in, double degrees, int dx, int dy, double crop);

/* Gaussian noise of `sigma` grey levels added in place. */
void fingerkinds_add_noise(fingerimg *img, double sigma, uint32_t seed);

/* The resolution a PNG file states in its pHYs chunk, in ppi; 0 when it states none or one no
 * reader has (outside 127-2540 ppi, e.g. the 72 ppi image editors write by default). */
double fingerkinds_png_ppi(const char *path);

/* img (transfer full) brought to 500 ppi when ppi is a resolution below it (bilinear), else img
 * itself; NULL when out of memory (img is freed). For offline files measured by us and by NIST's
 * tools alike: NFIQ 2 is defined at 500 ppi and so are our ridge periods and areas. The kiosk
 * never enlarges a reader's image (fingerscale refuses it). */
fingerimg *fingerkinds_at_500ppi(fingerimg *img, double ppi);

#endif
