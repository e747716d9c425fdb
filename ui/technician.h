/* The technician screen ("technician"): `biokiosk selftest` inside the running kiosk.
 *
 * Staff with the technician role open it from the staff menu when no visit is in progress. It
 * runs the self-test's checks (app/selftest, the same code as the command) on a worker thread,
 * so drawing never waits for a device; each group's results appear when the group ends, each
 * with pass/fail/skip, what was measured and what to do. The kiosk's own capture modules may
 * hold a device open; the screen does not open such a device a second time:
 *   - camera: with [photo] enabled the kiosk's photo module holds it: "found" is its live status
 *     line (ui/capture.h); live view, decoding, faces and the test photo are run by the module
 *     with its own camera (capture_class.check), reporting the self-test's names and values;
 *     without, the self-test opens the camera itself.
 *   - fingerprint reader: the same with [fingerprint] enabled and the fingerprint module (the
 *     finger step through the module's reader thread).
 *   - signature pad: the kiosk opens it only at the signature step, so outside a visit the
 *     self-test opens it itself (while it is open at a step, the module's status line is used).
 *   - screen and touch: from the kiosk's own window, fonts and catalogues (read on the main
 *     thread; SDL's video is not opened or closed again).
 *   - store, outbox, keys, audit log, clock: the self-test's checks as they are (the store on a
 *     connection of their own).
 * The screen says for each group where its results come from. "With hands-on steps" adds the
 * interactive steps (test photo, finger, a line on the pad), with the prompt on screen; results
 * appear as they are made. A display test pattern (colour bars, grey ramp, 1-px grid, the
 * resolution) and a touch test (targets in the corners and the centre turn green when touched;
 * missed ones are reported) fill the whole screen. Everything is logged (domain
 * biokiosk-technician) with check names, results and measured numbers only, and each run ends with
 * an audit entry technician.selftest.
 *
 * Script commands (scripted mode):
 *   technician-wait SECONDS   wait in real time, up to SECONDS, until the running checks ended
 *   technician-show CHECK     turn the list's pages (from the first) until the row of CHECK
 *                             (e.g. store.today) is on screen; fails when no page has it
 *   technician-prompt SECONDS wait in real time until a hands-on step's prompt is on screen;
 *                             logs "prompt on screen: TEXT" (a test then acts, e.g. places a
 *                             finger on the virtual reader), or "prompt answered before it was
 *                             drawn: TEXT" when the device answered at once
 */
#ifndef BIOKIOSK_TECHNICIAN_H
#define BIOKIOSK_TECHNICIAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"

struct config;

typedef struct technician_settings {
    const struct config *cfg; /* the kiosk's configuration; outlives technician_teardown */
} technician_settings;

/* Makes the technician screen available (session_technician_set_screen) and registers its
 * script command. Call once, after ui_new. BK_ERR_EXISTS when set up already. */
bk_err technician_setup(const technician_settings *set);

/* Stops a run (interactive waits end at once, a running check ends within its own time limit)
 * and waits for it. Call after the session is freed, before the configuration is. Nothing when
 * not set up. */
void technician_teardown(void);

#endif
