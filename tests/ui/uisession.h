/* The kiosk run in the test's own process (the session of ui/session.h, the visit controller and
 * a headless ui, no biokiosk program): the fixture pieces shared by the ui tests that do so
 * (test-ui-capture.c, test-ui-visit.c, test-visit-pin-wipe.c). Header only. */
#ifndef BIOKIOSK_UISESSION_H
#define BIOKIOSK_UISESSION_H

#include <stdbool.h>
#include <stdio.h>

#include <glib.h>

#include "../bktest.h"
#include "core/apptcode.h"
#include "store/store.h"
#include "ui/i18n.h"
#include "ui/session.h"
#include "visit/visit.h"
#include "uitest.h" /* uitest_code, uitest_appointment */

/* The test's time: 2026-11-23 09:20 +01:00, ten minutes before the appointments of
 * one_adult_json (seconds since 1970 UTC). */
static inline int64_t uisession_wall(void)
{
    int64_t wall = 0;
    g_assert_cmpint(store_time_parse("2026-11-23T09:20:00+01:00", &wall, NULL), ==, BK_OK);
    return wall;
}

/* The import JSON of one booked appointment `code` at the desk DEN-HAAG on 2026-11-23 at 09:30
 * +01:00 for 20 minutes, of one third-country adult "Test Person" (v_number, birth_date) who
 * applied on 2026-11-02, with what was taken before (`previous`, a JSON object) (transfer full). */
static inline char *one_adult_json(const char *code, const char *v_number, const char *birth_date,
                                   const char *previous)
{
    g_autofree char *person = g_strdup_printf(
        "{\"v_number\": \"%s\", \"name\": \"Test Person\", \"birth_date\": \"%s\", "
        "\"category\": \"third-country\", \"applied\": \"2026-11-02\", \"born_in_nl\": false, "
        "\"previous\": %s}",
        v_number, birth_date, previous);
    g_autofree char *appt = uitest_appointment(code, "DEN-HAAG", 20, person);
    return g_strdup_printf("{\"appointments\": [%s]}", appt);
}

/* A headless ui of 1280x800 pixels on a 527x296 mm screen (ui_free). */
static inline ui *uisession_ui(void)
{
    ui_options opt = {
        .width = 1280, .height = 800, .headless = true, .width_mm = 527, .height_mm = 296};
    ui *u = NULL;
    g_assert_cmpint(ui_new(&opt, &u, NULL), ==, BK_OK);
    return u;
}

/* The visit controller's settings at the desk DEN-HAAG: check-in from 30 minutes early to 15
 * late, a 20 s countdown, 5 wrong PINs lock an account for 5 minutes; no wake function. */
static inline visit_settings uisession_visit_settings(const char *kiosk_id, int idle_seconds)
{
    return (visit_settings){.desk = "DEN-HAAG",
                            .kiosk_id = kiosk_id,
                            .early_minutes = 30,
                            .late_minutes = 15,
                            .idle_seconds = idle_seconds,
                            .countdown_seconds = 20,
                            .max_pin_failures = 5,
                            .lockout_minutes = 5};
}

/* The session's settings: English only, the virtual clock starting at wall. */
static inline session_settings uisession_settings(const char *kiosk_id, int idle_seconds,
                                                  int pin_pad_timeout_seconds, int64_t wall)
{
    static const char *langs[] = {"en"};
    return (session_settings){.kiosk_id = kiosk_id,
                              .idle_seconds = idle_seconds,
                              .pin_pad_timeout_seconds = pin_pad_timeout_seconds,
                              .languages = langs,
                              .n_languages = 1,
                              .default_language = "en",
                              .wall_base = wall,
                              .virtual_clock = true};
}

/* A test's files: a temporary directory, the SQLite store a.db in it (not made yet) and the
 * appointment code made from APPTCODE_RANDOM_BYTES bytes. */
typedef struct uisession_files {
    char *dir, *db, *uri;
    char code[APPTCODE_FORMATTED_LEN + 1];
} uisession_files;

static inline void uisession_files_make(uisession_files *f, const char *template,
                                        const unsigned char *bytes)
{
    f->dir = make_tmpdir(template);
    f->db = g_build_filename(f->dir, "a.db", NULL);
    f->uri = g_strconcat("sqlite:", f->db, NULL);
    uitest_code(bytes, f->code);
}

/* Removes the directory and all in it. */
static inline void uisession_files_remove(uisession_files *f)
{
    remove_tree(f->dir);
    g_free(f->dir);
    g_free(f->db);
    g_free(f->uri);
}

/* Frees the session, the visit controller, the ui and the store, in that order. */
/* The store at uri opened, a controller on it and a session on a headless ui, as the kiosk
 * DEN-HAAG-07 at the test's time (uisession_free). */
static inline session *uisession_open(const char *uri, store **st, visit **v, ui **u)
{
    g_assert_cmpint(store_open(uri, st, NULL), ==, BK_OK);
    *u = uisession_ui();
    visit_settings vs = uisession_visit_settings("DEN-HAAG-07", 600);
    *v = visit_new(&vs, *st, NULL);
    g_assert_nonnull(*v);
    session_settings set = uisession_settings("DEN-HAAG-07", 600, 600, uisession_wall());
    return session_new(&set, *v, *u);
}

static inline void uisession_free(session *s, visit *v, ui *u, store *st)
{
    session_free(s);
    visit_free(v);
    ui_free(u);
    store_free(st);
}

/* Before the tests: false (after printing TAP's whole-test skip) without the Noto Sans fonts;
 * else loads the English texts (i18n_unload after the tests). */
static inline bool uisession_begin(void)
{
    char *font = ui_find_font("Noto Sans");
    if (font == NULL) {
        printf("1..0 # SKIP: the Noto Sans fonts (fonts-noto-core) are not installed\n");
        return false; /* TAP: "1..0 # SKIP" marks the whole test skipped */
    }
    g_free(font);
    const char *en[] = {"en"};
    g_assert_cmpint(i18n_load(NULL, en, 1, NULL), ==, BK_OK);
    return true;
}

#endif
