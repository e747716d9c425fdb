/* `biokiosk outbox` and `biokiosk keys` around delivery: verify and export require the kiosk's
 * key, key files with wider modes than intended are refused, purge deletes delivered records
 * only and nothing while the clock check fails, list shows states and receipts, receiver-init.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <utime.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "../bkrun.h"
#include "deliverytest.h"
#include "record/outbox.h"
#include "record/receipt.h"
#include "record/seal.h"

static const char *bin;

typedef struct fixture {
    char *dir, *outbox, *keys, *kiosk_pub, *kiosk_key, *hash_key, *fakebin;
    uint8_t ksk[64], opk[32], rsk[64];
} fixture;

typedef bk_result run;

/* Runs biokiosk with the arguments (NULL-terminated); `ntp` non-NULL puts a timedatectl first
 * in PATH that reports NTPSynchronized=ntp. */
static run bk(fixture *fx, const char *ntp, ...)
{
    char **env = g_get_environ();
    if (ntp != NULL) {
        g_autofree char *script = g_build_filename(fx->fakebin, "timedatectl", NULL);
        g_autofree char *text = g_strdup_printf("#!/bin/sh\necho %s\n", ntp);
        g_assert_true(g_file_set_contents(script, text, -1, NULL));
        g_assert_cmpint(g_chmod(script, 0755), ==, 0);
        g_autofree char *path = g_strdup_printf("%s:%s", fx->fakebin, g_getenv("PATH"));
        env = g_environ_setenv(env, "PATH", path, TRUE);
    }
    va_list ap;
    va_start(ap, ntp);
    const char *first = va_arg(ap, const char *);
    run r = bk_spawn_va(bin, (const char *const *)env, NULL, first, ap);
    va_end(ap);
    g_strfreev(env);
    return r;
}

static void set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    memset(fx, 0, sizeof(*fx));
    fx->dir = make_tmpdir("outbox-cli-XXXXXX");
    fx->outbox = make_subdir(fx->dir, "outbox");
    fx->keys = make_subdir(fx->dir, "keys");
    fx->fakebin = make_subdir(fx->dir, "bin");
    kiosk_keys_make(fx->keys, fx->ksk);
    fx->kiosk_pub = g_build_filename(fx->keys, "kiosk.pub", NULL);
    fx->kiosk_key = g_build_filename(fx->keys, "kiosk.key", NULL);
    fx->hash_key = g_build_filename(fx->keys, "audit-hash.key", NULL);
    uint8_t osk[32], rpk[32];
    crypto_box_keypair(fx->opk, osk);
    crypto_sign_keypair(rpk, fx->rsk);
}

static void tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->outbox);
    g_free(fx->keys);
    g_free(fx->kiosk_pub);
    g_free(fx->kiosk_key);
    g_free(fx->hash_key);
    g_free(fx->fakebin);
}

/* Commits a record "K1-name.bkrec"; delivered_days_ago >= 0 also delivers it with a receipt of
 * that age. */
static void add(fixture *fx, const char *name, int delivered_days_ago)
{
    uint8_t payload[500];
    randombytes_buf(payload, sizeof(payload));
    uint8_t *file = NULL;
    size_t len = 0;
    g_assert_cmpint(seal_record(payload, sizeof(payload), fx->ksk, fx->opk, &file, &len), ==,
                    BK_OK);
    g_autofree char *fname = g_strconcat(name, OUTBOX_SUFFIX, NULL);
    g_assert_cmpint(outbox_commit(fx->outbox, fname, file, len), ==, BK_OK);
    if (delivered_days_ago >= 0) {
        receipt r = {0};
        g_strlcpy(r.tcn, name, sizeof(r.tcn));
        receipt_sha256_hex(file, len, r.sha256);
        receipt_time(time(NULL) - (time_t)delivered_days_ago * 86400, r.received);
        char *json = NULL;
        g_assert_cmpint(receipt_sign(&r, fx->rsk, &json, NULL), ==, BK_OK);
        g_assert_cmpint(outbox_mark_delivered(fx->outbox, fname, json, strlen(json)), ==, BK_OK);
        g_free(json);
    }
    g_free(file);
}

static gboolean exists(fixture *fx, const char *sub, const char *name)
{
    g_autofree char *f = g_strconcat(name, OUTBOX_SUFFIX, NULL);
    g_autofree char *p = g_build_filename(fx->outbox, sub, f, NULL);
    return g_file_test(p, G_FILE_TEST_EXISTS);
}

/* verify and export trust no key named inside the files: --kiosk-key is required. */
static void test_kiosk_key_required(fixture *fx, gconstpointer data)
{
    (void)data;
    add(fx, "K1-00000001", -1);
    g_autofree char *usb = g_build_filename(fx->dir, "usb", NULL);
    g_mkdir(usb, 0700);
    run r = bk(fx, NULL, "outbox", "verify", fx->outbox, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "verify needs --kiosk-key"));
    bk_result_clear(&r);
    r = bk(fx, NULL, "outbox", "export", fx->outbox, "--to", usb, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "export needs --kiosk-key"));
    bk_result_clear(&r);
    r = bk(fx, NULL, "outbox", "verify", fx->outbox, "--kiosk-key", fx->kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    /* a record signed by another kiosk does not pass for this one */
    uint8_t pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    g_autofree char *other = g_build_filename(fx->dir, "other.pub", NULL);
    g_assert_cmpint(seal_key_write(other, SEAL_KEY_KIOSK_PUBLIC, pk2, 32), ==, BK_OK);
    r = bk(fx, NULL, "outbox", "verify", fx->outbox, "--kiosk-key", other, NULL);
    g_assert_cmpint(r.status, ==, 1);
    bk_result_clear(&r);
}

/* A public key others may write, or a secret key others may read, is refused with a message
 * saying what to change; 0640 for a secret (the service's group) is accepted. */
static void test_key_modes(fixture *fx, gconstpointer data)
{
    (void)data;
    add(fx, "K1-00000002", -1);
    g_assert_cmpint(g_chmod(fx->kiosk_pub, 0666), ==, 0);
    run r = bk(fx, NULL, "outbox", "verify", fx->outbox, "--kiosk-key", fx->kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "mode 0666, wider than intended: chmod 0644"));
    bk_result_clear(&r);
    g_assert_cmpint(g_chmod(fx->kiosk_pub, 0644), ==, 0);

    g_autofree char *usb = g_build_filename(fx->dir, "usb", NULL);
    g_autofree char *log = g_build_filename(fx->dir, "audit.log", NULL);
    g_mkdir(usb, 0700);
    g_assert_cmpint(g_chmod(fx->kiosk_key, 0644), ==, 0);
    r = bk(fx, NULL, "outbox", "export", fx->outbox, "--to", usb, "--kiosk-key", fx->kiosk_pub,
           "--audit", log, "--audit-key", fx->kiosk_key, "--audit-hash-key", fx->hash_key, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "mode 0644, wider than intended: chmod 0600 (or 0640)"));
    bk_result_clear(&r);
    g_assert_cmpint(g_chmod(fx->kiosk_key, 0640), ==, 0);
    r = bk(fx, NULL, "outbox", "export", fx->outbox, "--to", usb, "--kiosk-key", fx->kiosk_pub,
           "--audit", log, "--audit-key", fx->kiosk_key, "--audit-hash-key", fx->hash_key, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
}

/* Purge deletes delivered records past the retention (counted from the receipt), never a
 * waiting one, and nothing while the clock is not synchronised. */
static void test_purge(fixture *fx, gconstpointer data)
{
    (void)data;
    add(fx, "K1-0000000a", -1); /* waiting, its file 30 days old */
    g_autofree char *waiting = g_build_filename(fx->outbox, "K1-0000000a.bkrec", NULL);
    struct utimbuf old = {time(NULL) - 30 * 86400, time(NULL) - 30 * 86400};
    g_assert_cmpint(g_utime(waiting, &old), ==, 0);
    add(fx, "K1-0000000b", 20); /* delivered 20 days ago */
    add(fx, "K1-0000000c", 2);  /* delivered 2 days ago */

    run r = bk(fx, "no", "outbox", "purge", fx->outbox, "--days", "0", NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "nothing purged: the clock is not known to be right"));
    g_assert_nonnull(strstr(r.err, "clock.ntp"));
    bk_result_clear(&r);
    g_assert_true(exists(fx, OUTBOX_DELIVERED, "K1-0000000b"));

    r = bk(fx, "yes", "outbox", "purge", fx->outbox, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"deleted\":1"));
    bk_result_clear(&r);
    g_assert_false(exists(fx, OUTBOX_DELIVERED, "K1-0000000b"));
    g_assert_true(exists(fx, OUTBOX_DELIVERED, "K1-0000000c"));
    g_assert_true(exists(fx, "", "K1-0000000a"));

    r = bk(fx, "yes", "outbox", "purge", fx->outbox, "--days", "0", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"deleted\":1"));
    bk_result_clear(&r);
    g_assert_false(exists(fx, OUTBOX_DELIVERED, "K1-0000000c"));
    g_assert_true(exists(fx, "", "K1-0000000a"));
}

/* list: each record's state, and the receipt of a delivered one. */
static void test_list_states(fixture *fx, gconstpointer data)
{
    (void)data;
    add(fx, "K1-00000010", -1);
    add(fx, "K1-00000011", 0);
    run r = bk(fx, NULL, "outbox", "list", fx->outbox, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"name\":\"K1-00000010.bkrec\",\"state\":\"waiting\""));
    g_assert_nonnull(strstr(r.out, "\"name\":\"K1-00000011.bkrec\",\"state\":\"delivered\""));
    g_assert_nonnull(strstr(r.out, "\"receipt\":{\"tcn\":\"K1-00000011\",\"sha256\":\""));
    bk_result_clear(&r);
}

/* The self-test's outbox.delivery check of the kiosk's configuration (JSON of `biokiosk
 * selftest`): its status and value. */
static char *delivery_check(fixture *fx, const char *delivery_lines)
{
    g_autofree char *conf = g_build_filename(fx->dir, "kiosk.conf", NULL);
    g_autofree char *text = g_strdup_printf("[kiosk]\ndesk = DEN-HAAG\nid = K1\n[record]\n"
                                            "outbox = %s\n[delivery]\nalert_hours = 24\n%s",
                                            fx->outbox, delivery_lines);
    g_assert_true(g_file_set_contents(conf, text, -1, NULL));
    run r = bk(fx, NULL, "selftest", "--json", "--config", conf, NULL);
    const char *at = strstr(r.out, "\"name\":\"outbox.delivery\"");
    g_assert_nonnull(at);
    const char *end = strchr(at, '}');
    char *check = g_strndup(at, (gsize)(end - at));
    bk_result_clear(&r);
    return check;
}

/* outbox.delivery fails for a record waiting longer than alert_hours, saying what to do, and
 * for [delivery] set up with a receiver key that cannot be read; passes otherwise. */
static void test_selftest_delivery(fixture *fx, gconstpointer data)
{
    (void)data;
    add(fx, "K1-00000020", -1);
    g_autofree char *fresh = delivery_check(fx, "");
    g_assert_nonnull(strstr(fresh, "\"status\":\"pass\""));
    g_assert_nonnull(strstr(fresh, "1 waiting, none over the alert"));
    g_autofree char *path = g_build_filename(fx->outbox, "K1-00000020.bkrec", NULL);
    struct utimbuf old = {time(NULL) - 30 * 3600, time(NULL) - 30 * 3600};
    g_assert_cmpint(g_utime(path, &old), ==, 0);
    g_autofree char *late = delivery_check(fx, "");
    g_assert_nonnull(strstr(late, "\"status\":\"fail\""));
    g_assert_nonnull(strstr(late, "1 waiting, the oldest for 30 h (over 24 h)"));
    g_assert_nonnull(strstr(late, "Delivery is off ([delivery] url is empty)"));
    g_autofree char *missing = g_build_filename(fx->dir, "nowhere.pub", NULL);
    g_autofree char *lines =
        g_strdup_printf("url = https://127.0.0.1:8443\nreceiver_key = %s\n", missing);
    g_autofree char *bad = delivery_check(fx, lines);
    g_assert_nonnull(strstr(bad, "\"status\":\"fail\""));
    g_assert_nonnull(strstr(bad, "[delivery] receiver_key"));
}

/* discard: one waiting record, only with a reason code and an audit log, and it is in the log. */
static void test_discard(fixture *fx, gconstpointer data)
{
    (void)data;
    add(fx, "K1-00000030", -1);
    add(fx, "K1-00000031", 0);
    g_autofree char *log = g_build_filename(fx->dir, "audit.log", NULL);
    run r = bk(fx, NULL, "outbox", "discard", fx->outbox, "K1-00000030.bkrec", "--reason",
               "damaged", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "it is always audited"));
    bk_result_clear(&r);
    g_assert_true(exists(fx, "", "K1-00000030"));
    r = bk(fx, NULL, "outbox", "discard", fx->outbox, "K1-00000030.bkrec", "--reason",
           "religious or medical", "--audit", log, "--audit-key", fx->kiosk_key, "--audit-hash-key",
           fx->hash_key, NULL);
    g_assert_cmpint(r.status, ==, 2); /* a code, never free text */
    bk_result_clear(&r);
    r = bk(fx, NULL, "outbox", "discard", fx->outbox, "K1-00000031.bkrec", "--reason", "damaged",
           "--audit", log, "--audit-key", fx->kiosk_key, "--audit-hash-key", fx->hash_key, NULL);
    g_assert_cmpint(r.status, ==, 2); /* delivered: not a waiting record */
    bk_result_clear(&r);
    r = bk(fx, NULL, "outbox", "discard", fx->outbox, "K1-00000030.bkrec", "--reason", "damaged",
           "--audit", log, "--audit-key", fx->kiosk_key, "--audit-hash-key", fx->hash_key, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    g_assert_false(exists(fx, "", "K1-00000030"));
    g_assert_true(exists(fx, OUTBOX_DELIVERED, "K1-00000031"));
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(
        strstr(text, "\trecord.discarded\t-\tfile=K1-00000030.bkrec reason=damaged\t"));
}

/* keys receiver-init: receiver.key 0600 and receiver.pub, never overwritten. */
static void test_receiver_init(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *d = g_build_filename(fx->dir, "receiver", NULL);
    g_mkdir(d, 0700);
    run r = bk(fx, NULL, "keys", "receiver-init", "--dir", d, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"kind\":\"receiver\""));
    bk_result_clear(&r);
    g_autofree char *key = g_build_filename(d, "receiver.key", NULL);
    g_autofree char *pub = g_build_filename(d, "receiver.pub", NULL);
    GStatBuf st;
    g_assert_cmpint(g_stat(key, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    uint8_t pk[32], sk[64];
    g_assert_cmpint(seal_key_read(pub, SEAL_KEY_RECEIVER_PUBLIC, pk, 32, NULL, 0), ==, BK_OK);
    g_assert_cmpint(seal_key_read(key, SEAL_KEY_RECEIVER_SECRET, sk, 64, NULL, 0), ==, BK_OK);
    /* a receiver key is not a kiosk key */
    char why[256] = "";
    g_assert_cmpint(seal_key_read(pub, SEAL_KEY_KIOSK_PUBLIC, pk, 32, why, sizeof(why)), ==,
                    BK_ERR_INVALID);
    r = bk(fx, NULL, "keys", "receiver-init", "--dir", d, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "nothing was overwritten"));
    bk_result_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bin = g_getenv("BIOKIOSK_BIN");
    if (bin == NULL || seal_init() != BK_OK) {
        g_printerr("BIOKIOSK_BIN is not set\n");
        return 1;
    }
#define ADD(path, fn) g_test_add(path, fixture, NULL, set_up, fn, tear_down)
    ADD("/outbox-cli/kiosk-key-required", test_kiosk_key_required);
    ADD("/outbox-cli/key-modes", test_key_modes);
    ADD("/outbox-cli/purge", test_purge);
    ADD("/outbox-cli/list-states", test_list_states);
    ADD("/outbox-cli/receiver-init", test_receiver_init);
    ADD("/outbox-cli/selftest-delivery", test_selftest_delivery);
    ADD("/outbox-cli/discard", test_discard);
    return g_test_run();
}
