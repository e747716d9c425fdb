/* The photo step's scripted-mode commands (test hooks, hooks.h):
 *   camera-fault NAME [TIMES], camera-unplug, camera-plug: lines for the emulated camera
 *     (emulators/ptpip, the ptpip-camera program) written to its command pipe, the kiosk's
 *     `[camera] emulator_control` (a named pipe the program reads as its stdin);
 *   camera-wait EVENT [SECONDS], camera-watch SECONDS: real time passes on the photo screen
 *     (the kiosk's clock stands) until it has seen something, or for a while, counting;
 *   photo-shown, photo-save FILE: what the result or the officer's screen shows large.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/photo.h"
#include "testhooks/hooks.h"
#include "ui/capture_photo.h"
#include "ui/script.h"
#include "ui/ui.h"

/* The command pipe and the service, for the commands (set once at registration); the counters
 * at the last camera-mark, for the next camera-wait. */
static struct {
    char *control;
    photo_service *ps;
    capture_photo_counters mark;
    bool marked;
} hooks;

/* Writes one line to the emulated camera's command pipe. */
static bk_err control(script *sc, const char *line)
{
    if (hooks.control == NULL)
        return script_fail(sc, "no emulated camera: set BIOKIOSK_CAMERA_CONTROL");
    int fd = open(hooks.control, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return script_fail(sc, "cannot open the camera's command pipe: %s", g_strerror(errno));
    g_autofree char *text = g_strconcat(line, "\n", NULL);
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    if (n != (ssize_t)strlen(text))
        return script_fail(sc, "cannot write to the camera's command pipe");
    /* the emulator reads its commands on another process: give it a moment (real time) */
    g_usleep(100 * 1000);
    script_settle(sc);
    return BK_OK;
}

static bk_err cmd_camera_fault(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    static const char *const names[][2] = {
        {"busy", "busy"},        {"no-capture-event", "no-capture-event"},
        {"drop", "drop"},        {"corrupt", "corrupt-jpeg"},
        {"slow", "slow-frames"}, {"none", "none"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(argv[1], names[i][0]) == 0) {
            g_autofree char *line =
                g_strdup_printf("fault %s %s", names[i][1], argc > 2 ? argv[2] : "1");
            return control(sc, line);
        }
    }
    return script_fail(sc,
                       "camera-fault: unknown fault '%s' (busy, no-capture-event, drop, "
                       "corrupt, slow, none)",
                       argv[1]);
}

static bk_err cmd_camera_unplug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return control(sc, "unplug");
}

static bk_err cmd_camera_plug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return control(sc, "plug");
}

/* The screen's counter for an event name, or -1. */
static int64_t wait_value(const capture_photo_counters *c, const char *what)
{
    if (strcmp(what, "frame") == 0)
        return (int64_t)c->frames_shown;
    if (strcmp(what, "analysis") == 0)
        return (int64_t)c->analyses_seen;
    if (strcmp(what, "result") == 0)
        return (int64_t)c->results_seen;
    if (strcmp(what, "problem") == 0)
        return (int64_t)c->problems_seen;
    if (strcmp(what, "ready") == 0)
        return c->ready ? 1 : 0;
    if (strcmp(what, "paused") == 0)
        return c->ready ? 0 : 1;
    if (strcmp(what, "pass") == 0)
        return c->pass ? 1 : 0;
    return -1;
}

/* camera-wait idle: until the photo service's threads hold no frame or photo (after the step,
 * for memory checks). */
static bk_err wait_idle(script *sc, runner *r, int64_t deadline, long secs)
{
    for (;;) {
        photo_snapshot snap;
        if (hooks.ps == NULL)
            return script_fail(sc, "camera-wait idle: the photo step is not set up");
        photo_service_snapshot(hooks.ps, &snap);
        if (!snap.busy)
            break;
        if (g_get_monotonic_time() > deadline)
            return script_fail(sc, "camera-wait idle: still busy after %ld s", secs);
        runner_wait(r, 50);
    }
    script_settle(sc);
    return BK_OK;
}

/* camera-wait models: until the photo service's face models are loaded (any screen; a kiosk
 * just started loads them on the service's thread). */
static bk_err wait_models(script *sc, runner *r, int64_t deadline, long secs)
{
    for (;;) {
        photo_snapshot snap;
        if (hooks.ps == NULL)
            return script_fail(sc, "camera-wait models: the photo step is not set up");
        photo_service_snapshot(hooks.ps, &snap);
        if (!snap.preparing)
            break;
        if (g_get_monotonic_time() > deadline)
            return script_fail(sc, "camera-wait models: still loading after %ld s", secs);
        runner_wait(r, 50);
    }
    script_settle(sc);
    return BK_OK;
}

/* camera-mark: the photo screen's counters now; the next camera-wait of a counted event waits for
 * one after this line instead of after its own. Put before the line that causes the event (the
 * tap that takes the photo): the event may come while the lines between run (a `wait` renders
 * its frames in real time), and a camera-wait that began after it would wait for another. */
static bk_err cmd_camera_mark(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    session *s = script_session(sc);
    if (!capture_photo_counters_get(session_runner(s), &hooks.mark))
        return script_fail(sc, "camera-mark: the photo screen is not shown (screen '%s')",
                           session_screen_name(s));
    hooks.marked = true;
    return BK_OK;
}

/* camera-wait EVENT [SECONDS]: lets real time pass (the kiosk's clock stands) until the photo
 * screen has seen EVENT: frame, analysis, result, problem (a new one each: after this line, or
 * after the camera-mark before it), or until it is ready, paused, or the checks pass; `idle`
 * (any screen): until the photo's threads hold no frame or photo; `models` (any screen): until
 * the face models are loaded. Fails after SECONDS (default 20). */
static bk_err cmd_camera_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    session *s = script_session(sc);
    runner *r = session_runner(s);
    long secs = argc > 2 ? strtol(argv[2], NULL, 10) : 20;
    if (secs <= 0 || secs > 600)
        return script_fail(sc, "camera-wait: SECONDS must be 1..600");
    int64_t deadline = g_get_monotonic_time() + secs * G_USEC_PER_SEC;
    if (strcmp(argv[1], "idle") == 0)
        return wait_idle(sc, r, deadline, secs);
    if (strcmp(argv[1], "models") == 0)
        return wait_models(sc, r, deadline, secs);
    capture_photo_counters c;
    if (!capture_photo_counters_get(r, &c))
        return script_fail(sc, "camera-wait: the photo screen is not shown (screen '%s')",
                           session_screen_name(s));
    int64_t start = wait_value(hooks.marked ? &hooks.mark : &c, argv[1]);
    hooks.marked = false;
    if (start < 0)
        return script_fail(sc,
                           "camera-wait: unknown event '%s' (frame, analysis, result, "
                           "problem, ready, paused, pass)",
                           argv[1]);
    bool level = strcmp(argv[1], "ready") == 0 || strcmp(argv[1], "paused") == 0 ||
                 strcmp(argv[1], "pass") == 0;
    for (;;) {
        runner_wait(r, 50);
        if (!capture_photo_counters_get(r, &c))
            return script_fail(sc, "camera-wait: the photo screen went away");
        int64_t v = wait_value(&c, argv[1]);
        if (level ? v == 1 : v > start)
            break;
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *texts = ui_texts_joined(session_ui(s));
            return script_fail(sc, "camera-wait %s: nothing after %ld s; showing: %s", argv[1],
                               secs, texts);
        }
    }
    script_settle(sc);
    return BK_OK;
}

/* camera-watch SECONDS: lets real time pass on the photo screen and prints on stdout how many
 * live-view frames were shown, how many analysis results arrived and how many were drawn as
 * the instruction, in all and per second (for benchmarks; tests must not assert rates). */
static bk_err cmd_camera_watch(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    session *s = script_session(sc);
    runner *r = session_runner(s);
    long secs = strtol(argv[1], NULL, 10);
    if (secs <= 0 || secs > 600)
        return script_fail(sc, "camera-watch: SECONDS must be 1..600");
    capture_photo_counters c0, c;
    if (!capture_photo_counters_get(r, &c0))
        return script_fail(sc, "camera-watch: the photo screen is not shown (screen '%s')",
                           session_screen_name(s));
    int64_t start = g_get_monotonic_time(), end = start + secs * G_USEC_PER_SEC;
    c = c0;
    while (g_get_monotonic_time() < end) {
        runner_wait(r, 20);
        if (!capture_photo_counters_get(r, &c) || c.frames_shown < c0.frames_shown)
            return script_fail(sc, "camera-watch: the photo screen went away");
    }
    double t = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    uint64_t f = c.frames_shown - c0.frames_shown, a = c.analyses_seen - c0.analyses_seen,
             d = c.instructions_drawn - c0.instructions_drawn;
    printf("camera-watch: seconds=%.1f frames=%" G_GUINT64_FORMAT " frames_per_s=%.1f "
           "analyses=%" G_GUINT64_FORMAT
           " analyses_per_s=%.1f instructions_drawn=%" G_GUINT64_FORMAT
           " instructions_per_s=%.1f\n",
           t, f, f / t, a, a / t, d, d / t);
    fflush(stdout);
    script_settle(sc);
    return BK_OK;
}

/* photo-shown: prints on stdout what the result or the officer's screen draws large: the
 * window's height, the photo's height and share of it, the photo shown and its zoom (the part of
 * the photo drawn and where its eyes and mouth are, in the thumb's pixels). */
static bk_err cmd_photo_shown(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    session *s = script_session(sc);
    runner *r = session_runner(s);
    capture_photo_counters c;
    script_settle(sc);
    if (!capture_photo_counters_get(r, &c) || c.large_photo_h <= 0)
        return script_fail(sc, "photo-shown: no photo is shown large (screen '%s')",
                           session_screen_name(s));
    int h = runner_ui(r)->h;
    static const char *const zooms[] = {"whole", "eyes", "mouth"};
    printf("photo-shown: screen_h=%d photo_h=%d share=%.3f shown=%d zoom=%s src=%d,%d,%d,%d "
           "marked=%d eyes=%.1f,%.1f,%.1f,%.1f mouth=%.1f,%.1f at=%d,%d,%d,%d\n",
           h, c.large_photo_h, (double)c.large_photo_h / h, c.shown, zooms[c.zoom % 3],
           c.zoom_src[0], c.zoom_src[1], c.zoom_src[2], c.zoom_src[3], c.marked, c.eyes[0][0],
           c.eyes[0][1], c.eyes[1][0], c.eyes[1][1], c.mouth[0], c.mouth[1], c.photo_at[0],
           c.photo_at[1], c.photo_at[2], c.photo_at[3]);
    fflush(stdout);
    return BK_OK;
}

/* photo-save FILE: writes the crop (the JPEG the record would keep) of the photo the result or
 * the officer's screen shows large, so that a test can compare the screen's pixels with it. */
static bk_err cmd_photo_save(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    capture_photo_counters c;
    script_settle(sc);
    if (!capture_photo_counters_get(session_runner(script_session(sc)), &c) || c.attempt == NULL ||
        c.attempt->jpeg == NULL)
        return script_fail(sc, "photo-save: no cropped photo is shown large");
    FILE *f = fopen(argv[1], "wb");
    bool ok = f != NULL && fwrite(c.attempt->jpeg, 1, c.attempt->len, f) == c.attempt->len;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    return ok ? BK_OK : script_fail(sc, "photo-save: cannot write %s", argv[1]);
}

void photo_hooks_register(const testhooks_context *ctx)
{
    const char *ctl = ctx->cfg ? config_get_string(ctx->cfg, CONFIG_CAMERA_EMULATOR_CONTROL) : "";
    g_free(hooks.control);
    hooks.control = ctl && ctl[0] ? g_strdup(ctl) : NULL;
    hooks.ps = ctx->photo;
    script_register("camera-fault", 1, 2, cmd_camera_fault, "camera-fault NAME [TIMES]");
    script_register("camera-unplug", 0, 0, cmd_camera_unplug, "camera-unplug");
    script_register("camera-plug", 0, 0, cmd_camera_plug, "camera-plug");
    script_register("camera-mark", 0, 0, cmd_camera_mark, "camera-mark");
    script_register("camera-wait", 1, 2, cmd_camera_wait, "camera-wait EVENT [SECONDS]");
    script_register("camera-watch", 1, 1, cmd_camera_watch, "camera-watch SECONDS");
    script_register("photo-shown", 0, 0, cmd_photo_shown, "photo-shown");
    script_register("photo-save", 1, 1, cmd_photo_save, "photo-save FILE");
}
