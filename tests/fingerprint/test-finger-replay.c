/* libfprint's recordings of eight real USB readers, replayed under umockdev-run: the kiosk's
 * driver code opens each emulated reader, captures, and must get exactly the image libfprint
 * made from that traffic (capture.png). The test runs itself as the program under umockdev-run
 * ("--child EXPECTED.png"). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fingerimg.h"
#include "fingerprint.h"

#define CHILD_WAIT_MS 20000

static const char *data_dir;
static const char *self_path;

/* In the child: one capture from the first reader, compared with the expected image. */
static int child(const char *expected_path)
{
    fingerimg *want = NULL;
    if (fingerimg_load(expected_path, &want, NULL) != BK_OK) {
        fprintf(stderr, "cannot read %s\n", expected_path);
        return 3;
    }
    fingerprint_reader *r = NULL;
    if (fingerprint_open(NULL, &r) != BK_OK) {
        fingerimg_free(want);
        return 4;
    }
    int status = 5;
    fingerprint_event ev;
    gboolean capturing = FALSE;
    while (fingerprint_wait(r, &ev, CHILD_WAIT_MS)) {
        fprintf(stderr, "event %s\n", fingerprint_event_str(ev.kind));
        if ((ev.kind == FINGERPRINT_EVENT_READY) && !capturing) {
            capturing = fingerprint_capture(r) == BK_OK;
        } else if (ev.kind == FINGERPRINT_EVENT_IMAGE) {
            gboolean same =
                ev.image->width == want->width && ev.image->height == want->height &&
                memcmp(ev.image->pix, want->pix, (size_t)want->width * want->height) == 0;
            fprintf(stderr, "image %dx%d, expected %dx%d: %s\n", ev.image->width, ev.image->height,
                    want->width, want->height, same ? "identical" : "DIFFERENT");
            status = same ? 0 : 1;
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_READER_REMOVED) {
            fprintf(stderr, "no reader found\n");
            status = 4;
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_ERROR) {
            fprintf(stderr, "error: %s\n", ev.text);
            status = 2;
            fingerprint_event_clear(&ev);
            break;
        }
        fingerprint_event_clear(&ev);
    }
    fingerprint_close(r);
    fingerimg_free(want);
    return status;
}

/* The device node recorded on the first line of capture.ioctl ("@DEV /dev/bus/usb/...") or the
 * sysfs path of the device description's "P:" line for a pcapng recording. */
static char *first_line_value(const char *path, const char *prefix)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        if (g_str_has_prefix(*l, prefix))
            return g_strstrip(g_strdup(*l + strlen(prefix)));
    return NULL;
}

static void test_replay(gconstpointer data)
{
    const char *name = data;
    const char *umockdev = g_getenv("UMOCKDEV_RUN");
    g_autofree char *dir = g_build_filename(data_dir, "recordings", name, NULL);
    g_autofree char *device = g_build_filename(dir, "device", NULL);
    g_autofree char *ioctl = g_build_filename(dir, "capture.ioctl", NULL);
    g_autofree char *pcap = g_build_filename(dir, "capture.pcapng", NULL);
    g_autofree char *expected = g_build_filename(dir, "capture.png", NULL);
    if (!g_file_test(device, G_FILE_TEST_EXISTS) || !g_file_test(expected, G_FILE_TEST_EXISTS)) {
        g_test_skip("recording incomplete");
        return;
    }
    g_autofree char *replay = NULL;
    const char *flag;
    if (g_file_test(ioctl, G_FILE_TEST_EXISTS)) {
        g_autofree char *node = first_line_value(ioctl, "@DEV ");
        g_assert_nonnull(node);
        replay = g_strdup_printf("%s=%s", node, ioctl);
        flag = "-i";
    } else {
        g_autofree char *sys = first_line_value(device, "P: ");
        g_assert_nonnull(sys);
        replay = g_strdup_printf("/sys%s=%s", sys, pcap);
        flag = "-p";
    }
    const char *argv[] = {umockdev, "-d",      device,    flag,     replay,
                          "--",     self_path, "--child", expected, NULL};
    g_auto(GStrv) env = g_get_environ();
    env = g_environ_setenv(env, "FP_DEVICE_EMULATION", "1", TRUE);
    env = g_environ_unsetenv(env, "FP_VIRTUAL_IMAGE");
    /* umockdev-run preloads its library ahead of ASan's */
    const char *asan = g_environ_getenv(env, "ASAN_OPTIONS");
    g_autofree char *asan_opts =
        g_strdup_printf("%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "");
    env = g_environ_setenv(env, "ASAN_OPTIONS", asan_opts, TRUE);
    g_autofree char *out = NULL, *err = NULL;
    int wait_status = 0;
    GError *error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
    /* the child's own lines, without libusb's chatter under emulation */
    g_auto(GStrv) lines = g_strsplit(err, "\n", -1);
    for (char **l = lines; *l; l++)
        if (g_str_has_prefix(*l, "event ") || g_str_has_prefix(*l, "image ") ||
            g_str_has_prefix(*l, "error") || g_str_has_prefix(*l, "no reader") ||
            g_str_has_prefix(*l, "cannot"))
            g_test_message("%s: %s", name, *l);
    g_assert_true(g_spawn_check_wait_status(wait_status, NULL));
    g_assert_nonnull(strstr(err, "identical"));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child(argv[2]);
    g_test_init(&argc, &argv, NULL);
    self_path = argv[0];
    data_dir = g_getenv("BIOKIOSK_FINGER_DATA");
    const char *umockdev = g_getenv("UMOCKDEV_RUN");
    g_autofree char *rec = data_dir ? g_build_filename(data_dir, "recordings", NULL) : NULL;
    if (rec == NULL || !g_file_test(rec, G_FILE_TEST_IS_DIR)) {
        printf("SKIP: no fingerprint recordings (../shared/data/fingerprints/recordings)\n");
        return 77;
    }
    if (umockdev == NULL || *umockdev == '\0') {
        printf("SKIP: umockdev-run is not installed\n");
        return 77;
    }
    static const char *const readers[] = {"aes2501",    "aes3500", "egis0570", "nb1010",
                                          "upektc_img", "vfs301",  "vfs5011",  "vfs7552"};
    for (size_t i = 0; i < G_N_ELEMENTS(readers); i++) {
        g_autofree char *path = g_strdup_printf("/finger-replay/%s", readers[i]);
        g_test_add_data_func(path, readers[i], test_replay);
    }
    return g_test_run();
}
