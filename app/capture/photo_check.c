/* The technician's check of the camera with the photo service's own camera (photo.h:
 * photo_service_check): the same check names, values and units as `biokiosk selftest`, which
 * runs this code on a service of its own. */
#include <string.h>

#include "capture/photo-priv.h"
#include "core/biomem.h"
#include "imaging/picio.h"

/* marks a prompt for the catalogues; the screen that shows it translates it */
#define N_(s) (s)

#define CHECK_FIRST_US   (10 * G_USEC_PER_SEC)  /* the first frame, after the live time */
#define CHECK_FACE_US    (20 * G_USEC_PER_SEC)  /* counted from the face models' load */
#define CHECK_MODELS_US  (300 * G_USEC_PER_SEC) /* the load itself: about a second, far less */
#define CHECK_CAPTURE_US (60 * G_USEC_PER_SEC)

/* Under the lock. */
static bool check_cancelled(const photo_service *ps, const capture_check_run *run)
{
    return (run->cancel && g_atomic_int_get(run->cancel)) || ps->screen_up || ps->stopping;
}

/* Waits on the check's condition until `end` (under the lock), in slices so that a cancel is
 * seen at once; false when `end` has passed. */
static bool check_sleep(photo_service *ps, gint64 end)
{
    gint64 now = g_get_monotonic_time();
    if (now >= end)
        return false;
    g_cond_wait_until(&ps->chk_cond, &ps->lock, MIN(end, now + 100 * G_TIME_SPAN_MILLISECOND));
    return true;
}

static void check_skip_all(const capture_check_run *run, const char *why)
{
    static const char *const names[] = {"camera.live_view", "camera.frames_decode",
                                        "camera.face_detection", "camera.capture"};
    capture_check_skip(run, names, G_N_ELEMENTS(names), why);
}

typedef struct live_counts {
    gint64 first, last;
    unsigned frames, decoded;
    char problem[160];
} live_counts;

/* Live view for the live time (after the first frame, which may take 10 s more to come); the
 * counts in *c and the newest decoded frame in *sample (transfer full). False when the check
 * was cancelled. */
static bool measure_live(photo_service *ps, const capture_check_run *run, live_counts *c,
                         pic **sample)
{
    gint64 t0 = g_get_monotonic_time();
    g_mutex_lock(&ps->lock);
    if (check_cancelled(ps, run)) {
        g_mutex_unlock(&ps->lock);
        return false;
    }
    ps->chk_live = true;
    /* under the lock: the photo step coming on screen switches live view on after this */
    camera_set_live(ps->cam, true);
    gint64 end = t0 + ps->check_live_us + CHECK_FIRST_US;
    while (!check_cancelled(ps, run)) {
        if (ps->chk_first != 0)
            end = ps->chk_first + ps->check_live_us;
        if (!check_sleep(ps, end))
            break;
    }
    ps->chk_live = false;
    bool cancelled = check_cancelled(ps, run);
    if (!ps->screen_up)
        camera_set_live(ps->cam, false);
    c->first = ps->chk_first;
    c->last = ps->chk_last;
    c->frames = ps->chk_frames;
    c->decoded = ps->chk_decoded;
    *sample = ps->chk_sample;
    ps->chk_sample = NULL;
    g_strlcpy(c->problem, ps->chk_problem, sizeof c->problem);
    g_mutex_unlock(&ps->lock);
    return !cancelled;
}

/* camera.live_view and camera.frames_decode; the newest decoded frame in *sample (transfer
 * full). False when the check was cancelled. */
static bool check_live(photo_service *ps, const capture_check_run *run, pic **sample)
{
    gint64 t0 = g_get_monotonic_time();
    live_counts c = {0};
    if (!measure_live(ps, run, &c, sample))
        return false;
    /* as `biokiosk selftest` reports them */
    unsigned total = c.frames + (c.first != 0);
    double fps = c.frames > 0 && c.last > c.first
                     ? c.frames / ((double)(c.last - c.first) / G_USEC_PER_SEC)
                     : 0.0;
    double seconds = (double)ps->check_live_us / G_USEC_PER_SEC;
    if (total == 0)
        capture_check_report(
            run, "camera.live_view", CAPTURE_CHECK_FAIL, t0,
            "Switch the camera off and on; check that it is in a mode with live view.", "fps", fps,
            "no live-view frame in %.0f s%s%s", seconds + 10, c.problem[0] ? ": " : "", c.problem);
    else
        capture_check_report(run, "camera.live_view", CAPTURE_CHECK_PASS, t0, NULL, "fps", fps,
                             "%u frames, %.1f frames per second over %.1f s", total, fps, seconds);
    if (total == 0)
        capture_check_report(run, "camera.frames_decode", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "Skipped: no frames.");
    else
        capture_check_report(
            run, "camera.frames_decode",
            c.decoded == total ? CAPTURE_CHECK_PASS : CAPTURE_CHECK_FAIL, t0,
            "Frames from the camera are damaged: check the cable, then switch the camera "
            "off and on.",
            "share", (double)c.decoded / total, "%u of %u frames decode", c.decoded, total);
    return true;
}

/* One face search on the frame (transfer full), by the analysis thread with the service's face
 * finder (so that it never runs beside the step's own analysis). False when cancelled. */
static bool check_faces(photo_service *ps, const capture_check_run *run, pic *sample)
{
    if (sample == NULL) {
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "Skipped: no frame.");
        return true;
    }
    gint64 t0 = g_get_monotonic_time();
    int w = sample->width, h = sample->height;
    if (ps->finder == NULL) {
        pic_free(sample);
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                             "Install Debian's opencv-data (the face models in "
                             "/usr/share/opencv4/haarcascades).",
                             NULL, 0, "face models not found in %s", ps->cascade_dir);
        return true;
    }
    g_mutex_lock(&ps->lock);
    ps->chk_face_done = false;
    ps->chk_face_pic = sample;
    g_cond_signal(&ps->cond);
    /* the analysis thread searches once it has loaded the face models (at the service's start:
     * a check made just after it, or on a busy machine, waits for them first) */
    gint64 end = t0 + CHECK_FACE_US;
    bool loading = ps->models_loading;
    while (!ps->chk_face_done && !check_cancelled(ps, run)) {
        loading = ps->models_loading;
        if (loading)
            end = MIN(g_get_monotonic_time() + CHECK_FACE_US, t0 + CHECK_MODELS_US);
        if (!check_sleep(ps, end))
            break;
    }
    bool done = ps->chk_face_done, cancelled = check_cancelled(ps, run);
    /* a frame the analysis thread has not taken yet is the check's to free */
    pic_free(ps->chk_face_pic);
    ps->chk_face_pic = NULL;
    bk_err err = ps->chk_face_err;
    int faces = ps->chk_faces;
    double ms = ps->chk_face_ms;
    char model_problem[sizeof ps->model_problem];
    g_strlcpy(model_problem, ps->model_problem, sizeof model_problem);
    g_mutex_unlock(&ps->lock);
    if (!done && cancelled)
        return false;
    if (!done && loading)
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                             "The face landmark model did not load: check [photo] "
                             "landmark_model (a readable model file), then restart the kiosk.",
                             NULL, 0, "the face models were still loading after %d s",
                             (int)(CHECK_MODELS_US / G_USEC_PER_SEC));
    else if (!done)
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                             "The face detector failed on a live frame: report it.", NULL, 0,
                             "no answer from the face detector within %d s",
                             (int)(CHECK_FACE_US / G_USEC_PER_SEC));
    else if (err != BK_OK)
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                             "The face detector failed on a live frame: report it.", "ms", ms, "%s",
                             bk_err_str(err));
    else if (model_problem[0] != '\0')
        /* the faces are found, but without the landmarks mouth, eyes, pose and light go
         * unchecked on every photo: the kiosk must not look ready */
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                             "Install Debian's libdlib-data (the face landmark model), or correct "
                             "[photo] landmark_model, then restart the kiosk.",
                             "ms", ms,
                             "%d face%s found in %.0f ms, but the face landmark model did not "
                             "load (%s): mouth, eyes, head pose and light are not checked",
                             faces, faces == 1 ? "" : "s", ms, model_problem);
    else
        capture_check_report(run, "camera.face_detection", CAPTURE_CHECK_PASS, t0, NULL, "ms", ms,
                             "%d face%s found in %.0f ms on a %dx%d frame", faces,
                             faces == 1 ? "" : "s", ms, w, h);
    return true;
}

/* A test photo taken and downloaded; its size. */
static void check_capture(photo_service *ps, const capture_check_run *run)
{
    if (run->prompt)
        run->prompt(run->data, N_("Camera: taking a test photo now."));
    gint64 t0 = g_get_monotonic_time();
    g_mutex_lock(&ps->lock);
    bool cancelled = check_cancelled(ps, run);
    if (!cancelled) {
        ps->chk_capturing = true;
        ps->chk_cap_problem = CAMERA_PROBLEM_NONE;
        camera_capture(ps->cam);
        gint64 end = t0 + CHECK_CAPTURE_US;
        while (ps->chk_capturing && !check_cancelled(ps, run)) {
            if (!check_sleep(ps, end))
                break;
        }
        cancelled = ps->chk_capturing && check_cancelled(ps, run);
    }
    uint8_t *jpeg = ps->chk_jpeg;
    size_t len = ps->chk_len;
    ps->chk_jpeg = NULL;
    camera_problem problem = ps->chk_cap_problem;
    g_mutex_unlock(&ps->lock);
    int w = 0, h = 0;
    if (jpeg && picio_peek_size(jpeg, len, &w, &h) == BK_OK)
        capture_check_report(run, "camera.capture", CAPTURE_CHECK_PASS, t0, NULL, "ms",
                             (double)(g_get_monotonic_time() - t0) / 1000.0,
                             "%dx%d photo, %zu bytes, taken and downloaded", w, h, len);
    else
        capture_check_report(
            run, "camera.capture", CAPTURE_CHECK_FAIL, t0,
            "Check the camera's battery, lens cap and memory; switch it off and on.", NULL, 0, "%s",
            jpeg                             ? "the photo does not decode"
            : problem != CAMERA_PROBLEM_NONE ? camera_problem_message(problem)
            : cancelled                      ? "cancelled"
                                             : "no photo within 60 s");
    /* the technician's photo is not kept */
    biomem_free(jpeg);
    if (run->prompt)
        run->prompt(run->data, NULL);
}

bk_err photo_service_check(photo_service *ps, const capture_check_run *run)
{
    g_mutex_lock(&ps->lock);
    if (ps->screen_up || ps->checking || ps->capturing || ps->working || ps->cap_jpeg ||
        ps->live_wanted) {
        g_mutex_unlock(&ps->lock);
        return BK_ERR_BUSY;
    }
    bool ready = ps->ready;
    ps->checking = true;
    ps->chk_first = ps->chk_last = 0;
    ps->chk_frames = ps->chk_decoded = 0;
    ps->chk_problem[0] = '\0';
    g_mutex_unlock(&ps->lock);
    g_message("technician's check: camera (hands-on %s)", run->hands_on ? "yes" : "no");
    pic *sample = NULL;
    if (!ready)
        check_skip_all(run, "Skipped: no camera.");
    else if (!check_live(ps, run, &sample))
        check_skip_all(run, "cancelled");
    else if (!check_faces(ps, run, sample))
        capture_check_report(run, "camera.capture", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "cancelled");
    else if (!run->hands_on)
        capture_check_report(run, "camera.capture", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "Only with the hands-on steps.");
    else
        check_capture(ps, run);
    g_mutex_lock(&ps->lock);
    ps->checking = false;
    ps->chk_live = false;
    pic_free(ps->chk_sample);
    ps->chk_sample = NULL;
    biomem_free(ps->chk_jpeg);
    ps->chk_jpeg = NULL;
    g_mutex_unlock(&ps->lock);
    return BK_OK;
}
