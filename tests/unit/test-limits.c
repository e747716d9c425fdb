/* core/limits.c: the one definition of an identifier, a V-number and a record's text that the
 * configuration, the import, the staff accounts and the record all use (issue 17: nothing one
 * part accepts may be refused by another later). */
#include <string.h>

#include <glib.h>

#include "core/limits.h"

static void test_ident(void)
{
    g_assert_true(bk_ident_ok("DEN-HAAG-07"));
    g_assert_true(bk_ident_ok("j_devries"));
    g_assert_true(bk_ident_ok("a"));
    char id[BK_IDENT_MAX + 2];
    memset(id, 'x', sizeof id);
    id[BK_IDENT_MAX] = '\0';
    g_assert_true(bk_ident_ok(id));
    id[BK_IDENT_MAX] = 'x';
    id[BK_IDENT_MAX + 1] = '\0';
    g_assert_false(bk_ident_ok(id));
    static const char *const bad[] = {"", "j.devries", "den haag", "a/b", "Zoë", "a\n", "a!"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (bk_ident_ok(bad[i]))
            g_error("'%s' taken for an identifier", bad[i]);
    g_assert_false(bk_ident_ok(NULL));
}

static void test_v_number(void)
{
    g_assert_true(bk_v_number_ok("3082294200"));
    g_assert_false(bk_v_number_ok("308229420"));
    g_assert_false(bk_v_number_ok("30822942001"));
    g_assert_false(bk_v_number_ok("308229420a"));
    g_assert_false(bk_v_number_ok(""));
    g_assert_false(bk_v_number_ok(NULL));
}

static void test_text(void)
{
    static const char *const good[] = {"Haddad, Amira", "Zoë Ó Súilleabháin", "Ковальенко", "حداد",
                                       "名前",          "\xF0\x9F\x98\x80" /* U+1F600 */};
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
        if (!bk_text_ok(good[i], 200))
            g_error("'%s' refused as a text", good[i]);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"", "empty"},
        {"Doe\x7f, John", "DEL"},
        {"Doe\t", "a tab"},
        {"Doe\nJohn", "a new line"},
        {"\x1b[31m", "an escape"},
        {"Zo\xC3", "a cut sequence"},
        {"\xC0\xAF", "an overlong '/'"},
        {"\xE0\x80\xAF", "an overlong '/' in 3 bytes"},
        {"\xED\xA0\x80", "a surrogate"},
        {"\xF4\x90\x80\x80", "beyond U+10FFFF"},
        {"\xF8\x88\x80\x80\x80", "a 5-byte form"},
        {"\x80", "a lone continuation byte"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (bk_text_ok(bad[i].text, 200))
            g_error("a text with %s taken", bad[i].why);
    g_assert_true(bk_text_ok("abcde", 5));
    g_assert_false(bk_text_ok("abcdef", 5));
    g_assert_false(bk_text_ok(NULL, 5));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/limits/ident", test_ident);
    g_test_add_func("/limits/v-number", test_v_number);
    g_test_add_func("/limits/text", test_text);
    return g_test_run();
}
