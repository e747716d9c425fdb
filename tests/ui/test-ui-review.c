/* The review screen, the named progress line and the appointment's "nothing needs to be taken"
 * in the real kiosk (biokiosk --script, offscreen), at 1920x1080 and 1280x800: a family visit
 * where Amira Haddad gives a photo (the emulated PTP/IP camera), two prints (libfprint's virtual
 * reader fed by the finger hooks) and a signature (by touch), and Mateo Alvarez, whose photo,
 * prints and signature on file are all used again. The review must draw Amira's photo at least
 * 30 % of the screen high, both prints with their finger names and quality, the signature, the
 * officer's redo buttons naming her, and Mateo's page with why nothing was taken; every text
 * must fit, in English and in Arabic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/apptcode.h"
#include "uitest.h"
#include "uicamera.h"
#include "recordconf.h"

#define NOW      "2026-11-23T09:20:00+01:00"
#define DESK     "DEN-HAAG"
#define PORTRAIT "frontal/frl_london_001_03.jpg"

typedef struct fixture {
    char *dir, *conf, *uri, *fifo;
    char code[APPTCODE_FORMATTED_LEN + 1];
    uicamera cam;
} fixture;

static void fixture_set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    fx->dir = g_dir_make_tmp("bk-review-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
    fx->fifo = g_build_filename(fx->dir, "camera-control", NULL);
    fx->cam.fifo_fd = -1;
    uitest_code((const unsigned char[APPTCODE_RANDOM_BYTES]){4, 18, 7, 33, 5}, fx->code);
    g_autofree char *db = g_build_filename(fx->dir, "a.db", NULL);
    fx->uri = g_strconcat("sqlite:", db, NULL);
    g_autofree char *appt = uitest_appointment(
        fx->code, DESK, 30,
        UITEST_AMIRA
        ","
        "{\"v_number\": \"3082294201\", \"name\": \"Mateo Alvarez\", \"birth_date\": "
        "\"1985-06-01\", \"category\": \"third-country\", \"applied\": \"2026-11-02\", "
        "\"born_in_nl\": false, \"previous\": {\"photo\": \"2026-09-24\", "
        "\"fingerprints\": \"2025-01-01\", \"signature\": \"2025-01-01\"}}");
    g_autofree char *json = g_strdup_printf("{\"appointments\": [%s]}", appt);
    fill_store(fx->uri, json, FALSE);

    g_autofree char *portrait = uicamera_portrait(fx->dir, PORTRAIT);
    uicamera_start(&fx->cam, portrait, fx->fifo);
    g_autofree char *record = recordconf_lines(fx->dir);
    g_autofree char *kiosk = kiosk_lines(DESK, fx->uri);
    g_autofree char *camera = uicamera_conf_lines(&fx->cam, fx->fifo);
    g_autofree char *finger = g_strdup_printf("[fingerprint]\n"
                                              "enabled = true\n"
                                              "virtual_socket = %s/vi.sock\n",
                                              fx->dir);
    fx->conf = g_build_filename(fx->dir, "kiosk.conf", NULL);
    g_autofree char *conf = g_strconcat(kiosk, record, camera, finger, NULL);
    write_file(fx->conf, conf);
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    uicamera_stop(&fx->cam);
    if (!g_getenv("KEEP_DIR"))
        remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->conf);
    g_free(fx->uri);
    g_free(fx->fifo);
}

/* The whole visit, with screenshots named review-*-TAG. Its camera-waits are deadlines, not
 * timings (real time, the kiosk's clock stands): the face models load on the service's thread
 * when the kiosk starts, and the models and each analysis took minutes under ASan on a loaded
 * machine; no analysis comes before the models. */
static char *visit_script(const fixture *fx, const char *tag)
{
    GString *s = g_string_new("");
    g_string_append_printf(s,
                           "tap \"Start\"\n"
                           "type %s\n"
                           "key Return\n"
                           "expect-screen appointment\n"
                           "expect-text \"Nothing needs to be taken from you today\"\n"
                           "expect-fits\n"
                           "screenshot review-appointment-%s\n"
                           "tap \"Continue\"\n"
                           "expect-screen documents\n"
                           "expect-text \"Documents\"\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n"
                           "tap \"Amira Haddad\"\n"
                           "tap \"Mateo Alvarez\"\n"
                           "tap \"Continue\"\n"
                           "expect-screen person\n"
                           "expect-text \"Person 1 of 2\"\n"
                           "tap \"Start\"\n"
                           /* the photo */
                           "expect-screen capture-photo\n"
                           "camera-wait models 300\n"
                           "camera-wait ready 120\n"
                           "camera-wait frame 120\n"
                           "camera-wait analysis 300\n"
                           "camera-mark\n"
                           "tap \"Take the photo\"\n"
                           "wait 3000\n"
                           "camera-wait result 300\n"
                           "expect-text \"This photo meets the rules.\"\n"
                           "tap \"Use this photo\"\n"
                           /* the prints, with the progress line named: the code and documents
                            * ticked, whose turn it is, the current step */
                           "expect-screen capture-finger\n"
                           "expect-text \"Code\"\n"
                           "expect-text \"Amira\"\n"
                           "expect-text \"Fingerprints\"\n"
                           "expect-text \"Signature\"\n"
                           "expect-text \"Review\"\n"
                           "expect-fits\n"
                           "screenshot review-progress-%s\n"
                           "tap \"Start the fingerprints\"\n"
                           "expect-text \"Right index finger\"\n"
                           "finger synthetic:11\n"
                           "expect-text \"kept\"\n"
                           "tap \"Continue\"\n"
                           "expect-text \"Left index finger\"\n"
                           "finger synthetic:12\n"
                           "tap \"Continue\"\n"
                           "expect-text \"These prints are kept\"\n"
                           "tap \"Accept the fingerprints\"\n"
                           /* the signature, by touch */
                           "expect-screen capture-signature\n"
                           "stroke",
                           fx->code, tag, tag);
    for (int k = 0; k < 40; k++)
        g_string_append_printf(s, " %d,%d", 60 + 11 * k, 90 + (k * 37) % 60);
    g_string_append_printf(
        s,
        "\ntap \"Accept\"\n"
        /* Mateo: nothing is taken */
        "expect-screen person\n"
        "expect-text \"Person 2 of 2\"\n"
        "expect-text \"Nothing needs to be taken from you today\"\n"
        "tap \"Continue\"\n"
        /* the review of Amira: photo >= 30 %% of the height, 2 prints, the signature */
        "expect-screen review\n"
        "expect-review-pictures 30 2 1\n"
        "expect-text \"Right index finger\"\n"
        "expect-text \"Left index finger\"\n"
        "expect-text \"Quality \"\n"
        "expect-text \"Take Amira's photo again\"\n"
        "expect-text \"Take Amira's fingerprints again\"\n"
        "expect-text \"Take Amira's signature again\"\n"
        "expect-fits\n"
        "screenshot review-amira-%s\n"
        "language ar\n"
        "expect-review-pictures 30 2 1\n"
        "expect-fits\n"
        "screenshot review-amira-ar-%s\n"
        "language en\n"
        /* Mateo's page: nothing drawn, and why */
        "tap \"Mateo Alvarez\"\n"
        "expect-review-pictures 0 0 0\n"
        "expect-text \"used again from before\"\n"
        "expect-no-text \"Take Mateo\"\n"
        "expect-fits\n"
        "screenshot review-mateo-%s\n"
        "tap \"Amira Haddad\"\n"
        "expect-review-pictures 30 2 1\n"
        "tap \"Finish\"\n"
        "expect-screen done\n",
        tag, tag, tag);
    return g_string_free(s, FALSE);
}

/* The kiosk's environment. Under LeakSanitizer, full stacks (fast_unwind_on_malloc=0): the
 * fast unwinder stops in system libraries built without frame pointers, so what libgphoto2's
 * drivers keep until exit would show only frames of the unloaded drivers ("<unknown module>"),
 * which no suppression can name; the full stack reaches the libgphoto2 function that loaded
 * them, which lsan.supp names. Transfer full. */
static char **kiosk_env(void)
{
    char **envp = g_get_environ();
    const char *lsan = g_getenv("LSAN_OPTIONS");
    if (lsan != NULL) {
        g_autofree char *l = g_strconcat(lsan, lsan[0] ? ":" : "", "fast_unwind_on_malloc=0", NULL);
        envp = g_environ_setenv(envp, "LSAN_OPTIONS", l, TRUE);
    }
    return envp;
}

static void run_visit(fixture *fx, const char *size)
{
    g_autofree char *script = visit_script(fx, size);
    g_autofree char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, script);
    g_autofree char *shots = uitest_shots_dir(fx->dir);
    const char *argv[] = {g_getenv("BIOKIOSK_BIN"),
                          "--config",
                          fx->conf,
                          "--now",
                          NOW,
                          "--size",
                          size,
                          "--script",
                          path,
                          "--screenshots",
                          shots,
                          NULL};
    int status = 0;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    char **envp = kiosk_env();
    g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
    g_strfreev(envp);
    if (!g_spawn_check_wait_status(status, NULL))
        g_printerr("stderr: %s\nstdout: %s\n", err, out);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    /* the rectangles the review reported, for the log */
    for (char *line = strstr(out, "review: "); line != NULL; line = strstr(line + 1, "review: ")) {
        char *end = strchr(line, '\n');
        g_test_message("%.*s", end ? (int)(end - line) : (int)strlen(line), line);
    }
    g_assert_nonnull(strstr(out, "review: person 2"));
}

static void test_full_hd(fixture *fx, gconstpointer data)
{
    (void)data;
    run_visit(fx, "1920x1080");
}

static void test_small(fixture *fx, gconstpointer data)
{
    (void)data;
    run_visit(fx, "1280x800");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *missing = uicamera_missing(PORTRAIT);
    if (missing != NULL) {
        printf("SKIP: %s\n", missing);
        return 77;
    }
    g_test_add("/ui-review/1920x1080", fixture, NULL, fixture_set_up, test_full_hd,
               fixture_tear_down);
    g_test_add("/ui-review/1280x800", fixture, NULL, fixture_set_up, test_small, fixture_tear_down);
    return g_test_run();
}
