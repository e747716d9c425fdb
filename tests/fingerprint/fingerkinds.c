#include "fingerkinds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const char *const DEGRADED[] = {"blur", "low-contrast", "noise", "dry", "partial"};
static const char *const NONPRINT[] = {"uniform-noise", "blurred-noise", "blank", "nearly-blank",
                                       "smudge",        "washed-out",    "faint", "sliver",
                                       "tip",           "inverted"};

const char *fingerkinds_degraded_str(fingerkinds_degraded kind)
{
    return kind < FINGERKINDS_N_DEGRADED ? DEGRADED[kind] : "?";
}

const char *fingerkinds_nonprint_str(fingerkinds_nonprint kind)
{
    return kind < FINGERKINDS_N_NONPRINT ? NONPRINT[kind] : "?";
}

static uint32_t next(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static double uniform(uint32_t *s)
{
    return (next(s) >> 8) / 16777216.0;
}

static double gauss(uint32_t *s)
{
    double u = uniform(s) + 1e-9, v = uniform(s);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static uint8_t clamp8(double v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v));
}

static fingerimg *copy(const fingerimg *in)
{
    fingerimg *out = NULL;
    return fingerimg_new_from(in->width, in->height, in->pix, &out) == BK_OK ? out : NULL;
}

/* Box blur of `radius` in place, rows then columns. */
static void box_blur(fingerimg *img, int radius)
{
    int w = img->width, h = img->height, n = w > h ? w : h;
    int *line = malloc(sizeof(int) * (size_t)n);
    if (line == NULL)
        return;
    for (int pass = 0; pass < 2; pass++) {
        int len = pass == 0 ? w : h, count = pass == 0 ? h : w;
        for (int c = 0; c < count; c++) {
            for (int i = 0; i < len; i++)
                line[i] = pass == 0 ? img->pix[c * w + i] : img->pix[i * w + c];
            for (int i = 0; i < len; i++) {
                int s = 0, k = 0;
                for (int d = -radius; d <= radius; d++) {
                    int j = i + d;
                    if (j < 0 || j >= len)
                        continue;
                    s += line[j];
                    k++;
                }
                uint8_t v = (uint8_t)((s + k / 2) / k);
                if (pass == 0)
                    img->pix[c * w + i] = v;
                else
                    img->pix[i * w + c] = v;
            }
        }
    }
    free(line);
}

/* Stretches the grey range to 0..255. */
static void stretch(fingerimg *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    int lo = 255, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = img->pix[i] < lo ? img->pix[i] : lo;
        hi = img->pix[i] > hi ? img->pix[i] : hi;
    }
    for (size_t i = 0; i < n && hi > lo; i++)
        img->pix[i] = (uint8_t)((img->pix[i] - lo) * 255 / (hi - lo));
}

void fingerkinds_add_noise(fingerimg *img, double sigma, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1;
    size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0; i < n; i++)
        img->pix[i] = clamp8(img->pix[i] + sigma * gauss(&s));
}

/* Keeps the box (x0, y0, w, h) and paints the rest white. */
static void keep_box(fingerimg *img, int x0, int y0, int bw, int bh)
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            if (x < x0 || y < y0 || x >= x0 + bw || y >= y0 + bh)
                img->pix[y * img->width + x] = 255;
}

/* Dry skin: discs of radius 2 at random, covering about 40 % of the image, lighten the ridges
 * under them to a fifth of their darkness. */
static void dry(fingerimg *img, uint32_t seed)
{
    uint32_t s = seed * 2246822519u + 7;
    int w = img->width, h = img->height;
    size_t n = (size_t)w * (size_t)h;
    uint8_t *spot = calloc(n, 1);
    if (spot == NULL)
        return;
    long discs = (long)(n * 0.4 / 13);
    for (long k = 0; k < discs; k++) {
        int cx = (int)(uniform(&s) * w), cy = (int)(uniform(&s) * h);
        for (int dy = -2; dy <= 2; dy++)
            for (int dx = -2; dx <= 2; dx++)
                if (dx * dx + dy * dy <= 4 && cx + dx >= 0 && cy + dy >= 0 && cx + dx < w &&
                    cy + dy < h)
                    spot[(cy + dy) * w + cx + dx] = 1;
    }
    for (size_t i = 0; i < n; i++)
        if (spot[i])
            img->pix[i] = (uint8_t)(255 - (255 - img->pix[i]) / 5);
    free(spot);
}

fingerimg *fingerkinds_degrade(const fingerimg *print, fingerkinds_degraded kind, uint32_t seed)
{
    fingerimg *img = copy(print);
    if (img == NULL)
        return NULL;
    size_t n = (size_t)img->width * (size_t)img->height;
    switch (kind) {
    case FINGERKINDS_BLUR:
        box_blur(img, 1);
        box_blur(img, 2);
        break;
    case FINGERKINDS_LOW_CONTRAST:
        for (size_t i = 0; i < n; i++)
            img->pix[i] = clamp8(255 - (255 - img->pix[i]) * 0.35);
        break;
    case FINGERKINDS_NOISE:
        fingerkinds_add_noise(img, 30, seed);
        break;
    case FINGERKINDS_DRY:
        dry(img, seed);
        break;
    case FINGERKINDS_PARTIAL: {
        int bw = (int)(img->width * 0.7), bh = (int)(img->height * 0.7);
        fingerimg *cut = NULL;
        if (fingerimg_new(bw, bh, &cut) == BK_OK) {
            int x0 = (img->width - bw) / 2, y0 = (img->height - bh) / 2;
            for (int y = 0; y < bh; y++)
                memcpy(cut->pix + y * bw, img->pix + (y + y0) * img->width + x0, (size_t)bw);
        }
        fingerimg_free(img);
        img = cut;
        break;
    }
    default:
        break;
    }
    return img;
}

fingerimg *fingerkinds_nonprint_make(const fingerimg *print, fingerkinds_nonprint kind,
                                     uint32_t seed)
{
    fingerimg *img = copy(print);
    if (img == NULL)
        return NULL;
    int w = img->width, h = img->height;
    size_t n = (size_t)w * (size_t)h;
    uint32_t s = seed * 374761393u + 3;
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += img->pix[i];
    mean /= (double)n;
    switch (kind) {
    case FINGERKINDS_UNIFORM_NOISE:
    case FINGERKINDS_BLURRED_NOISE:
        for (size_t i = 0; i < n; i++)
            img->pix[i] = (uint8_t)(next(&s) >> 24);
        if (kind == FINGERKINDS_BLURRED_NOISE) {
            box_blur(img, 1);
            box_blur(img, 2);
            stretch(img);
        }
        break;
    case FINGERKINDS_BLANK:
        memset(img->pix, 255, n);
        break;
    case FINGERKINDS_NEARLY_BLANK:
        for (size_t i = 0; i < n; i++)
            img->pix[i] = (uint8_t)(247 + (next(&s) >> 24) % 9);
        break;
    case FINGERKINDS_SMUDGE:
        for (int k = 0; k < 3; k++)
            box_blur(img, 6);
        for (size_t i = 0; i < n; i++)
            img->pix[i] = (uint8_t)(img->pix[i] * 7 / 10);
        break;
    case FINGERKINDS_WASHED_OUT:
        for (size_t i = 0; i < n; i++)
            img->pix[i] = clamp8(255 - (255 - img->pix[i]) * 0.10);
        break;
    case FINGERKINDS_FAINT:
        for (size_t i = 0; i < n; i++)
            img->pix[i] = clamp8(128 + (img->pix[i] - mean) * 0.06);
        break;
    case FINGERKINDS_SLIVER:
        keep_box(img, (w - w / 5) / 2, 0, w / 5, h);
        break;
    case FINGERKINDS_TIP: {
        int bw = (int)(w * 0.447), bh = (int)(h * 0.447);
        keep_box(img, (w - bw) / 2, (h - bh) / 2, bw, bh);
        break;
    }
    case FINGERKINDS_INVERTED:
        for (size_t i = 0; i < n; i++)
            img->pix[i] = (uint8_t)(255 - img->pix[i]);
        break;
    default:
        break;
    }
    return img;
}

fingerimg *fingerkinds_transform(const fingerimg *in, double degrees, int dx, int dy, double crop)
{
    int cx0 = crop > 0 ? (int)(in->width * crop) : 0;
    int cy0 = crop < 0 ? (int)(in->height * -crop) : 0;
    fingerimg *out = NULL;
    if (fingerimg_new(in->width - cx0, in->height - cy0, &out) != BK_OK)
        return NULL;
    double a = degrees * M_PI / 180, cs = cos(a), sn = sin(a);
    double mx = in->width / 2.0, my = in->height / 2.0;
    for (int y = 0; y < out->height; y++) {
        for (int x = 0; x < out->width; x++) {
            double px = x + cx0 - dx - mx, py = y + cy0 - dy - my;
            double ux = cs * px + sn * py + mx, uy = -sn * px + cs * py + my;
            int x0 = (int)floor(ux), y0 = (int)floor(uy);
            double fx = ux - x0, fy = uy - y0, v = 0;
            for (int j = 0; j < 4; j++) {
                int xx = x0 + (j & 1), yy = y0 + (j >> 1);
                double wt = ((j & 1) ? fx : 1 - fx) * ((j >> 1) ? fy : 1 - fy);
                int p = xx < 0 || yy < 0 || xx >= in->width || yy >= in->height
                            ? 255
                            : in->pix[yy * in->width + xx];
                v += wt * p;
            }
            out->pix[y * out->width + x] = (uint8_t)lrint(v);
        }
    }
    return out;
}

/* The resolution a PNG file states in its pHYs chunk (pixels per metre, same both ways), in ppi;
 * 0 when it states none or one no reader has (outside 127-2540 ppi, e.g. the 72 ppi that image
 * editors write by default). */
double fingerkinds_png_ppi(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    static unsigned char buf[1 << 16]; /* the chunks before the image data */
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t i = 8; i + 21 <= n;) {
        unsigned long len = (unsigned long)buf[i] << 24 | (unsigned long)buf[i + 1] << 16 |
                            (unsigned long)buf[i + 2] << 8 | buf[i + 3];
        if (memcmp(buf + i + 4, "pHYs", 4) == 0 && len == 9) {
            const unsigned char *d = buf + i + 8;
            unsigned long x = (unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 |
                              (unsigned long)d[2] << 8 | d[3];
            unsigned long y = (unsigned long)d[4] << 24 | (unsigned long)d[5] << 16 |
                              (unsigned long)d[6] << 8 | d[7];
            double ppi = (double)x * 0.0254;
            return d[8] == 1 && x == y && ppi >= 127 && ppi <= 2540 ? ppi : 0;
        }
        if (memcmp(buf + i + 4, "IDAT", 4) == 0)
            break;
        i += 12 + len;
    }
    return 0;
}

/* Offline files only: the kiosk never enlarges a reader's image (fingerkinds.h). */
fingerimg *fingerkinds_at_500ppi(fingerimg *img, double ppi)
{
    if (ppi <= 0 || ppi >= 499.5)
        return img;
    double s = 500.0 / ppi;
    int w = (int)lround(img->width * s), h = (int)lround(img->height * s);
    fingerimg *out = NULL;
    if (fingerimg_new(w, h, &out) != BK_OK) {
        fingerimg_free(img);
        return NULL;
    }
    for (int y = 0; y < h; y++) {
        double fy = fmax((y + 0.5) / s - 0.5, 0);
        int y0 = (int)fy, y1 = y0 + 1 < img->height ? y0 + 1 : y0;
        double ay = fy - y0;
        for (int x = 0; x < w; x++) {
            double fx = fmax((x + 0.5) / s - 0.5, 0);
            int x0 = (int)fx, x1 = x0 + 1 < img->width ? x0 + 1 : x0;
            double ax = fx - x0;
            const uint8_t *p = img->pix;
            int iw = img->width;
            double v = (1 - ay) * ((1 - ax) * p[y0 * iw + x0] + ax * p[y0 * iw + x1]) +
                       ay * ((1 - ax) * p[y1 * iw + x0] + ax * p[y1 * iw + x1]);
            out->pix[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)lround(v);
        }
    }
    fingerimg_free(img);
    return out;
}
