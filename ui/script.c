#include "ui/script.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/biomem.h"
#include "ui/i18n.h"

typedef struct command {
    const char *name;
    int min_args, max_args;
    script_fn fn;
    const char *usage;
} command;

struct script {
    session *s;
    const char *shots_dir;
    char *error;
    int line;
};

static GArray *commands; /* of command */

bk_err script_register(const char *name, int min_args, int max_args, script_fn fn,
                       const char *usage)
{
    if (commands == NULL)
        commands = g_array_new(FALSE, TRUE, sizeof(command));
    for (guint i = 0; i < commands->len; i++)
        if (strcmp(g_array_index(commands, command, i).name, name) == 0)
            return BK_ERR_EXISTS;
    command c = {name, min_args, max_args, fn, usage};
    g_array_append_val(commands, c);
    return BK_OK;
}

bk_err script_fail(script *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(sc->error);
    sc->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return BK_ERR_INVALID;
}

session *script_session(const script *sc)
{
    return sc->s;
}

void script_settle(script *sc)
{
    runner *r = session_runner(sc->s);
    /* Events may cause screens to change, which may queue more; a few passes settle it. */
    for (int i = 0; i < 4 && !runner_quitting(r); i++)
        runner_pump(r);
    /* The store answers on a worker thread: wait for it (real time; the kiosk's clock stands). */
    while (session_busy(sc->s) && !runner_quitting(r))
        runner_wait(r, 100);
    runner_pump(r);
}

void script_push(script *sc, SDL_Event *ev)
{
    SDL_PushEvent(ev);
    script_settle(sc);
}

static char *on_screen(const script *sc)
{
    g_autofree char *texts = ui_texts_joined(session_ui(sc->s));
    return g_strdup_printf("screen '%s' showing: %s", session_screen_name(sc->s), texts);
}

static void tap_at(script *sc, int x, int y, int64_t hold_ms)
{
    SDL_Event ev = {0};
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = SDL_PRESSED;
    ev.button.clicks = 1;
    ev.button.x = x;
    ev.button.y = y;
    script_push(sc, &ev);
    if (hold_ms > 0)
        session_advance(sc->s, hold_ms);
    ev.type = SDL_MOUSEBUTTONUP;
    ev.button.state = SDL_RELEASED;
    script_push(sc, &ev);
}

static bool parse_int(const char *text, long *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bk_err cmd_tap(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    long x, y;
    if (argc == 3) {
        if (!parse_int(argv[1], &x) || !parse_int(argv[2], &y))
            return script_fail(sc, "tap X Y needs two whole numbers");
        tap_at(sc, (int)x, (int)y, 0);
        return BK_OK;
    }
    const ui_hit *h = ui_hit_by_label(session_ui(sc->s), argv[1]);
    if (h == NULL) {
        g_autofree char *what = on_screen(sc);
        GString *labels = g_string_new(NULL);
        const ui *u = session_ui(sc->s);
        for (size_t i = 0; i < u->n_hits; i++)
            g_string_append_printf(labels, "%s\"%s\"", i ? ", " : "", u->hits[i].label);
        bk_err err =
            script_fail(sc, "no button \"%s\" to tap; buttons: %s; %s", argv[1], labels->str, what);
        g_string_free(labels, TRUE);
        return err;
    }
    tap_at(sc, h->rect.x + h->rect.w / 2, h->rect.y + h->rect.h / 2, 0);
    return BK_OK;
}

static bk_err cmd_press(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    long x, y, ms;
    if (!parse_int(argv[1], &x) || !parse_int(argv[2], &y) || !parse_int(argv[3], &ms) || ms < 0)
        return script_fail(sc, "press X Y MS needs three whole numbers");
    tap_at(sc, (int)x, (int)y, ms);
    return BK_OK;
}

static void type_text(script *sc, const char *text)
{
    /* One event per character, as a keyboard or scanner sends them. */
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        SDL_Event ev = {0};
        ev.type = SDL_TEXTINPUT;
        size_t n = (size_t)(g_utf8_next_char(p) - p);
        memcpy(ev.text.text, p, MIN(n, sizeof ev.text.text - 1));
        SDL_PushEvent(&ev);
    }
    script_settle(sc);
}

static bk_err cmd_type(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    type_text(sc, rest);
    return BK_OK;
}

static bk_err press_key(script *sc, const char *name)
{
    g_auto(GStrv) parts = g_strsplit(name, "+", -1);
    guint n = g_strv_length(parts);
    Uint16 mod = 0;
    for (guint i = 0; i + 1 < n; i++) {
        if (g_ascii_strcasecmp(parts[i], "Alt") == 0)
            mod |= KMOD_LALT;
        else if (g_ascii_strcasecmp(parts[i], "Ctrl") == 0)
            mod |= KMOD_LCTRL;
        else if (g_ascii_strcasecmp(parts[i], "Shift") == 0)
            mod |= KMOD_LSHIFT;
        else if (g_ascii_strcasecmp(parts[i], "Super") == 0 ||
                 g_ascii_strcasecmp(parts[i], "GUI") == 0)
            mod |= KMOD_LGUI;
        else
            return script_fail(sc, "unknown modifier '%s' (Alt, Ctrl, Shift, Super)", parts[i]);
    }
    SDL_Keycode k = SDL_GetKeyFromName(parts[n - 1]);
    if (k == SDLK_UNKNOWN)
        return script_fail(sc, "unknown key '%s'", parts[n - 1]);
    SDL_Event ev = {0};
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = k;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(k);
    ev.key.keysym.mod = mod;
    SDL_PushEvent(&ev);
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    SDL_PushEvent(&ev);
    script_settle(sc);
    return BK_OK;
}

static bk_err cmd_key(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    return press_key(sc, argv[1]);
}

static bk_err cmd_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    long ms;
    if (!parse_int(argv[1], &ms) || ms < 0)
        return script_fail(sc, "wait needs milliseconds");
    /* In steps, so that timers fire in order as they would in real time. */
    while (ms > 0) {
        long step = MIN(ms, 500);
        session_advance(sc->s, step);
        script_settle(sc);
        ms -= step;
    }
    return BK_OK;
}

static bk_err cmd_idle(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    long sec;
    if (!parse_int(argv[1], &sec) || sec < 0)
        return script_fail(sc, "idle needs seconds");
    for (long i = 0; i < sec; i++) {
        session_idle_advance(sc->s, 1000);
        script_settle(sc);
    }
    return BK_OK;
}

static bk_err cmd_expect_screen(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    script_settle(sc);
    if (strcmp(session_screen_name(sc->s), argv[1]) != 0) {
        g_autofree char *what = on_screen(sc);
        return script_fail(sc, "expected screen '%s', but it is %s", argv[1], what);
    }
    return BK_OK;
}

static bk_err cmd_expect_text(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    script_settle(sc);
    bool want = strcmp(argv[0], "expect-text") == 0;
    if (ui_shows_text(session_ui(sc->s), argv[1]) != want) {
        g_autofree char *what = on_screen(sc);
        return script_fail(sc, "expected %stext \"%s\", but it is %s", want ? "" : "no ", argv[1],
                           what);
    }
    return BK_OK;
}

static bk_err cmd_expect_still(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    long ms;
    if (!parse_int(argv[1], &ms) || ms < 0)
        return script_fail(sc, "expect-still needs milliseconds");
    script_settle(sc);
    uint64_t before = session_ui(sc->s)->frames;
    for (long left = ms; left > 0; left -= 500) {
        session_advance(sc->s, MIN(left, 500));
        script_settle(sc);
    }
    uint64_t drawn = session_ui(sc->s)->frames - before;
    if (drawn != 0)
        return script_fail(sc, "%" G_GUINT64_FORMAT " frames drawn in %ld ms", drawn, ms);
    return BK_OK;
}

static bk_err cmd_expect_targets(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    script_settle(sc);
    const ui *u = session_ui(sc->s);
    for (size_t i = 0; i < u->n_hits; i++) {
        const ui_hit *h = &u->hits[i];
        if (h->rect.w < u->target || h->rect.h < u->target)
            return script_fail(sc, "button \"%s\" is %dx%d pixels, under the %d of %.0f mm",
                               h->label, h->rect.w, h->rect.h, u->target, UI_TARGET_MM);
    }
    return BK_OK;
}

/* -- access: every text of the frame fits (ui_check_fit) */
static bk_err cmd_expect_fits(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    script_settle(sc);
    g_autofree char *why = ui_check_fit(session_ui(sc->s));
    if (why != NULL)
        return script_fail(sc, "the text does not fit: %s", why);
    return BK_OK;
}

static bk_err cmd_memory(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    script_settle(sc);
    long rss = -1, peak = -1; /* resident now, and the most so far (VmHWM) */
    g_autofree char *status = NULL;
    if (g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        const char *p = strstr(status, "VmRSS:");
        if (p)
            rss = strtol(p + 6, NULL, 10);
        p = strstr(status, "VmHWM:");
        if (p)
            peak = strtol(p + 6, NULL, 10);
    }
    printf("memory: line=%d rss_kb=%ld biomem_live=%zu peak_rss_kb=%ld\n", sc->line, rss,
           biomem_live_count(), peak);
    fflush(stdout);
    return BK_OK;
}

static bk_err cmd_screenshot(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    if (sc->shots_dir == NULL)
        return script_fail(sc, "screenshot needs --screenshots DIR");
    for (const char *p = argv[1]; *p; p++)
        if (!(g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.'))
            return script_fail(sc, "screenshot names hold only letters, digits, '-', '_', '.'");
    script_settle(sc);
    g_autofree char *file = g_strconcat(argv[1], ".png", NULL);
    g_autofree char *path = g_build_filename(sc->shots_dir, file, NULL);
    bk_err err = ui_screenshot(session_ui(sc->s), path);
    if (err != BK_OK)
        return script_fail(sc, "cannot write %s: %s", path, bk_err_str(err));
    return BK_OK;
}

static bk_err cmd_staff(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    if (argc < 3)
        return script_fail(sc,
                           "staff needs the account's id: the PIN pad lists no ids (staff ID PIN)");
    /* a pad still open after a refusal is closed first: each sign-in starts from the id */
    bk_err err = BK_OK;
    if (strcmp(session_screen_name(sc->s), "staff-pin") == 0 && (err = press_key(sc, "Escape")))
        return err;
    if ((err = press_key(sc, "F12")) != BK_OK)
        return err;
    if (strcmp(session_screen_name(sc->s), "staff-pin") != 0) {
        g_autofree char *what = on_screen(sc);
        return script_fail(sc, "the staff PIN pad did not open; %s", what);
    }
    /* as a badge scanner would: the id and Enter, then the PIN and Enter (checked on the
     * controller's worker: settling waits for the answer) */
    type_text(sc, argv[1]);
    err = press_key(sc, "Return");
    if (err != BK_OK)
        return err;
    type_text(sc, argv[2]);
    return press_key(sc, "Return");
}

static bk_err cmd_language(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    const ui_hit *h = ui_hit_by_label(session_ui(sc->s), i18n_native_name(argv[1]));
    if (h == NULL) {
        g_autofree char *what = on_screen(sc);
        return script_fail(sc, "no language button for '%s'; %s", argv[1], what);
    }
    tap_at(sc, h->rect.x + h->rect.w / 2, h->rect.y + h->rect.h / 2, 0);
    if (strcmp(i18n_language(), argv[1]) != 0)
        return script_fail(sc, "the language did not change to '%s'", argv[1]);
    return BK_OK;
}

static void register_builtins(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    script_register("tap", 1, 2, cmd_tap, "tap \"Label\" | tap X Y");
    script_register("press", 3, 3, cmd_press, "press X Y MS");
    script_register("type", 0, -1, cmd_type, "type TEXT");
    script_register("key", 1, 1, cmd_key, "key NAME");
    script_register("wait", 1, 1, cmd_wait, "wait MS");
    script_register("idle", 1, 1, cmd_idle, "idle SECONDS");
    script_register("expect-screen", 1, 1, cmd_expect_screen, "expect-screen NAME");
    script_register("expect-text", 1, 1, cmd_expect_text, "expect-text \"TEXT\"");
    script_register("expect-no-text", 1, 1, cmd_expect_text, "expect-no-text \"TEXT\"");
    script_register("expect-targets", 0, 0, cmd_expect_targets, "expect-targets");
    script_register("expect-fits", 0, 0, cmd_expect_fits, "expect-fits");
    script_register("expect-still", 1, 1, cmd_expect_still, "expect-still MS");
    script_register("screenshot", 1, 1, cmd_screenshot, "screenshot NAME");
    script_register("memory", 0, 0, cmd_memory, "memory");
    script_register("staff", 1, 2, cmd_staff, "staff ID PIN");
    script_register("language", 1, 1, cmd_language, "language CODE");
}

static const command *find_command(const char *name)
{
    for (guint i = 0; commands && i < commands->len; i++)
        if (strcmp(g_array_index(commands, command, i).name, name) == 0)
            return &g_array_index(commands, command, i);
    return NULL;
}

/* Runs one line; BK_OK or an error with sc->error set. */
static bk_err run_line(script *sc, const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return BK_OK;
    const char *end = p;
    while (*end && *end != ' ' && *end != '\t')
        end++;
    g_autofree char *name = g_strndup(p, (gsize)(end - p));
    const char *rest = end;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    const command *c = find_command(name);
    if (c == NULL)
        return script_fail(sc, "unknown command '%s'", name);
    char **argv = NULL;
    int argc = 0;
    if (c->max_args < 0) {
        argv = g_new0(char *, 2);
        argv[0] = g_strdup(name);
        argc = 1;
    } else {
        GError *error = NULL;
        if (!g_shell_parse_argv(p, &argc, &argv, &error)) {
            bk_err err = script_fail(sc, "cannot read the line: %s", error->message);
            g_error_free(error);
            return err;
        }
        if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
            g_strfreev(argv);
            return script_fail(sc, "usage: %s", c->usage);
        }
    }
    bk_err err = c->fn(sc, argc, argv, rest);
    g_strfreev(argv);
    if (err != BK_OK && sc->error == NULL)
        script_fail(sc, "%s failed: %s", name, bk_err_str(err));
    return err;
}

bk_err script_run(session *s, const char *path, const char *shots_dir, char **message)
{
    register_builtins();
    g_autofree char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        if (message)
            *message = g_strdup_printf("%s: cannot read the script: %s", path, error->message);
        g_error_free(error);
        return BK_ERR_IO;
    }
    script sc = {.s = s, .shots_dir = shots_dir};
    script_settle(&sc);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    bk_err err = BK_OK;
    for (int i = 0; lines[i] != NULL && err == BK_OK; i++) {
        sc.line = i + 1;
        g_strchomp(lines[i]);
        err = run_line(&sc, lines[i]);
        if (runner_quitting(session_runner(s)))
            break;
    }
    if (err != BK_OK && message)
        *message = g_strdup_printf("%s:%d: %s", path, sc.line, sc.error ? sc.error : "failed");
    g_free(sc.error);
    return err;
}
