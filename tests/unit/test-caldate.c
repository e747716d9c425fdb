#include <glib.h>

#include "core/caldate.h"

static caldate d(int y, int m, int day)
{
    caldate c = {y, m, day};
    return c;
}

static void test_parse(void)
{
    static const struct {
        const char *text;
        gboolean ok;
    } cases[] = {
        {"2024-02-29", TRUE},   {"2023-02-29", FALSE}, {"2000-02-29", TRUE},
        {"1900-02-29", FALSE},  {"2024-04-31", FALSE}, {"2024-12-31", TRUE},
        {"2024-13-01", FALSE},  {"2024-00-10", FALSE}, {"2024-01-00", FALSE},
        {"0000-01-01", FALSE},  {"0001-01-01", TRUE},  {"9999-12-31", TRUE},
        {"2024-2-01", FALSE},   {"2024-02-1", FALSE},  {"2024-02-01x", FALSE},
        {" 2024-02-01", FALSE}, {"2024/02/01", FALSE}, {"", FALSE},
        {"20240201", FALSE},    {"2024-0a-01", FALSE}, {"+024-01-01", FALSE},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        caldate out = d(1, 1, 1);
        bk_err err = caldate_parse(cases[i].text, &out);
        if ((err == BK_OK) != cases[i].ok)
            g_error("parse '%s': expected %s", cases[i].text, cases[i].ok ? "ok" : "error");
        if (err == BK_OK) {
            char buf[11];
            caldate_format(out, buf);
            g_assert_cmpstr(buf, ==, cases[i].text);
        }
    }
    g_assert_cmpint(caldate_parse(NULL, NULL), ==, BK_ERR_INVALID);
}

static void test_days_round_trip(void)
{
    g_assert_cmpint(caldate_to_days(d(1970, 1, 1)), ==, 0);
    g_assert_cmpint(caldate_to_days(d(2000, 3, 1)), ==, 11017);
    g_assert_cmpint(caldate_to_days(d(1969, 12, 31)), ==, -1);
    for (long day = caldate_to_days(d(1, 1, 1)); day <= caldate_to_days(d(9999, 12, 31));
         day += 97) {
        caldate c = caldate_from_days(day);
        g_assert_true(caldate_valid(c));
        g_assert_cmpint(caldate_to_days(c), ==, day);
    }
}

static void test_age(void)
{
    g_assert_cmpint(caldate_age(d(2000, 5, 10), d(2018, 5, 9)), ==, 17);
    g_assert_cmpint(caldate_age(d(2000, 5, 10), d(2018, 5, 10)), ==, 18);
    g_assert_cmpint(caldate_age(d(2000, 5, 10), d(2000, 5, 10)), ==, 0);
    g_assert_cmpint(caldate_age(d(2000, 5, 10), d(2000, 5, 9)), ==, -1);
    /* 29 February: a year older on 1 March in a non-leap year, on 29 February in a leap year */
    g_assert_cmpint(caldate_age(d(2008, 2, 29), d(2026, 2, 28)), ==, 17);
    g_assert_cmpint(caldate_age(d(2008, 2, 29), d(2026, 3, 1)), ==, 18);
    g_assert_cmpint(caldate_age(d(2008, 2, 29), d(2028, 2, 28)), ==, 19);
    g_assert_cmpint(caldate_age(d(2008, 2, 29), d(2028, 2, 29)), ==, 20);
    caldate b = caldate_birthday(d(2008, 2, 29), 18);
    g_assert_true(caldate_cmp(b, d(2026, 3, 1)) == 0);
    b = caldate_birthday(d(2008, 2, 29), 20);
    g_assert_true(caldate_cmp(b, d(2028, 2, 29)) == 0);
    /* caldate_birthday and caldate_age agree on every day around every birthday */
    for (long day = caldate_to_days(d(2000, 1, 1)); day < caldate_to_days(d(2004, 1, 1)); day++) {
        caldate birth = caldate_from_days(day);
        for (int years = 1; years <= 18; years++) {
            caldate bd = caldate_birthday(birth, years);
            caldate before = caldate_from_days(caldate_to_days(bd) - 1);
            g_assert_cmpint(caldate_age(birth, bd), ==, years);
            g_assert_cmpint(caldate_age(birth, before), ==, years - 1);
        }
    }
}

static void test_add_months(void)
{
    g_assert_true(caldate_cmp(caldate_add_months(d(2026, 3, 1), 6), d(2026, 9, 1)) == 0);
    g_assert_true(caldate_cmp(caldate_add_months(d(2026, 8, 31), 6), d(2027, 2, 28)) == 0);
    g_assert_true(caldate_cmp(caldate_add_months(d(2027, 8, 31), 6), d(2028, 2, 29)) == 0);
    g_assert_true(caldate_cmp(caldate_add_months(d(2026, 12, 15), 1), d(2027, 1, 15)) == 0);
    g_assert_true(caldate_cmp(caldate_add_months(d(2026, 1, 31), -2), d(2025, 11, 30)) == 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/caldate/parse", test_parse);
    g_test_add_func("/caldate/days-round-trip", test_days_round_trip);
    g_test_add_func("/caldate/age", test_age);
    g_test_add_func("/caldate/add-months", test_add_months);
    return g_test_run();
}
