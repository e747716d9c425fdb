#include "imaging/picio.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "core/biomem.h"

typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int warnings; /* corrupt-data warnings: a truncated file only warns in libjpeg */
} jerr;

static void jerr_exit(j_common_ptr cinfo)
{
    jerr *e = (jerr *)cinfo->err;
    longjmp(e->jump, 1);
}

static void jerr_message(j_common_ptr cinfo, int level)
{
    if (level < 0)
        ((jerr *)cinfo->err)->warnings++;
}

static void jerr_output(j_common_ptr cinfo)
{
    /* silence: errors are returned as codes */
}

static int is_jpeg(const uint8_t *d, size_t n)
{
    return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
}

static int is_png(const uint8_t *d, size_t n)
{
    return n >= 8 && png_sig_cmp(d, 0, 8) == 0;
}

static bk_err jpeg_decode(const uint8_t *data, size_t size, int scale_denom, pic **out)
{
    struct jpeg_decompress_struct cinfo;
    jerr e;
    pic *volatile p = NULL;
    volatile bk_err err = BK_ERR_CORRUPT;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = jerr_exit;
    e.mgr.emit_message = jerr_message;
    e.mgr.output_message = jerr_output;
    e.warnings = 0;
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&cinfo);
        pic_free(p);
        return err;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if ((int64_t)cinfo.image_width * cinfo.image_height > PIC_MAX_PIXELS) {
        err = BK_ERR_NO_SPACE;
        longjmp(e.jump, 1);
    }
    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)scale_denom;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    pic *np = NULL;
    bk_err perr = pic_new((int)cinfo.output_width, (int)cinfo.output_height, 3, &np);
    if (perr != BK_OK) {
        err = perr;
        longjmp(e.jump, 1);
    }
    p = np;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = p->px + (size_t)cinfo.output_scanline * (size_t)p->width * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    if (e.warnings > 0) {
        err = BK_ERR_CORRUPT;
        longjmp(e.jump, 1);
    }
    jpeg_destroy_decompress(&cinfo);
    *out = p;
    return BK_OK;
}

typedef struct png_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
} png_reader;

static void png_read_mem(png_structp png, png_bytep buf, png_size_t n)
{
    png_reader *r = png_get_io_ptr(png);
    if (n > r->size - r->pos)
        png_error(png, "truncated");
    memcpy(buf, r->data + r->pos, n);
    r->pos += n;
}

static void png_warn_silent(png_structp png, png_const_charp msg)
{
}

static void png_error_jump(png_structp png, png_const_charp msg)
{
    png_longjmp(png, 1);
}

static bk_err png_decode(const uint8_t *data, size_t size, pic **out)
{
    png_reader r = {data, size, 0};
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_jump, png_warn_silent);
    if (png == NULL)
        return BK_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    pic *volatile p = NULL;
    uint8_t **volatile rows = NULL;
    volatile bk_err err = BK_ERR_CORRUPT;
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        free(rows);
        pic_free(p);
        return err;
    }
    png_set_read_fn(png, &r, png_read_mem);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if ((uint64_t)w * h > PIC_MAX_PIXELS) {
        err = BK_ERR_NO_SPACE;
        png_longjmp(png, 1);
    }
    /* Everything to 8-bit RGB: expand palettes and grey, drop alpha over black. */
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 3)
        png_longjmp(png, 1);
    pic *np = NULL;
    bk_err perr = pic_new((int)w, (int)h, 3, &np);
    if (perr != BK_OK) {
        err = perr;
        png_longjmp(png, 1);
    }
    p = np;
    rows = malloc(sizeof(*rows) * h);
    if (rows == NULL) {
        err = BK_ERR_NOMEM;
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = p->px + (size_t)y * w * 3;
    png_read_image(png, (png_bytepp)rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *out = p;
    return BK_OK;
}

bk_err picio_decode(const uint8_t *data, size_t size, int scale_denom, pic **out)
{
    if (data == NULL ||
        (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8))
        return BK_ERR_INVALID;
    if (is_jpeg(data, size))
        return jpeg_decode(data, size, scale_denom, out);
    if (!is_png(data, size))
        return BK_ERR_INVALID;
    pic *full = NULL;
    bk_err err = png_decode(data, size, &full);
    if (err != BK_OK || scale_denom == 1) {
        if (err == BK_OK)
            *out = full;
        return err;
    }
    int w = (full->width + scale_denom - 1) / scale_denom;
    int h = (full->height + scale_denom - 1) / scale_denom;
    pic *small = NULL;
    err = pic_resize(full, w, h, &small);
    pic_free(full);
    if (err == BK_OK)
        *out = small;
    return err;
}

bk_err picio_peek_size(const uint8_t *data, size_t size, int *width, int *height)
{
    if (data == NULL)
        return BK_ERR_INVALID;
    if (is_png(data, size)) {
        /* IHDR is always first: signature, length, "IHDR", width, height (big-endian) */
        if (size < 24 || memcmp(data + 12, "IHDR", 4) != 0)
            return BK_ERR_CORRUPT;
        const uint8_t *q = data + 16;
        uint32_t w = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        uint32_t h = (uint32_t)q[4] << 24 | (uint32_t)q[5] << 16 | (uint32_t)q[6] << 8 | q[7];
        if (w == 0 || h == 0 || w > 0x7fffffff || h > 0x7fffffff)
            return BK_ERR_CORRUPT;
        *width = (int)w;
        *height = (int)h;
        return BK_OK;
    }
    if (!is_jpeg(data, size))
        return BK_ERR_INVALID;
    struct jpeg_decompress_struct cinfo;
    jerr e;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = jerr_exit;
    e.mgr.emit_message = jerr_message;
    e.mgr.output_message = jerr_output;
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return BK_ERR_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return BK_OK;
}

/* libjpeg's own memory destination grows its buffer with malloc, copy and a free that does not
 * wipe, so every smaller buffer left a prefix of the encoded face in freed memory. This one grows
 * through biomem (biomem_realloc wipes what it leaves behind). */
typedef struct wiped_dest {
    struct jpeg_destination_mgr pub;
    uint8_t *buf;
    size_t cap;
} wiped_dest;

static void wiped_dest_init(j_compress_ptr c)
{
    wiped_dest *d = (wiped_dest *)c->dest;
    d->pub.next_output_byte = d->buf;
    d->pub.free_in_buffer = d->cap;
}

/* Called when the whole buffer is full. */
static boolean wiped_dest_grow(j_compress_ptr c)
{
    wiped_dest *d = (wiped_dest *)c->dest;
    uint8_t *n = d->cap < SIZE_MAX / 2 ? biomem_realloc(d->buf, d->cap * 2) : NULL;
    if (n == NULL) {
        c->err->msg_code = JERR_OUT_OF_MEMORY;
        c->err->error_exit((j_common_ptr)c);
        return FALSE;
    }
    d->pub.next_output_byte = n + d->cap;
    d->pub.free_in_buffer = d->cap;
    d->buf = n;
    d->cap *= 2;
    return TRUE;
}

static void wiped_dest_term(j_compress_ptr c)
{
    (void)c;
}

bk_err picio_encode_jpeg(const pic *p, int quality, uint8_t **data, size_t *size)
{
    if (p == NULL || quality < 1 || quality > 100)
        return BK_ERR_INVALID;
    struct jpeg_compress_struct cinfo;
    jerr e;
    /* A first guess that fits most photos at once: a quarter of the raw size. */
    wiped_dest dest = {.cap =
                           (size_t)p->width * (size_t)p->height * (size_t)p->channels / 4 + 4096};
    dest.buf = biomem_alloc(dest.cap);
    if (dest.buf == NULL)
        return BK_ERR_NOMEM;
    dest.pub.init_destination = wiped_dest_init;
    dest.pub.empty_output_buffer = wiped_dest_grow;
    dest.pub.term_destination = wiped_dest_term;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = jerr_exit;
    e.mgr.output_message = jerr_output;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&cinfo);
        biomem_free(dest.buf);
        return BK_ERR_INTERNAL;
    }
    jpeg_create_compress(&cinfo);
    cinfo.dest = &dest.pub;
    cinfo.image_width = (JDIMENSION)p->width;
    cinfo.image_height = (JDIMENSION)p->height;
    cinfo.input_components = p->channels;
    cinfo.in_color_space = p->channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = p->px + (size_t)cinfo.next_scanline * (size_t)p->width * (size_t)p->channels;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    size_t len = dest.cap - dest.pub.free_in_buffer;
    jpeg_destroy_compress(&cinfo);
    /* Kept as long as the visit: no more than the JPEG (the spare part is wiped). */
    uint8_t *fit = biomem_realloc(dest.buf, len ? len : 1);
    *data = fit ? fit : dest.buf;
    *size = len;
    return BK_OK;
}
