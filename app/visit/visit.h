/* The visit controller: the state of one applicant's visit at the desk (the flow of app/core/flow.h
 * and what the capture steps took, app/core/takes.h), check-in, release, complete and no-show in
 * the appointment store, staff sign-in and roles, the records' commit and the audit log.
 *
 * Threads. Everything here is called on the main thread, except the wake function. Whatever can
 * block (the store, the Argon2 PIN check, building, sealing and fsyncing a record, appending to
 * the audit log) runs on the controller's one worker thread, in the order it was asked for; the
 * answer waits in a queue, the worker calls settings.wake, and the main thread drains the queue
 * with visit_next_event, which applies the answer to the visit's state and returns what the
 * screens need to know. No call here waits for the worker (visit_free excepted).
 *
 * While an answer that changes the visit is awaited (visit_blocking: a check-in, the records'
 * commit, a PIN check) the worker reads the flow and the takes: the caller changes neither, and
 * takes no applicant or staff input, until the answer came.
 *
 * Logging: every staff action goes to the journal (GLib) and the audit log with the staff id, the
 * action, the stage and a reason code; never a name, code or date of an applicant, never free text.
 */
#ifndef BIOKIOSK_VISIT_H
#define BIOKIOSK_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "core/flow.h"
#include "core/takes.h"

struct store;    /* app/store/store.h */
struct kioskrec; /* visit/kioskrec.h */

typedef struct visit_settings {
    const char *desk;
    const char *kiosk_id;
    int early_minutes, late_minutes; /* the arrival window ([arrival]) */
    int idle_seconds, countdown_seconds;
    int max_pin_failures, lockout_minutes; /* per account ([staff]) */
    /* per kiosk, across all accounts: from this many wrong PINs or unknown ids in a row ([staff]
     * kiosk_pin_failures; 0: 10) every further sign-in waits 2^k seconds, k the failures beyond
     * it (capped at 15 minutes); a right PIN resets it */
    int kiosk_pin_failures;
    /* where that count and its wait survive a restart of the kiosk (a power cut must not give
     * fresh tries): a small file, replaced whole on each change (copied; NULL: memory only) */
    const char *limit_file;
    /* Called on the worker thread when an answer waits (e.g. pushes an SDL user event so the main
     * loop wakes); may be NULL (then the caller polls). */
    void (*wake)(void *data);
    void *wake_data;
} visit_settings;

/* A staff member's roles: an account may hold both. */
enum {
    VISIT_ROLE_DESK = 1u << 0,
    VISIT_ROLE_TECHNICIAN = 1u << 1,
};

/* The controller's own answer to a sign-in (the ui knows no store types). */
typedef enum visit_verdict {
    VISIT_VERDICT_OK,
    VISIT_VERDICT_WRONG_PIN,   /* failures_left tries remain on this account */
    VISIT_VERDICT_LOCKED,      /* the account is locked until locked_until */
    VISIT_VERDICT_UNKNOWN,     /* no such account */
    VISIT_VERDICT_UNAVAILABLE, /* the store cannot be reached */
    VISIT_VERDICT_KIOSK_WAIT,  /* too many wrong PINs on this kiosk: try again at wait_until */
    VISIT_VERDICT_NEW_PIN, /* right PIN, too short: a new one must be set (visit_staff_new_pin) */
    VISIT_VERDICT_PIN_CHANGED, /* the new PIN is set; staff is signed in */
    VISIT_VERDICT_PIN_REFUSED, /* the new PIN is not 6-12 digits, or the same as the old */
    VISIT_VERDICT_COUNT_
} visit_verdict;

/* Staff reasons, logged as their code only (a reason may say something about the applicant's
 * health or religion: the journal and the audit log never get its text). */
typedef enum visit_reason {
    VISIT_REASON_DESK_DELAY,
    VISIT_REASON_TRANSPORT_DELAY,
    VISIT_REASON_URGENT,
    VISIT_REASON_MANAGER,
    VISIT_REASON_NOT_ON_KIOSK,
    VISIT_REASON_DEVICE_FAULT,
    VISIT_REASON_OTHER_DESK,
    VISIT_REASON_PERMANENT,
    VISIT_REASON_TEMPORARY,
    VISIT_REASON_HEAD_COVERING,
    VISIT_REASON_DEVICE_UNAVAILABLE, /* staff gave up waiting for a device that went away */
    VISIT_REASON_COUNT_
} visit_reason;

typedef enum visit_staff_action {
    VISIT_STAFF_OVERRIDE, /* accept a code outside the arrival window */
    VISIT_STAFF_SKIP,     /* skip the current capture step */
    VISIT_STAFF_EXCEPTION,
    VISIT_STAFF_COUNT_
} visit_staff_action;

typedef enum visit_event_type {
    VISIT_EVENT_CHECKED_IN, /* the flow moved to the appointment or its refusal */
    VISIT_EVENT_RECORDS,    /* the commit ended: records_ok, else the visit waits (record-failed) */
    VISIT_EVENT_STAFF,      /* a sign-in's verdict */
} visit_event_type;

typedef struct visit_event {
    visit_event_type type;
    bool records_ok;       /* VISIT_EVENT_RECORDS */
    visit_verdict verdict; /* VISIT_EVENT_STAFF */
    int failures_left;     /* for WRONG_PIN */
    int64_t until;         /* for LOCKED and KIOSK_WAIT: seconds since 1970 UTC */
    /* VISIT_EVENT_CHECKED_IN refused with an appointment found (too early, too late...): its
     * start (seconds since 1970 UTC) and the start's UTC offset in minutes; appt_known false
     * when the store found none. */
    bool appt_known;
    int64_t appt_start;
    int appt_offset_minutes;
} visit_event;

typedef struct visit visit;

/* A controller with no visit, its worker started. st and rec (transfer none) outlive it; rec may
 * be NULL (no records and no audit: in-process tests of the screens). */
visit *visit_new(const visit_settings *set, struct store *st, struct kioskrec *rec);
/* Lets the worker finish what was asked (audit entries are not lost), wipes and frees. */
void visit_free(visit *v);

/* The flow and the takes (transfer none; takes NULL outside a visit). A capture screen puts its
 * accepted result into the takes for flow_current_person() before visit_capture_done. */
flow *visit_flow(const visit *v);
takes *visit_takes(const visit *v);
const visit_settings *visit_get_settings(const visit *v);
/* The store's backend name, for the device status lines. */
const char *visit_store_name(const visit *v);

/* An answer that changes the visit is awaited (input waits meanwhile). */
bool visit_blocking(const visit *v);
/* Anything is queued or running on the worker (audit entries too). */
bool visit_pending(const visit *v);
/* Takes the next answer, applies it to the visit and describes it in *ev. False when none waits.
 * now_ms is the flow's clock, wall the time (seconds since 1970 UTC). */
bool visit_next_event(visit *v, int64_t now_ms, int64_t wall, visit_event *ev);

/* ---- the applicant ---- */
/* welcome -> code (audited). */
void visit_start(visit *v, int64_t now_ms);
/* Checks the typed code on the worker: VISIT_EVENT_CHECKED_IN. Ignored while blocking. */
void visit_check_in(visit *v, const char *typed, int64_t wall);
/* A visit is under way (checked in and not done). */
bool visit_checked_in(const visit *v);
/* The review's "continue": commits one record per person on the worker, then completes the
 * appointment: VISIT_EVENT_RECORDS. */
void visit_finish(visit *v, int64_t wall);
/* Ends the visit whatever its stage: releases the appointment (when checked in), audits why
 * (result, e.g. "wiped", "idle-timeout"), wipes the takes and resets the flow. Refused (false)
 * while records wait, unless `force` (the kiosk stops). */
bool visit_end(visit *v, const char *why, bool force, int64_t now_ms, int64_t wall);
/* The current capture step ended with a capture. */
void visit_capture_done(visit *v, int64_t now_ms);
/* An audit entry (event [a-z0-9._-]; detail key=value text, never names or images), queued. */
void visit_audit(visit *v, const char *event, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* ---- records that could not be written ---- */
bool visit_record_failed(const visit *v);
/* How many persons' records wait, and one English line on why (for staff). */
size_t visit_record_waiting(const visit *v);
const char *visit_record_problem(const visit *v);
/* Staff tried to abort, no-show or quit while records waited (the record-failed screen says so). */
bool visit_record_refused(const visit *v);
/* Tries the commit again (staff's "Try again", or the kiosk's timer). */
void visit_record_retry(visit *v, int64_t wall);
/* Staff (desk role) discards the records that wait: audited per record, then the visit ends. */
bool visit_record_discard(visit *v, int64_t now_ms, int64_t wall);

/* ---- staff ---- */
/* Checks id + PIN on the worker (Argon2, ~0.1 s): VISIT_EVENT_STAFF. pin is the caller's buffer of
 * pin_size bytes holding the typed PIN (NUL-terminated): it is copied for the worker and all
 * pin_size bytes are wiped (sodium_memzero) before this returns, whatever the outcome (false too).
 * The worker's copy is wiped once checked and again when the request is freed. */
bool visit_staff_sign_in(visit *v, const char *id, char *pin, size_t pin_size, int64_t wall);
/* After VISIT_VERDICT_NEW_PIN (or PIN_REFUSED): sets the new PIN (checked again with the old one)
 * on the worker: VISIT_EVENT_STAFF with PIN_CHANGED (signed in) or PIN_REFUSED. False (and no
 * answer comes) without a PIN to change or while another answer is awaited. new_pin's pin_size
 * bytes are wiped before this returns, as for visit_staff_sign_in. */
bool visit_staff_new_pin(visit *v, char *new_pin, size_t pin_size, int64_t wall);
/* Forgets (wipes) the old PIN kept between VISIT_VERDICT_NEW_PIN and the new one: the pad
 * closed without a new PIN. */
void visit_staff_forget_pin(visit *v);
bool visit_staff_active(const visit *v);
const char *visit_staff_id(const visit *v); /* "" when none */
unsigned visit_staff_roles(const visit *v); /* VISIT_ROLE_* bits; 0 when none */
bool visit_staff_desk(const visit *v);
bool visit_staff_technician(const visit *v);
void visit_staff_sign_out(visit *v);
/* A staff action at the current stage, checked where it happens: each needs the desk role (quit:
 * the technician role) and returns false, audited as "...-denied", without it. */
bool visit_staff_confirm_documents(visit *v, size_t person, bool ok);
bool visit_staff_confirm_parent(visit *v, bool present);
bool visit_staff_with_reason(visit *v, visit_staff_action action, visit_reason reason,
                             int64_t now_ms, int64_t wall);
bool visit_staff_restart(visit *v, size_t person, flow_item item, int64_t now_ms);
bool visit_staff_abort(visit *v, int64_t now_ms, int64_t wall);
bool visit_staff_no_show(visit *v, int64_t now_ms, int64_t wall);
bool visit_staff_quit(visit *v, int64_t wall);
/* Logs a staff action that is not one of the above (e.g. "technician-screen"). */
void visit_staff_log(visit *v, const char *action, const char *reason_code);

/* The reasons offered for an action (n of them), the code logged ("head-covering") and the
 * English text the flow and the record keep. */
const visit_reason *visit_reasons(visit_staff_action action, size_t *n);
const char *visit_reason_code(visit_reason reason);
const char *visit_reason_text(visit_reason reason);

/* ---- for tests ---- */
/* Calls fn with the bytes of each request to the controller's worker (a sign-in's carries the staff
 * id and PIN) after they were wiped and just before they are freed, on the thread that frees them
 * (the worker's or the caller's), so a test can check that nothing is left in them. Set it (or NULL
 * to stop) while nothing is pending (visit_pending false). */
void visit_watch_freed(visit *v, void (*fn)(const void *bytes, size_t size, void *data),
                       void *data);

#endif
