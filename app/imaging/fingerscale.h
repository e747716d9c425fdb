/* Fingerprint images to 500 ppi: readers deliver their own resolution, the kiosk's quality,
 * comparison and the record work at 500 ppi (19.685 pixels per millimetre).
 *
 * Pure functions over fingerimg buffers. Shrinking averages areas: each new pixel is the mean of
 * the old pixels it covers, weighted by how much of each it covers (no ridge is lost between
 * samples and no aliasing moiré appears); pixel centres are mapped, so the print stays centred.
 * Images are never enlarged (TR-03121: "never upscale"): a reader below 500 ppi does not meet
 * the standard and its images are refused, not grown.
 */
#ifndef BIOKIOSK_FINGERSCALE_H
#define BIOKIOSK_FINGERSCALE_H

#include <stdbool.h>

#include "core/bk_err.h"
#include "imaging/fingerimg.h"

/* 500 pixels per inch in pixels per millimetre. */
#define FINGERSCALE_PPMM_500 (500.0 / 25.4)

/* Lowest and highest resolution taken as a real report (about 127 and 2540 ppi); anything else
 * (libfprint's 0 when a driver does not say) counts as "not reported". */
#define FINGERSCALE_PPMM_MIN 5.0
#define FINGERSCALE_PPMM_MAX 100.0

/* true when ppmm is a resolution a reader could have (see the limits above). */
bool fingerscale_plausible(double ppmm);

/* The size an image of width x height at from_ppmm gets at to_ppmm (rounded, at least 1).
 * BK_ERR_INVALID when a resolution is not plausible or a side would exceed FINGERIMG_MAX_SIDE. */
bk_err fingerscale_size(int width, int height, double from_ppmm, double to_ppmm, int *out_width,
                        int *out_height);

/* `in` (taken at from_ppmm) resampled to to_ppmm into *out (transfer full, biomem pixels): area
 * averaging when it shrinks, a plain copy when the two are equal within 0.1 %.
 * BK_ERR_UNSUPPORTED when it would grow (to_ppmm above from_ppmm: never upscale); otherwise
 * errors as fingerscale_size, BK_ERR_NOMEM. */
bk_err fingerscale_resample(const fingerimg *in, double from_ppmm, double to_ppmm, fingerimg **out);

/* true when an image at ppmm would have to be enlarged to reach 500 ppi (more than 0.1 % below):
 * the reader does not meet the standard. */
bool fingerscale_below_500(double ppmm);

#endif
