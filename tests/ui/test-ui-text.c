/* Languages and readability: every translated string can be drawn by the font the kiosk picks
 * for it, every catalogue is complete, colours reach 7:1, text and targets are large enough. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ui/i18n.h"
#include "ui/ui.h"

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
    for (size_t i = 0; i < ui_n_color_pairs; i++) {
        double c = ui_contrast(ui_rgb(ui_color_pairs[i][0]), ui_rgb(ui_color_pairs[i][1]));
        if (c < 7.0)
            g_test_message("pair %zu: %.2f:1", i, c);
        g_assert_cmpfloat(c, >=, 7.0);
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
    int rc = g_test_run();
    ui_free(u);
    i18n_unload();
    return rc;
}
