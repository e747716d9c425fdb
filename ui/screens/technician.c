/* "technician": the self-test inside the kiosk, a display test pattern and a touch test
 * (ui/technician.h). Built into app/selftest's library, which it calls; the session knows the
 * screen only through session_technician_set_screen, so the ui library does not need the
 * self-test. */
#include "ui/technician.h"

#include <string.h>

#include "ui/capture.h"
#include "config/config.h"
#include "ui/screens/screens.h"
#include "ui/script.h"
#include "selftest/selftest.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "biokiosk-technician"

enum {
    ID_RUN = 870,
    ID_RUN_HANDS_ON,
    ID_PATTERN,
    ID_TOUCH,
    ID_BACK,
    ID_PAGE_PREV,
    ID_PAGE_NEXT,
    ID_PATTERN_END,
    ID_TOUCH_END,
    ID_TOUCH_MISS,
    ID_TOUCH_TARGET, /* + index */
};

typedef enum group {
    GROUP_CAMERA,
    GROUP_FINGER,
    GROUP_SIGPAD,
    GROUP_DISPLAY,
    GROUP_STORE,
    GROUP_FILES,
    GROUP_CLOCK,
    GROUP_COUNT_
} group;

static const char *const group_titles[GROUP_COUNT_] = {
    N_("Camera"),
    N_("Fingerprint reader"),
    N_("Signature pad"),
    N_("Screen and touch"),
    N_("Appointment store"),
    N_("Outbox, keys and audit log"),
    N_("Clock"),
};

typedef enum source {
    SOURCE_DIRECT, /* the self-test's own check on the worker thread */
    SOURCE_KIOSK,  /* what the kiosk's capture module (or its window) says */
} source;

typedef enum state {
    STATE_WAITING,
    STATE_RUNNING,
    STATE_DONE,
} state;

typedef enum mode {
    MODE_LIST,
    MODE_PATTERN,
    MODE_TOUCH,
} mode;

#define N_TARGETS 5
#define MAX_PAGES 32
#define POLL_MS   1000
#define SETTLE_MS 10000

static const char *const target_names[N_TARGETS] = {
    N_("Top left"), N_("Top right"), N_("Centre"), N_("Bottom left"), N_("Bottom right"),
};

static struct {
    bool up;
    const config *cfg;
    uint32_t events[2]; /* the worker's wake-up event, 0 */

    /* shared with the worker: under lock */
    GMutex lock;
    selftest_report reps[GROUP_COUNT_];
    state states[GROUP_COUNT_];
    char *prompt;
    char *last_prompt; /* the run's latest prompt, kept after it is over */
    bool running;

    /* main thread only */
    source sources[GROUP_COUNT_];
    GThread *thread;
    int cancel; /* atomic */
    bool interactive;
    long long now;
    bool ran;
    bool finished_logged;
    mode mode;
    int page, page_start[MAX_PAGES + 1];
    bool more; /* the list goes on after this page */
    bool touched[N_TARGETS];
    int strays;
    bool touch_done; /* a touch test ended: its result is in touch_rep */
    selftest_report touch_rep;
} tm;

/* ---- the worker ---------------------------------------------------------------------------- */

static void wake(void)
{
    SDL_Event ev = {0};
    ev.type = tm.events[0];
    SDL_PushEvent(&ev);
}

static void on_prompt(void *data, const char *text)
{
    (void)data;
    if (text)
        g_message("prompt shown: %s", text);
    g_mutex_lock(&tm.lock);
    g_free(tm.prompt);
    tm.prompt = g_strdup(text);
    if (text) {
        g_free(tm.last_prompt);
        tm.last_prompt = g_strdup(text);
    }
    g_mutex_unlock(&tm.lock);
    wake();
}

static bool module_line(flow_item item, char *buf, size_t size);
static void kiosk_camera(selftest_report *r, const char *line);
static void kiosk_finger(selftest_report *r, const char *line);
static void module_checks(group g, flow_item item, bool ready);

/* The status line of a capture module that holds its device, once it reads "... ready" or
 * after SETTLE_MS: a kiosk that has just started may still be opening the device. The photo
 * and fingerprint modules answer their status from any thread. */
static void settled_line(flow_item item, char *buf, size_t size)
{
    gint64 end = g_get_monotonic_time() + (gint64)SETTLE_MS * 1000;
    while (module_line(item, buf, size) && !g_str_has_suffix(buf, "ready") &&
           g_get_monotonic_time() < end && !g_atomic_int_get(&tm.cancel))
        g_usleep(100000);
}

/* Shows what a group has so far (the rest follows as it is made). */
static void publish(group g, selftest_report *local)
{
    g_mutex_lock(&tm.lock);
    selftest_report_move(&tm.reps[g], local);
    g_mutex_unlock(&tm.lock);
    wake();
}

static gpointer worker(gpointer data)
{
    (void)data;
    selftest_options opt = {
        .cfg = tm.cfg,
        .interactive = tm.interactive,
        .prompt = on_prompt,
        .cancel = &tm.cancel,
        .now = tm.now,
    };
    for (int g = 0; g < GROUP_COUNT_; g++) {
        /* the screen's checks and a pad that the signature step has open are answered on the
         * main thread */
        if (g == GROUP_DISPLAY || (g == GROUP_SIGPAD && tm.sources[g] == SOURCE_KIOSK))
            continue;
        g_mutex_lock(&tm.lock);
        tm.states[g] = STATE_RUNNING;
        g_mutex_unlock(&tm.lock);
        wake();
        selftest_report local = {0};
        char line[160] = "";
        switch ((group)g) {
        case GROUP_CAMERA:
            if (tm.sources[g] == SOURCE_KIOSK) {
                settled_line(FLOW_ITEM_PHOTO, line, sizeof line);
                kiosk_camera(&local, line);
                publish(g, &local);
                module_checks(g, FLOW_ITEM_PHOTO, g_str_has_suffix(line, "ready"));
            } else {
                selftest_camera(&opt, &local);
            }
            break;
        case GROUP_FINGER:
            if (tm.sources[g] == SOURCE_KIOSK) {
                settled_line(FLOW_ITEM_FINGERPRINTS, line, sizeof line);
                kiosk_finger(&local, line);
                publish(g, &local);
                module_checks(g, FLOW_ITEM_FINGERPRINTS, g_str_has_suffix(line, "ready"));
            } else {
                selftest_fingerprint(&opt, &local);
            }
            break;
        case GROUP_SIGPAD:
            selftest_sigpad(&opt, &local);
            break;
        case GROUP_STORE:
            selftest_store(&opt, &local);
            break;
        case GROUP_FILES:
            selftest_files(&opt, &local);
            break;
        case GROUP_CLOCK:
            selftest_clock(&opt, &local);
            break;
        case GROUP_DISPLAY:
        case GROUP_COUNT_:
            break;
        }
        for (size_t i = 0; i < local.n && tm.sources[g] == SOURCE_DIRECT; i++)
            g_message("check %s: %s", local.checks[i].name,
                      selftest_status_name(local.checks[i].status));
        g_mutex_lock(&tm.lock);
        selftest_report_move(&tm.reps[g], &local);
        tm.states[g] = STATE_DONE;
        g_mutex_unlock(&tm.lock);
        wake();
    }
    g_mutex_lock(&tm.lock);
    tm.running = false;
    g_free(tm.prompt);
    tm.prompt = NULL;
    g_mutex_unlock(&tm.lock);
    wake();
    return NULL;
}

static bool is_running(void)
{
    g_mutex_lock(&tm.lock);
    bool r = tm.running;
    g_mutex_unlock(&tm.lock);
    return r;
}

/* Joins a worker that has ended (or waits for one that has not). */
static void join_worker(void)
{
    if (tm.thread) {
        g_thread_join(tm.thread);
        tm.thread = NULL;
    }
}

/* ---- the checks the kiosk answers itself ----------------------------------------------------- */

/* The capture module's status line for item; false when the kiosk has none for it. */
static bool module_line(flow_item item, char *buf, size_t size)
{
    const capture_class *cc = capture_lookup(item);
    if (cc == NULL || cc->status == NULL)
        return false;
    buf[0] = '\0';
    cc->status(buf, size);
    return true;
}

static void add_kiosk(selftest_report *r, const char *name, selftest_status st, const char *action,
                      const char *value)
{
    selftest_report_add(r, name, st, action, value);
    g_message("check %s: %s (from the kiosk)", name, selftest_status_name(st));
}

static const char *const held_hands_on =
    "not possible here: the kiosk holds the device; use a test visit, or stop the kiosk and run "
    "`biokiosk selftest --interactive`";

static void kiosk_camera(selftest_report *r, const char *line)
{
    bool ready = g_str_has_suffix(line, "ready");
    bool starting = g_str_has_suffix(line, "starting");
    add_kiosk(r, "camera.found", ready ? SELFTEST_PASS : SELFTEST_FAIL,
              starting ? "The kiosk is still opening the camera: wait a minute and run the "
                         "checks again."
                       : "Switch the camera on, check its cable (or network), and that [camera] "
                         "model and port in the configuration name it.",
              line);
}

static void kiosk_finger(selftest_report *r, const char *line)
{
    bool ready = g_str_has_suffix(line, "ready");
    add_kiosk(r, "fingerprint.found", ready ? SELFTEST_PASS : SELFTEST_FAIL,
              "Plug the fingerprint reader in (a USB port on the computer itself, not a hub); "
              "the kiosk opens it again by itself.",
              line);
    add_kiosk(r, "fingerprint.open_close", SELFTEST_SKIP, NULL,
              ready ? "not run here: the kiosk's fingerprint module has the reader open"
                    : "Skipped: no reader.");
}

/* The checks a capture module makes with the device it holds (capture_class.check), in the
 * self-test's order; the same names as the command's. */
static const char *const camera_module_checks[] = {"camera.live_view", "camera.frames_decode",
                                                   "camera.face_detection", "camera.capture", NULL};
static const char *const finger_module_checks[] = {"fingerprint.capture", NULL};

typedef struct module_run {
    group g;
} module_run;

/* A module's result, shown at once (on the worker thread). */
static void on_module_result(void *data, const capture_check_result *res)
{
    module_run *mr = data;
    static const selftest_status map[] = {
        [CAPTURE_CHECK_PASS] = SELFTEST_PASS,
        [CAPTURE_CHECK_FAIL] = SELFTEST_FAIL,
        [CAPTURE_CHECK_SKIP] = SELFTEST_SKIP,
    };
    selftest_status st = map[res->status];
    g_mutex_lock(&tm.lock);
    selftest_check *c = selftest_report_add(&tm.reps[mr->g], res->name, st, res->action,
                                            res->value ? res->value : "");
    if (res->has_number) {
        c->has_number = true;
        c->number = res->number;
        c->unit = res->unit;
    }
    c->duration_ms = res->duration_ms;
    g_mutex_unlock(&tm.lock);
    /* the measured number too: the tests read it (never anything of a person) */
    if (res->has_number)
        g_message("check %s: %s (from the kiosk's module) %.2f %s", res->name,
                  selftest_status_name(st), res->number, res->unit ? res->unit : "");
    else
        g_message("check %s: %s (from the kiosk's module)", res->name, selftest_status_name(st));
    wake();
}

/* The rest of a group whose device the kiosk's capture module holds: through the module's own
 * check (live view, decoding, faces, the test photo; the finger), never a second handle. A
 * module without one leaves these steps undone and says so. */
static void module_checks(group g, flow_item item, bool ready)
{
    const char *const *names = g == GROUP_CAMERA ? camera_module_checks : finger_module_checks;
    const capture_class *cc = capture_lookup(item);
    bk_err err = BK_ERR_UNAVAILABLE;
    if (cc && cc->check && ready) {
        module_run mr = {g};
        capture_check_run run = {
            .hands_on = tm.interactive,
            .result = on_module_result,
            .prompt = on_prompt,
            .data = &mr,
            .cancel = &tm.cancel,
        };
        err = cc->check(&run);
    }
    if (err == BK_OK)
        return;
    const char *why;
    if (!ready)
        why = g == GROUP_CAMERA ? "Skipped: no camera." : "Skipped: no reader.";
    else if (err == BK_ERR_BUSY)
        why = "not possible now: the kiosk's capture step is using the device";
    else
        why = g == GROUP_CAMERA ? "not run here: the kiosk's photo module holds the camera and "
                                  "cannot run these checks with it"
                                : "not run here: the kiosk's fingerprint module holds the reader "
                                  "and cannot run this check with it";
    selftest_report local = {0};
    for (const char *const *n = names; *n; n++) {
        bool hands_on = g_str_has_suffix(*n, ".capture");
        const char *value = why;
        if (hands_on && !tm.interactive && ready)
            value = "Only with the hands-on steps.";
        else if (hands_on && err == BK_ERR_UNAVAILABLE && ready)
            value = held_hands_on;
        add_kiosk(&local, *n, SELFTEST_SKIP, NULL, value);
    }
    publish(g, &local);
}

static void kiosk_sigpad(selftest_report *r, const char *line)
{
    add_kiosk(r, "sigpad.found", SELFTEST_PASS, NULL, line);
    const char *held = "not run here: the kiosk's signature step has the pad open";
    add_kiosk(r, "sigpad.descriptor", SELFTEST_SKIP, NULL, held);
    add_kiosk(r, "sigpad.draw", SELFTEST_SKIP, NULL,
              tm.interactive ? held_hands_on : "Only with the hands-on steps.");
}

static void kiosk_display(session *s, selftest_report *r)
{
    ui *u = session_ui(s);
    const session_settings *set = session_get_settings(s);
    selftest_screen k = {
        .window_w = u->w,
        .window_h = u->h,
        .video_driver = SDL_GetCurrentVideoDriver(),
        .sdl_touch_devices = SDL_GetNumTouchDevices(),
        .font_path = u->fonts[UI_FONT_BODY] ? u->font_path : NULL,
        .font_arabic_path = u->fonts_arabic[UI_FONT_BODY] ? u->font_arabic_path : NULL,
        .languages = set->languages,
        .n_languages = set->n_languages,
    };
    SDL_DisplayMode dm;
    int index = u->window ? SDL_GetWindowDisplayIndex(u->window) : 0;
    if (SDL_GetCurrentDisplayMode(index < 0 ? 0 : index, &dm) == 0) {
        k.display_w = dm.w;
        k.display_h = dm.h;
        k.refresh_hz = dm.refresh_rate;
    }
    selftest_options opt = {.cfg = tm.cfg};
    selftest_display_screen(&opt, &k, r);
    for (size_t i = 0; i < r->n; i++)
        g_message("check %s: %s (from the kiosk)", r->checks[i].name,
                  selftest_status_name(r->checks[i].status));
}

static void start_run(session *s, bool interactive)
{
    if (is_running())
        return;
    join_worker();
    for (int g = 0; g < GROUP_COUNT_; g++) {
        selftest_report_clear(&tm.reps[g]);
        tm.states[g] = STATE_WAITING;
        tm.sources[g] = SOURCE_DIRECT;
    }
    g_atomic_int_set(&tm.cancel, 0);
    g_clear_pointer(&tm.last_prompt, g_free);
    tm.interactive = interactive;
    tm.now = (long long)session_wall(s);
    tm.ran = true;
    tm.finished_logged = false;
    tm.page = 0;
    g_message("self-test started on the technician screen: staff=%s hands-on=%s",
              session_staff_id(s), interactive ? "yes" : "no");

    char line[160];
    if (capture_lookup(FLOW_ITEM_PHOTO))
        tm.sources[GROUP_CAMERA] = SOURCE_KIOSK;
    if (capture_lookup(FLOW_ITEM_FINGERPRINTS))
        tm.sources[GROUP_FINGER] = SOURCE_KIOSK;
    /* the signature module opens the pad only at its step: while it has it open, its line */
    if (module_line(FLOW_ITEM_SIGNATURE, line, sizeof line) &&
        g_str_has_prefix(line, "signature: pad ")) {
        tm.sources[GROUP_SIGPAD] = SOURCE_KIOSK;
        kiosk_sigpad(&tm.reps[GROUP_SIGPAD], line);
        tm.states[GROUP_SIGPAD] = STATE_DONE;
    }
    tm.sources[GROUP_DISPLAY] = SOURCE_KIOSK;
    kiosk_display(s, &tm.reps[GROUP_DISPLAY]);
    tm.states[GROUP_DISPLAY] = STATE_DONE;

    tm.running = true;
    tm.thread = g_thread_new("technician-checks", worker, NULL);
}

/* Counts over every group (and the touch test); under the lock. */
static void count_all(size_t *pass, size_t *fail, size_t *skip)
{
    *pass = *fail = *skip = 0;
    for (int g = 0; g < GROUP_COUNT_; g++) {
        *pass += selftest_count(&tm.reps[g], SELFTEST_PASS);
        *fail += selftest_count(&tm.reps[g], SELFTEST_FAIL);
        *skip += selftest_count(&tm.reps[g], SELFTEST_SKIP);
    }
    *pass += selftest_count(&tm.touch_rep, SELFTEST_PASS);
    *fail += selftest_count(&tm.touch_rep, SELFTEST_FAIL);
}

/* The run ended: log and audit its result once (main thread). */
static void finish_run(session *s)
{
    if (!tm.ran || tm.finished_logged || is_running())
        return;
    join_worker();
    tm.finished_logged = true;
    size_t pass = 0, fail = 0, skip = 0;
    g_mutex_lock(&tm.lock);
    for (int g = 0; g < GROUP_COUNT_; g++) {
        pass += selftest_count(&tm.reps[g], SELFTEST_PASS);
        fail += selftest_count(&tm.reps[g], SELFTEST_FAIL);
        skip += selftest_count(&tm.reps[g], SELFTEST_SKIP);
    }
    g_mutex_unlock(&tm.lock);
    g_message("self-test ended on the technician screen: passed=%zu failed=%zu skipped=%zu", pass,
              fail, skip);
    g_autofree char *detail = g_strdup_printf("passed=%zu failed=%zu skipped=%zu hands-on=%s", pass,
                                              fail, skip, tm.interactive ? "yes" : "no");
    session_audit(s, "technician.selftest", detail);
}

/* ---- drawing: the list ----------------------------------------------------------------------- */

static void fill_rgb(ui *u, SDL_Rect r, Uint8 red, Uint8 green, Uint8 blue)
{
    SDL_SetRenderDrawColor(u->renderer, red, green, blue, 255);
    SDL_RenderFillRect(u->renderer, &r);
}

static const char *status_tag(selftest_status st)
{
    switch (st) {
    case SELFTEST_PASS:
        return _("PASS");
    case SELFTEST_FAIL:
        return _("FAIL");
    case SELFTEST_SKIP:
        return _("SKIP");
    }
    return "";
}

static const char *source_text(group g, source src, state st)
{
    if (st == STATE_WAITING)
        return _("waiting");
    if (st == STATE_RUNNING)
        return _("checking now");
    if (g == GROUP_DISPLAY)
        return _("from the kiosk's own window, fonts and translations");
    if (src == SOURCE_KIOSK)
        return g == GROUP_SIGPAD ? _("from the kiosk's signature step, which has the pad open")
                                 : _("from the kiosk's capture module, which holds the device");
    return _("checked directly by the self-test");
}

/* One row of the list: a group's heading, a check, or a check's "what to do". */
typedef struct row {
    int kind; /* 0 heading, 1 check, 2 action */
    selftest_status status;
    char *text;
} row;

static void rows_add(GArray *rows, int kind, selftest_status st, char *text)
{
    row r = {kind, st, text};
    g_array_append_val(rows, r);
}

static void rows_clear(gpointer p)
{
    g_free(((row *)p)->text);
}

/* The list's rows as they are now (under the lock). */
static void add_check_rows(GArray *rows, const selftest_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const selftest_check *c = &rep->checks[i];
        rows_add(rows, 1, c->status, g_strdup_printf("%s  %s", c->name, c->value));
        if (c->status == SELFTEST_FAIL && c->action)
            rows_add(rows, 2, c->status, g_strdup_printf("%s %s", _("What to do:"), c->action));
    }
}

static GArray *build_rows(void)
{
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(row));
    g_array_set_clear_func(rows, rows_clear);
    for (int g = 0; g < GROUP_COUNT_; g++) {
        /* the touch test's result goes with the screen's checks */
        bool touch = g == GROUP_DISPLAY && tm.touch_rep.n > 0;
        if (!tm.ran && !touch)
            continue;
        rows_add(rows, 0, SELFTEST_PASS,
                 g_strdup_printf("%s: %s", _(group_titles[g]),
                                 tm.ran ? source_text((group)g, tm.sources[g], tm.states[g])
                                        : _("the touch test")));
        add_check_rows(rows, &tm.reps[g]);
        if (touch)
            add_check_rows(rows, &tm.touch_rep);
    }
    return rows;
}

/* The height a row will take, wrapped into width (a little generous: lines break at spaces). */
static int row_height(ui *u, const row *r, int width)
{
    ui_font_size size = r->kind == 0 ? UI_FONT_BODY : UI_FONT_SMALL;
    int w = 0;
    ui_text_size(u, r->text, size, &w, NULL);
    int lines = width > 0 ? (w + w / 8) / width + 1 : 1;
    return lines * ui_line_height(u, size, r->text);
}

static void draw_list(screen *scr, ui *u)
{
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, UI_COLOR_BG);
    int pad = ui_px(u, 32), gap = ui_px(u, 12);
    int bar = u->target + ui_px(u, 16); /* the staff bar below */
    int bh = u->target;
    SDL_Rect area = {pad, pad, u->w - 2 * pad, u->h - bar - 2 * pad};
    int y = area.y;

    /* the page buttons at the title's end */
    int pw = ui_px(u, 300);
    if (tm.page > 0)
        button_draw(u, (SDL_Rect){area.x + area.w - 2 * pw - gap, y, pw, bh}, _("Previous page"),
                    ID_PAGE_PREV, BUTTON_SECONDARY);
    if (tm.more)
        button_draw(u, (SDL_Rect){area.x + area.w - pw, y, pw, bh}, _("Next page"), ID_PAGE_NEXT,
                    BUTTON_SECONDARY);
    ui_text(u, _("Test this kiosk"), (SDL_Rect){area.x, y, area.w - 2 * pw - 2 * gap, bh},
            UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
    y += bh + gap;

    g_mutex_lock(&tm.lock);
    bool running = tm.running;
    size_t pass, fail, skip;
    count_all(&pass, &fail, &skip);
    char summary[256];
    if (!tm.ran && !tm.touch_done)
        g_strlcpy(summary,
                  _("Run the checks to see what works on this kiosk. Hands-on steps ask you to "
                    "use the devices."),
                  sizeof summary);
    else
        g_snprintf(summary, sizeof summary, "%s %zu   %s %zu   %s %zu%s%s", _("Passed:"), pass,
                   _("Failed:"), fail, _("Skipped:"), skip, running ? "   " : "",
                   running ? _("Checking...") : "");
    y += ui_text(u, summary, (SDL_Rect){area.x, y, area.w, area.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    if (tm.prompt) {
        /* a capture module's prompts are marked for translation (the self-test's are English) */
        const char *prompt = _(tm.prompt);
        int th = ui_line_height(u, UI_FONT_BODY, prompt) * 2 + 2 * gap;
        SDL_Rect box = {area.x, y + gap, area.w, th};
        ui_fill_round(u, box, ui_px(u, 12), UI_COLOR_PRIMARY);
        ui_text(u, prompt, (SDL_Rect){box.x + gap, box.y + gap, box.w - 2 * gap, th}, UI_FONT_BODY,
                UI_COLOR_ON_PRIMARY, UI_ALIGN_START);
        y += th + gap;
    }
    y += gap;

    /* the buttons at the bottom */
    int by = area.y + area.h - bh;
    int n_buttons = 5;
    int bw = (area.w - (n_buttons - 1) * gap) / n_buttons;
    if (!running) {
        button_draw(u, (SDL_Rect){area.x, by, bw, bh}, _("Run the checks"), ID_RUN, BUTTON_STAFF);
        button_draw(u, (SDL_Rect){area.x + (bw + gap), by, bw, bh}, _("With hands-on steps"),
                    ID_RUN_HANDS_ON, BUTTON_STAFF);
        button_draw(u, (SDL_Rect){area.x + 2 * (bw + gap), by, bw, bh}, _("Test pattern"),
                    ID_PATTERN, BUTTON_SECONDARY);
        button_draw(u, (SDL_Rect){area.x + 3 * (bw + gap), by, bw, bh}, _("Touch test"), ID_TOUCH,
                    BUTTON_SECONDARY);
    }
    button_draw(u, (SDL_Rect){area.x + (n_buttons - 1) * (bw + gap), by, bw, bh},
                running ? _("Stop and go back") : _("Back"), ID_BACK, BUTTON_SECONDARY);

    /* the results, a page at a time */
    int bottom = by - gap;
    GArray *rows = build_rows();
    g_mutex_unlock(&tm.lock);
    int first = tm.page_start[tm.page];
    int i = first;
    int mark = ui_line_height(u, UI_FONT_SMALL, "A");
    for (; i < (int)rows->len; i++) {
        const row *r = &g_array_index(rows, row, i);
        int h = row_height(u, r, area.w - mark - ui_px(u, 110));
        if (y + h > bottom)
            break;
        if (r->kind == 0) {
            y += gap / 2;
            y += ui_text(u, r->text, (SDL_Rect){area.x, y, area.w, bottom - y}, UI_FONT_BODY,
                         UI_COLOR_TEXT, UI_ALIGN_START);
        } else if (r->kind == 1) {
            /* a coloured mark (green, red, grey) and the status in words */
            Uint8 c[3][3] = {{0, 150, 60}, {200, 30, 30}, {130, 130, 130}};
            fill_rgb(u, (SDL_Rect){area.x, y + mark / 4, mark / 2, mark / 2}, c[r->status][0],
                     c[r->status][1], c[r->status][2]);
            int tw = ui_px(u, 110);
            ui_text(u, status_tag(r->status), (SDL_Rect){area.x + mark, y, tw, mark}, UI_FONT_SMALL,
                    UI_COLOR_TEXT, UI_ALIGN_START);
            int used = ui_text(u, r->text,
                               (SDL_Rect){area.x + mark + tw, y, area.w - mark - tw, bottom - y},
                               UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
            y += used > mark ? used : mark;
        } else {
            int in = mark + ui_px(u, 110);
            y += ui_text(u, r->text, (SDL_Rect){area.x + in, y, area.w - in, bottom - y},
                         UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
        }
    }
    bool more = i < (int)rows->len;
    if (more != tm.more) {
        tm.more = more;
        runner_invalidate(scr->owner);
    }
    if (tm.page < MAX_PAGES)
        tm.page_start[tm.page + 1] = i;
    g_array_free(rows, TRUE);
}

/* ---- drawing: the test pattern ----------------------------------------------------------------
 */

static void draw_pattern(ui *u)
{
    /* colour bars in the top 45 %: white, yellow, cyan, green, magenta, red, blue, black */
    static const Uint8 bars[8][3] = {
        {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
        {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0},
    };
    int h_bars = u->h * 45 / 100, h_ramp = u->h * 15 / 100;
    for (int i = 0; i < 8; i++) {
        int x0 = u->w * i / 8, x1 = u->w * (i + 1) / 8;
        fill_rgb(u, (SDL_Rect){x0, 0, x1 - x0, h_bars}, bars[i][0], bars[i][1], bars[i][2]);
    }
    /* a grey ramp from black to white, one column at a time */
    for (int x = 0; x < u->w; x++) {
        Uint8 v = (Uint8)(u->w > 1 ? x * 255 / (u->w - 1) : 0);
        SDL_SetRenderDrawColor(u->renderer, v, v, v, 255);
        SDL_RenderDrawLine(u->renderer, x, h_bars, x, h_bars + h_ramp - 1);
    }
    /* a 1-pixel white grid on black, every 32 pixels, with the outermost pixels drawn */
    int top = h_bars + h_ramp;
    fill_rgb(u, (SDL_Rect){0, top, u->w, u->h - top}, 0, 0, 0);
    SDL_SetRenderDrawColor(u->renderer, 255, 255, 255, 255);
    for (int x = 0; x < u->w; x += 32)
        SDL_RenderDrawLine(u->renderer, x, top, x, u->h - 1);
    SDL_RenderDrawLine(u->renderer, u->w - 1, top, u->w - 1, u->h - 1);
    for (int y = top; y < u->h; y += 32)
        SDL_RenderDrawLine(u->renderer, 0, y, u->w - 1, y);
    SDL_RenderDrawLine(u->renderer, 0, u->h - 1, u->w - 1, u->h - 1);
    /* the resolution, on a card in the grid */
    char res[64];
    g_snprintf(res, sizeof res, "%d x %d", u->w, u->h);
    const char *hint = _("Tap anywhere to go back.");
    int pad = ui_px(u, 24);
    int w1 = 0, h1 = 0, w2 = 0, h2 = 0;
    ui_text_size(u, res, UI_FONT_HUGE, &w1, &h1);
    ui_text_size(u, hint, UI_FONT_BODY, &w2, &h2);
    int cw = (w1 > w2 ? w1 : w2) + 2 * pad, ch = h1 + h2 + 3 * pad;
    SDL_Rect card = {(u->w - cw) / 2, top + (u->h - top - ch) / 2, cw, ch};
    ui_fill(u, card, UI_COLOR_PANEL);
    ui_text(u, res, (SDL_Rect){card.x, card.y + pad, card.w, h1}, UI_FONT_HUGE, UI_COLOR_TEXT,
            UI_ALIGN_CENTER);
    ui_text(u, hint, (SDL_Rect){card.x, card.y + 2 * pad + h1, card.w, h2}, UI_FONT_BODY,
            UI_COLOR_TEXT, UI_ALIGN_CENTER);
    ui_add_hit(u, (SDL_Rect){0, 0, u->w, u->h}, ID_PATTERN_END, "");
}

/* ---- drawing: the touch test ------------------------------------------------------------------
 */

static SDL_Rect target_rect(const ui *u, int i)
{
    int side = u->target > ui_px(u, 120) ? u->target : ui_px(u, 120);
    switch (i) {
    case 0:
        return (SDL_Rect){0, 0, side, side};
    case 1:
        return (SDL_Rect){u->w - side, 0, side, side};
    case 2:
        return (SDL_Rect){(u->w - side) / 2, (u->h - side) / 2, side, side};
    case 3:
        return (SDL_Rect){0, u->h - side, side, side};
    default:
        return (SDL_Rect){u->w - side, u->h - side, side, side};
    }
}

static int touched_count(void)
{
    int n = 0;
    for (int i = 0; i < N_TARGETS; i++)
        n += tm.touched[i];
    return n;
}

static void draw_touch(ui *u)
{
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, UI_COLOR_BG);
    /* a tap beside every target counts as a stray tap */
    ui_add_hit(u, (SDL_Rect){0, 0, u->w, u->h}, ID_TOUCH_MISS, "");
    int side = target_rect(u, 0).w;
    int pad = ui_px(u, 24);
    const char *text = touched_count() == N_TARGETS
                           ? _("Every target was touched.")
                           : _("Touch each square: it turns green. Then end the touch test.");
    ui_text(u, text, (SDL_Rect){side + pad, u->h / 5, u->w - 2 * side - 2 * pad, u->h / 5},
            UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_CENTER);
    for (int i = 0; i < N_TARGETS; i++) {
        SDL_Rect r = target_rect(u, i);
        if (tm.touched[i]) {
            fill_rgb(u, r, 0, 170, 0);
        } else {
            ui_fill(u, r, UI_COLOR_PANEL);
            int t = ui_px(u, 6);
            fill_rgb(u, (SDL_Rect){r.x, r.y, r.w, t}, 200, 30, 30);
            fill_rgb(u, (SDL_Rect){r.x, r.y + r.h - t, r.w, t}, 200, 30, 30);
            fill_rgb(u, (SDL_Rect){r.x, r.y, t, r.h}, 200, 30, 30);
            fill_rgb(u, (SDL_Rect){r.x + r.w - t, r.y, t, r.h}, 200, 30, 30);
        }
        ui_add_hit(u, r, ID_TOUCH_TARGET + i, _(target_names[i]));
    }
    int bw = ui_px(u, 520);
    SDL_Rect end = {(u->w - bw) / 2, u->h - side - u->target - pad, bw, u->target};
    button_draw(u, end, _("End the touch test"), ID_TOUCH_END, BUTTON_STAFF);
}

static void draw(screen *scr, ui *u)
{
    switch (tm.mode) {
    case MODE_PATTERN:
        draw_pattern(u);
        break;
    case MODE_TOUCH:
        draw_touch(u);
        break;
    case MODE_LIST:
        draw_list(scr, u);
        break;
    }
}

/* ---- input -------------------------------------------------------------------------------------
 */

static void set_mode(screen *scr, mode m)
{
    tm.mode = m;
    session_technician_bare(SCREEN_SESSION(scr), m != MODE_LIST);
    runner_invalidate(scr->owner);
}

static void end_touch(screen *scr)
{
    int n = touched_count();
    GString *missed = g_string_new(NULL);
    for (int i = 0; i < N_TARGETS; i++)
        if (!tm.touched[i])
            g_string_append_printf(missed, "%s%s", missed->len ? ", " : "", target_names[i]);
    selftest_report_clear(&tm.touch_rep);
    g_autofree char *value =
        n == N_TARGETS
            ? g_strdup_printf("%d of %d targets touched; taps beside the targets: %d", n, N_TARGETS,
                              tm.strays)
            : g_strdup_printf("%d of %d targets touched, missed: %s; taps beside the targets: %d",
                              n, N_TARGETS, missed->str, tm.strays);
    selftest_report_add(&tm.touch_rep, "display.touch_test",
                        n == N_TARGETS ? SELFTEST_PASS : SELFTEST_FAIL,
                        "Touch the missed targets again; if they do not react, calibrate or "
                        "replace the touch screen.",
                        value);
    g_message("touch test ended: touched=%d of %d strays=%d", n, N_TARGETS, tm.strays);
    g_string_free(missed, TRUE);
    tm.touch_done = true;
    set_mode(scr, MODE_LIST);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    session_staff_touch(s);
    switch (id) {
    case ID_RUN:
    case ID_RUN_HANDS_ON:
        start_run(s, id == ID_RUN_HANDS_ON);
        break;
    case ID_PATTERN: {
        ui *u = session_ui(s);
        g_message("test pattern shown: %dx%d", u->w, u->h);
        set_mode(scr, MODE_PATTERN);
        break;
    }
    case ID_PATTERN_END:
        set_mode(scr, MODE_LIST);
        break;
    case ID_TOUCH:
        memset(tm.touched, 0, sizeof tm.touched);
        tm.strays = 0;
        g_message("touch test started");
        set_mode(scr, MODE_TOUCH);
        break;
    case ID_TOUCH_MISS:
        tm.strays++;
        break;
    case ID_TOUCH_END:
        end_touch(scr);
        break;
    case ID_PAGE_PREV:
        if (tm.page > 0)
            tm.page--;
        break;
    case ID_PAGE_NEXT:
        if (tm.more && tm.page < MAX_PAGES)
            tm.page++;
        break;
    case ID_BACK: {
        /* the screen is gone after the pop: keep its runner */
        runner *r = scr->owner;
        g_atomic_int_set(&tm.cancel, 1);
        runner_pop(r);
        runner_push(r, &screen_staff_menu);
        return;
    }
    default:
        if (id >= ID_TOUCH_TARGET && id < ID_TOUCH_TARGET + N_TARGETS)
            tm.touched[id - ID_TOUCH_TARGET] = true;
        break;
    }
    runner_invalidate(scr->owner);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    if (ev->type == tm.events[0]) {
        /* the worker moved on: show it; a run that ended is logged and audited once */
        session_staff_touch(SCREEN_SESSION(scr));
        finish_run(SCREEN_SESSION(scr));
        runner_invalidate(scr->owner);
        return true;
    }
    if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym == SDLK_ESCAPE) {
        if (tm.mode == MODE_TOUCH)
            end_touch(scr);
        else if (tm.mode == MODE_PATTERN)
            set_mode(scr, MODE_LIST);
        else
            action(scr, ID_BACK);
        return true;
    }
    return false;
}

static int64_t update(screen *scr, int64_t now_ms)
{
    (void)now_ms;
    /* a long hands-on step keeps the staff session open */
    if (is_running()) {
        session_staff_touch(SCREEN_SESSION(scr));
        return POLL_MS;
    }
    finish_run(SCREEN_SESSION(scr));
    return -1;
}

static void enter(screen *scr)
{
    tm.mode = MODE_LIST;
    tm.page = 0;
    tm.page_start[0] = 0;
    session_technician_bare(SCREEN_SESSION(scr), false);
}

static void leave(screen *scr)
{
    /* hands-on waits end; the checks that run finish by themselves */
    g_atomic_int_set(&tm.cancel, 1);
    session_technician_bare(SCREEN_SESSION(scr), false);
    tm.mode = MODE_LIST;
}

static const screen_class technician_screen = {
    .name = "technician",
    .priv_size = 0,
    .enter = enter,
    .exit = leave,
    .input = input,
    .action = action,
    .update = update,
    .draw = draw,
    .events = tm.events,
};

/* ---- script command and setup ------------------------------------------------------------------
 */

static bk_err cmd_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    char *end = NULL;
    long seconds = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end || seconds < 1 || seconds > 600)
        return script_fail(sc, "technician-wait SECONDS: 1 to 600");
    if (!tm.ran)
        return script_fail(sc, "no checks were started on the technician screen");
    runner *r = session_runner(script_session(sc));
    gint64 limit = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    while (is_running() && g_get_monotonic_time() < limit) {
        g_usleep(20000);
        script_settle(sc);
    }
    script_settle(sc);
    if (is_running())
        return script_fail(sc, "the checks did not end within %ld s", seconds);
    finish_run(script_session(sc));
    runner_invalidate(r);
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
    if (strcmp(session_screen_name(s), "technician") != 0 || tm.mode != MODE_LIST)
        return script_fail(sc, "the technician screen's list is not showing (screen '%s')",
                           session_screen_name(s));
    g_autofree char *needle = g_strconcat(argv[1], "  ", NULL);
    tm.page = 0;
    runner_invalidate(session_runner(s));
    script_settle(sc);
    for (int i = 0; i <= MAX_PAGES; i++) {
        if (ui_shows_text(session_ui(s), needle))
            return BK_OK;
        if (!tm.more)
            break;
        tap_label(sc, _("Next page"));
    }
    return script_fail(sc, "no check '%s' on any page of the technician screen", argv[1]);
}

static bk_err cmd_prompt(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    char *end = NULL;
    long seconds = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end || seconds < 1 || seconds > 600)
        return script_fail(sc, "technician-prompt SECONDS: 1 to 600");
    /* a prompt stays until the technician acts (or its step's time is up); a device that
     * answers at once (an emulated pad replaying its strokes) may end it before it is drawn */
    session *s = script_session(sc);
    gint64 limit = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    char *prompt = NULL, *last = NULL;
    for (;;) {
        runner_invalidate(session_runner(s));
        script_settle(sc);
        g_mutex_lock(&tm.lock);
        prompt = g_strdup(tm.prompt);
        last = g_strdup(tm.last_prompt);
        bool running = tm.running;
        g_mutex_unlock(&tm.lock);
        if (prompt && ui_shows_text(session_ui(s), _(prompt))) {
            g_message("prompt on screen: %s", prompt);
            break;
        }
        if (last && !prompt) {
            g_message("prompt answered before it was drawn: %s", last);
            break;
        }
        g_clear_pointer(&prompt, g_free);
        g_clear_pointer(&last, g_free);
        if (!running || g_get_monotonic_time() >= limit)
            return script_fail(sc, "no hands-on step asked for anything within %ld s", seconds);
        g_usleep(20000);
    }
    g_free(prompt);
    g_free(last);
    return BK_OK;
}

bk_err technician_setup(const technician_settings *set)
{
    if (tm.up)
        return BK_ERR_EXISTS;
    uint32_t type = SDL_RegisterEvents(1);
    if (type == (uint32_t)-1)
        return BK_ERR_UNAVAILABLE;
    tm.events[0] = type;
    tm.events[1] = 0;
    tm.cfg = set->cfg;
    g_mutex_init(&tm.lock);
    tm.up = true;
    script_register("technician-wait", 1, 1, cmd_wait, "technician-wait SECONDS");
    script_register("technician-show", 1, 1, cmd_show, "technician-show CHECK");
    script_register("technician-prompt", 1, 1, cmd_prompt, "technician-prompt SECONDS");
    /* libfprint's virtual reader (emulation) when the kiosk's fingerprint module does not hold
     * the reader: the self-test reads FP_VIRTUAL_IMAGE on its thread, so it is set here, on the
     * main thread, before any other thread could read the environment meanwhile */
    const char *socket = config_get_string(tm.cfg, CONFIG_FINGERPRINT_VIRTUAL_SOCKET);
    if (socket[0] && capture_lookup(FLOW_ITEM_FINGERPRINTS) == NULL)
        g_setenv("FP_VIRTUAL_IMAGE", socket, TRUE);
    session_technician_set_screen(&technician_screen);
    return BK_OK;
}

void technician_teardown(void)
{
    if (!tm.up)
        return;
    g_atomic_int_set(&tm.cancel, 1);
    join_worker();
    session_technician_set_screen(NULL);
    for (int g = 0; g < GROUP_COUNT_; g++)
        selftest_report_clear(&tm.reps[g]);
    selftest_report_clear(&tm.touch_rep);
    g_free(tm.prompt);
    g_free(tm.last_prompt);
    g_mutex_clear(&tm.lock);
    memset(&tm, 0, sizeof tm);
}
