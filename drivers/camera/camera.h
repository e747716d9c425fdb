/* The camera: live view and full-size capture through libgphoto2, on a worker thread.
 *
 * camera_new() starts a worker that owns the libgphoto2 camera; nothing here blocks the
 * caller. Requests (live view on/off, capture) are queued to the worker; results come back as
 * events that the screen collects with camera_next_event() in its own loop - never callbacks.
 *
 * Failures become CAMERA_EVENT_PROBLEM events with a plain message for staff; the worker never
 * hangs: every libgphoto2 call runs under a deadline, and a PTP/IP call that overruns it is
 * broken off by shutting its sockets. A lost camera is reopened automatically (every
 * open_retry_ms) and live view resumes; CAMERA_EVENT_READY says when it is back.
 *
 * The process ignores SIGPIPE from camera_new() on: a camera that goes away mid-write must
 * give an error, not end the kiosk.
 */
#ifndef BIOKIOSK_CAMERA_H
#define BIOKIOSK_CAMERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

typedef struct camera camera;

typedef struct camera_config {
    const char *model;      /* libgphoto2 model, e.g. "PTP/IP Camera"; NULL = first camera found */
    const char *port;       /* e.g. "ptpip:127.0.0.1:15740:15741" or "usb:001,004"; with model */
    int capture_timeout_ms; /* capture plus download; 0 = 20000 */
    int frame_timeout_ms;   /* one live-view frame; 0 = 5000 */
    int open_retry_ms;      /* between attempts to (re)open; 0 = 1000 */
    int busy_retries;       /* extra capture attempts while the camera says busy; 0 = 3 */
} camera_config;

typedef enum camera_problem {
    CAMERA_PROBLEM_NONE = 0,
    CAMERA_PROBLEM_NOT_FOUND,       /* no camera answers */
    CAMERA_PROBLEM_CLAIMED,         /* another program holds the camera */
    CAMERA_PROBLEM_BUSY,            /* busy through every retry */
    CAMERA_PROBLEM_CAPTURE_TIMEOUT, /* the photo did not come in time */
    CAMERA_PROBLEM_LOST,            /* connection lost; reopening */
    CAMERA_PROBLEM_CORRUPT,         /* the photo from the camera is damaged or incomplete */
    CAMERA_PROBLEM_COUNT_
} camera_problem;

typedef enum camera_event_kind {
    CAMERA_EVENT_READY,    /* opened (again): model in `model` and `text`, serial number in
                              `serial` ("" when the camera does not say); live view resumes */
    CAMERA_EVENT_FRAME,    /* a live-view JPEG in data/size, sequence number in `seq` */
    CAMERA_EVENT_CAPTURED, /* the full-size JPEG in data/size, checked to decode whole */
    CAMERA_EVENT_PROBLEM,  /* `problem`, `err` and a message for staff in `text` */
} camera_event_kind;

typedef struct camera_event {
    camera_event_kind kind;
    camera_problem problem;
    bk_err err;
    const char *text; /* static or owned by the event; valid until camera_event_free */
    uint8_t *data;    /* biomem (wiped on free); owned by the event */
    size_t size;
    uint64_t seq;
    char model[64];
    char serial[64];
} camera_event;

/* Starts the worker, which opens the camera at once and reports READY or a PROBLEM
 * (transfer full: camera_free). The config's strings are copied. */
bk_err camera_new(const camera_config *config, camera **out);

/* Stops the worker (waiting for a libgphoto2 call in progress at most its deadline), closes the
 * camera, frees unread events. NULL does nothing. */
void camera_free(camera *cam);

/* Live view on or off. While on, FRAME events follow as fast as the camera delivers; when the
 * reader falls behind, older frames are dropped (at most 2 wait). */
void camera_set_live(camera *cam, bool on);

/* Takes a photo: a CAPTURED or a PROBLEM event follows. Live view pauses meanwhile. */
void camera_capture(camera *cam);

/* The next event, waiting up to timeout_ms (0: do not wait). Returns false when none came
 * (transfer full: camera_event_free). */
bool camera_next_event(camera *cam, int timeout_ms, camera_event **out);

void camera_event_free(camera_event *ev);

/* The message for staff for a problem, in plain English words (for logs and tools; a screen
 * shows its own translated text by the problem's code). */
const char *camera_problem_message(camera_problem problem);

/* A short stable name: "not-found", "claimed", "busy", "capture-timeout", "lost", "corrupt". */
const char *camera_problem_name(camera_problem problem);

#endif
