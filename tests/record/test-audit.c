/* The audit log: a chain that verifies, and each of the four kinds of tampering named. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "audit.h"

static uint8_t pk[32], sk[64], hk[32];

/* Writes a log of n entries (a checkpoint every 4) and returns its lines. */
static char *make_log(const char *dir, int n)
{
    char *path = g_build_filename(dir, "audit.log", NULL);
    g_unlink(path);
    audit *a = NULL;
    char why[256];
    g_assert_cmpint(audit_open(path, sk, hk, 4, &a, why, sizeof(why)), ==, BK_OK);
    for (int i = 0; i < n; i++) {
        char detail[64];
        snprintf(detail, sizeof(detail), "step=%d quality=%d", i, 40 + i);
        g_assert_cmpint(audit_append(a, i % 2 ? "finger.attempt" : "session.start",
                                     i % 3 ? "1234567890" : NULL, detail),
                        ==, BK_OK);
    }
    audit_close(a);
    return path;
}

static char **read_lines(const char *path)
{
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    return lines;
}

static void write_lines(const char *path, char **lines)
{
    char *text = g_strjoinv("\n", lines);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_free(text);
}

/* Index of the line holding entry `seq`. */
static int line_of(char **lines, unsigned long seq)
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "E\t%lu\t", seq);
    for (int i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix(lines[i], prefix))
            return i;
    g_assert_not_reached();
    return -1;
}

static void expect(const char *path, const char *kind, unsigned long seq)
{
    audit_report r = {0};
    g_assert_cmpint(audit_verify(path, pk, &r), ==, BK_ERR_CORRUPT);
    gboolean found = FALSE;
    for (size_t i = 0; i < r.n_problems; i++) {
        g_test_message("%s: %s", r.problems[i].kind, r.problems[i].text);
        if (strcmp(r.problems[i].kind, kind) == 0 && r.problems[i].seq == seq)
            found = TRUE;
    }
    if (!found)
        g_error("expected a '%s' problem for entry %lu", kind, seq);
    audit_report_clear(&r);
}

static void test_clean_log(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    audit_report r = {0};
    g_assert_cmpint(audit_verify(path, pk, &r), ==, BK_OK);
    g_assert_cmpuint(r.entries, ==, 10);
    g_assert_cmpuint(r.checkpoints, ==, 3); /* after 4, 8, and on close at 10 */
    g_assert_cmpuint(r.unsigned_tail, ==, 0);
    audit_report_clear(&r);

    /* the V-number is never in the log, only its keyed hash */
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_null(strstr(text, "1234567890"));
    char subject[33];
    audit_subject(hk, "1234567890", subject);
    g_assert_nonnull(strstr(text, subject));
    g_free(text);

    /* reopening continues the chain */
    audit *a = NULL;
    char why[256];
    g_assert_cmpint(audit_open(path, sk, hk, 4, &a, why, sizeof(why)), ==, BK_OK);
    g_assert_cmpint(audit_append(a, "record.written", NULL, "tcn=K-1"), ==, BK_OK);
    g_assert_cmpint(audit_append(a, "BAD EVENT", NULL, NULL), ==, BK_ERR_INVALID);
    g_assert_cmpint(audit_append(a, "x", NULL, "tab\there"), ==, BK_ERR_INVALID);
    audit_close(a);
    g_assert_cmpint(audit_verify(path, pk, &r), ==, BK_OK);
    g_assert_cmpuint(r.entries, ==, 11);
    audit_report_clear(&r);

    /* another kiosk's key does not verify the checkpoints */
    uint8_t other_pk[32], other_sk[64];
    crypto_sign_keypair(other_pk, other_sk);
    g_assert_cmpint(audit_verify(path, other_pk, &r), ==, BK_ERR_CORRUPT);
    g_assert_cmpstr(r.problems[0].kind, ==, "signature");
    audit_report_clear(&r);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_changed(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    char **lines = read_lines(path);
    int i = line_of(lines, 6);
    char *q = strstr(lines[i], "quality=45");
    g_assert_nonnull(q);
    q[9] = '9'; /* quality=49 */
    write_lines(path, lines);
    expect(path, "changed", 6);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_changed_with_recomputed_hash(void)
{
    /* someone who knows the hash construction rewrites entry 3 and its hash: the next link and
     * the signed checkpoint still give it away */
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    char **lines = read_lines(path);
    int i = line_of(lines, 3);
    char **f = g_strsplit(lines[i], "\t", -1);
    g_free(f[5]);
    f[5] = g_strdup("step=2 quality=99");
    g_free(f[7]);
    f[7] = NULL;
    char *body = g_strjoinv("\t", f);
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"biokiosk-audit-v1\n", 18);
    crypto_generichash_update(&st, (const uint8_t *)body, strlen(body));
    crypto_generichash_final(&st, h, 32);
    char hex[65];
    sodium_bin2hex(hex, sizeof(hex), h, 32);
    g_free(lines[i]);
    lines[i] = g_strdup_printf("%s\t%s", body, hex);
    g_free(body);
    g_strfreev(f);
    write_lines(path, lines);
    expect(path, "changed", 3);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_removed(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    char **lines = read_lines(path);
    int i = line_of(lines, 7);
    g_free(lines[i]);
    for (int j = i; lines[j] != NULL; j++)
        lines[j] = lines[j + 1];
    write_lines(path, lines);
    expect(path, "removed", 7);

    /* a forged entry with an enormous number costs nothing to check */
    FILE *f = fopen(path, "a");
    fprintf(f, "E\t999999999999\t2026-11-22T10:00:00Z\tx\t-\t-\t%064d\t%064d\n", 0, 0);
    fclose(f);
    expect(path, "changed", 999999999999ul);
    expect(path, "removed", 11);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_reordered(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    char **lines = read_lines(path);
    int a = line_of(lines, 2), b = line_of(lines, 3);
    char *t = lines[a];
    lines[a] = lines[b];
    lines[b] = t;
    write_lines(path, lines);
    expect(path, "reordered", 2);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_inserted(void)
{
    /* a forged entry 6 between entries 5 and 6, linked to entry 5 with a correct own hash */
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    char **lines = read_lines(path);
    int i5 = line_of(lines, 5), i6 = line_of(lines, 6);
    char **f5 = g_strsplit(lines[i5], "\t", -1);
    char *body =
        g_strdup_printf("E\t6\t2026-11-22T10:00:00Z\tstaff.veto\t-\tveto=accept\t%s", f5[7]);
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"biokiosk-audit-v1\n", 18);
    crypto_generichash_update(&st, (const uint8_t *)body, strlen(body));
    crypto_generichash_final(&st, h, 32);
    char hex[65];
    sodium_bin2hex(hex, sizeof(hex), h, 32);
    guint n = g_strv_length(lines);
    char **out = g_new0(char *, n + 2);
    for (guint j = 0, k = 0; j < n; j++) {
        if ((int)j == i6)
            out[k++] = g_strdup_printf("%s\t%s", body, hex);
        out[k++] = g_strdup(lines[j]);
    }
    write_lines(path, out);
    audit_report r = {0};
    g_assert_cmpint(audit_verify(path, pk, &r), ==, BK_ERR_CORRUPT);
    g_assert_cmpuint(r.n_problems, >=, 1);
    g_assert_cmpstr(r.problems[0].kind, ==, "inserted");
    g_assert_cmpuint(r.problems[0].line, ==, (size_t)i6 + 1);
    audit_report_clear(&r);
    g_free(body);
    g_strfreev(f5);
    g_strfreev(out);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_partial_last_line(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 5);
    FILE *f = fopen(path, "a");
    fputs("E\t6\t2026-11-22T10:00:00Z\tsession.st", f); /* power lost mid-append */
    fclose(f);
    audit *a = NULL;
    char why[256];
    g_assert_cmpint(audit_open(path, sk, hk, 4, &a, why, sizeof(why)), ==, BK_OK);
    g_assert_cmpint(audit_append(a, "session.end", NULL, NULL), ==, BK_OK);
    audit_close(a);
    audit_report r = {0};
    g_assert_cmpint(audit_verify(path, pk, &r), ==, BK_OK);
    g_assert_cmpuint(r.entries, ==, 7); /* 5, audit.recovered, session.end */
    audit_report_clear(&r);
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "\taudit.recovered\t-\tdropped_bytes=35\t"));
    g_assert_null(strstr(text, "session.st\t"));
    g_free(text);
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* the recovery of a cut-off line is logged as a warning, which tests make fatal */
    g_log_set_always_fatal(G_LOG_FATAL_MASK);
    g_assert_cmpint(sodium_init(), >=, 0);
    crypto_sign_keypair(pk, sk);
    randombytes_buf(hk, sizeof(hk));
    g_test_add_func("/audit/clean", test_clean_log);
    g_test_add_func("/audit/changed", test_changed);
    g_test_add_func("/audit/changed-rehashed", test_changed_with_recomputed_hash);
    g_test_add_func("/audit/removed", test_removed);
    g_test_add_func("/audit/reordered", test_reordered);
    g_test_add_func("/audit/inserted", test_inserted);
    g_test_add_func("/audit/partial-last-line", test_partial_last_line);
    return g_test_run();
}
