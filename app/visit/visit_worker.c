/* The visit controller's worker: one thread that runs the blocking jobs in the order asked
 * (store, Argon2, records, audit) and hands answers back through a queue and the wake function.
 * The worker alone uses the store and the kioskrec once the controller exists. */
#include <string.h>

#include <sodium.h>

#include "visit/visit-priv.h"

job *visit_job_new(job_kind kind)
{
    job *j = g_new0(job, 1);
    j->kind = kind;
    return j;
}

void visit_job_free(visit *v, job *j)
{
    if (j == NULL)
        return;
    store_appointment_free(j->appt);
    takes_free(j->tk);
    g_free(j->detail);
    sodium_memzero(j, sizeof *j);
    if (v->freed)
        v->freed(j, sizeof *j, v->freed_data);
    g_free(j);
}

void visit_watch_freed(visit *v, void (*fn)(const void *bytes, size_t size, void *data), void *data)
{
    v->freed = fn;
    v->freed_data = data;
}

void visit_submit(visit *v, job *j)
{
    if (j->answers)
        v->outstanding++;
    g_atomic_int_inc(&v->running);
    g_async_queue_push(v->jobs, j);
}

static void run_release(visit *v, job *j, bool no_show)
{
    char code[APPTCODE_LEN + 1];
    store_result result;
    bk_err err = store_release(v->st, j->code, &j->arrival, &result, code, NULL);
    if (err != BK_OK)
        g_warning("could not release the appointment: %s", bk_err_str(err));
    else
        g_info("appointment released: result=%s", store_result_str(result));
    if (!no_show)
        return;
    err = store_no_show(v->st, j->code, &j->arrival, &result, code, NULL);
    if (err != BK_OK)
        g_warning("could not mark the no-show: %s", bk_err_str(err));
}

static void run_finish(visit *v, job *j)
{
    j->err = kioskrec_commit(v->rec, j->fl, j->tk, j->wall);
    /* the takes are borrowed: not the job's to free */
    j->tk = NULL;
    j->waiting = kioskrec_waiting(v->rec, j->fl);
    g_strlcpy(j->problem, kioskrec_problem(v->rec), sizeof j->problem);
    if (j->err != BK_OK)
        return;
    char code[APPTCODE_LEN + 1];
    store_result result;
    bk_err err = store_complete(v->st, j->code, &j->arrival, &result, code, NULL);
    if (err != BK_OK)
        g_warning("could not complete the appointment: %s", bk_err_str(err));
    else
        g_info("appointment completed: result=%s", store_result_str(result));
}

static void run_discard(visit *v, job *j)
{
    /* kioskrec_discard reads which persons have steps from a flow; the mask stands in for it */
    kioskrec_discard_mask(v->rec, j->person_mask, j->text);
}

static void run_sign_in(visit *v, job *j)
{
    if (j->kind == JOB_SIGN_IN && visit_staff_kiosk_waits(v, j)) {
        /* not even checked */
        j->err = BK_ERR_BUSY;
        sodium_memzero(j->pin, sizeof j->pin);
        return;
    }
    staff_policy policy = {v->set.max_pin_failures, v->set.lockout_minutes};
    /* a new PIN: the old one checked (and counted) and the new one written in one step */
    if (j->kind == JOB_NEW_PIN)
        j->err = staff_change_pin(v->st, j->text, j->pin, j->new_pin, j->wall, &policy, &j->ans);
    else
        j->err = staff_verify(v->st, j->text, j->pin, j->wall, &policy, &j->ans);
    if (j->kind == JOB_SIGN_IN && j->err == BK_OK && j->ans.change_pin)
        g_strlcpy(j->pin_copy, j->pin, sizeof j->pin_copy);
    sodium_memzero(j->pin, sizeof j->pin);
    sodium_memzero(j->new_pin, sizeof j->new_pin);
    visit_staff_kiosk_count(v, j);
}

/* Runs j; true when it answers. */
static bool run(visit *v, job *j)
{
    switch (j->kind) {
    case JOB_CHECKIN:
        j->err = store_checkin(v->st, j->text, &j->arrival, &j->result, j->code, &j->appt);
        break;
    case JOB_VISIT_BEGIN:
        kioskrec_visit_begin(v->rec, j->appt, j->wall);
        break;
    case JOB_RELEASE:
    case JOB_NO_SHOW:
        run_release(v, j, j->kind == JOB_NO_SHOW);
        break;
    case JOB_FINISH:
        run_finish(v, j);
        break;
    case JOB_WIPE:
        kioskrec_audit_unwritten(v->rec, j->tk);
        if (j->abandoned)
            kioskrec_audit(v->rec, "record.abandoned", NULL, "stage=%s", j->text);
        kioskrec_visit_end(v->rec);
        break;
    case JOB_DISCARD:
        run_discard(v, j);
        break;
    case JOB_AUDIT:
        kioskrec_audit(v->rec, j->event, NULL, j->detail ? "%s" : NULL, j->detail);
        break;
    case JOB_NOTE_STAFF:
        kioskrec_note_staff(v->rec, j->text);
        break;
    case JOB_SIGN_IN:
    case JOB_NEW_PIN:
        run_sign_in(v, j);
        break;
    case JOB_QUIT:
        break;
    }
    return j->answers;
}

static gpointer worker_main(gpointer data)
{
    visit *v = data;
    for (;;) {
        job *j = g_async_queue_pop(v->jobs);
        bool quit = j->kind == JOB_QUIT;
        if (run(v, j)) {
            g_async_queue_push(v->answers, j);
            g_atomic_int_dec_and_test(&v->running);
            if (v->set.wake)
                v->set.wake(v->set.wake_data);
        } else {
            visit_job_free(v, j);
            g_atomic_int_dec_and_test(&v->running);
        }
        if (quit)
            return NULL;
    }
}

void visit_worker_start(visit *v)
{
    v->jobs = g_async_queue_new();
    v->answers = g_async_queue_new();
    v->worker = g_thread_new("biokiosk-visit", worker_main, v);
}

void visit_worker_stop(visit *v)
{
    if (v->worker == NULL)
        return;
    visit_submit(v, visit_job_new(JOB_QUIT));
    g_thread_join(v->worker);
    v->worker = NULL;
    job *j;
    while ((j = g_async_queue_try_pop(v->answers)) != NULL) {
        if (j->kind == JOB_FINISH)
            j->tk = NULL;
        visit_job_free(v, j);
    }
    g_async_queue_unref(v->jobs);
    g_async_queue_unref(v->answers);
}
