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
 * picture. Live view (facecheck_frame) makes the second search too, over the whole frame at most
 * once every facecheck_live.unfound_every frames, and follows the head it finds by its landmarks
 * between. */
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
    double box_from_points[4]; /* the box of the fit that found the face relative to its
                                  points' bounding box (offset and size as fractions of it);
                                  followed fits keep it until the next full search
                                  fits the face anew */
    double found_contrast;     /* the grey spread inside the points of the fit that found the
                                  face: a followed fit with less than half of it is lost */
    long shape_tracked;        /* frames followed by their landmarks alone (for benchmarks) */
    /* No frontal face: dlib's detector searches the whole frame (faceshape_fit_unfound) on a
     * frame without a Haar face when it has not run for `unfound_every` frames (0: never, nor
     * near a lost head; init: FACECHECK_UNFOUND_EVERY), and near the face or head of the last
     * frame when the frame lost it (on FACECHECK_RETRY_FRAMES frames from then, however often: a
     * head still there is found again at once, one that left is not). A head it finds turned by 15
     * degrees or more is followed by its landmarks on the frames between (lost when the detector
     * misses it twice in a row); its faces stay 0: such a frame never passes. While it is followed,
     * the Haar search looks for a frontal face only near it (the person turning back;
     * face_find_near), with a full search every track.full_every frames. A face it finds turned
     * less is taken as the Haar search's would be (dlib_face): the same checks, every head of a
     * whole-frame search counted, a lone one tracked until the next full search. */
    int unfound_every;
    int since_unfound;  /* frames since the detector last searched the whole frame */
    int unfound_missed; /* its runs in a row that missed the head followed */
    bool turned;        /* this frame's pose is of such a head (n_faces 0, has_shape) */
    bool dlib_face;     /* this frame's face is one dlib's detector found (on this frame or
                           followed since), not the Haar search */
    faceshape_smoother turned_smooth; /* its yaw and pitch over the last frames */
    face_box turned_box;   /* its outline when `turned`: the Haar box its landmarks map to */
    face_box lost_box;     /* the last frame's lone face or turned head */
    int retry_left;        /* frames left to search near lost_box when the Haar search finds
                              no face */
    long unfound_searches; /* whole-frame runs of the detector (for tests and benchmarks) */
    long near_searches;    /* its runs near a lost face or head (for tests and benchmarks) */
    long turned_frames;    /* frames with such a head (for tests and benchmarks) */
    long dlib_frames;      /* frames with a face dlib's detector found (for tests and
                              benchmarks) */
} facecheck_live;

/* dlib's detector over a frame without a frontal face at most once every so many frames: on a
 * 512x340 live frame it costs 15-40 ms, the frame's Haar search 5-15 ms. */
#define FACECHECK_UNFOUND_EVERY 10

/* A face or head lost is searched for near where it was (about 0.4 of the cost) on this many
 * frames without a face, the one that lost it first. */
#define FACECHECK_RETRY_FRAMES 3

/* A new live view: full search every `full_every` frames (face_tracker_init), dlib's detector
 * at most every FACECHECK_UNFOUND_EVERY frames without a frontal face. */
void facecheck_live_init(facecheck_live *live, int full_every);

/* A live-view frame: the face found or followed, the landmarks fitted (when `lm` is not NULL),
 * yaw and pitch smoothed over the last frames, every check made with `limits` (limits->live set
 * for a quarter-size crop). On frames followed by the landmarks, the eye centres are the
 * landmark eyes' (not the Haar search's pupils). With no Haar face, dlib's detector (see
 * unfound_every) may find a face turned less than 15 degrees: it is taken as a Haar face would
 * be (live->dlib_face; the same checks, so such a frame may pass), or a turned head: then
 * faces->n_faces is 0 with has_shape, yaw and pitch, and live->turned with its outline: the
 * checks put yaw and pitch first, so the person is told which way to turn, and `faces` fails. */
bk_err facecheck_frame(const face_finder *finder, const landmarks *lm, facecheck_live *live,
                       const pic *frame, const icao_settings *limits, face_result *faces,
                       icao_result *result);

#endif
