/* Languages and readability: every translated string can be drawn by the font the kiosk picks
 * for it, every catalogue is complete, colours reach 7:1, text and targets are large enough. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <png.h>

#include "core/apptcode.h"
#include "recordconf.h"
#include "ui/i18n.h"
#include "ui/ui.h"
#include "uitest.h"

static ui *u;

/* Placeholders become what the screens put there: numbers (for %s, a translated name: a
 * number stands in, drawable in every script). */
static char *formatted(const char *text)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text; *p; p++) {
        if (p[0] == '%' && (p[1] == 'd' || p[1] == 's')) {
            g_string_append(s, "25");
            p++;
        } else if (p[0] == '%' && ((p[1] == 'z' && p[2] == 'u') || (p[1] == 'l' && p[2] == 'd'))) {
            g_string_append(s, "12");
            p += 2;
        } else {
            g_string_append_c(s, *p);
        }
    }
    return g_string_free(s, FALSE);
}

typedef struct check {
    const char *lang;
    GHashTable *ids; /* every msgid seen in any language */
    int failures;
} check;

static void check_one(const char *msgid, const char *text, void *data)
{
    check *c = data;
    g_hash_table_add(c->ids, (gpointer)msgid);
    g_autofree char *shown = formatted(text);
    gunichar missing = ui_missing_glyph(u, shown);
    if (missing != 0) {
        g_test_message("%s: U+%04X cannot be drawn in \"%s\"", c->lang, missing, text);
        c->failures++;
    }
}

static void test_glyphs(void)
{
    check c = {.ids = g_hash_table_new(g_str_hash, g_str_equal)};
    size_t counts[16] = {0};
    for (size_t i = 0; i < i18n_n_languages; i++) {
        c.lang = i18n_languages[i];
        counts[i] = i18n_each(c.lang, check_one, &c);
        gunichar m = ui_missing_glyph(u, i18n_native_name(c.lang));
        if (m) {
            g_test_message("%s: U+%04X in the language's own name", c.lang, m);
            c.failures++;
        }
    }
    /* The English source strings too. */
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, c.ids);
    c.lang = "en";
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        g_autofree char *shown = formatted(k);
        if (ui_missing_glyph(u, shown)) {
            g_test_message("en: \"%s\" cannot be drawn", (const char *)k);
            c.failures++;
        }
    }
    g_assert_cmpint(c.failures, ==, 0);
    /* Every catalogue translates every message (English has none of its own). */
    guint all = g_hash_table_size(c.ids);
    g_assert_cmpuint(all, >, 100);
    for (size_t i = 0; i < i18n_n_languages; i++) {
        if (strcmp(i18n_languages[i], "en") == 0)
            continue;
        if (counts[i] != all)
            g_test_message("%s translates %zu of %u messages", i18n_languages[i], counts[i], all);
        g_assert_cmpuint(counts[i], ==, all);
    }
    g_hash_table_destroy(c.ids);
}

/* The check itself must be able to fail: Arabic letters in the Latin-only font, a character
 * no font here has. */
static void test_glyph_check_fails(void)
{
    g_assert_cmpuint(ui_missing_glyph(u, "Photo"), ==, 0);
    g_assert_cmpuint(ui_missing_glyph(u, "الصورة 14"), ==, 0);
    g_assert_cmpuint(ui_missing_glyph(u, "\xf0\x9f\x98\x80"), ==, 0x1F600); /* an emoji */
    g_assert_cmpuint(ui_missing_glyph(u, "الصورة \xe2\x9c\x93"), ==, 0x2713);
}

static void test_switch(void)
{
    g_assert_cmpint(i18n_set_language("nl"), ==, BK_OK);
    g_assert_cmpstr(_("Welcome"), ==, "Welkom");
    g_assert_cmpint(i18n_set_language("ar"), ==, BK_OK);
    g_assert_true(i18n_is_rtl(i18n_language()));
    g_assert_cmpstr(_("Welcome"), !=, "Welcome");
    g_assert_cmpint(i18n_set_language("en"), ==, BK_OK);
    g_assert_cmpstr(_("Welcome"), ==, "Welcome");
    g_assert_cmpstr(_("no such message"), ==, "no such message");
    g_assert_cmpint(i18n_set_language("xx"), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpstr(i18n_text_in("fr", "Cancel"), ==, "Annuler");
}

static void test_contrast(void)
{
    /* Both palettes; the high-contrast one reaches 10:1 on every pair. */
    for (int high = 0; high < 2; high++) {
        for (size_t i = 0; i < ui_n_color_pairs; i++) {
            double c = ui_contrast(ui_rgb_in(high, ui_color_pairs[i][0]),
                                   ui_rgb_in(high, ui_color_pairs[i][1]));
            if (c < (high ? 10.0 : 7.0))
                g_test_message("palette %d pair %zu: %.2f:1", high, i, c);
            g_assert_cmpfloat(c, >=, high ? 10.0 : 7.0);
        }
    }
    /* The measure: black on white is 21:1, grey on grey fails. */
    SDL_Color black = {0, 0, 0, 255}, white = {255, 255, 255, 255}, grey = {128, 128, 128, 255};
    g_assert_cmpfloat(ui_contrast(black, white), >, 20.9);
    g_assert_cmpfloat(ui_contrast(grey, white), <, 7.0);
}

static void test_sizes(void)
{
    /* The window of this test is 1920x1080 on a 527 x 296 mm screen. */
    g_assert_cmpint(u->h, ==, 1080);
    g_assert_cmpint(ui_px(u, UI_SMALL_PX), >=, 28);
    g_assert_cmpint(ui_px(u, UI_BODY_PX), >=, 28);
    g_assert_cmpfloat(u->target / u->px_per_mm, >=, 15.0);
    int w = 0, h = 0;
    ui_text_size(u, "Hg", UI_FONT_BODY, &w, &h);
    g_assert_cmpint(h, >=, 28);
}

/* ---- the real kiosk in scripted mode: every applicant screen in large text at 1280x800 ---- */

#define NOW  "2026-11-23T09:20:00+01:00"
#define DESK "DEN-HAAG"
enum { K_EARLY, K_LANG, K_COUNT = K_LANG + 7 };

typedef struct kiosk {
    char *dir, *conf, *shots;
    char codes[K_COUNT][APPTCODE_FORMATTED_LEN + 1];
} kiosk;

static void kiosk_set_up(kiosk *k)
{
    k->dir = g_dir_make_tmp("biokiosk-text-XXXXXX", NULL);
    g_assert_nonnull(k->dir);
    k->shots = uitest_shots_dir(k->dir);
    g_autofree char *db = g_build_filename(k->dir, "appointments.db", NULL);
    g_autofree char *uri = g_strconcat("sqlite:", db, NULL);
    GString *json = g_string_new("{\"appointments\": [");
    for (int i = 0; i < K_COUNT; i++) {
        unsigned char bytes[APPTCODE_RANDOM_BYTES] = {(unsigned char)(31 * i + 7), 0x11, 0x6c,
                                                      (unsigned char)(90 + i), 0x24};
        char canon[APPTCODE_LEN + 1];
        apptcode_from_bytes(bytes, canon);
        apptcode_format(canon, k->codes[i]);
        g_string_append_printf(
            json,
            "%s{\"code\": \"%s\", \"desk\": \"%s\", \"start\": \"%s\", \"minutes\": 20, "
            "\"status\": \"booked\", \"urgent\": false, \"persons\": ["
            "{\"v_number\": \"30966752%02d\", \"name\": \"Olena Kovalenko\", \"birth_date\": "
            "\"1990-05-07\", \"category\": \"third-country\", \"applied\": \"2026-11-02\", "
            "\"born_in_nl\": false, \"previous\": {}}]}",
            i ? "," : "", k->codes[i], DESK,
            i == K_EARLY ? "2026-11-23T11:00:00+01:00" : "2026-11-23T09:30:00+01:00", i);
    }
    g_string_append(json, "]}");
    fill_store(uri, json->str, FALSE);
    g_string_free(json, TRUE);
    k->conf = g_build_filename(k->dir, "kiosk.conf", NULL);
    g_autofree char *conf = kiosk_lines(DESK, uri);
    g_autofree char *record = recordconf_lines(k->dir);
    g_autofree char *full = g_strconcat(conf, record, NULL);
    write_file(k->conf, full);
}

static void kiosk_tear_down(kiosk *k)
{
    remove_tree(k->dir);
    g_free(k->dir);
    g_free(k->conf);
    g_free(k->shots);
}

static void run_kiosk(kiosk *k, const char *script)
{
    g_autofree char *path = g_build_filename(k->dir, "script.txt", NULL);
    write_file(path, script);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", k->conf,  "--now",    NOW, "--script", path,
        "--screenshots",          k->shots,   "--size", "1280x800", NULL};
    int status = 0;
    g_autofree char *out = NULL, *err = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL))
        g_printerr("%s", err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
}

/* The top left pixel of a screenshot: the page background. */
static guint32 corner(const kiosk *k, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".png", NULL);
    g_autofree char *path = g_build_filename(k->shots, file, NULL);
    png_image img = {.version = PNG_IMAGE_VERSION};
    g_assert_true(png_image_begin_read_from_file(&img, path));
    img.format = PNG_FORMAT_RGB;
    guint8 *px = g_malloc(PNG_IMAGE_SIZE(img));
    g_assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
    guint32 rgb = (guint32)px[0] << 16 | (guint32)px[1] << 8 | px[2];
    g_free(px);
    png_image_free(&img);
    return rgb;
}

static void test_large_fits(void)
{
    if (g_getenv("BIOKIOSK_BIN") == NULL) {
        g_test_skip("BIOKIOSK_BIN is not set");
        return;
    }
    kiosk k = {0};
    kiosk_set_up(&k);
    GString *s = g_string_new(NULL);
    for (size_t li = 0; li < i18n_n_languages; li++) {
        const char *l = i18n_languages[li];
#define T(x) i18n_text_in(l, x)
        g_string_append_printf(
            s,
            "language %s\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "expect-fits\n"
            "expect-targets\n"
            "screenshot large-%s-welcome\n"
            "tap \"%s\"\n"
            "expect-screen code\n"
            "type %.6s\n"
            "screenshot large-%s-code\n"
            "expect-fits\n"
            "type %s\n"
            "key Return\n"
            "expect-screen refused\n"
            "expect-text \"11:00\"\n"
            "screenshot large-%s-refused\n"
            "expect-fits\n"
            /* back to the start: the next try starts in normal text */
            "tap \"%s\"\n"
            "expect-screen welcome\n"
            "language %s\n"
            "screenshot back-%s-welcome\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "expect-screen code\n"
            "idle 60\n"
            "expect-screen still-there\n"
            "screenshot large-%s-still-there\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "type %s\n"
            "key Return\n"
            "expect-screen appointment\n"
            "screenshot large-%s-appointment\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "expect-screen documents\n"
            "screenshot large-%s-documents\n"
            "expect-fits\n"
            "staff jdevries 123456\n"
            "tap \"%s\"\n"
            "tap \"Olena Kovalenko\"\n"
            "tap \"%s\"\n"
            "expect-screen person\n"
            "screenshot large-%s-person\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "expect-screen step-unavailable\n"
            "screenshot large-%s-step-unavailable\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "tap \"%s\"\n"
            "expect-screen review\n"
            "screenshot large-%s-review\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "expect-screen done\n"
            "screenshot large-%s-done\n"
            "expect-fits\n"
            "tap \"%s\"\n"
            "expect-screen welcome\n"
            /* the next person starts in normal text */
            "expect-text \"Larger text\"\n"
            "screenshot normal-%s-welcome\n"
            "expect-fits\n",
            l, T("Larger text"), l, T("Start"), k.codes[K_EARLY], l, k.codes[K_EARLY] + 6, l,
            T("Back to the start"), l, l, T("Larger text"), T("Start"), l,
            T("Yes, I am still here"), k.codes[K_LANG + li], l, T("Continue"), l,
            T("Close this menu"), T("Continue"), l, T("Start"), l, T("Staff menu"),
            T("Skip this step"), T("Not available on this kiosk"), T("Staff menu"),
            T("Skip this step"), T("Not available on this kiosk"), T("Staff menu"),
            T("Skip this step"), T("Not available on this kiosk"), l, T("Finish"), l, T("Close"),
            l);
#undef T
    }
    run_kiosk(&k, s->str);
    g_string_free(s, TRUE);
    /* The toggle lasted for the visit (black page, the high-contrast background) and the next
     * person got the normal page back. */
    for (size_t li = 0; li < i18n_n_languages; li++) {
        const char *l = i18n_languages[li];
        const char *during[] = {"welcome",     "code",   "refused", "still-there",
                                "appointment", "person", "review",  "done"};
        for (size_t i = 0; i < G_N_ELEMENTS(during); i++) {
            g_autofree char *name = g_strdup_printf("large-%s-%s", l, during[i]);
            g_assert_cmphex(corner(&k, name), ==, 0x000000);
        }
        g_autofree char *after = g_strdup_printf("normal-%s-welcome", l);
        g_assert_cmphex(corner(&k, after), ==, 0xF7F5F0);
        g_autofree char *back = g_strdup_printf("back-%s-welcome", l);
        g_assert_cmphex(corner(&k, back), ==, 0xF7F5F0);
    }
    kiosk_tear_down(&k);
}

/* The fit check can fail: a word wider than its box, text below the window. */
static void test_fit_check_fails(void)
{
    ui_begin(u);
    g_autofree char *ok = ui_check_fit(u);
    g_assert_null(ok);
    ui_text(u, "Unbreakablewordthatistoolong", (SDL_Rect){10, 10, 60, 100}, UI_FONT_BODY,
            UI_COLOR_TEXT, UI_ALIGN_START);
    g_autofree char *wide = ui_check_fit(u);
    g_assert_nonnull(wide);
    g_assert_nonnull(strstr(wide, "wide in a box of 60"));
    ui_begin(u);
    ui_text(u, "Below", (SDL_Rect){10, u->h - 5, 400, 100}, UI_FONT_BODY, UI_COLOR_TEXT,
            UI_ALIGN_START);
    g_autofree char *below = ui_check_fit(u);
    g_assert_nonnull(below);
    g_assert_nonnull(strstr(below, "leaves the"));
    ui_begin(u);
    ui_add_hit(u, (SDL_Rect){0, 200, 400, 100}, 1, "Start");
    ui_text(u, "Long text over the button", (SDL_Rect){0, 190, 400, 300}, UI_FONT_TITLE,
            UI_COLOR_TEXT, UI_ALIGN_START);
    g_autofree char *into = ui_check_fit(u);
    g_assert_nonnull(into);
    g_assert_nonnull(strstr(into, "runs into the button \"Start\""));
    /* Large text: body and titles about 1.3 times. */
    int h0 = 0, h1 = 0;
    ui_text_size(u, "Hg", UI_FONT_BODY, NULL, &h0);
    ui_set_large(u, true);
    ui_text_size(u, "Hg", UI_FONT_BODY, NULL, &h1);
    g_assert_cmpfloat((double)h1 / h0, >, 1.2);
    g_assert_cmphex(ui_rgb(UI_COLOR_BG).r, ==, 0);
    ui_set_large(u, false);
    g_assert_cmphex(ui_rgb(UI_COLOR_BG).r, ==, 0xF7);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *dir = g_getenv("KIOSK_LOCALE_DIR");
    char *font = ui_find_font("Noto Sans"), *font_ar = ui_find_font("Noto Sans Arabic");
    if (font == NULL || font_ar == NULL) {
        printf("1..0 # SKIP: the Noto Sans fonts (fonts-noto-core) are not installed\n");
        return 0; /* TAP: "1..0 # SKIP" marks the whole test skipped */
    }
    g_free(font);
    g_free(font_ar);
    const char *missing = NULL;
    if (dir == NULL || i18n_load(dir, i18n_languages, i18n_n_languages, &missing) != BK_OK) {
        printf("1..0 # SKIP: no translations in KIOSK_LOCALE_DIR (%s)\n",
               missing ? missing : "unset");
        return 0; /* TAP: "1..0 # SKIP" marks the whole test skipped */
    }
    ui_options opt = {
        .width = 1920, .height = 1080, .headless = true, .width_mm = 527, .height_mm = 296};
    char *message = NULL;
    if (ui_new(&opt, &u, &message) != BK_OK) {
        printf("1..0 # SKIP: no offscreen video: %s\n", message);
        g_free(message);
        return 0; /* TAP: "1..0 # SKIP" marks the whole test skipped */
    }
    g_test_add_func("/ui/glyphs", test_glyphs);
    g_test_add_func("/ui/glyph-check-fails", test_glyph_check_fails);
    g_test_add_func("/ui/language-switch", test_switch);
    g_test_add_func("/ui/contrast", test_contrast);
    g_test_add_func("/ui/sizes", test_sizes);
    g_test_add_func("/ui/fit-check-fails", test_fit_check_fails);
    g_test_add_func("/ui/large-text-fits", test_large_fits);
    int rc = g_test_run();
    ui_free(u);
    i18n_unload();
    return rc;
}
