/* Reading and writing pictures: JPEG through libjpeg-turbo, PNG through libpng. This is the
 * project's one JPEG and PNG reader and writer (photos, fingerprints, signature images,
 * screenshots): one JPEG decoder set-up and one libjpeg error manager for the whole, the scaled
 * and the region decode.
 *
 * Decoding refuses pictures over PIC_MAX_PIXELS before allocating them, and treats a truncated
 * or corrupt stream as an error (libjpeg would otherwise pad it with grey and warn). No GLib,
 * so the decoder can be fuzzed alone.
 */
#ifndef BIOKIOSK_PICIO_H
#define BIOKIOSK_PICIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "imaging/pic.h"

/* Decodes a JPEG or PNG held in memory into an RGB picture (transfer full). `scale_denom`
 * (1, 2, 4 or 8) shrinks a JPEG while decoding (libjpeg's DCT scaling, much faster than decoding
 * whole and shrinking); a PNG is shrunk after decoding. Errors: BK_ERR_INVALID for data that is
 * neither format or a bad scale, BK_ERR_CORRUPT for a damaged or truncated stream,
 * BK_ERR_NO_SPACE for more than PIC_MAX_PIXELS, BK_ERR_NOMEM. */
bk_err picio_decode(const uint8_t *data, size_t size, int scale_denom, pic **out);

/* Decodes only the region (x, y, w, h) of a JPEG shrunk by `scale_denom` (1, 2, 4 or 8; the
 * region and *ox, *oy are in pixels of the shrunk picture): a large capture's crop without
 * decoding the rest. Rows above the region are entropy-decoded only, rows below not read at all,
 * so a stream damaged below the region decodes. The region is clipped to the picture, and libjpeg
 * starts a row at a block boundary (up to 15 pixels left of x at 1/1; the width grows to match):
 * *out (RGB, transfer full: pic_free) holds the picture's pixels from (*ox, *oy) on, *ox <= x
 * where x >= 0. Errors: BK_ERR_INVALID for data that is not a JPEG, a bad scale, an empty
 * region or one wholly outside the picture; BK_ERR_CORRUPT for a damaged or truncated stream
 * (above or in the region); BK_ERR_NO_SPACE for a picture over PIC_MAX_PIXELS; BK_ERR_NOMEM. */
bk_err picio_decode_region(const uint8_t *data, size_t size, int scale_denom, int x, int y, int w,
                           int h, pic **out, int *ox, int *oy);

/* The width and height a JPEG or PNG declares, without decoding it. */
bk_err picio_peek_size(const uint8_t *data, size_t size, int *width, int *height);

/* Encodes an RGB or grey picture as baseline JPEG at `quality` (1..100) into a malloc'ed buffer
 * allocated with biomem (transfer full: biomem_free). */
bk_err picio_encode_jpeg(const pic *p, int quality, uint8_t **data, size_t *size);

/* Decodes a PNG of a picture that is grey by nature (a fingerprint, a signature) into a grey
 * picture (transfer full). Grey with alpha is read as ink on white: the alpha carries the
 * picture (255 - alpha); colour is accepted only when every pixel is grey; 16-bit samples are
 * refused (libpng would gamma-convert them, changing every grey value). BK_ERR_INVALID with *why
 * (static text, may be NULL) for data that is not such a PNG or a side over max_side,
 * BK_ERR_NOMEM. */
bk_err picio_decode_png_grey(const uint8_t *data, size_t size, int max_side, pic **out,
                             const char **why);

/* Encodes a grey or RGB picture as PNG into a buffer allocated with biomem (transfer full:
 * biomem_free). px_per_mm > 0 records the resolution (pHYs); 0 leaves it out. Only p's size,
 * channels and px are read, so a caller may wrap its own pixels in a pic on the stack.
 * BK_ERR_INVALID, BK_ERR_NOMEM. */
bk_err picio_encode_png(const pic *p, double px_per_mm, uint8_t **data, size_t *size);

/* Writes a grey or RGB picture as a PNG file readable by its owner only (mode 0600 whatever the
 * umask: pictures here are personal data), replacing what was there; never follows a symbolic
 * link at path. As picio_encode_png, plus bk_err_from_errno's codes when the file cannot be
 * written. */
bk_err picio_write_png(const pic *p, double px_per_mm, const char *path);

#endif
