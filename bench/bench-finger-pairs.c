/* The comparison part of bench-finger (bench-finger.h): genuine pairs (each capture against
 * copies turned up to 10 degrees, moved, cut by up to 20 % and some with noise; each card
 * finger's plain print against its rolled print) and impostor pairs (different captures, the
 * card's fingers against each other). For each pair: ours on our minutiae, ours on libfprint's
 * (fingerlfp's directions) and bozorth3 on mindtct's, each in both orders (a, b and b, a); the
 * false match and non-match rates at the thresholds; the time of the kiosk's check of a pair
 * (prepared prints, as the service keeps them: ours, then libfprint's only when ours do not
 * match) and of both sources always; and the thresholds chosen on one half of the fingers (one
 * above the highest impostor score there, as the defaults were chosen) and measured on the other
 * half, both ways, and leaving out one finger at a time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-finger.h"
#include "capture/finger.h"
#include "fingerkinds.h"
#include "imaging/fingermatch.h"

#define VARIANTS    6
#define BOZORTH_MIN 40 /* bozorth3's usual decision threshold (NBIS documentation) */
#define TIMED_RUNS  3  /* each comparison timed this often, the median kept (machine shared) */

/* One pair: scores in both orders per source (0 ours, 1 ours on libfprint's minutiae, -1 when
 * libfprint found none on one side, 2 bozorth3, NIST_ABSENT when not measured), the fingers it
 * is made of (a capture and its copies are one finger, a card finger's plain and rolled prints
 * one), the comparisons' times (ms, on prepared prints) and the time from the features. */
typedef struct pair_score {
    int s[3][2];
    int fa, fb;
    int same, card;
    double ms[2], unprepared_ms;
} pair_score;

typedef struct pair_list {
    pair_score *p;
    int n, cap;
} pair_list;

static double median_cmp(const fingermatch_print *a, const fingermatch_print *b,
                         fingermatch_result *r)
{
    double t[TIMED_RUNS];
    for (int k = 0; k < TIMED_RUNS; k++) {
        double t0 = bench_cpu_ms();
        fingermatch_compare_prepared(a, b, r);
        t[k] = bench_cpu_ms() - t0;
    }
    return bench_median(t, TIMED_RUNS);
}

/* A print with both sources prepared once, as the fingerprint service keeps it. */
typedef struct prepared {
    fingermatch_print *ours, *lfp;
} prepared;

static void compare(pair_list *l, const item *a, const prepared *pa, int fa, const item *b,
                    const prepared *pb, int fb, int card)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->p = realloc(l->p, sizeof *l->p * (size_t)l->cap);
    }
    pair_score *p = &l->p[l->n++];
    memset(p, 0, sizeof *p);
    p->fa = fa;
    p->fb = fb;
    p->same = fa == fb;
    p->card = card;
    fingermatch_result r;
    p->ms[0] = median_cmp(pa->ours, pb->ours, &r);
    p->s[0][0] = r.score;
    fingermatch_compare_prepared(pb->ours, pa->ours, &r);
    p->s[0][1] = r.score;
    double t0 = bench_cpu_ms();
    fingermatch_compare(a->feat, b->feat, &r);
    p->unprepared_ms = bench_cpu_ms() - t0;
    p->s[1][0] = p->s[1][1] = -1;
    if (pa->lfp && pb->lfp) {
        p->ms[1] = median_cmp(pa->lfp, pb->lfp, &r);
        p->s[1][0] = r.score;
        fingermatch_compare_prepared(pb->lfp, pa->lfp, &r);
        p->s[1][1] = r.score;
    }
    int measured = a->mt_n >= 0 && b->mt_n >= 0;
    p->s[2][0] = measured ? nist_bozorth3(&B.nist, a->name, b->name) : NIST_ABSENT;
    p->s[2][1] = measured ? nist_bozorth3(&B.nist, b->name, a->name) : NIST_ABSENT;
    if (!p->same && (p->s[0][0] >= FINGERMATCH_DEFAULT_THRESHOLD - 5 ||
                     p->s[1][0] >= FINGERMATCH_DEFAULT_THRESHOLD - 5 || p->s[2][0] >= BOZORTH_MIN))
        printf("  %s vs %s: ours %d, on libfprint's %d, bozorth3 %d (other way %d)\n", a->name,
               b->name, p->s[0][0], p->s[1][0], p->s[2][0], p->s[2][1]);
}

/* The pairs of l that `keep` accepts (all when NULL). */
typedef int (*pair_filter)(const pair_score *p, const void *data);

/* Of the kept genuine (same) or impostor pairs of the card (card = 1) or the captures, with a
 * score in source src, order o: how many, how many on the wrong side of th, the highest score. */
static int wrong_side(const pair_list *l, int same, int card, int src, int o, int th, int *wrong,
                      int *highest, pair_filter keep, const void *data)
{
    int n = 0;
    *wrong = 0;
    *highest = -1;
    for (int i = 0; i < l->n; i++) {
        const pair_score *p = &l->p[i];
        int v = p->s[src][o];
        if (p->same != same || p->card != card || v < 0 || (keep && !keep(p, data)))
            continue;
        n++;
        *wrong += same ? v < th : v >= th;
        *highest = v > *highest ? v : *highest;
    }
    return n;
}

/* The kiosk's rule for its captures: a match by either source, ours at t0 or libfprint's at t1,
 * in order o. Wrong pairs of the kept genuine (same) or impostor pairs into *wrong; returns how
 * many were kept. */
static int wrong_either(const pair_list *l, int same, int card, int o, int t0, int t1, int *wrong,
                        pair_filter keep, const void *data)
{
    int n = 0;
    *wrong = 0;
    for (int i = 0; i < l->n; i++) {
        const pair_score *p = &l->p[i];
        if (p->same != same || p->card != card || (keep && !keep(p, data)))
            continue;
        int match = p->s[0][o] >= t0 || (p->s[1][o] >= 0 && p->s[1][o] >= t1);
        n++;
        *wrong += same ? !match : match;
    }
    return n;
}

static void report(const pair_list *l)
{
    static const int th[3] = {FINGERMATCH_DEFAULT_THRESHOLD, FINGER_LFP_DEFAULT_THRESHOLD,
                              BOZORTH_MIN};
    static const char *const what[4] = {
        "impostor: different captures", "impostor: card, different fingers",
        "genuine: captures turned/moved/cut/noisy", "genuine: card plain vs rolled, same finger"};
    printf("\ncomparison, each order (a,b / b,a): ours (threshold %d) | ours on libfprint's "
           "minutiae with fingerlfp's directions (threshold %d) | bozorth3 (threshold %d)\n",
           th[0], th[1], th[2]);
    static const int rows[4] = {2, 3, 0, 1};
    for (int r = 0; r < 4; r++) {
        int k = rows[r], same = k >= 2, card = k % 2;
        printf("  %-44s %-4s", what[k], same ? "FNMR" : "FMR");
        for (int src = 0; src < 3; src++) {
            printf(" |");
            for (int o = 0; o < 2; o++) {
                int wrong, hi,
                    n = wrong_side(l, same, card, src, o, th[src], &wrong, &hi, NULL, NULL);
                if (n == 0)
                    printf(" -");
                else if (same)
                    printf(" %d of %d (%.1f %%)", wrong, n, 100.0 * wrong / n);
                else
                    printf(" %d of %d (highest %d)", wrong, n, hi);
            }
        }
        printf("\n");
    }
    int differ[3] = {0, 0, 0};
    for (int i = 0; i < l->n; i++)
        for (int src = 0; src < 3; src++)
            differ[src] += l->p[i].s[src][0] != l->p[i].s[src][1];
    printf("pairs scored differently in the two orders, of %d: ours %d, on libfprint's %d, "
           "bozorth3 %d\n",
           l->n, differ[0], differ[1], differ[2]);
    for (int o = 0; o < 2; o++) {
        int w[4], n[4];
        for (int k = 0; k < 4; k++)
            n[k] = wrong_either(l, k >= 2, k % 2, o, th[0], th[1], &w[k], NULL, NULL);
        printf("the kiosk's rule (a match by either: ours at %d or on libfprint's at %d), order "
               "%s: FNMR copies %d of %d, card %d of %d; false matches %d of %d\n",
               th[0], th[1], o ? "b,a" : "a,b", w[2], n[2], w[3], n[3], w[0] + w[1], n[0] + n[1]);
    }
}

/* FNMR and FMR (order a,b) of ours and ours on libfprint's minutiae alone at thresholds 20..48
 * (each one from 38), and of the kiosk's rule with ours at the default and libfprint's at the
 * threshold. */
static void sweep(const pair_list *l)
{
    printf("thresholds: FNMR copies / FNMR card / false matches (both impostor sets), ours | on "
           "libfprint's | either (ours at %d or libfprint's at the threshold)\n",
           FINGERMATCH_DEFAULT_THRESHOLD);
    for (int th = 20; th <= 50; th += th >= 38 && th < 48   ? 1
                                      : th >= 30 && th < 36 ? 3
                                      : th == 36            ? 2
                                                            : 5) {
        printf("  %2d:", th);
        for (int src = 0; src < 2; src++) {
            int w[4], n[4], hi;
            for (int k = 0; k < 4; k++)
                n[k] = wrong_side(l, k >= 2, k % 2, src, 0, th, &w[k], &hi, NULL, NULL);
            printf(" %s %5.1f %% / %5.1f %% / %d", src ? "|" : "", n[2] ? 100.0 * w[2] / n[2] : NAN,
                   n[3] ? 100.0 * w[3] / n[3] : NAN, w[0] + w[1]);
        }
        int w[4], n[4];
        for (int k = 0; k < 4; k++)
            n[k] = wrong_either(l, k >= 2, k % 2, 0, FINGERMATCH_DEFAULT_THRESHOLD, th, &w[k], NULL,
                                NULL);
        printf(" | %5.1f %% / %5.1f %% / %d\n", n[2] ? 100.0 * w[2] / n[2] : NAN,
               n[3] ? 100.0 * w[3] / n[3] : NAN, w[0] + w[1]);
    }
}

/* Times per group (captures' pairs, card's pairs): the kiosk's check (ours, then libfprint's
 * only when ours do not match), both sources always, and ours from the features (describing both
 * prints again, as fingermatch_compare() does). */
static void report_times(const pair_list *l)
{
    printf("times (CPU, median of %d per comparison, on prepared prints; the machine shared):\n",
           TIMED_RUNS);
    for (int card = 0; card < 2; card++) {
        double *t[3];
        int n = 0, over[3] = {0, 0, 0};
        double most[3] = {0, 0, 0};
        for (int k = 0; k < 3; k++)
            t[k] = malloc(sizeof(double) * (size_t)(l->n + 1));
        for (int i = 0; i < l->n; i++) {
            const pair_score *p = &l->p[i];
            if (p->card != card)
                continue;
            t[0][n] = p->ms[0] + (p->s[0][0] < FINGERMATCH_DEFAULT_THRESHOLD ? p->ms[1] : 0);
            t[1][n] = p->ms[0] + p->ms[1];
            t[2][n] = p->unprepared_ms;
            for (int k = 0; k < 3; k++) {
                over[k] += t[k][n] >= 1.0;
                most[k] = t[k][n] > most[k] ? t[k][n] : most[k];
            }
            n++;
        }
        static const char *const how[3] = {"the kiosk's check (libfprint's when ours miss)",
                                           "both sources always",
                                           "ours from the features (described per pair)"};
        for (int k = 0; k < 3; k++) {
            printf("  %s, %s: median %.3f ms, %d of %d at 1 ms or more, longest %.2f ms\n",
                   card ? "the card's pairs" : "the captures' pairs", how[k], bench_median(t[k], n),
                   over[k], n, most[k]);
            free(t[k]);
        }
    }
}

/* Held-out thresholds: a finger (a capture, a card finger) is in half 0 or 1. */
typedef struct split {
    int mode; /* 0: both fingers in half `half`; 1: neither is `finger`; 2: one of them is */
    int half, finger;
} split;

static int finger_half(int f)
{
    return f % 2;
}

static int in_split(const pair_score *p, const void *data)
{
    const split *s = data;
    if (s->mode == 0)
        return finger_half(p->fa) == s->half && finger_half(p->fb) == s->half;
    int has = p->fa == s->finger || p->fb == s->finger;
    return s->mode == 1 ? !has : has;
}

/* The thresholds a training set gives, as the defaults were chosen: one above the highest
 * impostor score of each source (so no training pair is a false match), at least 1. */
static void choose(const pair_list *l, pair_filter keep, const void *data, int th[2])
{
    for (int src = 0; src < 2; src++) {
        int hi = -1;
        for (int card = 0; card < 2; card++) {
            int wrong, h;
            wrong_side(l, 0, card, src, 0, 1000, &wrong, &h, keep, data);
            hi = h > hi ? h : hi;
        }
        th[src] = hi + 1 > 1 ? hi + 1 : 1;
    }
}

/* FNMR/FMR counts of the kiosk's rule at th on the kept pairs: w[k], n[k] as report(). */
static void measure_rule(const pair_list *l, const int th[2], pair_filter keep, const void *data,
                         int w[4], int n[4])
{
    for (int k = 0; k < 4; k++)
        n[k] = wrong_either(l, k >= 2, k % 2, 0, th[0], th[1], &w[k], keep, data);
}

static void validate(const pair_list *l, int max_finger)
{
    printf("held out: thresholds chosen one above the highest impostor score on one half of the "
           "fingers (odd/even capture, odd/even card finger), measured on the other half's "
           "pairs; the kiosk's rule (either source)\n");
    for (int half = 0; half < 2; half++) {
        split train = {0, half, 0}, test = {0, 1 - half, 0};
        int th[2], w[4], n[4], wd[4], nd[4];
        static const int def[2] = {FINGERMATCH_DEFAULT_THRESHOLD, FINGER_LFP_DEFAULT_THRESHOLD};
        choose(l, in_split, &train, th);
        measure_rule(l, th, in_split, &test, w, n);
        measure_rule(l, def, in_split, &test, wd, nd);
        printf("  chosen on half %d: ours %d, libfprint's %d -> half %d: FNMR copies %d of %d, "
               "card %d of %d, false matches %d of %d (the defaults %d/%d there: %d of %d, %d of "
               "%d, %d of %d)\n",
               half, th[0], th[1], 1 - half, w[2], n[2], w[3], n[3], w[0] + w[1], n[0] + n[1],
               def[0], def[1], wd[2], nd[2], wd[3], nd[3], wd[0] + wd[1], nd[0] + nd[1]);
    }
    /* leave one finger out: thresholds from every pair without it, measured on its pairs */
    int w_all[4] = {0}, n_all[4] = {0}, lo[2] = {1000, 1000}, hi[2] = {0, 0}, fingers = 0;
    for (int f = 0; f < max_finger; f++) {
        split train = {1, 0, f}, test = {2, 0, f};
        int th[2], w[4], n[4];
        choose(l, in_split, &train, th);
        measure_rule(l, th, in_split, &test, w, n);
        if (n[0] + n[1] + n[2] + n[3] == 0)
            continue; /* no pair of this finger (the card in the short mode) */
        fingers++;
        for (int k = 0; k < 4; k++) {
            w_all[k] += w[k];
            n_all[k] += n[k];
        }
        for (int s = 0; s < 2; s++) {
            lo[s] = th[s] < lo[s] ? th[s] : lo[s];
            hi[s] = th[s] > hi[s] ? th[s] : hi[s];
        }
    }
    printf("  leaving one finger out (%d fingers; thresholds chosen without it: ours %d-%d, "
           "libfprint's %d-%d): FNMR copies %d of %d, card %d of %d; false matches %d of %d "
           "(each impostor pair counted for both its fingers)\n",
           fingers, lo[0], hi[0], lo[1], hi[1], w_all[2], n_all[2], w_all[3], n_all[3],
           w_all[0] + w_all[1], n_all[0] + n_all[1]);
}

/* The card's finger number of an item ("tpcard_fgp07_rolled" -> 7), 0 for others. */
static int card_finger(const item *it)
{
    int f = 0;
    return it->g == CARD && sscanf(it->name, "tpcard_fgp%d", &f) == 1 ? f : 0;
}

static void prepare(const item *it, prepared *p)
{
    p->ours = p->lfp = NULL;
    if (it->feat)
        fingermatch_prepare(it->feat, &p->ours);
    if (it->lfeat)
        fingermatch_prepare(it->lfeat, &p->lfp);
}

static void unprepare(prepared *p)
{
    fingermatch_print_free(p->ours);
    fingermatch_print_free(p->lfp);
}

/* Copies of each capture, turned, moved, cut, every other one with noise: var[i * nvar + v]. */
static item *make_copies(int ncap, size_t nvar)
{
    static const double deg[VARIANTS] = {-10, -6, -3, 4, 7, 10};
    static const int shift[VARIANTS][2] = {{8, -5}, {-12, 6},  {16, 0},
                                           {0, 12}, {-6, -14}, {10, 10}};
    static const double crop[VARIANTS] = {0.1, 0, -0.15, 0.2, 0, -0.1};
    item *var = calloc((size_t)ncap * nvar + 1, sizeof *var);
    for (int i = 0; i < ncap; i++) {
        for (int v = 0; v < (int)nvar; v++) {
            item *it = &var[(size_t)i * nvar + (size_t)v];
            it->img = fingerkinds_transform(B.it[i].img, deg[v], shift[v][0], shift[v][1], crop[v]);
            if (v % 2 == 1) /* every other copy with sensor noise too */
                fingerkinds_add_noise(it->img, 12, (uint32_t)(i * 31 + v));
            snprintf(it->name, sizeof it->name, "%.80s.turned%d", B.it[i].name, v % 10);
            it->g = DEGRADED;
            fingerfeat_analyse(it->img->pix, it->img->width, it->img->height, &it->feat);
            double lms;
            bench_lfp_analyse(it->img, &it->lfeat, &lms);
            const char *path = nist_write(&B.nist, it->img, it->name);
            it->mt_n =
                path ? nist_mindtct(&B.nist, path, it->name, &it->xyt, &it->mt_ms) : NIST_ERROR;
        }
    }
    return var;
}

void bench_pairs(int ncap)
{
    size_t nvar = B.shortmode ? 1 : VARIANTS;
    if (ncap <= 0 || ncap > MAX_ITEMS)
        return;
    item *var = make_copies(ncap, nvar);
    prepared *pi = calloc((size_t)B.n, sizeof *pi), *pv = calloc((size_t)ncap * nvar, sizeof *pv);
    double *prep_ms = calloc((size_t)B.n + 1, sizeof *prep_ms);
    int n_prep = 0;
    for (int i = 0; i < B.n; i++) {
        double t0 = bench_cpu_ms();
        if (B.it[i].g == CAPTURE || B.it[i].g == CARD) {
            prepare(&B.it[i], &pi[i]);
            prep_ms[n_prep++] = bench_cpu_ms() - t0;
        }
    }
    for (size_t v = 0; v < (size_t)ncap * nvar; v++)
        prepare(&var[v], &pv[v]);
    /* fingers: capture i is finger i, card finger f is ncap + f - 1 */
    pair_list l = {0};
    for (int i = 0; i < ncap; i++)
        for (size_t v = 0; v < nvar; v++)
            compare(&l, &B.it[i], &pi[i], i, &var[(size_t)i * nvar + v], &pv[(size_t)i * nvar + v],
                    i, 0);
    for (int i = 0; i < ncap; i++)
        for (int j = 0; j < ncap; j++)
            if (i != j)
                compare(&l, &B.it[i], &pi[i], i, j < i ? &B.it[j] : &var[(size_t)j * nvar],
                        j < i ? &pi[j] : &pv[(size_t)j * nvar], j, 0);
    for (int i = 0; i < B.n; i++) {
        int fi = card_finger(&B.it[i]);
        if (fi == 0 || strstr(B.it[i].name, "rolled") != NULL)
            continue;
        for (int j = 0; j < B.n; j++) {
            int fj = card_finger(&B.it[j]);
            if (fj == 0 || strstr(B.it[j].name, "rolled") == NULL)
                continue;
            compare(&l, &B.it[i], &pi[i], ncap + fi - 1, &B.it[j], &pi[j], ncap + fj - 1, 1);
            const pair_score *p = &l.p[l.n - 1];
            if (fi == fj)
                printf("  card %s vs %s: ours %d, on libfprint's %d, bozorth3 %d (other way "
                       "%d)\n",
                       B.it[i].name, B.it[j].name, p->s[0][0], p->s[1][0], p->s[2][0], p->s[2][1]);
        }
    }
    for (int i = 0; i < B.n; i++)
        for (int j = i + 1; j < B.n; j++)
            if (card_finger(&B.it[i]) && card_finger(&B.it[j]) && strstr(B.it[i].name, "rolled") &&
                strstr(B.it[j].name, "rolled"))
                compare(&l, &B.it[i], &pi[i], ncap + card_finger(&B.it[i]) - 1, &B.it[j], &pi[j],
                        ncap + card_finger(&B.it[j]) - 1, 1);
    report(&l);
    sweep(&l);
    printf("preparing a print (both sources, once per print): median %.3f ms over %d prints\n",
           bench_median(prep_ms, n_prep), n_prep);
    report_times(&l);
    validate(&l, ncap + 10);
    for (int i = 0; i < B.n; i++)
        unprepare(&pi[i]);
    for (size_t i = 0; i < (size_t)ncap * nvar; i++) {
        unprepare(&pv[i]);
        fingerfeat_free(var[i].feat);
        fingerfeat_free(var[i].lfeat);
        fingerimg_free(var[i].img);
    }
    free(prep_ms);
    free(pi);
    free(pv);
    free(var);
    free(l.p);
}
