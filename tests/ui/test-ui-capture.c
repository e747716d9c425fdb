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

static void photo_status(char *buf, size_t size)
{
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
    g_autofree char *dir = g_dir_make_tmp("biokiosk-capture-XXXXXX", NULL);
    g_autofree char *db = g_build_filename(dir, "a.db", NULL);
    g_autofree char *uri = g_strconcat("sqlite:", db, NULL);
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {1, 2, 3, 4, 5};
    char canon[APPTCODE_LEN + 1], code[APPTCODE_FORMATTED_LEN + 1];
    apptcode_from_bytes(bytes, canon);
    apptcode_format(canon, code);
    g_autofree char *json = g_strdup_printf(
        "{\"appointments\": [{\"code\": \"%s\", \"desk\": \"DEN-HAAG\", \"start\": "
        "\"2026-11-23T09:30:00+01:00\", \"minutes\": 20, \"status\": \"booked\", \"urgent\": "
        "false, \"persons\": [{\"v_number\": \"1000000001\", \"name\": \"Test Person\", "
        "\"birth_date\": "
        "\"1990-01-01\", \"category\": \"third-country\", \"applied\": \"2026-11-02\", "
        "\"born_in_nl\": false, \"previous\": {}}]}]}",
        code);
    store *st = NULL;
    g_assert_cmpint(store_open(uri, &st, NULL), ==, BK_OK);
    store_import_report *report = NULL;
    g_assert_cmpint(store_import(st, json, strlen(json), &report), ==, BK_OK);
    store_import_report_free(report);
    g_assert_cmpint(staff_add(st, "desk1", "Desk One", STAFF_ROLE_DESK, "246810"), ==, BK_OK);

    ui_options opt = {
        .width = 1280, .height = 800, .headless = true, .width_mm = 527, .height_mm = 296};
    ui *u = NULL;
    g_assert_cmpint(ui_new(&opt, &u, NULL), ==, BK_OK);
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

    int64_t wall = 0;
    g_assert_cmpint(store_time_parse("2026-11-23T09:20:00+01:00", &wall, NULL), ==, BK_OK);
    const char *langs[] = {"en"};
    /* the visit controller without records (rec NULL); the session drains its answers on every
     * event and tick, so it needs no wake here */
    visit_settings vs = {
        .desk = "DEN-HAAG",
        .kiosk_id = "TEST-1",
        .early_minutes = 30,
        .late_minutes = 15,
        .idle_seconds = 60,
        .countdown_seconds = 20,
        .max_pin_failures = 5,
        .lockout_minutes = 5,
    };
    visit *v = visit_new(&vs, st, NULL);
    session_settings set = {
        .kiosk_id = "TEST-1",
        .idle_seconds = 60,
        .working_days = 25,
        .pin_pad_timeout_seconds = 30,
        .languages = langs,
        .n_languages = 1,
        .default_language = "en",
        .wall_base = wall,
        .virtual_clock = true,
    };
    session *s = session_new(&set, v, u);
    g_autofree char *path = g_build_filename(dir, "s.txt", NULL);
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
                                            code);
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

    session_free(s);
    visit_free(v);
    capture_clear();
    g_assert_null(capture_lookup(FLOW_ITEM_PHOTO));
    ui_free(u);
    store_free(st);
    g_unlink(db);
    g_autofree char *wal = g_strconcat(db, "-wal", NULL);
    g_autofree char *shm = g_strconcat(db, "-shm", NULL);
    g_unlink(wal);
    g_unlink(shm);
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    char *font = ui_find_font("Noto Sans");
    if (font == NULL) {
        printf("1..0 # SKIP: the Noto Sans fonts (fonts-noto-core) are not installed\n");
        return 0; /* TAP: "1..0 # SKIP" marks the whole test skipped */
    }
    g_free(font);
    const char *en[] = {"en"};
    g_assert_cmpint(i18n_load(NULL, en, 1, NULL), ==, BK_OK);
    g_test_add_func("/ui/capture-step", test_capture);
    int rc = g_test_run();
    i18n_unload();
    return rc;
}
