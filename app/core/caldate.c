#include "core/caldate.h"

bool caldate_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int caldate_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && caldate_is_leap_year(year))
        return 29;
    return days[month - 1];
}

bool caldate_valid(caldate d)
{
    if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12)
        return false;
    return d.day >= 1 && d.day <= caldate_days_in_month(d.year, d.month);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bk_err caldate_parse(const char *text, caldate *out)
{
    if (text == NULL)
        return BK_ERR_INVALID;
    for (int i = 0; i < 10; i++)
        if (text[i] == '\0')
            return BK_ERR_INVALID;
    if (text[10] != '\0' || text[4] != '-' || text[7] != '-')
        return BK_ERR_INVALID;
    caldate d = {digits(text, 4), digits(text + 5, 2), digits(text + 8, 2)};
    if (d.year < 0 || d.month < 0 || d.day < 0 || !caldate_valid(d))
        return BK_ERR_INVALID;
    *out = d;
    return BK_OK;
}

static void put_digits(char *out, unsigned value, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

void caldate_format(caldate d, char buf[static 11])
{
    put_digits(buf, (unsigned)d.year, 4);
    buf[4] = '-';
    put_digits(buf + 5, (unsigned)d.month, 2);
    buf[7] = '-';
    put_digits(buf + 8, (unsigned)d.day, 2);
    buf[10] = '\0';
}

int caldate_cmp(caldate a, caldate b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

/* Howard Hinnant's days-from-civil algorithm, with March as the first month of the year so
 * that the leap day is the last day of the shifted year. */
long caldate_to_days(caldate d)
{
    long y = d.year - (d.month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (d.month + 9) % 12;
    long doy = (153 * mp + 2) / 5 + d.day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

caldate caldate_from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    caldate d;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

int caldate_age(caldate birth, caldate on)
{
    int years = on.year - birth.year;
    if (on.month < birth.month || (on.month == birth.month && on.day < birth.day))
        years--;
    return years;
}

caldate caldate_birthday(caldate birth, int years)
{
    caldate d = {birth.year + years, birth.month, birth.day};
    if (d.month == 2 && d.day == 29 && !caldate_is_leap_year(d.year)) {
        d.month = 3;
        d.day = 1;
    }
    return d;
}

caldate caldate_add_months(caldate d, int months)
{
    int index = d.year * 12 + (d.month - 1) + months;
    caldate r = {index / 12, index % 12 + 1, d.day};
    int last = caldate_days_in_month(r.year, r.month);
    if (r.day > last)
        r.day = last;
    return r;
}
