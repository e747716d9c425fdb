/* The signature step's scripted-mode commands (test hooks, compiled only with
 * -Dtest_hooks=true): they drive the signing screen with SDL events and wait, in real time, for
 * the emulated pad's strokes to reach the signature service.
 *
 *   stroke X,Y X,Y ...   one touch stroke: finger down at the first point, moves, up at the last;
 *                        X,Y are pixels relative to the signing box's top left corner (so a
 *                        script does not depend on where the box sits); 10 ms of the kiosk's
 *                        clock pass between points
 *   mouse-stroke X,Y ... the same drag with the mouse (SDL mouse motion and button events)
 *   pad-strokes FILE     waits (real time, up to 20 s) until every point of FILE (the strokes
 *                        file the emulated pad was generated from, sigpad-gen's format) is in a
 *                        finished stroke, and checks them: the first strokes on screen are the
 *                        file's, point for point within the pad's 0.01 mm (an emulated pad may go
 *                        on: umockdev replays its script when the driver reopens it)
 *   pad-points FILE      as pad-strokes, but compares the points only (a stroke cut by an unplug
 *                        comes back as two)
 *   pad-wait-paused      waits (real time, up to 20 s) until the screen shows the pad as
 *                        disconnected
 *   signature-count N    the signing box holds N points
 *   pad-wait-open        waits (real time, up to 20 s) until the signature service has answered
 *                        the screen's request for the pad (stroke and the pad commands wait so
 *                        too)
 *   pad-hold-open on|off while on, the service's worker holds a request for the pad before it
 *                        touches the device, as behind a slow pad
 *   pad-open-pending ROUNDS "TEXT"
 *                        while the request for the pad is held: runs the main loop ROUNDS times,
 *                        each with an event that needs a frame (a window exposed), and fails
 *                        unless a frame was presented each round, the request stayed pending
 *                        and TEXT was on screen; prints the frames and the longest round
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "capture/signature.h"
#include "testhooks/hooks.h"
#include "ui/capture.h"
#include "ui/capture_signature.h"
#include "ui/runner.h"
#include "ui/script.h"
#include "ui/session.h"
#include "ui/ui.h"

#define WAIT_REAL_MS   20000
#define STROKE_STEP_MS 10

/* The kiosk's signature service, as registered with the signing screen (transfer none). */
static signature_service *service(void)
{
    return capture_service(FLOW_ITEM_SIGNATURE);
}

static runner *runner_of(script *sc)
{
    return session_runner(script_session(sc));
}

/* Lets real time pass (handling events) while the signing screen waits for the service's answer
 * about the pad; false when it did not come within WAIT_REAL_MS. */
static bool wait_open(script *sc)
{
    runner *r = runner_of(sc);
    gint64 deadline = g_get_monotonic_time() + (gint64)WAIT_REAL_MS * 1000;
    capture_signature_view v;
    while (capture_signature_view_get(r, &v) && v.opening && !runner_quitting(r)) {
        if (g_get_monotonic_time() >= deadline)
            return false;
        runner_wait(r, 100);
    }
    script_settle(sc);
    return true;
}

static bk_err need_active(script *sc, bool pad)
{
    capture_signature_view v;
    if (!wait_open(sc))
        return script_fail(sc, "the signature service did not answer about the pad in %d s",
                           WAIT_REAL_MS / 1000);
    if (!capture_signature_showing(runner_of(sc), &v))
        return script_fail(sc, "the signing screen is not showing (screen '%s')",
                           session_screen_name(script_session(sc)));
    if (pad != v.pad)
        return script_fail(sc, "the signing screen reads the %s, not the %s",
                           v.pad ? "USB pad" : "touch screen", pad ? "USB pad" : "touch screen");
    return BK_OK;
}

/* The signing box's top left corner now; false when the screen went away. */
static bool box_origin(runner *r, double *x, double *y)
{
    capture_signature_view v;
    if (!capture_signature_showing(r, &v))
        return false;
    *x = v.box.x;
    *y = v.box.y;
    return true;
}

static bk_err cmd_stroke(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    bk_err err = need_active(sc, false);
    if (err != BK_OK)
        return err;
    session *s = script_session(sc);
    ui *u = session_ui(s);
    for (int i = 1; i < argc; i++) {
        double x, y;
        char tail;
        if (sscanf(argv[i], "%lf,%lf%c", &x, &y, &tail) != 2)
            return script_fail(sc, "stroke: '%s' is not X,Y", argv[i]);
        double bx, by;
        if (!box_origin(runner_of(sc), &bx, &by))
            return script_fail(sc, "stroke: the signing screen went away");
        SDL_Event ev = {0};
        ev.type = i == 1 ? SDL_FINGERDOWN : SDL_FINGERMOTION;
        ev.tfinger.touchId = 1;
        ev.tfinger.fingerId = 1;
        ev.tfinger.x = (float)((bx + x) / u->w);
        ev.tfinger.y = (float)((by + y) / u->h);
        ev.tfinger.pressure = 0.5f;
        script_push(sc, &ev);
        if (i + 1 < argc)
            session_advance(s, STROKE_STEP_MS);
        if (i + 1 == argc) {
            ev.type = SDL_FINGERUP;
            script_push(sc, &ev);
        }
    }
    return BK_OK;
}

/* mouse-stroke X,Y X,Y ...: what SDL sends for a mouse drag in the box, through the same input
 * path as a real mouse: the pointer moves to the first point (button up), the left button goes
 * down there, the pointer moves to each next point with the button held, the button goes up at
 * the last point. Nothing more: as with a real mouse the stroke ends at the next motion without
 * the button (or when it leaves the box), so a last stroke is still open at "Accept". */
static bk_err cmd_mouse_stroke(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    bk_err err = need_active(sc, false);
    if (err != BK_OK)
        return err;
    session *s = script_session(sc);
    int px = 0, py = 0; /* the pointer's last place, for SDL's relative motion */
    for (int i = 1; i < argc; i++) {
        double x, y;
        char tail;
        if (sscanf(argv[i], "%lf,%lf%c", &x, &y, &tail) != 2)
            return script_fail(sc, "mouse-stroke: '%s' is not X,Y", argv[i]);
        double bx, by;
        if (!box_origin(runner_of(sc), &bx, &by))
            return script_fail(sc, "mouse-stroke: the signing screen went away");
        int ax = (int)bx + (int)lround(x), ay = (int)by + (int)lround(y);
        SDL_Event ev = {0};
        ev.type = SDL_MOUSEMOTION;
        ev.motion.which = 0;
        ev.motion.state = i == 1 ? 0 : SDL_BUTTON_LMASK;
        ev.motion.x = ax;
        ev.motion.y = ay;
        ev.motion.xrel = i == 1 ? 0 : ax - px;
        ev.motion.yrel = i == 1 ? 0 : ay - py;
        script_push(sc, &ev);
        px = ax;
        py = ay;
        if (i == 1) {
            SDL_Event b = {0};
            b.type = SDL_MOUSEBUTTONDOWN;
            b.button.which = 0;
            b.button.button = SDL_BUTTON_LEFT;
            b.button.state = SDL_PRESSED;
            b.button.clicks = 1;
            b.button.x = ax;
            b.button.y = ay;
            script_push(sc, &b);
        }
        if (i + 1 < argc)
            session_advance(s, STROKE_STEP_MS);
        if (i + 1 == argc) {
            SDL_Event b = {0};
            b.type = SDL_MOUSEBUTTONUP;
            b.button.which = 0;
            b.button.button = SDL_BUTTON_LEFT;
            b.button.state = SDL_RELEASED;
            b.button.clicks = 1;
            b.button.x = ax;
            b.button.y = ay;
            script_push(sc, &b);
        }
    }
    return BK_OK;
}

typedef struct want_strokes {
    GArray *points; /* sigink_point */
    GArray *ends;   /* size_t */
} want_strokes;

static bool read_strokes(const char *path, want_strokes *w)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    w->points = g_array_new(FALSE, FALSE, sizeof(sigink_point));
    w->ends = g_array_new(FALSE, FALSE, sizeof(size_t));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        if (**l == '\0' || **l == '#')
            continue;
        g_auto(GStrv) pts = g_strsplit_set(*l, " \t", -1);
        for (char **q = pts; *q; q++) {
            sigink_point pt = {0};
            if (**q && sscanf(*q, "%f,%f,%f", &pt.x_mm, &pt.y_mm, &pt.pressure) == 3)
                g_array_append_val(w->points, pt);
        }
        size_t end = w->points->len;
        if (w->ends->len == 0 || g_array_index(w->ends, size_t, w->ends->len - 1) != end)
            g_array_append_val(w->ends, end);
    }
    return w->points->len > 0;
}

static void free_strokes(want_strokes *w)
{
    if (w->points)
        g_array_free(w->points, TRUE);
    if (w->ends)
        g_array_free(w->ends, TRUE);
}

/* The first strokes on screen must be the file's. More may follow: umockdev starts the pad's
 * script again when the driver reopens the device after the script's end. */
static bk_err compare_strokes(script *sc, const sigink *ink, const want_strokes *w, bool strokes)
{
    if (sigink_point_count(ink) < w->points->len)
        return script_fail(sc, "pad-strokes: %zu points on screen, %u in the file",
                           sigink_point_count(ink), w->points->len);
    if (!strokes) {
        /* Points only: a stroke cut by an unplug comes back as two. */
        size_t k = 0;
        for (size_t i = 0; i < sigink_stroke_count(ink) && k < w->points->len; i++) {
            size_t n = 0;
            const sigink_point *got = sigink_stroke(ink, i, &n);
            for (size_t j = 0; j < n && k < w->points->len; j++, k++) {
                const sigink_point *e = &g_array_index(w->points, sigink_point, k);
                if (fabsf(got[j].x_mm - e->x_mm) > 0.006f || fabsf(got[j].y_mm - e->y_mm) > 0.006f)
                    return script_fail(sc, "pad-points: point %zu differs from the file", k + 1);
            }
        }
        return BK_OK;
    }
    if (sigink_stroke_count(ink) < w->ends->len)
        return script_fail(sc, "pad-strokes: %zu strokes on screen, %u in the file",
                           sigink_stroke_count(ink), w->ends->len);
    size_t k = 0;
    for (size_t i = 0; i < w->ends->len; i++) {
        size_t n = 0;
        const sigink_point *got = sigink_stroke(ink, i, &n);
        size_t start = i ? g_array_index(w->ends, size_t, i - 1) : 0;
        if (n != g_array_index(w->ends, size_t, i) - start)
            return script_fail(sc, "pad-strokes: stroke %zu has %zu points, the file %zu", i + 1, n,
                               g_array_index(w->ends, size_t, i) - start);
        for (size_t j = 0; j < n; j++, k++) {
            const sigink_point *e = &g_array_index(w->points, sigink_point, k);
            if (fabsf(got[j].x_mm - e->x_mm) > 0.006f || fabsf(got[j].y_mm - e->y_mm) > 0.006f)
                return script_fail(sc, "pad-strokes: stroke %zu point %zu differs from the file",
                                   i + 1, j + 1);
        }
    }
    return BK_OK;
}

/* Lets real time pass for the pad's worker, handling the events it sends, until done() or the
 * deadline. */
static bool wait_real(script *sc, bool (*done)(runner *, const want_strokes *),
                      const want_strokes *w)
{
    runner *r = session_runner(script_session(sc));
    gint64 deadline = g_get_monotonic_time() + (gint64)WAIT_REAL_MS * 1000;
    while (g_get_monotonic_time() < deadline && !runner_quitting(r)) {
        if (capture_signature_showing(r, NULL) && done(r, w))
            return true;
        runner_wait(r, 100);
    }
    return capture_signature_showing(r, NULL) && done(r, w);
}

/* The file's points are all in closed strokes. Only the points of a stroke still open count as
 * not in: an emulated pad replays its strokes without pause, so waiting for the pen to be up
 * when the loop looks would be luck. */
static bool all_points_in(runner *r, const want_strokes *w)
{
    capture_signature_view v;
    capture_signature_showing(r, &v);
    const sigink *ink = signature_service_ink(service());
    size_t total = sigink_point_count(ink), ns = sigink_stroke_count(ink), open = 0;
    if (v.pen_down && ns > 0)
        sigink_stroke(ink, ns - 1, &open);
    return total - open >= w->points->len;
}

static bool paused(runner *r, const want_strokes *w)
{
    (void)r;
    (void)w;
    return signature_service_paused(service());
}

static bk_err cmd_pad_strokes(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    bool strokes = strcmp(argv[0], "pad-strokes") == 0;
    bk_err err = need_active(sc, true);
    if (err != BK_OK)
        return err;
    want_strokes w = {0};
    if (!read_strokes(argv[1], &w)) {
        free_strokes(&w);
        return script_fail(sc, "pad-strokes: cannot read strokes from '%s'", argv[1]);
    }
    if (!wait_real(sc, all_points_in, &w)) {
        const sigink *ink = signature_service_ink(service());
        size_t got = ink ? sigink_point_count(ink) : 0;
        unsigned want = w.points->len;
        free_strokes(&w);
        return script_fail(sc, "%s: the pad gave %zu of %u points in %d s", argv[0], got, want,
                           WAIT_REAL_MS / 1000);
    }
    script_settle(sc);
    err = compare_strokes(sc, signature_service_ink(service()), &w, strokes);
    free_strokes(&w);
    return err;
}

static bk_err cmd_pad_wait_paused(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    bk_err err = need_active(sc, true);
    if (err != BK_OK)
        return err;
    if (!wait_real(sc, paused, NULL))
        return script_fail(sc, "pad-wait-paused: the pad did not go away in %d s",
                           WAIT_REAL_MS / 1000);
    script_settle(sc);
    return BK_OK;
}

static bk_err cmd_signature_count(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    if (!wait_open(sc) || !capture_signature_showing(runner_of(sc), NULL))
        return script_fail(sc, "the signing screen is not showing (screen '%s')",
                           session_screen_name(script_session(sc)));
    char *end = NULL;
    unsigned long want = strtoul(argv[1], &end, 10);
    if (end == argv[1] || *end)
        return script_fail(sc, "signature-count: '%s' is not a number", argv[1]);
    size_t got = sigink_point_count(signature_service_ink(service()));
    if (got != want)
        return script_fail(sc, "signature-count: %zu points in the box, expected %lu", got, want);
    return BK_OK;
}

static bk_err cmd_pad_wait_open(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    if (!capture_signature_view_get(runner_of(sc), NULL))
        return script_fail(sc, "the signing screen is not showing (screen '%s')",
                           session_screen_name(script_session(sc)));
    if (!wait_open(sc))
        return script_fail(sc, "pad-wait-open: no answer about the pad in %d s",
                           WAIT_REAL_MS / 1000);
    return BK_OK;
}

static bk_err cmd_pad_hold_open(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    bool on = strcmp(argv[1], "on") == 0;
    if (!on && strcmp(argv[1], "off") != 0)
        return script_fail(sc, "pad-hold-open: on or off, not '%s'", argv[1]);
    signature_service_hold_open(service(), on);
    return BK_OK;
}

/* As the visit test's loop while the store is locked (tests/ui/test-ui-visit.c): every round
 * needs a new frame; nothing is timed, the longest round is a figure. */
static bk_err cmd_pad_open_pending(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    char *end = NULL;
    long rounds = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end || rounds < 1)
        return script_fail(sc, "pad-open-pending: '%s' is not a number of rounds", argv[1]);
    runner *r = runner_of(sc);
    ui *u = session_ui(script_session(sc));
    uint64_t before = u->frames;
    gint64 longest = 0;
    for (long i = 0; i < rounds; i++) {
        SDL_Event ev = {.type = SDL_WINDOWEVENT};
        ev.window.event = SDL_WINDOWEVENT_EXPOSED;
        SDL_PushEvent(&ev);
        gint64 t0 = g_get_monotonic_time();
        runner_pump(r);
        longest = MAX(longest, g_get_monotonic_time() - t0);
        capture_signature_view v;
        if (!capture_signature_view_get(r, &v) || !v.opening ||
            !signature_service_opening(service()))
            return script_fail(sc,
                               "pad-open-pending: the request for the pad is not pending "
                               "(round %ld; is pad-hold-open on?)",
                               i + 1);
        g_usleep(10 * 1000);
    }
    uint64_t frames = u->frames - before;
    printf("pad-open-pending: frames=%" G_GUINT64_FORMAT " rounds=%ld longest_round_ms=%.1f\n",
           frames, rounds, (double)longest / 1000.0);
    fflush(stdout);
    if (frames < (uint64_t)rounds)
        return script_fail(sc, "pad-open-pending: %" G_GUINT64_FORMAT " frames in %ld rounds",
                           frames, rounds);
    if (!ui_shows_text(u, argv[2]))
        return script_fail(sc, "pad-open-pending: '%s' is not on screen", argv[2]);
    return BK_OK;
}

void signature_hooks_register(const testhooks_context *ctx)
{
    (void)ctx; /* the service comes with the signing screen's registration (ui/capture.h) */
    if (service() == NULL)
        return;
    script_register("stroke", 1, 4096, cmd_stroke, "stroke X,Y X,Y ... (pixels in the box)");
    script_register("mouse-stroke", 1, 4096, cmd_mouse_stroke,
                    "mouse-stroke X,Y X,Y ... (pixels in the box)");
    script_register("pad-strokes", 1, 1, cmd_pad_strokes, "pad-strokes FILE");
    script_register("pad-points", 1, 1, cmd_pad_strokes, "pad-points FILE");
    script_register("pad-wait-paused", 0, 0, cmd_pad_wait_paused, "pad-wait-paused");
    script_register("signature-count", 1, 1, cmd_signature_count, "signature-count N");
    script_register("pad-wait-open", 0, 0, cmd_pad_wait_open, "pad-wait-open");
    script_register("pad-hold-open", 1, 1, cmd_pad_hold_open, "pad-hold-open on|off");
    script_register("pad-open-pending", 2, 2, cmd_pad_open_pending,
                    "pad-open-pending ROUNDS \"TEXT\"");
}
