/* The photo checks of one picture from start to end, as the kiosk's photo service, `photo check`
 * and the benchmarks run them: the face (imaging/face.h), its landmarks (imaging/faceshape.h)
 * and the ICAO checks and crop (imaging/icao.h).
 *
 * A large JPEG capture is never decoded whole: the face is found on a 1/8 decode and only the
 * region of the crop is decoded at full resolution (picio_decode_region), where the face is found
 * again near where it was, the landmarks fitted and every check made. No GLib.
 */
#ifndef BIOKIOSK_FACECHECK_H
#define BIOKIOSK_FACECHECK_H

#include "core/bk_err.h"
#include "imaging/face.h"
#include "imaging/faceshape.h"
#include "imaging/icao.h"
#include "imaging/landmarks.h"
#include "imaging/pic.h"

/* A capture in JPEG or PNG bytes: fills *faces (picture coordinates of the whole capture) and
 * *result (its output is the 1244x1600 crop, transfer full: icao_result_clear), and, when not
 * NULL, *width and *height with the capture's size. `lm` may be NULL: then the landmark checks
 * are not made (icao_result_not_checked names them). Errors: those of picio_decode and of the
 * checks; a picture without a face is not an error (result->compliant is false). Where the Haar
 * search finds no frontal face, dlib's detector looks for a turned head (faceshape_fit_unfound,
 * on the 1/8 decode): then faces->n_faces stays 0 and has_shape, yaw and pitch say how the head is
 * turned, and `yaw` and `pitch` come first in the checks. */
bk_err facecheck_capture(const face_finder *finder, const landmarks *lm, const uint8_t *data,
                         size_t size, const icao_settings *limits, face_result *faces,
                         icao_result *result, int *width, int *height);

/* A decoded still picture (a file of `photo check`, a small capture): the same on the whole
 * picture. Live view (facecheck_frame) makes no such second search: it would add a
 * detection over the whole frame to every frame without a face. */
bk_err facecheck_picture(const face_finder *finder, const landmarks *lm, const pic *picture,
                         const icao_settings *limits, face_result *faces, icao_result *result);

/* Live view's state: the face tracker, the landmarks of the last frame and the pose smoother.
 * Between the tracker's full searches (every track.full_every frames, or whenever the face was
 * lost) the face is followed by its landmarks alone: the new frame's landmarks are fitted from
 * the box the last frame's landmarks give, with no Haar search at all. */
typedef struct facecheck_live {
    face_tracker track;
    faceshape_smoother smooth;
    bool have_shape;           /* `last` and `box_from_points` hold the last frame's fit */
    landmarks_shape last;      /* the last frame's 68 points */
    double box_from_points[4]; /* the fit's box relative to its points' bounding box: offset and
                                  size as fractions of it */
    long shape_tracked;        /* frames followed by their landmarks alone (for benchmarks) */
} facecheck_live;

/* A new live view: full search every `full_every` frames (face_tracker_init). */
void facecheck_live_init(facecheck_live *live, int full_every);

/* A live-view frame: the face found or followed, the landmarks fitted (when `lm` is not NULL),
 * yaw and pitch smoothed over the last frames, every check made with `limits` (limits->live set
 * for a quarter-size crop). On frames followed by the landmarks, the eye centres are the
 * landmark eyes' (not the Haar search's pupils). */
bk_err facecheck_frame(const face_finder *finder, const landmarks *lm, facecheck_live *live,
                       const pic *frame, const icao_settings *limits, face_result *faces,
                       icao_result *result);

#endif
