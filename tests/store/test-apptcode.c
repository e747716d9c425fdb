/* Appointment codes: the check symbol, the forgiving reading, formatting and generation. */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "core/apptcode.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_known_checks(void)
{
    /* Worked by hand from the definition. 00000001: 1*2 = 2, check (32-2)%32 = 30 'Y'. */
    g_assert_cmpint(apptcode_check_symbol("00000001"), ==, 'Y');
    /* 00000010: second from the right has factor 1: sum 1, check 31 'Z'. */
    g_assert_cmpint(apptcode_check_symbol("00000010"), ==, 'Z');
    /* 0000000G: G = 16, 16*2 = 32 adds 32/32 + 32%32 = 1: check 31 'Z'. */
    g_assert_cmpint(apptcode_check_symbol("0000000G"), ==, 'Z');
    /* All zeros: sum 0, check 0. */
    g_assert_cmpint(apptcode_check_symbol("00000000"), ==, '0');
    /* ZZZZZZZZ: Z = 31; doubled 62 adds 1 + 30 = 31; four doubled + four plain: 8 * 31 = 248,
     * 248 % 32 = 24, check 8. */
    g_assert_cmpint(apptcode_check_symbol("ZZZZZZZZ"), ==, '8');
    g_assert_cmpint(apptcode_check_symbol("0000000U"), ==, '\0');
}

static void test_parse(void)
{
    char code[APPTCODE_LEN + 1];
    g_assert_cmpint(apptcode_parse("0000-0001-Y", code), ==, APPTCODE_OK);
    g_assert_cmpstr(code, ==, "00000001Y");
    /* Case, spaces, dashes, O for 0, I and L for 1, and the scanner's Enter. */
    g_assert_cmpint(apptcode_parse(" oooo o0o1 y\r\n", code), ==, APPTCODE_OK);
    g_assert_cmpstr(code, ==, "00000001Y");
    g_assert_cmpint(apptcode_parse("0000-000I-y", code), ==, APPTCODE_OK);
    g_assert_cmpint(apptcode_parse("0000-000l-Y", code), ==, APPTCODE_OK);
    g_assert_cmpint(apptcode_parse("0000--0001--Y", code), ==, APPTCODE_OK);
    /* A typo: right form, wrong check. The canonical form is still given back. */
    g_assert_cmpint(apptcode_parse("0000-0002-Y", code), ==, APPTCODE_CHECK_FAILED);
    g_assert_cmpstr(code, ==, "00000002Y");
    /* Malformed: length, characters; the output is untouched. */
    strcpy(code, "untouched");
    g_assert_cmpint(apptcode_parse("0000-0001", code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse("0000-0001-YY", code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse("0000-0001-U", code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse("0000_0001_Y", code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse("", code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse(NULL, code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse("0000-0001-Y'; DROP TABLE x; --", code), ==, APPTCODE_MALFORMED);
    g_assert_cmpint(apptcode_parse("0000\xc3\x98"
                                   "0001Y",
                                   code),
                    ==, APPTCODE_MALFORMED);
    g_assert_cmpstr(code, ==, "untouched");
}

static void test_format(void)
{
    char out[APPTCODE_FORMATTED_LEN + 1];
    apptcode_format("ABCDEFGHJ", out);
    g_assert_cmpstr(out, ==, "ABCD-EFGH-J");
}

/* Luhn mod N catches every single substituted symbol and every swap of two neighbours except
 * those of the one pair the algorithm cannot see; both are checked over many codes. */
static void test_typos_caught(void)
{
    GRand *rand = g_rand_new_with_seed(20261123);
    for (int n = 0; n < 2000; n++) {
        unsigned char bytes[APPTCODE_RANDOM_BYTES];
        for (int i = 0; i < APPTCODE_RANDOM_BYTES; i++)
            bytes[i] = (unsigned char)g_rand_int_range(rand, 0, 256);
        char code[APPTCODE_LEN + 1], back[APPTCODE_LEN + 1];
        apptcode_from_bytes(bytes, code);
        g_assert_cmpint(apptcode_parse(code, back), ==, APPTCODE_OK);
        g_assert_cmpstr(back, ==, code);
        for (int pos = 0; pos < APPTCODE_LEN; pos++) {
            for (int s = 0; s < 32; s++) {
                if (alphabet[s] == code[pos])
                    continue;
                char typo[APPTCODE_LEN + 1];
                memcpy(typo, code, sizeof typo);
                typo[pos] = alphabet[s];
                g_assert_cmpint(apptcode_parse(typo, back), ==, APPTCODE_CHECK_FAILED);
            }
        }
        for (int pos = 0; pos + 1 < APPTCODE_DATA_LEN; pos++) {
            char swapped[APPTCODE_LEN + 1];
            memcpy(swapped, code, sizeof swapped);
            swapped[pos] = code[pos + 1];
            swapped[pos + 1] = code[pos];
            bool invisible = (code[pos] == '0' && code[pos + 1] == 'Z') ||
                             (code[pos] == 'Z' && code[pos + 1] == '0');
            if (code[pos] != code[pos + 1] && !invisible)
                g_assert_cmpint(apptcode_parse(swapped, back), ==, APPTCODE_CHECK_FAILED);
        }
    }
    g_rand_free(rand);
}

static void test_from_bytes(void)
{
    /* 40 bits straight into 8 symbols: all zero bits give 00000000 and check 0. */
    const unsigned char zero[APPTCODE_RANDOM_BYTES] = {0};
    const unsigned char ones[APPTCODE_RANDOM_BYTES] = {0xff, 0xff, 0xff, 0xff, 0xff};
    const unsigned char one[APPTCODE_RANDOM_BYTES] = {0, 0, 0, 0, 1};
    char code[APPTCODE_LEN + 1];
    apptcode_from_bytes(zero, code);
    g_assert_cmpstr(code, ==, "000000000");
    apptcode_from_bytes(ones, code);
    g_assert_cmpstr(code, ==, "ZZZZZZZZ8");
    apptcode_from_bytes(one, code);
    g_assert_cmpstr(code, ==, "00000001Y");
    g_assert_cmpstr(apptcode_check_str(APPTCODE_CHECK_FAILED), ==, "check-failed");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/apptcode/known-checks", test_known_checks);
    g_test_add_func("/apptcode/parse", test_parse);
    g_test_add_func("/apptcode/format", test_format);
    g_test_add_func("/apptcode/typos-caught", test_typos_caught);
    g_test_add_func("/apptcode/from-bytes", test_from_bytes);
    return g_test_run();
}
