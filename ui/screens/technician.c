/* "technician": the self-test inside the kiosk, a display test pattern and a touch test
 * (ui/technician.h). The checks run as a selftest_job (app/selftest/selftest_job.h) on its own
 * worker; this screen starts it, copies its results out when it wakes the loop, and draws them.
 * The session knows the screen only through session_technician_set_screen. */
#include "ui/technician.h"

#include <stdint.h>
#include <string.h>

#include "selftest/selftest.h"
#include "selftest/selftest_job.h"
#include "ui/capture.h"
#include "ui/i18n.h"
#include "ui/screens/screens.h"

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

static const char *const group_titles[SELFTEST_GROUP_COUNT_] = {
    N_("Camera"),
    N_("Fingerprint reader"),
    N_("Signature pad"),
    N_("Screen and touch"),
    N_("Appointment store"),
    N_("Outbox, keys and audit log"),
    N_("Clock"),
};

typedef enum mode {
    MODE_LIST,
    MODE_PATTERN,
    MODE_TOUCH,
} mode;

#define N_TARGETS 5
#define MAX_PAGES 32
#define POLL_MS   1000

static const char *const target_names[N_TARGETS] = {
    N_("Top left"), N_("Top right"), N_("Centre"), N_("Bottom left"), N_("Bottom right"),
};

/* The registered screen and its state, which lives on across visits of the screen (a technician
 * may look at the last run's results again); main thread only. */
struct technician {
    screen_class cls; /* first: the screen's cls points here */
    technician *self; /* the same, writable (the runner holds the class as const) */
    const struct config *cfg;
    uint32_t events[2]; /* the job's wake-up event, 0 */

    selftest_job *job;      /* the run, NULL before the first */
    selftest_job_view view; /* what the job had when it last woke the loop */
    bool interactive;
    bool ran;
    bool finished_logged;
    mode mode;
    int page, page_start[MAX_PAGES + 1];
    bool more; /* the list goes on after this page */
    bool touched[N_TARGETS];
    int strays;
    bool touch_done; /* a touch test ended: its result is in touch_rep */
    selftest_report touch_rep;
};

static technician *tech_of(const screen *scr)
{
    return ((const technician *)scr->cls)->self;
}

/* The job's worker: wakes the main loop (thread-safe). */
static void wake(void *data)
{
    const technician *tm = data;
    SDL_Event ev = {0};
    ev.type = tm->events[0];
    SDL_PushEvent(&ev);
}

static bool is_running(const technician *tm)
{
    return tm->job != NULL && selftest_job_running(tm->job);
}

/* Copies what the job has now. */
static void refresh(technician *tm)
{
    if (tm->job)
        selftest_job_snapshot(tm->job, &tm->view);
}

/* ---- the capture services that hold a device --------------------------------------------------
 */

/* The item a selftest_held stands for travels as its data pointer. */
static flow_item held_item(void *data)
{
    return (flow_item)(uintptr_t)data;
}

static void held_status(void *data, char *buf, size_t size)
{
    capture_status(held_item(data), buf, size);
}

static bk_err held_check(void *data, const capture_check_run *run)
{
    return capture_check(held_item(data), run);
}

/* The capture service registered for item, as the job reaches it (none: the job opens the
 * device itself). */
static selftest_held held(flow_item item)
{
    if (capture_lookup(item) == NULL)
        return (selftest_held){0};
    return (selftest_held){held_status, held_check, (void *)(uintptr_t)item};
}

/* The screen's checks, from the kiosk's own window, fonts and catalogues (main thread). */
static void count_nothing(const char *msgid, const char *text, void *data)
{
    (void)msgid;
    (void)text;
    (void)data;
}

static void kiosk_display(const technician *tm, session *s, selftest_report *r)
{
    ui *u = session_ui(s);
    const session_settings *set = session_get_settings(s);
    size_t strings[64] = {0};
    size_t n = set->n_languages < G_N_ELEMENTS(strings) ? set->n_languages : G_N_ELEMENTS(strings);
    for (size_t i = 0; i < n; i++)
        strings[i] = strcmp(set->languages[i], "en") == 0
                         ? 0
                         : i18n_each(set->languages[i], count_nothing, NULL);
    selftest_screen k = {
        .window_w = u->w,
        .window_h = u->h,
        .video_driver = SDL_GetCurrentVideoDriver(),
        .sdl_touch_devices = SDL_GetNumTouchDevices(),
        .font_path = u->fonts[UI_FONT_BODY] ? u->font_path : NULL,
        .font_arabic_path = u->fonts_arabic[UI_FONT_BODY] ? u->font_arabic_path : NULL,
        .languages = set->languages,
        .strings = strings,
        .n_languages = n,
    };
    SDL_DisplayMode dm;
    int index = u->window ? SDL_GetWindowDisplayIndex(u->window) : 0;
    if (SDL_GetCurrentDisplayMode(index < 0 ? 0 : index, &dm) == 0) {
        k.display_w = dm.w;
        k.display_h = dm.h;
        k.refresh_hz = dm.refresh_rate;
    }
    selftest_options opt = {.cfg = tm->cfg};
    selftest_display_screen(&opt, &k, r);
    for (size_t i = 0; i < r->n; i++)
        g_message("check %s: %s (from the kiosk)", r->checks[i].name,
                  selftest_status_name(r->checks[i].status));
}

static void start_run(technician *tm, session *s, bool interactive)
{
    if (is_running(tm))
        return;
    selftest_job_free(tm->job);
    tm->job = NULL;
    selftest_job_view_clear(&tm->view);
    tm->interactive = interactive;
    tm->ran = true;
    tm->finished_logged = false;
    tm->page = 0;
    g_message("self-test started on the technician screen: staff=%s hands-on=%s",
              session_staff_id(s), interactive ? "yes" : "no");
    selftest_report display = {0};
    kiosk_display(tm, s, &display);
    selftest_job_settings set = {
        .cfg = tm->cfg,
        .interactive = interactive,
        .now = (long long)session_wall(s),
        .camera = held(FLOW_ITEM_PHOTO),
        .finger = held(FLOW_ITEM_FINGERPRINTS),
        .sigpad = held(FLOW_ITEM_SIGNATURE),
        .wake = wake,
        .wake_data = tm,
    };
    tm->job = selftest_job_start(&set, &display);
    refresh(tm);
}

/* Counts over every group (and the touch test). */
static void count_all(const technician *tm, size_t *pass, size_t *fail, size_t *skip)
{
    selftest_job_view_count(&tm->view, pass, fail, skip);
    *pass += selftest_count(&tm->touch_rep, SELFTEST_PASS);
    *fail += selftest_count(&tm->touch_rep, SELFTEST_FAIL);
}

/* The run ended: log and audit its result once (main thread). */
static void finish_run(technician *tm, session *s)
{
    if (!tm->ran || tm->finished_logged || is_running(tm))
        return;
    refresh(tm);
    tm->finished_logged = true;
    size_t pass = 0, fail = 0, skip = 0;
    selftest_job_view_count(&tm->view, &pass, &fail, &skip);
    g_message("self-test ended on the technician screen: passed=%zu failed=%zu skipped=%zu", pass,
              fail, skip);
    g_autofree char *detail = g_strdup_printf("passed=%zu failed=%zu skipped=%zu hands-on=%s", pass,
                                              fail, skip, tm->interactive ? "yes" : "no");
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

static const char *source_text(selftest_group g, selftest_source src, selftest_state st)
{
    if (st == SELFTEST_STATE_WAITING)
        return _("waiting");
    if (st == SELFTEST_STATE_RUNNING)
        return _("checking now");
    if (g == SELFTEST_GROUP_DISPLAY)
        return _("from the kiosk's own window, fonts and translations");
    if (src == SELFTEST_SOURCE_KIOSK)
        return g == SELFTEST_GROUP_SIGPAD
                   ? _("from the kiosk's signature step, which has the pad open")
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

static GArray *build_rows(const technician *tm)
{
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(row));
    g_array_set_clear_func(rows, rows_clear);
    for (int g = 0; g < SELFTEST_GROUP_COUNT_; g++) {
        /* the touch test's result goes with the screen's checks */
        bool touch = g == SELFTEST_GROUP_DISPLAY && tm->touch_rep.n > 0;
        if (!tm->ran && !touch)
            continue;
        rows_add(rows, 0, SELFTEST_PASS,
                 g_strdup_printf("%s: %s", _(group_titles[g]),
                                 tm->ran ? source_text((selftest_group)g, tm->view.sources[g],
                                                       tm->view.states[g])
                                         : _("the touch test")));
        add_check_rows(rows, &tm->view.reps[g]);
        if (touch)
            add_check_rows(rows, &tm->touch_rep);
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
    technician *tm = tech_of(scr);
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, UI_COLOR_BG);
    int pad = ui_px(u, 32), gap = ui_px(u, 12);
    int bar = u->target + ui_px(u, 16); /* the staff bar below */
    int bh = u->target;
    SDL_Rect area = {pad, pad, u->w - 2 * pad, u->h - bar - 2 * pad};
    int y = area.y;

    /* the page buttons at the title's end */
    int pw = ui_px(u, 300);
    if (tm->page > 0)
        button_draw(u, (SDL_Rect){area.x + area.w - 2 * pw - gap, y, pw, bh}, _("Previous page"),
                    ID_PAGE_PREV, BUTTON_SECONDARY);
    if (tm->more)
        button_draw(u, (SDL_Rect){area.x + area.w - pw, y, pw, bh}, _("Next page"), ID_PAGE_NEXT,
                    BUTTON_SECONDARY);
    ui_text(u, _("Test this kiosk"), (SDL_Rect){area.x, y, area.w - 2 * pw - 2 * gap, bh},
            UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
    y += bh + gap;

    bool running = tm->view.running;
    size_t pass, fail, skip;
    count_all(tm, &pass, &fail, &skip);
    char summary[256];
    if (!tm->ran && !tm->touch_done)
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
    if (tm->view.prompt) {
        /* a capture module's prompts are marked for translation (the self-test's are English) */
        const char *prompt = _(tm->view.prompt);
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
    GArray *rows = build_rows(tm);
    int first = tm->page_start[tm->page];
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
    if (more != tm->more) {
        tm->more = more;
        runner_invalidate(scr->owner);
    }
    if (tm->page < MAX_PAGES)
        tm->page_start[tm->page + 1] = i;
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

static int touched_count(const technician *tm)
{
    int n = 0;
    for (int i = 0; i < N_TARGETS; i++)
        n += tm->touched[i];
    return n;
}

static void draw_touch(const technician *tm, ui *u)
{
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, UI_COLOR_BG);
    /* a tap beside every target counts as a stray tap */
    ui_add_hit(u, (SDL_Rect){0, 0, u->w, u->h}, ID_TOUCH_MISS, "");
    int side = target_rect(u, 0).w;
    int pad = ui_px(u, 24);
    const char *text = touched_count(tm) == N_TARGETS
                           ? _("Every target was touched.")
                           : _("Touch each square: it turns green. Then end the touch test.");
    ui_text(u, text, (SDL_Rect){side + pad, u->h / 5, u->w - 2 * side - 2 * pad, u->h / 5},
            UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_CENTER);
    for (int i = 0; i < N_TARGETS; i++) {
        SDL_Rect r = target_rect(u, i);
        if (tm->touched[i]) {
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
    technician *tm = tech_of(scr);
    switch (tm->mode) {
    case MODE_PATTERN:
        draw_pattern(u);
        break;
    case MODE_TOUCH:
        draw_touch(tm, u);
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
    technician *tm = tech_of(scr);
    tm->mode = m;
    session_technician_bare(SCREEN_SESSION(scr), m != MODE_LIST);
    runner_invalidate(scr->owner);
}

static void end_touch(screen *scr)
{
    technician *tm = tech_of(scr);
    int n = touched_count(tm);
    GString *missed = g_string_new(NULL);
    for (int i = 0; i < N_TARGETS; i++)
        if (!tm->touched[i])
            g_string_append_printf(missed, "%s%s", missed->len ? ", " : "", target_names[i]);
    selftest_report_clear(&tm->touch_rep);
    g_autofree char *value =
        n == N_TARGETS
            ? g_strdup_printf("%d of %d targets touched; taps beside the targets: %d", n, N_TARGETS,
                              tm->strays)
            : g_strdup_printf("%d of %d targets touched, missed: %s; taps beside the targets: %d",
                              n, N_TARGETS, missed->str, tm->strays);
    selftest_report_add(&tm->touch_rep, "display.touch_test",
                        n == N_TARGETS ? SELFTEST_PASS : SELFTEST_FAIL,
                        "Touch the missed targets again; if they do not react, calibrate or "
                        "replace the touch screen.",
                        value);
    g_message("touch test ended: touched=%d of %d strays=%d", n, N_TARGETS, tm->strays);
    g_string_free(missed, TRUE);
    tm->touch_done = true;
    set_mode(scr, MODE_LIST);
}

static void action(screen *scr, int id)
{
    technician *tm = tech_of(scr);
    session *s = SCREEN_SESSION(scr);
    session_staff_touch(s);
    switch (id) {
    case ID_RUN:
    case ID_RUN_HANDS_ON:
        start_run(tm, s, id == ID_RUN_HANDS_ON);
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
        memset(tm->touched, 0, sizeof tm->touched);
        tm->strays = 0;
        g_message("touch test started");
        set_mode(scr, MODE_TOUCH);
        break;
    case ID_TOUCH_MISS:
        tm->strays++;
        break;
    case ID_TOUCH_END:
        end_touch(scr);
        break;
    case ID_PAGE_PREV:
        if (tm->page > 0)
            tm->page--;
        break;
    case ID_PAGE_NEXT:
        if (tm->more && tm->page < MAX_PAGES)
            tm->page++;
        break;
    case ID_BACK: {
        /* the screen is gone after the pop: keep its runner */
        runner *r = scr->owner;
        if (tm->job)
            selftest_job_cancel(tm->job);
        runner_pop(r);
        runner_push(r, &screen_staff_menu);
        return;
    }
    default:
        if (id >= ID_TOUCH_TARGET && id < ID_TOUCH_TARGET + N_TARGETS)
            tm->touched[id - ID_TOUCH_TARGET] = true;
        break;
    }
    runner_invalidate(scr->owner);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    technician *tm = tech_of(scr);
    if (ev->type == tm->events[0]) {
        /* the job moved on: show it; a run that ended is logged and audited once */
        session_staff_touch(SCREEN_SESSION(scr));
        refresh(tm);
        finish_run(tm, SCREEN_SESSION(scr));
        runner_invalidate(scr->owner);
        return true;
    }
    if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym == SDLK_ESCAPE) {
        if (tm->mode == MODE_TOUCH)
            end_touch(scr);
        else if (tm->mode == MODE_PATTERN)
            set_mode(scr, MODE_LIST);
        else
            action(scr, ID_BACK);
        return true;
    }
    return false;
}

static int64_t update(screen *scr, int64_t now_ms)
{
    technician *tm = tech_of(scr);
    (void)now_ms;
    /* a long hands-on step keeps the staff session open */
    if (is_running(tm)) {
        session_staff_touch(SCREEN_SESSION(scr));
        return POLL_MS;
    }
    finish_run(tm, SCREEN_SESSION(scr));
    return -1;
}

static void enter(screen *scr)
{
    technician *tm = tech_of(scr);
    tm->mode = MODE_LIST;
    tm->page = 0;
    tm->page_start[0] = 0;
    session_technician_bare(SCREEN_SESSION(scr), false);
}

static void leave(screen *scr)
{
    technician *tm = tech_of(scr);
    /* hands-on waits end; the checks that run finish by themselves */
    if (tm->job)
        selftest_job_cancel(tm->job);
    session_technician_bare(SCREEN_SESSION(scr), false);
    tm->mode = MODE_LIST;
}

/* ---- what the test hooks look at (app/testhooks/technician_hooks.c) ---------------------------
 */

technician *technician_of(const screen_class *cls)
{
    return cls && cls->enter == enter ? ((const technician *)cls)->self : NULL;
}

bool technician_ran(const technician *tm)
{
    return tm->ran;
}

bool technician_running(const technician *tm)
{
    return is_running(tm);
}

void technician_sync(technician *tm, session *s)
{
    refresh(tm);
    finish_run(tm, s);
    runner_invalidate(session_runner(s));
}

bool technician_list_first_page(technician *tm, session *s)
{
    if (strcmp(session_screen_name(s), "technician") != 0 || tm->mode != MODE_LIST)
        return false;
    tm->page = 0;
    runner_invalidate(session_runner(s));
    return true;
}

bool technician_more_pages(const technician *tm)
{
    return tm->more;
}

bool technician_prompt(technician *tm, char **prompt, char **last)
{
    refresh(tm);
    *prompt = g_strdup(tm->view.prompt);
    *last = g_strdup(tm->view.last_prompt);
    return tm->view.running;
}

/* ---- setup ---------------------------------------------------------------------------------- */

technician *technician_new(const technician_settings *set)
{
    if (session_technician_screen() != NULL)
        return NULL;
    uint32_t type = SDL_RegisterEvents(1);
    if (type == (uint32_t)-1)
        return NULL;
    technician *tm = g_new0(technician, 1);
    tm->self = tm;
    tm->events[0] = type;
    tm->cfg = set->cfg;
    tm->cls = (screen_class){
        .name = "technician",
        .priv_size = 0,
        .enter = enter,
        .exit = leave,
        .input = input,
        .action = action,
        .update = update,
        .draw = draw,
        .events = tm->events,
    };
    /* libfprint's virtual reader (emulation) when the kiosk's fingerprint module does not hold
     * the reader: the self-test reads FP_VIRTUAL_IMAGE on its thread, so it is set here, on the
     * main thread, before any other thread could read the environment meanwhile */
    selftest_prepare_environment(tm->cfg, capture_lookup(FLOW_ITEM_FINGERPRINTS) != NULL);
    session_technician_set_screen(&tm->cls);
    return tm;
}

void technician_free(technician *tm)
{
    if (tm == NULL)
        return;
    selftest_job_free(tm->job);
    if (session_technician_screen() == &tm->cls)
        session_technician_set_screen(NULL);
    selftest_job_view_clear(&tm->view);
    selftest_report_clear(&tm->touch_rep);
    g_free(tm);
}
