/* bench-sigpad: how fast pen reports become ink.
 *
 *   decode:      HID pen reports decoded per second (sigreport_decode)
 *   report->ink: one report decoded, added to the capture and its segment drawn on a
 *                600 x 200 canvas, as the signing screen does each frame (median per report)
 *   render:      the record image of a 300-point signature (median)
 * Each figure is the median of 7 rounds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "drivers/sigpad/sigcapture.h"
#include "imaging/sigrender.h"
#include "drivers/sigpad/sigreport.h"

static const uint8_t pen[] = {
    0x05, 0x0D, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x09, 0x20, 0xA1, 0x00, 0x09, 0x42, 0x09, 0x32,
    0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06, 0x81, 0x03, 0x05, 0x01,
    0x09, 0x30, 0x26, 0x10, 0x27, 0x46, 0xE8, 0x03, 0x65, 0x11, 0x55, 0x0E, 0x75, 0x10, 0x95, 0x01,
    0x81, 0x02, 0x09, 0x31, 0x26, 0x70, 0x17, 0x46, 0x58, 0x02, 0x81, 0x02, 0x05, 0x0D, 0x09, 0x30,
    0x26, 0xFF, 0x03, 0x45, 0x00, 0x65, 0x00, 0x55, 0x00, 0x81, 0x02, 0xC0, 0xC0,
};

enum { MAX_ROUNDS = 7, REPORTS = 4096 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

static void make_reports(uint8_t (*r)[8])
{
    for (int i = 0; i < REPORTS; i++) {
        double t = i / 60.0;
        int x = (int)(5000 + 4000 * sin(t * 3)), y = (int)(3000 + 2000 * sin(t * 7));
        int p = (int)(512 + 400 * sin(t));
        uint8_t rep[8] = {0x02,       (uint8_t)(2 | (i % 50 != 49)),
                          (uint8_t)x, (uint8_t)(x >> 8),
                          (uint8_t)y, (uint8_t)(y >> 8),
                          (uint8_t)p, (uint8_t)(p >> 8)};
        memcpy(r[i], rep, 8);
    }
}

int main(void)
{
    static hidparse_layout desc;
    sigreport_layout layout;
    if (hidparse_parse(pen, sizeof pen, &desc) != BK_OK || sigreport_from_hid(&desc, &layout))
        return 1;
    static uint8_t reports[REPORTS][8];
    make_reports(reports);

    const int ROUNDS = (int)bench_n(MAX_ROUNDS, 1);
    double rate[MAX_ROUNDS], ink[MAX_ROUNDS], render[MAX_ROUNDS];
    volatile double sink = 0;
    for (int k = 0; k < ROUNDS; k++) {
        double t0 = now();
        int n = 0;
        while (now() - t0 < (bench_short() ? 0.01 : 0.2)) {
            for (int i = 0; i < REPORTS; i++) {
                sigreport_sample s;
                if (sigreport_decode(&layout, reports[i], 8, &s) == BK_OK)
                    sink += s.x_mm;
            }
            n += REPORTS;
        }
        rate[k] = n / (now() - t0);
    }

    for (int k = 0; k < ROUNDS; k++) {
        sigcapture *cap = sigcapture_new(layout.width_mm, layout.height_mm);
        sigrender_image canvas;
        if (cap == NULL || sigrender_canvas(600, 200, 6.0, 0, 0, &canvas) != BK_OK)
            return 1;
        double t0 = now();
        for (int i = 0; i < REPORTS; i++) {
            sigpad_event e = {.type = SIGPAD_EVENT_PEN, .t_ms = (uint32_t)i};
            if (sigreport_decode(&layout, reports[i], 8, &e.sample) != BK_OK)
                return 1;
            sigcapture_pad_event(cap, &e);
            const sigink *ink_so_far = sigcapture_ink(cap);
            size_t ns = sigink_stroke_count(ink_so_far), np = 0;
            const sigink_point *pts = ns ? sigink_stroke(ink_so_far, ns - 1, &np) : NULL;
            if (e.sample.tip && np >= 2)
                sigrender_segment(&canvas, &pts[np - 2], &pts[np - 1], 0.6);
        }
        ink[k] = (now() - t0) / REPORTS;
        sigrender_image_clear(&canvas);

        /* the first 300 points as a signature for the record image */
        sigink *sig = sigink_new();
        size_t taken = 0;
        for (size_t s = 0; s < sigink_stroke_count(sigcapture_ink(cap)) && taken < 300; s++) {
            size_t np = 0;
            const sigink_point *pts = sigink_stroke(sigcapture_ink(cap), s, &np);
            for (size_t i = 0; i < np && taken < 300; i++, taken++)
                sigink_add(sig, &pts[i]);
            sigink_end_stroke(sig);
        }
        sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
        o.max_px_per_mm = sigreport_counts_per_mm(&layout);
        sigrender_image img;
        t0 = now();
        if (sigrender_render(sig, &o, &img) != BK_OK)
            return 1;
        render[k] = now() - t0;
        sigrender_image_clear(&img);
        sigink_free(sig);
        sigcapture_free(cap);
    }
    printf("decode: %.0f reports/s (median of %d)\n", median(rate, ROUNDS), ROUNDS);
    printf("report->ink: %.2f us per report (median of %d rounds of %d reports)\n",
           median(ink, ROUNDS) * 1e6, ROUNDS, REPORTS);
    printf("render 300 points to 600x200: %.2f ms (median of %d)\n", median(render, ROUNDS) * 1e3,
           ROUNDS);
    return sink < -1 ? 1 : 0;
}
