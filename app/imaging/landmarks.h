/* Face landmarks: dlib's 68-point shape predictor (an ensemble of regression trees, Kazemi and
 * Sullivan 2014) and dlib's HOG frontal face detector, behind a C API. This header and
 * landmarks.cpp are the project's only C++; nothing else includes a dlib header.
 *
 * The points follow the iBUG 300-W numbering, 0-based: 0-16 jaw (8 the chin), 17-26 brows,
 * 27-35 nose (30 the tip), 36-41 the eye on the picture's left, 42-47 the other eye, 48-59 the
 * outer lips (48 and 54 the corners), 60-67 the inner lips (62 top and 66 bottom at the middle).
 *
 * The model file (Debian: libdlib-data, /usr/share/dlib/shape_predictor_68_face_landmarks.dat)
 * is about 100 MB and takes about a second to load: load it once, on a worker. A loaded model
 * may be used from several threads at once (landmarks_detect takes turns on the handle's one
 * detector). No GLib.
 */
#ifndef BIOKIOSK_LANDMARKS_H
#define BIOKIOSK_LANDMARKS_H

#include "core/bk_err.h"
#include "imaging/pic.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LANDMARKS_N 68

/* Where Debian's libdlib-data installs the model. */
#define LANDMARKS_DEFAULT_MODEL "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

typedef struct landmarks landmarks;

/* A box around a face in picture pixels: (x, y) the top-left corner. */
typedef struct landmarks_box {
    double x, y, w, h;
} landmarks_box;

typedef struct landmarks_shape {
    double pt[LANDMARKS_N][2]; /* x, y in picture pixels */
} landmarks_shape;

/* Loads a shape predictor model file (transfer full: landmarks_free). BK_ERR_NOT_FOUND when the
 * file is absent, BK_ERR_CORRUPT when it is not a 68-point dlib shape predictor, BK_ERR_NOMEM. */
bk_err landmarks_new(const char *model_path, landmarks **out);

/* Frees the model. NULL does nothing. */
void landmarks_free(landmarks *lm);

/* Fits the 68 points to the face in `box` of `picture` (grey or RGB). The box is the one dlib's
 * HOG detector gives (landmarks_detect), or another detector's box mapped to it
 * (faceshape_box in faceshape.h). Always succeeds for a valid picture and box; whether the points
 * make a face is for the caller to judge. BK_ERR_INVALID for a bad picture or an empty box. */
bk_err landmarks_fit(const landmarks *lm, const pic *picture, const landmarks_box *box,
                     landmarks_shape *out);

/* dlib's HOG frontal face detector over the part `area` of `picture` (the whole picture when
 * `area` is NULL), shrunk first so that its longer side is at most `max_side` pixels (0: not
 * shrunk). The detector (five HOG filters: frontal, turned left and right, rolled left and right)
 * finds faces of about 80 pixels and larger in what it searches. Writes up
 * to `max` boxes in picture pixels, best first, and their count to *n (0 when none). */
bk_err landmarks_detect(const landmarks *lm, const pic *picture, const landmarks_box *area,
                        int max_side, landmarks_box *boxes, int max, int *n);

#ifdef __cplusplus
}
#endif

#endif
