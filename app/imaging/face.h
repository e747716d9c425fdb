/* Finding faces and eye centres in a photograph, with the Haar cascades of opencv-data.
 *
 * Faces: the frontal-face cascade over a shrunk grey copy; when no upright face is found the
 * search is repeated on copies turned by up to 90 degrees, so that a tilted or sideways head is
 * found and reported with its roll instead of as "no face". Eyes: the eye cascade inside the
 * upper half of the largest face, in the face's own upright frame, then each eye centre is
 * refined to the darkest blob (iris and pupil) near the box's centre. No GLib.
 */
#ifndef BIOKIOSK_FACE_H
#define BIOKIOSK_FACE_H

#include <stdbool.h>

#include "core/bk_err.h"
#include "imaging/landmarks.h"
#include "imaging/pic.h"

#define FACE_MAX 16

typedef struct face_finder face_finder;

typedef struct face_box {
    double x, y, w, h; /* upright box in the picture's pixels; for a turned face the box of the
                          turned search window, centred on the face */
    double angle_deg;  /* turn of the search that found it (0 for upright) */
    int neighbours;    /* detector support: higher is surer */
} face_box;

typedef struct face_result {
    int n_faces; /* every face found, up to FACE_MAX; boxes largest first */
    face_box faces[FACE_MAX];
    bool eyes_found;   /* both eyes found for faces[0] */
    bool eyes_guessed; /* one or both eye positions were estimated from the face box */
    double left[2];    /* eye centre with the smaller x in the picture, picture pixels */
    double right[2];
    double roll_deg; /* angle of the eye line, positive = clockwise in the picture */
    /* Filled by faceshape_fit (imaging/faceshape.h) for faces[0]; has_shape false until then. */
    bool has_shape;
    landmarks_shape shape; /* the 68 points, picture pixels */
    double yaw_deg;        /* head turn, + towards the picture's right (the person's left) */
    double pitch_deg;      /* head tilt, + chin up */
} face_result;

typedef struct face_options {
    int detect_side;       /* the longest side of the shrunk copy faces are searched in, e.g. 480 */
    double min_face;       /* smallest face width searched, as a fraction of the shorter side */
    double scale_step;     /* detector pyramid step, e.g. 1.1 (finer) or 1.2 (faster) */
    bool try_turned;       /* search turned copies when no upright face is found */
    int window_step;       /* detector window step; 0 = fine (OpenCV's rule), 2 = faster */
    int eye_width;         /* the face is resampled to this width for the eye search; 0 = 240 */
    int eye_step;          /* eye detector window step; 0 = fine (OpenCV's rule), 2 = faster */
    double eye_scale_step; /* eye detector pyramid step; 0 = 1.1 */
} face_options;

/* Defaults for a still photograph; face_options_live() is tuned for live-view frames. */
face_options face_options_still(void);
face_options face_options_live(void);

/* Loads haarcascade_frontalface_default.xml and haarcascade_eye.xml from `cascade_dir` (e.g.
 * /usr/share/opencv4/haarcascades) (transfer full: face_finder_free). BK_ERR_NOT_FOUND when a
 * file is absent. A finder may be used by one thread at a time. */
bk_err face_finder_new(const char *cascade_dir, face_finder **out);

void face_finder_free(face_finder *f);

/* Finds every face and the eyes of the largest one. Succeeds with n_faces == 0 when there is
 * no face. */
bk_err face_find(const face_finder *f, const pic *picture, const face_options *opts,
                 face_result *out);

/* Tracking for live view: like face_find, but the face is searched only near `near` (the face
 * found in the previous frame, picture pixels: centre within about half a box width of it,
 * width 0.75-1.33 of it, upright). Much cheaper than a full search; it sees only that one
 * face, so a caller must still run face_find now and then (a second person stepping in) and
 * whenever this finds nothing (n_faces == 0). */
bk_err face_find_near(const face_finder *f, const pic *picture, const face_options *opts,
                      const face_box *near, face_result *out);

/* Live view: face_find_near around the last face, with a full face_find every `full_every`
 * frames and whenever the tracked search finds nothing or the last frame had not exactly one
 * face (so two people are always seen as two). */
typedef struct face_tracker {
    face_box last;
    bool valid;     /* `last` holds the face of the previous frame */
    int since_full; /* frames since the last full search */
    int full_every; /* e.g. 10 (at 20 frames/s: a new face is seen within half a second) */
    long full_searches, tracked_searches; /* counters for benchmarks */
} face_tracker;

/* A tracker with no face yet; full_every < 1 means 1 (every frame a full search). */
void face_tracker_init(face_tracker *t, int full_every);

/* Finds the faces of the next frame as face_find does, cheaply where it can. *full (may be
 * NULL) says whether this frame had a full search. */
bk_err face_track(const face_finder *f, face_tracker *t, const pic *picture,
                  const face_options *opts, face_result *out, bool *full);

#endif
