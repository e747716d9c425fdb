/* The kiosk session: the flow (app/core/flow.h), the appointment store, staff sign-in and the
 * clock, tied to the screens. The session decides which screen shows (from the flow's stage) and
 * is the only place that talks to the store; screens call the actions below.
 *
 * Every staff action is logged (GLib, domain biokiosk-ui) with the staff id, the action, the
 * stage and the reason; never a name, code or date of an applicant.
 */
#ifndef BIOKIOSK_SESSION_H
#define BIOKIOSK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/flow.h"
#include "ui/runner.h"
#include "core/takes.h"
#include "store/staff.h"
#include "store/store.h"
#include "ui/ui.h"

typedef struct session_settings {
    const char *desk;
    const char *kiosk_id;
    int early_minutes, late_minutes;
    int idle_seconds, countdown_seconds;
    bool courier; /* session.after_desk = courier */
    int working_days;
    int max_pin_failures, lockout_minutes;
    int pin_pad_timeout_seconds;
    /* How long a capture screen waits for a device that went away before staff may skip the
     * step or end the visit (ui/devwait.h); 0 or less: 120. */
    int reconnect_seconds;
    const char *const *languages; /* offered, in order */
    size_t n_languages;
    const char *default_language;
    int64_t wall_base;  /* seconds since 1970 UTC at clock 0 (--now, or the time at start) */
    bool virtual_clock; /* scripted mode: time moves only by session_advance */
    /* Set (from a signal handler) when the service is told to stop: the session releases the
     * appointment and the runner quits. May be NULL. */
    const volatile int *stop;
    /* -- record: the keys, outbox and audit log (ui/kioskrec.h; transfer none). With NULL no
     * record is written and nothing is audited (in-process tests of the screens only). */
    struct kioskrec *record;
} session_settings;

typedef enum session_staff_action {
    SESSION_STAFF_OVERRIDE, /* accept a code outside the arrival window */
    SESSION_STAFF_SKIP,     /* skip the current capture step */
    SESSION_STAFF_EXCEPTION,
    SESSION_STAFF_COUNT_
} session_staff_action;

typedef struct session session;

/* A session at the welcome screen, drawing through u and asking st (both transfer none; they
 * outlive the session). The settings' strings must outlive it too. */
session *session_new(const session_settings *settings, store *st, ui *u);
/* Wipes and frees. NULL does nothing. */
void session_free(session *s);

runner *session_runner(const session *s);
flow *session_flow(const session *s);
ui *session_ui(const session *s);
const session_settings *session_get_settings(const session *s);

/* The monotonic clock (ms) and the wall clock (seconds since 1970 UTC). */
int64_t session_now_ms(const session *s);
int64_t session_wall(const session *s);
/* Moves the virtual clock on (scripted mode). */
void session_advance(session *s, int64_t ms);
/* Moves the idle timer as if `ms` passed without input (scripted `idle`). */
void session_idle_advance(session *s, int64_t ms);

/* True while the store answers a code on the worker thread (input waits meanwhile). */
bool session_busy(const session *s);

/* The stable name of the screen on top. */
const char *session_screen_name(const session *s);

/* Applicant actions. */
void session_set_language(session *s, const char *code);
void session_start(session *s); /* welcome -> code */
void session_submit_code(session *s, const char *typed);
void session_retry_code(session *s); /* refused -> code */
void session_continue(session *s);   /* the main "next" of the current stage */
void session_home(session *s);       /* back to welcome, wiping everything */
/* What the capture screens took for the persons of the current appointment (transfer none;
 * NULL outside a visit). A capture screen puts its accepted result here for
 * flow_current_person() before it calls session_capture_done(); a staff restart of a step drops
 * that item's results; the whole of it is wiped when the session ends, is aborted or idles out.
 * flow_item and takes_item have the same values. */
takes *session_takes(session *s);
/* The current capture step ended with a capture (for capture screens). */
void session_capture_done(session *s);
/* Applicant input happened (resets the idle timer). */
void session_touch(session *s);

/* -- record: tries again to write the records of the visit after a failure (staff's "Try
 * again"; the kiosk also retries by itself every SESSION_RECORD_RETRY_MS). */
#define SESSION_RECORD_RETRY_MS 30000
void session_record_retry(session *s);
/* -- record: while records of the visit wait (record-failed), abort, no-show and quitting are
 * refused (audited as staff actions "abort-refused" ...) so that no record is dropped; the
 * record-failed screen says so. The number of records that wait, and whether such a refusal
 * happened in this visit. */
size_t session_record_waiting(const session *s);
bool session_record_refused(const session *s);
/* -- record: staff discards the records that wait, after the record-failed screen's second
 * confirmation: audited (staff action "discard-records", "record.discarded" per record), the
 * appointment released and the visit wiped. Nothing happens without signed-in staff or without
 * records that wait. */
void session_record_discard(session *s);
/* -- record: an entry in the audit log for capture screens, e.g. ("device.unplugged",
 * "kind=camera"); event [a-z0-9._-], detail key=value text without names or images. */
void session_audit(session *s, const char *event, const char *detail);

/* Staff. The PIN pad opens from the staff key or a long press on the top-left corner. */
void session_staff_open(session *s);
/* Checks id + PIN with the store; on success staff is signed in. Returns the verdict; *text gets a
 * line for the pad (static or owned by the session until the next call). */
staff_verdict session_staff_sign_in(session *s, const char *id, const char *pin, const char **text);
bool session_staff_active(const session *s);
const char *session_staff_id(const session *s);
bool session_staff_technician(const session *s);
void session_staff_sign_out(session *s);
/* Staff input happened (keeps the staff session open). */
void session_staff_touch(session *s);
/* The staff menu's actions. Each is logged. */
void session_staff_confirm_documents(session *s, size_t person, bool ok);
void session_staff_confirm_parent(session *s, bool present);
void session_staff_with_reason(session *s, session_staff_action action, const char *reason);
void session_staff_restart(session *s, size_t person, flow_item item);
void session_staff_abort(session *s);
void session_staff_no_show(session *s);
/* Lines of device status (registered capture screens) for the staff; transfer full, g_strfreev. */
char **session_device_status(const session *s);
/* Quits the kiosk (technician only; logged). */
void session_staff_quit(session *s);
/* -- technician: the technician screen (ui/technician.h), set once by the kiosk when it has one
 * (NULL: none, and the staff menu offers no entry). While `bare` is true the staff bar is not
 * drawn: the test pattern and the touch test fill the whole screen. */
void session_technician_set_screen(const screen_class *cls);
const screen_class *session_technician_screen(void);
void session_technician_bare(session *s, bool bare);
/* -- technician end */

/* Staff accounts for the PIN pad's choice (ids and display names), refreshed on each open. */
size_t session_staff_count(const session *s);
const char *session_staff_account_id(const session *s, size_t i);
const char *session_staff_account_name(const session *s, size_t i);

/* The screen classes (ui/screens/), for tests that check their names. */
extern const screen_class screen_welcome, screen_code, screen_appointment, screen_refused,
    screen_documents, screen_person, screen_step_unavailable, screen_review, screen_done,
    screen_still_there, screen_staff_pin, screen_staff_menu, screen_staff_reason,
    screen_device_status, screen_record_failed;

/* Used by screens: which reasons the reason screen offers, and for which action. */
void session_ask_reason(session *s, session_staff_action action);
session_staff_action session_pending_reason(const session *s);

/* Draws the common frame of an applicant screen: title, language bar (when allowed) and the
 * progress line. Returns the content rectangle below it. */
SDL_Rect session_draw_frame(session *s, ui *u, const char *title, bool languages);
/* Handles a language-bar tap (ids SESSION_LANG_ID + index); true when it was one. */
bool session_language_action(session *s, int id);
#define SESSION_LANG_ID 100

#endif
