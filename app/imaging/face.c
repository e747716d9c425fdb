#include "imaging/face.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/haar.h"

struct face_finder {
    haar *face;
    haar *eye;
};

/* Where the eyes sit in a frontal-face box of the default cascade, as fractions of its width
 * and height; measured as the mean over the frontal portraits of the test set. Used when the
 * eye cascade misses an eye. */
#define EYE_GUESS_X 0.315
#define EYE_GUESS_Y 0.405

/* The eye search band inside the face box, as fractions of the box height. */
#define EYE_BAND_TOP    0.15
#define EYE_BAND_BOTTOM 0.60
/* The face box is resampled to this width for the eye search (face_options.eye_width). */
#define EYE_FACE_WIDTH 240
/* Detector support (merged windows, at the default pyramid step) above which a face is taken
 * without asking the eye cascade, and above which the turned searches are not needed. Real
 * faces of the test set gather 30-140, the cascade's false alarms 3-9. */
#define FACE_SURE   10
#define FACE_STRONG 12
/* A turned copy must gather this much support to replace the upright search: turned copies of
 * an upright face produce false faces with 10-20. */
#define FACE_TURNED 30

face_options face_options_still(void)
{
    face_options o = {.detect_side = 480, .min_face = 0.12, .scale_step = 1.1, .try_turned = true};
    return o;
}

face_options face_options_live(void)
{
    /* Live view only needs the person in front of the camera, who fills a good part of the
     * frame: larger faces, a coarser pyramid and a coarser eye search keep a frame well under
     * the frame interval (the eyes of a 160-px face are still 25-50 px boxes). */
    face_options o = {.detect_side = 320,
                      .min_face = 0.18,
                      .scale_step = 1.15,
                      .window_step = 2,
                      .eye_width = 160,
                      .eye_step = 2,
                      .eye_scale_step = 1.15};
    return o;
}

bk_err face_finder_new(const char *cascade_dir, face_finder **out)
{
    if (cascade_dir == NULL)
        return BK_ERR_INVALID;
    face_finder *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return BK_ERR_NOMEM;
    char path[4096];
    snprintf(path, sizeof(path), "%s/haarcascade_frontalface_default.xml", cascade_dir);
    bk_err err = haar_load(path, &f->face);
    if (err == BK_OK) {
        snprintf(path, sizeof(path), "%s/haarcascade_eye.xml", cascade_dir);
        err = haar_load(path, &f->eye);
    }
    if (err != BK_OK) {
        face_finder_free(f);
        return err;
    }
    *out = f;
    return BK_OK;
}

void face_finder_free(face_finder *f)
{
    if (f == NULL)
        return;
    haar_free(f->face);
    haar_free(f->eye);
    free(f);
}

/* A frame turned by `angle` against the picture: point q of the frame is picture point
 * o + R(angle) q * step. */
typedef struct frame {
    double ox, oy, angle, step;
} frame;

static void frame_to_picture(const frame *fr, double qx, double qy, double *px, double *py)
{
    double c = cos(fr->angle), s = sin(fr->angle);
    *px = fr->ox + (qx * c - qy * s) * fr->step;
    *py = fr->oy + (qx * s + qy * c) * fr->step;
}

/* The frame whose (0, 0) is picture point (px, py), turned by angle, with the given step. */
static frame frame_at(double px, double py, double angle, double step)
{
    frame fr = {px, py, angle, step};
    return fr;
}

/* The darkest small blob near the middle of an eye box: iris and pupil are darker than the
 * skin and the white around them. Returns the box centre when nothing stands out. */
static void refine_eye(const pic *g, const haar_hit *e, double *cx, double *cy)
{
    *cx = e->x + e->w / 2;
    *cy = e->y + e->h / 2;
    int r = (int)(e->w / 10);
    if (r < 1)
        r = 1;
    int x0 = (int)(e->x + e->w * 0.25), x1 = (int)(e->x + e->w * 0.75);
    int y0 = (int)(e->y + e->h * 0.3), y1 = (int)(e->y + e->h * 0.75);
    if (x0 - r < 0 || y0 - r < 0 || x1 + r >= g->width || y1 + r >= g->height)
        return;
    double best = 1e18;
    double bx = *cx, by = *cy;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double s = 0;
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                    s += g->px[(size_t)(y + dy) * (size_t)g->width + (size_t)(x + dx)];
            /* a slight pull to the box centre keeps a dark eyelash corner from winning */
            double d2 = ((x - *cx) * (x - *cx) + (y - *cy) * (y - *cy)) / (e->w * e->w);
            s *= 1.0 + 0.5 * d2;
            if (s < best) {
                best = s;
                bx = x;
                by = y;
            }
        }
    *cx = bx;
    *cy = by;
}

static const haar_hit *best_eye(const haar_hit *hits, size_t n, double xmin, double xmax,
                                double want_x, double want_y, int ew)
{
    const haar_hit *best = NULL;
    double best_score = -1e18;
    for (size_t i = 0; i < n; i++) {
        double cx = hits[i].x + hits[i].w / 2, cy = hits[i].y + hits[i].h / 2;
        if (cx < xmin || cx >= xmax)
            continue;
        double d = hypot(cx - want_x, cy - want_y) / ew;
        double score = hits[i].neighbours - 20.0 * d;
        if (score > best_score) {
            best_score = score;
            best = &hits[i];
        }
    }
    return best;
}

typedef struct eyes {
    bool found; /* both by the eye cascade */
    double left[2], right[2], roll_deg;
} eyes;

/* Eyes of one face found in frame `det` at box b (frame pixels); writes picture coordinates. */
static bk_err find_eyes(const face_finder *f, const pic *grey, const face_options *opts,
                        const frame *det, const haar_hit *b, eyes *out)
{
    const int ew = opts->eye_width >= 48 ? opts->eye_width : EYE_FACE_WIDTH;
    double step = b->w * det->step / ew;
    double top = b->h * EYE_BAND_TOP;
    int band_h = (int)lround(b->h * (EYE_BAND_BOTTOM - EYE_BAND_TOP) / b->w * ew);
    double px, py;
    frame_to_picture(det, b->x, b->y + top, &px, &py);
    frame ef = frame_at(px, py, det->angle, step);
    pic *band = NULL;
    bk_err err = pic_warp(grey, ef.ox, ef.oy, ef.angle, ef.step, ew, band_h, &band);
    if (err != BK_OK)
        return err;
    /* an eye's box is 0.18-0.32 of the face's width in the test portraits */
    haar_params hp = {opts->eye_scale_step > 1.0 ? opts->eye_scale_step : 1.1, ew * 14 / 100,
                      ew * 36 / 100, 1, opts->eye_step};
    haar_hit *hits = NULL;
    size_t n = 0;
    err = haar_detect(f->eye, band, &hp, &hits, &n);
    if (err != BK_OK) {
        pic_free(band);
        return err;
    }
    double guess_y = (b->h * EYE_GUESS_Y - top) / step * det->step;
    double gl = ew * EYE_GUESS_X, gr = ew * (1 - EYE_GUESS_X);
    const haar_hit *l = best_eye(hits, n, ew * 0.05, ew * 0.5, gl, guess_y, ew);
    const haar_hit *r = best_eye(hits, n, ew * 0.5, ew * 0.95, gr, guess_y, ew);
    double q[2][2] = {{gl, guess_y}, {gr, guess_y}};
    if (l != NULL)
        refine_eye(band, l, &q[0][0], &q[0][1]);
    if (r != NULL)
        refine_eye(band, r, &q[1][0], &q[1][1]);
    out->found = l != NULL && r != NULL;
    double e[2][2];
    for (int i = 0; i < 2; i++)
        frame_to_picture(&ef, q[i][0], q[i][1], &e[i][0], &e[i][1]);
    int li = e[0][0] <= e[1][0] ? 0 : 1;
    out->left[0] = e[li][0];
    out->left[1] = e[li][1];
    out->right[0] = e[1 - li][0];
    out->right[1] = e[1 - li][1];
    out->roll_deg =
        atan2(out->right[1] - out->left[1], out->right[0] - out->left[0]) * 180.0 / M_PI;
    free(hits);
    pic_free(band);
    return BK_OK;
}

/* Two eyes where a face has them: apart by about 0.38 of the box width (0.33-0.45 over the test
 * portraits) and level within the frame that found the face. */
static bool eyes_plausible(const eyes *e, double box_w, double angle)
{
    if (!e->found)
        return false;
    double ratio = hypot(e->right[0] - e->left[0], e->right[1] - e->left[1]) / box_w;
    double tilt = fabs(e->roll_deg - angle * 180.0 / M_PI);
    return ratio >= 0.30 && ratio <= 0.50 && tilt <= 20;
}

/* The picture in grey and shrunk so that its longest side is at most opts->detect_side; k is
 * the shrink factor. *grey may be `picture` itself (grey pictures are not copied). */
static bk_err prepare(const pic *picture, const face_options *opts, pic **grey, pic **small,
                      double *k)
{
    *grey = NULL;
    *small = NULL;
    if (picture->channels == 1) {
        *grey = (pic *)picture;
    } else {
        bk_err err = pic_to_grey(picture, grey);
        if (err != BK_OK)
            return err;
    }
    int longest = picture->width > picture->height ? picture->width : picture->height;
    *k = longest > opts->detect_side ? (double)opts->detect_side / longest : 1.0;
    int sw = (int)lround(picture->width * *k), sh = (int)lround(picture->height * *k);
    if (sw < 24 || sh < 24)
        return BK_OK; /* too small to hold a face the cascade can see: *small stays NULL */
    return pic_resize(*grey, sw, sh, small);
}

/* Whether box covers a face already in res by more than half of the smaller of the two: two
 * windows on one head (a turned head gathers a second cluster beside the first), never two
 * people, whose faces cannot overlap that much and both be seen. */
#define SAME_HEAD_OVERLAP 0.5
static bool same_head(const face_result *res, const face_box *box)
{
    for (int k = 0; k < res->n_faces; k++) {
        const face_box *o = &res->faces[k];
        double w = fmin(box->x + box->w, o->x + o->w) - fmax(box->x, o->x);
        double h = fmin(box->y + box->h, o->y + o->h) - fmax(box->y, o->y);
        double smaller = fmin(box->w * box->h, o->w * o->h);
        if (w > 0 && h > 0 && w * h > SAME_HEAD_OVERLAP * smaller)
            return true;
    }
    return false;
}

/* Every face of `hits` (found in frame det) worth reporting, with the eyes of the first, into
 * res. */
static bk_err collect(const face_finder *f, const pic *grey, const face_options *opts,
                      const frame *det, const haar_hit *hits, size_t n, int best_nb,
                      face_result *res)
{
    /* Weak hits far below the best one are the cascade's false alarms (a fold of cloth, a
     * pattern); a second real face in the picture gathers support like the first. A weakly
     * supported face counts only when the eye cascade finds both its eyes. */
    int floor_nb = best_nb / 5;
    for (size_t i = 0; i < n && res->n_faces < FACE_MAX; i++) {
        if (hits[i].neighbours < floor_nb)
            continue;
        double cx, cy;
        frame_to_picture(det, hits[i].x + hits[i].w / 2, hits[i].y + hits[i].h / 2, &cx, &cy);
        face_box box = {.w = hits[i].w * det->step, .h = hits[i].h * det->step};
        box.x = cx - box.w / 2;
        box.y = cy - box.h / 2;
        if (same_head(res, &box))
            continue;
        eyes e;
        bk_err err = find_eyes(f, grey, opts, det, &hits[i], &e);
        if (err != BK_OK)
            return err;
        if (hits[i].neighbours < FACE_SURE &&
            !eyes_plausible(&e, hits[i].w * det->step, det->angle))
            continue;
        face_box *fb = &res->faces[res->n_faces++];
        *fb = box;
        fb->angle_deg = det->angle * 180.0 / M_PI;
        fb->neighbours = hits[i].neighbours;
        if (res->n_faces == 1) {
            res->eyes_found = e.found;
            res->eyes_guessed = !e.found;
            memcpy(res->left, e.left, sizeof(res->left));
            memcpy(res->right, e.right, sizeof(res->right));
            res->roll_deg = e.roll_deg;
        }
    }
    return BK_OK;
}

bk_err face_find(const face_finder *f, const pic *picture, const face_options *opts,
                 face_result *out)
{
    if (f == NULL || picture == NULL || opts == NULL || opts->detect_side < 48)
        return BK_ERR_INVALID;
    face_result res;
    memset(&res, 0, sizeof(res));
    pic *grey = NULL, *small = NULL;
    haar_hit *hits = NULL;
    size_t n = 0;
    double k = 1.0;
    bk_err err = prepare(picture, opts, &grey, &small, &k);
    if (err != BK_OK || small == NULL)
        goto done;
    int sw = small->width, sh = small->height;
    int shorter = sw < sh ? sw : sh;
    haar_params hp = {opts->scale_step, (int)(shorter * opts->min_face), 0, 3, opts->window_step};
    static const double turns[] = {0, 15, -15, 30, -30, 45, -45, 90, -90};
    size_t n_turns = opts->try_turned ? sizeof(turns) / sizeof(turns[0]) : 1;
    frame det = frame_at(0, 0, 0, 1.0 / k);
    int best_nb = 0;
    /* Stop at the first turn with a well supported face; otherwise keep the turn whose best
     * face has the most support (a weak upright hit on a sideways head is usually noise). */
    for (size_t t = 0; t < n_turns && best_nb < FACE_STRONG; t++) {
        double a = turns[t] * M_PI / 180.0;
        pic *view = small;
        /* turned copy about the picture's centre; a quarter turn swaps width and height */
        int vw = sw, vh = sh;
        if (fabs(turns[t]) == 90) {
            vw = sh;
            vh = sw;
        }
        double c = cos(a), s = sin(a);
        double ox = sw / 2.0 - (vw / 2.0 * c - vh / 2.0 * s);
        double oy = sh / 2.0 - (vw / 2.0 * s + vh / 2.0 * c);
        if (t > 0) {
            view = NULL;
            err = pic_warp(small, ox, oy, a, 1.0, vw, vh, &view);
            if (err != BK_OK)
                goto done;
        }
        haar_hit *th = NULL;
        size_t tn = 0;
        err = haar_detect(f->face, view, &hp, &th, &tn);
        if (view != small)
            pic_free(view);
        if (err != BK_OK)
            goto done;
        int nb = 0;
        for (size_t i = 0; i < tn; i++)
            if (th[i].neighbours > nb)
                nb = th[i].neighbours;
        /* a turned hit must clearly beat the upright one: turned copies invent faces too */
        if (t == 0 || (nb >= FACE_TURNED && nb > 2 * best_nb)) {
            free(hits);
            hits = th;
            n = tn;
            best_nb = nb;
            det = frame_at(ox / k, oy / k, a, 1.0 / k);
        } else {
            free(th);
        }
    }
    err = collect(f, grey, opts, &det, hits, n, best_nb, &res);
done:
    free(hits);
    pic_free(small);
    if (grey != picture)
        pic_free(grey);
    if (err == BK_OK)
        *out = res;
    return err;
}

/* Relative sizes searched around the previous face, and how far its centre may have moved (in
 * box widths): a person in front of a camera at 10-25 frames/s moves much less per frame. */
#define NEAR_MIN_SIZE 0.75
#define NEAR_MAX_SIZE 1.34
#define NEAR_MOVE     0.5

bk_err face_find_near(const face_finder *f, const pic *picture, const face_options *opts,
                      const face_box *near, face_result *out)
{
    if (f == NULL || picture == NULL || opts == NULL || near == NULL || opts->detect_side < 48 ||
        !(near->w > 0) || !isfinite(near->x) || !isfinite(near->y))
        return BK_ERR_INVALID;
    face_result res;
    memset(&res, 0, sizeof(res));
    pic *grey = NULL, *small = NULL, *region = NULL;
    haar_hit *hits = NULL;
    size_t n = 0;
    double k = 1.0;
    bk_err err = prepare(picture, opts, &grey, &small, &k);
    if (err != BK_OK || small == NULL)
        goto done;
    /* the part of the shrunk picture any searched window can lie in */
    double w = near->w * k;
    double half = w * (NEAR_MAX_SIZE / 2 + NEAR_MOVE);
    double cx = (near->x + near->w / 2) * k, cy = (near->y + near->h / 2) * k;
    int x0 = (int)floor(cx - half), y0 = (int)floor(cy - half);
    int x1 = (int)ceil(cx + half), y1 = (int)ceil(cy + half);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > small->width ? small->width : x1;
    y1 = y1 > small->height ? small->height : y1;
    int win_w = 0, win_h = 0;
    haar_window(f->face, &win_w, &win_h);
    if (x1 - x0 < win_w || y1 - y0 < win_h)
        goto done; /* the face left the picture */
    err = pic_new(x1 - x0, y1 - y0, 1, &region);
    if (err != BK_OK)
        goto done;
    for (int y = y0; y < y1; y++)
        memcpy(region->px + (size_t)(y - y0) * (size_t)region->width,
               small->px + (size_t)y * (size_t)small->width + (size_t)x0, (size_t)(x1 - x0));
    int min_size = (int)floor(w * NEAR_MIN_SIZE), max_size = (int)ceil(w * NEAR_MAX_SIZE);
    haar_params hp = {opts->scale_step, min_size, max_size, 3, opts->window_step};
    err = haar_detect(f->face, region, &hp, &hits, &n);
    if (err != BK_OK)
        goto done;
    /* only hits whose centre stayed near: a window at the region's edge is another thing */
    size_t m = 0;
    int best_nb = 0;
    for (size_t i = 0; i < n; i++) {
        double hx = x0 + hits[i].x + hits[i].w / 2, hy = y0 + hits[i].y + hits[i].h / 2;
        if (fabs(hx - cx) > w * NEAR_MOVE || fabs(hy - cy) > w * NEAR_MOVE)
            continue;
        hits[m++] = hits[i];
        if (hits[i].neighbours > best_nb)
            best_nb = hits[i].neighbours;
    }
    frame det = frame_at(x0 / k, y0 / k, 0, 1.0 / k);
    err = collect(f, grey, opts, &det, hits, m, best_nb, &res);
done:
    free(hits);
    pic_free(region);
    pic_free(small);
    if (grey != picture)
        pic_free(grey);
    if (err == BK_OK)
        *out = res;
    return err;
}

void face_tracker_init(face_tracker *t, int full_every)
{
    memset(t, 0, sizeof(*t));
    t->full_every = full_every < 1 ? 1 : full_every;
}

bk_err face_track(const face_finder *f, face_tracker *t, const pic *picture,
                  const face_options *opts, face_result *out, bool *full)
{
    if (t == NULL)
        return BK_ERR_INVALID;
    face_result res;
    memset(&res, 0, sizeof(res));
    bool want_full = !t->valid || t->since_full + 1 >= t->full_every;
    bk_err err = BK_OK;
    if (!want_full) {
        err = face_find_near(f, picture, opts, &t->last, &res);
        if (err != BK_OK)
            return err;
        t->tracked_searches++;
        t->since_full++;
        want_full = res.n_faces == 0; /* lost: look everywhere at once */
    }
    if (want_full) {
        err = face_find(f, picture, opts, &res);
        if (err != BK_OK)
            return err;
        t->full_searches++;
        t->since_full = 0;
    }
    /* only a lone face is tracked: with two people in the picture every frame is searched
     * whole, so that the "one face" check never passes on a tracked frame */
    t->valid = res.n_faces == 1;
    if (t->valid)
        t->last = res.faces[0];
    if (full)
        *full = want_full;
    *out = res;
    return BK_OK;
}
