#include "imaging/fingerimg.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

/* Files above this are refused before decoding: a 5000 x 5000 grey PNG never needs more. */
#define MAX_FILE_BYTES (64u * 1024u * 1024u)

bk_err fingerimg_new(int width, int height, fingerimg **out)
{
    if (width < 1 || height < 1 || width > FINGERIMG_MAX_SIDE || height > FINGERIMG_MAX_SIDE)
        return BK_ERR_INVALID;
    fingerimg *img = calloc(1, sizeof *img);
    if (img == NULL)
        return BK_ERR_NOMEM;
    img->pix = biomem_alloc((size_t)width * (size_t)height);
    if (img->pix == NULL) {
        free(img);
        return BK_ERR_NOMEM;
    }
    memset(img->pix, 255, (size_t)width * (size_t)height);
    img->width = width;
    img->height = height;
    *out = img;
    return BK_OK;
}

bk_err fingerimg_new_from(int width, int height, const uint8_t *pix, fingerimg **out)
{
    fingerimg *img = NULL;
    bk_err err = fingerimg_new(width, height, &img);
    if (err != BK_OK)
        return err;
    memcpy(img->pix, pix, (size_t)width * (size_t)height);
    *out = img;
    return BK_OK;
}

void fingerimg_free(fingerimg *img)
{
    if (img == NULL)
        return;
    biomem_free(img->pix);
    free(img);
}

static int pgm_skip_space(const uint8_t *d, size_t len, size_t *pos)
{
    while (*pos < len) {
        if (d[*pos] == '#') {
            while (*pos < len && d[*pos] != '\n')
                (*pos)++;
        } else if (d[*pos] == ' ' || d[*pos] == '\t' || d[*pos] == '\r' || d[*pos] == '\n') {
            (*pos)++;
        } else {
            return 1;
        }
    }
    return 0;
}

static int pgm_number(const uint8_t *d, size_t len, size_t *pos, long *value)
{
    if (!pgm_skip_space(d, len, pos))
        return 0;
    long v = 0;
    size_t start = *pos;
    while (*pos < len && d[*pos] >= '0' && d[*pos] <= '9') {
        v = v * 10 + (d[*pos] - '0');
        if (v > 1000000)
            return 0;
        (*pos)++;
    }
    if (*pos == start)
        return 0;
    *value = v;
    return 1;
}

static bk_err decode_pgm(const uint8_t *d, size_t len, fingerimg **out, const char **why)
{
    size_t pos = 2;
    long w = 0, h = 0, maxval = 0;
    if (!pgm_number(d, len, &pos, &w) || !pgm_number(d, len, &pos, &h) ||
        !pgm_number(d, len, &pos, &maxval) || pos >= len) {
        *why = "truncated PGM header";
        return BK_ERR_INVALID;
    }
    pos++; /* the single whitespace byte before the pixels */
    if (w == 0 || h == 0) {
        *why = "empty image";
        return BK_ERR_INVALID;
    }
    if (w > FINGERIMG_MAX_SIDE || h > FINGERIMG_MAX_SIDE) {
        *why = "image larger than 5000 pixels a side";
        return BK_ERR_INVALID;
    }
    if (maxval < 1 || maxval > 255) {
        *why = "only 8-bit PGM is read";
        return BK_ERR_INVALID;
    }
    if (len - pos < (size_t)(w * h)) {
        *why = "truncated PGM pixel data";
        return BK_ERR_INVALID;
    }
    fingerimg *img = NULL;
    bk_err err = fingerimg_new((int)w, (int)h, &img);
    if (err != BK_OK)
        return err;
    for (long i = 0; i < w * h; i++)
        img->pix[i] = (uint8_t)(maxval == 255 ? d[pos + i] : d[pos + i] * 255 / maxval);
    *out = img;
    return BK_OK;
}

static bk_err decode_png(const uint8_t *d, size_t len, fingerimg **out, const char **why)
{
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, d, len)) {
        *why = "not a readable PNG";
        return BK_ERR_INVALID;
    }
    if (png.width == 0 || png.height == 0) {
        png_image_free(&png);
        *why = "empty image";
        return BK_ERR_INVALID;
    }
    if (png.width > FINGERIMG_MAX_SIDE || png.height > FINGERIMG_MAX_SIDE) {
        png_image_free(&png);
        *why = "image larger than 5000 pixels a side";
        return BK_ERR_INVALID;
    }
    if ((png.format & PNG_FORMAT_FLAG_LINEAR) != 0) {
        /* libpng would take 16-bit samples as linear light and gamma-encode them to 8 bits,
         * changing every grey value; the standard's prints are 8-bit grey */
        png_image_free(&png);
        *why = "16-bit image: only 8-bit grey fingerprint images are read";
        return BK_ERR_INVALID;
    }
    int alpha = (png.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    int colour = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
    int w = (int)png.width, h = (int)png.height;
    png.format = PNG_FORMAT_RGBA;
    size_t n = (size_t)w * (size_t)h;
    uint8_t *rgba = biomem_alloc(n * 4);
    if (rgba == NULL) {
        png_image_free(&png);
        return BK_ERR_NOMEM;
    }
    if (!png_image_finish_read(&png, NULL, rgba, 0, NULL)) {
        biomem_free(rgba);
        *why = "corrupt PNG data";
        return BK_ERR_INVALID;
    }
    fingerimg *img = NULL;
    bk_err err = fingerimg_new(w, h, &img);
    if (err != BK_OK) {
        biomem_free(rgba);
        return err;
    }
    /* With grey+alpha the grey channel is a constant and alpha carries the print: opaque is a
     * ridge. Colour files are accepted only when they are grey in disguise. */
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        const uint8_t *p = rgba + 4 * i;
        if (colour && (p[0] != p[1] || p[1] != p[2])) {
            *why = "colour image: only grey fingerprint images are read";
            err = BK_ERR_INVALID;
        } else if (alpha && !colour) {
            img->pix[i] = (uint8_t)(255 - p[3]);
        } else {
            img->pix[i] = p[0];
        }
    }
    biomem_free(rgba);
    if (err != BK_OK) {
        fingerimg_free(img);
        return err;
    }
    *out = img;
    return BK_OK;
}

bk_err fingerimg_decode(const uint8_t *data, size_t len, fingerimg **out, const char **why)
{
    const char *dummy = NULL;
    if (why == NULL)
        why = &dummy;
    if (data == NULL || len < 8) {
        *why = len == 0 ? "empty file" : "file too short to be an image";
        return BK_ERR_INVALID;
    }
    if (data[0] == 'P' && data[1] == '5')
        return decode_pgm(data, len, out, why);
    if (memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
        return decode_png(data, len, out, why);
    *why = "not a PNG or binary PGM file";
    return BK_ERR_INVALID;
}

bk_err fingerimg_load(const char *path, fingerimg **out, const char **why)
{
    const char *dummy = NULL;
    if (why == NULL)
        why = &dummy;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *why = "cannot open the file";
        return BK_ERR_IO;
    }
    bk_err err = BK_OK;
    uint8_t *data = NULL;
    long size = 0;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        *why = "cannot read the file";
        err = BK_ERR_IO;
        goto out;
    }
    if ((unsigned long)size > MAX_FILE_BYTES) {
        *why = "file too large";
        err = BK_ERR_INVALID;
        goto out;
    }
    if (size == 0) {
        *why = "empty file";
        err = BK_ERR_INVALID;
        goto out;
    }
    data = biomem_alloc((size_t)size);
    if (data == NULL) {
        err = BK_ERR_NOMEM;
        goto out;
    }
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        *why = "cannot read the file";
        err = BK_ERR_IO;
        goto out;
    }
    err = fingerimg_decode(data, (size_t)size, out, why);
out:
    biomem_free(data);
    fclose(f);
    return err;
}

bk_err fingerimg_save_png(const fingerimg *img, const char *path)
{
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = (png_uint_32)img->width;
    png.height = (png_uint_32)img->height;
    png.format = PNG_FORMAT_GRAY;
    if (!png_image_write_to_file(&png, path, 0, img->pix, 0, NULL)) {
        png_image_free(&png);
        return BK_ERR_IO;
    }
    return BK_OK;
}
