/* Shared by the files of the photo service only (app/capture/photo*.c): the handle's fields and
 * the pieces each file gives the others.
 *
 * photo.c           the handle: new/free, the event queue, state, requests, status line
 * photo_pump.c      the pump thread: camera events in, preview, frames and photos out
 * photo_analysis.c  the analysis thread and the analysis itself (a frame or a photo + limits)
 * photo_check.c     the technician's check with the service's camera
 */
#ifndef BIOKIOSK_CAPTURE_PHOTO_PRIV_H
#define BIOKIOSK_CAPTURE_PHOTO_PRIV_H

#include <glib.h>

#include "capture/photo.h"
#include "drivers/camera/camera.h"
#include "imaging/face.h"
#include "imaging/facecheck.h"
#include "imaging/icao.h"

#define PHOTO_LIVE_DECODE_SCALE 2
/* Live view tracks the face between full searches (face_track): a full search every this many
 * frames still sees a second person stepping in within about half a second. */
#define PHOTO_FULL_SEARCH_EVERY 10

/* Everything below `lock` is under it, except what the comments say. */
struct photo_service {
    /* set at creation, read-only after */
    camera *cam;
    face_finder *finder; /* NULL only with faces_optional */
    char *cascade_dir;
    int max_attempts;
    icao_settings limits[2]; /* [0] adults, [1] children under 10 */
    gint64 check_live_us;
    int full_search_every;
    int unfound_every; /* facecheck_live.unfound_every */
    GThread *pump, *worker;

    GMutex lock;
    GCond cond;     /* the analysis thread waits on this one */
    GCond chk_cond; /* the technician's check waits on this one */
    bool stopping;
    void (*wake)(void *data);
    void *wake_data;
    GQueue events; /* of photo_event *, oldest first */

    /* camera */
    bool ready;
    camera_problem problem;  /* the one that paused the camera (not-found, claimed, lost) */
    camera_problem gone_why; /* the first of them since the camera was last ready */
    char problem_text[160];
    char model[64];
    char serial[64];
    bool capturing;
    /* captures the screen gave up on (its deadline) whose answer has not come: the camera
     * answers captures in order, so the next answers are theirs and are dropped */
    int stale_captures;

    /* live view */
    pic *preview;
    pic *live_pic;     /* newest frame for the analysis thread: a copy of the decoded preview (the
                          frame is decoded once, not again for the analysis) */
    int capture_width; /* of the last capture (0: unknown) */
    bool child;
    bool live_wanted;     /* the screen shows live view */
    bool working;         /* the analysis thread is on a frame or a capture */
    bool track_reset;     /* the analysis thread forgets the tracked face (a new person) */
    facecheck_live live;  /* the analysis thread's own (not under the lock) */
    char *landmark_model; /* read-only after creation */
    landmarks *lm;        /* the analysis thread's own: loaded when it starts; NULL: none */
    /* the analysis thread still loads the landmark model (its first work, started with the
     * service at kiosk start): no frame or photo is analysed until it is done */
    bool models_loading;
    char model_problem[160]; /* the landmark model given did not load: why (under the lock) */
    uint64_t an_seq;

    /* capture */
    gint64 cap_asked;  /* when the screen asked for the photo (monotonic, us), for the log */
    uint8_t *cap_jpeg; /* the photo for the analysis thread (biomem) */
    size_t cap_len;

    /* a technician's check: while `checking` and the photo step is not on screen, frames, the
     * capture and its problems are the check's, not the screen's */
    bool screen_up;
    bool checking;
    bool chk_live;        /* live-view frames are counted */
    bool chk_capturing;   /* the test photo is on its way */
    gint64 chk_first;     /* when the first frame came (monotonic, us; 0: none yet) */
    gint64 chk_last;      /* when the last counted one came */
    unsigned chk_frames;  /* after the first */
    unsigned chk_decoded; /* of all, the first included */
    pic *chk_sample;      /* the newest decoded frame */
    char chk_problem[160];
    uint8_t *chk_jpeg; /* the test photo (biomem) */
    size_t chk_len;
    camera_problem chk_cap_problem;
    pic *chk_face_pic; /* a frame for the analysis thread's face finder */
    bool chk_face_done;
    bk_err chk_face_err;
    int chk_faces;
    double chk_face_ms;
};

/* photo.c: queues an event (under the lock; coalesces STATE, FRAME and ANALYSIS) and says
 * whether the wake function must be called once the lock is released. */
bool photo_push_locked(photo_service *ps, const photo_event *ev);
/* photo.c: calls the wake function (without the lock). */
void photo_wake(photo_service *ps);
/* photo.c: the camera's problem as the service's. */
photo_problem photo_problem_from_camera(camera_problem p);

/* photo.c: loads the landmark model on the analysis thread (its first work), then tells the
 * screen (a STATE event) that analysis can begin. */
void photo_load_models(photo_service *ps);

/* photo_pump.c: the pump thread's body (data: the service). */
gpointer photo_pump_main(gpointer data);

/* photo_analysis.c: the analysis thread's body (data: the service). */
gpointer photo_worker_main(gpointer data);

/* photo_analysis.c: the checks on one decoded live frame with the given limits (limits->live
 * and capture_scale already set by the caller); *out gets everything but seq. The place for
 * further checks on the frame (landmarks). */
void photo_analyse_frame(const face_finder *finder, const landmarks *lm, facecheck_live *live,
                         const pic *frame, const icao_settings *limits, photo_analysis *out);

/* photo_analysis.c: the full-size processing of a photo (its JPEG bytes; facecheck_capture
 * decodes only what it needs) with the given limits: the crop, every check, the encoded crop and
 * its thumbnail (transfer full). *width gets the capture's width (0 when unreadable). */
photo_attempt *photo_analyse_capture(const face_finder *finder, const landmarks *lm,
                                     const uint8_t *jpeg, size_t len, const icao_settings *limits,
                                     int *width);

#endif
