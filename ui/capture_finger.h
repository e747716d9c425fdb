/* The fingerprint capture step of the kiosk: the "capture-finger" screen, its reader and its
 * script commands.
 *
 * The reader (drivers/fingerprint, libfprint) lives on a thread of its own that runs GLib's
 * default main context (libfprint enumerates readers on that one, so nothing else in the kiosk
 * may run it): libfprint does its work there and the thread sleeps in poll() between. Each event of
 * the reader is queued for the screen and an SDL user event wakes the kiosk's loop, so drawing
 * never waits for the reader and an idle kiosk uses no CPU for it. The screen's requests (capture,
 * cancel) go to that thread as idle sources attached to its context.
 *
 * Emulation (the demo, the scripted mode, tests): with `virtual_socket` set, setup sets
 * FP_VIRTUAL_IMAGE to it before libfprint creates its context (libfprint reads it then), so the
 * reader is libfprint's virtual image device, and the kiosk feeds it itself (emulators/finger):
 * the script commands below queue images; in the demo (not scripted) every "finger needed" with
 * nothing queued gets a synthetic print of the finger asked for.
 *
 * Script commands (the clock of the scripted mode is virtual, the reader's is not: each command
 * waits in real time, up to 20 s, until the reader has answered, then settles the screens):
 *   finger IMAGE    place a finger: IMAGE is a PNG/PGM path, or synthetic:N (fingersynth's N-th
 *                   finger), synthetic:N:again:K (the same finger captured again, K picks how),
 *                   synthetic:N:smudge (a poor capture of it); waits for the image (or a retry,
 *                   an error, the reader gone)
 *   finger-retry    the reader asks to try again (libfprint's general retry); waits for it
 *   finger-error    the reader fails (device error); waits for the error
 *   reader-unplug   the reader is pulled out; waits until the kiosk has seen it go
 *   reader-plug     the reader is back; waits until it is open again
 *   finger-auto     from now on the reader gets the demo's synthetic fingers by itself, as in
 *                   the demo in a window (no script command places them)
 *   finger-wait     waits for the next image the reader delivered by itself (after finger-auto)
 *   expect-finger-images N
 *                   the screen shows N attempt images, each a staff target "Attempt i"
 *   expect-finger-hands
 *                   the hands drawing shows the left hand (and its label) left of the right one
 *
 * Prints reach the screen at 500 ppi: the driver shrinks them from the reader's resolution
 * (libfprint's, or `assume_ppi` when libfprint reports none); a reader below 500 ppi gives a
 * reader error for staff instead (never upscaled).
 */
#ifndef BIOKIOSK_CAPTURE_FINGER_H
#define BIOKIOSK_CAPTURE_FINGER_H

#include <stdbool.h>

#include "core/bk_err.h"
#include "core/fingerplan.h"

typedef struct capture_finger_settings {
    const char *driver;         /* libfprint driver id, NULL or "" = the first image reader */
    const char *virtual_socket; /* emulation: FP_VIRTUAL_IMAGE socket; NULL or "" = real readers */
    bool scripted;              /* scripted mode: reader-plug looks for the reader (no timer) */
    fingerplan_settings plan;   /* thresholds, fallback order, attempts */
    int match_threshold;        /* uniqueness check: score counting as the same finger */
    int assume_ppi; /* the reader's resolution when libfprint reports none; 0 = 500 (prints are
                     * shrunk from it to 500 ppi; below 500 the reader is refused) */
} capture_finger_settings;

/* Registers the screen for the fingerprints step and the script commands, and starts opening the
 * reader (transfer none: set's strings are copied). Call once, after SDL is up (ui_new).
 * BK_ERR_INVALID for bad settings (message says why, transfer full, g_free), BK_ERR_EXISTS when
 * set up already. */
bk_err capture_finger_setup(const capture_finger_settings *set, char **message);

/* Closes the reader and stops its thread. Call after the session is freed. Nothing when not set
 * up. */
void capture_finger_teardown(void);

#endif
