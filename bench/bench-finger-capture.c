/* What a 500 ppi capture costs the kiosk in CPU, before and after the driver took over the
 * minutiae libfprint finds as it captures (drivers/fingerprint, issue 15's "quality + minutiae
 * at most 35 ms for a 500x500 print").
 *
 * libfprint's image devices run fp_image_detect_minutiae on every image they capture, capture
 * mode included; that detection is libfprint's, on its own worker, and is the same in both paths
 * (printed for reference, not counted). For every 500 ppi image, one after the other in one run:
 *   before  the kiosk's path until now: the image to 500 ppi (a plain copy), our analysis
 *           (fingerfeat_analyse: quality and our minutiae), libfprint's detection again on a new
 *           FpImage of the 500 ppi image, the directions of its minutiae (fingerlfp_features);
 *   after   the image to 500 ppi and the check that it is the captured one, our analysis, the
 *           capture's minutiae positions and binarised image copied (as the driver does) and
 *           their directions.
 * CPU of this process (libfprint's worker included), median of the repeats, per image; the
 * medians over the captures and over the card's prints, the ratio, and the 500x500 print. Both
 * paths' minutiae are compared (they must be identical: positions, directions, kinds).
 *
 * Then what a reader of another resolution would get (the driver's choice for resampled images):
 * each capture taken as a reader's image at 508 and 600 ppi and resampled to 500 ppi; libfprint's
 * minutiae of the reader's image scaled to it (positions mapped as fingerscale maps pixel centres,
 * the binarised image resampled the same way and cut at half) against a fresh detection on the
 * 500 ppi image (what the service does): how many agree within 4 px, their directions, and the
 * comparison of each capture with a second impression of it (turned 7 degrees, moved, noisy) and
 * with the next capture, on each kind.
 *
 * Usage: bench-finger-capture DATA-DIR
 *   DATA-DIR  ../shared/data/fingerprints (captures/, nist/tpcard/); exit 77 without captures
 *   BIOKIOSK_BENCH_SHORT=1: one repeat, the 500x500 print and one capture, no card
 */
#include <dirent.h>
#include <libfprint-2/fprint.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "capture/finger.h"
#include "core/biomem.h"
#include "fingerkinds.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerlfp.h"
#include "imaging/fingermatch.h"
#include "imaging/fingerscale.h"

#define MAX_IMAGES 128
/* the uniqueness check's threshold on libfprint's minutiae */
#define LFP_THRESHOLD FINGER_LFP_DEFAULT_THRESHOLD

typedef struct image {
    char name[96];
    bool card;
    fingerimg *img; /* at 500 ppi: the reader's image of a 500 ppi reader */
} image;

static image images[MAX_IMAGES];
static int n_images;

#define cpu_ms bench_process_cpu_ms

/* The median of n values (v unchanged); 0 for none. */
static double median(const double *v, int n)
{
    if (n == 0)
        return 0;
    double *c = malloc(sizeof *c * (size_t)n);
    memcpy(c, v, sizeof *c * (size_t)n);
    double m = bench_median_sorting(c, n);
    free(c);
    return m;
}

static void detect_done(GObject *o, GAsyncResult *r, gpointer data)
{
    *(int *)data = fp_image_detect_minutiae_finish(FP_IMAGE(o), r, NULL) ? 1 : -1;
}

/* libfprint's detection of img's pixels, as its image devices run it on a capture and as the
 * service ran it again: the FpImage with its minutiae (transfer full), NULL when it failed. */
static FpImage *detect(const fingerimg *img)
{
    FpImage *fi = fp_image_new(img->width, img->height);
    gsize len = 0;
    memcpy((guchar *)fp_image_get_data(fi, &len), img->pix, (size_t)img->width * img->height);
    int fin = 0;
    fp_image_detect_minutiae(fi, NULL, detect_done, &fin);
    while (fin == 0)
        g_main_context_iteration(NULL, TRUE);
    if (fin < 0) {
        g_object_unref(fi);
        return NULL;
    }
    return fi;
}

/* The positions of fi's minutiae (biomem, 2 per minutia) and their count. */
static int *positions(FpImage *fi, int *n)
{
    GPtrArray *m = fp_image_get_minutiae(fi);
    *n = m ? (int)m->len : 0;
    int *xy = biomem_calloc(2 * (size_t)*n + 2, sizeof *xy);
    for (int i = 0; i < *n; i++)
        fp_minutia_get_coords(g_ptr_array_index(m, i), &xy[2 * i], &xy[2 * i + 1]);
    return xy;
}

/* Before: ours, libfprint's detection again on the 500 ppi image, directions. */
static fingerfeat *path_before(const fingerimg *capture)
{
    fingerimg *img = NULL;
    fingerfeat *ours = NULL, *lfp = NULL;
    if (fingerscale_resample(capture, FINGERSCALE_PPMM_500, FINGERSCALE_PPMM_500, &img) != BK_OK)
        return NULL;
    if (fingerfeat_analyse(img->pix, img->width, img->height, &ours) == BK_OK) {
        FpImage *fi = detect(img);
        if (fi != NULL) {
            int n = 0;
            int *xy = positions(fi, &n);
            fingerlfp_features(ours, fp_image_get_binarized(fi, NULL), img->width, img->height, xy,
                               n, &lfp);
            biomem_free(xy);
            g_object_unref(fi);
        }
    }
    fingerfeat_free(ours);
    fingerimg_free(img);
    return lfp;
}

/* After: ours, the capture's minutiae (already detected in `captured`) copied and directed. */
static fingerfeat *path_after(const fingerimg *capture, FpImage *captured)
{
    fingerimg *img = NULL;
    fingerfeat *ours = NULL, *lfp = NULL;
    if (fingerscale_resample(capture, FINGERSCALE_PPMM_500, FINGERSCALE_PPMM_500, &img) != BK_OK)
        return NULL;
    size_t size = (size_t)img->width * img->height;
    bool same = memcmp(img->pix, capture->pix, size) == 0;
    if (same && fingerfeat_analyse(img->pix, img->width, img->height, &ours) == BK_OK) {
        int n = 0;
        int *xy = positions(captured, &n);
        uint8_t *bin = biomem_alloc(size);
        memcpy(bin, fp_image_get_binarized(captured, NULL), size);
        fingerlfp_features(ours, bin, img->width, img->height, xy, n, &lfp);
        biomem_free(bin);
        biomem_free(xy);
    }
    fingerfeat_free(ours);
    fingerimg_free(img);
    return lfp;
}

static bool same_minutiae(const fingerfeat *a, const fingerfeat *b)
{
    if (a == NULL || b == NULL || a->n_minutiae != b->n_minutiae)
        return false;
    return a->n_minutiae == 0 ||
           memcmp(a->minutiae, b->minutiae, sizeof *a->minutiae * (size_t)a->n_minutiae) == 0;
}

typedef struct timing {
    double before, after, detect; /* medians, ms */
    bool identical;
} timing;

static bool time_image(const image *im, int runs, timing *out)
{
    double *tb = calloc((size_t)runs, sizeof *tb), *ta = calloc((size_t)runs, sizeof *ta),
           *td = calloc((size_t)runs, sizeof *td);
    FpImage *captured = NULL;
    bool ok = true;
    out->identical = true;
    for (int r = 0; r < runs && ok; r++) {
        /* libfprint's detection as it captures: the same in both paths */
        double t0 = cpu_ms();
        g_clear_object(&captured);
        captured = detect(im->img);
        td[r] = cpu_ms() - t0;
        if (captured == NULL) {
            ok = false;
            break;
        }
        t0 = cpu_ms();
        fingerfeat *b = path_before(im->img);
        tb[r] = cpu_ms() - t0;
        t0 = cpu_ms();
        fingerfeat *a = path_after(im->img, captured);
        ta[r] = cpu_ms() - t0;
        out->identical = out->identical && same_minutiae(a, b);
        ok = a != NULL && b != NULL;
        fingerfeat_free(a);
        fingerfeat_free(b);
    }
    g_clear_object(&captured);
    if (ok) {
        out->before = median(tb, runs);
        out->after = median(ta, runs);
        out->detect = median(td, runs);
    }
    free(tb);
    free(ta);
    free(td);
    return ok;
}

static void timings(int runs)
{
    double b[2][MAX_IMAGES], a[2][MAX_IMAGES], d[2][MAX_IMAGES];
    int n[2] = {0, 0}, identical = 0, measured = 0;
    timing t500 = {0};
    bool have500 = false;
    printf("%-28s %9s %10s %10s %6s %10s %s\n", "image (500 ppi)", "size", "before ms", "after ms",
           "ratio", "detect ms", "same minutiae");
    for (int i = 0; i < n_images; i++) {
        const image *im = &images[i];
        timing t;
        if (!time_image(im, runs, &t)) {
            printf("%-28s %4dx%-4d libfprint found no minutiae: not a capture libfprint gives\n",
                   im->name, im->img->width, im->img->height);
            continue;
        }
        printf("%-28s %4dx%-4d %10.2f %10.2f %6.2f %10.2f %s\n", im->name, im->img->width,
               im->img->height, t.before, t.after, t.after / t.before, t.detect,
               t.identical ? "yes" : "NO");
        int g = im->card;
        b[g][n[g]] = t.before;
        a[g][n[g]] = t.after;
        d[g][n[g]++] = t.detect;
        identical += t.identical;
        measured++;
        if (strcmp(im->name, "nist-500ppi") == 0) {
            t500 = t;
            have500 = true;
        }
    }
    printf("\nCPU per capture, median of %d run(s) each (libfprint's detection as it captures "
           "not counted: the same in both)\n",
           runs);
    const char *what[2] = {"the shared captures", "the tenprint card's prints"};
    for (int g = 0; g < 2; g++) {
        if (n[g] == 0)
            continue;
        double mb = median(b[g], n[g]), ma = median(a[g], n[g]);
        printf("  %s (%d): before %.2f ms, after %.2f ms, after/before %.2f (%.1fx faster); "
               "libfprint's detection as it captures %.2f ms\n",
               what[g], n[g], mb, ma, ma / mb, mb / ma, median(d[g], n[g]));
    }
    if (have500)
        printf("  nist-500ppi (500x500): before %.2f ms, after %.2f ms, after/before %.2f "
               "(target <= 35 ms)\n",
               t500.before, t500.after, t500.after / t500.before);
    printf("  minutiae identical in both paths (positions, directions, kinds): %d of %d\n",
           identical, measured);
}

/* ---- readers of another resolution ---- */

/* libfprint's minutiae of the reader's image `raw` (at ppi), scaled to the 500 ppi image: pixel
 * centres mapped as fingerscale maps them, the binarised image resampled by fingerscale and cut
 * at half; directions on that, beside ours of the 500 ppi image. */
static fingerfeat *scaled_features(FpImage *raw_fi, int rw, int rh, double ppi,
                                   const fingerfeat *ours)
{
    fingerimg *bin = NULL, *bin500 = NULL;
    fingerfeat *out = NULL;
    if (fingerimg_new_from(rw, rh, fp_image_get_binarized(raw_fi, NULL), &bin) != BK_OK)
        return NULL;
    if (fingerscale_resample(bin, ppi / 25.4, FINGERSCALE_PPMM_500, &bin500) == BK_OK &&
        bin500->width == ours->width && bin500->height == ours->height) {
        size_t size = (size_t)bin500->width * bin500->height;
        for (size_t k = 0; k < size; k++)
            bin500->pix[k] = bin500->pix[k] < 128 ? FINGERLFP_RIDGE : 255;
        int n = 0;
        int *xy = positions(raw_fi, &n);
        double s = FINGERSCALE_PPMM_500 / (ppi / 25.4);
        for (int i = 0; i < n; i++) {
            int x = (int)lround((xy[2 * i] + 0.5) * s - 0.5);
            int y = (int)lround((xy[2 * i + 1] + 0.5) * s - 0.5);
            xy[2 * i] = x < 0 ? 0 : x >= ours->width ? ours->width - 1 : x;
            xy[2 * i + 1] = y < 0 ? 0 : y >= ours->height ? ours->height - 1 : y;
        }
        fingerlfp_features(ours, bin500->pix, bin500->width, bin500->height, xy, n, &out);
        biomem_free(xy);
    }
    fingerimg_free(bin);
    fingerimg_free(bin500);
    return out;
}

/* Both kinds of libfprint features for the reader's image raw taken at ppi (fresh: detected on
 * the 500 ppi image; scaled: the reader's, scaled); false when libfprint found none. */
static bool both_kinds(const fingerimg *raw, double ppi, fingerfeat **fresh, fingerfeat **scaled)
{
    fingerimg *img = NULL;
    fingerfeat *ours = NULL;
    FpImage *raw_fi = NULL, *fi = NULL;
    *fresh = *scaled = NULL;
    if (fingerscale_resample(raw, ppi / 25.4, FINGERSCALE_PPMM_500, &img) == BK_OK &&
        fingerfeat_analyse(img->pix, img->width, img->height, &ours) == BK_OK &&
        (raw_fi = detect(raw)) != NULL && (fi = detect(img)) != NULL) {
        int n = 0;
        int *xy = positions(fi, &n);
        fingerlfp_features(ours, fp_image_get_binarized(fi, NULL), img->width, img->height, xy, n,
                           fresh);
        biomem_free(xy);
        *scaled = scaled_features(raw_fi, raw->width, raw->height, ppi, ours);
    }
    if (raw_fi)
        g_object_unref(raw_fi);
    if (fi)
        g_object_unref(fi);
    fingerfeat_free(ours);
    fingerimg_free(img);
    if (*fresh == NULL || *scaled == NULL) {
        fingerfeat_free(*fresh);
        fingerfeat_free(*scaled);
        *fresh = *scaled = NULL;
        return false;
    }
    return true;
}

/* Of a's minutiae, how many have one of b's within 4 px; of those, how many point within 30
 * degrees of it (added to *near, *aligned). */
static void agreement(const fingerfeat *a, const fingerfeat *b, int *near, int *aligned)
{
    for (int i = 0; i < a->n_minutiae; i++) {
        const fingerfeat_minutia *m = &a->minutiae[i];
        int best = -1;
        float bd = 16.01f;
        for (int j = 0; j < b->n_minutiae; j++) {
            float dx = m->x - b->minutiae[j].x, dy = m->y - b->minutiae[j].y;
            if (dx * dx + dy * dy < bd) {
                bd = dx * dx + dy * dy;
                best = j;
            }
        }
        if (best < 0)
            continue;
        (*near)++;
        double d = fmod(fabs(m->angle - b->minutiae[best].angle) * 180 / M_PI, 360.0);
        *aligned += (d > 180 ? 360 - d : d) <= 30;
    }
}

static int score(const fingerfeat *a, const fingerfeat *b)
{
    fingermatch_result r = {0};
    return fingermatch_compare(a, b, &r) == BK_OK ? r.score : 0;
}

typedef struct kind_stats {
    double genuine[MAX_IMAGES];
    int n_genuine, caught, impostor_max;
} kind_stats;

static void resampled_reader(double ppi, int max)
{
    fingerfeat *fresh[MAX_IMAGES] = {0}, *scaled[MAX_IMAGES] = {0};
    fingerfeat *fresh2[MAX_IMAGES] = {0}, *scaled2[MAX_IMAGES] = {0};
    int n_fresh = 0, n_scaled = 0, near_f = 0, near_s = 0, aligned = 0, used = 0;
    kind_stats ks[2] = {0};
    for (int i = 0; i < n_images && used < max; i++) {
        if (images[i].card)
            continue;
        fingerimg *again = fingerkinds_transform(images[i].img, 7, -6, 9, 0);
        fingerkinds_add_noise(again, 10, (uint32_t)(i + 1));
        if (both_kinds(images[i].img, ppi, &fresh[i], &scaled[i]) &&
            both_kinds(again, ppi, &fresh2[i], &scaled2[i])) {
            used++;
            n_fresh += fresh[i]->n_minutiae;
            n_scaled += scaled[i]->n_minutiae;
            agreement(fresh[i], scaled[i], &near_f, &aligned);
            int unused = 0;
            agreement(scaled[i], fresh[i], &near_s, &unused);
            fingerfeat *f[2][2] = {{fresh[i], fresh2[i]}, {scaled[i], scaled2[i]}};
            for (int k = 0; k < 2; k++) {
                int s = score(f[k][0], f[k][1]);
                ks[k].genuine[ks[k].n_genuine++] = s;
                ks[k].caught += s >= LFP_THRESHOLD;
            }
        }
        fingerimg_free(again);
    }
    /* impostors: each capture against every other, on each kind */
    for (int i = 0; i < n_images; i++)
        for (int j = i + 1; j < n_images; j++)
            if (fresh[i] && fresh[j]) {
                int sf = score(fresh[i], fresh[j]), ss = score(scaled[i], scaled[j]);
                ks[0].impostor_max = sf > ks[0].impostor_max ? sf : ks[0].impostor_max;
                ks[1].impostor_max = ss > ks[1].impostor_max ? ss : ks[1].impostor_max;
            }
    printf("\na reader of %.0f ppi (%d captures taken as its images, resampled to 500 ppi):\n", ppi,
           used);
    printf("  minutiae: fresh detection on the 500 ppi image %d, the capture's scaled %d; fresh "
           "with a scaled one within 4 px %.1f %% (of those, within 30 degrees %.1f %%), scaled "
           "with a fresh one within 4 px %.1f %%\n",
           n_fresh, n_scaled, n_fresh ? 100.0 * near_f / n_fresh : 0,
           near_f ? 100.0 * aligned / near_f : 0, n_scaled ? 100.0 * near_s / n_scaled : 0);
    const char *name[2] = {"fresh detection", "capture's scaled"};
    for (int k = 0; k < 2; k++)
        printf("  %-17s second impression (7 deg, moved, noisy): median score %.0f, caught at %d: "
               "%d of %d; highest score of two different captures %d\n",
               name[k], median(ks[k].genuine, ks[k].n_genuine), LFP_THRESHOLD, ks[k].caught,
               ks[k].n_genuine, ks[k].impostor_max);
    for (int i = 0; i < MAX_IMAGES; i++) {
        fingerfeat_free(fresh[i]);
        fingerfeat_free(scaled[i]);
        fingerfeat_free(fresh2[i]);
        fingerfeat_free(scaled2[i]);
    }
}

/* ---- loading ---- */

/* The PNG files of dir whose names start with prefix (sorted; no slaps), at most max, at 500 ppi
 * (a file that states less is brought to 500 ppi, as bench-finger does). */
static int load_dir(const char *dir, const char *prefix, bool card, int max)
{
    char *names[MAX_IMAGES];
    int nn = bench_png_names(dir, prefix, names, MAX_IMAGES), loaded = 0;
    if (nn == 0)
        return 0;
    /* the short mode takes the 500x500 print and the first capture */
    for (int i = 0; i < nn; i++) {
        bool wanted =
            !bench_short() || (card ? false : loaded == 0 || strstr(names[i], "nist-500"));
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fingerimg *img = NULL;
        if (wanted && loaded < max && n_images < MAX_IMAGES &&
            fingerimg_load(path, &img, NULL) == BK_OK) {
            img = fingerkinds_at_500ppi(img, fingerkinds_png_ppi(path));
            if (img != NULL) {
                image *im = &images[n_images++];
                snprintf(im->name, sizeof im->name, "%.*s", (int)strlen(names[i]) - 4, names[i]);
                im->card = card;
                im->img = img;
                loaded++;
            }
        }
        free(names[i]);
    }
    return loaded;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-finger-capture DATA-DIR\n");
        return 2;
    }
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/captures", argv[1]);
    if (load_dir(dir, "", false, MAX_IMAGES) == 0) {
        printf("bench-finger-capture: no captures in %s: nothing to measure (skipped)\n", dir);
        return 77;
    }
    snprintf(dir, sizeof dir, "%s/nist/tpcard", argv[1]);
    if (!bench_short() && load_dir(dir, "tpcard_", true, MAX_IMAGES) == 0)
        printf("tenprint card: ABSENT (%s)\n", dir);
    int runs = (int)bench_n(9, 1);
    timings(runs);
    resampled_reader(508, (int)bench_n(MAX_IMAGES, 2));
    if (!bench_short())
        resampled_reader(600, MAX_IMAGES);
    for (int i = 0; i < n_images; i++)
        fingerimg_free(images[i].img);
    return 0;
}
