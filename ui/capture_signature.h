/* The signature step of the kiosk: the signing screen ("capture-signature"), fed by a USB
 * signature pad (drivers/sigpad) when one is attached, else by the touch screen, and its
 * scripted commands.
 *
 * The pad is opened when the step starts and let go when it ends. Its worker thread's samples
 * reach the screen as an SDL user event that only wakes the loop; the samples themselves wait in
 * a queue of this module (biomem), so a pad that is not being read costs no CPU. A pad pulled out
 * (or, with source = pad, none at all) is a devwait (ui/devwait.h): audited, and after
 * reconnect_seconds staff may skip the step or end the visit; the strokes stay meanwhile.
 *
 * Script commands (ui/script.h):
 *   stroke X,Y X,Y ...   one touch stroke: finger down at the first point, moves, up at the last;
 *                        X,Y are pixels relative to the signing box's top left corner (so a
 *                        script does not depend on where the box sits); 10 ms of the kiosk's
 *                        clock pass between points
 *   pad-strokes FILE     waits (real time, up to 20 s) until every point of FILE (the
 *                        strokes file the emulated pad was generated from, sigpad-gen's
 *                        format) is in a finished stroke, and checks them: the first strokes
 *                        on screen are the file's, point for point within the pad's 0.01 mm
 *                        (an emulated pad may go on: umockdev replays its script when the
 *                        driver reopens it)
 *   pad-points FILE      as pad-strokes, but compares the points only (a stroke cut by an
 *                        unplug comes back as two)
 *   pad-wait-paused      waits (real time, up to 20 s) until the screen shows the pad as
 *                        disconnected
 *   signature-count N    the signing box holds N points
 */
#ifndef BIOKIOSK_CAPTURE_SIGNATURE_H
#define BIOKIOSK_CAPTURE_SIGNATURE_H

#include "core/bk_err.h"
#include "ui/session.h"

typedef enum capture_signature_source {
    CAPTURE_SIGNATURE_AUTO,  /* the pad when one can be opened, else the touch screen */
    CAPTURE_SIGNATURE_PAD,   /* only the pad: without one the step waits for it */
    CAPTURE_SIGNATURE_TOUCH, /* only the touch screen */
} capture_signature_source;

typedef struct capture_signature_settings {
    capture_signature_source source;
    int min_points;       /* fewer points: refused as trivial */
    double min_box_share; /* ink box under this share of the signing area: refused */
    int image_width;      /* the record image's box, in pixels */
    int image_height;
} capture_signature_settings;

/* Parses "auto", "pad" or "touch". BK_ERR_INVALID otherwise; *out written only on success. */
bk_err capture_signature_source_parse(const char *text, capture_signature_source *out);

/* Registers the signing screen for the signature step and the script commands (once per
 * process; the settings are copied). BK_ERR_EXISTS when already set up. */
bk_err capture_signature_setup(const capture_signature_settings *settings);

/* Lets go of the pad if a step left it open. Safe to call when setup was not. */
void capture_signature_teardown(void);

#endif
