/* The fingerprint capture plan: which finger to take next, attempts, thresholds, the officer's
 * vetoes, missing fingers, the uniqueness check and the log for the record.
 *
 * Pure logic (no I/O, no images). Two flat prints are taken, one per hand. Both index fingers
 * come first; a hand whose index finger is missing or unusable moves on through the configured
 * fallback order (default thumb, middle, ring: TR-03121; never the little finger), after both
 * index fingers. Each finger gets up to `max_attempts` attempts; the first attempt at or above
 * the finger's threshold is kept, and when none reaches it the best is kept. The officer may
 * reject a kept attempt, accept one below the threshold, restart a finger (its counter starts
 * again), mark fingers missing (reason, temporary or permanent) or record that the person cannot
 * give fingerprints at all.
 *
 * The caller compares each new image with the prints already kept (and with prints on file) and
 * passes the result with the attempt: an attempt that matches another finger is not kept.
 *
 * Fingers are numbered as in ISO/IEC 19794-4: 1 right thumb .. 5 right little, 6 left thumb ..
 * 10 left little.
 */
#ifndef BIOKIOSK_FINGERPLAN_H
#define BIOKIOSK_FINGERPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"

enum {
    FINGERPLAN_NONE = 0,
    FINGERPLAN_RIGHT_THUMB = 1,
    FINGERPLAN_RIGHT_INDEX = 2,
    FINGERPLAN_RIGHT_MIDDLE = 3,
    FINGERPLAN_RIGHT_RING = 4,
    FINGERPLAN_RIGHT_LITTLE = 5,
    FINGERPLAN_LEFT_THUMB = 6,
    FINGERPLAN_LEFT_INDEX = 7,
    FINGERPLAN_LEFT_MIDDLE = 8,
    FINGERPLAN_LEFT_RING = 9,
    FINGERPLAN_LEFT_LITTLE = 10,
    FINGERPLAN_FINGERS = 11, /* array size for per-position tables */
};

/* Kinds of finger, for the fallback order: position = kind (+ 5 on the left hand). */
typedef enum fingerplan_kind {
    FINGERPLAN_THUMB = 1,
    FINGERPLAN_INDEX = 2,
    FINGERPLAN_MIDDLE = 3,
    FINGERPLAN_RING = 4,
    FINGERPLAN_LITTLE = 5,
} fingerplan_kind;

typedef enum fingerplan_reason {
    FINGERPLAN_REASON_AMPUTATED,
    FINGERPLAN_REASON_BANDAGED,
    FINGERPLAN_REASON_INJURED,
    FINGERPLAN_REASON_OTHER,
    FINGERPLAN_REASON_COUNT_
} fingerplan_reason;

typedef struct fingerplan_settings {
    int threshold[6];         /* by kind (index 1..5); defaults 30 thumb/index, 25 middle, ring
                               * and little (the kiosk's own score, imaging/fingerqual.h) */
    fingerplan_kind order[3]; /* fallback after the index finger; default thumb, middle, ring */
    int max_attempts;         /* default 3 */
} fingerplan_settings;

/* What an attempt led to. */
typedef enum fingerplan_outcome {
    FINGERPLAN_KEPT,       /* at or above the threshold: kept, on to the next finger */
    FINGERPLAN_AGAIN,      /* below the threshold, attempts left: take the finger again */
    FINGERPLAN_BEST_KEPT,  /* the last attempt, none reached the threshold: the best is kept */
    FINGERPLAN_NOT_UNIQUE, /* the image matches another finger: not kept, present the right one */
} fingerplan_outcome;

/* The result of comparing a new image with the other prints, filled in by the caller. */
typedef enum fingerplan_unique {
    FINGERPLAN_UNIQUE,        /* matches nothing */
    FINGERPLAN_SAME_FINGER,   /* matches the print kept for `other` (same finger twice) */
    FINGERPLAN_HANDS_SWAPPED, /* matches the print on file for `other`, a finger of the other hand
                               */
    FINGERPLAN_UNVERIFIED     /* matched nothing, but it or the print of `other` has too few
                               * minutiae for a verdict: kept as unique, the officer is told */
} fingerplan_unique;

typedef struct fingerplan_check {
    fingerplan_unique result;
    int other; /* the finger it matched (SAME_FINGER, HANDS_SWAPPED) */
    int score; /* the comparison score, for the log */
} fingerplan_check;

typedef enum fingerplan_log_kind {
    FINGERPLAN_LOG_MISSING,
    FINGERPLAN_LOG_ATTEMPT,
    FINGERPLAN_LOG_VETO_REJECT,
    FINGERPLAN_LOG_VETO_ACCEPT,
    FINGERPLAN_LOG_RESTART,
    FINGERPLAN_LOG_EXCEPTION,
} fingerplan_log_kind;

/* One line of the record. Attempts carry quality and threshold; no image data. */
typedef struct fingerplan_log_entry {
    fingerplan_log_kind kind;
    int finger;
    int attempt; /* 1.. within the finger (ATTEMPT, vetoes) */
    int id;      /* the attempt's id (see fingerplan_attempt) */
    int quality;
    int threshold;
    fingerplan_outcome outcome; /* ATTEMPT */
    fingerplan_check check;     /* ATTEMPT */
    fingerplan_reason reason;   /* MISSING, EXCEPTION */
    bool permanent;             /* MISSING, EXCEPTION */
} fingerplan_log_entry;

typedef struct fingerplan fingerplan;

/* Fills *s with the defaults. */
void fingerplan_default_settings(fingerplan_settings *s);

/* Parses a fallback order such as "thumb,middle,ring" or "middle,ring,thumb" into s->order:
 * exactly the three kinds thumb, middle, ring, each once. BK_ERR_INVALID otherwise (s untouched).
 */
bk_err fingerplan_parse_order(const char *text, fingerplan_settings *s);

/* A plan with settings `s` (NULL: defaults) in *out (transfer full). BK_ERR_INVALID for a
 * threshold outside 0..100, max_attempts outside 1..10 or a bad order; BK_ERR_NOMEM. */
bk_err fingerplan_new(const fingerplan_settings *s, fingerplan **out);

/* Frees. NULL does nothing. */
void fingerplan_free(fingerplan *p);

/* The officer marks a finger missing or unusable. A finger with a kept print loses it. Allowed
 * at any time (a finger that fails can be marked unusable to move on). BK_ERR_INVALID for a bad
 * finger or reason. */
bk_err fingerplan_mark_missing(fingerplan *p, int finger, fingerplan_reason reason, bool permanent);

/* The person cannot give fingerprints at all: the plan ends with an exception on record.
 * BK_ERR_INVALID for a bad reason. */
bk_err fingerplan_exception(fingerplan *p, fingerplan_reason reason, bool permanent);

/* The finger to take now, or FINGERPLAN_NONE when the plan is finished. */
int fingerplan_current(const fingerplan *p);

/* Records an attempt of the current finger with its quality (0..100) and the caller's
 * uniqueness check (NULL = unique). *outcome says what follows, *id (may be NULL) numbers the
 * attempt across the plan (1, 2, ...) so the caller can keep its image by id.
 * BK_ERR_CONFLICT when the plan is finished, BK_ERR_INVALID for a bad quality. */
bk_err fingerplan_attempt(fingerplan *p, int quality, const fingerplan_check *check,
                          fingerplan_outcome *outcome, int *id);

/* Officer veto on finger's attempt number `attempt` (1..): accept = keep this attempt although
 * below the threshold (the finger is done); reject = do not keep it (when it was kept the
 * finger is taken again, or, with no attempts left, the best remaining attempt is kept).
 * BK_ERR_NOT_FOUND for an unknown attempt; BK_ERR_CONFLICT for accepting an attempt that failed
 * the uniqueness check. */
bk_err fingerplan_veto(fingerplan *p, int finger, int attempt, bool accept);

/* Starts the finger again: its attempts are dropped and counted from 1. BK_ERR_INVALID for a
 * finger that is not part of the plan or is marked missing. */
bk_err fingerplan_restart(fingerplan *p, int finger);

/* The id of the attempt kept for `finger`, 0 when none. */
int fingerplan_kept(const fingerplan *p, int finger);

/* The finger kept for the right (hand 0) or left (hand 1) hand, FINGERPLAN_NONE when none. */
int fingerplan_hand_finger(const fingerplan *p, int hand);

/* Attempts made of `finger` since its last restart, and the quality of attempt n (1..). */
int fingerplan_attempts(const fingerplan *p, int finger);
int fingerplan_attempt_quality(const fingerplan *p, int finger, int n);

/* Attempts `finger` may still make before its counter is used up (rejected ones count, those
 * refused as not unique do not). 0 with no kept attempt means every attempt was rejected: the
 * officer restarts the finger or marks it unusable (fingerplan_attempt answers CONFLICT). */
int fingerplan_attempts_left(const fingerplan *p, int finger);

/* The threshold that applies to `finger`. */
int fingerplan_threshold(const fingerplan *p, int finger);

/* true when the person was recorded as unable to give fingerprints. */
bool fingerplan_has_exception(const fingerplan *p);

/* The record: number of entries and entry i (transfer none, valid until the next change). */
size_t fingerplan_log_count(const fingerplan *p);
const fingerplan_log_entry *fingerplan_log_get(const fingerplan *p, size_t i);

/* One line of text for the record, "attempt finger=2 n=1 quality=45 threshold=30 kept", into
 * buf (NUL-terminated, truncated to size). Returns the length it needed. */
size_t fingerplan_log_format(const fingerplan_log_entry *e, char *buf, size_t size);

/* Stable names: "right-index", "amputated", "kept". */
const char *fingerplan_finger_str(int finger);
const char *fingerplan_reason_str(fingerplan_reason reason);
const char *fingerplan_outcome_str(fingerplan_outcome outcome);

#endif
