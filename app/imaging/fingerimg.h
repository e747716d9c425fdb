/* Fingerprint images: an 8-bit grey buffer and the file formats the kiosk reads.
 *
 * Ridges are dark on a light background, as fingerprint readers deliver them. Pixels live in a
 * biomem buffer (wiped on free). Files: grey PNG, grey+alpha PNG (the print is in the alpha
 * channel, as in libfprint's example prints: grey = 255 - alpha), RGB(A) PNG whose three colour
 * channels are equal (readers' captures are often saved that way), and binary 8-bit PGM (P5).
 */
#ifndef BIOKIOSK_FINGERIMG_H
#define BIOKIOSK_FINGERIMG_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

/* Largest accepted side, the same limit as libfprint's virtual image device. */
#define FINGERIMG_MAX_SIDE 5000

typedef struct fingerimg {
    int width;
    int height;
    uint8_t *pix; /* width * height bytes, row by row; a biomem buffer owned by the image */
} fingerimg;

/* A white image of width x height (1..FINGERIMG_MAX_SIDE each) in *out (transfer full).
 * BK_ERR_INVALID for a bad size, BK_ERR_NOMEM. */
bk_err fingerimg_new(int width, int height, fingerimg **out);

/* A copy of `pix` (width * height bytes). Same errors as fingerimg_new. */
bk_err fingerimg_new_from(int width, int height, const uint8_t *pix, fingerimg **out);

/* Wipes and frees. NULL does nothing. */
void fingerimg_free(fingerimg *img);

/* Decodes a PNG or PGM held in memory. BK_ERR_INVALID for anything that is not one of the
 * formats above, a colour image, an empty image or one larger than FINGERIMG_MAX_SIDE a side;
 * *why (static text, may be NULL) then says which. */
bk_err fingerimg_decode(const uint8_t *data, size_t len, fingerimg **out, const char **why);

/* Reads and decodes a file. BK_ERR_IO when it cannot be read (*why says so), otherwise as
 * fingerimg_decode. */
bk_err fingerimg_load(const char *path, fingerimg **out, const char **why);

/* Writes an 8-bit grey PNG (used by tests and the demo). BK_ERR_IO on failure. */
bk_err fingerimg_save_png(const fingerimg *img, const char *path);

#endif
