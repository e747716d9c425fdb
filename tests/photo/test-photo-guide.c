/* The live view's head guide (icao_guide_get, drawn by ui/screens/photo_guide.c) is where the
 * geometry checks want the head: frontal portraits of ../shared/data/faces placed in a 512x340
 * live frame (the size the photo service analyses) with their head at the guide's size and
 * place pass every geometry check in the live analysis (facecheck_frame with the landmarks);
 * placed clearly outside it (larger, higher, to the side) they fail one. With other limits the
 * guide moves with them, and a head at it passes them.
 *
 * Environment: BIOKIOSK_FACES, BIOKIOSK_CASCADES, optionally BIOKIOSK_LANDMARK_MODEL; exit 77
 * when one of them is not there. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "imaging/face.h"
#include "imaging/facecheck.h"
#include "imaging/faceshape.h"
#include "imaging/icao.h"
#include "imaging/landmarks.h"
#include "imaging/picio.h"

#include "facemodels.h"

#define FRAME_W 512
#define FRAME_H 340
/* the portraits tried: the studio ones (the casual frl_lisa* are framed too tightly for a
 * frame twice as wide as high) */
#define PORTRAITS 8

static const char *faces_dir;
static face_finder *finder;
static landmarks *model;

static const char *const geometry[] = {"head_in_frame", "eye_distance", "head_width",
                                       "head_height",   "eye_line",     "face_centre"};

/* A portrait and its head as the checks estimate it (icao.c: the crown 1.1 eye-to-chin
 * distances above the eyes, the chin one below). */
typedef struct portrait {
    char *name;
    pic *p;
    double eye[2], head_h;
} portrait;

static bool load_portrait(const char *name, portrait *out)
{
    g_autofree char *path = g_build_filename(faces_dir, "frontal", name, NULL);
    g_autofree char *data = NULL;
    gsize size = 0;
    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    pic *p = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data, size, 1, &p), ==, BK_OK);
    icao_settings set = icao_settings_default(false);
    face_result fr;
    icao_result ir;
    g_assert_cmpint(facecheck_picture(finder, model, p, &set, &fr, &ir), ==, BK_OK);
    icao_result_clear(&ir);
    if (fr.n_faces != 1 || !fr.has_shape) {
        pic_free(p);
        return false;
    }
    faceshape_measures fm;
    faceshape_measure(p, &fr.shape, &fm);
    *out = (portrait){g_strdup(name), p, {fm.eye_mid[0], fm.eye_mid[1]}, fm.eye_chin * 2.1};
    return true;
}

/* The live frame with the portrait's head `size` times the guide's height, its eyes at (ex, ey)
 * (fractions of the frame), and the live analysis of it with `set`. */
static void place(const portrait *pt, const icao_guide *g, double size, double ex, double ey,
                  const icao_settings *limits, icao_result *ir)
{
    double head_px = (g->chin - g->crown) * FRAME_H * size;
    double step = pt->head_h / head_px;
    pic *frame = NULL;
    g_assert_cmpint(pic_warp(pt->p, pt->eye[0] - ex * FRAME_W * step,
                             pt->eye[1] - ey * FRAME_H * step, 0, step, FRAME_W, FRAME_H, &frame),
                    ==, BK_OK);
    icao_settings set = *limits;
    set.live = true;
    set.capture_scale = 6000.0 / FRAME_W; /* the photo is 6000x4000 */
    facecheck_live live;
    facecheck_live_init(&live, 10);
    face_result fr;
    g_assert_cmpint(facecheck_frame(finder, model, &live, frame, &set, &fr, ir), ==, BK_OK);
    pic_free(frame);
}

/* The geometry checks that failed, as "name=value ..." (empty: all passed); every one must be
 * there. */
static void failed_geometry(const icao_result *ir, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t k = 0; k < G_N_ELEMENTS(geometry); k++) {
        const icao_check *c = NULL;
        for (int i = 0; i < ir->n_checks; i++)
            if (strcmp(ir->checks[i].name, geometry[k]) == 0)
                c = &ir->checks[i];
        if (c == NULL) {
            g_strlcat(buf, geometry[k], size);
            g_strlcat(buf, "=missing ", size);
        } else if (!c->pass) {
            char one[64];
            g_snprintf(one, sizeof one, "%s=%.3f ", c->name, c->value);
            g_strlcat(buf, one, size);
        }
    }
}

static GPtrArray *portraits;

static void test_guide_passes(void)
{
    icao_settings set = icao_settings_default(false);
    icao_guide g;
    icao_guide_get(&set, FRAME_W, FRAME_H, &g);
    g_test_message("guide in a %dx%d frame: head %.3f-%.3f of the height (%.3f), eye line %.3f, "
                   "centre %.3f, half width %.3f of the width",
                   FRAME_W, FRAME_H, g.crown, g.chin, g.chin - g.crown, g.eye_line, g.cx,
                   g.half_width);
    /* inside the frame, and the head as high as the crop aims (0.68 of a window the frame's
     * height) */
    g_assert_cmpfloat(g.crown, >, 0);
    g_assert_cmpfloat(g.chin, <, 1);
    g_assert_cmpfloat(fabs(g.chin - g.crown - set.head_height_goal), <, 1e-9);
    for (guint i = 0; i < portraits->len; i++) {
        const portrait *pt = g_ptr_array_index(portraits, i);
        char bad[256];
        icao_result ir;
        /* at the guide */
        place(pt, &g, 1, g.cx, g.eye_line, &set, &ir);
        failed_geometry(&ir, bad, sizeof bad);
        g_test_message("%s at the guide: %s", pt->name,
                       bad[0] ? bad : "every geometry check passes");
        g_assert_cmpstr(bad, ==, "");
        icao_result_clear(&ir);
        /* clearly outside it: larger than the frame allows, higher, to the side */
        const struct {
            const char *what;
            double size, ex, ey;
        } out[] = {{"1.45 times as large", 1.45, g.cx, g.eye_line},
                   {"a fifth of the height higher", 1, g.cx, g.eye_line - 0.2},
                   {"at the side", 1, 0.12, g.eye_line}};
        for (size_t k = 0; k < G_N_ELEMENTS(out); k++) {
            place(pt, &g, out[k].size, out[k].ex, out[k].ey, &set, &ir);
            failed_geometry(&ir, bad, sizeof bad);
            g_test_message("%s %s: %s", pt->name, out[k].what, bad);
            g_assert_cmpstr(bad, !=, "");
            icao_result_clear(&ir);
        }
    }
}

/* A kiosk whose limits want the eyes higher (and its crop aims there): its guide moves up and
 * shrinks to keep the head in the frame, and a head at it passes those limits. (A head at the
 * default guide may pass them too: a head smaller than the frame's crop window lets the crop
 * move, so the eye line binds only on heads as large as the guide or larger. The crop centres
 * the face, so centre limits that leave out the middle could not pass anywhere.) */
static void test_guide_follows_limits(void)
{
    icao_settings def = icao_settings_default(false), set = def;
    set.eye_line_min = 0.30;
    set.eye_line_max = 0.36;
    set.eye_line_goal = 0.33;
    icao_guide g, gd;
    icao_guide_get(&set, FRAME_W, FRAME_H, &g);
    icao_guide_get(&def, FRAME_W, FRAME_H, &gd);
    g_test_message("narrowed limits' guide: head %.3f-%.3f, eye line %.3f, centre %.3f (default: "
                   "%.3f-%.3f, %.3f, %.3f)",
                   g.crown, g.chin, g.eye_line, g.cx, gd.crown, gd.chin, gd.eye_line, gd.cx);
    g_assert_cmpfloat(fabs(g.eye_line - 0.33), <, 1e-9);
    g_assert_cmpfloat(g.crown, >, 0);
    for (guint i = 0; i < portraits->len; i++) {
        const portrait *pt = g_ptr_array_index(portraits, i);
        char bad[256];
        icao_result ir;
        place(pt, &g, 1, g.cx, g.eye_line, &set, &ir);
        failed_geometry(&ir, bad, sizeof bad);
        g_test_message("%s at the narrowed guide: %s", pt->name, bad[0] ? bad : "passes");
        g_assert_cmpstr(bad, ==, "");
        icao_result_clear(&ir);
    }
}

static int by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void portrait_free(gpointer data)
{
    portrait *pt = data;
    pic_free(pt->p);
    g_free(pt->name);
    g_free(pt);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    faces_dir = g_getenv("BIOKIOSK_FACES");
    g_autofree char *dir = faces_dir ? g_build_filename(faces_dir, "frontal", NULL) : NULL;
    GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    if (d == NULL)
        return 77; /* ../shared/data/faces is not there */
    if (!facemodels_load(&finder, &model)) {
        g_dir_close(d);
        return 77; /* opencv-data or libdlib-data is not installed */
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (g_str_has_prefix(n, "frl_london_") && g_str_has_suffix(n, ".jpg"))
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, by_name);
    portraits = g_ptr_array_new_with_free_func(portrait_free);
    /* every fifth, in name order, until PORTRAITS are found */
    for (guint i = 0; i < names->len && portraits->len < PORTRAITS; i += 5) {
        portrait *pt = g_new0(portrait, 1);
        if (load_portrait(g_ptr_array_index(names, i), pt))
            g_ptr_array_add(portraits, pt);
        else
            g_free(pt);
    }
    g_ptr_array_unref(names);
    g_assert_cmpint(portraits->len, ==, PORTRAITS);
    g_test_add_func("/photo-guide/head-at-the-guide-passes", test_guide_passes);
    g_test_add_func("/photo-guide/follows-the-limits", test_guide_follows_limits);
    int r = g_test_run();
    g_ptr_array_unref(portraits);
    landmarks_free(model);
    face_finder_free(finder);
    return r;
}
