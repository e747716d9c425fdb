/* The kiosk's capture check (facecheck_capture) finds the same face, and judges it alike,
 * whatever the size of the capture around it: one shared portrait (frontal/frl_london_001_03,
 * 1350 px, its rows 100-1299) composed unscaled into a 1600x1200, a 6000x4000 and a 12000x8000
 * frame (the portrait's edges repeated around it, at a multiple of 16 pixels so that its JPEG
 * blocks are the same in each). The 6000x4000 capture is the reference: the others must find
 * one face and give every check the same verdict with nearly the same value.
 *
 * Environment: BIOKIOSK_FACES (../shared/data/faces), BIOKIOSK_CASCADES, and optionally
 * BIOKIOSK_LANDMARK_MODEL; exit 77 when one of them is not there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jpeglib.h>

#include "core/biomem.h"
#include "imaging/face.h"
#include "imaging/facecheck.h"
#include "imaging/icao.h"
#include "imaging/landmarks.h"
#include "imaging/picio.h"

#include "facemodels.h"

#define PORTRAIT  "frontal/frl_london_001_03.jpg"
#define ROW_FIRST 100
#define ROWS      1200

static const char *faces_dir;
static face_finder *finder;
static landmarks *model;
static pic *portrait;

/* A w x h JPEG (quality 90) of the portrait's rows ROW_FIRST.. at (ox, oy), its edge pixels
 * repeated beyond them; written row by row, so that a 96-megapixel frame needs no 288 MB
 * picture (transfer full: free()). */
static uint8_t *compose(int w, int h, int ox, int oy, size_t *size)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_size = 0;
    jpeg_mem_dest(&c, &out, &out_size);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    uint8_t *row = g_malloc((size_t)w * 3);
    int pw = portrait->width;
    while ((int)c.next_scanline < h) {
        int sy = CLAMP((int)c.next_scanline - oy, 0, ROWS - 1) + ROW_FIRST;
        const uint8_t *src = portrait->px + (size_t)sy * (size_t)pw * 3;
        for (int x = 0; x < w; x++)
            memcpy(row + (size_t)x * 3, src + (size_t)CLAMP(x - ox, 0, pw - 1) * 3, 3);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    g_free(row);
    *size = out_size;
    return out;
}

typedef struct checked {
    int w, h;
    face_result fr;
    icao_result ir;
} checked;

static void check_capture(int w, int h, checked *out)
{
    /* the portrait in the middle, on 16-pixel blocks */
    int ox = (w - portrait->width) / 2 / 16 * 16, oy = (h - ROWS) / 2 / 16 * 16;
    size_t size = 0;
    uint8_t *jpeg = compose(w, h, ox, oy, &size);
    icao_settings set = icao_settings_default(false);
    gint64 t0 = g_get_monotonic_time();
    g_assert_cmpint(
        facecheck_capture(finder, model, jpeg, size, &set, &out->fr, &out->ir, &out->w, &out->h),
        ==, BK_OK);
    double ms = (double)(g_get_monotonic_time() - t0) / 1000;
    free(jpeg);
    const icao_check *first = icao_first_failure(&out->ir);
    g_test_message("%dx%d (%zu bytes): faces %d, eyes (%.1f, %.1f) (%.1f, %.1f) in the portrait, "
                   "compliant %d, first failure %s, %.0f ms",
                   w, h, size, out->fr.n_faces, out->fr.left[0] - ox, out->fr.left[1] - oy,
                   out->fr.right[0] - ox, out->fr.right[1] - oy, out->ir.compliant,
                   first ? first->name : "none", ms);
    for (int i = 0; i < out->fr.n_faces; i++)
        out->fr.faces[i].x -= ox, out->fr.faces[i].y -= oy;
    for (int i = 0; i < 2; i++) {
        out->fr.left[i] -= i ? oy : ox;
        out->fr.right[i] -= i ? oy : ox;
    }
}

/* How far a check's value may differ from the 6000x4000 capture's: the same face pixels, found
 * by another search (the still one on a picture decoded whole, or the first pass on a larger
 * decode), so the landmarks start from another box: 1.5 degrees for the angles, else 3 % of the
 * value, at least 0.01 (ratios) or 1 (lumas, pixels). */
static double tolerance(const icao_check *c)
{
    if (!strcmp(c->name, "roll") || !strcmp(c->name, "yaw") || !strcmp(c->name, "pitch"))
        return 1.5;
    double floor = fabs(c->value) > 2 ? 1.0 : 0.01;
    return fmax(0.03 * fabs(c->value), floor);
}

static void assert_same_checks(const checked *ref, const checked *got)
{
    g_assert_cmpint(got->fr.n_faces, ==, 1);
    double iod = hypot(ref->fr.right[0] - ref->fr.left[0], ref->fr.right[1] - ref->fr.left[1]);
    double e =
        fmax(hypot(got->fr.left[0] - ref->fr.left[0], got->fr.left[1] - ref->fr.left[1]),
             hypot(got->fr.right[0] - ref->fr.right[0], got->fr.right[1] - ref->fr.right[1]));
    g_test_message("%dx%d against 6000x4000: eyes %.1f %% of the eye distance apart", got->w,
                   got->h, e / iod * 100);
    g_assert_cmpfloat(e / iod, <, 0.05);
    g_assert_cmpint(got->ir.compliant, ==, ref->ir.compliant);
    g_assert_cmpint(got->ir.n_checks, ==, ref->ir.n_checks);
    for (int i = 0; i < ref->ir.n_checks; i++) {
        const icao_check *a = &ref->ir.checks[i], *b = &got->ir.checks[i];
        g_test_message("  %s: %.3f %s / %.3f %s", a->name, a->value, a->pass ? "pass" : "FAIL",
                       b->value, b->pass ? "pass" : "FAIL");
        g_assert_cmpstr(b->name, ==, a->name);
        g_assert_cmpint(b->pass, ==, a->pass);
        g_assert_cmpfloat(fabs(b->value - a->value), <=, tolerance(a));
    }
}

static void test_sizes(void)
{
    checked ref, small, large;
    check_capture(6000, 4000, &ref);
    g_assert_cmpint(ref.fr.n_faces, ==, 1);
    g_assert_true(ref.ir.landmarks && ref.ir.output != NULL);
    check_capture(1600, 1200, &small);
    check_capture(12000, 8000, &large);
    g_assert_cmpint(large.w, ==, 12000);
    g_assert_cmpint(large.h, ==, 8000);
    assert_same_checks(&ref, &small);
    assert_same_checks(&ref, &large);
    icao_result_clear(&ref.ir);
    icao_result_clear(&small.ir);
    icao_result_clear(&large.ir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    faces_dir = g_getenv("BIOKIOSK_FACES");
    g_autofree char *file = faces_dir ? g_build_filename(faces_dir, PORTRAIT, NULL) : NULL;
    g_autofree char *data = NULL;
    gsize size = 0;
    if (file == NULL || !g_file_get_contents(file, &data, &size, NULL))
        return 77; /* ../shared/data/faces is not there */
    g_assert_cmpint(picio_decode((const uint8_t *)data, size, 1, &portrait), ==, BK_OK);
    g_assert_cmpint(portrait->height, >=, ROW_FIRST + ROWS);
    if (!facemodels_load(&finder, &model)) {
        pic_free(portrait);
        return 77; /* opencv-data or libdlib-data is not installed */
    }
    g_test_add_func("/capture-size/same-face-and-checks", test_sizes);
    int r = g_test_run();
    landmarks_free(model);
    face_finder_free(finder);
    pic_free(portrait);
    return r;
}
