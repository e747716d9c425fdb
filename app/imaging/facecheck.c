#include "imaging/facecheck.h"

#include <math.h>
#include <string.h>

#include "imaging/facejpeg.h"
#include "imaging/picio.h"

/* Captures of fewer pixels than this are decoded whole: the two passes gain little. */
#define TWO_PASS_MIN_PIXELS (8L * 1000 * 1000)
/* The face is found on the capture decoded at 1/FIND_SCALE. */
#define FIND_SCALE 8
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
        err = faceshape_fit(lm, picture, faces);
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
static void to_capture(face_result *fr, int ox, int oy, int scale)
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
    /* pass 1: where is the face? The live view's coarser search (the 1/8 picture is about the
     * size of a live frame), down to the still search's smallest face, turned copies too */
    err = picio_decode(data, size, FIND_SCALE, &p);
    face_result small;
    face_options o = face_options_live();
    o.min_face = face_options_still().min_face;
    o.try_turned = false;
    if (err == BK_OK)
        err = face_find(finder, p, &o, &small);
    if (err != BK_OK || small.n_faces == 0) {
        /* no face: the checks say so (no crop is made without a face) */
        if (err == BK_OK)
            err = icao_check_picture(p, &small, limits, result);
        if (err == BK_OK)
            *faces = small;
        pic_free(p);
        return err;
    }
    double k = (double)w / p->width;
    /* dlib's detector on the small copy: the face is large enough there */
    landmarks_box hog;
    bool have_hog = false;
    if (lm != NULL)
        err = faceshape_hog_box(lm, p, &small.faces[0], &hog, &have_hog);
    pic_free(p);
    p = NULL;
    if (err != BK_OK)
        return err;
    /* pass 2: the region of the crop, at the crop's own resolution (the largest DCT scaling
     * that still gives at least one decoded pixel per output pixel) */
    int scale = region_scale(&small, k, limits);
    k /= scale;
    face_box near = small.faces[0];
    shift_box(&near, k, 0, 0);
    int rx = (int)floor(near.x + near.w / 2 - REGION_W / 2 * near.w);
    int ry = (int)floor(near.y - REGION_ABOVE * near.h);
    int ox = 0, oy = 0;
    err = facejpeg_decode_region(data, size, scale, rx, ry, (int)ceil(REGION_W * near.w),
                                 (int)ceil(REGION_H * near.h), &p, &ox, &oy);
    if (err != BK_OK)
        return err;
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
    if (have_hog) {
        hog.x = hog.x * k - ox;
        hog.y = hog.y * k - oy;
        hog.w *= k;
        hog.h *= k;
    }
    if (err == BK_OK && lm != NULL)
        err = faceshape_fit_box(lm, p, have_hog ? &hog : NULL, &fr);
    if (err == BK_OK)
        err = icao_check_picture(p, &fr, &set, result);
    if (err == BK_OK) {
        to_capture(&fr, ox, oy, scale);
        *faces = fr;
    }
    pic_free(p);
    return err;
}

bk_err facecheck_frame(const face_finder *finder, const landmarks *lm, face_tracker *track,
                       faceshape_smoother *smooth, const pic *frame, const icao_settings *limits,
                       face_result *faces, icao_result *result)
{
    face_options o = face_options_live();
    bk_err err = face_track(finder, track, frame, &o, faces, NULL);
    if (err == BK_OK && lm != NULL)
        err = faceshape_fit(lm, frame, faces);
    if (err == BK_OK && smooth != NULL)
        faceshape_smooth(smooth, faces);
    if (err == BK_OK)
        err = icao_check_picture(frame, faces, limits, result);
    return err;
}
