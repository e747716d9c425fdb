/* Signature ink: pen points grouped in strokes, and the rule that refuses a trivial signature.
 *
 * The same points come from a USB pad and from the touch screen, in millimetres of the writing
 * area, so the record, the live drawing and the rendered image share one form. Points are
 * biometric data: they live in biomem buffers and are wiped on clear and free.
 *
 * Pure: no I/O, no GLib. Not thread-safe; one owner (the capture model) at a time.
 */
#ifndef BIOKIOSK_SIGINK_H
#define BIOKIOSK_SIGINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

typedef struct sigink_point {
    float x_mm;     /* from the left edge of the writing area */
    float y_mm;     /* from the top edge */
    float pressure; /* 0..1 */
    uint32_t t_ms;  /* since the capture started */
} sigink_point;

typedef struct sigink sigink;

/* An empty ink (transfer full: free with sigink_free), or NULL when out of memory. */
sigink *sigink_new(void);

/* Wipes and frees. NULL does nothing. */
void sigink_free(sigink *ink);

/* Appends a point to the open stroke, opening a new stroke when none is open.
 * BK_ERR_INVALID for a coordinate or pressure that is not finite; BK_ERR_NOMEM. */
bk_err sigink_add(sigink *ink, const sigink_point *point);

/* Closes the open stroke (the pen was lifted); the next point starts a new one. A stroke is
 * never empty: closing without points does nothing. */
void sigink_end_stroke(sigink *ink);

/* Forgets every point (wiping them). */
void sigink_clear(sigink *ink);

size_t sigink_stroke_count(const sigink *ink);
size_t sigink_point_count(const sigink *ink);

/* The points of stroke `i` (transfer none, valid until the next change) and their number in
 * *n; NULL when i is out of range. */
const sigink_point *sigink_stroke(const sigink *ink, size_t i, size_t *n);

/* The bounding box of every point in mm. BK_ERR_NOT_FOUND when there are none. */
bk_err sigink_bounds(const sigink *ink, float *min_x, float *min_y, float *max_x, float *max_y);

/* When a signature is too little to accept. */
typedef struct sigink_rule {
    size_t min_points;     /* fewer points than this: trivial */
    double min_area_share; /* bounding box smaller than this share of the writing area */
} sigink_rule;

/* 20 points and 2 % of the writing area. */
#define SIGINK_RULE_DEFAULT ((sigink_rule){20, 0.02})

typedef enum sigink_verdict {
    SIGINK_ACCEPT,
    SIGINK_EMPTY,     /* no ink at all */
    SIGINK_TOO_SHORT, /* fewer than min_points */
    SIGINK_TOO_SMALL, /* bounding box under min_area_share of the area */
} sigink_verdict;

/* Judges the ink against the rule for a writing area of area_w_mm x area_h_mm. A
 * non-positive area judges the points alone. */
sigink_verdict sigink_accept(const sigink *ink, const sigink_rule *rule, double area_w_mm,
                             double area_h_mm);

/* A sentence for the person signing (English; static, transfer none). */
const char *sigink_verdict_message(sigink_verdict verdict);

#endif
