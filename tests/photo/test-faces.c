/* Face and eye finding, the crop and the checks, on the real portraits of
 * ../shared/data/faces (path in BIOKIOSK_FACES): eye positions against the MANIFEST's
 * annotations, the eyes where the standard puts them in the crop, and each non-compliant
 * picture failing the check it was made for. */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "core/biomem.h"
#include "imaging/face.h"
#include "imaging/icao.h"
#include "imaging/picio.h"

static const char *faces_dir;
static face_finder *finder;

typedef struct row {
    char *file;
    double eyes[4]; /* left x, y, right x, y; NAN when not annotated */
    int faces;
} row;

static GPtrArray *manifest;
/* file -> face_result: each picture is searched once, however many tests look at it */
static GHashTable *found;

static void find(const char *file, const pic *p, face_result *out)
{
    face_result *cached = g_hash_table_lookup(found, file);
    if (cached == NULL) {
        cached = g_new(face_result, 1);
        face_options o = face_options_still();
        g_assert_cmpint(face_find(finder, p, &o, cached), ==, BK_OK);
        g_hash_table_insert(found, g_strdup(file), cached);
    }
    *out = *cached;
}

static void row_free(gpointer p)
{
    row *r = p;
    g_free(r->file);
    g_free(r);
}

static gboolean load_manifest(void)
{
    char *path = g_build_filename(faces_dir, "MANIFEST.tsv", NULL);
    char *text = NULL;
    gboolean ok = g_file_get_contents(path, &text, NULL, NULL);
    g_free(path);
    if (!ok)
        return FALSE;
    manifest = g_ptr_array_new_with_free_func(row_free);
    char **lines = g_strsplit(text, "\n", -1);
    for (int i = 1; lines[i] != NULL; i++) {
        char **f = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(f) >= 10) {
            row *r = g_new0(row, 1);
            r->file = g_strdup(f[0]);
            for (int k = 0; k < 4; k++) {
                char *s = g_strstrip(f[5 + k]);
                r->eyes[k] = *s ? g_ascii_strtod(s, NULL) : NAN;
            }
            r->faces = atoi(f[9]);
            g_ptr_array_add(manifest, r);
        }
        g_strfreev(f);
    }
    g_strfreev(lines);
    g_free(text);
    return TRUE;
}

static pic *load(const char *file)
{
    char *path = g_build_filename(faces_dir, file, NULL);
    char *data = NULL;
    gsize size = 0;
    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    g_free(path);
    pic *p = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data, size, 1, &p), ==, BK_OK);
    g_free(data);
    return p;
}

static const row *find_row(const char *file)
{
    for (guint i = 0; i < manifest->len; i++) {
        const row *r = g_ptr_array_index(manifest, i);
        if (strcmp(r->file, file) == 0)
            return r;
    }
    g_error("%s not in the MANIFEST", file);
    return NULL;
}

/* Measured 52 of 54 (96.3%) with this finder: two London portraits (008, 096) get an eye
 * more than 10% of the eye distance off. 0.90 leaves room for three more misses from floating
 * point or JPEG decoder differences between builds, and still fails when the finder regresses
 * (a finder that only guessed from the face box scored 30-40% in trials). */
#define EYE_RATE_MIN 0.90

static void test_eyes_on_frontal_set(void)
{
    int total = 0, good = 0;
    for (guint i = 0; i < manifest->len; i++) {
        const row *r = g_ptr_array_index(manifest, i);
        if (!g_str_has_prefix(r->file, "frontal/") || isnan(r->eyes[0]))
            continue;
        pic *p = load(r->file);
        face_result fr;
        find(r->file, p, &fr);
        double iod = hypot(r->eyes[2] - r->eyes[0], r->eyes[3] - r->eyes[1]);
        double el = hypot(fr.left[0] - r->eyes[0], fr.left[1] - r->eyes[1]) / iod;
        double er = hypot(fr.right[0] - r->eyes[2], fr.right[1] - r->eyes[3]) / iod;
        bool hit = fr.n_faces >= 1 && el <= 0.1 && er <= 0.1;
        g_test_message("%s faces %d eye errors %.3f %.3f of the eye distance%s", r->file,
                       fr.n_faces, el, er, hit ? "" : " MISS");
        total++;
        good += hit;
        g_assert_cmpint(fr.n_faces, ==, 1);
        pic_free(p);
    }
    double rate = (double)good / total;
    g_test_message("eyes within 10%% of the eye distance: %d of %d (%.1f%%)", good, total,
                   100 * rate);
    g_assert_cmpint(total, >=, 50);
    g_assert_cmpfloat(rate, >=, EYE_RATE_MIN);
}

/* A portrait as live view shows it: widened to the camera's 3:2 by repeating each row's edge
 * pixels (the studio background is plain) and shrunk to 512 x 340 (a 1024 x 680 frame decoded
 * at half size, as the photo screen analyses it). *k and *pad map portrait to frame pixels. */
static pic *live_frame(const pic *in, double *k, double *pad)
{
    int w = in->height * 3 / 2, off = (w - in->width) / 2;
    g_assert_cmpint(off, >=, 0);
    pic *wide = NULL, *out = NULL;
    g_assert_cmpint(pic_new(w, in->height, 3, &wide), ==, BK_OK);
    for (int y = 0; y < in->height; y++)
        for (int x = 0; x < w; x++) {
            int sx = CLAMP(x - off, 0, in->width - 1);
            memcpy(wide->px + ((size_t)y * (size_t)w + (size_t)x) * 3,
                   in->px + ((size_t)y * (size_t)in->width + (size_t)sx) * 3, 3);
        }
    g_assert_cmpint(pic_resize(wide, 512, 340, &out), ==, BK_OK);
    pic_free(wide);
    *k = 512.0 / w;
    *pad = off;
    return out;
}

/* Live view's search (face_options_live) finds the eyes within 10% of the eye distance, both
 * with a full search and when tracked from the previous frame's face (face_find_near, here the
 * full search's face moved by a few pixels, as a person moves between frames). Measured: 49 of
 * 54 both ways (3 portraits get no live face: weak detector support and an implausible eye
 * pair at the coarse live settings; 2 have an eye off). */
#define LIVE_EYE_RATE_MIN 0.85

static void test_live_tracked_eyes(void)
{
    int total = 0, full_good = 0, tracked_good = 0;
    for (guint i = 0; i < manifest->len; i++) {
        const row *r = g_ptr_array_index(manifest, i);
        if (!g_str_has_prefix(r->file, "frontal/") || isnan(r->eyes[0]))
            continue;
        pic *p = load(r->file);
        double k = 1, pad = 0;
        pic *f = live_frame(p, &k, &pad);
        double ex[4] = {(r->eyes[0] + pad) * k, r->eyes[1] * k, (r->eyes[2] + pad) * k,
                        r->eyes[3] * k};
        double iod = hypot(ex[2] - ex[0], ex[3] - ex[1]);
        face_options o = face_options_live();
        face_result full, tracked;
        g_assert_cmpint(face_find(finder, f, &o, &full), ==, BK_OK);
        total++;
        if (full.n_faces > 0) {
            full_good += hypot(full.left[0] - ex[0], full.left[1] - ex[1]) / iod <= 0.1 &&
                         hypot(full.right[0] - ex[2], full.right[1] - ex[3]) / iod <= 0.1;
            face_box near = full.faces[0];
            near.x += 3;
            near.y -= 2;
            g_assert_cmpint(face_find_near(finder, f, &o, &near, &tracked), ==, BK_OK);
            bool hit = tracked.n_faces == 1 &&
                       hypot(tracked.left[0] - ex[0], tracked.left[1] - ex[1]) / iod <= 0.1 &&
                       hypot(tracked.right[0] - ex[2], tracked.right[1] - ex[3]) / iod <= 0.1;
            tracked_good += hit;
            g_test_message("%s live: tracked faces %d%s", r->file, tracked.n_faces,
                           hit ? "" : " MISS");
        } else {
            g_test_message("%s live: no face", r->file);
        }
        pic_free(f);
        pic_free(p);
    }
    g_test_message("live eyes within 10%%: full search %d, tracked %d of %d", full_good,
                   tracked_good, total);
    g_assert_cmpint(total, >=, 50);
    g_assert_cmpfloat((double)full_good / total, >=, LIVE_EYE_RATE_MIN);
    g_assert_cmpfloat((double)tracked_good / total, >=, LIVE_EYE_RATE_MIN);
}

/* Tracking never hides a second person: with two faces in the picture every frame gets a full
 * search and both are reported, frame after frame. A lone face is tracked between full
 * searches. */
static void test_tracker_two_faces(void)
{
    pic *two = load("negative/derived_twofaces_004_03_012_03.jpg");
    face_tracker t;
    face_tracker_init(&t, 10);
    face_options o = face_options_live();
    for (int i = 0; i < 4; i++) {
        face_result fr;
        bool full = false;
        g_assert_cmpint(face_track(finder, &t, two, &o, &fr, &full), ==, BK_OK);
        g_assert_cmpint(fr.n_faces, ==, 2);
        g_assert_true(full);
    }
    pic_free(two);
    pic *one = load("frontal/frl_london_001_03.jpg");
    face_tracker_init(&t, 10);
    for (int i = 0; i < 12; i++) {
        face_result fr;
        g_assert_cmpint(face_track(finder, &t, one, &o, &fr, NULL), ==, BK_OK);
        g_assert_cmpint(fr.n_faces, ==, 1);
    }
    /* frames 1 and 11 searched whole, the ten between tracked */
    g_assert_cmpint(t.full_searches, ==, 2);
    g_assert_cmpint(t.tracked_searches, ==, 10);
    pic_free(one);
}

/* One head is one face: a turned head (pose/, 3/4 views and profiles) is found once or not at
 * all, never as two. pose/frll_neutral_right_3quarter_094_04 gathered two overlapping windows
 * on its one head and was told "Only one person in the picture, please". Two people side by
 * side stay two (negative/derived_twofaces, in negatives-fail-the-right-check). */
static void test_one_face_per_head(void)
{
    g_autofree char *dir = g_build_filename(faces_dir, "pose", NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    int n = 0;
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        if (!g_str_has_suffix(name, ".jpg"))
            continue;
        g_autofree char *file = g_build_filename("pose", name, NULL);
        pic *p = load(file);
        face_result fr;
        find(file, p, &fr);
        pic_free(p);
        g_test_message("%s: %d face(s)", file, fr.n_faces);
        g_assert_cmpint(fr.n_faces, <=, 1);
        n++;
    }
    g_dir_close(d);
    g_assert_cmpint(n, ==, 15);
}

static void check(const char *file, bool child, face_result *fr, icao_result *ir)
{
    pic *p = load(file);
    find(file, p, fr);
    icao_settings s = icao_settings_default(child);
    g_assert_cmpint(icao_check_picture(p, fr, &s, ir), ==, BK_OK);
    pic_free(p);
}

static const icao_check *get_check(const icao_result *ir, const char *name)
{
    for (int i = 0; i < ir->n_checks; i++)
        if (strcmp(ir->checks[i].name, name) == 0)
            return &ir->checks[i];
    return NULL;
}

/* The crop puts the eyes where the standard says: eye line 0.3-0.5 of the height, centred
 * 0.45-0.55, at least 300 px apart; on every studio portrait of the London set. */
static void test_crop_geometry(void)
{
    int n = 0;
    for (guint i = 0; i < manifest->len; i++) {
        const row *r = g_ptr_array_index(manifest, i);
        if (!g_str_has_prefix(r->file, "frontal/frl_london_"))
            continue;
        face_result fr;
        icao_result ir;
        check(r->file, false, &fr, &ir);
        g_assert_true(ir.cropped);
        g_assert_nonnull(ir.output);
        g_assert_cmpint(ir.output->width, ==, ICAO_OUT_WIDTH);
        g_assert_cmpint(ir.output->height, ==, ICAO_OUT_HEIGHT);
        double mx = (ir.out_left[0] + ir.out_right[0]) / 2 / ICAO_OUT_WIDTH;
        double my = (ir.out_left[1] + ir.out_right[1]) / 2 / ICAO_OUT_HEIGHT;
        double d = hypot(ir.out_right[0] - ir.out_left[0], ir.out_right[1] - ir.out_left[1]);
        g_assert_cmpfloat(my, >=, 0.3);
        g_assert_cmpfloat(my, <=, 0.5);
        g_assert_cmpfloat(mx, >=, 0.45);
        g_assert_cmpfloat(mx, <=, 0.55);
        g_assert_cmpfloat(d, >=, 299.5);
        /* the eyes in the output are the found eyes moved by the crop, within a pixel */
        g_assert_true(get_check(&ir, "eye_line")->pass);
        g_assert_true(get_check(&ir, "face_centre")->pass);
        /* these 1350 px studio portraits are too small for 300 px without upscaling: said so */
        g_assert_false(get_check(&ir, "eye_distance")->pass);
        g_assert_true(get_check(&ir, "roll")->pass);
        icao_result_clear(&ir);
        n++;
    }
    g_assert_cmpint(n, >=, 40);
}

/* Each derived non-compliant picture fails the check it was made for, and the picture it was
 * derived from passes that check. */
static void test_negatives_fail_the_right_check(void)
{
    static const struct {
        const char *file, *check, *source;
    } cases[] = {
        {"negative/derived_rot20_025_03.jpg", "roll", "frontal/frl_london_025_03.jpg"},
        {"negative/derived_rot90_036_03.jpg", "roll", "frontal/frl_london_036_03.jpg"},
        {"negative/frl_lisa3.jpg", "roll", NULL},
        {"negative/derived_dark_064_03.jpg", "face_brightness", "frontal/frl_london_064_03.jpg"},
        {"negative/derived_overexposed_007_03.jpg", "overexposure",
         "frontal/frl_london_007_03.jpg"},
        {"negative/derived_blur12_045_03.jpg", "sharpness", "frontal/frl_london_045_03.jpg"},
        {"negative/derived_blur4_099_03.jpg", "sharpness", "frontal/frl_london_099_03.jpg"},
        {"negative/derived_small_119_03.jpg", "eye_distance", NULL},
        {"negative/derived_croptop_126_03.jpg", "head_in_frame", "frontal/frl_london_126_03.jpg"},
        {"negative/derived_twofaces_004_03_012_03.jpg", "faces", "frontal/frl_london_004_03.jpg"},
        {"negative/pixabay_fox-715588_640.jpg", "faces", NULL},
        {"negative/pixabay_mountains-615428_640.jpg", "faces", NULL},
        {"negative/pixabay_road-1072821_640.jpg", "faces", NULL},
        {"negative/pixabay_sunflower-1627193_640.jpg", "faces", NULL},
        {"negative/skimage_coffee.png", "faces", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        face_result fr;
        icao_result ir;
        check(cases[i].file, false, &fr, &ir);
        const icao_check *c = get_check(&ir, cases[i].check);
        g_assert_nonnull(c);
        g_test_message("%s: %s = %.3f", cases[i].file, c->name, c->value);
        g_assert_false(c->pass);
        g_assert_false(ir.compliant);
        g_assert_nonnull(c->instruction);
        const row *r = find_row(cases[i].file);
        if (strcmp(cases[i].check, "faces") == 0)
            g_assert_cmpint(fr.n_faces, ==, r->faces);
        icao_result_clear(&ir);
        if (cases[i].source != NULL) {
            check(cases[i].source, false, &fr, &ir);
            c = get_check(&ir, cases[i].check);
            g_assert_nonnull(c);
            g_assert_true(c->pass);
            icao_result_clear(&ir);
        }
    }
}

/* The roll of a picture turned by 20 degrees is measured as about 20 degrees, and a child's
 * limit is wider but not that wide. */
static void test_roll_and_child_limits(void)
{
    face_result fr;
    icao_result ir;
    check("negative/derived_rot20_025_03.jpg", true, &fr, &ir);
    const icao_check *c = get_check(&ir, "roll");
    g_assert_cmpfloat(fabs(fabs(c->value) - 20), <, 3);
    g_assert_cmpfloat(c->max, >, 8);
    g_assert_false(c->pass);
    icao_result_clear(&ir);
}

/* A frontal portrait changed outside the head (an ellipse round the face box, wider than the
 * head: the background the checks look at is the crop's upper corners beside it). */
typedef enum change { STRIPES, TINT, CAST } change;

static pic *changed(const pic *src, const face_result *fr, change what)
{
    pic *p = NULL;
    g_assert_cmpint(pic_new(src->width, src->height, 3, &p), ==, BK_OK);
    memcpy(p->px, src->px, (size_t)src->width * (size_t)src->height * 3);
    const face_box *b = &fr->faces[0];
    double cx = (fr->left[0] + fr->right[0]) / 2, cy = (fr->left[1] + fr->right[1]) / 2;
    double ax = 0.6 * b->w, ay = 1.1 * b->h;
    for (int y = 0; y < p->height; y++)
        for (int x = 0; x < p->width; x++) {
            uint8_t *px = p->px + ((size_t)y * (size_t)p->width + (size_t)x) * 3;
            double dx = (x - cx) / ax, dy = (y - cy) / ay;
            bool background = dx * dx + dy * dy > 1;
            int d[3] = {0, 0, 0};
            if (what == STRIPES && background)
                d[0] = d[1] = d[2] = (x / 24 + y / 24) % 2 ? 35 : -35; /* a chequered backdrop */
            else if (what == TINT && background)
                d[0] = 25, d[2] = -25; /* a beige backdrop of the same brightness */
            else if (what == CAST)
                d[0] = 40, d[2] = -40; /* the whole picture: white balance off */
            for (int k = 0; k < 3; k++)
                px[k] = (uint8_t)CLAMP(px[k] + d[k], 0, 255);
        }
    return p;
}

/* A chequered backdrop fails background_uniformity, a beige one background_grey, a picture
 * with a colour cast colour_cast; the portrait they are made from passes all three. */
static void test_background_and_colour(void)
{
    static const struct {
        change what;
        const char *check;
    } cases[] = {
        {STRIPES, "background_uniformity"},
        {TINT, "background_grey"},
        {CAST, "colour_cast"},
    };
    const char *file = "frontal/frl_london_001_03.jpg";
    pic *src = load(file);
    face_result fr;
    find(file, src, &fr);
    g_assert_cmpint(fr.n_faces, ==, 1);
    icao_settings set = icao_settings_default(false);
    icao_result ir;
    g_assert_cmpint(icao_check_picture(src, &fr, &set, &ir), ==, BK_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_true(get_check(&ir, cases[i].check)->pass);
    icao_result_clear(&ir);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        pic *p = changed(src, &fr, cases[i].what);
        face_result f2;
        face_options o = face_options_still();
        g_assert_cmpint(face_find(finder, p, &o, &f2), ==, BK_OK);
        g_assert_cmpint(f2.n_faces, ==, 1);
        g_assert_cmpint(icao_check_picture(p, &f2, &set, &ir), ==, BK_OK);
        const icao_check *c = get_check(&ir, cases[i].check);
        g_test_message("%s: %s = %.2f (limit %.2f)", file, c->name, c->value, c->max);
        g_assert_false(c->pass);
        g_assert_true(c->for_staff);
        g_assert_nonnull(c->instruction);
        g_assert_false(ir.compliant);
        icao_result_clear(&ir);
        pic_free(p);
    }
    pic_free(src);
}

/* Every limit is a setting: the table names each field once, with the default's value, and a
 * limit set through it is the one the check uses. */
static void test_limits_are_settings(void)
{
    size_t n = 0;
    const icao_limit *lim = icao_limits(&n);
    g_assert_cmpuint(n, >=, 19);
    icao_settings def = icao_settings_default(false), child = icao_settings_default(true);
    bool roll_child = false;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            g_assert_cmpuint(lim[k].offset, !=, lim[i].offset);
        g_assert_true(isfinite(icao_limit_get(&def, &lim[i])));
        if (!lim[i].child_variant)
            g_assert_cmpfloat(icao_limit_get(&def, &lim[i]), ==, icao_limit_get(&child, &lim[i]));
        roll_child =
            roll_child || (strcmp(lim[i].name, "roll_max_deg") == 0 && lim[i].child_variant);
    }
    g_assert_true(roll_child);
    /* face_brightness's upper limit was a constant (235): now a setting */
    const char *file = "frontal/frl_london_001_03.jpg";
    face_result fr;
    icao_result ir;
    check(file, false, &fr, &ir);
    double luma = get_check(&ir, "face_brightness")->value;
    g_assert_true(get_check(&ir, "face_brightness")->pass);
    icao_result_clear(&ir);
    for (size_t i = 0; i < n; i++)
        if (strcmp(lim[i].name, "face_luma_max") == 0)
            icao_limit_set(&def, &lim[i], luma - 1);
    g_assert_cmpfloat(def.face_luma_max, ==, luma - 1);
    pic *p = load(file);
    g_assert_cmpint(icao_check_picture(p, &fr, &def, &ir), ==, BK_OK);
    g_assert_false(get_check(&ir, "face_brightness")->pass);
    g_assert_cmpfloat(get_check(&ir, "face_brightness")->max, ==, luma - 1);
    icao_result_clear(&ir);
    pic_free(p);
}

/* What the checks never judge is named; what needs landmarks is named too when a face had none
 * (a caller that did not fit them), and no longer when it had. */
static bool listed(const char *const *n, const char *name)
{
    for (; *n; n++)
        if (strcmp(*n, name) == 0)
            return true;
    return false;
}

static void test_not_checked_is_said(void)
{
    static const char *const shape[] = {"mouth_closed", "eyes_open", "yaw", "pitch",
                                        "illumination_uniformity"};
    const char *const *never = icao_not_checked();
    g_assert_true(listed(never, "expression") && listed(never, "gaze") &&
                  listed(never, "head_covering"));
    icao_result without = {0}, with = {.landmarks = true};
    for (size_t i = 0; i < G_N_ELEMENTS(shape); i++) {
        g_assert_false(listed(never, shape[i]));
        g_assert_false(listed(icao_result_not_checked(&with), shape[i]));
        g_assert_true(listed(icao_result_not_checked(&without), shape[i]));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    faces_dir = g_getenv("BIOKIOSK_FACES");
    const char *cascades = g_getenv("BIOKIOSK_CASCADES");
    if (faces_dir == NULL || !load_manifest()) {
        printf(
            "1..0 # SKIP: the face photographs of ../shared/data/faces are not there\n"); /* TAP:
                                                                                             the
                                                                                             whole
                                                                                             test is
                                                                                             skipped
                                                                                           */
        return 0;
    }
    if (cascades == NULL || face_finder_new(cascades, &finder) != BK_OK) {
        printf(
            "1..0 # SKIP: the Haar cascades of opencv-data are not installed\n"); /* TAP: the whole
                                                                                     test is skipped
                                                                                   */
        return 0;
    }
    found = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_test_add_func("/faces/eyes-on-frontal-set", test_eyes_on_frontal_set);
    g_test_add_func("/faces/crop-geometry", test_crop_geometry);
    g_test_add_func("/faces/live-tracked-eyes", test_live_tracked_eyes);
    g_test_add_func("/faces/tracker-two-faces", test_tracker_two_faces);
    g_test_add_func("/faces/one-face-per-head", test_one_face_per_head);
    g_test_add_func("/faces/negatives-fail-the-right-check", test_negatives_fail_the_right_check);
    g_test_add_func("/faces/roll-and-child-limits", test_roll_and_child_limits);
    g_test_add_func("/faces/not-checked-is-said", test_not_checked_is_said);
    g_test_add_func("/faces/background-and-colour", test_background_and_colour);
    g_test_add_func("/faces/limits-are-settings", test_limits_are_settings);
    int r = g_test_run();
    face_finder_free(finder);
    g_hash_table_unref(found);
    g_ptr_array_unref(manifest);
    return r;
}
