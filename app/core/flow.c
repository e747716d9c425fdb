#include "core/flow.h"

#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

struct flow {
    flow_stage stage;
    flow_refusal refusal;
    char code[FLOW_CODE_MAX];
    flow_person persons[FLOW_MAX_PERSONS];
    size_t n_persons;
    size_t person; /* current person in PERSON/CAPTURE */
    int step;      /* current step in CAPTURE, else -1 */
    bool parent_present;
    bool redo; /* a step restarted from the review: return to the review when it ends */
    int64_t idle_ms, countdown_ms;
    int64_t last_input_ms;
};

static const char *const stage_names[FLOW_STAGE_COUNT_] = {
    "welcome", "code", "appointment", "documents", "person", "capture", "review", "done",
};

static const char *const item_names[FLOW_ITEM_COUNT_] = {"photo", "fingerprints", "signature"};

static const char *const refusal_names[FLOW_REFUSAL_COUNT_] = {
    "none",      "malformed", "check-failed", "unknown",      "wrong-desk",  "wrong-day",
    "too-early", "too-late",  "cancelled",    "already-used", "unavailable",
};

const char *flow_stage_str(flow_stage stage)
{
    return (unsigned)stage < FLOW_STAGE_COUNT_ ? stage_names[stage] : "unknown";
}

const char *flow_item_str(flow_item item)
{
    return (unsigned)item < FLOW_ITEM_COUNT_ ? item_names[item] : "unknown";
}

const char *flow_refusal_str(flow_refusal refusal)
{
    return (unsigned)refusal < FLOW_REFUSAL_COUNT_ ? refusal_names[refusal] : "unknown";
}

flow *flow_new(int64_t idle_ms, int64_t countdown_ms)
{
    flow *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->idle_ms = idle_ms;
    f->countdown_ms = countdown_ms;
    flow_reset(f, 0);
    return f;
}

void flow_free(flow *f)
{
    if (f == NULL)
        return;
    biomem_wipe(f, sizeof *f);
    free(f);
}

void flow_reset(flow *f, int64_t now_ms)
{
    int64_t idle = f->idle_ms, countdown = f->countdown_ms;
    biomem_wipe(f, sizeof *f);
    f->idle_ms = idle;
    f->countdown_ms = countdown;
    f->stage = FLOW_STAGE_WELCOME;
    f->step = -1;
    f->last_input_ms = now_ms;
}

flow_stage flow_get_stage(const flow *f)
{
    return f->stage;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void enter(flow *f, flow_stage stage, int64_t now_ms)
{
    f->stage = stage;
    f->last_input_ms = now_ms;
}

void flow_start_code(flow *f, int64_t now_ms)
{
    /* A new code starts a new session: nothing of a refused attempt stays. */
    flow_reset(f, now_ms);
    enter(f, FLOW_STAGE_CODE, now_ms);
}

void flow_refuse(flow *f, const char *code, flow_refusal refusal, int64_t now_ms)
{
    f->n_persons = 0;
    f->refusal = refusal == FLOW_REFUSAL_NONE ? FLOW_REFUSAL_UNKNOWN : refusal;
    copy_text(f->code, sizeof f->code, code ? code : "");
    enter(f, FLOW_STAGE_APPOINTMENT, now_ms);
}

flow_refusal flow_get_refusal(const flow *f)
{
    return f->refusal;
}

bool flow_refusal_overridable(flow_refusal refusal)
{
    return refusal == FLOW_REFUSAL_TOO_EARLY || refusal == FLOW_REFUSAL_TOO_LATE;
}

bk_err flow_accept(flow *f, const char *code, const flow_person_in *persons, size_t n,
                   int64_t now_ms, const char **problem)
{
    if (n == 0 || n > FLOW_MAX_PERSONS) {
        if (problem)
            *problem = "an appointment has too many persons or none";
        return BK_ERR_INVALID;
    }
    rules_plan plans[FLOW_MAX_PERSONS];
    for (size_t i = 0; i < n; i++) {
        bk_err err = rules_decide(&persons[i].rules, &plans[i], problem);
        if (err != BK_OK)
            return err;
    }
    biomem_wipe(f->persons, sizeof f->persons);
    for (size_t i = 0; i < n; i++) {
        flow_person *p = &f->persons[i];
        copy_text(p->name, sizeof p->name, persons[i].name ? persons[i].name : "");
        p->born_in_nl = persons[i].born_in_nl;
        p->plan = plans[i];
        const rules_action actions[FLOW_ITEM_COUNT_] = {plans[i].photo, plans[i].fingerprints,
                                                        plans[i].signature};
        p->n_steps = 0;
        for (int it = 0; it < FLOW_ITEM_COUNT_; it++) {
            if (plans[i].desk && actions[it] == RULES_ACTION_CAPTURE) {
                p->steps[p->n_steps].item = (flow_item)it;
                p->steps[p->n_steps].state = FLOW_STEP_PENDING;
                p->n_steps++;
            }
        }
    }
    f->n_persons = n;
    f->refusal = FLOW_REFUSAL_NONE;
    f->parent_present = false;
    f->person = 0;
    f->step = -1;
    copy_text(f->code, sizeof f->code, code ? code : "");
    enter(f, FLOW_STAGE_APPOINTMENT, now_ms);
    return BK_OK;
}

const char *flow_get_code(const flow *f)
{
    return f->code;
}

size_t flow_person_count(const flow *f)
{
    return f->n_persons;
}

const flow_person *flow_get_person(const flow *f, size_t i)
{
    return i < f->n_persons ? &f->persons[i] : NULL;
}

void flow_to_documents(flow *f, int64_t now_ms)
{
    if (f->stage == FLOW_STAGE_APPOINTMENT && f->refusal == FLOW_REFUSAL_NONE && f->n_persons > 0)
        enter(f, FLOW_STAGE_DOCUMENTS, now_ms);
}

bk_err flow_confirm_documents(flow *f, size_t i, bool ok)
{
    if (i >= f->n_persons)
        return BK_ERR_INVALID;
    f->persons[i].documents_ok = ok;
    return BK_OK;
}

void flow_confirm_parent(flow *f, bool present)
{
    f->parent_present = present;
}

bool flow_parent_present(const flow *f)
{
    return f->parent_present;
}

bool flow_needs_parent(const flow *f)
{
    for (size_t i = 0; i < f->n_persons; i++)
        if (!f->persons[i].plan.may_come_alone)
            return true;
    return false;
}

bool flow_documents_complete(const flow *f)
{
    if (f->n_persons == 0)
        return false;
    for (size_t i = 0; i < f->n_persons; i++)
        if (!f->persons[i].documents_ok)
            return false;
    return !flow_needs_parent(f) || f->parent_present;
}

bk_err flow_begin_persons(flow *f, int64_t now_ms)
{
    if (f->stage != FLOW_STAGE_DOCUMENTS || !flow_documents_complete(f))
        return BK_ERR_CONFLICT;
    f->person = 0;
    f->step = -1;
    enter(f, FLOW_STAGE_PERSON, now_ms);
    return BK_OK;
}

size_t flow_current_person(const flow *f)
{
    return f->person;
}

int flow_current_step(const flow *f)
{
    return f->stage == FLOW_STAGE_CAPTURE ? f->step : -1;
}

const flow_step *flow_get_step(const flow *f)
{
    if (f->stage != FLOW_STAGE_CAPTURE)
        return NULL;
    return &f->persons[f->person].steps[f->step];
}

static int first_pending(const flow_person *p, int from)
{
    for (int s = from < 0 ? 0 : from; s < (int)p->n_steps; s++)
        if (p->steps[s].state == FLOW_STEP_PENDING)
            return s;
    return -1;
}

/* Every person's steps ended, from person `from` on? Returns the next person with a pending step
 * or the next person at all when `any` (persons without steps are shown too). */
void flow_next(flow *f, int64_t now_ms)
{
    if (f->stage == FLOW_STAGE_PERSON || f->stage == FLOW_STAGE_CAPTURE) {
        const flow_person *p = &f->persons[f->person];
        int s = first_pending(p, f->stage == FLOW_STAGE_CAPTURE ? f->step : 0);
        if (s < 0 && f->stage == FLOW_STAGE_CAPTURE)
            s = first_pending(p, 0);
        if (s >= 0) {
            f->step = s;
            enter(f, FLOW_STAGE_CAPTURE, now_ms);
            return;
        }
        f->step = -1;
        if (f->redo) {
            f->redo = false;
            enter(f, FLOW_STAGE_REVIEW, now_ms);
            return;
        }
        if (f->person + 1 < f->n_persons) {
            f->person++;
            enter(f, FLOW_STAGE_PERSON, now_ms);
            return;
        }
        enter(f, FLOW_STAGE_REVIEW, now_ms);
    }
}

static bk_err end_step(flow *f, flow_step_state state, const char *reason, int64_t now_ms)
{
    if (f->stage != FLOW_STAGE_CAPTURE)
        return BK_ERR_CONFLICT;
    if (state != FLOW_STEP_DONE && (reason == NULL || reason[0] == '\0'))
        return BK_ERR_INVALID;
    flow_step *st = &f->persons[f->person].steps[f->step];
    st->state = state;
    copy_text(st->reason, sizeof st->reason, state == FLOW_STEP_DONE ? "" : reason);
    flow_next(f, now_ms);
    return BK_OK;
}

bk_err flow_step_done(flow *f, int64_t now_ms)
{
    return end_step(f, FLOW_STEP_DONE, NULL, now_ms);
}

bk_err flow_step_skip(flow *f, const char *reason, int64_t now_ms)
{
    return end_step(f, FLOW_STEP_SKIPPED, reason, now_ms);
}

bk_err flow_step_exception(flow *f, const char *reason, int64_t now_ms)
{
    return end_step(f, FLOW_STEP_EXCEPTION, reason, now_ms);
}

bk_err flow_step_restart(flow *f, size_t person, flow_item item, int64_t now_ms)
{
    if (f->stage == FLOW_STAGE_CAPTURE) {
        flow_step *st = &f->persons[f->person].steps[f->step];
        st->state = FLOW_STEP_PENDING;
        st->reason[0] = '\0';
        f->last_input_ms = now_ms;
        return BK_OK;
    }
    if (f->stage != FLOW_STAGE_REVIEW)
        return BK_ERR_CONFLICT;
    if (person >= f->n_persons)
        return BK_ERR_NOT_FOUND;
    flow_person *p = &f->persons[person];
    for (size_t s = 0; s < p->n_steps; s++) {
        if (p->steps[s].item == item) {
            p->steps[s].state = FLOW_STEP_PENDING;
            p->steps[s].reason[0] = '\0';
            f->person = person;
            f->step = (int)s;
            f->redo = true;
            enter(f, FLOW_STAGE_CAPTURE, now_ms);
            return BK_OK;
        }
    }
    return BK_ERR_NOT_FOUND;
}

void flow_finish(flow *f, int64_t now_ms)
{
    if (f->stage == FLOW_STAGE_REVIEW)
        enter(f, FLOW_STAGE_DONE, now_ms);
}

void flow_progress(const flow *f, size_t *steps_total, size_t *steps_ended, size_t *persons_after)
{
    size_t total = 0, ended = 0, after = 0;
    if (f->n_persons > 0 && (f->stage == FLOW_STAGE_PERSON || f->stage == FLOW_STAGE_CAPTURE)) {
        const flow_person *p = &f->persons[f->person];
        total = p->n_steps;
        for (size_t s = 0; s < p->n_steps; s++)
            if (p->steps[s].state != FLOW_STEP_PENDING)
                ended++;
        after = f->n_persons - f->person - 1;
    }
    if (steps_total)
        *steps_total = total;
    if (steps_ended)
        *steps_ended = ended;
    if (persons_after)
        *persons_after = after;
}

void flow_touch(flow *f, int64_t now_ms)
{
    f->last_input_ms = now_ms;
}

static bool times_out(const flow *f)
{
    return f->stage != FLOW_STAGE_WELCOME && f->stage != FLOW_STAGE_DONE;
}

flow_idle_state flow_idle(const flow *f, int64_t now_ms)
{
    if (!times_out(f))
        return FLOW_IDLE_ACTIVE;
    int64_t quiet = now_ms - f->last_input_ms;
    if (quiet < f->idle_ms)
        return FLOW_IDLE_ACTIVE;
    if (quiet < f->idle_ms + f->countdown_ms)
        return FLOW_IDLE_ASKING;
    return FLOW_IDLE_EXPIRED;
}

int64_t flow_idle_next_ms(const flow *f, int64_t now_ms)
{
    if (!times_out(f))
        return -1;
    int64_t quiet = now_ms - f->last_input_ms;
    if (quiet < f->idle_ms)
        return f->idle_ms - quiet;
    if (quiet < f->idle_ms + f->countdown_ms) {
        /* Wake each second for the countdown's number. */
        int64_t left = f->idle_ms + f->countdown_ms - quiet;
        int64_t to_second = left % 1000;
        return to_second == 0 ? 1000 : to_second;
    }
    return 0;
}

int flow_idle_countdown(const flow *f, int64_t now_ms)
{
    if (flow_idle(f, now_ms) != FLOW_IDLE_ASKING)
        return 0;
    int64_t left = f->idle_ms + f->countdown_ms - (now_ms - f->last_input_ms);
    return (int)((left + 999) / 1000);
}
