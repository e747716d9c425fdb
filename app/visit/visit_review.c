/* The review's pictures (visit_review.h). */
#include "visit/visit_review.h"

#include <string.h>

#include "core/sigink.h"
#include "imaging/picio.h"
#include "imaging/sigrender.h"

/* p shrunk to fit max_side (p itself when it fits; p is freed when replaced). */
static bk_err fit(pic **p, int max_side)
{
    pic *in = *p;
    int big = in->width > in->height ? in->width : in->height;
    if (big <= max_side)
        return BK_OK;
    int w = (int)((long)in->width * max_side / big);
    int h = (int)((long)in->height * max_side / big);
    pic *out = NULL;
    bk_err err = pic_resize(in, w > 0 ? w : 1, h > 0 ? h : 1, &out);
    if (err != BK_OK)
        return err;
    pic_free(in);
    *p = out;
    return BK_OK;
}

static bk_err face_of(const takes *t, size_t person, int max_side, pic **out)
{
    size_t len = 0;
    const uint8_t *jpeg = takes_face(t, person, &len);
    if (jpeg == NULL)
        return BK_OK;
    int w = 0, h = 0;
    bk_err err = picio_peek_size(jpeg, len, &w, &h);
    int denom = 1;
    while (err == BK_OK && denom < 8 && (w > h ? w : h) / (denom * 2) >= max_side)
        denom *= 2;
    if (err == BK_OK)
        err = picio_decode(jpeg, len, denom, out);
    if (err == BK_OK)
        err = fit(out, max_side);
    if (err != BK_OK) {
        pic_free(*out);
        *out = NULL;
    }
    return err;
}

static bk_err print_of(const takes_finger *f, int max_side, visit_review_print *out)
{
    out->position = f->position;
    out->quality = f->quality;
    const char *why = NULL;
    bk_err err = picio_decode_png_grey(f->png, f->png_len, 4096, &out->image, &why);
    if (err == BK_OK)
        err = fit(&out->image, max_side);
    if (err != BK_OK) {
        pic_free(out->image);
        out->image = NULL;
    }
    return err;
}

static bk_err signature_of(const takes *t, size_t person, int max_side, pic **out)
{
    const takes_point *pts = NULL;
    const size_t *ends = NULL;
    size_t n_strokes = 0;
    size_t n = takes_signature(t, person, &pts, &ends, &n_strokes);
    if (n == 0)
        return BK_OK;
    sigink *ink = sigink_new();
    if (ink == NULL)
        return BK_ERR_NOMEM;
    bk_err err = BK_OK;
    size_t k = 0;
    for (size_t s = 0; s < n_strokes && err == BK_OK; s++) {
        for (; k < ends[s] && k < n && err == BK_OK; k++) {
            sigink_point sp = {(float)pts[k].x_mm, (float)pts[k].y_mm, (float)pts[k].pressure,
                               (uint32_t)(pts[k].t_ms > 0 ? pts[k].t_ms : 0)};
            err = sigink_add(ink, &sp);
        }
        sigink_end_stroke(ink);
    }
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    o.max_width = max_side;
    o.max_height = max_side / 3 > 2 * o.margin + 8 ? max_side / 3 : 2 * o.margin + 8;
    sigrender_image img = {0};
    if (err == BK_OK)
        err = sigrender_render(ink, &o, &img);
    sigink_free(ink);
    if (err == BK_OK)
        err = pic_new(img.width, img.height, 1, out);
    if (err == BK_OK)
        memcpy((*out)->px, img.pixels, (size_t)img.width * (size_t)img.height);
    sigrender_image_clear(&img);
    return err;
}

bk_err visit_review_pictures_get(const visit *v, size_t person, int max_side,
                                 visit_review_pictures *out)
{
    memset(out, 0, sizeof *out);
    const takes *t = visit_takes(v);
    if (t == NULL || person >= takes_person_count(t) || max_side < 16)
        return BK_ERR_INVALID;
    bk_err first = face_of(t, person, max_side, &out->face);
    for (size_t i = 0; i < takes_finger_count(t, person) && i < TAKES_MAX_FINGERS; i++) {
        const takes_finger *f = takes_finger_get(t, person, i);
        if (f == NULL)
            break;
        bk_err err = print_of(f, max_side, &out->prints[out->n_prints++]);
        if (first == BK_OK)
            first = err;
    }
    bk_err err = signature_of(t, person, max_side, &out->signature);
    return first != BK_OK ? first : err;
}

void visit_review_clear(visit_review_pictures *p)
{
    if (p == NULL)
        return;
    pic_free(p->face);
    for (size_t i = 0; i < p->n_prints; i++)
        pic_free(p->prints[i].image);
    pic_free(p->signature);
    memset(p, 0, sizeof *p);
}
