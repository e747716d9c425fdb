/* Shared by the two files of the fingerprint screen only: capture_finger.c (the step: phases,
 * the service's events, the officer's actions, the record) and capture_finger_draw.c. */
#ifndef BIOKIOSK_UI_CAPTURE_FINGER_PRIV_H
#define BIOKIOSK_UI_CAPTURE_FINGER_PRIV_H

#include "capture/finger.h"
#include "core/fingerplan.h"
#include "ui/capture.h"
#include "ui/capture_finger.h"
#include "ui/devwait.h"
#include "ui/screens/screens.h"

#define FINGER_MAX_IDS 256 /* attempt ids of the plan a screen keeps track of */

/* The registered screen: the class the runner knows, with the service it drives. */
struct capture_finger {
    screen_class cls; /* first: a screen's cls points here */
    capture_class cap;
    finger_service *fs; /* transfer none */
    fingerplan_settings plan;
    uint32_t events[2];
};

typedef enum finger_phase {
    FINGER_PHASE_PREPARE,
    FINGER_PHASE_CAPTURE,
    FINGER_PHASE_REVIEW,
    FINGER_PHASE_DONE,
} finger_phase;

enum {
    FINGER_ID_FINGER = 20, /* + position: choose a finger to mark */
    FINGER_ID_REASON = 40, /* + fingerplan_reason */
    FINGER_ID_PERMANENT = 50,
    FINGER_ID_EXCEPTION,
    FINGER_ID_REJECT,
    FINGER_ID_RESTART,
    FINGER_ID_TRY_AGAIN,
    FINGER_ID_SHOW_ATTEMPTS,
    FINGER_ID_UNUSABLE,         /* during capture and review: this finger cannot be used */
    FINGER_ID_KEEP = 60,        /* + attempt number: keep this attempt (staff veto) */
    FINGER_ID_RESTART_HAND = 80 /* + hand */
};

typedef struct finger_mark {
    bool on;
    fingerplan_reason reason;
    bool permanent;
} finger_mark;

typedef struct finger_priv {
    finger_service *fs; /* the registration's (transfer none) */
    finger_phase phase;
    fingerplan *plan;
    int selected;   /* finger chosen for marking */
    bool permanent; /* the next mark is permanent */
    bool exception; /* the next reason records "no fingerprints possible" */
    finger_mark marks[FINGERPLAN_FINGERS];
    bool paused, present, error;
    int retry; /* -1 none, else finger_retry */
    int not_unique_other;
    int review;                             /* the finger under review */
    fingerimg *images[FINGER_MAX_IDS];      /* by attempt id (biomem pixels) */
    unsigned print_of[FINGER_MAX_IDS];      /* by attempt id: the service's print id */
    int quality_of[FINGER_MAX_IDS];         /* by attempt id */
    int id_attempt[FINGER_MAX_IDS];         /* by attempt id: its number within its finger */
    int id_finger[FINGER_MAX_IDS];          /* by attempt id: its finger, 0 once wiped */
    int id_unverified[FINGER_MAX_IDS];      /* by attempt id: the finger uniqueness could
                                             * not be verified against, 0 when verified */
    unsigned kept_told[FINGERPLAN_FINGERS]; /* the print the service was told is kept */
    bool show_attempts; /* the officer asked for the attempts' images during the capture */
    bool unusable;      /* the officer marks the finger in hand unusable: reasons shown */
    int64_t when[TAKES_MAX_LOG];
    size_t logged;
    devwait wait;               /* the reader's absences, audited; staff may skip after a while */
    int64_t away_shown;         /* seconds away on screen */
    capture_finger_drawn drawn; /* what the last frame drew (the test hooks' expectations) */
    int64_t hand_frame;         /* the hand animation's frame on screen (clock / FINGER_FRAME_MS) */
} finger_priv;

extern const char *const capture_finger_names[FINGERPLAN_FINGERS];
extern const char *const capture_finger_reasons[FINGERPLAN_REASON_COUNT_];

/* capture_finger.c */
bool capture_finger_dead_end(const finger_priv *p, int finger);
int capture_finger_quality(const finger_priv *p, int id);
const fingerimg *capture_finger_attempt_image(const finger_priv *p, int finger, int n);
/* The finger the kept print of `finger` could not be checked against, 0 when it was. */
int capture_finger_unverified_with(const finger_priv *p, int finger);

/* capture_finger_draw.c: the screen's draw (runner.h). */
void capture_finger_draw(screen *scr, ui *u);
/* The step waits for the finger asked: the hand pictogram lowers onto the reader, redrawn every
 * FINGER_FRAME_MS (about 15 frames a second) while this holds. */
#define FINGER_FRAME_MS 66
bool capture_finger_animating(const finger_priv *p);

#endif
