#include "imaging/fingerqual.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The window each block is measured in, turned to the ridge direction: ACROSS samples on the
 * line across the ridges (32 px: three to four ridge periods at 500 ppi, five at 300 ppi), ALONG
 * samples along them, averaged into the profile. */
#define ACROSS 32
#define ALONG  16
/* Ridge periods accepted by the frequency measure: 32/7 = 4.6 px (300 ppi fine ridges) to
 * 32/2 = 16 px (coarse ridges at 500 ppi). */
#define K_MIN 2
#define K_MAX 7
/* A print whose light lines average below this grey (of 255) and vary more than VALLEY_UNEVEN
 * times as much as its dark lines is taken for a negative: the valleys of a real print show the
 * reader's empty level, light and even. 2, not the 1.2 of the third run: the negatives only this
 * sign catches (full-contrast negatives of prints that fill their frame: ex-arch, ex-loop-right)
 * measure 2.9-3.7, while real prints reach 1.3-1.6 (vfs0050.blur, elan; vfs5011 1.27-1.5 once
 * its contrast is cut to under half around its mean grey, which put its valleys below 150). */
#define VALLEY_DARK   150.0f
#define VALLEY_UNEVEN 2.0f
/* A block's ridge frequency fits the print's (the median over its blocks) when within
 * PERIOD_NEAR times of it either way, and not at all from PERIOD_FAR (an octave) on: the ridge
 * period of one finger varies by about a third across it (tip, core, edges; more on a reader
 * that stretches the image, as egis0570's), while a stroke of ink, a letter or a line on a card
 * (one dark band across the window) peaks at a far lower frequency. */
#define PERIOD_NEAR 1.4f
#define PERIOD_FAR  2.0f
/* Washed out: a print whose dark lines average lighter than WASHED_FROM loses its score by a ramp
 * to none at WASHED_OUT. At 10 % contrast towards white no pixel is darker than 229.5; the real
 * prints' dark lines lie at 195 or darker; copies of them at 35 % contrast (benchmark) at 209 or
 * darker, except two whose originals score 0. */
#define WASHED_FROM 220.0f
#define WASHED_OUT  228.0f
/* The surround of a negative: more than SURROUND_DARK of the blocks outside the print lie darker
 * than the print's mean by SURROUND_STEP of its ridge-valley span (the old rule's 30 grey levels
 * are about a fifth of a full-contrast span; as a share of the span it holds at any contrast and
 * offset). 0.6, not a half: a grey surround (vfs5011's, between the print's lines) counts 4 of 8
 * blocks, 16 of 29 (0.55) at 35 % contrast; a negative's dark one 0.72-1. */
#define SURROUND_STEP 0.2f
#define SURROUND_DARK 0.6f
/* The print's own texture, for images the print fills: a negative's dark lines are smoother
 * (TEXTURE_SMOOTH, a log ratio of the fine grain) and no wider (DARK_SHARE_WIDE) than its light
 * ones (see looks_inverted). */
#define TEXTURE_SMOOTH  (-0.22f)
#define DARK_SHARE_WIDE 0.51f
/* Columns of the window on each side (the darkest, the lightest) whose fine grain is compared. */
#define GRAIN_COLUMNS 8

typedef struct block_measure {
    float frequency, clarity, consistency, ridge_share;
    float wavenumber; /* ridge periods in the window across them (the spectrum's peak, centroid) */
    float ridge_level, valley_level; /* the profile's darkest and lightest grey */
    /* share of the profile darker than its mean; log of the fine grain in the darkest columns
     * over that in the lightest */
    float dark_share, grain;
} block_measure;

static float ramp(float v, float lo, float hi)
{
    float t = (v - lo) / (hi - lo);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* A 3 x 3 box mean of the image: sensor noise of a few grey levels per pixel says nothing about
 * the ridges, and unsmoothed it would swamp the clarity measure. */
static uint8_t *smooth(const fingerqual_input *in)
{
    int w = in->width, h = in->height;
    uint16_t *rows = malloc(sizeof(uint16_t) * (size_t)w * (size_t)h);
    uint8_t *out = malloc((size_t)w * (size_t)h);
    if (rows == NULL || out == NULL) {
        free(rows);
        free(out);
        return NULL;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *p = in->pix + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++)
            rows[(size_t)y * (size_t)w + (size_t)x] =
                (uint16_t)(p[x > 0 ? x - 1 : x] + p[x] + p[x < w - 1 ? x + 1 : x]);
    }
    for (int y = 0; y < h; y++) {
        const uint16_t *a = rows + (size_t)(y > 0 ? y - 1 : y) * (size_t)w;
        const uint16_t *b = rows + (size_t)y * (size_t)w;
        const uint16_t *c = rows + (size_t)(y < h - 1 ? y + 1 : y) * (size_t)w;
        for (int x = 0; x < w; x++)
            out[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)((a[x] + b[x] + c[x] + 4) / 9);
    }
    free(rows);
    return out;
}

/* The window of block (bx, by) of the smoothed image sm sampled into win[ALONG][ACROSS]
 * (nearest pixel, clamped), and the fine grain there (the image less its smoothed self) into
 * grain. */
static void sample(const fingerqual_input *in, const uint8_t *sm, int bx, int by,
                   float win[ALONG][ACROSS], float grain[ALONG][ACROSS])
{
    float th = in->orient[by * in->bw + bx];
    float ax = cosf(th), ay = sinf(th); /* along the ridge */
    float nx = -ay, ny = ax;            /* across */
    float cx = bx * in->block + in->block / 2.0f, cy = by * in->block + in->block / 2.0f;
    for (int v = 0; v < ALONG; v++) {
        float fv = (float)v - ALONG / 2 + 0.5f;
        for (int u = 0; u < ACROSS; u++) {
            float fu = (float)u - ACROSS / 2 + 0.5f;
            /* rounding by an offset: lrintf per sample cost a tenth of the analysis */
            int x = (int)(cx + fu * nx + fv * ax + 4096.5f) - 4096;
            int y = (int)(cy + fu * ny + fv * ay + 4096.5f) - 4096;
            x = x < 0 ? 0 : x >= in->width ? in->width - 1 : x;
            y = y < 0 ? 0 : y >= in->height ? in->height - 1 : y;
            win[v][u] = sm[y * in->width + x];
            grain[v][u] = (float)in->pix[y * in->width + x] - win[v][u];
        }
    }
}

static float correlation(const float *a, const float *b, int n)
{
    double ma = 0, mb = 0;
    for (int i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? (float)(sab / sqrt(saa * sbb)) : 0;
}

/* The fine grain of the dark lines against that of the light ones: log of the grain's energy in
 * the GRAIN_COLUMNS darkest columns of the detrended profile det over that in as many lightest
 * columns (plus one grey level squared a sample, so that flat blocks give 0). */
static float grain_ratio(const float det[ACROSS], const float (*grain)[ACROSS])
{
    int order[ACROSS];
    for (int u = 0; u < ACROSS; u++) {
        int k = u;
        for (; k > 0 && det[order[k - 1]] > det[u]; k--)
            order[k] = order[k - 1];
        order[k] = u;
    }
    double e[2] = {0, 0};
    for (int k = 0; k < GRAIN_COLUMNS; k++) {
        for (int side = 0; side < 2; side++) {
            int u = side ? order[ACROSS - 1 - k] : order[k];
            for (int v = 0; v < ALONG; v++)
                e[side] += (double)grain[v][u] * grain[v][u];
        }
    }
    double flat = GRAIN_COLUMNS * ALONG;
    return (float)log((e[0] + flat) / (e[1] + flat));
}

/* Frequency, clarity, consistency and ridge share of one block (NIST IR 8382's FDA, LCS and
 * RVU, measured our own way on the turned window), and its lines' width and grain (the polarity
 * signs of looks_inverted). */
static void measure_block(const fingerqual_input *in, const uint8_t *sm, int bx, int by,
                          const float (*cs)[ACROSS], block_measure *m)
{
    float win[ALONG][ACROSS], grain[ALONG][ACROSS], prof[ACROSS], half[2][ACROSS];
    sample(in, sm, bx, by, win, grain);
    for (int u = 0; u < ACROSS; u++) {
        float s0 = 0, s1 = 0;
        for (int v = 0; v < ALONG / 2; v++) {
            s0 += win[v][u];
            s1 += win[v + ALONG / 2][u];
        }
        half[0][u] = s0 / (ALONG / 2);
        half[1][u] = s1 / (ALONG / 2);
        prof[u] = (s0 + s1) / ALONG;
    }
    /* the ridges keep their place along the ridge: the two halves of the window agree */
    m->consistency = correlation(half[0], half[1], ACROSS);
    /* remove the mean and a linear trend (uneven pressure), then the spectrum */
    double sx = 0, sy = 0, sxy = 0, sxx = 0;
    for (int u = 0; u < ACROSS; u++) {
        sx += u;
        sy += prof[u];
        sxy += (double)u * prof[u];
        sxx += (double)u * u;
    }
    double slope = (ACROSS * sxy - sx * sy) / (ACROSS * sxx - sx * sx);
    double icpt = (sy - slope * sx) / ACROSS;
    float det[ACROSS];
    for (int u = 0; u < ACROSS; u++)
        det[u] = prof[u] - (float)(icpt + slope * u);
    float energy[ACROSS / 2 + 1], total = 0;
    for (int k = 1; k <= ACROSS / 2; k++) {
        float re = 0, im = 0;
        for (int u = 0; u < ACROSS; u++) {
            int idx = (k * u) % ACROSS;
            re += det[u] * cs[0][idx];
            im += det[u] * cs[1][idx];
        }
        energy[k] = re * re + im * im;
        total += energy[k];
    }
    int best = K_MIN;
    for (int k = K_MIN + 1; k <= K_MAX; k++)
        if (energy[k] > energy[best])
            best = k;
    float peak = energy[best] + 0.5f * (energy[best - 1] + energy[best + 1]);
    m->frequency = total > 0 ? peak / total : 0;
    float around = energy[best - 1] + energy[best] + energy[best + 1];
    m->wavenumber = around > 0 ? ((best - 1) * energy[best - 1] + best * energy[best] +
                                  (best + 1) * energy[best + 1]) /
                                     around
                               : 0;
    /* local clarity: the window's pixels split into ridge and valley by the profile; how far
     * apart the two grey distributions lie against their spread */
    double rs = 0, rs2 = 0, vs = 0, vs2 = 0;
    int rn = 0, vn = 0;
    for (int u = 0; u < ACROSS; u++) {
        int ridge = det[u] < 0;
        for (int v = 0; v < ALONG; v++) {
            double g = win[v][u];
            if (ridge) {
                rs += g;
                rs2 += g * g;
                rn++;
            } else {
                vs += g;
                vs2 += g * g;
                vn++;
            }
        }
    }
    /* ridge share: the part of the profile darker than halfway between its extremes; ridges
     * pressed on a reader are wider than the valleys between them */
    float lo = det[0], hi = det[0];
    for (int u = 1; u < ACROSS; u++) {
        lo = det[u] < lo ? det[u] : lo;
        hi = det[u] > hi ? det[u] : hi;
    }
    int dark = 0;
    m->ridge_level = m->valley_level = prof[0];
    for (int u = 0; u < ACROSS; u++) {
        dark += det[u] < 0.5f * (lo + hi);
        m->ridge_level = prof[u] < m->ridge_level ? prof[u] : m->ridge_level;
        m->valley_level = prof[u] > m->valley_level ? prof[u] : m->valley_level;
    }
    m->ridge_share = (float)dark / ACROSS;
    m->dark_share = (float)rn / (ACROSS * ALONG);
    m->grain = grain_ratio(det, grain);
    if (rn == 0 || vn == 0) {
        m->clarity = 0;
        return;
    }
    double rm = rs / rn, vm = vs / vn;
    double rsd = sqrt(fmax(rs2 / rn - rm * rm, 0)), vsd = sqrt(fmax(vs2 / vn - vm * vm, 0));
    m->clarity = (float)((vm - rm) / (0.5 * (rsd + vsd) + 2.0));
}

/* How well block i's direction agrees with the mean direction of its foreground neighbours:
 * 1 within 10 degrees, 0 beyond 35 (NIST IR 8382's orientation flow, as a share). */
static float flow_of(const fingerqual_input *in, int bx, int by)
{
    float c = 0, s = 0;
    int n = 0;
    for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
            int x = bx + dx, y = by + dy;
            if ((dx == 0 && dy == 0) || x < 0 || y < 0 || x >= in->bw || y >= in->bh ||
                !in->mask[y * in->bw + x])
                continue;
            float th = in->orient[y * in->bw + x];
            c += cosf(2 * th);
            s += sinf(2 * th);
            n++;
        }
    }
    if (n < 3)
        return 0;
    float mean = 0.5f * atan2f(s, c), th = in->orient[by * in->bw + bx];
    float d = fabsf(th - mean);
    while (d > (float)M_PI)
        d -= (float)M_PI;
    d = d > (float)M_PI / 2 ? (float)M_PI - d : d;
    return 1 - ramp(d, 10 * (float)M_PI / 180, 35 * (float)M_PI / 180);
}

/* Block quality 0..1 from its measures: each ramp runs from what noise, smudges and blur give
 * to what clear ridges give (see docs/fingerprints.md). */
static float block_quality(float coh, float flow, const block_measure *m)
{
    float q = ramp(coh, 0.2f, 0.6f) * ramp(m->frequency, 0.25f, 0.6f) *
              ramp(m->consistency, 0.3f, 0.8f) * ramp(m->clarity, 0.4f, 1.6f);
    return q * (0.5f + 0.5f * flow);
}

/* The blocks outside the print against it: their share darker than the print's mean by
 * SURROUND_STEP of its span into q->surround_dark (-1 when there are none) and how far their mean
 * lies above the print's, against the span, into q->surround_rise. */
static void measure_surround(const fingerqual_input *in, fingerqual *q)
{
    double fg = 0, bg = 0;
    int nf = 0, nb = 0;
    for (int i = 0; i < in->bw * in->bh; i++) {
        if (in->mask[i]) {
            fg += in->mean[i];
            nf++;
        } else {
            bg += in->mean[i];
            nb++;
        }
    }
    q->surround_dark = -1;
    q->surround_rise = 0;
    if (nf == 0 || nb == 0)
        return;
    double span = fmax(q->valley_level - q->ridge_level, 1), below = fg / nf - SURROUND_STEP * span;
    int dark = 0;
    for (int i = 0; i < in->bw * in->bh; i++)
        dark += !in->mask[i] && in->mean[i] < below;
    q->surround_dark = (float)dark / (float)nb;
    q->surround_rise = (float)((bg / nb - fg / nf) / span);
}

/* Light background around a dark print, or the reverse? Three signs, any enough:
 * - the surround: where no finger lies a reader shows its empty platen and a card its paper, as
 *   light as the valleys or lighter; most of a negative's surround lies darker than its print
 *   (judged when there is surround enough to judge by, as a share of the print's own span, so
 *   at any contrast and grey offset);
 * - the valleys, for images the print fills: where the finger does not touch the reader shows
 *   its empty level, light and nearly the same all over the print, while the ridges' grey follows
 *   the pressure. A negative swaps the two: its light lines are mid-grey and vary more than its
 *   dark ones;
 * - the lines' grain and width, when the surround does not show the print lying on light: the
 *   ridges carry the fine grain of pores, ink and uneven contact (the ink prints, the optical
 *   readers), or, where a reader evens them out, they are the wider lines, pressed flat (the
 *   capacitive ones). Dark lines both smoother than the light ones and no wider are valleys: a
 *   negative, at any contrast.
 * Both parts of the valley sign must hold, so a dark but real capture whose valleys are even, or
 * a light one whose valleys vary, is not taken for a negative (docs/fingerprints.md gives the
 * measured margins of all three). */
static int looks_inverted(const fingerqual_input *in, const fingerqual *q)
{
    int nf = 0, nb = 0;
    for (int i = 0; i < in->bw * in->bh; i++) {
        nf += in->mask[i] != 0;
        nb += in->mask[i] == 0;
    }
    if (nf == 0)
        return 0;
    /* enough surround to judge by: a few blocks at the edge of a print are no surround (8 blocks
     * and 2 % of the print's: the blurred copy of aes3500, which fills its frame, leaves 6 blocks,
     * 1.2 %, along its edge, 4 of them darker than the print's mean) */
    int judged = nb >= 8 && nb * 50 >= nf;
    if (judged && q->surround_dark > SURROUND_DARK)
        return 1;
    if (q->valley_level < VALLEY_DARK && q->valley_spread > VALLEY_UNEVEN * q->ridge_spread)
        return 1;
    int on_light = judged && q->surround_rise > 0.1f;
    return !on_light && q->grain < TEXTURE_SMOOTH && q->dark_share < DARK_SHARE_WIDE;
}

/* How well a block's ridge frequency fits the print's: 1 within PERIOD_NEAR times either way, 0
 * from PERIOD_FAR times on, a ramp on the logarithm between. */
static float period_fit(float wavenumber, float print_wavenumber)
{
    if (wavenumber <= 0 || print_wavenumber <= 0)
        return 0;
    float r = fabsf(logf(wavenumber / print_wavenumber));
    return 1 - ramp(r, logf(PERIOD_NEAR), logf(PERIOD_FAR));
}

/* The measures of every foreground block into ms and its flow into flows (nb entries each; waves
 * is scratch for as many); returns the print's ridge wavenumber, the median over its blocks (0
 * without foreground). */
static float measure_all(const fingerqual_input *in, const uint8_t *sm, block_measure *ms,
                         float *flows, float *waves)
{
    float cs[2][ACROSS];
    for (int i = 0; i < ACROSS; i++) {
        cs[0][i] = cosf(2 * (float)M_PI * i / ACROSS);
        cs[1][i] = -sinf(2 * (float)M_PI * i / ACROSS);
    }
    int n = 0;
    for (int by = 0; by < in->bh; by++) {
        for (int bx = 0; bx < in->bw; bx++) {
            int i = by * in->bw + bx;
            if (!in->mask[i])
                continue;
            measure_block(in, sm, bx, by, (const float(*)[ACROSS])cs, &ms[i]);
            flows[i] = flow_of(in, bx, by);
            waves[n++] = ms[i].wavenumber;
        }
    }
    if (n == 0)
        return 0;
    qsort(waves, (size_t)n, sizeof *waves, cmp_float);
    return waves[n / 2];
}

int fingerqual_measure(const fingerqual_input *in, fingerqual *out)
{
    memset(out, 0, sizeof *out);
    int nb = in->bw * in->bh, nfg = 0;
    float *shares = malloc(sizeof(float) * (size_t)(nb + 1));
    float *flows = malloc(sizeof(float) * (size_t)(nb + 1));
    block_measure *ms = malloc(sizeof(block_measure) * (size_t)(nb + 1));
    uint8_t *sm = smooth(in);
    if (shares == NULL || flows == NULL || ms == NULL || sm == NULL) {
        free(shares);
        free(flows);
        free(ms);
        free(sm);
        return -1;
    }
    if (in->block_quality != NULL)
        memset(in->block_quality, 0, sizeof(float) * (size_t)nb);
    float wave = measure_all(in, sm, ms, flows, shares);
    double coh = 0, freq = 0, clar = 0, cons = 0, flow = 0, bq = 0;
    double rl = 0, rl2 = 0, vl = 0, vl2 = 0, grain = 0, dshare = 0;
    for (int i = 0; i < nb; i++) {
        if (!in->mask[i])
            continue;
        const block_measure *m = &ms[i];
        float f = flows[i];
        float q = block_quality(in->coh[i], f, m) * period_fit(m->wavenumber, wave);
        coh += in->coh[i];
        freq += m->frequency;
        clar += m->clarity;
        cons += m->consistency;
        flow += f;
        bq += q;
        shares[nfg] = m->ridge_share;
        rl += m->ridge_level;
        rl2 += (double)m->ridge_level * m->ridge_level;
        vl += m->valley_level;
        vl2 += (double)m->valley_level * m->valley_level;
        grain += q * m->grain;
        dshare += q * m->dark_share;
        if (in->block_quality != NULL)
            in->block_quality[i] = q;
        nfg++;
    }
    free(flows);
    free(ms);
    if (nfg > 0) {
        out->coherence = (float)(coh / nfg);
        out->frequency = (float)(freq / nfg);
        out->clarity = (float)(clar / nfg);
        out->consistency = (float)(cons / nfg);
        out->flow = (float)(flow / nfg);
        out->block_mean = (float)(bq / nfg);
        out->grain = bq > 0 ? (float)(grain / bq) : 0;
        out->dark_share = bq > 0 ? (float)(dshare / bq) : 0.5f;
        double mr = rl / nfg, mv = vl / nfg, span = fmax(mv - mr, 1);
        out->valley_level = (float)mv;
        out->ridge_level = (float)mr;
        out->ridge_spread = (float)(sqrt(fmax(rl2 / nfg - mr * mr, 0)) / span);
        out->valley_spread = (float)(sqrt(fmax(vl2 / nfg - mv * mv, 0)) / span);
        qsort(shares, (size_t)nfg, sizeof *shares, cmp_float);
        out->ridge_share = shares[nfg / 2];
        /* ridge-valley uniformity: the ridge share varies little over a good print */
        float q1 = shares[nfg / 4], q3 = shares[(3 * nfg) / 4];
        out->uniformity = 1 - ramp(q3 - q1, 0.05f, 0.3f);
    }
    free(shares);
    free(sm);
    out->foreground = (float)nfg / (float)nb;
    float px = (float)in->block * (float)in->block;
    out->good_area = (float)bq * px;
    out->good_share = out->good_area / ((float)in->width * (float)in->height);
    measure_surround(in, out);
    out->inverted = looks_inverted(in, out);

    return 0;
}

void fingerqual_score(fingerqual *q, int good_minutiae)
{
    /* Local quality: orientation certainty, the ridge frequency's share of the profile and the
     * mean block quality. Then how much of the image is good print (its share: a tip or a sliver
     * is a small share of the reader's field), how large that good area is against 280 x 280 px
     * at 500 ppi (a flat print) and the good minutiae against 15. Weights and exponents were
     * fitted to rank the shared prints as NFIQ 2 and NFIQ 1 do (docs/fingerprints.md); the square
     * root at the end only spreads the low scores apart (a monotone map: ranks do not change). */
    float local = 0.25f * ramp(q->coherence, 0.2f, 0.7f) + 0.55f * ramp(q->frequency, 0.3f, 0.75f) +
                  0.2f * q->block_mean;
    float area = sqrtf(q->good_area) / 280;
    float s = local * powf(q->good_share + 0.01f, 1.15f) * powf(area < 1 ? area : 1, 1.7f) *
              powf(good_minutiae + 1 < 15 ? (good_minutiae + 1) / 15.0f : 1, 0.8f);
    s = 100 * sqrtf(s > 0 ? s : 0);
    /* slivers and tips: a quarter of the reader's field or less holds print */
    s *= ramp(q->foreground, 0.25f, 0.35f);
    if (q->inverted)
        s = 0;
    /* washed out: ridges hardly darker than the empty reader */
    s *= 1 - ramp(q->ridge_level, WASHED_FROM, WASHED_OUT);
    q->quality = (int)lrintf(s > 100 ? 100 : s);
}
