#include "imaging/picio.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "core/biomem.h"

/* The one error manager of every libjpeg call here: an error jumps back to the caller's setjmp
 * (libjpeg's default would exit the process), corrupt-data warnings are counted (a truncated
 * stream only warns in libjpeg, padding the picture with grey) and nothing is printed. */
typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int warnings;
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

static struct jpeg_error_mgr *jerr_init(jerr *e)
{
    struct jpeg_error_mgr *m = jpeg_std_error(&e->mgr);
    m->error_exit = jerr_exit;
    m->emit_message = jerr_message;
    m->output_message = jerr_output;
    e->warnings = 0;
    return m;
}

static int is_jpeg(const uint8_t *d, size_t n)
{
    return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
}

static int is_png(const uint8_t *d, size_t n)
{
    return n >= 8 && png_sig_cmp(d, 0, 8) == 0;
}

static bool scale_ok(int scale_denom)
{
    return scale_denom == 1 || scale_denom == 2 || scale_denom == 4 || scale_denom == 8;
}

/* A rectangle of a decoded JPEG: asked for (in), and as decoded (out: clipped to the picture,
 * the left edge moved to libjpeg's block boundary). */
typedef struct jrect {
    int x, y, w, h;
} jrect;

/* The one JPEG decoder set-up: the header read, pictures over PIC_MAX_PIXELS refused before
 * anything is allocated, RGB out at 1/scale_denom (DCT scaling), the exact integer IDCT (the
 * checks measure these pixels). Decodes the rectangle `want` of the shrunk picture, or all of it
 * when `want` is NULL: rows above the rectangle are skipped (entropy-decoded only, no IDCT),
 * columns outside it are not transformed (jpeg_crop_scanline), rows below are not read. A whole
 * picture is read to its end, so a truncated tail is an error too; a rectangle stops at its last
 * row. *got is what was decoded (picture pixels at that scale). */
static bk_err jpeg_decode(const uint8_t *data, size_t size, int scale_denom, const jrect *want,
                          pic **out, jrect *got)
{
    struct jpeg_decompress_struct cinfo;
    jerr e;
    pic *volatile p = NULL;
    volatile bk_err err = BK_ERR_CORRUPT;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jerr_init(&e);
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
    const int iw = (int)cinfo.output_width, ih = (int)cinfo.output_height;
    int x0 = 0, y0 = 0, x1 = iw, y1 = ih;
    if (want != NULL) {
        x0 = want->x > 0 ? want->x : 0;
        y0 = want->y > 0 ? want->y : 0;
        /* in 64 bits: x + w may overflow an int */
        x1 = (int)((int64_t)want->x + want->w < iw ? (int64_t)want->x + want->w : iw);
        y1 = (int)((int64_t)want->y + want->h < ih ? (int64_t)want->y + want->h : ih);
        if (x1 <= x0 || y1 <= y0) {
            err = BK_ERR_INVALID;
            longjmp(e.jump, 1);
        }
    }
    JDIMENSION xoff = (JDIMENSION)x0, cw = (JDIMENSION)(x1 - x0);
    if (x0 > 0 || x1 < iw)
        jpeg_crop_scanline(&cinfo, &xoff, &cw);
    pic *np = NULL;
    bk_err perr = pic_new((int)cw, y1 - y0, 3, &np);
    if (perr != BK_OK) {
        err = perr;
        longjmp(e.jump, 1);
    }
    p = np;
    if (y0 > 0 && jpeg_skip_scanlines(&cinfo, (JDIMENSION)y0) != (JDIMENSION)y0)
        longjmp(e.jump, 1);
    while (cinfo.output_scanline < (JDIMENSION)y1) {
        JSAMPROW row = p->px + (size_t)(cinfo.output_scanline - (JDIMENSION)y0) * cw * 3;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1)
            longjmp(e.jump, 1);
    }
    if (want == NULL)
        jpeg_finish_decompress(&cinfo);
    if (e.warnings > 0)
        longjmp(e.jump, 1);
    jpeg_destroy_decompress(&cinfo);
    *out = p;
    *got = (jrect){(int)xoff, y0, (int)cw, y1 - y0};
    return BK_OK;
}

bk_err picio_decode_region(const uint8_t *data, size_t size, int scale_denom, int x, int y, int w,
                           int h, pic **out, int *ox, int *oy)
{
    if (data == NULL || !is_jpeg(data, size) || !scale_ok(scale_denom) || out == NULL ||
        ox == NULL || oy == NULL || w <= 0 || h <= 0)
        return BK_ERR_INVALID;
    const jrect want = {x, y, w, h};
    jrect got;
    bk_err err = jpeg_decode(data, size, scale_denom, &want, out, &got);
    if (err == BK_OK) {
        *ox = got.x;
        *oy = got.y;
    }
    return err;
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
    if (data == NULL || out == NULL || !scale_ok(scale_denom))
        return BK_ERR_INVALID;
    jrect got;
    if (is_jpeg(data, size))
        return jpeg_decode(data, size, scale_denom, NULL, out, &got);
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
    cinfo.err = jerr_init(&e);
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
    cinfo.err = jerr_init(&e);
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

bk_err picio_decode_png_grey(const uint8_t *data, size_t size, int max_side, pic **out,
                             const char **why)
{
    const char *dummy = NULL;
    if (why == NULL)
        why = &dummy;
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (data == NULL || !is_png(data, size) ||
        !png_image_begin_read_from_memory(&png, data, size)) {
        *why = "not a readable PNG";
        return BK_ERR_INVALID;
    }
    if (png.width == 0 || png.height == 0) {
        png_image_free(&png);
        *why = "empty image";
        return BK_ERR_INVALID;
    }
    if (png.width > (png_uint_32)max_side || png.height > (png_uint_32)max_side) {
        png_image_free(&png);
        *why = "image too large";
        return BK_ERR_INVALID;
    }
    if ((png.format & PNG_FORMAT_FLAG_LINEAR) != 0) {
        png_image_free(&png);
        *why = "16-bit image: only 8-bit grey images are read";
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
    pic *g = NULL;
    bk_err err = pic_new(w, h, 1, &g);
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        const uint8_t *q = rgba + 4 * i;
        if (colour && (q[0] != q[1] || q[1] != q[2])) {
            *why = "colour image: only grey images are read";
            err = BK_ERR_INVALID;
        } else if (alpha && !colour) {
            g->px[i] = (uint8_t)(255 - q[3]);
        } else {
            g->px[i] = q[0];
        }
    }
    biomem_free(rgba);
    if (err != BK_OK) {
        pic_free(g);
        return err;
    }
    *out = g;
    return BK_OK;
}

/* libpng's output into a biomem buffer that grows (biomem_realloc wipes what it leaves). */
typedef struct png_sink {
    uint8_t *buf;
    size_t len, cap;
} png_sink;

static void png_sink_write(png_structp png, png_bytep data, size_t len)
{
    png_sink *o = png_get_io_ptr(png);
    if (len > o->cap - o->len) {
        size_t cap = o->cap;
        while (len > cap - o->len) {
            if (cap > SIZE_MAX / 2)
                png_error(png, "too large");
            cap *= 2;
        }
        uint8_t *n = biomem_realloc(o->buf, cap);
        if (n == NULL)
            png_error(png, "out of memory");
        o->buf = n;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
}

static void png_sink_flush(png_structp png)
{
    (void)png;
}

bk_err picio_encode_png(const pic *p, double px_per_mm, uint8_t **data, size_t *size)
{
    if (p == NULL || p->px == NULL || p->width <= 0 || p->height <= 0 ||
        (p->channels != 1 && p->channels != 3) || !(px_per_mm >= 0 && px_per_mm < 1e6))
        return BK_ERR_INVALID;
    /* on the heap: libpng longjmps out of the writer, and a local changed meanwhile would be
     * indeterminate after the jump */
    png_sink *sink = calloc(1, sizeof *sink);
    if (sink == NULL)
        return BK_ERR_NOMEM;
    sink->cap = (size_t)p->width * (size_t)p->height * (size_t)p->channels / 2 + 1024;
    sink->buf = biomem_alloc(sink->cap);
    if (sink->buf == NULL) {
        free(sink);
        return BK_ERR_NOMEM;
    }
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_jump, png_warn_silent);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        biomem_free(sink->buf);
        free(sink);
        return BK_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        biomem_free(sink->buf);
        free(sink);
        return BK_ERR_NOMEM;
    }
    png_set_write_fn(png, sink, png_sink_write, png_sink_flush);
    png_set_IHDR(png, info, (png_uint_32)p->width, (png_uint_32)p->height, 8,
                 p->channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (px_per_mm > 0) {
        png_uint_32 ppm = (png_uint_32)lround(px_per_mm * 1000.0);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png, info);
    size_t stride = (size_t)p->width * (size_t)p->channels;
    for (int y = 0; y < p->height; y++)
        png_write_row(png, p->px + (size_t)y * stride);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *data = sink->buf;
    *size = sink->len;
    free(sink);
    return BK_OK;
}

bk_err picio_write_png(const pic *p, double px_per_mm, const char *path)
{
    uint8_t *data = NULL;
    size_t size = 0;
    bk_err err = picio_encode_png(p, px_per_mm, &data, &size);
    if (err != BK_OK)
        return err;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        err = bk_err_from_errno(errno);
        biomem_free(data);
        return err;
    }
    /* a file that was there keeps its mode through O_TRUNC: narrow it before any byte */
    if (fchmod(fd, 0600) != 0)
        err = bk_err_from_errno(errno);
    for (size_t done = 0; err == BK_OK && done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            err = n < 0 ? bk_err_from_errno(errno) : BK_ERR_IO;
        else
            done += (size_t)n;
    }
    if (close(fd) != 0 && err == BK_OK)
        err = bk_err_from_errno(errno);
    biomem_free(data);
    return err;
}
