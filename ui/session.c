#include "ui/session.h"

#include <string.h>

#include <glib.h>

#include "ui/capture.h"
#include "ui/i18n.h"
#include "ui/kioskrec.h"
#include "store/staff.h"
#include "ui/widgets/widgets.h"

#define LONG_PRESS_MS  2000
#define STAFF_BAR_MENU (RUNNER_HOST_HIT + 1)
#define STAFF_BAR_OUT  (RUNNER_HOST_HIT + 2)

struct session {
    session_settings set;
    store *st;
    ui *u;
    runner *r;
    flow *fl;
    /* what the capture screens took for the appointment's persons; NULL outside a visit */
    takes *tk;
    /* clock */
    uint64_t start_ticks;
    int64_t virtual_ms;
    /* which stage the bottom screen shows */
    flow_stage shown_stage;
    size_t shown_person;
    int shown_step;
    bool need_sync;
    int64_t done_since;
    /* staff */
    bool staff;
    char staff_id[STAFF_ID_MAX + 1];
    staff_role role;
    int64_t staff_last_ms;
    staff_list *accounts;
    char pad_text[160];
    session_staff_action pending_reason;
    /* a press on the staff corner: when it started, -1 when none */
    int64_t corner_since;
    /* the check-in running on the worker thread, NULL when none */
    GThread *worker;
    uint32_t checkin_event;
    /* -- record: the records of the visit could not be written yet; the session waits on the
     * record-failed screen (no idle wipe) and retries at record_retry_ms */
    bool record_failed;
    int64_t record_retry_ms;
    bool record_refused; /* staff tried to abort while records waited */
};

_Static_assert((int)TAKES_ITEM_PHOTO == (int)FLOW_ITEM_PHOTO &&
                   (int)TAKES_ITEM_FINGERPRINTS == (int)FLOW_ITEM_FINGERPRINTS &&
                   (int)TAKES_ITEM_SIGNATURE == (int)FLOW_ITEM_SIGNATURE,
               "takes_item and flow_item share their values");

/* Drops everything the capture screens took (wiping it); the session is over or starts again. */
static void wipe_takes(session *s)
{
    kioskrec_audit_unwritten(s->set.record, s->tk); /* -- record */
    takes_free(s->tk);
    s->tk = NULL;
    /* -- record: the identity copy goes with the takes */
    if (s->record_failed)
        kioskrec_audit(s->set.record, "record.abandoned", NULL, "stage=%s",
                       flow_stage_str(flow_get_stage(s->fl)));
    s->record_failed = false;
    s->record_refused = false;
    kioskrec_visit_end(s->set.record);
}

takes *session_takes(session *s)
{
    return s->tk;
}

/* A check-in handed to the worker thread. The store is used by that thread alone until the
 * result comes back as an event (the session makes no other store call meanwhile). */
typedef struct checkin_job {
    store *st;
    char typed[64];
    store_arrival arrival;
    uint32_t event;
    bk_err err;
    store_result result;
    char code[APPTCODE_LEN + 1];
    store_appointment *appt;
} checkin_job;

static void sync_screens(session *s);

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

/* ---- logging: staff actions, never personal data ---- */

static void log_staff(const session *s, const char *action, const char *reason)
{
    kioskrec_note_staff(s->set.record, s->staff_id);
    kioskrec_audit(s->set.record, "staff.action", NULL, "staff=%s action=%s%s%s stage=%s",
                   s->staff_id, action, reason ? " reason=" : "", reason ? reason : "",
                   flow_stage_str(flow_get_stage(s->fl)));
    g_message("staff action: staff=%s action=%s%s%s stage=%s kiosk=%s", s->staff_id, action,
              reason ? " reason=" : "", reason ? reason : "", flow_stage_str(flow_get_stage(s->fl)),
              s->set.kiosk_id);
}

/* ---- store ---- */

static store_arrival arrival(const session *s, bool ignore_window)
{
    store_arrival a = {
        .desk = s->set.desk,
        .kiosk = s->set.kiosk_id,
        .now = session_wall(s),
        .early_minutes = s->set.early_minutes,
        .late_minutes = s->set.late_minutes,
        .ignore_window = ignore_window,
    };
    return a;
}

static flow_refusal refusal_of(store_result r)
{
    switch (r) {
    case STORE_RESULT_OK:
        return FLOW_REFUSAL_NONE;
    case STORE_RESULT_MALFORMED:
        return FLOW_REFUSAL_MALFORMED;
    case STORE_RESULT_CHECK_FAILED:
        return FLOW_REFUSAL_CHECK_FAILED;
    case STORE_RESULT_UNKNOWN:
        return FLOW_REFUSAL_UNKNOWN;
    case STORE_RESULT_WRONG_DESK:
        return FLOW_REFUSAL_WRONG_DESK;
    case STORE_RESULT_CANCELLED:
        return FLOW_REFUSAL_CANCELLED;
    case STORE_RESULT_ALREADY_USED:
    case STORE_RESULT_NOT_CHECKED_IN:
        return FLOW_REFUSAL_ALREADY_USED;
    case STORE_RESULT_WRONG_DAY:
        return FLOW_REFUSAL_WRONG_DAY;
    case STORE_RESULT_TOO_EARLY:
        return FLOW_REFUSAL_TOO_EARLY;
    case STORE_RESULT_TOO_LATE:
        return FLOW_REFUSAL_TOO_LATE;
    case STORE_RESULT_COUNT_:
        break;
    }
    return FLOW_REFUSAL_UNKNOWN;
}

static gpointer checkin_worker(gpointer data)
{
    checkin_job *j = data;
    j->err = store_checkin(j->st, j->typed, &j->arrival, &j->result, j->code, &j->appt);
    SDL_Event ev = {0};
    ev.type = j->event;
    ev.user.data1 = j;
    SDL_PushEvent(&ev);
    return NULL;
}

/* Starts checking in `typed` on the worker thread; the answer arrives as an event. */
static void check_in(session *s, const char *typed, bool ignore_window)
{
    if (s->worker != NULL)
        return;
    checkin_job *j = g_new0(checkin_job, 1);
    j->st = s->st;
    g_strlcpy(j->typed, typed, sizeof j->typed);
    j->arrival = arrival(s, ignore_window);
    j->event = s->checkin_event;
    s->worker = g_thread_new("biokiosk-checkin", checkin_worker, j);
    runner_invalidate(s->r);
}

static void job_free(checkin_job *j)
{
    store_appointment_free(j->appt);
    memset(j, 0, sizeof *j);
    g_free(j);
}

/* The worker's answer: moves the flow to the appointment or the refusal. */
static void check_in_done(session *s, checkin_job *j)
{
    g_thread_join(s->worker);
    s->worker = NULL;
    int64_t now = session_now_ms(s);
    store_appointment *appt = j->appt;
    if (j->err != BK_OK) {
        g_warning("appointment store: %s", bk_err_str(j->err));
        flow_refuse(s->fl, "", FLOW_REFUSAL_UNAVAILABLE, now);
        goto out;
    }
    g_info("code checked: result=%s", store_result_str(j->result));
    kioskrec_audit(s->set.record, "checkin", NULL, "result=%s", store_result_str(j->result));
    if (j->result != STORE_RESULT_OK || appt == NULL) {
        flow_refuse(s->fl, j->code, refusal_of(j->result), now);
        goto out;
    }
    flow_person_in in[FLOW_MAX_PERSONS];
    size_t n = MIN(appt->n_persons, (size_t)FLOW_MAX_PERSONS);
    for (size_t i = 0; i < n; i++) {
        in[i].name = appt->persons[i].name;
        in[i].born_in_nl = appt->persons[i].born_in_nl;
        in[i].rules = appt->persons[i].rules;
    }
    const char *problem = NULL;
    takes_free(s->tk);
    s->tk = takes_new(n);
    if (s->tk == NULL || flow_accept(s->fl, j->code, in, n, now, &problem) != BK_OK) {
        g_warning("appointment data does not fit the rules: %s", problem ? problem : "?");
        store_arrival a = arrival(s, true);
        store_result rr;
        char c2[APPTCODE_LEN + 1];
        store_release(s->st, j->code, &a, &rr, c2, NULL);
        flow_refuse(s->fl, j->code, FLOW_REFUSAL_UNAVAILABLE, now);
    } else {
        kioskrec_visit_begin(s->set.record, appt, session_wall(s));
    }
    memset(in, 0, sizeof in);
out:
    job_free(j);
    s->need_sync = true;
    runner_invalidate(s->r);
}

bool session_busy(const session *s)
{
    return s->worker != NULL;
}

static bool checked_in(const session *s)
{
    return flow_person_count(s->fl) > 0 && flow_get_stage(s->fl) != FLOW_STAGE_DONE;
}

static void release(session *s)
{
    if (!checked_in(s))
        return;
    store_arrival a = arrival(s, true);
    store_result result;
    char code[APPTCODE_LEN + 1];
    bk_err err = store_release(s->st, flow_get_code(s->fl), &a, &result, code, NULL);
    if (err != BK_OK)
        g_warning("could not release the appointment: %s", bk_err_str(err));
    else
        g_info("appointment released: result=%s", store_result_str(result));
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
        return s->record_failed ? &screen_record_failed : &screen_review;
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
    bool staff_menu_open = runner_find(s->r, &screen_staff_menu) != NULL;
    runner_replace_all(s->r, want);
    s->shown_stage = stage;
    s->shown_person = flow_current_person(s->fl);
    s->shown_step = flow_current_step(s->fl);
    if (stage == FLOW_STAGE_DONE)
        s->done_since = session_now_ms(s);
    (void)staff_menu_open;
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
    }
}

void session_start(session *s)
{
    kioskrec_audit(s->set.record, "session.start", NULL, NULL);
    flow_start_code(s->fl, session_now_ms(s));
    request_sync(s);
}

void session_submit_code(session *s, const char *typed)
{
    check_in(s, typed, false);
    request_sync(s);
}

void session_retry_code(session *s)
{
    flow_start_code(s->fl, session_now_ms(s));
    request_sync(s);
}

static void finish(session *s)
{
    /* -- record: the appointment is completed only once every record is durable. */
    bk_err rerr = kioskrec_commit(s->set.record, s->fl, s->tk, session_wall(s));
    if (rerr != BK_OK) {
        if (!s->record_failed)
            g_warning("records not written, the session waits: %s", bk_err_str(rerr));
        s->record_failed = true;
        s->record_retry_ms = session_now_ms(s) + SESSION_RECORD_RETRY_MS;
        request_sync(s);
        return;
    }
    s->record_failed = false;
    store_arrival a = arrival(s, true);
    store_result result;
    char code[APPTCODE_LEN + 1];
    bk_err err = store_complete(s->st, flow_get_code(s->fl), &a, &result, code, NULL);
    if (err != BK_OK)
        g_warning("could not complete the appointment: %s", bk_err_str(err));
    else
        g_info("appointment completed: result=%s", store_result_str(result));
    flow_finish(s->fl, session_now_ms(s));
    s->done_since = session_now_ms(s); /* a retry from tick comes before the next sync */
    kioskrec_audit(s->set.record, "session.end", NULL, "result=completed");
    /* Nothing biometric or personal stays once the records are written. */
    wipe_takes(s);
}

void session_audit(session *s, const char *event, const char *detail)
{
    kioskrec_audit(s->set.record, event, NULL, detail ? "%s" : NULL, detail);
}

void session_record_retry(session *s)
{
    if (!s->record_failed || flow_get_stage(s->fl) != FLOW_STAGE_REVIEW)
        return;
    kioskrec_audit(s->set.record, "record.retry", NULL, "by=%s", s->staff ? "staff" : "kiosk");
    finish(s);
    request_sync(s);
}

/* -- record: nothing drops records that wait; each refusal is a staff action in the log */
size_t session_record_waiting(const session *s)
{
    return s->record_failed ? kioskrec_waiting(s->set.record, s->fl) : 0;
}

bool session_record_refused(const session *s)
{
    return s->record_failed && s->record_refused;
}

static bool record_refuse(session *s, const char *action)
{
    if (!s->record_failed)
        return false;
    log_staff(s, action, "records-waiting");
    s->record_refused = true;
    runner_remove(s->r, &screen_staff_menu);
    request_sync(s);
    return true;
}

void session_record_discard(session *s)
{
    if (!s->staff || !s->record_failed)
        return;
    log_staff(s, "discard-records", NULL);
    kioskrec_discard(s->set.record, s->fl, s->staff_id);
    s->record_failed = false; /* discarded on purpose: not "abandoned" */
    session_home(s);
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
            log_staff(s, "documents-confirmed", NULL);
            flow_begin_persons(s->fl, now);
        }
        break;
    case FLOW_STAGE_PERSON:
        flow_next(s->fl, now);
        break;
    case FLOW_STAGE_REVIEW:
        finish(s);
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
    if (s->record_failed) {
        g_warning("not leaving a visit whose records wait");
        return;
    }
    /* -- */
    if (checked_in(s))
        kioskrec_audit(s->set.record, "session.end", NULL, "result=wiped stage=%s",
                       flow_stage_str(flow_get_stage(s->fl)));
    release(s);
    wipe_takes(s);
    flow_reset(s->fl, session_now_ms(s));
    session_set_language(s, s->set.default_language);
    if (s->staff)
        session_staff_sign_out(s);
    request_sync(s);
    sync_screens(s);
}

void session_capture_done(session *s)
{
    flow_step_done(s->fl, session_now_ms(s));
    request_sync(s);
}

/* ---- staff ---- */

static void load_accounts(session *s)
{
    staff_list_free(s->accounts);
    s->accounts = NULL;
    if (staff_list_all(s->st, &s->accounts) != BK_OK)
        s->accounts = NULL;
}

size_t session_staff_count(const session *s)
{
    return s->accounts ? s->accounts->n : 0;
}

const char *session_staff_account_id(const session *s, size_t i)
{
    return i < session_staff_count(s) ? s->accounts->items[i].id : "";
}

const char *session_staff_account_name(const session *s, size_t i)
{
    return i < session_staff_count(s) ? s->accounts->items[i].name : "";
}

void session_staff_open(session *s)
{
    if (runner_find(s->r, &screen_staff_pin) || runner_find(s->r, &screen_staff_menu))
        return;
    s->staff_last_ms = session_now_ms(s);
    if (s->staff) {
        runner_push(s->r, &screen_staff_menu);
        return;
    }
    load_accounts(s);
    s->pad_text[0] = '\0';
    runner_push(s->r, &screen_staff_pin);
}

staff_verdict session_staff_sign_in(session *s, const char *id, const char *pin, const char **text)
{
    staff_policy policy = {s->set.max_pin_failures, s->set.lockout_minutes};
    staff_answer ans = {0};
    s->staff_last_ms = session_now_ms(s);
    bk_err err = staff_verify(s->st, id, pin, session_wall(s), &policy, &ans);
    if (err != BK_OK) {
        *text = _("The staff list cannot be reached. Try again.");
        return STAFF_VERDICT_UNKNOWN_STAFF;
    }
    g_message("staff sign-in: staff=%s verdict=%s kiosk=%s", staff_id_valid(id) ? id : "?",
              staff_verdict_str(ans.verdict), s->set.kiosk_id);
    kioskrec_audit(s->set.record, "staff.sign-in", NULL, "staff=%s verdict=%s",
                   staff_id_valid(id) ? id : "?", staff_verdict_str(ans.verdict));
    switch (ans.verdict) {
    case STAFF_VERDICT_OK:
        s->staff = true;
        g_strlcpy(s->staff_id, id, sizeof s->staff_id);
        s->role = ans.role;
        *text = "";
        break;
    case STAFF_VERDICT_WRONG_PIN:
        g_snprintf(s->pad_text, sizeof s->pad_text, _("Wrong PIN. Tries left: %d"),
                   ans.failures_left);
        *text = s->pad_text;
        break;
    case STAFF_VERDICT_LOCKED: {
        int64_t left = ans.locked_until - session_wall(s);
        int minutes = (int)((left + 59) / 60);
        g_snprintf(s->pad_text, sizeof s->pad_text, _("This account is locked for %d minutes."),
                   minutes < 1 ? 1 : minutes);
        *text = s->pad_text;
        break;
    }
    default:
        *text = _("Unknown staff account.");
        break;
    }
    return ans.verdict;
}

bool session_staff_active(const session *s)
{
    return s->staff;
}

const char *session_staff_id(const session *s)
{
    return s->staff ? s->staff_id : "";
}

bool session_staff_technician(const session *s)
{
    return s->staff && s->role == STAFF_ROLE_TECHNICIAN;
}

void session_staff_sign_out(session *s)
{
    if (s->staff)
        log_staff(s, "sign-out", NULL);
    s->staff = false;
    memset(s->staff_id, 0, sizeof s->staff_id);
    runner_remove(s->r, &screen_staff_reason);
    runner_remove(s->r, &screen_device_status);
    runner_remove(s->r, &screen_staff_menu);
    runner_remove(s->r, &screen_staff_pin);
    if (session_technician_screen()) /* -- technician */
        runner_remove(s->r, session_technician_screen());
    runner_invalidate(s->r);
}

void session_staff_touch(session *s)
{
    s->staff_last_ms = session_now_ms(s);
    flow_touch(s->fl, s->staff_last_ms);
}

void session_staff_confirm_documents(session *s, size_t person, bool ok)
{
    if (!s->staff)
        return;
    session_staff_touch(s);
    if (flow_confirm_documents(s->fl, person, ok) == BK_OK)
        log_staff(s, ok ? "documents-ok" : "documents-withdrawn", NULL);
    runner_invalidate(s->r);
}

void session_staff_confirm_parent(session *s, bool present)
{
    if (!s->staff)
        return;
    session_staff_touch(s);
    flow_confirm_parent(s->fl, present);
    log_staff(s, present ? "parent-present" : "parent-withdrawn", NULL);
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

void session_staff_with_reason(session *s, session_staff_action action, const char *reason)
{
    if (!s->staff)
        return;
    int64_t now = session_now_ms(s);
    switch (action) {
    case SESSION_STAFF_OVERRIDE: {
        if (!flow_refusal_overridable(flow_get_refusal(s->fl)))
            return;
        log_staff(s, "override-arrival-window", reason);
        char code[FLOW_CODE_MAX];
        g_strlcpy(code, flow_get_code(s->fl), sizeof code);
        check_in(s, code, true);
        break;
    }
    case SESSION_STAFF_SKIP:
        if (flow_get_step(s->fl) == NULL)
            return;
        log_staff(s, "skip-step", reason);
        flow_step_skip(s->fl, reason, now);
        break;
    case SESSION_STAFF_EXCEPTION:
        if (flow_get_step(s->fl) == NULL)
            return;
        log_staff(s, "exception", reason);
        flow_step_exception(s->fl, reason, now);
        break;
    case SESSION_STAFF_COUNT_:
        break;
    }
    request_sync(s);
}

void session_staff_restart(session *s, size_t person, flow_item item)
{
    if (!s->staff)
        return;
    session_staff_touch(s);
    if (flow_step_restart(s->fl, person, item, session_now_ms(s)) == BK_OK) {
        takes_clear_item(s->tk, person, (takes_item)item);
        log_staff(s, "restart-step", flow_item_str(item));
    }
    /* A capture screen starts again from its beginning. */
    runner_replace_all(s->r, class_for_stage(s));
    request_sync(s);
}

void session_staff_abort(session *s)
{
    if (!s->staff)
        return;
    /* -- record: not while records wait */
    if (record_refuse(s, "abort-refused"))
        return;
    /* -- */
    log_staff(s, "abort", NULL);
    session_home(s);
}

void session_staff_no_show(session *s)
{
    if (!s->staff || flow_person_count(s->fl) == 0)
        return;
    /* -- record: not while records wait */
    if (record_refuse(s, "no-show-refused"))
        return;
    /* -- */
    log_staff(s, "no-show", NULL);
    release(s);
    store_arrival a = arrival(s, true);
    store_result result;
    char code[APPTCODE_LEN + 1];
    bk_err err = store_no_show(s->st, flow_get_code(s->fl), &a, &result, code, NULL);
    if (err != BK_OK)
        g_warning("could not mark the no-show: %s", bk_err_str(err));
    wipe_takes(s);
    flow_reset(s->fl, session_now_ms(s));
    session_home(s);
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
        else if (cc->status)
            cc->status(buf, sizeof buf);
        else
            g_snprintf(buf, sizeof buf, "%s: %s", flow_item_str((flow_item)i), cc->screen->name);
        g_ptr_array_add(lines, g_strdup(buf));
    }
    g_ptr_array_add(lines, g_strdup_printf("store: %s", store_backend_name(s->st)));
    g_ptr_array_add(lines, NULL);
    return (char **)g_ptr_array_free(lines, FALSE);
}

void session_staff_quit(session *s)
{
    if (!session_staff_technician(s))
        return;
    /* -- record: not while records wait */
    if (record_refuse(s, "quit-refused"))
        return;
    /* -- */
    log_staff(s, "quit", NULL);
    release(s);
    runner_quit(s->r);
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
    if (s->checkin_event != 0 && ev->type == s->checkin_event) {
        check_in_done(s, ev->user.data1);
        sync_screens(s);
        return true;
    }
    if (s->need_sync)
        sync_screens(s);
    /* While the store answers, input waits: nothing may change the session meanwhile. */
    if (s->worker != NULL && (ev->type == SDL_KEYDOWN || ev->type == SDL_TEXTINPUT ||
                              ev->type == SDL_MOUSEBUTTONDOWN || ev->type == SDL_MOUSEBUTTONUP))
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
        if (!s->staff && (ev->key.keysym.mod & (KMOD_ALT | KMOD_CTRL | KMOD_GUI)))
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

static int64_t tick(void *host, int64_t now)
{
    session *s = host;
    if (s->need_sync)
        sync_screens(s);
    if (s->worker != NULL)
        return -1; /* the worker's event wakes the loop */
    int64_t next = -1;
    if (s->set.stop) {
        if (*s->set.stop) {
            g_message("kiosk stopping on request: kiosk=%s", s->set.kiosk_id);
            /* -- record: records that wait get a last try before the stop drops them */
            if (s->record_failed)
                session_record_retry(s);
            /* -- */
            release(s);
            wipe_takes(s);
            flow_reset(s->fl, now);
            runner_quit(s->r);
            return -1;
        }
        next = 1000; /* look at the stop flag once a second */
    }
    /* The staff session and the PIN pad close themselves. */
    int64_t staff_ms = (int64_t)s->set.pin_pad_timeout_seconds * 1000;
    bool pad_open = runner_find(s->r, &screen_staff_pin) != NULL;
    if (s->staff || pad_open) {
        int64_t quiet = now - s->staff_last_ms;
        if (quiet >= staff_ms) {
            if (s->staff) {
                g_message("staff session timed out: staff=%s", s->staff_id);
                session_staff_sign_out(s);
            } else {
                runner_remove(s->r, &screen_staff_pin);
            }
        } else {
            next = min_wait(next, staff_ms - quiet);
        }
    }
    /* -- record: a visit whose records wait is kept (no idle wipe) and retried. */
    if (s->record_failed) {
        if (now >= s->record_retry_ms)
            session_record_retry(s);
        if (s->record_failed)
            return min_wait(next, s->record_retry_ms - now);
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
        kioskrec_audit(s->set.record, "session.idle-timeout", NULL, "stage=%s",
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
    if (s->worker != NULL) {
        const char *wait = _("One moment, please.");
        int w = 0, h = 0;
        ui_text_size(u, wait, UI_FONT_BODY, &w, &h);
        int pad = ui_px(u, 24);
        SDL_Rect box = {(u->w - w) / 2 - pad, u->h / 2 - h / 2 - pad, w + 2 * pad, h + 2 * pad};
        ui_fill_round(u, box, ui_px(u, 12), UI_COLOR_PRIMARY);
        ui_text(u, wait, (SDL_Rect){box.x + pad, box.y + pad, w + 1, h}, UI_FONT_BODY,
                UI_COLOR_ON_PRIMARY, UI_ALIGN_CENTER);
    }
    if (!s->staff || technician_bare) /* -- technician: bare while a full-screen test shows */
        return;
    int h = u->target + ui_px(u, 16);
    SDL_Rect bar = {0, u->h - h, u->w, h};
    ui_fill(u, bar, UI_COLOR_STAFF);
    char line[128];
    g_snprintf(line, sizeof line, "%s: %s", _("Staff"), s->staff_id);
    int pad = ui_px(u, 24);
    int th = 0;
    ui_text_size(u, line, UI_FONT_BODY, NULL, &th);
    ui_text(u, line, (SDL_Rect){pad, bar.y + (h - th) / 2, u->w / 3, th}, UI_FONT_BODY,
            UI_COLOR_ON_STAFF, UI_ALIGN_START);
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

session *session_new(const session_settings *settings, store *st, ui *u)
{
    session *s = g_new0(session, 1);
    s->set = *settings;
    s->st = st;
    s->u = u;
    s->start_ticks = SDL_GetTicks64();
    s->corner_since = -1;
    s->fl = flow_new((int64_t)settings->idle_seconds * 1000,
                     (int64_t)settings->countdown_seconds * 1000);
    runner_hooks hooks = {
        .host = s,
        .filter = filter,
        .tick = tick,
        .draw = draw_staff_bar,
        .action = host_action,
        .now = host_now,
    };
    s->r = runner_new(u, &hooks);
    s->checkin_event = SDL_RegisterEvents(1);
    if (s->checkin_event == (uint32_t)-1)
        s->checkin_event = 0;
    session_set_language(s, settings->default_language);
    s->shown_stage = FLOW_STAGE_COUNT_;
    sync_screens(s);
    return s;
}

void session_free(session *s)
{
    if (s == NULL)
        return;
    if (s->worker != NULL) {
        /* Its event may still be queued: take the job from the thread itself. */
        g_thread_join(s->worker);
        s->worker = NULL;
        SDL_Event ev;
        while (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, s->checkin_event, s->checkin_event) == 1)
            job_free(ev.user.data1);
    }
    runner_free(s->r);
    wipe_takes(s);
    flow_free(s->fl);
    staff_list_free(s->accounts);
    memset(s, 0, sizeof *s);
    g_free(s);
}

runner *session_runner(const session *s)
{
    return s->r;
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

/* ---- the common frame of applicant screens ---- */

bool session_language_action(session *s, int id)
{
    int i = id - SESSION_LANG_ID;
    if (i < 0 || (size_t)i >= s->set.n_languages)
        return false;
    session_set_language(s, s->set.languages[i]);
    return true;
}

SDL_Rect session_draw_frame(session *s, ui *u, const char *title, bool languages)
{
    int margin = ui_px(u, 64);
    int y = ui_px(u, 40);
    if (languages && s->set.n_languages > 1) {
        int gap = ui_px(u, 12);
        int n = (int)s->set.n_languages;
        int bw = (u->w - 2 * margin - gap * (n - 1)) / n;
        for (int i = 0; i < n; i++) {
            SDL_Rect b = ui_mirror(u, (SDL_Rect){margin + i * (bw + gap), y, bw, u->target});
            const char *code = s->set.languages[i];
            button_draw(u, b, i18n_native_name(code), SESSION_LANG_ID + i,
                        strcmp(code, i18n_language()) == 0 ? BUTTON_PRIMARY : BUTTON_SECONDARY);
        }
        y += u->target + ui_px(u, 32);
    }
    size_t total, ended, after;
    flow_progress(s->fl, &total, &ended, &after);
    flow_stage stage = flow_get_stage(s->fl);
    if (stage == FLOW_STAGE_PERSON || stage == FLOW_STAGE_CAPTURE) {
        char line[160];
        size_t n = flow_person_count(s->fl);
        size_t cur = flow_current_person(s->fl) + 1;
        g_snprintf(line, sizeof line, _("Person %zu of %zu"), cur, n);
        const flow_person *p = flow_get_person(s->fl, cur - 1);
        progress_draw(u, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 80)}, total, ended,
                      stage == FLOW_STAGE_CAPTURE, line);
        y += ui_px(u, 90);
        /* The name apart from the translated line: it may be in another script. */
        y += ui_text(u, p ? p->name : "", (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 60)},
                     UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    }
    int th = ui_text(u, title, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 200)},
                     UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
    y += th + ui_px(u, 24);
    int bottom = u->h - margin - (s->staff ? u->target + ui_px(u, 16) : 0);
    return (SDL_Rect){margin, y, u->w - 2 * margin, bottom - y};
}
