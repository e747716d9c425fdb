/* The technician screen ("technician"): `biokiosk selftest` inside the running kiosk.
 *
 * Staff with the technician role open it from the staff menu when no visit is in progress. It
 * runs the self-test's checks (app/selftest, the same code as the command) as a selftest_job on
 * the job's worker (app/selftest/selftest_job.h), so drawing never waits for a device; each group's
 * results appear when the group ends, each with pass/fail/skip, what was measured and what to do.
 * The kiosk's own capture modules may hold a device open; the screen does not open such a device a
 * second time:
 *   - camera: with [photo] enabled the kiosk's photo service holds it: "found" is its live status
 *     line (ui/capture.h); live view, decoding, faces and the test photo are run by the service
 *     with its own camera (its one check), reporting the self-test's names and values;
 *     without, the self-test opens the camera itself.
 *   - fingerprint reader: the same with [fingerprint] enabled and the fingerprint module (the
 *     finger step through the module's reader thread).
 *   - signature pad: the signature service's check (app/capture/signature.h): outside a visit it
 *     opens the pad itself; while the signature step has it open, its status line is used.
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
 * Its scripted-mode commands (technician-wait, technician-show, technician-prompt) are test
 * hooks (app/testhooks/technician_hooks.c); they look at the screen through the functions at
 * the end of this header.
 */
#ifndef BIOKIOSK_TECHNICIAN_H
#define BIOKIOSK_TECHNICIAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"

struct config;
struct session;

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

/* For the test hooks (main thread). True once checks were started on the screen. */
bool technician_ran(void);
/* True while the checks run. */
bool technician_running(void);
/* Takes in what the checks have now; a run that ended is logged and audited (once). */
void technician_sync(struct session *s);
/* Shows the first page of the list; false when the technician screen's list is not showing. */
bool technician_list_first_page(struct session *s);
/* True when the list goes on after the page shown. */
bool technician_more_pages(void);
/* The hands-on prompt now and the run's latest (transfer full, NULL when none); returns whether
 * the checks still run. */
bool technician_prompt(char **prompt, char **last);

#endif
