/* The kiosk's records against NIST's own tools: ../shared/tools/nbis/check-an2k.sh (NBIS 5.0.0
 * an2k2txt, chkan2k and txt2an2k) reads each record the way the kiosk writes it and must print
 * PASS (known limitations of NBIS for 1-2011 files aside, listed in the script). Skipped loudly
 * (exit 77) when the tools are not there.
 *
 * The records are made by record_encode, the kiosk's own encoder, from sessions shaped as the
 * kiosk fills them (app/visit/kioskrec.c): the kiosk's quality score without a registered
 * algorithm (so no 14.024), a finger missing (14.018 AMP), an unusable one, a signature, and a
 * session without prints or photo. Besides NIST's verdict, the fields NIST's reader shows are
 * checked against ANSI/NIST-ITL 1-2011 (check_fields). 1.015 DCS (a name outside ASCII) is left
 * out: NBIS refuses every file with it, NIST's own samples too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/biomem.h"
#include "record/an2k.h"
#include "record/record.h"
#include "testimg.h"

#define PEN_POINTS 30

typedef struct kiosk_record {
    const char *name;
    bool face, prints, amputated, unable;
} kiosk_record;

static const kiosk_record cases[] = {
    {"full", true, true, false, false},
    {"finger-missing", true, true, true, false},
    {"finger-unable", true, true, false, true},
    {"signature-only", false, false, false, false},
};

static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d == NULL) {
        g_unlink(path);
        return;
    }
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *sub = g_build_filename(path, name, NULL);
        g_unlink(sub);
    }
    g_dir_close(d);
    g_rmdir(path);
}

/* Encodes one record as the kiosk would and writes the transaction to dir/NAME.an2. */
static char *write_record(const char *dir, const kiosk_record *k)
{
    size_t face_len = 0, len0 = 0, len1 = 0;
    uint8_t *face = testimg_jpeg(RECORD_FACE_WIDTH, RECORD_FACE_HEIGHT, 3, &face_len);
    uint8_t *p0 = testimg_print(400, 500, 4, &len0);
    uint8_t *p1 = testimg_print(416, 416, 5, &len1);
    record_point pts[2][PEN_POINTS];
    record_stroke strokes[2];
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < PEN_POINTS; i++)
            pts[s][i] = (record_point){8.0 + 2.0 * i + 30 * s, 12.0 + (i % 7) * 1.5 - 4 * s,
                                       0.3 + 0.02 * i, 10.0 * i + 400 * s};
        strokes[s] = (record_stroke){pts[s], PEN_POINTS};
    }
    record_exception exc[3];
    size_t n_exc = 0;
    /* the code follows the reason, not how long it lasts: an amputation marked temporary is XX,
     * a bandage marked permanent UP (a review found them the other way round) */
    if (k->amputated)
        exc[n_exc++] = (record_exception){"finger", 7, false, "amputated"};
    if (k->unable)
        exc[n_exc++] = (record_exception){"finger", 7, true, "bandaged"};
    if (!k->face)
        exc[n_exc++] = (record_exception){"photo", 0, false, "test"};
    if (!k->prints)
        exc[n_exc++] = (record_exception){"fingerprints", 0, false, "test"};
    record_session s = {
        .v_number = "3095069501",
        .surname = "Haddad",
        .given_names = "Lina",
        .birth_date = "1999-05-04",
        .category = RULES_CATEGORY_THIRD_COUNTRY,
        .appointment_code = "AB12-CD34",
        .desk = "DEN-HAAG",
        .kiosk_id = "DEN-HAAG-03",
        .staff_id = "NONE",
        .started = "20261122100000Z",
        .ended = "20261122100700Z",
        .photo = RULES_ACTION_CAPTURE,
        .fingerprints = RULES_ACTION_CAPTURE,
        .signature = RULES_ACTION_CAPTURE,
        .photo_reason = "No usable photo on file.",
        .fingerprints_reason = "No fingerprints on file.",
        .signature_reason = "Signature taken from age 12.",
        .face_jpeg = k->face ? face : NULL,
        .face_len = k->face ? face_len : 0,
        .strokes = strokes,
        .n_strokes = 2,
        .exceptions = exc,
        .n_exceptions = n_exc,
    };
    if (k->prints) {
        /* the kiosk's own quality score: no registered algorithm (app/visit/kioskrec.c) */
        s.fingers[0] = (record_finger){2, p0, len0, 57, 0, 0};
        s.fingers[1] = (record_finger){6, p1, len1, 48, 0, 0};
        s.n_fingers = 2;
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    char why[256] = "";
    bk_err err =
        record_encode(&s, "DEN-HAAG-03-20261122100700Z-0a1b2c3d", &out, &out_len, why, sizeof why);
    if (err != BK_OK)
        g_error("%s: the record was refused: %s", k->name, why);
    g_autofree char *file = g_strconcat(k->name, ".an2", NULL);
    char *path = g_build_filename(dir, file, NULL);
    g_assert_true(g_file_set_contents(path, (const char *)out, (gssize)out_len, NULL));
    biomem_free(out);
    g_free(face);
    g_free(p0);
    g_free(p1);
    return path;
}

/* Reports a problem with a record's fields; counts it. */
static int problem(const kiosk_record *k, const char *what)
{
    printf("FAILED %s: %s\n", k->name, what);
    return 1;
}

/* NIST's text form: one item a line, "R.F.S.I [T.FFF]=VALUE", the value ended by US. */

/* The vectored Type-8 of NIST's text form: the record whose 8.004 SRT is 2, its data as
 * an2k2txt wrote it (fld_R_8.tmp). */
static uint8_t *vectors(const char *keep, const char *text, size_t *len)
{
    const char *at = strstr(text, " [8.004]=2\x1f\n");
    if (at == NULL)
        return NULL;
    const char *line = at;
    while (line > text && line[-1] != '\n')
        line--;
    int rec = atoi(line);
    g_autofree char *name = g_strdup_printf("fld_%d_8.tmp", rec);
    g_autofree char *path = g_build_filename(keep, name, NULL);
    char *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL))
        return NULL;
    *len = n;
    return (uint8_t *)data;
}

/* What NIST's reader (an2k2txt's text form) shows of the standard's fields: 1.002 the version
 * the record follows, no 14.024 FQM without a registered algorithm, 14.018 AMP for a missing
 * (XX) or unusable (UP) finger, the Type-8 vectors with Y upwards and an end-of-vectors (255)
 * last. */
static int check_fields(const kiosk_record *k, const char *keep)
{
    g_autofree char *out_txt = g_build_filename(keep, "out.txt", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(out_txt, &text, NULL, NULL))
        return problem(k, "NIST's reader wrote no text form");
    int bad = 0;
    if (strstr(text, " [1.002]=0500\x1f\n") == NULL)
        bad += problem(k, "1.002 is not 0500 (ANSI/NIST-ITL 1-2011)");
    if (strstr(text, " [14.024]=") != NULL)
        bad += problem(k, "14.024 FQM without a registered quality algorithm");
    bool xx = strstr(text, " [14.018]=7\x1f\n") && strstr(text, " [14.018]=XX\x1f\n");
    bool up = strstr(text, " [14.018]=7\x1f\n") && strstr(text, " [14.018]=UP\x1f\n");
    if (k->amputated != xx || k->unable != up)
        bad += problem(k, "14.018 AMP does not say which finger is missing (XX) or unusable (UP)");
    size_t len = 0;
    g_autofree uint8_t *v = vectors(keep, text, &len);
    if (v == NULL || len < 15 || len % 5 != 0)
        return bad + problem(k, "no vectored Type-8 signature");
    if (v[len - 1] != 255 || v[len - 6] != 0)
        bad += problem(k, "the vectors do not end with a pen-up and the end of vectors (255)");
    /* the first stroke goes down the pad at its first step: Y (upwards) must fall */
    unsigned y0 = (unsigned)v[2] << 8 | v[3], y1 = (unsigned)v[7] << 8 | v[8];
    if (!(y1 < y0))
        bad += problem(k, "Type-8 Y does not increase upwards");
    return bad;
}

int main(void)
{
    const char *shared = g_getenv("BIOKIOSK_SHARED");
    g_autofree char *script =
        g_build_filename(shared ? shared : "../shared", "tools", "nbis", "check-an2k.sh", NULL);
    g_autofree char *chk =
        g_build_filename(shared ? shared : "../shared", "tools", "nbis", "bin", "chkan2k", NULL);
    if (!g_file_test(script, G_FILE_TEST_IS_EXECUTABLE) ||
        !g_file_test(chk, G_FILE_TEST_IS_EXECUTABLE)) {
        printf("SKIP: NIST's NBIS tools are not at %s (../shared/tools/nbis): the kiosk's records "
               "were NOT checked against NIST's reader and checker\n",
               script);
        return 77;
    }
    g_autofree char *dir = g_dir_make_tmp("biokiosk-nist-XXXXXX", NULL);
    g_assert_nonnull(dir);
    int failed = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = write_record(dir, &cases[i]);
        g_autofree char *keep = g_strconcat(path, ".nist", NULL);
        const char *argv[] = {"/bin/sh", script, path, "-v", "--keep", keep, NULL};
        g_autofree char *out = NULL;
        int status = 0;
        GError *error = NULL;
        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                          NULL, &status, &error))
            g_error("check-an2k.sh: %s", error->message);
        printf("%s", out);
        bool pass = g_spawn_check_wait_status(status, NULL) && g_str_has_prefix(out, "PASS ");
        if (!pass) {
            printf("FAILED: %s\n", cases[i].name);
            failed++;
        } else {
            failed += check_fields(&cases[i], keep) > 0;
        }
        g_unlink(path);
        remove_tree(keep);
    }
    g_rmdir(dir);
    printf("%d of %zu kiosk records pass NIST's check\n", (int)G_N_ELEMENTS(cases) - failed,
           G_N_ELEMENTS(cases));
    return failed ? 1 : 0;
}
