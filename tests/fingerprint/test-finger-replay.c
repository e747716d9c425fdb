/* libfprint's recordings of eight real USB readers, replayed under umockdev-run: the kiosk's
 * driver code opens each emulated reader, captures, and must get exactly the image libfprint
 * made from that traffic (capture.png) at 500 ppi. libfprint 1.94 reports no resolution for any
 * of them (fp_image_get_ppmm gives 0), so the driver takes the assumed one: 500 ppi by default
 * (the image must then be capture.png byte for byte), and in the case "vfs7552-381ppi" 15 px/mm
 * (381 ppi), which is below 500 ppi: images are never enlarged, so the capture must be refused
 * with an error for staff that says so, and no image. The test runs itself as the program under
 * umockdev-run ("--child EXPECTED.png [ASSUMED-PPMM]").
 *
 * libfprint's minutiae the driver takes over from the capture (fingerprint.h: lfp_features) must
 * be what a detection of the delivered image gives (fp_image_detect_minutiae on it, directions by
 * imaging/fingerlfp.h): the same minutiae, except for the readers whose driver marks its images
 * partial (swipe readers that assemble strips), where libfprint leaves out the minutiae on the
 * print's perimeter: there, a subset of them. */
#include <glib.h>
#include <libfprint-2/fprint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "drivers/fingerprint/fingerprint.h"
#include "imaging/fingerimg.h"
#include "imaging/fingerlfp.h"
#include "imaging/fingerscale.h"

#define CHILD_WAIT_MS 20000

static const char *data_dir;
static const char *self_path;

static void detected(GObject *source, GAsyncResult *res, gpointer data)
{
    *(int *)data = fp_image_detect_minutiae_finish(FP_IMAGE(source), res, NULL) ? 1 : -1;
}

static bool same_minutia(const fingerfeat_minutia *a, const fingerfeat_minutia *b)
{
    return a->x == b->x && a->y == b->y && a->kind == b->kind && fabsf(a->angle - b->angle) < 1e-4f;
}

/* In the child: libfprint's detection of the delivered image (directions as the driver measures
 * them) against the minutiae the driver took over from the capture. Prints "lfp minutiae: N of
 * the capture, M of a detection, K in both" and gives K, or -1 when it could not be measured. */
static int compare_with_detection(const fingerprint_event *ev)
{
    if (ev->lfp != FINGERPRINT_LFP_CAPTURE || ev->lfp_features == NULL || ev->features == NULL) {
        fprintf(stderr, "lfp minutiae: none taken over from the capture (%d)\n", (int)ev->lfp);
        return -1;
    }
    FpImage *img = fp_image_new(ev->image->width, ev->image->height);
    gsize len = 0;
    guchar *data = (guchar *)fp_image_get_data(img, &len);
    memcpy(data, ev->image->pix, MIN(len, (gsize)ev->image->width * ev->image->height));
    int state = 0;
    fp_image_detect_minutiae(img, NULL, detected, &state);
    while (state == 0)
        g_main_context_iteration(NULL, TRUE);
    GPtrArray *m = state > 0 ? fp_image_get_minutiae(img) : NULL;
    const guchar *bin = fp_image_get_binarized(img, NULL);
    fingerfeat *fresh = NULL;
    if (m != NULL && bin != NULL) {
        int *xy = g_new0(int, 2 * (gsize)m->len + 2);
        for (guint i = 0; i < m->len; i++)
            fp_minutia_get_coords(g_ptr_array_index(m, i), &xy[2 * i], &xy[2 * i + 1]);
        if (fingerlfp_features(ev->features, bin, ev->image->width, ev->image->height, xy,
                               (int)m->len, &fresh) != BK_OK)
            fresh = NULL;
        g_free(xy);
    }
    g_object_unref(img);
    if (fresh == NULL) {
        fprintf(stderr, "lfp minutiae: the detection failed\n");
        return -1;
    }
    const fingerfeat *cap = ev->lfp_features;
    int both = 0;
    for (int i = 0; i < cap->n_minutiae; i++)
        for (int j = 0; j < fresh->n_minutiae; j++)
            if (same_minutia(&cap->minutiae[i], &fresh->minutiae[j])) {
                both++;
                break;
            }
    fprintf(stderr, "lfp minutiae: %d of the capture, %d of a detection, %d in both\n",
            cap->n_minutiae, fresh->n_minutiae, both);
    fingerfeat_free(fresh);
    return both;
}

/* In the child: one capture from the first reader, compared with the expected image. */
static int child(const char *expected_path, double assume_ppmm)
{
    fingerimg *raw = NULL, *want = NULL;
    if (fingerimg_load(expected_path, &raw, NULL) != BK_OK) {
        fprintf(stderr, "cannot read %s\n", expected_path);
        return 3;
    }
    double from = assume_ppmm > 0 ? assume_ppmm : FINGERSCALE_PPMM_500;
    bool refuse = fingerscale_below_500(from); /* never upscale: no image, an error */
    if (!refuse && fingerscale_resample(raw, from, FINGERSCALE_PPMM_500, &want) != BK_OK) {
        fprintf(stderr, "cannot resample %s\n", expected_path);
        fingerimg_free(raw);
        return 3;
    }
    fingerimg_free(raw);
    fingerprint_options opt = {.assume_ppmm = assume_ppmm};
    fingerprint_reader *r = NULL;
    if (fingerprint_open(&opt, &r) != BK_OK) {
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
        } else if (ev.kind == FINGERPRINT_EVENT_IMAGE && refuse) {
            fprintf(stderr, "image %dx%d: NOT REFUSED\n", ev.image->width, ev.image->height);
            status = 1;
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_IMAGE) {
            gboolean same =
                ev.image->width == want->width && ev.image->height == want->height &&
                memcmp(ev.image->pix, want->pix, (size_t)want->width * want->height) == 0;
            fprintf(stderr, "image %dx%d, expected %dx%d: %s\n", ev.image->width, ev.image->height,
                    want->width, want->height, same ? "identical" : "DIFFERENT");
            fprintf(stderr, "resolution %s %.3f px/mm, delivered %dx%d\n",
                    ev.ppmm_assumed ? "assumed" : "reported", ev.sensor_ppmm, ev.sensor_width,
                    ev.sensor_height);
            status = same && ev.sensor_ppmm == from && compare_with_detection(&ev) >= 0 ? 0 : 1;
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_READER_REMOVED) {
            fprintf(stderr, "no reader found\n");
            status = 4;
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_ERROR) {
            fprintf(stderr, "error: %s\n", ev.text);
            status = refuse && ev.err == BK_ERR_UNSUPPORTED ? 0 : 2;
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

typedef struct replay_case {
    const char *name;    /* the recording */
    const char *ppmm;    /* the assumed resolution passed to the child, NULL = default */
    int width, height;   /* the image expected at 500 ppi, 0 = as capture.png */
    const char *refusal; /* below 500 ppi: the error text expected instead of an image */
    bool partial;        /* libfprint's driver marks its images partial: the capture's minutiae
                          * are a subset of a detection's (the perimeter left out) */
} replay_case;

/* The child's "lfp minutiae: N of the capture, M of a detection, K in both" line: every one of
 * the capture's minutiae is one of the detection's (K == N), and, but for a partial image, the
 * detection finds no more (N == M). */
static void assert_lfp_minutiae(const char *err, const replay_case *rc)
{
    const char *line = strstr(err, "lfp minutiae: ");
    g_assert_nonnull(line);
    int n = -1, m = -1, k = -1;
    g_assert_cmpint(
        sscanf(line, "lfp minutiae: %d of the capture, %d of a detection, %d in both", &n, &m, &k),
        ==, 3);
    g_assert_cmpint(k, ==, n);
    if (rc->partial)
        g_assert_cmpint(n, <=, m);
    else
        g_assert_cmpint(n, ==, m);
}

static void test_replay(gconstpointer data)
{
    const replay_case *rc = data;
    const char *name = rc->name;
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
    const char *argv[] = {umockdev,  "-d",      device,   flag,     replay, "--",
                          self_path, "--child", expected, rc->ppmm, NULL};
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
            g_str_has_prefix(*l, "resolution") || g_str_has_prefix(*l, "cannot") ||
            g_str_has_prefix(*l, "lfp minutiae"))
            g_test_message("%s: %s", name, *l);
    g_assert_true(g_spawn_check_wait_status(wait_status, NULL));
    if (rc->refusal != NULL) {
        g_assert_nonnull(strstr(err, rc->refusal));
        g_assert_null(strstr(err, "image "));
        return;
    }
    g_assert_nonnull(strstr(err, "identical"));
    if (rc->width > 0) {
        g_autofree char *size = g_strdup_printf("image %dx%d, expected %dx%d", rc->width,
                                                rc->height, rc->width, rc->height);
        g_assert_nonnull(strstr(err, size));
    }
    assert_lfp_minutiae(err, rc);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--child") == 0)
        return child(argv[2], argc > 3 ? g_ascii_strtod(argv[3], NULL) : 0.0);
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
    /* the swipe readers whose libfprint driver marks its images partial */
    static const char *const partial[] = {"aes2501", "egis0570", "upektc_img", NULL};
    static replay_case cases[G_N_ELEMENTS(readers)];
    for (size_t i = 0; i < G_N_ELEMENTS(readers); i++) {
        bool p = g_strv_contains((const char *const *)partial, readers[i]);
        cases[i] = (replay_case){readers[i], NULL, 0, 0, NULL, p};
        g_autofree char *path = g_strdup_printf("/finger-replay/%s", readers[i]);
        g_test_add_data_func(path, &cases[i], test_replay);
    }
    /* 381 ppi: refused, never enlarged to 500 ppi */
    static const replay_case scaled = {
        "vfs7552",
        "15.0",
        0,
        0,
        "error: This fingerprint reader gives 381 ppi (assumed), below the 500 ppi the standard "
        "requires; images are never enlarged.",
        false};
    g_test_add_data_func("/finger-replay/vfs7552-381ppi", &scaled, test_replay);
    return g_test_run();
}
