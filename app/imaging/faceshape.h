/* The shape of the face: dlib's 68 landmarks (imaging/landmarks.h) fitted to the face the Haar
 * finder or tracker found (imaging/face.h), and what they measure for the photo checks: eye
 * centres, the mouth's and the eyes' openings, the chin and the jaw, and the head's pose.
 *
 * The landmarker is fed the Haar face box mapped to the box dlib's own HOG detector would give
 * (FACESHAPE_BOX_*, calibrated on the annotated frontal portraits): on those portraits that fits
 * as well as running dlib's detector on a crop (median eye error 4.1 % of the eye distance
 * against 4.3 %) and costs no second detection. Pure functions, no GLib.
 */
#ifndef BIOKIOSK_FACESHAPE_H
#define BIOKIOSK_FACESHAPE_H

#include <stdbool.h>

#include "core/bk_err.h"
#include "imaging/face.h"
#include "imaging/landmarks.h"
#include "imaging/pic.h"

/* What the landmarks of one face measure. Ratios are to eye_chin, the distance from the middle
 * of the eyes to the chin, which neither the distance to the camera nor a smile changes much. */
typedef struct faceshape_measures {
    double eye_chin;   /* middle of the eye centres to the chin (point 8), picture pixels */
    double mouth_open; /* mean inner-lip gap (61-67, 62-66, 63-65) / eye_chin */
    double eyes_open;  /* the smaller eye's lid gap (37-41, 38-40 and the other eye's) / eye_chin */
    double chin[2];    /* point 8 */
    double jaw_width;  /* point 0 to point 16 (the face's width at the ears), pixels */
    double eye_mid[2]; /* middle of the two eye contours' centres */
    double up[2];      /* unit vector from the chin towards the eyes (the face's own "up") */
} faceshape_measures;

/* The box dlib's landmarker expects for a Haar face box. */
landmarks_box faceshape_box(const face_box *fb);

/* The other way: the Haar face box that would map to dlib's box `b` (the outline live view
 * draws around a turned head that dlib's detector found and the Haar search did not). */
face_box faceshape_haar_box(const landmarks_box *b);

/* Fits the landmarks to faces[0] of `fr` (nothing to do when fr->n_faces == 0) and fills
 * has_shape, shape, yaw_deg and pitch_deg. The first fit starts from the Haar box mapped to
 * dlib's; when it measures the head turned (faceshape_turned), the fit is made again from
 * dlib's own HOG detector's box (faceshape_hog_box), which frames a turned head where the Haar
 * box may frame only part of it. The eye centres and roll are replaced by the
 * landmarks' where the Haar eye search disagrees with them by more than 8 % of the eye distance
 * or guessed an eye (the Haar search finds the pupil more precisely when it finds it at all:
 * together 54 of 54 annotated portraits within 10 %, median 2.6 %). */
bk_err faceshape_fit(const landmarks *lm, const pic *picture, face_result *fr);

/* faceshape_fit, and *used the box the kept fit started from (for following the face in live
 * view by its landmarks). */
bk_err faceshape_fit_from(const landmarks *lm, const pic *picture, face_result *fr,
                          landmarks_box *used);

/* The fit says the head is turned by 3 degrees or more (or no pose could be fitted): worth
 * fitting again from dlib's own box. */
bool faceshape_turned(const face_result *fr);

/* dlib's HOG detector on a crop around the Haar face `fb` of `picture` (four boxes wide, shrunk
 * so that the face is about 100 pixels): *found and *out the detection whose centre lies in the
 * Haar box. On turned heads this frames the face where the Haar box may frame a part of it. */
bk_err faceshape_hog_box(const landmarks *lm, const pic *picture, const face_box *fb,
                         landmarks_box *out, bool *found);

/* faceshape_fit with the HOG box already found (`hog`, picture pixels; NULL: the Haar box
 * mapped by faceshape_box). A large capture searches it on a small copy. */
bk_err faceshape_fit_box(const landmarks *lm, const pic *picture, const landmarks_box *hog,
                         face_result *fr);

/* A still picture in which the Haar search found no face (fr->n_faces == 0; nothing to do
 * otherwise): dlib's HOG detector over the whole picture shrunk to FACESHAPE_UNFOUND_SIDE (its
 * turned-face filters find the 3/4 views the frontal cascade misses), the landmarks fitted to its
 * best box and their yaw and pitch measured. Fills has_shape, shape, yaw_deg and pitch_deg when it
 * finds a head and a pose fits; n_faces stays 0, so the checks still say no frontal face was found
 * and such a picture is never compliant (icao_check_picture puts yaw and pitch first, so the
 * person is told which way to turn). It costs about 25-40 ms a picture: live view runs it at most
 * once every few frames (facecheck_live.unfound_every). */
#define FACESHAPE_UNFOUND_SIDE 640
bk_err faceshape_fit_unfound(const landmarks *lm, const pic *picture, face_result *fr);

/* faceshape_fit_unfound, and *used dlib's box the fit started from (for following the head in
 * live view by its landmarks, facecheck_frame). */
bk_err faceshape_fit_unfound_from(const landmarks *lm, const pic *picture, face_result *fr,
                                  landmarks_box *used);

/* The measures of a shape fitted to `picture` (NULL: from the points alone). */
void faceshape_measure(const pic *picture, const landmarks_shape *s, faceshape_measures *out);

/* Yaw and pitch of a fitted shape in degrees (signs as in face_result): the rotation of a
 * generic 3D face (12 points of eyes, nose, mouth corners and chin) whose scaled orthographic
 * projection best fits the landmarks, by Gauss-Newton. Scaled orthographic, so no focal length
 * is needed: at a passport camera's distance the face's depth is a few percent of it. False
 * when the fit does not converge. */
bool faceshape_pose(const landmarks_shape *s, double *yaw_deg, double *pitch_deg);

/* Live view: yaw and pitch as the median of the last FACESHAPE_SMOOTH frames with a shape, so
 * that an instruction does not flicker with the landmarks' jitter. */
#define FACESHAPE_SMOOTH 5
typedef struct faceshape_smoother {
    double yaw[FACESHAPE_SMOOTH], pitch[FACESHAPE_SMOOTH];
    int n, next;
} faceshape_smoother;

/* An empty smoother (also after the face was lost). */
void faceshape_smoother_reset(faceshape_smoother *sm);

/* Adds this frame's pose and replaces fr's yaw and pitch by the medians; a frame without a
 * shape resets the smoother. */
void faceshape_smooth(faceshape_smoother *sm, face_result *fr);

#endif
