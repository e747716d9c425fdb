#include "imaging/facecheck.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "imaging/picio.h"

/* Captures of fewer pixels than this are decoded whole: the two passes gain little. */
#define TWO_PASS_MIN_PIXELS (8L * 1000 * 1000)
/* The first pass finds faces down to FIND_MIN_FACE of the capture's shorter side, but never asks
 * for more than FIND_MIN_FACE_PX capture pixels (0.12 of a 6000x4000 capture's 4000): a face
 * found in a 6000x4000 capture is found in a larger one too, where a share of the side alone
 * would ask a 12000x8000 capture's face to be twice as wide. */
#define FIND_MIN_FACE    0.12
#define FIND_MIN_FACE_PX 480.0
/* That smallest face is decoded at least FIND_DECODED_PX wide (the largest DCT scaling, 1/8 at
 * most, that leaves it so) and searched at FIND_SEARCH_PX (the Haar window is 24): the sizes of
 * the 1/8 decode of a 6000x4000 capture searched at 320 px, which such a capture keeps. */
#define FIND_DECODED_PX 60.0
#define FIND_SEARCH_PX  25.6
/* The region decoded at full resolution, in face boxes of the small pass: wide enough for the
 * crop (about 3.3 boxes wide and 4.2 high at the crop's head height) with a margin, and for
 * dlib's detector (four boxes around the face, faceshape.c). */
#define REGION_W     4.6
#define REGION_H     5.6
#define REGION_ABOVE 2.2 /* of the region's height above the box's top edge, in boxes */

bk_err facecheck_picture(const face_finder *finder, const landmarks *lm, const pic *picture,
                         const icao_settings *limits, face_result *faces, icao_result *result)
{
    face_options o = face_options_still();
    bk_err err = face_find(finder, picture, &o, faces);
    if (err == BK_OK && lm != NULL)
        err = faces->n_faces > 0 ? faceshape_fit(lm, picture, faces)
                                 : faceshape_fit_unfound(lm, picture, faces);
    if (err == BK_OK)
        err = icao_check_picture(picture, faces, limits, result);
    return err;
}

static void shift_box(face_box *b, double k, double dx, double dy)
{
    b->x = b->x * k - dx;
    b->y = b->y * k - dy;
    b->w *= k;
    b->h *= k;
}

/* Moves a result found in a region with origin (ox, oy), decoded at 1/scale, back into the
 * capture's coordinates. */
static void to_capture(face_result *fr, int ox, int oy, double scale)
{
    for (int i = 0; i < fr->n_faces; i++)
        shift_box(&fr->faces[i], scale, -ox * scale, -oy * scale);
    for (int i = 0; i < 2; i++) {
        fr->left[i] = (fr->left[i] + (i ? oy : ox)) * scale;
        fr->right[i] = (fr->right[i] + (i ? oy : ox)) * scale;
    }
    if (fr->has_shape)
        for (int i = 0; i < LANDMARKS_N; i++) {
            fr->shape.pt[i][0] = (fr->shape.pt[i][0] + ox) * scale;
            fr->shape.pt[i][1] = (fr->shape.pt[i][1] + oy) * scale;
        }
}

/* The first pass's DCT scaling for a w x h capture, and the smallest face in its pixels. */
static int find_scale(int w, int h, double *min_face_px)
{
    *min_face_px = fmin(FIND_MIN_FACE * (w < h ? w : h), FIND_MIN_FACE_PX);
    int scale = 8;
    while (scale > 1 && *min_face_px / scale < FIND_DECODED_PX)
        scale /= 2;
    return scale;
}

/* The first pass's search of the decoded picture p (k capture pixels per pixel of p): the live
 * view's coarser search, shrunk so that the smallest face is FIND_SEARCH_PX wide, no turned
 * copies. */
static face_options find_options(const pic *p, double k, double min_face_px)
{
    face_options o = face_options_live();
    double face = min_face_px / k;
    int longer = p->width > p->height ? p->width : p->height;
    o.detect_side = (int)fmin(longer, lround(longer * FIND_SEARCH_PX / face));
    o.min_face = face / (p->width < p->height ? p->width : p->height);
    o.try_turned = false;
    return o;
}

/* The DCT scaling of the second pass: capture pixels per output pixel of the crop, estimated
 * from the small pass's face box (its head height and eye distance, as icao.c sizes the crop),
 * halved for a margin, rounded down to 1, 2 or 4. */
static int region_scale(const face_result *small, double k, const icao_settings *limits)
{
    double head_h = small->faces[0].h * k * 1.4;
    double step = head_h / (limits->head_height_goal * ICAO_OUT_HEIGHT);
    double iod = hypot(small->right[0] - small->left[0], small->right[1] - small->left[1]) * k;
    if (limits->eye_distance_min > 0 && iod / step < limits->eye_distance_min)
        step = iod / limits->eye_distance_min;
    step /= 1.25;
    return step >= 4 ? 4 : step >= 2 ? 2 : 1;
}

/* The landmarks of the region `p` (origin ox, oy; k region pixels per pixel of the small pass):
 * from the Haar box, and again from dlib's detector run on the small picture when that fit says
 * the head is turned (as faceshape_fit does on one picture). */
static bk_err fit_region(const landmarks *lm, const pic *smallpic, const face_result *small,
                         const pic *p, double k, int ox, int oy, face_result *fr)
{
    face_result haar = *fr;
    bk_err err = faceshape_fit_box(lm, p, NULL, fr);
    if (err != BK_OK || !faceshape_turned(fr))
        return err;
    landmarks_box hog;
    bool found = false;
    err = faceshape_hog_box(lm, smallpic, &small->faces[0], &hog, &found);
    if (err != BK_OK || !found)
        return err;
    hog.x = hog.x * k - ox;
    hog.y = hog.y * k - oy;
    hog.w *= k;
    hog.h *= k;
    *fr = haar;
    return faceshape_fit_box(lm, p, &hog, fr);
}

bk_err facecheck_capture(const face_finder *finder, const landmarks *lm, const uint8_t *data,
                         size_t size, const icao_settings *limits, face_result *faces,
                         icao_result *result, int *width, int *height)
{
    int w = 0, h = 0;
    bk_err err = picio_peek_size(data, size, &w, &h);
    if (err != BK_OK)
        return err;
    if (width != NULL)
        *width = w;
    if (height != NULL)
        *height = h;
    bool jpeg = size >= 3 && data[0] == 0xFF && data[1] == 0xD8;
    pic *p = NULL;
    if (!jpeg || (long)w * h < TWO_PASS_MIN_PIXELS) {
        err = picio_decode(data, size, 1, &p);
        if (err == BK_OK)
            err = facecheck_picture(finder, lm, p, limits, faces, result);
        pic_free(p);
        return err;
    }
    /* pass 1: where is the face? On a decode scaled to the capture's size (find_scale) */
    double min_face_px = 0;
    err = picio_decode(data, size, find_scale(w, h, &min_face_px), &p);
    face_result small;
    if (err == BK_OK) {
        face_options o = find_options(p, (double)w / p->width, min_face_px);
        err = face_find(finder, p, &o, &small);
    }
    if (err != BK_OK || small.n_faces == 0) {
        /* no face: the checks say so (no crop is made without a face), with the pose of a
         * turned head dlib's detector finds on the small picture */
        if (err == BK_OK && lm != NULL)
            err = faceshape_fit_unfound(lm, p, &small);
        if (err == BK_OK)
            err = icao_check_picture(p, &small, limits, result);
        if (err == BK_OK) {
            to_capture(&small, 0, 0, (double)w / p->width);
            *faces = small;
        }
        pic_free(p);
        return err;
    }
    double k = (double)w / p->width;
    pic *smallpic = p;
    p = NULL;
    /* pass 2: the region of the crop, at the crop's own resolution (the largest DCT scaling
     * that still gives at least one decoded pixel per output pixel) */
    int scale = region_scale(&small, k, limits);
    k /= scale;
    face_box near = small.faces[0];
    shift_box(&near, k, 0, 0);
    int rx = (int)floor(near.x + near.w / 2 - REGION_W / 2 * near.w);
    int ry = (int)floor(near.y - REGION_ABOVE * near.h);
    int ox = 0, oy = 0;
    err = picio_decode_region(data, size, scale, rx, ry, (int)ceil(REGION_W * near.w),
                              (int)ceil(REGION_H * near.h), &p, &ox, &oy);
    if (err != BK_OK) {
        pic_free(smallpic);
        return err;
    }
    icao_settings set = *limits;
    set.capture_scale *= scale; /* eye distance in the capture's pixels */
    /* the small pass's face and eyes, in the region's pixels: its eye search ran on the face
     * resampled to face_options.eye_width pixels, finer than the small picture; the landmarks
     * are fitted at the region's resolution */
    face_result fr = small;
    for (int i = 0; i < fr.n_faces; i++)
        shift_box(&fr.faces[i], k, ox, oy);
    for (int i = 0; i < 2; i++) {
        fr.left[i] = small.left[i] * k - (i ? oy : ox);
        fr.right[i] = small.right[i] * k - (i ? oy : ox);
    }
    if (lm != NULL)
        err = fit_region(lm, smallpic, &small, p, k, ox, oy, &fr);
    pic_free(smallpic);
    if (err == BK_OK)
        err = icao_check_picture(p, &fr, &set, result);
    if (err == BK_OK) {
        to_capture(&fr, ox, oy, scale);
        *faces = fr;
    }
    pic_free(p);
    return err;
}

void facecheck_live_init(facecheck_live *live, int full_every)
{
    memset(live, 0, sizeof(*live));
    face_tracker_init(&live->track, full_every);
    faceshape_smoother_reset(&live->smooth);
    faceshape_smoother_reset(&live->turned_smooth);
    live->unfound_every = FACECHECK_UNFOUND_EVERY;
    live->since_unfound = INT_MAX / 2; /* the first frame without a face may search at once */
}

static void points_box(const landmarks_shape *s, double b[4])
{
    double x0 = s->pt[0][0], x1 = x0, y0 = s->pt[0][1], y1 = y0;
    for (int i = 1; i < LANDMARKS_N; i++) {
        x0 = fmin(x0, s->pt[i][0]);
        x1 = fmax(x1, s->pt[i][0]);
        y0 = fmin(y0, s->pt[i][1]);
        y1 = fmax(y1, s->pt[i][1]);
    }
    b[0] = x0;
    b[1] = y0;
    b[2] = fmax(1, x1 - x0);
    b[3] = fmax(1, y1 - y0);
}

/* The spread (standard deviation) of the grey levels inside the box of a fit's points, every
 * second pixel: a face's eyes, brows, nostrils and mouth give it one, an empty background none. */
static double contrast(const pic *frame, const landmarks_shape *s)
{
    double b[4];
    points_box(s, b);
    int x0 = (int)fmax(0, b[0]), y0 = (int)fmax(0, b[1]);
    int x1 = (int)fmin(frame->width, b[0] + b[2]), y1 = (int)fmin(frame->height, b[1] + b[3]);
    double sum = 0, sq = 0;
    long n = 0;
    for (int y = y0; y < y1; y += 2)
        for (int x = x0; x < x1; x += 2) {
            double v = pic_luma(frame, x, y);
            sum += v;
            sq += v * v;
            n++;
        }
    if (n < 16)
        return 0;
    double m = sum / n;
    return sqrt(fmax(0, sq / n - m * m));
}

/* A followed fit whose contrast falls under this share of the fit that found the face is not a
 * face any more: the person left (on an empty frame the fit still lands somewhere, within a
 * quarter of the size, and until the next full search said "Close your mouth, please" or "Lift
 * your chin a little" to nobody for up to 9 frames). */
#define FOLLOW_MIN_CONTRAST 0.5

/* Remembers a fit made from `box` for the next frame; `frame` (NULL: a followed fit) when the fit
 * found the face, for the contrast the following compares with. */
static void remember(facecheck_live *live, const face_result *fr, const landmarks_box *box,
                     const pic *frame)
{
    if (frame != NULL)
        live->found_contrast = contrast(frame, &fr->shape);
    double p[4];
    points_box(&fr->shape, p);
    live->box_from_points[0] = (box->x - p[0]) / p[2];
    live->box_from_points[1] = (box->y - p[1]) / p[3];
    live->box_from_points[2] = box->w / p[2];
    live->box_from_points[3] = box->h / p[3];
    live->last = fr->shape;
    live->have_shape = true;
}

static void eye_centre(const landmarks_shape *s, int first, double out[2])
{
    out[0] = out[1] = 0;
    for (int i = first; i < first + 6; i++) {
        out[0] += s->pt[i][0] / 6;
        out[1] += s->pt[i][1] / 6;
    }
}

/* Follows the face by its landmarks: fits them from the box the last frame's points give (in
 * the relation the fit that found the face had to its box: dlib's own box for a turned head), and
 * moves the tracker's face box with them. False when the new fit does not look like the same
 * face (size changed by more than a quarter, or no pose): then the frame is searched. */
static bool follow(const landmarks *lm, facecheck_live *live, const pic *frame, face_result *fr)
{
    double p[4];
    points_box(&live->last, p);
    const double *k = live->box_from_points;
    landmarks_box box = {p[0] + k[0] * p[2], p[1] + k[1] * p[3], k[2] * p[2], k[3] * p[3]};
    memset(fr, 0, sizeof(*fr));
    if (landmarks_fit(lm, frame, &box, &fr->shape) != BK_OK)
        return false;
    double q[4];
    points_box(&fr->shape, q);
    if (!(fabs(q[2] / p[2] - 1) < 0.25) ||
        !faceshape_pose(&fr->shape, &fr->yaw_deg, &fr->pitch_deg) ||
        !(contrast(frame, &fr->shape) >= FOLLOW_MIN_CONTRAST * live->found_contrast))
        return false;
    fr->has_shape = true;
    fr->n_faces = 1;
    face_box b = live->track.last;
    double sx = q[2] / p[2];
    b.x = q[0] + (b.x - p[0]) * sx;
    b.y = q[1] + (b.y - p[1]) * sx;
    b.w *= sx;
    b.h *= sx;
    fr->faces[0] = b;
    eye_centre(&fr->shape, 36, fr->left);
    eye_centre(&fr->shape, 42, fr->right);
    fr->eyes_found = true;
    fr->roll_deg = atan2(fr->right[1] - fr->left[1], fr->right[0] - fr->left[0]) * 180.0 / M_PI;
    live->track.last = b;
    /* the relation of box to points stays the one of the fit that found the face: taken from each
     * followed fit instead, it drifted fit after fit to another shape (a frontal portrait through
     * the emulator from -4 to +11 or -12 degrees of yaw within 3-10 frames, told "Turn your
     * head" until the face was searched anew: on 7-23 of 500 analyses in 3 of 7 runs; none in 5
     * runs so), as a turned head's did from 40 to 15 degrees */
    double rel[4];
    memcpy(rel, live->box_from_points, sizeof(rel));
    remember(live, fr, &box, NULL);
    memcpy(live->box_from_points, rel, sizeof(rel));
    return true;
}

/* A head dlib's detector finds (or the landmarks follow) with no frontal face is taken for a
 * turned head only from this yaw on; below it, it is a face as the Haar search's (the Haar search
 * misses a face turned less than that for other reasons now and then: 1 frame in 40 of the
 * benchmark's frontal portrait, every frame of frl_london_042_03), judged by the same checks. The
 * 3/4 views the Haar search misses measure 30-44 degrees in live view. */
#define TURNED_MIN_DEG 15.0

/* dlib's detector near a head lost: an area this many Haar boxes wide and high around where it
 * was, shrunk so that the box is about NEAR_FACE_PX (the detector's smallest face is 80 px):
 * 5.5 ms against 14.5 ms CPU for the whole 512x340 frame (median of 20 live frames each of four
 * portraits). */
#define NEAR_BOXES   2.5
#define NEAR_FACE_PX 100

static bool turned_enough(const face_result *fr)
{
    return fabs(fr->yaw_deg) >= TURNED_MIN_DEG;
}

/* The frame's Haar search: the tracker's (face_track), or, while a turned head found by dlib's
 * detector is followed, a search near it only (the person turning back to the camera), with a
 * full search at the tracker's rate (a second person, a frontal face elsewhere). */
static bk_err search(const face_finder *finder, facecheck_live *live, const pic *frame,
                     face_result *faces)
{
    face_tracker *t = &live->track;
    face_options o = face_options_live();
    if (!live->turned || t->since_full + 1 >= t->full_every)
        return face_track(finder, t, frame, &o, faces, NULL);
    bk_err err = face_find_near(finder, frame, &o, &live->turned_box, faces);
    if (err != BK_OK)
        return err;
    t->tracked_searches++;
    t->since_full++;
    t->valid = faces->n_faces == 1;
    if (t->valid)
        t->last = faces->faces[0];
    return BK_OK;
}

/* Follows the turned head of the last frames by its landmarks; faces gets this frame's (n_faces
 * 0). The box comes from the last points in the relation of the detector's own box to its fit
 * (follow(); the last fit's drifted towards a frontal shape, from 40 to 15 degrees within 15
 * frames on a 3/4 view). False, and the last frame's points kept, when the fit loses
 * the head or measures it turned less than TURNED_MIN_DEG (turned back; but also, now and then,
 * a fit of a 3/4 view from a box a few pixels off that lands on a frontal shape: 40 degrees,
 * then 2, on the emulator's frames, while dlib's detector's box gives 40 again). */
static bool follow_turned(const landmarks *lm, facecheck_live *live, const pic *frame,
                          face_result *faces)
{
    landmarks_shape last = live->last;
    /* follow() moves the tracker's box with the points (the tracker is not valid: no frontal
     * face, so its search does not use it) */
    live->track.last = live->turned_box;
    bool ok = follow(lm, live, frame, faces) && turned_enough(faces);
    if (!ok) {
        live->last = last;
        memset(faces, 0, sizeof(*faces));
        return false;
    }
    live->turned_box = faces->faces[0];
    memset(&faces->faces[0], 0, sizeof(faces->faces[0]));
    faces->n_faces = 0;
    faces->eyes_found = false;
    return true;
}

/* dlib's detector over `area` of the frame (NULL: the whole frame) shrunk to `side`: its boxes,
 * best first, in hits[] and their count in *n, and in *fr the landmarks fitted to the best, with
 * its eyes and pose (has_shape false when none was found or no pose fits; fr->n_faces 0: the
 * caller decides what the head is taken for). */
static bk_err detect(const landmarks *lm, const pic *frame, const landmarks_box *area, int side,
                     face_result *fr, landmarks_box hits[FACE_MAX], int *n)
{
    memset(fr, 0, sizeof(*fr));
    bk_err err = landmarks_detect(lm, frame, area, side, hits, FACE_MAX, n);
    if (err != BK_OK || *n == 0)
        return err;
    fr->n_faces = 1;
    fr->faces[0] = faceshape_haar_box(&hits[0]);
    err = faceshape_fit_box(lm, frame, &hits[0], fr);
    fr->n_faces = 0;
    fr->has_shape =
        err == BK_OK && fr->has_shape && isfinite(fr->yaw_deg) && isfinite(fr->pitch_deg);
    return err;
}

/* The detector over the whole frame (the period of unfound_every). */
static bk_err detect_whole(const landmarks *lm, facecheck_live *live, const pic *frame,
                           face_result *fr, landmarks_box hits[FACE_MAX], int *n)
{
    live->since_unfound = 0;
    live->unfound_searches++;
    return detect(lm, frame, NULL, FACESHAPE_UNFOUND_SIDE, fr, hits, n);
}

/* The detector near the face or head of the last frames (live->lost_box), lost on this one:
 * only the best box there counts (*n 0 or 1), as the Haar search near a face sees only it. */
static bk_err detect_near(const landmarks *lm, facecheck_live *live, const pic *frame,
                          face_result *fr, landmarks_box hits[FACE_MAX], int *n)
{
    const face_box *b = &live->lost_box;
    landmarks_box area = {b->x + b->w / 2 - NEAR_BOXES / 2 * b->w,
                          b->y + b->h / 2 - NEAR_BOXES / 2 * b->h, NEAR_BOXES * b->w,
                          NEAR_BOXES * b->h};
    live->near_searches++;
    bk_err err = detect(lm, frame, &area, (int)(NEAR_BOXES * NEAR_FACE_PX), fr, hits, n);
    *n = *n > 0;
    return err;
}

/* The box a fit from the Haar box stands in to its points (offset and size as fractions of the
 * points' bounding box): the mean over three live frames of each frontal portrait (spread 0.05,
 * 0.04, 0.08, 0.07). A face dlib's detector finds is fitted from its box (as a still's turned
 * face is), but followed in this relation: the detector's boxes come in steps of 6/5 in size (its
 * pyramid), 0.85-1.30 times its fit's points' box on the frontal portraits' live frames, and
 * followed in the relation of one too small (frl_london_061_03, 0.90) the fit shrank frame after
 * frame (points 117x117 px to 111x75 within 9 frames, "Move back a little"). */
static const double FIT_BOX[4] = {-0.023, -0.088, 1.093, 1.077};

/* A face dlib's detector found that is not turned by TURNED_MIN_DEG: taken as the Haar search's
 * would be (the Haar box its box maps to, the landmark eyes), every head it found counted, and a
 * lone one tracked (followed by its landmarks, FIT_BOX, until the next full search). */
static void take_face(facecheck_live *live, const pic *frame, const face_result *fr,
                      const landmarks_box *hits, int n, face_result *faces)
{
    *faces = *fr;
    faces->n_faces = n < FACE_MAX ? n : FACE_MAX;
    for (int i = 0; i < faces->n_faces; i++)
        faces->faces[i] = faceshape_haar_box(&hits[i]);
    face_tracker *t = &live->track;
    t->valid = faces->n_faces == 1;
    if (t->valid) {
        t->last = faces->faces[0];
        remember(live, faces, &hits[0], frame);
        memcpy(live->box_from_points, FIT_BOX, sizeof(FIT_BOX));
    }
    live->dlib_face = true;
}

/* A frame in which the Haar search found no face (faces->n_faces 0). dlib's detector searches the
 * whole frame when it is due (unfound_every), and near the face or head of the last frame when
 * that was lost (live->retry_left: on this frame and the next two, however often; a head that is
 * still there is found again at once, one that left is not). A head turned by TURNED_MIN_DEG or
 * more is followed by its landmarks from then on (its fit is taken when there was none to follow
 * or the following lost it), n_faces staying 0 and its outline in live->turned_box; a face
 * turned less is taken as a face (take_face). */
static bk_err no_frontal(const landmarks *lm, facecheck_live *live, const pic *frame,
                         face_result *faces)
{
    bool was_turned = live->turned, whole = false;
    live->turned = false;
    face_result fr;
    landmarks_box hits[FACE_MAX];
    int n = 0;
    bk_err err = BK_OK;
    if (live->unfound_every <= 0)
        return BK_OK;
    if (live->since_unfound >= live->unfound_every) {
        whole = true;
        if ((err = detect_whole(lm, live, frame, &fr, hits, &n)) != BK_OK)
            return err;
        if (fr.has_shape && !turned_enough(&fr)) {
            take_face(live, frame, &fr, hits, n, faces);
            live->track.since_full = 0; /* the whole frame searched: every head counted */
            return BK_OK;
        }
        /* the detector missing the head followed until now: once is forgiven (the landmarks
         * follow it on, so the instruction does not flicker), twice in a row it is gone */
        live->unfound_missed = fr.has_shape ? 0 : live->unfound_missed + 1;
        if (!fr.has_shape && (!was_turned || live->unfound_missed >= 2))
            return BK_OK;
    }
    if (was_turned && follow_turned(lm, live, frame, faces)) {
        /* followed on */
    } else {
        if (!whole) {
            if (live->retry_left <= 0)
                return BK_OK;
            if ((err = detect_near(lm, live, frame, &fr, hits, &n)) != BK_OK)
                return err;
            if (fr.has_shape && !turned_enough(&fr)) {
                take_face(live, frame, &fr, hits, n, faces); /* faced the camera */
                return BK_OK;
            }
        }
        if (!fr.has_shape)
            return BK_OK; /* lost: the person left (the frame says so at once) */
        *faces = fr;
        live->turned_box = faceshape_haar_box(&hits[0]);
        remember(live, faces, &hits[0], frame);
        /* a fresh find: the head followed until now may have turned the other way, or be
         * another head; the old yaws must not name the direction */
        faceshape_smoother_reset(&live->turned_smooth);
    }
    live->track.valid = false;
    live->turned = true;
    live->turned_frames++;
    return BK_OK;
}

/* The frame's face or head, for a search near it when the next frame loses it: a lone face or a
 * turned head (two people: every frame is searched whole, as the tracker does). */
static void keep_for_retry(facecheck_live *live, const face_result *faces)
{
    if (faces->n_faces == 1 || (faces->n_faces == 0 && live->turned)) {
        live->lost_box = faces->n_faces == 1 ? faces->faces[0] : live->turned_box;
        live->retry_left = FACECHECK_RETRY_FRAMES;
    } else if (faces->n_faces > 1) {
        live->retry_left = 0;
    } else if (live->retry_left > 0) {
        live->retry_left--;
    }
}

bk_err facecheck_frame(const face_finder *finder, const landmarks *lm, facecheck_live *live,
                       const pic *frame, const icao_settings *limits, face_result *faces,
                       icao_result *result)
{
    face_tracker *t = &live->track;
    bool followed = false, was_dlib = live->dlib_face;
    live->dlib_face = false;
    if (live->since_unfound < INT_MAX / 2)
        live->since_unfound++;
    if (lm != NULL && live->have_shape && t->valid && t->since_full + 1 < t->full_every) {
        followed = follow(lm, live, frame, faces);
        if (followed) {
            t->since_full++;
            live->shape_tracked++;
            live->dlib_face = was_dlib;
        }
    }
    bk_err err = BK_OK;
    if (!followed) {
        live->have_shape = false;
        err = search(finder, live, frame, faces);
        /* fitted anew from the box the search found, also when it is the face followed until
         * now: followed fits drift (a frontal portrait from 2 to 7.5 degrees of yaw within 5
         * followed frames, told to turn), and a fit from the Haar box every full search bounds
         * the drift to the frames between two searches (test landmarks live-frontal-no-turn) */
        if (err == BK_OK && lm != NULL && faces->n_faces > 0) {
            landmarks_box used;
            err = faceshape_fit_from(lm, frame, faces, &used);
            if (err == BK_OK && faces->has_shape && faces->n_faces == 1)
                remember(live, faces, &used, frame);
        }
        if (err == BK_OK && lm != NULL && faces->n_faces == 0)
            err = no_frontal(lm, live, frame, faces);
    }
    if (faces->n_faces > 0 || err != BK_OK)
        live->turned = false;
    if (err == BK_OK) {
        keep_for_retry(live, faces);
        live->dlib_frames += live->dlib_face;
        /* a turned head found by dlib's detector alone has its own smoother: the frames with a
         * frontal face are smoothed as if the frames without one had no shape */
        faceshape_smoother_reset(live->turned ? &live->smooth : &live->turned_smooth);
        faceshape_smooth(live->turned ? &live->turned_smooth : &live->smooth, faces);
        err = icao_check_picture(frame, faces, limits, result);
    }
    return err;
}
