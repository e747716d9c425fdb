/* Small helpers shared by the ui tests that run the real kiosk. Included by each test file. */
#ifndef BIOKIOSK_UITEST_H
#define BIOKIOSK_UITEST_H

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "../bktest.h" /* remove_tree */
#include "core/apptcode.h"
#include "store/staff.h"
#include "store/store.h"

/* Script lines (ui/script.c): staff skips the step on screen from the staff menu. */
#define STAFF_SKIPS_STEP                                                                           \
    "tap \"Staff menu\"\n"                                                                         \
    "tap \"Skip this step\"\n"                                                                     \
    "tap \"Not available on this kiosk\"\n"

/* The configuration's [kiosk] lines (the kiosk DEN-HAAG-07 at `desk`, in English, its
 * translations in KIOSK_LOCALE_DIR) and [store] lines (the store at uri); transfer full. */
static inline char *kiosk_lines(const char *desk, const char *uri)
{
    return g_strdup_printf("[kiosk]\n"
                           "desk = %s\n"
                           "id = DEN-HAAG-07\n"
                           "default_language = en\n"
                           "locale_dir = %s\n"
                           "pictograms = %s\n" /* -- guide: the source folder */
                           "[store]\n"
                           "uri = %s\n",
                           desk, g_getenv("KIOSK_LOCALE_DIR"),
                           g_getenv("BIOKIOSK_PICTOGRAMS") ? g_getenv("BIOKIOSK_PICTOGRAMS") : "",
                           uri);
}

/* Script lines from the welcome screen to the first person's screen: appointment `code` typed,
 * the desk officer jdevries signed in to confirm the documents, the person `name` chosen
 * (transfer full). */
static inline char *checkin_lines(const char *code, const char *name)
{
    return g_strdup_printf("tap \"Start\"\n"
                           "type %s\n"
                           "key Return\n"
                           "expect-screen appointment\n"
                           "tap \"Continue\"\n"
                           "expect-screen documents\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n"
                           "tap \"%s\"\n"
                           "tap \"Continue\"\n"
                           "expect-screen person\n",
                           code, name);
}

/* Where a test keeps its screenshots (transfer full): KIOSK_SHOTS, in its subfolder
 * KIOSK_SHOTS_RUN when that is set (tools/test.sh --stress gives each of its runs at once its
 * own, so one run never reads a picture another is writing), else `fallback`. Made if missing. */
static inline char *uitest_shots_dir(const char *fallback)
{
    const char *shots = g_getenv("KIOSK_SHOTS");
    const char *run = g_getenv("KIOSK_SHOTS_RUN");
    char *dir = NULL;
    if (shots == NULL || shots[0] == '\0')
        dir = g_strdup(fallback);
    else if (run != NULL && run[0] != '\0')
        dir = g_build_filename(shots, run, NULL);
    else
        dir = g_strdup(shots);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    return dir;
}

/* Writes text to path; fails the test when it cannot. */
static inline void write_file(const char *path, const char *text)
{
    GError *error = NULL;
    if (!g_file_set_contents(path, text, -1, &error))
        g_error("cannot write %s: %s", path, error->message);
}

/* The adult of the ui tests' appointments (a person of an appointment's JSON): nothing on file,
 * so the photo, the prints and the signature are all taken. */
#define UITEST_AMIRA                                                                               \
    "{\"v_number\": \"3082294200\", \"name\": \"Amira Haddad\", \"birth_date\": "                  \
    "\"1992-07-26\", \"category\": \"third-country\", \"applied\": \"2026-11-02\", "               \
    "\"born_in_nl\": false, \"previous\": {}}"

/* The formatted appointment code made from five random bytes. */
static inline void uitest_code(const unsigned char bytes[APPTCODE_RANDOM_BYTES],
                               char out[APPTCODE_FORMATTED_LEN + 1])
{
    char canon[APPTCODE_LEN + 1];
    apptcode_from_bytes(bytes, canon);
    apptcode_format(canon, out);
}

/* One booked appointment (a JSON object of the import) with `code` at `desk` on 2026-11-23 at
 * 09:30 for `minutes`, for `persons` (the JSON objects of its persons, separated by commas);
 * transfer full. */
static inline char *uitest_appointment(const char *code, const char *desk, int minutes,
                                       const char *persons)
{
    return g_strdup_printf("{\"code\": \"%s\", \"desk\": \"%s\", \"start\": "
                           "\"2026-11-23T09:30:00+01:00\", \"minutes\": %d, \"status\": "
                           "\"booked\", \"urgent\": false, \"persons\": [%s]}",
                           code, desk, minutes, persons);
}

/* Fills the kiosk's store at uri: imports the appointments (JSON; the import's problems are
 * printed when it fails) and adds the desk officer jdevries (PIN 123456) and, with technician,
 * the technician tech (PIN 654321). */
static inline void fill_store(const char *uri, const char *json, gboolean technician)
{
    store *st = NULL;
    g_autofree char *message = NULL;
    bk_err opened = store_open(uri, &st, &message);
    if (opened != BK_OK)
        g_printerr("store: %s\n", message ? message : "");
    g_assert_cmpint(opened, ==, BK_OK);
    store_import_report *report = NULL;
    bk_err err = store_import(st, json, strlen(json), &report);
    if (err != BK_OK && report)
        for (size_t i = 0; i < report->n_problems; i++)
            g_test_message("import: %s", report->problems[i]);
    g_assert_cmpint(err, ==, BK_OK);
    store_import_report_free(report);
    g_assert_cmpint(staff_add(st, "jdevries", "J. de Vries", STAFF_ROLE_DESK, "123456"), ==, BK_OK);
    if (technician)
        g_assert_cmpint(staff_add(st, "tech", "T. Technician", STAFF_ROLE_TECHNICIAN, "654321"), ==,
                        BK_OK);
    store_free(st);
}

/* The strings follow each other in the text (the kiosk's audit log) in this order, each after
 * the end of the one before (NULL-terminated); the test fails naming the first one missing. */
static inline void assert_in_order(const char *log, const char *const *events)
{
    const char *at = log;
    for (int i = 0; events[i] != NULL; i++) {
        const char *hit = strstr(at, events[i]);
        if (hit == NULL)
            g_error("the audit log lacks \"%s\" (in this order) after offset %ld:\n%s", events[i],
                    (long)(at - log), log);
        at = hit + strlen(events[i]);
    }
}

#endif
