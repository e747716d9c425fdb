#include "core/fingerplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound of max_attempts; also sizes the per-finger attempt table, with room for attempts
 * that failed the uniqueness check (those do not count against the limit). */
#define MAX_ATTEMPTS_LIMIT 10
#define ATTEMPT_SLOTS      32

typedef struct attempt {
    int id;
    int quality;
    bool rejected;   /* vetoed by the officer */
    bool not_unique; /* matched another finger: never kept, not counted */
} attempt;

typedef struct finger_state {
    bool missing;
    int n;    /* entries in a */
    int kept; /* 1-based index into a, 0 = none */
    attempt a[ATTEMPT_SLOTS];
} finger_state;

struct fingerplan {
    fingerplan_settings s;
    finger_state f[FINGERPLAN_FINGERS];
    bool exception;
    int next_id;
    fingerplan_log_entry *log;
    size_t log_n, log_cap;
};

void fingerplan_default_settings(fingerplan_settings *s)
{
    memset(s, 0, sizeof *s);
    s->threshold[FINGERPLAN_THUMB] = 30;
    s->threshold[FINGERPLAN_INDEX] = 30;
    /* from the quality score against NIST's NFIQ 1 and NFIQ 2 (docs/fingerprints.md) */
    s->threshold[FINGERPLAN_MIDDLE] = 25;
    s->threshold[FINGERPLAN_RING] = 25;
    s->threshold[FINGERPLAN_LITTLE] = 25;
    s->order[0] = FINGERPLAN_THUMB;
    s->order[1] = FINGERPLAN_MIDDLE;
    s->order[2] = FINGERPLAN_RING;
    s->max_attempts = 3;
}

static bool order_valid(const fingerplan_kind *order)
{
    int seen = 0;
    for (int i = 0; i < 3; i++) {
        if (order[i] != FINGERPLAN_THUMB && order[i] != FINGERPLAN_MIDDLE &&
            order[i] != FINGERPLAN_RING)
            return false;
        seen |= 1 << order[i];
    }
    return seen == ((1 << FINGERPLAN_THUMB) | (1 << FINGERPLAN_MIDDLE) | (1 << FINGERPLAN_RING));
}

bk_err fingerplan_parse_order(const char *text, fingerplan_settings *s)
{
    if (text == NULL || s == NULL)
        return BK_ERR_INVALID;
    fingerplan_kind order[3];
    int n = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        fingerplan_kind k;
        if (len == 5 && strncmp(p, "thumb", 5) == 0)
            k = FINGERPLAN_THUMB;
        else if (len == 6 && strncmp(p, "middle", 6) == 0)
            k = FINGERPLAN_MIDDLE;
        else if (len == 4 && strncmp(p, "ring", 4) == 0)
            k = FINGERPLAN_RING;
        else
            return BK_ERR_INVALID;
        if (n == 3)
            return BK_ERR_INVALID;
        order[n++] = k;
        if (end == NULL)
            break;
        p = end + 1;
        if (*p == '\0')
            return BK_ERR_INVALID;
    }
    if (n != 3 || !order_valid(order))
        return BK_ERR_INVALID;
    memcpy(s->order, order, sizeof order);
    return BK_OK;
}

bk_err fingerplan_new(const fingerplan_settings *s, fingerplan **out)
{
    fingerplan_settings def;
    if (s == NULL) {
        fingerplan_default_settings(&def);
        s = &def;
    }
    for (int k = FINGERPLAN_THUMB; k <= FINGERPLAN_LITTLE; k++)
        if (s->threshold[k] < 0 || s->threshold[k] > 100)
            return BK_ERR_INVALID;
    if (s->max_attempts < 1 || s->max_attempts > MAX_ATTEMPTS_LIMIT || !order_valid(s->order))
        return BK_ERR_INVALID;
    fingerplan *p = calloc(1, sizeof *p);
    if (p == NULL)
        return BK_ERR_NOMEM;
    p->s = *s;
    *out = p;
    return BK_OK;
}

void fingerplan_free(fingerplan *p)
{
    if (p == NULL)
        return;
    free(p->log);
    free(p);
}

static fingerplan_kind kind_of(int finger)
{
    return (fingerplan_kind)(finger > 5 ? finger - 5 : finger);
}

static bool valid_finger(int finger)
{
    return finger >= FINGERPLAN_RIGHT_THUMB && finger <= FINGERPLAN_LEFT_LITTLE;
}

/* The hand's candidates in order: the index finger, then the fallback order. */
static int candidate(const fingerplan *p, int hand, int rank)
{
    fingerplan_kind k = rank == 0 ? FINGERPLAN_INDEX : p->s.order[rank - 1];
    return (int)k + 5 * hand;
}

static bool is_candidate(const fingerplan *p, int finger)
{
    for (int rank = 0; rank < 4; rank++)
        if (candidate(p, finger > 5, rank) == finger)
            return true;
    return false;
}

int fingerplan_hand_finger(const fingerplan *p, int hand)
{
    if (hand < 0 || hand > 1)
        return FINGERPLAN_NONE;
    for (int rank = 0; rank < 4; rank++) {
        int f = candidate(p, hand, rank);
        if (!p->f[f].missing && p->f[f].kept != 0)
            return f;
    }
    return FINGERPLAN_NONE;
}

int fingerplan_current(const fingerplan *p)
{
    if (p->exception)
        return FINGERPLAN_NONE;
    /* rank by rank across both hands: both index fingers before any fallback */
    for (int rank = 0; rank < 4; rank++) {
        for (int hand = 0; hand < 2; hand++) {
            if (fingerplan_hand_finger(p, hand) != FINGERPLAN_NONE)
                continue;
            int f = candidate(p, hand, rank);
            if (p->f[f].missing)
                continue;
            bool earlier = false;
            for (int r = 0; r < rank; r++)
                earlier |= !p->f[candidate(p, hand, r)].missing;
            if (!earlier)
                return f;
        }
    }
    return FINGERPLAN_NONE;
}

int fingerplan_threshold(const fingerplan *p, int finger)
{
    return valid_finger(finger) ? p->s.threshold[kind_of(finger)] : 0;
}

static fingerplan_log_entry *log_add(fingerplan *p, fingerplan_log_kind kind, int finger)
{
    if (p->log_n == p->log_cap) {
        size_t cap = p->log_cap ? p->log_cap * 2 : 32;
        fingerplan_log_entry *bigger = realloc(p->log, cap * sizeof *bigger);
        if (bigger == NULL)
            return NULL;
        p->log = bigger;
        p->log_cap = cap;
    }
    fingerplan_log_entry *e = &p->log[p->log_n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->finger = finger;
    return e;
}

bk_err fingerplan_mark_missing(fingerplan *p, int finger, fingerplan_reason reason, bool permanent)
{
    if (!valid_finger(finger) || reason < 0 || reason >= FINGERPLAN_REASON_COUNT_)
        return BK_ERR_INVALID;
    fingerplan_log_entry *e = log_add(p, FINGERPLAN_LOG_MISSING, finger);
    if (e == NULL)
        return BK_ERR_NOMEM;
    e->reason = reason;
    e->permanent = permanent;
    p->f[finger].missing = true;
    p->f[finger].kept = 0;
    return BK_OK;
}

bk_err fingerplan_exception(fingerplan *p, fingerplan_reason reason, bool permanent)
{
    if (reason < 0 || reason >= FINGERPLAN_REASON_COUNT_)
        return BK_ERR_INVALID;
    fingerplan_log_entry *e = log_add(p, FINGERPLAN_LOG_EXCEPTION, FINGERPLAN_NONE);
    if (e == NULL)
        return BK_ERR_NOMEM;
    e->reason = reason;
    e->permanent = permanent;
    p->exception = true;
    return BK_OK;
}

bool fingerplan_has_exception(const fingerplan *p)
{
    return p->exception;
}

static int counted(const finger_state *fs)
{
    int n = 0;
    for (int i = 0; i < fs->n; i++)
        n += !fs->a[i].not_unique;
    return n;
}

/* The best attempt that may be kept (counted, not rejected), 1-based; 0 when none. */
static int best(const finger_state *fs)
{
    int b = 0;
    for (int i = 0; i < fs->n; i++) {
        const attempt *a = &fs->a[i];
        if (a->not_unique || a->rejected)
            continue;
        if (b == 0 || a->quality > fs->a[b - 1].quality)
            b = i + 1;
    }
    return b;
}

bk_err fingerplan_attempt(fingerplan *p, int quality, const fingerplan_check *check,
                          fingerplan_outcome *outcome, int *id)
{
    int f = fingerplan_current(p);
    if (f == FINGERPLAN_NONE)
        return BK_ERR_CONFLICT;
    if (quality < 0 || quality > 100)
        return BK_ERR_INVALID;
    finger_state *fs = &p->f[f];
    if (counted(fs) >= p->s.max_attempts || fs->n == ATTEMPT_SLOTS)
        return BK_ERR_CONFLICT; /* every attempt was rejected: restart or mark missing */
    fingerplan_log_entry *e = log_add(p, FINGERPLAN_LOG_ATTEMPT, f);
    if (e == NULL)
        return BK_ERR_NOMEM;
    attempt *a = &fs->a[fs->n++];
    memset(a, 0, sizeof *a);
    a->id = ++p->next_id;
    a->quality = quality;
    int threshold = fingerplan_threshold(p, f);
    fingerplan_outcome out;
    if (check != NULL && check->result != FINGERPLAN_UNIQUE &&
        check->result != FINGERPLAN_UNVERIFIED) {
        a->not_unique = true;
        out = FINGERPLAN_NOT_UNIQUE;
    } else if (quality >= threshold) {
        fs->kept = fs->n;
        out = FINGERPLAN_KEPT;
    } else if (counted(fs) < p->s.max_attempts) {
        out = FINGERPLAN_AGAIN;
    } else {
        fs->kept = best(fs);
        out = FINGERPLAN_BEST_KEPT;
    }
    e->attempt = fs->n;
    e->id = a->id;
    e->quality = quality;
    e->threshold = threshold;
    e->outcome = out;
    if (check != NULL)
        e->check = *check;
    *outcome = out;
    if (id != NULL)
        *id = a->id;
    return BK_OK;
}

bk_err fingerplan_veto(fingerplan *p, int finger, int n, bool accept)
{
    if (!valid_finger(finger) || n < 1 || n > p->f[finger].n)
        return BK_ERR_NOT_FOUND;
    finger_state *fs = &p->f[finger];
    attempt *a = &fs->a[n - 1];
    if (accept && a->not_unique)
        return BK_ERR_CONFLICT;
    fingerplan_log_entry *e =
        log_add(p, accept ? FINGERPLAN_LOG_VETO_ACCEPT : FINGERPLAN_LOG_VETO_REJECT, finger);
    if (e == NULL)
        return BK_ERR_NOMEM;
    e->attempt = n;
    e->id = a->id;
    e->quality = a->quality;
    e->threshold = fingerplan_threshold(p, finger);
    if (accept) {
        a->rejected = false;
        fs->kept = n;
        return BK_OK;
    }
    a->rejected = true;
    if (fs->kept == n)
        fs->kept = counted(fs) >= p->s.max_attempts ? best(fs) : 0;
    return BK_OK;
}

bk_err fingerplan_restart(fingerplan *p, int finger)
{
    if (!valid_finger(finger) || !is_candidate(p, finger) || p->f[finger].missing)
        return BK_ERR_INVALID;
    if (log_add(p, FINGERPLAN_LOG_RESTART, finger) == NULL)
        return BK_ERR_NOMEM;
    memset(&p->f[finger], 0, sizeof p->f[finger]);
    return BK_OK;
}

int fingerplan_kept(const fingerplan *p, int finger)
{
    if (!valid_finger(finger) || p->f[finger].kept == 0 || p->f[finger].missing)
        return 0;
    return p->f[finger].a[p->f[finger].kept - 1].id;
}

int fingerplan_attempts(const fingerplan *p, int finger)
{
    return valid_finger(finger) ? p->f[finger].n : 0;
}

int fingerplan_attempts_left(const fingerplan *p, int finger)
{
    if (!valid_finger(finger))
        return 0;
    const finger_state *fs = &p->f[finger];
    int left = p->s.max_attempts - counted(fs);
    if (ATTEMPT_SLOTS - fs->n < left)
        left = ATTEMPT_SLOTS - fs->n;
    return left < 0 ? 0 : left;
}

int fingerplan_attempt_quality(const fingerplan *p, int finger, int n)
{
    if (!valid_finger(finger) || n < 1 || n > p->f[finger].n)
        return -1;
    return p->f[finger].a[n - 1].quality;
}

size_t fingerplan_log_count(const fingerplan *p)
{
    return p->log_n;
}

const fingerplan_log_entry *fingerplan_log_get(const fingerplan *p, size_t i)
{
    return i < p->log_n ? &p->log[i] : NULL;
}

const char *fingerplan_finger_str(int finger)
{
    static const char *const names[FINGERPLAN_FINGERS] = {
        "none",       "right-thumb", "right-index", "right-middle", "right-ring",  "right-little",
        "left-thumb", "left-index",  "left-middle", "left-ring",    "left-little",
    };
    return finger >= 0 && finger < FINGERPLAN_FINGERS ? names[finger] : "unknown";
}

const char *fingerplan_reason_str(fingerplan_reason reason)
{
    switch (reason) {
    case FINGERPLAN_REASON_AMPUTATED:
        return "amputated";
    case FINGERPLAN_REASON_BANDAGED:
        return "bandaged";
    case FINGERPLAN_REASON_INJURED:
        return "injured";
    case FINGERPLAN_REASON_OTHER:
        return "other";
    case FINGERPLAN_REASON_COUNT_:
        break;
    }
    return "unknown";
}

const char *fingerplan_outcome_str(fingerplan_outcome outcome)
{
    switch (outcome) {
    case FINGERPLAN_KEPT:
        return "kept";
    case FINGERPLAN_AGAIN:
        return "again";
    case FINGERPLAN_BEST_KEPT:
        return "best-kept";
    case FINGERPLAN_NOT_UNIQUE:
        return "not-unique";
    }
    return "unknown";
}

size_t fingerplan_log_format(const fingerplan_log_entry *e, char *buf, size_t size)
{
    const char *f = fingerplan_finger_str(e->finger);
    int n = 0;
    switch (e->kind) {
    case FINGERPLAN_LOG_MISSING:
        n = snprintf(buf, size, "missing finger=%s reason=%s %s", f,
                     fingerplan_reason_str(e->reason), e->permanent ? "permanent" : "temporary");
        break;
    case FINGERPLAN_LOG_ATTEMPT:
        if (e->check.result == FINGERPLAN_UNIQUE)
            n = snprintf(buf, size, "attempt finger=%s n=%d quality=%d threshold=%d %s", f,
                         e->attempt, e->quality, e->threshold, fingerplan_outcome_str(e->outcome));
        else
            n = snprintf(buf, size,
                         "attempt finger=%s n=%d quality=%d threshold=%d %s %s=%s score=%d", f,
                         e->attempt, e->quality, e->threshold, fingerplan_outcome_str(e->outcome),
                         e->check.result == FINGERPLAN_SAME_FINGER  ? "same-as"
                         : e->check.result == FINGERPLAN_UNVERIFIED ? "unverified-with"
                                                                    : "swapped-with",
                         fingerplan_finger_str(e->check.other), e->check.score);
        break;
    case FINGERPLAN_LOG_VETO_REJECT:
    case FINGERPLAN_LOG_VETO_ACCEPT:
        n = snprintf(buf, size, "veto %s finger=%s n=%d quality=%d threshold=%d",
                     e->kind == FINGERPLAN_LOG_VETO_ACCEPT ? "accept" : "reject", f, e->attempt,
                     e->quality, e->threshold);
        break;
    case FINGERPLAN_LOG_RESTART:
        n = snprintf(buf, size, "restart finger=%s", f);
        break;
    case FINGERPLAN_LOG_EXCEPTION:
        n = snprintf(buf, size, "exception no-fingerprints reason=%s %s",
                     fingerplan_reason_str(e->reason), e->permanent ? "permanent" : "temporary");
        break;
    }
    return n < 0 ? 0 : (size_t)n;
}
