/* bench-sigpad-usb: from a pen report reaped by libusb's Linux backend (the driver's transfer
 * callback stamps it) to its ink, through the driver's worker thread and event queue, with the
 * owner waiting for events as a screen thread would. Runs inside umockdev-run with a pad
 * written by sigpad-gen (meson: bench-signature-usb). Two figures in one run, each the median
 * and the 90th percentile:
 *
 *   canvas: each report as it comes, its segment drawn on a 600 x 200 grey canvas (the
 *           driver's part, without a screen);
 *   screen: the signing screen's own live drawing on an SDL renderer (offscreen video driver,
 *           software renderer, a 1920 x 1080 window, as the kiosk runs headless): per frame the
 *           owner takes every queued event, redraws the whole ink (sigrender_live, the overlay,
 *           SDL_UpdateTexture, as ui/screens/capture_signature.c does), clears the frame, puts
 *           the white box and the ink texture on it and calls SDL_RenderPresent. The time is
 *           taken after SDL_RenderPresent, from the newest report of the frame. Then the pixel
 *           under that report's point is read back (SDL_RenderReadPixels) to check that the
 *           ink is really there. The ink is cleared at 300 points, a signature's size, so the
 *           redraw works on 0..300 points.
 *
 * umockdev hands out reports as fast as they are asked for (a real pad sends about 200 per
 * second), so frames follow each other without pause and the newest report of a frame is
 * only microseconds old when the frame starts: the screen figure is about what one frame of
 * the ink costs after the report arrives. The rest of the kiosk's frame (text, buttons) and
 * the runner's wake-up are not in it. */
#include <stdio.h>
#include <stdlib.h>

#include <SDL.h>
#include <glib.h>

#include "bench.h"
#include "core/biomem.h"
#include "drivers/sigpad/sigcapture.h"
#include "drivers/sigpad/sigpad.h"
#include "imaging/sigrender.h"

enum {
    FULL_SAMPLES = 20000, /* canvas: reports */
    FULL_FRAMES = 1000,   /* screen: frames */
    SIGNATURE = 300,      /* screen: points before the ink is cleared */
    WIN_W = 1920,         /* the headless kiosk's window */
    WIN_H = 1080,
    SMOOTH_PASSES = 2, /* as the signing screen */
};
/* canvas reports and screen frames timed: fewer in the short mode */
#define SAMPLES ((int)bench_n(FULL_SAMPLES, 200))
#define FRAMES  ((int)bench_n(FULL_FRAMES, 20))
#define INK_PX  5.0 /* live ink width at half pressure at 1080 lines, as the signing screen */

static int cmp(const void *a, const void *b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

/* The canvas figure: one report at a time, its segment drawn. Returns how many were timed. */
static int bench_canvas(sigpad *pad, const sigpad_info *info, gint64 *lat)
{
    sigcapture *cap = sigcapture_new(info->width_mm, info->height_mm);
    sigrender_image canvas;
    if (cap == NULL || sigrender_canvas(600, 200, 600.0 / info->width_mm, 0, 0, &canvas) != BK_OK)
        return 0;
    int n = 0;
    sigpad_event e;
    while (n < SAMPLES && sigpad_next_event(pad, &e, 2000)) {
        if (sigcapture_pad_event(cap, &e) != BK_OK)
            break;
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
    sigrender_image_clear(&canvas);
    sigcapture_free(cap);
    return n;
}

/* The signing box for the pad's shape, as the signing screen lays it out. */
static SDL_Rect box_for(const sigpad_info *info)
{
    int w = (int)(WIN_W * 0.7), max_h = (int)(WIN_H * 0.34);
    int h = (int)(w * (info->height_mm / info->width_mm));
    if (h > max_h) {
        h = max_h;
        w = (int)(h * (info->width_mm / info->height_mm));
    }
    return (SDL_Rect){(WIN_W - w) / 2, 400, w, h};
}

/* The screen figure. Returns how many frames were timed; redraw[] gets the part of each frame
 * spent redrawing the ink up to the texture; *seen counts the frames whose newest point was dark
 * on the renderer's target. */
static int bench_screen(sigpad *pad, const sigpad_info *info, gint64 *lat, gint64 *redraw,
                        int *seen)
{
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "bench-sigpad-usb: SDL: %s\n", SDL_GetError());
        return 0;
    }
    SDL_Window *win = SDL_CreateWindow("bench", 0, 0, WIN_W, WIN_H, SDL_WINDOW_SHOWN);
    SDL_Renderer *r = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    SDL_Rect box = box_for(info);
    sigcapture *cap = sigcapture_new(info->width_mm, info->height_mm);
    sigrender_image canvas = {0};
    SDL_Texture *tex = NULL;
    uint32_t *argb = NULL;
    int n = 0;
    *seen = 0;
    if (r == NULL || cap == NULL ||
        sigrender_canvas(box.w, box.h, box.w / info->width_mm, 0, 0, &canvas) != BK_OK)
        goto out;
    argb = biomem_alloc((size_t)box.w * (size_t)box.h * sizeof *argb);
    tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING, box.w, box.h);
    if (argb == NULL || tex == NULL)
        goto out;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    double pen_mm = INK_PX * (WIN_H / 1080.0) / canvas.px_per_mm;
    while (n < FRAMES) {
        sigpad_event e;
        if (!sigpad_next_event(pad, &e, 2000))
            break;
        if (sigink_point_count(sigcapture_ink(cap)) >= SIGNATURE)
            sigcapture_clear(cap);
        /* Everything queued goes into this frame; the newest pen-down report is timed. */
        gint64 newest = 0;
        float x_mm = 0, y_mm = 0;
        do {
            sigcapture_pad_event(cap, &e);
            if (e.type == SIGPAD_EVENT_PEN && e.sample.tip) {
                newest = e.mono_us;
                x_mm = (float)e.sample.x_mm;
                y_mm = (float)e.sample.y_mm;
            }
        } while (sigpad_next_event(pad, &e, 0));
        if (newest == 0)
            continue;
        gint64 t0 = g_get_monotonic_time();
        if (sigrender_live(&canvas, sigcapture_ink(cap), SMOOTH_PASSES, pen_mm) != BK_OK)
            break;
        sigrender_overlay_argb(&canvas, argb);
        SDL_UpdateTexture(tex, NULL, argb, box.w * (int)sizeof *argb);
        redraw[n] = g_get_monotonic_time() - t0;
        SDL_SetRenderDrawColor(r, 0xF4, 0xF3, 0xEF, 255);
        SDL_RenderClear(r);
        SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
        SDL_RenderFillRect(r, &box);
        SDL_RenderCopy(r, tex, NULL, &box);
        SDL_RenderPresent(r);
        lat[n++] = g_get_monotonic_time() - newest;
        SDL_Rect at = {box.x + (int)(x_mm * canvas.px_per_mm),
                       box.y + (int)(y_mm * canvas.px_per_mm), 1, 1};
        uint32_t px = 0xFFFFFFFF;
        if (SDL_RenderReadPixels(r, &at, SDL_PIXELFORMAT_ARGB8888, &px, 4) == 0 &&
            ((px >> 16) & 0xFF) < 128)
            (*seen)++;
    }
out:
    biomem_free(argb);
    if (tex)
        SDL_DestroyTexture(tex);
    sigrender_image_clear(&canvas);
    sigcapture_free(cap);
    if (r)
        SDL_DestroyRenderer(r);
    if (win)
        SDL_DestroyWindow(win);
    SDL_Quit();
    return n;
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
    gint64 *canvas_lat = g_new(gint64, SAMPLES);
    gint64 *screen_lat = g_new(gint64, FRAMES);
    gint64 *redraw = g_new(gint64, FRAMES);
    int nc = bench_canvas(pad, &info, canvas_lat);
    int seen = 0;
    int ns = bench_screen(pad, &info, screen_lat, redraw, &seen);
    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    sigpad_free(pad);
    qsort(canvas_lat, (size_t)nc, sizeof *canvas_lat, cmp);
    qsort(screen_lat, (size_t)ns, sizeof *screen_lat, cmp);
    qsort(redraw, (size_t)ns, sizeof *redraw, cmp);
    printf("report->ink through libusb, the worker and the queue (median, 90th percentile):\n");
    if (nc > 0)
        printf("  canvas, one segment on 600x200:      %6" G_GINT64_FORMAT " us %6" G_GINT64_FORMAT
               " us  (%d reports)\n",
               canvas_lat[nc / 2], canvas_lat[nc * 9 / 10], nc);
    if (ns > 0)
        printf("  screen, ink redrawn and presented:   %6" G_GINT64_FORMAT " us %6" G_GINT64_FORMAT
               " us  (%d frames, %dx%d box, ink read back at the newest point in %d)\n",
               screen_lat[ns / 2], screen_lat[ns * 9 / 10], ns, box_for(&info).w, box_for(&info).h,
               seen);
    if (ns > 0)
        printf("    of which the ink redrawn up to the texture: %" G_GINT64_FORMAT
               " us median (0..%d points, 2 smoothing passes)\n",
               redraw[ns / 2], SIGNATURE);
    printf("  queue overflows: %" G_GUINT64_FORMAT "\n", st.overflow);
    g_free(canvas_lat);
    g_free(screen_lat);
    g_free(redraw);
    return nc > 0 && ns > 0 ? 0 : 1;
}
