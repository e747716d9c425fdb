/* bench-sigpad-usb: from a pen report reaped by libusb's Linux backend to its segment drawn on
 * a 600 x 200 canvas, through the driver's worker thread and event queue, with the owner
 * waiting for events as a screen thread would. Runs inside umockdev-run with a pad written by
 * sigpad-gen (meson: bench-signature-usb). Prints the median and the 90th percentile. */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "sigcapture.h"
#include "sigpad.h"
#include "sigrender.h"

enum { SAMPLES = 20000 };

static int cmp(const void *a, const void *b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    sigpad *pad = NULL;
    if (sigpad_open(&pad) != BK_OK) {
        fprintf(stderr, "bench-sigpad-usb: no pad (run inside umockdev-run)\n");
        return 1;
    }
    sigpad_info info;
    sigpad_get_info(pad, &info);
    sigcapture *cap = sigcapture_new(info.width_mm, info.height_mm);
    sigrender_image canvas;
    if (cap == NULL || sigrender_canvas(600, 200, 600.0 / info.width_mm, 0, 0, &canvas) != BK_OK)
        return 1;
    gint64 *lat = g_new(gint64, SAMPLES);
    int n = 0;
    sigpad_event e;
    while (n < SAMPLES && sigpad_next_event(pad, &e, 2000)) {
        if (sigcapture_pad_event(cap, &e) != BK_OK)
            return 1;
        if (e.type != SIGPAD_EVENT_PEN)
            continue;
        const sigink *ink = sigcapture_ink(cap);
        size_t ns = sigink_stroke_count(ink), np = 0;
        const sigink_point *pts = ns ? sigink_stroke(ink, ns - 1, &np) : NULL;
        if (e.sample.tip && np >= 2)
            sigrender_segment(&canvas, &pts[np - 2], &pts[np - 1], 0.6);
        lat[n++] = g_get_monotonic_time() - e.mono_us;
        if (sigink_point_count(ink) > 100000)
            sigcapture_clear(cap);
    }
    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    sigpad_free(pad);
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    if (n > 0)
        printf("report->ink through libusb and the worker: median %" G_GINT64_FORMAT
               " us, 90th percentile %" G_GINT64_FORMAT " us (%d reports, %" G_GUINT64_FORMAT
               " queue overflows)\n",
               lat[n / 2], lat[n * 9 / 10], n, st.overflow);
    g_free(lat);
    sigrender_image_clear(&canvas);
    sigcapture_free(cap);
    return n > 0 ? 0 : 1;
}
