/* The store and personal data (issue 17), on the backend BIOKIOSK_TEST_STORE names (run like
 * test-store.c: PostgreSQL through with-postgresql.sh):
 * - the import refuses everything the record would refuse, one line per entry and field, and
 *   no more persons than a check-in serves;
 * - the persons of finished appointments are deleted after the days to keep (SQLite: overwritten
 *   in the file, not left in free pages or the write-ahead log);
 * - PostgreSQL: an import and a check-in at the same moment: the check-in is never undone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "pgtest.h"
#include "storetest.h"
#include "core/apptcode.h"
#include "core/limits.h"
#include "store/staff.h"
#include "store/store-backend.h"
#include "store/store.h"

#define DAY "2026-11-23"
#define OFF "+01:00"

static const char *backend;
static char *tmpdir;
static int db_counter;

/* A new, empty database of the backend under test; returns its store URI. */
static char *new_database(void)
{
    return storetest_new_database(backend, tmpdir, "bkd", &db_counter);
}

/* The n-th test code, formatted. */
static void code_n(int n, char out[static APPTCODE_FORMATTED_LEN + 1])
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {0x6b, (unsigned char)(n >> 16),
                                                  (unsigned char)(n >> 8), (unsigned char)n, 0x21};
    char code[APPTCODE_LEN + 1];
    apptcode_from_bytes(bytes, code);
    apptcode_format(code, out);
}

static char *person(const char *v_number, const char *name)
{
    return g_strdup_printf("{\"v_number\":\"%s\",\"name\":\"%s\",\"birth_date\":\"1990-05-17\","
                           "\"category\":\"third-country\"}",
                           v_number, name);
}

static char *entry(int n, const char *desk, const char *day, const char *status, int minutes,
                   const char *persons)
{
    char code[APPTCODE_FORMATTED_LEN + 1];
    code_n(n, code);
    return g_strdup_printf("{\"code\":\"%s\",\"desk\":\"%s\",\"start\":\"%sT09:00:00" OFF
                           "\",\"minutes\":%d,\"status\":\"%s\",\"urgent\":false,"
                           "\"persons\":[%s]}",
                           code, desk, day, minutes, status, persons);
}

/* {"appointments": [...]} of the NULL-terminated entries, which it frees. */
static char *file_of(char **entries)
{
    g_autofree char *joined = g_strjoinv(",", entries);
    for (int i = 0; entries[i] != NULL; i++)
        g_free(entries[i]);
    return g_strdup_printf("{\"appointments\":[%s]}", joined);
}

static void import_ok(store *s, const char *json)
{
    store_import_report *r = NULL;
    bk_err err = store_import(s, json, strlen(json), &r);
    if (err != BK_OK && r != NULL)
        for (size_t i = 0; i < r->n_problems; i++)
            g_printerr("problem: %s\n", r->problems[i]);
    g_assert_cmpint(err, ==, BK_OK);
    store_import_report_free(r);
}

static size_t found_by_v_number(store *s, const char *v_number)
{
    store_appointment_list *l = NULL;
    g_assert_cmpint(store_find_by_v_number(s, v_number, &l), ==, BK_OK);
    size_t n = l->n;
    store_appointment_list_free(l);
    return n;
}

/* ---- the import refuses what the record would refuse ---- */

static void test_import_limits(void)
{
    g_autofree char *uri = new_database();
    store *s = open_store(uri);
    GString *thirteen = g_string_new(NULL);
    for (int i = 0; i <= BK_PERSONS_MAX; i++) {
        g_autofree char *v = g_strdup_printf("20000000%02d", i);
        g_autofree char *p = person(v, "Many Persons");
        g_string_append_printf(thirteen, "%s%s", i ? "," : "", p);
    }
    g_autofree char *p9 = person("123456789", "Nine Digits");
    g_autofree char *p11 = person("12345678901", "Eleven Digits");
    g_autofree char *ok = person("1000000001", "Right Person");
    char long_desk[BK_IDENT_MAX + 2];
    memset(long_desk, 'D', sizeof long_desk - 1);
    long_desk[BK_IDENT_MAX + 1] = '\0';
    char *entries[] = {
        entry(1, "DEN-HAAG", DAY, "booked", 20, thirteen->str),
        entry(2, "DEN-HAAG", DAY, "booked", 20, p9),
        entry(3, "DEN-HAAG", DAY, "booked", 20, p11),
        entry(4, "DEN HAAG", DAY, "booked", 20, ok),
        entry(5, long_desk, DAY, "booked", 20, ok),
        entry(6, "Den Haag!", DAY, "booked", 20, p9),
        NULL,
    };
    g_string_free(thirteen, TRUE);
    g_autofree char *json = file_of(entries);
    static const char *const want[] = {
        "entry 0: persons: must list 1 to 12 persons",
        "entry 1: persons[0].v_number: not a V-number (10 digits)",
        "entry 2: persons[0].v_number: not a V-number (10 digits)",
        "entry 3: desk: not a desk name",
        "entry 4: desk: not a desk name",
        "entry 5: desk: not a desk name",
        "entry 5: persons[0].v_number: not a V-number (10 digits)",
    };
    assert_import_refused(s, json, want, G_N_ELEMENTS(want));
    g_assert_cmpuint(found_by_v_number(s, "1000000001"), ==, 0); /* nothing imported */

    /* at the limits: 12 persons, a desk of 32 identifier characters */
    GString *twelve = g_string_new(NULL);
    for (int i = 0; i < BK_PERSONS_MAX; i++) {
        g_autofree char *v = g_strdup_printf("20000000%02d", i);
        g_autofree char *p = person(v, "Many Persons");
        g_string_append_printf(twelve, "%s%s", i ? "," : "", p);
    }
    long_desk[BK_IDENT_MAX] = '\0';
    char *good[] = {entry(7, long_desk, DAY, "booked", 20, twelve->str), NULL};
    g_string_free(twelve, TRUE);
    g_autofree char *good_json = file_of(good);
    import_ok(s, good_json);
    g_autofree char *last = g_strdup_printf("20000000%02d", BK_PERSONS_MAX - 1);
    g_assert_cmpuint(found_by_v_number(s, last), ==, 1);
    store_free(s);
}

/* ---- the persons of finished appointments leave after keep_days ---- */

/* True when the bytes of needle are in the file at path (a missing file holds nothing). */
static gboolean file_holds(const char *path, const char *needle)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return FALSE;
    size_t n = strlen(needle);
    gboolean found = FALSE;
    for (gsize i = 0; !found && i + n <= len; i++)
        found = memcmp(data + i, needle, n) == 0;
    g_free(data);
    return found;
}

static void test_purge(void)
{
    g_autofree char *uri = new_database();
    store *s = open_store(uri);
    static const struct {
        const char *status, *day, *v, *name;
        gboolean purged;
    } appts[] = {
        {"completed", "2026-11-02", "3000000001", "Purge Completed Zwaan", TRUE},
        {"no-show", "2026-11-02", "3000000002", "Purge Noshow Reiger", TRUE},
        {"cancelled", "2026-11-09", "3000000003", "Purge Cancelled Kievit", TRUE},
        {"booked", "2026-11-02", "3000000004", "Keep Booked Merel", FALSE},
        {"completed", "2026-11-10", "3000000005", "Keep Recent Spreeuw", FALSE},
    };
    char *entries[G_N_ELEMENTS(appts) + 1];
    for (size_t i = 0; i < G_N_ELEMENTS(appts); i++) {
        g_autofree char *p = person(appts[i].v, appts[i].name);
        entries[i] = entry(100 + (int)i, "DEN-HAAG", appts[i].day, appts[i].status, 20, p);
    }
    entries[G_N_ELEMENTS(appts)] = NULL;
    g_autofree char *json = file_of(entries);
    import_ok(s, json);

    /* today 2026-11-17, 7 days kept: appointments before 2026-11-10 are old enough */
    caldate today = {2026, 11, 17};
    size_t purged = 99;
    g_assert_cmpint(store_purge_persons(s, today, -1, &purged), ==, BK_ERR_INVALID);
    g_assert_cmpuint(purged, ==, 99);
    g_assert_cmpint(store_purge_persons(s, today, 7, &purged), ==, BK_OK);
    g_assert_cmpuint(purged, ==, 3);
    for (size_t i = 0; i < G_N_ELEMENTS(appts); i++)
        g_assert_cmpuint(found_by_v_number(s, appts[i].v), ==, appts[i].purged ? 0 : 1);
    g_assert_cmpint(store_purge_persons(s, today, 7, &purged), ==, BK_OK);
    g_assert_cmpuint(purged, ==, 0);

    if (strcmp(backend, "sqlite") == 0) {
        /* not in the file, its free pages or its write-ahead log; the kept ones are (so the
         * search can find a name) */
        const char *path = uri + strlen("sqlite:");
        g_autofree char *wal = g_strconcat(path, "-wal", NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(appts); i++) {
            gboolean held = file_holds(path, appts[i].name) || file_holds(wal, appts[i].name);
            if (held == appts[i].purged)
                g_error("%s: %s in the database file", appts[i].name, held ? "still" : "not");
        }
    }
    store_free(s);
}

/* ---- PostgreSQL: an import and a check-in at the same moment ---- */

typedef struct import_job {
    const char *uri;
    const char *json;
    store_import_report *report;
    bk_err err;
} import_job;

static gpointer run_import(gpointer data)
{
    import_job *job = data;
    store *s = open_store(job->uri);
    job->err = store_import(s, job->json, strlen(job->json), &job->report);
    store_free(s);
    return NULL;
}

/* Waits until another session of this database waits for a lock. */
static void wait_for_lock_waiter(PGconn *c)
{
    for (int i = 0; i < 600; i++) {
        PGresult *res = PQexec(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND wait_event_type = 'Lock'");
        gboolean waiting = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                           atoi(PQgetvalue(res, 0, 0)) > 0;
        PQclear(res);
        if (waiting)
            return;
        g_usleep(50 * 1000);
    }
    g_error("the import never waited for the check-in's row lock");
}

static void test_concurrent_import(void)
{
    if (strcmp(backend, "postgresql") != 0) {
        g_test_skip("SQLite: one writer at a time (BEGIN IMMEDIATE) already");
        return;
    }
    g_autofree char *uri = new_database();
    store *s = open_store(uri);
    g_autofree char *p = person("3100000001", "Gelijk Tijdig");
    char *first[] = {entry(200, "DEN-HAAG", DAY, "booked", 20, p), NULL};
    g_autofree char *json = file_of(first);
    import_ok(s, json);
    store_free(s);

    /* a kiosk's check-in, caught between its update and its commit ... */
    char shown[APPTCODE_FORMATTED_LEN + 1], code[APPTCODE_LEN + 1];
    code_n(200, shown);
    g_assert_cmpint(apptcode_parse(shown, code), ==, APPTCODE_OK);
    g_autofree char *conninfo = g_strdup(uri);
    PGconn *kiosk = pg_connect(conninfo);
    pg_do(kiosk, "BEGIN");
    g_autofree char *checkin = g_strdup_printf(
        "UPDATE appointments SET status = 'checked-in', kiosk = 'DEN-HAAG-01' WHERE code = '%s' "
        "AND status = 'booked'",
        code);
    pg_do(kiosk, checkin);

    /* ... while the back office imports a changed version of the appointment */
    char *second[] = {entry(200, "DEN-HAAG", DAY, "booked", 30, p), NULL};
    g_autofree char *changed = file_of(second);
    import_job job = {uri, changed, NULL, BK_ERR_INTERNAL};
    GThread *t = g_thread_new("import", run_import, &job);
    PGconn *watch = pg_connect(conninfo);
    wait_for_lock_waiter(watch);
    pg_do(kiosk, "COMMIT");
    g_thread_join(t);

    /* the check-in stands, and the import says so */
    g_assert_cmpint(job.err, ==, BK_OK);
    g_assert_cmpuint(job.report->n_conflicts, ==, 1);
    g_assert_nonnull(strstr(job.report->conflicts[0], "checked-in"));
    store_import_report_free(job.report);
    g_autofree char *ask =
        g_strdup_printf("SELECT status, kiosk FROM appointments WHERE code = '%s'", code);
    PGresult *res = PQexec(watch, ask);
    g_assert_cmpint(PQresultStatus(res), ==, PGRES_TUPLES_OK);
    g_assert_cmpstr(PQgetvalue(res, 0, 0), ==, "checked-in");
    g_assert_cmpstr(PQgetvalue(res, 0, 1), ==, "DEN-HAAG-01");
    PQclear(res);
    PQfinish(watch);
    PQfinish(kiosk);
}

/* ---- PostgreSQL: the kiosks' role never reads a PIN hash ---- */

static void test_kiosk_role(void)
{
    if (strcmp(backend, "postgresql") != 0) {
        g_test_skip("SQLite: one file, one owner");
        return;
    }
    g_autofree char *uri = new_database();
    store *owner = open_store(uri); /* the migration role: the database's owner */
    g_assert_cmpint(staff_add(owner, "anna", "Anna de Vries", STAFF_ROLE_DESK, "246810"), ==,
                    BK_OK);
    g_autofree char *p = person("3200000001", "Rol Test");
    char *appts[] = {entry(300, "DEN-HAAG", DAY, "booked", 20, p), NULL};
    g_autofree char *json = file_of(appts);
    import_ok(owner, json);

    /* a kiosk's login role, a member of the group the schema grants to */
    g_autofree char *role = g_strdup_printf("bk_kiosk_%d", (int)getpid());
    PGconn *admin = pg_connect(uri);
    g_autofree char *create = g_strdup_printf("CREATE ROLE %s LOGIN IN ROLE biokiosk_kiosk", role);
    pg_do(admin, create);
    const char *q = strchr(uri, '?');
    g_autofree char *db =
        g_strndup(uri + strlen("postgresql:///"), (size_t)(q - uri) - strlen("postgresql:///"));
    const char *host = g_getenv("BIOKIOSK_TEST_PGHOST");
    g_autofree char *h = g_uri_escape_string(host, NULL, FALSE);
    g_autofree char *kiosk_uri = g_strdup_printf("postgresql:///%s?host=%s&user=%s", db, h, role);

    /* it opens the store without changing the schema, signs staff in, checks in, purges */
    store *kiosk = open_store(kiosk_uri);
    staff_policy pol = {5, 5};
    staff_answer ans;
    g_assert_cmpint(staff_verify(kiosk, "anna", "246810", 0, &pol, &ans), ==, BK_OK);
    g_assert_cmpint(ans.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(ans.role, ==, STAFF_ROLE_DESK);
    g_assert_cmpint(staff_verify(kiosk, "anna", "135790", 0, &pol, &ans), ==, BK_OK);
    g_assert_cmpint(ans.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(staff_verify(kiosk, "nobody", "246810", 0, &pol, &ans), ==, BK_OK);
    g_assert_cmpint(ans.verdict, ==, STAFF_VERDICT_UNKNOWN_STAFF);
    /* a PIN changed at the kiosk is written by the database's function, with the old one
     * checked there; the kiosk's role cannot write the account itself */
    g_assert_cmpint(staff_set_pin(kiosk, "anna", "975310"), ==, BK_ERR_UNAVAILABLE);
    g_assert_cmpint(staff_change_pin(kiosk, "anna", "246810", "975310", 0, &pol, &ans), ==, BK_OK);
    g_assert_cmpint(ans.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(staff_verify(kiosk, "anna", "975310", 0, &pol, &ans), ==, BK_OK);
    g_assert_cmpint(ans.verdict, ==, STAFF_VERDICT_OK);
    char shown[APPTCODE_FORMATTED_LEN + 1], code[APPTCODE_LEN + 1];
    code_n(300, shown);
    store_arrival arr = {
        .desk = "DEN-HAAG", .kiosk = "DEN-HAAG-01", .early_minutes = 30, .late_minutes = 15};
    g_assert_cmpint(store_time_parse(DAY "T09:00:00" OFF, &arr.now, NULL), ==, BK_OK);
    store_result result;
    store_appointment *a = NULL;
    g_assert_cmpint(store_checkin(kiosk, shown, &arr, &result, code, &a), ==, BK_OK);
    g_assert_cmpint(result, ==, STORE_RESULT_OK);
    store_appointment_free(a);
    caldate today = {2026, 12, 31};
    g_assert_cmpint(store_purge_persons(kiosk, today, 7, NULL), ==, BK_OK);
    /* ... but cannot import (a new appointment), nor read a hash */
    char *more[] = {entry(301, "DEN-HAAG", DAY, "booked", 20, p), NULL};
    g_autofree char *more_json = file_of(more);
    store_import_report *r = NULL;
    g_assert_cmpint(store_import(kiosk, more_json, strlen(more_json), &r), !=, BK_OK);
    store_import_report_free(r);
    store_free(kiosk);
    PGconn *k = pg_connect(kiosk_uri);
    PGresult *res = PQexec(k, "SELECT pin_hash FROM staff");
    g_assert_cmpint(PQresultStatus(res), ==, PGRES_FATAL_ERROR);
    PQclear(res);
    res = PQexec(k, "SELECT biokiosk_pin_setting('anna')");
    g_assert_cmpint(PQresultStatus(res), ==, PGRES_TUPLES_OK);
    const char *setting = PQgetvalue(res, 0, 0);
    g_assert_true(g_str_has_prefix(setting, "$argon2id$"));
    char **parts = g_strsplit(setting, "$", -1);
    g_assert_cmpuint(g_strv_length(parts), ==, 5); /* "", argon2id, v, m/t/p, salt: no hash */
    g_strfreev(parts);
    PQclear(res);
    PQfinish(k);
    g_autofree char *drop = g_strdup_printf("DROP OWNED BY %s; DROP ROLE %s", role, role);
    pg_do(admin, drop);
    PQfinish(admin);
    store_free(owner);
}

/* libpq's sslmode: verify-full for a host over the network unless the URI says otherwise; a
 * host list is left alone only when every host in it is a socket directory. */
static void test_sslmode(void)
{
    static const struct {
        const char *uri, *want;
    } cases[] = {
        {"postgresql://kiosk@db.example.org/biokiosk",
         "postgresql://kiosk@db.example.org/biokiosk?sslmode=verify-full"},
        {"postgresql://kiosk@10.0.0.5:5433/biokiosk?connect_timeout=5",
         "postgresql://kiosk@10.0.0.5:5433/biokiosk?connect_timeout=5&sslmode=verify-full"},
        {"postgresql://kiosk@db.example.org/biokiosk?sslmode=require",
         "postgresql://kiosk@db.example.org/biokiosk?sslmode=require"},
        {"postgresql:///biokiosk?host=/run/postgresql",
         "postgresql:///biokiosk?host=/run/postgresql"},
        {"postgresql:///biokiosk", "postgresql:///biokiosk"},
        {"postgresql:///biokiosk?host=/run/postgresql,db.example.org",
         "postgresql:///biokiosk?host=/run/postgresql,db.example.org&sslmode=verify-full"},
        {"postgresql://%2Frun%2Fpostgresql,db.example.org:5432/biokiosk",
         "postgresql://%2Frun%2Fpostgresql,db.example.org:5432/biokiosk?sslmode=verify-full"},
        {"host=/run/postgresql,db.example.org dbname=biokiosk",
         "host=/run/postgresql,db.example.org dbname=biokiosk sslmode=verify-full"},
        {"host=/run/postgresql,/tmp dbname=biokiosk", "host=/run/postgresql,/tmp dbname=biokiosk"},
        {"postgresql:///biokiosk?host=/run/postgresql,/tmp",
         "postgresql:///biokiosk?host=/run/postgresql,/tmp"},
        {"host=/run/postgresql,db.example.org dbname=biokiosk sslmode=disable",
         "host=/run/postgresql,db.example.org dbname=biokiosk sslmode=disable"},
    };
    if (g_getenv("PGSSLMODE") != NULL || g_getenv("PGHOST") != NULL) {
        g_test_skip("PGSSLMODE or PGHOST is set in the environment");
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = store_pg_conninfo(cases[i].uri);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    backend = storetest_backend();
    if (backend == NULL)
        return 1;
    GError *error = NULL;
    tmpdir = g_dir_make_tmp("biokiosk-store-data-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *p = g_strdup_printf("/store-data/%s", backend);
    g_autofree char *p1 = g_strconcat(p, "/import-limits", NULL);
    g_autofree char *p2 = g_strconcat(p, "/purge-finished-persons", NULL);
    g_autofree char *p3 = g_strconcat(p, "/concurrent-import-and-checkin", NULL);
    g_test_add_func(p1, test_import_limits);
    g_test_add_func(p2, test_purge);
    g_test_add_func(p3, test_concurrent_import);
    g_autofree char *p4 = g_strconcat(p, "/kiosk-role-reads-no-pin-hash", NULL);
    g_autofree char *p5 = g_strconcat(p, "/sslmode-verify-full", NULL);
    g_test_add_func(p4, test_kiosk_role);
    g_test_add_func(p5, test_sslmode);
    int rc = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = rc != 0 ? rc : 1;
    g_free(tmpdir);
    return rc;
}
