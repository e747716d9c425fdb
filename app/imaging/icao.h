/* The passport crop and the photo checks, after TR-03121-3 table 5.3 (../shared docs:
 * standards.md, "Facial image"): a 1244 x 1600 output with the eyes placed by the standard's
 * geometry, and one check per measurable rule, each with its measured value, its limits, pass or
 * fail, and a short instruction for the person or for staff.
 *
 * The crop never turns or stretches the face ("no software pose correction"); it only scales
 * and cuts, and when the picture does not reach far enough the window is moved or shrunk, so the
 * geometry checks measure where the face really ends up.
 *
 * With the face's landmarks (face_result.has_shape, imaging/faceshape.h) the checks also judge
 * the mouth closed, the eyes open, yaw and pitch, and the light on the two halves of the face,
 * and the head's width and height come from the measured jaw and chin (the crown stays an
 * estimate: 1.1 eye-to-chin distances above the eyes). Without landmarks those checks are not
 * made and icao_result_not_checked() names them; docs/photo.md has each method and its figures.
 *
 * Not checked (no measurement good enough here): expression beyond the mouth, glasses and
 * reflections, hot spots, head coverings, gaze. icao_not_checked() lists them.
 */
#ifndef BIOKIOSK_ICAO_H
#define BIOKIOSK_ICAO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "imaging/face.h"
#include "imaging/faceshape.h"
#include "imaging/pic.h"

#define ICAO_OUT_WIDTH  1244
#define ICAO_OUT_HEIGHT 1600
#define ICAO_MAX_CHECKS 24

/* Limits; every number is a setting because the standard leaves some unconfirmed. */
typedef struct icao_settings {
    double eye_distance_min; /* eye centres in the output without upscaling, px (300) */
    double head_height_goal; /* head height the crop aims for, fraction of the height (0.68) */
    double eye_line_goal;    /* eye line the crop aims for, fraction of the height (0.42) */
    double roll_max_deg;     /* 8; children 12 */
    double head_width_min, head_width_max;   /* 0.5 .. 0.75 */
    double head_height_min, head_height_max; /* 0.6 .. 0.9 */
    double eye_line_min, eye_line_max;       /* 0.3 .. 0.5 */
    double centre_min, centre_max;           /* 0.45 .. 0.55 */
    double face_luma_min;         /* mean luma of the face, 0..255: darker is under-exposed */
    double face_luma_max;         /* brighter is over-exposed (235) */
    double clipped_max;           /* fraction of face pixels at 250 or more: over-exposed */
    double sharpness_min;         /* edge strength of the face at half output size */
    double background_spread_max; /* standard deviation of the background's luma */
    double background_luma_min, background_luma_max; /* #A1A1A1 .. #E1E1E1: 161 .. 225 */
    double background_tint_max; /* largest channel difference of the background's mean */
    double colour_cast_max;     /* chroma of the picture's mean colour, 0..255 scale */
    double mouth_open_max;      /* inner-lip gap / eye-to-chin distance (0.016; children 0.025) */
    double eyes_open_min;       /* the smaller eye's lid gap / eye-to-chin distance (0.025) */
    double yaw_max_deg;         /* 6.5; children 9 (ISO/IEC 19794-5: 5; docs/photo.md: why not) */
    double pitch_max_deg;       /* 14; children 18 (ISO/IEC 19794-5: 5; docs/photo.md: why not) */
    double illumination_min;    /* darker half of the face / brighter half, mean luma (0.7) */
    double capture_scale;       /* capture pixels per analysed pixel (live view: > 1) */
    bool live;                  /* a live-view frame: no sharpness check, small crop */
} icao_settings;

/* Adult limits; `child` widens pose and position limits as the standard allows under 10. */
icao_settings icao_settings_default(bool child);

/* The limits a kiosk may set (the [photo] settings of the same names; those with
 * `child_variant` also as "child_<name>" for children under 10). */
typedef struct icao_limit {
    const char *name;   /* the icao_settings field's name, e.g. "roll_max_deg" */
    size_t offset;      /* of that double in icao_settings */
    bool child_variant; /* the standard allows a wider limit for children */
} icao_limit;

/* The table of settable limits; *n gets its length. */
const icao_limit *icao_limits(size_t *n);

/* Sets one limit of `s` (a row of icao_limits()). */
void icao_limit_set(icao_settings *s, const icao_limit *limit, double value);

/* Reads one limit of `s`. */
double icao_limit_get(const icao_settings *s, const icao_limit *limit);

typedef struct icao_check {
    const char *name; /* stable identifier: "eye_distance", "roll", ... */
    double value;     /* measured */
    double min, max;  /* limits; NAN where there is none */
    bool pass;
    const char *instruction; /* for the person (or staff, "staff: ..."), meant when !pass */
    bool for_staff;          /* the instruction is for staff, not for the person */
} icao_check;

typedef struct icao_result {
    int n_checks;
    icao_check checks[ICAO_MAX_CHECKS];
    bool compliant;
    bool cropped;                     /* a crop was made: the fields below are valid */
    double out_left[2], out_right[2]; /* eye centres in the output */
    bool landmarks;                   /* the landmark checks were made (the face had a shape) */
    bool pose_unfound; /* yaw and pitch were checked on a turned head with no frontal face */
    pic *output;       /* the crop (transfer full: pic_free), ICAO_OUT_WIDTH x ICAO_OUT_HEIGHT, or a
                          quarter of that when settings.live; NULL when no crop was made */
} icao_result;

/* Checks `picture` with the faces `faces` found in it, and makes the crop when there is a face
 * with eyes. Always fills `out` on BK_OK (even with no face: then only the face count check is
 * listed and compliant is false). */
bk_err icao_check_picture(const pic *picture, const face_result *faces,
                          const icao_settings *settings, icao_result *out);

/* Frees the output picture; the result can be reused. */
void icao_result_clear(icao_result *r);

/* Where a head must be in a width x height picture (a live-view frame) for the geometry checks
 * to hold: the head as the crop frames it in the largest crop window the picture holds (its
 * whole height in a 3:2 frame), in the middle of what the limits accept. Its height is
 * head_height_goal of that window (as the crop aims; a larger head passes up to
 * head_height_max, a smaller one is cropped to the goal) unless the head would then reach
 * beyond the picture, its width the middle of the head width
 * limits, its eye line and centre the middle of eye_line_min..max and centre_min..max; crown and
 * chin are placed as the checks estimate them (the crown 1.1 eye-to-chin distances above the
 * eyes). Fractions of the picture's width (x) and height (y), not mirrored. The photo screen
 * draws its head guide there. */
typedef struct icao_guide {
    double cx, half_width; /* the head's centre line and half its width */
    double crown, chin;    /* the head's top and bottom */
    double eye_line;       /* the eyes' height */
} icao_guide;

void icao_guide_get(const icao_settings *settings, int width, int height, icao_guide *out);

/* The most important failed check for the person (geometry and pose before quality), or NULL
 * when all pass. */
const icao_check *icao_first_failure(const icao_result *r);

/* NULL-terminated names of the TR table 5.2 checks this module never makes. */
const char *const *icao_not_checked(void);

/* NULL-terminated names of what was not checked in `r`: icao_not_checked() and, when the face
 * had no landmarks, the landmark checks (mouth_closed, eyes_open, yaw, pitch,
 * illumination_uniformity); of those, yaw and pitch are left out when they were checked on a
 * turned head found with no frontal face (faceshape_fit_unfound). */
const char *const *icao_result_not_checked(const icao_result *r);

#endif
