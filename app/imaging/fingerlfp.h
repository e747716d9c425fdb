/* libfprint's minutiae made comparable: directions and kinds for the positions libfprint gives.
 *
 * libfprint's fp_image_detect_minutiae() runs NIST's mindtct (NBIS) on an image; its public API
 * hands back each minutia's position only (fp_minutia_get_coords; FpMinutia is opaque) and the
 * image NBIS binarised (fp_image_get_binarized: one byte a pixel, 0 on a ridge, 255 in a valley,
 * as checked on the shared captures: the pixels marked 0 are the darker ones). The comparison
 * (imaging/fingermatch.h) needs each minutia's direction, so it is measured here, from those two
 * alone, in fingerfeat's convention (imaging/fingerfeat.h):
 *
 * - kind: NBIS puts a minutia on its feature pixel, the last pixel of a ridge for an ending and
 *   the last pixel of the valley that ends between the two tines for a fork: a ridge pixel is an
 *   ending, a valley pixel a fork;
 * - axis: the ridge flow around the point (the structure tensor of the binarised image in a
 *   window of 17 x 17 pixels), 0..pi;
 * - sense: the pixels of the point's own kind (ridge for an ending, valley for a fork) connected
 *   to it within 9 pixels lie on the side its ridge (or valley) goes on; the direction points from
 *   their centre to the point. For an ending that is away from its ridge, for a fork towards its
 *   stem, as fingerfeat's. Where the flow gives no clear axis (its coherence under 0.3) the
 *   direction is that of the centre to the point alone.
 *
 * Pure computation over buffers (libfprint itself is called by the fingerprint service,
 * app/capture/finger_lfp.c, and by bench-finger), no GLib.
 */
#ifndef BIOKIOSK_FINGERLFP_H
#define BIOKIOSK_FINGERLFP_H

#include <stdint.h>

#include "core/bk_err.h"
#include "imaging/fingerfeat.h"

/* fp_image_get_binarized()'s value on a ridge (every other value is a valley). */
#define FINGERLFP_RIDGE 0

/* The minutiae at the n positions xy[2i], xy[2i+1] (pixels, y down) of a width x height
 * binarised image `bin` (transfer none) into *out (a biomem buffer of n entries, transfer full:
 * biomem_free; NULL when n is 0). Positions outside the image are kept, with direction 0 and kind
 * ENDING. BK_ERR_INVALID for NULL buffers, a bad size or n < 0; BK_ERR_NOMEM. */
bk_err fingerlfp_minutiae(const uint8_t *bin, int width, int height, const int *xy, int n,
                          fingerfeat_minutia **out);

/* Replaces feat's minutiae (wiped) with those of fingerlfp_minutiae() (positions as above, on an
 * image of feat's size). The quality, the foreground and good_minutiae stay ours: they were
 * measured on our own minutiae. BK_ERR_INVALID (also for an image of another size),
 * BK_ERR_NOMEM; on error feat is unchanged. */
bk_err fingerlfp_replace(fingerfeat *feat, const uint8_t *bin, int width, int height, const int *xy,
                         int n);

/* A copy of `ours` (transfer none) with the minutiae of fingerlfp_minutiae() instead of its own,
 * in *out (transfer full: fingerfeat_free); `ours` is unchanged. Errors as fingerlfp_replace. */
bk_err fingerlfp_features(const fingerfeat *ours, const uint8_t *bin, int width, int height,
                          const int *xy, int n, fingerfeat **out);

#endif
