/* The session flow of the kiosk: one appointment from the welcome screen to "done".
 *
 * A pure state machine. It knows the stages of a visit, the persons on the appointment with the
 * capture plan of each (from rules_decide), which documents the desk officer confirmed, the state
 * of every capture step, and the idle timer. It does no I/O, reads no clock (every call that
 * depends on time takes `now_ms`, a monotonic millisecond count chosen by the caller) and logs
 * nothing: the kiosk logs staff actions and asks the store to check in or release.
 *
 * Stages, in order:
 *   WELCOME -> CODE -> APPOINTMENT -> DOCUMENTS -> (per person: PERSON -> CAPTURE...) -> REVIEW
 *   -> DONE, and back to WELCOME with everything wiped (flow_reset).
 * A refused code stays in APPOINTMENT with `refused` set until the applicant goes back to CODE.
 */
#ifndef BIOKIOSK_FLOW_H
#define BIOKIOSK_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "core/limits.h"
#include "core/rules.h"

#define FLOW_MAX_PERSONS BK_PERSONS_MAX
#define FLOW_NAME_MAX    96
#define FLOW_REASON_MAX  96
#define FLOW_CODE_MAX    16

typedef enum flow_stage {
    FLOW_STAGE_WELCOME,
    FLOW_STAGE_CODE,
    FLOW_STAGE_APPOINTMENT, /* who is on it, or why the code was refused */
    FLOW_STAGE_DOCUMENTS,   /* the desk officer confirms the documents */
    FLOW_STAGE_PERSON,      /* what is taken today for the current person, and why */
    FLOW_STAGE_CAPTURE,     /* one capture step of the current person */
    FLOW_STAGE_REVIEW,
    FLOW_STAGE_DONE,
    FLOW_STAGE_COUNT_
} flow_stage;

/* The capture items, in the order they are taken. */
typedef enum flow_item {
    FLOW_ITEM_PHOTO,
    FLOW_ITEM_FINGERPRINTS,
    FLOW_ITEM_SIGNATURE,
    FLOW_ITEM_COUNT_
} flow_item;

typedef enum flow_step_state {
    FLOW_STEP_PENDING,
    FLOW_STEP_DONE,      /* captured */
    FLOW_STEP_SKIPPED,   /* staff skipped it, with a reason */
    FLOW_STEP_EXCEPTION, /* staff marked an exception, with a reason */
} flow_step_state;

/* Why an appointment code was refused, as the store reports it. */
typedef enum flow_refusal {
    FLOW_REFUSAL_NONE,
    FLOW_REFUSAL_MALFORMED,
    FLOW_REFUSAL_CHECK_FAILED,
    FLOW_REFUSAL_UNKNOWN,
    FLOW_REFUSAL_WRONG_DESK,
    FLOW_REFUSAL_WRONG_DAY,
    FLOW_REFUSAL_TOO_EARLY,
    FLOW_REFUSAL_TOO_LATE,
    FLOW_REFUSAL_CANCELLED,
    FLOW_REFUSAL_ALREADY_USED,
    FLOW_REFUSAL_UNAVAILABLE, /* the store could not be reached */
    FLOW_REFUSAL_COUNT_
} flow_refusal;

typedef struct flow_step {
    flow_item item;
    flow_step_state state;
    char reason[FLOW_REASON_MAX]; /* for SKIPPED and EXCEPTION */
} flow_step;

typedef struct flow_person {
    char name[FLOW_NAME_MAX];
    bool born_in_nl;
    rules_plan plan;
    bool documents_ok;                 /* confirmed by the desk officer */
    flow_step steps[FLOW_ITEM_COUNT_]; /* the items with action CAPTURE, in flow_item order */
    size_t n_steps;
} flow_person;

/* A person as the store gives it, before the plan is decided. */
typedef struct flow_person_in {
    const char *name;
    bool born_in_nl;
    rules_person rules;
} flow_person_in;

typedef enum flow_idle_state {
    FLOW_IDLE_ACTIVE,
    FLOW_IDLE_ASKING,  /* "Are you still there?" with a countdown */
    FLOW_IDLE_EXPIRED, /* wipe the session and release the appointment */
} flow_idle_state;

typedef struct flow flow;

/* A new flow at WELCOME (transfer full). idle_ms: input-free time before the question;
 * countdown_ms: the question's countdown. NULL when out of memory. */
flow *flow_new(int64_t idle_ms, int64_t countdown_ms);

/* Wipes the session and frees. NULL does nothing. */
void flow_free(flow *f);

/* Back to WELCOME; overwrites every person, the code and all reasons (the session is wiped). */
void flow_reset(flow *f, int64_t now_ms);

flow_stage flow_get_stage(const flow *f);
const char *flow_stage_str(flow_stage stage);
const char *flow_item_str(flow_item item);
const char *flow_refusal_str(flow_refusal refusal);

/* WELCOME -> CODE (or CODE -> CODE after a refusal). */
void flow_start_code(flow *f, int64_t now_ms);

/* The code was refused: APPOINTMENT with the refusal. `code` may be "" (malformed input). */
void flow_refuse(flow *f, const char *code, flow_refusal refusal, int64_t now_ms);
flow_refusal flow_get_refusal(const flow *f);
/* True when staff may override the refusal (the arrival window). */
bool flow_refusal_overridable(flow_refusal refusal);

/* The code was accepted: decides the plan of each person and moves to APPOINTMENT.
 * BK_ERR_INVALID when n is 0 or above FLOW_MAX_PERSONS, or a person's dates do not fit (then
 * *problem, when not NULL, names it; the flow is unchanged). */
bk_err flow_accept(flow *f, const char *code, const flow_person_in *persons, size_t n,
                   int64_t now_ms, const char **problem);

const char *flow_get_code(const flow *f);
size_t flow_person_count(const flow *f);
/* Person i (transfer none), NULL past the end. */
const flow_person *flow_get_person(const flow *f, size_t i);

/* APPOINTMENT (accepted) -> DOCUMENTS. */
void flow_to_documents(flow *f, int64_t now_ms);

/* Staff confirms (or withdraws) the documents of person i. BK_ERR_INVALID past the end. */
bk_err flow_confirm_documents(flow *f, size_t i, bool ok);
/* Staff confirms that a parent is present (needed when a person is under 14). */
void flow_confirm_parent(flow *f, bool present);
bool flow_parent_present(const flow *f);
/* True when some person may not come alone. */
bool flow_needs_parent(const flow *f);
/* True when every person's documents are confirmed and a parent is present where needed. */
bool flow_documents_complete(const flow *f);

/* DOCUMENTS -> PERSON of the first person. BK_ERR_CONFLICT when the documents are incomplete. */
bk_err flow_begin_persons(flow *f, int64_t now_ms);

/* The current person's index (PERSON/CAPTURE), and the current step's index in that person's
 * steps (CAPTURE only; -1 otherwise). */
size_t flow_current_person(const flow *f);
int flow_current_step(const flow *f);
/* The current step (transfer none), NULL outside CAPTURE. */
const flow_step *flow_get_step(const flow *f);

/* Moves on: PERSON -> its first pending step, or to the next person, or to REVIEW; CAPTURE ->
 * the next step the same way. Used after the plan was read and after each step ends. */
void flow_next(flow *f, int64_t now_ms);

/* Ends the current capture step: captured, skipped by staff, or an exception by staff. Then moves
 * on as flow_next. BK_ERR_CONFLICT outside CAPTURE; reasons are cut to FLOW_REASON_MAX - 1 bytes
 * and must not be empty for skip and exception (BK_ERR_INVALID). */
bk_err flow_step_done(flow *f, int64_t now_ms);
bk_err flow_step_skip(flow *f, const char *reason, int64_t now_ms);
bk_err flow_step_exception(flow *f, const char *reason, int64_t now_ms);
/* Staff restarts a step: in CAPTURE the current step starts again; in REVIEW the step `item` of
 * person i becomes pending and the flow goes back to it, and to the review when it ends.
 * BK_ERR_NOT_FOUND when that person has no such step. */
bk_err flow_step_restart(flow *f, size_t person, flow_item item, int64_t now_ms);

/* REVIEW -> DONE. */
void flow_finish(flow *f, int64_t now_ms);

/* Progress of the visit: the current person's steps (total, and how many ended), and how many
 * persons come after the current one. */
void flow_progress(const flow *f, size_t *steps_total, size_t *steps_ended, size_t *persons_after);

/* The idle timer. Any applicant input calls flow_touch. The stages WELCOME and DONE never time
 * out (nothing to wipe, or the kiosk returns by itself). */
void flow_touch(flow *f, int64_t now_ms);
flow_idle_state flow_idle(const flow *f, int64_t now_ms);
/* Milliseconds until the idle state next changes (a wait timeout for the event loop), or -1 when
 * it never will. */
int64_t flow_idle_next_ms(const flow *f, int64_t now_ms);
/* Whole seconds left of the countdown (rounded up) while ASKING; 0 otherwise. */
int flow_idle_countdown(const flow *f, int64_t now_ms);

#endif
