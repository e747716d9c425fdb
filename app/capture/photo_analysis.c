/* The photo service's analysis: the checks on a live frame and the full-size processing of a
 * photo (two functions of a decoded picture and the limits), and the thread that runs them and
 * the technician check's face search one at a time with the service's face finder. */
#include <string.h>

#include "capture/photo-priv.h"
#include "core/biomem.h"
#include "imaging/picio.h"

#define CAPTURE_LIVE_RATIO (6000.0 / 1024.0) /* capture width over live width, until known */

void photo_analyse_frame(const face_finder *finder, const landmarks *lm, facecheck_live *live,
                         const pic *frame, const icao_settings *limits, photo_analysis *out)
{
    memset(out, 0, sizeof *out);
    face_result fr;
    icao_result ir;
    memset(&ir, 0, sizeof ir);
    if (facecheck_frame(finder, lm, live, frame, limits, &fr, &ir) == BK_OK) {
        /* a turned head without a frontal face (live->turned) is outlined too: the person sees
         * that the kiosk sees them, and the instruction says which way to turn */
        const face_box *b = fr.n_faces > 0 ? &fr.faces[0] : live->turned ? &live->turned_box : NULL;
        out->has_face = b != NULL && frame->width > 0 && frame->height > 0;
        if (out->has_face) {
            out->face[0] = (float)(b->x / frame->width);
            out->face[1] = (float)(b->y / frame->height);
            out->face[2] = (float)(b->w / frame->width);
            out->face[3] = (float)(b->h / frame->height);
        }
        out->pass = ir.compliant;
        const icao_check *c = icao_first_failure(&ir);
        if (c) {
            g_strlcpy(out->check, c->name, sizeof out->check);
            out->instruction = c->instruction;
            out->for_staff = c->for_staff;
        }
    } else {
        out->instruction = "Look into the camera";
        g_strlcpy(out->check, "faces", sizeof out->check);
    }
    icao_result_clear(&ir);
}

/* The eyes and the mouth in the thumb, for the officer's zoom. The crop only scales and shifts
 * (icao.c: output = (capture - origin) / step), so the capture's eye centres and the output's
 * give that map, and the lip landmarks go through it. */
static void mark_attempt(photo_attempt *a, const face_result *fr, const icao_result *ir)
{
    double k = (double)PHOTO_THUMB_W / ir->output->width;
    double out_iod = ir->out_right[0] - ir->out_left[0];
    double in_iod = fr->right[0] - fr->left[0];
    if (!fr->eyes_found && !fr->has_shape)
        return;
    for (int i = 0; i < 2; i++) {
        a->eyes[0][i] = ir->out_left[i] * k;
        a->eyes[1][i] = ir->out_right[i] * k;
    }
    double mid[2] = {(a->eyes[0][0] + a->eyes[1][0]) / 2, (a->eyes[0][1] + a->eyes[1][1]) / 2};
    a->marked = true;
    a->mouth_estimated = true;
    a->mouth[0] = mid[0];
    a->mouth[1] = mid[1] + out_iod * k; /* about one eye distance below, without landmarks */
    if (fr->has_shape && in_iod > 1 && out_iod > 1) {
        double step = in_iod / out_iod, sum[2] = {0, 0};
        for (int p = 48; p < 68; p++)
            for (int i = 0; i < 2; i++)
                sum[i] += fr->shape.pt[p][i];
        double ox = fr->left[0] - ir->out_left[0] * step, oy = fr->left[1] - ir->out_left[1] * step;
        a->mouth[0] = (sum[0] / 20 - ox) / step * k;
        a->mouth[1] = (sum[1] / 20 - oy) / step * k;
        a->mouth_estimated = false;
    }
}

photo_attempt *photo_analyse_capture(const face_finder *finder, const landmarks *lm,
                                     const uint8_t *jpeg, size_t len, const icao_settings *limits,
                                     int *width)
{
    photo_attempt *a = g_new0(photo_attempt, 1);
    icao_result ir;
    memset(&ir, 0, sizeof ir);
    face_result fr;
    *width = 0;
    if (jpeg != NULL && finder != NULL &&
        facecheck_capture(finder, lm, jpeg, len, limits, &fr, &ir, width, NULL) == BK_OK) {
        a->compliant = ir.compliant;
        a->n_checks = ir.n_checks;
        for (int i = 0; i < ir.n_checks; i++) {
            a->checks[i] =
                (photo_shown_check){ir.checks[i].name, ir.checks[i].value, ir.checks[i].pass};
            a->n_passed += ir.checks[i].pass;
        }
        const icao_check *c = icao_first_failure(&ir);
        if (c) {
            a->instruction = c->instruction;
            a->for_staff = c->for_staff;
        }
        if (ir.output && picio_encode_jpeg(ir.output, 95, &a->jpeg, &a->len) == BK_OK &&
            pic_resize(ir.output, PHOTO_THUMB_W, PHOTO_THUMB_H, &a->thumb) == BK_OK) {
            a->cropped = true;
            mark_attempt(a, &fr, &ir);
        }
    }
    if (!a->cropped) {
        a->compliant = false;
        if (a->instruction == NULL)
            a->instruction = "Look into the camera";
    }
    icao_result_clear(&ir);
    return a;
}

/* One live frame (transfer full: freed here). */
static void analyse_live(photo_service *ps, pic *p, bool child, int capture_width)
{
    icao_settings set = ps->limits[child ? 1 : 0];
    set.live = true;
    /* the checks are about the photo that will be taken, not the frame */
    set.capture_scale = capture_width > 0 ? (double)capture_width / p->width
                                          : CAPTURE_LIVE_RATIO * PHOTO_LIVE_DECODE_SCALE;
    g_mutex_lock(&ps->lock);
    if (ps->track_reset) {
        facecheck_live_init(&ps->live, ps->full_search_every);
        ps->live.unfound_every = ps->unfound_every;
        ps->track_reset = false;
    }
    g_mutex_unlock(&ps->lock);
    photo_event ev = {.kind = PHOTO_EVENT_ANALYSIS};
    photo_analyse_frame(ps->finder, ps->lm, &ps->live, p, &set, &ev.analysis);
    pic_free(p);
    g_mutex_lock(&ps->lock);
    bool wake = false;
    if (ps->live_wanted) { /* not after the step ended */
        ev.analysis.seq = ++ps->an_seq;
        wake = photo_push_locked(ps, &ev);
    }
    g_mutex_unlock(&ps->lock);
    if (wake)
        photo_wake(ps);
}

/* One photo (transfer none). */
static void process_capture(photo_service *ps, const uint8_t *jpeg, size_t len, bool child)
{
    int width = 0;
    photo_attempt *a =
        photo_analyse_capture(ps->finder, ps->lm, jpeg, len, &ps->limits[child ? 1 : 0], &width);
    g_message("photo processed: compliant=%s cropped=%s checks_passed=%d/%d first_failure=%s",
              a->compliant ? "yes" : "no", a->cropped ? "yes" : "no", a->n_passed, a->n_checks,
              a->instruction ? a->instruction : "none");
    g_mutex_lock(&ps->lock);
    if (width > 0)
        ps->capture_width = width;
    ps->capturing = false;
    bool wake = false;
    if (ps->screen_up) {
        wake = photo_push_locked(ps, &(photo_event){.kind = PHOTO_EVENT_RESULT, .attempt = a});
        a = NULL;
    }
    g_mutex_unlock(&ps->lock);
    /* the step ended while the photo was processed: nothing of the person stays */
    photo_attempt_free(a);
    if (wake)
        photo_wake(ps);
}

/* A technician's check: one face search on a live frame, timed (under the lock on entry and
 * return). */
static void check_faces_locked(photo_service *ps)
{
    pic *f = ps->chk_face_pic;
    ps->chk_face_pic = NULL;
    ps->working = true;
    g_mutex_unlock(&ps->lock);
    face_options fo = face_options_live();
    face_result fr;
    gint64 t0 = g_get_monotonic_time();
    bk_err err = ps->finder ? face_find(ps->finder, f, &fo, &fr) : BK_ERR_NOT_FOUND;
    double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    pic_free(f);
    g_mutex_lock(&ps->lock);
    ps->working = false;
    ps->chk_face_err = err;
    ps->chk_faces = err == BK_OK ? fr.n_faces : 0;
    ps->chk_face_ms = ms;
    ps->chk_face_done = true;
    g_cond_broadcast(&ps->chk_cond);
}

gpointer photo_worker_main(gpointer data)
{
    photo_service *ps = data;
    /* the landmark model first (about a second and 100 MB), here and not in photo_service_new,
     * so that the kiosk's first screen does not wait for it (photo.c) */
    photo_load_models(ps);
    g_mutex_lock(&ps->lock);
    while (!ps->stopping) {
        if (ps->chk_face_pic) {
            check_faces_locked(ps);
        } else if (ps->cap_jpeg) {
            uint8_t *j = ps->cap_jpeg;
            size_t n = ps->cap_len;
            bool child = ps->child;
            ps->cap_jpeg = NULL;
            ps->working = true;
            g_mutex_unlock(&ps->lock);
            process_capture(ps, j, n, child);
            biomem_free(j);
            g_mutex_lock(&ps->lock);
            ps->working = false;
        } else if (ps->live_pic && !ps->capturing && ps->finder) {
            pic *f = ps->live_pic;
            bool child = ps->child;
            int cw = ps->capture_width;
            ps->live_pic = NULL;
            ps->working = true;
            g_mutex_unlock(&ps->lock);
            analyse_live(ps, f, child, cw);
            g_mutex_lock(&ps->lock);
            ps->working = false;
        } else {
            g_cond_wait(&ps->cond, &ps->lock);
        }
    }
    g_mutex_unlock(&ps->lock);
    return NULL;
}
