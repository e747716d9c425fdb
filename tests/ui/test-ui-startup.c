/* A visit that reaches the photo while the kiosk, just started, still loads its face models
 * (issue 18: the landmark model is loaded once at start on the photo service's worker; the
 * welcome screen does not wait for it, and a photo step that comes up before it is loaded waits
 * for it with the screen alive and says so).
 *
 * The real kiosk (`biokiosk --script`, offscreen) on the emulated PTP/IP camera, with its
 * `[photo] landmark_model` pointed at a named pipe: the service's worker blocks in opening it
 * from the kiosk's start until this test opens it for writing, so "still loading" lasts exactly
 * as long as the test wants, whatever the machine's speed. The script checks the photo step
 * while loading (live view running, the message, no photo button), prints a `memory` line,
 * then waits for the models; on that line the test opens and closes the pipe. dlib cannot read
 * a model from a pipe (it seeks back after the header), so the load ends as a model that does
 * not load: the kiosk says so in its log and goes on without the landmark checks, as it does
 * for a missing model file. What is tested is the wait and its end; the real model's load is
 * every other photo test's.
 *
 * Environment: BIOKIOSK_BIN, KIOSK_LOCALE_DIR, PTPIP_CAMERA_BIN, BIOKIOSK_FACES,
 * BIOKIOSK_CASCADES; skipped without the portraits or the cascades.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "core/apptcode.h"
#include "recordconf.h"
#include "uitest.h"
#include "uicamera.h"

#define NOW       "2026-11-23T09:20:00+01:00"
#define DESK      "DEN-HAAG"
#define PORTRAIT  "frontal/frl_london_001_03.jpg"
#define PREPARING "One moment: the camera's checks are getting ready."

/* Ends the worker's wait on the named pipe: opened for writing and closed, so the worker reads
 * an empty model. Non-blocking: a kiosk that never opened the pipe (a failed start) is left
 * alone. */
static bool release_models(const char *pipe)
{
    int fd = open(pipe, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        g_test_message("the model pipe has no reader: %s", g_strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

static void test_photo_before_models(void)
{
    const char *missing = uicamera_missing(PORTRAIT);
    if (missing != NULL) {
        g_test_skip(missing);
        return;
    }
    g_autofree char *dir = g_dir_make_tmp("biokiosk-ui-startup-XXXXXX", NULL);
    g_assert_nonnull(dir);
    char code[APPTCODE_FORMATTED_LEN + 1];
    uitest_code((const unsigned char[APPTCODE_RANDOM_BYTES]){0x31, 0x7a, 0x05, 0xc4, 0x19}, code);
    g_autofree char *db = g_build_filename(dir, "appointments.db", NULL);
    g_autofree char *uri = g_strconcat("sqlite:", db, NULL);
    g_autofree char *appt = uitest_appointment(code, DESK, 20, UITEST_AMIRA);
    g_autofree char *json = g_strdup_printf("{\"appointments\": [%s]}", appt);
    fill_store(uri, json, FALSE);

    g_autofree char *fifo = g_build_filename(dir, "camera-control", NULL);
    g_autofree char *model_pipe = g_build_filename(dir, "landmarks.pipe", NULL);
    g_assert_cmpint(mkfifo(model_pipe, 0600), ==, 0);
    g_autofree char *portrait = uicamera_portrait(dir, PORTRAIT);
    uicamera cam;
    uicamera_start(&cam, portrait, fifo);
    g_autofree char *kiosk = kiosk_lines(DESK, uri);
    g_autofree char *record = recordconf_lines(dir);
    g_autofree char *camera = uicamera_conf_lines(&cam, fifo);
    g_autofree char *conf_text =
        g_strconcat(kiosk, record, camera, "[photo]\nlandmark_model = ", model_pipe, "\n", NULL);
    g_autofree char *conf = g_build_filename(dir, "kiosk.conf", NULL);
    write_file(conf, conf_text);

    g_autofree char *checkin = checkin_lines(code, "Amira Haddad");
    g_autofree char *script_text =
        g_strconcat(checkin,
                    "tap \"Start\"\n"
                    "expect-screen capture-photo\n"
                    "camera-wait ready 60\n"
                    "camera-wait frame 60\n"
                    /* live view runs while the models load: new frames keep coming */
                    "camera-wait frame 60\n"
                    "expect-text \"" PREPARING "\"\n"
                    "expect-no-text \"Take the photo\"\n"
                    "screenshot photo-preparing\n"
                    "memory\n" /* the test now writes the model */
                    "camera-wait models 60\n"
                    "camera-wait analysis 120\n"
                    "expect-no-text \"" PREPARING "\"\n"
                    "camera-mark\n"
                    "tap \"Take the photo\"\n"
                    "wait 3000\n"
                    "camera-wait result 120\n"
                    "expect-text \"This photo meets the rules.\"\n"
                    /* the model did not load: the screen says what went unchecked */
                    "expect-text \"the face landmark model is not loaded\"\n",
                    NULL);
    g_autofree char *script = g_build_filename(dir, "script.txt", NULL);
    write_file(script, script_text);

    /* stdout and stderr on one pipe: the `memory` line, or the line of a script that failed
     * (the kiosk then ends, and its worker must get the end of the pipe to let it) */
    int fds[2];
    g_assert_true(g_unix_open_pipe(fds, FD_CLOEXEC, NULL));
    g_autofree char *shots = uitest_shots_dir(dir);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", conf, "--now", NOW, "--script", script,
        "--screenshots",          shots,      NULL};
    char **envp = g_get_environ();
    envp = g_environ_setenv(envp, "HOME", dir, TRUE); /* libgphoto2's PTP/IP host id */
    /* libgphoto2 unloads its drivers before exit, so LeakSanitizer cannot name (nor suppress)
     * what they keep: leaks are not checked in this kiosk process (as in ui-photo) */
    const char *asan = g_getenv("ASAN_OPTIONS");
    if (asan) {
        g_autofree char *a = g_strconcat(asan, asan[0] ? ":" : "", "detect_leaks=0", NULL);
        envp = g_environ_setenv(envp, "ASAN_OPTIONS", a, TRUE);
    }
    GPid pid;
    GError *error = NULL;
    gboolean spawned = g_spawn_async_with_pipes_and_fds(
        NULL, argv, (const char *const *)envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, fds[1],
        fds[1], NULL, NULL, 0, &pid, NULL, NULL, NULL, &error);
    g_strfreev(envp);
    close(fds[1]);
    g_assert_no_error(error);
    g_assert_true(spawned);
    FILE *out = fdopen(fds[0], "r");
    GString *log = g_string_new(NULL);
    bool marker = false, released = false;
    char line[1024];
    while (fgets(line, sizeof line, out) != NULL) {
        g_string_append(log, line);
        bool failed = g_str_has_prefix(line, "biokiosk: ");
        if (g_str_has_prefix(line, "memory: ") && !released)
            marker = true;
        if ((marker || failed) && !released)
            released = release_models(model_pipe);
    }
    fclose(out);
    int status = 0;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    uicamera_stop(&cam);
    if (!g_spawn_check_wait_status(status, NULL))
        g_printerr("%s", log->str);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_true(marker);
    g_assert_true(released);
    /* the wait ended as the pipe's end: no model, said once in the log, the photo taken */
    g_assert_nonnull(strstr(log->str, "mouth, eyes, yaw, pitch and light are not checked"));
    g_assert_null(strstr(log->str, "photo: face landmark model loaded in"));
    g_assert_nonnull(strstr(log->str, "photo attempt 1 of 3: compliant=yes"));
    g_string_free(log, TRUE);
    remove_tree(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ui/startup/photo-before-models", test_photo_before_models);
    return g_test_run();
}
