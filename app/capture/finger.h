/* The fingerprint service: the reader (drivers/fingerprint, libfprint), its thread, the analysis
 * of each print and the uniqueness check, behind one handle that app/kiosk.c makes and the
 * fingerprint screen (ui/screens/capture_finger.c) drives; its one technician check is used by
 * the technician screen and by `biokiosk selftest` alike.
 *
 * Threads. The service's "fingerprint" thread runs GLib's global default main context (libfprint
 * enumerates readers by iterating that one, so nothing else in the process may run it while a
 * service lives) and sleeps in poll() between libfprint's work and the requests below. The
 * driver analyses each image (500 ppi, quality, minutiae, and the directions of the minutiae
 * libfprint found in the capture when the image was not resampled) on a worker of its own; this
 * thread has libfprint find its minutiae on the 500 ppi image only when the capture's cannot be
 * used (waiting for it, tens of ms), and compares the print with the prints kept for the other
 * fingers. Nothing here calls into
 * the screen: each event is queued and the wake function is called, so that the main loop drains
 * the queue (finger_service_next_event) on its own thread.
 *
 * Requests. The screen says which finger it wants (finger_service_capture) or that it wants none
 * (finger_service_cancel); the service makes the reader do that, by itself: a capture for another
 * finger is cancelled and the wanted one started as soon as the reader is free, the wanted
 * capture is started again when the reader comes back or when a technician's check gives the
 * reader back. An image, an error or a cancel ends what was wanted. So no state change has to go
 * through the screen and back (a screen that is busy, or a script that waits, cannot leave the
 * reader idle while the person is asked for a finger).
 *
 * Every finger_service_* call is non-blocking unless it says otherwise, and is made from one
 * thread (the kiosk's main thread), except finger_service_check (a worker of the caller's) and
 * finger_service_status and finger_service_snapshot (any thread).
 *
 * Nothing of a person stays in the service after finger_service_end: queued events and the
 * features of the prints are dropped (wiped: core/biomem.h). Nothing of a person is logged.
 */
#ifndef BIOKIOSK_CAPTURE_FINGER_H
#define BIOKIOSK_CAPTURE_FINGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/check.h"
#include "core/bk_err.h"
#include "core/fingerplan.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"

typedef struct finger_service finger_service;

/* The uniqueness check compares each new print with the kept prints of the other fingers twice:
 * on the kiosk's own minutiae (imaging/fingerfeat.h, threshold match_threshold) and on
 * libfprint's (fp_image_detect_minutiae, NIST's mindtct inside libfprint, with directions from
 * imaging/fingerlfp.h, threshold lfp_match_threshold); a match by either is the same finger.
 * Measured on bench-finger's 621 pairs, either rule misses fewer same-finger pairs than each
 * source alone and than NIST's bozorth3, with no false match (docs/fingerprints.md, "Minutiae
 * from libfprint"). */

/* The service's own detection of libfprint's minutiae (only for an image that was resampled to
 * 500 ppi, or a capture that came without them) takes about 45 ms of CPU for a 500 x 500 print; a
 * capture whose detection gives no answer within this is compared by the kiosk's own minutiae
 * alone. */
#define FINGER_LFP_TIMEOUT_MS 3000

/* The threshold on libfprint's minutiae: 43, the middle of 41-46, which all miss the same
 * genuine pairs in bench-finger: three above the highest score of two different fingers there
 * (40: vfs301 against uru4000-4500, two captures the quality refuses), three below the lowest
 * genuine score a higher one would lose (the card's fgp01, 46). Thresholds chosen one above the
 * highest impostor score on half of the fingers let false matches through on the other half:
 * docs/fingerprints.md, "Thresholds held out". */
#define FINGER_LFP_DEFAULT_THRESHOLD 43

typedef struct finger_service_settings {
    const char
        *driver; /* libfprint driver id; NULL or "" = the first reader that captures images */
    /* Emulation: libfprint's virtual image device listening on this socket (FP_VIRTUAL_IMAGE is
     * set to it, when it differs, before the reader's context is made); NULL or "" = real
     * readers, and then the driver is "virtual_image" unless `driver` names another. */
    const char *virtual_socket;
    /* A reader that goes away is looked for only on finger_service_rescan (the scripted mode,
     * the self-test), not every second. */
    bool manual_rescan;
    int assume_ppi;      /* the reader's resolution when libfprint reports none; 0 = 500 */
    int match_threshold; /* uniqueness: the score from which two prints are one finger; 0 =
                          * FINGERMATCH_DEFAULT_THRESHOLD */
    /* uniqueness on libfprint's minutiae: the score from which two prints are one finger; 0 =
     * FINGER_LFP_DEFAULT_THRESHOLD */
    int lfp_match_threshold;
    /* How long libfprint's minutiae detection of a capture may take before the kiosk's own
     * minutiae alone are compared for it (FINGER_EVENT_IMAGE's own_minutiae); 0 =
     * FINGER_LFP_TIMEOUT_MS. */
    unsigned lfp_timeout_ms;
    /* Called on the service's thread when an event waits (optional; see finger_service_set_wake).
     * Must be thread-safe and must not block or call back into the service. */
    void (*wake)(void *data);
    void *wake_data;
} finger_service_settings;

/* Starts the service's thread, which opens the reader (transfer full: finger_service_free). A
 * reader that is not there is no error: READY follows when one is. BK_ERR_INVALID (with
 * *message, transfer full, g_free) for bad settings. */
bk_err finger_service_new(const finger_service_settings *set, finger_service **out, char **message);

/* Ends the capture, closes the reader (libfprint is given a few seconds), stops the thread and
 * wipes what is left. NULL does nothing. */
void finger_service_free(finger_service *fs);

/* Replaces the wake function (before the screen can be shown). */
void finger_service_set_wake(finger_service *fs, void (*wake)(void *data), void *data);

/* ---- state and events ---- */

typedef enum finger_event_kind {
    FINGER_EVENT_NONE = 0,
    FINGER_EVENT_READY,     /* the reader is open (the first time): `text` is its name */
    FINGER_EVENT_NEEDED,    /* the reader waits for the finger: "place your finger" */
    FINGER_EVENT_PRESENT,   /* a finger is on the reader */
    FINGER_EVENT_LIFTED,    /* the finger was lifted */
    FINGER_EVENT_RETRY,     /* the scan failed, `retry` says how; the reader waits again */
    FINGER_EVENT_IMAGE,     /* a capture finished: image, quality, uniqueness */
    FINGER_EVENT_REMOVED,   /* the reader went away (or none is there yet): pause */
    FINGER_EVENT_ADDED,     /* a reader is open again: resume (`text` is its name) */
    FINGER_EVENT_ERROR,     /* the reader failed: `text` is for staff; nothing is wanted now */
    FINGER_EVENT_CANCELLED, /* a capture ended because it was no longer wanted */
    FINGER_EVENT_COUNT_
} finger_event_kind;

typedef enum finger_retry {
    FINGER_RETRY_GENERAL,   /* poor scan */
    FINGER_RETRY_TOO_SHORT, /* finger lifted too soon */
    FINGER_RETRY_CENTER,    /* finger not centred */
    FINGER_RETRY_REMOVE,    /* lift and place again */
} finger_retry;

/* Where an IMAGE's libfprint minutiae came from (finger_event.lfp_source). */
typedef enum finger_lfp_source {
    FINGER_LFP_OWN = 0, /* none: the kiosk's own minutiae alone were compared (own_minutiae) */
    FINGER_LFP_CAPTURE, /* libfprint's of the reader's capture, found by libfprint as it captured
                         * (a 500 ppi reader: the image was not resampled), no second detection */
    FINGER_LFP_SERVICE, /* the service's own detection on the 500 ppi image (a resampled image,
                         * or a capture that came without them) */
} finger_lfp_source;

typedef struct finger_event {
    finger_event_kind kind;
    finger_retry retry; /* RETRY */
    char text[320];     /* READY, ADDED: the reader's name; ERROR: for staff (English) */
    /* IMAGE, CANCELLED: the finger the capture was for (0: the technician's check) */
    int finger;
    fingerimg *image; /* IMAGE: at 500 ppi (owned by the event: take it and set it to NULL) */
    /* IMAGE: the service's id of this print's features, for finger_service_keep and
     * finger_service_forget; 0 when the analysis failed (then quality is 0) */
    unsigned print;
    bool analysed;    /* IMAGE: quality and minutiae were measured */
    int quality;      /* IMAGE: 0..100 (imaging/fingerfeat.h) */
    int minutiae;     /* IMAGE: how many of the kiosk's own (the quality's) */
    int lfp_minutiae; /* IMAGE: how many libfprint found (0 with own_minutiae) */
    /* IMAGE: only the kiosk's own minutiae were compared, because libfprint's detection failed
     * or timed out (logged); false: libfprint's were compared too. */
    bool own_minutiae;
    /* IMAGE of a person's finger: where libfprint's minutiae came from (FINGER_LFP_OWN when
     * own_minutiae, and also when the print could not be analysed: analysed false) */
    finger_lfp_source lfp_source;
    /* IMAGE: the uniqueness check against the prints kept for the other fingers (UNIQUE when
     * the analysis failed) */
    fingerplan_check check;
} finger_event;

/* Frees what an event owns (the image) and zeroes it. */
void finger_event_clear(finger_event *ev);

/* Short stable name of an event kind for logs ("needed"). */
const char *finger_event_str(finger_event_kind kind);

/* The next event for the screen, oldest first, into *ev (transfer full: finger_event_clear);
 * false when there is none. */
bool finger_service_next_event(finger_service *fs, finger_event *ev);

typedef struct finger_snapshot {
    bool ready;    /* a reader is open and usable */
    char name[96]; /* its name ("" when none) */
} finger_snapshot;

void finger_service_snapshot(finger_service *fs, finger_snapshot *out);

/* ---- requests (the screen's) ---- */

/* The fingerprint step comes on screen: queued events and prints of before are dropped, and a
 * technician's check that holds the reader ends. */
void finger_service_begin(finger_service *fs);

/* The step left the screen: the capture ends, queued events and every print's features are
 * wiped. */
void finger_service_end(finger_service *fs);

/* Wants a print of `finger` (1..10): starts the capture (FINGER_EVENT_NEEDED when the reader
 * waits), or lets the one for it run; a capture for another finger is cancelled first. Wanting
 * the finger that runs already does nothing. The image ends the want (ask again for another
 * attempt). */
void finger_service_capture(finger_service *fs, int finger);

/* Wants nothing: a running capture is cancelled (FINGER_EVENT_CANCELLED). */
void finger_service_cancel(finger_service *fs);

/* The print the step keeps for `finger` is `print` (0: none kept): the uniqueness check of later
 * images compares with it. */
void finger_service_keep(finger_service *fs, int finger, unsigned print);

/* The print's features are no longer needed (a print the step did not take): wiped at once.
 * Otherwise they stay until finger_service_end (as long as the step may keep the print). */
void finger_service_forget(finger_service *fs, unsigned print);

/* A copy of the minutiae the uniqueness check compares for `print` (an IMAGE's id): libfprint's
 * (with their directions) or the kiosk's own, in *out (a biomem buffer, transfer full:
 * biomem_free; NULL when there are none) and their count in *n. For tests; nothing of it may be
 * logged. BK_ERR_NOT_FOUND when the print is not (or no longer) held, or has no libfprint
 * minutiae (own_minutiae); BK_ERR_NOMEM. Any thread. */
bk_err finger_service_print_minutiae(finger_service *fs, unsigned print, bool libfprint,
                                     fingerfeat_minutia **out, int *n);

/* Looks for a reader now, and again every 100 ms for up to 10 s while none opens (after
 * FINGER_EVENT_REMOVED, with manual_rescan). */
void finger_service_rescan(finger_service *fs);

/* ---- the record ---- */

/* The record's form of a print at 500 ppi: at least 16 x 20 mm (a smaller capture, as most
 * sensors give, is centred on white up to that size, never scaled up), as an 8-bit grey PNG that
 * says 500 ppi, in *png (a biomem buffer, transfer full: biomem_free). BK_ERR_NOMEM. */
bk_err finger_print_png(const fingerimg *img, uint8_t **png, size_t *len);

/* ---- technicians ---- */

/* fingerprint.capture (hands-on: the reader asks for a finger, the technician's image and its
 * quality) with the service's own reader, as `biokiosk selftest` reports it (capture/check.h).
 * Without hands_on it is skipped. Blocks (a worker of the caller's; never the main thread or
 * the service's) until it is made: 10 s for the reader to ask, 30 s for the finger, sooner on
 * cancel or when the step comes on screen. BK_ERR_BUSY (and no result) while the step is on
 * screen or another check runs. Nothing of the image is kept or logged. */
bk_err finger_service_check(finger_service *fs, const capture_check_run *run);

/* Waits up to timeout_ms for the reader to be open (`cancel`, when not NULL, ends the wait when
 * it turns non-zero). BK_OK when it is; BK_ERR_DEVICE with the reader's error in why (for staff),
 * BK_ERR_TIMEOUT when it did not open in time. For the self-test (blocks: never the main thread).
 */
bk_err finger_service_wait_ready(finger_service *fs, unsigned timeout_ms, const int *cancel,
                                 char *why, size_t why_size);

/* One line on the reader for the staff's device status ("fingerprint: NAME ready"). */
void finger_service_status(finger_service *fs, char *buf, size_t size);

/* ---- emulation (app/testhooks/ only) ---- */

/* Called on the service's thread after each event of the reader was queued (and the wake
 * function called), with the finger of the capture it belongs to (0: none or the check). The
 * test hooks feed libfprint's virtual reader from it. Must not block. */
typedef void (*finger_service_tap)(void *data, finger_event_kind kind, int finger);

/* Sets the tap (NULL: none); before or while the service runs. */
void finger_service_set_tap(finger_service *fs, finger_service_tap tap, void *data);

/* Runs fn(data) on the service's thread, in order with the requests above; destroy(data) after
 * (may be NULL). */
void finger_service_invoke(finger_service *fs, void (*fn)(void *data), void *data,
                           void (*destroy)(void *data));

/* On the service's thread only (a tap or an invoked function): true while a capture that is
 * still wanted waits for a finger (the reader would take an image now). */
bool finger_service_asking(const finger_service *fs);

#endif
