#include "drivers/sigpad/sigcapture.h"

#include <math.h>
#include <stdlib.h>

struct sigcapture {
    sigink *ink;
    double width_mm;
    double height_mm;
    bool paused;
};

sigcapture *sigcapture_new(double width_mm, double height_mm)
{
    if (!(width_mm > 0) || !(height_mm > 0) || !isfinite(width_mm) || !isfinite(height_mm))
        return NULL;
    sigcapture *cap = calloc(1, sizeof *cap);
    if (cap == NULL)
        return NULL;
    cap->ink = sigink_new();
    if (cap->ink == NULL) {
        free(cap);
        return NULL;
    }
    cap->width_mm = width_mm;
    cap->height_mm = height_mm;
    return cap;
}

void sigcapture_free(sigcapture *cap)
{
    if (cap == NULL)
        return;
    sigink_free(cap->ink);
    free(cap);
}

bk_err sigcapture_pad_event(sigcapture *cap, const sigpad_event *event)
{
    switch (event->type) {
    case SIGPAD_EVENT_ATTACHED:
        cap->paused = false;
        return BK_OK;
    case SIGPAD_EVENT_UNPLUGGED:
        cap->paused = true;
        sigink_end_stroke(cap->ink);
        return BK_OK;
    case SIGPAD_EVENT_PEN:
        break;
    }
    if (!event->sample.tip) {
        sigink_end_stroke(cap->ink);
        return BK_OK;
    }
    sigink_point p = {(float)event->sample.x_mm, (float)event->sample.y_mm, event->sample.pressure,
                      event->t_ms};
    return sigink_add(cap->ink, &p);
}

bk_err sigcapture_map(const sigcapture *cap, const sigcapture_box *box, double x, double y,
                      double *x_mm, double *y_mm)
{
    if (!(box->w > 0) || !(box->h > 0) || !isfinite(x) || !isfinite(y))
        return BK_ERR_INVALID;
    double u = (x - box->x) / box->w, v = (y - box->y) / box->h;
    if (u < 0 || u > 1 || v < 0 || v > 1)
        return BK_ERR_INVALID;
    *x_mm = u * cap->width_mm;
    *y_mm = v * cap->height_mm;
    return BK_OK;
}

bk_err sigcapture_touch(sigcapture *cap, const sigcapture_box *box, double x, double y, bool down,
                        double pressure, uint32_t t_ms)
{
    double x_mm, y_mm;
    if (!down || sigcapture_map(cap, box, x, y, &x_mm, &y_mm) != BK_OK) {
        sigink_end_stroke(cap->ink);
        return BK_OK;
    }
    if (!(pressure >= 0))
        pressure = 0.5;
    sigink_point p = {(float)x_mm, (float)y_mm, (float)(pressure > 1 ? 1 : pressure), t_ms};
    return sigink_add(cap->ink, &p);
}

void sigcapture_clear(sigcapture *cap)
{
    sigink_clear(cap->ink);
}

sigink_verdict sigcapture_accept(const sigcapture *cap, const sigink_rule *rule)
{
    return sigink_accept(cap->ink, rule, cap->width_mm, cap->height_mm);
}

const sigink *sigcapture_ink(const sigcapture *cap)
{
    return cap->ink;
}

bool sigcapture_paused(const sigcapture *cap)
{
    return cap->paused;
}

double sigcapture_width_mm(const sigcapture *cap)
{
    return cap->width_mm;
}

double sigcapture_height_mm(const sigcapture *cap)
{
    return cap->height_mm;
}
