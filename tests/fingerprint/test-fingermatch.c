/* The comparison on real prints (../shared/data/fingerprints; skipped without it): one score
 * per pair whatever its order, prepared prints giving the results of the features, and the card's
 * rolled prints compared on their central minutiae. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "core/biomem.h"
#include "fingerkinds.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"
#include "imaging/fingermatch.h"

#define MAX_PRINTS 48
#define COMPARED   150 /* fingermatch.c's MAX_COMPARED */

typedef struct prints {
    int n;
    char *name[MAX_PRINTS];
    fingerfeat *feat[MAX_PRINTS];
} prints;

/* The prints of data/SUB whose names start with prefix (sorted), at 500 ppi, with each capture's
 * turned and moved copy when copies is set; false (the test skipped) without the data. */
static gboolean load(prints *p, const char *sub, const char *prefix, gboolean copies)
{
    memset(p, 0, sizeof *p);
    const char *data = g_getenv("BIOKIOSK_FINGER_DATA");
    g_autofree char *dir = data ? g_build_filename(data, sub, NULL) : NULL;
    GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    if (d == NULL) {
        g_test_skip("no ../shared/data/fingerprints");
        return FALSE;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(d)) != NULL;)
        if (g_str_has_prefix(n, prefix) && g_str_has_suffix(n, ".png") && !strstr(n, "slap"))
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len && p->n + 2 <= MAX_PRINTS; i++) {
        const char *n = *(char **)&names->pdata[i];
        g_autofree char *path = g_build_filename(dir, n, NULL);
        fingerimg *img = NULL;
        g_assert_cmpint(fingerimg_load(path, &img, NULL), ==, BK_OK);
        img = fingerkinds_at_500ppi(img, fingerkinds_png_ppi(path));
        g_assert_nonnull(img);
        for (int copy = 0; copy <= (copies ? 1 : 0); copy++) {
            fingerimg *use = copy ? fingerkinds_transform(img, 7, -6, 10, 0.1) : img;
            g_assert_cmpint(fingerfeat_analyse(use->pix, use->width, use->height, &p->feat[p->n]),
                            ==, BK_OK);
            p->name[p->n++] = g_strdup_printf("%s%s", n, copy ? " (turned copy)" : "");
            if (copy)
                fingerimg_free(use);
        }
        fingerimg_free(img);
    }
    g_ptr_array_unref(names);
    g_assert_cmpint(p->n, >, 1);
    return TRUE;
}

static void unload(prints *p)
{
    for (int i = 0; i < p->n; i++) {
        fingerfeat_free(p->feat[i]);
        g_free(p->name[i]);
    }
}

static int index_of(const prints *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return i;
    g_assert_not_reached();
}

/* Where the alignment r puts point (x, y) of a's. */
static void apply(const fingermatch_result *r, double x, double y, double *ox, double *oy)
{
    *ox = cos(r->angle) * x - sin(r->angle) * y + r->dx;
    *oy = sin(r->angle) * x + cos(r->angle) * y + r->dy;
}

/* Every pair of the shared captures and each against its turned copy, both ways round: the same
 * score and pairs, and alignments that undo each other. The comparison turned a's minutiae onto
 * b's and looked a's neighbourhoods up among b's: 217 of bench-finger's 621 pairs scored
 * differently the other way round. */
static void test_symmetric(void)
{
    prints p;
    if (!load(&p, "captures", "", TRUE))
        return;
    int pairs = 0, matched = 0, differ = 0, undone = 0, unpaired = 0;
    for (int i = 0; i < p.n; i++) {
        for (int j = i + 1; j < p.n; j++) {
            fingermatch_result ab, ba;
            g_assert_cmpint(fingermatch_compare(p.feat[i], p.feat[j], &ab), ==, BK_OK);
            g_assert_cmpint(fingermatch_compare(p.feat[j], p.feat[i], &ba), ==, BK_OK);
            pairs++;
            if (ab.score != ba.score || ab.paired != ba.paired) {
                g_test_message("%s vs %s: %d (%d pairs), the other way %d (%d)", p.name[i],
                               p.name[j], ab.score, ab.paired, ba.score, ba.paired);
                differ++;
                continue;
            }
            if (ab.paired == 0) {
                unpaired++;
                continue;
            }
            /* a point of a's taken to b's and back lands where it was */
            double x, y, bx, by;
            apply(&ab, 100, 150, &x, &y);
            apply(&ba, x, y, &bx, &by);
            undone += fabs(bx - 100) + fabs(by - 150) < 0.05;
            matched += ab.score >= FINGERMATCH_DEFAULT_THRESHOLD;
        }
    }
    g_test_message("%d pairs scored differently the other way round", differ);
    g_assert_cmpint(differ, ==, 0);
    g_assert_cmpint(undone, ==, pairs - differ - unpaired);
    g_test_message("%d pairs, %d of them matching, scored alike both ways", pairs, matched);
    g_assert_cmpint(matched, >, 0); /* the copies: not only pairs that score 0 */
    unload(&p);
}

/* Prints prepared once and compared with many others, in any order and again, give the results
 * of fingermatch_compare() on the features (prepared prints hold no state of a comparison); the
 * check on prepared prints gives fingermatch_check()'s verdict. */
static void test_prepared(void)
{
    prints p;
    if (!load(&p, "captures", "", TRUE))
        return;
    fingermatch_print *m[MAX_PRINTS];
    for (int i = 0; i < p.n; i++)
        g_assert_cmpint(fingermatch_prepare(p.feat[i], &m[i]), ==, BK_OK);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < p.n; i++) {
            for (int j = 0; j < p.n; j++) {
                int a = round ? p.n - 1 - i : i, b = round ? (j * 7) % p.n : j;
                fingermatch_result want, got;
                g_assert_cmpint(fingermatch_compare(p.feat[a], p.feat[b], &want), ==, BK_OK);
                g_assert_cmpint(fingermatch_compare_prepared(m[a], m[b], &got), ==, BK_OK);
                g_assert_cmpmem(&got, sizeof got, &want, sizeof want);
            }
        }
    }
    /* the check: a turned copy of ex-loop-right against kept prints including ex-loop-right */
    int copy = index_of(&p, "ex-loop-right.png (turned copy)");
    const fingerfeat *kept[FINGERPLAN_FINGERS] = {0};
    const fingermatch_print *kept_m[FINGERPLAN_FINGERS] = {0};
    for (int f = 2; f <= 6; f++) {
        int k = index_of(&p, f == 4   ? "ex-loop-right.png"
                             : f == 2 ? "ex-arch.png"
                             : f == 3 ? "ex-whorl.png"
                             : f == 5 ? "ex-tented_arch.png"
                                      : "nist-500ppi.png");
        kept[f] = p.feat[k];
        kept_m[f] = m[k];
    }
    fingerplan_check want, got;
    g_assert_cmpint(
        fingermatch_check(p.feat[copy], 1, kept, NULL, FINGERMATCH_DEFAULT_THRESHOLD, &want), ==,
        BK_OK);
    g_assert_cmpint(
        fingermatch_check_prepared(m[copy], 1, kept_m, NULL, FINGERMATCH_DEFAULT_THRESHOLD, &got),
        ==, BK_OK);
    g_assert_cmpint(want.result, ==, FINGERPLAN_SAME_FINGER);
    g_assert_cmpint(want.other, ==, 4);
    g_assert_cmpmem(&got, sizeof got, &want, sizeof want);
    g_assert_true(fingermatch_print_features(m[copy]) == p.feat[copy]);
    for (int i = 0; i < p.n; i++)
        fingermatch_print_free(m[i]);
    fingermatch_print_free(NULL);
    unload(&p);
}

/* A copy of f whose minutiae beyond the `keep` nearest the centre of them all (ties by index)
 * point the other way: the same positions, so the same centre and the same nearest ones. */
static fingerfeat *outer_turned(const fingerfeat *f, int keep)
{
    fingerfeat *c = g_memdup2(f, sizeof *f);
    c->minutiae = biomem_calloc((size_t)f->n_minutiae, sizeof *c->minutiae);
    memcpy(c->minutiae, f->minutiae, sizeof *c->minutiae * (size_t)f->n_minutiae);
    c->mask = g_memdup2(f->mask, (gsize)f->bw * (gsize)f->bh);
    double sx = 0, sy = 0;
    for (int i = 0; i < f->n_minutiae; i++) {
        sx += f->minutiae[i].x;
        sy += f->minutiae[i].y;
    }
    float cx = (float)(sx / f->n_minutiae), cy = (float)(sy / f->n_minutiae);
    float *d2 = g_new(float, f->n_minutiae);
    for (int i = 0; i < f->n_minutiae; i++) {
        float dx = f->minutiae[i].x - cx, dy = f->minutiae[i].y - cy;
        d2[i] = dx * dx + dy * dy;
    }
    for (int i = 0; i < f->n_minutiae; i++) {
        int before = 0;
        for (int k = 0; k < f->n_minutiae; k++)
            before += d2[k] < d2[i] || (d2[k] == d2[i] && k < i);
        if (before >= keep)
            c->minutiae[i].angle = fmodf(c->minutiae[i].angle + (float)G_PI, 2 * (float)G_PI);
    }
    g_free(d2);
    return c;
}

static void free_copy(fingerfeat *c)
{
    biomem_free(c->minutiae);
    g_free(c->mask);
    g_free(c);
}

/* The card's prints (222-400 minutiae) are compared on the COMPARED minutiae nearest the centre
 * of theirs: turning every other one round changes no result (before, all were compared: the
 * scores changed). The plain and rolled prints of CARD_FINGER match on our minutiae; no two
 * different fingers of the card match. */
#define CARD_PLAIN  "tpcard_fgp07_plain_nistcrop.png"
#define CARD_ROLLED "tpcard_fgp07_rolled.png"
static void test_card_central(void)
{
    prints p;
    if (!load(&p, "nist/tpcard", "tpcard_", FALSE))
        return;
    int plain = index_of(&p, CARD_PLAIN), rolled = index_of(&p, CARD_ROLLED), changed = 0;
    for (int i = 0; i < p.n; i++) {
        if (p.feat[i]->n_minutiae <= COMPARED)
            continue;
        fingerfeat *t = outer_turned(p.feat[i], COMPARED);
        for (int j = 0; j < p.n; j++) {
            fingermatch_result want, got;
            g_assert_cmpint(fingermatch_compare(p.feat[j], p.feat[i], &want), ==, BK_OK);
            g_assert_cmpint(fingermatch_compare(p.feat[j], t, &got), ==, BK_OK);
            changed += memcmp(&want, &got, sizeof got) != 0;
        }
        free_copy(t);
    }
    g_test_message("comparisons changed by turning the minutiae beyond the central %d: %d",
                   COMPARED, changed);
    g_assert_cmpint(changed, ==, 0);
    fingermatch_result r;
    g_assert_cmpint(fingermatch_compare(p.feat[plain], p.feat[rolled], &r), ==, BK_OK);
    g_test_message("%s vs %s: %d (%d pairs)", CARD_PLAIN, CARD_ROLLED, r.score, r.paired);
    g_assert_cmpint(r.score, >=, FINGERMATCH_DEFAULT_THRESHOLD);
    int highest = 0;
    for (int i = 0; i < p.n; i++) {
        for (int j = i + 1; j < p.n; j++) {
            if (strncmp(p.name[i], p.name[j], strlen("tpcard_fgp00")) == 0)
                continue; /* one finger */
            g_assert_cmpint(fingermatch_compare(p.feat[i], p.feat[j], &r), ==, BK_OK);
            highest = MAX(highest, r.score);
        }
    }
    g_test_message("the card's different fingers: highest score %d", highest);
    g_assert_cmpint(highest, <, FINGERMATCH_DEFAULT_THRESHOLD);
    unload(&p);
}

/* A copy of f (free_copy). */
static fingerfeat *copy_of(const fingerfeat *f)
{
    fingerfeat *c = g_memdup2(f, sizeof *f);
    c->minutiae = biomem_calloc((size_t)f->n_minutiae + 1, sizeof *c->minutiae);
    memcpy(c->minutiae, f->minutiae, sizeof *c->minutiae * (size_t)f->n_minutiae);
    c->mask = g_memdup2(f->mask, (gsize)f->bw * (gsize)f->bh);
    return c;
}

/* A minutia whose position or direction is not a number is refused (BK_ERR_INVALID), by
 * preparing and by comparing; before, a print of more than 150 minutiae with one NaN kept all of
 * them in the room made for 150 (a heap overrun under ASan). A print of 225 minutiae on a lattice
 * around its centre (many exactly as far from it) keeps 150 and compares with itself. */
static void test_not_finite(void)
{
    prints p;
    if (!load(&p, "nist/tpcard", "tpcard_fgp07_", FALSE))
        return;
    const fingerfeat *f = p.feat[index_of(&p, CARD_ROLLED)];
    g_assert_cmpint(f->n_minutiae, >, COMPARED);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int field = 0; field < 3; field++) {
        for (size_t k = 0; k < G_N_ELEMENTS(bad); k++) {
            fingerfeat *c = copy_of(f);
            float *v = field == 0   ? &c->minutiae[7].x
                       : field == 1 ? &c->minutiae[7].y
                                    : &c->minutiae[7].angle;
            *v = bad[k];
            fingermatch_print *pp = NULL;
            fingermatch_result r;
            g_assert_cmpint(fingermatch_prepare(c, &pp), ==, BK_ERR_INVALID);
            g_assert_null(pp);
            g_assert_cmpint(fingermatch_compare(c, f, &r), ==, BK_ERR_INVALID);
            g_assert_cmpint(fingermatch_compare(f, c, &r), ==, BK_ERR_INVALID);
            free_copy(c);
        }
    }
    /* ties: 225 minutiae on a square lattice of 12 px around the print's middle (its own centre:
     * many exactly as far from it as others) */
    fingerfeat *lat = copy_of(f);
    biomem_free(lat->minutiae);
    lat->minutiae = biomem_calloc(225, sizeof *lat->minutiae);
    lat->n_minutiae = 0;
    float cx = (float)f->width / 2, cy = (float)f->height / 2;
    for (int i = -7; i <= 7; i++)
        for (int j = -7; j <= 7; j++) {
            fingerfeat_minutia *m = &lat->minutiae[lat->n_minutiae++];
            m->x = cx + (float)(i * 12);
            m->y = cy + (float)(j * 12);
            m->angle = (float)(((i + 7) * 5 + (j + 7) * 3) % 12) * (float)G_PI / 6;
            m->kind = (i + j) % 2 ? FINGERFEAT_ENDING : FINGERFEAT_BIFURCATION;
        }
    fingermatch_result r;
    g_assert_cmpint(fingermatch_compare(lat, lat, &r), ==, BK_OK);
    g_test_message("a lattice of 225 minutiae against itself: %d (%d pairs)", r.score, r.paired);
    g_assert_cmpint(r.paired, <=, COMPARED);
    g_assert_cmpint(r.score, >=, FINGERMATCH_DEFAULT_THRESHOLD);
    free_copy(lat);
    unload(&p);
}

/* Two prints of the same number of minutiae are put in order by their content: a print against
 * the same print with its minutiae in another order (same count, other bytes), both ways round,
 * gives one score and alignments that undo each other. */
static void test_order_ties(void)
{
    prints p;
    if (!load(&p, "captures", "", FALSE))
        return;
    int tried = 0;
    for (int i = 0; i < p.n; i++) {
        const fingerfeat *f = p.feat[i];
        if (f->n_minutiae < 15)
            continue;
        fingerfeat *c = copy_of(f);
        for (int k = 0; k < c->n_minutiae / 2; k++) { /* reversed */
            fingerfeat_minutia t = c->minutiae[k];
            c->minutiae[k] = c->minutiae[c->n_minutiae - 1 - k];
            c->minutiae[c->n_minutiae - 1 - k] = t;
        }
        fingerfeat *shifted = copy_of(f); /* the same minutiae moved: another alignment */
        for (int k = 0; k < shifted->n_minutiae; k++)
            shifted->minutiae[k].x += 5;
        const fingerfeat *other[2] = {c, shifted};
        for (int o = 0; o < 2; o++) {
            fingermatch_result ab, ba;
            g_assert_cmpint(fingermatch_compare(f, other[o], &ab), ==, BK_OK);
            g_assert_cmpint(fingermatch_compare(other[o], f, &ba), ==, BK_OK);
            g_assert_cmpint(ab.score, ==, ba.score);
            g_assert_cmpint(ab.paired, ==, ba.paired);
            g_assert_cmpint(ab.score, >=, FINGERMATCH_DEFAULT_THRESHOLD);
            double x, y, bx, by;
            apply(&ab, 100, 150, &x, &y);
            apply(&ba, x, y, &bx, &by);
            g_assert_cmpfloat(fabs(bx - 100) + fabs(by - 150), <, 0.05);
        }
        free_copy(c);
        free_copy(shifted);
        tried++;
    }
    g_test_message("%d prints against copies of the same count, both ways round", tried);
    g_assert_cmpint(tried, >, 5);
    unload(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fingermatch/symmetric", test_symmetric);
    g_test_add_func("/fingermatch/prepared", test_prepared);
    g_test_add_func("/fingermatch/card-central", test_card_central);
    g_test_add_func("/fingermatch/not-finite", test_not_finite);
    g_test_add_func("/fingermatch/order-ties", test_order_ties);
    int status = g_test_run();
    g_assert_cmpuint(biomem_live_count(), ==, 0);
    return status;
}
