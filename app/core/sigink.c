#include "core/sigink.h"

#include <math.h>
#include <stdlib.h>

#include "core/biomem.h"

struct sigink {
    sigink_point *points; /* biomem */
    size_t n_points;
    size_t cap_points;
    size_t *starts; /* first point of each stroke */
    size_t n_strokes;
    size_t cap_strokes;
    bool open; /* the last stroke still takes points */
};

sigink *sigink_new(void)
{
    return calloc(1, sizeof(sigink));
}

void sigink_free(sigink *ink)
{
    if (ink == NULL)
        return;
    biomem_free(ink->points);
    free(ink->starts);
    free(ink);
}

bk_err sigink_add(sigink *ink, const sigink_point *point)
{
    if (!isfinite(point->x_mm) || !isfinite(point->y_mm) || !isfinite(point->pressure))
        return BK_ERR_INVALID;
    if (ink->n_points == ink->cap_points) {
        size_t cap = ink->cap_points ? ink->cap_points * 2 : 256;
        sigink_point *p = biomem_realloc(ink->points, cap * sizeof *p);
        if (p == NULL)
            return BK_ERR_NOMEM;
        ink->points = p;
        ink->cap_points = cap;
    }
    if (!ink->open) {
        if (ink->n_strokes == ink->cap_strokes) {
            size_t cap = ink->cap_strokes ? ink->cap_strokes * 2 : 16;
            size_t *s = realloc(ink->starts, cap * sizeof *s);
            if (s == NULL)
                return BK_ERR_NOMEM;
            ink->starts = s;
            ink->cap_strokes = cap;
        }
        ink->starts[ink->n_strokes++] = ink->n_points;
        ink->open = true;
    }
    ink->points[ink->n_points++] = *point;
    return BK_OK;
}

void sigink_end_stroke(sigink *ink)
{
    ink->open = false;
}

void sigink_clear(sigink *ink)
{
    biomem_wipe(ink->points, ink->n_points * sizeof *ink->points);
    ink->n_points = 0;
    ink->n_strokes = 0;
    ink->open = false;
}

size_t sigink_stroke_count(const sigink *ink)
{
    return ink->n_strokes;
}

size_t sigink_point_count(const sigink *ink)
{
    return ink->n_points;
}

const sigink_point *sigink_stroke(const sigink *ink, size_t i, size_t *n)
{
    if (i >= ink->n_strokes)
        return NULL;
    size_t end = i + 1 < ink->n_strokes ? ink->starts[i + 1] : ink->n_points;
    *n = end - ink->starts[i];
    return ink->points + ink->starts[i];
}

bk_err sigink_bounds(const sigink *ink, float *min_x, float *min_y, float *max_x, float *max_y)
{
    if (ink->n_points == 0)
        return BK_ERR_NOT_FOUND;
    float x0 = ink->points[0].x_mm, x1 = x0, y0 = ink->points[0].y_mm, y1 = y0;
    for (size_t i = 1; i < ink->n_points; i++) {
        const sigink_point *p = &ink->points[i];
        x0 = p->x_mm < x0 ? p->x_mm : x0;
        x1 = p->x_mm > x1 ? p->x_mm : x1;
        y0 = p->y_mm < y0 ? p->y_mm : y0;
        y1 = p->y_mm > y1 ? p->y_mm : y1;
    }
    *min_x = x0;
    *min_y = y0;
    *max_x = x1;
    *max_y = y1;
    return BK_OK;
}

sigink_verdict sigink_accept(const sigink *ink, const sigink_rule *rule, double area_w_mm,
                             double area_h_mm)
{
    if (ink->n_points == 0)
        return SIGINK_EMPTY;
    if (ink->n_points < rule->min_points)
        return SIGINK_TOO_SHORT;
    if (area_w_mm > 0 && area_h_mm > 0) {
        float x0, y0, x1, y1;
        (void)sigink_bounds(ink, &x0, &y0, &x1, &y1);
        double share = ((double)x1 - x0) * ((double)y1 - y0) / (area_w_mm * area_h_mm);
        if (share < rule->min_area_share)
            return SIGINK_TOO_SMALL;
    }
    return SIGINK_ACCEPT;
}

const char *sigink_verdict_message(sigink_verdict verdict)
{
    switch (verdict) {
    case SIGINK_ACCEPT:
        return "Signature accepted.";
    case SIGINK_EMPTY:
        return "Please sign in the box first.";
    case SIGINK_TOO_SHORT:
        return "This signature is too short. Please clear and sign again.";
    case SIGINK_TOO_SMALL:
        return "This signature is too small. Please clear and sign larger.";
    }
    return "Please sign again.";
}
