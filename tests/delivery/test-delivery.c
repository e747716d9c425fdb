/* Delivery end to end, through the real HTTP stack on loopback: `biokiosk receiver` and
 * `biokiosk outbox deliver` as processes, TLS with certificates made by openssl for the test.
 * The store is BIOKIOSK_TEST_STORE: "dir" (default) or "postgresql" (the server that
 * with-postgresql.sh starts: BIOKIOSK_TEST_PGHOST, BIOKIOSK_TEST_PGUSER).
 *
 * Faults: the receiver killed in the middle of 30 records, the receiver down and back, receipts
 * with a bad signature or for other bytes, a kiosk the receiver does not know and a record
 * under another kiosk's name, the same name with other bytes (409), a record over the size
 * limit, a full disk on the receiver, and a receiver whose certificate the kiosk does not pin. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "../bkrun.h"
#include "deliverytest.h"
#include "record/outbox.h"
#include "record/receipt.h"
#include "record/seal.h"

static const char *bin;
static char *certs; /* a.pem/a.key (pinned), b.pem/b.key (not pinned) */
static gboolean use_pg;

typedef struct fixture {
    char *dir, *outbox, *kiosks, *store_dir, *store, *receiver_key, *receiver_pub, *log;
    uint8_t ksk[64], kpk[32], opk[32], osk[32], rpk[32], rsk[64];
    GPid receiver;
    char *url;
} fixture;

static char *path_in(const char *dir, const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* Files in dir whose name ends in suffix ("" for all; hidden files count too). */
static size_t count(const char *dir, const char *suffix)
{
    size_t n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(name, suffix))
            n++;
    if (d != NULL)
        g_dir_close(d);
    return n;
}

static void pg_reset(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    g_assert_cmpint(PQstatus(c), ==, CONNECTION_OK);
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    PGresult *r = PQexec(c, "DROP TABLE IF EXISTS received_records");
    g_assert_cmpint(PQresultStatus(r), ==, PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
}

static void write_key(const char *path, seal_key_kind kind, const uint8_t *key, size_t len)
{
    g_unlink(path);
    g_assert_cmpint(seal_key_write(path, kind, key, len), ==, BK_OK);
}

static void fixture_set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    memset(fx, 0, sizeof(*fx));
    fx->dir = make_tmpdir("delivery-XXXXXX");
    fx->outbox = make_subdir(fx->dir, "outbox");
    fx->kiosks = make_subdir(fx->dir, "kiosks");
    fx->store_dir = make_subdir(fx->dir, "store");
    fx->log = path_in(fx->dir, "receiver.log");
    crypto_sign_keypair(fx->kpk, fx->ksk);
    crypto_box_keypair(fx->opk, fx->osk);
    g_autofree char *kpub = path_in(fx->kiosks, "KIOSK1.pub");
    write_key(kpub, SEAL_KEY_KIOSK_PUBLIC, fx->kpk, 32);
    g_assert_cmpint(seal_receiver_init(fx->dir, NULL), ==, BK_OK);
    fx->receiver_key = path_in(fx->dir, "receiver.key");
    fx->receiver_pub = path_in(fx->dir, "receiver.pub");
    uint8_t sk[64];
    g_assert_cmpint(seal_key_read(fx->receiver_key, SEAL_KEY_RECEIVER_SECRET, sk, 64, NULL, 0), ==,
                    BK_OK);
    memcpy(fx->rsk, sk, 64);
    crypto_sign_ed25519_sk_to_pk(fx->rpk, sk);
    if (use_pg) {
        fx->store =
            g_strdup_printf("postgresql:///postgres?host=%s&user=%s",
                            g_getenv("BIOKIOSK_TEST_PGHOST"), g_getenv("BIOKIOSK_TEST_PGUSER"));
        pg_reset(fx->store);
    } else {
        fx->store = g_strconcat("dir:", fx->store_dir, NULL);
    }
}

static void receiver_stop(fixture *fx, int sig)
{
    if (fx->receiver == 0)
        return;
    kill(fx->receiver, sig);
    int status;
    waitpid(fx->receiver, &status, 0);
    g_spawn_close_pid(fx->receiver);
    fx->receiver = 0;
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    receiver_stop(fx, SIGTERM);
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->outbox);
    g_free(fx->kiosks);
    g_free(fx->store_dir);
    g_free(fx->store);
    g_free(fx->receiver_key);
    g_free(fx->receiver_pub);
    g_free(fx->log);
    g_free(fx->url);
}

/* A sealed record of about `size` bytes by kiosk key sk, committed to the outbox as name. */
static uint8_t *add_record(fixture *fx, const uint8_t sk[64], const char *name, size_t size,
                           size_t *len)
{
    uint8_t *payload = g_malloc(size);
    randombytes_buf(payload, size);
    uint8_t *file = NULL;
    g_assert_cmpint(seal_record(payload, size, sk, fx->opk, &file, len), ==, BK_OK);
    g_free(payload);
    g_autofree char *fname = g_strconcat(name, OUTBOX_SUFFIX, NULL);
    g_assert_cmpint(outbox_commit(fx->outbox, fname, file, *len), ==, BK_OK);
    return file;
}

static void add_records(fixture *fx, size_t n, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("KIOSK1-%08x", randombytes_random());
        size_t len;
        g_free(add_record(fx, fx->ksk, name, size, &len));
    }
}

typedef struct child_opts {
    const char *log;
    rlim_t fsize; /* 0: no limit */
} child_opts;

static void child_setup(gpointer data)
{
    const child_opts *o = data;
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* no receiver outlives a test that failed */
    int fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
    if (o->fsize > 0) {
        struct rlimit rl = {o->fsize, o->fsize};
        setrlimit(RLIMIT_FSIZE, &rl);
    }
}

/* Starts `biokiosk receiver` on 127.0.0.1 (cert: "a", "b" or NULL for plain HTTP) with extra
 * arguments; fx->url is where it listens. */
static void receiver_start(fixture *fx, const char *cert, const char *key_file, rlim_t fsize,
                           const char *extra)
{
    g_autofree char *cert_pem = cert ? g_strdup_printf("%s/%s.pem", certs, cert) : NULL;
    g_autofree char *cert_key = cert ? g_strdup_printf("%s/%s.key", certs, cert) : NULL;
    GPtrArray *args = g_ptr_array_new();
    const char *fixed[] = {
        bin,        "receiver", "--listen", "127.0.0.1:0",
        "--kiosks", fx->kiosks, "--key",    key_file ? key_file : fx->receiver_key,
        "--store",  fx->store};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(args, (char *)fixed[i]);
    if (cert) {
        g_ptr_array_add(args, "--tls-cert");
        g_ptr_array_add(args, cert_pem);
        g_ptr_array_add(args, "--tls-key");
        g_ptr_array_add(args, cert_key);
    } else {
        g_ptr_array_add(args, "--insecure-loopback");
    }
    if (extra != NULL)
        g_ptr_array_add(args, (char *)extra);
    g_ptr_array_add(args, NULL);
    child_opts o = {fx->log, fsize};
    int out = -1;
    GError *error = NULL;
    gboolean ok =
        g_spawn_async_with_pipes(NULL, (char **)args->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                 child_setup, &o, &fx->receiver, NULL, &out, NULL, &error);
    g_ptr_array_free(args, TRUE);
    g_assert_no_error(error);
    g_assert_true(ok);
    g_free(fx->url);
    fx->url = receiver_listening(out, fx->log);
}

typedef bk_result run;

/* `biokiosk outbox deliver` to fx->url pinning cert ("a"/"b"), the receipts checked with pub. */
static run deliver(fixture *fx, const char *cert, const char *pub)
{
    g_autofree char *ca = g_strdup_printf("%s/%s.pem", certs, cert ? cert : "a");
    const char *argv[] = {
        bin,     "outbox", "deliver", fx->outbox,       "--to",
        fx->url, "--ca",   ca,        "--receiver-key", pub ? pub : fx->receiver_pub,
        NULL};
    return bk_spawn(argv, NULL, NULL);
}

static gint64 member(const char *json, const char *name)
{
    JsonParser *p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    gint64 v = json_object_get_int_member(json_node_get_object(json_parser_get_root(p)), name);
    g_object_unref(p);
    return v;
}

static void assert_counts(const run *r, int status, gint64 delivered, gint64 failed, gint64 waiting)
{
    if (r->status != status)
        g_error("deliver exited %d, not %d: %s %s", r->status, status, r->out, r->err);
    g_assert_cmpint(member(r->out, "delivered"), ==, delivered);
    g_assert_cmpint(member(r->out, "failed"), ==, failed);
    g_assert_cmpint(member(r->out, "waiting"), ==, waiting);
}

/* `outbox deliver` (pinning "a", the receipts checked with the fixture's key) ends with status
 * and these counts; its stderr says err_has (NULL: not looked at). */
static void deliver_expect(fixture *fx, int status, gint64 delivered, gint64 failed, gint64 waiting,
                           const char *err_has)
{
    run r = deliver(fx, "a", NULL);
    assert_counts(&r, status, delivered, failed, waiting);
    if (err_has != NULL)
        g_assert_nonnull(strstr(r.err, err_has));
    bk_result_clear(&r);
}

/* The names the receiver's store holds (`biokiosk receiver list`), each once, sorted. */
static GPtrArray *stored(fixture *fx)
{
    const char *argv[] = {bin, "receiver", "list", "--store", fx->store, NULL};
    run r = bk_spawn(argv, NULL, NULL);
    if (r.status != 0)
        g_error("receiver list: %s", r.err);
    JsonParser *p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, r.out, -1, NULL));
    JsonArray *a =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(p)), "records");
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);
        g_assert_cmpstr(json_object_get_string_member(o, "kiosk"), ==, "KIOSK1");
        g_assert_cmpint(json_object_get_int_member(o, "bytes"), >, 0);
        g_ptr_array_add(names, g_strdup(json_object_get_string_member(o, "tcn")));
    }
    g_object_unref(p);
    bk_result_clear(&r);
    return names;
}

/* Every record of the outbox is delivered, with a receipt that verifies for its bytes, and the
 * receiver holds each exactly once. */
static void assert_all_delivered(fixture *fx, size_t n)
{
    g_autofree char *done = path_in(fx->outbox, OUTBOX_DELIVERED);
    g_assert_cmpuint(count(fx->outbox, OUTBOX_SUFFIX), ==, 0);
    g_assert_cmpuint(count(done, OUTBOX_SUFFIX), ==, n);
    g_assert_cmpuint(count(done, OUTBOX_RECEIPT_SUFFIX), ==, n);
    g_assert_cmpuint(count(done, ".tmp") + count(fx->outbox, ".tmp"), ==, 0);
    outbox_entry *e = NULL;
    size_t m = 0;
    g_assert_cmpint(outbox_list_delivered(fx->outbox, &e, &m), ==, BK_OK);
    GPtrArray *names = stored(fx);
    g_assert_cmpuint(names->len, ==, n);
    for (size_t i = 0; i < m; i++) {
        g_autofree char *path = path_in(done, e[i].name);
        uint8_t *bytes;
        size_t len;
        g_assert_cmpint(outbox_read_file(path, &bytes, &len), ==, BK_OK);
        g_autofree char *tcn = g_strndup(e[i].name, strlen(e[i].name) - strlen(OUTBOX_SUFFIX));
        g_assert_nonnull(e[i].receipt);
        char why[256] = "";
        if (receipt_verify(e[i].receipt, strlen(e[i].receipt), fx->rpk, tcn, bytes, len, NULL, why,
                           sizeof(why)) != BK_OK)
            g_error("%s: %s", e[i].name, why);
        g_assert_cmpstr(g_ptr_array_index(names, i), ==, tcn);
        g_free(bytes);
    }
    outbox_entries_free(e, m);
    g_ptr_array_unref(names);
    if (!use_pg)
        g_assert_cmpuint(count(fx->store_dir, ".tmp"), ==, 0);
}

/* The receiver (started again, plain settings) takes all n records of the outbox. */
static void delivers_all(fixture *fx, size_t n)
{
    receiver_start(fx, "a", NULL, 0, NULL);
    deliver_expect(fx, 0, (gint64)n, 0, 0, NULL);
    assert_all_delivered(fx, n);
}

static void test_deliver_and_resend(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 3, 20000);
    delivers_all(fx, 3);

    /* `outbox list` shows the state and the receipt */
    const char *argv[] = {bin, "outbox", "list", fx->outbox, NULL};
    run r = bk_spawn(argv, NULL, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"state\":\"delivered\""));
    g_assert_nonnull(strstr(r.out, "\"receipt\":{\"tcn\":\"KIOSK1-"));
    g_assert_null(strstr(r.out, "\"state\":\"waiting\""));
    bk_result_clear(&r);

    /* the same record again: the same receipt, byte for byte, and still stored once */
    outbox_entry *e = NULL;
    size_t n = 0;
    g_assert_cmpint(outbox_list_delivered(fx->outbox, &e, &n), ==, BK_OK);
    g_autofree char *first = g_strdup(e[0].receipt);
    g_autofree char *src = g_build_filename(fx->outbox, OUTBOX_DELIVERED, e[0].name, NULL);
    g_autofree char *dst = path_in(fx->outbox, e[0].name);
    g_autofree char *bytes = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
    g_assert_true(g_file_set_contents(dst, bytes, (gssize)len, NULL));
    outbox_entries_free(e, n);
    g_usleep(1100 * 1000); /* a new receipt would carry a later time */
    deliver_expect(fx, 0, 1, 0, 0, NULL);
    g_assert_cmpint(outbox_list_delivered(fx->outbox, &e, &n), ==, BK_OK);
    g_assert_cmpstr(e[0].receipt, ==, first);
    outbox_entries_free(e, n);
    assert_all_delivered(fx, 3);
}

/* The same name with other bytes: 409, logged, the record waits. */
static void test_conflict(fixture *fx, gconstpointer data)
{
    (void)data;
    size_t len;
    g_free(add_record(fx, fx->ksk, "KIOSK1-0000abcd", 5000, &len));
    receiver_start(fx, "a", NULL, 0, NULL);
    deliver_expect(fx, 0, 1, 0, 0, NULL);
    g_autofree char *done = g_build_filename(fx->outbox, OUTBOX_DELIVERED, NULL);
    remove_tree(done);
    g_free(add_record(fx, fx->ksk, "KIOSK1-0000abcd", 5000, &len));
    deliver_expect(fx, 1, 0, 1, 1, "409");
    GPtrArray *names = stored(fx);
    g_assert_cmpuint(names->len, ==, 1);
    g_ptr_array_unref(names);
    receiver_stop(fx, SIGTERM);
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(fx->log, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "conflict: KIOSK1-0000abcd is stored with other bytes"));
}

/* A kiosk the receiver does not know, and a record under the name of a kiosk that did not sign
 * it: 403, nothing stored, the records wait. */
static void test_unknown_kiosk(fixture *fx, gconstpointer data)
{
    (void)data;
    uint8_t pk9[32], sk9[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk9, sk9);
    crypto_sign_keypair(pk2, sk2);
    g_autofree char *k2 = path_in(fx->kiosks, "KIOSK2.pub");
    write_key(k2, SEAL_KEY_KIOSK_PUBLIC, pk2, 32);
    size_t len;
    g_free(add_record(fx, sk9, "KIOSK9-00000001", 3000, &len));
    g_free(add_record(fx, fx->ksk, "KIOSK2-00000002", 3000, &len)); /* signed by KIOSK1 */
    receiver_start(fx, "a", NULL, 0, NULL);
    deliver_expect(fx, 1, 0, 2, 2, "403");
    GPtrArray *names = stored(fx);
    g_assert_cmpuint(names->len, ==, 0);
    g_ptr_array_unref(names);
    if (!use_pg)
        g_assert_cmpuint(count(fx->store_dir, ""), ==, 0);
}

/* Stopped, then killed, while 30 records are being delivered; started again on the same store:
 * every record is there exactly once, every one has its receipt, nothing half-written. */
static void test_killed_mid_delivery(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 30, 300000);
    receiver_start(fx, "a", NULL, 0, NULL);
    g_autofree char *ca = g_strdup_printf("%s/a.pem", certs);
    const char *argv[] = {bin,    "outbox", "deliver",        fx->outbox,       "--to", fx->url,
                          "--ca", ca,       "--receiver-key", fx->receiver_pub, NULL};
    GPid pid;
    int out = -1;
    GError *error = NULL;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, &out, NULL, &error));
    g_assert_no_error(error);
    g_autofree char *done = path_in(fx->outbox, OUTBOX_DELIVERED);
    /* freeze the receiver once about a third is through, then kill it: the request in flight
     * is cut wherever it was */
    while (count(done, OUTBOX_RECEIPT_SUFFIX) < 10 && waitpid(pid, NULL, WNOHANG) == 0)
        g_usleep(1000);
    kill(fx->receiver, SIGSTOP);
    size_t at_kill = count(done, OUTBOX_RECEIPT_SUFFIX);
    g_usleep(200 * 1000);
    receiver_stop(fx, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    close(out);
    g_test_message("%zu of 30 delivered when the receiver was stopped and killed", at_kill);
    g_assert_true(WIFEXITED(status));
    if (at_kill < 30)
        g_assert_cmpint(WEXITSTATUS(status), ==, 3); /* unreachable, not "delivered" */
    g_assert_cmpuint(count(done, OUTBOX_RECEIPT_SUFFIX) + count(fx->outbox, OUTBOX_SUFFIX), ==, 30);

    receiver_start(fx, "a", NULL, 0, NULL);
    run r = deliver(fx, "a", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpint(member(r.out, "waiting"), ==, 0);
    bk_result_clear(&r);
    assert_all_delivered(fx, 30);
}

/* No receiver, then one: exit 3 and every record waits; later all delivered. */
static void test_receiver_down_then_back(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 4, 5000);
    receiver_start(fx, "a", NULL, 0, NULL);
    receiver_stop(fx, SIGTERM); /* fx->url now names a closed port */
    deliver_expect(fx, 3, 0, 1, 4, "cannot be reached");
    delivers_all(fx, 4);
}

/* A receiver signing with a key the kiosk does not pin: the receipts do not verify, the
 * records wait (they are stored there, and a later delivery to the right receiver counts). */
static void test_receipt_other_key(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 2, 5000);
    g_autofree char *other = path_in(fx->dir, "other");
    g_mkdir(other, 0700);
    g_assert_cmpint(seal_receiver_init(other, NULL), ==, BK_OK);
    g_autofree char *other_key = path_in(other, "receiver.key");
    receiver_start(fx, "a", other_key, 0, NULL);
    deliver_expect(fx, 1, 0, 2, 2, "not the pinned receiver");
    g_autofree char *done = path_in(fx->outbox, OUTBOX_DELIVERED);
    g_assert_cmpuint(count(done, OUTBOX_SUFFIX), ==, 0);
}

/* A fake receiver in this process answers with a forged receipt; `outbox deliver` runs as a
 * process meanwhile. */
typedef enum forgery { FORGE_SIGNATURE, FORGE_OTHER_BYTES, FORGE_OTHER_NAME } forgery;

typedef struct fake {
    fixture *fx;
    forgery how;
    GMainLoop *loop;
    int status;
} fake;

static void on_fake_put(SoupServer *server, SoupServerMessage *msg, const char *path,
                        GHashTable *query, gpointer data)
{
    fake *f = data;
    SoupMessageBody *body = soup_server_message_get_request_body(msg);
    GBytes *b = soup_message_body_flatten(body);
    gsize len;
    const uint8_t *p = g_bytes_get_data(b, &len);
    receipt r = {0};
    g_strlcpy(r.tcn, f->how == FORGE_OTHER_NAME ? "KIOSK1-ffffffff" : path + strlen("/records/"),
              sizeof(r.tcn));
    uint8_t other[8] = {1, 2, 3};
    if (f->how == FORGE_OTHER_BYTES)
        receipt_sha256_hex(other, sizeof(other), r.sha256);
    else
        receipt_sha256_hex(p, len, r.sha256);
    g_bytes_unref(b);
    receipt_time(time(NULL), r.received);
    char *json = NULL;
    size_t json_len = 0;
    g_assert_cmpint(receipt_sign(&r, f->fx->rsk, &json, &json_len), ==, BK_OK);
    if (f->how == FORGE_SIGNATURE) {
        char *sig = strstr(json, "\"signature\":\"") + strlen("\"signature\":\"");
        sig[3] = sig[3] == 'A' ? 'B' : 'A';
    }
    soup_server_message_set_status(msg, 201, NULL);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, json, json_len);
}

static void on_deliver_exit(GPid pid, gint status, gpointer data)
{
    fake *f = data;
    f->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    g_spawn_close_pid(pid);
    g_main_loop_quit(f->loop);
}

static void test_forged_receipts(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 2, 4000);
    for (forgery how = FORGE_SIGNATURE; how <= FORGE_OTHER_NAME; how++) {
        fake f = {fx, how, g_main_loop_new(NULL, FALSE), -1};
        SoupServer *server = soup_server_new(NULL, NULL);
        soup_server_add_handler(server, "/records/", on_fake_put, &f, NULL);
        GError *error = NULL;
        g_assert_true(soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
        g_assert_no_error(error);
        GSList *uris = soup_server_get_uris(server);
        g_autofree char *url =
            g_strdup_printf("http://127.0.0.1:%d", g_uri_get_port((GUri *)uris->data));
        g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
        const char *argv[] = {bin, "outbox",         "deliver",        fx->outbox, "--to",
                              url, "--receiver-key", fx->receiver_pub, NULL};
        GPid pid;
        int err_fd = -1;
        g_assert_true(g_spawn_async_with_pipes(
            NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
            NULL, &pid, NULL, NULL, &err_fd, &error));
        g_child_watch_add(pid, on_deliver_exit, &f);
        g_main_loop_run(f.loop);
        char buf[2048] = "";
        ssize_t n = read(err_fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(err_fd);
        g_assert_cmpint(f.status, ==, 1);
        const char *want[] = {"signature does not verify", "other bytes", "is for KIOSK1-ffffffff"};
        if (strstr(buf, want[how]) == NULL)
            g_error("forgery %d: '%s' not in: %s", how, want[how], buf);
        g_assert_cmpuint(count(fx->outbox, OUTBOX_SUFFIX), ==, 2);
        soup_server_disconnect(server);
        while (g_main_context_iteration(NULL, FALSE))
            ;
        g_object_unref(server);
        g_main_loop_unref(f.loop);
    }
}

static void pg_exec(const char *uri, const char *sql)
{
    PGconn *c = PQconnectdb(uri);
    g_assert_cmpint(PQstatus(c), ==, CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        g_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A full disk on the PostgreSQL receiver: the server's records table lives in a tablespace on a
 * 256 kB filesystem (a tmpfs mounted by the test, which needs root), too small for a record. */
static void receiver_disk_full_postgresql(fixture *fx)
{
    const char *pguser = g_getenv("BIOKIOSK_TEST_PGUSER");
    struct passwd *pw = pguser ? getpwnam(pguser) : NULL;
    if (geteuid() != 0 || pw == NULL) {
        g_test_skip("a full disk on the PostgreSQL server needs root (to mount a small tmpfs)");
        return;
    }
    g_autofree char *small = g_dir_make_tmp("pg-small-XXXXXX", NULL);
    if (mount("tmpfs", small, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0700") != 0) {
        g_test_skip("cannot mount a small tmpfs for the server's tablespace here");
        g_rmdir(small);
        return;
    }
    g_assert_cmpint(chown(small, pw->pw_uid, pw->pw_gid), ==, 0);
    g_autofree char *create =
        g_strdup_printf("CREATE TABLESPACE biokiosk_small LOCATION '%s'", small);
    pg_exec(fx->store, create);
    pg_exec(fx->store, "ALTER DATABASE postgres SET default_tablespace = biokiosk_small");

    add_records(fx, 2, 400000);
    receiver_start(fx, "a", NULL, 0, NULL);
    deliver_expect(fx, 1, 0, 2, 2, "507");
    GPtrArray *names = stored(fx);
    g_assert_cmpuint(names->len, ==, 0); /* nothing half-stored */
    g_ptr_array_unref(names);
    receiver_stop(fx, SIGTERM);

    /* room again: the same records are delivered */
    pg_exec(fx->store, "ALTER DATABASE postgres RESET default_tablespace");
    pg_exec(fx->store, "ALTER TABLE received_records SET TABLESPACE pg_default");
    pg_exec(fx->store, "ALTER INDEX ALL IN TABLESPACE biokiosk_small SET TABLESPACE pg_default");
    pg_exec(fx->store, "DROP TABLESPACE biokiosk_small");
    g_assert_cmpint(umount(small), ==, 0);
    g_rmdir(small);
    delivers_all(fx, 2);
}

/* A full disk on the receiver (a file-size limit on its process; on PostgreSQL, a tablespace on
 * a tiny filesystem): 507, no receipt, the record waits, nothing half-written in the store. */
static void test_receiver_disk_full(fixture *fx, gconstpointer data)
{
    (void)data;
    if (use_pg) {
        receiver_disk_full_postgresql(fx);
        return;
    }
    add_records(fx, 2, 50000);
    receiver_start(fx, "a", NULL, 8192, NULL);
    deliver_expect(fx, 1, 0, 2, 2, "507");
    g_assert_cmpuint(count(fx->store_dir, ""), ==, 0);
    receiver_stop(fx, SIGTERM);
    delivers_all(fx, 2);
}

/* Over the receiver's size limit: 413, the record waits. */
static void test_over_size(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 1, 20000);
    receiver_start(fx, "a", NULL, 0, "--max-bytes=10000");
    deliver_expect(fx, 1, 0, 1, 1, "413");
    GPtrArray *names = stored(fx);
    g_assert_cmpuint(names->len, ==, 0);
    g_ptr_array_unref(names);
}

/* `openssl s_client -VERSION` to the receiver at fx->url: its output (g_free). */
static char *s_client(fixture *fx, const char *version)
{
    const char *port = strrchr(fx->url, ':') + 1;
    g_autofree char *connect = g_strdup_printf("127.0.0.1:%s", port);
    /* SECLEVEL=0: openssl itself would stop a TLS 1.1 handshake the receiver accepted */
    const char *argv[] = {"openssl",  "s_client", version, "-cipher", "DEFAULT@SECLEVEL=0",
                          "-connect", connect,    NULL};
    char *out = NULL, *err = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out,
                               &err, NULL, NULL));
    char *both = g_strconcat(out, err, NULL);
    g_free(out);
    g_free(err);
    return both;
}

/* A receiver whose certificate the kiosk does not pin is refused by the kiosk; plain HTTP is
 * refused unless it is to 127.0.0.1; the receiver speaks TLS 1.2 or later only. */
static void test_tls_not_pinned(fixture *fx, gconstpointer data)
{
    (void)data;
    add_records(fx, 2, 3000);
    receiver_start(fx, "b", NULL, 0, NULL);
    g_assert_true(g_str_has_prefix(fx->url, "https://"));
    g_autofree char *v11 = s_client(fx, "-tls1_1");
    g_autofree char *v12 = s_client(fx, "-tls1_2");
    if (strstr(v11, "Cipher is (NONE)") == NULL)
        g_error("the receiver took TLS 1.1: %s", v11);
    g_assert_nonnull(strstr(v12, "TLSv1.2"));
    g_assert_null(strstr(v12, "Cipher is (NONE)"));
    deliver_expect(fx, 3, 0, 1, 2, NULL);
    GPtrArray *names = stored(fx);
    g_assert_cmpuint(names->len, ==, 0);
    g_ptr_array_unref(names);
    /* the pinned one is accepted by the same kiosk */
    run r = deliver(fx, "b", NULL);
    assert_counts(&r, 0, 2, 0, 0);
    bk_result_clear(&r);
    const char *plain[] = {bin,
                           "outbox",
                           "deliver",
                           fx->outbox,
                           "--to",
                           "http://192.0.2.1:8443",
                           "--receiver-key",
                           fx->receiver_pub,
                           NULL};
    r = bk_spawn(plain, NULL, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "plain http only to 127.0.0.1"));
    bk_result_clear(&r);
}

static gboolean make_cert(const char *name)
{
    g_autofree char *key = g_strdup_printf("%s/%s.key", certs, name);
    g_autofree char *pem = g_strdup_printf("%s/%s.pem", certs, name);
    const char *argv[] = {"openssl",
                          "req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:prime256v1",
                          "-nodes",
                          "-keyout",
                          key,
                          "-out",
                          pem,
                          "-days",
                          "2",
                          "-subj",
                          "/CN=127.0.0.1",
                          "-addext",
                          "subjectAltName=IP:127.0.0.1",
                          NULL};
    int status = 0;
    g_autofree char *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        g_printerr("openssl: %s\n", err ? err : "not found");
        return FALSE;
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_log_set_always_fatal(G_LOG_FATAL_MASK);
    g_log_set_writer_func(g_log_writer_default, NULL, NULL);
    bin = g_getenv("BIOKIOSK_BIN");
    use_pg = g_strcmp0(g_getenv("BIOKIOSK_TEST_STORE"), "postgresql") == 0;
    if (bin == NULL || seal_init() != BK_OK) {
        g_printerr("BIOKIOSK_BIN is not set\n");
        return 1;
    }
    g_autofree char *openssl = g_find_program_in_path("openssl");
    if (openssl == NULL) {
        g_printerr("SKIP: openssl (Debian package openssl) is needed for the test certificates\n");
        return 77;
    }
    certs = g_dir_make_tmp("delivery-certs-XXXXXX", NULL);
    if (!make_cert("a") || !make_cert("b"))
        return 1;
    signal(SIGPIPE, SIG_IGN);
#define ADD(path, fn) g_test_add(path, fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD("/delivery/deliver-and-resend", test_deliver_and_resend);
    ADD("/delivery/conflict", test_conflict);
    ADD("/delivery/unknown-kiosk", test_unknown_kiosk);
    ADD("/delivery/killed-mid-delivery", test_killed_mid_delivery);
    ADD("/delivery/receiver-down-then-back", test_receiver_down_then_back);
    ADD("/delivery/receipt-other-key", test_receipt_other_key);
    ADD("/delivery/forged-receipts", test_forged_receipts);
    ADD("/delivery/receiver-disk-full", test_receiver_disk_full);
    ADD("/delivery/over-size", test_over_size);
    ADD("/delivery/tls-not-pinned", test_tls_not_pinned);
    int rc = g_test_run();
    remove_tree(certs);
    g_free(certs);
    return rc;
}
