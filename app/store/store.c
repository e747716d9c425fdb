/* The logic every backend shares: names, times and objects, opening by URI, and finding
 * appointments. The answers to a code are in store_answer.c, the back-office import in
 * store_import.c, the schema's migration in store_schema.c. */
#include "store/store.h"

#include <string.h>

#include <glib.h>

#include "store/store-backend.h"

static const char *const status_names[STORE_STATUS_COUNT_] = {
    "booked", "checked-in", "completed", "no-show", "cancelled",
};

static const char *const result_names[STORE_RESULT_COUNT_] = {
    "ok",           "malformed", "check-failed", "unknown",  "wrong-desk",     "cancelled",
    "already-used", "wrong-day", "too-early",    "too-late", "not-checked-in",
};

const char *store_status_str(store_status status)
{
    return (unsigned)status < STORE_STATUS_COUNT_ ? status_names[status] : "unknown";
}

bk_err store_status_parse(const char *text, store_status *out)
{
    for (int i = 0; text != NULL && i < STORE_STATUS_COUNT_; i++) {
        if (strcmp(text, status_names[i]) == 0) {
            *out = (store_status)i;
            return BK_OK;
        }
    }
    return BK_ERR_INVALID;
}

const char *store_result_str(store_result result)
{
    return (unsigned)result < STORE_RESULT_COUNT_ ? result_names[result] : "unknown";
}

/* ---- time ---- */

bk_err store_time_parse(const char *text, int64_t *seconds, int *offset_minutes)
{
    if (text == NULL || strchr(text, 'T') == NULL || strlen(text) > 40)
        return BK_ERR_INVALID;
    GDateTime *dt = g_date_time_new_from_iso8601(text, NULL);
    if (dt == NULL)
        return BK_ERR_INVALID;
    GTimeSpan off = g_date_time_get_utc_offset(dt);
    *seconds = g_date_time_to_unix(dt);
    if (offset_minutes != NULL)
        *offset_minutes = (int)(off / G_TIME_SPAN_MINUTE);
    g_date_time_unref(dt);
    return BK_OK;
}

caldate store_local_day(int64_t seconds, int offset_minutes)
{
    int64_t local = seconds + (int64_t)offset_minutes * 60;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    return caldate_from_days((long)days);
}

void store_time_format(int64_t seconds, int offset_minutes, char buf[static 26])
{
    int64_t local = seconds + (int64_t)offset_minutes * 60;
    caldate d = store_local_day(seconds, offset_minutes);
    int64_t in_day = local - (int64_t)caldate_to_days(d) * 86400;
    int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    char date[11];
    caldate_format(d, date);
    g_snprintf(buf, 26,
               "%s"
               "T%02d:%02d:%02d%c%02d:%02d",
               date, (int)(in_day / 3600), (int)(in_day / 60 % 60), (int)(in_day % 60),
               offset_minutes < 0 ? '-' : '+', off / 60 % 100, off % 60);
}

/* ---- objects ---- */

store_appointment *store_appointment_new_empty(void)
{
    return g_new0(store_appointment, 1);
}

void store_appointment_free(store_appointment *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->n_persons; i++) {
        g_free(a->persons[i].v_number);
        g_free(a->persons[i].name);
    }
    g_free(a->persons);
    g_free(a->desk);
    g_free(a->kiosk);
    g_free(a);
}

store_appointment *store_appointment_copy(const store_appointment *a)
{
    store_appointment *c = g_new0(store_appointment, 1);
    *c = *a;
    c->desk = g_strdup(a->desk);
    c->kiosk = g_strdup(a->kiosk);
    c->persons = g_new0(store_person, a->n_persons > 0 ? a->n_persons : 1);
    for (size_t i = 0; i < a->n_persons; i++) {
        c->persons[i] = a->persons[i];
        c->persons[i].v_number = g_strdup(a->persons[i].v_number);
        c->persons[i].name = g_strdup(a->persons[i].name);
    }
    return c;
}

void store_appointment_list_free(store_appointment_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->n; i++)
        store_appointment_free(list->items[i]);
    g_free(list->items);
    g_free(list);
}

void store_import_report_free(store_import_report *report)
{
    if (report == NULL)
        return;
    g_strfreev(report->conflicts);
    g_strfreev(report->problems);
    g_free(report);
}

void store_account_clear(staff_account *a)
{
    g_free(a->id);
    g_free(a->name);
    a->id = NULL;
    a->name = NULL;
}

/* ---- opening ---- */

bk_err store_open(const char *uri, store **out, char **message)
{
    const store_backend *backend = NULL;
    const char *target = NULL;
    if (uri != NULL && g_str_has_prefix(uri, "sqlite:")) {
        backend = &store_backend_sqlite;
        target = uri + strlen("sqlite:");
        if (*target == '\0') {
            if (message != NULL)
                *message = g_strdup("store: sqlite: needs a file path (sqlite:PATH)");
            return BK_ERR_INVALID;
        }
    } else if (uri != NULL &&
               (g_str_has_prefix(uri, "postgresql://") || g_str_has_prefix(uri, "postgres://"))) {
        backend = &store_backend_postgresql;
        target = uri;
    } else {
        if (message != NULL)
            *message = g_strdup("store: the URI must start with sqlite: or postgresql://");
        return BK_ERR_INVALID;
    }
    store *s = g_new0(store, 1);
    s->backend = backend;
    bk_err err = backend->open(s, target, message);
    if (err != BK_OK) {
        g_free(s);
        return err;
    }
    g_debug("store opened (%s)", backend->name);
    *out = s;
    return BK_OK;
}

void store_free(store *s)
{
    if (s == NULL)
        return;
    s->backend->close(s);
    g_free(s);
}

const char *store_backend_name(const store *s)
{
    return s->backend->name;
}

/* ---- find ---- */

static bk_err list_from_codes(store *s, char **codes, store_appointment_list **out)
{
    store_appointment_list *list = g_new0(store_appointment_list, 1);
    guint n = g_strv_length(codes);
    list->items = g_new0(store_appointment *, n + 1);
    for (guint i = 0; i < n; i++) {
        store_appointment *a = NULL;
        bk_err err = s->backend->get(s, codes[i], &a);
        if (err == BK_ERR_NOT_FOUND)
            continue; /* removed meanwhile */
        if (err != BK_OK) {
            store_appointment_list_free(list);
            return err;
        }
        list->items[list->n++] = a;
    }
    *out = list;
    return BK_OK;
}

bk_err store_find_by_v_number(store *s, const char *v_number, store_appointment_list **out)
{
    if (s == NULL || v_number == NULL || out == NULL)
        return BK_ERR_INVALID;
    char **codes = NULL;
    bk_err err = s->backend->find_v_number(s, v_number, &codes);
    if (err == BK_OK)
        err = list_from_codes(s, codes, out);
    g_strfreev(codes);
    return err;
}

bk_err store_find_by_name(store *s, const char *name, caldate birth, store_appointment_list **out)
{
    if (s == NULL || name == NULL || out == NULL || !caldate_valid(birth))
        return BK_ERR_INVALID;
    g_autofree char *copy = g_strstrip(g_strdup(name));
    g_autofree char *lower = g_ascii_strdown(copy, -1);
    char date[11];
    caldate_format(birth, date);
    char **codes = NULL;
    bk_err err = s->backend->find_name(s, lower, date, &codes);
    if (err == BK_OK)
        err = list_from_codes(s, codes, out);
    g_strfreev(codes);
    return err;
}

bk_err store_purge_persons(store *s, caldate today, int keep_days, size_t *purged)
{
    if (s == NULL || !caldate_valid(today) || keep_days < 0)
        return BK_ERR_INVALID;
    char before[11];
    caldate_format(caldate_from_days(caldate_to_days(today) - keep_days), before);
    long long n = 0;
    bk_err err = s->backend->purge_persons(s, before, &n);
    if (err == BK_OK) {
        g_info("store: removed the persons of %lld finished appointments before %s", n, before);
        if (purged != NULL)
            *purged = n > 0 ? (size_t)n : 0;
    }
    return err;
}

bk_err store_purge_persons_today(store *s, int keep_days, size_t *purged)
{
    GDateTime *now = g_date_time_new_now_local();
    caldate today = {g_date_time_get_year(now), g_date_time_get_month(now),
                     g_date_time_get_day_of_month(now)};
    g_date_time_unref(now);
    return store_purge_persons(s, today, keep_days, purged);
}

bk_err store_count_day(store *s, const char *desk, caldate day, size_t *count)
{
    if (s == NULL || desk == NULL || count == NULL || !caldate_valid(day))
        return BK_ERR_INVALID;
    char date[11];
    caldate_format(day, date);
    long long n = 0;
    bk_err err = s->backend->count_day(s, desk, date, &n);
    if (err == BK_OK)
        *count = n > 0 ? (size_t)n : 0;
    return err;
}

bk_err store_list_day(store *s, const char *desk, caldate day, store_appointment_list **out)
{
    if (s == NULL || desk == NULL || out == NULL || !caldate_valid(day))
        return BK_ERR_INVALID;
    char date[11];
    caldate_format(day, date);
    char **codes = NULL;
    bk_err err = s->backend->list_day(s, desk, date, &codes);
    if (err == BK_OK)
        err = list_from_codes(s, codes, out);
    g_strfreev(codes);
    return err;
}
