#include "imaging/icao.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Head size from the frontal-face detector's box, which spans about cheek to cheek and brow to
 * mouth: the head (hair, crown to chin) is about as wide as the box and 1.55 times as high, with
 * the eye line 0.48 of the head height below the crown. Estimates: no chin or crown detection. */
#define HEAD_W_PER_BOX   1.0
#define HEAD_H_PER_BOX   1.55
#define CROWN_ABOVE_EYES 0.48
/* With landmarks: the head is 1.19 jaw widths wide (the jaw's points 0 and 16 sit at the ears,
 * inside the hair and ears: the factor makes the median over the annotated frontal portraits
 * equal to the box estimate's) and reaches from the measured chin to the crown, estimated 1.1
 * eye-to-chin distances above the eyes (the same crown as the box estimate's on those
 * portraits; adults' eye-to-crown and eye-to-chin heights are about equal, plus hair). */
#define HEAD_W_PER_JAW         1.19
#define CROWN_ABOVE_EYES_SHAPE 1.1

icao_settings icao_settings_default(bool child)
{
    icao_settings s = {
        .eye_distance_min = 300,
        /* 0.72 when the head was estimated from the detector's box; the measured chin makes
         * heads about 6 % smaller, and 0.68 keeps the framing the background checks were made
         * for (the corners beside the head) */
        .head_height_goal = 0.68,
        .eye_line_goal = 0.42,
        .roll_max_deg = 8,
        .head_width_min = 0.5,
        .head_width_max = 0.75,
        .head_height_min = 0.6,
        .head_height_max = 0.9,
        .eye_line_min = 0.3,
        .eye_line_max = 0.5,
        .centre_min = 0.45,
        .centre_max = 0.55,
        .face_luma_min = 35,
        .face_luma_max = 235,
        .clipped_max = 0.05,
        .sharpness_min = 2.0,
        .background_spread_max = 14,
        .background_luma_min = 161,
        .background_luma_max = 225,
        .background_tint_max = 12,
        .colour_cast_max = 30,
        .mouth_open_max = 0.016,
        .eyes_open_min = 0.025,
        .yaw_max_deg = 6.5,
        .pitch_max_deg = 14,
        .illumination_min = 0.7,
        .capture_scale = 1.0,
        .live = false,
    };
    if (child) {
        /* The standard allows wider tolerance under 10 without numbers: these are settings. */
        s.roll_max_deg = 12;
        s.head_width_min = 0.45;
        s.head_width_max = 0.8;
        s.head_height_min = 0.5;
        s.head_height_max = 0.9;
        s.eye_line_min = 0.25;
        s.eye_line_max = 0.55;
        s.centre_min = 0.42;
        s.centre_max = 0.58;
        s.mouth_open_max = 0.025;
        s.yaw_max_deg = 9;
        s.pitch_max_deg = 18;
    }
    return s;
}

#define LIMIT(field, child)                                                                        \
    {                                                                                              \
#field, offsetof(icao_settings, field), child                                              \
    }
static const icao_limit limits[] = {
    LIMIT(eye_distance_min, false),
    LIMIT(roll_max_deg, true),
    LIMIT(head_width_min, true),
    LIMIT(head_width_max, true),
    LIMIT(head_height_min, true),
    LIMIT(head_height_max, true),
    LIMIT(eye_line_min, true),
    LIMIT(eye_line_max, true),
    LIMIT(centre_min, true),
    LIMIT(centre_max, true),
    LIMIT(face_luma_min, false),
    LIMIT(face_luma_max, false),
    LIMIT(clipped_max, false),
    LIMIT(sharpness_min, false),
    LIMIT(background_spread_max, false),
    LIMIT(background_luma_min, false),
    LIMIT(background_luma_max, false),
    LIMIT(background_tint_max, false),
    LIMIT(colour_cast_max, false),
    LIMIT(mouth_open_max, true),
    LIMIT(eyes_open_min, false),
    LIMIT(yaw_max_deg, true),
    LIMIT(pitch_max_deg, true),
    LIMIT(illumination_min, false),
};

const icao_limit *icao_limits(size_t *n)
{
    *n = sizeof(limits) / sizeof(limits[0]);
    return limits;
}

void icao_limit_set(icao_settings *s, const icao_limit *limit, double value)
{
    memcpy((char *)s + limit->offset, &value, sizeof value);
}

double icao_limit_get(const icao_settings *s, const icao_limit *limit)
{
    double v;
    memcpy(&v, (const char *)s + limit->offset, sizeof v);
    return v;
}

static const char *const not_checked[] = {
    "expression", "glasses_reflections", "hot_spots", "head_covering", "gaze", NULL,
};

/* the same, and the checks that need landmarks */
static const char *const not_checked_without_shape[] = {
    "mouth_closed", "eyes_open",           "yaw",       "pitch",         "illumination_uniformity",
    "expression",   "glasses_reflections", "hot_spots", "head_covering", "gaze",
    NULL,
};

/* the same, for a turned head found with no frontal face: its yaw and pitch alone were checked */
static const char *const not_checked_but_pose[] = {
    "mouth_closed",
    "eyes_open",
    "illumination_uniformity",
    "expression",
    "glasses_reflections",
    "hot_spots",
    "head_covering",
    "gaze",
    NULL,
};

const char *const *icao_not_checked(void)
{
    return not_checked;
}

const char *const *icao_result_not_checked(const icao_result *r)
{
    if (r != NULL && r->landmarks)
        return not_checked;
    if (r != NULL && r->pose_unfound)
        return not_checked_but_pose;
    return not_checked_without_shape;
}

void icao_result_clear(icao_result *r)
{
    if (r == NULL)
        return;
    pic_free(r->output);
    memset(r, 0, sizeof(*r));
}

static icao_check *add(icao_result *r, const char *name, double value, double min, double max)
{
    icao_check *c = &r->checks[r->n_checks++];
    c->name = name;
    c->value = value;
    c->min = min;
    c->max = max;
    c->pass = isfinite(value) && (isnan(min) || value >= min) && (isnan(max) || value <= max);
    c->instruction = NULL;
    c->for_staff = false;
    return c;
}

static void say(icao_check *c, const char *low, const char *high, bool staff)
{
    if (c->pass)
        return;
    c->instruction = (!isnan(c->min) && c->value < c->min) ? low : high;
    c->for_staff = staff;
}

/* Mean and spread of luma, mean of each channel over a rectangle of the output (clipped). */
typedef struct stats {
    double luma, spread, rgb[3], clipped;
    long n;
    uint32_t hist[256]; /* luma histogram, for a spread that a strand of hair does not upset */
} stats;

static stats region_stats(const pic *p, double fx0, double fy0, double fx1, double fy1)
{
    stats st;
    memset(&st, 0, sizeof(st));
    int x0 = (int)fmax(0, fx0), y0 = (int)fmax(0, fy0);
    int x1 = (int)fmin(p->width, fx1), y1 = (int)fmin(p->height, fy1);
    /* integer sums: exact, as the doubles they replace were (a whole crop stays far below
     * 2^53), and several times faster over the 2 million pixels of a crop */
    uint64_t s = 0, q = 0, c[3] = {0, 0, 0};
    long clipped = 0, n = 0;
    for (int y = y0; y < y1; y++) {
        const uint8_t *px = p->px + ((size_t)y * (size_t)p->width + (size_t)x0) * 3;
        for (int x = x0; x < x1; x++, px += 3) {
            unsigned l = (77u * px[0] + 150u * px[1] + 29u * px[2] + 128u) >> 8; /* pic_luma */
            s += l;
            q += l * l;
            c[0] += px[0];
            c[1] += px[1];
            c[2] += px[2];
            clipped += l >= 250;
            st.hist[l]++;
        }
        n += x1 > x0 ? x1 - x0 : 0;
    }
    if (n == 0)
        return st;
    st.n = n;
    st.luma = (double)s / n;
    st.spread = sqrt(fmax(0, (double)q / n - st.luma * st.luma));
    for (int k = 0; k < 3; k++)
        st.rgb[k] = (double)c[k] / n;
    st.clipped = (double)clipped / n;
    return st;
}

static stats merge(stats a, stats b)
{
    stats m;
    memset(&m, 0, sizeof(m));
    m.n = a.n + b.n;
    if (m.n == 0)
        return m;
    double wa = (double)a.n / m.n, wb = (double)b.n / m.n;
    m.luma = a.luma * wa + b.luma * wb;
    double qa = a.spread * a.spread + a.luma * a.luma, qb = b.spread * b.spread + b.luma * b.luma;
    m.spread = sqrt(fmax(0, qa * wa + qb * wb - m.luma * m.luma));
    for (int k = 0; k < 3; k++)
        m.rgb[k] = a.rgb[k] * wa + b.rgb[k] * wb;
    m.clipped = a.clipped * wa + b.clipped * wb;
    for (int i = 0; i < 256; i++)
        m.hist[i] = a.hist[i] + b.hist[i];
    return m;
}

/* Spread of the middle half of the histogram (interquartile range / 1.349, the standard
 * deviation for a normal distribution): hair reaching into a corner does not count. */
static double robust_spread(const stats *st)
{
    long q1 = -1, q3 = -1, acc = 0;
    for (int i = 0; i < 256; i++) {
        acc += st->hist[i];
        if (q1 < 0 && acc * 4 >= st->n)
            q1 = i;
        if (q3 < 0 && acc * 4 >= st->n * 3)
            q3 = i;
    }
    return q1 < 0 || q3 < 0 ? 0 : (double)(q3 - q1) / 1.349;
}

/* Edge strength of a region relative to its contrast: the mean absolute Laplacian over the
 * standard deviation, times 100. A blurred face keeps its contrast but loses its edges. */
static double sharpness(const pic *p, double fx0, double fy0, double fx1, double fy1)
{
    int x0 = (int)fmax(1, fx0), y0 = (int)fmax(1, fy0);
    int x1 = (int)fmin(p->width - 1, fx1), y1 = (int)fmin(p->height - 1, fy1);
    double lap = 0, s = 0, q = 0;
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            int c = pic_luma(p, x, y);
            int l = 4 * c - pic_luma(p, x - 1, y) - pic_luma(p, x + 1, y) - pic_luma(p, x, y - 1) -
                    pic_luma(p, x, y + 1);
            lap += abs(l);
            s += c;
            q += (double)c * c;
            n++;
        }
    if (n == 0)
        return 0;
    double mean = s / n, sd = sqrt(fmax(1, q / n - mean * mean));
    return lap / n / sd * 100.0 / 4.0;
}

/* Fraction of the rectangle [x0,x1] x [y0,y1] that lies inside a w x h picture. */
static double inside_fraction(double x0, double y0, double x1, double y1, int w, int h)
{
    double area = (x1 - x0) * (y1 - y0);
    if (!(area > 0))
        return 0;
    double ix = fmax(0, fmin(x1, w) - fmax(x0, 0)), iy = fmax(0, fmin(y1, h) - fmax(y0, 0));
    return ix * iy / area;
}

/* Yaw and pitch from the landmarks' pose (faceshape_pose). The person faces the camera: a face
 * turned to the picture's right (yaw > 0) is turned to the person's left. */
static void pose_checks(icao_result *r, const face_result *faces, const icao_settings *set)
{
    icao_check *c = add(r, "yaw", faces->yaw_deg, -set->yaw_max_deg, set->yaw_max_deg);
    say(c, "Turn your head a little to your left", "Turn your head a little to your right", false);
    c = add(r, "pitch", faces->pitch_deg, -set->pitch_max_deg, set->pitch_max_deg);
    say(c, "Lift your chin a little", "Lower your chin a little", false);
}

/* Exactly one face. With no frontal face but a turned head found by dlib's detector
 * (faceshape_fit_unfound), its yaw and pitch come first, so that the first failure tells the
 * person which way to turn; `faces` still fails, so such a picture is never compliant. */
static void faces_check(icao_result *r, const face_result *faces, const icao_settings *set)
{
    r->pose_unfound = faces->n_faces == 0 && faces->has_shape;
    if (r->pose_unfound)
        pose_checks(r, faces, set);
    icao_check *c = add(r, "faces", faces->n_faces, 1, 1);
    say(c, "Look into the camera", "Only one person in the picture, please", false);
}

/* Mean luma of the face's two halves, cheek and nose between the eyes and the mouth, split at
 * the nose: the darker over the brighter (1 = even light). A lamp on one side only shades the
 * other half. */
static double illumination(const pic *p, const landmarks_shape *s)
{
    double top = (s->pt[36][1] + s->pt[45][1]) / 2, bottom = (s->pt[48][1] + s->pt[54][1]) / 2;
    double xl = (s->pt[1][0] + s->pt[2][0]) / 2, xr = (s->pt[14][0] + s->pt[15][0]) / 2;
    double xm = s->pt[30][0];
    stats l = region_stats(p, xl, top, xm, bottom), r = region_stats(p, xm, top, xr, bottom);
    if (l.n == 0 || r.n == 0 || !(fmax(l.luma, r.luma) > 0))
        return NAN;
    return fmin(l.luma, r.luma) / fmax(l.luma, r.luma);
}

/* Background (the upper corners beside the head) and colour cast of the output `o`. */
static void background_checks(icao_result *r, const pic *o, const icao_settings *set)
{
    const int ow = o->width, oh = o->height;
    stats bl = region_stats(o, 0.02 * ow, 0.02 * oh, 0.12 * ow, 0.25 * oh);
    stats br = region_stats(o, 0.88 * ow, 0.02 * oh, 0.98 * ow, 0.25 * oh);
    stats bg = merge(bl, br);
    icao_check *c =
        add(r, "background_uniformity", robust_spread(&bg), NAN, set->background_spread_max);
    say(c, NULL, "staff: the background is not plain, check the screen behind the person", true);
    c = add(r, "background_brightness", bg.luma, set->background_luma_min,
            set->background_luma_max);
    say(c, "staff: the background is too dark, check the lights",
        "staff: the background is too bright, check the lights", true);
    double tint = fmax(fabs(bg.rgb[0] - bg.rgb[1]),
                       fmax(fabs(bg.rgb[1] - bg.rgb[2]), fabs(bg.rgb[0] - bg.rgb[2])));
    c = add(r, "background_grey", tint, NAN, set->background_tint_max);
    say(c, NULL, "staff: the background is not grey, check the screen behind the person", true);
    /* Colour cast of the whole picture: chroma of its mean colour (skin keeps it above 0). */
    stats all = region_stats(o, 0, 0, ow, oh);
    double cb = -0.1687 * all.rgb[0] - 0.3313 * all.rgb[1] + 0.5 * all.rgb[2];
    double cr = 0.5 * all.rgb[0] - 0.4187 * all.rgb[1] - 0.0813 * all.rgb[2];
    c = add(r, "colour_cast", hypot(cb, cr), NAN, set->colour_cast_max);
    say(c, NULL, "staff: colour cast, check the camera's white balance", true);
}

/* The crop's window: *step input pixels per output pixel (no upscaling beyond what the minimum
 * eye distance needs) and its top-left corner (x0, y0). False when there is none. */
static bool crop_window(const pic *picture, double head_h, double iod, double mx, double my,
                        const icao_settings *set, double *step_out, double *x0, double *y0)
{
    const double W = ICAO_OUT_WIDTH, H = ICAO_OUT_HEIGHT;
    /* Sized for the head, unless that leaves the eyes closer than the minimum. */
    double step = head_h / (set->head_height_goal * H);
    if (iod / step < set->eye_distance_min)
        step = iod / set->eye_distance_min;
    /* A window larger than the picture is shrunk: the face then fills more of the output and the
     * geometry checks say so. */
    if (W * step > picture->width)
        step = picture->width / W;
    if (H * step > picture->height)
        step = picture->height / H;
    if (!(step > 0))
        return false;
    /* moved inside the picture rather than filled: filling would invent background */
    *x0 = fmin(fmax(mx - W / 2 * step, 0), picture->width - W * step);
    *y0 = fmin(fmax(my - set->eye_line_goal * H * step, 0), picture->height - H * step);
    *step_out = step;
    return true;
}

bk_err icao_check_picture(const pic *picture, const face_result *faces, const icao_settings *set,
                          icao_result *out)
{
    if (picture == NULL || faces == NULL || set == NULL || out == NULL || picture->channels != 3)
        return BK_ERR_INVALID;
    icao_result r;
    memset(&r, 0, sizeof(r));
    faces_check(&r, faces, set);
    if (faces->n_faces == 0) {
        r.compliant = false;
        *out = r;
        return BK_OK;
    }
    const face_box *fb = &faces->faces[0];
    const double lx = faces->left[0], ly = faces->left[1];
    const double rx = faces->right[0], ry = faces->right[1];
    const double mx = (lx + rx) / 2, my = (ly + ry) / 2;
    const double iod = hypot(rx - lx, ry - ly);
    double head_w = fb->w * HEAD_W_PER_BOX, head_h = fb->h * HEAD_H_PER_BOX;
    double crown = my - CROWN_ABOVE_EYES * head_h;
    faceshape_measures fm;
    if (faces->has_shape) {
        faceshape_measure(picture, &faces->shape, &fm);
        head_w = fm.jaw_width * HEAD_W_PER_JAW;
        head_h = fm.eye_chin * (1 + CROWN_ABOVE_EYES_SHAPE);
        crown = fm.eye_mid[1] - CROWN_ABOVE_EYES_SHAPE * fm.eye_chin;
    }

    /* The head's estimated box in the picture must lie inside it. */
    icao_check *c = add(&r, "head_in_frame",
                        inside_fraction(mx - head_w / 2, crown, mx + head_w / 2, crown + head_h,
                                        picture->width, picture->height),
                        0.98, 1.0);
    say(c, "Move so that your whole head is in the picture", NULL, false);

    c = add(&r, "eye_distance", iod * set->capture_scale, set->eye_distance_min, NAN);
    say(c, "Come a little closer", NULL, false);

    c = add(&r, "roll", faces->roll_deg, -set->roll_max_deg, set->roll_max_deg);
    say(c, "Keep your head straight", "Keep your head straight", false);
    if (faces->has_shape)
        pose_checks(&r, faces, set);

    const double W = ICAO_OUT_WIDTH, H = ICAO_OUT_HEIGHT;
    double step, x0, y0;
    if (!crop_window(picture, head_h, iod, mx, my, set, &step, &x0, &y0)) {
        *out = r;
        return BK_OK;
    }

    double out_scale = set->live ? 0.25 : 1.0;
    int ow = (int)lround(W * out_scale), oh = (int)lround(H * out_scale);
    double ostep = step / out_scale;
    pic *o = NULL;
    bk_err err =
        pic_warp(picture, x0 + (ostep - 1) / 2, y0 + (ostep - 1) / 2, 0, ostep, ow, oh, &o);
    if (err != BK_OK)
        return err;
    r.cropped = true;
    r.output = o;
    r.out_left[0] = (lx - x0) / step;
    r.out_left[1] = (ly - y0) / step;
    r.out_right[0] = (rx - x0) / step;
    r.out_right[1] = (ry - y0) / step;

    c = add(&r, "head_width", head_w / step / W, set->head_width_min, set->head_width_max);
    say(c, "Come a little closer", "Move back a little", false);
    c = add(&r, "head_height", head_h / step / H, set->head_height_min, set->head_height_max);
    say(c, "Come a little closer", "Move back a little", false);
    c = add(&r, "eye_line", (my - y0) / step / H, set->eye_line_min, set->eye_line_max);
    say(c, "Sit up a little", "Lower your head a little", false);
    /* The person faces the camera: the picture's left is their right. */
    c = add(&r, "face_centre", (mx - x0) / step / W, set->centre_min, set->centre_max);
    say(c, "Move a little to your left", "Move a little to your right", false);
    if (faces->has_shape) {
        r.landmarks = true;
        c = add(&r, "mouth_closed", fm.mouth_open, NAN, set->mouth_open_max);
        say(c, NULL, "Close your mouth, please", false);
        c = add(&r, "eyes_open", fm.eyes_open, set->eyes_open_min, NAN);
        say(c, "Open your eyes, please", NULL, false);
    }

    /* Quality, measured in output coordinates (k scales them to the made output's size). */
    const double k = out_scale;
    double oiod = iod / step * k;
    double emx = (mx - x0) / step * k, emy = (my - y0) / step * k;
    double fx0 = emx - oiod, fx1 = emx + oiod, fy0 = emy - 0.4 * oiod, fy1 = emy + 1.3 * oiod;
    stats face = region_stats(o, fx0, fy0, fx1, fy1);
    c = add(&r, "face_brightness", face.luma, set->face_luma_min, set->face_luma_max);
    say(c, "staff: too dark, check the lights", "staff: too bright, check the lights", true);
    c = add(&r, "overexposure", face.clipped, NAN, set->clipped_max);
    say(c, NULL, "staff: too bright, check the lights", true);
    if (!set->live) {
        pic *half = NULL;
        err = pic_resize(o, ow / 2, oh / 2, &half);
        if (err != BK_OK) {
            icao_result_clear(&r);
            return err;
        }
        double sh = sharpness(half, fx0 / 2, fy0 / 2, fx1 / 2, fy1 / 2);
        pic_free(half);
        c = add(&r, "sharpness", sh, set->sharpness_min, NAN);
        say(c, "Hold still, please", NULL, false);
    }
    if (faces->has_shape) {
        c = add(&r, "illumination_uniformity", illumination(picture, &faces->shape),
                set->illumination_min, NAN);
        say(c, "staff: uneven light on the face, check the lamps", NULL, true);
    }
    background_checks(&r, o, set);

    r.compliant = true;
    for (int i = 0; i < r.n_checks; i++)
        r.compliant = r.compliant && r.checks[i].pass;
    *out = r;
    return BK_OK;
}

void icao_guide_get(const icao_settings *set, int width, int height, icao_guide *out)
{
    const double W = ICAO_OUT_WIDTH, H = ICAO_OUT_HEIGHT;
    double step = fmin(height / H, width / W); /* the largest window, centred */
    double x0 = (width - W * step) / 2, y0 = (height - H * step) / 2;
    double eye = y0 + (set->eye_line_min + set->eye_line_max) / 2 * H * step;
    /* as icao_check_picture estimates a head from its landmarks: chin one eye-to-chin distance
     * below the eyes, the crown CROWN_ABOVE_EYES_SHAPE of them above; no larger than leaves the
     * head inside the picture (2 % of its height from the edges: head_in_frame) */
    double eye_chin =
        fmin(set->head_height_goal * H * step / (1 + CROWN_ABOVE_EYES_SHAPE),
             fmin((eye - 0.02 * height) / CROWN_ABOVE_EYES_SHAPE, 0.98 * height - eye));
    out->cx = (x0 + (set->centre_min + set->centre_max) / 2 * W * step) / width;
    out->half_width = (set->head_width_min + set->head_width_max) / 4 * W * step / width;
    out->eye_line = eye / height;
    out->crown = (eye - CROWN_ABOVE_EYES_SHAPE * eye_chin) / height;
    out->chin = (eye + eye_chin) / height;
}

const icao_check *icao_first_failure(const icao_result *r)
{
    for (int i = 0; i < r->n_checks; i++)
        if (!r->checks[i].pass)
            return &r->checks[i];
    return NULL;
}
