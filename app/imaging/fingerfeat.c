#include "imaging/fingerfeat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/fingerqual.h"

/* Analysis blocks: about one and a half ridge periods at 500 ppi, two at 300 ppi. */
#define BLOCK 12
/* A block holds print when its grey values vary at least this much (standard deviation) ... */
#define MIN_BLOCK_STDDEV 9.0
/* ... or, in a print of little contrast (pressed lightly), BOUND_OF_MEDIAN of the median spread
 * of its textured blocks (spread TEXTURE_STDDEV or more), but never below LOW_BLOCK_STDDEV: a
 * faint image (6 % contrast) stays out even of a binary capture (spread at most 5.7). */
#define LOW_BLOCK_STDDEV 7.0
#define BOUND_OF_MEDIAN  0.8
#define TEXTURE_STDDEV   3.0
/* ... and it is not almost white (a smear of light noise on an empty platen). */
#define MAX_BLOCK_MEAN 245.0
/* Samples averaged along the ridge before binarising: bridges pores and small breaks. */
#define SMOOTH_TAPS 7
/* Two minutiae closer than this are taken for a break, a spur or a bridge and dropped. */
#define MIN_MINUTIA_DISTANCE 7.0f
/* Minutiae are only looked for where the ridge flow is at least this coherent. */
#define MIN_MINUTIA_COHERENCE 0.0f
/* Minutiae beyond this count add nothing to quality and only cost time when comparing. */
#define MAX_MINUTIAE 400
/* The quality's coherence discounts the gradient energy the image's own pixel noise explains,
 * but never more than this share of a block's (docs/fingerprints.md, sixth run). */
#define NOISE_SHARE_MAX 0.3

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef struct work {
    int w, h, bw, bh;
    const uint8_t *pix;
    float *orient;   /* per block: ridge direction 0..pi */
    float *coh;      /* per block: coherence 0..1 (the extractor's) */
    float *qcoh;     /* per block: coherence with the pixel noise discounted (the quality's) */
    float *mean;     /* per block */
    float *sd;       /* per block */
    uint8_t *mask;   /* per block, foreground */
    uint8_t *inner;  /* per block, foreground with all eight neighbours foreground */
    uint8_t *ridges; /* per pixel, 1 = ridge after binarising, then the skeleton */
} work;

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The spread a block needs to hold print: MIN_BLOCK_STDDEV, lower for a print of little contrast
 * (BOUND_OF_MEDIAN of its textured blocks' median spread, down to LOW_BLOCK_STDDEV). A light
 * pressure scales every block's spread down alike; a fixed bound would cut the print in half. */
static double foreground_bound(const work *k, float *scratch)
{
    int n = 0;
    for (int i = 0; i < k->bw * k->bh; i++)
        if (k->sd[i] >= TEXTURE_STDDEV && k->mean[i] <= MAX_BLOCK_MEAN)
            scratch[n++] = k->sd[i];
    if (n == 0)
        return MIN_BLOCK_STDDEV;
    qsort(scratch, (size_t)n, sizeof *scratch, cmp_float);
    double b = BOUND_OF_MEDIAN * scratch[n / 2];
    return b < LOW_BLOCK_STDDEV ? LOW_BLOCK_STDDEV : b > MIN_BLOCK_STDDEV ? MIN_BLOCK_STDDEV : b;
}

/* scratch: room for a float per block */
static void block_stats(work *k, float *scratch)
{
    for (int by = 0; by < k->bh; by++) {
        for (int bx = 0; bx < k->bw; bx++) {
            double s = 0, s2 = 0;
            int n = 0;
            for (int y = by * BLOCK; y < (by + 1) * BLOCK && y < k->h; y++) {
                for (int x = bx * BLOCK; x < (bx + 1) * BLOCK && x < k->w; x++) {
                    double v = k->pix[y * k->w + x];
                    s += v;
                    s2 += v * v;
                    n++;
                }
            }
            double m = s / n;
            double var = s2 / n - m * m;
            int i = by * k->bw + bx;
            k->mean[i] = (float)m;
            k->sd[i] = (float)sqrt(var > 0 ? var : 0);
        }
    }
    double bound = foreground_bound(k, scratch);
    for (int i = 0; i < k->bw * k->bh; i++)
        k->mask[i] = k->sd[i] >= bound && k->mean[i] <= MAX_BLOCK_MEAN;
}

static int mask_at(const work *k, const uint8_t *mask, int bx, int by)
{
    if (bx < 0 || by < 0 || bx >= k->bw || by >= k->bh)
        return 0;
    return mask[by * k->bw + bx];
}

static int mask_neighbours(const work *k, const uint8_t *mask, int bx, int by)
{
    int n = 0;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            if (dx != 0 || dy != 0)
                n += mask_at(k, mask, bx + dx, by + dy);
    return n;
}

/* Drops lone specks and fills pin-holes, then marks the blocks well inside the print, where a
 * ridge end is a real minutia rather than the edge of the print. */
static void clean_mask(work *k)
{
    size_t nb = (size_t)k->bw * (size_t)k->bh;
    uint8_t *copy = k->inner; /* scratch until filled below */
    for (int pass = 0; pass < 2; pass++) {
        memcpy(copy, k->mask, nb);
        for (int by = 0; by < k->bh; by++) {
            for (int bx = 0; bx < k->bw; bx++) {
                int n = mask_neighbours(k, copy, bx, by);
                int i = by * k->bw + bx;
                if (copy[i] && n < 3)
                    k->mask[i] = 0;
                else if (!copy[i] && n >= 6)
                    k->mask[i] = 1;
            }
        }
    }
    for (int by = 0; by < k->bh; by++)
        for (int bx = 0; bx < k->bw; bx++)
            k->inner[by * k->bw + bx] =
                k->mask[by * k->bw + bx] && mask_neighbours(k, k->mask, bx, by) == 8;
}

/* The grey noise of the print (its standard deviation per pixel): Immerkaer's estimate, the mean
 * magnitude of a second difference that cancels smooth structure, over the foreground pixels. */
static double noise_sigma(const work *k)
{
    long sum = 0, n = 0;
    int w = k->w;
    for (int by = 0; by < k->bh; by++) {
        for (int bx = 0; bx < k->bw; bx++) {
            if (!k->mask[by * k->bw + bx])
                continue;
            int y0 = by * BLOCK > 1 ? by * BLOCK : 1, y1 = (by + 1) * BLOCK;
            int x0 = bx * BLOCK > 1 ? bx * BLOCK : 1, x1 = (bx + 1) * BLOCK;
            y1 = y1 < k->h - 1 ? y1 : k->h - 1;
            x1 = x1 < w - 1 ? x1 : w - 1;
            for (int y = y0; y < y1; y++) {
                const uint8_t *p = k->pix + y * w;
                for (int x = x0; x < x1; x++) {
                    int v = p[x - w - 1] - 2 * p[x - w] + p[x - w + 1] - 2 * p[x - 1] + 4 * p[x] -
                            2 * p[x + 1] + p[x + w - 1] - 2 * p[x + w] + p[x + w + 1];
                    sum += v < 0 ? -v : v;
                }
                n += x1 > x0 ? x1 - x0 : 0;
            }
        }
    }
    return n > 0 ? sqrt(M_PI / 2) * (double)sum / (6.0 * (double)n) : 0;
}

/* Ridge orientation per block from the gradient structure tensor over the block and its
 * neighbours; coherence says how well one direction explains the gradients. The quality's
 * coherence (qcoh) first takes from the tensor's trace what white noise of the measured sigma
 * puts there on average (12 sigma^2 per pixel in each Sobel component, the same in every
 * direction), at most NOISE_SHARE_MAX of it: sensor noise hides the ridge flow from the
 * gradients, not from the finger. The direction is the same either way. */
static int orientation(work *k)
{
    double sigma = noise_sigma(k), noise_px = 24 * sigma * sigma;
    size_t nb = (size_t)k->bw * (size_t)k->bh;
    double *gxx = calloc(nb * 3, sizeof(double));
    if (gxx == NULL)
        return -1;
    double *gyy = gxx + nb, *gxy = gxx + 2 * nb;
    for (int y = 1; y < k->h - 1; y++) {
        for (int x = 1; x < k->w - 1; x++) {
            const uint8_t *p = k->pix + y * k->w + x;
            int w = k->w;
            double gx = (p[-w + 1] + 2 * p[1] + p[w + 1]) - (p[-w - 1] + 2 * p[-1] + p[w - 1]);
            double gy = (p[w - 1] + 2 * p[w] + p[w + 1]) - (p[-w - 1] + 2 * p[-w] + p[-w + 1]);
            size_t i = (size_t)(y / BLOCK) * (size_t)k->bw + (size_t)(x / BLOCK);
            gxx[i] += gx * gx;
            gyy[i] += gy * gy;
            gxy[i] += gx * gy;
        }
    }
    for (int by = 0; by < k->bh; by++) {
        for (int bx = 0; bx < k->bw; bx++) {
            double a = 0, b = 0, c = 0, npx = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = bx + dx, y = by + dy;
                    if (x < 0 || y < 0 || x >= k->bw || y >= k->bh)
                        continue;
                    size_t j = (size_t)y * (size_t)k->bw + (size_t)x;
                    a += gxx[j];
                    b += gyy[j];
                    c += gxy[j];
                    npx += BLOCK * BLOCK;
                }
            }
            int i = by * k->bw + bx;
            double grad = 0.5 * atan2(2 * c, a - b);
            double ridge = grad + M_PI / 2;
            if (ridge >= M_PI)
                ridge -= M_PI;
            if (ridge < 0)
                ridge += M_PI;
            k->orient[i] = (float)ridge;
            double aniso = sqrt((a - b) * (a - b) + 4 * c * c), trace = a + b;
            double signal = fmax(trace - noise_px * npx, (1 - NOISE_SHARE_MAX) * trace);
            k->coh[i] = trace > 0 ? (float)(aniso / trace) : 0;
            k->qcoh[i] = signal > 0 ? (float)fmin(aniso / signal, 1) : 0;
        }
    }
    free(gxx);
    return 0;
}

/* Pixel (x, y) smoothed along the ridge and thresholded against the local mean: 1 on a ridge.
 * Only the ridge period needs it, on a few lines across the ridges, so it is not computed for
 * the whole image. */
static int binary_at(const work *k, int x, int y)
{
    int w = k->w, h = k->h;
    int bi = (y / BLOCK) * k->bw + x / BLOCK;
    if (!k->mask[bi])
        return 0;
    float th = k->orient[bi];
    float cx = cosf(th), cy = sinf(th);
    int sum = 0, n = 0;
    for (int t = -SMOOTH_TAPS / 2; t <= SMOOTH_TAPS / 2; t++) {
        int sx = x + (int)lrintf(t * cx), sy = y + (int)lrintf(t * cy);
        if (sx < 0 || sy < 0 || sx >= w || sy >= h)
            continue;
        sum += k->pix[sy * w + sx];
        n++;
    }
    /* the local mean, interpolated between blocks so the threshold has no seams */
    float fx = (x + 0.5f) / BLOCK - 0.5f, fy = (y + 0.5f) / BLOCK - 0.5f;
    int x0 = (int)floorf(fx), y0 = (int)floorf(fy);
    float ax = fx - x0, ay = fy - y0, mean = 0, wsum = 0;
    for (int j = 0; j < 4; j++) {
        int bx = x0 + (j & 1), by = y0 + (j >> 1);
        if (bx < 0 || by < 0 || bx >= k->bw || by >= k->bh)
            continue;
        float wt = ((j & 1) ? ax : 1 - ax) * ((j >> 1) ? ay : 1 - ay);
        mean += wt * k->mean[by * k->bw + bx];
        wsum += wt;
    }
    mean = wsum > 0 ? mean / wsum : k->mean[bi];
    return (float)sum / (float)n < mean;
}

/* The ridge period in pixels, from how often a first binarising changes between ridge and
 * valley along lines across the ridges in the print's inner blocks. */
static float ridge_period(const work *k)
{
    long len = 0, changes = 0;
    for (int by = 0; by < k->bh; by++) {
        for (int bx = 0; bx < k->bw; bx++) {
            int bi = by * k->bw + bx;
            if (!k->inner[bi] || k->coh[bi] < 0.4f)
                continue;
            float nx = -sinf(k->orient[bi]), ny = cosf(k->orient[bi]);
            float cx = bx * BLOCK + BLOCK / 2.0f, cy = by * BLOCK + BLOCK / 2.0f;
            int prev = -1;
            for (int t = -BLOCK; t <= BLOCK; t++) {
                int x = (int)lrintf(cx + t * nx), y = (int)lrintf(cy + t * ny);
                if (x < 0 || y < 0 || x >= k->w || y >= k->h)
                    continue;
                int v = binary_at(k, x, y);
                changes += prev >= 0 && v != prev;
                prev = v;
                len++;
            }
        }
    }
    float period = changes > 0 ? 2.0f * (float)len / (float)changes : 9.0f;
    return period < 5 ? 5 : period > 15 ? 15 : period;
}

#define GABOR_ORIENTATIONS 16

/* The Gabor kernel nearest to the doubled-angle vector (c2, s2): atan2 by a polynomial good to
 * 0.0015 rad, far finer than the kernels' steps of pi/16 (atan2f per pixel cost a tenth of the
 * analysis). */
static int orientation_bin(float s2, float c2)
{
    float ax = fabsf(c2), ay = fabsf(s2), mx = ax > ay ? ax : ay, mn = ax > ay ? ay : ax;
    if (mx == 0)
        return 0;
    float t = mn / mx, t2 = t * t;
    float a = ((-0.0464964749f * t2 + 0.15931422f) * t2 - 0.327622764f) * t2 * t + t;
    if (ay > ax)
        a = (float)M_PI / 2 - a;
    if (c2 < 0)
        a = (float)M_PI - a;
    if (s2 < 0)
        a = -a;
    float th = 0.5f * a;
    if (th < 0)
        th += (float)M_PI;
    return (int)(th / (float)M_PI * GABOR_ORIENTATIONS + 0.5f) % GABOR_ORIENTATIONS;
}

/* The Gabor kernel for pixel position (x, y): the block directions interpolated between block
 * centres as doubled-angle vectors (vec: cos, sin per block). */
static int pixel_bin(const work *k, const float *vec, float x, float y)
{
    float fx = x / BLOCK - 0.5f, fy = y / BLOCK - 0.5f;
    int x0 = (int)floorf(fx), y0 = (int)floorf(fy);
    float ax = fx - x0, ay = fy - y0, c2 = 0, s2 = 0;
    for (int j = 0; j < 4; j++) {
        int bx = x0 + (j & 1), by = y0 + (j >> 1);
        bx = bx < 0 ? 0 : bx >= k->bw ? k->bw - 1 : bx;
        by = by < 0 ? 0 : by >= k->bh ? k->bh - 1 : by;
        float wt = ((j & 1) ? ax : 1 - ax) * ((j >> 1) ? ay : 1 - ay);
        c2 += wt * vec[2 * (by * k->bw + bx)];
        s2 += wt * vec[2 * (by * k->bw + bx) + 1];
    }
    return orientation_bin(s2, c2);
}

/* Gabor filtering along the local ridge direction at the measured ridge period: restores broken
 * ridges and separates merged ones, so the skeleton (and the minutiae) come out the same from
 * two captures of one finger. Ridge pixels are those with a negative response (ridges dark). */
static int enhance(work *k)
{
    float period = ridge_period(k);
    float sigma = 0.45f * period;
    int half = (int)ceilf(1.5f * sigma), side = 2 * half + 1;
    /* the kernels in fixed point (sum of the magnitudes below 2^15 per pixel value): integer
     * sums vectorise where float sums, whose order matters, do not */
    /* kernel rows padded with zeros to a fixed 16 or 32 taps: a loop of known length is one
     * the compiler vectorises even at -O2 */
    int pitch = side <= 16 ? 16 : 32;
    int16_t *kern = calloc((size_t)(GABOR_ORIENTATIONS * side * pitch), sizeof(int16_t));
    float *fk = malloc(sizeof(float) * (size_t)(side * side));
    size_t nb = (size_t)k->bw * (size_t)k->bh;
    float *vec = malloc(sizeof(float) * 2 * nb);
    if (kern == NULL || fk == NULL || vec == NULL) {
        free(kern);
        free(fk);
        free(vec);
        return -1;
    }
    for (int o = 0; o < GABOR_ORIENTATIONS; o++) {
        float th = (float)(o * M_PI / GABOR_ORIENTATIONS), sum = 0, mag = 0;
        for (int y = -half; y <= half; y++) {
            for (int x = -half; x <= half; x++) {
                float across = -x * sinf(th) + y * cosf(th);
                float g = expf(-(float)(x * x + y * y) / (2 * sigma * sigma)) *
                          cosf(2 * (float)M_PI * across / period);
                fk[(y + half) * side + x + half] = g;
                sum += g;
            }
        }
        for (int i = 0; i < side * side; i++) {
            fk[i] -= sum / (float)(side * side);
            mag += fabsf(fk[i]);
        }
        for (int i = 0; i < side * side; i++)
            kern[(o * side + i / side) * pitch + i % side] =
                (int16_t)lrintf(fk[i] * 32000.0f / mag);
    }
    free(fk);
    /* each block's direction as a doubled-angle vector, interpolated per pixel below */
    for (size_t i = 0; i < nb; i++) {
        vec[2 * i] = cosf(2 * k->orient[i]);
        vec[2 * i + 1] = sinf(2 * k->orient[i]);
    }
    int w = k->w, h = k->h, bw2 = (w + 1) / 2, bh2 = (h + 1) / 2;
    uint8_t *bins = malloc((size_t)bw2 * (size_t)bh2);
    if (bins == NULL) {
        free(kern);
        free(vec);
        return -1;
    }
    /* the kernel per 2 x 2 pixels: the direction changes slowly (the NIST print keeps its
     * minutiae count) and a choice per pixel cost a sixth of the analysis */
    for (int y2 = 0; y2 < bh2; y2++)
        for (int x2 = 0; x2 < bw2; x2++)
            bins[y2 * bw2 + x2] = (uint8_t)pixel_bin(k, vec, 2 * x2 + 1.0f, 2 * y2 + 1.0f);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int bi = (y / BLOCK) * k->bw + x / BLOCK;
            if (!k->mask[bi]) {
                k->ridges[y * w + x] = 0;
                continue;
            }
            int o = bins[(y / 2) * bw2 + x / 2];
            const int16_t *kk = kern + o * side * pitch;
            int32_t acc = 0;
            if (x >= half && y >= half && x - half + pitch <= w && y < h - half) {
                /* inside: no clamping */
                for (int ky = -half; ky <= half; ky++) {
                    const uint8_t *row = k->pix + (y + ky) * w + x - half;
                    const int16_t *krow = kk + (ky + half) * pitch;
                    if (pitch == 16)
                        for (int kx = 0; kx < 16; kx++)
                            acc += krow[kx] * row[kx];
                    else
                        for (int kx = 0; kx < 32; kx++)
                            acc += krow[kx] * row[kx];
                }
            } else {
                for (int ky = -half; ky <= half; ky++) {
                    int yy = y + ky;
                    yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
                    const uint8_t *row = k->pix + yy * w;
                    const int16_t *krow = kk + (ky + half) * pitch + half;
                    for (int kx = -half; kx <= half; kx++) {
                        int xx = x + kx;
                        xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
                        acc += krow[kx] * row[xx];
                    }
                }
            }
            k->ridges[y * w + x] = acc < 0;
        }
    }
    free(kern);
    free(vec);
    free(bins);
    return 0;
}

static int px(const work *k, int x, int y)
{
    if (x < 0 || y < 0 || x >= k->w || y >= k->h)
        return 0;
    return k->ridges[y * k->w + x] != 0;
}

/* The eight neighbours clockwise from north. */
static const int NX[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int NY[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

/* The eight neighbours of (x, y) as bits, bit i = neighbour i (clockwise from north). */
static unsigned neighbour_bits(const work *k, int x, int y)
{
    unsigned code = 0;
    if (x > 0 && y > 0 && x < k->w - 1 && y < k->h - 1) {
        const uint8_t *p = k->ridges + y * k->w + x;
        for (int i = 0; i < 8; i++)
            code |= (unsigned)(p[NY[i] * k->w + NX[i]] != 0) << i;
        return code;
    }
    for (int i = 0; i < 8; i++)
        code |= (unsigned)px(k, x + NX[i], y + NY[i]) << i;
    return code;
}

/* Zhang-Suen's test of one sub-iteration for every neighbourhood: 1 = the pixel may go. */
static void thin_table(uint8_t table[2][256])
{
    for (unsigned code = 0; code < 256; code++) {
        int p[8], b = 0, a = 0;
        for (int i = 0; i < 8; i++) {
            p[i] = (code >> i) & 1;
            b += p[i];
        }
        for (int i = 0; i < 8; i++)
            a += !p[i] && p[(i + 1) % 8];
        int ok = b >= 2 && b <= 6 && a == 1;
        /* p[0]=N, p[2]=E, p[4]=S, p[6]=W */
        table[0][code] = ok && !((p[0] && p[2] && p[4]) || (p[2] && p[4] && p[6]));
        table[1][code] = ok && !((p[0] && p[2] && p[6]) || (p[0] && p[4] && p[6]));
    }
}

/* Zhang-Suen thinning: ridges one pixel wide, so crossing numbers find ends and forks. Each pass
 * visits only the pixels still on a ridge, and decides by a table of neighbourhoods. */
static int thin(work *k)
{
    size_t n = (size_t)k->w * (size_t)k->h, live = 0;
    uint32_t *del = malloc(n * sizeof(uint32_t));
    uint32_t *list = malloc(n * sizeof(uint32_t));
    if (del == NULL || list == NULL) {
        free(del);
        free(list);
        return -1;
    }
    uint8_t table[2][256];
    thin_table(table);
    for (size_t i = 0; i < n; i++)
        if (k->ridges[i])
            list[live++] = (uint32_t)i;
    int changed = 1;
    for (int iter = 0; changed && iter < 64; iter++) {
        changed = 0;
        for (int sub = 0; sub < 2; sub++) {
            size_t nd = 0, kept = 0;
            for (size_t l = 0; l < live; l++) {
                uint32_t i = list[l];
                if (!k->ridges[i])
                    continue;
                list[kept++] = i;
                int x = (int)(i % (uint32_t)k->w), y = (int)(i / (uint32_t)k->w);
                if (table[sub][neighbour_bits(k, x, y)])
                    del[nd++] = i;
            }
            live = kept;
            for (size_t d = 0; d < nd; d++)
                k->ridges[del[d]] = 0;
            changed |= nd > 0;
        }
    }
    free(del);
    free(list);
    return 0;
}

/* Follows the skeleton from (x, y) through neighbour `first` for up to `steps` pixels, stopping
 * at forks; returns the direction from (x, y) to where it got. */
static float trace(const work *k, int x, int y, int first, int steps)
{
    int px0 = x, py0 = y, cx = x + NX[first], cy = y + NY[first];
    for (int s = 1; s < steps; s++) {
        int next = -1, count = 0;
        for (int i = 0; i < 8; i++) {
            int nx = cx + NX[i], ny = cy + NY[i];
            if ((nx == px0 && ny == py0) || (nx == x && ny == y) || !px(k, nx, ny))
                continue;
            /* a diagonal step next to an orthogonal one is the same branch */
            if ((i & 1) && (px(k, cx + NX[(i + 7) % 8], cy + NY[(i + 7) % 8]) ||
                            px(k, cx + NX[(i + 1) % 8], cy + NY[(i + 1) % 8])))
                continue;
            next = i;
            count++;
        }
        if (count != 1)
            break;
        px0 = cx;
        py0 = cy;
        cx += NX[next];
        cy += NY[next];
    }
    return atan2f((float)(cy - y), (float)(cx - x));
}

static float wrap2pi(float a)
{
    while (a < 0)
        a += 2 * (float)M_PI;
    while (a >= 2 * (float)M_PI)
        a -= 2 * (float)M_PI;
    return a;
}

static float adiff(float a, float b)
{
    float d = fabsf(wrap2pi(a - b));
    return d > (float)M_PI ? 2 * (float)M_PI - d : d;
}

/* The direction of a minutia with its sense, from the skeleton branches leaving it. */
static float minutia_direction(const work *k, int x, int y, int cn)
{
    float br[8];
    int nb = 0;
    for (int i = 0; i < 8 && nb < 8; i++) {
        if (!px(k, x + NX[i], y + NY[i]) || px(k, x + NX[(i + 7) % 8], y + NY[(i + 7) % 8]))
            continue; /* one entry per run of set neighbours */
        br[nb++] = trace(k, x, y, i, 10);
    }
    if (cn == 1 || nb < 3)
        return wrap2pi((nb > 0 ? br[0] : 0) + (float)M_PI);
    /* a fork: the two branches closest in direction are the tines, the third is the stem */
    int lone = 0;
    float best = 10;
    for (int i = 0; i < 3; i++) {
        float d = adiff(br[(i + 1) % 3], br[(i + 2) % 3]);
        if (d < best) {
            best = d;
            lone = i;
        }
    }
    return wrap2pi(br[lone]);
}

static int find_minutiae(work *k, fingerfeat *f)
{
    int cap = 64, n = 0;
    fingerfeat_minutia *m = biomem_calloc((size_t)cap, sizeof *m);
    if (m == NULL)
        return -1;
    for (int y = 2; y < k->h - 2; y++) {
        for (int x = 2; x < k->w - 2; x++) {
            if (!k->ridges[y * k->w + x])
                continue;
            int bi = (y / BLOCK) * k->bw + x / BLOCK;
            /* ridge ends in a muddle of directions are noise, not minutiae */
            if (!k->inner[bi] || k->coh[bi] < MIN_MINUTIA_COHERENCE)
                continue;
            int cn = 0;
            for (int i = 0; i < 8; i++)
                cn += abs(px(k, x + NX[i], y + NY[i]) -
                          px(k, x + NX[(i + 1) % 8], y + NY[(i + 1) % 8]));
            cn /= 2;
            if (cn != 1 && cn != 3)
                continue;
            if (n == cap) {
                fingerfeat_minutia *bigger = biomem_realloc(m, (size_t)cap * 2 * sizeof *m);
                if (bigger == NULL) {
                    biomem_free(m);
                    return -1;
                }
                m = bigger;
                cap *= 2;
            }
            m[n].x = (float)x;
            m[n].y = (float)y;
            m[n].angle = minutia_direction(k, x, y, cn);
            m[n].kind = cn == 1 ? FINGERFEAT_ENDING : FINGERFEAT_BIFURCATION;
            n++;
        }
    }
    /* Pairs that close are artefacts of the binarising (broken ridges, spurs, bridges): both go. */
    uint8_t *drop = calloc((size_t)n + 1, 1);
    if (drop == NULL) {
        biomem_free(m);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            float dx = m[j].x - m[i].x, dy = m[j].y - m[i].y;
            if (dy > MIN_MINUTIA_DISTANCE)
                break; /* found row by row: sorted by y */
            if (dx * dx + dy * dy < MIN_MINUTIA_DISTANCE * MIN_MINUTIA_DISTANCE)
                drop[i] = drop[j] = 1;
        }
    }
    int kept = 0;
    for (int i = 0; i < n && kept < MAX_MINUTIAE; i++)
        if (!drop[i])
            m[kept++] = m[i];
    free(drop);
    f->n_minutiae = kept;
    f->minutiae = m;
    return 0;
}

/* The score (fingerqual.h): block measures, then the minutiae in good blocks. Below
 * FINGERFEAT_MIN_MINUTIAE the score is capped at FINGERFEAT_FEW_MINUTIAE_QUALITY: clean but
 * detail-poor captures (vfs5011: 8 minutiae, aes3500: 11) match turned or moved copies of
 * themselves with score 0, so a print that passed the threshold would defeat the uniqueness
 * check. */
static int score(const work *k, fingerfeat *f)
{
    size_t nb = (size_t)k->bw * (size_t)k->bh;
    float *bq = calloc(nb, sizeof(float));
    if (bq == NULL)
        return -1;
    fingerqual_input in = {
        .pix = k->pix,
        .width = k->w,
        .height = k->h,
        .block = BLOCK,
        .bw = k->bw,
        .bh = k->bh,
        .orient = k->orient,
        .coh = k->qcoh,
        .mean = k->mean,
        .mask = k->mask,
        .block_quality = bq,
    };
    fingerqual q;
    if (fingerqual_measure(&in, &q) != 0) {
        free(bq);
        return -1;
    }
    int good = 0, nfg = 0;
    double sd = 0;
    for (int i = 0; i < f->n_minutiae; i++) {
        int bx = (int)f->minutiae[i].x / BLOCK, by = (int)f->minutiae[i].y / BLOCK;
        good += bq[by * k->bw + bx] >= 0.5f;
    }
    for (size_t i = 0; i < nb; i++) {
        nfg += k->mask[i];
        sd += k->mask[i] ? k->sd[i] : 0;
    }
    free(bq);
    fingerqual_score(&q, good);
    f->measures = q;
    f->good_minutiae = good;
    f->foreground = (float)nfg / (float)nb;
    f->coherence = q.coherence;
    f->contrast = nfg > 0 ? (float)(sd / nfg) : 0;
    f->quality = q.quality;
    if (f->n_minutiae < FINGERFEAT_MIN_MINUTIAE && f->quality > FINGERFEAT_FEW_MINUTIAE_QUALITY)
        f->quality = FINGERFEAT_FEW_MINUTIAE_QUALITY;
    return 0;
}

bk_err fingerfeat_analyse(const uint8_t *pix, int width, int height, fingerfeat **out)
{
    if (pix == NULL || width < 1 || height < 1 || width > 5000 || height > 5000)
        return BK_ERR_INVALID;
    bk_err err = BK_ERR_NOMEM;
    work k = {.w = width, .h = height, .pix = pix};
    k.bw = (width + BLOCK - 1) / BLOCK;
    k.bh = (height + BLOCK - 1) / BLOCK;
    size_t nb = (size_t)k.bw * (size_t)k.bh;
    fingerfeat *f = calloc(1, sizeof *f);
    float *fl = calloc(nb * 6, sizeof(float));
    uint8_t *inner = calloc(nb, 1);
    uint8_t *mask = calloc(nb, 1);
    k.ridges = biomem_alloc((size_t)width * (size_t)height);
    if (f == NULL || fl == NULL || inner == NULL || mask == NULL || k.ridges == NULL)
        goto out;
    k.orient = fl;
    k.coh = fl + nb;
    k.mean = fl + 2 * nb;
    k.sd = fl + 3 * nb;
    k.qcoh = fl + 4 * nb;
    k.mask = mask;
    k.inner = inner;
    block_stats(&k, fl + 5 * nb);
    clean_mask(&k);
    if (orientation(&k) != 0 || enhance(&k) != 0 || thin(&k) != 0 || find_minutiae(&k, f) != 0)
        goto out;
    f->width = width;
    f->height = height;
    f->block = BLOCK;
    f->bw = k.bw;
    f->bh = k.bh;
    f->mask = mask;
    mask = NULL;
    if (score(&k, f) != 0)
        goto out;
    *out = f;
    f = NULL;
    err = BK_OK;
out:
    fingerfeat_free(f);
    free(fl);
    free(inner);
    free(mask);
    biomem_free(k.ridges);
    return err;
}

void fingerfeat_free(fingerfeat *feat)
{
    if (feat == NULL)
        return;
    biomem_free(feat->minutiae);
    free(feat->mask);
    free(feat);
}

int fingerfeat_in_foreground(const fingerfeat *feat, float x, float y)
{
    if (x < 0 || y < 0 || x >= feat->width || y >= feat->height)
        return 0;
    int bx = (int)x / feat->block, by = (int)y / feat->block;
    return feat->mask[by * feat->bw + bx];
}
