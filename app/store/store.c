/* The logic every backend shares: opening by URI, the answers to a code, status changes on top of
 * the backends' one atomic transition, and the back-office import. */
#include "store/store.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "jsoncheck/jsoncheck.h"
#include "store/store-backend.h"

/* How often a status change is retried when another kiosk changed the row between our read and
 * our conditional update; each retry reads the new state, so two rounds settle every race. */
#define TRANSITION_ROUNDS 5

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

static caldate local_day(int64_t seconds, int offset_minutes)
{
    int64_t local = seconds + (int64_t)offset_minutes * 60;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    return caldate_from_days((long)days);
}

void store_time_format(int64_t seconds, int offset_minutes, char buf[static 26])
{
    int64_t local = seconds + (int64_t)offset_minutes * 60;
    caldate d = local_day(seconds, offset_minutes);
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

/* ---- answering a code ---- */

typedef enum op {
    OP_CHECK,
    OP_CHECKIN,
    OP_RELEASE,
    OP_COMPLETE,
    OP_NO_SHOW,
} op;

/* A status change the answer needs, if any. */
typedef struct step {
    bool needed;
    store_status from;
    const char *from_kiosk;
    store_status to;
    const char *new_kiosk;
} step;

static store_result window(const store_appointment *a, const store_arrival *arr)
{
    if (arr->ignore_window)
        return STORE_RESULT_OK;
    int64_t earliest = a->start - (int64_t)arr->early_minutes * 60;
    int64_t latest = a->start + (int64_t)arr->late_minutes * 60;
    if (arr->now >= earliest && arr->now <= latest)
        return STORE_RESULT_OK;
    if (caldate_cmp(local_day(arr->now, a->offset_minutes), a->day) != 0)
        return STORE_RESULT_WRONG_DAY;
    return arr->now < earliest ? STORE_RESULT_TOO_EARLY : STORE_RESULT_TOO_LATE;
}

static bool same_kiosk(const store_appointment *a, const store_arrival *arr)
{
    return arr->kiosk != NULL && a->kiosk != NULL && strcmp(a->kiosk, arr->kiosk) == 0;
}

/* The answer for appointment a as it stands, and the change that would make it so. */
static store_result decide(op o, const store_appointment *a, const store_arrival *arr, step *st)
{
    memset(st, 0, sizeof *st);
    if (strcmp(a->desk, arr->desk) != 0)
        return STORE_RESULT_WRONG_DESK;
    if (a->status == STORE_STATUS_CANCELLED)
        return STORE_RESULT_CANCELLED;
    switch (o) {
    case OP_CHECK:
    case OP_CHECKIN:
        if (a->status == STORE_STATUS_CHECKED_IN)
            return same_kiosk(a, arr) ? STORE_RESULT_OK : STORE_RESULT_ALREADY_USED;
        if (a->status != STORE_STATUS_BOOKED)
            return STORE_RESULT_ALREADY_USED;
        store_result w = window(a, arr);
        if (w == STORE_RESULT_OK && o == OP_CHECKIN)
            *st = (step){true, STORE_STATUS_BOOKED, NULL, STORE_STATUS_CHECKED_IN, arr->kiosk};
        return w;
    case OP_RELEASE:
        if (a->status == STORE_STATUS_COMPLETED)
            return STORE_RESULT_ALREADY_USED;
        if (a->status == STORE_STATUS_CHECKED_IN || a->status == STORE_STATUS_NO_SHOW)
            *st = (step){true, a->status, a->kiosk, STORE_STATUS_BOOKED, NULL};
        return STORE_RESULT_OK;
    case OP_COMPLETE:
        if (a->status == STORE_STATUS_BOOKED || a->status == STORE_STATUS_NO_SHOW)
            return STORE_RESULT_NOT_CHECKED_IN;
        if (!same_kiosk(a, arr))
            return STORE_RESULT_ALREADY_USED;
        if (a->status == STORE_STATUS_CHECKED_IN)
            *st = (step){true, STORE_STATUS_CHECKED_IN, arr->kiosk, STORE_STATUS_COMPLETED,
                         STORE_KEEP_KIOSK};
        return STORE_RESULT_OK;
    case OP_NO_SHOW:
        if (a->status == STORE_STATUS_CHECKED_IN || a->status == STORE_STATUS_COMPLETED)
            return STORE_RESULT_ALREADY_USED;
        if (a->status == STORE_STATUS_BOOKED)
            *st = (step){true, STORE_STATUS_BOOKED, NULL, STORE_STATUS_NO_SHOW, NULL};
        return STORE_RESULT_OK;
    }
    return STORE_RESULT_UNKNOWN;
}

static bk_err answer(store *s, op o, const char *typed, const store_arrival *arr,
                     store_result *result, char code_out[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    if (s == NULL || arr == NULL || arr->desk == NULL || result == NULL)
        return BK_ERR_INVALID;
    if ((o == OP_CHECKIN || o == OP_COMPLETE) && arr->kiosk == NULL)
        return BK_ERR_INVALID;
    char code[APPTCODE_LEN + 1] = "";
    apptcode_check c = apptcode_parse(typed, code);
    if (c != APPTCODE_OK) {
        *result = c == APPTCODE_MALFORMED ? STORE_RESULT_MALFORMED : STORE_RESULT_CHECK_FAILED;
        if (code_out != NULL)
            memcpy(code_out, code, sizeof code);
        if (appointment != NULL)
            *appointment = NULL;
        return BK_OK;
    }
    store_appointment *a = NULL;
    store_result r = STORE_RESULT_UNKNOWN;
    bk_err err = BK_OK;
    for (int round = 0; round < TRANSITION_ROUNDS; round++) {
        store_appointment_free(a);
        a = NULL;
        err = s->backend->get(s, code, &a);
        if (err == BK_ERR_NOT_FOUND) {
            err = BK_OK;
            r = STORE_RESULT_UNKNOWN;
            break;
        }
        if (err != BK_OK)
            break;
        step st;
        r = decide(o, a, arr, &st);
        if (!st.needed)
            break;
        bool changed = false;
        err = s->backend->transition(s, code, st.from, st.from_kiosk, st.to, st.new_kiosk, arr->now,
                                     &changed);
        if (err != BK_OK)
            break;
        if (changed) {
            a->status = st.to;
            if (st.new_kiosk != STORE_KEEP_KIOSK) {
                g_free(a->kiosk);
                a->kiosk = g_strdup(st.new_kiosk);
            }
            break;
        }
        /* Someone else changed the row between our read and our update: read it again. */
        err = BK_ERR_BUSY;
    }
    if (err != BK_OK) {
        store_appointment_free(a);
        return err == BK_ERR_BUSY ? BK_ERR_UNAVAILABLE : err;
    }
    *result = r;
    if (code_out != NULL)
        memcpy(code_out, code, sizeof code);
    if (appointment != NULL)
        *appointment = a;
    else
        store_appointment_free(a);
    return BK_OK;
}

bk_err store_check(store *s, const char *typed_code, const store_arrival *arrival,
                   store_result *result, char code[static APPTCODE_LEN + 1],
                   store_appointment **appointment)
{
    return answer(s, OP_CHECK, typed_code, arrival, result, code, appointment);
}

bk_err store_checkin(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    return answer(s, OP_CHECKIN, typed_code, arrival, result, code, appointment);
}

bk_err store_release(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    return answer(s, OP_RELEASE, typed_code, arrival, result, code, appointment);
}

bk_err store_complete(store *s, const char *typed_code, const store_arrival *arrival,
                      store_result *result, char code[static APPTCODE_LEN + 1],
                      store_appointment **appointment)
{
    return answer(s, OP_COMPLETE, typed_code, arrival, result, code, appointment);
}

bk_err store_no_show(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment)
{
    return answer(s, OP_NO_SHOW, typed_code, arrival, result, code, appointment);
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

/* ---- import ---- */

static void digest_add(GChecksum *sum, const char *text)
{
    char len[24];
    g_snprintf(len, sizeof len, "%zu:", strlen(text));
    g_checksum_update(sum, (const guchar *)len, -1);
    g_checksum_update(sum, (const guchar *)text, -1);
}

static void digest_add_date(GChecksum *sum, bool has, caldate d)
{
    char buf[11] = "-";
    if (has)
        caldate_format(d, buf);
    digest_add(sum, buf);
}

/* The back-office fields (not status, not kiosk) in one SHA-256, so that a re-import can tell
 * "unchanged" from "changed" without comparing field by field. */
static void digest_of(const store_appointment *a, char out[65])
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    char num[64];
    digest_add(sum, a->code);
    digest_add(sum, a->desk);
    g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT "/%d/%d/%d", a->start, a->offset_minutes,
               a->minutes, a->urgent ? 1 : 0);
    digest_add(sum, num);
    for (size_t i = 0; i < a->n_persons; i++) {
        const store_person *p = &a->persons[i];
        digest_add(sum, p->v_number);
        digest_add(sum, p->name);
        digest_add(sum, p->born_in_nl ? "nl" : "-");
        digest_add(sum, rules_category_str(p->rules.category));
        digest_add_date(sum, true, p->rules.birth);
        digest_add_date(sum, true, p->rules.applied);
        digest_add_date(sum, p->rules.has_photo, p->rules.photo);
        digest_add_date(sum, p->rules.has_fingerprints, p->rules.fingerprints);
        digest_add(sum, p->rules.fingerprints_poor ? "poor" : "-");
        digest_add_date(sum, p->rules.has_signature, p->rules.signature);
    }
    g_strlcpy(out, g_checksum_get_string(sum), 65);
    g_checksum_free(sum);
}

/* Appointments per round of look-ups and writes: big enough that a backend sending them together
 * saves most round trips, small enough that the answers waiting on the socket stay small. */
#define IMPORT_BATCH 200

static bk_err meta_batch(store *s, const char *const *codes, size_t n, store_meta *metas,
                         bool *found)
{
    if (s->backend->meta_many != NULL)
        return s->backend->meta_many(s, codes, n, metas, found);
    for (size_t i = 0; i < n; i++) {
        bk_err err = s->backend->meta(s, codes[i], &metas[i]);
        found[i] = err == BK_OK;
        if (err != BK_OK && err != BK_ERR_NOT_FOUND)
            return err;
    }
    return BK_OK;
}

static bk_err put_batch(store *s, const store_appointment *const *items, const char *const *digests,
                        const bool *exists, size_t n)
{
    if (s->backend->put_many != NULL)
        return n > 0 ? s->backend->put_many(s, items, digests, exists, n) : BK_OK;
    for (size_t i = 0; i < n; i++) {
        bk_err err = s->backend->put(s, items[i], digests[i], exists[i]);
        if (err != BK_OK)
            return err;
    }
    return BK_OK;
}

bk_err store_import_appointments(store *s, store_appointment *const *items, size_t n,
                                 store_import_report **report_out)
{
    if (s == NULL || (items == NULL && n > 0))
        return BK_ERR_INVALID;
    /* Distinct codes, so that the look-ups of one batch are not changed by its own writes. */
    GHashTable *codes = g_hash_table_new(g_str_hash, g_str_equal);
    bool distinct = true;
    for (size_t i = 0; distinct && i < n; i++)
        distinct = g_hash_table_add(codes, items[i]->code);
    g_hash_table_destroy(codes);
    if (!distinct)
        return BK_ERR_INVALID;

    store_import_report *report = g_new0(store_import_report, 1);
    GPtrArray *conflicts = g_ptr_array_new();
    const char *batch_codes[IMPORT_BATCH];
    store_meta metas[IMPORT_BATCH];
    bool found[IMPORT_BATCH];
    char digests[IMPORT_BATCH][65];
    const store_appointment *puts[IMPORT_BATCH];
    const char *put_digests[IMPORT_BATCH];
    bool put_exists[IMPORT_BATCH];
    bk_err err = s->backend->begin(s);
    for (size_t base = 0; err == BK_OK && base < n; base += IMPORT_BATCH) {
        size_t m = MIN(n - base, (size_t)IMPORT_BATCH);
        for (size_t k = 0; k < m; k++)
            batch_codes[k] = items[base + k]->code;
        err = meta_batch(s, batch_codes, m, metas, found);
        size_t n_puts = 0;
        for (size_t k = 0; err == BK_OK && k < m; k++) {
            const store_appointment *a = items[base + k];
            digest_of(a, digests[k]);
            if (!found[k]) {
                report->added++;
            } else {
                const store_meta *meta = &metas[k];
                bool same = strcmp(meta->digest, digests[k]) == 0;
                if (meta->status == STORE_STATUS_CHECKED_IN ||
                    meta->status == STORE_STATUS_COMPLETED) {
                    if (same && (a->status == STORE_STATUS_BOOKED || a->status == meta->status)) {
                        report->unchanged++;
                    } else {
                        char shown[APPTCODE_FORMATTED_LEN + 1];
                        apptcode_format(a->code, shown);
                        g_ptr_array_add(conflicts,
                                        g_strdup_printf("entry %zu (code %s): appointment is %s",
                                                        base + k, shown,
                                                        store_status_str(meta->status)));
                    }
                    continue;
                }
                if (same && a->status == meta->status) {
                    report->unchanged++;
                    continue;
                }
                report->updated++;
            }
            puts[n_puts] = a;
            put_digests[n_puts] = digests[k];
            put_exists[n_puts] = found[k];
            n_puts++;
        }
        if (err == BK_OK)
            err = put_batch(s, puts, put_digests, put_exists, n_puts);
    }
    if (err == BK_OK)
        err = s->backend->commit(s);
    else
        s->backend->rollback(s);
    report->n_conflicts = conflicts->len;
    g_ptr_array_add(conflicts, NULL);
    report->conflicts = (char **)g_ptr_array_free(conflicts, FALSE);
    if (err != BK_OK) {
        store_import_report_free(report);
        return err == BK_ERR_NOT_FOUND ? BK_ERR_UNAVAILABLE : err;
    }
    if (report_out != NULL)
        *report_out = report;
    else
        store_import_report_free(report);
    return BK_OK;
}

/* Problems of one file, "entry N: field: what". */
typedef struct problems {
    GPtrArray *lines;
} problems;

static void problem(problems *p, long entry, const char *field, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void problem(problems *p, long entry, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (entry < 0)
        g_ptr_array_add(p->lines, g_strdup_printf("file: %s", what));
    else
        g_ptr_array_add(p->lines, g_strdup_printf("entry %ld: %s: %s", entry, field, what));
}

/* Member `name` of object o as a string; reports missing (when required) or wrong type. */
static const char *get_string(JsonObject *o, const char *name, bool required, problems *p,
                              long entry, const char *field)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n)) {
        if (required)
            problem(p, entry, field, "missing");
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        problem(p, entry, field, "not a string");
        return NULL;
    }
    return json_node_get_string(n);
}

static bool get_bool(JsonObject *o, const char *name, bool *out, problems *p, long entry,
                     const char *field)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n)) {
        *out = false;
        return true;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
        problem(p, entry, field, "not true or false");
        return false;
    }
    *out = json_node_get_boolean(n);
    return true;
}

static bool get_date(JsonObject *o, const char *name, bool required, bool *has, caldate *out,
                     problems *p, long entry, const char *field)
{
    *has = false;
    size_t before = p->lines->len;
    const char *text = get_string(o, name, required, p, entry, field);
    if (text == NULL)
        return p->lines->len == before;
    if (caldate_parse(text, out) != BK_OK) {
        problem(p, entry, field, "not a date (YYYY-MM-DD)");
        return false;
    }
    *has = true;
    return true;
}

static void check_members(JsonObject *o, const char *const *known, problems *p, long entry,
                          const char *prefix)
{
    g_autofree const char **unknown = jsoncheck_unknown_members(o, known);
    for (size_t i = 0; unknown != NULL && unknown[i] != NULL; i++) {
        /* Named like the known fields: "persons[0].colour", or "colour" at the top. */
        g_autofree char *shown = g_strescape(unknown[i], NULL);
        g_autofree char *field = prefix != NULL ? g_strdup_printf("%s.%.40s", prefix, shown)
                                                : g_strdup_printf("%.40s", shown);
        problem(p, entry, field, "unknown field");
    }
}

static bool text_ok(const char *text, size_t max)
{
    size_t len = strlen(text);
    if (len == 0 || len > max || !g_utf8_validate(text, -1, NULL))
        return false;
    for (const char *c = text; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20)
            return false;
    return true;
}

static bool v_number_ok(const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > 20)
        return false;
    for (const char *c = text; *c != '\0'; c++)
        if (!g_ascii_isdigit(*c))
            return false;
    return true;
}

/* day is the appointment's day; when have_day is false (the start was invalid) the person's own
 * fields are still checked, but not how their dates fit the appointment. */
static void parse_person(JsonNode *node, long entry, size_t index, caldate day, bool have_day,
                         store_person *out, problems *p)
{
    static const char *const known[] = {"v_number", "name",       "birth_date", "category",
                                        "applied",  "born_in_nl", "previous",   NULL};
    static const char *const known_prev[] = {"photo", "fingerprints", "fingerprints_poor",
                                             "signature", NULL};
    char field[64];
    char prefix[32];
    g_snprintf(prefix, sizeof prefix, "persons[%zu]", index);
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        problem(p, entry, prefix, "not an object");
        return;
    }
    JsonObject *o = json_node_get_object(node);
    size_t before = p->lines->len;
    check_members(o, known, p, entry, prefix);

    g_snprintf(field, sizeof field, "%s.v_number", prefix);
    const char *v = get_string(o, "v_number", true, p, entry, field);
    if (v != NULL && !v_number_ok(v))
        problem(p, entry, field, "not a V-number (1 to 20 digits)");
    g_snprintf(field, sizeof field, "%s.name", prefix);
    const char *name = get_string(o, "name", true, p, entry, field);
    if (name != NULL && !text_ok(name, 200))
        problem(p, entry, field, "empty, too long or not text");
    bool has;
    rules_person r = {0};
    r.on = day;
    g_snprintf(field, sizeof field, "%s.birth_date", prefix);
    get_date(o, "birth_date", true, &has, &r.birth, p, entry, field);
    g_snprintf(field, sizeof field, "%s.applied", prefix);
    get_date(o, "applied", false, &has, &r.applied, p, entry, field);
    if (!has)
        r.applied = day;
    g_snprintf(field, sizeof field, "%s.category", prefix);
    const char *cat = get_string(o, "category", true, p, entry, field);
    if (cat != NULL && rules_category_parse(cat, &r.category) != BK_OK)
        problem(p, entry, field, "unknown category");
    bool born_in_nl = false;
    g_snprintf(field, sizeof field, "%s.born_in_nl", prefix);
    get_bool(o, "born_in_nl", &born_in_nl, p, entry, field);

    JsonNode *prev = json_object_get_member(o, "previous");
    if (prev != NULL && !JSON_NODE_HOLDS_NULL(prev)) {
        g_snprintf(field, sizeof field, "%s.previous", prefix);
        if (!JSON_NODE_HOLDS_OBJECT(prev)) {
            problem(p, entry, field, "not an object");
        } else {
            JsonObject *po = json_node_get_object(prev);
            check_members(po, known_prev, p, entry, field);
            g_snprintf(field, sizeof field, "%s.previous.photo", prefix);
            get_date(po, "photo", false, &r.has_photo, &r.photo, p, entry, field);
            g_snprintf(field, sizeof field, "%s.previous.fingerprints", prefix);
            get_date(po, "fingerprints", false, &r.has_fingerprints, &r.fingerprints, p, entry,
                     field);
            g_snprintf(field, sizeof field, "%s.previous.fingerprints_poor", prefix);
            get_bool(po, "fingerprints_poor", &r.fingerprints_poor, p, entry, field);
            g_snprintf(field, sizeof field, "%s.previous.signature", prefix);
            get_date(po, "signature", false, &r.has_signature, &r.signature, p, entry, field);
        }
    }
    if (p->lines->len != before || !have_day)
        return;
    const char *why = NULL;
    if (rules_validate(&r, &why) != BK_OK) {
        problem(p, entry, prefix, "%s", why != NULL ? why : "dates do not fit together");
        return;
    }
    out->v_number = g_strdup(v);
    out->name = g_strdup(name);
    out->born_in_nl = born_in_nl;
    out->rules = r;
}

/* One entry; NULL with problems added when invalid. */
static store_appointment *parse_entry(JsonNode *node, long entry, problems *p)
{
    static const char *const known[] = {"code",   "desk",   "start",   "minutes",
                                        "status", "urgent", "persons", NULL};
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        problem(p, entry, "entry", "not an object");
        return NULL;
    }
    JsonObject *o = json_node_get_object(node);
    size_t before = p->lines->len;
    store_appointment *a = store_appointment_new_empty();
    check_members(o, known, p, entry, NULL);

    const char *code = get_string(o, "code", true, p, entry, "code");
    if (code != NULL) {
        apptcode_check c = apptcode_parse(code, a->code);
        if (c == APPTCODE_MALFORMED)
            problem(p, entry, "code", "malformed (9 symbols of 0-9 A-Z without I L O U)");
        else if (c == APPTCODE_CHECK_FAILED)
            problem(p, entry, "code", "check symbol does not match");
    }
    const char *desk = get_string(o, "desk", true, p, entry, "desk");
    if (desk != NULL && !text_ok(desk, 64))
        problem(p, entry, "desk", "empty, too long or not text");
    a->desk = g_strdup(desk);
    const char *start = get_string(o, "start", true, p, entry, "start");
    bool have_start = false;
    if (start != NULL) {
        if (store_time_parse(start, &a->start, &a->offset_minutes) != BK_OK)
            problem(p, entry, "start", "not a time with offset (2026-11-23T09:30:00+01:00)");
        else
            have_start = true;
    }
    a->day = local_day(a->start, a->offset_minutes);
    JsonNode *m = json_object_get_member(o, "minutes");
    if (m == NULL || JSON_NODE_HOLDS_NULL(m))
        problem(p, entry, "minutes", "missing");
    else if (!JSON_NODE_HOLDS_VALUE(m) || json_node_get_value_type(m) != G_TYPE_INT64 ||
             json_node_get_int(m) < 1 || json_node_get_int(m) > 24 * 60)
        problem(p, entry, "minutes", "not a whole number from 1 to 1440");
    else
        a->minutes = (int)json_node_get_int(m);
    const char *status = get_string(o, "status", false, p, entry, "status");
    a->status = STORE_STATUS_BOOKED;
    if (status != NULL) {
        if (store_status_parse(status, &a->status) != BK_OK)
            problem(p, entry, "status", "unknown status");
        else if (a->status == STORE_STATUS_CHECKED_IN)
            problem(p, entry, "status", "checked-in is set by the kiosks, not imported");
    }
    get_bool(o, "urgent", &a->urgent, p, entry, "urgent");

    JsonNode *persons = json_object_get_member(o, "persons");
    if (persons == NULL || JSON_NODE_HOLDS_NULL(persons)) {
        problem(p, entry, "persons", "missing");
    } else if (!JSON_NODE_HOLDS_ARRAY(persons)) {
        problem(p, entry, "persons", "not an array");
    } else {
        JsonArray *arr = json_node_get_array(persons);
        guint n = json_array_get_length(arr);
        if (n == 0 || n > 20) {
            problem(p, entry, "persons", "must list 1 to 20 persons");
        } else {
            a->persons = g_new0(store_person, n);
            for (guint i = 0; i < n; i++) {
                parse_person(json_array_get_element(arr, i), entry, i, a->day, have_start,
                             &a->persons[a->n_persons], p);
                if (a->persons[a->n_persons].v_number != NULL)
                    a->n_persons++;
            }
        }
    }
    if (p->lines->len != before) {
        store_appointment_free(a);
        return NULL;
    }
    return a;
}

/* Checks entry i and adds it to items, or adds its problems. */
static void add_entry(JsonNode *node, guint i, problems *p, GHashTable *seen, GPtrArray *items)
{
    store_appointment *a = parse_entry(node, i, p);
    if (a == NULL)
        return;
    gpointer first = NULL;
    if (g_hash_table_lookup_extended(seen, a->code, NULL, &first)) {
        problem(p, i, "code", "duplicate of entry %u", GPOINTER_TO_UINT(first));
        store_appointment_free(a);
        return;
    }
    g_hash_table_insert(seen, g_strdup(a->code), GUINT_TO_POINTER(i));
    g_ptr_array_add(items, a);
}

/* The whole file as one json-glib tree: the reference reading, and the one that gives the
 * parser's own message for a file that is not JSON. */
static void parse_whole(const char *json, size_t length, problems *p, GHashTable *seen,
                        GPtrArray *items)
{
    JsonParser *parser = json_parser_new_immutable();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, json, (gssize)length, &error)) {
        problem(p, -1, NULL, "not JSON: %s", error->message);
        g_error_free(error);
    } else {
        JsonNode *root = json_parser_get_root(parser);
        JsonNode *list = NULL;
        if (root != NULL && JSON_NODE_HOLDS_OBJECT(root))
            list = json_object_get_member(json_node_get_object(root), "appointments");
        if (list == NULL || !JSON_NODE_HOLDS_ARRAY(list)) {
            problem(p, -1, NULL, "needs an object with an array \"appointments\"");
        } else {
            JsonArray *arr = json_node_get_array(list);
            for (guint i = 0; i < json_array_get_length(arr); i++)
                add_entry(json_array_get_element(arr, i), i, p, seen, items);
        }
    }
    g_object_unref(parser);
}

/* A scanner that only finds where a JSON value ends, so that the entries of a large file can be
 * parsed one at a time: a json-glib tree of a whole file costs about 4 KB per appointment. It
 * does not validate; every piece is parsed by json-glib, and whatever it does not understand
 * sends the file to parse_whole. */
typedef struct scan {
    const char *p, *end;
} scan;

static void skip_space(scan *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r'))
        sc->p++;
}

static bool skip_string(scan *sc)
{
    for (sc->p++; sc->p < sc->end; sc->p++) {
        if (*sc->p == '\\')
            sc->p++;
        else if (*sc->p == '"') {
            sc->p++;
            return true;
        }
    }
    return false;
}

static bool skip_value(scan *sc)
{
    if (sc->p >= sc->end)
        return false;
    if (*sc->p == '"')
        return skip_string(sc);
    if (*sc->p != '{' && *sc->p != '[') {
        const char *from = sc->p;
        while (sc->p < sc->end && strchr(",}] \t\r\n", *sc->p) == NULL)
            sc->p++;
        return sc->p > from;
    }
    int depth = 0;
    while (sc->p < sc->end) {
        char c = *sc->p;
        if (c == '"') {
            if (!skip_string(sc))
                return false;
            continue;
        }
        sc->p++;
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return true;
    }
    return false;
}

/* Reads {"appointments": [entry, ...], ...} entry by entry. False when the file is not of that
 * plain shape (nothing added then). */
static bool parse_pieces(const char *json, size_t length, problems *p, GHashTable *seen,
                         GPtrArray *items)
{
    scan sc = {json, json + length};
    GArray *spans = g_array_new(FALSE, FALSE, sizeof(size_t));
    bool found = false, ok = true;
    skip_space(&sc);
    ok = sc.p < sc.end && *sc.p == '{';
    if (ok)
        sc.p++;
    while (ok) {
        skip_space(&sc);
        if (sc.p < sc.end && *sc.p == '}') {
            sc.p++;
            break;
        }
        const char *key = sc.p;
        ok = sc.p < sc.end && *sc.p == '"' && skip_string(&sc);
        if (!ok)
            break;
        bool is_list = sc.p - key == (ptrdiff_t)strlen("\"appointments\"") &&
                       memcmp(key, "\"appointments\"", (size_t)(sc.p - key)) == 0;
        skip_space(&sc);
        ok = sc.p < sc.end && *sc.p == ':';
        if (!ok)
            break;
        sc.p++;
        skip_space(&sc);
        if (is_list) {
            ok = !found && sc.p < sc.end && *sc.p == '[';
            found = true;
            if (!ok)
                break;
            sc.p++;
            skip_space(&sc);
            if (sc.p < sc.end && *sc.p == ']') {
                sc.p++;
            } else {
                while (ok) {
                    skip_space(&sc);
                    size_t from = (size_t)(sc.p - json);
                    ok = skip_value(&sc);
                    size_t to = (size_t)(sc.p - json);
                    g_array_append_val(spans, from);
                    g_array_append_val(spans, to);
                    skip_space(&sc);
                    if (ok && sc.p < sc.end && *sc.p == ']') {
                        sc.p++;
                        break;
                    }
                    ok = ok && sc.p < sc.end && *sc.p == ',';
                    sc.p++;
                }
            }
        } else {
            ok = skip_value(&sc);
        }
        if (!ok)
            break;
        skip_space(&sc);
        if (sc.p < sc.end && *sc.p == ',') {
            sc.p++;
            continue;
        }
        ok = sc.p < sc.end && *sc.p == '}';
        if (ok)
            sc.p++;
        break;
    }
    skip_space(&sc);
    ok = ok && found && sc.p == sc.end;
    /* Each piece must be JSON on its own; the first that is not sends the file to parse_whole. */
    JsonParser *parser = json_parser_new_immutable();
    for (guint i = 0; ok && i < spans->len / 2; i++) {
        size_t from = g_array_index(spans, size_t, 2 * i);
        size_t to = g_array_index(spans, size_t, 2 * i + 1);
        ok = json_parser_load_from_data(parser, json + from, (gssize)(to - from), NULL);
    }
    if (ok) {
        for (guint i = 0; i < spans->len / 2; i++) {
            size_t from = g_array_index(spans, size_t, 2 * i);
            size_t to = g_array_index(spans, size_t, 2 * i + 1);
            if (json_parser_load_from_data(parser, json + from, (gssize)(to - from), NULL))
                add_entry(json_parser_get_root(parser), i, p, seen, items);
        }
    }
    g_object_unref(parser);
    g_array_free(spans, TRUE);
    return ok;
}

bk_err store_import(store *s, const char *json, size_t length, store_import_report **report_out)
{
    if (s == NULL || json == NULL || report_out == NULL)
        return BK_ERR_INVALID;
    problems p = {g_ptr_array_new_with_free_func(g_free)};
    GPtrArray *items = g_ptr_array_new_with_free_func((GDestroyNotify)store_appointment_free);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!parse_pieces(json, length, &p, seen, items))
        parse_whole(json, length, &p, seen, items);
    g_hash_table_destroy(seen);

    bk_err err;
    store_import_report *report = NULL;
    if (p.lines->len > 0) {
        report = g_new0(store_import_report, 1);
        report->n_problems = p.lines->len;
        g_ptr_array_add(p.lines, NULL);
        report->problems = (char **)g_ptr_array_free(p.lines, FALSE);
        report->conflicts = g_new0(char *, 1);
        err = BK_ERR_INVALID;
    } else {
        g_ptr_array_free(p.lines, TRUE);
        err = store_import_appointments(s, (store_appointment *const *)items->pdata, items->len,
                                        &report);
        if (err == BK_OK)
            report->problems = g_new0(char *, 1);
    }
    g_ptr_array_free(items, TRUE);
    if (err == BK_OK || err == BK_ERR_INVALID)
        *report_out = report;
    return err;
}

bk_err store_migrate(const store_sql *q, const char *const *migrations, const char *what,
                     char **message)
{
    bk_err err =
        q->exec(q->conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int version = 0;
    if (err == BK_OK)
        err = q->version(q->conn, &version);
    if (err == BK_OK && version > STORE_SCHEMA_VERSION) {
        q->exec(q->conn, "ROLLBACK");
        if (message != NULL)
            *message = g_strdup_printf("store: the database has schema version %d, newer than "
                                       "this program's %d",
                                       version, STORE_SCHEMA_VERSION);
        return BK_ERR_CORRUPT;
    }
    for (int v = version; err == BK_OK && v < STORE_SCHEMA_VERSION; v++) {
        err = q->exec(q->conn, migrations[v]);
        if (err == BK_OK) {
            g_autofree char *mark =
                g_strdup_printf("INSERT INTO schema_version (version) VALUES (%d)", v + 1);
            err = q->exec(q->conn, mark);
        }
    }
    if (err == BK_OK)
        err = q->exec(q->conn, "COMMIT");
    else
        q->exec(q->conn, "ROLLBACK");
    if (err != BK_OK && message != NULL)
        *message = g_strdup_printf("store: cannot create or migrate the %s schema", what);
    return err;
}

int store_schema_version(const store *s)
{
    (void)s;
    return STORE_SCHEMA_VERSION;
}
