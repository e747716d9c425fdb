/* The technician screen (ui/technician.h) in the real kiosk: `biokiosk --script` with SDL's
 * offscreen driver, its own SQLite store (appointments of today, staff of both roles), keys,
 * outbox and audit log, and libfprint's virtual image reader held by the kiosk's fingerprint
 * module ([fingerprint] virtual_socket). No camera and no signature pad are attached, so those
 * checks run directly and fail; the reader's comes from the kiosk's module and passes. In the
 * hands-on finger case the kiosk has no fingerprint module: the self-test opens the virtual
 * reader itself, shows its prompt on screen, and this test places a synthetic finger. In the
 * hands-on pad case the kiosk runs under umockdev-run with a USB pad written by sigpad-gen.
 *
 * Environment: BIOKIOSK_BIN, KIOSK_LOCALE_DIR, KIOSK_SHOTS (as the other ui tests); SIGPAD_GEN,
 * SIGPAD_STROKES, UMOCKDEV_RUN for the pad (skipped without them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <png.h>

#include "core/apptcode.h"
#include "emulators/finger/fingerfeed.h"
#include "emulators/finger/fingersynth.h"
#include "recordconf.h"
#include "store/staff.h"
#include "store/store-backend.h" /* STORE_SCHEMA_VERSION */
#include "store/store.h"
#include "uitest.h"
/* after uitest.h */
#include "uicamera.h"

#define NOW      "2026-11-23T09:20:00+01:00"
#define DESK     "DEN-HAAG"
#define PORTRAIT "frontal/frl_london_001_03.jpg"
#define CAMERA   GINT_TO_POINTER(3)

typedef struct fixture {
    char *dir;
    char *conf;
    char *shots;
    char *audit;
    char *socket;                          /* the virtual reader's */
    char code[APPTCODE_FORMATTED_LEN + 1]; /* the first appointment's */
    uicamera cam;                          /* the emulated camera (CAMERA only) */
} fixture;

/* The i-th test code, formatted. */
static void code_of(int i, char code[static APPTCODE_FORMATTED_LEN + 1])
{
    unsigned char bytes[APPTCODE_RANDOM_BYTES] = {(unsigned char)(31 * i + 7), 0x11, 0x5a,
                                                  (unsigned char)(90 - i), 0x42};
    char canon[APPTCODE_LEN + 1];
    apptcode_from_bytes(bytes, canon);
    apptcode_format(canon, code);
}

static void appt(GString *s, int i, const char *desk, const char *start, const char *status)
{
    char code[APPTCODE_FORMATTED_LEN + 1];
    code_of(i, code);
    g_string_append_printf(s,
                           "%s{\"code\": \"%s\", \"desk\": \"%s\", \"start\": \"%s\", "
                           "\"minutes\": 20, \"status\": \"%s\", \"urgent\": false, "
                           "\"persons\": [{\"v_number\": \"30950695%02d\", \"name\": \"Amira "
                           "Haddad\", \"birth_date\": \"1992-07-26\", \"category\": "
                           "\"third-country\", \"applied\": \"2026-11-02\", \"born_in_nl\": "
                           "false}]}",
                           i ? ", " : "", code, desk, start, status, i);
}

/* data: NULL, the kiosk's fingerprint module holds the virtual reader; 1, the kiosk has none
 * ([fingerprint] enabled = false) and the virtual reader is free for the self-test; 2, no
 * fingerprint reader at all; CAMERA, no reader and the kiosk's photo module holds the emulated
 * PTP/IP camera (skipped without the emulator or the portraits). */
static void fixture_set_up(fixture *fx, gconstpointer data)
{
    fx->cam = (uicamera){.fifo_fd = -1};
    fx->dir = g_dir_make_tmp("biokiosk-tech-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
    fx->shots = uitest_shots_dir(fx->dir);
    g_autofree char *db = g_build_filename(fx->dir, "appointments.db", NULL);
    g_autofree char *uri = g_strconcat("sqlite:", db, NULL);

    /* today at this desk: two booked and one completed count, a cancelled one and another
     * desk's and another day's do not */
    GString *json = g_string_new("{\"appointments\": [");
    appt(json, 0, DESK, "2026-11-23T09:30:00+01:00", "booked");
    appt(json, 1, DESK, "2026-11-23T10:30:00+01:00", "booked");
    appt(json, 2, DESK, "2026-11-23T08:30:00+01:00", "completed");
    appt(json, 3, DESK, "2026-11-23T11:30:00+01:00", "cancelled");
    appt(json, 4, "AMSTERDAM", "2026-11-23T09:30:00+01:00", "booked");
    appt(json, 5, DESK, "2026-11-24T09:30:00+01:00", "booked");
    g_string_append(json, "]}");
    fill_store(uri, json->str, TRUE);
    g_string_free(json, TRUE);

    fx->conf = g_build_filename(fx->dir, "kiosk.conf", NULL);
    fx->audit = g_build_filename(fx->dir, "audit.log", NULL);
    fx->socket = g_build_filename(fx->dir, "vi.sock", NULL);
    code_of(0, fx->code);
    g_autofree char *kiosk = kiosk_lines(DESK, uri);
    g_autofree char *conf = g_strdup_printf("%s"
                                            "[fingerprint]\n"
                                            "enabled = %s\n"
                                            "virtual_socket = %s\n"
                                            "[selftest]\n"
                                            "require_ntp = false\n",
                                            kiosk, data ? "false" : "true",
                                            GPOINTER_TO_INT(data) >= 2 ? "" : fx->socket);
    g_autofree char *record = recordconf_lines(fx->dir);
    g_autofree char *camera = NULL;
    if (data == CAMERA && g_getenv("PTPIP_CAMERA_BIN") && g_getenv("BIOKIOSK_FACES")) {
        g_autofree char *portrait = uicamera_portrait(fx->dir, PORTRAIT);
        g_autofree char *fifo = g_build_filename(fx->dir, "camera-control", NULL);
        uicamera_start(&fx->cam, portrait, fifo);
        camera = uicamera_conf_lines(&fx->cam, fifo);
    }
    g_autofree char *full = g_strconcat(conf, record, camera, NULL);
    write_file(fx->conf, full);
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    uicamera_stop(&fx->cam);
    if (!g_getenv("KEEP_DIR"))
        remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->conf);
    g_free(fx->shots);
    g_free(fx->audit);
    g_free(fx->socket);
}

/* Plays script in the kiosk with environment envp (NULL: this one's); fails the test unless it
 * passes. Returns stderr (transfer full). */
static char *play_env(fixture *fx, const char *script, char **envp)
{
    g_autofree char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, script);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", fx->conf, "--now", NOW, "--script", path,
        "--screenshots",          fx->shots,  NULL};
    int status = 0;
    GError *error = NULL;
    char *out = NULL, *err = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
    g_free(out);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_printerr("%s", err);
        g_error("the script failed (status %d)", status);
    }
    /* nothing of the applicants in the store reaches the log */
    g_assert_null(strstr(err, "Amira"));
    g_assert_null(strstr(err, "30950695"));
    return err;
}

static char *play(fixture *fx, const char *script)
{
    return play_env(fx, script, NULL);
}

static char *audit_text(fixture *fx)
{
    char *text = NULL;
    g_assert_true(g_file_get_contents(fx->audit, &text, NULL, NULL));
    return text;
}

/* ---- a screenshot's pixels ---- */

typedef struct shot {
    png_image img;
    png_bytep px;
} shot;

static void shot_load(shot *s, fixture *fx, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.png", name);
    g_autofree char *path = g_build_filename(fx->shots, file, NULL);
    memset(s, 0, sizeof *s);
    s->img.version = PNG_IMAGE_VERSION;
    g_assert_true(png_image_begin_read_from_file(&s->img, path));
    s->img.format = PNG_FORMAT_RGB;
    s->px = g_malloc(PNG_IMAGE_SIZE(s->img));
    g_assert_true(png_image_finish_read(&s->img, NULL, s->px, 0, NULL));
}

static void shot_free(shot *s)
{
    g_free(s->px);
    png_image_free(&s->img);
}

/* Fails unless the pixel at x, y is r, g, b (within tol per channel). */
static void assert_rgb(const shot *s, int x, int y, int r, int g, int b, int tol)
{
    g_assert_cmpint(x, <, (int)s->img.width);
    g_assert_cmpint(y, <, (int)s->img.height);
    const png_byte *p = s->px + ((size_t)y * s->img.width + (size_t)x) * 3;
    if (abs(p[0] - r) > tol || abs(p[1] - g) > tol || abs(p[2] - b) > tol)
        g_error("pixel %d,%d is %d,%d,%d, expected %d,%d,%d", x, y, p[0], p[1], p[2], r, g, b);
}

/* ---- tests ---- */

#define OPEN                                                                                       \
    "staff tech 654321\n"                                                                          \
    "expect-screen staff-menu\n"                                                                   \
    "tap \"Test this kiosk\"\n"                                                                    \
    "expect-screen technician\n"

/* The checks run, each group says where its results come from, and the store, files and clock
 * checks show their values. */
static void test_checks(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *err =
        play(fx, OPEN "expect-text \"Run the checks to see what works\"\n"
                      "screenshot technician-start\n"
                      "tap \"Run the checks\"\n"
                      "technician-wait 120\n"
                      "expect-text \"Passed:\"\n"
                      "screenshot technician-results\n"
                      /* the emulated reader, held by the kiosk's own fingerprint module */
                      "technician-show fingerprint.found\n"
                      "expect-text \"Fingerprint reader: from the kiosk's capture module\"\n"
                      "expect-text \"fingerprint.found  fingerprint: Virtual image device\"\n"
                      "expect-text \"fingerprint.open_close  not run here\"\n"
                      /* no camera, no pad: checked directly, they fail with what to do */
                      "technician-show camera.found\n"
                      "expect-text \"Camera: checked directly by the self-test\"\n"
                      "expect-text \"What to do: Switch the camera on\"\n"
                      "technician-show sigpad.found\n"
                      "expect-text \"Signature pad: checked directly by the self-test\"\n"
                      "expect-text \"sigpad.found  no signature pad\"\n"
                      "technician-show display.mode\n"
                      "expect-text \"Screen and touch: from the kiosk's own window\"\n"
                      "expect-text \"display.mode  the kiosk draws 1920x1080\"\n"
                      "technician-show store.today\n"
                      /* this program's schema, migrated on open */
                      "expect-text \"store.today  schema version " G_STRINGIFY(
                          STORE_SCHEMA_VERSION) "; 3 appointments today "
                                                "(2026-11-23) at desk DEN-HAAG\"\n"
                                                "screenshot technician-results-store\n"
                                                "technician-show keys.kiosk\n"
                                                "technician-show audit.verify\n"
                                                "expect-text \"audit.verify  \"\n"
                                                "technician-show clock.plausible\n"
                                                "tap \"Back\"\n"
                                                "expect-screen staff-menu\n");
    /* every check is logged by name and result */
    g_assert_nonnull(strstr(err, "check fingerprint.found: pass (from the kiosk)"));
    g_assert_nonnull(strstr(err, "check camera.found: fail"));
    g_assert_nonnull(strstr(err, "check store.today: pass"));
    g_assert_nonnull(strstr(err, "check outbox.writable: pass"));
    g_assert_nonnull(strstr(err, "check audit.verify: pass"));
    g_assert_nonnull(strstr(err, "self-test ended on the technician screen"));
    g_autofree char *audit = audit_text(fx);
    g_assert_nonnull(strstr(audit, "technician.selftest"));
    g_assert_nonnull(strstr(audit, "hands-on=no"));
}

/* The number after `prefix` in the log, which must be followed by `unit`. */
static double logged_number(const char *log, const char *prefix, const char *unit)
{
    const char *at = strstr(log, prefix);
    if (at == NULL)
        g_error("not in the log: %s", prefix);
    char *end = NULL;
    double v = g_ascii_strtod(at + strlen(prefix), &end);
    g_assert_true(end != at + strlen(prefix));
    g_assert_true(g_str_has_prefix(end, " ") && g_str_has_prefix(end + 1, unit));
    return v;
}

/* The time of day (seconds) of the first log line holding `text` (GLib's "HH:MM:SS.mmm: "). */
static double log_time(const char *log, const char *text)
{
    const char *at = strstr(log, text);
    g_assert_nonnull(at);
    const char *line = at;
    while (line > log && line[-1] != '\n')
        line--;
    for (const char *p = line; p < at; p++) {
        int h, m;
        double sec;
        if (sscanf(p, ": %2d:%2d:%lf: ", &h, &m, &sec) == 3)
            return h * 3600.0 + m * 60.0 + sec;
    }
    g_error("no time on the log line of: %s", text);
}

/* Hands-on with the reader held by the kiosk's fingerprint module: the finger step runs through
 * the module (ui/capture.h's check), which prompts on the technician screen when its reader asks
 * for the finger; a synthetic finger placed on the module's virtual reader gives an image whose
 * quality the screen shows. */
static void test_hands_on(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *err = play(fx, OPEN "tap \"With hands-on steps\"\n"
                                         "technician-prompt 120\n"
                                         "expect-text \"Fingerprint reader: place a finger on the "
                                         "reader now\"\n"
                                         "screenshot technician-hands-on-kiosk-finger\n"
                                         /* through the kiosk's own virtual reader */
                                         "finger synthetic:7\n"
                                         "technician-wait 120\n"
                                         "expect-no-text \"place a finger\"\n"
                                         "technician-show fingerprint.capture\n"
                                         "expect-text \"Fingerprint reader: from the kiosk's "
                                         "capture module\"\n"
                                         "expect-text \"fingerprint.capture  an image of \"\n"
                                         "expect-text \"minutiae\"\n"
                                         "expect-text \"fingerprint.open_close  not run here\"\n"
                                         "screenshot technician-hands-on-kiosk-finger-done\n"
                                         "technician-show camera.capture\n"
                                         "expect-text \"camera.capture  Skipped: no camera.\"\n"
                                         "technician-show sigpad.draw\n"
                                         "expect-text \"sigpad.draw  Skipped: no pad.\"\n");
    g_assert_nonnull(strstr(err, "hands-on=yes"));
    g_assert_nonnull(strstr(err, "prompt on screen: Fingerprint reader: place a finger"));
    /* the quality the screen shows, as the log names it: a number from 1 to 100 */
    double quality =
        logged_number(err, "check fingerprint.capture: pass (from the kiosk's module)", "quality");
    g_assert_cmpfloat(quality, >, 0);
    g_test_message("finger through the kiosk's fingerprint module: quality %.0f", quality);
    g_assert_cmpfloat(quality, <=, 100);
    g_autofree char *audit = audit_text(fx);
    g_assert_nonnull(strstr(audit, "hands-on=yes"));
}

static void child_exited(GObject *source, GAsyncResult *res, gpointer data)
{
    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *(gboolean *)data = TRUE;
}

static gboolean file_says(const char *path, const char *text)
{
    g_autofree char *t = NULL;
    return g_file_get_contents(path, &t, NULL, NULL) && strstr(t, text) != NULL;
}

/* Hands-on with the reader free: the prompt shows on screen, a finger is placed on the virtual
 * reader when it asks, and its quality appears. */
static void test_hands_on_finger(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, OPEN "tap \"With hands-on steps\"\n"
                          /* waits until the prompt is drawn; then this test places the finger */
                          "technician-prompt 120\n"
                          "technician-wait 120\n"
                          "expect-no-text \"place a finger\"\n"
                          "technician-show fingerprint.capture\n"
                          "expect-text \"Fingerprint reader: checked directly by the self-test\"\n"
                          "expect-text \"fingerprint.capture  an image of 256x320, quality\"\n"
                          "technician-show fingerprint.open_close\n"
                          "expect-text \"fingerprint.open_close  opened and closed\"\n"
                          "screenshot technician-hands-on-finger\n");
    g_autofree char *err_path = g_build_filename(fx->dir, "kiosk.err", NULL);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", fx->conf, "--now", NOW, "--script", path,
        "--screenshots",          fx->shots,  NULL};
    GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_stderr_file_path(l, err_path);
    GError *error = NULL;
    GSubprocess *child = g_subprocess_launcher_spawnv(l, argv, &error);
    g_assert_no_error(error);
    gboolean done = FALSE;
    g_subprocess_wait_async(child, NULL, child_exited, &done);

    fingerimg *print = NULL;
    g_assert_cmpint(fingersynth_make(7, FINGERSYNTH_WHORL, 256, 320, &print), ==, 0);
    fingerfeed *feed = NULL;
    gint64 deadline = g_get_monotonic_time() + 240 * G_USEC_PER_SEC;
    while (!done && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(20000);
        /* the prompt comes when the reader waits for the finger */
        if (feed == NULL && file_says(err_path, "prompt on screen: Fingerprint reader")) {
            feed = fingerfeed_new(fx->socket);
            g_assert_cmpint(fingerfeed_queue_image(feed, print), ==, 0);
            fingerfeed_finger_needed(feed);
        }
    }
    if (!done)
        g_subprocess_force_exit(child);
    while (!done)
        g_main_context_iteration(NULL, TRUE);
    g_autofree char *err = NULL;
    g_assert_true(g_file_get_contents(err_path, &err, NULL, NULL));
    if (!g_subprocess_get_if_exited(child) || g_subprocess_get_exit_status(child) != 0) {
        g_printerr("%s", err);
        g_error("the script failed (%s %d)", g_subprocess_get_if_exited(child) ? "exit" : "signal",
                g_subprocess_get_if_exited(child) ? g_subprocess_get_exit_status(child)
                                                  : g_subprocess_get_term_sig(child));
    }
    g_assert_nonnull(feed);
    g_assert_nonnull(strstr(err, "prompt on screen: Fingerprint reader: place a finger on the "
                                 "reader now"));
    g_assert_nonnull(strstr(err, "check fingerprint.capture: pass"));
    g_assert_null(strstr(err, "Amira"));
    fingerfeed_free(feed);
    fingerimg_free(print);
    g_object_unref(child);
    g_object_unref(l);
}

/* Leaving while the module's reader waits for the finger ends the wait at once and gives the
 * reader back in order: the next run's finger step through the module passes. */
static void test_hands_on_cancel(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *err = play(fx, OPEN "tap \"With hands-on steps\"\n"
                                         "technician-prompt 120\n"
                                         "tap \"Stop and go back\"\n"
                                         "expect-screen staff-menu\n"
                                         "tap \"Test this kiosk\"\n"
                                         "expect-screen technician\n"
                                         "technician-wait 60\n"
                                         "tap \"With hands-on steps\"\n"
                                         "technician-prompt 120\n"
                                         "finger synthetic:11\n"
                                         "technician-wait 120\n"
                                         "technician-show fingerprint.capture\n"
                                         "expect-text \"fingerprint.capture  an image of \"\n");
    g_assert_nonnull(strstr(err, "check fingerprint.capture: fail (from the kiosk's module)"));
    g_assert_nonnull(strstr(err, "technician's check: finger capture failed (cancelled)"));
    g_assert_nonnull(strstr(err, "check fingerprint.capture: pass (from the kiosk's module)"));
}

/* The emulated PTP/IP camera held by the kiosk's photo module: live view, decoding, the face
 * search and (hands-on) a test photo run on the technician screen through the module, with the
 * camera it has open. */
static void test_hands_on_camera(fixture *fx, gconstpointer data)
{
    (void)data;
    if (fx->cam.pid == 0) {
        g_test_skip("SKIP: PTPIP_CAMERA_BIN or BIOKIOSK_FACES is not set");
        return;
    }
    /* libgphoto2 keeps its PTP/IP host GUID under $HOME: a home of this test's own */
    char **envp = g_get_environ();
    envp = g_environ_setenv(envp, "HOME", fx->dir, TRUE);
    /* after the checks the photo step has its camera as before: live view and analysis */
    g_autofree char *checkin = checkin_lines(fx->code, "Amira Haddad");
    g_autofree char *visit = g_strconcat("tap \"Sign out\"\n", checkin,
                                         "tap \"Start\"\n"
                                         "expect-screen capture-photo\n"
                                         "camera-wait frame 30\n"
                                         "camera-wait analysis 30\n",
                                         NULL);
    g_autofree char *script = g_strconcat(
        OPEN "tap \"Run the checks\"\n"
             "technician-wait 120\n"
             "technician-show camera.capture\n"
             "expect-text \"camera.capture  Only with the hands-on steps.\"\n"
             "expect-text \"camera.face_detection  1 face found in \"\n"
             "tap \"With hands-on steps\"\n"
             /* the emulator may deliver the photo before the prompt is drawn */
             "technician-prompt 120\n"
             "technician-wait 120\n"
             "expect-no-text \"taking a test photo\"\n"
             "technician-show camera.found\n"
             "expect-text \"Camera: from the kiosk's capture module\"\n"
             "expect-text \"camera.found  camera: PTP/IP Camera, serial BKEMU-000001\"\n"
             "technician-show camera.live_view\n"
             "expect-text \"frames per second over 3.0 s\"\n"
             "technician-show camera.frames_decode\n"
             "technician-show camera.face_detection\n"
             "expect-text \"camera.face_detection  1 face found in \"\n"
             "technician-show camera.capture\n"
             "expect-text \"camera.capture  3600x2400 photo, \"\n"
             "expect-text \"taken and downloaded\"\n"
             "screenshot technician-hands-on-camera\n"
             "tap \"Back\"\n"
             "expect-screen staff-menu\n",
        visit, NULL);
    g_autofree char *err = play_env(fx, script, envp);
    g_strfreev(envp);
    g_assert_true(strstr(err, "prompt on screen: Camera: taking a test photo now.") ||
                  strstr(err, "prompt answered before it was drawn: Camera: taking a test photo"));
    double fps =
        logged_number(err, "check camera.live_view: pass (from the kiosk's module)", "fps");
    g_assert_cmpfloat(fps, >, 0);
    g_test_message("live view through the kiosk's photo module: %.1f fps", fps);
    g_test_message("the camera's checks through the module with the test photo: %.2f s",
                   log_time(err, "check camera.capture: pass") -
                       log_time(err, "technician's check: camera (hands-on yes)"));
    /* every frame decodes */
    double share =
        logged_number(err, "check camera.frames_decode: pass (from the kiosk's module)", "share");
    g_assert_cmpfloat(share, ==, 1.0);
    g_assert_nonnull(strstr(err, "check camera.face_detection: pass (from the kiosk's module)"));
    g_assert_nonnull(strstr(err, "check camera.capture: pass (from the kiosk's module)"));
    /* the test photo is not taken for an applicant */
    g_assert_null(strstr(err, "photo processed"));
    g_autofree char *audit = audit_text(fx);
    g_assert_nonnull(strstr(audit, "hands-on=yes"));
}

/* Hands-on with an emulated USB pad (sigpad-gen, the kiosk under umockdev-run): the kiosk opens
 * the pad only at the signature step, so the self-test opens it, prompts on screen, and the
 * pad's replayed strokes make the line. */
static void test_hands_on_pad(fixture *fx, gconstpointer data)
{
    (void)data;
    const char *gen = g_getenv("SIGPAD_GEN"), *run = g_getenv("UMOCKDEV_RUN");
    if (gen == NULL || !*gen || run == NULL || !*run) {
        g_test_skip("SKIP: umockdev-run or sigpad-gen is not available");
        return;
    }
    g_autofree char *pad = g_build_filename(fx->dir, "pad", NULL);
    const char *gen_argv[] = {gen,     "--layout", "hid", "--strokes", g_getenv("SIGPAD_STROKES"),
                              "--out", pad,        NULL};
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)gen_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_autofree char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, OPEN "tap \"With hands-on steps\"\n"
                          /* the emulated pad draws at once: the prompt may be over before it is
                           * drawn */
                          "technician-prompt 120\n"
                          "technician-wait 120\n"
                          "technician-show sigpad.draw\n"
                          "expect-text \"Signature pad: checked directly by the self-test\"\n"
                          "expect-text \"pen points in the line\"\n"
                          "technician-show sigpad.found\n"
                          "expect-text \"layout hid\"\n"
                          "screenshot technician-hands-on-pad\n");
    g_autofree char *device = g_strconcat(pad, ".umockdev", NULL);
    g_autofree char *ioctl = g_strconcat("/dev/bus/usb/001/005=", pad, ".ioctl", NULL);
    const char *argv[] = {
        run,        "--device", device,  "--ioctl", ioctl,      "--", g_getenv("BIOKIOSK_BIN"),
        "--config", fx->conf,   "--now", NOW,       "--script", path, "--screenshots",
        fx->shots,  NULL};
    char *out = NULL, *err = NULL;
    GError *error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
    g_free(out);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_printerr("%s", err);
        g_error("the script failed (status %d)", status);
    }
    g_assert_nonnull(strstr(err, "prompt shown: Signature pad: draw a line on the pad now"));
    g_assert_nonnull(strstr(err, "check sigpad.draw: pass"));
    g_free(err);
}

/* The test pattern fills the screen: bars, ramp, grid, no staff bar; a tap goes back. */
static void test_pattern(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *err = play(fx, OPEN "tap \"Test pattern\"\n"
                                         "expect-text \"1920 x 1080\"\n"
                                         "expect-no-text \"Staff: tech\"\n"
                                         "screenshot technician-pattern\n"
                                         "tap 960 1000\n"
                                         "expect-screen technician\n"
                                         "expect-text \"Test this kiosk\"\n"
                                         "expect-text \"Staff: tech\"\n");
    g_assert_nonnull(strstr(err, "test pattern shown: 1920x1080"));
    shot s;
    shot_load(&s, fx, "technician-pattern");
    g_assert_cmpuint(s.img.width, ==, 1920);
    g_assert_cmpuint(s.img.height, ==, 1080);
    static const int bars[8][3] = {
        {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
        {255, 0, 255},   {255, 0, 0},   {0, 0, 255},   {0, 0, 0},
    };
    for (int i = 0; i < 8; i++)
        assert_rgb(&s, 120 + 240 * i, 200, bars[i][0], bars[i][1], bars[i][2], 0);
    /* the grey ramp (rows 486-647): black at the left, white at the right, mid-grey between */
    assert_rgb(&s, 0, 560, 0, 0, 0, 0);
    assert_rgb(&s, 1919, 560, 255, 255, 255, 0);
    assert_rgb(&s, 960, 560, 127, 127, 127, 1);
    /* the 1-px grid from row 648: white lines every 32 pixels on black, one pixel wide */
    assert_rgb(&s, 64, 700, 255, 255, 255, 0);
    assert_rgb(&s, 65, 700, 0, 0, 0, 0);
    assert_rgb(&s, 63, 700, 0, 0, 0, 0);
    assert_rgb(&s, 100, 648 + 64, 255, 255, 255, 0);
    assert_rgb(&s, 100, 648 + 65, 0, 0, 0, 0);
    /* the bottom-left of the screen is grid, not the staff bar */
    assert_rgb(&s, 10, 1070, 0, 0, 0, 0);
    assert_rgb(&s, 1919, 1000, 255, 255, 255, 0);
    shot_free(&s);
}

/* The touch test: every target turns green; a second run with missed targets fails and names
 * them. */
static void test_touch(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *err = play(fx, OPEN "tap \"Touch test\"\n"
                                         "expect-text \"Touch each square\"\n"
                                         "screenshot technician-touch-start\n"
                                         "tap \"Top left\"\n"
                                         "tap \"Top right\"\n"
                                         "tap \"Centre\"\n"
                                         "tap \"Bottom left\"\n"
                                         "tap \"Bottom right\"\n"
                                         "expect-text \"Every target was touched.\"\n"
                                         "screenshot technician-touch-all\n"
                                         "tap \"End the touch test\"\n"
                                         "expect-screen technician\n"
                                         "expect-text \"display.touch_test  5 of 5 targets "
                                         "touched; taps beside the targets: 0\"\n"
                                         "tap \"Touch test\"\n"
                                         "tap \"Top left\"\n"
                                         "tap 700 300\n"
                                         "tap \"Bottom right\"\n"
                                         "screenshot technician-touch-some\n"
                                         "tap \"End the touch test\"\n"
                                         "expect-text \"missed: Top right, Centre, Bottom "
                                         "left; taps beside the targets: 1\"\n"
                                         "expect-text \"FAIL\"\n"
                                         "tap \"Back\"\n"
                                         "expect-screen staff-menu\n");
    g_assert_nonnull(strstr(err, "touch test ended: touched=5 of 5 strays=0"));
    g_assert_nonnull(strstr(err, "touch test ended: touched=2 of 5 strays=1"));
    static const int centres[5][2] = {{20, 20}, {1900, 20}, {960, 540}, {20, 1060}, {1900, 1060}};
    shot s;
    shot_load(&s, fx, "technician-touch-start");
    for (int i = 0; i < 5; i++) /* not touched yet: not green */
        assert_rgb(&s, centres[i][0], centres[i][1], 255, 255, 255, 0);
    shot_free(&s);
    shot_load(&s, fx, "technician-touch-all");
    for (int i = 0; i < 5; i++)
        assert_rgb(&s, centres[i][0], centres[i][1], 0, 170, 0, 0);
    shot_free(&s);
    shot_load(&s, fx, "technician-touch-some");
    assert_rgb(&s, 20, 20, 0, 170, 0, 0);
    assert_rgb(&s, 1900, 1060, 0, 170, 0, 0);
    assert_rgb(&s, 1900, 20, 255, 255, 255, 0);
    shot_free(&s);
}

/* Desk staff do not get the technician screen, and nobody gets it during a visit. */
static void test_desk_staff(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *script = g_strdup_printf("staff jdevries 123456\n"
                                              "expect-screen staff-menu\n"
                                              "expect-text \"Device status\"\n"
                                              "expect-no-text \"Test this kiosk\"\n"
                                              "tap \"Sign out\"\n"
                                              "staff tech 654321\n"
                                              "expect-text \"Test this kiosk\"\n"
                                              "tap \"Sign out\"\n"
                                              /* an applicant checks in */
                                              "tap \"Start\"\n"
                                              "type %s\n"
                                              "key Return\n"
                                              "expect-screen appointment\n"
                                              "staff tech 654321\n"
                                              "expect-screen staff-menu\n"
                                              /* the visit's menu, and a technician is no desk
                                               * officer (issue 17): no desk action either */
                                              "expect-text \"Close this menu\"\n"
                                              "expect-no-text \"Abort the session\"\n"
                                              "expect-no-text \"Test this kiosk\"\n",
                                              fx->code);
    g_autofree char *err = play(fx, script);
    g_assert_null(strstr(err, "technician screen"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (g_getenv("BIOKIOSK_BIN") == NULL || g_getenv("KIOSK_LOCALE_DIR") == NULL) {
        printf("1..0 # SKIP: BIOKIOSK_BIN and KIOSK_LOCALE_DIR are needed (run through meson)\n");
        return 77;
    }
#define ADD(name, data, fn)                                                                        \
    g_test_add("/ui/technician/" name, fixture, data, fixture_set_up, fn, fixture_tear_down)
    ADD("checks", NULL, test_checks);
    ADD("hands-on", NULL, test_hands_on);
    ADD("hands-on-finger", GINT_TO_POINTER(1), test_hands_on_finger);
    ADD("hands-on-cancel", NULL, test_hands_on_cancel);
    ADD("hands-on-camera", CAMERA, test_hands_on_camera);
    ADD("hands-on-pad", GINT_TO_POINTER(2), test_hands_on_pad);
    ADD("test-pattern", NULL, test_pattern);
    ADD("touch-test", NULL, test_touch);
    ADD("desk-staff", NULL, test_desk_staff);
    return g_test_run();
}
