#include "imaging/faceshape.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* dlib's HOG box relative to the Haar frontal-face box (offset and size as fractions of the
 * Haar box): the mean over the 54 annotated frontal portraits of ../shared/data/faces. */
#define FACESHAPE_BOX_DX 0.0576
#define FACESHAPE_BOX_DY 0.1572
#define FACESHAPE_BOX_W  0.9146
#define FACESHAPE_BOX_H  0.9156

/* A fit from the Haar box that measures less yaw than this is kept: the face is frontal and the
 * Haar box frames it as well as dlib's detector would (on the frontal portraits both give the
 * same eye error), at a fraction of the cost. */
#define HOG_BELOW_YAW 3.0

/* The crop around the Haar face is shrunk to this side for dlib's detector. */
#define HOG_CROP_SIDE 400

/* A Haar eye farther than this (fraction of the eye distance) from the landmarks' eye is a miss. */
#define EYE_AGREE 0.08

landmarks_box faceshape_box(const face_box *fb)
{
    landmarks_box b = {fb->x + FACESHAPE_BOX_DX * fb->w, fb->y + FACESHAPE_BOX_DY * fb->h,
                       FACESHAPE_BOX_W * fb->w, FACESHAPE_BOX_H * fb->h};
    return b;
}

face_box faceshape_haar_box(const landmarks_box *b)
{
    face_box fb;
    fb.w = b->w / FACESHAPE_BOX_W;
    fb.h = b->h / FACESHAPE_BOX_H;
    fb.x = b->x - FACESHAPE_BOX_DX * fb.w;
    fb.y = b->y - FACESHAPE_BOX_DY * fb.h;
    return fb;
}

static void centre(const landmarks_shape *s, int first, int n, double out[2])
{
    out[0] = out[1] = 0;
    for (int i = first; i < first + n; i++) {
        out[0] += s->pt[i][0] / n;
        out[1] += s->pt[i][1] / n;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double dist(const landmarks_shape *s, int a, int b)
{
    return hypot(s->pt[a][0] - s->pt[b][0], s->pt[a][1] - s->pt[b][1]);
}

/* Redness of a pixel (red minus green): lips are redder than teeth and than the mouth's dark
 * inside. */
static int redness(const pic *p, int x, int y)
{
    if (p->channels != 3)
        return 0;
    const uint8_t *q = p->px + ((size_t)y * (size_t)p->width + (size_t)x) * 3;
    return (int)q[0] - (int)q[1];
}

/* The mouth's opening seen in the pixels: in each column across the middle of the mouth, from
 * the upper lip's outer edge (point 51) to the lower lip's (57), the longest run of pixels
 * that are not lip (darker than 0.6 of the lips' brightness, or less than half as red: the
 * mouth's inside or teeth), and the median of that over the columns. Closed lips show only the
 * thin line where they meet. The lips are sampled a quarter of the way into each lip. A column
 * whose lips are not red (a grey picture, a monochrome camera: teeth and lips then differ only
 * in brightness, and the teeth would count as lip) is not read; with no such column the pixels
 * say nothing (NAN) and the landmarks' gap counts alone.
 * *teeth: the median over the same columns of the pixels that are teeth (brighter than 1.15
 * times the lips and less than half as red); NAN with the run. */
#define LIP_RED_MIN    8 /* red minus green of the lips, grey levels */
#define TEETH_BRIGHTER 1.15
/* teeth shown: over 0.005 eye-to-chin distances of them in the median column (2 px on a
 * 1350-px portrait), and over 2 px whatever the size (on a live frame 0.005 of the distance is
 * under a pixel: one pale highlight would do); the 60 frontal portraits and 20 closed mouths
 * show none */
#define TEETH_SHOWN     0.005
#define TEETH_SHOWN_MIN 2.0
static double mouth_gap_pixels(const pic *p, const landmarks_shape *s, double *teeth)
{
    *teeth = NAN;
    double x0 = s->pt[61][0], x1 = s->pt[63][0];
    double top = s->pt[51][1], bottom = s->pt[57][1];
    if (!(x1 > x0) || !(bottom > top) || p->channels != 3)
        return NAN;
    int ya = (int)lround(top + 0.25 * (s->pt[62][1] - top));
    int yb = (int)lround(bottom - 0.25 * (bottom - s->pt[66][1]));
    int n = 0;
    double runs[64], bright[64];
    for (double fx = x0; fx <= x1 && n < 64; fx += fmax(1, (x1 - x0) / 16)) {
        int x = (int)lround(fx), y0 = (int)lround(top), y1 = (int)lround(bottom);
        if (x < 0 || x >= p->width || y0 < 0 || y1 >= p->height || ya < 0 || yb >= p->height)
            continue;
        double lip = (pic_luma(p, x, ya) + pic_luma(p, x, yb)) / 2.0;
        double red = (redness(p, x, ya) + redness(p, x, yb)) / 2.0;
        if (red < LIP_RED_MIN)
            continue;
        int run = 0, best = 0, tooth = 0;
        for (int y = y0; y <= y1; y++) {
            double l = pic_luma(p, x, y);
            bool pale = redness(p, x, y) < 0.5 * red;
            bool other = l < 0.6 * lip || pale;
            run = other ? run + 1 : 0;
            best = best > run ? best : run;
            tooth += pale && l > TEETH_BRIGHTER * lip;
        }
        bright[n] = tooth;
        runs[n++] = best;
    }
    if (n == 0)
        return NAN;
    qsort(runs, (size_t)n, sizeof(double), cmp_double);
    qsort(bright, (size_t)n, sizeof(double), cmp_double);
    *teeth = bright[n / 2];
    return runs[n / 2];
}

void faceshape_measure(const pic *picture, const landmarks_shape *s, faceshape_measures *m)
{
    double l[2], r[2];
    centre(s, 36, 6, l);
    centre(s, 42, 6, r);
    m->eye_mid[0] = (l[0] + r[0]) / 2;
    m->eye_mid[1] = (l[1] + r[1]) / 2;
    m->chin[0] = s->pt[8][0];
    m->chin[1] = s->pt[8][1];
    m->eye_chin = hypot(m->chin[0] - m->eye_mid[0], m->chin[1] - m->eye_mid[1]);
    double ec = m->eye_chin > 1e-6 ? m->eye_chin : 1e-6;
    m->up[0] = (m->eye_mid[0] - m->chin[0]) / ec;
    m->up[1] = (m->eye_mid[1] - m->chin[1]) / ec;
    /* the landmarks' inner-lip gap, unless the pixels show less: on full or bearded lips the
     * inner-lip points may settle inside the lower lip of a closed mouth. Not when the pixels
     * show teeth: lips that show teeth are apart, and the run of non-lip pixels across them
     * breaks on teeth as warm as lips (an open smile then read 0.018, at the limit) */
    double gap = (dist(s, 61, 67) + dist(s, 62, 66) + dist(s, 63, 65)) / 3, teeth = NAN;
    double seen = picture != NULL ? mouth_gap_pixels(picture, s, &teeth) : NAN;
    bool shows_teeth = isfinite(teeth) && teeth > fmax(TEETH_SHOWN_MIN, TEETH_SHOWN * ec);
    m->mouth_open = (isfinite(seen) && !shows_teeth ? fmin(gap, seen) : gap) / ec;
    double el = (dist(s, 37, 41) + dist(s, 38, 40)) / 2;
    double er = (dist(s, 43, 47) + dist(s, 44, 46)) / 2;
    m->eyes_open = fmin(el, er) / ec;
    m->jaw_width = dist(s, 0, 16);
}

/* The generic face, millimetres: x to the picture's right, y down, z towards the camera, the
 * nose tip at the origin. Average adult proportions: eye corners 90 mm apart outside and 30 mm
 * inside, 45 and 30 mm behind the nose tip, which is 35 mm below the eye line. Only the eyes and
 * the nose: they do not move with expression. With the mouth corners and the chin as well (an
 * earlier version), the frontal portraits spread 4.5 degrees of yaw (rms) instead of 3.0. */
static const struct {
    int index;
    double x, y, z;
} model[] = {
    {27, 0, -38, -20},   /* nose bridge */
    {30, 0, 0, 0},       /* nose tip */
    {31, -13, 8, -20},   /* nostril wings */
    {35, 13, 8, -20},    /*  */
    {33, 0, 12, -18},    /* below the nose */
    {36, -45, -35, -45}, /* eye corners, picture-left eye outer, inner */
    {39, -15, -33, -30}, /*  */
    {42, 15, -33, -30},  /* other eye inner, outer */
    {45, 45, -35, -45},  /*  */
};
#define N_MODEL ((int)(sizeof(model) / sizeof(model[0])))
#define N_PARAM 6 /* yaw, pitch, roll (radians), scale, tx, ty */

/* Pitch of the generic model against real faces looking straight ahead: the mean pitch the fit
 * gives over the 60 frontal studio portraits (frontal/ and neutral/, taken level by the lab's
 * protocol), subtracted so that they measure 0 on average. */
#define PITCH_ZERO_DEG 6.4

static void project(const double p[N_PARAM], int i, double *u, double *v)
{
    double cy = cos(p[0]), sy = sin(p[0]), cp = cos(p[1]), sp = sin(p[1]);
    double cr = cos(p[2]), sr = sin(p[2]);
    double x = model[i].x, y = model[i].y, z = model[i].z;
    /* yaw about the vertical axis: the nose (z > 0) moves to +x for yaw > 0 */
    double x1 = x * cy + z * sy, z1 = -x * sy + z * cy;
    /* pitch about the horizontal axis: the nose moves up (-y) for pitch > 0, chin up */
    double y2 = y * cp - z1 * sp;
    /* roll in the picture, clockwise for roll > 0 (y points down) */
    double x3 = x1 * cr - y2 * sr, y3 = x1 * sr + y2 * cr;
    *u = p[3] * x3 + p[4];
    *v = p[3] * y3 + p[5];
}

static double residuals(const landmarks_shape *s, const double p[N_PARAM], double *res)
{
    double sum = 0;
    for (int i = 0; i < N_MODEL; i++) {
        double u, v;
        project(p, i, &u, &v);
        res[2 * i] = u - s->pt[model[i].index][0];
        res[2 * i + 1] = v - s->pt[model[i].index][1];
        sum += res[2 * i] * res[2 * i] + res[2 * i + 1] * res[2 * i + 1];
    }
    return sum;
}

/* Solves the n x n system a x = b in place (Gaussian elimination with partial pivoting). */
static bool solve(double a[N_PARAM][N_PARAM], double b[N_PARAM], int n)
{
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c]))
                piv = r;
        if (fabs(a[piv][c]) < 1e-12)
            return false;
        for (int k = 0; k < n; k++) {
            double t = a[c][k];
            a[c][k] = a[piv][k];
            a[piv][k] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (int r = c + 1; r < n; r++) {
            double f = a[r][c] / a[c][c];
            for (int k = c; k < n; k++)
                a[r][k] -= f * a[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = n - 1; c >= 0; c--) {
        for (int k = c + 1; k < n; k++)
            b[c] -= a[c][k] * b[k];
        b[c] /= a[c][c];
    }
    return true;
}

bool faceshape_pose(const landmarks_shape *s, double *yaw_deg, double *pitch_deg)
{
    double l[2], r[2];
    centre(s, 36, 6, l);
    centre(s, 42, 6, r);
    double iod = hypot(r[0] - l[0], r[1] - l[1]);
    if (!(iod > 1))
        return false;
    /* start: facing the camera, rolled as the eye line, sized by the eye corners */
    double p[N_PARAM] = {
        0, 0, atan2(r[1] - l[1], r[0] - l[0]), dist(s, 36, 45) / 90.0, s->pt[30][0], s->pt[30][1]};
    double res[2 * N_MODEL], res2[2 * N_MODEL], jac[2 * N_MODEL][N_PARAM];
    double err = residuals(s, p, res), lambda = 1e-3;
    for (int it = 0; it < 50; it++) {
        for (int k = 0; k < N_PARAM; k++) {
            double q[N_PARAM];
            memcpy(q, p, sizeof(q));
            double h = k < 3 ? 1e-5 : k == 3 ? 1e-6 * p[3] : 1e-3;
            q[k] += h;
            residuals(s, q, res2);
            for (int i = 0; i < 2 * N_MODEL; i++)
                jac[i][k] = (res2[i] - res[i]) / h;
        }
        double a[N_PARAM][N_PARAM], g[N_PARAM];
        for (int j = 0; j < N_PARAM; j++) {
            g[j] = 0;
            for (int i = 0; i < 2 * N_MODEL; i++)
                g[j] -= jac[i][j] * res[i];
            for (int k = 0; k < N_PARAM; k++) {
                a[j][k] = 0;
                for (int i = 0; i < 2 * N_MODEL; i++)
                    a[j][k] += jac[i][j] * jac[i][k];
            }
            a[j][j] *= 1 + lambda;
        }
        if (!solve(a, g, N_PARAM))
            return false;
        double q[N_PARAM];
        for (int k = 0; k < N_PARAM; k++)
            q[k] = p[k] + g[k];
        double e2 = residuals(s, q, res2);
        if (e2 < err) {
            bool small = err - e2 < 1e-9 * err;
            memcpy(p, q, sizeof(p));
            memcpy(res, res2, sizeof(res));
            err = e2;
            lambda = fmax(lambda / 10, 1e-9);
            if (small)
                break;
        } else {
            lambda *= 10;
            if (lambda > 1e6)
                break;
        }
    }
    if (!isfinite(err) || !(p[3] > 0))
        return false;
    *yaw_deg = p[0] * 180.0 / M_PI;
    *pitch_deg = p[1] * 180.0 / M_PI - PITCH_ZERO_DEG;
    return isfinite(*yaw_deg) && isfinite(*pitch_deg);
}

/* dlib's own detector on a crop around the Haar face: its box is the one the landmarker was
 * trained on, and its turned-face filters frame a turned head where the Haar box does not (on
 * the 3/4 views the landmarks fitted from the Haar box give 5-35 degrees of yaw, from this box
 * 32-41). The crop is four Haar boxes wide, as on a turned head the Haar box may frame only a
 * part of the face, and shrunk to HOG_CROP_SIDE (a frontal face then spans about 100 pixels,
 * above the detector's smallest, 80). */
bk_err faceshape_hog_box(const landmarks *lm, const pic *picture, const face_box *fb,
                         landmarks_box *out, bool *found)
{
    landmarks_box area = {fb->x - 1.5 * fb->w, fb->y - 1.5 * fb->h, fb->w * 4, fb->h * 4};
    landmarks_box hits[4];
    int n = 0;
    *found = false;
    bk_err err = landmarks_detect(lm, picture, &area, HOG_CROP_SIDE, hits, 4, &n);
    if (err != BK_OK)
        return err;
    /* the detection whose centre lies inside the Haar box (another face in the crop is not it) */
    for (int i = 0; i < n; i++) {
        double cx = hits[i].x + hits[i].w / 2, cy = hits[i].y + hits[i].h / 2;
        if (cx >= fb->x && cx <= fb->x + fb->w && cy >= fb->y && cy <= fb->y + fb->h) {
            *out = hits[i];
            *found = true;
            break;
        }
    }
    return BK_OK;
}

bk_err faceshape_fit(const landmarks *lm, const pic *picture, face_result *fr)
{
    landmarks_box used;
    return faceshape_fit_from(lm, picture, fr, &used);
}

bk_err faceshape_fit_from(const landmarks *lm, const pic *picture, face_result *fr,
                          landmarks_box *used)
{
    if (lm == NULL || picture == NULL || fr == NULL)
        return BK_ERR_INVALID;
    fr->has_shape = false;
    if (fr->n_faces == 0)
        return BK_OK;
    face_result haar = *fr;
    *used = faceshape_box(&fr->faces[0]);
    bk_err err = faceshape_fit_box(lm, picture, NULL, fr);
    if (err != BK_OK || !faceshape_turned(fr))
        return err;
    landmarks_box hog;
    bool have_hog = false;
    err = faceshape_hog_box(lm, picture, &haar.faces[0], &hog, &have_hog);
    if (err != BK_OK || !have_hog)
        return err;
    *fr = haar;
    *used = hog;
    return faceshape_fit_box(lm, picture, &hog, fr);
}

bk_err faceshape_fit_unfound(const landmarks *lm, const pic *picture, face_result *fr)
{
    landmarks_box used;
    return faceshape_fit_unfound_from(lm, picture, fr, &used);
}

bk_err faceshape_fit_unfound_from(const landmarks *lm, const pic *picture, face_result *fr,
                                  landmarks_box *used)
{
    if (lm == NULL || picture == NULL || fr == NULL || used == NULL)
        return BK_ERR_INVALID;
    fr->has_shape = false;
    if (fr->n_faces != 0)
        return BK_OK;
    landmarks_box hit;
    int n = 0;
    bk_err err = landmarks_detect(lm, picture, NULL, FACESHAPE_UNFOUND_SIDE, &hit, 1, &n);
    if (err != BK_OK || n == 0)
        return err;
    *used = hit;
    err = landmarks_fit(lm, picture, &hit, &fr->shape);
    double yaw = NAN, pitch = NAN;
    if (err != BK_OK || !faceshape_pose(&fr->shape, &yaw, &pitch))
        return err;
    fr->yaw_deg = yaw;
    fr->pitch_deg = pitch;
    fr->has_shape = true;
    return BK_OK;
}

bool faceshape_turned(const face_result *fr)
{
    return fr->has_shape && !(fabs(fr->yaw_deg) <= HOG_BELOW_YAW);
}

bk_err faceshape_fit_box(const landmarks *lm, const pic *picture, const landmarks_box *hog,
                         face_result *fr)
{
    if (lm == NULL || picture == NULL || fr == NULL)
        return BK_ERR_INVALID;
    fr->has_shape = false;
    if (fr->n_faces == 0)
        return BK_OK;
    landmarks_box box = hog != NULL ? *hog : faceshape_box(&fr->faces[0]);
    bk_err err = landmarks_fit(lm, picture, &box, &fr->shape);
    if (err != BK_OK)
        return err;
    double yaw = NAN, pitch = NAN;
    if (!faceshape_pose(&fr->shape, &yaw, &pitch))
        yaw = pitch = NAN;
    fr->yaw_deg = yaw;
    fr->pitch_deg = pitch;
    fr->has_shape = true;
    double e[2][2];
    centre(&fr->shape, 36, 6, e[0]);
    centre(&fr->shape, 42, 6, e[1]);
    double iod = hypot(e[1][0] - e[0][0], e[1][1] - e[0][1]);
    double *haar[2] = {fr->left, fr->right};
    bool replaced = false;
    for (int i = 0; i < 2; i++) {
        double d = hypot(haar[i][0] - e[i][0], haar[i][1] - e[i][1]);
        if (fr->eyes_guessed || !fr->eyes_found || !(d <= EYE_AGREE * iod)) {
            haar[i][0] = e[i][0];
            haar[i][1] = e[i][1];
            replaced = true;
        }
    }
    if (replaced) {
        fr->eyes_found = true;
        fr->eyes_guessed = false;
        fr->roll_deg = atan2(fr->right[1] - fr->left[1], fr->right[0] - fr->left[0]) * 180.0 / M_PI;
    }
    return BK_OK;
}

void faceshape_smoother_reset(faceshape_smoother *sm)
{
    memset(sm, 0, sizeof(*sm));
}

static double median(const double *v, int n)
{
    double t[FACESHAPE_SMOOTH];
    memcpy(t, v, (size_t)n * sizeof(double));
    qsort(t, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

void faceshape_smooth(faceshape_smoother *sm, face_result *fr)
{
    if (!fr->has_shape || !isfinite(fr->yaw_deg) || !isfinite(fr->pitch_deg)) {
        faceshape_smoother_reset(sm);
        return;
    }
    sm->yaw[sm->next] = fr->yaw_deg;
    sm->pitch[sm->next] = fr->pitch_deg;
    sm->next = (sm->next + 1) % FACESHAPE_SMOOTH;
    if (sm->n < FACESHAPE_SMOOTH)
        sm->n++;
    fr->yaw_deg = median(sm->yaw, sm->n);
    fr->pitch_deg = median(sm->pitch, sm->n);
}
