/* The quality score and the default thresholds against NIST's measures, on the shared captures
 * and copies of them degraded here (blur, low contrast, noise, dryness, partial), made exactly as
 * bench-finger makes them: files that state a lower resolution brought to 500 ppi first, each
 * capture's copies seeded with its place in the sorted list of captures (fingerkinds.h):
 *   test-finger-nfiq nfiq1: issue 15's NFIQ 1 target on its scope (fingernist.h: the captures of
 *     at least 256 x 256 as measured and their copies): no print NFIQ 1 rates 5 is kept at the
 *     index threshold, none it rates 1-2 is refused; the captures it rates 1-2 are kept at every
 *     default threshold and those it rates 5 at none. A copy NFIQ 1 rates three levels or more
 *     above its original is shown and not asserted (nist_nfiq1_followed);
 *   test-finger-nfiq nfiq2: no print NFIQ 2 scores below 10 is kept at the index threshold (every
 *     capture and its copies);
 *   test-finger-nfiq nfiq2-rank: the score ranks the real prints (the shared captures, files
 *     that state a lower resolution measured at 500 ppi, and the tenprint card's prints) as
 *     NFIQ 2 does: rank correlation at least 0.85 on the whole set (the target) and on the
 *     held-out half (fingernist.h: the score's weights were chosen on the other half).
 * NIST's tools come from ../shared/tools (BIOKIOSK_NIST_TOOLS); without them the test exits 77
 * and says so. The kiosk itself never runs them. Exit status: 0 pass, 1 fail, 77 skipped. */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fingernist.h"
#include "core/fingerplan.h"
#include "fingerkinds.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"

#define SKIP 77

static int failures;
/* Images handed to NIST's tool and those it measured: a tool that starts but measures nothing
 * (a broken install, a missing runtime library behind a wrapper) must fail the test, not pass it
 * with nothing checked. */
static int given, measured;

/* The three copies within the target's scope that the score refused until the sixth run although
 * NFIQ 1 rates them 1-2 (docs/fingerprints.md): asserted like every other print, and each must
 * have been checked (a change of scope or of the copies that drops one fails too). */
static const char *const named[] = {"ex-arch.noise", "ex-loop-right.low-contrast",
                                    "ex-tented_arch.low-contrast"};
static int named_seen[G_N_ELEMENTS(named)];

static void expect(int ok, const char *what, const char *name, int quality, int nist)
{
    for (size_t i = 0; i < G_N_ELEMENTS(named); i++)
        named_seen[i] |= strcmp(name, named[i]) == 0;
    printf("%s %s: quality %d, NIST %d; wanted: %s\n", ok ? "ok  " : "FAIL", name, quality, nist,
           what);
    failures += !ok;
}

/* Each named copy must have been checked (else the list is stale or the scope has changed). */
static void expect_named_seen(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(named); i++)
        if (!named_seen[i]) {
            printf("FAIL %s: named for issue 15's NFIQ 1 target but not checked\n", named[i]);
            failures++;
        }
}

static int quality_of(const fingerimg *img)
{
    fingerfeat *f = NULL;
    if (fingerfeat_analyse(img->pix, img->width, img->height, &f) != BK_OK)
        return -1;
    int q = f->quality;
    fingerfeat_free(f);
    return q;
}

typedef struct bounds {
    int index, lowest, highest;
} bounds;

/* One image: its NFIQ 1 level against the thresholds. `original` is the level of the capture a
 * copy was made from (0 for a capture itself). */
static void check_nfiq1(nist_tools *t, const fingerimg *img, const char *name, int original,
                        const bounds *b)
{
    const char *path = nist_write(t, img, name);
    int level = path ? nist_nfiq1(t, path) : NIST_ERROR;
    int q = quality_of(img);
    given++;
    if (level < 1) {
        printf("---- %s: NFIQ 1 could not rate it\n", name);
        return;
    }
    measured++;
    if (!nist_nfiq1_followed(level, original)) {
        printf("---- %s: NFIQ 1 rates the copy %d, its original %d: not asserted (quality %d)\n",
               name, level, original, q);
        return;
    }
    if (level == 5)
        expect(q < b->index, "NFIQ 1 level 5, refused at the index threshold", name, q, level);
    if (level <= 2)
        expect(q >= b->index, "NFIQ 1 level 1-2, kept at the index threshold", name, q, level);
    if (original == 0 && level == 5)
        expect(q < b->lowest, "NFIQ 1 level 5, refused at every default threshold", name, q, level);
    if (original == 0 && level <= 2)
        expect(q >= b->highest, "NFIQ 1 level 1-2, kept at every default threshold", name, q,
               level);
}

static void check_nfiq2(nist_tools *t, const fingerimg *img, const char *name, const bounds *b)
{
    const char *path = nist_write(t, img, name);
    int score = path ? nist_nfiq2(t, path) : NIST_ERROR;
    int q = quality_of(img);
    given++;
    if (score < 0) {
        printf("---- %s: NFIQ 2 could not score it (quality %d)\n", name, q);
        return;
    }
    measured++;
    if (score < 10)
        expect(q < b->index, "NFIQ 2 below 10, refused at the index threshold", name, q, score);
    else
        printf("---- %s: quality %d, NFIQ 2 %d\n", name, q, score);
}

#define MAX_PRINTS 128

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Quality and NFIQ 2 of the PNG files of dir whose names start with prefix (not the card's slap
 * images), appended from *n. */
static void rank_dir(nist_tools *t, const char *dir, const char *prefix, double *ours, int *nfiq2,
                     char **names, int *n)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return;
    const char *e;
    while ((e = g_dir_read_name(d)) != NULL && *n < MAX_PRINTS) {
        if (!g_str_has_suffix(e, ".png") || !g_str_has_prefix(e, prefix) ||
            strstr(e, "slap") != NULL)
            continue;
        g_autofree char *path = g_build_filename(dir, e, NULL);
        fingerimg *img = NULL;
        if (fingerimg_load(path, &img, NULL) != BK_OK)
            continue;
        img = fingerkinds_at_500ppi(img, fingerkinds_png_ppi(path));
        g_autofree char *name = g_strndup(e, strlen(e) - 4);
        const char *file = img ? nist_write(t, img, name) : NULL;
        int score = file ? nist_nfiq2(t, file) : NIST_ERROR;
        int q = img ? quality_of(img) : -1;
        fingerimg_free(img);
        printf("%-30s quality %3d, NFIQ 2 %d\n", name, q, score);
        if (score < 0 || q < 0)
            continue;
        ours[*n] = q;
        nfiq2[*n] = score;
        names[(*n)++] = g_steal_pointer(&name);
    }
    g_dir_close(d);
}

/* nfiq2-rank: the held-out half's rank correlation with NFIQ 2. */
static int check_rank(nist_tools *t, const char *data)
{
    static double ours[MAX_PRINTS], theirs[MAX_PRINTS], ha[MAX_PRINTS], hb[MAX_PRINTS];
    static int nfiq2[MAX_PRINTS], half[MAX_PRINTS];
    static char *names[MAX_PRINTS];
    int n = 0;
    g_autofree char *cap = g_build_filename(data, "captures", NULL);
    g_autofree char *card = g_build_filename(data, "nist", "tpcard", NULL);
    rank_dir(t, cap, "", ours, nfiq2, names, &n);
    rank_dir(t, card, "tpcard_", ours, nfiq2, names, &n);
    nist_halves(nfiq2, (const char *const *)names, n, half);
    double held = NAN;
    for (int h = 0; h < 2; h++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (half[i] == h) {
                ha[m] = ours[i];
                hb[m++] = nfiq2[i];
            }
        double r = nist_spearman(ha, hb, m);
        printf("rank correlation with NFIQ 2, %s half (%d prints): %.3f\n",
               h ? "held-out" : "fitting", m, r);
        if (h == 1)
            held = r;
    }
    for (int i = 0; i < n; i++)
        theirs[i] = nfiq2[i];
    double all = nist_spearman(ours, theirs, n);
    printf("rank correlation with NFIQ 2, all (%d prints): %.3f\n", n, all);
    for (int i = 0; i < n; i++)
        g_free(names[i]);
    if (n < 20) {
        printf("FAIL only %d prints NFIQ 2 could score (the captures and the card: 38 expected)\n",
               n);
        return 1;
    }
    /* the target, on the whole set (0.855 measured; deterministic) and on the held-out half
     * (0.931) */
    int ok = held >= 0.85, floor = all >= 0.85;
    printf("%s held-out half: rank correlation %.3f, target at least 0.85\n", ok ? "ok  " : "FAIL",
           held);
    printf("%s all: rank correlation %.3f, target at least 0.85\n", floor ? "ok  " : "FAIL", all);
    return ok && floor ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "nfiq1";
    int want1 = strcmp(which, "nfiq1") == 0, rank = strcmp(which, "nfiq2-rank") == 0;
    const char *data = g_getenv("BIOKIOSK_FINGER_DATA");
    const char *tools = g_getenv("BIOKIOSK_NIST_TOOLS");
    nist_tools t;
    if (!nist_open(&t, tools))
        return 1;
    if ((want1 && t.nfiq1[0] == '\0') || (!want1 && t.nfiq2[0] == '\0')) {
        printf("SKIPPED: NIST %s is not installed (../shared/tools): quality not checked "
               "against it\n",
               want1 ? "NFIQ 1 (nbis/bin/nfiq)" : "NFIQ 2 (nfiq2/bin/nfiq2-score)");
        nist_close(&t);
        return SKIP;
    }
    g_autofree char *dir = data ? g_build_filename(data, "captures", NULL) : NULL;
    GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    if (d == NULL) {
        printf("SKIPPED: no shared captures (../shared/data/fingerprints/captures)\n");
        nist_close(&t);
        return SKIP;
    }
    if (rank) {
        g_dir_close(d);
        int rc = check_rank(&t, data);
        nist_close(&t);
        return rc;
    }
    fingerplan_settings s;
    fingerplan_default_settings(&s);
    bounds b = {s.threshold[FINGERPLAN_INDEX], 100, 0};
    for (int k = 1; k <= 5; k++) {
        b.lowest = s.threshold[k] < b.lowest ? s.threshold[k] : b.lowest;
        b.highest = s.threshold[k] > b.highest ? s.threshold[k] : b.highest;
    }
    printf("default thresholds: index %d, lowest %d, highest %d\n", b.index, b.lowest, b.highest);
    /* the captures sorted by name: a capture's place, from 1, seeds its copies (fingerkinds.h) */
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *e;
    while ((e = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(e, ".png"))
            g_ptr_array_add(files, g_strdup(e));
    g_ptr_array_sort(files, cmp_str);
    int checked = 0;
    for (guint i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autofree char *path = g_build_filename(dir, file, NULL);
        g_autofree char *name = g_strndup(file, strlen(file) - 4);
        fingerimg *img = NULL;
        if (fingerimg_load(path, &img, NULL) != BK_OK)
            continue;
        img = fingerkinds_at_500ppi(img, fingerkinds_png_ppi(path));
        if (img == NULL || (want1 && !nist_nfiq1_sized(img))) {
            fingerimg_free(img);
            continue;
        }
        int original = 0;
        if (want1) {
            const char *p = nist_write(&t, img, name);
            original = p ? nist_nfiq1(&t, p) : NIST_ERROR;
            check_nfiq1(&t, img, name, 0, &b);
        } else {
            check_nfiq2(&t, img, name, &b);
        }
        for (int k = 0; k < FINGERKINDS_N_DEGRADED; k++) {
            fingerimg *copy = fingerkinds_degrade(img, (fingerkinds_degraded)k, i + 1);
            g_autofree char *cname =
                g_strdup_printf("%s.%s", name, fingerkinds_degraded_str((fingerkinds_degraded)k));
            if (want1)
                check_nfiq1(&t, copy, cname, original > 0 ? original : 5, &b);
            else
                check_nfiq2(&t, copy, cname, &b);
            fingerimg_free(copy);
        }
        fingerimg_free(img);
        checked++;
    }
    g_dir_close(d);
    nist_close(&t);
    if (want1)
        expect_named_seen();
    /* NFIQ 2 scores 86 of the 114 images (captures and copies), NFIQ 1 rates all 54 of its scope:
     * under half means the tool measured (next to) nothing */
    printf("%s NIST %s measured %d of the %d images handed to it (at least half wanted)\n",
           measured * 2 >= given && measured > 0 ? "ok  " : "FAIL", want1 ? "NFIQ 1" : "NFIQ 2",
           measured, given);
    failures += measured * 2 < given || measured == 0;
    printf("%d captures and their degraded copies checked, %d failures\n", checked, failures);
    return failures || checked == 0 ? 1 : 0;
}
