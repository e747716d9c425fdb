/* What a session took: the captured face, prints and signature of each person, with the
 * attempts, exceptions and devices that the record lists.
 *
 * The capture screens put their results here as they are accepted; at the end of the session
 * the record is built from it (record_session in app/record/record.h), and then it is freed.
 * Every biometric buffer is a copy in biomem (wiped on free); takes_clear_item (a restarted
 * step) and takes_free wipe what they drop. No I/O, no clock: times come in as parameters.
 */
#ifndef BIOKIOSK_TAKES_H
#define BIOKIOSK_TAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

#define TAKES_MAX_PERSONS 12
#define TAKES_MAX_FINGERS 10
#define TAKES_MAX_LOG     128 /* attempts and exceptions per person */
#define TAKES_MAX_DEVICES 8
#define TAKES_TEXT_MAX    96

typedef enum takes_item {
    TAKES_ITEM_PHOTO,
    TAKES_ITEM_FINGERPRINTS,
    TAKES_ITEM_SIGNATURE,
    TAKES_ITEM_COUNT_
} takes_item;

typedef struct takes_finger {
    unsigned position; /* 1..10, ISO/IEC 19794-4 numbering */
    uint8_t *png;      /* 8-bit grey PNG at 500 ppi (biomem) */
    size_t png_len;
    int quality; /* 0..100 */
} takes_finger;

typedef struct takes_point {
    double x_mm, y_mm; /* from the pad's (or box's) top left */
    double pressure;   /* 0..1 */
    double t_ms;       /* from the first point of the signature */
} takes_point;

typedef struct takes_attempt {
    takes_item item;
    unsigned position; /* finger position, 0 for photo and signature */
    int quality, threshold;
    bool accepted;
    char veto;    /* 'N' none, 'A' staff accepted a failing one, 'R' staff rejected a passing one */
    int64_t when; /* seconds since 1970 UTC */
} takes_attempt;

typedef struct takes_exception {
    takes_item item;
    unsigned position; /* a missing finger's position; 0 for the whole item */
    bool permanent;
    char reason[TAKES_TEXT_MAX];
} takes_exception;

typedef struct takes_device {
    char kind[16]; /* "camera", "fingerprint", "sigpad" */
    char model[TAKES_TEXT_MAX];
    char serial[TAKES_TEXT_MAX];
} takes_device;

typedef struct takes takes;

/* Room for n_persons persons (1..TAKES_MAX_PERSONS); NULL otherwise or when out of memory.
 * Transfer full: takes_free. */
takes *takes_new(size_t n_persons);

/* Wipes every biometric buffer and frees. NULL does nothing. */
void takes_free(takes *t);

size_t takes_person_count(const takes *t);

/* Keeps a copy of the cropped face JPEG for person (replacing an earlier one). */
bk_err takes_set_face(takes *t, size_t person, const uint8_t *jpeg, size_t len);
/* The face, or NULL (transfer none). */
const uint8_t *takes_face(const takes *t, size_t person, size_t *len);

/* Keeps a copy of a print for a position (replacing one at the same position). */
bk_err takes_set_finger(takes *t, size_t person, unsigned position, const uint8_t *png, size_t len,
                        int quality);
size_t takes_finger_count(const takes *t, size_t person);
/* The i-th kept print (transfer none), in the order they were set; NULL past the end. */
const takes_finger *takes_finger_get(const takes *t, size_t person, size_t i);

/* Keeps a copy of the signature: n_points points, split into strokes by stroke_ends (the index
 * one past each stroke's last point, increasing, the last equal to n_points). */
bk_err takes_set_signature(takes *t, size_t person, const takes_point *points, size_t n_points,
                           const size_t *stroke_ends, size_t n_strokes);
/* The signature's points and stroke ends (transfer none); 0 when none. */
size_t takes_signature(const takes *t, size_t person, const takes_point **points,
                       const size_t **stroke_ends, size_t *n_strokes);

/* Drops what was taken of one item for a person (a restarted step), wiping it, and the attempts
 * and exceptions of that item. */
void takes_clear_item(takes *t, size_t person, takes_item item);

/* The log for the record. Text is copied (cut at TAKES_TEXT_MAX - 1 bytes). BK_ERR_NO_SPACE
 * when the log of that person is full. */
bk_err takes_add_attempt(takes *t, size_t person, const takes_attempt *attempt);
bk_err takes_add_exception(takes *t, size_t person, takes_item item, unsigned position,
                           bool permanent, const char *reason);
size_t takes_attempt_count(const takes *t, size_t person);
const takes_attempt *takes_attempt_get(const takes *t, size_t person, size_t i);
size_t takes_exception_count(const takes *t, size_t person);
const takes_exception *takes_exception_get(const takes *t, size_t person, size_t i);

/* The devices used in the session (one per kind; a second call for a kind replaces it). */
bk_err takes_set_device(takes *t, const char *kind, const char *model, const char *serial);
size_t takes_device_count(const takes *t);
const takes_device *takes_device_get(const takes *t, size_t i);

/* "photo", "fingerprints", "signature". */
const char *takes_item_str(takes_item item);

#endif
