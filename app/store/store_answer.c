/* The answers to a typed code: check, check-in, release, complete and no-show, each a decision
 * on the appointment as read, then the backend's one atomic transition, retried when another
 * kiosk changed the row in between. */
#include "store/store.h"

#include <string.h>

#include <glib.h>

#include "store/store-backend.h"

/* How often a status change is retried when another kiosk changed the row between our read and
 * our conditional update; each retry reads the new state, so two rounds settle every race. */
#define TRANSITION_ROUNDS 5

/* ---- answering a code ---- */

typedef enum op {
    OP_CHECK,
    OP_CHECKIN,
    OP_RELEASE,
    OP_COMPLETE,
    OP_NO_SHOW,
} op;

/* A status change the answer needs, if any. */
typedef struct step {
    bool needed;
    store_status from;
    const char *from_kiosk;
    store_status to;
    const char *new_kiosk;
} step;

static store_result window(const store_appointment *a, const store_arrival *arr)
{
    if (arr->ignore_window)
        return STORE_RESULT_OK;
    int64_t earliest = a->start - (int64_t)arr->early_minutes * 60;
    int64_t latest = a->start + (int64_t)arr->late_minutes * 60;
    if (arr->now >= earliest && arr->now <= latest)
        return STORE_RESULT_OK;
    if (caldate_cmp(store_local_day(arr->now, a->offset_minutes), a->day) != 0)
        return STORE_RESULT_WRONG_DAY;
    return arr->now < earliest ? STORE_RESULT_TOO_EARLY : STORE_RESULT_TOO_LATE;
}

static bool same_kiosk(const store_appointment *a, const store_arrival *arr)
{
    return arr->kiosk != NULL && a->kiosk != NULL && strcmp(a->kiosk, arr->kiosk) == 0;
}

/* The answer for appointment a as it stands, and the change that would make it so. */
static store_result decide(op o, const store_appointment *a, const store_arrival *arr, step *st)
{
    memset(st, 0, sizeof *st);
    if (strcmp(a->desk, arr->desk) != 0)
        return STORE_RESULT_WRONG_DESK;
    if (a->status == STORE_STATUS_CANCELLED)
        return STORE_RESULT_CANCELLED;
    switch (o) {
    case OP_CHECK:
    case OP_CHECKIN:
        if (a->status == STORE_STATUS_CHECKED_IN)
            return same_kiosk(a, arr) ? STORE_RESULT_OK : STORE_RESULT_ALREADY_USED;
        if (a->status != STORE_STATUS_BOOKED)
            return STORE_RESULT_ALREADY_USED;
        store_result w = window(a, arr);
        if (w == STORE_RESULT_OK && o == OP_CHECKIN)
            *st = (step){true, STORE_STATUS_BOOKED, NULL, STORE_STATUS_CHECKED_IN, arr->kiosk};
        return w;
    case OP_RELEASE:
        if (a->status == STORE_STATUS_COMPLETED)
            return STORE_RESULT_ALREADY_USED;
        if (a->status == STORE_STATUS_CHECKED_IN || a->status == STORE_STATUS_NO_SHOW)
            *st = (step){true, a->status, a->kiosk, STORE_STATUS_BOOKED, NULL};
        return STORE_RESULT_OK;
    case OP_COMPLETE:
        if (a->status == STORE_STATUS_BOOKED || a->status == STORE_STATUS_NO_SHOW)
            return STORE_RESULT_NOT_CHECKED_IN;
        if (!same_kiosk(a, arr))
            return STORE_RESULT_ALREADY_USED;
        if (a->status == STORE_STATUS_CHECKED_IN)
            *st = (step){true, STORE_STATUS_CHECKED_IN, arr->kiosk, STORE_STATUS_COMPLETED,
                         STORE_KEEP_KIOSK};
        return STORE_RESULT_OK;
    case OP_NO_SHOW:
        if (a->status == STORE_STATUS_CHECKED_IN || a->status == STORE_STATUS_COMPLETED)
            return STORE_RESULT_ALREADY_USED;
        if (a->status == STORE_STATUS_BOOKED)
            *st = (step){true, STORE_STATUS_BOOKED, NULL, STORE_STATUS_NO_SHOW, NULL};
        return STORE_RESULT_OK;
    }
    return STORE_RESULT_UNKNOWN;
}

static bk_err answer(store *s, op o, const char *typed, const store_arrival *arr,
                     store_result *result, char code_out[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    if (s == NULL || arr == NULL || arr->desk == NULL || result == NULL)
        return BK_ERR_INVALID;
    if ((o == OP_CHECKIN || o == OP_COMPLETE) && arr->kiosk == NULL)
        return BK_ERR_INVALID;
    char code[APPTCODE_LEN + 1] = "";
    apptcode_check c = apptcode_parse(typed, code);
    if (c != APPTCODE_OK) {
        *result = c == APPTCODE_MALFORMED ? STORE_RESULT_MALFORMED : STORE_RESULT_CHECK_FAILED;
        if (code_out != NULL)
            memcpy(code_out, code, sizeof code);
        if (appointment != NULL)
            *appointment = NULL;
        return BK_OK;
    }
    store_appointment *a = NULL;
    store_result r = STORE_RESULT_UNKNOWN;
    bk_err err = BK_OK;
    for (int round = 0; round < TRANSITION_ROUNDS; round++) {
        store_appointment_free(a);
        a = NULL;
        err = s->backend->get(s, code, &a);
        if (err == BK_ERR_NOT_FOUND) {
            err = BK_OK;
            r = STORE_RESULT_UNKNOWN;
            break;
        }
        if (err != BK_OK)
            break;
        step st;
        r = decide(o, a, arr, &st);
        if (!st.needed)
            break;
        bool changed = false;
        err = s->backend->transition(s, code, st.from, st.from_kiosk, st.to, st.new_kiosk, arr->now,
                                     &changed);
        if (err != BK_OK)
            break;
        if (changed) {
            a->status = st.to;
            if (st.new_kiosk != STORE_KEEP_KIOSK) {
                g_free(a->kiosk);
                a->kiosk = g_strdup(st.new_kiosk);
            }
            break;
        }
        /* Someone else changed the row between our read and our update: read it again. */
        err = BK_ERR_BUSY;
    }
    if (err != BK_OK) {
        store_appointment_free(a);
        return err == BK_ERR_BUSY ? BK_ERR_UNAVAILABLE : err;
    }
    *result = r;
    if (code_out != NULL)
        memcpy(code_out, code, sizeof code);
    if (appointment != NULL)
        *appointment = a;
    else
        store_appointment_free(a);
    return BK_OK;
}

bk_err store_check(store *s, const char *typed_code, const store_arrival *arrival,
                   store_result *result, char code[static APPTCODE_LEN + 1],
                   store_appointment **appointment)
{
    return answer(s, OP_CHECK, typed_code, arrival, result, code, appointment);
}

bk_err store_checkin(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    return answer(s, OP_CHECKIN, typed_code, arrival, result, code, appointment);
}

bk_err store_release(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    return answer(s, OP_RELEASE, typed_code, arrival, result, code, appointment);
}

bk_err store_complete(store *s, const char *typed_code, const store_arrival *arrival,
                      store_result *result, char code[static APPTCODE_LEN + 1],
                      store_appointment **appointment)
{
    return answer(s, OP_COMPLETE, typed_code, arrival, result, code, appointment);
}

bk_err store_no_show(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    return answer(s, OP_NO_SHOW, typed_code, arrival, result, code, appointment);
}
