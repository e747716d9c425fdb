/* The appointment store through its public interface, on the backend named by
 * BIOKIOSK_TEST_STORE: "sqlite" (a new file per test) or "postgresql" (a new database per test on
 * the throwaway server that with-postgresql.sh started; BIOKIOSK_TEST_PGHOST names its socket
 * directory). The PostgreSQL run fails, never skips, when the server is not there. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "pgtest.h"
#include "storetest.h"
#include "store/staff.h"
#include "store/store-backend.h"
#include "store/store.h"

#define ROUNDS      20 /* concurrency: rounds ... */
#define CONTENDERS  20 /* ... of this many processes checking in one code */
#define DAY         "2026-11-23"
#define OFF         "+01:00"
#define ADULT_BIRTH "1990-05-17"
#define PERSON_ADULT                                                                               \
    "{\"v_number\":\"1000000001\",\"name\":\"Test Adult\",\"birth_date\":\"" ADULT_BIRTH           \
    "\",\"category\":\"third-country\"}"

static const char *backend;
static char *tmpdir;
static int db_counter;

typedef struct fixture {
    char *uri;
    store *s;
} fixture;

/* A new, empty database of the backend under test; returns its store URI. */
static char *new_database(void)
{
    return storetest_new_database(backend, tmpdir, "bk", &db_counter);
}

static void setup(fixture *f, gconstpointer data)
{
    (void)data;
    f->uri = new_database();
    g_autofree char *message = NULL;
    bk_err err = store_open(f->uri, &f->s, &message);
    if (err != BK_OK)
        g_error("store_open: %s", message);
    g_assert_cmpstr(store_backend_name(f->s), ==, backend);
}

static void teardown(fixture *f, gconstpointer data)
{
    (void)data;
    store_free(f->s);
    g_free(f->uri);
}

/* The n-th test code, formatted. */
static void code_n(int n, char out[static APPTCODE_FORMATTED_LEN + 1])
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {0x5a, (unsigned char)(n >> 16),
                                                  (unsigned char)(n >> 8), (unsigned char)n, 0x33};
    char code[APPTCODE_LEN + 1];
    apptcode_from_bytes(bytes, code);
    apptcode_format(code, out);
}

static char *entry(int n, const char *desk, const char *hhmm, const char *status,
                   const char *persons)
{
    char code[APPTCODE_FORMATTED_LEN + 1];
    code_n(n, code);
    return g_strdup_printf("{\"code\":\"%s\",\"desk\":\"%s\",\"start\":\"" DAY "T%s:00" OFF
                           "\",\"minutes\":20,\"status\":\"%s\",\"urgent\":false,"
                           "\"persons\":[%s]}",
                           code, desk, hhmm, status, persons);
}

static char *file_of(char **entries)
{
    g_autofree char *joined = g_strjoinv(",", entries);
    return g_strdup_printf("{\"appointments\":[%s]}", joined);
}

static store_import_report *import_ok(store *s, const char *json)
{
    store_import_report *r = NULL;
    bk_err err = store_import(s, json, strlen(json), &r);
    if (err != BK_OK && r != NULL)
        for (size_t i = 0; i < r->n_problems; i++)
            g_printerr("problem: %s\n", r->problems[i]);
    g_assert_cmpint(err, ==, BK_OK);
    g_assert_nonnull(r);
    return r;
}

static int64_t at(const char *iso)
{
    int64_t t = 0;
    g_assert_cmpint(store_time_parse(iso, &t, NULL), ==, BK_OK);
    return t;
}

typedef bk_err (*answer_fn)(store *, const char *, const store_arrival *, store_result *,
                            char[static APPTCODE_LEN + 1], store_appointment **);

/* Asks and checks the result; returns the appointment (or NULL) for more checks. */
static store_appointment *expect(store *s, answer_fn fn, const char *code, const char *desk,
                                 const char *kiosk, const char *when, store_result want)
{
    store_arrival arr = {
        .desk = desk, .kiosk = kiosk, .now = at(when), .early_minutes = 30, .late_minutes = 15};
    store_result r;
    char canonical[APPTCODE_LEN + 1];
    store_appointment *a = NULL;
    g_assert_cmpint(fn(s, code, &arr, &r, canonical, &a), ==, BK_OK);
    if (r != want)
        g_error("%s at %s: %s, expected %s", code, when, store_result_str(r),
                store_result_str(want));
    return a;
}

static void expect_free(store *s, answer_fn fn, const char *code, const char *desk,
                        const char *kiosk, const char *when, store_result want)
{
    store_appointment_free(expect(s, fn, code, desk, kiosk, when, want));
}

/* ---- results ---- */

static char *results_file(void)
{
    char *e[5] = {
        entry(1, "DEN-HAAG", "09:00", "booked", PERSON_ADULT),
        entry(2, "DEN-HAAG", "09:30", "cancelled", PERSON_ADULT),
        entry(3, "DEN-HAAG", "10:00", "booked",
              PERSON_ADULT ",{\"v_number\":\"1000000002\",\"name\":\"Test Infant\",\"birth_date\":"
                           "\"2026-06-01\",\"category\":\"third-country\",\"born_in_nl\":true},"
                           "{\"v_number\":\"1000000003\",\"name\":\"Test Child\",\"birth_date\":"
                           "\"2018-02-10\",\"category\":\"eu-family-member\",\"applied\":"
                           "\"2026-10-01\",\"previous\":{\"photo\":\"2026-09-01\","
                           "\"fingerprints\":\"2024-01-05\",\"fingerprints_poor\":true,"
                           "\"signature\":\"2024-01-05\"}}"),
        entry(4, "ZWOLLE", "09:00", "booked", PERSON_ADULT),
        NULL,
    };
    char *json = file_of(e);
    for (int i = 0; e[i] != NULL; i++)
        g_free(e[i]);
    return json;
}

static void test_results(fixture *f, gconstpointer data)
{
    (void)data;
    g_autofree char *json = results_file();
    store_import_report_free(import_ok(f->s, json));
    char c1[12], c2[12], c3[12], c4[12], c9[12];
    code_n(1, c1);
    code_n(2, c2);
    code_n(3, c3);
    code_n(4, c4);
    code_n(9, c9);

    /* ok, with the persons and what rules_decide needs. */
    store_appointment *a =
        expect(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T08:45:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(a->n_persons, ==, 1);
    g_assert_cmpstr(a->persons[0].name, ==, "Test Adult");
    g_assert_cmpint(a->status, ==, STORE_STATUS_BOOKED);
    rules_plan plan;
    g_assert_cmpint(rules_decide(&a->persons[0].rules, &plan, NULL), ==, BK_OK);
    g_assert_cmpint(plan.photo, ==, RULES_ACTION_CAPTURE);
    store_appointment_free(a);
    a = expect(f->s, store_check, c3, "DEN-HAAG", NULL, DAY "T10:00:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(a->n_persons, ==, 3);
    g_assert_true(a->persons[1].born_in_nl);
    g_assert_cmpint(a->persons[2].rules.category, ==, RULES_CATEGORY_EU_FAMILY_MEMBER);
    g_assert_true(a->persons[2].rules.has_photo && a->persons[2].rules.fingerprints_poor);
    g_assert_cmpint(a->persons[2].rules.applied.month, ==, 10);
    g_assert_cmpint(a->persons[0].rules.on.day, ==, 23);
    for (size_t i = 0; i < a->n_persons; i++)
        g_assert_cmpint(rules_decide(&a->persons[i].rules, &plan, NULL), ==, BK_OK);
    store_appointment_free(a);

    /* Forgiving typing reaches the same appointment. */
    g_autofree char *typed = g_ascii_strdown(c1, -1);
    expect_free(f->s, store_check, typed, "DEN-HAAG", NULL, DAY "T09:00:00" OFF, STORE_RESULT_OK);

    /* Every refusal. */
    a = expect(f->s, store_check, "12345", "DEN-HAAG", NULL, DAY "T09:00:00" OFF,
               STORE_RESULT_MALFORMED);
    g_assert_null(a);
    char typo[12];
    memcpy(typo, c1, sizeof typo);
    typo[10] = typo[10] == '0' ? '1' : '0';
    a = expect(f->s, store_check, typo, "DEN-HAAG", NULL, DAY "T09:00:00" OFF,
               STORE_RESULT_CHECK_FAILED);
    g_assert_null(a);
    expect_free(f->s, store_check, c9, "DEN-HAAG", NULL, DAY "T09:00:00" OFF, STORE_RESULT_UNKNOWN);
    a = expect(f->s, store_check, c4, "DEN-HAAG", NULL, DAY "T09:00:00" OFF,
               STORE_RESULT_WRONG_DESK);
    g_assert_cmpstr(a->desk, ==, "ZWOLLE");
    store_appointment_free(a);
    expect_free(f->s, store_check, c2, "DEN-HAAG", NULL, DAY "T09:30:00" OFF,
                STORE_RESULT_CANCELLED);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, "2026-11-22T09:00:00" OFF,
                STORE_RESULT_WRONG_DAY);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, "2026-11-24T09:00:00" OFF,
                STORE_RESULT_WRONG_DAY);
    /* The window's edges: 30 minutes before to 15 after, to the second. */
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T08:30:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T08:29:59" OFF,
                STORE_RESULT_TOO_EARLY);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T09:15:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T09:15:01" OFF,
                STORE_RESULT_TOO_LATE);
    /* The same instant written in UTC. */
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T07:29:59Z", STORE_RESULT_TOO_EARLY);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T07:31:00Z", STORE_RESULT_OK);
    /* A staff override skips the window, not the desk or the status. */
    {
        store_arrival arr = {.desk = "DEN-HAAG",
                             .now = at(DAY "T13:00:00" OFF),
                             .early_minutes = 30,
                             .late_minutes = 15,
                             .ignore_window = true};
        store_result r;
        char canonical[APPTCODE_LEN + 1];
        g_assert_cmpint(store_check(f->s, c1, &arr, &r, canonical, NULL), ==, BK_OK);
        g_assert_cmpint(r, ==, STORE_RESULT_OK);
        g_assert_cmpint(store_check(f->s, c2, &arr, &r, canonical, NULL), ==, BK_OK);
        g_assert_cmpint(r, ==, STORE_RESULT_CANCELLED);
    }

    /* Check-in: once; the same kiosk resumes, even after the window; others are refused. */
    a = expect(f->s, store_checkin, c1, "DEN-HAAG", "K1", DAY "T08:50:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(a->status, ==, STORE_STATUS_CHECKED_IN);
    g_assert_cmpstr(a->kiosk, ==, "K1");
    store_appointment_free(a);
    expect_free(f->s, store_checkin, c1, "DEN-HAAG", "K2", DAY "T08:51:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_check, c1, "DEN-HAAG", "K2", DAY "T08:51:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_check, c1, "DEN-HAAG", NULL, DAY "T08:51:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_checkin, c1, "DEN-HAAG", "K1", DAY "T09:40:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_check, c1, "DEN-HAAG", "K1", DAY "T09:40:00" OFF, STORE_RESULT_OK);

    /* Complete: only the kiosk that checked in. */
    expect_free(f->s, store_complete, c1, "DEN-HAAG", "K2", DAY "T09:20:00" OFF,
                STORE_RESULT_ALREADY_USED);
    a = expect(f->s, store_complete, c1, "DEN-HAAG", "K1", DAY "T09:20:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(a->status, ==, STORE_STATUS_COMPLETED);
    g_assert_cmpstr(a->kiosk, ==, "K1");
    store_appointment_free(a);
    expect_free(f->s, store_complete, c1, "DEN-HAAG", "K1", DAY "T09:21:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_checkin, c1, "DEN-HAAG", "K1", DAY "T09:00:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_release, c1, "DEN-HAAG", "K1", DAY "T09:22:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_no_show, c1, "DEN-HAAG", "K1", DAY "T09:22:00" OFF,
                STORE_RESULT_ALREADY_USED);

    /* Release sends a checked-in appointment back to booked; another kiosk may then take it. */
    expect_free(f->s, store_complete, c3, "DEN-HAAG", "K1", DAY "T10:00:00" OFF,
                STORE_RESULT_NOT_CHECKED_IN);
    expect_free(f->s, store_checkin, c3, "DEN-HAAG", "K1", DAY "T10:00:00" OFF, STORE_RESULT_OK);
    a = expect(f->s, store_release, c3, "DEN-HAAG", NULL, DAY "T10:05:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(a->status, ==, STORE_STATUS_BOOKED);
    g_assert_null(a->kiosk);
    store_appointment_free(a);
    expect_free(f->s, store_release, c3, "DEN-HAAG", NULL, DAY "T10:05:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_checkin, c3, "DEN-HAAG", "K2", DAY "T10:06:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_release, c3, "ZWOLLE", NULL, DAY "T10:06:00" OFF,
                STORE_RESULT_WRONG_DESK);
    expect_free(f->s, store_release, c3, "DEN-HAAG", NULL, DAY "T10:07:00" OFF, STORE_RESULT_OK);

    /* No-show: booked only; a released no-show is booked again. */
    a = expect(f->s, store_no_show, c3, "DEN-HAAG", NULL, DAY "T10:30:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(a->status, ==, STORE_STATUS_NO_SHOW);
    store_appointment_free(a);
    expect_free(f->s, store_no_show, c3, "DEN-HAAG", NULL, DAY "T10:31:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_checkin, c3, "DEN-HAAG", "K1", DAY "T10:10:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_complete, c3, "DEN-HAAG", "K1", DAY "T10:10:00" OFF,
                STORE_RESULT_NOT_CHECKED_IN);
    expect_free(f->s, store_no_show, c2, "DEN-HAAG", NULL, DAY "T10:10:00" OFF,
                STORE_RESULT_CANCELLED);
    expect_free(f->s, store_release, c3, "DEN-HAAG", NULL, DAY "T10:32:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_checkin, c3, "DEN-HAAG", "K1", DAY "T10:10:00" OFF, STORE_RESULT_OK);

    /* A kiosk is required for the changes that record one. */
    store_arrival no_kiosk = {.desk = "DEN-HAAG", .now = at(DAY "T10:00:00" OFF)};
    store_result r;
    char canonical[APPTCODE_LEN + 1];
    g_assert_cmpint(store_checkin(f->s, c3, &no_kiosk, &r, canonical, NULL), ==, BK_ERR_INVALID);
}

/* ---- import errors ---- */

static void test_import_errors(fixture *f, gconstpointer data)
{
    (void)data;
    char c0[12], c1[12];
    code_n(100, c0);
    code_n(101, c1);
    char typo[12];
    memcpy(typo, c1, sizeof typo);
    typo[10] = typo[10] == '0' ? '1' : '0';
#define P(fields) "{\"v_number\":\"1000000001\",\"name\":\"A\"," fields "}"
#define GOOD_P    P("\"birth_date\":\"1990-01-01\",\"category\":\"mvv\"")
    char *e[] = {
        entry(100, "DEN-HAAG", "09:00", "booked", GOOD_P),
        g_strdup("{\"code\":\"ABC\",\"desk\":\"D\",\"start\":\"" DAY "T09:00:00" OFF
                 "\",\"minutes\":20,\"persons\":[" GOOD_P "]}"),
        g_strdup_printf("{\"code\":\"%s\",\"desk\":\"D\",\"start\":\"" DAY "T09:00:00" OFF
                        "\",\"minutes\":20,\"persons\":[" GOOD_P "]}",
                        typo),
        entry(102, "DEN-HAAG", "25:00", "booked", GOOD_P),
        entry(103, "DEN-HAAG", "09:00", "booked",
              P("\"birth_date\":\"1990-02-30\",\"category\":\"mvv\"")),
        entry(104, "DEN-HAAG", "09:00", "booked",
              P("\"birth_date\":\"1990-01-01\",\"category\":\"martian\"")),
        g_strdup_printf("{\"code\":\"%s\",\"start\":\"" DAY "T09:00:00" OFF
                        "\",\"minutes\":20,\"persons\":[" GOOD_P "]}",
                        c1),
        entry(100, "DEN-HAAG", "09:30", "booked", GOOD_P),
        g_strdup_printf("{\"code\":\"%s\",\"desk\":\"D\",\"start\":\"" DAY "T09:00:00" OFF
                        "\",\"minutes\":\"20\",\"persons\":[" GOOD_P "]}",
                        c1),
        entry(105, "DEN-HAAG", "09:00", "late", GOOD_P),
        g_strdup_printf("{\"code\":\"%s\",\"desk\":\"D\",\"start\":\"" DAY "T09:00:00" OFF
                        "\",\"minutes\":20}",
                        c1),
        entry(106, "DEN-HAAG", "09:00", "booked",
              P("\"birth_date\":\"1990-01-01\",\"category\":\"mvv\",\"previous\":{\"photo\":"
                "\"yesterday\"}")),
        entry(107, "DEN-HAAG", "09:00", "booked",
              P("\"birth_date\":\"2027-01-01\",\"category\":\"mvv\"")),
        entry(108, "DEN-HAAG", "09:00", "booked",
              P("\"birth_date\":\"1990-01-01\",\"category\":\"mvv\",\"colour\":\"red\"")),
        entry(109, "DEN-HAAG", "09:00", "booked",
              "{\"name\":\"A\",\"birth_date\":\"1990-01-01\","
              "\"category\":\"mvv\"}"),
        entry(110, "DEN-HAAG", "09:00", "checked-in", GOOD_P),
        g_strdup_printf("{\"code\":\"%s\",\"desk\":\"D\",\"start\":\"" DAY "T09:00:00" OFF
                        "\",\"minutes\":20,\"colour\":\"red\",\"persons\":[" GOOD_P "]}",
                        c1),
        NULL,
    };
    /* The line that must name each entry (index, field). */
    static const char *const want[] = {
        NULL,
        "entry 1: code: ",
        "entry 2: code: ",
        "entry 3: start: ",
        "entry 4: persons[0].birth_date: ",
        "entry 5: persons[0].category: ",
        "entry 6: desk: ",
        "entry 7: code: duplicate of entry 0",
        "entry 8: minutes: ",
        "entry 9: status: ",
        "entry 10: persons: ",
        "entry 11: persons[0].previous.photo: ",
        "entry 12: persons[0]: ",
        "entry 13: persons[0].colour: unknown field",
        "entry 14: persons[0].v_number: missing",
        "entry 15: status: ",
        "entry 16: colour: unknown field",
    };
#undef P
#undef GOOD_P
    g_autofree char *json = file_of(e);
    for (int i = 0; e[i] != NULL; i++)
        g_free(e[i]);
    assert_import_refused(f->s, json, want + 1, G_N_ELEMENTS(want) - 1);
    store_import_report *r = NULL;
    /* Nothing was imported, not even the valid entry 0. */
    expect_free(f->s, store_check, c0, "DEN-HAAG", NULL, DAY "T09:00:00" OFF, STORE_RESULT_UNKNOWN);

    /* Not JSON, or not the right shape: one line for the file. */
    static const char *const bad_files[] = {"{\"appointments\": [", "[1,2]", "{}",
                                            "{\"appointments\": 3}", ""};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_files); i++) {
        r = NULL;
        g_assert_cmpint(store_import(f->s, bad_files[i], strlen(bad_files[i]), &r), ==,
                        BK_ERR_INVALID);
        g_assert_cmpuint(r->n_problems, ==, 1);
        g_assert_true(g_str_has_prefix(r->problems[0], "file: "));
        store_import_report_free(r);
    }
    /* Other members around the list, brackets and quotes inside strings: read entry by entry
     * all the same; an entry that is not JSON makes the whole file "not JSON". */
    {
        g_autofree char *one = entry(120, "DEN-HAAG", "09:00", "booked",
                                     "{\"v_number\":\"1000000001\",\"name\":\"A \\\"}]\\\" [{ B\","
                                     "\"birth_date\":\"1990-01-01\",\"category\":\"mvv\"}");
        g_autofree char *wrapped = g_strdup_printf(
            " {\"generated\": {\"by\": [1, \"]\", {\"x\": null}]}, \"appointments\" : [ %s ] ,"
            " \"count\": 1 }\n",
            one);
        r = import_ok(f->s, wrapped);
        g_assert_cmpuint(r->added, ==, 1);
        store_import_report_free(r);
        char c120[12];
        code_n(120, c120);
        store_appointment *a =
            expect(f->s, store_check, c120, "DEN-HAAG", NULL, DAY "T09:00:00" OFF, STORE_RESULT_OK);
        g_assert_cmpstr(a->persons[0].name, ==, "A \"}]\" [{ B");
        store_appointment_free(a);
        g_autofree char *broken = g_strdup_printf("{\"appointments\": [%s, {\"code\": 12,}]}", one);
        r = NULL;
        g_assert_cmpint(store_import(f->s, broken, strlen(broken), &r), ==, BK_ERR_INVALID);
        g_assert_cmpuint(r->n_problems, ==, 1);
        g_assert_true(g_str_has_prefix(r->problems[0], "file: not JSON"));
        store_import_report_free(r);
    }
    /* An empty list is a valid file that changes nothing. */
    r = import_ok(f->s, "{\"appointments\": []}");
    g_assert_cmpuint(r->added + r->updated + r->unchanged, ==, 0);
    store_import_report_free(r);
}

/* ---- idempotent re-import and conflicts ---- */

static void test_reimport(fixture *f, gconstpointer data)
{
    (void)data;
    char c1[12], c2[12], c3[12];
    code_n(201, c1);
    code_n(202, c2);
    code_n(203, c3);
    char *e[] = {entry(201, "DEN-HAAG", "09:00", "booked", PERSON_ADULT),
                 entry(202, "DEN-HAAG", "09:20", "booked", PERSON_ADULT),
                 entry(203, "DEN-HAAG", "09:40", "booked", PERSON_ADULT), NULL};
    g_autofree char *json = file_of(e);
    store_import_report *r = import_ok(f->s, json);
    g_assert_cmpuint(r->added, ==, 3);
    store_import_report_free(r);
    r = import_ok(f->s, json);
    g_assert_cmpuint(r->added, ==, 0);
    g_assert_cmpuint(r->updated, ==, 0);
    g_assert_cmpuint(r->unchanged, ==, 3);
    g_assert_cmpuint(r->n_conflicts, ==, 0);
    store_import_report_free(r);

    /* c1 checked in, c2 completed: re-importing the same file still changes nothing. */
    expect_free(f->s, store_checkin, c1, "DEN-HAAG", "K1", DAY "T09:00:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_checkin, c2, "DEN-HAAG", "K2", DAY "T09:20:00" OFF, STORE_RESULT_OK);
    expect_free(f->s, store_complete, c2, "DEN-HAAG", "K2", DAY "T09:30:00" OFF, STORE_RESULT_OK);
    r = import_ok(f->s, json);
    g_assert_cmpuint(r->unchanged, ==, 3);
    g_assert_cmpuint(r->n_conflicts, ==, 0);
    store_import_report_free(r);

    /* A changed file: the checked-in and completed ones are conflicts and stay as they are;
     * the booked one is updated. */
    for (int i = 0; e[i] != NULL; i++)
        g_free(e[i]);
    e[0] = entry(201, "DEN-HAAG", "11:00", "booked", PERSON_ADULT);
    e[1] = entry(202, "DEN-HAAG", "09:20", "cancelled", PERSON_ADULT);
    e[2] = entry(203, "DEN-HAAG", "12:00", "booked", PERSON_ADULT);
    g_autofree char *changed = file_of(e);
    for (int i = 0; e[i] != NULL; i++)
        g_free(e[i]);
    r = import_ok(f->s, changed);
    g_assert_cmpuint(r->n_conflicts, ==, 2);
    g_assert_cmpuint(r->updated, ==, 1);
    g_assert_nonnull(strstr(r->conflicts[0], "entry 0"));
    g_assert_nonnull(strstr(r->conflicts[0], "checked-in"));
    g_assert_nonnull(strstr(r->conflicts[1], "entry 1"));
    g_assert_nonnull(strstr(r->conflicts[1], "completed"));
    store_import_report_free(r);
    store_appointment *a =
        expect(f->s, store_checkin, c1, "DEN-HAAG", "K1", DAY "T09:00:00" OFF, STORE_RESULT_OK);
    g_assert_cmpstr(a->kiosk, ==, "K1");
    char start[26];
    store_time_format(a->start, a->offset_minutes, start);
    g_assert_cmpstr(start, ==, DAY "T09:00:00" OFF);
    store_appointment_free(a);
    expect_free(f->s, store_check, c2, "DEN-HAAG", NULL, DAY "T09:20:00" OFF,
                STORE_RESULT_ALREADY_USED);
    expect_free(f->s, store_check, c3, "DEN-HAAG", NULL, DAY "T12:00:00" OFF, STORE_RESULT_OK);
    r = import_ok(f->s, changed);
    g_assert_cmpuint(r->updated, ==, 0);
    g_assert_cmpuint(r->unchanged, ==, 1);
    store_import_report_free(r);
}

/* ---- find ---- */

static void test_find(fixture *f, gconstpointer data)
{
    (void)data;
    g_autofree char *json = results_file();
    store_import_report_free(import_ok(f->s, json));
    store_appointment_list *l = NULL;
    g_assert_cmpint(store_find_by_v_number(f->s, "1000000001", &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 4);
    g_assert_cmpint(l->items[0]->start, <=, l->items[3]->start);
    store_appointment_list_free(l);
    g_assert_cmpint(store_find_by_v_number(f->s, "1000000003", &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 1);
    g_assert_cmpuint(l->items[0]->n_persons, ==, 3);
    store_appointment_list_free(l);
    caldate birth;
    g_assert_cmpint(caldate_parse("2018-02-10", &birth), ==, BK_OK);
    g_assert_cmpint(store_find_by_name(f->s, "  test CHILD ", birth, &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 1);
    store_appointment_list_free(l);
    g_assert_cmpint(caldate_parse("2018-02-11", &birth), ==, BK_OK);
    g_assert_cmpint(store_find_by_name(f->s, "Test Child", birth, &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 0);
    store_appointment_list_free(l);
    g_assert_cmpint(store_find_by_v_number(f->s, "999", &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 0);
    store_appointment_list_free(l);
}

/* ---- appointments of a desk on a day ---- */

static void test_count_day(fixture *f, gconstpointer data)
{
    (void)data;
    caldate day, next;
    g_assert_cmpint(caldate_parse(DAY, &day), ==, BK_OK);
    g_assert_cmpint(caldate_parse("2026-11-24", &next), ==, BK_OK);
    size_t n = 99;
    g_assert_cmpint(store_count_day(f->s, "DEN-HAAG", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 0);
    g_autofree char *json = results_file();
    store_import_report_free(import_ok(f->s, json));
    /* entries 1 and 3 are booked at DEN-HAAG, 2 is cancelled, 4 is at ZWOLLE */
    g_assert_cmpint(store_count_day(f->s, "DEN-HAAG", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpint(store_count_day(f->s, "ZWOLLE", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpint(store_count_day(f->s, "DEN-HAAG", next, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpint(store_count_day(f->s, "den-haag", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpint(store_count_day(f->s, "' OR 1=1 --", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 0);
    /* checked in, then completed: still the day's appointments */
    char c1[APPTCODE_FORMATTED_LEN + 1];
    code_n(1, c1);
    expect_free(f->s, store_checkin, c1, "DEN-HAAG", "K1", DAY "T08:45:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(store_count_day(f->s, "DEN-HAAG", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 2);
    expect_free(f->s, store_complete, c1, "DEN-HAAG", "K1", DAY "T09:10:00" OFF, STORE_RESULT_OK);
    g_assert_cmpint(store_count_day(f->s, "DEN-HAAG", day, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 2);
    /* bad arguments; n unchanged */
    n = 7;
    g_assert_cmpint(store_count_day(f->s, NULL, day, &n), ==, BK_ERR_INVALID);
    caldate bad = {0};
    g_assert_cmpint(store_count_day(f->s, "DEN-HAAG", bad, &n), ==, BK_ERR_INVALID);
    g_assert_cmpuint(n, ==, 7);
}

/* ---- injection-looking text ---- */

static const char *const nasty[] = {
    "'; DROP TABLE appointments; --",
    "Robert'); DROP TABLE persons;--",
    "\" OR \"1\"=\"1",
    "' OR 1=1 --",
    "$1 $2 ?1 ?",
    "%s%s%n",
    "x'); SELECT pg_sleep(10); --",
    "\\\\'; DELETE FROM staff; --",
};

static void test_injection(fixture *f, gconstpointer data)
{
    (void)data;
    GPtrArray *entries = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < G_N_ELEMENTS(nasty); i++) {
        g_autofree char *esc = g_strescape(nasty[i], NULL);
        g_autofree char *person =
            g_strdup_printf("{\"v_number\":\"%010zu\",\"name\":\"%s\",\"birth_date\":"
                            "\"1980-01-01\",\"category\":\"third-country\"}",
                            500 + i, esc);
        /* a desk is an identifier the record takes (the import refuses other text, below) */
        g_ptr_array_add(entries, entry(300 + (int)i, "DEN-HAAG", "09:00", "booked", person));
    }
    g_ptr_array_add(entries, entry(399, "DEN-HAAG", "09:00", "booked", PERSON_ADULT));
    g_ptr_array_add(entries, NULL);
    g_autofree char *json = file_of((char **)entries->pdata);
    g_ptr_array_free(entries, TRUE);
    store_import_report *r = import_ok(f->s, json);
    g_assert_cmpuint(r->added, ==, G_N_ELEMENTS(nasty) + 1);
    store_import_report_free(r);

    for (size_t i = 0; i < G_N_ELEMENTS(nasty); i++) {
        char c[12];
        code_n(300 + (int)i, c);
        /* Free text comes back exactly as it went in: name, kiosk. */
        store_appointment *a = expect(f->s, store_checkin, c, "DEN-HAAG", nasty[i],
                                      DAY "T09:00:00" OFF, STORE_RESULT_OK);
        g_assert_cmpstr(a->desk, ==, "DEN-HAAG");
        g_assert_cmpstr(a->kiosk, ==, nasty[i]);
        g_assert_cmpstr(a->persons[0].name, ==, nasty[i]);
        store_appointment_free(a);
        expect_free(f->s, store_check, c, nasty[i], nasty[i], DAY "T09:00:00" OFF,
                    STORE_RESULT_WRONG_DESK);
        /* As a code it is malformed; as a V-number it finds nothing. */
        expect_free(f->s, store_check, nasty[i], nasty[i], NULL, DAY "T09:00:00" OFF,
                    STORE_RESULT_MALFORMED);
        store_appointment_list *l = NULL;
        g_assert_cmpint(store_find_by_v_number(f->s, nasty[i], &l), ==, BK_OK);
        g_assert_cmpuint(l->n, ==, 0);
        store_appointment_list_free(l);
        caldate birth = {1980, 1, 1};
        g_assert_cmpint(store_find_by_name(f->s, nasty[i], birth, &l), ==, BK_OK);
        g_assert_cmpuint(l->n, ==, 1);
        store_appointment_list_free(l);

        /* In the validated fields it is refused with a line, never run. */
        g_autofree char *esc = g_strescape(nasty[i], NULL);
        g_autofree char *bad = g_strdup_printf(
            "{\"appointments\":[{\"code\":\"%s\",\"desk\":\"%s\",\"start\":\"%s\","
            "\"minutes\":20,\"status\":\"%s\",\"urgent\":false,\"persons\":[{\"v_number\":"
            "\"%s\",\"name\":\"N\",\"birth_date\":\"%s\",\"category\":\"%s\",\"applied\":"
            "\"%s\",\"previous\":{\"photo\":\"%s\"}}]}]}",
            esc, esc, esc, esc, esc, esc, esc, esc, esc);
        r = NULL;
        g_assert_cmpint(store_import(f->s, bad, strlen(bad), &r), ==, BK_ERR_INVALID);
        g_assert_cmpuint(r->n_problems, ==, 9);
        store_import_report_free(r);

        /* Staff: an id is refused, a name is kept as text. */
        g_assert_cmpint(staff_add(f->s, nasty[i], "N", STAFF_ROLE_DESK, "123456"), ==,
                        BK_ERR_INVALID);
        staff_policy pol = {5, 5};
        staff_answer ans;
        g_assert_cmpint(staff_verify(f->s, nasty[i], "123456", 0, &pol, &ans), ==, BK_OK);
        g_assert_cmpint(ans.verdict, ==, STAFF_VERDICT_UNKNOWN_STAFF);
    }
    g_assert_cmpint(staff_add(f->s, "jan", nasty[0], STAFF_ROLE_DESK, "123456"), ==, BK_OK);
    staff_list *sl = NULL;
    g_assert_cmpint(staff_list_all(f->s, &sl), ==, BK_OK);
    g_assert_cmpuint(sl->n, ==, 1);
    g_assert_cmpstr(sl->items[0].name, ==, nasty[0]);
    staff_list_free(sl);
    /* Every table is still there and whole. */
    char c[12];
    code_n(399, c);
    expect_free(f->s, store_check, c, "DEN-HAAG", NULL, DAY "T09:00:00" OFF, STORE_RESULT_OK);
    store_appointment_list *l = NULL;
    g_assert_cmpint(store_find_by_v_number(f->s, "1000000001", &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 1);
    store_appointment_list_free(l);
}

/* ---- staff ---- */

/* SQLite decides with the time the caller gives; PostgreSQL with the database's clock (a kiosk's
 * is not trusted), and never locks for less than the database's staff_limits (300 s). */
static bool staff_in_db(void)
{
    return strcmp(backend, "postgresql") == 0;
}

/* A lock of `seconds` made at `at` (SQLite) or by the database between `before` and now. */
static void assert_lock(int64_t got, int64_t at, int64_t seconds, int64_t before)
{
    if (!staff_in_db()) {
        g_assert_cmpint(got, ==, at + seconds);
        return;
    }
    g_assert_cmpint(got, >=, before + seconds);
    g_assert_cmpint(got, <=, g_get_real_time() / G_USEC_PER_SEC + seconds + 1);
}

/* Lets the locks' time pass: nothing on SQLite (the test gives later times); on PostgreSQL every
 * account's lock is moved `seconds` back, as the owner. */
static void let_locks_pass(fixture *f, int seconds)
{
    if (!staff_in_db())
        return;
    PGconn *c = pg_connect(f->uri);
    char secs[16];
    g_snprintf(secs, sizeof secs, "%d", seconds);
    pg_do_param(c,
                "UPDATE staff SET locked_until = locked_until - $1::bigint WHERE locked_until > 0",
                secs);
    PQfinish(c);
}

static void test_staff(fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(staff_add(f->s, "anna", "Anna de Vries", STAFF_ROLE_DESK, "246810"), ==, BK_OK);
    g_assert_cmpint(staff_add(f->s, "anna", "Other", STAFF_ROLE_DESK, "135790"), ==, BK_ERR_EXISTS);
    g_assert_cmpint(staff_add(f->s, "tech_1", "Tech", STAFF_ROLE_TECHNICIAN, "975310"), ==, BK_OK);
    g_assert_cmpint(staff_add(f->s, "bob", "Bob", STAFF_ROLE_DESK, "12a456"), ==, BK_ERR_INVALID);
    g_assert_cmpint(staff_add(f->s, "bob", "Bob", STAFF_ROLE_DESK, "12345"), ==, BK_ERR_INVALID);
    g_assert_cmpint(staff_add(f->s, "bob", "", STAFF_ROLE_DESK, "123456"), ==, BK_ERR_INVALID);

    staff_list *l = NULL;
    g_assert_cmpint(staff_list_all(f->s, &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 2);
    g_assert_cmpstr(l->items[0].id, ==, "anna");
    g_assert_cmpint(l->items[1].role, ==, STAFF_ROLE_TECHNICIAN);
    staff_list_free(l);

    const staff_policy pol = {.max_failures = 5, .lockout_minutes = 5};
    const int64_t t0 = at(DAY "T09:00:00" OFF);
    staff_answer a;
    g_assert_cmpint(staff_verify(f->s, "anna", "246810", t0, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(a.role, ==, STAFF_ROLE_DESK);
    g_assert_cmpint(staff_verify(f->s, "nobody", "246810", t0, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_UNKNOWN_STAFF);

    /* Four wrong PINs count down; a right one in between starts the count again. */
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(staff_verify(f->s, "anna", "000000", t0 + i, &pol, &a), ==, BK_OK);
        g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
        g_assert_cmpint(a.failures_left, ==, 4 - i);
    }
    g_assert_cmpint(staff_verify(f->s, "anna", "246810", t0 + 5, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(staff_verify(f->s, "anna", "111111", t0 + 10, &pol, &a), ==, BK_OK);
        g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    }
    /* The fifth wrong PIN locks for 5 minutes; the right PIN is refused meanwhile. */
    int64_t before = g_get_real_time() / G_USEC_PER_SEC;
    g_assert_cmpint(staff_verify(f->s, "anna", "111111", t0 + 20, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    assert_lock(a.locked_until, t0 + 20, 300, before);
    g_assert_cmpint(staff_verify(f->s, "anna", "246810", t0 + 21, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    g_assert_cmpint(staff_verify(f->s, "anna", "246810", t0 + 319, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    /* Other accounts are not affected. */
    g_assert_cmpint(staff_verify(f->s, "tech_1", "975310", t0 + 30, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(a.role, ==, STAFF_ROLE_TECHNICIAN);
    /* Unlocked when the time is over, with a full count of tries. */
    let_locks_pass(f, 300);
    g_assert_cmpint(staff_verify(f->s, "anna", "246810", t0 + 320, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(staff_verify(f->s, "anna", "999999", t0 + 321, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(a.failures_left, ==, 4);

    /* Another policy from the settings: 2 failures, 1 minute (PostgreSQL: the database's
     * 5 minutes, which a kiosk cannot shorten). */
    const staff_policy strict = {.max_failures = 2, .lockout_minutes = 1};
    const int strict_lock = staff_in_db() ? 300 : 60;
    before = g_get_real_time() / G_USEC_PER_SEC;
    g_assert_cmpint(staff_verify(f->s, "tech_1", "1", t0, &strict, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(staff_verify(f->s, "tech_1", "2", t0, &strict, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    assert_lock(a.locked_until, t0, strict_lock, before);
    let_locks_pass(f, strict_lock);
    g_assert_cmpint(staff_verify(f->s, "tech_1", "975310", t0 + 60, &strict, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);

    /* A PIN set before the minimum became 6 digits still signs in, but must be changed; the new
     * one must be long enough. Both roles on one account. */
    char legacy[crypto_pwhash_STRBYTES];
    g_assert_cmpint(crypto_pwhash_str(legacy, "2468", 4, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE),
                    ==, 0);
    staff_account old = {.id = "old", .name = "Old PIN", .role = STAFF_ROLE_DESK};
    g_assert_cmpint(f->s->backend->staff_insert(f->s, &old, legacy), ==, BK_OK);
    g_assert_cmpint(staff_verify(f->s, "old", "2468", t0 + 40, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_true(a.change_pin);
    g_assert_cmpint(staff_set_pin(f->s, "old", "1234"), ==, BK_ERR_INVALID);
    g_assert_cmpint(staff_set_pin(f->s, "nobody", "135792"), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpint(staff_set_pin(f->s, "old", "135792"), ==, BK_OK);
    g_assert_cmpint(staff_verify(f->s, "old", "2468", t0 + 41, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(staff_verify(f->s, "old", "135792", t0 + 42, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_false(a.change_pin);
    g_assert_cmpint(staff_add(f->s, "both", "Both", STAFF_ROLE_DESK_TECHNICIAN, "864200"), ==,
                    BK_OK);
    g_assert_cmpint(staff_verify(f->s, "both", "864200", t0 + 43, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.role, ==, STAFF_ROLE_DESK_TECHNICIAN);

    g_assert_cmpint(staff_remove(f->s, "anna"), ==, BK_OK);
    g_assert_cmpint(staff_remove(f->s, "anna"), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpint(staff_verify(f->s, "anna", "246810", t0 + 400, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_UNKNOWN_STAFF);
}

/* ---- schema ---- */

static void test_schema(fixture *f, gconstpointer data)
{
    (void)data;
    /* Opening again finds the schema current; a newer schema is refused. */
    store *again = NULL;
    g_assert_cmpint(store_open(f->uri, &again, NULL), ==, BK_OK);
    store_free(again);
    if (strcmp(backend, "sqlite") == 0) {
        /* Personal data: the file is its owner's alone. */
        GStatBuf st;
        g_assert_cmpint(g_stat(f->uri + strlen("sqlite:"), &st), ==, 0);
        g_assert_cmpint(st.st_mode & 077, ==, 0);
        sqlite3 *db = NULL;
        g_assert_cmpint(sqlite3_open(f->uri + strlen("sqlite:"), &db), ==, SQLITE_OK);
        g_assert_cmpint(
            sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", NULL, NULL, NULL), ==,
            SQLITE_OK);
        sqlite3_close(db);
    } else {
        PGconn *c = pg_connect(f->uri);
        pg_do(c, "INSERT INTO schema_version VALUES (99)");
        PQfinish(c);
    }
    g_autofree char *message = NULL;
    g_assert_cmpint(store_open(f->uri, &again, &message), ==, BK_ERR_CORRUPT);
    g_assert_nonnull(strstr(message, "newer"));
}

static void test_open_errors(void)
{
    store *s = NULL;
    g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;
    g_assert_cmpint(store_open("mysql://x", &s, &m1), ==, BK_ERR_INVALID);
    g_assert_cmpint(store_open("sqlite:", &s, &m2), ==, BK_ERR_INVALID);
    g_autofree char *nowhere =
        g_strdup_printf("postgresql:///x?host=%s/no-server&connect_timeout=2", tmpdir);
    g_assert_cmpint(store_open(nowhere, &s, &m3), ==, BK_ERR_UNAVAILABLE);
    g_assert_nonnull(m3);
    g_autofree char *dir_uri = g_strdup_printf("sqlite:%s/missing/dir/x.db", tmpdir);
    g_assert_cmpint(store_open(dir_uri, &s, NULL), ==, BK_ERR_UNAVAILABLE);
    g_assert_null(s);
}

/* ---- concurrency ---- */

/* One contender: connects, says it is ready, waits for the start signal, checks in. Its exit
 * status is the result (0 ok, 6 already-used, ...) or 100 for an error. */
static G_GNUC_NORETURN void contender(const char *uri, const char *code, int index, int ready,
                                      int go)
{
    store *s = NULL;
    if (store_open(uri, &s, NULL) != BK_OK)
        _exit(100);
    char kiosk[16];
    g_snprintf(kiosk, sizeof kiosk, "K%02d", index);
    char byte = 'r';
    if (write(ready, &byte, 1) != 1)
        _exit(101);
    /* Blocks until the parent closes its end: every contender wakes at the same moment. */
    while (read(go, &byte, 1) < 0 && errno == EINTR)
        ;
    store_arrival arr = {.desk = "DEN-HAAG",
                         .kiosk = kiosk,
                         .now = at(DAY "T09:00:00" OFF),
                         .early_minutes = 30,
                         .late_minutes = 15};
    store_result r;
    char canonical[APPTCODE_LEN + 1];
    bk_err err = store_checkin(s, code, &arr, &r, canonical, NULL);
    store_free(s);
    _exit(err == BK_OK ? (int)r : 100);
}

static void test_concurrent_checkin(fixture *f, gconstpointer data)
{
    (void)data;
    GPtrArray *entries = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; i < ROUNDS; i++)
        g_ptr_array_add(entries, entry(600 + i, "DEN-HAAG", "09:00", "booked", PERSON_ADULT));
    g_ptr_array_add(entries, NULL);
    g_autofree char *json = file_of((char **)entries->pdata);
    g_ptr_array_free(entries, TRUE);
    store_import_report_free(import_ok(f->s, json));
    /* The parent's own connection must not be shared with the children. */
    store_free(f->s);
    f->s = NULL;

    for (int round = 0; round < ROUNDS; round++) {
        char code[12];
        code_n(600 + round, code);
        int ready[2], go[2];
        g_assert_cmpint(pipe(ready), ==, 0);
        g_assert_cmpint(pipe(go), ==, 0);
        fflush(stdout);
        fflush(stderr);
        pid_t pids[CONTENDERS];
        for (int i = 0; i < CONTENDERS; i++) {
            pids[i] = fork();
            g_assert_cmpint(pids[i], >=, 0);
            if (pids[i] == 0) {
                close(ready[0]);
                close(go[1]);
                contender(f->uri, code, i, ready[1], go[0]);
            }
        }
        close(ready[1]);
        close(go[0]);
        int n_ready = 0;
        char byte;
        while (n_ready < CONTENDERS) {
            ssize_t got = read(ready[0], &byte, 1);
            if (got == 1)
                n_ready++;
            else if (got == 0 || errno != EINTR)
                break;
        }
        close(go[1]); /* start */
        close(ready[0]);
        int ok = 0, used = 0, other = 0;
        for (int i = 0; i < CONTENDERS; i++) {
            int status = 0;
            g_assert_cmpint(waitpid(pids[i], &status, 0), ==, pids[i]);
            int code_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 200;
            if (code_rc == STORE_RESULT_OK)
                ok++;
            else if (code_rc == STORE_RESULT_ALREADY_USED)
                used++;
            else
                other++;
        }
        if (n_ready != CONTENDERS || ok != 1 || used != CONTENDERS - 1 || other != 0)
            g_error("round %d: %d ready, %d ok, %d already-used, %d other", round, n_ready, ok,
                    used, other);
    }
    g_autofree char *message = NULL;
    g_assert_cmpint(store_open(f->uri, &f->s, &message), ==, BK_OK);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    backend = storetest_backend();
    if (backend == NULL)
        return 1;
    if (strcmp(backend, "sqlite") != 0 && strcmp(backend, "postgresql") != 0) {
        printf("Bail out! BIOKIOSK_TEST_STORE must be sqlite or postgresql\n");
        return 1;
    }
    GError *error = NULL;
    tmpdir = g_dir_make_tmp("biokiosk-store-XXXXXX", &error);
    g_assert_no_error(error);

    g_autofree char *p = g_strdup_printf("/store/%s", backend);
#define ADD(name, fn)                                                                              \
    do {                                                                                           \
        g_autofree char *path = g_strconcat(p, "/" name, NULL);                                    \
        g_test_add(path, fixture, NULL, setup, fn, teardown);                                      \
    } while (0)
    ADD("results", test_results);
    ADD("import-errors", test_import_errors);
    ADD("reimport-and-conflicts", test_reimport);
    ADD("find", test_find);
    ADD("count-day", test_count_day);
    ADD("injection", test_injection);
    ADD("staff", test_staff);
    ADD("schema", test_schema);
    ADD("concurrent-checkin", test_concurrent_checkin);
#undef ADD
    g_autofree char *open_path = g_strconcat(p, "/open-errors", NULL);
    g_test_add_func(open_path, test_open_errors);
    int rc = g_test_run();

    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = rc != 0 ? rc : 1;
    g_free(tmpdir);
    return rc;
}
