#include "imaging/sigrender.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/pic.h"
#include "imaging/picio.h"

enum { MAX_SIDE = 8192, MAX_PASSES = 4 };

/* Finest scale when the pad's resolution is unknown: about 1000 dots per inch. */
static const double DEFAULT_MAX_PX_PER_MM = 40.0;

bk_err sigrender_canvas(int width, int height, double px_per_mm, double origin_x_mm,
                        double origin_y_mm, sigrender_image *out)
{
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE || !(px_per_mm > 0) ||
        !isfinite(px_per_mm) || !isfinite(origin_x_mm) || !isfinite(origin_y_mm))
        return BK_ERR_INVALID;
    uint8_t *px = biomem_alloc((size_t)width * (size_t)height);
    if (px == NULL)
        return BK_ERR_NOMEM;
    memset(px, 255, (size_t)width * (size_t)height);
    *out = (sigrender_image){width, height, px, px_per_mm, origin_x_mm, origin_y_mm};
    return BK_OK;
}

void sigrender_image_clear(sigrender_image *image)
{
    if (image == NULL)
        return;
    biomem_free(image->pixels);
    memset(image, 0, sizeof *image);
}

static sigink_point mix(const sigink_point *a, const sigink_point *b, float t)
{
    sigink_point p;
    p.x_mm = a->x_mm + (b->x_mm - a->x_mm) * t;
    p.y_mm = a->y_mm + (b->y_mm - a->y_mm) * t;
    p.pressure = a->pressure + (b->pressure - a->pressure) * t;
    p.t_ms = (uint32_t)((double)a->t_ms + ((double)b->t_ms - (double)a->t_ms) * t);
    return p;
}

/* One corner-cutting pass: the ends stay, each segment contributes its points at 1/4 and 3/4,
 * except the first and last segments, which keep their end and contribute one point. */
static size_t chaikin(const sigink_point *in, size_t n, sigink_point *out)
{
    size_t k = 0;
    out[k++] = in[0];
    for (size_t i = 0; i + 1 < n; i++) {
        if (i > 0)
            out[k++] = mix(&in[i], &in[i + 1], 0.25f);
        if (i + 2 < n)
            out[k++] = mix(&in[i], &in[i + 1], 0.75f);
    }
    out[k++] = in[n - 1];
    return k;
}

static size_t smoothed_count(size_t n, int passes)
{
    for (int i = 0; i < passes && n >= 3; i++)
        n = 2 * (n - 1);
    return n;
}

size_t sigrender_smooth(const sigink_point *in, size_t n, int passes, sigink_point *out, size_t cap)
{
    if (passes < 0)
        passes = 0;
    if (passes > MAX_PASSES)
        passes = MAX_PASSES;
    size_t total = smoothed_count(n, passes);
    if (cap == 0 || n == 0)
        return total;
    if (n < 3 || passes == 0) {
        memcpy(out, in, (n < cap ? n : cap) * sizeof *out);
        return total;
    }
    /* Two scratch buffers of the final size, passed back and forth. */
    sigink_point *a = biomem_calloc(total, sizeof *a);
    sigink_point *b = biomem_calloc(total, sizeof *b);
    if (a == NULL || b == NULL) {
        biomem_free(a);
        biomem_free(b);
        return 0;
    }
    memcpy(a, in, n * sizeof *a);
    size_t m = n;
    for (int i = 0; i < passes && m >= 3; i++) {
        m = chaikin(a, m, b);
        sigink_point *t = a;
        a = b;
        b = t;
    }
    memcpy(out, a, (m < cap ? m : cap) * sizeof *out);
    biomem_free(a);
    biomem_free(b);
    return total;
}

static double width_px(double pressure, double pen_mm, double px_per_mm)
{
    if (!(pressure >= 0))
        pressure = 0;
    if (pressure > 1)
        pressure = 1;
    /* 0.5 pen widths at no pressure, 1.5 at full: a light touch stays visible */
    double w = pen_mm * px_per_mm * (0.5 + pressure);
    return w < 1.0 ? 1.0 : w;
}

void sigrender_segment(sigrender_image *c, const sigink_point *a, const sigink_point *b,
                       double pen_mm)
{
    double ax = (a->x_mm - c->origin_x_mm) * c->px_per_mm;
    double ay = (a->y_mm - c->origin_y_mm) * c->px_per_mm;
    double bx = (b->x_mm - c->origin_x_mm) * c->px_per_mm;
    double by = (b->y_mm - c->origin_y_mm) * c->px_per_mm;
    double ra = width_px(a->pressure, pen_mm, c->px_per_mm) / 2;
    double rb = width_px(b->pressure, pen_mm, c->px_per_mm) / 2;
    if (!isfinite(ax) || !isfinite(ay) || !isfinite(bx) || !isfinite(by))
        return;
    double r = (ra > rb ? ra : rb) + 1;
    int x0 = (int)floor(fmin(ax, bx) - r), x1 = (int)ceil(fmax(ax, bx) + r);
    int y0 = (int)floor(fmin(ay, by) - r), y1 = (int)ceil(fmax(ay, by) + r);
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > c->width - 1)
        x1 = c->width - 1;
    if (y1 > c->height - 1)
        y1 = c->height - 1;
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
            /* distance from the pixel centre to the segment, and the radius at that point */
            double px = x + 0.5 - ax, py = y + 0.5 - ay;
            double t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            t = t < 0 ? 0 : (t > 1 ? 1 : t);
            double ex = px - t * dx, ey = py - t * dy;
            double d = sqrt(ex * ex + ey * ey);
            double cover = ra + (rb - ra) * t + 0.5 - d;
            if (cover <= 0)
                continue;
            if (cover > 1)
                cover = 1;
            uint8_t v = (uint8_t)lround(255.0 * (1.0 - cover));
            uint8_t *p = &c->pixels[(size_t)y * (size_t)c->width + (size_t)x];
            if (v < *p)
                *p = v;
        }
    }
}

bk_err sigrender_render(const sigink *ink, const sigrender_options *o, sigrender_image *out)
{
    if (o->max_width < 1 || o->max_height < 1 || o->max_width > MAX_SIDE ||
        o->max_height > MAX_SIDE || o->margin < 0 || 2 * o->margin >= o->max_width ||
        2 * o->margin >= o->max_height || !(o->pen_mm > 0) || o->smoothing < 0 ||
        o->smoothing > MAX_PASSES)
        return BK_ERR_INVALID;
    float x0, y0, x1, y1;
    if (sigink_bounds(ink, &x0, &y0, &x1, &y1) != BK_OK)
        return BK_ERR_NOT_FOUND;

    double finest = o->max_px_per_mm > 0 ? o->max_px_per_mm : DEFAULT_MAX_PX_PER_MM;
    double w_mm = (double)x1 - x0, h_mm = (double)y1 - y0;
    double scale = finest;
    /* The points must fit inside the margins, and the pen's own width around them: the second
     * round fits with the margin widened by the thickest stroke of the first round's scale
     * (which can only shrink the scale, so the widened margin still holds). */
    int margin = o->margin;
    for (int round = 0; round < 2; round++) {
        double room_w = o->max_width - 2 * margin, room_h = o->max_height - 2 * margin;
        if (room_w < 1 || room_h < 1)
            return BK_ERR_INVALID;
        scale = finest;
        if (w_mm > 0 && room_w / w_mm < scale)
            scale = room_w / w_mm;
        if (h_mm > 0 && room_h / h_mm < scale)
            scale = room_h / h_mm;
        margin = o->margin + (int)ceil(width_px(1.0, o->pen_mm, scale) / 2);
    }
    int width = (int)ceil(w_mm * scale) + 2 * margin;
    int height = (int)ceil(h_mm * scale) + 2 * margin;
    if (width > o->max_width)
        width = o->max_width;
    if (height > o->max_height)
        height = o->max_height;
    sigrender_image img;
    bk_err err =
        sigrender_canvas(width, height, scale, x0 - margin / scale, y0 - margin / scale, &img);
    if (err != BK_OK)
        return err;

    for (size_t s = 0; s < sigink_stroke_count(ink); s++) {
        size_t n = 0;
        const sigink_point *pts = sigink_stroke(ink, s, &n);
        size_t m = sigrender_smooth(pts, n, o->smoothing, NULL, 0);
        sigink_point *sm = biomem_calloc(m, sizeof *sm);
        if (sm == NULL) {
            sigrender_image_clear(&img);
            return BK_ERR_NOMEM;
        }
        if (sigrender_smooth(pts, n, o->smoothing, sm, m) != m) {
            biomem_free(sm);
            sigrender_image_clear(&img);
            return BK_ERR_NOMEM;
        }
        if (m == 1)
            sigrender_segment(&img, &sm[0], &sm[0], o->pen_mm);
        for (size_t i = 0; i + 1 < m; i++)
            sigrender_segment(&img, &sm[i], &sm[i + 1], o->pen_mm);
        biomem_free(sm);
    }
    *out = img;
    return BK_OK;
}

bk_err sigrender_live(sigrender_image *canvas, const sigink *ink, int passes, double pen_mm)
{
    memset(canvas->pixels, 255, (size_t)canvas->width * (size_t)canvas->height);
    for (size_t i = 0; i < sigink_stroke_count(ink); i++) {
        size_t n = 0;
        const sigink_point *sp = sigink_stroke(ink, i, &n);
        if (sp == NULL || n == 0)
            continue;
        size_t m = sigrender_smooth(sp, n, passes, NULL, 0);
        sigink_point *sm = biomem_calloc(m, sizeof *sm);
        if (sm == NULL)
            return BK_ERR_NOMEM;
        sigrender_smooth(sp, n, passes, sm, m);
        if (m == 1)
            sigrender_segment(canvas, &sm[0], &sm[0], pen_mm);
        for (size_t j = 1; j < m; j++)
            sigrender_segment(canvas, &sm[j - 1], &sm[j], pen_mm);
        biomem_free(sm);
    }
    return BK_OK;
}

void sigrender_overlay_argb(const sigrender_image *canvas, uint32_t *argb)
{
    size_t n = (size_t)canvas->width * (size_t)canvas->height;
    for (size_t i = 0; i < n; i++)
        argb[i] = (uint32_t)(255 - canvas->pixels[i]) << 24;
}

bk_err sigrender_write_png(const sigrender_image *image, const char *path)
{
    /* the scale goes with the pixels, so the image keeps its physical size */
    const pic p = {image->width, image->height, 1, image->pixels};
    bk_err err = picio_write_png(&p, image->px_per_mm, path);
    if (err == BK_OK || err == BK_ERR_NOMEM || err == BK_ERR_INVALID)
        return err;
    remove(path);
    return BK_ERR_IO;
}
