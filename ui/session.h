/* The kiosk session: the ui's host around the visit controller (app/visit/visit.h). It decides
 * which screen shows for the visit's stage, draws the staff bar, runs the idle timer and filters
 * input; screens call the actions below, which hand over to the controller. The session does no
 * store, record or file I/O and starts no thread: the controller's answers arrive as events
 * drained on the main thread (session's filter and tick).
 *
 * Every staff action is logged by the controller with the staff id, the action, the stage and a
 * reason code; never a name, code or date of an applicant.
 */
#ifndef BIOKIOSK_SESSION_H
#define BIOKIOSK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/flow.h"
#include "ui/runner.h"
#include "core/takes.h"
#include "ui/ui.h"
#include "visit/deliver.h"
#include "visit/visit.h"

typedef struct session_settings {
    const char *kiosk_id;
    int idle_seconds; /* how long the done screen stays */
    bool courier;     /* session.after_desk = courier */
    int working_days;
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
    /* -- delivery: the delivery worker; the staff bar says when a record has waited too long
     * (deliver_worker_alert). May be NULL. */
    deliver_worker *delivery;
    /* -- guide: spoken prompts and instructions (app/capture/speech.h) and the pictograms of the
     * capture steps (ui/pictogram.h), made by the composition root (transfer none; they outlive
     * the session). Either may be NULL: nothing is said, or no pictogram is drawn. */
    struct speech *speech;
    struct pictograms *pictograms;
} session_settings;

/* The staff actions that need a reason (visit/visit.h). */
typedef visit_staff_action session_staff_action;
#define SESSION_STAFF_OVERRIDE  VISIT_STAFF_OVERRIDE
#define SESSION_STAFF_SKIP      VISIT_STAFF_SKIP
#define SESSION_STAFF_EXCEPTION VISIT_STAFF_EXCEPTION

typedef struct session session;

/* A session at the welcome screen, drawing through u and driving the visit controller v (both
 * transfer none; they outlive the session). The settings' strings must outlive it too. v's wake
 * function must wake the main loop (an SDL event); the session drains v's answers on every event
 * and tick. */
session *session_new(const session_settings *settings, visit *v, ui *u);
/* Wipes and frees. NULL does nothing. */
void session_free(session *s);

runner *session_runner(const session *s);
visit *session_visit(const session *s);
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

/* True while the visit controller's worker has anything to do (the scripted mode settles on it;
 * input waits only while an answer that changes the visit is awaited). */
bool session_busy(const session *s);

/* The stable name of the screen on top. */
const char *session_screen_name(const session *s);

/* Applicant actions. */
void session_set_language(session *s, const char *code);
/* The refused appointment's start (seconds since 1970 UTC) and its UTC offset in minutes, from
 * the refusal event; false when the store found no appointment. */
bool session_refused_start(const session *s, int64_t *start, int *offset_minutes);
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
/* One English line for staff on why the records could not be written ("" when none). */
const char *session_record_problem(const session *s);
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
/* Hands id + PIN to the controller (checked on its worker); the pad shows "Checking..." while
 * session_staff_checking. On success the pad closes and the staff menu opens; otherwise
 * session_staff_pad_text says why, and session_staff_new_pin_asked when a new PIN is needed. */
void session_staff_sign_in(session *s, const char *id, char *pin, size_t pin_size);
/* After a PIN that is too short: the new PIN (typed twice on the pad, compared there). Both take
 * the pad's buffer of pin_size bytes and wipe all of it before they return, whatever happens. */
void session_staff_new_pin(session *s, char *pin, size_t pin_size);
bool session_staff_checking(const session *s);
/* The pad closed (cancelled or timed out): a PIN kept for a change is wiped. */
void session_staff_pad_closed(session *s);
bool session_staff_new_pin_asked(const session *s);
/* The pad's line (""; static or owned by the session until the next answer). */
const char *session_staff_pad_text(const session *s);
bool session_staff_active(const session *s);
const char *session_staff_id(const session *s);
/* The signed-in staff member has the desk officer's / the technician's role. */
bool session_staff_desk(const session *s);
bool session_staff_technician(const session *s);
void session_staff_sign_out(session *s);
/* Staff input happened (keeps the staff session open). */
void session_staff_touch(session *s);
/* The staff menu's actions. Each is logged. */
void session_staff_confirm_documents(session *s, size_t person, bool ok);
void session_staff_confirm_parent(session *s, bool present);
void session_staff_with_reason(session *s, session_staff_action action, visit_reason reason);
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
/* Opens the technician screen when the signed-in account has the technician role (checked
 * again here, on entry, not only when the menu offered it); logged. */
bool session_technician_enter(session *s);
/* -- technician end */

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
