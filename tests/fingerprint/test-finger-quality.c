/* The quality score refuses what is not a print: every kind of non-print made from every shared
 * capture (../shared/data/fingerprints/captures) scores below 10, the lowest default threshold.
 * One test per kind, named after it; each image is named capture.kind in the messages. */
#include <glib.h>
#include <stdio.h>

#include "fingerkinds.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"

#define MAX_CAPTURES 64

static fingerimg *captures[MAX_CAPTURES];
static char *names[MAX_CAPTURES];
static int n_captures;

static int cmp_str(const void *a, const void *b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static void load_captures(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return;
    const char *e;
    while ((e = g_dir_read_name(d)) != NULL && n_captures < MAX_CAPTURES)
        if (g_str_has_suffix(e, ".png"))
            names[n_captures++] = g_strdup(e);
    g_dir_close(d);
    qsort(names, (size_t)n_captures, sizeof *names, cmp_str);
    for (int i = 0; i < n_captures; i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        g_assert_cmpint(fingerimg_load(path, &captures[i], NULL), ==, BK_OK);
        names[i][strlen(names[i]) - 4] = '\0';
    }
}

static fingerfeat *analyse(const fingerimg *img)
{
    fingerfeat *f = NULL;
    g_assert_cmpint(fingerfeat_analyse(img->pix, img->width, img->height, &f), ==, BK_OK);
    return f;
}

static void test_kind(gconstpointer data)
{
    fingerkinds_nonprint kind = (fingerkinds_nonprint)GPOINTER_TO_INT(data);
    if (n_captures == 0) {
        g_test_skip("no shared captures (../shared/data/fingerprints/captures)");
        return;
    }
    int asserted = 0;
    for (int i = 0; i < n_captures; i++) {
        fingerimg *img = fingerkinds_nonprint_make(captures[i], kind, (uint32_t)(i + 1));
        g_assert_nonnull(img);
        fingerfeat *f = analyse(img);
        g_test_message("%s.%s: quality %d, %d minutiae", names[i], fingerkinds_nonprint_str(kind),
                       f->quality, f->n_minutiae);
        /* every kind of every capture, negatives too: those of prints that fill their frame
         * (the ex-* examples) or lie on a dark one (vfs7552) by the print's own polarity */
        g_assert_cmpint(f->quality, <, 10);
        asserted++;
        fingerfeat_free(f);
        fingerimg_free(img);
    }
    g_assert_cmpint(asserted, >, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *data = g_getenv("BIOKIOSK_FINGER_DATA");
    if (data != NULL) {
        g_autofree char *dir = g_build_filename(data, "captures", NULL);
        load_captures(dir);
    }
    for (int k = 0; k < FINGERKINDS_N_NONPRINT; k++) {
        g_autofree char *path = g_strdup_printf("/quality/non-print/%s",
                                                fingerkinds_nonprint_str((fingerkinds_nonprint)k));
        g_test_add_data_func(path, GINT_TO_POINTER(k), test_kind);
    }
    int rc = g_test_run();
    for (int i = 0; i < n_captures; i++) {
        fingerimg_free(captures[i]);
        g_free(names[i]);
    }
    return rc;
}
