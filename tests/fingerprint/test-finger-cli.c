/* `biokiosk finger check` and `biokiosk finger compare` as scripts see them. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/fingerimg.h"

static char *tmp_dir;

typedef struct run {
    int status;
    char *out;
    char *err;
} run;

static run run_cmd(const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new();
    for (const char *const *a = args; *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    run r = {0};
    int ws = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                      &ws, &error))
        g_error("spawn %s: %s", args[0], error->message);
    g_assert_true(WIFEXITED(ws));
    r.status = WEXITSTATUS(ws);
    g_ptr_array_free(argv, TRUE);
    return r;
}

static void run_clear(run *r)
{
    g_free(r->out);
    g_free(r->err);
}

static char *synth(const char *name, const char *seed, const char *pattern, const char *extra,
                   const char *n)
{
    char *path = g_build_filename(tmp_dir, name, NULL);
    const char *args[] = {g_getenv("FINGERSYNTH_BIN"), seed, pattern, path, extra, n, NULL};
    run r = run_cmd(args);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    return path;
}

static JsonObject *parse(const char *text, JsonParser *parser)
{
    g_assert_true(json_parser_load_from_data(parser, text, -1, NULL));
    return json_node_get_object(json_parser_get_root(parser));
}

static void test_check_and_compare(void)
{
    const char *bin = g_getenv("BIOKIOSK_BIN");
    g_autofree char *a = synth("a.png", "31", "whorl", NULL, NULL);
    g_autofree char *a2 = synth("a2.png", "31", "whorl", "again", "4");
    g_autofree char *b = synth("b.png", "32", "left-loop", NULL, NULL);

    const char *check[] = {bin, "finger", "check", a, NULL};
    run r = run_cmd(check);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    JsonParser *parser = json_parser_new();
    JsonObject *o = parse(r.out, parser);
    g_assert_cmpint(json_object_get_int_member(o, "width"), ==, 256);
    g_assert_cmpint(json_object_get_int_member(o, "height"), ==, 320);
    /* kept at every default threshold (30 at most) */
    g_assert_cmpint(json_object_get_int_member(o, "quality"), >=, 35);
    g_assert_cmpint(json_object_get_int_member(o, "minutiae"), >, 10);
    double fg = json_object_get_double_member(o, "foreground");
    g_assert_cmpfloat(fg, >, 0.3);
    g_assert_cmpfloat(fg, <=, 1.0);
    g_object_unref(parser);
    run_clear(&r);

    const char *same[] = {bin, "finger", "compare", a, a2, NULL};
    r = run_cmd(same);
    g_assert_cmpint(r.status, ==, 0);
    parser = json_parser_new();
    o = parse(r.out, parser);
    g_assert_true(json_object_get_boolean_member(o, "same_finger"));
    g_assert_cmpint(json_object_get_int_member(o, "score"), >=, 30);
    g_object_unref(parser);
    run_clear(&r);

    const char *other[] = {bin, "finger", "compare", a, b, NULL};
    r = run_cmd(other);
    g_assert_cmpint(r.status, ==, 0);
    parser = json_parser_new();
    o = parse(r.out, parser);
    g_assert_false(json_object_get_boolean_member(o, "same_finger"));
    g_object_unref(parser);
    run_clear(&r);
}

static void test_bad_input(void)
{
    const char *bin = g_getenv("BIOKIOSK_BIN");
    g_autofree char *empty = g_build_filename(tmp_dir, "empty.png", NULL);
    g_autofree char *big = g_build_filename(tmp_dir, "big.pgm", NULL);
    g_autofree char *text = g_build_filename(tmp_dir, "text.png", NULL);
    g_autofree char *absent = g_build_filename(tmp_dir, "absent.png", NULL);
    g_assert_true(g_file_set_contents(empty, "", 0, NULL));
    g_assert_true(g_file_set_contents(big, "P5 5001 2 255\n", -1, NULL));
    g_assert_true(g_file_set_contents(text, "not an image at all", -1, NULL));
    /* a 2 x 2 grey PNG of 16 bits per sample: refused, not gamma-converted by libpng */
    static const char png16[] =
        "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02"
        "\x00\x00\x00\x02\x10\x00\x00\x00\x00\x07\x4d\x8e\xbb\x00\x00\x00\x10\x49\x44\x41"
        "\x54\x78\x9c\x63\x10\x32\x59\x7d\x96\x01\x44\x00\x00\x0e\xce\x03\x7d\xee\xaf\x71"
        "\x65\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";
    g_autofree char *deep = g_build_filename(tmp_dir, "grey16.png", NULL);
    g_assert_true(g_file_set_contents(deep, png16, sizeof png16 - 1, NULL));
    const char *args16[] = {bin, "finger", "check", deep, NULL};
    run r16 = run_cmd(args16);
    g_assert_cmpint(r16.status, ==, 2);
    g_assert_cmpstr(r16.out, ==, "");
    g_assert_nonnull(strstr(r16.err, "16-bit image: only 8-bit grey fingerprint images are read"));
    run_clear(&r16);
    const char *files[] = {empty, big, text, absent, deep};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        const char *args[] = {bin, "finger", "check", files[i], NULL};
        run r = run_cmd(args);
        g_assert_cmpint(r.status, ==, 2);
        g_assert_cmpstr(r.out, ==, "");
        g_assert_true(g_str_has_prefix(r.err, "biokiosk finger: "));
        g_assert_nonnull(strchr(r.err, '\n'));
        g_assert_cmpstr(strchr(r.err, '\n'), ==, "\n"); /* exactly one line */
        run_clear(&r);
    }
    /* the configuration refuses an assumed resolution below 500 ppi (never upscale) */
    g_autofree char *conf = g_build_filename(tmp_dir, "kiosk.conf", NULL);
    static const char *const ppi[] = {"381", "499", "500", "1000"};
    for (size_t i = 0; i < G_N_ELEMENTS(ppi); i++) {
        g_autofree char *body = g_strdup_printf(
            "[kiosk]\ndesk = X\nid = X-1\n[fingerprint]\nassume_ppi = %s\n", ppi[i]);
        g_assert_true(g_file_set_contents(conf, body, -1, NULL));
        const char *args[] = {bin, "config", "check", "--config", conf, NULL};
        run r = run_cmd(args);
        gboolean low = atoi(ppi[i]) < 500;
        g_assert_cmpint(r.status, ==, low ? 1 : 0);
        if (low)
            g_assert_nonnull(strstr(r.err, "assume_ppi: "));
        run_clear(&r);
    }
    g_unlink(conf);
    const char *usage[][6] = {
        {bin, "finger", NULL},
        {bin, "finger", "check", NULL},
        {bin, "finger", "compare", empty, NULL},
        {bin, "finger", "frobnicate", empty, NULL},
        {bin, "finger", "compare", "--threshold", "101", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(usage); i++) {
        run r = run_cmd(usage[i]);
        g_assert_cmpint(r.status, ==, 2);
        g_assert_cmpstr(r.out, ==, "");
        run_clear(&r);
    }
}

static void test_readers(void)
{
    const char *bin = g_getenv("BIOKIOSK_BIN");
    g_autofree char *sock = g_build_filename(tmp_dir, "virtual.socket", NULL);
    g_setenv("FP_VIRTUAL_IMAGE", sock, TRUE);
    const char *args[] = {bin, "finger", "readers", NULL};
    run r = run_cmd(args);
    g_unsetenv("FP_VIRTUAL_IMAGE");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"virtual_image: "));
    run_clear(&r);
}

/* A recorded real reader (vfs7552) replayed under umockdev: `finger capture` writes exactly the
 * image libfprint made from that traffic. */
static void test_capture_replay(void)
{
    const char *data = g_getenv("BIOKIOSK_FINGER_DATA");
    const char *umockdev = g_getenv("UMOCKDEV_RUN");
    g_autofree char *dir =
        data ? g_build_filename(data, "recordings", "vfs7552", NULL) : g_strdup("absent");
    g_autofree char *device = g_build_filename(dir, "device", NULL);
    g_autofree char *ioctl = g_build_filename(dir, "capture.ioctl", NULL);
    g_autofree char *expected = g_build_filename(dir, "capture.png", NULL);
    if (umockdev == NULL || *umockdev == '\0' || !g_file_test(ioctl, G_FILE_TEST_EXISTS)) {
        g_test_skip("no umockdev-run or no ../shared recording");
        return;
    }
    g_autofree char *out = g_build_filename(tmp_dir, "captured.png", NULL);
    g_autofree char *replay = g_strdup_printf("/dev/bus/usb/001/003=%s", ioctl);
    g_setenv("FP_DEVICE_EMULATION", "1", TRUE);
    const char *asan = g_getenv("ASAN_OPTIONS");
    g_autofree char *asan_saved = g_strdup(asan);
    g_autofree char *asan_opts =
        g_strdup_printf("%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "");
    g_setenv("ASAN_OPTIONS", asan_opts, TRUE);
    const char *args[] = {umockdev, "-d",      device, "-i", replay, "--", g_getenv("BIOKIOSK_BIN"),
                          "finger", "capture", out,    NULL};
    run r = run_cmd(args);
    /* the same reader taken as 381 ppi (libfprint reports no resolution): refused */
    g_autofree char *out381 = g_build_filename(tmp_dir, "captured-381.png", NULL);
    const char *args381[] = {
        umockdev, "-d",      device,  "-i",  replay, "--", g_getenv("BIOKIOSK_BIN"),
        "finger", "capture", "--ppi", "381", out381, NULL};
    run r381 = run_cmd(args381);
    g_unsetenv("FP_DEVICE_EMULATION");
    if (asan_saved != NULL)
        g_setenv("ASAN_OPTIONS", asan_saved, TRUE);
    else
        g_unsetenv("ASAN_OPTIONS");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "{\"width\":224,\"height\":224,"));
    g_assert_nonnull(strstr(r.out, "\"sensor_width\":224,\"sensor_height\":224,"
                                   "\"sensor_ppi\":500,\"ppi_assumed\":true}"));
    run_clear(&r);
    /* never upscale: a reader below 500 ppi is refused with a message for the technician */
    g_assert_cmpint(r381.status, ==, 3);
    g_assert_cmpstr(r381.out, ==, "");
    g_assert_nonnull(strstr(r381.err, "381 ppi (assumed), below the 500 ppi the standard "
                                      "requires; images are never enlarged"));
    g_assert_false(g_file_test(out381, G_FILE_TEST_EXISTS));
    run_clear(&r381);
    const char *cmp[] = {g_getenv("BIOKIOSK_BIN"), "finger", "compare", out, expected, NULL};
    r = run_cmd(cmp);
    g_assert_cmpstr(r.out, ==, "{\"score\":100,\"same_finger\":true}\n");
    run_clear(&r);
    /* pixel for pixel */
    fingerimg *got = NULL, *want = NULL;
    g_assert_cmpint(fingerimg_load(out, &got, NULL), ==, BK_OK);
    g_assert_cmpint(fingerimg_load(expected, &want, NULL), ==, BK_OK);
    g_assert_cmpmem(got->pix, (size_t)got->width * got->height, want->pix,
                    (size_t)want->width * want->height);
    fingerimg_free(got);
    fingerimg_free(want);
    g_unlink(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmp_dir = g_dir_make_tmp("biokiosk-fingercli-XXXXXX", NULL);
    g_test_add_func("/finger-cli/check-and-compare", test_check_and_compare);
    g_test_add_func("/finger-cli/bad-input", test_bad_input);
    g_test_add_func("/finger-cli/readers", test_readers);
    g_test_add_func("/finger-cli/capture-replay", test_capture_replay);
    int status = g_test_run();
    const char *names[] = {"a.png",   "a2.png",   "b.png",         "empty.png",
                           "big.pgm", "text.png", "virtual.socket"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_build_filename(tmp_dir, names[i], NULL);
        g_unlink(p);
    }
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return status;
}
