/* The `biokiosk` command line as other tools see it: exit statuses, stdout, stderr. */
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "../bkrun.h"

typedef bk_result run;

static void test_version_and_usage(void)
{
    run r = biokiosk_run("--version", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "biokiosk "));
    bk_result_clear(&r);

    r = biokiosk_run("--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "rules"));
    bk_result_clear(&r);

    r = biokiosk_run("frobnicate", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
    g_assert_nonnull(strstr(r.err, "Usage:"));
    bk_result_clear(&r);

    r = biokiosk_run("--frobnicate", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "unknown option"));
    bk_result_clear(&r);

    r = biokiosk_run("rules", "--frobnicate", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "frobnicate"));
    bk_result_clear(&r);

    r = biokiosk_run("rules", "--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "--previous-fingerprints-poor"));
    bk_result_clear(&r);
}

static void test_rules_json(void)
{
    run r = biokiosk_run("rules", "--birth-date", "2018-01-15", "--on", "2026-11-22", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(count_lines(r.out), ==, 1);
    JsonParser *parser;
    JsonObject *o = parse_object(r.out, &parser);
    g_assert_cmpint(json_object_get_int_member(o, "age"), ==, 8);
    g_assert_true(json_object_get_boolean_member(o, "desk"));
    g_assert_cmpstr(json_object_get_string_member(o, "photo"), ==, "capture");
    g_assert_cmpstr(json_object_get_string_member(o, "fingerprints"), ==, "capture");
    g_assert_cmpstr(json_object_get_string_member(o, "signature"), ==, "none");
    g_assert_false(json_object_get_boolean_member(o, "may_post"));
    g_assert_false(json_object_get_boolean_member(o, "may_come_alone"));
    JsonArray *reasons = json_object_get_array_member(o, "reasons");
    gboolean found = FALSE;
    for (guint i = 0; i < json_array_get_length(reasons); i++) {
        JsonObject *reason = json_array_get_object_element(reasons, i);
        g_assert_nonnull(json_object_get_string_member(reason, "text"));
        if (g_strcmp0(json_object_get_string_member(reason, "item"), "fingerprints") == 0) {
            g_assert_cmpstr(json_object_get_string_member(reason, "rule"), ==,
                            "fingerprints.none-on-file");
            found = TRUE;
        }
    }
    g_assert_true(found);
    g_object_unref(parser);
    bk_result_clear(&r);

    r = biokiosk_run("rules", "--birth-date", "1990-01-01", "--on", "2026-11-22", "--applied",
                     "2026-10-01", "--category", "eu-citizen-permanent", "--previous-photo",
                     "2026-09-01", "--previous-fingerprints", "2020-01-01",
                     "--previous-fingerprints-poor", "--previous-signature", "2020-01-01", NULL);
    g_assert_cmpint(r.status, ==, 0);
    o = parse_object(r.out, &parser);
    g_assert_cmpint(json_object_get_int_member(o, "age"), ==, 36);
    g_assert_cmpstr(json_object_get_string_member(o, "photo"), ==, "reuse");
    g_assert_cmpstr(json_object_get_string_member(o, "fingerprints"), ==, "none");
    g_assert_cmpstr(json_object_get_string_member(o, "signature"), ==, "reuse");
    g_assert_true(json_object_get_boolean_member(o, "may_post"));
    g_assert_true(json_object_get_boolean_member(o, "may_come_alone"));
    g_object_unref(parser);
    bk_result_clear(&r);

    /* an adult whose photo, fingerprints and signature are all used again need not come */
    r = biokiosk_run("rules", "--birth-date", "1990-01-01", "--on", "2026-11-22", "--applied",
                     "2026-10-01", "--previous-photo", "2026-09-01", "--previous-fingerprints",
                     "2020-01-01", "--previous-signature", "2020-01-01", NULL);
    g_assert_cmpint(r.status, ==, 0);
    o = parse_object(r.out, &parser);
    g_assert_false(json_object_get_boolean_member(o, "desk"));
    g_assert_cmpstr(json_object_get_string_member(o, "photo"), ==, "reuse");
    reasons = json_object_get_array_member(o, "reasons");
    found = FALSE;
    for (guint i = 0; i < json_array_get_length(reasons); i++) {
        JsonObject *reason = json_array_get_object_element(reasons, i);
        if (g_strcmp0(json_object_get_string_member(reason, "item"), "desk") == 0) {
            g_assert_cmpstr(json_object_get_string_member(reason, "rule"), ==, "desk.all-reused");
            found = TRUE;
        }
    }
    g_assert_true(found);
    g_object_unref(parser);
    bk_result_clear(&r);

    r = biokiosk_run("rules", "--birth-date", "2026-01-01", "--on", "2026-11-22", NULL);
    g_assert_cmpint(r.status, ==, 0);
    o = parse_object(r.out, &parser);
    g_assert_false(json_object_get_boolean_member(o, "desk"));
    g_assert_cmpstr(json_object_get_string_member(o, "photo"), ==, "by-post");
    g_object_unref(parser);
    bk_result_clear(&r);
}

static void test_rules_bad_input(void)
{
    static const char *const bad[][12] = {
        {"--birth-date", "2023-02-29", "--on", "2026-11-22", NULL},
        {"--birth-date", "2023-13-01", "--on", "2026-11-22", NULL},
        {"--birth-date", "yesterday", "--on", "2026-11-22", NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-31", NULL},
        {"--birth-date", "2027-01-01", "--on", "2026-11-22", NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-22", "--previous-photo", "2026-11-23",
         NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-22", "--previous-fingerprints",
         "2027-01-01", NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-22", "--previous-signature", "2030-01-01",
         NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-22", "--category", "tourist", NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-22", "--applied", "2026-11-23", NULL},
        {"--birth-date", "2000-01-01", NULL},
        {"--on", "2026-11-22", NULL},
        {"--birth-date", "2000-01-01", "--on", "2026-11-22", "extra", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *const *a = bad[i];
        run r = biokiosk_run("rules", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
        g_test_message("case %zu: %s", i, r.err);
        g_assert_cmpint(r.status, ==, 2);
        g_assert_cmpstr(r.out, ==, "");
        g_assert_cmpint(count_lines(r.err), ==, 1);
        g_assert_true(g_str_has_prefix(r.err, "biokiosk rules: "));
        bk_result_clear(&r);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/version-and-usage", test_version_and_usage);
    g_test_add_func("/cli/rules-json", test_rules_json);
    g_test_add_func("/cli/rules-bad-input", test_rules_bad_input);
    return g_test_run();
}
