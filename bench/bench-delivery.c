/* Delivery under load: K kiosks (parallel processes) each deliver N sealed records to one
 * `biokiosk receiver` over HTTPS on loopback. Prints records per second and the time to receipt
 * (PUT sent to receipt verified) at the median, 95th and 99th percentile.
 *
 *   bench-delivery BIOKIOSK STORE-URI [KIOSKS [RECORDS [BYTES]]]
 * Defaults 20 kiosks x 50 records of 400 kB (about a record with its portrait, ten prints and a
 * signature). Short mode (BIOKIOSK_BENCH_SHORT=1): 2 kiosks x 3 records of 10 kB.
 * Needs openssl for the throwaway certificate. For a dir: store give an empty directory.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "bench.h"
#include "record/delivery.h"
#include "record/outbox.h"
#include "record/seal.h"

static char *tmp;

static void sh(const char *const *argv)
{
    int status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "bench-delivery: %s failed\n", argv[0]);
        exit(1);
    }
}

/* One kiosk: its keys in tmp/kiosks, its outbox with n records. */
static char *make_kiosk(int k, long n, long bytes, const uint8_t office_pk[32])
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    g_autofree char *pub = g_strdup_printf("%s/kiosks/KIOSK%02d.pub", tmp, k);
    if (seal_key_write(pub, SEAL_KEY_KIOSK_PUBLIC, pk, 32) != BK_OK)
        exit(1);
    char *outbox = g_strdup_printf("%s/outbox%02d", tmp, k);
    g_mkdir(outbox, 0700);
    uint8_t *payload = g_malloc((size_t)bytes);
    for (long i = 0; i < n; i++) {
        randombytes_buf(payload, (size_t)bytes);
        uint8_t *file = NULL;
        size_t len = 0;
        g_autofree char *name = g_strdup_printf("KIOSK%02d-%08lx%s", k, i, OUTBOX_SUFFIX);
        if (seal_record(payload, (size_t)bytes, sk, office_pk, &file, &len) != BK_OK ||
            outbox_commit(outbox, name, file, len) != BK_OK)
            exit(1);
        g_free(file);
    }
    g_free(payload);
    sodium_memzero(sk, sizeof(sk));
    return outbox;
}

/* The child: delivers its outbox one record after another and writes each time to receipt
 * (microseconds, one per line) to fd. */
static int kiosk_child(const char *outbox, const char *url, const char *ca, const uint8_t rpk[32],
                       int fd)
{
    delivery_settings set = {.url = url, .ca = ca, .receiver_pk = rpk, .timeout_seconds = 120};
    delivery *d = NULL;
    char why[256] = "";
    if (delivery_new(&set, &d, why, sizeof(why)) != BK_OK) {
        fprintf(stderr, "bench-delivery: %s\n", why);
        return 1;
    }
    outbox_entry *e = NULL;
    size_t n = 0;
    if (outbox_list(outbox, &e, &n) != BK_OK)
        return 1;
    FILE *out = fdopen(fd, "w");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        g_autofree char *path = g_build_filename(outbox, e[i].name, NULL);
        uint8_t *bytes = NULL;
        size_t len = 0;
        char *receipt = NULL;
        size_t rlen = 0;
        if (outbox_read_file(path, &bytes, &len) != BK_OK)
            return 1;
        gint64 t0 = g_get_monotonic_time();
        bk_err err = delivery_send(d, e[i].name, bytes, len, &receipt, &rlen, why, sizeof(why));
        gint64 t1 = g_get_monotonic_time();
        if (err == BK_OK)
            err = outbox_mark_delivered(outbox, e[i].name, receipt, rlen);
        if (err != BK_OK) {
            fprintf(stderr, "bench-delivery: %s: %s\n", e[i].name, why);
            rc = 1;
        }
        fprintf(out, "%lld\n", (long long)(t1 - t0));
        g_free(receipt);
        g_free(bytes);
    }
    fclose(out);
    outbox_entries_free(e, n);
    delivery_free(d);
    return rc;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static GPid start_receiver(const char *bin, const char *store, char **url)
{
    g_autofree char *kiosks = g_strdup_printf("%s/kiosks", tmp);
    g_autofree char *key = g_strdup_printf("%s/receiver.key", tmp);
    g_autofree char *cert = g_strdup_printf("%s/cert.pem", tmp);
    g_autofree char *ckey = g_strdup_printf("%s/cert.key", tmp);
    const char *argv[] = {bin,          "receiver", "--listen",  "127.0.0.1:0", "--kiosks",
                          kiosks,       "--key",    key,         "--store",     store,
                          "--tls-cert", cert,       "--tls-key", ckey,          NULL};
    GPid pid;
    int out = -1;
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                  NULL, &pid, NULL, &out, NULL, NULL))
        exit(1);
    GString *line = g_string_new(NULL);
    char c;
    while (read(out, &c, 1) == 1 && c != '\n')
        g_string_append_c(line, c);
    close(out);
    JsonParser *p = json_parser_new();
    if (!json_parser_load_from_data(p, line->str, -1, NULL)) {
        fprintf(stderr, "bench-delivery: the receiver did not start\n");
        exit(1);
    }
    *url = g_strdup(
        json_object_get_string_member(json_node_get_object(json_parser_get_root(p)), "listening"));
    g_object_unref(p);
    g_string_free(line, TRUE);
    return pid;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-delivery BIOKIOSK STORE-URI [KIOSKS [RECORDS [BYTES]]]\n");
        return 2;
    }
    long kiosks = argc > 3 ? atol(argv[3]) : bench_n(20, 2);
    long records = argc > 4 ? atol(argv[4]) : bench_n(50, 3);
    long bytes = argc > 5 ? atol(argv[5]) : bench_n(400000, 10000);
    if (seal_init() != BK_OK || kiosks < 1 || records < 1 || bytes < 1)
        return 2;
    tmp = g_dir_make_tmp("bench-delivery-XXXXXX", NULL);
    g_autofree char *kdir = g_strdup_printf("%s/kiosks", tmp);
    g_mkdir(kdir, 0700);
    if (seal_receiver_init(tmp, NULL) != BK_OK)
        return 1;
    g_autofree char *cert = g_strdup_printf("%s/cert.pem", tmp);
    g_autofree char *ckey = g_strdup_printf("%s/cert.key", tmp);
    const char *openssl[] = {"openssl",
                             "req",
                             "-x509",
                             "-newkey",
                             "ec",
                             "-pkeyopt",
                             "ec_paramgen_curve:prime256v1",
                             "-nodes",
                             "-keyout",
                             ckey,
                             "-out",
                             cert,
                             "-days",
                             "1",
                             "-subj",
                             "/CN=127.0.0.1",
                             "-addext",
                             "subjectAltName=IP:127.0.0.1",
                             NULL};
    sh(openssl);
    uint8_t rpk[32], opk[32], osk[32];
    g_autofree char *rpub = g_strdup_printf("%s/receiver.pub", tmp);
    if (seal_key_read(rpub, SEAL_KEY_RECEIVER_PUBLIC, rpk, 32, NULL, 0) != BK_OK)
        return 1;
    crypto_box_keypair(opk, osk);
    char **outboxes = g_new0(char *, kiosks);
    for (long k = 0; k < kiosks; k++)
        outboxes[k] = make_kiosk((int)k, records, bytes, opk);

    g_autofree char *url = NULL;
    GPid receiver = start_receiver(argv[1], argv[2], &url);
    int pipes[2];
    if (pipe(pipes) != 0)
        return 1;
    fflush(NULL);
    gint64 t0 = g_get_monotonic_time();
    pid_t *pids = g_new0(pid_t, kiosks);
    for (long k = 0; k < kiosks; k++) {
        pid_t pid = pids[k] = fork();
        if (pid == 0) {
            close(pipes[0]);
            _exit(kiosk_child(outboxes[k], url, cert, rpk, pipes[1]));
        }
    }
    close(pipes[1]);
    GArray *times = g_array_new(FALSE, FALSE, sizeof(long long));
    FILE *in = fdopen(pipes[0], "r");
    long long t;
    while (fscanf(in, "%lld", &t) == 1)
        g_array_append_val(times, t);
    fclose(in);
    int failed = 0, status;
    for (long k = 0; k < kiosks; k++)
        if (waitpid(pids[k], &status, 0) != pids[k] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            failed++;
    g_free(pids);
    double wall = (double)(g_get_monotonic_time() - t0) / 1e6;
    kill(receiver, SIGTERM);
    waitpid(receiver, NULL, 0);

    qsort(times->data, times->len, sizeof(long long), cmp_ll);
    long long *v = (long long *)(void *)times->data;
    size_t n = times->len;
#define PCT(p) (n ? (double)v[MIN(n - 1, (size_t)((double)(n) * (p)))] / 1000.0 : 0.0)
    printf("delivery store=%s: %ld kiosks x %ld records of %ld kB: %zu delivered in %.2f s, "
           "%.1f records/s; time to receipt median %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f "
           "ms\n",
           g_str_has_prefix(argv[2], "dir:") ? "dir" : "postgresql", kiosks, records, bytes / 1000,
           n, wall, (double)n / wall, PCT(0.5), PCT(0.95), PCT(0.99),
           n ? (double)v[n - 1] / 1000.0 : 0.0);
    for (long k = 0; k < kiosks; k++)
        g_free(outboxes[k]);
    g_free(outboxes);
    g_array_free(times, TRUE);
    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", tmp);
    if (system(rm) != 0)
        fprintf(stderr, "bench-delivery: %s not removed\n", tmp);
    if (failed > 0 || n != (size_t)(kiosks * records)) {
        fprintf(stderr, "bench-delivery: %d kiosks failed, %zu of %ld delivered\n", failed, n,
                kiosks * records);
        return 1;
    }
    return 0;
}
