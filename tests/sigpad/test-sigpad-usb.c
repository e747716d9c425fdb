/* The signature pad through libusb's real Linux backend, against pads that sigpad-gen wrote
 * and umockdev-run presents (meson runs this program inside umockdev-run, one scenario each):
 *   SIGPAD_SCENARIO=hid|stu        strokes read back equal the generated strokes
 *   SIGPAD_SCENARIO=bound          the same for a HID pen whose descriptor is in sysfs (a
 *                                  kernel driver holds it): read there, never asked for
 *   SIGPAD_SCENARIO=faults|stu-faults  malformed, short and out-of-range reports are dropped and
 *                                  counted while the strokes still come through
 *   SIGPAD_SCENARIO=stall          a stalled endpoint: paused, the same device opened again
 *   SIGPAD_SCENARIO=plain          a signotec-id device without a digitizer: reported, not read
 *   SIGPAD_SCENARIO=none|mouse     no device at all, or only an ordinary HID mouse: no pad
 *   SIGPAD_SCENARIO=noserial|serialfail  a HID pen without a serial number, or one whose
 *                                  serial request stalls: "unknown", and the pad works
 * SIGPAD_SERIAL (scenarios with strokes) is the serial number the open pad and the scan must
 * give: from the device's string descriptor, or (scan of "bound") the sysfs attribute.
 * Unplugging and plugging in again is test-sigpad-hotplug.c.
 * SIGPAD_STROKES names the strokes file the pad was generated from; SIGPAD_FAULTS the fault
 * periods "malformed,short,out-of-range" given to sigpad-gen.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "drivers/sigpad/sigcapture.h"
#include "drivers/sigpad/sigpad.h"

typedef struct stroke_set {
    GArray *points; /* sigink_point, the pressure 0..1 */
    GArray *starts; /* size_t */
} stroke_set;

static stroke_set read_strokes(const char *path)
{
    stroke_set s = {g_array_new(FALSE, FALSE, sizeof(sigink_point)),
                    g_array_new(FALSE, FALSE, sizeof(size_t))};
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line; line++) {
        if (**line == '#' || **line == '\0')
            continue;
        size_t start = s.points->len;
        g_array_append_val(s.starts, start);
        g_auto(GStrv) pts = g_strsplit(*line, " ", -1);
        for (char **p = pts; *p; p++) {
            double x, y, pr;
            if (sscanf(*p, "%lf,%lf,%lf", &x, &y, &pr) != 3)
                continue;
            sigink_point pt = {(float)x, (float)y, (float)pr, 0};
            g_array_append_val(s.points, pt);
        }
    }
    return s;
}

static void free_strokes(stroke_set *s)
{
    g_array_free(s->points, TRUE);
    g_array_free(s->starts, TRUE);
}

static const char *scenario(void)
{
    const char *s = g_getenv("SIGPAD_SCENARIO");
    return s ? s : "";
}

/* Reads events into a capture until it holds `want` points and the last stroke is closed, or
 * the (generous) deadline passes. Counts the pauses seen. */
static void read_until(sigpad *pad, sigcapture *cap, size_t want, int *pauses, int *resumes)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    sigpad_event e;
    while (g_get_monotonic_time() < deadline) {
        if (!sigpad_next_event(pad, &e, 1000))
            continue;
        if (e.type == SIGPAD_EVENT_UNPLUGGED)
            (*pauses)++;
        if (e.type == SIGPAD_EVENT_ATTACHED)
            (*resumes)++;
        g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
        if (e.type == SIGPAD_EVENT_PEN && !e.sample.tip &&
            sigink_point_count(sigcapture_ink(cap)) >= want)
            return;
    }
    g_error("timed out with %zu of %zu points", sigink_point_count(sigcapture_ink(cap)), want);
}

/* Every generated point comes back once, in order, within the pads' 0.01 mm step. */
static void assert_points_equal(const sigink *ink, const stroke_set *want)
{
    g_assert_cmpuint(sigink_point_count(ink), ==, want->points->len);
    size_t k = 0;
    for (size_t s = 0; s < sigink_stroke_count(ink); s++) {
        size_t n = 0;
        const sigink_point *got = sigink_stroke(ink, s, &n);
        for (size_t i = 0; i < n; i++, k++) {
            const sigink_point *w = &g_array_index(want->points, sigink_point, k);
            g_assert_cmpfloat_with_epsilon(got[i].x_mm, w->x_mm, 0.006);
            g_assert_cmpfloat_with_epsilon(got[i].y_mm, w->y_mm, 0.006);
            g_assert_cmpfloat_with_epsilon(got[i].pressure, w->pressure, 0.6 / 1023.0);
        }
    }
}

static void assert_strokes_equal(const sigink *ink, const stroke_set *want)
{
    assert_points_equal(ink, want);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, want->starts->len);
    for (size_t s = 0; s < want->starts->len; s++) {
        size_t n = 0;
        g_assert_nonnull(sigink_stroke(ink, s, &n));
        size_t end = s + 1 < want->starts->len ? g_array_index(want->starts, size_t, s + 1)
                                               : want->points->len;
        g_assert_cmpuint(n, ==, end - g_array_index(want->starts, size_t, s));
    }
}

static sigpad *open_pad(sigpad_info *info)
{
    sigpad *pad = NULL;
    g_assert_cmpint(sigpad_open(&pad), ==, BK_OK);
    sigpad_get_info(pad, info);
    sigpad_event e;
    g_assert_true(sigpad_next_event(pad, &e, 5000));
    g_assert_cmpint(e.type, ==, SIGPAD_EVENT_ATTACHED);
    return pad;
}

static void test_strokes(void)
{
    g_assert_nonnull(g_getenv("SIGPAD_SERIAL"));
    /* The scan names the pad with its serial number too (for "bound" the kernel's copy). */
    sigpad_found found[4];
    size_t n = 0;
    g_assert_cmpint(sigpad_scan(found, G_N_ELEMENTS(found), &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpint(found[0].verdict, ==, SIGPAD_USABLE);
    g_assert_cmpstr(found[0].serial, ==, g_getenv("SIGPAD_SERIAL"));

    stroke_set want = read_strokes(g_getenv("SIGPAD_STROKES"));
    sigpad_info info;
    sigpad *pad = open_pad(&info);
    if (strcmp(scenario(), "stu") == 0) {
        g_assert_cmpint(info.layout, ==, SIGTABLE_LAYOUT_STU);
        g_assert_cmpuint(info.vendor, ==, 0x056A);
        g_assert_cmpstr(info.model, ==, "Wacom STU-540");
        g_assert_cmpfloat_with_epsilon(info.width_mm, 96.0, 1e-9);
    } else {
        g_assert_cmpint(info.layout, ==, SIGTABLE_LAYOUT_HID);
        g_assert_cmpstr(info.model, ==, "HID pen");
        g_assert_cmpfloat_with_epsilon(info.width_mm, 100.0, 1e-9);
    }
    g_assert_cmpfloat_with_epsilon(info.height_mm, 60.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(info.counts_per_mm, 100.0, 1e-9);
    g_assert_cmpstr(info.serial, ==, g_getenv("SIGPAD_SERIAL"));
    g_assert_cmpint(info.pressure_levels, ==, 1024);

    sigcapture *cap = sigcapture_new(info.width_mm, info.height_mm);
    int pauses = 0, resumes = 0;
    read_until(pad, cap, want.points->len, &pauses, &resumes);
    assert_strokes_equal(sigcapture_ink(cap), &want);
    g_assert_cmpint(pauses, ==, 0);
    g_assert_cmpint(sigcapture_accept(cap, &SIGINK_RULE_DEFAULT), ==, SIGINK_ACCEPT);

    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    g_assert_cmpuint(st.malformed, ==, 0);
    g_assert_cmpuint(st.out_of_range, ==, 0);
    g_assert_cmpuint(st.points, >=, want.points->len + want.starts->len);
    sigpad_free(pad);
    sigcapture_free(cap);
    free_strokes(&want);
}

/* Faults injected after every Nth pen report of a pass over the script. */
static uint64_t injected(uint64_t pen_reports, uint64_t per_pass, int every)
{
    if (every <= 0)
        return 0;
    return (pen_reports / per_pass) * (per_pass / (uint64_t)every) +
           (pen_reports % per_pass) / (uint64_t)every;
}

static void test_faults(void)
{
    stroke_set want = read_strokes(g_getenv("SIGPAD_STROKES"));
    int every_malformed = 0, every_short = 0, every_range = 0;
    g_assert_cmpint(
        sscanf(g_getenv("SIGPAD_FAULTS"), "%d,%d,%d", &every_malformed, &every_short, &every_range),
        ==, 3);
    sigpad_info info;
    sigpad *pad = open_pad(&info);
    sigcapture *cap = sigcapture_new(info.width_mm, info.height_mm);
    int pauses = 0, resumes = 0;
    read_until(pad, cap, want.points->len, &pauses, &resumes);
    /* The pad kept working: every good report came through, nothing bad was drawn. */
    assert_strokes_equal(sigcapture_ink(cap), &want);

    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    sigpad_free(pad);
    /* The worker may be a little ahead of what was read, and the fault after the last counted
     * report may not have arrived yet: each kind may be short by one. */
    uint64_t per_pass = want.points->len + want.starts->len;
    uint64_t bad =
        injected(st.points, per_pass, every_malformed) + injected(st.points, per_pass, every_short);
    uint64_t range = injected(st.points, per_pass, every_range);
    g_assert_cmpuint(st.malformed, >, 0);
    g_assert_cmpuint(st.malformed, <=, bad);
    g_assert_cmpuint(st.malformed + 2, >=, bad);
    g_assert_cmpuint(st.out_of_range, >, 0);
    g_assert_cmpuint(st.out_of_range, <=, range);
    g_assert_cmpuint(st.out_of_range + 1, >=, range);
    g_assert_cmpuint(st.reports, ==, st.points + st.malformed + st.out_of_range + st.other);
    sigcapture_free(cap);
    free_strokes(&want);
}

/* A stalled endpoint is not a pulled-out pad: the driver pauses, opens the same device again
 * (umockdev then replays its script from the top) and pen data flows again. */
static void test_stall(void)
{
    sigpad_info info;
    sigpad *pad = open_pad(&info);
    int pens_before = 0, pens_after = 0, paused = 0, resumed = 0;
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    sigpad_event e;
    while (pens_after < 20 && g_get_monotonic_time() < deadline) {
        if (!sigpad_next_event(pad, &e, 1000))
            continue;
        if (e.type == SIGPAD_EVENT_UNPLUGGED)
            paused++;
        else if (e.type == SIGPAD_EVENT_ATTACHED)
            resumed++;
        else if (resumed > 0)
            pens_after++;
        else
            pens_before++;
    }
    g_assert_cmpint(pens_before, ==, 30);
    g_assert_cmpint(paused, ==, 1);
    g_assert_cmpint(resumed, ==, 1);
    g_assert_cmpint(pens_after, ==, 20);
    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    g_assert_cmpuint(st.replugs, >=, 1);
    sigpad_free(pad);
}

/* Warnings of the driver, kept to check that an unusable pad is named in the log. */
static GString *warnings;

static GLogWriterOutput keep_warnings(GLogLevelFlags level, const GLogField *fields, gsize n,
                                      gpointer data)
{
    if ((level & G_LOG_LEVEL_WARNING) && warnings != NULL)
        for (gsize i = 0; i < n; i++)
            if (strcmp(fields[i].key, "MESSAGE") == 0)
                g_string_append_printf(warnings, "%s\n", (const char *)fields[i].value);
    return g_log_writer_default(level, fields, n, data);
}

static void test_plain(void)
{
    /* The warning is the point of this test: not fatal here. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    warnings = g_string_new(NULL);
    sigpad_found found[4];
    size_t n = 0;
    g_assert_cmpint(sigpad_scan(found, G_N_ELEMENTS(found), &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(found[0].vendor, ==, 0x2133);
    g_assert_cmpint(found[0].verdict, ==, SIGPAD_UNSUPPORTED);
    g_assert_cmpstr(found[0].model, ==, "signotec pad");
    g_assert_nonnull(strstr(found[0].reason, "no digitizer"));
    sigpad *pad = NULL;
    g_assert_cmpint(sigpad_open(&pad), ==, BK_ERR_UNSUPPORTED);
    g_assert_null(pad);
    g_assert_nonnull(strstr(warnings->str, "signature pad 2133:0001 (signotec pad) not supported"));
    g_string_free(warnings, TRUE);
    warnings = NULL;
}

static void test_none(void)
{
    sigpad_found found[4];
    size_t n = 99;
    g_assert_cmpint(sigpad_scan(found, G_N_ELEMENTS(found), &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 0);
    sigpad *pad = NULL;
    g_assert_cmpint(sigpad_open(&pad), ==, BK_ERR_NO_DEVICE);
    g_assert_null(pad);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_log_set_writer_func(keep_warnings, NULL, NULL);
    if (g_getenv("UMOCKDEV_DIR") == NULL) {
        printf(
            "1..0 # SKIP: not running inside umockdev-run\n"); /* TAP: the whole test is skipped */
        return 0;
    }
    const char *s = scenario();
    if (strcmp(s, "hid") == 0 || strcmp(s, "stu") == 0 || strcmp(s, "bound") == 0 ||
        strcmp(s, "noserial") == 0 || strcmp(s, "serialfail") == 0)
        g_test_add_func("/sigpad/usb/strokes", test_strokes);
    else if (strcmp(s, "faults") == 0 || strcmp(s, "stu-faults") == 0)
        g_test_add_func("/sigpad/usb/faults", test_faults);
    else if (strcmp(s, "stall") == 0)
        g_test_add_func("/sigpad/usb/stall-recovers", test_stall);
    else if (strcmp(s, "plain") == 0)
        g_test_add_func("/sigpad/usb/unknown-pad-reported", test_plain);
    else if (strcmp(s, "none") == 0)
        g_test_add_func("/sigpad/usb/no-pad", test_none);
    else if (strcmp(s, "mouse") == 0)
        g_test_add_func("/sigpad/usb/mouse-is-no-pad", test_none);
    else
        g_error("unknown SIGPAD_SCENARIO '%s'", s);
    return g_test_run();
}
