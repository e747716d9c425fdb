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
    if (!members_known(o, known, "--person", why, why_size))
        return FALSE;
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

    JsonArray *a = array_member(o, "exceptions", &bad);
    guint n = a ? json_array_get_length(a) : 0;
    in->exceptions = g_new0(record_exception, n + 1);
    for (guint i = 0; i < n; i++) {
        static const char *const k[] = {"item", "position", "permanent", "reason", NULL};
        JsonObject *e = object_at(a, i);
        gint64 pos = 0;
        if (e == NULL || !members_known(e, k, "exceptions", why, why_size)) {
            if (e == NULL)
                g_snprintf(why, why_size, "--person: exceptions[%u] is not an object", i);
            return FALSE;
        }
        in->exceptions[i].item = str_member(e, "item", &bad);
        in->exceptions[i].reason = str_member(e, "reason", &bad);
        if (int_member(e, "position", &pos, &bad))
            in->exceptions[i].position = pos >= 0 && pos <= 10 ? (unsigned)pos : 99;
        in->exceptions[i].permanent = json_object_has_member(e, "permanent") &&
                                      json_object_get_boolean_member(e, "permanent");
    }
    s->exceptions = in->exceptions;
    s->n_exceptions = n;

    a = array_member(o, "attempts", &bad);
    n = a ? json_array_get_length(a) : 0;
    in->attempts = g_new0(record_attempt, n + 1);
    for (guint i = 0; i < n; i++) {
        static const char *const k[] = {"item",     "position", "quality", "threshold",
                                        "accepted", "veto",     "time",    NULL};
        JsonObject *e = object_at(a, i);
        if (e == NULL || !members_known(e, k, "attempts", why, why_size)) {
            if (e == NULL)
                g_snprintf(why, why_size, "--person: attempts[%u] is not an object", i);
            return FALSE;
        }
        record_attempt *t = &in->attempts[i];
        gint64 v = 0;
        t->item = str_member(e, "item", &bad);
        t->position = int_member(e, "position", &v, &bad) && v >= 0 && v <= 10 ? (unsigned)v : 0;
        t->quality = int_member(e, "quality", &v, &bad) && v >= 0 && v <= 100 ? (int)v : -1;
        t->threshold = int_member(e, "threshold", &v, &bad) && v >= 0 && v <= 100 ? (int)v : -1;
        t->accepted =
            json_object_has_member(e, "accepted") && json_object_get_boolean_member(e, "accepted");
        const char *veto = str_member(e, "veto", &bad);
        t->veto = veto == NULL || g_strcmp0(veto, "none") == 0 ? 'N'
                  : g_strcmp0(veto, "accepted") == 0           ? 'A'
                  : g_strcmp0(veto, "rejected") == 0           ? 'R'
                                                               : '?';
        t->time = stamp(in, str_member(e, "time", &bad));
    }
    s->attempts = in->attempts;
    s->n_attempts = n;

    a = array_member(o, "devices", &bad);
    n = a ? json_array_get_length(a) : 0;
    in->devices = g_new0(record_device, n + 2);
    for (guint i = 0; i < n; i++) {
        static const char *const k[] = {"kind", "model", "serial", NULL};
        JsonObject *e = object_at(a, i);
        if (e == NULL || !members_known(e, k, "devices", why, why_size)) {
            if (e == NULL)
                g_snprintf(why, why_size, "--person: devices[%u] is not an object", i);
            return FALSE;
        }
        in->devices[i].kind = str_member(e, "kind", &bad);
        in->devices[i].model = str_member(e, "model", &bad);
        in->devices[i].serial = str_member(e, "serial", &bad);
    }
    s->devices = in->devices;
    s->n_devices = n;
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

static int load_key(const char *option, const char *path, seal_key_kind kind, uint8_t *key,
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
    int status = load_key("--kiosk-key", kiosk_key, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk));
    if (status == CLI_EXIT_OK)
        status =
            load_key("--backoffice-key", office_key, SEAL_KEY_BACKOFFICE_PUBLIC, pk, sizeof(pk));
    if (status != CLI_EXIT_OK) {
        biomem_wipe(sk, sizeof(sk));
        return status;
    }
    audit *log = NULL;
    if (audit_log != NULL) {
        uint8_t hk[SEAL_AUDIT_KEY_BYTES];
        char reason[256] = "";
        bk_err aerr = audit_hash == NULL ? BK_ERR_INVALID
                                         : seal_key_read(audit_hash, SEAL_KEY_AUDIT_HASH, hk,
                                                         sizeof(hk), reason, sizeof(reason));
        if (aerr == BK_OK)
            aerr = audit_open(audit_log, sk, hk, 0, &log, reason, sizeof(reason));
        biomem_wipe(hk, sizeof(hk));
        if (aerr != BK_OK) {
            biomem_wipe(sk, sizeof(sk));
            return cli_usage_error(CMD, "--audit: %s",
                                   reason[0] ? reason : "--audit-hash-key is required");
        }
    }

    inputs in = {0};
    in.strings = g_ptr_array_new_with_free_func(g_free);
    char why[512] = "";
    gboolean ok = parse_person(&in, person, why, sizeof(why));
    if (ok && face != NULL)
        ok = read_bio_file(face, &in.face, &in.s.face_len, why, sizeof(why));
    in.s.face_jpeg = in.face;
    for (size_t i = 0; ok && fingers != NULL && fingers[i] != NULL; i++) {
        char *eq = strchr(fingers[i], '=');
        char *end = NULL;
        unsigned long pos = eq ? strtoul(fingers[i], &end, 10) : 0;
        if (eq == NULL || end != eq || pos < 1 || pos > 10) {
            g_snprintf(why, sizeof(why), "--finger: '%s' is not POS=IMAGE with POS 1-10",
                       fingers[i]);
            ok = FALSE;
            break;
        }
        if (in.s.n_fingers >= 2) {
            g_snprintf(why, sizeof(why), "--finger: at most two flat prints are taken");
            ok = FALSE;
            break;
        }
        record_finger *f = &in.s.fingers[in.s.n_fingers];
        f->position = (unsigned)pos;
        ok = read_bio_file(eq + 1, &in.fingers[in.s.n_fingers], &f->png_len, why, sizeof(why)) &&
             finger_quality(&in, f, why, sizeof(why));
        f->png = in.fingers[in.s.n_fingers];
        in.s.n_fingers++;
    }
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
    if (log != NULL) {
        g_autofree char *detail = err == BK_OK
                                      ? g_strdup_printf("tcn=%s bytes=%zu", done.tcn, done.size)
                                      : g_strdup_printf("refused=%s", bk_err_str(err));
        if (audit_append(log, err == BK_OK ? "record.written" : "record.failed", in.s.v_number,
                         detail) != BK_OK)
            g_warning("record: the audit log refused an entry");
        audit_close(log);
    }
    inputs_clear(&in);
    if (err == BK_ERR_INVALID)
        return cli_usage_error(CMD, "refused: %s", why);
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: %s\n", CMD, why[0] ? why : bk_err_str(err));
        return CLI_EXIT_UNAVAILABLE;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "tcn");
    json_builder_add_string_value(b, done.tcn);
    json_builder_set_member_name(b, "path");
    json_builder_add_string_value(b, done.path);
    json_builder_set_member_name(b, "bytes");
    json_builder_add_int_value(b, (gint64)done.size);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    record_committed_clear(&done);
    return CLI_EXIT_OK;
}

/* ---- open ---- */

static char *field_text(const an2k_record *r, unsigned tag)
{
    const an2k_field *f = an2k_get(r, tag);
    return f ? g_strndup((const char *)f->value, f->len) : NULL;
}

static char *item_text(const an2k_field *f, size_t sub, size_t item)
{
    const uint8_t *p;
    size_t len;
    if (an2k_item(f, sub, item, &p, &len) != BK_OK)
        return g_strdup("");
    return g_strndup((const char *)p, len);
}

static void add_str(JsonBuilder *b, const char *name, char *value)
{
    json_builder_set_member_name(b, name);
    if (value != NULL)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
    g_free(value);
}

/* Type-2 list fields as arrays of objects, one member name per item. */
static void add_list(JsonBuilder *b, const char *name, const an2k_record *r, unsigned tag,
                     const char *const *items)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    const an2k_field *f = an2k_get(r, tag);
    for (size_t s = 0; f != NULL && s < an2k_subfields(f); s++) {
        json_builder_begin_object(b);
        for (size_t i = 0; items[i] != NULL; i++)
            add_str(b, items[i], item_text(f, s, i));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static gboolean write_out(const char *dir, const char *name, const void *data, size_t len,
                          char *why, size_t why_size)
{
    g_autofree char *path = dir ? g_build_filename(dir, name, NULL) : g_strdup(name);
    GError *error = NULL;
    if (!g_file_set_contents_full(path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                  &error)) {
        g_snprintf(why, why_size, "%s", error->message);
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

/* The Type-8 pen points as the signature pad's points file (sigfile, its one writer), 0600.
 * Times come from the user-defined timing field when it is there (0 otherwise). */
static gboolean write_points(const char *dir, const record_point *pts, const size_t *ends,
                             size_t ns, const an2k_field *timing, char *why, size_t why_size)
{
    sigink *ink = sigink_new();
    gboolean ok = ink != NULL;
    size_t start = 0;
    for (size_t s = 0; ok && s < ns; s++) {
        for (size_t p = start; ok && p < ends[s]; p++) {
            g_autofree char *t_ms = timing ? item_text(timing, s, p - start) : NULL;
            gboolean has_t = t_ms != NULL && t_ms[0] != '\0' &&
                             strspn(t_ms, "0123456789") == strlen(t_ms) && strlen(t_ms) <= 9;
            sigink_point pt = {(float)pts[p].x_mm, (float)pts[p].y_mm, (float)pts[p].pressure,
                               has_t ? (uint32_t)strtoul(t_ms, NULL, 10) : 0};
            ok = sigink_add(ink, &pt) == BK_OK;
        }
        sigink_end_stroke(ink);
        start = ends[s];
    }
    g_autofree char *path = g_build_filename(dir, "signature.json", NULL);
    sigfile_device none = {0};
    bk_err err = ok ? sigfile_write(path, ink, &none) : BK_ERR_NOMEM;
    sigink_free(ink);
    if (err != BK_OK) {
        g_snprintf(why, why_size, "%s: cannot write the pen points: %s", path, bk_err_str(err));
        return FALSE;
    }
    return TRUE;
}

static gboolean describe(JsonBuilder *b, const an2k *t, const char *extract, char *why,
                         size_t why_size)
{
    const an2k_record *r1 = &t->records[0];
    json_builder_begin_object(b);
    add_str(b, "version", field_text(r1, 2));
    add_str(b, "tcn", field_text(r1, 9));
    add_str(b, "transaction_type", field_text(r1, 4));
    add_str(b, "date", field_text(r1, 5));
    add_str(b, "destination", field_text(r1, 7));
    add_str(b, "origin", field_text(r1, 8));
    for (size_t i = 1; i < t->n_records; i++) {
        const an2k_record *r = &t->records[i];
        if (r->type != 2)
            continue;
        static const struct {
            unsigned tag;
            const char *name;
        } text[] = {{100, "layout"},           {101, "v_number"},   {102, "surname"},
                    {103, "given_names"},      {104, "birth_date"}, {105, "category"},
                    {106, "appointment_code"}, {107, "desk"},       {108, "kiosk_id"},
                    {109, "staff_id"},         {110, "started"},    {111, "ended"},
                    {112, "name_as_booked"}};
        for (size_t k = 0; k < G_N_ELEMENTS(text); k++)
            add_str(b, text[k].name, field_text(r, text[k].tag));
        static const char *const plan[] = {"item", "action", "reason", NULL};
        static const char *const exc[] = {"item", "position", "permanence", "reason", NULL};
        static const char *const att[] = {"item",   "position", "quality", "threshold",
                                          "result", "veto",     "time",    NULL};
        static const char *const dev[] = {"kind", "model", "serial", NULL};
        add_list(b, "plan", r, 120, plan);
        add_list(b, "exceptions", r, 121, exc);
        add_list(b, "attempts", r, 122, att);
        add_list(b, "devices", r, 123, dev);
        static const char *const img[] = {"px_per_mm", "box_width", "box_height", NULL};
        add_list(b, "signature_image", r, 125, img);
        static const char *const head[] = {"entry", "hash", NULL};
        add_list(b, "audit_head", r, 126, head);
        break;
    }
    /* the pen times, kept in Type-2 because Type-8 vectors have none */
    const an2k_field *timing = NULL;
    for (size_t i = 1; i < t->n_records && timing == NULL; i++)
        if (t->records[i].type == 2)
            timing = an2k_get(&t->records[i], 124);
    json_builder_set_member_name(b, "records");
    json_builder_begin_array(b);
    gboolean ok = TRUE;
    for (size_t i = 0; i < t->n_records && ok; i++) {
        const an2k_record *r = &t->records[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "type");
        json_builder_add_int_value(b, r->type);
        json_builder_set_member_name(b, "idc");
        json_builder_add_int_value(b, an2k_idc(r));
        if (r->type == 10 || r->type == 14) {
            add_str(b, "width", field_text(r, 6));
            add_str(b, "height", field_text(r, 7));
            add_str(b, "compression", field_text(r, 11));
            const an2k_field *data = an2k_get(r, AN2K_FIELD_DATA);
            json_builder_set_member_name(b, "bytes");
            json_builder_add_int_value(b, data ? (gint64)data->len : 0);
            g_autofree char *name = NULL;
            if (r->type == 14) {
                add_str(b, "position", field_text(r, 13));
                const an2k_field *fqm = an2k_get(r, 24);
                add_str(b, "quality", fqm ? item_text(fqm, 0, 1) : NULL);
                add_str(b, "quality_algorithm", fqm ? item_text(fqm, 0, 2) : NULL);
                g_autofree char *pos = field_text(r, 13);
                name = g_strdup_printf("finger-%s.png", pos ? pos : "0");
            } else {
                name = g_strdup("face.jpg");
            }
            if (extract != NULL && data != NULL)
                ok = write_out(extract, name, data->value, data->len, why, why_size);
        } else if (r->type == 8 && r->bin_len >= 12 && r->bin[6] <= 1) {
            /* a signature image: SRT 0 uncompressed (ours, 8-bit grey), 1 compressed */
            unsigned w = (unsigned)r->bin[8] << 8 | r->bin[9];
            unsigned h = (unsigned)r->bin[10] << 8 | r->bin[11];
            json_builder_set_member_name(b, "vectored");
            json_builder_add_boolean_value(b, FALSE);
            json_builder_set_member_name(b, "compressed");
            json_builder_add_boolean_value(b, r->bin[6] == 1);
            json_builder_set_member_name(b, "width");
            json_builder_add_int_value(b, w);
            json_builder_set_member_name(b, "height");
            json_builder_add_int_value(b, h);
            json_builder_set_member_name(b, "resolution");
            json_builder_add_string_value(b, r->bin[7] == 0 ? "19.69" : "native");
            json_builder_set_member_name(b, "bytes");
            json_builder_add_int_value(b, (gint64)(r->bin_len - 12));
            if (extract != NULL && r->bin[6] == 0 && (size_t)w * h == r->bin_len - 12 && w > 0) {
                sigrender_image img = {(int)w, (int)h, (uint8_t *)r->bin + 12, 0, 0, 0};
                g_autofree char *path = g_build_filename(extract, "signature.png", NULL);
                /* a signature is personal data: written 0600 like the other files */
                if (sigrender_write_png(&img, path) != BK_OK) {
                    g_snprintf(why, why_size, "%s: cannot write the signature image", path);
                    ok = FALSE;
                }
            }
        } else if (r->type == 8 && r->bin_len >= 12 && r->bin[6] == 2) {
            record_point *pts = NULL;
            size_t np = 0, ns = 0, *ends = NULL;
            json_builder_set_member_name(b, "vectored");
            json_builder_add_boolean_value(b, TRUE);
            if (record_pen_decode(r->bin + 12, r->bin_len - 12, &pts, &np, &ends, &ns) == BK_OK) {
                json_builder_set_member_name(b, "strokes");
                json_builder_add_int_value(b, (gint64)ns);
                json_builder_set_member_name(b, "points");
                json_builder_add_int_value(b, (gint64)np);
                if (extract != NULL)
                    ok = write_points(extract, pts, ends, ns, timing, why, why_size);
            }
            biomem_free(pts);
            g_free(ends);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return ok;
}

static int record_open(int argc, char **argv)
{
    g_autofree char *secret = NULL, *kiosk_key = NULL, *extract = NULL, *an2k_out = NULL;
    const GOptionEntry entries[] = {
        {"secret", 0, 0, G_OPTION_ARG_FILENAME, &secret, "The back office's secret key (required)",
         "backoffice.key"},
        {"kiosk-key", 0, 0, G_OPTION_ARG_FILENAME, &kiosk_key, "The kiosk's public key (required)",
         "kiosk.pub"},
        {"extract", 0, 0, G_OPTION_ARG_FILENAME, &extract,
         "Write face.jpg, finger-POS.png, signature.json and signature.png here", "DIR"},
        {"an2k", 0, 0, G_OPTION_ARG_FILENAME, &an2k_out,
         "Write the opened ANSI/NIST-ITL file as it is", "OUT.an2"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "open FILE",
                           "Checks the kiosk's signature, opens the seal and prints a JSON "
                           "summary of the transaction.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 3)
        return cli_usage_error(CMD, "open: name one sealed record FILE");
    if (seal_init() != BK_OK)
        return cli_usage_error(CMD, "libsodium cannot be initialised");
    uint8_t sk[SEAL_BOX_SECRET_BYTES], pk[SEAL_PUBLIC_BYTES];
    int status = load_key("--kiosk-key", kiosk_key, SEAL_KEY_KIOSK_PUBLIC, pk, sizeof(pk));
    if (status == CLI_EXIT_OK)
        status = load_key("--secret", secret, SEAL_KEY_BACKOFFICE_SECRET, sk, sizeof(sk));
    if (status != CLI_EXIT_OK)
        return status;
    if (extract != NULL && g_mkdir_with_parents(extract, 0700) != 0) {
        biomem_wipe(sk, sizeof(sk));
        return cli_usage_error(CMD, "--extract: cannot make '%s'", extract);
    }

    uint8_t *file = NULL, *payload = NULL;
    size_t len = 0, payload_len = 0;
    char why[256] = "";
    bk_err err = outbox_read_file(argv[2], &file, &len);
    if (err != BK_OK) {
        biomem_wipe(sk, sizeof(sk));
        return cli_usage_error(CMD, "cannot read '%s': %s", argv[2], bk_err_str(err));
    }
    err = seal_open(file, len, sk, pk, &payload, &payload_len, why, sizeof(why));
    biomem_wipe(sk, sizeof(sk));
    g_free(file);
    if (err != BK_OK)
        return cli_usage_error(CMD, "%s: refused: %s", argv[2], why);
    an2k *t = NULL;
    err = an2k_read(payload, payload_len, &t, why, sizeof(why));
    if (err != BK_OK) {
        biomem_free(payload);
        return cli_usage_error(CMD, "%s: the opened transaction is malformed: %s", argv[2], why);
    }
    int rc = CLI_EXIT_OK;
    if (an2k_out != NULL && !write_out(NULL, an2k_out, payload, payload_len, why, sizeof(why)))
        rc = cli_usage_error(CMD, "--an2k: %s", why);
    JsonBuilder *b = json_builder_new();
    if (rc == CLI_EXIT_OK && !describe(b, t, extract, why, sizeof(why)))
        rc = cli_usage_error(CMD, "--extract: %s", why);
    if (rc == CLI_EXIT_OK)
        cli_print_json(b);
    g_object_unref(b);
    an2k_free(t);
    biomem_free(payload);
    return rc;
}

int cmd_record(int argc, char **argv)
{
    const char *action = argc > 1 ? argv[1] : NULL;
    if (g_strcmp0(action, "build") == 0)
        return record_build(argc, argv);
    if (g_strcmp0(action, "open") == 0)
        return record_open(argc, argv);
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
