/* biokiosk record: build a sealed record from files (as the kiosk does at the end of a
 * session), and open one at the back office.
 *
 * PERSON.json (every member below; unknown members are refused):
 *   {"v_number": "1234567890", "surname": "...", "given_names": "...",
 *    "birth_date": "YYYY-MM-DD", "category": "third-country|eu-family-member|...",
 *    "appointment_code": "...", "desk": "...", "kiosk_id": "...", "staff_id": "...",
 *    "started": "YYYY-MM-DDThh:mm:ssZ", "ended": "YYYY-MM-DDThh:mm:ssZ",
 *    "plan": {"photo": {"action": "capture|reuse|by-post|none", "reason": "..."},
 *             "fingerprints": {...}, "signature": {...}},
 *    "fingers": [{"position": 2, "quality": 57, "algorithm": 15, "product": 2}],
 *    "exceptions": [{"item": "finger", "position": 7, "permanent": true, "reason": "..."}],
 *    "attempts": [{"item": "finger", "position": 2, "quality": 57, "threshold": 30,
 *                  "accepted": true, "veto": "none|accepted|rejected",
 *                  "time": "YYYY-MM-DDThh:mm:ssZ"}],
 *    "devices": [{"kind": "camera", "model": "...", "serial": "..."}]}
 * given_names, fingers (needed for each --finger), exceptions, attempts and devices may be
 * left out; "name_as_booked" (2.112) is the whole name when it could not be split; "applied"
 * (YYYY-MM-DD) is the application date the age rules use (default: the session's date). POINTS.json
 * is the signature pad's points file (drivers/sigpad/sigfile.h):
 * {"device": {"kind", "model", "serial", "width_mm", "height_mm", "counts_per_mm",
 * "pressure_max"}, "strokes": [[{"x_mm", "y_mm", "pressure", "t_ms"}, ...], ...]}; every device
 * member is optional; pressure (divided by pressure_max, default 1, to give 0..1) defaults to
 * 0.5 and t_ms to 0; points outside width_mm x height_mm (1 mm slack) are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/sigpad/sigfile.h"
#include "record/an2k.h"
#include "record/audit.h"
#include "core/biomem.h"
#include "cli/cli.h"
#include "cli/cmd_record.h"
#include "cli/commands.h"
#include "record/outbox.h"
#include "record/record.h"
#include "record/seal.h"
#include "imaging/sigrender.h"
#include "jsoncheck/jsoncheck.h"

#define CMD "record"

/* Everything parsed from the input files; owns what the session borrows. */
typedef struct inputs {
    JsonParser *person;
    sigink *ink;           /* the pen points as read (sigfile) */
    sigfile_device sigdev; /* the pad they come from; the record's device entry points here */
    record_session s;
    uint8_t *face; /* biomem */
    uint8_t *fingers[RECORD_MAX_FINGERS];
    GPtrArray *strings; /* converted time stamps */
    record_exception *exceptions;
    record_attempt *attempts;
    record_device *devices;
    record_stroke *strokes;
    record_point *points_buf; /* biomem */
} inputs;

static void inputs_clear(inputs *in)
{
    if (in->person)
        g_object_unref(in->person);
    sigink_free(in->ink);
    biomem_free(in->face);
    for (size_t i = 0; i < RECORD_MAX_FINGERS; i++)
        biomem_free(in->fingers[i]);
    if (in->strings)
        g_ptr_array_free(in->strings, TRUE);
    g_free(in->exceptions);
    g_free(in->attempts);
    g_free(in->devices);
    g_free(in->strokes);
    biomem_free(in->points_buf);
}

/* Reads a whole file into a biomem buffer (images are biometric data). */
static gboolean read_bio_file(const char *path, uint8_t **out, size_t *len, char *why,
                              size_t why_size)
{
    uint8_t *plain = NULL;
    size_t n = 0;
    bk_err err = outbox_read_file(path, &plain, &n);
    if (err != BK_OK || n == 0) {
        g_snprintf(why, why_size, "cannot read '%s': %s", path,
                   err != BK_OK ? bk_err_str(err) : "empty file");
        g_free(plain);
        return FALSE;
    }
    uint8_t *bio = biomem_alloc(n);
    if (bio != NULL)
        memcpy(bio, plain, n);
    biomem_wipe(plain, n);
    g_free(plain);
    if (bio == NULL) {
        g_snprintf(why, why_size, "out of memory");
        return FALSE;
    }
    *out = bio;
    *len = n;
    return TRUE;
}

static gboolean members_known(JsonObject *o, const char *const *known, const char *where, char *why,
                              size_t why_size)
{
    g_autofree const char **unknown = jsoncheck_unknown_members(o, known);
    if (unknown != NULL) {
        g_snprintf(why, why_size, "%s: unknown member \"%s\"", where, unknown[0]);
        return FALSE;
    }
    return TRUE;
}

/* A string member, or NULL when absent or not a string (*bad set then, if present). */
static const char *str_member(JsonObject *o, const char *name, gboolean *bad)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return NULL;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        *bad = TRUE;
        return NULL;
    }
    return json_node_get_string(n);
}

static gboolean int_member(JsonObject *o, const char *name, gint64 *out, gboolean *bad)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return FALSE;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64) {
        *bad = TRUE;
        return FALSE;
    }
    *out = json_node_get_int(n);
    return TRUE;
}

/* "YYYY-MM-DDThh:mm:ssZ" to "YYYYMMDDhhmmssZ" (kept in in->strings); NULL when malformed. */
static const char *stamp(inputs *in, const char *iso)
{
    if (iso == NULL || strlen(iso) != 20 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' ||
        iso[13] != ':' || iso[16] != ':' || iso[19] != 'Z')
        return NULL;
    char *s = g_strdup_printf("%.4s%.2s%.2s%.2s%.2s%.2sZ", iso, iso + 5, iso + 8, iso + 11,
                              iso + 14, iso + 17);
    g_ptr_array_add(in->strings, s);
    return s;
}

static JsonArray *array_member(JsonObject *o, const char *name, gboolean *bad)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(n)) {
        *bad = TRUE;
        return NULL;
    }
    return json_node_get_array(n);
}

static JsonObject *object_at(JsonArray *a, guint i)
{
    JsonNode *n = json_array_get_element(a, i);
    return JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static gboolean parse_plan(JsonObject *plan, const char *item, rules_action *action,
                           const char **reason, char *why, size_t why_size)
{
    static const char *const known[] = {"action", "reason", NULL};
    JsonNode *n = plan ? json_object_get_member(plan, item) : NULL;
    JsonObject *o = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
    gboolean bad = FALSE;
    const char *a = o ? str_member(o, "action", &bad) : NULL;
    *reason = o ? str_member(o, "reason", &bad) : NULL;
    if (o == NULL || a == NULL || *reason == NULL || bad ||
        rules_action_parse(a, action) != BK_OK) {
        g_snprintf(why, why_size,
                   "plan.%s needs \"action\" (capture, reuse, by-post, none) and "
                   "\"reason\"",
                   item);
        return FALSE;
    }
    return members_known(o, known, item, why, why_size);
}

/* The identity, the times and the plan: the members every record has. */
static gboolean parse_identity(inputs *in, JsonObject *o, char *why, size_t why_size)
{
    record_session *s = &in->s;
    gboolean bad = FALSE;
    s->v_number = str_member(o, "v_number", &bad);
    s->surname = str_member(o, "surname", &bad);
    s->given_names = str_member(o, "given_names", &bad);
    s->name_unsplit = str_member(o, "name_as_booked", &bad);
    s->birth_date = str_member(o, "birth_date", &bad);
    s->applied = str_member(o, "applied", &bad);
    s->appointment_code = str_member(o, "appointment_code", &bad);
    s->desk = str_member(o, "desk", &bad);
    s->kiosk_id = str_member(o, "kiosk_id", &bad);
    s->staff_id = str_member(o, "staff_id", &bad);
    const char *category = str_member(o, "category", &bad);
    if (bad) {
        g_snprintf(why, why_size, "--person: the identity members must be strings");
        return FALSE;
    }
    if (category == NULL || rules_category_parse(category, &s->category) != BK_OK) {
        g_snprintf(why, why_size,
                   "--person: category must be third-country, eu-family-member, "
                   "eu-citizen-permanent or mvv");
        return FALSE;
    }
    s->started = stamp(in, str_member(o, "started", &bad));
    s->ended = stamp(in, str_member(o, "ended", &bad));
    if (s->started == NULL || s->ended == NULL) {
        g_snprintf(why, why_size, "--person: started and ended must be YYYY-MM-DDThh:mm:ssZ");
        return FALSE;
    }
    JsonNode *plan_node = json_object_get_member(o, "plan");
    JsonObject *plan =
        plan_node && JSON_NODE_HOLDS_OBJECT(plan_node) ? json_node_get_object(plan_node) : NULL;
    static const char *const plan_known[] = {"photo", "fingerprints", "signature", NULL};
    if (plan == NULL || !members_known(plan, plan_known, "plan", why, why_size) ||
        !parse_plan(plan, "photo", &s->photo, &s->photo_reason, why, why_size) ||
        !parse_plan(plan, "fingerprints", &s->fingerprints, &s->fingerprints_reason, why,
                    why_size) ||
        !parse_plan(plan, "signature", &s->signature, &s->signature_reason, why, why_size)) {
        if (plan == NULL)
            g_snprintf(why, why_size, "--person: plan is required");
        return FALSE;
    }
    return TRUE;
}

/* Element i of the array `name`, an object with only known members; NULL with *why set. */
static JsonObject *list_item(JsonArray *a, guint i, const char *name, const char *const *known,
                             char *why, size_t why_size)
{
    JsonObject *e = object_at(a, i);
    if (e == NULL)
        g_snprintf(why, why_size, "--person: %s[%u] is not an object", name, i);
    else if (!members_known(e, known, name, why, why_size))
        return NULL;
    return e;
}

static gboolean parse_exceptions(inputs *in, JsonObject *o, gboolean *bad, char *why,
                                 size_t why_size)
{
    static const char *const k[] = {"item", "position", "permanent", "reason", NULL};
    JsonArray *a = array_member(o, "exceptions", bad);
    guint n = a ? json_array_get_length(a) : 0;
    in->exceptions = g_new0(record_exception, n + 1);
    for (guint i = 0; i < n; i++) {
        JsonObject *e = list_item(a, i, "exceptions", k, why, why_size);
        gint64 pos = 0;
        if (e == NULL)
            return FALSE;
        in->exceptions[i].item = str_member(e, "item", bad);
        in->exceptions[i].reason = str_member(e, "reason", bad);
        if (int_member(e, "position", &pos, bad))
            in->exceptions[i].position = pos >= 0 && pos <= 10 ? (unsigned)pos : 99;
        in->exceptions[i].permanent = json_object_has_member(e, "permanent") &&
                                      json_object_get_boolean_member(e, "permanent");
    }
    in->s.exceptions = in->exceptions;
    in->s.n_exceptions = n;
    return TRUE;
}

static gboolean parse_attempts(inputs *in, JsonObject *o, gboolean *bad, char *why, size_t why_size)
{
    static const char *const k[] = {"item",     "position", "quality", "threshold",
                                    "accepted", "veto",     "time",    NULL};
    JsonArray *a = array_member(o, "attempts", bad);
    guint n = a ? json_array_get_length(a) : 0;
    in->attempts = g_new0(record_attempt, n + 1);
    for (guint i = 0; i < n; i++) {
        JsonObject *e = list_item(a, i, "attempts", k, why, why_size);
        if (e == NULL)
            return FALSE;
        record_attempt *t = &in->attempts[i];
        gint64 v = 0;
        t->item = str_member(e, "item", bad);
        t->position = int_member(e, "position", &v, bad) && v >= 0 && v <= 10 ? (unsigned)v : 0;
        t->quality = int_member(e, "quality", &v, bad) && v >= 0 && v <= 100 ? (int)v : -1;
        t->threshold = int_member(e, "threshold", &v, bad) && v >= 0 && v <= 100 ? (int)v : -1;
        t->accepted =
            json_object_has_member(e, "accepted") && json_object_get_boolean_member(e, "accepted");
        const char *veto = str_member(e, "veto", bad);
        t->veto = veto == NULL || g_strcmp0(veto, "none") == 0 ? 'N'
                  : g_strcmp0(veto, "accepted") == 0           ? 'A'
                  : g_strcmp0(veto, "rejected") == 0           ? 'R'
                                                               : '?';
        t->time = stamp(in, str_member(e, "time", bad));
    }
    in->s.attempts = in->attempts;
    in->s.n_attempts = n;
    return TRUE;
}

static gboolean parse_devices(inputs *in, JsonObject *o, gboolean *bad, char *why, size_t why_size)
{
    static const char *const k[] = {"kind", "model", "serial", NULL};
    JsonArray *a = array_member(o, "devices", bad);
    guint n = a ? json_array_get_length(a) : 0;
    in->devices = g_new0(record_device, n + 2);
    for (guint i = 0; i < n; i++) {
        JsonObject *e = list_item(a, i, "devices", k, why, why_size);
        if (e == NULL)
            return FALSE;
        in->devices[i].kind = str_member(e, "kind", bad);
        in->devices[i].model = str_member(e, "model", bad);
        in->devices[i].serial = str_member(e, "serial", bad);
    }
    in->s.devices = in->devices;
    in->s.n_devices = n;
    return TRUE;
}

static gboolean parse_person(inputs *in, const char *path, char *why, size_t why_size)
{
    static const char *const known[] = {
        "v_number", "surname",    "given_names", "birth_date", "category",       "appointment_code",
        "desk",     "kiosk_id",   "staff_id",    "started",    "ended",          "plan",
        "fingers",  "exceptions", "attempts",    "devices",    "name_as_booked", "applied",
        NULL};
    GError *error = NULL;
    in->person = json_parser_new();
    if (!json_parser_load_from_file(in->person, path, &error)) {
        g_snprintf(why, why_size, "--person: %s", error->message);
        g_error_free(error);
        return FALSE;
    }
    JsonNode *root = json_parser_get_root(in->person);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_snprintf(why, why_size, "--person: not a JSON object");
        return FALSE;
    }
    JsonObject *o = json_node_get_object(root);
    gboolean bad = FALSE;
    if (!members_known(o, known, "--person", why, why_size) ||
        !parse_identity(in, o, why, why_size) || !parse_exceptions(in, o, &bad, why, why_size) ||
        !parse_attempts(in, o, &bad, why, why_size) || !parse_devices(in, o, &bad, why, why_size))
        return FALSE;
    if (bad) {
        g_snprintf(why, why_size, "--person: a member has the wrong JSON type");
        return FALSE;
    }
    return TRUE;
}

/* Quality values for a finger from PERSON.json "fingers". */
static gboolean finger_quality(inputs *in, record_finger *f, char *why, size_t why_size)
{
    JsonObject *o = json_node_get_object(json_parser_get_root(in->person));
    gboolean bad = FALSE;
    JsonArray *a = array_member(o, "fingers", &bad);
    for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
        static const char *const k[] = {"position", "quality", "algorithm", "product", NULL};
        JsonObject *e = object_at(a, i);
        gint64 pos = 0, q = -1, alg = 0, prod = 0;
        if (e == NULL || !members_known(e, k, "fingers", why, why_size))
            return FALSE;
        if (!int_member(e, "position", &pos, &bad) || pos != f->position)
            continue;
        int_member(e, "quality", &q, &bad);
        int_member(e, "algorithm", &alg, &bad);
        int_member(e, "product", &prod, &bad);
        if (bad || q < 0 || q > 100 || alg < 0 || alg > 0xFFFF || prod < 0 || prod > 0xFFFF)
            break;
        f->quality = (int)q;
        f->algorithm = (unsigned)alg;
        f->product = (unsigned)prod;
        return TRUE;
    }
    g_snprintf(why, why_size,
               "--person: \"fingers\" needs {\"position\": %u, \"quality\": 0-100, "
               "\"algorithm\", \"product\"} for the print given",
               f->position);
    return FALSE;
}

/* The pen points: the signature pad's points file, read by its one reader (sigfile). */
static gboolean parse_points(inputs *in, const char *path, char *why, size_t why_size)
{
    g_autofree char *reason = NULL;
    bk_err err = sigfile_read(path, &in->ink, &in->sigdev, &reason);
    if (err != BK_OK) {
        g_snprintf(why, why_size, "--signature: %s", reason ? reason : bk_err_str(err));
        return FALSE;
    }
    /* the pad's resolution caps the image's scale, as in `biokiosk signature render` */
    in->s.signature_px_per_mm = in->sigdev.counts_per_mm;
    if (in->s.signature_px_per_mm > 1000) {
        g_snprintf(why, why_size, "--signature: device.counts_per_mm must be 0-1000");
        return FALSE;
    }
    if (in->sigdev.model[0] != '\0') {
        record_device *dev = &in->devices[in->s.n_devices++];
        dev->kind = "sigpad";
        dev->model = in->sigdev.model;
        dev->serial = in->sigdev.serial[0] != '\0' ? in->sigdev.serial : "unknown";
    }
    size_t ns = sigink_stroke_count(in->ink);
    in->points_buf = biomem_calloc(sigink_point_count(in->ink), sizeof(record_point));
    in->strokes = g_new0(record_stroke, ns);
    if (in->points_buf == NULL) {
        g_snprintf(why, why_size, "out of memory");
        return FALSE;
    }
    size_t k = 0;
    for (size_t i = 0; i < ns; i++) {
        size_t n = 0;
        const sigink_point *pts = sigink_stroke(in->ink, i, &n);
        in->strokes[i].points = in->points_buf + k;
        in->strokes[i].n_points = n;
        for (size_t j = 0; j < n; j++, k++)
            in->points_buf[k] =
                (record_point){pts[j].x_mm, pts[j].y_mm, pts[j].pressure, pts[j].t_ms};
    }
    in->s.strokes = in->strokes;
    in->s.n_strokes = ns;
    return TRUE;
}

int cmd_record_load_key(const char *option, const char *path, seal_key_kind kind, uint8_t *key,
                        size_t len)
{
    char why[256] = "";
    if (path == NULL)
        return cli_usage_error(CMD, "%s is required", option);
    bk_err err = seal_key_read(path, kind, key, len, why, sizeof(why));
    if (err != BK_OK)
        return cli_usage_error(CMD, "%s: %s", option, why[0] ? why : bk_err_str(err));
    return CLI_EXIT_OK;
}

/* The audit log `record build --audit` appends to (none without the option). */
static int open_audit(const char *audit_log, const char *audit_hash, const uint8_t *sk, audit **log)
{
    *log = NULL;
    if (audit_log == NULL)
        return CLI_EXIT_OK;
    uint8_t hk[SEAL_AUDIT_KEY_BYTES];
    char reason[256] = "";
    bk_err err = audit_hash == NULL ? BK_ERR_INVALID
                                    : seal_key_read(audit_hash, SEAL_KEY_AUDIT_HASH, hk, sizeof(hk),
                                                    reason, sizeof(reason));
    if (err == BK_OK)
        err = audit_open(audit_log, sk, hk, 0, log, reason, sizeof(reason));
    biomem_wipe(hk, sizeof(hk));
    if (err != BK_OK)
        return cli_usage_error(CMD, "--audit: %s",
                               reason[0] ? reason : "--audit-hash-key is required");
    return CLI_EXIT_OK;
}

/* The --finger POS=IMAGE options into in (at most two). */
static gboolean read_fingers(inputs *in, char **fingers, char *why, size_t why_size)
{
    for (size_t i = 0; fingers[i] != NULL; i++) {
        char *eq = strchr(fingers[i], '=');
        char *end = NULL;
        unsigned long pos = eq ? strtoul(fingers[i], &end, 10) : 0;
        if (eq == NULL || end != eq || pos < 1 || pos > 10) {
            g_snprintf(why, why_size, "--finger: '%s' is not POS=IMAGE with POS 1-10", fingers[i]);
            return FALSE;
        }
        if (in->s.n_fingers >= 2) {
            g_snprintf(why, why_size, "--finger: at most two flat prints are taken");
            return FALSE;
        }
        record_finger *f = &in->s.fingers[in->s.n_fingers];
        f->position = (unsigned)pos;
        gboolean ok =
            read_bio_file(eq + 1, &in->fingers[in->s.n_fingers], &f->png_len, why, why_size) &&
            finger_quality(in, f, why, why_size);
        f->png = in->fingers[in->s.n_fingers];
        in->s.n_fingers++;
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

static void print_committed(const record_committed *done)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "tcn");
    json_builder_add_string_value(b, done->tcn);
    json_builder_set_member_name(b, "path");
    json_builder_add_string_value(b, done->path);
    json_builder_set_member_name(b, "bytes");
    json_builder_add_int_value(b, (gint64)done->size);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* The record's entry in the audit log, and the log closed. False, said on stderr, when the log
 * does not show it: the record stands, and the exit status says so. */
static bool audit_record(audit *log, bk_err err, const record_committed *done, const char *v_number)
{
    bool ok = true;
    g_autofree char *detail = err == BK_OK
                                  ? g_strdup_printf("tcn=%s bytes=%zu", done->tcn, done->size)
                                  : g_strdup_printf("refused=%s", bk_err_str(err));
    if (audit_append(log, err == BK_OK ? "record.written" : "record.failed", v_number, detail) !=
        BK_OK) {
        fprintf(stderr, "biokiosk %s: the audit log refused the entry: %s\n", CMD, detail);
        ok = false;
    }
    bk_err closed = audit_close(log);
    if (closed != BK_OK) {
        fprintf(stderr,
                "biokiosk %s: the audit log's closing checkpoint could not be written: %s\n", CMD,
                bk_err_str(closed));
        ok = false;
    }
    return ok;
}

static int record_build(int argc, char **argv)
{
    g_autofree char *person = NULL, *face = NULL, *signature = NULL, *outbox = NULL;
    g_autofree char *kiosk_key = NULL, *office_key = NULL, *audit_log = NULL, *audit_hash = NULL;
    g_autofree char *box = NULL;
    g_auto(GStrv) fingers = NULL;
    const GOptionEntry entries[] = {
        {"person", 0, 0, G_OPTION_ARG_FILENAME, &person, "The person and session (required)",
         "PERSON.json"},
        {"face", 0, 0, G_OPTION_ARG_FILENAME, &face, "The ICAO-cropped face, JPEG 1244x1600",
         "IMAGE"},
        {"finger", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &fingers,
         "A flat print, 8-bit grey PNG at 500 ppi (up to two)", "POS=IMAGE"},
        {"signature", 0, 0, G_OPTION_ARG_FILENAME, &signature, "The pen points", "POINTS.json"},
        {"signature-box", 0, 0, G_OPTION_ARG_STRING, &box,
         "The box the signature image is fitted into, as the kiosk's [signature] "
         "image_width x image_height (600x200)",
         "WxH"},
        {"outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox, "The outbox directory (required)", "DIR"},
        {"kiosk-key", 0, 0, G_OPTION_ARG_FILENAME, &kiosk_key,
         "The kiosk's secret signing key (required)", "kiosk.key"},
        {"backoffice-key", 0, 0, G_OPTION_ARG_FILENAME, &office_key,
         "The back office's public key (required)", "backoffice.pub"},
        {"audit", 0, 0, G_OPTION_ARG_FILENAME, &audit_log,
         "Append \"record.written\" to this audit log (needs --audit-hash-key)", "LOG"},
        {"audit-hash-key", 0, 0, G_OPTION_ARG_FILENAME, &audit_hash,
         "The key for the V-number hash in the audit log", "audit-hash.key"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "build",
                           "Makes, signs and seals one record from files, exactly as the kiosk "
                           "does at the end of a session, and commits it to the outbox.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc > 2)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[2]);
    if (person == NULL)
        return cli_usage_error(CMD, "--person is required");
    int box_w = 0, box_h = 0;
    if (box != NULL) {
        char end = 0;
        if (sscanf(box, "%dx%d%c", &box_w, &box_h, &end) != 2 || box_w < 16 || box_w > 4000 ||
            box_h < 16 || box_h > 4000)
            return cli_usage_error(CMD, "--signature-box: '%s' is not WxH with 16-4000 each", box);
    }
    if (outbox == NULL)
        return cli_usage_error(CMD, "--outbox is required");
    if (seal_init() != BK_OK)
        return cli_usage_error(CMD, "libsodium cannot be initialised");
    uint8_t sk[SEAL_SIGN_SECRET_BYTES], pk[SEAL_PUBLIC_BYTES];
    int status =
        cmd_record_load_key("--kiosk-key", kiosk_key, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk));
    if (status == CLI_EXIT_OK)
        status = cmd_record_load_key("--backoffice-key", office_key, SEAL_KEY_BACKOFFICE_PUBLIC, pk,
                                     sizeof(pk));
    if (status != CLI_EXIT_OK) {
        biomem_wipe(sk, sizeof(sk));
        return status;
    }
    audit *log = NULL;
    status = open_audit(audit_log, audit_hash, sk, &log);
    if (status != CLI_EXIT_OK) {
        biomem_wipe(sk, sizeof(sk));
        return status;
    }

    inputs in = {0};
    in.strings = g_ptr_array_new_with_free_func(g_free);
    char why[512] = "";
    gboolean ok = parse_person(&in, person, why, sizeof(why));
    if (ok && face != NULL)
        ok = read_bio_file(face, &in.face, &in.s.face_len, why, sizeof(why));
    in.s.face_jpeg = in.face;
    if (ok && fingers != NULL)
        ok = read_fingers(&in, fingers, why, sizeof(why));
    if (ok && signature != NULL)
        ok = parse_points(&in, signature, why, sizeof(why));
    in.s.signature_box_width = box_w;
    in.s.signature_box_height = box_h;
    if (!ok) {
        biomem_wipe(sk, sizeof(sk));
        inputs_clear(&in);
        audit_close(log);
        return cli_usage_error(CMD, "%s", why);
    }

    /* the log's head goes into the record (2.126), as the kiosk does */
    char head[65];
    if (log != NULL && audit_head(log, &in.s.audit_seq, head) == BK_OK && in.s.audit_seq > 0)
        in.s.audit_hash = head;
    record_committed done = {0};
    bk_err err = record_commit(&in.s, sk, pk, outbox, &done, why, sizeof(why));
    biomem_wipe(sk, sizeof(sk));
    bool audit_failed = log != NULL && !audit_record(log, err, &done, in.s.v_number);
    inputs_clear(&in);
    if (err == BK_ERR_INVALID)
        return cli_usage_error(CMD, "refused: %s", why);
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: %s\n", CMD, why[0] ? why : bk_err_str(err));
        return CLI_EXIT_UNAVAILABLE;
    }
    print_committed(&done);
    record_committed_clear(&done);
    return audit_failed ? CLI_EXIT_UNAVAILABLE : CLI_EXIT_OK;
}

int cmd_record(int argc, char **argv)
{
    const char *action = argc > 1 ? argv[1] : NULL;
    if (g_strcmp0(action, "build") == 0)
        return record_build(argc, argv);
    if (g_strcmp0(action, "open") == 0)
        return cmd_record_open(argc, argv);
    if (argc > 1 && (g_strcmp0(argv[1], "--help") == 0 || g_strcmp0(argv[1], "-h") == 0)) {
        printf("Usage: biokiosk record build --person PERSON.json [--face IMAGE] "
               "[--finger POS=IMAGE ...]\n"
               "           [--signature POINTS.json [--signature-box WxH]] --outbox DIR "
               "--kiosk-key kiosk.key "
               "--backoffice-key backoffice.pub\n"
               "       biokiosk record open FILE --secret backoffice.key --kiosk-key kiosk.pub "
               "[--extract DIR] [--an2k OUT.an2]\n");
        return CLI_EXIT_OK;
    }
    return cli_usage_error(CMD, "name an action: build or open");
}
