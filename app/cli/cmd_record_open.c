/* `biokiosk record open`: checks a sealed record's signature, opens the seal, prints a JSON
 * summary of the transaction and, with --extract, writes its images and pen points (0600). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cli/cli.h"
#include "cli/cmd_record.h"
#include "core/biomem.h"
#include "core/sigink.h"
#include "drivers/sigpad/sigfile.h"
#include "imaging/sigrender.h"
#include "record/an2k.h"
#include "record/outbox.h"
#include "record/record.h"
#include "record/seal.h"

#define CMD "record"

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

/* Type-1's summary and the person's Type-2 fields. */
static void describe_transaction(JsonBuilder *b, const an2k *t)
{
    const an2k_record *r1 = &t->records[0];
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
        static const char *const origin[] = {"x", "y", NULL};
        add_list(b, "pen_origin", r, 127, origin);
        break;
    }
}

/* A face (Type-10) or a print (Type-14), written to extract when given. */
static gboolean describe_image(JsonBuilder *b, const an2k_record *r, const char *extract, char *why,
                               size_t why_size)
{
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
        return write_out(extract, name, data->value, data->len, why, why_size);
    return TRUE;
}

/* A signature image: SRT 0 uncompressed (ours, 8-bit grey), 1 compressed. */
static gboolean describe_signature_image(JsonBuilder *b, const an2k_record *r, const char *extract,
                                         char *why, size_t why_size)
{
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
            return FALSE;
        }
    }
    return TRUE;
}

/* The vectored signature (the pen points), with the times Type-2 keeps. */
/* Type-2 2.127: where the vectors' origin lies on the pad (0.0254 mm), FALSE when absent or
 * not two numbers (the points are then given from the signature's top left). */
static gboolean pen_origin(const an2k_field *f, record_pen_origin *o)
{
    if (f == NULL)
        return FALSE;
    long v[2];
    for (size_t k = 0; k < 2; k++) {
        g_autofree char *s = item_text(f, 0, k);
        char *end = NULL;
        v[k] = strtol(s, &end, 10);
        if (s[0] == '\0' || *end != '\0' || v[k] < 0 || v[k] > 65535)
            return FALSE;
    }
    o->x = v[0];
    o->y = v[1];
    return TRUE;
}

static gboolean describe_pen(JsonBuilder *b, const an2k_record *r, const an2k_field *timing,
                             const an2k_field *origin_field, const char *extract, char *why,
                             size_t why_size)
{
    record_pen_origin origin;
    gboolean have_origin = pen_origin(origin_field, &origin);
    record_point *pts = NULL;
    size_t np = 0, ns = 0, *ends = NULL;
    gboolean ok = TRUE;
    json_builder_set_member_name(b, "vectored");
    json_builder_add_boolean_value(b, TRUE);
    bk_err err = record_pen_decode(r->bin + 12, r->bin_len - 12, have_origin ? &origin : NULL, &pts,
                                   &np, &ends, &ns);
    if (err == BK_ERR_INVALID && have_origin) {
        /* 2.127 does not fit these vectors: the points come from the signature's top left */
        json_builder_set_member_name(b, "pen_origin_ignored");
        json_builder_add_boolean_value(b, TRUE);
        err = record_pen_decode(r->bin + 12, r->bin_len - 12, NULL, &pts, &np, &ends, &ns);
    }
    if (err == BK_OK) {
        json_builder_set_member_name(b, "strokes");
        json_builder_add_int_value(b, (gint64)ns);
        json_builder_set_member_name(b, "points");
        json_builder_add_int_value(b, (gint64)np);
        if (extract != NULL)
            ok = write_points(extract, pts, ends, ns, timing, why, why_size);
    }
    biomem_free(pts);
    g_free(ends);
    return ok;
}

static gboolean describe(JsonBuilder *b, const an2k *t, const char *extract, char *why,
                         size_t why_size)
{
    json_builder_begin_object(b);
    describe_transaction(b, t);
    /* the pen times, kept in Type-2 because Type-8 vectors have none */
    const an2k_field *timing = NULL, *origin = NULL;
    for (size_t i = 1; i < t->n_records && timing == NULL; i++)
        if (t->records[i].type == 2) {
            timing = an2k_get(&t->records[i], 124);
            origin = an2k_get(&t->records[i], 127);
        }
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
        if (r->type == 10 || r->type == 14)
            ok = describe_image(b, r, extract, why, why_size);
        else if (r->type == 8 && r->bin_len >= 12 && r->bin[6] <= 1)
            ok = describe_signature_image(b, r, extract, why, why_size);
        else if (r->type == 8 && r->bin_len >= 12 && r->bin[6] == 2)
            ok = describe_pen(b, r, timing, origin, extract, why, why_size);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return ok;
}

int cmd_record_open(int argc, char **argv)
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
    int status =
        cmd_record_load_key("--kiosk-key", kiosk_key, SEAL_KEY_KIOSK_PUBLIC, pk, sizeof(pk));
    if (status == CLI_EXIT_OK)
        status =
            cmd_record_load_key("--secret", secret, SEAL_KEY_BACKOFFICE_SECRET, sk, sizeof(sk));
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
