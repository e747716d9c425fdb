/* The signature service: the USB signature pad (drivers/sigpad) and the ink being written, behind
 * a handle that app/kiosk.c makes and the signing screen (ui/screens/capture_signature.c) drives.
 *
 * Threads. The pad is read by the driver's own worker; a worker of this service moves the pad's
 * events into a queue (biomem: pen samples are biometric) and calls the wake function once when
 * the queue turns non-empty, so the main loop wakes and drains it. Everything else is called on
 * one thread, the main thread (the screen's), except signature_service_status and
 * signature_service_check, which any thread may call.
 *
 * The ink. The strokes live here (a sigcapture), not in the screen: pad samples reach them when
 * the screen drains the queue (signature_service_next_event), touches and mouse drags through
 * signature_service_touch. A pad pulled out closes the open stroke and pauses the ink; the
 * strokes stay, and signing resumes when the pad is back.
 *
 * Opening the pad is the worker's too: signature_service_open_pad only asks for it and returns
 * at once; the USB open (the device's descriptors and serial string, each within the driver's
 * 1 s timeout) runs on the worker, and its answer (opened, no pad, busy, failed) reaches the
 * owner as an event like the pad's own. Letting go (signature_service_close_pad) does not wait
 * either: the worker closes the pad. The main thread never waits on the device.
 */
#ifndef BIOKIOSK_CAPTURE_SIGNATURE_SERVICE_H
#define BIOKIOSK_CAPTURE_SIGNATURE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/check.h"
#include "core/bk_err.h"
#include "core/sigink.h"

typedef struct signature_service signature_service;

typedef enum signature_source {
    SIGNATURE_SOURCE_AUTO,  /* the pad when one can be opened, else the touch screen */
    SIGNATURE_SOURCE_PAD,   /* only the pad: without one the step waits for it */
    SIGNATURE_SOURCE_TOUCH, /* only the touch screen */
} signature_source;

typedef struct signature_service_settings {
    signature_source source;
    /* Called on the service's worker when pad events wait in the queue (at most once until the
     * queue was found empty by signature_service_next_event). Optional; see also
     * signature_service_set_wake. Must be thread-safe (e.g. SDL_PushEvent). */
    void (*wake)(void *data);
    void *wake_data;
} signature_service_settings;

/* The open pad, as the driver reports it. */
typedef struct signature_pad_info {
    char model[48];
    char serial[64]; /* the pad's serial number, or "unknown" */
    double width_mm, height_mm;
} signature_pad_info;

/* The signing box on screen, in the screen's pixels (the writing area is spread over it). */
typedef struct signature_box {
    double x, y, w, h;
} signature_box;

typedef enum signature_event_type {
    SIGNATURE_EVENT_PEN,       /* a pen sample (tip says whether it wrote) */
    SIGNATURE_EVENT_UNPLUGGED, /* the pad vanished: the ink is paused */
    SIGNATURE_EVENT_READY,     /* the pad is there (opened, or back after an unplug) */
    /* The answer to signature_service_open_pad (one per request, before any pad event): */
    SIGNATURE_EVENT_OPENED,      /* the pad is open and read (signature_service_pad says which) */
    SIGNATURE_EVENT_NO_PAD,      /* no pad this kiosk can read is attached (err says why) */
    SIGNATURE_EVENT_BUSY,        /* the technician check has the pad */
    SIGNATURE_EVENT_OPEN_FAILED, /* a pad is there but could not be opened (err) */
} signature_event_type;

typedef struct signature_event {
    signature_event_type type;
    bool tip;   /* PEN: the pen touches the pad */
    bk_err err; /* NO_PAD, BUSY, OPEN_FAILED: sigpad_open's error (drivers/sigpad/sigpad.h) */
} signature_event;

/* Parses "auto", "pad" or "touch". BK_ERR_INVALID otherwise; *out written only on success. */
bk_err signature_source_parse(const char *text, signature_source *out);

/* A service (transfer full), nothing opened yet; NULL with *message (transfer full) on failure. */
signature_service *signature_service_new(const signature_service_settings *settings,
                                         char **message);

/* Closes the pad, stops the worker, wipes the ink and the queue. NULL does nothing. */
void signature_service_free(signature_service *svc);

/* Sets the wake function (replaces the settings'); call before the pad is opened. The worker
 * calls it for the open's answer and for the pad's events. */
void signature_service_set_wake(signature_service *svc, void (*wake)(void *data), void *data);

signature_source signature_service_source(const signature_service *svc);

/* Asks the worker to open the pad and read it; never blocks. BK_OK: the answer follows as one
 * event (OPENED, NO_PAD, BUSY or OPEN_FAILED) through signature_service_next_event, after a
 * wake. BK_ERR_EXISTS when asked already (the pad is open or the answer is pending),
 * BK_ERR_UNAVAILABLE with source = touch. Main thread. */
bk_err signature_service_open_pad(signature_service *svc);

/* True from signature_service_open_pad until its answer was taken by
 * signature_service_next_event. */
bool signature_service_opening(signature_service *svc);

/* True while the pad is open for the owner; its description in *info (may be NULL). */
bool signature_service_pad(signature_service *svc, signature_pad_info *info);

/* Lets go of the pad: a pending open is forgotten (its answer is not given), queued events are
 * dropped, and the worker stops reading and closes the pad (logging its counters). Never
 * blocks. */
void signature_service_close_pad(signature_service *svc);

/* For the test hooks: while hold is true an open request waits on the worker before it touches
 * the device, as behind a slow pad, so a test can show the main loop runs meanwhile. */
void signature_service_hold_open(signature_service *svc, bool hold);

/* Starts a new ink over a writing area of width_mm x height_mm (the pad's, or the touch box's),
 * dropping any earlier one. BK_ERR_INVALID for an empty area. */
bk_err signature_service_begin(signature_service *svc, double width_mm, double height_mm);

/* Wipes and drops the ink and lets go of the pad (the step ended); never blocks. */
void signature_service_end(signature_service *svc);

/* True between signature_service_begin and signature_service_end. */
bool signature_service_active(const signature_service *svc);

/* Takes the next queued pad event, applies it to the ink and describes it in *ev; false when the
 * queue is empty (the next event wakes again). Main thread; never blocks. */
bool signature_service_next_event(signature_service *svc, signature_event *ev);

/* A touch or mouse position (screen pixels) with the finger or button down or up: inside the box
 * a down position adds a point, up or leaving the box closes the stroke. pressure 0..1, or
 * negative when the device has none. */
bk_err signature_service_touch(signature_service *svc, const signature_box *box, double x, double y,
                               bool down, double pressure, uint32_t t_ms);

/* True when the screen position lies in the box. */
bool signature_service_inside(const signature_service *svc, const signature_box *box, double x,
                              double y);

/* Forgets the ink ("Clear"). */
void signature_service_clear(signature_service *svc);

/* The accept rule over the ink and its writing area (SIGINK_EMPTY without an ink). */
sigink_verdict signature_service_accept(const signature_service *svc, const sigink_rule *rule);

/* The ink so far (transfer none; valid until the next call on the service), NULL without one. */
const sigink *signature_service_ink(const signature_service *svc);

/* True between an unplug and the pad's return. */
bool signature_service_paused(const signature_service *svc);

/* The writing area's width (0 without an ink). */
double signature_service_width_mm(const signature_service *svc);

/* One line for the staff's device status: "signature: pad MODEL, serial S" while the pad is open,
 * else what the source setting means. Any thread. */
void signature_service_status(signature_service *svc, char *buf, size_t size);

/* The technician check (sigpad.found, sigpad.descriptor, sigpad.draw; the self-test's names).
 * While the pad is open at the signature step: found from the open pad, the others skipped
 * (never a second handle). Otherwise the check opens the pad itself (after the worker let go of
 * one the step closed), and meanwhile an open request is answered SIGNATURE_EVENT_BUSY. Blocks (the
 * hands-on line: up to 60 s, sooner on run->cancel); call on a thread of the caller's, not the main
 * thread. BK_ERR_BUSY (no result) while another check runs. */
bk_err signature_service_check(signature_service *svc, const capture_check_run *run);

#endif
