/* The kiosk's delivery worker (app/visit/deliver.h) against `biokiosk receiver` on loopback:
 * a committed record is delivered without being asked; with the receiver down the kiosk keeps
 * committing, the worker backs off and delivers once the receiver is back; the purge at start
 * waits for a trusted clock; a record waiting longer than alert_hours raises the alert. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "../bktest.h"
#include "deliverytest.h"
#include "record/audit.h"
#include "record/outbox.h"
#include "record/receipt.h"
#include "record/seal.h"
#include "visit/deliver.h"

static const char *bin;

typedef struct fixture {
    char *dir, *outbox, *kiosks, *store, *log, *audit, *keys;
    uint8_t ksk[64], opk[32];
    GPid receiver;
    char *url;
} fixture;

static void set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    memset(fx, 0, sizeof(*fx));
    fx->dir = make_tmpdir("deliver-worker-XXXXXX");
    fx->outbox = make_subdir(fx->dir, "outbox");
    fx->kiosks = make_subdir(fx->dir, "kiosks");
    fx->keys = make_subdir(fx->dir, "keys");
    g_autofree char *store = make_subdir(fx->dir, "store");
    fx->store = g_strconcat("dir:", store, NULL);
    fx->log = g_build_filename(fx->dir, "receiver.log", NULL);
    fx->audit = g_build_filename(fx->dir, "audit.log", NULL);
    kiosk_keys_make(fx->keys, fx->ksk);
    g_assert_cmpint(seal_receiver_init(fx->keys, NULL), ==, BK_OK);
    uint8_t kpk[32], osk[32];
    crypto_sign_ed25519_sk_to_pk(kpk, fx->ksk);
    g_autofree char *kpub = g_build_filename(fx->kiosks, "K1.pub", NULL);
    g_assert_cmpint(seal_key_write(kpub, SEAL_KEY_KIOSK_PUBLIC, kpk, 32), ==, BK_OK);
    crypto_box_keypair(fx->opk, osk);
}

static void receiver_stop(fixture *fx)
{
    if (fx->receiver == 0)
        return;
    kill(fx->receiver, SIGTERM);
    waitpid(fx->receiver, NULL, 0);
    g_spawn_close_pid(fx->receiver);
    fx->receiver = 0;
}

static void tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    receiver_stop(fx);
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->outbox);
    g_free(fx->kiosks);
    g_free(fx->keys);
    g_free(fx->store);
    g_free(fx->log);
    g_free(fx->audit);
    g_free(fx->url);
}

static void to_log(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* no receiver outlives a test that failed */
    int fd = open(data, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

/* `biokiosk receiver` in plain HTTP on 127.0.0.1:port (0: any); fx->url is its address. */
static void receiver_start(fixture *fx, int port)
{
    g_autofree char *listen = g_strdup_printf("127.0.0.1:%d", port);
    g_autofree char *key = g_build_filename(fx->keys, "receiver.key", NULL);
    const char *argv[] = {bin,
                          "receiver",
                          "--listen",
                          listen,
                          "--kiosks",
                          fx->kiosks,
                          "--key",
                          key,
                          "--store",
                          fx->store,
                          "--insecure-loopback",
                          NULL};
    int out = -1;
    GError *error = NULL;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           to_log, fx->log, &fx->receiver, NULL, &out, NULL,
                                           &error));
    g_assert_no_error(error);
    g_free(fx->url);
    fx->url = receiver_listening(out, fx->log);
}

static int url_port(const char *url)
{
    return atoi(strrchr(url, ':') + 1);
}

static void commit(fixture *fx, const char *name)
{
    uint8_t payload[2000];
    randombytes_buf(payload, sizeof(payload));
    uint8_t *file = NULL;
    size_t len = 0;
    g_assert_cmpint(seal_record(payload, sizeof(payload), fx->ksk, fx->opk, &file, &len), ==,
                    BK_OK);
    g_autofree char *fname = g_strconcat(name, OUTBOX_SUFFIX, NULL);
    g_assert_cmpint(outbox_commit(fx->outbox, fname, file, len), ==, BK_OK);
    g_free(file);
}

typedef struct clock_answer {
    bool trusted;
    int asked;
} clock_answer;

static bool clock_cb(void *data, char *why, size_t size)
{
    clock_answer *a = data;
    a->asked++;
    if (!a->trusted)
        g_strlcpy(why, "clock.ntp failed (test)", size);
    return a->trusted;
}

static deliver_worker *start(fixture *fx, const char *url, clock_answer *clock)
{
    g_autofree char *rpub = g_build_filename(fx->keys, "receiver.pub", NULL);
    g_autofree char *kkey = g_build_filename(fx->keys, "kiosk.key", NULL);
    g_autofree char *hkey = g_build_filename(fx->keys, "audit-hash.key", NULL);
    deliver_settings set = {
        .outbox = fx->outbox,
        .url = url,
        .receiver_key = rpub,
        .interval_seconds = 5,
        .alert_hours = 24,
        .retention_days = 14,
        .audit_log = fx->audit,
        .kiosk_key = kkey,
        .audit_hash_key = hkey,
        .clock_trusted = clock ? clock_cb : NULL,
        .clock_data = clock,
    };
    deliver_worker *w = NULL;
    char *message = NULL;
    if (deliver_worker_new(&set, &w, &message) != BK_OK)
        g_error("deliver_worker_new: %s", message);
    return w;
}

/* Waits (up to a minute: the machine may be busy) until `delivered` records were delivered. */
static void wait_delivered(deliver_worker *w, size_t delivered)
{
    deliver_snapshot s;
    for (int i = 0; i < 600; i++) {
        deliver_worker_snapshot(w, &s);
        if (s.delivered >= delivered && s.waiting == 0)
            return;
        g_usleep(100 * 1000);
    }
    g_error("after a minute %zu of %zu delivered, %zu waiting: %s", s.delivered, delivered,
            s.waiting, s.problem);
}

/* A record committed while the worker runs is delivered without a kick. */
static void test_delivers_after_commit(fixture *fx, gconstpointer data)
{
    (void)data;
    receiver_start(fx, 0);
    deliver_worker *w = start(fx, fx->url, NULL);
    commit(fx, "K1-00000001");
    wait_delivered(w, 1);
    commit(fx, "K1-00000002");
    wait_delivered(w, 2);
    deliver_worker_free(w);
    g_autofree char *done = g_build_filename(fx->outbox, OUTBOX_DELIVERED, NULL);
    outbox_entry *e = NULL;
    size_t n = 0;
    g_assert_cmpint(outbox_list_delivered(fx->outbox, &e, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 2);
    outbox_entries_free(e, n);
    /* each delivery is in the audit log, by name only */
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(fx->audit, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "\trecord.delivered\t-\tfile=K1-00000001.bkrec\t"));
    g_assert_nonnull(strstr(log, "\trecord.delivered\t-\tfile=K1-00000002.bkrec\t"));
}

/* The receiver down: commits go on, the worker fails and backs off; the receiver back on the
 * same port: everything is delivered. */
static void test_receiver_down_then_back(fixture *fx, gconstpointer data)
{
    (void)data;
    receiver_start(fx, 0);
    int port = url_port(fx->url);
    receiver_stop(fx);
    g_autofree char *url = g_strdup(fx->url);
    deliver_worker *w = start(fx, url, NULL);
    for (int i = 0; i < 3; i++) {
        g_autofree char *name = g_strdup_printf("K1-0000001%d", i);
        commit(fx, name);
    }
    deliver_snapshot s;
    for (int i = 0; i < 600; i++) {
        deliver_worker_snapshot(w, &s);
        if (s.failures >= 2 && s.waiting == 3)
            break;
        deliver_worker_kick(w);
        g_usleep(100 * 1000);
    }
    g_assert_cmpuint(s.failures, >=, 2);
    g_assert_cmpuint(s.waiting, ==, 3);
    g_assert_cmpuint(s.delivered, ==, 0);
    g_assert_nonnull(strstr(s.problem, "cannot be reached"));
    /* backed off: the next plain attempt is further away than the interval */
    g_assert_cmpint(s.next_attempt - time(NULL), >, 5);
    g_assert_cmpint(s.next_attempt - time(NULL), <=, DELIVER_BACKOFF_MAX_SECONDS);

    receiver_start(fx, port);
    commit(fx, "K1-00000019"); /* a new record makes the worker try at once */
    wait_delivered(w, 4);
    deliver_worker_snapshot(w, &s);
    g_assert_cmpuint(s.failures, ==, 0);
    deliver_worker_free(w);
}

/* The purge at start deletes delivered records past the retention only when the clock is
 * trusted; a waiting record is never deleted. */
static void test_purge_at_start(fixture *fx, gconstpointer data)
{
    (void)data;
    commit(fx, "K1-00000020");
    commit(fx, "K1-00000021");
    g_autofree char *path = g_build_filename(fx->outbox, "K1-00000021.bkrec", NULL);
    uint8_t *bytes;
    size_t len;
    g_assert_cmpint(outbox_read_file(path, &bytes, &len), ==, BK_OK);
    receipt r = {0};
    g_strlcpy(r.tcn, "K1-00000021", sizeof(r.tcn));
    receipt_sha256_hex(bytes, len, r.sha256);
    receipt_time(time(NULL) - 20 * 86400, r.received);
    g_free(bytes);
    uint8_t rpk[32], rsk[64];
    crypto_sign_keypair(rpk, rsk);
    char *json = NULL;
    g_assert_cmpint(receipt_sign(&r, rsk, &json, NULL), ==, BK_OK);
    g_assert_cmpint(outbox_mark_delivered(fx->outbox, "K1-00000021.bkrec", json, strlen(json)), ==,
                    BK_OK);
    g_free(json);
    g_autofree char *old = g_build_filename(fx->outbox, "K1-00000020.bkrec", NULL);
    struct utimbuf t = {time(NULL) - 40 * 86400, time(NULL) - 40 * 86400};
    g_assert_cmpint(g_utime(old, &t), ==, 0);

    clock_answer no = {false, 0};
    deliver_worker *w = start(fx, NULL, &no);
    deliver_snapshot s;
    for (int i = 0; i < 100 && no.asked == 0; i++)
        g_usleep(50 * 1000);
    deliver_worker_free(w);
    g_assert_cmpint(no.asked, ==, 1);
    g_autofree char *done =
        g_build_filename(fx->outbox, OUTBOX_DELIVERED, "K1-00000021.bkrec", NULL);
    g_assert_true(g_file_test(done, G_FILE_TEST_EXISTS));

    clock_answer yes = {true, 0};
    w = start(fx, NULL, &yes);
    for (int i = 0; i < 100; i++) {
        deliver_worker_snapshot(w, &s);
        if (s.purged > 0)
            break;
        g_usleep(50 * 1000);
    }
    /* and the 40-day-old waiting record raises the alert, with no delivery configured */
    char line[200] = "";
    g_assert_true(deliver_worker_alert(w, time(NULL), line, sizeof(line)));
    g_assert_cmpstr(line, ==, "Outbox: 1 record not delivered, the oldest for 960 h");
    g_assert_cmpint(deliver_oldest_waiting_age(w, time(NULL)) / 3600, ==, 960);
    g_assert_false(deliver_worker_alert(w, time(NULL) - 39 * 86400 - 3600, NULL, 0)); /* 23 h */
    deliver_worker_free(w);
    g_assert_cmpuint(s.purged, ==, 1);
    g_assert_false(g_file_test(done, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(old, G_FILE_TEST_EXISTS));
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(fx->audit, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "\trecord.purged\t-\tfile=K1-00000021.bkrec\t"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bin = g_getenv("BIOKIOSK_BIN");
    if (bin == NULL || seal_init() != BK_OK) {
        g_printerr("BIOKIOSK_BIN is not set\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
#define ADD(path, fn) g_test_add(path, fixture, NULL, set_up, fn, tear_down)
    ADD("/deliver-worker/delivers-after-commit", test_delivers_after_commit);
    ADD("/deliver-worker/receiver-down-then-back", test_receiver_down_then_back);
    ADD("/deliver-worker/purge-at-start", test_purge_at_start);
    return g_test_run();
}
