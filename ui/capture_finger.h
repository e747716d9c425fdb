/* The fingerprint step's screen, "capture-finger": two flat fingerprints, taken through the
 * fingerprint service (app/capture/finger.h) that app/kiosk.c makes.
 *
 * Phases: the officer marks missing or unusable fingers (or records that no fingerprints can be
 * given); each finger of the plan (app/core/fingerplan.h) is captured up to the set number of
 * attempts, each attempt scored and checked by the service against the other kept prints; after
 * each finger its attempts are shown with their quality against the threshold (veto either way,
 * restart); then the kept prints are shown and accepted into the session's takes.
 *
 * The screen owns no thread and does no I/O: it tells the service which finger it wants, and the
 * service's thread wakes the main loop with an SDL user event (the type given at registration);
 * input() then drains the service's events on the main thread. Nothing of an applicant is
 * logged: only finger positions, qualities and outcomes.
 */
#ifndef BIOKIOSK_UI_CAPTURE_FINGER_H
#define BIOKIOSK_UI_CAPTURE_FINGER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "core/fingerplan.h"
#include "ui/runner.h"

struct finger_service;

/* The registration (the screen's class with its service). */
typedef struct capture_finger capture_finger;

/* Registers the "capture-finger" screen for the fingerprints item (ui/capture.h) with the
 * service it drives (transfer none: fs outlives the registration) and the plan's settings
 * (copied). wake_event is the SDL user event type the service's wake function pushes. NULL with
 * *message (transfer full, g_free) for settings the plan refuses or when the item has a screen
 * already. */
capture_finger *capture_finger_register(struct finger_service *fs, const fingerplan_settings *plan,
                                        uint32_t wake_event, char **message);

/* Frees the registration; after the session is freed. NULL does nothing. */
void capture_finger_free(capture_finger *cf);

/* What the fingerprint screen drew in its last frame, for the test hooks' expectations. */
typedef struct capture_finger_drawn {
    int thumbs;    /* attempt images drawn */
    int hand_x[2]; /* where the left (0) and right (1) palm were drawn */
} capture_finger_drawn;

/* The drawing of the registered fingerprint screen when it is on r's stack; false when not. */
bool capture_finger_drawn_get(runner *r, capture_finger_drawn *out);

#endif
