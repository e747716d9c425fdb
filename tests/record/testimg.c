#include "testimg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jpeglib.h>
#include <png.h>

uint8_t *testimg_jpeg(unsigned w, unsigned h, unsigned seed, size_t *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_len = 0;
    jpeg_mem_dest(&c, &out, &out_len);
    c.image_width = w;
    c.image_height = h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    guint8 *row = g_malloc(3 * w);
    while (c.next_scanline < h) {
        unsigned y = c.next_scanline;
        for (unsigned x = 0; x < w; x++) {
            row[3 * x] = (guint8)(x + seed);
            row[3 * x + 1] = (guint8)(y * 3 + seed);
            row[3 * x + 2] = (guint8)((x ^ y) + 7 * seed);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    g_free(row);
    uint8_t *copy = g_memdup2(out, out_len);
    free(out);
    *len = out_len;
    return copy;
}

typedef struct membuf {
    GByteArray *bytes;
} membuf;

static void png_write_cb(png_structp png, png_bytep data, png_size_t n)
{
    membuf *m = png_get_io_ptr(png);
    g_byte_array_append(m->bytes, data, (guint)n);
}

static void png_flush_cb(png_structp png)
{
    (void)png;
}

static uint8_t *png_from_rows(unsigned w, unsigned h, unsigned channels, const guint8 *pix,
                              size_t *len)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    membuf m = {g_byte_array_new()};
    if (setjmp(png_jmpbuf(png)))
        g_error("libpng failed");
    png_set_write_fn(png, &m, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, w, h, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(pix + (size_t)y * w * channels));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *len = m.bytes->len;
    return g_byte_array_free(m.bytes, FALSE);
}

uint8_t *testimg_print(unsigned w, unsigned h, unsigned seed, size_t *len)
{
    guint8 *pix = g_malloc((size_t)w * h);
    GRand *rand = g_rand_new_with_seed(seed);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            double dx = (double)x - w / 2.0, dy = ((double)y - h / 2.0) * 0.8;
            double ridge = sin(sqrt(dx * dx + dy * dy) * 0.7 + seed);
            int v = 128 + (int)(90 * ridge) + g_rand_int_range(rand, -25, 26);
            pix[(size_t)y * w + x] = (guint8)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    g_rand_free(rand);
    uint8_t *png = png_from_rows(w, h, 1, pix, len);
    g_free(pix);
    return png;
}

uint8_t *testimg_png(unsigned w, unsigned h, int colour, unsigned seed, size_t *len)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    membuf m = {g_byte_array_new()};
    if (setjmp(png_jmpbuf(png)))
        g_error("libpng failed");
    png_set_write_fn(png, &m, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, w, h, 8, colour == 2 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    unsigned channels = colour == 2 ? 3 : 1;
    guint8 *row = g_malloc(channels * w);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < channels * w; x++)
            row[x] = (guint8)(((x / channels + y / 3 + seed) % 9) < 4 ? 40 : 220);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    g_free(row);
    *len = m.bytes->len;
    return g_byte_array_free(m.bytes, FALSE);
}

char *testimg_save(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(dir, name, NULL);
    GError *error = NULL;
    if (!g_file_set_contents(path, data, (gssize)len, &error))
        g_error("%s", error->message);
    return path;
}
