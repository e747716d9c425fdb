#include "imaging/fingerimg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/pic.h"
#include "imaging/picio.h"

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

/* PNG through picio, the one PNG reader; its reasons said of fingerprints. */
static bk_err decode_png(const uint8_t *d, size_t len, fingerimg **out, const char **why)
{
    static const struct {
        const char *prefix, *said;
    } reasons[] = {
        {"16-bit", "16-bit image: only 8-bit grey fingerprint images are read"},
        {"colour", "colour image: only grey fingerprint images are read"},
        {"image too large", "image larger than 5000 pixels a side"},
    };
    pic *g = NULL;
    bk_err err = picio_decode_png_grey(d, len, FINGERIMG_MAX_SIDE, &g, why);
    if (err == BK_ERR_INVALID && *why != NULL)
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
            if (strncmp(*why, reasons[i].prefix, strlen(reasons[i].prefix)) == 0)
                *why = reasons[i].said;
    if (err != BK_OK)
        return err;
    fingerimg *img = malloc(sizeof *img);
    if (img == NULL) {
        pic_free(g);
        return BK_ERR_NOMEM;
    }
    /* the image takes the picture's pixels (both biomem) */
    *img = (fingerimg){g->width, g->height, g->px};
    g->px = NULL;
    pic_free(g);
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
    const pic p = {img->width, img->height, 1, img->pix};
    return picio_write_png(&p, 0, path);
}
