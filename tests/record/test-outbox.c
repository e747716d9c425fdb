/* The outbox: durable commits, verification, export, delivered records and their receipts,
 * retention (delivered records only), temporary files that never follow a planted link, record
 * names without the visit's time, a full disk, a read-only directory, and a writer killed at
 * random moments. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "../bktest.h"
#include "record/outbox.h"
#include "record/receipt.h"
#include "record/seal.h"

static uint8_t kpk[32], ksk[64], opk[32], osk[32], rpk[32], rsk[64];

/* A sealed record of about `size` bytes. */
static uint8_t *sealed(size_t size, size_t *len)
{
    uint8_t *payload = g_malloc(size);
    randombytes_buf(payload, size);
    uint8_t *file = NULL;
    g_assert_cmpint(seal_record(payload, size, ksk, opk, &file, len), ==, BK_OK);
    g_free(payload);
    return file;
}

static size_t count_files(const char *dir)
{
    size_t n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    while (d != NULL && g_dir_read_name(d) != NULL)
        n++;
    if (d != NULL)
        g_dir_close(d);
    return n;
}

static bool on_event(const char *name, const char *event, void *data)
{
    g_string_append_printf(data, "%s %s;", event, name);
    return true;
}

static void test_commit_list_verify(void)
{
    GString *events = g_string_new(NULL);
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    size_t len;
    g_autofree uint8_t *rec = sealed(5000, &len);
    g_assert_cmpint(outbox_commit(dir, "a.bkrec", rec, len), ==, BK_OK);
    g_assert_cmpint(outbox_commit(dir, "b.bkrec", rec, len), ==, BK_OK);
    g_assert_cmpint(outbox_commit(dir, "a.bkrec", rec, len), ==, BK_ERR_EXISTS);
    g_assert_cmpint(outbox_commit(dir, ".hidden.bkrec", rec, len), ==, BK_ERR_INVALID);
    g_assert_cmpint(outbox_commit(dir, "x/y.bkrec", rec, len), ==, BK_ERR_INVALID);
    g_assert_cmpint(outbox_commit(dir, "a.txt", rec, len), ==, BK_ERR_INVALID);
    g_assert_cmpuint(count_files(dir), ==, 2); /* no temporary file is left */

    outbox_entry *list;
    size_t n;
    g_assert_cmpint(outbox_list(dir, &list, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpstr(list[0].name, ==, "a.bkrec");
    g_assert_cmpuint(list[1].size, ==, len);
    outbox_entries_free(list, n);

    char why[256];
    g_autofree char *a = g_build_filename(dir, "a.bkrec", NULL);
    g_assert_cmpint(outbox_verify_file(a, kpk, why, sizeof(why)), ==, BK_OK);
    /* a damaged record does not verify, and export stops at it */
    rec[len / 2] ^= 1;
    g_autofree char *c = g_build_filename(dir, "c.bkrec", NULL);
    g_file_set_contents(c, (const char *)rec, (gssize)len, NULL);
    g_assert_cmpint(outbox_verify_file(c, kpk, why, sizeof(why)), ==, BK_ERR_CRYPTO);
    g_autofree char *dest = make_tmpdir("outbox-XXXXXX");
    size_t exported = 0;
    g_assert_cmpint(outbox_export(dir, dest, kpk, 1, on_event, events, &exported, why, sizeof(why)),
                    ==, BK_ERR_CORRUPT);
    g_assert_nonnull(strstr(why, "c.bkrec"));
    g_assert_cmpuint(exported, ==, 2);
    g_assert_cmpuint(count_files(dest), ==, 2);
    g_assert_cmpuint(count_files(dir), ==, 1); /* a and b moved, c stays */
    g_assert_cmpstr(events->str, ==,
                    "exported a.bkrec;deleted-after-transfer a.bkrec;exported b.bkrec;"
                    "deleted-after-transfer b.bkrec;");
    g_string_free(events, TRUE);
    g_unlink(c);

    /* export again when the destination has the copy already (an unconfirmed earlier run) */
    g_autofree uint8_t *again = sealed(100, &len);
    g_assert_cmpint(outbox_commit(dir, "b.bkrec", again, len), ==, BK_OK);
    g_assert_cmpint(outbox_export(dir, dest, NULL, 0, NULL, NULL, &exported, why, sizeof(why)), ==,
                    BK_ERR_CONFLICT);
    remove_tree(dest);
    remove_tree(dir);
}

/* A signed receipt for `name` (outbox name) over rec, received at t. */
static char *make_receipt(const char *name, const uint8_t *rec, size_t len, time_t t)
{
    receipt r = {0};
    g_strlcpy(r.tcn, name, strlen(name) - strlen(OUTBOX_SUFFIX) + 1);
    receipt_sha256_hex(rec, len, r.sha256);
    receipt_time(t, r.received);
    char *json = NULL;
    g_assert_cmpint(receipt_sign(&r, rsk, &json, NULL), ==, BK_OK);
    return json;
}

static void deliver_at(const char *dir, const char *name, const uint8_t *rec, size_t len, time_t t)
{
    g_autofree char *json = make_receipt(name, rec, len, t);
    g_assert_cmpint(outbox_mark_delivered(dir, name, json, strlen(json)), ==, BK_OK);
}

/* Only delivered records are purged, counted from the receipt's time, never from the file's;
 * a waiting record of any age stays (before: every record older than 14 days went, delivered
 * or not). */
static void test_purge_delivered_only(void)
{
    GString *events = g_string_new(NULL);
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    size_t len;
    g_autofree uint8_t *rec = sealed(200, &len);
    const char *names[] = {"K1-old-waiting.bkrec", "K1-old-file-new-receipt.bkrec",
                           "K1-old-receipt.bkrec"};
    struct timeval tv[2] = {{time(NULL) - 40 * 86400, 0}, {time(NULL) - 40 * 86400, 0}};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpint(outbox_commit(dir, names[i], rec, len), ==, BK_OK);
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        g_assert_cmpint(utimes(path, tv), ==, 0);
    }
    deliver_at(dir, names[1], rec, len, time(NULL) - 2 * 86400);
    deliver_at(dir, names[2], rec, len, time(NULL) - 15 * 86400);
    g_autofree char *tmp = g_build_filename(dir, ".x.bkrec.1234abcd.tmp", NULL);
    g_file_set_contents(tmp, "half", -1, NULL);

    size_t deleted = 99, removed = 99;
    g_assert_cmpint(outbox_purge(dir, 16, time(NULL), on_event, events, &deleted), ==, BK_OK);
    g_assert_cmpuint(deleted, ==, 0);
    g_assert_cmpint(
        outbox_purge(dir, OUTBOX_DEFAULT_RETENTION, time(NULL), on_event, events, &deleted), ==,
        BK_OK);
    g_assert_cmpuint(deleted, ==, 1);
    g_assert_cmpstr(events->str, ==, "deleted-after-retention K1-old-receipt.bkrec;");
    g_autofree char *waiting = g_build_filename(dir, names[0], NULL);
    g_assert_true(g_file_test(waiting, G_FILE_TEST_EXISTS));
    outbox_entry *list = NULL;
    size_t n = 0;
    g_assert_cmpint(outbox_list_delivered(dir, &list, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpstr(list[0].name, ==, names[1]);
    g_assert_nonnull(list[0].receipt);
    outbox_entries_free(list, n);
    /* --days 0: every delivered record, still never a waiting one */
    g_assert_cmpint(outbox_purge(dir, 0, time(NULL), on_event, events, &deleted), ==, BK_OK);
    g_assert_cmpuint(deleted, ==, 1);
    g_assert_true(g_file_test(waiting, G_FILE_TEST_EXISTS));
    g_autofree char *done = g_build_filename(dir, OUTBOX_DELIVERED, NULL);
    g_assert_cmpuint(count_files(done), ==, 0); /* receipts went with their records */
    g_string_free(events, TRUE);
    g_assert_cmpint(outbox_clean_temp(dir, &removed), ==, BK_OK);
    g_assert_cmpuint(removed, ==, 1);
    g_assert_cmpuint(count_files(dir), ==, 2); /* the waiting record and delivered/ */
    remove_tree(dir);
}

/* An audit log that takes every entry but those whose event starts with `refuse`. */
typedef struct picky_log {
    GString *heard;
    const char *refuse;
} picky_log;

static bool picky(const char *name, const char *event, void *data)
{
    picky_log *pl = data;
    g_string_append_printf(pl->heard, "%s %s;", event, name);
    return !g_str_has_prefix(event, pl->refuse);
}

/* A record never leaves the outbox without its entry: when the audit log refuses the entry of
 * an export's deletion, a purge or a discard, that record stays and nothing after it is
 * touched (before: the record was deleted first and the refusal only counted). */
static void test_refused_entry_deletes_nothing(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    g_autofree char *dest = make_tmpdir("outbox-XXXXXX");
    size_t len, exported = 0, deleted = 9;
    char why[300] = "";
    g_autofree uint8_t *rec = sealed(400, &len);
    g_assert_cmpint(outbox_commit(dir, "K1-a.bkrec", rec, len), ==, BK_OK);
    g_assert_cmpint(outbox_commit(dir, "K1-b.bkrec", rec, len), ==, BK_OK);
    picky_log pl = {g_string_new(NULL), "deleted"};
    g_assert_cmpint(outbox_export(dir, dest, kpk, 1, picky, &pl, &exported, why, sizeof(why)), ==,
                    BK_ERR_IO);
    g_assert_nonnull(strstr(why, "K1-a.bkrec"));
    g_assert_cmpstr(pl.heard->str, ==, "exported K1-a.bkrec;deleted-after-transfer K1-a.bkrec;");
    g_assert_cmpuint(count_files(dir), ==, 2); /* both still waiting */
    g_assert_cmpuint(count_files(dest), ==, 1);
    /* an export that keeps the originals stops at a refused "exported" */
    g_string_truncate(pl.heard, 0);
    pl.refuse = "exported";
    g_assert_cmpint(outbox_export(dir, dest, kpk, 0, picky, &pl, &exported, why, sizeof(why)), ==,
                    BK_ERR_IO);
    g_assert_cmpstr(pl.heard->str, ==, "exported K1-a.bkrec;");

    /* purge: the first refused entry stops it with the record in place */
    deliver_at(dir, "K1-a.bkrec", rec, len, time(NULL) - 40 * 86400);
    deliver_at(dir, "K1-b.bkrec", rec, len, time(NULL) - 40 * 86400);
    g_string_truncate(pl.heard, 0);
    pl.refuse = "deleted";
    g_assert_cmpint(outbox_purge(dir, 0, time(NULL), picky, &pl, &deleted), ==, BK_ERR_IO);
    g_assert_cmpuint(deleted, ==, 0);
    g_autofree char *done = g_build_filename(dir, OUTBOX_DELIVERED, NULL);
    g_assert_cmpuint(count_files(done), ==, 4); /* two records, two receipts */
    g_assert_cmpstr(pl.heard->str, ==, "deleted-after-retention K1-a.bkrec;");

    /* discard: a refused entry keeps the record; an accepted one comes before the deletion */
    g_assert_cmpint(outbox_commit(dir, "K1-c.bkrec", rec, len), ==, BK_OK);
    g_string_truncate(pl.heard, 0);
    pl.refuse = "discarded";
    g_assert_cmpint(outbox_discard(dir, "K1-c.bkrec", picky, &pl), ==, BK_ERR_IO);
    g_autofree char *c = g_build_filename(dir, "K1-c.bkrec", NULL);
    g_assert_true(g_file_test(c, G_FILE_TEST_EXISTS));
    pl.refuse = "none";
    g_assert_cmpint(outbox_discard(dir, "K1-c.bkrec", picky, &pl), ==, BK_OK);
    g_assert_false(g_file_test(c, G_FILE_TEST_EXISTS));
    g_assert_cmpstr(pl.heard->str, ==, "discarded K1-c.bkrec;discarded K1-c.bkrec;");
    g_assert_cmpint(outbox_discard(dir, "K1-c.bkrec", picky, &pl), ==, BK_ERR_NOT_FOUND);
    g_string_free(pl.heard, TRUE);
    remove_tree(dest);
    remove_tree(dir);
}

/* A delivered record sits in delivered/ with its receipt; the waiting list no longer has it and
 * the counts of waiting records follow. */
static void test_mark_delivered(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    size_t len, count = 9;
    time_t oldest = 0;
    g_autofree uint8_t *rec = sealed(300, &len);
    g_assert_cmpint(outbox_commit(dir, "K1-aaaa.bkrec", rec, len), ==, BK_OK);
    g_assert_cmpint(outbox_commit(dir, "K1-bbbb.bkrec", rec, len), ==, BK_OK);
    g_assert_cmpint(outbox_waiting(dir, &count, &oldest), ==, BK_OK);
    g_assert_cmpuint(count, ==, 2);
    g_assert_cmpint(oldest, >, 0);
    deliver_at(dir, "K1-aaaa.bkrec", rec, len, time(NULL));
    g_assert_cmpint(outbox_waiting(dir, &count, NULL), ==, BK_OK);
    g_assert_cmpuint(count, ==, 1);
    g_autofree char *r = g_build_filename(dir, OUTBOX_DELIVERED, "K1-aaaa.receipt", NULL);
    g_autofree char *f = g_build_filename(dir, OUTBOX_DELIVERED, "K1-aaaa.bkrec", NULL);
    g_autofree char *json = NULL;
    g_assert_true(g_file_get_contents(r, &json, NULL, NULL));
    g_assert_cmpint(receipt_verify(json, strlen(json), rpk, "K1-aaaa", rec, len, NULL, NULL, 0), ==,
                    BK_OK);
    g_assert_true(g_file_test(f, G_FILE_TEST_IS_REGULAR));
    remove_tree(dir);
}

/* A link planted where the old fixed temporary name was (".NAME.tmp") is never written
 * through: temporary names are random and opened O_EXCL | O_NOFOLLOW. */
static void test_temp_never_follows(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    g_autofree char *victim = g_build_filename(dir, "victim", NULL);
    g_file_set_contents(victim, "precious", -1, NULL);
    g_autofree char *link = g_build_filename(dir, ".K1-cccc.bkrec.tmp", NULL);
    g_assert_cmpint(symlink(victim, link), ==, 0);
    size_t len;
    g_autofree uint8_t *rec = sealed(300, &len);
    g_assert_cmpint(outbox_commit(dir, "K1-cccc.bkrec", rec, len), ==, BK_OK);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(victim, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "precious");
    remove_tree(dir);
}

/* The 24 hex digits a name adds after the TCN's random part, and its suffix. */
static void assert_extra(const char *name, const char *prefix)
{
    g_assert_true(g_str_has_prefix(name, prefix));
    const char *extra = name + strlen(prefix);
    g_assert_cmpuint(strspn(extra, "0123456789abcdef"), ==, 2 * OUTBOX_NAME_EXTRA_BYTES);
    g_assert_cmpstr(extra + 2 * OUTBOX_NAME_EXTRA_BYTES, ==, ".bkrec");
}

/* Record names keep the kiosk and the random part of the TCN, not the visit's time, and add 96
 * random bits (32 alone would clash about once in 100,000 records of a kiosk, and the receiver
 * refuses a name it has: found in a review): the same TCN twice gives two names. */
static void test_name_for_tcn(void)
{
    g_autofree char *a = outbox_name_for_tcn("ROTTERDAM-ZUID-02-20261123093000Z-k3j9x0ab");
    assert_extra(a, "ROTTERDAM-ZUID-02-k3j9x0ab");
    g_autofree char *a2 = outbox_name_for_tcn("ROTTERDAM-ZUID-02-20261123093000Z-k3j9x0ab");
    g_assert_cmpstr(a, !=, a2);
    g_autofree char *b = outbox_name_for_tcn("K1-20261123093000Z-abcdefgh");
    assert_extra(b, "K1-abcdefgh");
    g_assert_null(strstr(b, "2026"));
    g_autofree char *c = outbox_name_for_tcn("odd");
    g_assert_cmpstr(c, ==, "odd.bkrec");
    g_autofree char *d = outbox_name_for_tcn("K1-2026112309300XZ-abcdefgh");
    g_assert_cmpstr(d, ==, "K1-2026112309300XZ-abcdefgh.bkrec");
}

/* Runs fn in a child and returns its exit status (a child keeps limits and namespaces away
 * from the test process). */
static int in_child(int (*fn)(const char *), const char *dir)
{
    fflush(NULL);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0)
        _exit(fn(dir));
    int status = 0;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int commit_big(const char *dir)
{
    size_t len;
    uint8_t *rec = sealed(200000, &len);
    bk_err err = outbox_commit(dir, "big.bkrec", rec, len);
    g_free(rec);
    return (int)err;
}

static int fsize_limited(const char *dir)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {50000, 50000};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return 100;
    return commit_big(dir);
}

static void test_file_size_limit(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    g_assert_cmpint(in_child(fsize_limited, dir), ==, BK_ERR_NO_SPACE);
    g_assert_cmpuint(count_files(dir), ==, 0); /* nothing half-written */
    g_assert_cmpint(in_child(commit_big, dir), ==, BK_OK);
    g_assert_cmpuint(count_files(dir), ==, 1);
    remove_tree(dir);
}

/* In a private mount namespace (an unprivileged user namespace when not root): a 64 KiB
 * tmpfs (a full disk), then the same tmpfs remounted read-only. Exit 77 when namespaces are
 * not available. Codes: 0 all as expected, else the step that failed. */
static int small_filesystem(const char *dir)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWNS) != 0) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            return 77;
        char map[64];
        snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
        if (!g_file_set_contents("/proc/self/setgroups", "deny", -1, NULL) ||
            !g_file_set_contents("/proc/self/uid_map", map, -1, NULL))
            return 77;
        snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
        if (!g_file_set_contents("/proc/self/gid_map", map, -1, NULL))
            return 77;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 77;
    if (mount("none", dir, "tmpfs", 0, "size=64k") != 0)
        return 77;
    /* disk full: a 200 kB record does not fit; nothing may remain */
    if (commit_big(dir) != BK_ERR_NO_SPACE)
        return 1;
    if (count_files(dir) != 0)
        return 2;
    size_t len;
    uint8_t *rec = sealed(1000, &len);
    if (outbox_commit(dir, "small.bkrec", rec, len) != BK_OK)
        return 3;
    if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) != 0)
        return 77;
    /* read-only: refused as a permission problem, the record that was there stays */
    if (outbox_commit(dir, "other.bkrec", rec, len) != BK_ERR_PERMISSION)
        return 4;
    if (count_files(dir) != 1)
        return 5;
    g_free(rec);
    return 0;
}

static void test_full_and_read_only_filesystem(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    int rc = in_child(small_filesystem, dir);
    if (rc == 77) {
        g_test_skip("SKIP: no mount namespace for a small tmpfs");
    } else {
        g_assert_cmpint(rc, ==, 0);
    }
    remove_tree(dir);
}

/* A directory the process may not write (as root, the child first becomes nobody, because
 * root ignores the mode bits). */
static int unwritable(const char *dir)
{
    if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
        return 77;
    return commit_big(dir);
}

static void test_unwritable_directory(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    g_assert_cmpint(chmod(dir, 0555), ==, 0);
    int rc = in_child(unwritable, dir);
    if (rc == 77)
        g_test_skip("SKIP: cannot drop root privileges");
    else
        g_assert_cmpint(rc, ==, BK_ERR_PERMISSION);
    g_assert_cmpint(chmod(dir, 0700), ==, 0);
    g_assert_cmpuint(count_files(dir), ==, 0);
    remove_tree(dir);
}

/* The writer: commits records `from` .. 199 and reports each name on fd once committed. */
static void writer(const char *dir, int from, int fd, const uint8_t *rec, size_t len)
{
    for (int i = from; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof(name), "r%03d.bkrec", i);
        bk_err err = outbox_commit(dir, name, rec, len);
        if (err != BK_OK && err != BK_ERR_EXISTS)
            _exit(3);
        char line[8];
        int n = snprintf(line, sizeof(line), "%03d\n", i);
        if (write(fd, line, (size_t)n) != n)
            _exit(4);
    }
    _exit(0);
}

static void test_power_loss(void)
{
    g_autofree char *dir = make_tmpdir("outbox-XXXXXX");
    size_t len;
    g_autofree uint8_t *rec = sealed(300000, &len);
    GRand *rand = g_rand_new_with_seed((guint32)g_test_rand_int());
    gboolean committed[200] = {FALSE};
    int next = 0, kills = 0, stuck = 0;
    while (next < 200) {
        int before = next;
        int fds[2];
        g_assert_cmpint(pipe(fds), ==, 0);
        fflush(NULL);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
            close(fds[0]);
            writer(dir, next, fds[1], rec, len);
        }
        close(fds[1]);
        /* kill it after a random 0-15 ms (longer while it makes no progress on a slow disk),
         * unless it finished first */
        g_usleep(g_rand_int_range(rand, 0, 15000 * (1 + stuck)));
        kill(pid, SIGKILL);
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (WIFEXITED(status))
            g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        else
            kills++;
        char buf[4096];
        GString *got = g_string_new(NULL);
        ssize_t n;
        while ((n = read(fds[0], buf, sizeof(buf))) > 0)
            g_string_append_len(got, buf, n);
        close(fds[0]);
        for (char *p = got->str; p + 4 <= got->str + got->len; p += 4) {
            int i = atoi(p);
            committed[i] = TRUE;
            next = i + 1 > next ? i + 1 : next;
        }
        g_string_free(got, TRUE);
        /* the writer may have committed the next one without reporting it */
        while (next < 200) {
            g_autofree char *p = g_strdup_printf("%s/r%03d.bkrec", dir, next);
            if (!g_file_test(p, G_FILE_TEST_EXISTS))
                break;
            next++;
        }
        stuck = next == before ? stuck + 1 : 0;
    }
    g_test_message("%d writers killed during 200 commits", kills);

    /* every record reported committed is there, and every record there verifies */
    size_t temps = 0;
    g_assert_cmpint(outbox_clean_temp(dir, &temps), ==, BK_OK);
    outbox_entry *list;
    size_t n;
    g_assert_cmpint(outbox_list(dir, &list, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 200);
    for (size_t i = 0; i < n; i++) {
        g_autofree char *p = g_build_filename(dir, list[i].name, NULL);
        char why[256];
        if (outbox_verify_file(p, kpk, why, sizeof(why)) != BK_OK)
            g_error("%s: %s", list[i].name, why);
    }
    for (int i = 0; i < 200; i++) {
        if (!committed[i])
            continue;
        g_autofree char *p = g_strdup_printf("%s/r%03d.bkrec", dir, i);
        g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
    }
    g_assert_cmpuint(count_files(dir), ==, 200);
    outbox_entries_free(list, n);
    g_rand_free(rand);
    remove_tree(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* failed commits are logged as warnings, which the test framework makes fatal */
    g_log_set_always_fatal(G_LOG_FATAL_MASK);
    g_log_set_writer_func(g_log_writer_default, NULL, NULL);
    g_assert_cmpint(seal_init(), ==, BK_OK);
    crypto_sign_keypair(kpk, ksk);
    crypto_box_keypair(opk, osk);
    crypto_sign_keypair(rpk, rsk);
    g_test_add_func("/outbox/commit-list-verify", test_commit_list_verify);
    g_test_add_func("/outbox/purge-delivered-only", test_purge_delivered_only);
    g_test_add_func("/outbox/refused-entry-deletes-nothing", test_refused_entry_deletes_nothing);
    g_test_add_func("/outbox/mark-delivered", test_mark_delivered);
    g_test_add_func("/outbox/temp-never-follows", test_temp_never_follows);
    g_test_add_func("/outbox/name-for-tcn", test_name_for_tcn);
    g_test_add_func("/outbox/file-size-limit", test_file_size_limit);
    g_test_add_func("/outbox/full-and-read-only", test_full_and_read_only_filesystem);
    g_test_add_func("/outbox/unwritable", test_unwritable_directory);
    g_test_add_func("/outbox/power-loss", test_power_loss);
    return g_test_run();
}
