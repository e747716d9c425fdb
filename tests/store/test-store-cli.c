/* `biokiosk appointment` and `biokiosk staff` as scripts see them: exit statuses, one JSON
 * object on stdout, problems on stderr, on an SQLite store in a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "../bkrun.h"
#include "core/apptcode.h"

static const char *bin;
static char *tmpdir;

/* Runs biokiosk with the NULL-terminated arguments and stdin text (may be NULL). */
static bk_result run(const char *input, ...)
{
    va_list ap;
    va_start(ap, input);
    const char *first = va_arg(ap, const char *);
    bk_result r = bk_spawn_va(bin, NULL, input, first, ap);
    va_end(ap);
    return r;
}

static char *store_uri(const char *name)
{
    return g_strdup_printf("sqlite:%s/%s.db", tmpdir, name);
}

static void test_new_code(void)
{
    bk_result r = run(NULL, "appointment", "new-code", "--count", "50", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_auto(GStrv) lines = g_strsplit(r.out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 51);
    for (int i = 0; i < 50; i++) {
        char code[APPTCODE_LEN + 1];
        g_assert_cmpuint(strlen(lines[i]), ==, APPTCODE_FORMATTED_LEN);
        g_assert_cmpint(lines[i][4], ==, '-');
        g_assert_cmpint(apptcode_parse(lines[i], code), ==, APPTCODE_OK);
    }
    g_assert_cmpstr(lines[0], !=, lines[1]);
    bk_result_clear(&r);
}

/* The demo set imports, covers every kind of visit, and answers ok for its first code. */
static void test_demo_set(void)
{
    g_autofree char *uri = store_uri("demo");
    g_autofree char *file = g_build_filename(tmpdir, "demo.json", NULL);
    bk_result r =
        run(NULL, "appointment", "demo-set", "--desk", "DEN-HAAG", "--date", "2026-11-23", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_file_set_contents(file, r.out, -1, NULL));
    JsonParser *parser;
    JsonObject *root = parse_object(r.out, &parser);
    JsonArray *list = json_object_get_array_member(root, "appointments");
    bool cancelled = false, infant = false, eu_family = false, eu_perm = false, mvv = false;
    bool reuse = false, family = false;
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *a = json_array_get_object_element(list, i);
        cancelled =
            cancelled || strcmp(json_object_get_string_member(a, "status"), "cancelled") == 0;
        JsonArray *persons = json_object_get_array_member(a, "persons");
        family = family || json_array_get_length(persons) >= 3;
        for (guint k = 0; k < json_array_get_length(persons); k++) {
            JsonObject *p = json_array_get_object_element(persons, k);
            const char *cat = json_object_get_string_member(p, "category");
            eu_family = eu_family || strcmp(cat, "eu-family-member") == 0;
            eu_perm = eu_perm || strcmp(cat, "eu-citizen-permanent") == 0;
            mvv = mvv || strcmp(cat, "mvv") == 0;
            infant =
                infant || g_str_has_prefix(json_object_get_string_member(p, "birth_date"), "2026-");
            JsonObject *prev = json_object_get_object_member(p, "previous");
            reuse = reuse || json_object_has_member(prev, "photo");
        }
    }
    g_assert_true(cancelled && infant && eu_family && eu_perm && mvv && reuse && family);
    const char *first =
        json_object_get_string_member(json_array_get_object_element(list, 0), "code");
    g_autofree char *code = g_strdup(first);
    gint64 n_appointments = json_array_get_length(list);
    g_object_unref(parser);
    bk_result_clear(&r);

    r = run(NULL, "appointment", "import", file, "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    root = parse_object(r.out, &parser);
    g_assert_cmpint(json_object_get_int_member(root, "added"), ==, n_appointments);
    g_object_unref(parser);
    bk_result_clear(&r);
    r = run(NULL, "appointment", "import", file, "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"added\":0,\"updated\":0"));
    bk_result_clear(&r);

    /* The first code, at its start: ok, with a plan per person. */
    r = run(NULL, "appointment", "checkin", code, "--desk", "DEN-HAAG", "--kiosk", "DEN-HAAG-01",
            "--at", "2026-11-23T09:00:00+01:00", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpint(count_lines(r.out), ==, 1);
    root = parse_object(r.out, &parser);
    g_assert_cmpstr(json_object_get_string_member(root, "result"), ==, "ok");
    g_assert_cmpstr(json_object_get_string_member(root, "code"), ==, code);
    JsonObject *appt = json_object_get_object_member(root, "appointment");
    g_assert_cmpstr(json_object_get_string_member(appt, "status"), ==, "checked-in");
    JsonObject *p0 =
        json_array_get_object_element(json_object_get_array_member(appt, "persons"), 0);
    g_assert_cmpstr(
        json_object_get_string_member(json_object_get_object_member(p0, "plan"), "photo"), ==,
        "capture");
    g_object_unref(parser);
    bk_result_clear(&r);

    /* Another kiosk: already-used, exit 1, no persons shown. */
    r = run(NULL, "appointment", "checkin", code, "--desk", "DEN-HAAG", "--kiosk", "DEN-HAAG-02",
            "--at", "2026-11-23T09:00:00+01:00", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 1);
    root = parse_object(r.out, &parser);
    g_assert_cmpstr(json_object_get_string_member(root, "result"), ==, "already-used");
    g_assert_false(
        json_object_has_member(json_object_get_object_member(root, "appointment"), "persons"));
    g_object_unref(parser);
    bk_result_clear(&r);

    /* Find by V-number. */
    r = run(NULL, "appointment", "find", "--name", "amira haddad", "--birth-date", "1992-07-26",
            "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, code));
    bk_result_clear(&r);
    r = run(NULL, "appointment", "find", "--v-number", "1", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "{\"appointments\":[]}\n");
    bk_result_clear(&r);
}

static void test_refusals(void)
{
    g_autofree char *uri = store_uri("refusals");
    bk_result r = run(NULL, "appointment", "check", "12-34", "--desk", "DEN-HAAG", "--at",
                      "2026-11-23T09:00:00+01:00", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "{\"result\":\"malformed\",\"code\":null,\"appointment\":null}\n");
    bk_result_clear(&r);
    r = run(NULL, "appointment", "check", "0000-0002-Y", "--desk", "DEN-HAAG", "--at",
            "2026-11-23T09:00:00+01:00", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(
        r.out, ==, "{\"result\":\"check-failed\",\"code\":\"0000-0002-Y\",\"appointment\":null}\n");
    bk_result_clear(&r);
    r = run(NULL, "appointment", "check", "0000 0001 y", "--desk", "DEN-HAAG", "--at",
            "2026-11-23T09:00:00+01:00", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==,
                    "{\"result\":\"unknown\",\"code\":\"0000-0001-Y\",\"appointment\":null}\n");
    bk_result_clear(&r);
}

static void test_usage_errors(void)
{
    g_autofree char *uri = store_uri("usage");
    g_autofree char *bad = g_build_filename(tmpdir, "bad.json", NULL);
    g_assert_true(g_file_set_contents(
        bad,
        "{\"appointments\":[{\"code\":\"0000-0001-Y\",\"desk\":\"D\",\"start\":\"x\","
        "\"minutes\":20,\"persons\":[{\"v_number\":\"1\",\"name\":\"N\",\"birth_date\":"
        "\"1990-13-01\",\"category\":\"mvv\"}]},{\"code\":\"0000-0001-Z\"}]}",
        -1, NULL));
    /* An invalid file: one line per problem on stderr, nothing on stdout, exit 2. */
    bk_result r = run(NULL, "appointment", "import", bad, "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "bad.json: entry 0: start: "));
    g_assert_nonnull(strstr(r.err, "entry 1: code: check symbol"));
    g_assert_nonnull(strstr(r.err, "entry 1: desk: missing"));
    g_assert_nonnull(strstr(r.err, "entry 1: persons: missing"));
    bk_result_clear(&r);

    static const char *const cases[][8] = {
        {"appointment", "check", "--desk", "D", NULL},
        {"appointment", "check", "X", "--desk", "D", "--at", "tomorrow", NULL},
        {"appointment", "checkin", "X", "--desk", "D", "--store", "sqlite::memory:", NULL},
        {"appointment", "frobnicate", NULL},
        {"appointment", "find", "--name", "x", NULL},
        {"appointment", "check", "X", "--desk", "D", "--store", "mysql://x", NULL},
        {"appointment", "check", "X", "--desk", "D", "--config", "/nonexistent/biokiosk.conf",
         NULL},
        {"staff", "add", "bad id!", "--name", "N", "--role", "desk", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *const *c = cases[i];
        r = run("1234\n", c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], NULL);
        if (r.status != 2 || count_lines(r.err) != 1 || r.out[0] != '\0')
            g_error("case %zu: status %d, stdout '%s', stderr '%s'", i, r.status, r.out, r.err);
        bk_result_clear(&r);
    }

    /* A store that cannot be reached: exit 3. */
    g_autofree char *nowhere =
        g_strdup_printf("postgresql:///x?host=%s/no-server&connect_timeout=2", tmpdir);
    r = run(NULL, "appointment", "check", "0000-0001-Y", "--desk", "D", "--store", nowhere, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_cmpstr(r.out, ==, "");
    bk_result_clear(&r);
}

/* The configuration names the store, the desk, the kiosk and the arrival window. */
static void test_config(void)
{
    g_autofree char *db = g_build_filename(tmpdir, "conf.db", NULL);
    g_autofree char *conf = g_build_filename(tmpdir, "biokiosk.conf", NULL);
    g_autofree char *text = g_strdup_printf("[kiosk]\ndesk = ZWOLLE\nid = ZWOLLE-01\n"
                                            "[store]\nuri = sqlite:%s\n"
                                            "[arrival]\nearly_minutes = 60\n"
                                            "[staff]\nmax_pin_failures = 2\n"
                                            "lockout_minutes = 10\n",
                                            db);
    g_assert_true(g_file_set_contents(conf, text, -1, NULL));
    g_autofree char *file = g_build_filename(tmpdir, "zwolle.json", NULL);
    bk_result r =
        run(NULL, "appointment", "demo-set", "--desk", "ZWOLLE", "--date", "2026-11-23", NULL);
    g_assert_true(g_file_set_contents(file, r.out, -1, NULL));
    JsonParser *parser;
    JsonObject *root = parse_object(r.out, &parser);
    g_autofree char *code = g_strdup(json_object_get_string_member(
        json_array_get_object_element(json_object_get_array_member(root, "appointments"), 0),
        "code"));
    g_object_unref(parser);
    bk_result_clear(&r);
    r = run(NULL, "appointment", "import", file, "--config", conf, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    /* 50 minutes early: accepted with early_minutes = 60 from the file, refused with 30. */
    r = run(NULL, "appointment", "checkin", code, "--at", "2026-11-23T08:10:00+01:00", "--config",
            conf, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"kiosk\":\"ZWOLLE-01\""));
    bk_result_clear(&r);
    r = run(NULL, "appointment", "release", code, "--config", conf, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    r = run(NULL, "appointment", "check", code, "--at", "2026-11-23T08:10:00+01:00",
            "--early-minutes", "30", "--config", conf, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_nonnull(strstr(r.out, "\"result\":\"too-early\""));
    bk_result_clear(&r);
    r = run(NULL, "appointment", "no-show", code, "--config", conf, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"status\":\"no-show\""));
    bk_result_clear(&r);

    /* The staff lockout follows [staff]: 2 wrong PINs lock for 10 minutes. */
    r = run("864200\n", "staff", "add", "kees", "--name", "Kees", "--role", "desk", "--config",
            conf, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    r = run("111111\n", "staff", "verify", "kees", "--at", "2026-11-23T09:00:00Z", "--config", conf,
            NULL);
    g_assert_cmpstr(r.out, ==, "{\"result\":\"wrong-pin\",\"tries_left\":1}\n");
    bk_result_clear(&r);
    r = run("111111\n", "staff", "verify", "kees", "--at", "2026-11-23T09:00:00Z", "--config", conf,
            NULL);
    g_assert_cmpstr(r.out, ==,
                    "{\"result\":\"locked\",\"locked_until\":\"2026-11-23T09:10:00+00:00\"}\n");
    bk_result_clear(&r);
}

static void test_staff(void)
{
    g_autofree char *uri = store_uri("staff");
    bk_result r = run("246810\n", "staff", "add", "anna", "--name", "Anna de Vries", "--role",
                      "technician", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    r = run("246810\n", "staff", "add", "anna", "--name", "Anna", "--role", "desk", "--store", uri,
            NULL);
    g_assert_cmpint(r.status, ==, 2);
    bk_result_clear(&r);
    /* a new PIN has at least 6 digits */
    r = run("24680\n", "staff", "add", "bob", "--name", "Bob", "--role", "desk", "--store", uri,
            NULL);
    g_assert_cmpint(r.status, ==, 2);
    bk_result_clear(&r);
    r = run("246810\n", "staff", "verify", "anna", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "{\"result\":\"ok\",\"role\":\"technician\"}\n");
    bk_result_clear(&r);
    for (int i = 0; i < 4; i++) {
        r = run("111111\n", "staff", "verify", "anna", "--at", "2026-11-23T09:00:00Z", "--store",
                uri, NULL);
        g_assert_cmpint(r.status, ==, 1);
        g_assert_nonnull(strstr(r.out, "wrong-pin"));
        bk_result_clear(&r);
    }
    r = run("111111\n", "staff", "verify", "anna", "--at", "2026-11-23T09:00:00Z", "--store", uri,
            NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==,
                    "{\"result\":\"locked\",\"locked_until\":\"2026-11-23T09:05:00+00:00\"}\n");
    bk_result_clear(&r);
    r = run("246810\n", "staff", "verify", "anna", "--at", "2026-11-23T09:05:00Z", "--store", uri,
            NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    r = run(NULL, "staff", "list", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"id\":\"anna\""));
    g_assert_null(strstr(r.out, "argon2"));
    g_assert_null(strstr(r.out, "246810"));
    bk_result_clear(&r);
    r = run(NULL, "staff", "remove", "anna", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    r = run(NULL, "staff", "remove", "anna", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 1);
    bk_result_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bin = g_getenv("BIOKIOSK_BIN");
    if (bin == NULL) {
        printf("Bail out! BIOKIOSK_BIN is not set\n");
        return 1;
    }
    GError *error = NULL;
    tmpdir = g_dir_make_tmp("biokiosk-store-cli-XXXXXX", &error);
    g_assert_no_error(error);
    g_test_add_func("/store-cli/new-code", test_new_code);
    g_test_add_func("/store-cli/demo-set", test_demo_set);
    g_test_add_func("/store-cli/refusals", test_refusals);
    g_test_add_func("/store-cli/usage-errors", test_usage_errors);
    g_test_add_func("/store-cli/config", test_config);
    g_test_add_func("/store-cli/staff", test_staff);
    int rc = g_test_run();
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0 && rc == 0)
        rc = 1;
    g_free(tmpdir);
    return rc;
}
