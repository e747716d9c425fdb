/* Reading and writing photographs: JPEG through libjpeg-turbo, PNG through libpng.
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

/* The width and height a JPEG or PNG declares, without decoding it. */
bk_err picio_peek_size(const uint8_t *data, size_t size, int *width, int *height);

/* Encodes an RGB or grey picture as baseline JPEG at `quality` (1..100) into a malloc'ed buffer
 * allocated with biomem (transfer full: biomem_free). */
bk_err picio_encode_jpeg(const pic *p, int quality, uint8_t **data, size_t *size);

#endif
