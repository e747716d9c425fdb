/* biokiosk signature render, as scripts see it: the image it writes, and one line on stderr
 * with exit status 2 for every bad input. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <png.h>

typedef struct run {
    int status;
    char *out;
    char *err;
} run;

static run biokiosk(const char *a, const char *b, const char *c, const char *d)
{
    const char *argv[] = {g_getenv("BIOKIOSK_BIN"), "signature", a, b, c, d, NULL};
    g_assert_nonnull(argv[0]);
    run r = {0};
    int wait_status = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                      &wait_status, &error))
        g_error("spawn: %s", error->message);
    g_assert_true(WIFEXITED(wait_status));
    r.status = WEXITSTATUS(wait_status);
    return r;
}

static char *dir;

static char *write_points(const char *name, const char *json)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, json, -1, NULL));
    return path;
}

static void test_render(void)
{
    GString *json = g_string_new("{\"device\": {\"kind\": \"stu\", \"width_mm\": 96, "
                                 "\"height_mm\": 60, \"counts_per_mm\": 100}, \"strokes\": [[");
    for (int i = 0; i < 40; i++)
        g_string_append_printf(json,
                               "%s{\"x_mm\": %d.5, \"y_mm\": %d, \"pressure\": 0.5, "
                               "\"t_ms\": %d}",
                               i ? ", " : "", 10 + i, 20 + (i % 7), i * 5);
    g_string_append(json, "], [{\"x_mm\": 30, \"y_mm\": 40}, {\"x_mm\": 70, \"y_mm\": 35}]]}");
    g_autofree char *points = write_points("points.json", json->str);
    g_string_free(json, TRUE);
    g_autofree char *png = g_build_filename(dir, "sig.png", NULL);

    run r = biokiosk("render", points, png, NULL);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(r.status, ==, 0);
    JsonParser *p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, r.out, -1, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    g_assert_cmpint(json_object_get_int_member(o, "strokes"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(o, "points"), ==, 42);
    gint64 w = json_object_get_int_member(o, "width");
    gint64 h = json_object_get_int_member(o, "height");
    /* fitted to the 600 x 200 box: one side touches it */
    g_assert_cmpint(w, <=, 600);
    g_assert_cmpint(h, <=, 200);
    g_assert_true(w == 600 || h == 200);
    g_object_unref(p);

    png_image img = {.version = PNG_IMAGE_VERSION};
    g_assert_true(png_image_begin_read_from_file(&img, png));
    g_assert_cmpint(img.width, ==, w);
    g_assert_cmpint(img.height, ==, h);
    g_assert_cmpuint(img.format, ==, PNG_FORMAT_GRAY);
    png_image_free(&img);
    g_free(r.out);
    g_free(r.err);

    /* a smaller box */
    r = biokiosk("render", "--width=300", points, png);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"width\":300,"));
    g_free(r.out);
    g_free(r.err);
    g_unlink(png);
}

static void expect_bad(const char *json, const char *why)
{
    g_autofree char *points = write_points("bad.json", json);
    g_autofree char *png = g_build_filename(dir, "bad.png", NULL);
    run r = biokiosk("render", points, png, NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_true(g_str_has_prefix(r.err, "biokiosk signature: "));
    g_assert_nonnull(strstr(r.err, why));
    g_assert_cmpuint(strchr(r.err, '\n') - r.err, ==, strlen(r.err) - 1); /* one line */
    /* the file is named once */
    const char *first = strstr(r.err, "bad.json");
    g_assert_nonnull(first);
    g_assert_null(strstr(first + 1, "bad.json"));
    g_assert_false(g_file_test(png, G_FILE_TEST_EXISTS));
    g_free(r.out);
    g_free(r.err);
}

/* What is not a signature on a pad or a screen: refused whether or not a device is named. */
static void test_absurd_coordinates(void)
{
    /* negative, with and without a device */
    expect_bad("{\"strokes\": [[{\"x_mm\": -0.5, \"y_mm\": 2}]]}",
               "stroke 1 point 1: coordinates out of range: 'x_mm' is negative");
    expect_bad("{\"strokes\": [[{\"x_mm\": 5, \"y_mm\": 2}, {\"x_mm\": 6, \"y_mm\": -1999}]]}",
               "stroke 1 point 2: coordinates out of range: 'y_mm' is negative");
    expect_bad("{\"device\": {\"width_mm\": 96, \"height_mm\": 60}, \"strokes\": [[{\"x_mm\": "
               "-3, \"y_mm\": 2}]]}",
               "'x_mm' is negative");
    /* no device: a generous pad is 500 mm */
    expect_bad("{\"strokes\": [[{\"x_mm\": 1999, \"y_mm\": 2}]]}",
               "'x_mm' is beyond 500 mm (the file gives no device width)");
    expect_bad("{\"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2}], [{\"x_mm\": 2, \"y_mm\": 500.5}]]}",
               "stroke 2 point 1: coordinates out of range: 'y_mm' is beyond 500 mm (the file "
               "gives no device height)");
    /* a device with only a width: the height is still bounded */
    expect_bad("{\"device\": {\"width_mm\": 96}, \"strokes\": [[{\"x_mm\": 1, \"y_mm\": 700}]]}",
               "'y_mm' is beyond 500 mm");
    /* a device: its own size (1 mm of slack) */
    expect_bad("{\"device\": {\"width_mm\": 96, \"height_mm\": 60}, \"strokes\": [[{\"x_mm\": "
               "97.5, \"y_mm\": 2}]]}",
               "'x_mm' is beyond the device's width");
    expect_bad("{\"device\": {\"width_mm\": 96, \"height_mm\": 60}, \"strokes\": [[{\"x_mm\": "
               "9, \"y_mm\": 61.5}]]}",
               "'y_mm' is beyond the device's height");
    /* a device no desk has */
    expect_bad("{\"device\": {\"width_mm\": 1500, \"height_mm\": 60}, \"strokes\": [[{\"x_mm\": "
               "9, \"y_mm\": 6}]]}",
               "the device's size or resolution is out of range");
    /* not a number at all */
    expect_bad("{\"strokes\": [[{\"x_mm\": 1e400, \"y_mm\": 2}]]}", "bad.json: ");
}

/* A misspelt member would otherwise be read as its default, silently. */
static void test_unknown_members(void)
{
    expect_bad("{\"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2}]], \"stroke\": []}",
               "unknown member 'stroke'");
    expect_bad("{\"device\": {\"width\": 96}, \"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2}]]}",
               "'device' has an unknown member 'width'");
    expect_bad("{\"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2}, {\"x_mm\": 1, \"y_mm\": 2, "
               "\"presure\": 0.2}]]}",
               "stroke 1 point 2: unknown member 'presure'");
}

/* Files that are right still render: no device and near the 500 mm bound, the edges of a
 * device's area, and the members `biokiosk record --signature` also reads. */
static void render_ok(const char *json, gint64 points)
{
    g_autofree char *path = write_points("ok.json", json);
    g_autofree char *png = g_build_filename(dir, "ok.png", NULL);
    run r = biokiosk("render", path, png, NULL);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *want = g_strdup_printf("\"points\":%" G_GINT64_FORMAT "}", points);
    g_assert_nonnull(strstr(r.out, want));
    g_assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
    g_unlink(png);
    g_unlink(path);
    g_free(r.out);
    g_free(r.err);
}

static void test_render_edges(void)
{
    render_ok("{\"strokes\": [[{\"x_mm\": 0, \"y_mm\": 0}, {\"x_mm\": 499.5, \"y_mm\": 120}]]}", 2);
    render_ok("{\"device\": {\"kind\": \"hid\", \"width_mm\": 96, \"height_mm\": 60}, "
              "\"strokes\": [[{\"x_mm\": 0, \"y_mm\": 60}, {\"x_mm\": 96.5, \"y_mm\": 0}]]}",
              2);
    render_ok("{\"device\": {\"kind\": \"stu\", \"model\": \"Wacom STU-540\", \"serial\": "
              "\"STU540-7A21C0\", \"pressure_max\": 1023, \"counts_per_mm\": 100}, \"strokes\": "
              "[[{\"x_mm\": 10, \"y_mm\": 20, \"pressure\": 1023}, {\"x_mm\": 40, \"y_mm\": 25, "
              "\"pressure\": 300}], [{\"x_mm\": 20, \"y_mm\": 30}]]}",
              3);
    /* pressure beyond pressure_max is still refused */
    expect_bad("{\"device\": {\"pressure_max\": 1023}, \"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2, "
               "\"pressure\": 1024}]]}",
               "pressure or time out of range");
}

static void test_bad_input(void)
{
    expect_bad("{\"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2}", "not valid JSON: line 1, column ");
    expect_bad("[1, 2]", "not a JSON object");
    expect_bad("{\"strokes\": []}", "no strokes");
    expect_bad("{\"strokes\": [[], []]}", "no strokes");
    expect_bad("{\"device\": {}}", "'strokes' is missing");
    expect_bad("{\"strokes\": [[{\"x_mm\": 1e9, \"y_mm\": 2}]]}", "coordinates out of range");
    expect_bad("{\"device\": {\"width_mm\": 50}, \"strokes\": [[{\"x_mm\": 80, \"y_mm\": 2}]]}",
               "coordinates out of range");
    expect_bad("{\"strokes\": [[{\"x_mm\": 1, \"y_mm\": 2, \"pressure\": 3}]]}",
               "pressure or time out of range");
    expect_bad("{\"strokes\": [[{\"x_mm\": \"one\", \"y_mm\": 2}]]}", "'x_mm' is not a number");
    expect_bad("{\"strokes\": [[{\"y_mm\": 2}]]}", "'x_mm' is missing");
    expect_bad("{\"strokes\": [7]}", "stroke 1 is not an array");

    run r = biokiosk("render", "/nonexistent/points.json", "/tmp/x.png", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.err, ==,
                    "biokiosk signature: /nonexistent/points.json: cannot be read: No such file "
                    "or directory\n");
    g_free(r.out);
    g_free(r.err);
    r = biokiosk("draw", "a", "b", NULL);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_nonnull(strstr(r.err, "usage"));
    g_free(r.out);
    g_free(r.err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    dir = g_dir_make_tmp("cli-signature-XXXXXX", NULL);
    g_test_add_func("/cli/signature/render", test_render);
    g_test_add_func("/cli/signature/bad-input", test_bad_input);
    g_test_add_func("/cli/signature/absurd-coordinates", test_absurd_coordinates);
    g_test_add_func("/cli/signature/unknown-members", test_unknown_members);
    g_test_add_func("/cli/signature/render-edges", test_render_edges);
    int r = g_test_run();
    g_autofree char *p1 = g_build_filename(dir, "points.json", NULL);
    g_autofree char *p2 = g_build_filename(dir, "bad.json", NULL);
    g_unlink(p1);
    g_unlink(p2);
    g_rmdir(dir);
    g_free(dir);
    return r;
}
