#include "emulators/finger/fingersynth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Ridge period in pixels (about 9 at 500 ppi) and the Gabor filter around it. */
#define PERIOD       9.0
#define SIGMA        3.2
#define KHALF        6
#define KSIDE        (2 * KHALF + 1)
#define ORIENTATIONS 24
#define ITERATIONS   7

/* xorshift32: small, fast, and the same on every machine */
static uint32_t next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static double uniform(uint32_t *s)
{
    return (next(s) & 0xffffff) / (double)0x1000000;
}

const char *fingersynth_pattern_str(fingersynth_pattern pattern)
{
    switch (pattern) {
    case FINGERSYNTH_ARCH:
        return "arch";
    case FINGERSYNTH_LEFT_LOOP:
        return "left-loop";
    case FINGERSYNTH_RIGHT_LOOP:
        return "right-loop";
    case FINGERSYNTH_WHORL:
        return "whorl";
    }
    return "unknown";
}

typedef struct singular {
    double x, y;
    int sign; /* +1 core, -1 delta */
} singular;

/* Ridge direction at (x, y): half the sum of the singular points' angles (the zero-pole model);
 * an arch has none and bends its ridges upwards in the middle instead. */
static double orientation_at(const singular *sp, int n, double x, double y, double w, double h,
                             double bend)
{
    if (n == 0) {
        double u = (x - w / 2) / (w / 3), v = y / h;
        return atan(-bend * u * exp(-u * u) * (0.3 + v));
    }
    double t = 0;
    for (int i = 0; i < n; i++)
        t += sp[i].sign * atan2(y - sp[i].y, x - sp[i].x);
    return t / 2;
}

static void make_kernels(float *k)
{
    for (int o = 0; o < ORIENTATIONS; o++) {
        double th = o * M_PI / ORIENTATIONS;
        float *kk = k + o * KSIDE * KSIDE;
        double sum = 0;
        for (int y = -KHALF; y <= KHALF; y++) {
            for (int x = -KHALF; x <= KHALF; x++) {
                double across = -x * sin(th) + y * cos(th);
                double g =
                    exp(-(x * x + y * y) / (2 * SIGMA * SIGMA)) * cos(2 * M_PI * across / PERIOD);
                kk[(y + KHALF) * KSIDE + x + KHALF] = (float)g;
                sum += g;
            }
        }
        /* no response to flat areas */
        for (int i = 0; i < KSIDE * KSIDE; i++)
            kk[i] -= (float)(sum / (KSIDE * KSIDE));
    }
}

bk_err fingersynth_make(uint32_t seed, fingersynth_pattern pattern, int width, int height,
                        fingerimg **out)
{
    if (width < 64 || height < 64 || width > 1000 || height > 1000)
        return BK_ERR_INVALID;
    uint32_t s = seed * 2654435761u + 0x9e3779b9u;
    if (s == 0)
        s = 1;
    for (int i = 0; i < 8; i++)
        next(&s);
    double w = width, h = height;
    singular sp[4];
    int n = 0;
    double jx = (uniform(&s) - 0.5) * w * 0.12, jy = (uniform(&s) - 0.5) * h * 0.10;
    double bend = 1.2 + uniform(&s) * 1.2;
    switch (pattern) {
    case FINGERSYNTH_ARCH:
        break;
    case FINGERSYNTH_LEFT_LOOP:
    case FINGERSYNTH_RIGHT_LOOP: {
        double side = pattern == FINGERSYNTH_RIGHT_LOOP ? -1 : 1;
        sp[n++] = (singular){w * 0.5 + jx, h * 0.40 + jy, 1};
        sp[n++] = (singular){w * 0.5 + side * w * (0.28 + 0.08 * uniform(&s)) + jx,
                             h * 0.72 + jy + (uniform(&s) - 0.5) * h * 0.06, -1};
        break;
    }
    case FINGERSYNTH_WHORL: {
        double gap = h * (0.05 + 0.05 * uniform(&s));
        sp[n++] = (singular){w * 0.5 + jx, h * 0.45 + jy - gap / 2, 1};
        sp[n++] = (singular){w * 0.5 + jx + (uniform(&s) - 0.5) * 8, h * 0.45 + jy + gap / 2, 1};
        sp[n++] = (singular){w * 0.18 + jx, h * 0.78 + jy, -1};
        sp[n++] = (singular){w * 0.82 + jx, h * 0.78 + jy, -1};
        break;
    }
    default:
        return BK_ERR_INVALID;
    }

    bk_err err = BK_ERR_NOMEM;
    size_t np = (size_t)width * (size_t)height;
    float *a = biomem_calloc(np, sizeof(float));
    float *b = biomem_calloc(np, sizeof(float));
    uint8_t *obin = malloc(np);
    float *kernels = malloc(sizeof(float) * ORIENTATIONS * KSIDE * KSIDE);
    fingerimg *img = NULL;
    if (a == NULL || b == NULL || obin == NULL || kernels == NULL)
        goto out;
    make_kernels(kernels);
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            double th = orientation_at(sp, n, x, y, w, h, bend);
            th = fmod(th, M_PI);
            if (th < 0)
                th += M_PI;
            obin[y * width + x] = (uint8_t)((int)lrint(th / M_PI * ORIENTATIONS) % ORIENTATIONS);
            a[y * width + x] = (float)(uniform(&s) * 2 - 1);
        }
    }
    for (int it = 0; it < ITERATIONS; it++) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                const float *k = kernels + obin[y * width + x] * KSIDE * KSIDE;
                float acc = 0;
                for (int ky = -KHALF; ky <= KHALF; ky++) {
                    int yy = y + ky;
                    if (yy < 0 || yy >= height)
                        continue;
                    for (int kx = -KHALF; kx <= KHALF; kx++) {
                        int xx = x + kx;
                        if (xx < 0 || xx >= width)
                            continue;
                        acc += k[(ky + KHALF) * KSIDE + kx + KHALF] * a[yy * width + xx];
                    }
                }
                /* saturate: the ridges settle into stripes of full contrast */
                float v = acc * 1.5f;
                b[y * width + x] = v > 1 ? 1 : v < -1 ? -1 : v;
            }
        }
        float *t = a;
        a = b;
        b = t;
    }
    err = fingerimg_new(width, height, &img);
    if (err != BK_OK)
        goto out;
    /* the finger's contact area: an ellipse, a little wider at the top */
    double cx = w / 2 + jx * 0.3, cy = h * 0.5, rx = w * 0.44, ry = h * 0.47;
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            double u = (x - cx) / rx, v = (y - cy) / ry;
            double r = u * u + v * v;
            if (r >= 1)
                continue;
            double fade = r > 0.75 ? (1 - r) / 0.25 : 1;
            double grey = 255 - fade * (a[y * width + x] + 1) / 2 * 200 + (uniform(&s) - 0.5) * 24;
            img->pix[y * width + x] = (uint8_t)(grey < 0 ? 0 : grey > 255 ? 255 : grey);
        }
    }
    *out = img;
    img = NULL;
    err = BK_OK;
out:
    biomem_free(a);
    biomem_free(b);
    free(obin);
    free(kernels);
    fingerimg_free(img);
    return err;
}

bk_err fingersynth_recapture(const fingerimg *print, uint32_t seed, int dx, int dy, double degrees,
                             fingerimg **out)
{
    fingerimg *img = NULL;
    bk_err err = fingerimg_new(print->width, print->height, &img);
    if (err != BK_OK)
        return err;
    uint32_t s = seed * 2246822519u + 1;
    double an = degrees * M_PI / 180, cs = cos(an), sn = sin(an);
    double mx = print->width / 2.0, my = print->height / 2.0;
    double gain = 0.85 + 0.3 * uniform(&s);
    for (int y = 0; y < img->height; y++) {
        for (int x = 0; x < img->width; x++) {
            double px = x - dx - mx, py = y - dy - my;
            double ux = cs * px + sn * py + mx, uy = -sn * px + cs * py + my;
            int x0 = (int)floor(ux), y0 = (int)floor(uy);
            double fx = ux - x0, fy = uy - y0, v = 0;
            for (int j = 0; j < 4; j++) {
                int xx = x0 + (j & 1), yy = y0 + (j >> 1);
                double wt = ((j & 1) ? fx : 1 - fx) * ((j >> 1) ? fy : 1 - fy);
                int p = xx < 0 || yy < 0 || xx >= print->width || yy >= print->height
                            ? 255
                            : print->pix[yy * print->width + xx];
                v += wt * p;
            }
            v = 255 - (255 - v) * gain + (uniform(&s) - 0.5) * 16;
            img->pix[y * img->width + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    *out = img;
    return BK_OK;
}

bk_err fingersynth_smudge(const fingerimg *print, uint32_t seed, fingerimg **out)
{
    fingerimg *img = NULL;
    bk_err err = fingerimg_new(print->width, print->height, &img);
    if (err != BK_OK)
        return err;
    uint32_t s = seed * 747796405u + 7;
    int w = print->width, h = print->height;
    /* only a strip at the bottom of the finger touched, faint and blurred across the ridges */
    int top = h * 3 / 5 + (int)(uniform(&s) * h / 4);
    for (int y = top; y < h - 3; y++) {
        for (int x = 3; x < w - 3; x++) {
            int sum = 0;
            for (int k = -3; k <= 3; k++)
                sum += print->pix[y * w + x + k] + print->pix[(y + k) * w + x];
            double v = 255 - (255 - sum / 14.0) * 0.2 + (uniform(&s) - 0.5) * 16;
            img->pix[y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    *out = img;
    return BK_OK;
}
