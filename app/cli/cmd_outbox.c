/* biokiosk outbox: list, verify and export the sealed records waiting for transfer, and
 * delete those past the retention period. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record/audit.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "record/outbox.h"
#include "record/seal.h"

#define CMD "outbox"

/* Writes each record leaving the outbox to the audit log. */
static void audit_event(const char *name, const char *event, void *data)
{
    g_autofree char *detail = g_strdup_printf("file=%s", name);
    const char *what = g_str_has_prefix(event, "deleted") ? "record.deleted" : "record.exported";
    g_autofree char *full = g_strdup_printf("%s %s", detail, event);
    if (audit_append(data, what, NULL, full) != BK_OK)
        g_warning("outbox: the audit log refused an entry");
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

int cmd_outbox(int argc, char **argv)
{
    g_autofree char *kiosk_key = NULL, *dest = NULL, *audit_log = NULL, *audit_key = NULL,
                    *audit_hash = NULL;
    gboolean remove = FALSE;
    gint retention = OUTBOX_DEFAULT_RETENTION;
    const GOptionEntry entries[] = {
        {"kiosk-key", 0, 0, G_OPTION_ARG_FILENAME, &kiosk_key,
         "verify/export: require this kiosk's signature (default: the key named in each file)",
         "kiosk.pub"},
        {"to", 0, 0, G_OPTION_ARG_FILENAME, &dest, "export: the destination directory", "DEST"},
        {"remove", 0, 0, G_OPTION_ARG_NONE, &remove,
         "export: delete each record once its copy is confirmed", NULL},
        {"days", 0, 0, G_OPTION_ARG_INT, &retention,
         "purge: delete records older than this many days (default 14)", "N"},
        {"audit", 0, 0, G_OPTION_ARG_FILENAME, &audit_log,
         "export/purge: write every export and deletion to this audit log", "LOG"},
        {"audit-key", 0, 0, G_OPTION_ARG_FILENAME, &audit_key,
         "the kiosk's secret key, to sign the audit log", "kiosk.key"},
        {"audit-hash-key", 0, 0, G_OPTION_ARG_FILENAME, &audit_hash, "audit-hash.key", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "list|verify|export|purge DIR",
                           "list: the records, as JSON. verify: every record complete and signed "
                           "(without opening the seal).\nexport: copy every verified record to "
                           "--to DEST (durably), optionally --remove. purge: retention.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 3)
        return cli_usage_error(CMD, "name an action (list, verify, export, purge) and a DIR");
    const char *action = argv[1], *dir = argv[2];
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return cli_usage_error(CMD, "'%s' is not a directory", dir);
    if (seal_init() != BK_OK)
        return cli_usage_error(CMD, "libsodium cannot be initialised");
    uint8_t pk[SEAL_PUBLIC_BYTES];
    char why[256] = "";
    if (kiosk_key != NULL &&
        seal_key_read(kiosk_key, SEAL_KEY_KIOSK_PUBLIC, pk, sizeof(pk), why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--kiosk-key: %s", why);
    const uint8_t *want = kiosk_key ? pk : NULL;

    audit *log = NULL;
    int rc = open_audit(audit_log, audit_key, audit_hash, &log);
    if (rc != CLI_EXIT_OK)
        return rc;
    JsonBuilder *b = json_builder_new();
    if (g_strcmp0(action, "list") == 0 || g_strcmp0(action, "verify") == 0) {
        gboolean verify = action[0] == 'v';
        outbox_entry *list = NULL;
        size_t n = 0, bad = 0;
        bk_err err = outbox_list(dir, &list, &n);
        if (err != BK_OK) {
            rc = cli_usage_error(CMD, "%s: %s", dir, bk_err_str(err));
            goto out;
        }
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "records");
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++) {
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, list[i].name);
            json_builder_set_member_name(b, "bytes");
            json_builder_add_int_value(b, (gint64)list[i].size);
            char when[32];
            struct tm tm;
            gmtime_r(&list[i].mtime, &tm);
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
            json_builder_set_member_name(b, "written");
            json_builder_add_string_value(b, when);
            if (verify) {
                g_autofree char *path = g_build_filename(dir, list[i].name, NULL);
                why[0] = '\0';
                err = outbox_verify_file(path, want, why, sizeof(why));
                json_builder_set_member_name(b, "ok");
                json_builder_add_boolean_value(b, err == BK_OK);
                if (err != BK_OK) {
                    bad++;
                    json_builder_set_member_name(b, "problem");
                    json_builder_add_string_value(b, why);
                }
            }
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        if (verify) {
            json_builder_set_member_name(b, "bad");
            json_builder_add_int_value(b, (gint64)bad);
        }
        json_builder_end_object(b);
        outbox_entries_free(list, n);
        cli_print_json(b);
        rc = bad > 0 ? CLI_EXIT_NO : CLI_EXIT_OK;
    } else if (g_strcmp0(action, "export") == 0) {
        if (dest == NULL || !g_file_test(dest, G_FILE_TEST_IS_DIR)) {
            rc = cli_usage_error(CMD, "export needs --to DEST, an existing directory");
            goto out;
        }
        size_t exported = 0;
        bk_err err = outbox_export(dir, dest, want, remove, log ? audit_event : NULL, log,
                                   &exported, why, sizeof(why));
        if (err != BK_OK) {
            fprintf(stderr, "biokiosk %s: export stopped after %zu records: %s\n", CMD, exported,
                    why);
            rc = err == BK_ERR_CORRUPT || err == BK_ERR_CRYPTO ? CLI_EXIT_NO : CLI_EXIT_UNAVAILABLE;
            goto out;
        }
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "exported");
        json_builder_add_int_value(b, (gint64)exported);
        json_builder_set_member_name(b, "removed");
        json_builder_add_boolean_value(b, remove);
        json_builder_end_object(b);
        cli_print_json(b);
    } else if (g_strcmp0(action, "purge") == 0) {
        if (retention < 0) {
            rc = cli_usage_error(CMD, "--days must be 0 or more");
            goto out;
        }
        size_t deleted = 0, temp = 0;
        bk_err err = outbox_clean_temp(dir, &temp);
        if (err == BK_OK)
            err = outbox_purge(dir, (unsigned)retention, time(NULL), log ? audit_event : NULL, log,
                               &deleted);
        if (err != BK_OK) {
            fprintf(stderr, "biokiosk %s: purge: %s\n", CMD, bk_err_str(err));
            rc = CLI_EXIT_UNAVAILABLE;
            goto out;
        }
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "deleted");
        json_builder_add_int_value(b, (gint64)deleted);
        json_builder_set_member_name(b, "unfinished_removed");
        json_builder_add_int_value(b, (gint64)temp);
        json_builder_end_object(b);
        cli_print_json(b);
    } else {
        rc = cli_usage_error(CMD, "unknown action '%s' (list, verify, export, purge)", action);
    }
out:
    g_object_unref(b);
    audit_close(log);
    return rc;
}
