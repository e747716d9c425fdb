/* The self-test as an asynchronous run inside the kiosk (the technician screen,
 * ui/screens/technician.c): the checks run on a worker of this job, never on the main thread;
 * each group's results appear as they are made, and the screen copies them out
 * (selftest_job_snapshot) when the job's wake function woke the main loop.
 *
 * The kiosk's capture services may hold a device open: the job never opens such a device a
 * second time. For each device group the caller gives the holding service's status line and its
 * one technician check (app/capture/check.h) as a selftest_held; without one, the job runs the
 * self-test's own check (which opens the device itself). The screen's own checks (display.*)
 * need the kiosk's window and are made on the main thread by the caller and handed in.
 */
#ifndef BIOKIOSK_SELFTEST_JOB_H
#define BIOKIOSK_SELFTEST_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/check.h"
#include "selftest/selftest.h"

typedef enum selftest_group {
    SELFTEST_GROUP_CAMERA,
    SELFTEST_GROUP_FINGER,
    SELFTEST_GROUP_SIGPAD,
    SELFTEST_GROUP_DISPLAY,
    SELFTEST_GROUP_STORE,
    SELFTEST_GROUP_FILES,
    SELFTEST_GROUP_CLOCK,
    SELFTEST_GROUP_COUNT_
} selftest_group;

typedef enum selftest_source {
    SELFTEST_SOURCE_DIRECT, /* the self-test's own check on the job's worker */
    SELFTEST_SOURCE_KIOSK,  /* what the kiosk's capture service (or its window) says */
} selftest_source;

typedef enum selftest_state {
    SELFTEST_STATE_WAITING,
    SELFTEST_STATE_RUNNING,
    SELFTEST_STATE_DONE,
} selftest_state;

/* A device that a capture service of the kiosk holds (all NULL: none does). */
typedef struct selftest_held {
    /* The service's status line; its device is ready when it ends in "ready". Any thread. */
    void (*status)(void *data, char *buf, size_t size);
    /* The service's technician check with its own open device (capture_check_run), or NULL. */
    bk_err (*check)(void *data, const capture_check_run *run);
    void *data;
} selftest_held;

typedef struct selftest_job_settings {
    const config *cfg; /* transfer none: outlives the job */
    bool interactive;  /* the hands-on steps */
    long long now;     /* the kiosk's clock, seconds since 1970 */
    selftest_held camera, finger;
    /* The signature service: its check runs whether or not its pad is open (it reports from
     * the open pad at the step, else opens the pad itself). */
    selftest_held sigpad;
    /* Called on the worker when something changed (thread-safe, e.g. SDL_PushEvent). */
    void (*wake)(void *data);
    void *wake_data;
} selftest_job_settings;

typedef struct selftest_job selftest_job;

/* What the job has so far, copied out (the caller owns it; selftest_job_view_clear). */
typedef struct selftest_job_view {
    selftest_report reps[SELFTEST_GROUP_COUNT_];
    selftest_state states[SELFTEST_GROUP_COUNT_];
    selftest_source sources[SELFTEST_GROUP_COUNT_];
    char *prompt;      /* a hands-on step's prompt now (an English msgid), or NULL */
    char *last_prompt; /* the run's latest prompt, kept after it is over */
    bool running;
} selftest_job_view;

/* Starts the checks on a worker (transfer full). display holds the screen's checks made on the
 * main thread; they are moved into the job (display is left empty). */
selftest_job *selftest_job_start(const selftest_job_settings *settings, selftest_report *display);

/* Ends the hands-on waits at once (a running check ends within its own time limit). */
void selftest_job_cancel(selftest_job *job);

/* True until every group has ended. Any thread. */
bool selftest_job_running(selftest_job *job);

/* Copies the job's state into *view (cleared first). */
void selftest_job_snapshot(selftest_job *job, selftest_job_view *view);

void selftest_job_view_clear(selftest_job_view *view);

/* Cancels, waits for the worker, frees. NULL does nothing. */
void selftest_job_free(selftest_job *job);

/* Counts over every group of a view. */
void selftest_job_view_count(const selftest_job_view *view, size_t *pass, size_t *fail,
                             size_t *skip);

#endif
