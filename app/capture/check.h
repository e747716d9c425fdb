/* The technician's hands-on device check, as every capture service (app/capture/) runs it with
 * its own open device and the self-test (app/selftest/) reports it: one set of types, so a fleet
 * report means the same whether `biokiosk selftest` or the kiosk's technician screen made it.
 */
#ifndef BIOKIOSK_CAPTURE_CHECK_H
#define BIOKIOSK_CAPTURE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

/* A hands-on device check run through the module that holds the device (the technician screen,
 * ui/technician.h): the module uses its own open device, never a second handle. The results are
 * the self-test's (app/selftest/selftest.h): the same check names, values and units, so a fleet
 * report means the same whether `biokiosk selftest` or the kiosk made it. */
typedef enum capture_check_status {
    CAPTURE_CHECK_PASS,
    CAPTURE_CHECK_FAIL,
    CAPTURE_CHECK_SKIP,
} capture_check_status;

typedef struct capture_check_result {
    const char *name; /* "camera.live_view": the self-test's check name */
    capture_check_status status;
    const char *value; /* what was measured, in words (English, as the command's) */
    bool has_number;   /* number and unit hold the measurement */
    double number;
    const char *unit;   /* static: "fps", "quality", ... or NULL */
    const char *action; /* what to do (failures, some skips), or NULL */
    double duration_ms; /* how long the check took */
} capture_check_result;

typedef struct capture_check_run {
    bool hands_on; /* include the steps that need the technician (test photo, finger) */
    /* Each result as it is made, on the caller's thread (the strings are valid during the call
     * only). */
    void (*result)(void *data, const capture_check_result *r);
    /* A prompt for the technician (an English msgid, marked for translation: the screen shows
     * it translated), NULL when it is over; on the caller's thread. */
    void (*prompt)(void *data, const char *text);
    void *data;
    /* Non-zero: end the waits at once (the technician left). Read atomically. */
    const int *cancel;
} capture_check_run;

/* Reports one result through run->result (nothing when it is NULL), on the caller's thread:
 * the value formatted from fmt; unit non-NULL (static) when number is the measurement;
 * started the g_get_monotonic_time() at the check's start (0: no duration); action (a static
 * English text) only for a result that did not pass. The one way the services' checks
 * (photo_check.c, finger_check.c, signature_check.c) report. */
void capture_check_report(const capture_check_run *run, const char *name,
                          capture_check_status status, int64_t started, const char *action,
                          const char *unit, double number, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* Reports each of the n checks in names as skipped, with why as the value. */
void capture_check_skip(const capture_check_run *run, const char *const *names, size_t n,
                        const char *why);

#endif
