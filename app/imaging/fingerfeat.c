#include "imaging/fingerfeat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

/* Analysis blocks: about one and a half ridge periods at 500 ppi, two at 300 ppi. */
#define BLOCK 12
/* A block holds print when its grey values vary at least this much (standard deviation). */
#define MIN_BLOCK_STDDEV 9.0
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

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef struct work {
    int w, h, bw, bh;
    const uint8_t *pix;
    float *orient;   /* per block: ridge direction 0..pi */
    float *coh;      /* per block: coherence 0..1 */
    float *mean;     /* per block */
    float *sd;       /* per block */
    uint8_t *mask;   /* per block, foreground */
    uint8_t *inner;  /* per block, foreground with all eight neighbours foreground */
    uint8_t *ridges; /* per pixel, 1 = ridge after binarising, then the skeleton */
} work;

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void block_stats(work *k)
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
            k->mask[i] = k->sd[i] >= MIN_BLOCK_STDDEV && m <= MAX_BLOCK_MEAN;
        }
    }
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

/* Ridge orientation per block from the gradient structure tensor over the block and its
 * neighbours; coherence says how well one direction explains the gradients. */
static int orientation(work *k)
{
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
            double a = 0, b = 0, c = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = bx + dx, y = by + dy;
                    if (x < 0 || y < 0 || x >= k->bw || y >= k->bh)
                        continue;
                    size_t j = (size_t)y * (size_t)k->bw + (size_t)x;
                    a += gxx[j];
                    b += gyy[j];
                    c += gxy[j];
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
            k->coh[i] = a + b > 0 ? (float)(sqrt((a - b) * (a - b) + 4 * c * c) / (a + b)) : 0;
        }
    }
    free(gxx);
    return 0;
}

/* Smooths along the ridge and thresholds against the local mean: ridge pixels become 1. */
static int binarise(work *k)
{
    int w = k->w, h = k->h;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int bi = (y / BLOCK) * k->bw + x / BLOCK;
            if (!k->mask[bi]) {
                k->ridges[y * w + x] = 0;
                continue;
            }
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
            k->ridges[y * w + x] = (float)sum / (float)n < mean;
        }
    }
    return 0;
}

/* The ridge period in pixels, from how often the first binarising changes between ridge and
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
                int v = k->ridges[y * k->w + x];
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

/* Gabor filtering along the local ridge direction at the measured ridge period: restores broken
 * ridges and separates merged ones, so the skeleton (and the minutiae) come out the same from
 * two captures of one finger. Ridge pixels are those with a negative response (ridges dark). */
static int enhance(work *k)
{
    float period = ridge_period(k);
    float sigma = 0.45f * period;
    int half = (int)ceilf(1.5f * sigma), side = 2 * half + 1;
    float *kern = malloc(sizeof(float) * (size_t)(GABOR_ORIENTATIONS * side * side));
    if (kern == NULL)
        return -1;
    for (int o = 0; o < GABOR_ORIENTATIONS; o++) {
        float th = (float)(o * M_PI / GABOR_ORIENTATIONS), sum = 0;
        float *kk = kern + o * side * side;
        for (int y = -half; y <= half; y++) {
            for (int x = -half; x <= half; x++) {
                float across = -x * sinf(th) + y * cosf(th);
                float g = expf(-(float)(x * x + y * y) / (2 * sigma * sigma)) *
                          cosf(2 * (float)M_PI * across / period);
                kk[(y + half) * side + x + half] = g;
                sum += g;
            }
        }
        for (int i = 0; i < side * side; i++)
            kk[i] -= sum / (float)(side * side);
    }
    int w = k->w, h = k->h;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int bi = (y / BLOCK) * k->bw + x / BLOCK;
            if (!k->mask[bi]) {
                k->ridges[y * w + x] = 0;
                continue;
            }
            /* orientation interpolated between block centres, as doubled-angle vectors */
            float fx = (x + 0.5f) / BLOCK - 0.5f, fy = (y + 0.5f) / BLOCK - 0.5f;
            int x0 = (int)floorf(fx), y0 = (int)floorf(fy);
            float ax = fx - x0, ay = fy - y0, c2 = 0, s2 = 0;
            for (int j = 0; j < 4; j++) {
                int bx = x0 + (j & 1), by = y0 + (j >> 1);
                bx = bx < 0 ? 0 : bx >= k->bw ? k->bw - 1 : bx;
                by = by < 0 ? 0 : by >= k->bh ? k->bh - 1 : by;
                float wt = ((j & 1) ? ax : 1 - ax) * ((j >> 1) ? ay : 1 - ay);
                float th = k->orient[by * k->bw + bx];
                c2 += wt * cosf(2 * th);
                s2 += wt * sinf(2 * th);
            }
            float th = 0.5f * atan2f(s2, c2);
            if (th < 0)
                th += (float)M_PI;
            int o = (int)lrintf(th / (float)M_PI * GABOR_ORIENTATIONS) % GABOR_ORIENTATIONS;
            const float *kk = kern + o * side * side;
            float acc = 0;
            if (x >= half && y >= half && x < w - half && y < h - half) {
                /* inside: no clamping, the loop the compiler can vectorise */
                for (int ky = -half; ky <= half; ky++) {
                    const uint8_t *row = k->pix + (y + ky) * w + x - half;
                    const float *krow = kk + (ky + half) * side;
                    for (int kx = 0; kx < side; kx++)
                        acc += krow[kx] * row[kx];
                }
            } else {
                for (int ky = -half; ky <= half; ky++) {
                    int yy = y + ky;
                    yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
                    const uint8_t *row = k->pix + yy * w;
                    const float *krow = kk + (ky + half) * side + half;
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

/* Zhang-Suen thinning: ridges one pixel wide, so crossing numbers find ends and forks. */
static int thin(work *k)
{
    size_t n = (size_t)k->w * (size_t)k->h;
    uint32_t *del = malloc(n * sizeof(uint32_t));
    if (del == NULL)
        return -1;
    int changed = 1;
    for (int iter = 0; changed && iter < 64; iter++) {
        changed = 0;
        for (int sub = 0; sub < 2; sub++) {
            size_t nd = 0;
            for (int y = 0; y < k->h; y++) {
                for (int x = 0; x < k->w; x++) {
                    if (!k->ridges[y * k->w + x])
                        continue;
                    int p[8], b = 0, a = 0;
                    for (int i = 0; i < 8; i++) {
                        p[i] = px(k, x + NX[i], y + NY[i]);
                        b += p[i];
                    }
                    for (int i = 0; i < 8; i++)
                        a += !p[i] && p[(i + 1) % 8];
                    if (b < 2 || b > 6 || a != 1)
                        continue;
                    /* p[0]=N, p[2]=E, p[4]=S, p[6]=W */
                    if (sub == 0 && ((p[0] && p[2] && p[4]) || (p[2] && p[4] && p[6])))
                        continue;
                    if (sub == 1 && ((p[0] && p[2] && p[6]) || (p[0] && p[4] && p[6])))
                        continue;
                    del[nd++] = (uint32_t)(y * k->w + x);
                }
            }
            for (size_t i = 0; i < nd; i++)
                k->ridges[del[i]] = 0;
            changed |= nd > 0;
        }
    }
    free(del);
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

/* The score. Three measures of the print's condition, each mapped to 0..1 and weighted:
 * - clarity (0.5): mean orientation coherence, 0.25 (noise) to 0.75 (clean ridges);
 * - contrast (0.2): mean block standard deviation, 10 to 50 grey levels;
 * - minutiae (0.3): count against 30 (a good flat print has 30-60), times how far they spread
 *   over the print;
 * and the sum is scaled by the square root of the print area against 200 x 200 pixels (a small
 * single-finger sensor's full field), so a clean but tiny touch still scores low, and by the
 * minutiae count against 15 when below it: with fewer, no comparison is reliable, however
 * clean the ridges look. Below FINGERFEAT_MIN_MINUTIAE the score is also capped at
 * FINGERFEAT_FEW_MINUTIAE_QUALITY: clean but detail-poor captures (vfs5011: 8 minutiae, aes3500:
 * 11) scored 42 and 58 without the cap, yet match turned or moved copies of themselves with score
 * 0, so a print that passed the threshold would have defeated the uniqueness check.
 * Weights and ranges were set by looking at real captures from the libfprint test suite and at
 * smudged synthetic prints; the score orders attempts of one finger sensibly but is not
 * calibrated against NFIQ 2. */
static void score(const work *k, fingerfeat *f)
{
    int nfg = 0;
    double coh = 0, sd = 0;
    for (int i = 0; i < k->bw * k->bh; i++) {
        if (!k->mask[i])
            continue;
        nfg++;
        coh += k->coh[i];
        sd += k->sd[i];
    }
    f->foreground = (float)nfg / (float)(k->bw * k->bh);
    if (nfg == 0) {
        f->coherence = 0;
        f->contrast = 0;
        f->quality = 0;
        return;
    }
    f->coherence = (float)(coh / nfg);
    f->contrast = (float)(sd / nfg);
    float area = clampf((float)nfg * BLOCK * BLOCK / (200.0f * 200.0f), 0, 1);
    float clarity = clampf((f->coherence - 0.25f) / 0.5f, 0, 1);
    float contrast = clampf((f->contrast - 10.0f) / 40.0f, 0, 1);
    float spread = 0;
    if (f->n_minutiae > 1) {
        float mx = 0, my = 0, var = 0;
        for (int i = 0; i < f->n_minutiae; i++) {
            mx += f->minutiae[i].x;
            my += f->minutiae[i].y;
        }
        mx /= f->n_minutiae;
        my /= f->n_minutiae;
        for (int i = 0; i < f->n_minutiae; i++) {
            float dx = f->minutiae[i].x - mx, dy = f->minutiae[i].y - my;
            var += dx * dx + dy * dy;
        }
        var /= f->n_minutiae;
        /* a uniform spread over the print area gives var = area / (2 pi) in two dimensions */
        float uniform = (float)nfg * BLOCK * BLOCK / (float)(2 * M_PI);
        spread = clampf(sqrtf(var / uniform), 0, 1);
    }
    float minutiae = clampf((float)f->n_minutiae / 30.0f, 0, 1) * (0.5f + 0.5f * spread);
    float q = 100 * sqrtf(area) * (0.5f * clarity + 0.2f * contrast + 0.3f * minutiae) *
              clampf((float)f->n_minutiae / 15.0f, 0, 1);
    f->quality = (int)lrintf(clampf(q, 0, 100));
    if (f->n_minutiae < FINGERFEAT_MIN_MINUTIAE && f->quality > FINGERFEAT_FEW_MINUTIAE_QUALITY)
        f->quality = FINGERFEAT_FEW_MINUTIAE_QUALITY;
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
    float *fl = calloc(nb * 4, sizeof(float));
    uint8_t *inner = calloc(nb, 1);
    uint8_t *mask = calloc(nb, 1);
    k.ridges = biomem_alloc((size_t)width * (size_t)height);
    if (f == NULL || fl == NULL || inner == NULL || mask == NULL || k.ridges == NULL)
        goto out;
    k.orient = fl;
    k.coh = fl + nb;
    k.mean = fl + 2 * nb;
    k.sd = fl + 3 * nb;
    k.mask = mask;
    k.inner = inner;
    block_stats(&k);
    clean_mask(&k);
    if (orientation(&k) != 0 || binarise(&k) != 0 || enhance(&k) != 0 || thin(&k) != 0 ||
        find_minutiae(&k, f) != 0)
        goto out;
    f->width = width;
    f->height = height;
    f->block = BLOCK;
    f->bw = k.bw;
    f->bh = k.bh;
    f->mask = mask;
    mask = NULL;
    score(&k, f);
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
