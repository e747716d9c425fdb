#include <string.h>

#include <glib.h>

#include "config/config.h"
#include "core/limits.h"

static const char *const good = "# a kiosk\n"
                                "[kiosk]\n"
                                "desk = DEN-HAAG\n"
                                "id=DEN-HAAG-03\n"
                                "languages = nl, en , ar\n"
                                "fullscreen = no\n"
                                "\n"
                                "; another comment\n"
                                "[store]\n"
                                "uri = postgresql://kiosk@db/biokiosk\n"
                                "[screen]\n"
                                "width_mm = 344.5\n";

static void test_good(void)
{
    config *cfg = NULL;
    g_autofree char *message = NULL;
    g_assert_cmpint(config_load_text(good, "k.conf", &cfg, &message), ==, BK_OK);
    g_assert_null(message);
    g_assert_cmpstr(config_get_string(cfg, CONFIG_KIOSK_DESK), ==, "DEN-HAAG");
    g_assert_cmpstr(config_get_string(cfg, CONFIG_KIOSK_ID), ==, "DEN-HAAG-03");
    g_assert_cmpstr(config_get_string(cfg, CONFIG_STORE_URI), ==, "postgresql://kiosk@db/biokiosk");
    g_assert_false(config_get_bool(cfg, CONFIG_KIOSK_FULLSCREEN));
    g_assert_cmpfloat(config_get_double(cfg, CONFIG_SCREEN_WIDTH_MM), ==, 344.5);
    g_assert_cmpint(config_get_int(cfg, CONFIG_ARRIVAL_EARLY_MINUTES), ==, 30); /* default */
    g_assert_false(config_is_set(cfg, CONFIG_ARRIVAL_EARLY_MINUTES));
    g_assert_true(config_is_set(cfg, CONFIG_KIOSK_DESK));

    g_autofree char *m2 = NULL;
    g_assert_cmpint(config_set(cfg, "arrival.late_minutes", "20", &m2), ==, BK_OK);
    g_assert_cmpint(config_get_int(cfg, CONFIG_ARRIVAL_LATE_MINUTES), ==, 20);
    g_assert_cmpint(config_set(cfg, "arrival.late_minutes", "-1", &m2), ==, BK_ERR_INVALID);
    g_assert_nonnull(strstr(m2, "late_minutes"));
    g_assert_cmpint(config_get_int(cfg, CONFIG_ARRIVAL_LATE_MINUTES), ==, 20);
    g_autofree char *m3 = NULL;
    g_assert_cmpint(config_set(cfg, "arrival.nope", "1", &m3), ==, BK_ERR_NOT_FOUND);
    config_free(cfg);
    config_free(NULL);
}

static void test_bad(void)
{
    static const struct {
        const char *text;
        const char *expect; /* the message must contain this */
    } cases[] = {
        {"[kiosk]\ndesk = DEN-HAAG\n", "[kiosk] id: required"},
        {"[kiosk]\ndesk = DEN-HAAG\nid = K1\n[store]\nuri = x\nbogus = 1\n",
         "t.conf:6: unknown setting [store] bogus"},
        {"[kiosk]\ndesk = den haag\nid = K1\n", "t.conf:2: [kiosk] desk: 'den haag' may hold"},
        {"[kiosk]\ndesk = D\nid = K1\n[arrival]\nearly_minutes = soon\n",
         "t.conf:5: [arrival] early_minutes: 'soon' is not a whole number"},
        {"[kiosk]\ndesk = D\nid = K1\n[arrival]\nearly_minutes = 99999\n",
         "t.conf:5: [arrival] early_minutes: 99999 is outside 0 to 1440"},
        {"[kiosk]\ndesk = D\nid = K1\nid = K2\n", "t.conf:4: [kiosk] id is set twice"},
        {"[kiosk]\ndesk = D\nid = K1\nlanguages = nl,xx\n",
         "t.conf:4: [kiosk] languages: 'xx' is not one of"},
        {"[kiosk]\ndesk = D\nid = K1\nfullscreen = maybe\n", "t.conf:4: [kiosk] fullscreen"},
        {"[kiosk]\ndesk = D\nid = K1\n[nowhere]\n", "t.conf:4: unknown section [nowhere]"},
        {"desk = D\n", "t.conf:1: 'desk = D' comes before any [section]"},
        {"[kiosk]\ndesk D\n", "t.conf:2: 'desk D' is not 'key = value'"},
        {"[kiosk\n", "t.conf:1: '[kiosk' is not a [section] line"},
        {"[kiosk]\ndesk = D\nid = K1\n[screen]\nwidth_mm = nan\n", "t.conf:5: [screen] width_mm"},
        {"[kiosk]\ndesk = D\nid = K1\ndefault_language = de\n", "'de' is not one of nl, en"},
        {"[kiosk]\ndesk = D\xff\n", "not UTF-8"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        config *cfg = (config *)0x1;
        g_autofree char *message = NULL;
        g_assert_cmpint(config_load_text(cases[i].text, "t.conf", &cfg, &message), ==,
                        BK_ERR_INVALID);
        g_assert_true(cfg == (config *)0x1);
        if (message == NULL || strstr(message, cases[i].expect) == NULL)
            g_error("case %zu: '%s' does not contain '%s'", i, message, cases[i].expect);
    }
}

static void test_example_loads_once_filled(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    config_write_example(f);
    fclose(f);
    g_assert_nonnull(strstr(buf, "[kiosk]"));
    /* the example as written lacks the required keys ... */
    config *cfg = NULL;
    g_autofree char *message = NULL;
    g_assert_cmpint(config_load_text(buf, "example", &cfg, &message), ==, BK_ERR_INVALID);
    /* ... and loads once they are filled in */
    GString *filled = g_string_new(buf);
    g_string_replace(filled, "\ndesk = \n", "\ndesk = ZWOLLE\n", 1);
    g_string_replace(filled, "\nid = \n", "\nid = ZWOLLE-01\n", 1);
    g_assert_cmpint(config_load_text(filled->str, "example", &cfg, NULL), ==, BK_OK);
    g_assert_cmpstr(config_get_string(cfg, CONFIG_KIOSK_DESK), ==, "ZWOLLE");
    config_free(cfg);
    g_string_free(filled, TRUE);
    free(buf);
}

/* The table's enumerators and names agree both ways, and every default passes its own checks. */
static void test_keys(void)
{
    g_assert_cmpstr(config_key_name(CONFIG_PHOTO_ENABLED), ==, "photo.enabled");
    g_assert_cmpint(config_key_kind(CONFIG_PHOTO_ENABLED), ==, CONFIG_KIND_BOOL);
    for (int k = 0; k < CONFIG_N_KEYS; k++) {
        config_key found = CONFIG_N_KEYS;
        g_assert_true(config_key_find(config_key_name((config_key)k), &found));
        g_assert_cmpint(found, ==, k);
    }
    config_key untouched = CONFIG_KIOSK_ID;
    g_assert_false(config_key_find("photo.nope", &untouched));
    g_assert_cmpint(untouched, ==, CONFIG_KIOSK_ID);
    /* a default set again by name is accepted */
    config *cfg = config_new();
    for (int k = 0; k < CONFIG_N_KEYS; k++) {
        if (!config_is_set(cfg, (config_key)k) && config_get_string(cfg, (config_key)k)[0] != 0) {
            g_autofree char *value = g_strdup(config_get_string(cfg, (config_key)k));
            g_autofree char *message = NULL;
            if (config_set(cfg, config_key_name((config_key)k), value, &message) != BK_OK)
                g_error("default of %s refused: %s", config_key_name((config_key)k), message);
        }
    }
    config_free(cfg);
}

/* Names are limited as the record limits its identifiers (core/limits.h): a kiosk id the
 * configuration takes always makes records. */
static void test_name_limit(void)
{
    char longest[BK_IDENT_MAX + 2];
    memset(longest, 'K', sizeof longest - 1);
    longest[BK_IDENT_MAX] = '\0';
    config *cfg = config_new();
    g_autofree char *m1 = NULL, *m2 = NULL;
    g_assert_cmpint(config_set(cfg, "kiosk.id", "ROTTERDAM-ZUID-02", &m1), ==, BK_OK);
    g_assert_cmpint(config_set(cfg, "kiosk.id", longest, &m1), ==, BK_OK);
    longest[BK_IDENT_MAX] = 'K';
    longest[BK_IDENT_MAX + 1] = '\0';
    g_assert_cmpint(config_set(cfg, "kiosk.id", longest, &m2), ==, BK_ERR_INVALID);
    g_assert_nonnull(strstr(m2, "longer than 32"));
    config_free(cfg);
}

static void test_missing_file(void)
{
    config *cfg = NULL;
    g_autofree char *message = NULL;
    g_assert_cmpint(config_load("/nonexistent/biokiosk.conf", &cfg, &message), ==, BK_ERR_IO);
    g_assert_nonnull(strstr(message, "/nonexistent/biokiosk.conf"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/good", test_good);
    g_test_add_func("/config/bad", test_bad);
    g_test_add_func("/config/example", test_example_loads_once_filled);
    g_test_add_func("/config/keys", test_keys);
    g_test_add_func("/config/name-limit", test_name_limit);
    g_test_add_func("/config/missing-file", test_missing_file);
    return g_test_run();
}
