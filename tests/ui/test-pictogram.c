/* The pictograms (ui/pictogram.c) rendered through the real librsvg into the kiosk's renderer
 * (SDL's offscreen driver): each one draws, the finger asked for is coloured, the left hand is
 * the right one mirrored, and a missing file is said at load. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ui/pictogram.h"
#include "ui/ui.h"

static ui *u;
static pictograms *pics;

typedef struct counts {
    size_t ink;         /* pixels that are not the background */
    size_t highlight;   /* pixels of the highlight colour */
    double highlight_x; /* their mean x */
} counts;

static counts read_back(SDL_Rect r)
{
    uint32_t *px = g_new(uint32_t, (size_t)r.w * (size_t)r.h);
    g_assert_cmpint(SDL_RenderReadPixels(u->renderer, &r, SDL_PIXELFORMAT_ARGB8888, px, r.w * 4),
                    ==, 0);
    SDL_Color bg = ui_rgb(UI_COLOR_BG);
    const uint8_t hl[3] = {PICTOGRAM_HIGHLIGHT_RGB};
    counts c = {0};
    double sx = 0;
    for (int y = 0; y < r.h; y++)
        for (int x = 0; x < r.w; x++) {
            uint32_t v = px[(size_t)y * (size_t)r.w + (size_t)x];
            int R = (v >> 16) & 0xff, G = (v >> 8) & 0xff, B = v & 0xff;
            if (abs(R - bg.r) + abs(G - bg.g) + abs(B - bg.b) > 30)
                c.ink++;
            if (abs(R - hl[0]) + abs(G - hl[1]) + abs(B - hl[2]) < 12) {
                c.highlight++;
                sx += x;
            }
        }
    c.highlight_x = c.highlight ? sx / (double)c.highlight : -1;
    g_free(px);
    return c;
}

static counts draw(const char *name, const char *highlight, bool mirror, SDL_Rect r)
{
    ui_begin(u);
    ui_fill(u, (SDL_Rect){0, 0, u->w, u->h}, UI_COLOR_BG);
    g_assert_true(pictogram_draw(u, pics, name, highlight, mirror, r));
    return read_back(r);
}

static void test_each_draws(void)
{
    SDL_Rect r = {100, 100, 400, 300};
    const char *names[] = {PICTOGRAM_PHOTO, PICTOGRAM_HAND, PICTOGRAM_SIGN};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        counts c = draw(names[i], NULL, false, r);
        g_test_message("%s: %zu of %d pixels drawn", names[i], c.ink, r.w * r.h);
        g_assert_cmpuint(c.ink, >, (size_t)(r.w * r.h) / 20);
        g_assert_cmpuint(c.highlight, ==, 0);
    }
    ui_begin(u);
    g_assert_false(pictogram_draw(u, pics, "no-such-pictogram", NULL, false, r));
}

static void test_finger_highlight_and_mirror(void)
{
    SDL_Rect r = {100, 100, 300, 360};
    const char *fingers[] = {"thumb", "index", "middle", "ring", "little"};
    double last_x = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(fingers); i++) {
        counts right = draw(PICTOGRAM_HAND, fingers[i], false, r);
        counts left = draw(PICTOGRAM_HAND, fingers[i], true, r);
        g_test_message("%s: %zu highlighted pixels at x %.0f (right hand), %.0f (left)", fingers[i],
                       right.highlight, right.highlight_x, left.highlight_x);
        g_assert_cmpuint(right.highlight, >, 500);
        g_assert_cmpuint(left.highlight, ==, right.highlight);
        /* mirrored: the finger is as far from the right edge as it was from the left */
        g_assert_cmpfloat(fabs((r.w - 1 - right.highlight_x) - left.highlight_x), <, 2.0);
        /* a right hand palm down: thumb on the left, little finger on the right */
        g_assert_cmpfloat(right.highlight_x, >, last_x);
        last_x = right.highlight_x;
    }
}

static void test_missing(void)
{
    pictograms *p = NULL;
    char *message = NULL;
    g_assert_cmpint(pictograms_load("/nonexistent-pictograms", &p, &message), ==, BK_ERR_NOT_FOUND);
    g_assert_null(p);
    g_assert_nonnull(strstr(message, "photo-sit.svg"));
    g_free(message);
    /* a file that is not SVG */
    g_autofree char *dir = g_dir_make_tmp("pictograms-XXXXXX", NULL);
    const char *names[] = {"photo-sit.svg", "hand-right.svg", "sign-box.svg"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        g_assert_true(g_file_set_contents(path,
                                          i == 1
                                              ? "not svg at all"
                                              : "<svg "
                                                "xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" "
                                                "height=\"4\"/>",
                                          -1, NULL));
    }
    g_assert_cmpint(pictograms_load(dir, &p, &message), ==, BK_ERR_NOT_FOUND);
    g_assert_nonnull(strstr(message, "hand-right.svg"));
    g_free(message);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        g_unlink(path);
    }
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ui_options opt = {
        .width = 1280, .height = 800, .headless = true, .width_mm = 340, .height_mm = 212};
    char *message = NULL;
    if (ui_new(&opt, &u, &message) != BK_OK) {
        printf("1..0 # SKIP: no offscreen video: %s\n", message);
        g_free(message);
        return 0;
    }
    const char *dir = g_getenv("BIOKIOSK_PICTOGRAMS");
    g_assert_nonnull(dir);
    if (pictograms_load(dir, &pics, &message) != BK_OK)
        g_error("%s", message);
    g_test_add_func("/pictogram/each-draws", test_each_draws);
    g_test_add_func("/pictogram/finger-highlight-mirror", test_finger_highlight_and_mirror);
    g_test_add_func("/pictogram/missing", test_missing);
    int rc = g_test_run();
    pictograms_free(pics);
    ui_free(u);
    return rc;
}
