/* The face models the photo tests load: OpenCV's cascades (BIOKIOSK_CASCADES) and dlib's landmark
 * model (BIOKIOSK_LANDMARK_MODEL, else Debian's). */
#ifndef BIOKIOSK_TEST_FACEMODELS_H
#define BIOKIOSK_TEST_FACEMODELS_H

#include <stdbool.h>

#include <glib.h>

#include "imaging/face.h"
#include "imaging/landmarks.h"

/* Both models, or false (nothing kept) when one is not installed: the test then exits 77. */
static inline bool facemodels_load(face_finder **finder, landmarks **model)
{
    const char *cascades = g_getenv("BIOKIOSK_CASCADES");
    const char *path = g_getenv("BIOKIOSK_LANDMARK_MODEL");
    *finder = NULL;
    *model = NULL;
    if (cascades == NULL || face_finder_new(cascades, finder) != BK_OK)
        return false; /* opencv-data is not installed */
    if (landmarks_new(path ? path : LANDMARKS_DEFAULT_MODEL, model) != BK_OK) {
        face_finder_free(*finder);
        *finder = NULL;
        return false; /* libdlib-data is not installed */
    }
    return true;
}

#endif
