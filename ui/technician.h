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
struct screen_class;
struct session;

/* The technician screen with its state (the last run's results stay for the next visit of the
 * screen). */
typedef struct technician technician;

typedef struct technician_settings {
    const struct config *cfg; /* the kiosk's configuration; outlives technician_free */
} technician_settings;

/* Makes the technician screen available (session_technician_set_screen). Call once, after
 * ui_new. NULL when the session has a technician screen already. Transfer full:
 * technician_free. */
technician *technician_new(const technician_settings *set);

/* Stops a run (interactive waits end at once, a running check ends within its own time limit),
 * waits for it and frees the screen. Call after the session is freed, before the configuration
 * is. NULL does nothing. */
void technician_free(technician *t);

/* For the test hooks (main thread). The technician screen behind cls (e.g.
 * session_technician_screen()), NULL when cls is not one. */
technician *technician_of(const struct screen_class *cls);
/* True once checks were started on the screen. */
bool technician_ran(const technician *t);
/* True while the checks run. */
bool technician_running(const technician *t);
/* Takes in what the checks have now; a run that ended is logged and audited (once). */
void technician_sync(technician *t, struct session *s);
/* Shows the first page of the list; false when the technician screen's list is not showing. */
bool technician_list_first_page(technician *t, struct session *s);
/* True when the list goes on after the page shown. */
bool technician_more_pages(const technician *t);
/* The hands-on prompt now and the run's latest (transfer full, NULL when none); returns whether
 * the checks still run. */
bool technician_prompt(technician *t, char **prompt, char **last);

#endif
