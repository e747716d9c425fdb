/* The signature pad pulled out while signing and plugged in again, through libusb's real Linux
 * backend and its udev hot-plug monitor. Runs under umockdev-wrapper; the test drives its own
 * umockdev testbed: it adds the pad that sigpad-gen wrote (SIGPAD_PREFIX.umockdev/.ioctl),
 * waits for the unplug the script ends with, removes the device with a "remove" uevent, and
 * adds the pad again as a new device (SIGPAD_PREFIX-replug.*) with an "add" uevent.
 * SIGPAD_STROKES names the strokes file the pad was generated from.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <umockdev.h>

#include "drivers/sigpad/sigcapture.h"
#include "drivers/sigpad/sigpad.h"

static size_t count_points(const char *path, size_t *strokes)
{
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    size_t n = 0;
    *strokes = 0;
    for (char **line = lines; *line; line++) {
        if (**line == '#' || **line == '\0')
            continue;
        (*strokes)++;
        g_auto(GStrv) pts = g_strsplit(*line, " ", -1);
        n += g_strv_length(pts);
    }
    return n;
}

/* Feeds events to the capture until one of type `until` arrives, or until `points` points and
 * a lifted pen when `until` is SIGPAD_EVENT_PEN. */
static void pump(sigpad *pad, sigcapture *cap, sigpad_event_type until, size_t points)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    sigpad_event e;
    while (g_get_monotonic_time() < deadline) {
        if (!sigpad_next_event(pad, &e, 500))
            continue;
        g_assert_cmpint(sigcapture_pad_event(cap, &e), ==, BK_OK);
        if (until != SIGPAD_EVENT_PEN && e.type == until)
            return;
        if (until == SIGPAD_EVENT_PEN && e.type == SIGPAD_EVENT_PEN && !e.sample.tip &&
            sigink_point_count(sigcapture_ink(cap)) >= points)
            return;
        if (until == SIGPAD_EVENT_PEN)
            g_assert_cmpint(e.type, ==, SIGPAD_EVENT_PEN);
    }
    g_error("timed out waiting for event %d", until);
}

static void test_unplug_replug(void)
{
    const char *prefix = g_getenv("SIGPAD_PREFIX");
    g_assert_nonnull(prefix);
    size_t strokes = 0;
    size_t points = count_points(g_getenv("SIGPAD_STROKES"), &strokes);

    UMockdevTestbed *bed = umockdev_testbed_new();
    GError *error = NULL;
    g_autofree char *dev1 = g_strconcat(prefix, ".umockdev", NULL);
    g_autofree char *ioctl1 = g_strconcat(prefix, ".ioctl", NULL);
    g_autofree char *dev2 = g_strconcat(prefix, "-replug.umockdev", NULL);
    g_autofree char *ioctl2 = g_strconcat(prefix, "-replug.ioctl", NULL);
    g_assert_true(umockdev_testbed_add_from_file(bed, dev1, &error));
    g_assert_no_error(error);
    g_assert_true(umockdev_testbed_load_ioctl(bed, "/dev/bus/usb/001/005", ioctl1, &error));
    g_assert_no_error(error);

    sigpad *pad = NULL;
    g_assert_cmpint(sigpad_open(&pad), ==, BK_OK);
    sigpad_info info;
    sigpad_get_info(pad, &info);
    sigcapture *cap = sigcapture_new(info.width_mm, info.height_mm);
    pump(pad, cap, SIGPAD_EVENT_ATTACHED, 0);
    g_assert_false(sigcapture_paused(cap));

    /* The script ends with the transfer failing: the pad is gone, mid-stroke. */
    pump(pad, cap, SIGPAD_EVENT_UNPLUGGED, 0);
    g_assert_true(sigcapture_paused(cap));
    size_t before = sigink_point_count(sigcapture_ink(cap));
    size_t strokes_before = sigink_stroke_count(sigcapture_ink(cap));
    g_assert_cmpuint(before, >, 0);
    g_assert_cmpuint(before, <, points);

    /* While it is away nothing arrives, and the drawn strokes stay. */
    sigpad_event e;
    g_assert_false(sigpad_next_event(pad, &e, 300));
    g_assert_cmpuint(sigink_point_count(sigcapture_ink(cap)), ==, before);

    const char *sys1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5";
    umockdev_testbed_uevent(bed, sys1, "remove");
    umockdev_testbed_remove_device(bed, sys1);
    g_assert_false(sigpad_next_event(pad, &e, 300));

    g_assert_true(umockdev_testbed_add_from_file(bed, dev2, &error));
    g_assert_no_error(error);
    g_assert_true(umockdev_testbed_load_ioctl(bed, "/dev/bus/usb/001/006", ioctl2, &error));
    g_assert_no_error(error);
    umockdev_testbed_uevent(bed, "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-6", "add");

    pump(pad, cap, SIGPAD_EVENT_ATTACHED, 0);
    g_assert_false(sigcapture_paused(cap));
    pump(pad, cap, SIGPAD_EVENT_PEN, points);

    /* Every point once; the stroke cut by the unplug became two. */
    const sigink *ink = sigcapture_ink(cap);
    g_assert_cmpuint(sigink_point_count(ink), ==, points);
    g_assert_cmpuint(sigink_stroke_count(ink), ==, strokes + 1);
    g_assert_cmpuint(strokes_before, <=, strokes);
    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    g_assert_cmpuint(st.unplugs, ==, 1);
    g_assert_cmpuint(st.replugs, ==, 1);
    g_assert_cmpuint(st.malformed, ==, 0);

    sigpad_free(pad);
    sigcapture_free(cap);
    g_object_unref(bed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *preload = g_getenv("LD_PRELOAD");
    if (preload == NULL || strstr(preload, "umockdev-preload") == NULL) {
        printf("1..0 # SKIP: not running under umockdev-wrapper\n"); /* TAP: the whole test is
                                                                        skipped */
        return 0;
    }
    g_test_add_func("/sigpad/usb/unplug-replug", test_unplug_replug);
    return g_test_run();
}
