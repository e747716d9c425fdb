/* What the command line takes in, the record can hold (issue 17, "one limit, defined once"):
 * `staff add` refuses a staff id the record would refuse (a '.': the record writes the officer's
 * id among its identifiers), and `appointment import` refuses a name the record would refuse
 * (a DEL character), each with a line that names it, and takes their neighbours; `appointment
 * purge` refuses a negative number of days. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "../bkrun.h"

static char *tmp;

static bk_result run_with(const char *input, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    bk_result r = bk_spawn_va(g_getenv("BIOKIOSK_BIN"), NULL, input, first, ap);
    va_end(ap);
    return r;
}

static void test_staff_id(void)
{
    g_autofree char *uri = g_strdup_printf("sqlite:%s/staff.db", tmp);
    bk_result r = run_with("123456\n", "staff", "add", "j.devries", "--name", "J. de Vries",
                           "--role", "desk", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "A-Z a-z 0-9 _ -"));
    bk_result_clear(&r);
    r = run_with("123456\n", "staff", "add", "j_devries", "--name", "J. de Vries", "--role", "desk",
                 "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"id\":\"j_devries\""));
    bk_result_clear(&r);
}

static void import_name(const char *name, int want_status, const char *want_err)
{
    g_autofree char *file = g_build_filename(tmp, "appointments.json", NULL);
    g_autofree char *json = g_strdup_printf(
        "{\"appointments\": [{\"code\": \"0000-0001-Y\", \"desk\": \"DEN-HAAG\", \"start\": "
        "\"2026-11-23T09:30:00+01:00\", \"minutes\": 20, \"status\": \"booked\", \"persons\": "
        "[{\"v_number\": \"3082294200\", \"name\": \"%s\", \"birth_date\": \"1992-07-26\", "
        "\"category\": \"third-country\"}]}]}",
        name);
    g_assert_true(g_file_set_contents(file, json, -1, NULL));
    g_autofree char *uri = g_strdup_printf("sqlite:%s/import.db", tmp);
    bk_result r = run_with(NULL, "appointment", "import", file, "--store", uri, NULL);
    if (r.status != want_status || (want_err && strstr(r.err, want_err) == NULL))
        g_error("import of a name: status %d, stderr '%s'", r.status, r.err);
    bk_result_clear(&r);
}

static void test_import_name(void)
{
    import_name("Doe\\u007f, John", 2, "persons[0].name");
    import_name("Doe\\u0007, John", 2, "persons[0].name");
    import_name("Ó Súilleabháin, Zoë", 0, NULL);
}

/* A negative number of days to keep is refused, not taken for the default. */
static void test_purge_days(void)
{
    g_autofree char *uri = g_strdup_printf("sqlite:%s/purge.db", tmp);
    bk_result r = run_with(NULL, "appointment", "purge", "--days", "-3", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "--days must be 0 or more"));
    bk_result_clear(&r);
    r = run_with(NULL, "appointment", "purge", "--days", "0", "--store", uri, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"purged\":0"));
    bk_result_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmp = g_dir_make_tmp("biokiosk-cli-limits-XXXXXX", NULL);
    g_assert_nonnull(tmp);
    g_test_add_func("/cli-limits/staff-id", test_staff_id);
    g_test_add_func("/cli-limits/import-name", test_import_name);
    g_test_add_func("/cli-limits/purge-days", test_purge_days);
    int rc = g_test_run();
    remove_tree(tmp);
    g_free(tmp);
    return rc;
}
