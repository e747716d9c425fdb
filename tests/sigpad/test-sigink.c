/* The ink, the accept rule for a trivial signature, and the capture model the signing screen
 * drives: pad events, unplug, touch mapping, clear. */
#include <math.h>

#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/biomem.h"
#include "drivers/sigpad/sigcapture.h"
#include "drivers/sigpad/sigfile.h"
#include "core/sigink.h"

static void add_line(sigink *ink, size_t n, float x0, float y0, float x1, float y1)
{
    for (size_t i = 0; i < n; i++) {
        float t = n > 1 ? (float)i / (float)(n - 1) : 0;
        sigink_point p = {x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, 0.5f, (uint32_t)i};
        g_assert_cmpint(sigink_add(ink, &p), ==, BK_OK);
    }
    sigink_end_stroke(ink);
}

static void test_strokes(void)
{
    sigink *ink = sigink_new();
    size_t n = 7;
    g_assert_null(sigink_stroke(ink, 0, &n));
    g_assert_cmpint(sigink_bounds(ink, &(float){0}, &(float){0}, &(float){0}, &(float){0}), ==,
                    BK_ERR_NOT_FOUND);
    add_line(ink, 3, 1, 1, 3, 1);
    sigink_end_stroke(ink); /* twice: no empty stroke */
    add_line(ink, 300, 0, 5, 10, 2);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, 2);
    g_assert_cmpuint(sigink_point_count(ink), ==, 303);
    const sigink_point *s = sigink_stroke(ink, 1, &n);
    g_assert_cmpuint(n, ==, 300);
    g_assert_cmpfloat(s[0].x_mm, ==, 0.0f);
    float x0, y0, x1, y1;
    g_assert_cmpint(sigink_bounds(ink, &x0, &y0, &x1, &y1), ==, BK_OK);
    g_assert_cmpfloat(x0, ==, 0.0f);
    g_assert_cmpfloat(x1, ==, 10.0f);
    g_assert_cmpfloat(y0, ==, 1.0f);
    g_assert_cmpfloat(y1, ==, 5.0f);
    sigink_point bad = {NAN, 1, 0.5f, 0};
    g_assert_cmpint(sigink_add(ink, &bad), ==, BK_ERR_INVALID);
    bad = (sigink_point){1, 1, INFINITY, 0};
    g_assert_cmpint(sigink_add(ink, &bad), ==, BK_ERR_INVALID);
    g_assert_cmpuint(sigink_point_count(ink), ==, 303);

    sigink_clear(ink);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, 0);
    g_assert_cmpuint(sigink_point_count(ink), ==, 0);
    add_line(ink, 2, 0, 0, 1, 1);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, 1);
    sigink_free(ink);
    sigink_free(NULL);
}

static void test_accept_rule(void)
{
    sigink_rule rule = {10, 0.05}; /* 10 points, 5 % of the area */
    sigink *ink = sigink_new();
    /* empty */
    g_assert_cmpint(sigink_accept(ink, &rule, 100, 60), ==, SIGINK_EMPTY);
    /* 9 points over a big box: too short; the 10th point makes it enough */
    add_line(ink, 9, 10, 10, 90, 50);
    g_assert_cmpint(sigink_accept(ink, &rule, 100, 60), ==, SIGINK_TOO_SHORT);
    sigink_point p = {90, 50, 0.5f, 10};
    g_assert_cmpint(sigink_add(ink, &p), ==, BK_OK);
    g_assert_cmpint(sigink_accept(ink, &rule, 100, 60), ==, SIGINK_ACCEPT);

    /* many points in a small box: 5 % of 100 x 60 mm is 300 mm^2 */
    sigink_clear(ink);
    add_line(ink, 50, 10, 10, 29, 25); /* 19 x 15 = 285 mm^2 */
    g_assert_cmpint(sigink_accept(ink, &rule, 100, 60), ==, SIGINK_TOO_SMALL);
    add_line(ink, 5, 10, 10, 30, 25); /* 20 x 15 = 300 mm^2: exactly the share */
    g_assert_cmpint(sigink_accept(ink, &rule, 100, 60), ==, SIGINK_ACCEPT);
    /* a dash: long but without height */
    sigink_clear(ink);
    add_line(ink, 40, 5, 30, 95, 30);
    g_assert_cmpint(sigink_accept(ink, &rule, 100, 60), ==, SIGINK_TOO_SMALL);
    /* without an area only the points count */
    g_assert_cmpint(sigink_accept(ink, &rule, 0, 0), ==, SIGINK_ACCEPT);

    /* the default rule, and a sentence for each verdict */
    sigink_clear(ink);
    add_line(ink, 19, 0, 0, 50, 40);
    g_assert_cmpint(sigink_accept(ink, &SIGINK_RULE_DEFAULT, 100, 60), ==, SIGINK_TOO_SHORT);
    add_line(ink, 1, 50, 40, 50, 40);
    g_assert_cmpint(sigink_accept(ink, &SIGINK_RULE_DEFAULT, 100, 60), ==, SIGINK_ACCEPT);
    for (int v = SIGINK_ACCEPT; v <= SIGINK_TOO_SMALL; v++)
        g_assert_cmpuint(strlen(sigink_verdict_message((sigink_verdict)v)), >, 10);
    sigink_free(ink);
}

static sigpad_event pen(double x, double y, float pressure, bool tip)
{
    sigpad_event e = {.type = SIGPAD_EVENT_PEN};
    e.sample.x_mm = x;
    e.sample.y_mm = y;
    e.sample.pressure = pressure;
    e.sample.tip = tip;
    e.sample.in_range = true;
    return e;
}

static void test_capture_pad(void)
{
    g_assert_null(sigcapture_new(0, 60));
    g_assert_null(sigcapture_new(100, NAN));
    sigcapture *cap = sigcapture_new(96, 60);
    sigpad_event e = {.type = SIGPAD_EVENT_ATTACHED};
    g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    /* hovering adds nothing */
    e = pen(1, 1, 0, false);
    g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    g_assert_cmpuint(sigink_point_count(sigcapture_ink(cap)), ==, 0);
    for (int i = 0; i < 5; i++) {
        e = pen(10 + i, 20, 0.5f, true);
        g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    }
    /* pulled out mid-stroke: the stroke closes, the ink stays, the screen pauses */
    e = (sigpad_event){.type = SIGPAD_EVENT_UNPLUGGED};
    g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    g_assert_true(sigcapture_paused(cap));
    g_assert_cmpuint(sigink_point_count(sigcapture_ink(cap)), ==, 5);
    e = (sigpad_event){.type = SIGPAD_EVENT_ATTACHED};
    g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    g_assert_false(sigcapture_paused(cap));
    for (int i = 0; i < 3; i++) {
        e = pen(20 + i, 30, 0.7f, true);
        g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    }
    e = pen(22, 30, 0, false);
    g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
    const sigink *ink = sigcapture_ink(cap);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, 2);
    size_t n;
    const sigink_point *s = sigink_stroke(ink, 1, &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpfloat_with_epsilon(s[0].pressure, 0.7, 1e-6);
    g_assert_cmpint(sigcapture_accept(cap, &SIGINK_RULE_DEFAULT), ==, SIGINK_TOO_SHORT);
    sigcapture_clear(cap);
    g_assert_cmpint(sigcapture_accept(cap, &SIGINK_RULE_DEFAULT), ==, SIGINK_EMPTY);
    sigcapture_free(cap);
    sigcapture_free(NULL);
}

static void test_capture_touch(void)
{
    /* a 480 x 300 px box at (100, 200) for a 120 x 75 mm writing area: 4 px per mm */
    sigcapture *cap = sigcapture_new(120, 75);
    sigcapture_box box = {100, 200, 480, 300};
    double x, y;
    g_assert_cmpint(sigcapture_map(cap, &box, 100, 200, &x, &y), ==, BK_OK);
    g_assert_cmpfloat(x, ==, 0);
    g_assert_cmpfloat(y, ==, 0);
    g_assert_cmpint(sigcapture_map(cap, &box, 340, 350, &x, &y), ==, BK_OK);
    g_assert_cmpfloat_with_epsilon(x, 60, 1e-9);
    g_assert_cmpfloat_with_epsilon(y, 37.5, 1e-9);
    x = -1;
    g_assert_cmpint(sigcapture_map(cap, &box, 99, 300, &x, &y), ==, BK_ERR_INVALID);
    g_assert_cmpint(sigcapture_map(cap, &box, 300, 501, &x, &y), ==, BK_ERR_INVALID);
    g_assert_cmpfloat(x, ==, -1);
    sigcapture_box empty = {0, 0, 0, 10};
    g_assert_cmpint(sigcapture_map(cap, &empty, 0, 0, &x, &y), ==, BK_ERR_INVALID);

    /* a drag inside, out of the box and back: two strokes; lifting ends the second */
    g_assert_cmpint(sigcapture_touch(cap, &box, 120, 220, true, -1, 0), ==, BK_OK);
    g_assert_cmpint(sigcapture_touch(cap, &box, 140, 230, true, 0.8, 5), ==, BK_OK);
    g_assert_cmpint(sigcapture_touch(cap, &box, 600, 230, true, 0.8, 10), ==, BK_OK);
    g_assert_cmpint(sigcapture_touch(cap, &box, 500, 400, true, 2.0, 15), ==, BK_OK);
    g_assert_cmpint(sigcapture_touch(cap, &box, 500, 400, false, 0, 20), ==, BK_OK);
    g_assert_cmpint(sigcapture_touch(cap, &box, 510, 410, true, 0.3, 25), ==, BK_OK);
    const sigink *ink = sigcapture_ink(cap);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, 3);
    g_assert_cmpuint(sigink_point_count(ink), ==, 4);
    size_t n;
    const sigink_point *s = sigink_stroke(ink, 0, &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpfloat_with_epsilon(s[0].x_mm, 5, 1e-6);
    g_assert_cmpfloat_with_epsilon(s[0].y_mm, 5, 1e-6);
    g_assert_cmpfloat(s[0].pressure, ==, 0.5f); /* the mouse has no pressure */
    g_assert_cmpfloat_with_epsilon(s[1].pressure, 0.8, 1e-6);
    s = sigink_stroke(ink, 1, &n);
    g_assert_cmpfloat(s[0].pressure, ==, 1.0f); /* clamped */
    g_assert_cmpuint(s[0].t_ms, ==, 15);
    sigcapture_free(cap);
}

static void test_file_round_trip(void)
{
    sigink *ink = sigink_new();
    add_line(ink, 25, 3.25f, 4.5f, 80.125f, 40);
    add_line(ink, 1, 50, 50, 50, 50);
    sigink_point p = {12.3456f, 7.0f, 0.875f, 4000000000u};
    g_assert_cmpint(sigink_add(ink, &p), ==, BK_OK);
    sigfile_device dev = {"stu", "Wacom STU-540", 96, 60, 100, "STU540-7A21C0"};
    g_autofree char *dir = g_dir_make_tmp("sigfile-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "points.json", NULL);
    mode_t old_mask = umask(022);
    g_assert_cmpint(sigfile_write(path, ink, &dev), ==, BK_OK);
    umask(old_mask);
    /* pen points are personal data: the owner's alone, whatever the umask */
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);

    sigink *back = NULL;
    sigfile_device dev2;
    char *why = NULL;
    g_assert_cmpint(sigfile_read(path, &back, &dev2, &why), ==, BK_OK);
    g_assert_null(why);
    g_assert_cmpstr(dev2.kind, ==, "stu");
    g_assert_cmpstr(dev2.model, ==, "Wacom STU-540");
    g_assert_cmpstr(dev2.serial, ==, "STU540-7A21C0");
    g_assert_cmpfloat(dev2.width_mm, ==, 96);
    g_assert_cmpfloat(dev2.counts_per_mm, ==, 100);
    g_assert_cmpuint(sigink_stroke_count(back), ==, 3);
    g_assert_cmpuint(sigink_point_count(back), ==, 27);
    for (size_t s = 0; s < 3; s++) {
        size_t n1, n2;
        const sigink_point *a = sigink_stroke(ink, s, &n1);
        const sigink_point *b = sigink_stroke(back, s, &n2);
        g_assert_cmpuint(n1, ==, n2);
        for (size_t i = 0; i < n1; i++) {
            g_assert_cmpfloat_with_epsilon(a[i].x_mm, b[i].x_mm, 0.0006);
            g_assert_cmpfloat_with_epsilon(a[i].y_mm, b[i].y_mm, 0.0006);
            g_assert_cmpfloat_with_epsilon(a[i].pressure, b[i].pressure, 0.0006);
            g_assert_cmpuint(a[i].t_ms, ==, b[i].t_ms);
        }
    }
    sigink_free(back);

    /* what cannot be read says why, and leaves the outputs alone */
    g_assert_true(g_file_set_contents(path, "{\"strokes\": [[{\"x_mm\": 1}]]}", -1, NULL));
    back = (sigink *)&dev; /* a sentinel: must stay */
    g_assert_cmpint(sigfile_read(path, &back, &dev2, &why), ==, BK_ERR_INVALID);
    g_assert_true(back == (sigink *)&dev);
    g_assert_cmpstr(why, ==, "stroke 1 point 1: 'y_mm' is missing");
    g_free(why);
    g_unlink(path);
    g_assert_cmpint(sigfile_read(path, &back, &dev2, NULL), ==, BK_ERR_IO);
    g_rmdir(dir);
    sigink_free(ink);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sigink/strokes", test_strokes);
    g_test_add_func("/sigink/accept-rule", test_accept_rule);
    g_test_add_func("/sigcapture/pad", test_capture_pad);
    g_test_add_func("/sigcapture/touch", test_capture_touch);
    g_test_add_func("/sigfile/round-trip", test_file_round_trip);
    int r = g_test_run();
    g_assert_cmpuint(biomem_live_count(), ==, 0);
    return r;
}
