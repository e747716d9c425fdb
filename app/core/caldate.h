/* Calendar dates (proleptic Gregorian, no time of day, no time zone).
 *
 * The rules work on whole dates: birth dates, application dates, the appointment's day. Keeping
 * them apart from clock times means an age never depends on the kiosk's time zone.
 */
#ifndef BIOKIOSK_CALDATE_H
#define BIOKIOSK_CALDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"

typedef struct caldate {
    int year;  /* 1..9999 */
    int month; /* 1..12 */
    int day;   /* 1..days in that month */
} caldate;

/* True when the year, month and day name a real day between 0001-01-01 and 9999-12-31. */
bool caldate_valid(caldate d);

/* Parses exactly "YYYY-MM-DD" (ten characters, nothing before or after). Writes *out only on
 * success. BK_ERR_INVALID for any other text or for a day that does not exist (2023-02-29). */
bk_err caldate_parse(const char *text, caldate *out);

/* Writes "YYYY-MM-DD" and a terminating NUL into buf, which holds at least 11 bytes. */
void caldate_format(caldate d, char buf[static 11]);

/* <0, 0, >0 as a is before, equal to or after b. */
int caldate_cmp(caldate a, caldate b);

/* Days since 1970-01-01 (negative before); a and b valid. */
long caldate_to_days(caldate d);

/* The inverse of caldate_to_days. */
caldate caldate_from_days(long days);

bool caldate_is_leap_year(int year);
int caldate_days_in_month(int year, int month);

/* Whole years from birth to on; negative when on is before birth.
 *
 * A birthday is reached when the month and day of `on` are at or past those of the birth date.
 * So someone born on 29 February becomes a year older on 1 March in a year without a 29 February
 * (the day after 28 February), and on 29 February in a leap year. */
int caldate_age(caldate birth, caldate on);

/* The date on which someone born on `birth` reaches `years` years of age, following the same
 * convention as caldate_age (29 February gives 1 March in a non-leap year). */
caldate caldate_birthday(caldate birth, int years);

/* d moved by `months` calendar months; a day that does not exist in the target month becomes
 * that month's last day (31 August + 6 months = 28 or 29 February). */
caldate caldate_add_months(caldate d, int months);

#endif
