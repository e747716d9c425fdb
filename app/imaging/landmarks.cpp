// dlib's shape predictor and HOG face detector behind landmarks.h. No dlib type or exception
// leaves this file: every entry point catches and answers with a bk_err.
extern "C" {
#include "core/bk_err.h"
#include "imaging/pic.h"
}
#include "imaging/landmarks.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <new>
#include <sys/stat.h>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/serialize.h>

// A pic seen through dlib's generic image interface, without copying its pixels. Only the
// read-only half of the interface is given: the shape predictor only reads.
namespace bkview
{
template <typename P> struct pic_view {
    const pic *p = nullptr;
};
template <typename P> long num_rows(const pic_view<P> &v)
{
    return v.p->height;
}
template <typename P> long num_columns(const pic_view<P> &v)
{
    return v.p->width;
}
template <typename P> const void *image_data(const pic_view<P> &v)
{
    return v.p->px;
}
template <typename P> long width_step(const pic_view<P> &v)
{
    return (long)v.p->width * v.p->channels;
}
} // namespace bkview

namespace dlib
{
template <typename P> struct image_traits<bkview::pic_view<P>> {
    typedef P pixel_type;
};
} // namespace dlib

struct landmarks {
    dlib::shape_predictor predictor; /* read-only once loaded */
    /* dlib's detector keeps scratch state while it runs: one search at a time */
    mutable std::mutex detector_lock;
    mutable dlib::frontal_face_detector detector;
};

extern "C" bk_err landmarks_new(const char *model_path, landmarks **out)
{
    if (model_path == nullptr || out == nullptr)
        return BK_ERR_INVALID;
    struct stat st;
    if (stat(model_path, &st) != 0)
        return BK_ERR_NOT_FOUND;
    landmarks *lm = new (std::nothrow) landmarks;
    if (lm == nullptr)
        return BK_ERR_NOMEM;
    try {
        dlib::deserialize(model_path) >> lm->predictor;
        lm->detector = dlib::get_frontal_face_detector();
    } catch (const std::bad_alloc &) {
        delete lm;
        return BK_ERR_NOMEM;
    } catch (...) {
        delete lm;
        return BK_ERR_CORRUPT;
    }
    if (lm->predictor.num_parts() != LANDMARKS_N) {
        delete lm;
        return BK_ERR_CORRUPT;
    }
    *out = lm;
    return BK_OK;
}

extern "C" void landmarks_free(landmarks *lm)
{
    delete lm;
}

static bool pic_ok(const pic *p)
{
    return p != nullptr && p->px != nullptr && p->width > 0 && p->height > 0 &&
           (p->channels == 1 || p->channels == 3);
}

static dlib::rectangle to_rect(const landmarks_box *b)
{
    return dlib::rectangle(std::lround(b->x), std::lround(b->y), std::lround(b->x + b->w - 1),
                           std::lround(b->y + b->h - 1));
}

extern "C" bk_err landmarks_fit(const landmarks *lm, const pic *picture, const landmarks_box *box,
                                landmarks_shape *out)
{
    if (lm == nullptr || !pic_ok(picture) || box == nullptr || out == nullptr ||
        !(box->w >= 4 && box->h >= 4))
        return BK_ERR_INVALID;
    try {
        dlib::full_object_detection d;
        if (picture->channels == 1) {
            bkview::pic_view<unsigned char> v;
            v.p = picture;
            d = lm->predictor(v, to_rect(box));
        } else {
            bkview::pic_view<dlib::rgb_pixel> v;
            v.p = picture;
            d = lm->predictor(v, to_rect(box));
        }
        for (unsigned long i = 0; i < LANDMARKS_N; i++) {
            out->pt[i][0] = (double)d.part(i).x();
            out->pt[i][1] = (double)d.part(i).y();
        }
    } catch (const std::bad_alloc &) {
        return BK_ERR_NOMEM;
    } catch (...) {
        return BK_ERR_INTERNAL;
    }
    return BK_OK;
}

extern "C" bk_err landmarks_detect(const landmarks *lm, const pic *picture,
                                   const landmarks_box *area, int max_side, landmarks_box *boxes,
                                   int max, int *n)
{
    if (lm == nullptr || !pic_ok(picture) || n == nullptr || max < 0 ||
        (max > 0 && boxes == nullptr))
        return BK_ERR_INVALID;
    *n = 0;
    double x0 = 0, y0 = 0, w = picture->width, h = picture->height;
    if (area != nullptr) {
        x0 = std::fmax(0, area->x);
        y0 = std::fmax(0, area->y);
        w = std::fmin(picture->width, area->x + area->w) - x0;
        h = std::fmin(picture->height, area->y + area->h) - y0;
    }
    if (!(w >= 8 && h >= 8))
        return BK_OK;
    double step = 1;
    if (max_side > 0 && std::fmax(w, h) > max_side)
        step = std::fmax(w, h) / max_side;
    int cw = (int)(w / step), ch = (int)(h / step);
    pic *crop = nullptr, *grey = nullptr;
    bk_err err =
        pic_warp(picture, x0 + (step - 1) / 2, y0 + (step - 1) / 2, 0, step, cw, ch, &crop);
    if (err == BK_OK)
        err = pic_to_grey(crop, &grey);
    pic_free(crop);
    if (err != BK_OK)
        return err;
    try {
        dlib::array2d<unsigned char> img(ch, cw);
        for (int y = 0; y < ch; y++)
            std::memcpy(&img[y][0], grey->px + (size_t)y * (size_t)cw, (size_t)cw);
        std::vector<dlib::rect_detection> found;
        {
            std::lock_guard<std::mutex> hold(lm->detector_lock);
            lm->detector(img, found, 0.0);
        }
        std::sort(found.begin(), found.end(),
                  [](const dlib::rect_detection &a, const dlib::rect_detection &b) {
                      return a.detection_confidence > b.detection_confidence;
                  });
        for (const dlib::rect_detection &d : found) {
            if (*n >= max)
                break;
            landmarks_box *b = &boxes[(*n)++];
            b->x = x0 + d.rect.left() * step;
            b->y = y0 + d.rect.top() * step;
            b->w = (double)d.rect.width() * step;
            b->h = (double)d.rect.height() * step;
        }
    } catch (const std::bad_alloc &) {
        err = BK_ERR_NOMEM;
    } catch (...) {
        err = BK_ERR_INTERNAL;
    }
    pic_free(grey);
    return err;
}
