/* The capture-step interface (ui/capture.h) and the script's command table (ui/script.h), as the
 * photo, fingerprint and signature areas will use them: a capture screen registered for the
 * photo, a device result delivered as an SDL user event that only that screen consumes, and a
 * script command added for the device. Runs the session in this process, offscreen, against its
 * own SQLite store. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/apptcode.h"
#include "ui/capture.h"
#include "ui/i18n.h"
#include "ui/script.h"
#include "ui/session.h"
#include "store/staff.h"
#include "store/store.h"
#include "ui/widgets/widgets.h"
#include "uisession.h"

static uint32_t photo_event; /* "the camera delivered a photo" */
static uint32_t photo_events[2];
static int photo_enters;

typedef struct photo_priv {
    int results; /* photo events seen */
} photo_priv;

static void photo_enter(screen *scr)
{
    (void)scr;
    photo_enters++;
}

static bool photo_input(screen *scr, const SDL_Event *ev)
{
    photo_priv *p = scr->priv;
    if (ev->type != photo_event)
        return false;
    p->results++;
    runner_invalidate(scr->owner);
    return true;
}

static void photo_action(screen *scr, int id)
{
    photo_priv *p = scr->priv;
    if (id == 1 && p->results > 0)
        session_capture_done(scr->host); /* the last thing: the screen is replaced */
}

static void photo_draw(screen *scr, ui *u)
{
    photo_priv *p = scr->priv;
    SDL_Rect r = session_draw_frame(scr->host, u, "Photo test screen", true);
    char line[64];
    g_snprintf(line, sizeof line, "photos received: %d", p->results);
    ui_text(u, line, r, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    if (p->results > 0)
        button_draw(u, (SDL_Rect){r.x, r.y + ui_px(u, 80), ui_px(u, 480), u->target},
                    "Use this photo", 1, BUTTON_PRIMARY);
}

static void photo_status(void *service, char *buf, size_t size)
{
    (void)service; /* registered without one */
    g_snprintf(buf, size, "photo: test camera ready");
}

static const screen_class photo_screen = {
    .name = "capture-photo",
    .applicant = true,
    .priv_size = sizeof(photo_priv),
    .enter = photo_enter,
    .input = photo_input,
    .action = photo_action,
    .draw = photo_draw,
    .events = photo_events,
};

static const capture_class photo_capture = {
    .item = FLOW_ITEM_PHOTO,
    .screen = &photo_screen,
    .status = photo_status,
};

/* A device command for scripts, as a capture area adds one. */
static bk_err cmd_camera_photo(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    SDL_Event ev = {0};
    ev.type = photo_event;
    script_push(sc, &ev);
    return BK_OK;
}

static void test_capture(void)
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {1, 2, 3, 4, 5};
    uisession_files f;
    uisession_files_make(&f, "biokiosk-capture-XXXXXX", bytes);
    g_autofree char *json = one_adult_json(f.code, "1000000001", "1990-01-01", "{}");
    store *st = NULL;
    g_assert_cmpint(store_open(f.uri, &st, NULL), ==, BK_OK);
    store_import_report *report = NULL;
    g_assert_cmpint(store_import(st, json, strlen(json), &report), ==, BK_OK);
    store_import_report_free(report);
    g_assert_cmpint(staff_add(st, "desk1", "Desk One", STAFF_ROLE_DESK, "246810"), ==, BK_OK);

    ui *u = uisession_ui();
    photo_event = SDL_RegisterEvents(1);
    photo_events[0] = photo_event;
    g_assert_cmpint(capture_register(&photo_capture), ==, BK_OK);
    g_assert_cmpint(capture_register(&photo_capture), ==, BK_ERR_EXISTS);
    g_assert_true(capture_lookup(FLOW_ITEM_PHOTO) == &photo_capture);
    g_assert_null(capture_lookup(FLOW_ITEM_SIGNATURE));
    g_assert_cmpint(script_register("camera-photo", 0, 0, cmd_camera_photo, "camera-photo"), ==,
                    BK_OK);
    g_assert_cmpint(script_register("camera-photo", 0, 0, cmd_camera_photo, "camera-photo"), ==,
                    BK_ERR_EXISTS);

    int64_t wall = uisession_wall();
    /* the visit controller without records (rec NULL); the session drains its answers on every
     * event and tick, so it needs no wake here */
    visit_settings vs = uisession_visit_settings("TEST-1", 60);
    visit *v = visit_new(&vs, st, NULL);
    session_settings set = uisession_settings("TEST-1", 60, 30, wall);
    set.working_days = 25;
    session *s = session_new(&set, v, u);
    g_autofree char *path = g_build_filename(f.dir, "s.txt", NULL);
    g_autofree char *text = g_strdup_printf("tap \"Start\"\n"
                                            "type %s\n"
                                            "key Return\n"
                                            "tap \"Continue\"\n"
                                            "staff desk1 246810\n"
                                            "tap \"Device status\"\n"
                                            "expect-text \"photo: test camera ready\"\n"
                                            "expect-text \"signature: not available\"\n"
                                            "tap \"Close\"\n"
                                            "tap \"Test Person\"\n"
                                            "tap \"Continue\"\n"
                                            "tap \"Start\"\n"
                                            "expect-screen capture-photo\n"
                                            "expect-text \"photos received: 0\"\n"
                                            "camera-photo\n"
                                            "expect-text \"photos received: 1\"\n"
                                            "tap \"Use this photo\"\n"
                                            "expect-screen step-unavailable\n"
                                            "expect-text \"Fingerprints\"\n",
                                            f.code);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_autofree char *message = NULL;
    bk_err err = script_run(s, path, NULL, &message);
    if (err != BK_OK)
        g_test_message("%s", message);
    g_assert_cmpint(err, ==, BK_OK);
    g_assert_cmpint(photo_enters, ==, 1);
    const flow_person *p = flow_get_person(session_flow(s), 0);
    g_assert_nonnull(p);
    g_assert_cmpint(p->steps[0].item, ==, FLOW_ITEM_PHOTO);
    g_assert_cmpint(p->steps[0].state, ==, FLOW_STEP_DONE);
    g_assert_cmpint(p->steps[1].state, ==, FLOW_STEP_PENDING);

    /* An event of a type no screen on the stack consumes is dropped. */
    SDL_Event ev = {0};
    ev.type = photo_event;
    runner_dispatch(session_runner(s), &ev);
    g_assert_cmpstr(session_screen_name(s), ==, "step-unavailable");

    uisession_free(s, v, u, st);
    capture_clear();
    g_assert_null(capture_lookup(FLOW_ITEM_PHOTO));
    uisession_files_remove(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!uisession_begin())
        return 0;
    g_test_add_func("/ui/capture-step", test_capture);
    int rc = g_test_run();
    i18n_unload();
    return rc;
}
