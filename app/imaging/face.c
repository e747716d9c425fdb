#include "face.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haar.h"

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
/* The face box is resampled to this width for the eye search. */
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
    face_options o = {480, 0.12, 1.1, true, 0};
    return o;
}

face_options face_options_live(void)
{
    /* Live view only needs the person in front of the camera, who fills a good part of the
     * frame: larger faces and a coarser pyramid keep a frame well under the frame interval. */
    face_options o = {320, 0.18, 1.15, false, 2};
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
                                double want_x, double want_y)
{
    const haar_hit *best = NULL;
    double best_score = -1e18;
    for (size_t i = 0; i < n; i++) {
        double cx = hits[i].x + hits[i].w / 2, cy = hits[i].y + hits[i].h / 2;
        if (cx < xmin || cx >= xmax)
            continue;
        double d = hypot(cx - want_x, cy - want_y) / EYE_FACE_WIDTH;
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
static bk_err find_eyes(const face_finder *f, const pic *grey, const frame *det, const haar_hit *b,
                        eyes *out)
{
    double step = b->w * det->step / EYE_FACE_WIDTH;
    double top = b->h * EYE_BAND_TOP;
    int band_h = (int)lround(b->h * (EYE_BAND_BOTTOM - EYE_BAND_TOP) / b->w * EYE_FACE_WIDTH);
    double px, py;
    frame_to_picture(det, b->x, b->y + top, &px, &py);
    frame ef = frame_at(px, py, det->angle, step);
    pic *band = NULL;
    bk_err err = pic_warp(grey, ef.ox, ef.oy, ef.angle, ef.step, EYE_FACE_WIDTH, band_h, &band);
    if (err != BK_OK)
        return err;
    /* an eye's box is 0.18-0.32 of the face's width in the test portraits */
    haar_params hp = {1.1, EYE_FACE_WIDTH * 14 / 100, EYE_FACE_WIDTH * 36 / 100, 1, 0};
    haar_hit *hits = NULL;
    size_t n = 0;
    err = haar_detect(f->eye, band, &hp, &hits, &n);
    if (err != BK_OK) {
        pic_free(band);
        return err;
    }
    double guess_y = (b->h * EYE_GUESS_Y - top) / step * det->step;
    double gl = EYE_FACE_WIDTH * EYE_GUESS_X, gr = EYE_FACE_WIDTH * (1 - EYE_GUESS_X);
    const haar_hit *l = best_eye(hits, n, EYE_FACE_WIDTH * 0.05, EYE_FACE_WIDTH * 0.5, gl, guess_y);
    const haar_hit *r = best_eye(hits, n, EYE_FACE_WIDTH * 0.5, EYE_FACE_WIDTH * 0.95, gr, guess_y);
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
    bk_err err = BK_OK;
    if (picture->channels == 1) {
        grey = (pic *)picture;
    } else {
        err = pic_to_grey(picture, &grey);
        if (err != BK_OK)
            return err;
    }
    int longest = picture->width > picture->height ? picture->width : picture->height;
    double k = longest > opts->detect_side ? (double)opts->detect_side / longest : 1.0;
    int sw = (int)lround(picture->width * k), sh = (int)lround(picture->height * k);
    if (sw < 24 || sh < 24)
        goto done; /* too small to hold a face the cascade can see */
    err = pic_resize(grey, sw, sh, &small);
    if (err != BK_OK)
        goto done;
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
    /* Weak hits far below the best one are the cascade's false alarms (a fold of cloth, a
     * pattern); a second real face in the picture gathers support like the first. A weakly
     * supported face counts only when the eye cascade finds both its eyes. */
    int floor_nb = best_nb / 5;
    for (size_t i = 0; i < n && res.n_faces < FACE_MAX; i++) {
        if (hits[i].neighbours < floor_nb)
            continue;
        eyes e;
        err = find_eyes(f, grey, &det, &hits[i], &e);
        if (err != BK_OK)
            goto done;
        if (hits[i].neighbours < FACE_SURE && !eyes_plausible(&e, hits[i].w * det.step, det.angle))
            continue;
        double cx, cy;
        frame_to_picture(&det, hits[i].x + hits[i].w / 2, hits[i].y + hits[i].h / 2, &cx, &cy);
        face_box *fb = &res.faces[res.n_faces++];
        fb->w = hits[i].w * det.step;
        fb->h = hits[i].h * det.step;
        fb->x = cx - fb->w / 2;
        fb->y = cy - fb->h / 2;
        fb->angle_deg = det.angle * 180.0 / M_PI;
        fb->neighbours = hits[i].neighbours;
        if (res.n_faces == 1) {
            res.eyes_found = e.found;
            res.eyes_guessed = !e.found;
            memcpy(res.left, e.left, sizeof(res.left));
            memcpy(res.right, e.right, sizeof(res.right));
            res.roll_deg = e.roll_deg;
        }
    }
done:
    free(hits);
    pic_free(small);
    if (grey != picture)
        pic_free(grey);
    if (err == BK_OK)
        *out = res;
    return err;
}
