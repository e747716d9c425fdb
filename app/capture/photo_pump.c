/* The photo service's pump thread: the camera's events in; the preview, the newest frame for the
 * analysis, the photos and the camera's state out (photo-priv.h). */
#include <string.h>

#include "capture/photo-priv.h"
#include "core/biomem.h"
#include "imaging/picio.h"

static bool capture_problem(camera_problem p)
{
    return p == CAMERA_PROBLEM_BUSY || p == CAMERA_PROBLEM_CAPTURE_TIMEOUT ||
           p == CAMERA_PROBLEM_CORRUPT;
}

/* A live-view frame during a technician's check: counted, timed and decoded as the self-test
 * does (at half size), never shown or analysed for a person. */
static void check_frame(photo_service *ps, const camera_event *ev)
{
    gint64 now = g_get_monotonic_time();
    pic *p = NULL;
    bool ok = picio_decode(ev->data, ev->size, PHOTO_LIVE_DECODE_SCALE, &p) == BK_OK;
    g_mutex_lock(&ps->lock);
    if (ps->chk_first == 0) {
        ps->chk_first = now;
    } else {
        ps->chk_frames++;
        ps->chk_last = now;
    }
    if (ok) {
        ps->chk_decoded++;
        pic_free(ps->chk_sample);
        ps->chk_sample = p;
        p = NULL;
    }
    g_cond_broadcast(&ps->chk_cond);
    g_mutex_unlock(&ps->lock);
    pic_free(p);
}

static void on_frame(photo_service *ps, const camera_event *ev)
{
    g_mutex_lock(&ps->lock);
    bool wanted = ps->live_wanted;
    bool capturing = ps->capturing;
    bool check = ps->chk_live && !ps->screen_up;
    g_mutex_unlock(&ps->lock);
    if (check) {
        check_frame(ps, ev);
        return;
    }
    if (!wanted)
        return; /* a frame still in flight after live view was switched off */
    /* While a photo is taken and processed the screen says "Hold still" over the last frame (a
     * camera's live view stops for its capture too): the frames in between would only be
     * decoded and drawn at the cost of the photo's own processing, which the person waits for. */
    if (capturing)
        return;
    pic *p = NULL, *copy = NULL;
    if (picio_decode(ev->data, ev->size, PHOTO_LIVE_DECODE_SCALE, &p) != BK_OK)
        return; /* a damaged frame is skipped */
    if (pic_new(p->width, p->height, p->channels, &copy) == BK_OK)
        memcpy(copy->px, p->px, (size_t)p->width * (size_t)p->height * (size_t)p->channels);
    g_mutex_lock(&ps->lock);
    if (!ps->live_wanted) {
        /* the step ended while this frame was decoded: nothing of the person stays */
        g_mutex_unlock(&ps->lock);
        pic_free(p);
        pic_free(copy);
        return;
    }
    pic_free(ps->preview);
    ps->preview = p;
    if (copy != NULL) {
        pic_free(ps->live_pic);
        ps->live_pic = copy;
    }
    g_cond_signal(&ps->cond);
    bool wake = photo_push_locked(ps, &(photo_event){.kind = PHOTO_EVENT_FRAME});
    g_mutex_unlock(&ps->lock);
    if (wake)
        photo_wake(ps);
}

static void on_captured(photo_service *ps, camera_event *ev)
{
    g_mutex_lock(&ps->lock);
    if (ps->chk_capturing) {
        /* the technician's test photo: never processed as an attempt (one that comes after its
         * check ended is dropped with the event). The camera answers captures in order, so the
         * first answer after the test photo's request is its own, also when the photo step has
         * asked for a photo since. */
        if (ps->checking) {
            biomem_free(ps->chk_jpeg);
            ps->chk_jpeg = ev->data;
            ps->chk_len = ev->size;
            ev->data = NULL;
        }
        ps->chk_capturing = false;
        g_cond_broadcast(&ps->chk_cond);
        g_mutex_unlock(&ps->lock);
        return;
    }
    if (ps->stale_captures > 0) {
        ps->stale_captures--;
        g_mutex_unlock(&ps->lock);
        g_message("photo: a capture came after the screen's deadline, dropped");
        return;
    }
    biomem_free(ps->cap_jpeg);
    ps->cap_jpeg = ev->data;
    ps->cap_len = ev->size;
    ev->data = NULL;
    /* the device's part of the wait for a photo (capture and download), apart from ours */
    double ms = (double)(g_get_monotonic_time() - ps->cap_asked) / 1000.0;
    size_t kb = ps->cap_len / 1024;
    g_cond_signal(&ps->cond);
    g_mutex_unlock(&ps->lock);
    g_message("photo: the camera delivered the photo in %.0f ms (%zu kB)", ms, kb);
}

/* Under the lock: a failed capture reaches the screen (unless it gave up on it already). */
static bool capture_failed_locked(photo_service *ps, camera_problem problem)
{
    if (ps->stale_captures > 0) {
        /* a capture the screen already gave up on (and said so) */
        ps->stale_captures--;
        return false;
    }
    ps->capturing = false;
    photo_event fe = {.kind = PHOTO_EVENT_CAPTURE_FAILED,
                      .problem = photo_problem_from_camera(problem)};
    return photo_push_locked(ps, &fe);
}

static void on_problem(photo_service *ps, const camera_event *ev)
{
    bool wake = false;
    g_mutex_lock(&ps->lock);
    if (ps->chk_live)
        g_strlcpy(ps->chk_problem, ev->text ? ev->text : "", sizeof ps->chk_problem);
    if (ps->chk_capturing) {
        /* the test photo failed, or was lost with the connection */
        ps->chk_cap_problem = ev->problem;
        ps->chk_capturing = false;
        g_cond_broadcast(&ps->chk_cond);
        if (capture_problem(ev->problem)) {
            g_mutex_unlock(&ps->lock);
            g_message("camera problem in the technician's check: %s",
                      camera_problem_name(ev->problem));
            return;
        }
    }
    if (capture_problem(ev->problem)) {
        wake = capture_failed_locked(ps, ev->problem);
    } else {
        ps->stale_captures = 0; /* nothing in flight survives the connection */
        if (ps->ready || ps->gone_why == CAMERA_PROBLEM_NONE)
            ps->gone_why = ev->problem;
        ps->ready = false;
        ps->problem = ev->problem;
        g_strlcpy(ps->problem_text, ev->text ? ev->text : camera_problem_message(ev->problem),
                  sizeof ps->problem_text);
        if (ps->capturing) {
            /* the photo in flight is lost with the connection */
            wake = capture_failed_locked(ps, ev->problem) || wake;
        }
        wake = photo_push_locked(ps, &(photo_event){.kind = PHOTO_EVENT_STATE}) || wake;
    }
    g_cond_broadcast(&ps->chk_cond);
    g_mutex_unlock(&ps->lock);
    g_message("camera problem: %s", camera_problem_name(ev->problem));
    if (wake)
        photo_wake(ps);
}

static void on_ready(photo_service *ps, const camera_event *ev)
{
    g_mutex_lock(&ps->lock);
    ps->ready = true;
    ps->stale_captures = 0;
    ps->problem = CAMERA_PROBLEM_NONE;
    ps->gone_why = CAMERA_PROBLEM_NONE;
    ps->problem_text[0] = '\0';
    g_strlcpy(ps->model, ev->model[0] ? ev->model : (ev->text ? ev->text : ""), sizeof ps->model);
    g_strlcpy(ps->serial, ev->serial, sizeof ps->serial);
    bool wake = photo_push_locked(ps, &(photo_event){.kind = PHOTO_EVENT_STATE});
    g_cond_broadcast(&ps->chk_cond);
    g_mutex_unlock(&ps->lock);
    g_message("camera ready");
    if (wake)
        photo_wake(ps);
}

gpointer photo_pump_main(gpointer data)
{
    photo_service *ps = data;
    for (;;) {
        g_mutex_lock(&ps->lock);
        bool stop = ps->stopping;
        g_mutex_unlock(&ps->lock);
        if (stop)
            break;
        camera_event *ev = NULL;
        if (!camera_next_event(ps->cam, 100, &ev))
            continue;
        switch (ev->kind) {
        case CAMERA_EVENT_FRAME:
            on_frame(ps, ev);
            break;
        case CAMERA_EVENT_CAPTURED:
            on_captured(ps, ev);
            break;
        case CAMERA_EVENT_PROBLEM:
            on_problem(ps, ev);
            break;
        case CAMERA_EVENT_READY:
            on_ready(ps, ev);
            break;
        }
        camera_event_free(ev);
    }
    return NULL;
}
