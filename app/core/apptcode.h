/* Appointment codes: 8 data symbols and 1 check symbol from Crockford's Base32 alphabet
 * (0123456789ABCDEFGHJKMNPQRSTVWXYZ), shown as XXXX-XXXX-X.
 *
 * The check symbol is Luhn mod 32 over the 8 data symbols: from the rightmost data symbol the
 * factors are 2, 1, 2, ...; each product p adds p / 32 + p % 32; check = (32 - sum % 32) % 32.
 * A single mistyped symbol and most swaps of neighbours change the check, so a typo is caught
 * before the store is asked.
 *
 * Pure: no I/O, no allocation, no randomness of its own (random bytes come in).
 */
#ifndef BIOKIOSK_APPTCODE_H
#define BIOKIOSK_APPTCODE_H

#include <stddef.h>

#define APPTCODE_DATA_LEN      8
#define APPTCODE_LEN           9  /* canonical form: 9 symbols, no dash */
#define APPTCODE_FORMATTED_LEN 11 /* XXXX-XXXX-X */
#define APPTCODE_RANDOM_BYTES  5  /* 40 bits = 8 symbols of 5 bits */

typedef enum apptcode_check {
    APPTCODE_OK,           /* a valid code */
    APPTCODE_MALFORMED,    /* wrong length, or a character outside the alphabet */
    APPTCODE_CHECK_FAILED, /* the right form, but the check symbol does not match: a typo */
} apptcode_check;

/* Reads a typed or scanned code forgivingly: case, spaces, tabs, line ends and dashes are
 * ignored, O reads as 0, I and L as 1. For APPTCODE_OK and APPTCODE_CHECK_FAILED, canonical
 * receives the 9 symbols and a NUL; for APPTCODE_MALFORMED it is untouched. text may be NULL
 * (malformed). */
apptcode_check apptcode_parse(const char *text, char canonical[static APPTCODE_LEN + 1]);

/* The check symbol for 8 data symbols of the alphabet (already canonical); '\0' when one of them
 * is not in the alphabet. */
char apptcode_check_symbol(const char data[static APPTCODE_DATA_LEN]);

/* Writes "XXXX-XXXX-X" and a NUL from a canonical code (9 symbols). */
void apptcode_format(const char canonical[static APPTCODE_LEN],
                     char out[static APPTCODE_FORMATTED_LEN + 1]);

/* A valid code from 5 random bytes (the caller draws them, e.g. with randombytes_buf): the 40
 * bits become the 8 data symbols, then the check symbol is appended. Writes 9 symbols and a NUL. */
void apptcode_from_bytes(const unsigned char random[static APPTCODE_RANDOM_BYTES],
                         char canonical[static APPTCODE_LEN + 1]);

/* "ok", "malformed", "check-failed". */
const char *apptcode_check_str(apptcode_check check);

#endif
