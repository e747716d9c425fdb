/* JPEG and PNG reading and writing, and `biokiosk photo check` as other tools see it: exit
 * statuses, one line on stderr for bad input, the JSON shape of the issue. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "biomem.h"
#include "picio.h"

static pic *gradient(int w, int h)
{
    pic *p = NULL;
    g_assert_cmpint(pic_new(w, h, 3, &p), ==, BK_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *q = p->px + ((size_t)y * (size_t)w + (size_t)x) * 3;
            q[0] = (uint8_t)(x * 255 / w);
            q[1] = (uint8_t)(y * 255 / h);
            q[2] = (uint8_t)((x ^ y) & 0xFF);
        }
    return p;
}

static void test_round_trip_and_scaled_decode(void)
{
    pic *p = gradient(640, 480);
    uint8_t *jpeg = NULL;
    size_t size = 0;
    g_assert_cmpint(picio_encode_jpeg(p, 90, &jpeg, &size), ==, BK_OK);
    pic *back = NULL;
    g_assert_cmpint(picio_decode(jpeg, size, 1, &back), ==, BK_OK);
    g_assert_cmpint(back->width, ==, 640);
    g_assert_cmpint(back->height, ==, 480);
    /* close to the original: JPEG at quality 90 changes a smooth picture little */
    long diff = 0;
    for (size_t i = 0; i < (size_t)640 * 480 * 3; i += 97)
        diff += labs((long)back->px[i] - p->px[i]);
    g_assert_cmpint(diff / ((640 * 480 * 3) / 97), <, 8);
    pic_free(back);
    g_assert_cmpint(picio_decode(jpeg, size, 4, &back), ==, BK_OK);
    g_assert_cmpint(back->width, ==, 160);
    g_assert_cmpint(back->height, ==, 120);
    pic_free(back);
    int w = 0, h = 0;
    g_assert_cmpint(picio_peek_size(jpeg, size, &w, &h), ==, BK_OK);
    g_assert_cmpint(w, ==, 640);
    /* truncated: libjpeg would pad it with grey; here it is an error */
    g_assert_cmpint(picio_decode(jpeg, size * 2 / 3, 1, &back), ==, BK_ERR_CORRUPT);
    g_assert_cmpint(picio_decode(jpeg, size * 2 / 3, 8, &back), ==, BK_ERR_CORRUPT);
    g_assert_cmpint(picio_decode(jpeg, 10, 1, &back), ==, BK_ERR_CORRUPT);
    g_assert_cmpint(picio_decode((const uint8_t *)"hello, world", 12, 1, &back), ==,
                    BK_ERR_INVALID);
    g_assert_cmpint(picio_decode(jpeg, size, 3, &back), ==, BK_ERR_INVALID);
    biomem_free(jpeg);
    pic_free(p);
}

/* A JPEG whose frame header claims 12000 x 9000 (108 megapixels) is refused before any pixel
 * memory is taken. */
static uint8_t *huge_jpeg(size_t *size)
{
    pic *p = gradient(64, 48);
    uint8_t *jpeg = NULL;
    g_assert_cmpint(picio_encode_jpeg(p, 90, &jpeg, size), ==, BK_OK);
    pic_free(p);
    for (size_t i = 0; i + 9 < *size; i++)
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
            jpeg[i + 5] = 9000 >> 8;
            jpeg[i + 6] = 9000 & 0xFF;
            jpeg[i + 7] = 12000 >> 8;
            jpeg[i + 8] = 12000 & 0xFF;
            return jpeg;
        }
    g_error("no SOF0 marker");
    return NULL;
}

static void test_over_100_megapixels(void)
{
    size_t size = 0;
    uint8_t *jpeg = huge_jpeg(&size);
    pic *p = NULL;
    g_assert_cmpint(picio_decode(jpeg, size, 1, &p), ==, BK_ERR_NO_SPACE);
    biomem_free(jpeg);
}

typedef struct run {
    int status;
    char *out, *err;
} run;

static run photo_check(const char *image, const char *extra)
{
    const char *bin = g_getenv("BIOKIOSK_BIN");
    const char *argv[] = {bin, "photo", "check", image, extra, NULL};
    run r = {0};
    int ws = 0;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err, &ws,
                      &error))
        g_error("spawn: %s", error->message);
    g_assert_true(WIFEXITED(ws));
    r.status = WEXITSTATUS(ws);
    return r;
}

static void run_clear(run *r)
{
    g_free(r->out);
    g_free(r->err);
}

static void test_cli_bad_input(void)
{
    if (g_getenv("BIOKIOSK_BIN") == NULL) {
        g_test_skip("BIOKIOSK_BIN not set");
        return;
    }
    char *dir = g_dir_make_tmp("biokiosk-photo-XXXXXX", NULL);
    char *text = g_build_filename(dir, "not-an-image.jpg", NULL);
    char *cut = g_build_filename(dir, "truncated.jpg", NULL);
    char *huge = g_build_filename(dir, "huge.jpg", NULL);
    g_assert_true(g_file_set_contents(text, "plain text, not a picture\n", -1, NULL));
    pic *p = gradient(800, 600);
    uint8_t *jpeg = NULL;
    size_t size = 0;
    g_assert_cmpint(picio_encode_jpeg(p, 90, &jpeg, &size), ==, BK_OK);
    g_assert_true(g_file_set_contents(cut, (const char *)jpeg, (gssize)(size / 2), NULL));
    biomem_free(jpeg);
    pic_free(p);
    jpeg = huge_jpeg(&size);
    g_assert_true(g_file_set_contents(huge, (const char *)jpeg, (gssize)size, NULL));
    biomem_free(jpeg);
    const char *files[] = {text, cut, huge, "/nonexistent/x.jpg"};
    const char *words[] = {"not a JPEG or PNG", "truncated", "100 megapixels", "cannot read"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        run r = photo_check(files[i], NULL);
        g_assert_cmpint(r.status, ==, 2);
        g_assert_cmpstr(r.out, ==, "");
        g_assert_nonnull(strstr(r.err, words[i]));
        g_assert_nonnull(strchr(r.err, '\n'));
        g_assert_cmpstr(strchr(r.err, '\n') + 1, ==, ""); /* one line */
        run_clear(&r);
    }
    run r = photo_check(text, "--frobnicate");
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
    g_remove(text);
    g_remove(cut);
    g_remove(huge);
    g_rmdir(dir);
    g_free(text);
    g_free(cut);
    g_free(huge);
    g_free(dir);
}

/* The JSON of the issue on a real portrait: keys, eye order, output only with a crop. */
static void test_cli_json(void)
{
    const char *faces = g_getenv("BIOKIOSK_FACES");
    char *image = faces ? g_build_filename(faces, "frontal", "frl_london_001_03.jpg", NULL) : NULL;
    if (g_getenv("BIOKIOSK_BIN") == NULL || image == NULL ||
        !g_file_test(image, G_FILE_TEST_EXISTS)) {
        g_test_skip("the face photographs or the biokiosk binary are not there");
        g_free(image);
        return;
    }
    char *dir = g_dir_make_tmp("biokiosk-photo-XXXXXX", NULL);
    char *out = g_build_filename(dir, "out.jpg", NULL);
    run r = photo_check(image, NULL);
    g_assert_cmpint(r.status, ==, 1); /* 1350 px portraits: eyes closer than 300 px */
    run_clear(&r);
    const char *bin = g_getenv("BIOKIOSK_BIN");
    const char *argv[] = {bin, "photo", "check", image, "--out", out, NULL};
    int ws = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r.out,
                               &r.err, &ws, NULL));
    g_assert_cmpint(WEXITSTATUS(ws), ==, 1);
    JsonParser *parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(parser, r.out, -1, NULL));
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    g_assert_cmpint(json_object_get_int_member(o, "faces"), ==, 1);
    JsonObject *face = json_object_get_object_member(o, "face");
    g_assert_true(json_object_has_member(face, "x") && json_object_has_member(face, "h"));
    JsonObject *eyes = json_object_get_object_member(o, "eyes");
    JsonArray *l = json_object_get_array_member(eyes, "left");
    JsonArray *rt = json_object_get_array_member(eyes, "right");
    g_assert_cmpfloat(json_array_get_double_element(l, 0), <, json_array_get_double_element(rt, 0));
    g_assert_cmpfloat(fabs(json_array_get_double_element(l, 0) - 565), <, 21);
    g_assert_true(json_object_has_member(o, "roll_deg"));
    JsonArray *checks = json_object_get_array_member(o, "checks");
    g_assert_cmpuint(json_array_get_length(checks), >=, 10);
    for (guint i = 0; i < json_array_get_length(checks); i++) {
        JsonObject *c = json_array_get_object_element(checks, i);
        g_assert_true(json_object_has_member(c, "name") && json_object_has_member(c, "value") &&
                      json_object_has_member(c, "min") && json_object_has_member(c, "max") &&
                      json_object_has_member(c, "pass"));
    }
    g_assert_false(json_object_get_boolean_member(o, "compliant"));
    JsonObject *output = json_object_get_object_member(o, "output");
    g_assert_cmpint(json_object_get_int_member(output, "width"), ==, 1244);
    g_assert_cmpint(json_object_get_int_member(output, "height"), ==, 1600);
    g_object_unref(parser);
    run_clear(&r);
    char *data = NULL;
    gsize size = 0;
    g_assert_true(g_file_get_contents(out, &data, &size, NULL));
    int w = 0, h = 0;
    g_assert_cmpint(picio_peek_size((const uint8_t *)data, size, &w, &h), ==, BK_OK);
    g_assert_cmpint(w, ==, 1244);
    g_assert_cmpint(h, ==, 1600);
    g_free(data);
    g_remove(out);
    g_rmdir(dir);
    g_free(out);
    g_free(dir);
    /* The same portrait at 1.6 times the size (2160 px, as a closer or finer camera would take
     * it): eyes about 350 px apart, and every check that is made passes: exit 0. */
    char *data2 = NULL;
    gsize size2 = 0;
    g_assert_true(g_file_get_contents(image, &data2, &size2, NULL));
    pic *small = NULL, *big = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data2, size2, 1, &small), ==, BK_OK);
    g_free(data2);
    g_assert_cmpint(pic_resize(small, small->width * 8 / 5, small->height * 8 / 5, &big), ==,
                    BK_OK);
    uint8_t *jpeg = NULL;
    size_t jsize = 0;
    g_assert_cmpint(picio_encode_jpeg(big, 92, &jpeg, &jsize), ==, BK_OK);
    dir = g_dir_make_tmp("biokiosk-photo-XXXXXX", NULL);
    char *big_path = g_build_filename(dir, "portrait-2160.jpg", NULL);
    g_assert_true(g_file_set_contents(big_path, (const char *)jpeg, (gssize)jsize, NULL));
    biomem_free(jpeg);
    pic_free(small);
    pic_free(big);
    r = photo_check(big_path, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"compliant\":true"));
    g_assert_null(strstr(r.out, "\"pass\":false"));
    run_clear(&r);
    g_remove(big_path);
    g_rmdir(dir);
    g_free(big_path);
    g_free(dir);

    /* no face: no face, eyes or output members */
    char *coffee = g_build_filename(faces, "negative", "skimage_coffee.png", NULL);
    r = photo_check(coffee, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_null(strstr(r.out, "\"output\""));
    g_assert_null(strstr(r.out, "\"eyes\""));
    g_assert_nonnull(strstr(r.out, "\"faces\":0"));
    run_clear(&r);
    g_free(coffee);
    g_free(image);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/picio/round-trip-and-scaled-decode", test_round_trip_and_scaled_decode);
    g_test_add_func("/picio/over-100-megapixels", test_over_100_megapixels);
    g_test_add_func("/photo-cli/bad-input", test_cli_bad_input);
    g_test_add_func("/photo-cli/json", test_cli_json);
    return g_test_run();
}
