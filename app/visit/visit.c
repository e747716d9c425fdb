/* The visit controller's state on the main thread: check-in, the review's commit, the end of a
 * visit and the records that wait. Blocking work goes to the worker (visit_worker.c). */
#include "visit/visit.h"

#include <stdarg.h>
#include <string.h>

#include "visit/visit-priv.h"

_Static_assert((int)TAKES_ITEM_PHOTO == (int)FLOW_ITEM_PHOTO &&
                   (int)TAKES_ITEM_FINGERPRINTS == (int)FLOW_ITEM_FINGERPRINTS &&
                   (int)TAKES_ITEM_SIGNATURE == (int)FLOW_ITEM_SIGNATURE,
               "takes_item and flow_item share their values");
_Static_assert(FLOW_MAX_PERSONS <= 32, "a person mask fits an unsigned");

visit *visit_new(const visit_settings *set, struct store *st, struct kioskrec *rec)
{
    visit *v = g_new0(visit, 1);
    v->set = *set;
    v->limit_file = g_strdup(set->limit_file);
    v->set.limit_file = v->limit_file;
    visit_staff_limit_load(v);
    v->st = st;
    v->rec = rec;
    v->fl = flow_new((int64_t)set->idle_seconds * 1000, (int64_t)set->countdown_seconds * 1000);
    visit_worker_start(v);
    return v;
}

void visit_free(visit *v)
{
    if (v == NULL)
        return;
    visit_worker_stop(v);
    /* the worker is gone: what is left of the visit is wiped here */
    kioskrec_audit_unwritten(v->rec, v->tk);
    kioskrec_visit_end(v->rec);
    takes_free(v->tk);
    flow_free(v->fl);
    g_free(v->limit_file);
    memset(v, 0, sizeof *v);
    g_free(v);
}

flow *visit_flow(const visit *v)
{
    return v->fl;
}

takes *visit_takes(const visit *v)
{
    return v->tk;
}

const visit_settings *visit_get_settings(const visit *v)
{
    return &v->set;
}

const char *visit_store_name(const visit *v)
{
    return v->st ? store_backend_name(v->st) : "none";
}

bool visit_blocking(const visit *v)
{
    return v->outstanding > 0;
}

bool visit_pending(const visit *v)
{
    return v->outstanding > 0 || g_atomic_int_get(&((visit *)v)->running) > 0;
}

store_arrival visit_arrival(const visit *v, bool ignore_window, int64_t wall)
{
    store_arrival a = {
        .desk = v->set.desk,
        .kiosk = v->set.kiosk_id,
        .now = wall,
        .early_minutes = v->set.early_minutes,
        .late_minutes = v->set.late_minutes,
        .ignore_window = ignore_window,
    };
    return a;
}

void visit_audit(visit *v, const char *event, const char *fmt, ...)
{
    if (v->rec == NULL)
        return;
    job *j = visit_job_new(JOB_AUDIT);
    g_strlcpy(j->event, event, sizeof j->event);
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        j->detail = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    visit_submit(v, j);
}

void visit_log_staff(visit *v, const char *action, const char *reason_code)
{
    const char *stage = flow_stage_str(flow_get_stage(v->fl));
    const char *rs = reason_code ? " reason=" : "";
    const char *rc = reason_code ? reason_code : "";
    if (v->rec) {
        job *j = visit_job_new(JOB_NOTE_STAFF);
        g_strlcpy(j->text, v->staff_id, sizeof j->text);
        visit_submit(v, j);
    }
    visit_audit(v, "staff.action", "staff=%s action=%s%s%s stage=%s", v->staff_id, action, rs, rc,
                stage);
    g_message("staff action: staff=%s action=%s%s%s stage=%s kiosk=%s", v->staff_id, action, rs, rc,
              stage, v->set.kiosk_id);
}

/* ---- check-in ---- */

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

static void check_in(visit *v, const char *typed, bool ignore_window, int64_t wall)
{
    if (visit_blocking(v))
        return;
    job *j = visit_job_new(JOB_CHECKIN);
    j->answers = true;
    g_strlcpy(j->text, typed, sizeof j->text);
    j->arrival = visit_arrival(v, ignore_window, wall);
    visit_submit(v, j);
}

void visit_check_in(visit *v, const char *typed, int64_t wall)
{
    check_in(v, typed, false, wall);
}

static void release_code(visit *v, const char *code, job_kind kind, int64_t wall)
{
    job *j = visit_job_new(kind);
    g_strlcpy(j->code, code, sizeof j->code);
    j->arrival = visit_arrival(v, true, wall);
    visit_submit(v, j);
}

/* The worker's answer: moves the flow to the appointment or the refusal. */
static void check_in_done(visit *v, job *j, int64_t now, int64_t wall)
{
    store_appointment *appt = j->appt;
    if (j->err != BK_OK) {
        g_warning("appointment store: %s", bk_err_str(j->err));
        flow_refuse(v->fl, "", FLOW_REFUSAL_UNAVAILABLE, now);
        return;
    }
    g_info("code checked: result=%s", store_result_str(j->result));
    visit_audit(v, "checkin", "result=%s", store_result_str(j->result));
    if (j->result != STORE_RESULT_OK || appt == NULL) {
        v->refused_known = appt != NULL;
        v->refused_start = appt ? appt->start : 0;
        v->refused_offset = appt ? appt->offset_minutes : 0;
        flow_refuse(v->fl, j->code, refusal_of(j->result), now);
        return;
    }
    flow_person_in in[FLOW_MAX_PERSONS];
    size_t n = MIN(appt->n_persons, (size_t)FLOW_MAX_PERSONS);
    for (size_t i = 0; i < n; i++) {
        in[i].name = appt->persons[i].name;
        in[i].born_in_nl = appt->persons[i].born_in_nl;
        in[i].rules = appt->persons[i].rules;
    }
    const char *problem = NULL;
    takes_free(v->tk);
    v->tk = takes_new(n);
    /* an appointment stored before the import refused more persons than the kiosk serves is
     * refused whole, never served in part */
    if (appt->n_persons > (size_t)FLOW_MAX_PERSONS)
        problem = "more persons than the kiosk serves (" G_STRINGIFY(FLOW_MAX_PERSONS) ")";
    if (problem != NULL || v->tk == NULL ||
        flow_accept(v->fl, j->code, in, n, now, &problem) != BK_OK) {
        g_warning("appointment data does not fit the rules: %s", problem ? problem : "?");
        release_code(v, j->code, JOB_RELEASE, wall);
        flow_refuse(v->fl, j->code, FLOW_REFUSAL_UNAVAILABLE, now);
    } else {
        job *b = visit_job_new(JOB_VISIT_BEGIN);
        b->appt = j->appt; /* transfer */
        j->appt = NULL;
        b->wall = wall;
        visit_submit(v, b);
    }
    memset(in, 0, sizeof in);
}

bool visit_checked_in(const visit *v)
{
    return flow_person_count(v->fl) > 0 && flow_get_stage(v->fl) != FLOW_STAGE_DONE;
}

void visit_start(visit *v, int64_t now_ms)
{
    visit_audit(v, "session.start", NULL);
    flow_start_code(v->fl, now_ms);
}

void visit_capture_done(visit *v, int64_t now_ms)
{
    flow_step_done(v->fl, now_ms);
}

/* ---- the end of a visit ---- */

/* Hands the takes to the worker, which audits what was not written and wipes them. */
static void wipe_takes(visit *v)
{
    job *j = visit_job_new(JOB_WIPE);
    j->tk = v->tk;
    v->tk = NULL;
    j->abandoned = v->record_failed;
    g_strlcpy(j->text, flow_stage_str(flow_get_stage(v->fl)), sizeof j->text);
    if (v->rec)
        visit_submit(v, j);
    else
        visit_job_free(v, j);
    v->record_failed = false;
    v->record_refused = false;
    v->record_waiting = 0;
}

bool visit_end(visit *v, const char *why, bool force, int64_t now_ms, int64_t wall)
{
    if (v->record_failed && !force) {
        g_warning("not leaving a visit whose records wait");
        return false;
    }
    if (visit_checked_in(v)) {
        visit_audit(v, "session.end", "result=%s stage=%s", why,
                    flow_stage_str(flow_get_stage(v->fl)));
        release_code(v, flow_get_code(v->fl), JOB_RELEASE, wall);
    }
    wipe_takes(v);
    flow_reset(v->fl, now_ms);
    return true;
}

void visit_finish(visit *v, int64_t wall)
{
    if (visit_blocking(v) || v->tk == NULL)
        return;
    job *j = visit_job_new(JOB_FINISH);
    j->answers = true;
    j->fl = v->fl;
    j->tk = v->tk; /* borrowed: the caller changes neither until the answer */
    j->wall = wall;
    g_strlcpy(j->code, flow_get_code(v->fl), sizeof j->code);
    j->arrival = visit_arrival(v, true, wall);
    visit_submit(v, j);
}

static void finish_done(visit *v, job *j, int64_t now, visit_event *ev)
{
    j->tk = NULL; /* borrowed */
    ev->records_ok = j->err == BK_OK;
    v->record_waiting = j->waiting;
    g_strlcpy(v->record_problem, j->problem, sizeof v->record_problem);
    if (j->err != BK_OK) {
        if (!v->record_failed)
            g_warning("records not written, the session waits: %s", bk_err_str(j->err));
        v->record_failed = true;
        return;
    }
    v->record_failed = false;
    flow_finish(v->fl, now);
    visit_audit(v, "session.end", "result=completed");
    /* Nothing biometric or personal stays once the records are written. */
    wipe_takes(v);
}

bool visit_next_event(visit *v, int64_t now_ms, int64_t wall, visit_event *ev)
{
    job *j = g_async_queue_try_pop(v->answers);
    if (j == NULL)
        return false;
    v->outstanding--;
    memset(ev, 0, sizeof *ev);
    switch (j->kind) {
    case JOB_CHECKIN:
        ev->type = VISIT_EVENT_CHECKED_IN;
        v->refused_known = false;
        check_in_done(v, j, now_ms, wall);
        ev->appt_known = v->refused_known;
        ev->appt_start = v->refused_start;
        ev->appt_offset_minutes = v->refused_offset;
        break;
    case JOB_FINISH:
        ev->type = VISIT_EVENT_RECORDS;
        finish_done(v, j, now_ms, ev);
        break;
    default:
        ev->type = VISIT_EVENT_STAFF;
        visit_staff_answer(v, j, ev);
        break;
    }
    visit_job_free(v, j);
    return true;
}

/* ---- records that wait ---- */

bool visit_record_failed(const visit *v)
{
    return v->record_failed;
}

size_t visit_record_waiting(const visit *v)
{
    return v->record_failed ? v->record_waiting : 0;
}

const char *visit_record_problem(const visit *v)
{
    return v->record_problem;
}

bool visit_record_refused(const visit *v)
{
    return v->record_failed && v->record_refused;
}

void visit_record_retry(visit *v, int64_t wall)
{
    if (!v->record_failed || flow_get_stage(v->fl) != FLOW_STAGE_REVIEW || visit_blocking(v))
        return;
    visit_audit(v, "record.retry", "by=%s", v->staff ? "staff" : "kiosk");
    visit_finish(v, wall);
}

/* Nothing drops records that wait; each refusal is a staff action in the log. */
static bool record_refuse(visit *v, const char *action)
{
    if (!v->record_failed)
        return false;
    visit_log_staff(v, action, "records-waiting");
    v->record_refused = true;
    return true;
}

bool visit_record_discard(visit *v, int64_t now_ms, int64_t wall)
{
    if (!visit_staff_desk(v) || !v->record_failed)
        return false;
    visit_log_staff(v, "discard-records", NULL);
    job *j = visit_job_new(JOB_DISCARD);
    for (size_t i = 0; i < flow_person_count(v->fl); i++)
        if (flow_get_person(v->fl, i)->n_steps > 0)
            j->person_mask |= 1u << i;
    g_strlcpy(j->text, v->staff_id, sizeof j->text);
    if (v->rec)
        visit_submit(v, j);
    else
        visit_job_free(v, j);
    v->record_failed = false; /* discarded on purpose: not "abandoned" */
    return visit_end(v, "wiped", false, now_ms, wall);
}

/* ---- staff actions on the visit, each checked for its role where it happens ---- */

static bool need_desk(visit *v, const char *action)
{
    if (visit_staff_desk(v))
        return true;
    if (v->staff) {
        g_autofree char *denied = g_strconcat(action, "-denied", NULL);
        visit_log_staff(v, denied, "role");
    }
    return false;
}

bool visit_staff_confirm_documents(visit *v, size_t person, bool ok)
{
    if (!need_desk(v, ok ? "documents-ok" : "documents-withdrawn"))
        return false;
    if (flow_confirm_documents(v->fl, person, ok) == BK_OK)
        visit_log_staff(v, ok ? "documents-ok" : "documents-withdrawn", NULL);
    return true;
}

bool visit_staff_confirm_parent(visit *v, bool present)
{
    if (!need_desk(v, present ? "parent-present" : "parent-withdrawn"))
        return false;
    flow_confirm_parent(v->fl, present);
    visit_log_staff(v, present ? "parent-present" : "parent-withdrawn", NULL);
    return true;
}

bool visit_staff_with_reason(visit *v, visit_staff_action action, visit_reason reason,
                             int64_t now_ms, int64_t wall)
{
    static const char *const names[VISIT_STAFF_COUNT_] = {"override-arrival-window", "skip-step",
                                                          "exception"};
    if ((unsigned)action >= VISIT_STAFF_COUNT_ || (unsigned)reason >= VISIT_REASON_COUNT_ ||
        !need_desk(v, names[action]))
        return false;
    const char *code = visit_reason_code(reason);
    switch (action) {
    case VISIT_STAFF_OVERRIDE: {
        if (!flow_refusal_overridable(flow_get_refusal(v->fl)))
            return false;
        visit_log_staff(v, names[action], code);
        char typed[FLOW_CODE_MAX];
        g_strlcpy(typed, flow_get_code(v->fl), sizeof typed);
        check_in(v, typed, true, wall);
        return true;
    }
    case VISIT_STAFF_SKIP:
        if (flow_get_step(v->fl) == NULL)
            return false;
        visit_log_staff(v, names[action], code);
        flow_step_skip(v->fl, visit_reason_text(reason), now_ms);
        return true;
    case VISIT_STAFF_EXCEPTION:
        if (flow_get_step(v->fl) == NULL)
            return false;
        visit_log_staff(v, names[action], code);
        flow_step_exception(v->fl, visit_reason_text(reason), now_ms);
        return true;
    case VISIT_STAFF_COUNT_:
        break;
    }
    return false;
}

bool visit_staff_restart(visit *v, size_t person, flow_item item, int64_t now_ms)
{
    if (!need_desk(v, "restart-step"))
        return false;
    if (flow_step_restart(v->fl, person, item, now_ms) != BK_OK)
        return false;
    takes_clear_item(v->tk, person, (takes_item)item);
    visit_log_staff(v, "restart-step", flow_item_str(item));
    return true;
}

bool visit_staff_abort(visit *v, int64_t now_ms, int64_t wall)
{
    if (!need_desk(v, "abort") || record_refuse(v, "abort-refused"))
        return false;
    visit_log_staff(v, "abort", NULL);
    return visit_end(v, "wiped", false, now_ms, wall);
}

bool visit_staff_no_show(visit *v, int64_t now_ms, int64_t wall)
{
    if (flow_person_count(v->fl) == 0 || !need_desk(v, "no-show") ||
        record_refuse(v, "no-show-refused"))
        return false;
    visit_log_staff(v, "no-show", NULL);
    release_code(v, flow_get_code(v->fl), JOB_NO_SHOW, wall);
    wipe_takes(v);
    flow_reset(v->fl, now_ms);
    return true;
}

bool visit_staff_quit(visit *v, int64_t wall)
{
    if (!visit_staff_technician(v)) {
        if (v->staff)
            visit_log_staff(v, "quit-denied", "role");
        return false;
    }
    if (record_refuse(v, "quit-refused"))
        return false;
    visit_log_staff(v, "quit", NULL);
    if (visit_checked_in(v))
        release_code(v, flow_get_code(v->fl), JOB_RELEASE, wall);
    return true;
}
