/* Appointment store benchmark (not a test): on the store named by the first argument,
 *   1. import N appointments (default 1,000,000) from one back-office JSON file, in one
 *      transaction, through store_import (parsing and checking included);
 *   2. `check` latency at that size: median and 99th percentile of 20,000 checks of random
 *      codes;
 *   3. concurrent check-ins per second: 8 client processes, each with its own connection,
 *      checking in its own codes.
 * Prints one line per figure. Usage: bench-store URI [N] [CLIENTS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "bench.h"
#include "store/store.h"

#define CHECKS              ((int)bench_n(20000, 200))
#define CHECKINS_PER_CLIENT bench_n(2000, 20)

static void code_n(long n, char out[static APPTCODE_FORMATTED_LEN + 1])
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {0x21, (unsigned char)(n >> 24),
                                                  (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                                                  (unsigned char)n};
    char code[APPTCODE_LEN + 1];
    apptcode_from_bytes(bytes, code);
    apptcode_format(code, out);
}

/* Appointment n: one of 4 desks, every 10 minutes over 200 days, 1 to 3 persons. */
static void append_entry(GString *s, long n)
{
    static const char *const desks[] = {"DEN-HAAG", "AMSTERDAM", "ZWOLLE", "DEN-BOSCH"};
    char code[APPTCODE_FORMATTED_LEN + 1];
    code_n(n, code);
    long slot = n / 4;
    int day = (int)(slot / 48 % 200);
    int minute = 8 * 60 + (int)(slot % 48) * 10;
    caldate d = caldate_from_days(caldate_to_days((caldate){2026, 1, 5}) + day);
    char date[11];
    caldate_format(d, date);
    g_string_append_printf(s,
                           "%s{\"code\":\"%s\",\"desk\":\"%s\",\"start\":\"%sT%02d:%02d:00+01:00\","
                           "\"minutes\":20,\"status\":\"booked\",\"urgent\":false,\"persons\":[",
                           n > 0 ? "," : "", code, desks[n % 4], date, minute / 60, minute % 60);
    int persons = 1 + (int)(n % 7 == 0) + (int)(n % 11 == 0);
    for (int p = 0; p < persons; p++)
        g_string_append_printf(s,
                               "%s{\"v_number\":\"%010ld\",\"name\":\"Person %ld-%d\","
                               "\"birth_date\":\"%d-0%d-1%d\",\"category\":\"third-country\","
                               "\"previous\":{\"photo\":\"2025-06-01\"}}",
                               p > 0 ? "," : "", n * 3 + p, n, p, 1950 + (int)(n % 50) + p * 10,
                               1 + p, (int)(n % 9));
    g_string_append(s, "]}");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int64_t start_of(long n)
{
    long slot = n / 4;
    int day = (int)(slot / 48 % 200);
    int minute = 8 * 60 + (int)(slot % 48) * 10;
    long days = caldate_to_days((caldate){2026, 1, 5}) + day;
    return (int64_t)days * 86400 + minute * 60 - 3600;
}

static const char *desk_of(long n)
{
    static const char *const desks[] = {"DEN-HAAG", "AMSTERDAM", "ZWOLLE", "DEN-BOSCH"};
    return desks[n % 4];
}

static int client(const char *uri, int index, int clients, long n, int go)
{
    store *s = NULL;
    if (store_open(uri, &s, NULL) != BK_OK)
        return 100;
    char byte;
    if (read(go, &byte, 1) < 0)
        return 101;
    int failures = 0;
    char kiosk[16];
    g_snprintf(kiosk, sizeof kiosk, "BENCH-%02d", index);
    for (long k = 0; k < CHECKINS_PER_CLIENT; k++) {
        /* Distinct codes per client, spread over the whole table. */
        long a = ((k * clients + index) * 7919L) % n;
        char code[APPTCODE_FORMATTED_LEN + 1];
        code_n(a, code);
        store_arrival arr = {.desk = desk_of(a),
                             .kiosk = kiosk,
                             .now = start_of(a),
                             .early_minutes = 30,
                             .late_minutes = 15};
        store_result r;
        char canonical[APPTCODE_LEN + 1];
        if (store_checkin(s, code, &arr, &r, canonical, NULL) != BK_OK || r != STORE_RESULT_OK)
            failures++;
    }
    store_free(s);
    return failures > 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-store URI [N] [CLIENTS]\n");
        return 2;
    }
    const char *uri = argv[1];
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    int clients = argc > 3 ? atoi(argv[3]) : 8;
    if (n < CHECKS || clients < 1 || clients > 64 || (long)clients * CHECKINS_PER_CLIENT > n)
        return 2;
    store *s = NULL;
    g_autofree char *message = NULL;
    if (store_open(uri, &s, &message) != BK_OK) {
        fprintf(stderr, "bench-store: %s\n", message);
        return 3;
    }
    const char *name = store_backend_name(s);

    /* 1. Import. */
    GString *json = g_string_sized_new((gsize)n * 260);
    g_string_append(json, "{\"appointments\":[");
    for (long i = 0; i < n; i++)
        append_entry(json, i);
    g_string_append(json, "]}");
    double mb = json->len / 1e6;
    gint64 t0 = g_get_monotonic_time();
    store_import_report *report = NULL;
    bk_err err = store_import(s, json->str, json->len, &report);
    gint64 t1 = g_get_monotonic_time();
    g_string_free(json, TRUE);
    if (err != BK_OK) {
        fprintf(stderr, "bench-store: import failed: %s\n", bk_err_str(err));
        if (report != NULL && report->n_problems > 0)
            fprintf(stderr, "bench-store: %s\n", report->problems[0]);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s: import of %ld appointments (%.0f MB of JSON, one transaction): %.1f s "
           "(%.0f appointments/s, peak memory %ld MB; added %zu)\n",
           name, n, mb, (t1 - t0) / 1e6, n / ((t1 - t0) / 1e6), ru.ru_maxrss / 1024, report->added);
    store_import_report_free(report);

    /* 2. Check latency. */
    double *lat = g_new(double, CHECKS);
    GRand *rand = g_rand_new_with_seed(42);
    for (int i = 0; i < CHECKS; i++) {
        long a = g_rand_int_range(rand, 0, (gint32)n);
        char code[APPTCODE_FORMATTED_LEN + 1];
        code_n(a, code);
        store_arrival arr = {
            .desk = desk_of(a), .now = start_of(a), .early_minutes = 30, .late_minutes = 15};
        store_result r;
        char canonical[APPTCODE_LEN + 1];
        gint64 c0 = g_get_monotonic_time();
        err = store_check(s, code, &arr, &r, canonical, NULL);
        lat[i] = (double)(g_get_monotonic_time() - c0);
        if (err != BK_OK || r != STORE_RESULT_OK) {
            fprintf(stderr, "bench-store: check %d: %s %s\n", i, bk_err_str(err),
                    store_result_str(r));
            return 1;
        }
    }
    qsort(lat, CHECKS, sizeof *lat, cmp_double);
    printf("%s: check latency at %ld appointments (%d checks): median %.0f us, 99th percentile "
           "%.0f us\n",
           name, n, CHECKS, lat[CHECKS / 2], lat[CHECKS * 99 / 100]);
    g_free(lat);
    g_rand_free(rand);
    store_free(s);

    /* 3. Concurrent check-ins. */
    int go[2];
    if (pipe(go) != 0)
        return 1;
    fflush(stdout);
    pid_t *pids = g_new(pid_t, clients);
    for (int i = 0; i < clients; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(go[1]);
            _exit(client(uri, i, clients, n, go[0]));
        }
    }
    close(go[0]);
    /* Let every client connect before the clock starts. */
    g_usleep(G_USEC_PER_SEC);
    gint64 c0 = g_get_monotonic_time();
    close(go[1]);
    int bad = 0;
    for (int i = 0; i < clients; i++) {
        int status = 0;
        waitpid(pids[i], &status, 0);
        bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    double secs = (g_get_monotonic_time() - c0) / 1e6;
    g_free(pids);
    if (bad > 0) {
        fprintf(stderr, "bench-store: %d clients failed\n", bad);
        return 1;
    }
    long total = (long)clients * CHECKINS_PER_CLIENT;
    printf("%s: concurrent check-ins, %d clients, %ld check-ins: %.0f check-ins/s\n", name, clients,
           total, total / secs);
    return 0;
}
