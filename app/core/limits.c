/* The checks of core/limits.h: one definition of what an identifier, a V-number and a text may
 * hold, for every part that accepts or writes them. */
#include "core/limits.h"

#include <string.h>

bool bk_ident_ok(const char *s)
{
    size_t len = s != NULL ? strlen(s) : 0;
    if (len == 0 || len > BK_IDENT_MAX)
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        char c = *p;
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '_')
            return false;
    }
    return true;
}

bool bk_v_number_ok(const char *s)
{
    return s != NULL && strlen(s) == BK_V_NUMBER_DIGITS &&
           strspn(s, "0123456789") == BK_V_NUMBER_DIGITS;
}

/* The length of the UTF-8 sequence at p (1-4), or 0 when it is not well-formed (overlong forms,
 * surrogates and code points above U+10FFFF included). */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned long cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    static const unsigned long least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool bk_text_ok(const char *s, size_t max)
{
    size_t len = s != NULL ? strlen(s) : 0;
    if (len == 0 || len > max)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        if (*p < 0x20 || *p == 0x7F)
            return false;
        size_t n = utf8_sequence(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}
