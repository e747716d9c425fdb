/* Inside the visit controller: the state (visit.c, visit_staff.c) and the worker's jobs
 * (visit_worker.c). Not for other folders. */
#ifndef BIOKIOSK_VISIT_PRIV_H
#define BIOKIOSK_VISIT_PRIV_H

#include "store/staff.h"
#include "store/store.h"
#include "visit/kioskrec.h"
#include "visit/visit.h"

typedef enum job_kind {
    JOB_CHECKIN,     /* answers: store_checkin */
    JOB_VISIT_BEGIN, /* the record's copy of the appointment (appt, transfer) */
    JOB_RELEASE,
    JOB_NO_SHOW,    /* release, then no-show */
    JOB_FINISH,     /* answers: commit the records (fl, tk borrowed), then complete */
    JOB_WIPE,       /* audit what was not written, free tk (transfer), end the record's visit */
    JOB_DISCARD,    /* audit the records that wait as discarded (person_mask) */
    JOB_AUDIT,      /* event, detail */
    JOB_NOTE_STAFF, /* the record's staff id (text) */
    JOB_SIGN_IN,    /* answers: staff_verify (text = id, pin) */
    JOB_NEW_PIN,    /* answers: staff_change_pin (pin, new_pin) */
    JOB_QUIT,       /* the worker ends */
} job_kind;

typedef struct job {
    job_kind kind;
    bool answers; /* the answer goes back to the main thread */
    char text[64];
    char pin[STAFF_PIN_MAX + 1];
    char new_pin[STAFF_PIN_MAX + 1];
    char pin_copy[STAFF_PIN_MAX + 1]; /* the old PIN, kept only when it must be changed */
    char code[APPTCODE_LEN + 1];
    store_arrival arrival;
    int64_t wall;
    store_appointment *appt;
    const flow *fl;
    takes *tk;
    unsigned person_mask;
    bool abandoned;
    char event[48];
    char *detail;
    /* answers */
    bk_err err;
    store_result result;
    staff_answer ans;
    size_t waiting;
    char problem[300];
    int64_t kiosk_until; /* sign-in: this kiosk's wait ends then (0: none) */
} job;

struct visit {
    visit_settings set;
    store *st;
    kioskrec *rec;
    flow *fl;
    takes *tk; /* NULL outside a visit */
    /* the worker and its queues */
    GThread *worker;
    GAsyncQueue *jobs;
    GAsyncQueue *answers;
    gint running;         /* jobs submitted and not yet done (atomic) */
    unsigned outstanding; /* answers asked for and not yet drained (main thread) */
    /* staff */
    bool staff;
    char staff_id[STAFF_ID_MAX + 1];
    unsigned roles;
    char pending_id[STAFF_ID_MAX + 1]; /* between NEW_PIN and the new PIN */
    char pending_pin[STAFF_PIN_MAX + 1];
    int kiosk_failures; /* wrong PINs in a row on this kiosk (the worker's after the start) */
    int64_t kiosk_wait_until;
    char *limit_file;   /* the copy visit_settings.limit_file points to */
    bool limit_unsaved; /* the last write of limit_file failed (said once; the worker's) */
    /* records that could not be written yet */
    bool record_failed;
    bool record_refused;
    size_t record_waiting;
    char record_problem[300];
    /* the refused appointment's start, for the refusal event (-- access) */
    bool refused_known;
    int64_t refused_start;
    int refused_offset;
    /* visit_watch_freed (tests): sees each job's bytes after the wipe, before the free */
    void (*freed)(const void *bytes, size_t size, void *data);
    void *freed_data;
};

/* visit_worker.c */
void visit_worker_start(visit *v);
void visit_worker_stop(visit *v);
job *visit_job_new(job_kind kind);
/* Frees what j owns, wipes j and frees it (v's visit_watch_freed sees the wiped bytes). */
void visit_job_free(visit *v, job *j);
/* Queues j (transfer full); an answering job counts in visit_blocking until drained. */
void visit_submit(visit *v, job *j);

/* visit.c */
void visit_log_staff(visit *v, const char *action, const char *reason_code);
store_arrival visit_arrival(const visit *v, bool ignore_window, int64_t wall);

/* visit_staff.c: applies a sign-in answer (main thread). */
void visit_staff_answer(visit *v, job *j, visit_event *ev);
/* Reads the per-kiosk count a previous run left in set.limit_file. */
void visit_staff_limit_load(visit *v);
/* On the worker: the kiosk's wait before a sign-in, and its count after the store's answer. */
bool visit_staff_kiosk_waits(visit *v, job *j);
void visit_staff_kiosk_count(visit *v, job *j);

#endif
