/* Limits that more than one part of the program must agree on, defined once.
 *
 * The configuration, the appointment import, the store, the visit's flow and the record all
 * check against these, so that nothing one part accepts is refused by another later (a kiosk id
 * the configuration takes always makes valid records; an appointment the import takes can be
 * served in full and recorded).
 */
#ifndef BIOKIOSK_LIMITS_H
#define BIOKIOSK_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

/* Identifiers that go into the record's Type-1 and Type-2 fields and into file names: the desk,
 * the kiosk id, the staff id and the appointment code. 1 to this many of A-Z, a-z, 0-9, '-' and
 * '_' (the configuration's names are the subset A-Z, 0-9 and '-'). */
#define BK_IDENT_MAX 32

/* The transaction control number (1.009) is the kiosk id followed by "-YYYYMMDDhhmmssZ-" and
 * eight hex digits: this many characters after the kiosk id. */
#define BK_TCN_SUFFIX_LEN 25

/* The longest transaction control number: the longest kiosk id and the suffix. ANSI/NIST-ITL
 * 1-2011 sets no maximum for 1.009; the record refuses anything longer than this. */
#define BK_TCN_MAX (BK_IDENT_MAX + BK_TCN_SUFFIX_LEN)

/* The V-number: exactly this many digits. */
#define BK_V_NUMBER_DIGITS 10

/* Persons on one appointment: the import refuses more, check-in serves this many (the kiosk's
 * screens and the visit's person masks are laid out for them). */
#define BK_PERSONS_MAX 12

/* An identifier as above: 1 to BK_IDENT_MAX of A-Z, a-z, 0-9, '-' and '_'. */
bool bk_ident_ok(const char *s);

/* A V-number: exactly BK_V_NUMBER_DIGITS digits. */
bool bk_v_number_ok(const char *s);

/* A text of the record (a name, a reason): 1 to max bytes of well-formed UTF-8 without control
 * characters (below U+0020, and U+007F). */
bool bk_text_ok(const char *s, size_t max);

#endif
