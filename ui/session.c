#include "ui/session.h"

#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "ui/capture.h"
#include "ui/i18n.h"
#include "ui/spoken.h" /* -- guide */
#include "ui/widgets/widgets.h"

#define LONG_PRESS_MS  2000
#define STAFF_BAR_MENU (RUNNER_HOST_HIT + 1)
#define STAFF_BAR_OUT  (RUNNER_HOST_HIT + 2)

struct session {
    session_settings set;
    visit *v;
    ui *u;
    runner *r;
    flow *fl; /* the visit's (visit_flow) */
    /* clock */
    uint64_t start_ticks;
    int64_t virtual_ms;
    /* which stage the bottom screen shows */
    flow_stage shown_stage;
    size_t shown_person;
    int shown_step;
    bool need_sync;
    int64_t done_since;
    /* staff: the PIN pad's state while the controller checks */
    int64_t staff_last_ms;
    bool pad_checking;
    bool pad_new_pin;
    char pad_text[200];
    session_staff_action pending_reason;
    /* a press on the staff corner: when it started, -1 when none */
    int64_t corner_since;
    /* -- record: when the kiosk tries again to write the records that wait */
    int64_t record_retry_ms;
    bool stopping; /* a stop was asked: the last try of waiting records is under way */
    /* -- access: the refused appointment's start, from the refusal event */
    bool refused_known;
    int64_t refused_start;
    int refused_offset;
};

static void sync_screens(session *s);
static void request_sync(session *s);

/* ---- clock ---- */

int64_t session_now_ms(const session *s)
{
    if (s->set.virtual_clock)
        return s->virtual_ms;
    return (int64_t)(SDL_GetTicks64() - s->start_ticks);
}

int64_t session_wall(const session *s)
{
    return s->set.wall_base + session_now_ms(s) / 1000;
}

void session_advance(session *s, int64_t ms)
{
    if (s->set.virtual_clock && ms > 0)
        s->virtual_ms += ms;
}

void session_idle_advance(session *s, int64_t ms)
{
    session_advance(s, ms);
}

takes *session_takes(session *s)
{
    return visit_takes(s->v);
}

/* ---- the controller's answers ---- */

static void staff_answer(session *s, const visit_event *ev)
{
    s->pad_checking = false;
    s->pad_text[0] = '\0';
    s->pad_new_pin = false;
    switch (ev->verdict) {
    case VISIT_VERDICT_OK:
    case VISIT_VERDICT_PIN_CHANGED:
        s->staff_last_ms = session_now_ms(s);
        runner_remove(s->r, &screen_staff_pin);
        runner_push(s->r, &screen_staff_menu);
        return;
    case VISIT_VERDICT_NEW_PIN:
        s->pad_new_pin = true;
        g_strlcpy(s->pad_text, _("Your PIN is too short. Choose a new PIN of 6 to 12 digits."),
                  sizeof s->pad_text);
        return;
    case VISIT_VERDICT_PIN_REFUSED:
        s->pad_new_pin = true;
        g_strlcpy(s->pad_text,
                  _("The new PIN must have 6 to 12 digits and differ from the old one."),
                  sizeof s->pad_text);
        return;
    case VISIT_VERDICT_WRONG_PIN:
    case VISIT_VERDICT_UNKNOWN:
    default:
        /* one answer for both (and for any other), without the tries left: the pad must not tell
         * anyone which staff ids exist (it lists none either) */
        g_strlcpy(s->pad_text, _("Wrong staff id or PIN."), sizeof s->pad_text);
        break;
    case VISIT_VERDICT_LOCKED: {
        int64_t left = ev->until - session_wall(s);
        int minutes = (int)((left + 59) / 60);
        g_snprintf(s->pad_text, sizeof s->pad_text, _("This account is locked for %d minutes."),
                   minutes < 1 ? 1 : minutes);
        break;
    }
    case VISIT_VERDICT_KIOSK_WAIT:
        break;
    case VISIT_VERDICT_UNAVAILABLE:
        g_strlcpy(s->pad_text, _("The staff list cannot be reached. Try again."),
                  sizeof s->pad_text);
        break;
    }
    /* too many wrong PINs on this kiosk: every account waits */
    if (ev->until > session_wall(s) && ev->verdict != VISIT_VERDICT_LOCKED) {
        size_t n = strlen(s->pad_text);
        g_snprintf(s->pad_text + n, sizeof s->pad_text - n, "%s", n ? " " : "");
        n = strlen(s->pad_text);
        g_snprintf(s->pad_text + n, sizeof s->pad_text - n,
                   _("Too many wrong PINs on this kiosk: wait %d seconds."),
                   (int)(ev->until - session_wall(s)));
    }
}

/* Drains the controller's answers; true when any came. */
static bool drain(session *s)
{
    bool any = false;
    visit_event ev;
    while (visit_next_event(s->v, session_now_ms(s), session_wall(s), &ev)) {
        any = true;
        switch (ev.type) {
        case VISIT_EVENT_CHECKED_IN:
            s->refused_known = ev.appt_known;
            s->refused_start = ev.appt_start;
            s->refused_offset = ev.appt_offset_minutes;
            break;
        case VISIT_EVENT_RECORDS:
            if (ev.records_ok)
                s->done_since = session_now_ms(s); /* a retry from tick comes before the sync */
            else
                s->record_retry_ms = session_now_ms(s) + SESSION_RECORD_RETRY_MS;
            break;
        case VISIT_EVENT_STAFF:
            staff_answer(s, &ev);
            break;
        }
    }
    if (any)
        request_sync(s);
    return any;
}

bool session_busy(const session *s)
{
    return visit_pending(s->v) || s->pad_checking;
}

/* ---- screens follow the flow ---- */

static const screen_class *class_for_stage(const session *s)
{
    switch (flow_get_stage(s->fl)) {
    case FLOW_STAGE_WELCOME:
        return &screen_welcome;
    case FLOW_STAGE_CODE:
        return &screen_code;
    case FLOW_STAGE_APPOINTMENT:
        return flow_get_refusal(s->fl) == FLOW_REFUSAL_NONE ? &screen_appointment : &screen_refused;
    case FLOW_STAGE_DOCUMENTS:
        return &screen_documents;
    case FLOW_STAGE_PERSON:
        return &screen_person;
    case FLOW_STAGE_CAPTURE: {
        const flow_step *st = flow_get_step(s->fl);
        const capture_class *cc = st ? capture_lookup(st->item) : NULL;
        return cc ? cc->screen : &screen_step_unavailable;
    }
    case FLOW_STAGE_REVIEW:
        return visit_record_failed(s->v) ? &screen_record_failed : &screen_review;
    case FLOW_STAGE_DONE:
        return &screen_done;
    case FLOW_STAGE_COUNT_:
        break;
    }
    return &screen_welcome;
}

static void sync_screens(session *s)
{
    s->need_sync = false;
    const screen_class *want = class_for_stage(s);
    flow_stage stage = flow_get_stage(s->fl);
    screen *bottom = runner_bottom(s->r);
    if (bottom && bottom->cls == want && s->shown_stage == stage &&
        s->shown_person == flow_current_person(s->fl) && s->shown_step == flow_current_step(s->fl))
        return;
    runner_replace_all(s->r, want);
    spoken_screen_changed(s->set.speech, runner_top(s->r)); /* -- guide */
    if (stage == FLOW_STAGE_WELCOME && s->shown_stage != FLOW_STAGE_WELCOME)
        ui_set_large(s->u, false); /* -- access: larger text lasts for one visit */
    s->shown_stage = stage;
    s->shown_person = flow_current_person(s->fl);
    s->shown_step = flow_current_step(s->fl);
    if (stage == FLOW_STAGE_DONE)
        s->done_since = session_now_ms(s);
}

static void request_sync(session *s)
{
    s->need_sync = true;
    runner_invalidate(s->r);
}

/* ---- applicant actions ---- */

void session_touch(session *s)
{
    flow_touch(s->fl, session_now_ms(s));
}

void session_set_language(session *s, const char *code)
{
    if (i18n_set_language(code) == BK_OK) {
        s->u->rtl = i18n_is_rtl(code);
        runner_invalidate(s->r);
        spoken_screen_changed(s->set.speech, runner_top(s->r)); /* -- guide: in this language */
    }
}

bool session_refused_start(const session *s, int64_t *start, int *offset_minutes)
{
    *start = s->refused_start;
    *offset_minutes = s->refused_offset;
    return s->refused_known;
}

void session_start(session *s)
{
    visit_start(s->v, session_now_ms(s));
    request_sync(s);
}

void session_submit_code(session *s, const char *typed)
{
    visit_check_in(s->v, typed, session_wall(s));
    request_sync(s);
}

void session_retry_code(session *s)
{
    flow_start_code(s->fl, session_now_ms(s));
    request_sync(s);
}

void session_audit(session *s, const char *event, const char *detail)
{
    if (detail)
        visit_audit(s->v, event, "%s", detail);
    else
        visit_audit(s->v, event, NULL);
}

void session_record_retry(session *s)
{
    visit_record_retry(s->v, session_wall(s));
    request_sync(s);
}

/* -- record: nothing drops records that wait (the controller refuses and logs) */
size_t session_record_waiting(const session *s)
{
    return visit_record_waiting(s->v);
}

bool session_record_refused(const session *s)
{
    return visit_record_refused(s->v);
}

const char *session_record_problem(const session *s)
{
    return visit_record_problem(s->v);
}

static void close_staff_screens(session *s)
{
    runner_remove(s->r, &screen_staff_reason);
    runner_remove(s->r, &screen_device_status);
    runner_remove(s->r, &screen_staff_menu);
    runner_remove(s->r, &screen_staff_pin);
    if (session_technician_screen()) /* -- technician */
        runner_remove(s->r, session_technician_screen());
}

/* Back to the welcome screen after the controller ended the visit. */
static void to_welcome(session *s)
{
    session_set_language(s, s->set.default_language);
    ui_set_large(s->u, false); /* -- access: for the next person */
    if (visit_staff_active(s->v))
        session_staff_sign_out(s);
    request_sync(s);
    sync_screens(s);
}

void session_record_discard(session *s)
{
    if (visit_record_discard(s->v, session_now_ms(s), session_wall(s)))
        to_welcome(s);
}

void session_continue(session *s)
{
    int64_t now = session_now_ms(s);
    switch (flow_get_stage(s->fl)) {
    case FLOW_STAGE_WELCOME:
        session_start(s);
        return;
    case FLOW_STAGE_APPOINTMENT:
        flow_to_documents(s->fl, now);
        break;
    case FLOW_STAGE_DOCUMENTS:
        if (flow_documents_complete(s->fl)) {
            visit_staff_log(s->v, "documents-confirmed", NULL);
            flow_begin_persons(s->fl, now);
        }
        break;
    case FLOW_STAGE_PERSON:
        flow_next(s->fl, now);
        break;
    case FLOW_STAGE_REVIEW:
        visit_finish(s->v, session_wall(s));
        break;
    case FLOW_STAGE_DONE:
        session_home(s);
        return;
    default:
        break;
    }
    request_sync(s);
}

void session_home(session *s)
{
    /* -- record: a visit whose records wait is never wiped this way */
    if (!visit_end(s->v, "wiped", false, session_now_ms(s), session_wall(s)))
        return;
    to_welcome(s);
}

void session_capture_done(session *s)
{
    visit_capture_done(s->v, session_now_ms(s));
    request_sync(s);
}

/* ---- staff ---- */

void session_staff_open(session *s)
{
    if (runner_find(s->r, &screen_staff_pin) || runner_find(s->r, &screen_staff_menu))
        return;
    s->staff_last_ms = session_now_ms(s);
    if (visit_staff_active(s->v)) {
        runner_push(s->r, &screen_staff_menu);
        return;
    }
    s->pad_text[0] = '\0';
    s->pad_new_pin = false;
    runner_push(s->r, &screen_staff_pin);
}

void session_staff_sign_in(session *s, const char *id, char *pin, size_t pin_size)
{
    if (s->pad_checking || visit_blocking(s->v)) {
        sodium_memzero(pin, pin_size);
        return;
    }
    s->staff_last_ms = session_now_ms(s);
    s->pad_text[0] = '\0';
    s->pad_checking = visit_staff_sign_in(s->v, id, pin, pin_size, session_wall(s));
    runner_invalidate(s->r);
}

void session_staff_new_pin(session *s, char *pin, size_t pin_size)
{
    if (s->pad_checking || visit_blocking(s->v)) {
        sodium_memzero(pin, pin_size);
        return;
    }
    s->staff_last_ms = session_now_ms(s);
    s->pad_text[0] = '\0';
    s->pad_checking = visit_staff_new_pin(s->v, pin, pin_size, session_wall(s));
    runner_invalidate(s->r);
}

void session_staff_pad_closed(session *s)
{
    s->pad_new_pin = false;
    visit_staff_forget_pin(s->v);
}

bool session_staff_checking(const session *s)
{
    return s->pad_checking;
}

bool session_staff_new_pin_asked(const session *s)
{
    return s->pad_new_pin;
}

const char *session_staff_pad_text(const session *s)
{
    return s->pad_text;
}

bool session_staff_active(const session *s)
{
    return visit_staff_active(s->v);
}

const char *session_staff_id(const session *s)
{
    return visit_staff_id(s->v);
}

bool session_staff_desk(const session *s)
{
    return visit_staff_desk(s->v);
}

bool session_staff_technician(const session *s)
{
    return visit_staff_technician(s->v);
}

void session_staff_sign_out(session *s)
{
    visit_staff_sign_out(s->v);
    s->pad_new_pin = false;
    close_staff_screens(s);
    runner_invalidate(s->r);
}

void session_staff_touch(session *s)
{
    s->staff_last_ms = session_now_ms(s);
    flow_touch(s->fl, s->staff_last_ms);
}

void session_staff_confirm_documents(session *s, size_t person, bool ok)
{
    session_staff_touch(s);
    visit_staff_confirm_documents(s->v, person, ok);
    runner_invalidate(s->r);
}

void session_staff_confirm_parent(session *s, bool present)
{
    session_staff_touch(s);
    visit_staff_confirm_parent(s->v, present);
    runner_invalidate(s->r);
}

void session_ask_reason(session *s, session_staff_action action)
{
    s->pending_reason = action;
    runner_push(s->r, &screen_staff_reason);
}

session_staff_action session_pending_reason(const session *s)
{
    return s->pending_reason;
}

void session_staff_with_reason(session *s, session_staff_action action, visit_reason reason)
{
    visit_staff_with_reason(s->v, action, reason, session_now_ms(s), session_wall(s));
    request_sync(s);
}

void session_staff_restart(session *s, size_t person, flow_item item)
{
    session_staff_touch(s);
    if (!visit_staff_restart(s->v, person, item, session_now_ms(s)))
        return;
    /* A capture screen starts again from its beginning. */
    runner_replace_all(s->r, class_for_stage(s));
    spoken_screen_changed(s->set.speech, runner_top(s->r)); /* -- guide */
    request_sync(s);
}

void session_staff_abort(session *s)
{
    if (visit_staff_abort(s->v, session_now_ms(s), session_wall(s)))
        to_welcome(s);
    else
        runner_remove(s->r, &screen_staff_menu);
    request_sync(s);
}

void session_staff_no_show(session *s)
{
    if (visit_staff_no_show(s->v, session_now_ms(s), session_wall(s)))
        to_welcome(s);
    else
        runner_remove(s->r, &screen_staff_menu);
    request_sync(s);
}

char **session_device_status(const session *s)
{
    GPtrArray *lines = g_ptr_array_new();
    for (int i = 0; i < FLOW_ITEM_COUNT_; i++) {
        const capture_class *cc = capture_lookup((flow_item)i);
        char buf[160] = "";
        if (cc == NULL)
            g_snprintf(buf, sizeof buf, "%s: %s", flow_item_str((flow_item)i),
                       _("not available on this kiosk"));
        else
            capture_status((flow_item)i, buf, sizeof buf);
        g_ptr_array_add(lines, g_strdup(buf));
    }
    g_ptr_array_add(lines, g_strdup_printf("store: %s", visit_store_name(s->v)));
    g_ptr_array_add(lines, NULL);
    return (char **)g_ptr_array_free(lines, FALSE);
}

void session_staff_quit(session *s)
{
    if (visit_staff_quit(s->v, session_wall(s)))
        runner_quit(s->r);
    else
        runner_remove(s->r, &screen_staff_menu);
    request_sync(s);
}

/* -- technician: the screen the kiosk set up, and whether it fills the whole screen now */
static const screen_class *technician_screen;
static bool technician_bare;

void session_technician_set_screen(const screen_class *cls)
{
    technician_screen = cls;
}

const screen_class *session_technician_screen(void)
{
    return technician_screen;
}

void session_technician_bare(session *s, bool bare)
{
    technician_bare = bare;
    runner_invalidate(s->r);
}

bool session_technician_enter(session *s)
{
    /* the role is checked here, where the screen opens, not only where the menu offered it */
    if (technician_screen == NULL || !visit_staff_technician(s->v) ||
        flow_person_count(s->fl) > 0) {
        visit_staff_log(s->v, "technician-denied", "role");
        return false;
    }
    visit_staff_log(s->v, "technician-screen", NULL);
    runner_remove(s->r, &screen_staff_menu);
    runner_push(s->r, technician_screen);
    return true;
}
/* -- technician end */

/* ---- the runner's hooks ---- */

static bool is_staff_screen(const screen *top)
{
    return top && (top->cls == &screen_staff_pin || top->cls == &screen_staff_menu ||
                   top->cls == &screen_staff_reason || top->cls == &screen_device_status ||
                   /* -- technician */ (technician_screen && top->cls == technician_screen));
}

static bool in_corner(const session *s, int x, int y)
{
    int c = s->u->target * 3 / 2;
    return x < c && y < c;
}

static bool filter(void *host, const SDL_Event *ev)
{
    session *s = host;
    /* the controller's answers first: any event (its wake among them) drains them */
    if (drain(s))
        sync_screens(s);
    if (s->need_sync)
        sync_screens(s);
    /* While an answer that changes the visit is awaited, input waits: nothing may change the
     * visit meanwhile (the worker reads the flow and the takes). */
    if ((visit_blocking(s->v) || s->pad_checking) &&
        (ev->type == SDL_KEYDOWN || ev->type == SDL_TEXTINPUT || ev->type == SDL_MOUSEBUTTONDOWN ||
         ev->type == SDL_MOUSEBUTTONUP))
        return true;
    screen *top = runner_top(s->r);
    switch (ev->type) {
    case SDL_QUIT:
        /* No way out for the applicant: closing the window does nothing. */
        return true;
    case SDL_KEYDOWN: {
        SDL_Keycode k = ev->key.keysym.sym;
        if (k == SDLK_F12) {
            session_staff_open(s);
            return true;
        }
        /* System key combinations do nothing outside staff mode. */
        if (!visit_staff_active(s->v) && (ev->key.keysym.mod & (KMOD_ALT | KMOD_CTRL | KMOD_GUI)))
            return true;
        if (is_staff_screen(top))
            session_staff_touch(s);
        else
            session_touch(s);
        return false;
    }
    case SDL_TEXTINPUT:
        if (is_staff_screen(top))
            session_staff_touch(s);
        else
            session_touch(s);
        return false;
    case SDL_MOUSEBUTTONDOWN:
        if (in_corner(s, ev->button.x, ev->button.y))
            s->corner_since = session_now_ms(s);
        /* Only taps on staff screens keep the staff session open: the applicant's taps do not. */
        if (is_staff_screen(top))
            session_staff_touch(s);
        session_touch(s);
        return false;
    case SDL_MOUSEBUTTONUP: {
        int64_t since = s->corner_since;
        s->corner_since = -1;
        if (since >= 0 && in_corner(s, ev->button.x, ev->button.y) &&
            session_now_ms(s) - since >= LONG_PRESS_MS) {
            session_staff_open(s);
            return true;
        }
        return false;
    }
    default:
        return false;
    }
}

static int64_t min_wait(int64_t a, int64_t b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

/* A stop request from systemd or a terminal: records that wait get a last try, then the visit
 * ends and the runner quits. Returns true while the stop is under way. */
static bool stop_tick(session *s, int64_t now)
{
    if (s->set.stop == NULL || !*s->set.stop)
        return false;
    if (!s->stopping) {
        s->stopping = true;
        g_message("kiosk stopping on request: kiosk=%s", s->set.kiosk_id);
        /* -- record: records that wait get a last try before the stop drops them */
        if (visit_record_failed(s->v))
            session_record_retry(s);
    }
    if (visit_blocking(s->v))
        return true; /* the answer wakes the loop */
    visit_end(s->v, "stopped", true, now, session_wall(s));
    runner_quit(s->r);
    return true;
}

/* The staff session and the PIN pad close themselves. */
static int64_t staff_tick(session *s, int64_t now, int64_t next)
{
    int64_t staff_ms = (int64_t)s->set.pin_pad_timeout_seconds * 1000;
    bool pad_open = runner_find(s->r, &screen_staff_pin) != NULL;
    bool staff = visit_staff_active(s->v);
    if ((!staff && !pad_open) || s->pad_checking)
        return next;
    int64_t quiet = now - s->staff_last_ms;
    if (quiet < staff_ms)
        return min_wait(next, staff_ms - quiet);
    if (staff) {
        g_message("staff session timed out: staff=%s", visit_staff_id(s->v));
        session_staff_sign_out(s);
    } else {
        s->pad_new_pin = false;
        runner_remove(s->r, &screen_staff_pin);
    }
    return next;
}

static int64_t tick(void *host, int64_t now)
{
    session *s = host;
    drain(s);
    if (s->need_sync)
        sync_screens(s);
    if (stop_tick(s, now))
        return -1;
    if (visit_blocking(s->v))
        return s->set.stop ? 1000 : -1;     /* the answer's wake event wakes the loop */
    int64_t next = s->set.stop ? 1000 : -1; /* look at the stop flag once a second */
    next = staff_tick(s, now, next);
    /* -- record: a visit whose records wait is kept (no idle wipe) and retried. */
    if (visit_record_failed(s->v)) {
        if (now >= s->record_retry_ms)
            session_record_retry(s);
        return min_wait(next, visit_blocking(s->v) ? -1 : s->record_retry_ms - now);
    }
    /* Idle: ask, then wipe. Staff at the kiosk keeps it alive through their own input. */
    switch (flow_idle(s->fl, now)) {
    case FLOW_IDLE_ACTIVE:
        runner_remove(s->r, &screen_still_there);
        break;
    case FLOW_IDLE_ASKING:
        if (runner_find(s->r, &screen_still_there) == NULL && !is_staff_screen(runner_top(s->r)))
            runner_push(s->r, &screen_still_there);
        break;
    case FLOW_IDLE_EXPIRED:
        g_message("session wiped after idle time: stage=%s kiosk=%s",
                  flow_stage_str(flow_get_stage(s->fl)), s->set.kiosk_id);
        visit_audit(s->v, "session.idle-timeout", "stage=%s",
                    flow_stage_str(flow_get_stage(s->fl)));
        session_home(s);
        break;
    }
    next = min_wait(next, flow_idle_next_ms(s->fl, now));
    /* The done screen returns to the welcome screen by itself. */
    if (flow_get_stage(s->fl) == FLOW_STAGE_DONE) {
        int64_t stay = (int64_t)s->set.idle_seconds * 1000;
        if (now - s->done_since >= stay)
            session_home(s);
        else
            next = min_wait(next, stay - (now - s->done_since));
    }
    if (s->corner_since >= 0)
        next = min_wait(next, 100);
    return next;
}

static void draw_staff_bar(void *host, ui *u)
{
    session *s = host;
    if (visit_blocking(s->v) && !s->pad_checking) {
        const char *wait = _("One moment, please.");
        int w = 0, h = 0;
        ui_text_size(u, wait, UI_FONT_BODY, &w, &h);
        int pad = ui_px(u, 24);
        SDL_Rect box = {(u->w - w) / 2 - pad, u->h / 2 - h / 2 - pad, w + 2 * pad, h + 2 * pad};
        ui_fill_round(u, box, ui_px(u, 12), UI_COLOR_PRIMARY);
        ui_text(u, wait, (SDL_Rect){box.x + pad, box.y + pad, w + 1, h}, UI_FONT_BODY,
                UI_COLOR_ON_PRIMARY, UI_ALIGN_CENTER);
    }
    if (!visit_staff_active(s->v) || technician_bare) /* -- technician: bare while a test shows */
        return;
    int h = u->target + ui_px(u, 16);
    SDL_Rect bar = {0, u->h - h, u->w, h};
    ui_fill(u, bar, UI_COLOR_STAFF);
    char line[128];
    g_snprintf(line, sizeof line, "%s: %s", _("Staff"), visit_staff_id(s->v));
    int pad = ui_px(u, 24);
    int th = 0;
    ui_text_size(u, line, UI_FONT_BODY, NULL, &th);
    ui_text(u, line, (SDL_Rect){pad, bar.y + (h - th) / 2, u->w / 3, th}, UI_FONT_BODY,
            UI_COLOR_ON_STAFF, UI_ALIGN_START);
    /* -- delivery: records the receiver has not acknowledged for too long */
    long waited = deliver_oldest_waiting_age(s->set.delivery, (time_t)session_wall(s));
    if (waited >= 0 && deliver_worker_alert(s->set.delivery, (time_t)session_wall(s), NULL, 0)) {
        char alert[160];
        g_snprintf(alert, sizeof alert, _("Records not delivered for %ld h"), waited / 3600);
        ui_text(u, alert, (SDL_Rect){u->w / 3, bar.y + (h - th) / 2, u->w / 3, th}, UI_FONT_BODY,
                UI_COLOR_ON_STAFF, UI_ALIGN_START);
    }
    if (is_staff_screen(runner_top(s->r)))
        return;
    int bw = ui_px(u, 330);
    int by = bar.y + ui_px(u, 8);
    button_draw(u, (SDL_Rect){u->w - 2 * bw - 2 * pad, by, bw, u->target}, _("Staff menu"),
                STAFF_BAR_MENU, BUTTON_SECONDARY);
    button_draw(u, (SDL_Rect){u->w - bw - pad, by, bw, u->target}, _("Sign out"), STAFF_BAR_OUT,
                BUTTON_SECONDARY);
}

static void host_action(void *host, int id)
{
    session *s = host;
    session_staff_touch(s);
    if (id == STAFF_BAR_MENU)
        session_staff_open(s);
    else if (id == STAFF_BAR_OUT)
        session_staff_sign_out(s);
}

static int64_t host_now(void *host)
{
    return session_now_ms(host);
}

/* ---- life cycle ---- */

session *session_new(const session_settings *settings, visit *v, ui *u)
{
    session *s = g_new0(session, 1);
    s->set = *settings;
    s->v = v;
    s->u = u;
    s->fl = visit_flow(v);
    s->start_ticks = SDL_GetTicks64();
    s->corner_since = -1;
    runner_hooks hooks = {
        .host = s,
        .filter = filter,
        .tick = tick,
        .draw = draw_staff_bar,
        .action = host_action,
        .now = host_now,
    };
    s->r = runner_new(u, &hooks);
    session_set_language(s, settings->default_language);
    s->shown_stage = FLOW_STAGE_COUNT_;
    sync_screens(s);
    return s;
}

void session_free(session *s)
{
    if (s == NULL)
        return;
    runner_free(s->r);
    memset(s, 0, sizeof *s);
    g_free(s);
}

runner *session_runner(const session *s)
{
    return s->r;
}

visit *session_visit(const session *s)
{
    return s->v;
}

flow *session_flow(const session *s)
{
    return s->fl;
}

ui *session_ui(const session *s)
{
    return s->u;
}

const session_settings *session_get_settings(const session *s)
{
    return &s->set;
}

const char *session_screen_name(const session *s)
{
    if (s->need_sync)
        sync_screens((session *)s);
    screen *top = runner_top(s->r);
    return top ? top->cls->name : "";
}
