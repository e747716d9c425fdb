/* The photo service's handle: creation, the event queue, the state, the screen's requests and
 * the status line (photo.h). The threads are in photo_pump.c and photo_analysis.c, the
 * technician's check in photo_check.c. */
#include "capture/photo.h"

#include <string.h>

#include "capture/photo-priv.h"
#include "core/biomem.h"
#include "imaging/picio.h"

#define DEFAULT_CASCADES "/usr/share/opencv4/haarcascades"
/* The camera driver's own deadline for capture plus download (the screen has its own, longer:
 * a driver whose watchdog does not end a hung call must not hold the person for ever). */
#define CAPTURE_TIMEOUT_MS 20000
#define CHECK_LIVE_S       3.0

void photo_service_settings_init(photo_service_settings *set)
{
    memset(set, 0, sizeof *set);
    set->limits = icao_settings_default(false);
    set->child_limits = icao_settings_default(true);
}

void photo_attempt_free(photo_attempt *a)
{
    if (a == NULL)
        return;
    biomem_free(a->jpeg);
    pic_free(a->thumb);
    g_free(a);
}

bk_err photo_attempt_region(const photo_attempt *a, int x, int y, int w, int h, pic **out)
{
    if (a == NULL || a->jpeg == NULL || out == NULL || x < 0 || y < 0 || w <= 0 || h <= 0 ||
        x + w > ICAO_OUT_WIDTH || y + h > ICAO_OUT_HEIGHT)
        return BK_ERR_INVALID;
    pic *r = NULL, *part = NULL;
    int ox = 0, oy = 0;
    bk_err err = picio_decode_region(a->jpeg, a->len, 1, x, y, w, h, &r, &ox, &oy);
    if (err == BK_OK && (ox > x || oy > y || r->width < x - ox + w || r->height < y - oy + h))
        err = BK_ERR_CORRUPT; /* the JPEG is not the crop's size */
    if (err == BK_OK)
        err = pic_new(w, h, 3, &part);
    if (err == BK_OK) {
        /* libjpeg starts the rows at a block boundary left of x */
        for (int row = 0; row < h; row++)
            memcpy(part->px + (size_t)row * (size_t)w * 3,
                   r->px + ((size_t)(y - oy + row) * (size_t)r->width + (size_t)(x - ox)) * 3,
                   (size_t)w * 3);
        *out = part;
    }
    pic_free(r);
    return err;
}

void photo_service_guide(const photo_service *ps, bool child, int frame_w, int frame_h,
                         icao_guide *out)
{
    if (frame_w <= 0 || frame_h <= 0) {
        frame_w = 3;
        frame_h = 2;
    }
    icao_guide_get(&ps->limits[child ? 1 : 0], frame_w, frame_h, out);
}

static void event_free(photo_event *ev)
{
    if (ev == NULL)
        return;
    photo_attempt_free(ev->attempt);
    g_free(ev);
}

/* Under the lock. */
static void drop_events(photo_service *ps)
{
    photo_event *ev;
    while ((ev = g_queue_pop_head(&ps->events)) != NULL)
        event_free(ev);
}

bk_err photo_service_new(const photo_service_settings *set, photo_service **out, char **message)
{
    const char *dir = set->cascade_dir && set->cascade_dir[0] ? set->cascade_dir : DEFAULT_CASCADES;
    face_finder *finder = NULL;
    bk_err err = face_finder_new(dir, &finder);
    if (err != BK_OK && !set->faces_optional) {
        if (message)
            *message = g_strdup_printf(
                "[photo] cascades: cannot load the face models from %s (package opencv-data): %s",
                dir, bk_err_str(err));
        return BK_ERR_NOT_FOUND;
    }
    bool model = set->camera_model && set->camera_model[0];
    camera_config cc = {
        .model = model ? set->camera_model : NULL,
        .port = model ? set->camera_port : NULL,
        .capture_timeout_ms =
            set->capture_timeout_ms > 0 ? set->capture_timeout_ms : CAPTURE_TIMEOUT_MS,
        .open_retry_ms = set->open_retry_ms,
    };
    camera *cam = NULL;
    err = camera_new(&cc, &cam);
    if (err != BK_OK) {
        face_finder_free(finder);
        if (message)
            *message = g_strdup_printf("[camera]: cannot start the camera: %s", bk_err_str(err));
        return err;
    }
    photo_service *ps = g_new0(photo_service, 1);
    ps->cam = cam;
    ps->finder = finder;
    ps->cascade_dir = g_strdup(dir);
    ps->max_attempts = set->attempts > 0 ? MIN(set->attempts, PHOTO_MAX_ATTEMPTS) : 3;
    ps->limits[0] = set->limits;
    ps->limits[1] = set->child_limits;
    ps->check_live_us =
        (gint64)((set->check_live_seconds > 0 ? set->check_live_seconds : CHECK_LIVE_S) *
                 G_USEC_PER_SEC);
    ps->full_search_every =
        set->full_search_every > 0 ? set->full_search_every : PHOTO_FULL_SEARCH_EVERY;
    ps->wake = set->wake;
    ps->wake_data = set->wake_data;
    g_mutex_init(&ps->lock);
    g_cond_init(&ps->cond);
    g_cond_init(&ps->chk_cond);
    g_queue_init(&ps->events);
    ps->unfound_every = set->unfound_every == 0  ? FACECHECK_UNFOUND_EVERY
                        : set->unfound_every < 0 ? 0
                                                 : set->unfound_every;
    facecheck_live_init(&ps->live, ps->full_search_every);
    ps->live.unfound_every = ps->unfound_every;
    ps->landmark_model = g_strdup(set->landmark_model);
    ps->models_loading = ps->landmark_model != NULL && ps->landmark_model[0] != '\0';
    ps->pump = g_thread_new("photo-pump", photo_pump_main, ps);
    ps->worker = g_thread_new("photo-analysis", photo_worker_main, ps);
    *out = ps;
    return BK_OK;
}

void photo_load_models(photo_service *ps)
{
    if (!ps->models_loading)
        return;
    gint64 t0 = g_get_monotonic_time();
    landmarks *lm = NULL;
    bk_err err = landmarks_new(ps->landmark_model, &lm);
    if (err != BK_OK)
        g_warning("face landmark model %s: %s; mouth, eyes, yaw, pitch and light are not "
                  "checked",
                  ps->landmark_model, bk_err_str(err));
    else
        g_message("photo: face landmark model loaded in %.0f ms",
                  (double)(g_get_monotonic_time() - t0) / 1000.0);
    g_mutex_lock(&ps->lock);
    ps->lm = lm;
    ps->models_loading = false;
    if (err != BK_OK)
        g_snprintf(ps->model_problem, sizeof ps->model_problem, "%s: %s", ps->landmark_model,
                   bk_err_str(err));
    /* a photo step that came up meanwhile says it is getting ready: it may begin now */
    bool wake = ps->screen_up && photo_push_locked(ps, &(photo_event){.kind = PHOTO_EVENT_STATE});
    g_mutex_unlock(&ps->lock);
    if (wake)
        photo_wake(ps);
}

void photo_service_free(photo_service *ps)
{
    if (ps == NULL)
        return;
    g_mutex_lock(&ps->lock);
    ps->stopping = true;
    g_cond_broadcast(&ps->cond);
    g_cond_broadcast(&ps->chk_cond);
    g_mutex_unlock(&ps->lock);
    g_thread_join(ps->pump);
    g_thread_join(ps->worker);
    camera_free(ps->cam);
    face_finder_free(ps->finder);
    drop_events(ps);
    pic_free(ps->preview);
    pic_free(ps->live_pic);
    biomem_free(ps->cap_jpeg);
    pic_free(ps->chk_sample);
    pic_free(ps->chk_face_pic);
    biomem_free(ps->chk_jpeg);
    g_free(ps->cascade_dir);
    landmarks_free(ps->lm);
    g_free(ps->landmark_model);
    g_mutex_clear(&ps->lock);
    g_cond_clear(&ps->cond);
    g_cond_clear(&ps->chk_cond);
    g_free(ps);
}

void photo_service_set_wake(photo_service *ps, void (*wake)(void *data), void *data)
{
    g_mutex_lock(&ps->lock);
    ps->wake = wake;
    ps->wake_data = data;
    g_mutex_unlock(&ps->lock);
}

int photo_service_attempts(const photo_service *ps)
{
    return ps->max_attempts;
}

const char *photo_problem_name(photo_problem problem)
{
    switch (problem) {
    case PHOTO_PROBLEM_NOT_FOUND:
        return camera_problem_name(CAMERA_PROBLEM_NOT_FOUND);
    case PHOTO_PROBLEM_CLAIMED:
        return camera_problem_name(CAMERA_PROBLEM_CLAIMED);
    case PHOTO_PROBLEM_BUSY:
        return camera_problem_name(CAMERA_PROBLEM_BUSY);
    case PHOTO_PROBLEM_CAPTURE_TIMEOUT:
        return camera_problem_name(CAMERA_PROBLEM_CAPTURE_TIMEOUT);
    case PHOTO_PROBLEM_LOST:
        return camera_problem_name(CAMERA_PROBLEM_LOST);
    case PHOTO_PROBLEM_CORRUPT:
        return camera_problem_name(CAMERA_PROBLEM_CORRUPT);
    default:
        return camera_problem_name(CAMERA_PROBLEM_NONE);
    }
}

photo_problem photo_problem_from_camera(camera_problem p)
{
    switch (p) {
    case CAMERA_PROBLEM_NOT_FOUND:
        return PHOTO_PROBLEM_NOT_FOUND;
    case CAMERA_PROBLEM_CLAIMED:
        return PHOTO_PROBLEM_CLAIMED;
    case CAMERA_PROBLEM_BUSY:
        return PHOTO_PROBLEM_BUSY;
    case CAMERA_PROBLEM_CAPTURE_TIMEOUT:
        return PHOTO_PROBLEM_CAPTURE_TIMEOUT;
    case CAMERA_PROBLEM_LOST:
        return PHOTO_PROBLEM_LOST;
    case CAMERA_PROBLEM_CORRUPT:
        return PHOTO_PROBLEM_CORRUPT;
    default:
        return PHOTO_PROBLEM_NONE;
    }
}

/* ---- the event queue ---- */

static bool coalesced(photo_event_kind kind)
{
    return kind == PHOTO_EVENT_STATE || kind == PHOTO_EVENT_FRAME || kind == PHOTO_EVENT_ANALYSIS;
}

bool photo_push_locked(photo_service *ps, const photo_event *ev)
{
    if (coalesced(ev->kind)) {
        for (GList *l = ps->events.head; l != NULL; l = l->next) {
            photo_event *q = l->data;
            if (q->kind == ev->kind) {
                *q = *ev; /* the newest replaces the one still waiting */
                return false;
            }
        }
    }
    bool was_empty = g_queue_is_empty(&ps->events);
    g_queue_push_tail(&ps->events, g_memdup2(ev, sizeof *ev));
    /* one wake per batch: the screen drains the whole queue on each */
    return was_empty;
}

void photo_wake(photo_service *ps)
{
    g_mutex_lock(&ps->lock);
    void (*wake)(void *) = ps->wake;
    void *data = ps->wake_data;
    g_mutex_unlock(&ps->lock);
    if (wake)
        wake(data);
}

bool photo_service_next_event(photo_service *ps, photo_event *out)
{
    g_mutex_lock(&ps->lock);
    photo_event *ev = g_queue_pop_head(&ps->events);
    g_mutex_unlock(&ps->lock);
    if (ev == NULL)
        return false;
    *out = *ev;
    g_free(ev);
    return true;
}

/* ---- state ---- */

void photo_service_snapshot(photo_service *ps, photo_snapshot *out)
{
    memset(out, 0, sizeof *out);
    g_mutex_lock(&ps->lock);
    out->ready = ps->ready;
    out->problem = photo_problem_from_camera(ps->problem);
    out->gone_why = photo_problem_from_camera(ps->gone_why);
    g_strlcpy(out->problem_text, ps->problem_text, sizeof out->problem_text);
    g_strlcpy(out->model, ps->model, sizeof out->model);
    g_strlcpy(out->serial, ps->serial, sizeof out->serial);
    out->busy = ps->working || ps->live_pic || ps->cap_jpeg || ps->live_wanted;
    out->preparing = ps->models_loading;
    g_mutex_unlock(&ps->lock);
}

bool photo_service_preview(photo_service *ps, pic **dst)
{
    bool ok = false;
    g_mutex_lock(&ps->lock);
    const pic *pv = ps->preview;
    if (pv != NULL) {
        pic *d = *dst;
        if (d &&
            (d->width != pv->width || d->height != pv->height || d->channels != pv->channels)) {
            pic_free(d);
            d = NULL;
        }
        if (d == NULL && pic_new(pv->width, pv->height, pv->channels, &d) != BK_OK)
            d = NULL;
        if (d != NULL) {
            memcpy(d->px, pv->px, (size_t)pv->width * (size_t)pv->height * (size_t)pv->channels);
            ok = true;
        }
        *dst = d;
    }
    g_mutex_unlock(&ps->lock);
    return ok;
}

void photo_service_status(photo_service *ps, char *buf, size_t size)
{
    g_mutex_lock(&ps->lock);
    if (ps->ready)
        g_snprintf(buf, size, "camera: %s, serial %s, ready", ps->model[0] ? ps->model : "camera",
                   ps->serial[0] ? ps->serial : "unknown");
    else if (ps->problem != CAMERA_PROBLEM_NONE)
        g_snprintf(buf, size, "camera: %s", camera_problem_message(ps->problem));
    else
        g_snprintf(buf, size, "camera: starting");
    g_mutex_unlock(&ps->lock);
}

/* ---- requests ---- */

void photo_service_begin(photo_service *ps, bool child)
{
    g_mutex_lock(&ps->lock);
    ps->child = child;
    drop_events(ps);
    ps->track_reset = true;
    ps->screen_up = true; /* a technician's check still running gives the camera back */
    g_cond_broadcast(&ps->chk_cond);
    g_mutex_unlock(&ps->lock);
    g_message("photo step: child=%s", child ? "yes" : "no");
}

void photo_service_end(photo_service *ps)
{
    photo_service_set_live(ps, false);
    /* nothing of this person's face stays behind in the service */
    g_mutex_lock(&ps->lock);
    pic_free(ps->preview);
    ps->preview = NULL;
    pic_free(ps->live_pic);
    ps->live_pic = NULL;
    drop_events(ps);
    ps->screen_up = false;
    g_mutex_unlock(&ps->lock);
}

void photo_service_set_live(photo_service *ps, bool on)
{
    g_mutex_lock(&ps->lock);
    ps->live_wanted = on;
    /* live view starting again (after a capture, a pause): the tracker and the followed head
     * start afresh, not from where the face was seconds ago */
    if (on)
        ps->track_reset = true;
    g_mutex_unlock(&ps->lock);
    camera_set_live(ps->cam, on);
}

bk_err photo_service_capture(photo_service *ps)
{
    g_mutex_lock(&ps->lock);
    if (ps->capturing) {
        g_mutex_unlock(&ps->lock);
        return BK_ERR_BUSY;
    }
    ps->capturing = true;
    ps->cap_asked = g_get_monotonic_time();
    pic_free(ps->live_pic);
    ps->live_pic = NULL;
    g_mutex_unlock(&ps->lock);
    camera_capture(ps->cam);
    return BK_OK;
}

void photo_service_abandon_capture(photo_service *ps)
{
    g_mutex_lock(&ps->lock);
    if (ps->capturing) {
        ps->capturing = false;
        ps->stale_captures++;
    }
    g_mutex_unlock(&ps->lock);
}
