/* Kiosk benchmarks: process start to the welcome screen drawn (median of 10 runs of the real
 * program, offscreen), and memory after 1, 10 and 50 scripted sessions in one process.
 *
 * Usage: bench-kiosk BIOKIOSK LOCALE_DIR */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "bench.h"
#include "core/apptcode.h"
#include "record/seal.h"
#include "store/staff.h"
#include "store/store.h"

#define MAX_SESSIONS 50
#define SESSIONS     ((int)bench_n(MAX_SESSIONS, 2))
#define START_RUNS   ((int)bench_n(10, 1))

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Everything the benchmark made: the store, keys, outbox, audit log and scripts. */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *run(const char *bin, const char *conf, const char *script, double *ms)
{
    const char *argv[] = {bin,        "--config", conf, "--now", "2026-11-23T09:20:00+01:00",
                          "--script", script,     NULL};
    char *out = NULL, *err = NULL;
    int status = 0;
    gint64 t0 = g_get_monotonic_time();
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                      NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        fprintf(stderr, "bench-kiosk: the kiosk failed: %s\n", err ? err : "");
        exit(1);
    }
    if (ms)
        *ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    g_free(err);
    return out;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench-kiosk BIOKIOSK LOCALE_DIR\n");
        return 2;
    }
    g_setenv("SDL_VIDEODRIVER", "offscreen", TRUE);
    char *dir = g_dir_make_tmp("bench-kiosk-XXXXXX", NULL);
    char *db = g_build_filename(dir, "a.db", NULL);
    char *uri = g_strconcat("sqlite:", db, NULL);
    char codes[MAX_SESSIONS + 1][APPTCODE_FORMATTED_LEN + 1];
    GString *json = g_string_new("{\"appointments\": [");
    for (int i = 0; i <= SESSIONS; i++) {
        unsigned char bytes[APPTCODE_RANDOM_BYTES] = {(unsigned char)i, 0x11, 0x22,
                                                      (unsigned char)(i * 3), 0x44};
        char canon[APPTCODE_LEN + 1];
        apptcode_from_bytes(bytes, canon);
        apptcode_format(canon, codes[i]);
        g_string_append_printf(
            json,
            "%s{\"code\": \"%s\", \"desk\": \"DEN-HAAG\", \"start\": "
            "\"2026-11-23T09:30:00+01:00\", \"minutes\": 20, \"status\": \"booked\", "
            "\"urgent\": false, \"persons\": [{\"v_number\": \"30%08d\", \"name\": \"Person %d\", "
            "\"birth_date\": \"1985-10-24\", \"category\": \"third-country\", \"applied\": "
            "\"2026-11-02\", \"born_in_nl\": false, \"previous\": {\"photo\": \"2026-09-24\", "
            "\"fingerprints\": \"2024-12-23\", \"signature\": \"2024-12-23\"}}]}",
            i ? "," : "", codes[i], 3000000 + i, i);
    }
    g_string_append(json, "]}");
    store *st = NULL;
    store_import_report *report = NULL;
    if (store_open(uri, &st, NULL) != BK_OK ||
        store_import(st, json->str, json->len, &report) != BK_OK ||
        staff_add(st, "bench", "Bench", STAFF_ROLE_DESK, "123456") != BK_OK) {
        fprintf(stderr, "bench-kiosk: cannot prepare the store\n");
        return 1;
    }
    store_import_report_free(report);
    store_free(st);
    g_string_free(json, TRUE);
    /* the kiosk does not start without its record keys and outbox */
    char fp[17];
    g_autofree char *keys = g_build_filename(dir, "keys", NULL);
    if (seal_init() != BK_OK || g_mkdir_with_parents(keys, 0700) != 0 ||
        seal_kiosk_init(keys, fp) != BK_OK || seal_backoffice_init(keys, fp) != BK_OK) {
        fprintf(stderr, "bench-kiosk: cannot make the record keys\n");
        return 1;
    }
    char *conf = g_build_filename(dir, "k.conf", NULL);
    char *text =
        g_strdup_printf("[kiosk]\ndesk = DEN-HAAG\nid = BENCH-1\ndefault_language = en\n"
                        "locale_dir = %s\n[store]\nuri = %s\n"
                        "[record]\noutbox = %s/outbox\nkiosk_key = %s/kiosk.key\n"
                        "backoffice_key = %s/backoffice.pub\n"
                        "audit_hash_key = %s/audit-hash.key\n[audit]\nlog = %s/audit.log\n",
                        argv[2], uri, dir, keys, keys, keys, dir);
    g_file_set_contents(conf, text, -1, NULL);
    g_free(text);

    /* Start to the welcome screen drawn (and the process ended). */
    char *start = g_build_filename(dir, "start.txt", NULL);
    g_file_set_contents(start, "expect-screen welcome\n", -1, NULL);
    double t[10];
    const int runs = START_RUNS;
    for (int i = 0; i < runs; i++)
        g_free(run(argv[1], conf, start, &t[i]));
    qsort(t, (size_t)runs, sizeof t[0], cmp);
    printf("kiosk start to welcome drawn (offscreen, 1920x1080, incl. exit): median %.1f ms, "
           "min %.1f, max %.1f (%d runs)\n",
           (t[(runs - 1) / 2] + t[runs / 2]) / 2, t[0], t[runs - 1], runs);

    /* Memory at the start and after 1, 10 and 50 whole sessions. */
    GString *s = g_string_new("memory\n");
    for (int i = 0; i < SESSIONS; i++) {
        g_string_append_printf(s,
                               "tap \"Start\"\ntype %s\nkey Return\nexpect-screen appointment\n"
                               "tap \"Continue\"\nstaff bench 123456\ntap \"Close this menu\"\n"
                               "tap \"Person %d\"\ntap \"Continue\"\ntap \"Continue\"\n"
                               "tap \"Finish\"\ntap \"Close\"\nexpect-screen welcome\n",
                               codes[i], i);
        if (i == 0 || i == 9 || i == SESSIONS - 1)
            g_string_append(s, "memory\n");
    }
    char *sessions = g_build_filename(dir, "sessions.txt", NULL);
    g_file_set_contents(sessions, s->str, -1, NULL);
    g_string_free(s, TRUE);
    double ms = 0;
    char *out = run(argv[1], conf, sessions, &ms);
    printf("%s", out);
    printf("%d sessions in %.0f ms (each with a staff PIN check)\n", SESSIONS, ms);
    g_free(out);

    remove_tree(dir);
    g_free(start);
    g_free(sessions);
    g_free(conf);
    g_free(db);
    g_free(uri);
    g_free(dir);
    return 0;
}
