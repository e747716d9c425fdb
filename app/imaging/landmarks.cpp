// dlib's shape predictor and HOG face detector behind landmarks.h. No dlib type or exception
// leaves this file: every entry point catches and answers with a bk_err.
extern "C" {
#include "core/bk_err.h"
#include "imaging/pic.h"
}
#include "imaging/landmarks.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
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

// dlib's shape predictor (a cascade of forests of regression trees, Kazemi and Sullivan 2014)
// evaluated over one flat copy of the model. dlib keeps each leaf's vector in its own heap
// block and walks a tree and adds its leaf before it starts the next one, so a fit is a chain
// of about 7500 dependent cache misses (the leaves are 65 MB): about 5 ms on this machine,
// two thirds of a live frame's analysis. Here every tree of a cascade is walked first, then the
// leaves are added, each fetched a few trees ahead. The arithmetic is dlib's own, in its own
// order (the same feature pixels through dlib's own functions, each coordinate's leaf values
// added tree after tree), so the points are the same as dlib's predictor gives.
struct flat_split {
    uint32_t idx1, idx2; /* feature pixels compared */
    float thresh;
};

struct flat_cascade {
    std::vector<unsigned long> anchor_idx;      /* dlib's, as loaded */
    std::vector<dlib::vector<float, 2>> deltas; /* dlib's, as loaded */
    unsigned long n_trees = 0, n_splits = 0;    /* every tree of a cascade has n_splits splits */
    std::vector<flat_split> splits;             /* n_trees * n_splits */
    std::vector<float> leaves; /* n_trees * (n_splits + 1) leaves of `dims` values each */
};

struct landmarks {
    dlib::matrix<float, 0, 1> initial_shape; /* the mean shape, in the box's unit square */
    std::vector<flat_cascade> cascades;      /* read-only once loaded */
    /* dlib's detector keeps scratch state while it runs: one search at a time */
    mutable std::mutex detector_lock;
    mutable dlib::frontal_face_detector detector;
};

// Reads a shape predictor file as dlib serializes one (version 1: the initial shape, the
// forests, the feature pixels' anchors and offsets) into the flat form, one cascade at a time
// so that the model is not held twice. Throws as dlib's deserialize does on a bad file.
static void flat_load(landmarks *lm, const char *path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw dlib::serialization_error("cannot open the model");
    int version = 0;
    dlib::deserialize(version, in);
    if (version != 1)
        throw dlib::serialization_error("not a version 1 shape predictor");
    dlib::deserialize(lm->initial_shape, in);
    const unsigned long dims = lm->initial_shape.size();
    unsigned long n_cascades = 0;
    dlib::deserialize(n_cascades, in); /* how dlib serializes a std::vector: its size, then each */
    lm->cascades.resize(n_cascades);
    for (flat_cascade &c : lm->cascades) {
        std::vector<dlib::impl::regression_tree> forest;
        dlib::deserialize(forest, in);
        c.n_trees = forest.size();
        c.n_splits = c.n_trees ? forest[0].splits.size() : 0;
        c.splits.reserve(c.n_trees * c.n_splits);
        c.leaves.reserve(c.n_trees * (c.n_splits + 1) * dims);
        for (const dlib::impl::regression_tree &t : forest) {
            if (t.splits.size() != c.n_splits || t.leaf_values.size() != c.n_splits + 1)
                throw dlib::serialization_error("trees of one cascade differ in size");
            for (const dlib::impl::split_feature &f : t.splits)
                c.splits.push_back({(uint32_t)f.idx1, (uint32_t)f.idx2, f.thresh});
            for (const dlib::matrix<float, 0, 1> &leaf : t.leaf_values) {
                if ((unsigned long)leaf.size() != dims)
                    throw dlib::serialization_error("a leaf of the wrong size");
                c.leaves.insert(c.leaves.end(), &leaf(0), &leaf(0) + dims);
            }
        }
    }
    std::vector<std::vector<unsigned long>> anchors;
    std::vector<std::vector<dlib::vector<float, 2>>> deltas;
    dlib::deserialize(anchors, in);
    dlib::deserialize(deltas, in);
    if (anchors.size() != n_cascades || deltas.size() != n_cascades)
        throw dlib::serialization_error("feature pixels do not match the cascades");
    for (unsigned long i = 0; i < n_cascades; i++) {
        lm->cascades[i].anchor_idx = std::move(anchors[i]);
        lm->cascades[i].deltas = std::move(deltas[i]);
        for (const flat_split &f : lm->cascades[i].splits)
            if (f.idx1 >= lm->cascades[i].deltas.size() || f.idx2 >= lm->cascades[i].deltas.size())
                throw dlib::serialization_error("a split names a pixel that does not exist");
    }
}

// dlib's shape_predictor::operator() over the flat model.
template <typename image_type>
static dlib::full_object_detection flat_fit(const landmarks *lm, const image_type &img,
                                            const dlib::rectangle &rect)
{
    dlib::matrix<float, 0, 1> current = lm->initial_shape;
    const unsigned long dims = current.size();
    std::vector<float> features;
    std::vector<const float *> chosen;
    for (const flat_cascade &c : lm->cascades) {
        dlib::impl::extract_feature_pixel_values(img, rect, current, lm->initial_shape,
                                                 c.anchor_idx, c.deltas, features);
        chosen.resize(c.n_trees);
        const unsigned long leaves = c.n_splits + 1;
        for (unsigned long t = 0; t < c.n_trees; t++) {
            const flat_split *s = &c.splits[t * c.n_splits];
            unsigned long i = 0;
            while (i < c.n_splits)
                i = features[s[i].idx1] - features[s[i].idx2] > s[i].thresh ? 2 * i + 1 : 2 * i + 2;
            chosen[t] = &c.leaves[(t * leaves + (i - c.n_splits)) * dims];
        }
        float *cur = &current(0);
        const unsigned long ahead = 8;
        for (unsigned long t = 0; t < c.n_trees; t++) {
            if (t + ahead < c.n_trees)
                for (unsigned long k = 0; k < dims; k += 16)
                    __builtin_prefetch(chosen[t + ahead] + k);
            const float *leaf = chosen[t];
            for (unsigned long k = 0; k < dims; k++)
                cur[k] += leaf[k];
        }
    }
    const dlib::point_transform_affine to_img = dlib::impl::unnormalizing_tform(rect);
    std::vector<dlib::point> parts(dims / 2);
    for (unsigned long i = 0; i < parts.size(); ++i)
        parts[i] = to_img(dlib::impl::location(current, i));
    return dlib::full_object_detection(rect, parts);
}

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
        flat_load(lm, model_path);
        lm->detector = dlib::get_frontal_face_detector();
    } catch (const std::bad_alloc &) {
        delete lm;
        return BK_ERR_NOMEM;
    } catch (...) {
        delete lm;
        return BK_ERR_CORRUPT;
    }
    if (lm->initial_shape.size() != 2 * LANDMARKS_N) {
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
            d = flat_fit(lm, v, to_rect(box));
        } else {
            bkview::pic_view<dlib::rgb_pixel> v;
            v.p = picture;
            d = flat_fit(lm, v, to_rect(box));
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
