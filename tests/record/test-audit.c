/* The audit log: a chain that verifies, and each of the four kinds of tampering named. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "record/audit.h"

static uint8_t pk[32], sk[64], hk[32];

/* Writes a log of n entries (a checkpoint every `every`) and returns its path. */
static char *make_log_every(const char *dir, int n, unsigned every)
{
    char *path = g_build_filename(dir, "audit.log", NULL);
    g_unlink(path);
    audit *a = NULL;
    char why[256];
    g_assert_cmpint(audit_open(path, sk, hk, every, &a, why, sizeof(why)), ==, BK_OK);
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

/* A log of n entries with a checkpoint every 4. */
static char *make_log(const char *dir, int n)
{
    return make_log_every(dir, n, 4);
}

/* The log at path opened for appending (a checkpoint every 4); the test fails if it cannot. */
static audit *open_log(const char *path)
{
    audit *a = NULL;
    char why[256];
    g_assert_cmpint(audit_open(path, sk, hk, 4, &a, why, sizeof(why)), ==, BK_OK);
    return a;
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

static void expect_with(const char *path, const audit_verify_options *o, const char *kind,
                        unsigned long seq)
{
    audit_report r = {0};
    g_assert_cmpint(audit_verify_with(path, pk, o, &r), ==, BK_ERR_CORRUPT);
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

static void expect(const char *path, const char *kind, unsigned long seq)
{
    expect_with(path, NULL, kind, seq);
}

/* The log verifies (any problems printed); *r its report, for audit_report_clear. */
static void verify_report(const char *path, const audit_verify_options *o, audit_report *r)
{
    *r = (audit_report){0};
    bk_err err = audit_verify_with(path, pk, o, r);
    for (size_t i = 0; i < r->n_problems; i++)
        g_test_message("%s: %s", r->problems[i].kind, r->problems[i].text);
    g_assert_cmpint(err, ==, BK_OK);
}

static void verifies(const char *path, const audit_verify_options *o)
{
    audit_report r;
    verify_report(path, o, &r);
    audit_report_clear(&r);
}

static void hash_body(const char *body, char hex[65])
{
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"biokiosk-audit-v1\n", 18);
    crypto_generichash_update(&st, (const uint8_t *)body, strlen(body));
    crypto_generichash_final(&st, h, 32);
    sodium_bin2hex(hex, 65, h, 32);
}

/* Drops the TAG of a split entry line (fields 0-8): it cannot be recomputed without the
 * kiosk's secret key, so a forger either drops it or keeps the old one (keep_tag). */
static void cut_hash_and_tag(char **f, int keep_tag, char **old_tag)
{
    g_assert_cmpuint(g_strv_length(f), ==, 9);
    *old_tag = keep_tag ? g_strdup(f[8]) : NULL;
    g_free(f[8]);
    f[8] = NULL;
    g_free(f[7]);
    f[7] = NULL;
}

/* The entry line from its hashed body, its new hash and the TAG it keeps (or none). */
static char *entry_line(const char *body, const char *hash, const char *tag)
{
    return tag ? g_strdup_printf("%s\t%s\t%s", body, hash, tag)
               : g_strdup_printf("%s\t%s", body, hash);
}

/* What someone who knows the construction (but not the kiosk's keys) does: drops every
 * checkpoint line, and recomputes PREV and HASH of every entry in file order. */
static void strip_and_rechain(char **lines)
{
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    size_t k = 0;
    for (size_t i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == 'S') {
            g_free(lines[i]);
            continue;
        }
        if (lines[i][0] == 'E') {
            char **f = g_strsplit(lines[i], "\t", -1);
            char *tag = NULL;
            cut_hash_and_tag(f, 0, &tag);
            g_free(f[6]);
            f[6] = g_strdup(prev);
            char *body = g_strjoinv("\t", f);
            hash_body(body, prev);
            g_free(lines[i]);
            lines[i] = entry_line(body, prev, NULL);
            g_free(body);
            g_strfreev(f);
        }
        lines[k++] = lines[i];
    }
    lines[k] = NULL;
}

/* Rewrites entry seq's detail (NULL: keeps it) and PREV (NULL: keeps it), recomputes its hash,
 * and keeps its old TAG or drops it: what someone who knows the construction but not the
 * kiosk's keys can do to the unsigned tail. The new hash goes to new_hash when not NULL. */
static void rechain_entry(char **lines, unsigned long seq, const char *detail, const char *prev,
                          int keep_tag, char new_hash[65])
{
    int i = line_of(lines, seq);
    char **f = g_strsplit(lines[i], "\t", -1);
    char *tag = NULL;
    cut_hash_and_tag(f, keep_tag, &tag);
    if (detail != NULL) {
        g_free(f[5]);
        f[5] = g_strdup(detail);
    }
    if (prev != NULL) {
        g_free(f[6]);
        f[6] = g_strdup(prev);
    }
    char *body = g_strjoinv("\t", f);
    char hex[65];
    hash_body(body, hex);
    g_free(lines[i]);
    lines[i] = entry_line(body, hex, tag);
    if (new_hash != NULL)
        memcpy(new_hash, hex, 65);
    g_free(body);
    g_free(tag);
    g_strfreev(f);
}

static void rewrite_entry(char **lines, unsigned long seq, const char *detail)
{
    rechain_entry(lines, seq, detail, NULL, 0, NULL);
}

static void test_rewritten_without_checkpoints(void)
{
    /* the reviewer's case: every checkpoint removed, an entry changed, the chain recomputed.
     * Chain and links are consistent again; only the missing signatures give it away */
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    audit_verify_options every4 = {.sign_every = 4};
    verifies(path, &every4);
    char **lines = read_lines(path);
    char *q = strstr(lines[line_of(lines, 3)], "quality=42");
    g_assert_nonnull(q);
    q[9] = '9';
    strip_and_rechain(lines);
    write_lines(path, lines);
    expect_with(path, &every4, "unsigned", 1);
    g_strfreev(lines);

    /* the same with the kiosk's default interval, as `biokiosk audit verify` checks it */
    g_free(path);
    path = make_log_every(dir, 40, AUDIT_DEFAULT_SIGN_EVERY);
    verifies(path, NULL);
    lines = read_lines(path);
    q = strstr(lines[line_of(lines, 20)], "quality=59");
    g_assert_nonnull(q);
    q[9] = '0';
    strip_and_rechain(lines);
    write_lines(path, lines);
    expect(path, "unsigned", 1);
    g_strfreev(lines);

    /* only the checkpoints in the middle removed, the entries rechained from there: the
     * stretch between the first and the closing checkpoint is too long */
    g_free(path);
    path = make_log(dir, 14);
    lines = read_lines(path);
    int k = 0;
    for (int i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == 'S' && !g_str_has_prefix(lines[i], "S\t4\t") &&
            !g_str_has_prefix(lines[i], "S\t14\t")) {
            g_free(lines[i]);
            continue;
        }
        lines[k++] = lines[i];
    }
    lines[k] = NULL;
    write_lines(path, lines);
    expect_with(path, &every4, "unsigned", 5);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_cut_tail(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    audit_verify_options o = {.sign_every = 4};
    /* the head a record written now would carry (2.126) */
    char head[65];
    unsigned long head_seq = 0;
    audit *a = open_log(path);
    g_assert_cmpint(audit_head(a, &head_seq, head), ==, BK_OK);
    audit_close(a);
    g_assert_cmpuint(head_seq, ==, 10);
    o.head_seq = head_seq;
    o.head_hash = head;
    verifies(path, &o);

    /* entries 9 and 10 cut off with their checkpoint, leaving the log ending on checkpoint 8:
     * the file alone is consistent, the record's head is not in it */
    char **lines = read_lines(path);
    int i9 = line_of(lines, 9);
    for (int j = i9; lines[j] != NULL; j++) {
        g_free(lines[j]);
        lines[j] = NULL;
    }
    lines[i9] = g_strdup(""); /* the file keeps its final newline */
    write_lines(path, lines);
    audit_verify_options no_head = {.sign_every = 4};
    verifies(path, &no_head); /* what cannot be seen locally */
    expect_with(path, &o, "removed", 10);

    /* cut in the middle of an unsigned stretch longer than the interval: seen locally */
    g_strfreev(lines);
    g_free(path);
    path = make_log_every(dir, 10, 100); /* one checkpoint at close, at 10 */
    lines = read_lines(path);
    int s = 0;
    while (lines[s] != NULL && lines[s][0] != 'S')
        s++;
    g_free(lines[s]);
    lines[s] = g_strdup("");
    g_free(lines[s + 1]);
    lines[s + 1] = NULL;
    write_lines(path, lines);
    expect_with(path, &o, "unsigned", 1);
    g_strfreev(lines);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_closed_mid_interval(void)
{
    /* a log closed after 6 entries (checkpoints at 4 and 6), reopened for 3 more and closed,
     * then 2 more written by a process that stopped without closing: all genuine */
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 6);
    audit_verify_options o = {.sign_every = 4};
    verifies(path, &o);
    audit *a = open_log(path);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(audit_append(a, "session.start", NULL, NULL), ==, BK_OK);
    audit_close(a);
    verifies(path, &o);
    /* a stop without close leaves up to `every` entries unsigned: still fine */
    a = open_log(path);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(audit_append(a, "session.start", NULL, NULL), ==, BK_OK);
    audit_report r;
    verify_report(path, &o, &r);
    g_assert_cmpuint(r.unsigned_tail, ==, 3);
    audit_report_clear(&r);
    audit_close(a);
    verifies(path, &o);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_stop_before_due_checkpoint(void)
{
    /* the process stopped right after the entry that made a checkpoint due: reopening signs
     * it first, so no stretch grows past the interval */
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 8);
    char **lines = read_lines(path);
    guint n = g_strv_length(lines);
    g_assert_true(g_str_has_prefix(lines[n - 2], "S\t8\t"));
    g_free(lines[n - 2]);
    lines[n - 2] = g_strdup("");
    g_free(lines[n - 1]);
    lines[n - 1] = NULL;
    write_lines(path, lines);
    g_strfreev(lines);
    audit *a = open_log(path);
    g_assert_cmpint(audit_append(a, "kiosk.start", NULL, NULL), ==, BK_OK);
    audit_close(a);
    audit_verify_options o = {.sign_every = 4};
    verifies(path, &o);
    g_unlink(path);
    g_rmdir(dir);
}

/* Two processes, each with its own handle, append at the same time (the kiosk and `outbox
 * export --audit`): the lock keeps one chain. */
static void test_two_writers(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 3);
    enum { WRITERS = 2, EACH = 60 };
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        g_assert_cmpint(pids[w], >=, 0);
        if (pids[w] == 0) {
            audit *a = NULL;
            char why[256];
            int bad = audit_open(path, sk, hk, 4, &a, why, sizeof(why)) != BK_OK;
            for (int i = 0; i < EACH && !bad; i++) {
                char detail[32];
                snprintf(detail, sizeof(detail), "writer=%d i=%d", w, i);
                bad = audit_append(a, w ? "record.exported" : "attempt", NULL, detail) != BK_OK;
            }
            audit_close(a);
            _exit(bad);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        g_assert_cmpint(waitpid(pids[w], &status, 0), ==, pids[w]);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    audit_report r;
    audit_verify_options o = {.sign_every = 4};
    verify_report(path, &o, &r);
    g_assert_cmpuint(r.entries, ==, 3 + WRITERS * EACH);
    audit_report_clear(&r);

    /* two handles in one process (separate open files) interleave just as well */
    audit *a = open_log(path), *b = open_log(path);
    for (int i = 0; i < 7; i++) {
        g_assert_cmpint(audit_append(a, "attempt", NULL, NULL), ==, BK_OK);
        g_assert_cmpint(audit_append(b, "record.exported", NULL, NULL), ==, BK_OK);
    }
    audit_close(a);
    audit_close(b);
    verifies(path, &o);
    g_unlink(path);
    g_rmdir(dir);
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
    audit *a = open_log(path);
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
    rewrite_entry(lines, 3, "step=2 quality=99");
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
    char hex[65];
    hash_body(body, hex);
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
    audit *a = open_log(path);
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

/* Removes the checkpoint line of entry seq. */
static void drop_checkpoint(char **lines, unsigned long seq)
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "S\t%lu\t", seq);
    int k = 0, dropped = 0;
    for (int i = 0; lines[i] != NULL; i++) {
        if (g_str_has_prefix(lines[i], prefix)) {
            g_free(lines[i]);
            dropped++;
            continue;
        }
        lines[k++] = lines[i];
    }
    lines[k] = NULL;
    g_assert_cmpint(dropped, ==, 1);
}

/* Opens the log at path, expecting a refusal whose reason contains `why_part`. */
static void open_refused(const char *path, const char *why_part)
{
    audit *b = NULL;
    char why[256] = "";
    g_assert_cmpint(audit_open(path, sk, hk, 4, &b, why, sizeof(why)), ==, BK_ERR_CORRUPT);
    g_test_message("refused: %s", why);
    g_assert_nonnull(strstr(why, why_part));
    g_assert_nonnull(strstr(why, "not extended"));
}

/* Issue 17: the last checkpoint removed and the entries after the one before rewritten, their
 * hashes recomputed. The chain from the checkpoint before links up and is short enough to look
 * like a genuine unsigned tail: only the TAGs (keyed from the kiosk's secret key, which the forger
 * lacks) show it. The kiosk must not open it, let alone sign it. */
static void test_rewritten_after_removed_checkpoint(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    for (int kind = 0; kind < 3; kind++) {
        /* 0: only the checkpoint removed (a genuine tail), 1: rewritten, tags dropped,
         * 2: rewritten, the old tags kept */
        g_autofree char *path = make_log(dir, 8); /* checkpoints after 4 and 8 */
        char **lines = read_lines(path);
        drop_checkpoint(lines, 8);
        if (kind > 0) {
            char h[65];
            rechain_entry(lines, 6, "veto=accept", NULL, kind == 2, h);
            rechain_entry(lines, 7, NULL, h, kind == 2, h);
            rechain_entry(lines, 8, NULL, h, kind == 2, h);
        }
        write_lines(path, lines);
        g_strfreev(lines);
        audit_verify_options every4 = {.sign_every = 4};
        /* the public chain cannot tell: 4 unsigned entries are what the kiosk may leave */
        verifies(path, &every4);
        audit_verify_options keyed = {.sign_every = 4, .kiosk_sk = sk};
        if (kind == 0) {
            verifies(path, &keyed);
            audit *b = open_log(path); /* continued, and the due checkpoint signed */
            g_assert_cmpint(audit_append(b, "session.start", NULL, NULL), ==, BK_OK);
            audit_close(b);
            verifies(path, &keyed);
            g_autofree char *text = NULL;
            g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
            g_assert_nonnull(strstr(text, "\nS\t8\t"));
        } else {
            expect_with(path, &keyed, kind == 1 ? "untagged" : "changed", 6);
            open_refused(path, "tag");
            g_autofree char *text = NULL;
            g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
            g_assert_null(strstr(text, "\nS\t8\t")); /* nothing signed */
        }
        g_unlink(path);
    }
    g_rmdir(dir);
}

/* An old checkpoint copied to the end: the kiosk would continue the chain from entry 4 (and fork
 * it) if it trusted the last checkpoint without looking at what it follows. */
static void test_copied_checkpoint_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 10);
    char **lines = read_lines(path);
    guint n = g_strv_length(lines);
    char *copy = NULL;
    for (guint i = 0; i < n && copy == NULL; i++)
        if (g_str_has_prefix(lines[i], "S\t4\t"))
            copy = g_strdup(lines[i]);
    g_assert_nonnull(copy);
    g_assert_cmpstr(lines[n - 1], ==, "");
    lines = g_renew(char *, lines, n + 2);
    g_free(lines[n - 1]);
    lines[n - 1] = copy;
    lines[n] = g_strdup("");
    lines[n + 1] = NULL;
    write_lines(path, lines);
    g_strfreev(lines);
    open_refused(path, "(moved or copied)");
    g_unlink(path);
    g_rmdir(dir);
}

/* A log written before tags: its signed entries stay valid and the kiosk continues it; an
 * unsigned stretch without tags is refused (stop the old version cleanly: it signs at close). */
static void test_untagged_log(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    for (int signed_tail = 1; signed_tail >= 0; signed_tail--) {
        g_autofree char *path = make_log(dir, 8);
        char **lines = read_lines(path);
        for (int i = 0; lines[i] != NULL; i++) {
            if (lines[i][0] != 'E')
                continue;
            char *last_tab = strrchr(lines[i], '\t');
            *last_tab = '\0';
        }
        if (!signed_tail)
            drop_checkpoint(lines, 8);
        write_lines(path, lines);
        g_strfreev(lines);
        audit_verify_options keyed = {.sign_every = 4, .kiosk_sk = sk};
        if (signed_tail) {
            verifies(path, &keyed);
            audit *b = open_log(path);
            g_assert_cmpint(audit_append(b, "session.start", NULL, NULL), ==, BK_OK);
            audit_close(b);
            verifies(path, &keyed);
        } else {
            expect_with(path, &keyed, "untagged", 5);
            open_refused(path, "no tag");
        }
        g_unlink(path);
    }
    g_rmdir(dir);
}

/* The tags checked with another kiosk's key: every one is refused (they bind the entries to the
 * kiosk that wrote them). */
static void test_tags_other_key(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 6);
    uint8_t other_pk[32], other[64];
    crypto_sign_keypair(other_pk, other);
    audit_verify_options keyed = {.sign_every = 4, .kiosk_sk = other};
    for (unsigned long seq = 1; seq <= 6; seq++)
        expect_with(path, &keyed, "changed", seq);
    g_unlink(path);
    g_rmdir(dir);
}

/* A NUL byte in the log hid every line after it from the checks (they read text): the writer
 * refuses the log, and verify names the line. */
static void test_nul_byte(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    for (int kind = 0; kind < 2; kind++) {
        g_autofree char *path = make_log(dir, 3);
        FILE *f = fopen(path, "a");
        g_assert_nonnull(f);
        /* a NUL alone, then more; or a NUL before a forged entry */
        fputc('\0', f);
        fputs(kind == 0 ? "\n" : "E\t4\tforged\n", f);
        g_assert_cmpint(fclose(f), ==, 0);
        open_refused(path, "NUL byte");
        expect(path, "malformed", 0);
        /* the line after it is read too */
        if (kind == 0) {
            f = fopen(path, "a");
            fputs("E\t4\tforged\n", f);
            g_assert_cmpint(fclose(f), ==, 0);
            audit_report r = {0};
            g_assert_cmpint(audit_verify(path, pk, &r), ==, BK_ERR_CORRUPT);
            g_assert_cmpuint(r.n_problems, ==, 2);
            audit_report_clear(&r);
        }
        g_unlink(path);
    }
    g_rmdir(dir);
}

/* A checkpoint copied to the end together with its entry: the copy's own placement holds, but
 * entries before it already have its number. */
static void test_copied_entry_and_checkpoint_refused(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 6); /* checkpoints after 4 and 6 */
    char **lines = read_lines(path);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_autofree char *copy =
        g_strdup_printf("%s%s\n%s\n", text, lines[line_of(lines, 4)], lines[line_of(lines, 4) + 1]);
    g_assert_true(g_str_has_prefix(lines[line_of(lines, 4) + 1], "S\t4\t"));
    g_strfreev(lines);
    g_assert_true(g_file_set_contents(path, copy, -1, NULL));
    open_refused(path, "copied to the end");
    g_unlink(path);
    g_rmdir(dir);
}

/* Issue 17: the kiosk checks the chain since the last signed checkpoint before it extends the
 * log, so it never signs a tail someone rewrote while it was running. */
static void test_rewritten_tail_not_signed(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    g_autofree char *path = make_log(dir, 8); /* checkpoint after entry 8 */
    audit *a = open_log(path);
    g_assert_cmpint(audit_append(a, "session.start", NULL, "step=9"), ==, BK_OK);
    g_assert_cmpint(audit_append(a, "staff.veto", NULL, "veto=reject"), ==, BK_OK);
    /* entry 10 rewritten in place with a recomputed hash: the chain still links up */
    char **lines = read_lines(path);
    rewrite_entry(lines, 10, "veto=accept");
    /* in place, into the file the kiosk holds open (same length, so the size says nothing) */
    char *text = g_strjoinv("\n", lines);
    FILE *f = fopen(path, "r+");
    g_assert_nonnull(f);
    g_assert_cmpuint(fwrite(text, 1, strlen(text), f), ==, strlen(text));
    g_assert_cmpint(fclose(f), ==, 0);
    g_free(text);
    g_strfreev(lines);
    g_assert_cmpint(audit_append(a, "session.end", NULL, NULL), ==, BK_ERR_CORRUPT);
    g_assert_cmpint(audit_checkpoint(a), ==, BK_ERR_CORRUPT);
    audit_close(a); /* its checkpoint is refused too */
    text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_null(strstr(text, "\nS\t10\t"));
    g_assert_null(strstr(text, "session.end"));
    g_free(text);
    g_unlink(path);
    g_rmdir(dir);
}

/* Opening a log whose tail after the last checkpoint does not hold together: refused, whatever
 * was done to it (an entry changed, a forged link, a checkpoint not the kiosk's). */
static void test_broken_tail_refused_on_open(void)
{
    g_autofree char *dir = g_dir_make_tmp("audit-XXXXXX", NULL);
    for (int kind = 0; kind < 4; kind++) {
        g_autofree char *path = make_log(dir, 6); /* checkpoints after 4 and 6 (the close) */
        char **lines = read_lines(path);
        /* without the closing checkpoint, as after a power cut: entries 5 and 6 unsigned */
        guint n = g_strv_length(lines);
        g_assert_true(n >= 2 && lines[n - 2][0] == 'S');
        g_free(lines[n - 2]);
        lines[n - 2] = lines[n - 1];
        lines[n - 1] = NULL;
        n--;
        int i = line_of(lines, 6);
        if (kind == 1) {
            char *q = strstr(lines[i], "quality=45");
            q[9] = '9'; /* changed, hash not recomputed */
        } else if (kind == 2) {
            rewrite_entry(lines, 5, "step=4 changed"); /* entry 6 no longer links to it */
        } else if (kind == 3) {
            /* a checkpoint over entry 6 signed with another key */
            uint8_t opk[32], osk[64], sig[64];
            crypto_sign_keypair(opk, osk);
            char **f = g_strsplit(lines[i], "\t", -1);
            GString *msg = g_string_new(NULL);
            g_string_printf(msg, "biokiosk-audit-sig-v1\n6\t%s", f[7]);
            crypto_sign_detached(sig, NULL, (const uint8_t *)msg->str, msg->len, osk);
            char hex[129];
            sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
            lines = g_renew(char *, lines, n + 2);
            g_free(lines[n - 1]); /* the empty string after the last newline */
            lines[n - 1] = g_strdup_printf("S\t6\t%s\t%s", f[7], hex);
            lines[n] = g_strdup("");
            lines[n + 1] = NULL;
            g_string_free(msg, TRUE);
            g_strfreev(f);
        }
        write_lines(path, lines);
        g_strfreev(lines);
        audit *b = NULL;
        char why[256] = "";
        bk_err err = audit_open(path, sk, hk, 4, &b, why, sizeof(why));
        if (kind == 0) {
            /* the untouched tail is continued (and signed) */
            g_assert_cmpint(err, ==, BK_OK);
            audit_close(b);
            verifies(path, NULL);
        } else {
            g_assert_cmpint(err, ==, BK_ERR_CORRUPT);
            g_test_message("kind %d: %s", kind, why);
            g_assert_nonnull(strstr(why, "not extended"));
        }
        g_unlink(path);
    }
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
    g_test_add_func("/audit/rewritten-without-checkpoints", test_rewritten_without_checkpoints);
    g_test_add_func("/audit/cut-tail", test_cut_tail);
    g_test_add_func("/audit/closed-mid-interval", test_closed_mid_interval);
    g_test_add_func("/audit/stop-before-due-checkpoint", test_stop_before_due_checkpoint);
    g_test_add_func("/audit/two-writers", test_two_writers);
    g_test_add_func("/audit/rewritten-tail-not-signed", test_rewritten_tail_not_signed);
    g_test_add_func("/audit/broken-tail-refused-on-open", test_broken_tail_refused_on_open);
    g_test_add_func("/audit/rewritten-after-removed-checkpoint",
                    test_rewritten_after_removed_checkpoint);
    g_test_add_func("/audit/copied-checkpoint-refused", test_copied_checkpoint_refused);
    g_test_add_func("/audit/untagged-log", test_untagged_log);
    g_test_add_func("/audit/tags-other-key", test_tags_other_key);
    g_test_add_func("/audit/nul-byte", test_nul_byte);
    g_test_add_func("/audit/copied-entry-and-checkpoint-refused",
                    test_copied_entry_and_checkpoint_refused);
    return g_test_run();
}
