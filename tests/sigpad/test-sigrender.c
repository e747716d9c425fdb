/* The signature renderer: cropping with a margin, fitting the box, the resolution cap,
 * pressure and width, smoothing, and the PNG it writes. */
#include <math.h>
#include <stdio.h>

#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <png.h>

#include "core/biomem.h"
#include "imaging/sigrender.h"

static void add_line(sigink *ink, size_t n, float x0, float y0, float x1, float y1, float p)
{
    for (size_t i = 0; i < n; i++) {
        float t = n > 1 ? (float)i / (float)(n - 1) : 0;
        sigink_point pt = {x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, p, (uint32_t)i};
        g_assert_cmpint(sigink_add(ink, &pt), ==, BK_OK);
    }
    sigink_end_stroke(ink);
}

static int dark(const sigrender_image *img, int x, int y)
{
    return img->pixels[(size_t)y * (size_t)img->width + (size_t)x] < 128;
}

static size_t count_dark(const sigrender_image *img)
{
    size_t n = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            n += dark(img, x, y);
    return n;
}

/* The bounding box of the ink pixels (any not white). */
static void ink_box(const sigrender_image *img, int *x0, int *y0, int *x1, int *y1)
{
    *x0 = img->width;
    *y0 = img->height;
    *x1 = *y1 = -1;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            if (img->pixels[(size_t)y * (size_t)img->width + (size_t)x] < 255) {
                *x0 = MIN(*x0, x);
                *x1 = MAX(*x1, x);
                *y0 = MIN(*y0, y);
                *y1 = MAX(*y1, y);
            }
}

static void test_fit_and_crop(void)
{
    /* a wide signature, 80 x 20 mm, somewhere on a 100 x 60 mm pad */
    sigink *ink = sigink_new();
    add_line(ink, 50, 10, 30, 90, 50, 0.5f);
    add_line(ink, 50, 10, 50, 90, 30, 0.5f);
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    o.max_px_per_mm = 100;
    sigrender_image img;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    /* width-bound: it fills 600 px, and is cropped in height instead of 200 */
    g_assert_cmpint(img.width, ==, 600);
    g_assert_cmpint(img.height, <, 200);
    g_assert_cmpint(img.height, >, 100);
    /* white margin of at least o.margin on every side, and ink near every edge of it */
    int x0, y0, x1, y1;
    ink_box(&img, &x0, &y0, &x1, &y1);
    g_assert_cmpint(x0, >=, o.margin);
    g_assert_cmpint(y0, >=, o.margin);
    g_assert_cmpint(x1, <=, img.width - 1 - o.margin);
    g_assert_cmpint(y1, <=, img.height - 1 - o.margin);
    g_assert_cmpint(x0, <=, o.margin + 8);
    g_assert_cmpint(x1, >=, img.width - 1 - o.margin - 8);
    /* the crossing in the middle is black */
    int cx = (int)lround((50 - img.origin_x_mm) * img.px_per_mm);
    int cy = (int)lround((40 - img.origin_y_mm) * img.px_per_mm);
    g_assert_true(dark(&img, cx, cy));
    g_assert_cmpuint(img.pixels[0], ==, 255);
    sigrender_image_clear(&img);
    g_assert_null(img.pixels);

    /* a tall one is height-bound */
    sigink_clear(ink);
    add_line(ink, 30, 10, 5, 12, 55, 0.5f);
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    g_assert_cmpint(img.height, ==, 200);
    g_assert_cmpint(img.width, <, 100);
    sigrender_image_clear(&img);
    sigink_free(ink);
}

static void test_never_finer_than_pad(void)
{
    /* 10 x 5 mm on a pad of 4 counts per mm: 4 px per mm at most, however big the box */
    sigink *ink = sigink_new();
    add_line(ink, 30, 0, 0, 10, 5, 0.5f);
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    o.max_px_per_mm = 4;
    sigrender_image img;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    g_assert_cmpfloat(img.px_per_mm, ==, 4.0);
    g_assert_cmpint(img.width, <, 100);
    sigrender_image_clear(&img);
    /* unknown resolution: capped at 40 px per mm */
    o.max_px_per_mm = 0;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    g_assert_cmpfloat(img.px_per_mm, <=, 40.0);
    sigrender_image_clear(&img);
    sigink_free(ink);
}

static void test_pressure_width(void)
{
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    o.max_px_per_mm = 10;
    size_t counts[2];
    float pressures[2] = {0.1f, 1.0f};
    for (int k = 0; k < 2; k++) {
        sigink *ink = sigink_new();
        add_line(ink, 20, 0, 10, 40, 10, pressures[k]);
        add_line(ink, 2, 0, 0, 40, 20, 0.0f); /* fixes the box */
        sigrender_image img;
        g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
        counts[k] = count_dark(&img);
        sigrender_image_clear(&img);
        sigink_free(ink);
    }
    g_assert_cmpuint(counts[1] * 2, >, counts[0] * 3);
}

static void test_smooth(void)
{
    sigink_point in[4] = {{0, 0, 0, 0}, {10, 0, 1, 10}, {10, 10, 1, 20}, {0, 10, 0, 30}};
    g_assert_cmpuint(sigrender_smooth(in, 4, 0, NULL, 0), ==, 4);
    g_assert_cmpuint(sigrender_smooth(in, 4, 1, NULL, 0), ==, 6);
    g_assert_cmpuint(sigrender_smooth(in, 4, 2, NULL, 0), ==, 10);
    g_assert_cmpuint(sigrender_smooth(in, 2, 3, NULL, 0), ==, 2);
    sigink_point out[10];
    g_assert_cmpuint(sigrender_smooth(in, 4, 1, out, 10), ==, 6);
    /* the ends stay, the corners are cut at 1/4 and 3/4 */
    g_assert_cmpfloat(out[0].x_mm, ==, 0);
    g_assert_cmpfloat(out[1].x_mm, ==, 7.5f);
    g_assert_cmpfloat(out[2].x_mm, ==, 10);
    g_assert_cmpfloat(out[2].y_mm, ==, 2.5f);
    g_assert_cmpfloat(out[5].y_mm, ==, 10);
    g_assert_cmpfloat(out[5].x_mm, ==, 0);
    g_assert_cmpuint(out[1].t_ms, ==, 7);
    /* smoothing keeps every point inside the hull of the input */
    g_assert_cmpuint(sigrender_smooth(in, 4, 2, out, 10), ==, 10);
    for (int i = 0; i < 10; i++) {
        g_assert_cmpfloat(out[i].x_mm, >=, 0);
        g_assert_cmpfloat(out[i].x_mm, <=, 10);
    }
}

static void test_refused(void)
{
    sigink *ink = sigink_new();
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    sigrender_image img = {.width = -3};
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpint(img.width, ==, -3);
    add_line(ink, 3, 0, 0, 1, 1, 0.5f);
    o.margin = 300;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_ERR_INVALID);
    o = SIGRENDER_OPTIONS_DEFAULT;
    o.smoothing = 9;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_ERR_INVALID);
    o = SIGRENDER_OPTIONS_DEFAULT;
    o.pen_mm = 0;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_ERR_INVALID);
    g_assert_cmpint(sigrender_canvas(0, 10, 1, 0, 0, &img), ==, BK_ERR_INVALID);
    g_assert_cmpint(sigrender_canvas(10, 10, NAN, 0, 0, &img), ==, BK_ERR_INVALID);
    g_assert_cmpint(img.width, ==, -3);
    /* a single point renders as a dot */
    sigink_clear(ink);
    add_line(ink, 1, 5, 5, 5, 5, 0.5f);
    o = SIGRENDER_OPTIONS_DEFAULT;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    g_assert_cmpuint(count_dark(&img), >, 0);
    sigrender_image_clear(&img);
    sigink_free(ink);
}

static void test_png(void)
{
    sigink *ink = sigink_new();
    add_line(ink, 40, 5, 5, 60, 25, 0.6f);
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    o.max_px_per_mm = 100;
    sigrender_image img;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    g_autofree char *dir = g_dir_make_tmp("sigrender-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sig.png", NULL);
    mode_t old_mask = umask(022);
    g_assert_cmpint(sigrender_write_png(&img, path), ==, BK_OK);
    umask(old_mask);
    GStatBuf st; /* a signature is personal data: its owner's alone, whatever the umask */
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);

    png_image back = {.version = PNG_IMAGE_VERSION};
    g_assert_true(png_image_begin_read_from_file(&back, path));
    g_assert_cmpuint(back.width, ==, (unsigned)img.width);
    g_assert_cmpuint(back.height, ==, (unsigned)img.height);
    g_assert_cmpuint(back.format, ==, PNG_FORMAT_GRAY);
    back.format = PNG_FORMAT_GRAY;
    guint8 *px = g_malloc(PNG_IMAGE_SIZE(back));
    g_assert_true(png_image_finish_read(&back, NULL, px, 0, NULL));
    g_assert_cmpmem(px, PNG_IMAGE_SIZE(back), img.pixels, (size_t)img.width * img.height);
    g_free(px);
    png_image_free(&back);

    g_autofree char *nowhere = g_build_filename(dir, "missing", "sig.png", NULL);
    g_assert_cmpint(sigrender_write_png(&img, nowhere), ==, BK_ERR_IO);
    g_unlink(path);
    g_rmdir(dir);
    sigrender_image_clear(&img);
    sigink_free(ink);
}

/* The live ink (what the signing screen shows): a canvas in the box's own mapping (no crop),
 * cleared of what was there, each stroke drawn; and its overlay, black with coverage as alpha. */
static void test_live(void)
{
    sigink *ink = sigink_new();
    add_line(ink, 20, 10, 30, 90, 30, 0.5f); /* a line across the middle */
    add_line(ink, 1, 50, 50, 50, 50, 0.5f);  /* one dot */
    sigrender_image canvas;
    g_assert_cmpint(sigrender_canvas(200, 120, 2.0, 0, 0, &canvas), ==, BK_OK);
    canvas.pixels[0] = 0; /* left over from an earlier frame: cleared */
    g_assert_cmpint(sigrender_live(&canvas, ink, 2, 1.0), ==, BK_OK);
    g_assert_false(dark(&canvas, 0, 0));
    g_assert_true(dark(&canvas, 100, 60));  /* (50, 30) mm on the line */
    g_assert_true(dark(&canvas, 100, 100)); /* the dot at (50, 50) mm */
    g_assert_false(dark(&canvas, 100, 80));
    int x0, y0, x1, y1;
    ink_box(&canvas, &x0, &y0, &x1, &y1);
    g_assert_cmpint(x0, >=, 17);
    g_assert_cmpint(x1, <=, 183);
    g_assert_cmpint(y0, >=, 56);
    g_assert_cmpint(y1, <=, 104);

    uint32_t *argb = biomem_alloc((size_t)canvas.width * (size_t)canvas.height * sizeof *argb);
    g_assert_nonnull(argb);
    sigrender_overlay_argb(&canvas, argb);
    for (size_t i = 0; i < (size_t)canvas.width * (size_t)canvas.height; i++)
        g_assert_cmphex(argb[i], ==, (uint32_t)(255 - canvas.pixels[i]) << 24);
    g_assert_cmphex(argb[60 * 200 + 100] >> 24, >, 127);
    g_assert_cmphex(argb[0], ==, 0);
    biomem_free(argb);

    /* Cleared ink: a white canvas again. */
    sigink_clear(ink);
    g_assert_cmpint(sigrender_live(&canvas, ink, 2, 1.0), ==, BK_OK);
    ink_box(&canvas, &x0, &y0, &x1, &y1);
    g_assert_cmpint(x1, ==, -1);
    sigrender_image_clear(&canvas);
    sigink_free(ink);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sigrender/fit-and-crop", test_fit_and_crop);
    g_test_add_func("/sigrender/never-finer-than-pad", test_never_finer_than_pad);
    g_test_add_func("/sigrender/pressure-width", test_pressure_width);
    g_test_add_func("/sigrender/smooth", test_smooth);
    g_test_add_func("/sigrender/refused", test_refused);
    g_test_add_func("/sigrender/png", test_png);
    g_test_add_func("/sigrender/live", test_live);
    int r = g_test_run();
    g_assert_cmpuint(biomem_live_count(), ==, 0);
    return r;
}
