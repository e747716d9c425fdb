/* The back-office import: a JSON file checked entry by entry (every problem one line naming the
 * entry and the field), then written in one transaction, with what the kiosks changed since
 * (checked in, completed) reported as conflicts instead of overwritten. */
#include "store/store.h"

#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/limits.h"
#include "jsoncheck/jsoncheck.h"
#include "store/store-backend.h"

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
    if (v != NULL && !bk_v_number_ok(v))
        problem(p, entry, field, "not a V-number (%d digits)", BK_V_NUMBER_DIGITS);
    g_snprintf(field, sizeof field, "%s.name", prefix);
    const char *name = get_string(o, "name", true, p, entry, field);
    if (name != NULL && !bk_text_ok(name, 200))
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
    if (desk != NULL && !bk_ident_ok(desk))
        problem(p, entry, "desk", "not a desk name (1 to %d letters, digits, - or _)",
                BK_IDENT_MAX);
    a->desk = g_strdup(desk);
    const char *start = get_string(o, "start", true, p, entry, "start");
    bool have_start = false;
    if (start != NULL) {
        if (store_time_parse(start, &a->start, &a->offset_minutes) != BK_OK)
            problem(p, entry, "start", "not a time with offset (2026-11-23T09:30:00+01:00)");
        else
            have_start = true;
    }
    a->day = store_local_day(a->start, a->offset_minutes);
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
        if (n == 0 || n > BK_PERSONS_MAX) {
            problem(p, entry, "persons", "must list 1 to %d persons", BK_PERSONS_MAX);
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

/* Reads {"appointments": [entry, ...], ...} entry by entry: a json-glib tree of a whole file
 * costs about 4 KB per appointment, so the file is cut into its entries first (jsoncheck) and
 * each is parsed on its own. False when the file is not of that plain shape or a piece is not
 * JSON on its own (nothing added then): parse_whole reads it instead. */
static bool parse_pieces(const char *json, size_t length, problems *p, GHashTable *seen,
                         GPtrArray *items)
{
    GArray *spans = NULL;
    if (!jsoncheck_array_spans(json, length, "appointments", &spans))
        return false;
    bool ok = true;
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
