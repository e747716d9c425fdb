/* Nobody comes for nothing (issue 18): `biokiosk appointment import` reports, besides importing,
 * the file's booked appointments on which no person has anything to give at the desk, and
 * `biokiosk appointment unnecessary --desk D --date D` lists them for a day; and the demo set
 * made around a time (`demo-set --around`) is open for check-in at that time. On the backend
 * BIOKIOSK_TEST_STORE names (PostgreSQL through with-postgresql.sh), through the command line. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "storetest.h"
#include "../bkrun.h"
#include "core/apptcode.h"

static const char *bin;
static const char *backend;
static char *tmpdir;
static int db_counter;

/* Runs biokiosk with the NULL-terminated arguments. */
static bk_result run(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    bk_result r = bk_spawn_va(bin, NULL, NULL, first, ap);
    va_end(ap);
    return r;
}

/* A new, empty database of the backend under test; returns its store URI. */
static char *new_database(void)
{
    return storetest_new_database(backend, tmpdir, "bku", &db_counter);
}

/* The n-th test code, formatted. */
static void code_n(int n, char out[static APPTCODE_FORMATTED_LEN + 1])
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {0x5a, (unsigned char)n, 0x17, 0x40, 0x99};
    char code[APPTCODE_LEN + 1];
    apptcode_from_bytes(bytes, code);
    apptcode_format(code, out);
}

/* Persons of the file (appointments on 2026-11-23, applied 2026-11-02). */
/* An adult whose photo, fingerprints and signature on file can all be used again. */
#define ALL_REUSED(V)                                                                              \
    "{\"v_number\":\"" V "\",\"name\":\"Mateo Alvarez\",\"birth_date\":\"1985-06-01\","            \
    "\"category\":\"third-country\",\"applied\":\"2026-11-02\",\"born_in_nl\":false,"              \
    "\"previous\":{\"photo\":\"2026-09-24\",\"fingerprints\":\"2025-01-01\","                      \
    "\"signature\":\"2025-01-01\"}}"
/* An adult with nothing on file: everything is taken. */
#define NOTHING_ON_FILE(V)                                                                         \
    "{\"v_number\":\"" V "\",\"name\":\"Amira Haddad\",\"birth_date\":\"1992-07-01\","             \
    "\"category\":\"third-country\",\"applied\":\"2026-11-02\",\"born_in_nl\":false,"              \
    "\"previous\":{}}"

static char *appointment(int n, const char *desk, const char *start, const char *status,
                         const char *persons)
{
    char code[APPTCODE_FORMATTED_LEN + 1];
    code_n(n, code);
    return g_strdup_printf("{\"code\":\"%s\",\"desk\":\"%s\",\"start\":\"%s\",\"minutes\":20,"
                           "\"status\":\"%s\",\"urgent\":false,\"persons\":[%s]}",
                           code, desk, start, status, persons);
}

/* The codes in the "unnecessary" array of an answer, in order, joined by spaces. */
static char *unnecessary_codes(const char *out, const char *want_start_of_first)
{
    JsonParser *parser;
    JsonObject *root = parse_object(out, &parser);
    g_assert_true(json_object_has_member(root, "unnecessary"));
    JsonArray *list = json_object_get_array_member(root, "unnecessary");
    GString *codes = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);
        if (i == 0 && want_start_of_first != NULL)
            g_assert_cmpstr(json_object_get_string_member(o, "start"), ==, want_start_of_first);
        g_assert_cmpint(json_object_get_int_member(o, "persons"), >=, 1);
        g_string_append_printf(codes, "%s%s", i > 0 ? " " : "",
                               json_object_get_string_member(o, "code"));
    }
    g_object_unref(parser);
    return g_string_free(codes, FALSE);
}

/* Import reports exactly the booked appointments on which nobody has anything to give; the
 * day's listing says the same; a checked-in one is no longer listed. */
static void test_import_report(void)
{
    g_autofree char *uri = new_database();
    g_autofree char *a1 =
        appointment(1, "DEN-HAAG", "2026-11-23T10:00:00+01:00", "booked", ALL_REUSED("3000000101"));
    g_autofree char *a2 = appointment(2, "DEN-HAAG", "2026-11-23T09:30:00+01:00", "booked",
                                      NOTHING_ON_FILE("3000000201"));
    /* a family: one person has nothing to give, the other has everything to give */
    g_autofree char *a3 = appointment(3, "DEN-HAAG", "2026-11-23T11:00:00+01:00", "booked",
                                      ALL_REUSED("3000000301") "," NOTHING_ON_FILE("3000000302"));
    g_autofree char *a4 = appointment(4, "DEN-HAAG", "2026-11-23T11:30:00+01:00", "cancelled",
                                      ALL_REUSED("3000000401"));
    g_autofree char *a5 =
        appointment(5, "ZWOLLE", "2026-11-23T09:00:00+01:00", "booked", ALL_REUSED("3000000501"));
    g_autofree char *a6 = appointment(6, "DEN-HAAG", "2026-11-23T12:00:00+01:00", "booked",
                                      ALL_REUSED("3000000601") "," ALL_REUSED("3000000602"));
    g_autofree char *text =
        g_strdup_printf("{\"appointments\":[%s,%s,%s,%s,%s,%s]}", a1, a2, a3, a4, a5, a6);
    g_autofree char *file = g_build_filename(tmpdir, "unnecessary.json", NULL);
    g_assert_true(g_file_set_contents(file, text, -1, NULL));
    char c1[APPTCODE_FORMATTED_LEN + 1], c5[APPTCODE_FORMATTED_LEN + 1],
        c6[APPTCODE_FORMATTED_LEN + 1];
    code_n(1, c1);
    code_n(5, c5);
    code_n(6, c6);

    bk_result r = run("appointment", "import", file, "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    /* the import's own answer is unchanged */
    JsonParser *parser;
    JsonObject *root = parse_object(r.out, &parser);
    g_assert_cmpstr(json_object_get_string_member(root, "result"), ==, "ok");
    g_assert_cmpint(json_object_get_int_member(root, "added"), ==, 6);
    g_object_unref(parser);
    /* in start order per desk and day; the desks' order is not fixed */
    g_autofree char *got = unnecessary_codes(r.out, NULL);
    g_autofree char *want_a = g_strdup_printf("%s %s %s", c1, c6, c5);
    g_autofree char *want_b = g_strdup_printf("%s %s %s", c5, c1, c6);
    if (strcmp(got, want_a) != 0)
        g_assert_cmpstr(got, ==, want_b);
    bk_result_clear(&r);

    /* imported again: nothing changes, the report is the same */
    r = run("appointment", "import", file, "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *again = unnecessary_codes(r.out, NULL);
    g_assert_cmpstr(again, ==, got);
    bk_result_clear(&r);

    /* the day at one desk */
    r = run("appointment", "unnecessary", "--desk", "DEN-HAAG", "--date", "2026-11-23", "--store",
            uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *day = unnecessary_codes(r.out, "2026-11-23T10:00:00+01:00");
    g_autofree char *want_day = g_strdup_printf("%s %s", c1, c6);
    g_assert_cmpstr(day, ==, want_day);
    bk_result_clear(&r);
    r = run("appointment", "unnecessary", "--desk", "DEN-HAAG", "--date", "2026-11-24", "--store",
            uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *none = unnecessary_codes(r.out, NULL);
    g_assert_cmpstr(none, ==, "");
    bk_result_clear(&r);

    /* a checked-in appointment is being served: no longer listed */
    r = run("appointment", "checkin", c1, "--desk", "DEN-HAAG", "--kiosk", "K1", "--at",
            "2026-11-23T10:00:00+01:00", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    r = run("appointment", "unnecessary", "--desk", "DEN-HAAG", "--date", "2026-11-23", "--store",
            uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *after = unnecessary_codes(r.out, NULL);
    g_assert_cmpstr(after, ==, c6);
    bk_result_clear(&r);

    /* usage */
    r = run("appointment", "unnecessary", "--desk", "DEN-HAAG", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 2);
    bk_result_clear(&r);
}

/* The demo set made around a time: every booked appointment answers ok at that time, the first
 * starts 3 to 7 minutes after it, and the import reports the demo's reused adult. */
static void test_demo_around(void)
{
    g_autofree char *uri = new_database();
    g_autofree char *file = g_build_filename(tmpdir, "demo-around.json", NULL);
    bk_result r = run("appointment", "demo-set", "--desk", "DEN-HAAG", "--date", "2026-11-23",
                      "--around", "07:19", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_file_set_contents(file, r.out, -1, NULL));
    JsonParser *parser;
    JsonObject *root = parse_object(r.out, &parser);
    JsonArray *list = json_object_get_array_member(root, "appointments");
    g_assert_cmpuint(json_array_get_length(list), >=, 7);
    bk_result_clear(&r);
    r = run("appointment", "import", file, "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *report = unnecessary_codes(r.out, NULL);
    g_assert_cmpstr(report, !=, "");
    bk_result_clear(&r);
    const char *at = "2026-11-23T07:19:00+01:00";
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *a = json_array_get_object_element(list, i);
        const char *code = json_object_get_string_member(a, "code");
        const char *start = json_object_get_string_member(a, "start");
        if (i == 0)
            g_assert_cmpstr(start, ==, "2026-11-23T07:25:00+01:00");
        g_assert_true(g_str_has_prefix(start, "2026-11-23T07:"));
        r = run("appointment", "check", code, "--desk", "DEN-HAAG", "--at", at, "--store", uri,
                NULL);
        JsonParser *answer;
        JsonObject *o = parse_object(r.out, &answer);
        const char *want = strcmp(json_object_get_string_member(a, "status"), "cancelled") == 0
                               ? "cancelled"
                               : "ok";
        g_assert_cmpstr(json_object_get_string_member(o, "result"), ==, want);
        g_object_unref(answer);
        bk_result_clear(&r);
    }
    g_object_unref(parser);

    /* --now: today at the desk; one of --first, --around, --now */
    r = run("appointment", "demo-set", "--desk", "DEN-HAAG", "--now", "--list", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpuint(strlen(r.out), >, 0);
    bk_result_clear(&r);
    r = run("appointment", "demo-set", "--desk", "DEN-HAAG", "--now", "--around", "09:00", NULL);
    g_assert_cmpint(r.status, ==, 2);
    bk_result_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bin = g_getenv("BIOKIOSK_BIN");
    if (bin == NULL) {
        printf("1..0 # SKIP BIOKIOSK_BIN is not set\n");
        return 77;
    }
    backend = storetest_backend();
    if (backend == NULL)
        return 1;
    GError *error = NULL;
    tmpdir = g_dir_make_tmp("biokiosk-unnecessary-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *p1 = g_strdup_printf("/store-unnecessary/%s/import-report", backend);
    g_autofree char *p2 = g_strdup_printf("/store-unnecessary/%s/demo-around", backend);
    g_test_add_func(p1, test_import_report);
    g_test_add_func(p2, test_demo_around);
    int rc = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = rc != 0 ? rc : 1;
    g_free(tmpdir);
    return rc;
}
