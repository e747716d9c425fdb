#include "core/apptcode.h"

#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The value of a symbol after the forgiving mapping, or -1. */
static int symbol_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    switch (c) {
    case 'O':
        c = '0';
        break;
    case 'I':
    case 'L':
        c = '1';
        break;
    default:
        break;
    }
    for (int i = 0; i < 32; i++)
        if (alphabet[i] == c)
            return i;
    return -1;
}

static int luhn32(const char data[static APPTCODE_DATA_LEN])
{
    int sum = 0;
    int factor = 2;
    for (int i = APPTCODE_DATA_LEN - 1; i >= 0; i--) {
        int v = symbol_value(data[i]);
        if (v < 0)
            return -1;
        int p = v * factor;
        sum += p / 32 + p % 32;
        factor = factor == 2 ? 1 : 2;
    }
    return (32 - sum % 32) % 32;
}

char apptcode_check_symbol(const char data[static APPTCODE_DATA_LEN])
{
    int check = luhn32(data);
    return check < 0 ? '\0' : alphabet[check];
}

apptcode_check apptcode_parse(const char *text, char canonical[static APPTCODE_LEN + 1])
{
    char buf[APPTCODE_LEN];
    size_t n = 0;
    if (text == NULL)
        return APPTCODE_MALFORMED;
    for (const char *p = text; *p != '\0'; p++) {
        char c = *p;
        if (c == ' ' || c == '-' || c == '\t' || c == '\r' || c == '\n')
            continue;
        int v = symbol_value(c);
        if (v < 0 || n == APPTCODE_LEN)
            return APPTCODE_MALFORMED;
        buf[n++] = alphabet[v];
    }
    if (n != APPTCODE_LEN)
        return APPTCODE_MALFORMED;
    memcpy(canonical, buf, APPTCODE_LEN);
    canonical[APPTCODE_LEN] = '\0';
    return apptcode_check_symbol(buf) == buf[APPTCODE_DATA_LEN] ? APPTCODE_OK
                                                                : APPTCODE_CHECK_FAILED;
}

void apptcode_format(const char canonical[static APPTCODE_LEN],
                     char out[static APPTCODE_FORMATTED_LEN + 1])
{
    memcpy(out, canonical, 4);
    out[4] = '-';
    memcpy(out + 5, canonical + 4, 4);
    out[9] = '-';
    out[10] = canonical[8];
    out[11] = '\0';
}

void apptcode_from_bytes(const unsigned char random[static APPTCODE_RANDOM_BYTES],
                         char canonical[static APPTCODE_LEN + 1])
{
    unsigned long long bits = 0;
    for (int i = 0; i < APPTCODE_RANDOM_BYTES; i++)
        bits = (bits << 8) | random[i];
    for (int i = APPTCODE_DATA_LEN - 1; i >= 0; i--) {
        canonical[i] = alphabet[bits & 31u];
        bits >>= 5;
    }
    canonical[APPTCODE_DATA_LEN] = apptcode_check_symbol(canonical);
    canonical[APPTCODE_LEN] = '\0';
}

const char *apptcode_check_str(apptcode_check check)
{
    switch (check) {
    case APPTCODE_OK:
        return "ok";
    case APPTCODE_MALFORMED:
        return "malformed";
    case APPTCODE_CHECK_FAILED:
        return "check-failed";
    }
    return "malformed";
}
