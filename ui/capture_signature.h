/* The signature step of the kiosk: the signing screen ("capture-signature"), fed by the
 * signature service (app/capture/signature.h): its USB pad when one is attached, else the touch
 * screen.
 *
 * The screen asks the service for the pad when the step starts and lets it go when it ends;
 * the service's worker opens it (the main thread never waits on the USB open) and wakes the loop
 * with an SDL user event of this screen's; the screen drains the service's queue on the main
 * thread, the open's answer first ("One moment, please." until then). A pad pulled out (or, with
 * source = pad, none at all) is a devwait (ui/devwait.h): audited, and after reconnect_seconds
 * staff may skip the step or end the visit; the strokes stay meanwhile.
 *
 * The scripted mode's commands for this step (stroke, mouse-stroke, pad-strokes, pad-points,
 * pad-wait-paused, signature-count) are test hooks (app/testhooks/signature_hooks.c): they look
 * at the screen through capture_signature_view_get and at the ink through the service.
 */
#ifndef BIOKIOSK_CAPTURE_SIGNATURE_H
#define BIOKIOSK_CAPTURE_SIGNATURE_H

#include <stdbool.h>

#include "capture/signature.h"
#include "core/bk_err.h"
#include "ui/runner.h"
#include "ui/session.h"

typedef struct capture_signature_settings {
    int min_points;       /* fewer points: refused as trivial */
    double min_box_share; /* ink box under this share of the signing area: refused */
    int image_width;      /* the record image's box, in pixels */
    int image_height;
} capture_signature_settings;

/* The registration (the screen's class with its service and settings). */
typedef struct capture_signature capture_signature;

/* Registers the signing screen for the signature step (ui/capture.h) with the kiosk's signature
 * service (transfer none: it outlives the registration), registers the SDL user event type the
 * screen listens to and sets the service's wake function to push it. The settings are copied.
 * NULL when the step has a screen already (or no event type is left). Transfer full:
 * capture_signature_free. */
capture_signature *capture_signature_register(const capture_signature_settings *settings,
                                              signature_service *service);

/* Ends a signing a step left open (the service lets go of the pad), unsets the service's wake
 * function and frees the registration. Call after the session is freed and before the service
 * is. NULL does nothing. */
void capture_signature_free(capture_signature *cs);

/* What the signing screen shows now, for the test hooks (main thread). */
typedef struct capture_signature_view {
    bool inking;       /* an ink is open for signing (false: waiting for a pad) */
    bool opening;      /* the service was asked for the pad and has not answered yet */
    bool pad;          /* the ink comes from the USB pad (else touch or mouse) */
    bool pen_down;     /* the pad's pen touched it at the last sample */
    signature_box box; /* the signing box on screen, in pixels */
} capture_signature_view;

/* True while the registered signing screen is on r's stack; *view (may be NULL) says how. */
bool capture_signature_view_get(runner *r, capture_signature_view *view);

/* True while the signing screen is on r's stack with an ink; *view (may be NULL) says how. */
bool capture_signature_showing(runner *r, capture_signature_view *view);

#endif
