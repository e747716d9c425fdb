/* The landmark checks on the labelled portraits of ../shared/data/faces (LABELS.tsv, MANIFEST.tsv;
 * path in BIOKIOSK_FACES): open smiles fail mouth_closed and closed mouths pass it; 3/4 views and
 * profiles are refused; the frontal references keep passing; the eye centres are at least as
 * good as the Haar eye search alone. The figures are printed (g_test_message) for docs/photo.md.
 *
 * Not tested, for want of pictures: eyes closed (no openly licensed portrait has them; the
 * eyes_open limit is half the least open eye measured here), pitch (no picture has the head
 * tilted up or down; warping one in perspective would test the warp, not the head), glasses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/biomem.h"
#include "imaging/face.h"
#include "imaging/facecheck.h"
#include "imaging/faceshape.h"
#include "imaging/icao.h"
#include "imaging/landmarks.h"
#include "imaging/picio.h"

#include "facemodels.h"

static const char *faces_dir;
static face_finder *finder;
static landmarks *model;

/* One labelled picture, searched, fitted and checked once. */
typedef struct shot {
    char *file;  /* relative to faces_dir, e.g. "mouth/frll_smiling_front_002_08.jpg" */
    char *label; /* LABELS.tsv's label column, or "" for frontal/ */
    double eyes[4];
    face_result fr;
    icao_result ir;
    double haar_eye_err; /* worse eye's error / eye distance, before and after the landmarks */
    double eye_err;
    int haar_faces; /* faces the Haar search found (0: the still check looked with dlib's
                       detector for a turned head, faceshape_fit_unfound) */
} shot;

static GPtrArray *shots;

static pic *load(const char *file)
{
    g_autofree char *path = g_build_filename(faces_dir, file, NULL);
    g_autofree char *data = NULL;
    gsize size = 0;
    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    pic *p = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data, size, 1, &p), ==, BK_OK);
    return p;
}

static double eye_error(const face_result *fr, const double e[4])
{
    double iod = hypot(e[2] - e[0], e[3] - e[1]);
    return fmax(hypot(fr->left[0] - e[0], fr->left[1] - e[1]),
                hypot(fr->right[0] - e[2], fr->right[1] - e[3])) /
           iod;
}

static void add_shot(const char *file, const char *label, const double eyes[4])
{
    shot *s = g_new0(shot, 1);
    s->file = g_strdup(file);
    s->label = g_strdup(label);
    for (int i = 0; i < 4; i++)
        s->eyes[i] = eyes != NULL ? eyes[i] : NAN;
    pic *p = load(file);
    face_options o = face_options_still();
    icao_settings set = icao_settings_default(false);
    g_assert_cmpint(face_find(finder, p, &o, &s->fr), ==, BK_OK);
    s->haar_faces = s->fr.n_faces;
    if (s->haar_faces == 0) {
        /* no frontal face: the still check's own path (facecheck_picture, as `photo check`),
         * which then looks for a turned head with dlib's detector */
        g_assert_cmpint(facecheck_picture(finder, model, p, &set, &s->fr, &s->ir), ==, BK_OK);
        s->haar_eye_err = s->eye_err = NAN;
    } else {
        s->haar_eye_err = eyes != NULL ? eye_error(&s->fr, eyes) : NAN;
        g_assert_cmpint(faceshape_fit(model, p, &s->fr), ==, BK_OK);
        s->eye_err = eyes != NULL ? eye_error(&s->fr, eyes) : NAN;
        g_assert_cmpint(icao_check_picture(p, &s->fr, &set, &s->ir), ==, BK_OK);
    }
    pic_free(s->ir.output); /* the crop is not needed, the checks stay */
    s->ir.output = NULL;
    pic_free(p);
    g_ptr_array_add(shots, s);
}

static void shot_free(gpointer p)
{
    shot *s = p;
    g_free(s->file);
    g_free(s->label);
    g_free(s);
}

/* Reads a TSV file's rows as field vectors (transfer full). */
static char ***read_tsv(const char *name, int *n)
{
    g_autofree char *path = g_build_filename(faces_dir, name, NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    char **lines = g_strsplit(text, "\n", -1);
    int count = 0;
    char ***rows = g_new0(char **, g_strv_length(lines) + 1);
    for (int i = 1; lines[i] != NULL; i++)
        if (lines[i][0] != 0)
            rows[count++] = g_strsplit(lines[i], "\t", -1);
    g_strfreev(lines);
    *n = count;
    return rows;
}

static void free_tsv(char ***rows)
{
    for (int i = 0; rows[i] != NULL; i++)
        g_strfreev(rows[i]);
    g_free(rows);
}

static gboolean load_all(void)
{
    int nm = 0, nl = 0;
    char ***manifest = read_tsv("MANIFEST.tsv", &nm);
    char ***labels = read_tsv("LABELS.tsv", &nl);
    if (manifest == NULL || labels == NULL)
        return FALSE;
    shots = g_ptr_array_new_with_free_func(shot_free);
    for (int i = 0; i < nm; i++)
        if (g_str_has_prefix(manifest[i][0], "frontal/") && g_strv_length(manifest[i]) > 8) {
            double e[4];
            for (int k = 0; k < 4; k++)
                e[k] = g_ascii_strtod(manifest[i][5 + k], NULL);
            add_shot(manifest[i][0], "", e);
        }
    for (int i = 0; i < nl; i++)
        if (g_strv_length(labels[i]) > 7)
            add_shot(labels[i][0], labels[i][7], NULL);
    free_tsv(manifest);
    free_tsv(labels);
    return TRUE;
}

static const icao_check *get(const shot *s, const char *name)
{
    for (int i = 0; i < s->ir.n_checks; i++)
        if (strcmp(s->ir.checks[i].name, name) == 0)
            return &s->ir.checks[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Eye centres: with the landmarks no worse than the Haar eye search alone, and every annotated
 * frontal portrait within 10 % of the eye distance (the Haar search alone: 52 of 54). */
static void test_eye_centres(void)
{
    double before[128], after[128];
    int n = 0, within_before = 0, within_after = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if (!g_str_has_prefix(s->file, "frontal/"))
            continue;
        g_assert_true(s->fr.has_shape);
        before[n] = isfinite(s->haar_eye_err) ? s->haar_eye_err : 9;
        after[n] = s->eye_err;
        within_before += before[n] < 0.1;
        within_after += after[n] < 0.1;
        n++;
    }
    qsort(before, (size_t)n, sizeof(double), cmp_double);
    qsort(after, (size_t)n, sizeof(double), cmp_double);
    g_test_message("eye centres, worse eye: Haar alone %d/%d within 10 %%, median %.1f %%; "
                   "with landmarks %d/%d, median %.1f %%",
                   within_before, n, before[n / 2] * 100, within_after, n, after[n / 2] * 100);
    g_assert_cmpint(n, ==, 54);
    g_assert_cmpint(within_after, ==, n);
    g_assert_cmpint(within_after, >=, within_before);
    g_assert_cmpfloat(after[n / 2], <=, before[n / 2] + 1e-9);
}

/* An open smile measures at least this many times the limit, not just over it: the smile
 * frll_smiling_front_008_08, teeth shown, read 0.0177 against 0.016 and passed when enlarged
 * (the run of non-lip pixels broke on teeth as warm as its lips); now 0.040. */
#define OPEN_MARGIN 1.5

/* Open smiles fail mouth_closed by a margin, closed mouths pass it; where "slight" falls is
 * printed. */
static void test_mouth(void)
{
    int open = 0, open_failed = 0, closed = 0, closed_passed = 0, slight = 0, slight_failed = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        const char *m = strstr(s->label, "mouth=");
        if (m == NULL)
            continue;
        const icao_check *c = get(s, "mouth_closed");
        g_assert_nonnull(c);
        g_assert_cmpint(s->haar_faces, >, 0);
        g_test_message("%s %.4f %s", s->file, c->value, m);
        if (g_str_has_prefix(m, "mouth=open")) {
            open++;
            open_failed += !c->pass;
            if (c->pass)
                g_test_message("  an open mouth passed: %s", s->file);
            if (c->value < OPEN_MARGIN * c->max)
                g_error("%s: an open smile measures %.4f, within %.1f times the limit %.3f",
                        s->file, c->value, OPEN_MARGIN, c->max);
        } else if (g_str_has_prefix(m, "mouth=closed")) {
            closed++;
            closed_passed += c->pass;
            if (!c->pass)
                g_test_message("  a closed mouth failed: %s", s->file);
        } else if (g_str_has_prefix(m, "mouth=slight")) {
            slight++;
            slight_failed += !c->pass;
        }
    }
    g_test_message("mouth_closed: open %d/%d fail, closed %d/%d pass, slight %d/%d fail",
                   open_failed, open, closed_passed, closed, slight_failed, slight);
    g_assert_cmpint(open, >=, 15);
    g_assert_cmpint(open_failed, ==, open);
    g_assert_cmpint(closed_passed, ==, closed);
}

/* mouth_closed of the picture `file` made grey (each pixel's red, green and blue its luma, as a
 * monochrome camera gives) or enlarged by `scale` (1: as it is): whether it passes, its value in
 * *value (NAN, and not passed, when no face is found). */
static bool mouth_of(const char *file, bool grey, double scale, double *value)
{
    pic *p = load(file);
    if (grey)
        for (int y = 0; y < p->height; y++)
            for (int x = 0; x < p->width; x++) {
                uint8_t *q = p->px + ((size_t)y * (size_t)p->width + (size_t)x) * 3;
                q[0] = q[1] = q[2] = (uint8_t)pic_luma(p, x, y);
            }
    if (scale != 1) {
        pic *big = NULL;
        g_assert_cmpint(
            pic_resize(p, (int)lround(p->width * scale), (int)lround(p->height * scale), &big), ==,
            BK_OK);
        pic_free(p);
        p = big;
    }
    face_result fr;
    face_options o = face_options_still();
    g_assert_cmpint(face_find(finder, p, &o, &fr), ==, BK_OK);
    bool pass = false;
    *value = NAN;
    if (fr.n_faces > 0) {
        g_assert_cmpint(faceshape_fit(model, p, &fr), ==, BK_OK);
        icao_settings set = icao_settings_default(false);
        icao_result ir;
        g_assert_cmpint(icao_check_picture(p, &fr, &set, &ir), ==, BK_OK);
        pic_free(ir.output);
        for (int i = 0; i < ir.n_checks; i++)
            if (strcmp(ir.checks[i].name, "mouth_closed") == 0) {
                *value = ir.checks[i].value;
                pass = ir.checks[i].pass;
            }
    }
    pic_free(p);
    return pass;
}

/* The open smiles fail mouth_closed also in grey (no lip colour to tell the teeth by) and
 * enlarged 1.6 times (about the size at which the kiosk's test portrait fills its crop): a review
 * found grey open smiles passing, the pixel reading, blind without colour, saying 0. How many
 * closed mouths pass in grey is printed (the landmarks alone then: full lips may read open). */
static void test_mouth_grey_and_enlarged(void)
{
    int open = 0, grey_failed = 0, big_failed = 0, closed = 0, grey_closed_passed = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        const char *m = strstr(s->label, "mouth=");
        if (m == NULL)
            continue;
        bool is_open = g_str_has_prefix(m, "mouth=open");
        if (!is_open && !g_str_has_prefix(m, "mouth=closed"))
            continue;
        double grey = NAN, big = NAN;
        bool grey_pass = mouth_of(s->file, true, 1, &grey);
        bool big_pass = is_open && mouth_of(s->file, false, 1.6, &big);
        g_test_message("%s grey %.4f %s, enlarged %.4f %s", s->file, grey,
                       grey_pass ? "pass" : "fail", big, big_pass ? "pass" : "fail");
        if (is_open) {
            open++;
            grey_failed += !grey_pass;
            big_failed += !big_pass;
            double limit = icao_settings_default(false).mouth_open_max;
            if (!(big >= OPEN_MARGIN * limit))
                g_error("%s enlarged: an open smile measures %.4f, within %.1f times the limit",
                        s->file, big, OPEN_MARGIN);
        } else {
            closed++;
            grey_closed_passed += grey_pass;
        }
    }
    g_test_message("mouth_closed: grey open %d/%d fail, grey closed %d/%d pass, enlarged open "
                   "%d/%d fail",
                   grey_failed, open, grey_closed_passed, closed, big_failed, open);
    g_assert_cmpint(open, >=, 15);
    g_assert_cmpint(grey_failed, ==, open);
    g_assert_cmpint(big_failed, ==, open);
}

/* The label's yaw (LABELS.tsv: about 40 degrees for a 3/4 view, 90 for a profile). */
static double label_yaw(const shot *s)
{
    const char *y = strstr(s->label, "yaw=");
    g_assert_nonnull(y);
    return g_ascii_strtod(y + 4, NULL);
}

/* Every 3/4 view is refused by yaw, turned the way its label says, also those the Haar search
 * finds no frontal face in (dlib's detector finds the turned head, faceshape_fit_unfound: `faces`
 * fails too, and yaw is the first failure, so the person is told which way to turn). Profiles are
 * refused by yaw or by finding no face. */
static void test_pose_refused(void)
{
    int n = 0, quarter = 0, by_yaw = 0, unfound = 0, profile_yaw = 0, no_face = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if (!g_str_has_prefix(s->file, "pose/"))
            continue;
        n++;
        g_assert_false(s->ir.compliant);
        double label = label_yaw(s);
        bool three_quarter = fabs(label) < 60;
        quarter += three_quarter;
        const icao_check *yaw = get(s, "yaw");
        const icao_check *first = icao_first_failure(&s->ir);
        g_assert_nonnull(first);
        g_test_message("%s (yaw %+.0f): Haar faces %d, yaw %.1f, first failure %s", s->file, label,
                       s->haar_faces, yaw ? yaw->value : NAN, first->name);
        if (yaw == NULL) {
            /* no head at all: only for a profile */
            g_assert_false(three_quarter);
            g_assert_cmpint(s->fr.n_faces, ==, 0);
            g_assert_cmpstr(first->name, ==, "faces");
            no_face++;
            continue;
        }
        g_assert_false(yaw->pass);
        g_assert_cmpfloat(label * yaw->value, >, 0);
        if (s->haar_faces == 0) {
            /* found by dlib's detector alone: never compliant, `faces` fails, yaw says why */
            g_assert_cmpint(s->fr.n_faces, ==, 0);
            g_assert_false(get(s, "faces")->pass);
            g_assert_cmpstr(first->name, ==, "yaw");
            g_assert_nonnull(strstr(first->instruction, label > 0 ? "your right" : "your left"));
            unfound += three_quarter;
        }
        by_yaw += three_quarter;
        profile_yaw += !three_quarter;
    }
    g_test_message("pose: 3/4 views %d/%d refused by yaw with their label's sign (%d of them with "
                   "no frontal face, found by dlib's detector); profiles: %d by yaw, %d by finding "
                   "no face",
                   by_yaw, quarter, unfound, profile_yaw, no_face);
    g_assert_cmpint(n, ==, 15);
    g_assert_cmpint(quarter, ==, 12);
    g_assert_cmpint(by_yaw, ==, quarter);
}

/* The frontal references keep passing: no more than 1 in 20 refused by the landmark checks. */
static void test_frontal_keep_passing(void)
{
    static const char *const checks[] = {"mouth_closed", "eyes_open", "yaw", "pitch",
                                         "illumination_uniformity"};
    int n = 0, refused = 0, per[G_N_ELEMENTS(checks)] = {0};
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if (!g_str_has_prefix(s->file, "frontal/") && !g_str_has_prefix(s->file, "neutral/"))
            continue;
        n++;
        g_assert_cmpint(s->haar_faces, >, 0); /* dlib's detector is never asked to look */
        g_assert_true(s->fr.has_shape);
        bool fails = false;
        for (size_t k = 0; k < G_N_ELEMENTS(checks); k++) {
            const icao_check *c = get(s, checks[k]);
            g_assert_nonnull(c);
            if (!c->pass) {
                per[k]++;
                fails = true;
                g_test_message("%s fails %s: %.3f", s->file, c->name, c->value);
            }
        }
        refused += fails;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(checks); k++)
        g_test_message("%s refuses %d of %d frontal portraits", checks[k], per[k], n);
    g_test_message("refused by any landmark check: %d of %d", refused, n);
    g_assert_cmpint(n, ==, 60);
    g_assert_cmpint(refused * 20, <=, n);
}

/* A lamp off on one side: one half of an evenly lit portrait darkened to 60 % fails
 * illumination_uniformity, the portrait itself passes. A change of pixels, not of light: it tests
 * the measure and its limit, not how real shadows fall. */
static void test_uneven_light(void)
{
    const char *file = "neutral/frll_neutral_front_094_03.jpg";
    pic *p = load(file);
    face_result fr;
    face_options o = face_options_still();
    g_assert_cmpint(face_find(finder, p, &o, &fr), ==, BK_OK);
    g_assert_cmpint(faceshape_fit(model, p, &fr), ==, BK_OK);
    icao_settings set = icao_settings_default(false);
    icao_result ir;
    for (int dark = 0; dark < 2; dark++) {
        if (dark) {
            int xm = (int)fr.shape.pt[30][0];
            for (int y = 0; y < p->height; y++)
                for (int x = xm; x < p->width; x++)
                    for (int k = 0; k < 3; k++) {
                        uint8_t *q = p->px + ((size_t)y * (size_t)p->width + (size_t)x) * 3 + k;
                        *q = (uint8_t)(*q * 0.6);
                    }
        }
        g_assert_cmpint(icao_check_picture(p, &fr, &set, &ir), ==, BK_OK);
        const icao_check *c = NULL;
        for (int i = 0; i < ir.n_checks; i++)
            if (strcmp(ir.checks[i].name, "illumination_uniformity") == 0)
                c = &ir.checks[i];
        g_assert_nonnull(c);
        g_test_message("%s, %s: illumination_uniformity %.3f", file,
                       dark ? "half darkened" : "as is", c->value);
        g_assert_true(c->pass == !dark);
        if (dark)
            g_assert_nonnull(strstr(c->instruction, "lamps"));
        icao_result_clear(&ir);
    }
    pic_free(p);
}

/* A 6000x4000 capture of a portrait: the portrait as tall as the frame, in its middle (the edges
 * repeated beside it), and its JPEG. */
static pic *capture_of(const pic *portrait, uint8_t **jpeg, size_t *size)
{
    double step = (double)portrait->height / 4000;
    pic *frame = NULL;
    g_assert_cmpint(
        pic_warp(portrait, portrait->width / 2.0 - 3000 * step, 0, 0, step, 6000, 4000, &frame), ==,
        BK_OK);
    g_assert_cmpint(picio_encode_jpeg(frame, 90, jpeg, size), ==, BK_OK);
    return frame;
}

/* A 6000x4000 capture checked in two passes (facecheck_capture: 1/8 decode, then the crop's
 * region only) finds the same face and measures what the whole decoded capture measures. */
static void test_capture_two_passes(void)
{
    pic *portrait = load("neutral/frll_neutral_front_094_03.jpg");
    uint8_t *jpeg = NULL;
    size_t size = 0;
    pic *frame = capture_of(portrait, &jpeg, &size);
    icao_settings set = icao_settings_default(false);
    face_result whole_fr, two_fr;
    icao_result whole, two;
    g_assert_cmpint(facecheck_picture(finder, model, frame, &set, &whole_fr, &whole), ==, BK_OK);
    int w = 0, h = 0;
    g_assert_cmpint(facecheck_capture(finder, model, jpeg, size, &set, &two_fr, &two, &w, &h), ==,
                    BK_OK);
    g_assert_cmpint(w, ==, 6000);
    g_assert_cmpint(h, ==, 4000);
    g_assert_cmpint(two_fr.n_faces, ==, 1);
    g_assert_true(two_fr.has_shape && two.landmarks && two.output != NULL);
    g_assert_cmpint(two.output->width, ==, ICAO_OUT_WIDTH);
    double iod = hypot(whole_fr.right[0] - whole_fr.left[0], whole_fr.right[1] - whole_fr.left[1]);
    double e =
        fmax(hypot(two_fr.left[0] - whole_fr.left[0], two_fr.left[1] - whole_fr.left[1]),
             hypot(two_fr.right[0] - whole_fr.right[0], two_fr.right[1] - whole_fr.right[1]));
    g_test_message("two passes against whole: eyes %.1f %% of the eye distance apart, yaw %.1f / "
                   "%.1f, compliant %d / %d",
                   e / iod * 100, two_fr.yaw_deg, whole_fr.yaw_deg, two.compliant, whole.compliant);
    g_assert_cmpfloat(e / iod, <, 0.03);
    g_assert_cmpfloat(fabs(two_fr.yaw_deg - whole_fr.yaw_deg), <, 2);
    g_assert_cmpint(two.n_checks, ==, whole.n_checks);
    for (int i = 0; i < two.n_checks; i++) {
        g_assert_cmpstr(two.checks[i].name, ==, whole.checks[i].name);
        g_test_message("%s: %.3f / %.3f", two.checks[i].name, two.checks[i].value,
                       whole.checks[i].value);
    }
    icao_result_clear(&two);
    icao_result_clear(&whole);
    biomem_free(jpeg);
    pic_free(frame);
    pic_free(portrait);
}

/* The kiosk's capture check (facecheck_capture) of the 3/4 views in which the still search finds
 * no frontal face, each as a 6000x4000 capture: refused by yaw first, turned the way the label
 * says, the landmarks in the capture's pixels (on the head, inside the frame); and how long dlib's
 * detector and the fit take on the still where the Haar search found nothing. */
static void test_capture_turned(void)
{
    int n = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if (!g_str_has_prefix(s->file, "pose/") || s->haar_faces > 0 || !(fabs(label_yaw(s)) < 60))
            continue;
        n++;
        pic *portrait = load(s->file);
        face_result fr;
        memset(&fr, 0, sizeof fr);
        gint64 t0 = g_get_monotonic_time();
        g_assert_cmpint(faceshape_fit_unfound(model, portrait, &fr), ==, BK_OK);
        double still_ms = (double)(g_get_monotonic_time() - t0) / 1000;
        g_assert_true(fr.has_shape);
        uint8_t *jpeg = NULL;
        size_t size = 0;
        pic *frame = capture_of(portrait, &jpeg, &size);
        icao_settings set = icao_settings_default(false);
        icao_result ir;
        t0 = g_get_monotonic_time();
        g_assert_cmpint(facecheck_capture(finder, model, jpeg, size, &set, &fr, &ir, NULL, NULL),
                        ==, BK_OK);
        double capture_ms = (double)(g_get_monotonic_time() - t0) / 1000;
        const icao_check *first = icao_first_failure(&ir);
        g_assert_nonnull(first);
        const icao_check *yaw = NULL;
        for (int k = 0; k < ir.n_checks; k++)
            if (strcmp(ir.checks[k].name, "yaw") == 0)
                yaw = &ir.checks[k];
        g_test_message("%s as a capture: faces %d, yaw %.1f, first failure %s; dlib's detector "
                       "and the fit on the still %.0f ms, the capture's check %.0f ms",
                       s->file, fr.n_faces, yaw ? yaw->value : NAN, first->name, still_ms,
                       capture_ms);
        g_assert_false(ir.compliant);
        g_assert_nonnull(yaw);
        g_assert_false(yaw->pass);
        g_assert_cmpfloat(label_yaw(s) * yaw->value, >, 0);
        if (fr.n_faces == 0) {
            g_assert_cmpstr(first->name, ==, "yaw");
            const double *nose = fr.shape.pt[30];
            g_assert_cmpfloat(nose[0], >, 2000);
            g_assert_cmpfloat(nose[0], <, 4000);
            g_assert_cmpfloat(nose[1], >, 1000);
            g_assert_cmpfloat(nose[1], <, 3000);
        }
        icao_result_clear(&ir);
        biomem_free(jpeg);
        pic_free(frame);
        pic_free(portrait);
    }
    g_assert_cmpint(n, >, 0);
}

/* Live view's frame `n` of a portrait, as the emulated camera makes it (emulators/ptpip): a 3:2
 * window a little larger than the portrait around its middle, moved a little from frame to frame
 * (the emulator's jitter), outside the portrait its edge pixels repeated (the studio background
 * is plain), 1024x680 as JPEG at quality 80, decoded at half size as the photo service does.
 * live_view_at moves the window by `shift` of its width more (the person moved the other way). */
#define LIVE_FRAMES 60
static pic *live_view_at(const pic *portrait, int n, double shift)
{
    double h = fmax(portrait->height, portrait->width / 1.5) * 1.02, w = 1.5 * h;
    double cx = portrait->width / 2.0 + 0.02 * w * sin(n * 0.21) + shift * w;
    double cy = portrait->height / 2.0 + 0.015 * h * sin(n * 0.13 + 1.0);
    double step = w / 1024;
    pic *view = NULL, *frame = NULL;
    uint8_t *jpeg = NULL;
    size_t size = 0;
    g_assert_cmpint(pic_warp(portrait, cx - w / 2 + (step - 1) / 2, cy - h / 2 + (step - 1) / 2, 0,
                             step, 1024, 680, &view),
                    ==, BK_OK);
    g_assert_cmpint(picio_encode_jpeg(view, 80, &jpeg, &size), ==, BK_OK);
    g_assert_cmpint(picio_decode(jpeg, size, 2, &frame), ==, BK_OK);
    biomem_free(jpeg);
    pic_free(view);
    return frame;
}

static pic *live_view(const pic *portrait, int n)
{
    return live_view_at(portrait, n, 0);
}

static icao_settings live_limits(void)
{
    icao_settings set = icao_settings_default(false);
    set.live = true;
    set.capture_scale = 6000.0 / 512;
    return set;
}

/* Under the sanitizers the asan test setup sets BIOKIOSK_TEST_SAMPLE=N: the live sweeps over
 * every portrait take every Nth of those they would judge (the same code under ASan/UBSan on
 * fewer pictures, each asserted as in full); the normal build runs them all. */
static int sample_every = 1;

/* Whether the k-th picture a sweep would judge is skipped; the count a sweep of `total` keeps. */
static bool sampled_out(int *k)
{
    return (*k)++ % sample_every != 0;
}

static int sampled(int total)
{
    return (total + sample_every - 1) / sample_every;
}

/* A 3/4 view (not a profile) in which the Haar search finds no frontal face; its labelled yaw. */
static bool unfound_turned(const shot *s, double *label)
{
    *label = g_str_has_prefix(s->file, "pose/") ? label_yaw(s) : 0;
    return g_str_has_prefix(s->file, "pose/") && s->haar_faces == 0 && fabs(*label) < 60;
}

/* Live view of the 3/4 views in which the Haar search finds no frontal face: dlib's detector,
 * run at most every FACECHECK_UNFOUND_EVERY frames without a face, finds the turned head, and
 * from the first frame on the instruction is the yaw check's, turning the person the way the label
 * says, on every frame after (the head is followed by its landmarks between the detector's
 * runs, the pose smoothed), never compliant, and the head outlined around its nose. */
static void test_live_turned(void)
{
    int n = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        double label = 0;
        if (!unfound_turned(s, &label))
            continue;
        n++;
        pic *portrait = load(s->file);
        facecheck_live live, before;
        facecheck_live_init(&live, 10);
        facecheck_live_init(&before, 10);
        before.unfound_every = 0; /* live view before dlib's detector ran in it */
        icao_settings set = live_limits();
        int first_yaw = -1, other_after = 0, haar = 0, haar_other = 0, said_before = 0;
        double yaw_sum = 0;
        for (int f = 0; f < LIVE_FRAMES; f++) {
            pic *frame = live_view(portrait, f);
            face_result fr;
            icao_result ir;
            g_assert_cmpint(facecheck_frame(finder, model, &live, frame, &set, &fr, &ir), ==,
                            BK_OK);
            g_assert_false(ir.compliant);
            haar += fr.n_faces > 0;
            const icao_check *first = icao_first_failure(&ir);
            g_assert_nonnull(first);
            bool says_turn = strcmp(first->name, "yaw") == 0 &&
                             strstr(first->instruction, label > 0 ? "your right" : "your left");
            if (says_turn && first_yaw < 0)
                first_yaw = f;
            /* a frame on which the Haar search finds a face is judged as before (its first
             * failure may come before yaw, e.g. roll); the others must all say turn */
            if (!says_turn && first_yaw >= 0) {
                if (fr.n_faces > 0)
                    haar_other++;
                else
                    other_after++;
                g_test_message("%s live frame %d: %s (%s), Haar faces %d", s->file, f, first->name,
                               first->instruction, fr.n_faces);
            }
            if (says_turn) {
                yaw_sum += fr.yaw_deg;
                if (fr.n_faces == 0) {
                    /* found by dlib's detector alone: `faces` fails, the head is outlined */
                    g_assert_true(live.turned);
                    for (int k = 0; k < ir.n_checks; k++)
                        if (strcmp(ir.checks[k].name, "faces") == 0)
                            g_assert_false(ir.checks[k].pass);
                    const face_box *b = &live.turned_box;
                    const double *nose = fr.shape.pt[30];
                    g_assert_cmpfloat(nose[0], >, b->x);
                    g_assert_cmpfloat(nose[0], <, b->x + b->w);
                    g_assert_cmpfloat(nose[1], >, b->y);
                    g_assert_cmpfloat(nose[1], <, b->y + b->h);
                }
            }
            icao_result_clear(&ir);
            g_assert_cmpint(facecheck_frame(finder, model, &before, frame, &set, &fr, &ir), ==,
                            BK_OK);
            first = icao_first_failure(&ir);
            said_before += strcmp(first->name, "yaw") == 0;
            icao_result_clear(&ir);
            pic_free(frame);
        }
        int said = first_yaw >= 0 ? LIVE_FRAMES - first_yaw - other_after - haar_other : 0;
        g_test_message(
            "%s (yaw %+.0f) live: %d frames: the turn instruction from frame %d on, "
            "on %d frames (mean yaw %.1f), %d other without a Haar face; Haar faces in %d frames "
            "(%d of them another first failure); dlib's detector ran %ld times, turned head on "
            "%ld frames; without it the turn instruction on %d frames",
            s->file, label, LIVE_FRAMES, first_yaw, said, said ? yaw_sum / said : NAN, other_after,
            haar, haar_other, live.unfound_searches, live.turned_frames, said_before);
        g_assert_cmpint(first_yaw, >=, 0);
        g_assert_cmpint(first_yaw, <=, 2);
        g_assert_cmpint(other_after, ==, 0);
        g_assert_cmpint(live.unfound_searches, <=, LIVE_FRAMES / FACECHECK_UNFOUND_EVERY + 1);
        pic_free(portrait);
    }
    g_assert_cmpint(n, ==, 4);
}

/* A frontal face in live view is never told to turn: the portraits whose still measures
 * |yaw| 4.5 degrees or less, 24 jittered live frames each, followed by their landmarks between
 * the tracker's full searches; no frame fails yaw. Followed fits drift: with each fit's own box
 * relation a frontal portrait went from -4 to +11 or -12 degrees within a few frames; with the
 * relation of the fit that found the face kept through the full searches, frl_london_021_03
 * (still 2.8) went to 7.5 on frames 17-19. Each full search fits the face anew. */
#define FRONTAL_LIVE_FRAMES 24
static void test_live_frontal_no_turn(void)
{
    int n = 0, frames = 0, turned = 0, seen = 0;
    double worst = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if ((!g_str_has_prefix(s->file, "frontal/") && !g_str_has_prefix(s->file, "neutral/")) ||
            !s->fr.has_shape || !(fabs(s->fr.yaw_deg) <= 4.5) || sampled_out(&seen))
            continue;
        n++;
        pic *portrait = load(s->file);
        facecheck_live live;
        facecheck_live_init(&live, 10);
        icao_settings set = live_limits();
        for (int f = 0; f < FRONTAL_LIVE_FRAMES; f++) {
            pic *frame = live_view(portrait, f);
            face_result fr;
            icao_result ir;
            g_assert_cmpint(facecheck_frame(finder, model, &live, frame, &set, &fr, &ir), ==,
                            BK_OK);
            for (int k = 0; k < ir.n_checks; k++)
                if (strcmp(ir.checks[k].name, "yaw") == 0) {
                    frames++;
                    worst = fmax(worst, fabs(ir.checks[k].value));
                    if (!ir.checks[k].pass) {
                        turned++;
                        g_test_message("%s frame %d: yaw %.1f (still %.1f)", s->file, f,
                                       ir.checks[k].value, s->fr.yaw_deg);
                    }
                }
            icao_result_clear(&ir);
            pic_free(frame);
        }
        pic_free(portrait);
    }
    g_test_message("live frontal: %d portraits, %d frames with yaw measured, %d told to turn, "
                   "largest |yaw| %.1f",
                   n, frames, turned, worst);
    g_assert_cmpint(n, >=, sampled(40));
    g_assert_cmpint(frames, >=, n * FRONTAL_LIVE_FRAMES * 9 / 10);
    g_assert_cmpint(turned, ==, 0);
}

/* Live view of the frontal and neutral portraits: on a frame where the Haar search finds the
 * face, dlib's detector does not run; and until the first frame without a Haar face, every
 * frame's checks are the same as with the detector switched off (unfound_every 0, live view
 * before it). After such a frame the two may differ: a face dlib's detector found is followed,
 * and a head it found turned is followed with a frontal face looked for near it (face_find_near),
 * which may find it where the full search did not. A head it finds in a frontal portrait is never
 * taken for a turned one: it is a face (one), judged by the same checks as the Haar search's, and
 * so every frame of these portraits has a face (before, 17 of 720 said "Look into the camera"). */
static void test_live_frontal_unchanged(void)
{
    int n = 0, frames = 0, haar_frames = 0, differ = 0, same = 0, found_near = 0, dlib = 0;
    int face_frames = 0;
    int unfound = 0, seen = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if ((!g_str_has_prefix(s->file, "frontal/") && !g_str_has_prefix(s->file, "neutral/")) ||
            sampled_out(&seen))
            continue;
        n++;
        pic *portrait = load(s->file);
        facecheck_live with, without;
        facecheck_live_init(&with, 10);
        facecheck_live_init(&without, 10);
        without.unfound_every = 0;
        icao_settings set = live_limits();
        bool alike = true; /* no frame without a Haar face yet */
        for (int f = 0; f < 12; f++) {
            pic *frame = live_view(portrait, f);
            face_result a, b;
            icao_result ra, rb;
            long before = with.unfound_searches + with.near_searches;
            g_assert_cmpint(facecheck_frame(finder, model, &with, frame, &set, &a, &ra), ==, BK_OK);
            g_assert_cmpint(facecheck_frame(finder, model, &without, frame, &set, &b, &rb), ==,
                            BK_OK);
            frames++;
            face_frames += a.n_faces > 0;
            bool haar = a.n_faces > 0 && !with.dlib_face; /* found (or followed) from Haar */
            alike = alike && haar && b.n_faces > 0;
            g_assert_false(with.turned);
            if (haar) {
                haar_frames++;
                found_near += b.n_faces == 0;
                g_assert_cmpint(with.unfound_searches + with.near_searches, ==, before);
            }
            if (alike) {
                same++;
                g_assert_cmpint(a.n_faces, ==, b.n_faces);
                g_assert_cmpint(ra.compliant, ==, rb.compliant);
                g_assert_cmpint(ra.n_checks, ==, rb.n_checks);
                for (int k = 0; k < ra.n_checks; k++) {
                    g_assert_cmpstr(ra.checks[k].name, ==, rb.checks[k].name);
                    g_assert_cmpint(ra.checks[k].pass, ==, rb.checks[k].pass);
                    g_assert_cmpfloat(fabs(ra.checks[k].value - rb.checks[k].value), <, 1e-9);
                }
            }
            if (!haar) {
                differ++;
                /* a head dlib's detector finds in a frontal portrait is not taken for a turned
                 * one (less than 15 degrees of yaw): a face, with every check a Haar face gets */
                if (with.dlib_face) {
                    dlib++;
                    g_assert_cmpint(a.n_faces, ==, 1);
                    g_assert_true(a.has_shape);
                    g_assert_true(ra.landmarks); /* mouth, eyes, pose, light, as a Haar face's */
                    g_assert_true(ra.cropped);
                } else {
                    unfound++;
                    g_assert_false(ra.compliant);
                    g_assert_cmpstr(icao_first_failure(&ra)->name, ==, "faces");
                }
                g_test_message("%s live frame %d: no Haar face; with dlib's detector: %s, first "
                               "failure %s",
                               s->file, f, with.dlib_face ? "its face" : "none",
                               ra.compliant ? "none" : icao_first_failure(&ra)->name);
            }
            icao_result_clear(&ra);
            icao_result_clear(&rb);
            pic_free(frame);
        }
        pic_free(portrait);
    }
    g_test_message(
        "live frontal/neutral: %d portraits, %d frames, a face on %d; the Haar search's face "
        "(found or followed since) on %d (dlib's detector did not run on them; %d found only "
        "near a head it had found), not on %d (dlib's detector's face, found on that frame or "
        "followed since, on %d; no face on %d); the same checks as without the detector on the "
        "%d frames before the first without a Haar face",
        n, frames, face_frames, haar_frames, found_near, differ, dlib, unfound, same);
    g_assert_cmpint(n, ==, sampled(60));
    g_assert_cmpint(same * 10, >=, frames * 9);
    g_assert_cmpint(face_frames * 20, >=, frames * 19);
    /* the Haar search's faces are the rule (frames followed from the detector's face until the
     * next full search count as the detector's), and every frame has a face */
    g_assert_cmpint(haar_frames * 10, >=, frames * 9);
    g_assert_cmpint(unfound, ==, 0);
}

/* The frontal portraits whose still passes every check but eye_distance (the studio portraits'
 * eyes are 210 px apart, under the 300 a capture needs) are found in live view on every one of
 * FRONTAL_LIVE_FRAMES jittered frames: by the Haar search or, where it misses them, by dlib's
 * detector (frl_london_042_03: the Haar search finds it on none of its live frames), so that
 * the person is never told "Look into the camera" while looking into it. */
static void test_live_frontal_found(void)
{
    int n = 0, frames = 0, passed = 0, dlib = 0, seen = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        if ((!g_str_has_prefix(s->file, "frontal/") && !g_str_has_prefix(s->file, "neutral/")) ||
            s->haar_faces == 0)
            continue;
        bool still = true;
        for (int k = 0; k < s->ir.n_checks; k++)
            still =
                still && (s->ir.checks[k].pass || !strcmp(s->ir.checks[k].name, "eye_distance"));
        if (!still || sampled_out(&seen))
            continue;
        n++;
        pic *portrait = load(s->file);
        facecheck_live live;
        facecheck_live_init(&live, 10);
        icao_settings set = live_limits();
        int found = 0, pass = 0;
        for (int f = 0; f < FRONTAL_LIVE_FRAMES; f++) {
            pic *frame = live_view(portrait, f);
            face_result fr;
            icao_result ir;
            g_assert_cmpint(facecheck_frame(finder, model, &live, frame, &set, &fr, &ir), ==,
                            BK_OK);
            found += fr.n_faces == 1 && fr.has_shape;
            pass += ir.compliant;
            if (fr.n_faces != 1)
                g_test_message("%s live frame %d: %d faces", s->file, f, fr.n_faces);
            icao_result_clear(&ir);
            pic_free(frame);
        }
        frames += FRONTAL_LIVE_FRAMES;
        passed += pass;
        dlib += (int)live.dlib_frames;
        if (live.dlib_frames > 0 || pass < FRONTAL_LIVE_FRAMES)
            g_test_message("%s: found on %d of %d live frames (%ld by dlib's detector), passing "
                           "on %d",
                           s->file, found, FRONTAL_LIVE_FRAMES, live.dlib_frames, pass);
        g_assert_cmpint(found, ==, FRONTAL_LIVE_FRAMES);
        pic_free(portrait);
    }
    g_test_message("live frontal found: %d portraits whose still passes (but eye_distance), found "
                   "on every one of %d frames (%d by dlib's detector), %d passing",
                   n, frames, dlib, passed);
    g_assert_cmpint(n, >=, sampled(50));
}

/* A picture side by side with itself (two people, or two copies of a thing). */
static pic *side_by_side(const pic *a)
{
    pic *c = NULL;
    g_assert_cmpint(pic_new(2 * a->width, a->height, 3, &c), ==, BK_OK);
    size_t row = (size_t)a->width * 3;
    for (int y = 0; y < a->height; y++)
        for (int k = 0; k < 2; k++)
            memcpy(c->px + (size_t)y * 2 * row + (size_t)k * row, a->px + (size_t)y * row, row);
    return c;
}

/* Live view of `p` (`file`; `pair`: the picture side by side with itself), 24 jittered frames
 * with and without dlib's detector: frames passing with it may not be more than without; a
 * picture without a person gives no face at all; frames whose faces come from the detector and
 * are two have `faces` fail first. Returns the frames whose faces came from the detector. */
static int no_new_pass(const char *file, const pic *p, bool pair)
{
    const char *name = strrchr(file, '/') + 1;
    bool person = !g_str_has_prefix(name, "pixabay_") && !g_str_has_prefix(name, "skimage_coffee");
    facecheck_live with, without;
    facecheck_live_init(&with, 10);
    facecheck_live_init(&without, 10);
    without.unfound_every = 0;
    icao_settings set = live_limits();
    int pass_with = 0, pass_without = 0, dlib = 0;
    for (int f = 0; f < 24; f++) {
        pic *frame = live_view(p, f);
        face_result a, b;
        icao_result ra, rb;
        g_assert_cmpint(facecheck_frame(finder, model, &with, frame, &set, &a, &ra), ==, BK_OK);
        g_assert_cmpint(facecheck_frame(finder, model, &without, frame, &set, &b, &rb), ==, BK_OK);
        pass_with += ra.compliant;
        pass_without += rb.compliant;
        if (!person)
            g_assert_cmpint(a.n_faces + a.has_shape, ==, 0);
        if (with.dlib_face) {
            dlib++;
            if (pair) {
                g_assert_cmpint(a.n_faces, ==, 2);
                g_assert_cmpstr(icao_first_failure(&ra)->name, ==, "faces");
            }
        }
        icao_result_clear(&ra);
        icao_result_clear(&rb);
        pic_free(frame);
    }
    g_test_message("%s%s: live frames passing with dlib's detector %d, without %d (its faces on "
                   "%d frames)",
                   file, pair ? " side by side with itself" : "", pass_with, pass_without, dlib);
    g_assert_cmpint(pass_with, <=, pass_without);
    return dlib;
}

/* Taking dlib's detector's faces in live view makes no frame pass that did not before: the
 * pictures that are not compliant portraits (negative/, other/, pose/) and two people the Haar
 * search misses (frl_london_042_03 side by side with itself) pass on no more of 24 live frames
 * with the detector than without; those without a person give no face at all; and where the
 * detector's faces are two people, `faces` fails (it counts every head it finds). Known and not
 * this change's: the Haar search finds one of the two 042_03 on most of their frames, and those
 * frames pass with and without the detector. */
static void test_live_no_new_pass(void)
{
    static const char *const dirs[] = {"negative", "other", "pose"};
    int pictures = 0, seen = 0;
    for (size_t d = 0; d < G_N_ELEMENTS(dirs); d++) {
        g_autofree char *path = g_build_filename(faces_dir, dirs[d], NULL);
        GDir *dir = g_dir_open(path, 0, NULL);
        g_assert_nonnull(dir);
        const char *name;
        while ((name = g_dir_read_name(dir)) != NULL) {
            if (sampled_out(&seen))
                continue;
            g_autofree char *file = g_build_filename(dirs[d], name, NULL);
            pic *p = load(file);
            no_new_pass(file, p, false);
            pic_free(p);
            pictures++;
        }
        g_dir_close(dir);
    }
    g_assert_cmpint(pictures, >=, sampled(30));
    pic *one = load("frontal/frl_london_042_03.jpg"), *two = side_by_side(one);
    g_assert_cmpint(no_new_pass("frontal/frl_london_042_03.jpg", two, true), >, 0);
    pic_free(two);
    pic_free(one);
}

/* A 3/4 view the Haar search misses, with the person moving twice within 10 frames (the window
 * moved by 0.1 of its width at frame 20 and by 0.2 at frame 23): the landmarks lose the head on
 * each move, dlib's detector finds it again near where it was at once, and every frame from the
 * first on says the turn of its label, outlined. Before, the second loss within 10 frames had to
 * wait for the detector's next run: 7 frames of "Look into the camera" (right 044). */
#define MOVE_FRAMES 40
static double moved(int f)
{
    return f >= 23 ? 0.2 : f >= 20 ? 0.1 : 0;
}

static void test_live_turned_lost(void)
{
    int n = 0;
    for (guint i = 0; i < shots->len; i++) {
        const shot *s = g_ptr_array_index(shots, i);
        double label = 0;
        if (!unfound_turned(s, &label))
            continue;
        n++;
        pic *portrait = load(s->file);
        facecheck_live live;
        facecheck_live_init(&live, 10);
        icao_settings set = live_limits();
        int other = 0;
        for (int f = 0; f < MOVE_FRAMES; f++) {
            pic *frame = live_view_at(portrait, f, moved(f));
            face_result fr;
            icao_result ir;
            g_assert_cmpint(facecheck_frame(finder, model, &live, frame, &set, &fr, &ir), ==,
                            BK_OK);
            const icao_check *first = icao_first_failure(&ir);
            bool turn = first && !strcmp(first->name, "yaw") &&
                        strstr(first->instruction, label > 0 ? "your right" : "your left") &&
                        (fr.n_faces > 0 || live.turned);
            if (!turn) {
                other++;
                g_test_message("%s moving, live frame %d: %s, Haar faces %d", s->file, f,
                               first ? first->name : "none", fr.n_faces);
            }
            icao_result_clear(&ir);
            pic_free(frame);
        }
        g_test_message("%s moving twice within 10 frames: %d of %d frames without the turn; "
                       "dlib's detector over the frame %ld times, near the lost head %ld",
                       s->file, other, MOVE_FRAMES, live.unfound_searches, live.near_searches);
        g_assert_cmpint(other, ==, 0);
        g_assert_cmpint(live.unfound_searches, <=, MOVE_FRAMES / FACECHECK_UNFOUND_EVERY + 1);
        pic_free(portrait);
    }
    g_assert_cmpint(n, ==, 4);
}

/* CHANGE_AT live frames of `from`, then 10 of `to` (NULL: an empty frame, the studio background's
 * colour): from the first frame of `to` on, an empty frame has no face and nobody outlined
 * ("Look into the camera"), and a frontal portrait a face that is not told to turn. Returns the
 * frames of `from` told to turn. */
#define CHANGE_AT 13 /* between two full searches (frames 10 and 20) */
static int change_to(const char *from, const char *to)
{
    pic *a = load(from), *b = to ? load(to) : NULL, *empty = NULL;
    if (b == NULL) {
        g_assert_cmpint(pic_new(a->width, a->height, 3, &empty), ==, BK_OK);
        for (size_t k = 0; k < (size_t)a->width * a->height * 3; k++)
            empty->px[k] = a->px[k % 3]; /* the top-left pixel: the studio background */
    }
    facecheck_live live;
    facecheck_live_init(&live, 10);
    icao_settings set = live_limits();
    int turn_before = 0;
    for (int f = 0; f < CHANGE_AT + 10; f++) {
        pic *frame = live_view(f < CHANGE_AT ? a : b ? b : empty, f);
        face_result fr;
        icao_result ir;
        g_assert_cmpint(facecheck_frame(finder, model, &live, frame, &set, &fr, &ir), ==, BK_OK);
        const icao_check *first = icao_first_failure(&ir);
        bool yaw_fails = false;
        for (int k = 0; k < ir.n_checks; k++)
            yaw_fails = yaw_fails || (!strcmp(ir.checks[k].name, "yaw") && !ir.checks[k].pass);
        if (f < CHANGE_AT) {
            turn_before += yaw_fails && live.turned;
        } else if (b != NULL) {
            g_assert_false(yaw_fails); /* faced the camera: found, not told to turn */
            g_assert_false(live.turned);
            g_assert_cmpint(fr.n_faces, ==, 1);
        } else {
            if (fr.n_faces > 0)
                g_test_message("%s, then an empty frame: frame %d has a face (%s)", from, f,
                               first ? first->name : "passing");
            g_assert_false(live.turned); /* left: nobody outlined, "Look into the camera" */
            g_assert_cmpint(fr.n_faces, ==, 0);
            g_assert_cmpstr(first->name, ==, "faces");
        }
        icao_result_clear(&ir);
        pic_free(frame);
    }
    pic_free(empty);
    pic_free(b);
    pic_free(a);
    return turn_before;
}

/* Nothing is held past a real change: the person leaves (an empty frame from frame 13 on) or
 * faces the camera (right 126 turned, then the frontal 126). With a turned head, a frontal face
 * the Haar search finds (126) and one only dlib's detector finds (042_03): no face from the first
 * empty frame on (before, a face followed by its landmarks was kept on an empty frame until the
 * next full search: up to 9 frames of "Close your mouth, please" or "Lift your chin a little"),
 * and no turn from the first frontal frame on. */
static void test_live_no_hold(void)
{
    const char *turned = "pose/frll_neutral_right_3quarter_126_04.jpg";
    g_assert_cmpint(change_to(turned, NULL), ==, CHANGE_AT);
    g_assert_cmpint(change_to(turned, "frontal/frl_london_126_03.jpg"), ==, CHANGE_AT);
    g_assert_cmpint(change_to("frontal/frl_london_126_03.jpg", NULL), ==, 0);
    g_assert_cmpint(change_to("frontal/frl_london_042_03.jpg", NULL), ==, 0);
}

/* Figures of each measure over the frontal references, for docs/photo.md. */
static void test_spread(void)
{
    static const char *const names[] = {"yaw", "pitch", "eyes_open", "illumination_uniformity"};
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        double v[128];
        int n = 0;
        for (guint i = 0; i < shots->len; i++) {
            const shot *s = g_ptr_array_index(shots, i);
            if (g_str_has_prefix(s->file, "frontal/") || g_str_has_prefix(s->file, "neutral/"))
                v[n++] = get(s, names[k])->value;
        }
        qsort(v, (size_t)n, sizeof(double), cmp_double);
        g_test_message("%s over %d frontal portraits: min %.3f median %.3f max %.3f", names[k], n,
                       v[0], v[n / 2], v[n - 1]);
        g_assert_cmpint(n, >, 0);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    faces_dir = g_getenv("BIOKIOSK_FACES");
    g_autofree char *labels = faces_dir ? g_build_filename(faces_dir, "LABELS.tsv", NULL) : NULL;
    if (labels == NULL || !g_file_test(labels, G_FILE_TEST_EXISTS))
        return 77; /* ../shared/data/faces is not there */
    if (!facemodels_load(&finder, &model))
        return 77; /* opencv-data or libdlib-data is not installed */
    const char *every = g_getenv("BIOKIOSK_TEST_SAMPLE");
    sample_every = every && atoi(every) > 1 ? atoi(every) : 1;
    if (sample_every > 1)
        printf("# sanitizer run: the live sweeps judge every %dth of their portraits\n",
               sample_every);
    g_assert_true(load_all());
    g_test_add_func("/landmarks/eye-centres", test_eye_centres);
    g_test_add_func("/landmarks/mouth-closed", test_mouth);
    g_test_add_func("/landmarks/mouth-closed-grey-enlarged", test_mouth_grey_and_enlarged);
    g_test_add_func("/landmarks/pose-refused", test_pose_refused);
    g_test_add_func("/landmarks/frontal-keep-passing", test_frontal_keep_passing);
    g_test_add_func("/landmarks/uneven-light", test_uneven_light);
    g_test_add_func("/landmarks/capture-two-passes", test_capture_two_passes);
    g_test_add_func("/landmarks/capture-turned", test_capture_turned);
    g_test_add_func("/landmarks/live-turned", test_live_turned);
    g_test_add_func("/landmarks/live-frontal-unchanged", test_live_frontal_unchanged);
    g_test_add_func("/landmarks/live-frontal-no-turn", test_live_frontal_no_turn);
    g_test_add_func("/landmarks/live-frontal-found", test_live_frontal_found);
    g_test_add_func("/landmarks/live-no-new-pass", test_live_no_new_pass);
    g_test_add_func("/landmarks/live-turned-lost", test_live_turned_lost);
    g_test_add_func("/landmarks/live-no-hold", test_live_no_hold);
    g_test_add_func("/landmarks/spread", test_spread);
    int r = g_test_run();
    g_ptr_array_unref(shots);
    landmarks_free(model);
    face_finder_free(finder);
    return r;
}
