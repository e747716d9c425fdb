/* The photo service: the camera (drivers/camera), its pump thread and the analysis worker behind
 * one handle that app/kiosk.c makes and the photo screen (ui/screens/capture_photo.c) uses.
 *
 * Threads: the camera's own worker delivers its events; the service's "pump" thread collects
 * them, decodes live-view frames at half size (the preview) and hands the newest frame to the
 * "analysis" thread, which finds the face, runs the ICAO checks (photo_analyse_frame) and
 * processes full-size captures (photo_analyse_capture). Neither thread calls into the screen:
 * they put what is new on the service's event queue and call the wake function the composer
 * gave, so that the main loop drains the queue (photo_service_next_event) on its own thread.
 * Every photo_service_* call below is non-blocking unless it says otherwise, and may be made
 * from any one thread at a time (the kiosk: the main thread; photo_service_check: a worker of
 * the caller's).
 *
 * Nothing of a person stays in the service after photo_service_end: preview, frames, results
 * and queued events are dropped (image buffers of photos are wiped, core/biomem.h).
 */
#ifndef BIOKIOSK_CAPTURE_PHOTO_H
#define BIOKIOSK_CAPTURE_PHOTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/check.h"
#include "config/config.h"
#include "core/bk_err.h"
#include "imaging/icao.h"
#include "imaging/pic.h"

typedef struct photo_service photo_service;

#define PHOTO_MAX_ATTEMPTS 8
/* the crop at half size: the screens show it large and the officer zooms into it */
#define PHOTO_THUMB_W 622
#define PHOTO_THUMB_H 800

typedef struct photo_service_settings {
    const char *camera_model; /* libgphoto2 model; NULL or "" = first camera found on USB */
    const char *camera_port;  /* with camera_model, e.g. "ptpip:127.0.0.1:15740:15741" */
    const char *cascade_dir;  /* the Haar cascades; NULL or "" = /usr/share/opencv4/haarcascades */
    /* the dlib face landmark model (mouth, eyes, yaw, pitch and light checks); NULL or "": none,
     * and those checks are not made. Loaded by the analysis thread as soon as
     * photo_service_new starts it (about a second; photo_service_new does not wait for it):
     * the snapshot's `preparing` until then. */
    const char *landmark_model;
    int attempts; /* photos before the officer decides; 0 = 3, at most 8 */
    /* the check limits (the [photo] settings), for adults and for children under 10 */
    icao_settings limits, child_limits;
    int capture_timeout_ms;    /* the camera's deadline for capture plus download; 0 = 20000 */
    int open_retry_ms;         /* between attempts to (re)open the camera; 0 = the driver's */
    double check_live_seconds; /* how long photo_service_check measures live view; 0 = 3 */
    /* live view: a full face search every this many frames, tracking between (face_track);
     * 0 = 10, which still sees a second person stepping in within about half a second */
    int full_search_every;
    /* live view without a frontal face: dlib's detector looks for a turned head at most every
     * this many frames (facecheck_live.unfound_every); 0 = FACECHECK_UNFOUND_EVERY (10), < 0
     * never (live view as before it: the benchmark's comparison) */
    int unfound_every;
    /* The self-test: face models that do not load make photo_service_check's face detection
     * fail (with what to install) instead of photo_service_new. */
    bool faces_optional;
    /* Called on a service thread when there is something new for the screen (optional; see
     * photo_service_set_wake). Must not block or call back into the service. */
    void (*wake)(void *data);
    void *wake_data;
} photo_service_settings;

/* The defaults: adult and child limits of icao_settings_default, everything else 0/NULL. */
void photo_service_settings_init(photo_service_settings *set);

/* The settings of the configuration's [camera] and [photo] sections (photo_settings.c): the
 * camera, the face models, the attempts and every check limit for adults and children. The
 * strings stay cfg's (transfer none); wake and the self-test's fields are left at 0. */
void photo_service_settings_from_config(const config *cfg, photo_service_settings *set);

/* Opens the camera (its own worker thread) and starts the pump and analysis threads (transfer
 * full: photo_service_free). A camera that is not there is no error: the service says so in
 * its state and resumes when it comes. BK_ERR_NOT_FOUND (with *message, transfer full, g_free)
 * when the face models cannot be loaded; another error when the camera driver cannot start. */
bk_err photo_service_new(const photo_service_settings *set, photo_service **out, char **message);

/* Stops the threads and closes the camera; NULL does nothing. */
void photo_service_free(photo_service *ps);

/* Replaces the wake function (before the screen can be shown). */
void photo_service_set_wake(photo_service *ps, void (*wake)(void *data), void *data);

/* The attempts allowed before the officer decides (settings). */
int photo_service_attempts(const photo_service *ps);

/* Where the head must be in live frames of frame_w x frame_h (0 x 0 before the first: the
 * camera's 3:2), by the limits the service judges with (the child's when child): the head guide
 * the photo screen draws (icao_guide_get). Arithmetic on settings fixed at photo_service_new:
 * any thread, never blocks. */
void photo_service_guide(const photo_service *ps, bool child, int frame_w, int frame_h,
                         icao_guide *out);

/* ---- state and events ---- */

/* The camera's problems as the service reports them (drivers/camera's, for the screen). */
typedef enum photo_problem {
    PHOTO_PROBLEM_NONE = 0,
    PHOTO_PROBLEM_NOT_FOUND,       /* no camera answers */
    PHOTO_PROBLEM_CLAIMED,         /* another program holds the camera */
    PHOTO_PROBLEM_BUSY,            /* busy through every retry */
    PHOTO_PROBLEM_CAPTURE_TIMEOUT, /* the photo did not come in time */
    PHOTO_PROBLEM_LOST,            /* connection lost; reopening */
    PHOTO_PROBLEM_CORRUPT,         /* the photo from the camera is damaged or incomplete */
} photo_problem;

/* Stable lower-case name for logs and the audit ("not-found", ...). */
const char *photo_problem_name(photo_problem problem);

/* What the analysis says about the newest live frame. */
typedef struct photo_analysis {
    uint64_t seq; /* 1, 2, ... per analysed frame; 0: none yet */
    bool pass;    /* every check passes */
    bool has_face;
    char check[32];          /* the first failed check's name, or "" */
    const char *instruction; /* static English msgid (icao.c), or NULL */
    bool for_staff;          /* the instruction is for staff ("staff: ..." prefix) */
    /* the face found (the largest), as fractions of the frame: x, y, w, h, not mirrored; valid
     * when has_face. The screen outlines it beside the guide. With no frontal face, a turned
     * head dlib's detector found (facecheck_live.turned: check "yaw", never pass) is outlined
     * too. */
    float face[4];
} photo_analysis;

typedef struct photo_shown_check {
    const char *name; /* static (icao.c) */
    double value;
    bool pass;
} photo_shown_check;

/* A processed capture (transfer full to whoever takes it: photo_attempt_free). */
typedef struct photo_attempt {
    uint8_t *jpeg; /* the 1244 x 1600 crop (biomem), NULL when it could not be cropped */
    size_t len;
    pic *thumb; /* PHOTO_THUMB_W x PHOTO_THUMB_H for the screen */
    /* Where the officer's zoom goes, in the thumb's pixels (valid when `marked`): the eye centres
     * (the smaller x first) and the mouth's centre (the mean of the 20 lip landmarks; without
     * landmarks an estimate one eye distance below the eyes' midpoint, mouth_estimated). */
    bool marked, mouth_estimated;
    double eyes[2][2], mouth[2];
    bool compliant, cropped;
    int n_checks, n_passed;
    photo_shown_check checks[ICAO_MAX_CHECKS];
    const char *instruction; /* first failure's (static English msgid), or NULL */
    bool for_staff;
    int64_t when;  /* the screen's: when it was taken (wall clock, seconds) */
    bool rejected; /* the screen's: the officer rejected it */
} photo_attempt;

void photo_attempt_free(photo_attempt *a);

/* The part (x, y, w, h) of a's 1244 x 1600 crop (its pixels, twice the thumb's) at full
 * resolution, decoded from a->jpeg, that part only (picio_decode_region): what the officer's
 * zoom shows, so that it is the photo as recorded, not the thumb enlarged (transfer full:
 * pic_free). Keeps nothing: an attempt holds no more memory than its JPEG and thumb. A part of
 * the eyes' size takes a few milliseconds. BK_ERR_INVALID when a has no crop or the part is not
 * inside it; picio_decode_region's errors otherwise. */
bk_err photo_attempt_region(const photo_attempt *a, int x, int y, int w, int h, pic **out);

/* The camera's state as the screen shows it. */
typedef struct photo_snapshot {
    bool ready;             /* the camera is there and answers */
    photo_problem problem;  /* the one that paused the camera (not-found, claimed, lost) */
    photo_problem gone_why; /* the first of them since the camera was last ready */
    char problem_text[160]; /* the driver's own words for it (English, for logs and reports) */
    char model[64];         /* as the camera reports it ("" until ready) */
    char serial[64];        /* "" when it gives none */
    bool busy;              /* a frame, photo or check is held by the service's threads */
    /* the face models are still loading (the landmark model, about a second from the kiosk's
     * start, longer on a busy machine): live frames are shown but not analysed, and a photo
     * would wait; the screen says it is getting ready and offers no photo until a STATE event
     * clears this */
    bool preparing;
} photo_snapshot;

void photo_service_snapshot(photo_service *ps, photo_snapshot *out);

typedef enum photo_event_kind {
    PHOTO_EVENT_STATE,          /* ready, problem or model changed: read photo_service_snapshot */
    PHOTO_EVENT_FRAME,          /* a new preview (photo_service_preview) */
    PHOTO_EVENT_ANALYSIS,       /* ev.analysis holds the newest frame's */
    PHOTO_EVENT_CAPTURE_FAILED, /* ev.problem: busy, capture-timeout, corrupt, or the connection's
                                 */
    PHOTO_EVENT_RESULT,         /* ev.attempt: the processed capture (transfer full) */
} photo_event_kind;

typedef struct photo_event {
    photo_event_kind kind;
    photo_analysis analysis;
    photo_problem problem;
    photo_attempt *attempt;
} photo_event;

/* The next event, oldest first; false when there is none. STATE, FRAME and ANALYSIS events are
 * coalesced (only the newest of each waits), RESULT and CAPTURE_FAILED never. */
bool photo_service_next_event(photo_service *ps, photo_event *out);

/* Copies the newest preview (RGB, half the live-view size, not mirrored) into *dst, reusing it
 * when its size fits (transfer full: pic_free). False when there is none. */
bool photo_service_preview(photo_service *ps, pic **dst);

/* ---- requests (the screen's) ---- */

/* The photo step comes on screen for a person (child: under 10, the child limits): forgets the
 * tracked face and anything of the last person, and ends a technician check that holds the
 * camera. */
void photo_service_begin(photo_service *ps, bool child);

/* The step left the screen: live view off, and nothing of the person stays in the service
 * (preview, frames, results and queued events dropped). */
void photo_service_end(photo_service *ps);

/* Live view on or off (frames then come as PHOTO_EVENT_FRAME and PHOTO_EVENT_ANALYSIS). */
void photo_service_set_live(photo_service *ps, bool on);

/* Takes a photo: it comes back as PHOTO_EVENT_RESULT, or PHOTO_EVENT_CAPTURE_FAILED. Live frames
 * are not analysed meanwhile. BK_ERR_BUSY when a photo is already on its way. */
bk_err photo_service_capture(photo_service *ps);

/* The screen gave up on the photo on its way (its own deadline): its answer, when it comes, is
 * dropped, and the service is ready for the next capture. */
void photo_service_abandon_capture(photo_service *ps);

/* ---- technicians ---- */

/* camera.live_view, camera.frames_decode, camera.face_detection and (hands-on) camera.capture,
 * with the service's own camera, as `biokiosk selftest` reports them (capture/check.h). Blocks
 * (call on a worker, never on the main thread or a service thread) until every check is made
 * (each within its own limit, sooner on cancel or when the photo step comes on screen).
 * BK_ERR_BUSY (and no result) while the photo step is on screen or another check runs. */
bk_err photo_service_check(photo_service *ps, const capture_check_run *run);

/* One line on the camera for the staff's device status ("camera: MODEL, serial S, ready"). */
void photo_service_status(photo_service *ps, char *buf, size_t size);

#endif
