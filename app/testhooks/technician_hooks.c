/* The technician screen's scripted-mode commands (test hooks, compiled only with
 * -Dtest_hooks=true): they wait in real time for the self-test's job and turn the list's pages.
 *
 *   technician-wait SECONDS   wait in real time, up to SECONDS, until the running checks ended
 *   technician-show CHECK     turn the list's pages (from the first) until the row of CHECK
 *                             (e.g. store.today) is on screen; fails when no page has it
 *   technician-prompt SECONDS wait in real time until a hands-on step's prompt is on screen;
 *                             logs "prompt on screen: TEXT" (a test then acts, e.g. places a
 *                             finger on the virtual reader), or "prompt answered before it was
 *                             drawn: TEXT" when the device answered at once
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "testhooks/hooks.h"
#include "ui/i18n.h"
#include "ui/runner.h"
#include "ui/script.h"
#include "ui/session.h"
#include "ui/technician.h"
#include "ui/ui.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "biokiosk-technician"

#define MAX_PAGES 32

/* The kiosk's technician screen, as the session knows it; NULL when it has none. */
static technician *tech(void)
{
    return technician_of(session_technician_screen());
}

/* SECONDS of a command: 1 to 600, else -1. */
static long seconds_arg(const char *text)
{
    char *end = NULL;
    long seconds = strtol(text, &end, 10);
    return end == text || *end || seconds < 1 || seconds > 600 ? -1 : seconds;
}

static bk_err cmd_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    long seconds = seconds_arg(argv[1]);
    if (seconds < 0)
        return script_fail(sc, "technician-wait SECONDS: 1 to 600");
    technician *t = tech();
    if (t == NULL || !technician_ran(t))
        return script_fail(sc, "no checks were started on the technician screen");
    gint64 limit = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    while (technician_running(t) && g_get_monotonic_time() < limit) {
        g_usleep(20000);
        script_settle(sc);
    }
    script_settle(sc);
    if (technician_running(t))
        return script_fail(sc, "the checks did not end within %ld s", seconds);
    technician_sync(t, script_session(sc));
    script_settle(sc);
    return BK_OK;
}

/* Taps the target labelled `label` as a finger would. */
static void tap_label(script *sc, const char *label)
{
    const ui_hit *h = ui_hit_by_label(session_ui(script_session(sc)), label);
    if (h == NULL)
        return;
    int x = h->rect.x + h->rect.w / 2, y = h->rect.y + h->rect.h / 2;
    SDL_Event ev = {0};
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = SDL_PRESSED;
    ev.button.x = x;
    ev.button.y = y;
    script_push(sc, &ev);
    ev.type = SDL_MOUSEBUTTONUP;
    ev.button.state = SDL_RELEASED;
    script_push(sc, &ev);
}

static bk_err cmd_show(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    session *s = script_session(sc);
    technician *t = tech();
    if (t == NULL || !technician_list_first_page(t, s))
        return script_fail(sc, "the technician screen's list is not showing (screen '%s')",
                           session_screen_name(s));
    g_autofree char *needle = g_strconcat(argv[1], "  ", NULL);
    script_settle(sc);
    for (int i = 0; i <= MAX_PAGES; i++) {
        if (ui_shows_text(session_ui(s), needle))
            return BK_OK;
        if (!technician_more_pages(t))
            break;
        tap_label(sc, _("Next page"));
    }
    return script_fail(sc, "no check '%s' on any page of the technician screen", argv[1]);
}

/* A prompt stays until the technician acts (or its step's time is up); a device that answers at
 * once (an emulated pad replaying its strokes) may end it before it is drawn. */
static bk_err cmd_prompt(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    long seconds = seconds_arg(argv[1]);
    if (seconds < 0)
        return script_fail(sc, "technician-prompt SECONDS: 1 to 600");
    session *s = script_session(sc);
    technician *t = tech();
    gint64 limit = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    for (;;) {
        runner_invalidate(session_runner(s));
        script_settle(sc);
        g_autofree char *prompt = NULL, *last = NULL;
        bool running = t != NULL && technician_prompt(t, &prompt, &last);
        if (prompt && ui_shows_text(session_ui(s), _(prompt))) {
            g_message("prompt on screen: %s", prompt);
            return BK_OK;
        }
        if (last && !prompt) {
            g_message("prompt answered before it was drawn: %s", last);
            return BK_OK;
        }
        if (!running || g_get_monotonic_time() >= limit)
            return script_fail(sc, "no hands-on step asked for anything within %ld s", seconds);
        g_usleep(20000);
    }
}

void technician_hooks_register(const testhooks_context *ctx)
{
    (void)ctx;
    script_register("technician-wait", 1, 1, cmd_wait, "technician-wait SECONDS");
    script_register("technician-show", 1, 1, cmd_show, "technician-show CHECK");
    script_register("technician-prompt", 1, 1, cmd_prompt, "technician-prompt SECONDS");
}
