/* The signature step of the kiosk: the signing screen ("capture-signature"), fed by the
 * signature service (app/capture/signature.h): its USB pad when one is attached, else the touch
 * screen.
 *
 * The service opens the pad when the step starts and lets it go when it ends. Its worker wakes
 * the loop with an SDL user event of this screen's; the screen drains the service's queue on the
 * main thread. A pad pulled out (or, with source = pad, none at all) is a devwait
 * (ui/devwait.h): audited, and after reconnect_seconds staff may skip the step or end the visit;
 * the strokes stay meanwhile.
 *
 * The scripted mode's commands for this step (stroke, mouse-stroke, pad-strokes, pad-points,
 * pad-wait-paused, signature-count) are test hooks (app/testhooks/signature_hooks.c): they look
 * at the screen through capture_signature_showing and at the ink through the service.
 */
#ifndef BIOKIOSK_CAPTURE_SIGNATURE_H
#define BIOKIOSK_CAPTURE_SIGNATURE_H

#include <stdbool.h>

#include "capture/signature.h"
#include "core/bk_err.h"
#include "ui/session.h"

typedef struct capture_signature_settings {
    int min_points;       /* fewer points: refused as trivial */
    double min_box_share; /* ink box under this share of the signing area: refused */
    int image_width;      /* the record image's box, in pixels */
    int image_height;
} capture_signature_settings;

/* Registers the signing screen for the signature step with the kiosk's signature service
 * (transfer none: it outlives capture_signature_teardown) and sets the service's wake function.
 * Once per process; the settings are copied. BK_ERR_EXISTS when already set up. */
bk_err capture_signature_setup(const capture_signature_settings *settings,
                               signature_service *service);

/* Ends a signing a step left open (the service lets go of the pad) and forgets the service.
 * Safe to call when setup was not. Call before the service is freed. */
void capture_signature_teardown(void);

/* What the signing screen shows now, for the test hooks (main thread). */
typedef struct capture_signature_view {
    bool pad;          /* the ink comes from the USB pad (else touch or mouse) */
    bool pen_down;     /* the pad's pen touched it at the last sample */
    signature_box box; /* the signing box on screen, in pixels */
} capture_signature_view;

/* True while the signing screen shows with an ink; *view (may be NULL) says how. */
bool capture_signature_showing(capture_signature_view *view);

/* The service given to capture_signature_setup (transfer none), or NULL. */
signature_service *capture_signature_service(void);

#endif
