/* biokiosk outbox: list, verify, export and deliver the sealed records, and purge the delivered
 * ones past the retention period. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "config/config.h"
#include "record/audit.h"
#include "record/delivery.h"
#include "record/outbox.h"
#include "record/receipt.h"
#include "record/seal.h"
#include "selftest/selftest.h"

#define CMD "outbox"

typedef struct options {
    char *kiosk_key, *dest, *audit_log, *audit_key, *audit_hash, *ca, *receiver_key, *config,
        *reason;
    gboolean remove;
    gint retention;
} options;

/* The audit log of --audit (log NULL without it) and the entries it refused. */
typedef struct cli_log {
    audit *log;
    unsigned refused;
} cli_log;

static bool log_entry(cli_log *lg, const char *what, const char *detail)
{
    if (audit_append(lg->log, what, NULL, detail) != BK_OK) {
        fprintf(stderr, "biokiosk %s: the audit log refused an entry: %s %s\n", CMD, what, detail);
        lg->refused++;
        return false;
    }
    return true;
}

/* Writes each record leaving the outbox to the audit log; a refused entry stops the outbox
 * before it deletes the record. */
static bool audit_event(const char *name, const char *event, void *data)
{
    const char *what = g_str_has_prefix(event, "deleted") ? "record.deleted"
                       : strcmp(event, "exported") == 0   ? "record.exported"
                       : strcmp(event, "discarded") == 0  ? "record.discarded"
                                                          : "record.not-deleted";
    g_autofree char *full = g_strdup_printf("file=%s %s", name, event);
    return log_entry(data, what, full);
}

/* Writes each delivery outcome to the audit log (the record's name only). */
static void audit_delivery(const char *name, const char *event, const char *detail, void *data)
{
    (void)detail;
    g_autofree char *what = g_strdup_printf("record.%s", event);
    g_autofree char *full = g_strdup_printf("file=%s", name);
    log_entry(data, what, full);
}

/* Opens the audit log when --audit is given; *out stays NULL otherwise. */
static int open_audit(const char *log, const char *key, const char *hash_key, audit **out)
{
    *out = NULL;
    if (log == NULL)
        return CLI_EXIT_OK;
    if (key == NULL || hash_key == NULL)
        return cli_usage_error(CMD, "--audit needs --audit-key kiosk.key and --audit-hash-key");
    uint8_t sk[SEAL_SIGN_SECRET_BYTES], hk[SEAL_AUDIT_KEY_BYTES];
    char why[256] = "";
    if (seal_key_read(key, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk), why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--audit-key: %s", why);
    bk_err err = seal_key_read(hash_key, SEAL_KEY_AUDIT_HASH, hk, sizeof(hk), why, sizeof(why));
    if (err == BK_OK)
        err = audit_open(log, sk, hk, 0, out, why, sizeof(why));
    explicit_bzero(sk, sizeof(sk));
    explicit_bzero(hk, sizeof(hk));
    if (err != BK_OK)
        return cli_usage_error(CMD, "--audit: %s", why);
    return CLI_EXIT_OK;
}

static void add_time(JsonBuilder *b, const char *member, time_t t)
{
    char when[RECEIPT_TIME_BYTES];
    receipt_time(t, when);
    json_builder_set_member_name(b, member);
    json_builder_add_string_value(b, when);
}

/* One record of `list`/`verify`; `pk` non-NULL verifies it. Returns FALSE when it is bad. */
static gboolean add_record(JsonBuilder *b, const char *dir, const outbox_entry *e,
                           const char *state, const uint8_t *pk)
{
    gboolean ok = TRUE;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, e->name);
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, state);
    json_builder_set_member_name(b, "bytes");
    json_builder_add_int_value(b, (gint64)e->size);
    add_time(b, "written", e->mtime);
    if (e->receipt != NULL) {
        JsonNode *node = json_from_string(e->receipt, NULL);
        json_builder_set_member_name(b, "receipt");
        if (node != NULL)
            json_builder_add_value(b, node); /* takes the node */
        else
            json_builder_add_null_value(b);
    }
    if (pk != NULL) {
        g_autofree char *path = g_build_filename(dir, e->name, NULL);
        char why[256] = "";
        ok = outbox_verify_file(path, pk, why, sizeof(why)) == BK_OK;
        json_builder_set_member_name(b, "ok");
        json_builder_add_boolean_value(b, ok);
        if (!ok) {
            json_builder_set_member_name(b, "problem");
            json_builder_add_string_value(b, why);
        }
    }
    json_builder_end_object(b);
    return ok;
}

static int do_list(const char *dir, const uint8_t *verify_pk)
{
    outbox_entry *waiting = NULL, *done = NULL;
    size_t n = 0, n_done = 0, bad = 0;
    bk_err err = outbox_list(dir, &waiting, &n);
    if (err == BK_OK && verify_pk == NULL)
        err = outbox_list_delivered(dir, &done, &n_done);
    if (err != BK_OK) {
        outbox_entries_free(waiting, n);
        return cli_usage_error(CMD, "%s: %s", dir, bk_err_str(err));
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "records");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++)
        if (!add_record(b, dir, &waiting[i], "waiting", verify_pk))
            bad++;
    for (size_t i = 0; i < n_done; i++)
        add_record(b, dir, &done[i], "delivered", NULL);
    json_builder_end_array(b);
    if (verify_pk != NULL) {
        json_builder_set_member_name(b, "bad");
        json_builder_add_int_value(b, (gint64)bad);
    }
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    outbox_entries_free(waiting, n);
    outbox_entries_free(done, n_done);
    return bad > 0 ? CLI_EXIT_NO : CLI_EXIT_OK;
}

static int do_export(const char *dir, const options *o, const uint8_t *pk, cli_log *lg)
{
    if (o->dest == NULL || !g_file_test(o->dest, G_FILE_TEST_IS_DIR))
        return cli_usage_error(CMD, "export needs --to DEST, an existing directory");
    size_t exported = 0;
    char why[256] = "";
    bk_err err = outbox_export(dir, o->dest, pk, o->remove, lg->log ? audit_event : NULL, lg,
                               &exported, why, sizeof(why));
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: export stopped after %zu records: %s\n", CMD, exported, why);
        return err == BK_ERR_CORRUPT || err == BK_ERR_CRYPTO ? CLI_EXIT_NO : CLI_EXIT_UNAVAILABLE;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "exported");
    json_builder_add_int_value(b, (gint64)exported);
    json_builder_set_member_name(b, "removed");
    json_builder_add_boolean_value(b, o->remove);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    return CLI_EXIT_OK;
}

static int do_deliver(const char *dir, const options *o, cli_log *lg)
{
    if (o->dest == NULL || o->receiver_key == NULL)
        return cli_usage_error(CMD, "deliver needs --to URL, --ca CERT (for https) and "
                                    "--receiver-key receiver.pub");
    uint8_t pk[SEAL_PUBLIC_BYTES];
    char why[256] = "";
    if (seal_key_read(o->receiver_key, SEAL_KEY_RECEIVER_PUBLIC, pk, sizeof(pk), why,
                      sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--receiver-key: %s", why);
    delivery_settings set = {.url = o->dest, .ca = o->ca, .receiver_pk = pk};
    delivery *d = NULL;
    if (delivery_new(&set, &d, why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "%s", why);
    delivery_counts c;
    bk_err err = delivery_run(d, dir, lg->log ? audit_delivery : NULL, lg, &c);
    delivery_free(d);
    if (err != BK_OK && !c.unreachable) {
        fprintf(stderr, "biokiosk %s: %s\n", CMD, c.problem);
        return CLI_EXIT_UNAVAILABLE;
    }
    if (c.problem[0] != '\0')
        fprintf(stderr, "biokiosk %s: %s\n", CMD, c.problem);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "delivered");
    json_builder_add_int_value(b, (gint64)c.delivered);
    json_builder_set_member_name(b, "failed");
    json_builder_add_int_value(b, (gint64)c.failed);
    json_builder_set_member_name(b, "waiting");
    json_builder_add_int_value(b, (gint64)c.waiting);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    if (c.unreachable)
        return CLI_EXIT_UNAVAILABLE;
    return c.waiting > 0 ? CLI_EXIT_NO : CLI_EXIT_OK;
}

/* The self-test's clock check decides whether receipts' ages can be trusted. */
static gboolean clock_trusted(const char *config_path, char *why, size_t why_size)
{
    config *cfg = NULL;
    char *message = NULL;
    if (config_path == NULL) {
        cfg = config_new();
    } else if (config_load(config_path, &cfg, &message) != BK_OK) {
        g_snprintf(why, why_size, "--config: %s", message ? message : "cannot be read");
        g_free(message);
        return FALSE;
    }
    gboolean ok = selftest_clock_trusted(cfg, why, why_size);
    config_free(cfg);
    return ok;
}

static int do_purge(const char *dir, const options *o, cli_log *lg)
{
    if (o->retention < 0)
        return cli_usage_error(CMD, "--days must be 0 or more");
    char why[400] = "";
    if (!clock_trusted(o->config, why, sizeof(why))) {
        fprintf(stderr, "biokiosk %s: nothing purged: the clock is not known to be right: %s\n",
                CMD, why);
        return CLI_EXIT_UNAVAILABLE;
    }
    size_t deleted = 0, temp = 0;
    bk_err err = outbox_clean_temp(dir, &temp);
    if (err == BK_OK)
        err = outbox_purge(dir, (unsigned)o->retention, time(NULL), lg->log ? audit_event : NULL,
                           lg, &deleted);
    if (err != BK_OK && lg->refused > 0) {
        fprintf(stderr,
                "biokiosk %s: purge stopped after %zu records: the audit log refused an entry, "
                "and that record is kept\n",
                CMD, deleted);
        return CLI_EXIT_UNAVAILABLE;
    }
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: purge: %s\n", CMD, bk_err_str(err));
        return CLI_EXIT_UNAVAILABLE;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "deleted");
    json_builder_add_int_value(b, (gint64)deleted);
    json_builder_set_member_name(b, "unfinished_removed");
    json_builder_add_int_value(b, (gint64)temp);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    return CLI_EXIT_OK;
}

typedef struct discard_log {
    audit *log;
    const char *reason;
    bool refused;
} discard_log;

/* The discard's entry, written before the record is deleted (and a second one if the deletion
 * then fails). */
static bool audit_discard(const char *name, const char *event, void *data)
{
    discard_log *dl = data;
    g_autofree char *detail = g_strdup_printf("file=%s reason=%s", name, dl->reason);
    bool discarded = strcmp(event, "discarded") == 0;
    if (audit_append(dl->log, discarded ? "record.discarded" : "record.not-deleted", NULL,
                     detail) != BK_OK) {
        dl->refused = true;
        return false;
    }
    return true;
}

/* The only way a waiting record leaves without a receipt or a confirmed export: named, with a
 * reason code, and always written to the audit log before it is deleted. */
static int do_discard(const char *dir, const options *o, audit *log, const char *name)
{
    if (name == NULL || log == NULL || o->reason == NULL)
        return cli_usage_error(CMD, "discard needs NAME, --reason CODE and --audit LOG (with "
                                    "--audit-key and --audit-hash-key): it is always audited");
    for (const char *c = o->reason; *c; c++)
        if (!g_ascii_islower(*c) && *c != '-')
            return cli_usage_error(CMD, "--reason is a code of a-z and '-' (no free text)");
    discard_log dl = {.log = log, .reason = o->reason};
    bk_err err = outbox_discard(dir, name, audit_discard, &dl);
    if (err == BK_ERR_NOT_FOUND || err == BK_ERR_INVALID)
        return cli_usage_error(CMD, "no waiting record '%s' in %s", name, dir);
    if (err != BK_OK && dl.refused) {
        fprintf(stderr, "biokiosk %s: %s was not discarded: the audit log refused the entry\n", CMD,
                name);
        return CLI_EXIT_UNAVAILABLE;
    }
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: discard: %s\n", CMD, bk_err_str(err));
        return CLI_EXIT_UNAVAILABLE;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "discarded");
    json_builder_add_string_value(b, name);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    return CLI_EXIT_OK;
}

static int run(const char *action, const char *dir, options *o, const char *name)
{
    uint8_t pk[SEAL_PUBLIC_BYTES];
    char why[256] = "";
    gboolean needs_kiosk = strcmp(action, "verify") == 0 || strcmp(action, "export") == 0;
    if (needs_kiosk && o->kiosk_key == NULL)
        return cli_usage_error(CMD,
                               "%s needs --kiosk-key kiosk.pub: the key named inside a file "
                               "proves nothing about who wrote it",
                               action);
    if (o->kiosk_key != NULL && seal_key_read(o->kiosk_key, SEAL_KEY_KIOSK_PUBLIC, pk, sizeof(pk),
                                              why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--kiosk-key: %s", why);
    cli_log lg = {0};
    int rc = open_audit(o->audit_log, o->audit_key, o->audit_hash, &lg.log);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (strcmp(action, "list") == 0)
        rc = do_list(dir, NULL);
    else if (strcmp(action, "verify") == 0)
        rc = do_list(dir, pk);
    else if (strcmp(action, "export") == 0)
        rc = do_export(dir, o, pk, &lg);
    else if (strcmp(action, "deliver") == 0)
        rc = do_deliver(dir, o, &lg);
    else if (strcmp(action, "purge") == 0)
        rc = do_purge(dir, o, &lg);
    else if (strcmp(action, "discard") == 0)
        rc = do_discard(dir, o, lg.log, name);
    else
        rc = cli_usage_error(
            CMD, "unknown action '%s' (list, verify, export, deliver, purge, discard)", action);
    bool had_log = lg.log != NULL;
    bk_err closed = audit_close(lg.log);
    /* what was done stays done (and printed); the exit status says the log does not show it */
    if (had_log && closed != BK_OK)
        fprintf(stderr,
                "biokiosk %s: the audit log's closing checkpoint could not be written: %s\n", CMD,
                bk_err_str(closed));
    /* a normal "records still wait" (1) must not hide it either */
    if (had_log && (closed != BK_OK || lg.refused > 0) && (rc == CLI_EXIT_OK || rc == CLI_EXIT_NO))
        rc = CLI_EXIT_UNAVAILABLE;
    return rc;
}

int cmd_outbox(int argc, char **argv)
{
    options o = {.retention = OUTBOX_DEFAULT_RETENTION};
    const GOptionEntry entries[] = {
        {"kiosk-key", 0, 0, G_OPTION_ARG_FILENAME, &o.kiosk_key,
         "verify/export (required): the kiosk's public key the records must be signed with",
         "kiosk.pub"},
        {"to", 0, 0, G_OPTION_ARG_FILENAME, &o.dest,
         "export: the destination directory; deliver: the receiver's URL", "DEST|URL"},
        {"remove", 0, 0, G_OPTION_ARG_NONE, &o.remove,
         "export: delete each record once its copy is confirmed", NULL},
        {"ca", 0, 0, G_OPTION_ARG_FILENAME, &o.ca,
         "deliver: the receiver's certificate (or its CA) to pin", "CERT"},
        {"receiver-key", 0, 0, G_OPTION_ARG_FILENAME, &o.receiver_key,
         "deliver: the receiver's public key, to verify receipts", "receiver.pub"},
        {"days", 0, 0, G_OPTION_ARG_INT, &o.retention,
         "purge: delete delivered records whose receipt is older (default 14; 0: all delivered)",
         "N"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &o.config,
         "purge: the kiosk's configuration ([selftest] require_ntp for the clock check)", "FILE"},
        {"reason", 0, 0, G_OPTION_ARG_STRING, &o.reason,
         "discard: why, as a code (damaged, duplicate, ...; never free text)", "CODE"},
        {"audit", 0, 0, G_OPTION_ARG_FILENAME, &o.audit_log,
         "export/deliver/purge: write every export, delivery and deletion to this audit log",
         "LOG"},
        {"audit-key", 0, 0, G_OPTION_ARG_FILENAME, &o.audit_key,
         "the kiosk's secret key, to sign the audit log", "kiosk.key"},
        {"audit-hash-key", 0, 0, G_OPTION_ARG_FILENAME, &o.audit_hash, "audit-hash.key", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    int rc = CLI_EXIT_USAGE;
    if (!cli_parse_options(CMD, "list|verify|export|deliver|purge DIR | discard DIR NAME",
                           "list: the records and their state (waiting, delivered with its "
                           "receipt), as JSON.\nverify: every waiting record complete and signed "
                           "by --kiosk-key (without opening the seal).\nexport: copy every "
                           "verified record to --to DEST (durably), optionally --remove.\n"
                           "deliver: send the waiting records to --to URL; each counts as "
                           "delivered once its receipt verifies.\npurge: delete delivered records "
                           "past the retention, only when the clock check passes.\ndiscard: "
                           "delete one waiting record for good (staff only, always audited).",
                           entries, &argc, &argv))
        goto out;
    if (argc != 3 && !(argc == 4 && strcmp(argv[1], "discard") == 0)) {
        rc =
            cli_usage_error(CMD, "name an action (list, verify, export, deliver, purge) and a DIR");
        goto out;
    }
    if (!g_file_test(argv[2], G_FILE_TEST_IS_DIR)) {
        rc = cli_usage_error(CMD, "'%s' is not a directory", argv[2]);
        goto out;
    }
    if (seal_init() != BK_OK) {
        rc = cli_usage_error(CMD, "libsodium cannot be initialised");
        goto out;
    }
    rc = run(argv[1], argv[2], &o, argc == 4 ? argv[3] : NULL);
out:
    g_free(o.kiosk_key);
    g_free(o.dest);
    g_free(o.audit_log);
    g_free(o.audit_key);
    g_free(o.audit_hash);
    g_free(o.ca);
    g_free(o.receiver_key);
    g_free(o.config);
    g_free(o.reason);
    return rc;
}
