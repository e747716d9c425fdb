/* A large JPEG capture decoded in two cheap passes instead of one whole decode: the whole
 * picture at 1/8 of its size (libjpeg-turbo's DCT scaling) to find the face, then only the
 * region around it at full resolution (libjpeg-turbo's jpeg_crop_scanline and
 * jpeg_skip_scanlines). Pure functions over bytes in memory, no GLib.
 */
#ifndef BIOKIOSK_FACEJPEG_H
#define BIOKIOSK_FACEJPEG_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "imaging/pic.h"

/* Decodes the region (x, y, w, h) of a JPEG shrunk by `scale_denom` (1, 2, 4 or 8: DCT scaling;
 * the region and *ox, *oy are in the pixels of the shrunk picture), or a little more: libjpeg
 * starts a cropped row at a block boundary, so the left edge may move left by up to 15 pixels
 * and the width grow. The region is clipped to the picture. *out (transfer full: pic_free) is
 * RGB and its top-left corner is the picture's pixel (*ox, *oy). Errors as picio_decode's:
 * BK_ERR_INVALID for data that is not a JPEG or an empty region, BK_ERR_CORRUPT for a damaged
 * or truncated stream, BK_ERR_NO_SPACE for a picture over PIC_MAX_PIXELS, BK_ERR_NOMEM. */
bk_err facejpeg_decode_region(const uint8_t *data, size_t size, int scale_denom, int x, int y,
                              int w, int h, pic **out, int *ox, int *oy);

#endif
