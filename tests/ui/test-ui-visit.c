/* Nothing on the render thread waits on the store, Argon2 or the audit log: the kiosk's session
 * (ui/session.c) and the visit controller (app/visit/) in this process, with the real SQLite store
 * and audit log. While this test holds the store's write lock (a second SQLite connection in an
 * IMMEDIATE transaction) and the audit log's lock (flock, as a second writer would), it asks for
 * a check-in, a staff sign-in, the review's finish (commit and complete) and the end of a visit
 * (release), and shows that the main loop keeps handling events and presenting frames while
 * each answer is pending (the screen says "One moment, please." or "Checking..."), and that each
 * completes once the locks are let go.
 *
 * Before the controller, sign-in, finish and release ran on the render thread: the loop stood
 * still for the store's busy timeout (30 s), drew nothing meanwhile, and the store then answered
 * "busy" (sign-in refused, appointment not completed): every check below failed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core/apptcode.h"
#include "record/seal.h"
#include "store/staff.h"
#include "store/store.h"
#include "ui/i18n.h"
#include "ui/session.h"
#include "uisession.h"
#include "uitest.h"
#include "visit/kioskrec.h"
#include "visit/visit.h"

#define FRAMES 40

static uint32_t wake_event;

static void wake(void *data)
{
    (void)data;
    SDL_Event ev = {.type = wake_event};
    SDL_PushEvent(&ev);
}

typedef struct locks {
    sqlite3 *db; /* holds the write lock while open in a transaction */
    int audit_fd;
} locks;

static void lock_store(locks *l, const char *db)
{
    g_assert_cmpint(sqlite3_open(db, &l->db), ==, SQLITE_OK);
    g_assert_cmpint(sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void unlock_store(locks *l)
{
    g_assert_cmpint(sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close(l->db);
    l->db = NULL;
}

static void lock_audit(locks *l, const char *path)
{
    l->audit_fd = open(path, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(l->audit_fd, >=, 0);
    g_assert_cmpint(flock(l->audit_fd, LOCK_EX), ==, 0);
}

static void unlock_audit(locks *l)
{
    flock(l->audit_fd, LOCK_UN);
    close(l->audit_fd);
    l->audit_fd = -1;
}

/* Runs the main loop for FRAMES rounds, each with an event that needs a new frame (as a window
 * exposed, a touch or a device's event would), while the answer stays pending; checks that a
 * frame was presented each round and that `shown` was on screen meanwhile. The pause between
 * rounds only gives the worker time to reach the lock; nothing is timed. */
static void loop_while_pending(session *s, const char *shown)
{
    runner *r = session_runner(s);
    ui *u = session_ui(s);
    uint64_t before = u->frames;
    int64_t longest = 0;
    for (int i = 0; i < FRAMES; i++) {
        SDL_Event ev = {.type = SDL_WINDOWEVENT};
        ev.window.event = SDL_WINDOWEVENT_EXPOSED;
        SDL_PushEvent(&ev);
        int64_t t0 = g_get_monotonic_time();
        runner_pump(r);
        longest = MAX(longest, g_get_monotonic_time() - t0);
        g_assert_true(session_busy(s));
        g_usleep(10 * 1000);
    }
    g_assert_cmpuint(u->frames - before, >=, FRAMES);
    /* a figure, not an assertion: the longest round of the loop while the answer was pending */
    g_test_message("pending (%s): %" G_GUINT64_FORMAT " frames in %d rounds, longest round %.1f ms",
                   shown, u->frames - before, FRAMES, (double)longest / 1000.0);
    if (!ui_shows_text(u, shown)) {
        g_autofree char *texts = ui_texts_joined(u);
        g_test_message("on screen: %s", texts);
    }
    g_assert_true(ui_shows_text(u, shown));
}

/* Lets the loop run until the controller has answered everything. */
static void settle(session *s)
{
    runner *r = session_runner(s);
    while (session_busy(s))
        runner_wait(r, 100);
    runner_pump(r);
}

static void test_never_waits(void)
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {9, 8, 7, 6, 5};
    uisession_files f;
    uisession_files_make(&f, "biokiosk-visit-XXXXXX", bytes);
    /* an adult whose photo, prints and signature are all used again: the visit goes to the
     * review without capture screens */
    g_autofree char *json = one_adult_json(f.code, "3095069500", "1985-10-24",
                                           "{\"photo\": \"2026-09-24\", \"fingerprints\": "
                                           "\"2024-12-23\", \"signature\": \"2024-12-23\"}");
    fill_store(f.uri, json, FALSE);
    store *st = NULL;
    g_assert_cmpint(store_open(f.uri, &st, NULL), ==, BK_OK);

    /* the kiosk's keys, outbox and audit log */
    g_autofree char *keys = g_build_filename(f.dir, "keys", NULL);
    char fp[17];
    g_assert_cmpint(seal_init(), ==, BK_OK);
    g_assert_cmpint(g_mkdir_with_parents(keys, 0700), ==, 0);
    g_assert_cmpint(seal_kiosk_init(keys, fp), ==, BK_OK);
    g_assert_cmpint(seal_backoffice_init(keys, fp), ==, BK_OK);
    g_autofree char *outbox = g_build_filename(f.dir, "outbox", NULL);
    g_autofree char *sk = g_build_filename(keys, "kiosk.key", NULL);
    g_autofree char *pk = g_build_filename(keys, "backoffice.pub", NULL);
    g_autofree char *hk = g_build_filename(keys, "audit-hash.key", NULL);
    g_autofree char *audit = g_build_filename(f.dir, "audit.log", NULL);
    int64_t wall = uisession_wall();
    kioskrec_settings rs = {.outbox = outbox,
                            .kiosk_key = sk,
                            .backoffice_key = pk,
                            .audit_hash_key = hk,
                            .audit_log = audit,
                            .retention_days = 30,
                            .desk = "DEN-HAAG",
                            .kiosk_id = "DEN-HAAG-07"};
    kioskrec *rec = NULL;
    g_autofree char *message = NULL;
    g_assert_cmpint(kioskrec_open(&rs, wall, &rec, &message), ==, BK_OK);

    ui *u = uisession_ui();
    wake_event = SDL_RegisterEvents(1);
    visit_settings vs = uisession_visit_settings("DEN-HAAG-07", 600);
    vs.wake = wake;
    visit *v = visit_new(&vs, st, rec);
    session_settings set = uisession_settings("DEN-HAAG-07", 600, 600, wall);
    set.working_days = 25;
    session *s = session_new(&set, v, u);
    locks l = {.audit_fd = -1};

    /* check-in: the store's write lock held */
    session_start(s);
    settle(s);
    lock_store(&l, f.db);
    session_submit_code(s, f.code);
    loop_while_pending(s, "One moment, please.");
    g_assert_cmpstr(session_screen_name(s), ==, "code");
    unlock_store(&l);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "appointment");

    /* staff sign-in (Argon2, then the store counts the success): the pad says "Checking..." */
    session_continue(s);
    settle(s);
    lock_store(&l, f.db);
    session_staff_open(s);
    char pin[] = "123456";
    session_staff_sign_in(s, "jdevries", pin, sizeof pin);
    loop_while_pending(s, "Checking...");
    g_assert_false(session_staff_active(s));
    unlock_store(&l);
    settle(s);
    g_assert_true(session_staff_active(s));
    g_assert_cmpstr(session_screen_name(s), ==, "staff-menu");

    /* staff aborts: the welcome screen shows at once while the release waits for the store */
    lock_store(&l, f.db);
    session_staff_abort(s);
    g_assert_cmpstr(session_screen_name(s), ==, "welcome");
    loop_while_pending(s, "Start");
    unlock_store(&l);
    settle(s);

    /* again, to the review */
    session_start(s);
    session_submit_code(s, f.code);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "appointment");
    session_continue(s);
    session_staff_open(s);
    g_strlcpy(pin, "123456", sizeof pin);
    session_staff_sign_in(s, "jdevries", pin, sizeof pin);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "staff-menu");
    runner_pop(session_runner(s));
    session_staff_confirm_documents(s, 0, true);
    session_continue(s); /* documents -> person */
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "person");
    session_continue(s);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "review");

    /* finish: the audit log (the records' commit audits) and the store (complete) locked */
    lock_audit(&l, audit);
    lock_store(&l, f.db);
    session_continue(s);
    loop_while_pending(s, "One moment, please.");
    g_assert_cmpstr(session_screen_name(s), ==, "review");
    unlock_audit(&l);
    loop_while_pending(s, "One moment, please.");
    unlock_store(&l);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "done");

    uisession_free(s, v, u, st);
    kioskrec_free(rec);
    uisession_files_remove(&f);
}

/* A stand-in for the technician screen (ui/screens/technician.c is set up by the kiosk). */
static void tech_draw(screen *scr, ui *u)
{
    (void)scr;
    (void)u;
}

static const screen_class tech_screen = {.name = "tech-test", .draw = tech_draw};

static void sign_in(session *s, const char *id, const char *pin)
{
    session_staff_open(s);
    char typed[16];
    g_strlcpy(typed, pin, sizeof typed);
    session_staff_sign_in(s, id, typed, sizeof typed);
    settle(s);
    g_assert_true(session_staff_active(s));
    g_assert_cmpstr(session_screen_name(s), ==, "staff-menu");
    runner_pop(session_runner(s));
}

/* Issue 17: roles are checked where the action happens. A technician is no desk officer (the
 * controller refuses a desk action even when asked directly, and logs the refusal); the
 * technician screen checks the role again when it opens, not only in the menu. */
static void test_roles(void)
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {1, 8, 2, 6, 5};
    uisession_files f;
    uisession_files_make(&f, "biokiosk-visit-XXXXXX", bytes);
    g_autofree char *json = one_adult_json(f.code, "3082294200", "1992-07-26", "{}");
    fill_store(f.uri, json, TRUE);
    store *st = NULL;
    visit *v = NULL;
    ui *u = NULL;
    session *s = uisession_open(f.uri, &st, &v, &u);
    session_technician_set_screen(&tech_screen);

    /* the technician screen: a desk officer is refused where it opens */
    sign_in(s, "jdevries", "123456");
    g_assert_true(session_staff_desk(s));
    g_assert_false(session_staff_technician(s));
    g_assert_false(session_technician_enter(s));
    g_assert_cmpstr(session_screen_name(s), ==, "welcome");
    session_staff_sign_out(s);
    sign_in(s, "tech", "654321");
    g_assert_false(session_staff_desk(s));
    g_assert_true(session_technician_enter(s));
    g_assert_cmpstr(session_screen_name(s), ==, "tech-test");
    session_staff_sign_out(s);

    /* at the documents, the technician may not confirm them, abort or mark a no-show */
    session_start(s);
    session_submit_code(s, f.code);
    settle(s);
    session_continue(s);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "documents");
    sign_in(s, "tech", "654321");
    session_staff_confirm_documents(s, 0, true);
    g_assert_false(flow_get_person(session_flow(s), 0)->documents_ok);
    session_staff_no_show(s);
    session_staff_abort(s);
    settle(s);
    g_assert_cmpstr(session_screen_name(s), ==, "documents");
    g_assert_false(session_technician_enter(s)); /* not during a visit */
    session_staff_sign_out(s);
    /* the desk officer may */
    sign_in(s, "jdevries", "123456");
    session_staff_confirm_documents(s, 0, true);
    g_assert_true(flow_get_person(session_flow(s), 0)->documents_ok);

    session_technician_set_screen(NULL);
    uisession_free(s, v, u, st);
    uisession_files_remove(&f);
}

/* Issue 17, one limit: an appointment stored with more persons than the kiosk serves (before
 * the import refused such files) is refused whole at check-in and given back to the store, never
 * served in part (check-in kept the first 12 and completed the appointment). */
static void test_too_many_persons(void)
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {3, 9, 4, 1, 7};
    uisession_files f;
    uisession_files_make(&f, "biokiosk-visit-XXXXXX", bytes);
    g_autofree char *json = one_adult_json(f.code, "3082294200", "1992-07-26", "{}");
    fill_store(f.uri, json, FALSE);
    sqlite3 *db = NULL; /* 12 more persons, as an older program could have stored them */
    g_assert_cmpint(sqlite3_open(f.db, &db), ==, SQLITE_OK);
    for (int k = 1; k <= FLOW_MAX_PERSONS; k++) {
        g_autofree char *sql = g_strdup_printf(
            "INSERT INTO persons SELECT code, %d, printf('30822942%%02d', %d), name || ' %d', "
            "name_lower || ' %d', born_in_nl, birth_date, applied, category, photo, fingerprints, "
            "fingerprints_poor, signature FROM persons WHERE idx = 0",
            k, k, k, k);
        g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
    sqlite3_close(db);
    store *st = NULL;
    visit *v = NULL;
    ui *u = NULL;
    session *s = uisession_open(f.uri, &st, &v, &u);
    session_start(s);
    /* the controller warns in the log (not fatal here) */
    GLogLevelFlags fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    session_submit_code(s, f.code);
    settle(s);
    g_log_set_always_fatal(fatal);
    g_assert_cmpuint(flow_person_count(session_flow(s)), ==, 0);
    g_assert_false(visit_checked_in(v));
    g_assert_cmpstr(session_screen_name(s), !=, "appointment");
    /* given back: booked again */
    store_arrival a = {.desk = "DEN-HAAG", .kiosk = "DEN-HAAG-07", .now = uisession_wall()};
    store_result result;
    char canon[APPTCODE_LEN + 1];
    store_appointment *appt = NULL;
    g_assert_cmpint(store_check(st, f.code, &a, &result, canon, &appt), ==, BK_OK);
    g_assert_nonnull(appt);
    g_assert_cmpint(appt->n_persons, ==, FLOW_MAX_PERSONS + 1);
    g_assert_cmpint(appt->status, ==, STORE_STATUS_BOOKED);
    store_appointment_free(appt);
    uisession_free(s, v, u, st);
    uisession_files_remove(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!uisession_begin())
        return 0;
    g_test_add_func("/ui/visit/never-waits", test_never_waits);
    g_test_add_func("/ui/visit/roles", test_roles);
    g_test_add_func("/ui/visit/too-many-persons", test_too_many_persons);
    int rc = g_test_run();
    i18n_unload();
    return rc;
}
