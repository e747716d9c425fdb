/* The staff bar of the real kiosk (`biokiosk --script`, SDL offscreen) says when a record has
 * waited longer than [delivery] alert_hours, and says nothing before. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <utime.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "../ui/recordconf.h"
#include "../ui/uitest.h"
#include "store/staff.h"
#include "store/store.h"

#define NOW "2026-11-23T09:30:00+01:00"

/* Runs the kiosk at NOW with one waiting record written `hours` before, and a script that signs
 * the desk officer in and then `expect`s (a script line). */
static void run_with_record_aged(long hours, const char *expect)
{
    g_autofree char *dir = g_dir_make_tmp("biokiosk-ui-delivery-XXXXXX", NULL);
    g_autofree char *db = g_build_filename(dir, "appointments.db", NULL);
    g_autofree char *uri = g_strconcat("sqlite:", db, NULL);
    fill_store(uri, "{\"appointments\": []}", FALSE);
    g_autofree char *kiosk = kiosk_lines("DEN-HAAG", uri);
    g_autofree char *record = recordconf_lines(dir);
    g_autofree char *conf_text = g_strconcat(kiosk, record, "[delivery]\nalert_hours = 24\n", NULL);
    g_autofree char *conf = g_build_filename(dir, "kiosk.conf", NULL);
    write_file(conf, conf_text);

    g_autofree char *outbox = g_build_filename(dir, "outbox", NULL);
    g_mkdir(outbox, 0700);
    g_autofree char *rec = g_build_filename(outbox, "DEN-HAAG-07-0000abcd.bkrec", NULL);
    write_file(rec, "a record waiting for the receiver");
    GDateTime *now = g_date_time_new_from_iso8601(NOW, NULL);
    time_t written = (time_t)g_date_time_to_unix(now) - hours * 3600 - 600;
    g_date_time_unref(now);
    struct utimbuf t = {written, written};
    g_assert_cmpint(g_utime(rec, &t), ==, 0);

    g_autofree char *script_text = g_strdup_printf("expect-screen welcome\n"
                                                   "staff jdevries 123456\n"
                                                   "expect-screen staff-menu\n"
                                                   "%s\n",
                                                   expect);
    g_autofree char *script = g_build_filename(dir, "script.txt", NULL);
    write_file(script, script_text);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", conf, "--now", NOW, "--script", script, NULL};
    g_autofree char *err = NULL;
    int status = 0;
    GError *error = NULL;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                 &status, &error);
    g_assert_no_error(error);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        g_error("the kiosk's script failed: %s", err);
    /* the record is still there: nothing but a receipt takes it away */
    g_assert_true(g_file_test(rec, G_FILE_TEST_EXISTS));
    remove_tree(dir);
}

static void test_alert_after_hours(void)
{
    run_with_record_aged(30, "expect-text \"Records not delivered for 30 h\"");
}

static void test_no_alert_before(void)
{
    run_with_record_aged(2, "expect-no-text \"Records not delivered\"");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (g_getenv("BIOKIOSK_BIN") == NULL)
        return 1;
    g_test_add_func("/ui-delivery/alert-after-hours", test_alert_after_hours);
    g_test_add_func("/ui-delivery/no-alert-before", test_no_alert_before);
    return g_test_run();
}
