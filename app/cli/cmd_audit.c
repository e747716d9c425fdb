/* biokiosk audit: append to and verify the tamper-evident audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/audit.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "record/seal.h"

#include <sodium.h>

#define CMD "audit"

static int audit_append_cmd(const char *log, const char *kiosk_key, const char *hash_key,
                            const char *event, const char *v_number, const char *detail)
{
    if (kiosk_key == NULL || hash_key == NULL || event == NULL)
        return cli_usage_error(CMD, "append needs --kiosk-key, --hash-key and --event");
    uint8_t sk[SEAL_SIGN_SECRET_BYTES], hk[SEAL_AUDIT_KEY_BYTES];
    char why[256] = "";
    if (seal_key_read(kiosk_key, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk), why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--kiosk-key: %s", why);
    if (seal_key_read(hash_key, SEAL_KEY_AUDIT_HASH, hk, sizeof(hk), why, sizeof(why)) != BK_OK) {
        explicit_bzero(sk, sizeof(sk));
        return cli_usage_error(CMD, "--hash-key: %s", why);
    }
    audit *a = NULL;
    bk_err err = audit_open(log, sk, hk, 0, &a, why, sizeof(why));
    explicit_bzero(sk, sizeof(sk));
    explicit_bzero(hk, sizeof(hk));
    if (err != BK_OK)
        return cli_usage_error(CMD, "%s", why[0] ? why : bk_err_str(err));
    err = audit_append(a, event, v_number, detail);
    bk_err closed = audit_close(a);
    if (err == BK_ERR_INVALID)
        return cli_usage_error(CMD, "--event must be [a-z0-9._-], --detail printable text");
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: cannot append: %s\n", CMD, bk_err_str(err));
        return CLI_EXIT_UNAVAILABLE;
    }
    if (closed != BK_OK) {
        fprintf(stderr,
                "biokiosk %s: appended, but the closing checkpoint could not be written: %s\n", CMD,
                bk_err_str(closed));
        return CLI_EXIT_UNAVAILABLE;
    }
    return CLI_EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
    g_autofree char *kiosk_key = NULL, *hash_key = NULL, *event = NULL, *v_number = NULL,
                    *detail = NULL, *head = NULL, *kiosk_secret = NULL;
    const GOptionEntry entries[] = {
        {"kiosk-key", 0, 0, G_OPTION_ARG_FILENAME, &kiosk_key,
         "verify: the kiosk's public key; append: its secret key (required)", "FILE"},
        {"hash-key", 0, 0, G_OPTION_ARG_FILENAME, &hash_key, "append: audit-hash.key", "FILE"},
        {"kiosk-secret", 0, 0, G_OPTION_ARG_FILENAME, &kiosk_secret,
         "verify, on the kiosk: also check every entry's tag with the kiosk's secret key "
         "(kiosk.key; it must belong to --kiosk-key)",
         "FILE"},
        {"event", 0, 0, G_OPTION_ARG_STRING, &event, "append: the event name", "NAME"},
        {"v-number", 0, 0, G_OPTION_ARG_STRING, &v_number,
         "append: the person (stored as a keyed hash)", "V"},
        {"detail", 0, 0, G_OPTION_ARG_STRING, &detail, "append: key=value text", "TEXT"},
        {"head", 0, 0, G_OPTION_ARG_STRING, &head,
         "verify: this entry must be in the log (a record's audit_head, from record open): "
         "detects a log cut short",
         "ENTRY:HASH"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "verify|append LOG",
                           "verify: checks the chain and the kiosk's signed checkpoints and names "
                           "every changed, removed, reordered or inserted entry.\nappend: adds "
                           "one entry (for scripts and tests; the kiosk appends itself).",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 3)
        return cli_usage_error(CMD, "name an action (verify, append) and the LOG file");
    if (seal_init() != BK_OK)
        return cli_usage_error(CMD, "libsodium cannot be initialised");
    if (g_strcmp0(argv[1], "append") == 0)
        return audit_append_cmd(argv[2], kiosk_key, hash_key, event, v_number, detail);
    if (g_strcmp0(argv[1], "verify") != 0)
        return cli_usage_error(CMD, "unknown action '%s' (verify, append)", argv[1]);
    if (kiosk_key == NULL)
        return cli_usage_error(CMD, "verify needs --kiosk-key kiosk.pub");
    uint8_t pk[SEAL_PUBLIC_BYTES];
    char why[256] = "";
    if (seal_key_read(kiosk_key, SEAL_KEY_KIOSK_PUBLIC, pk, sizeof(pk), why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--kiosk-key: %s", why);
    audit_verify_options options = {0};
    if (head != NULL) {
        char *colon = strchr(head, ':'), *end = NULL;
        options.head_seq = colon ? strtoul(head, &end, 10) : 0;
        options.head_hash = colon ? colon + 1 : NULL;
        if (colon == NULL || end != colon || options.head_seq == 0 || strlen(colon + 1) != 64)
            return cli_usage_error(CMD, "--head: '%s' is not ENTRY:HASH (64 hex digits)", head);
    }
    uint8_t sk[SEAL_SIGN_SECRET_BYTES];
    if (kiosk_secret != NULL) {
        if (seal_key_read(kiosk_secret, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk), why, sizeof(why)) !=
            BK_OK)
            return cli_usage_error(CMD, "--kiosk-secret: %s", why);
        if (sodium_memcmp(sk + 32, pk, sizeof(pk)) != 0) {
            explicit_bzero(sk, sizeof(sk));
            return cli_usage_error(CMD, "--kiosk-secret is not the secret key of --kiosk-key");
        }
        options.kiosk_sk = sk;
    }
    audit_report report = {0};
    bk_err err = audit_verify_with(argv[2], pk, &options, &report);
    explicit_bzero(sk, sizeof(sk));
    if (err != BK_OK && err != BK_ERR_CORRUPT)
        return cli_usage_error(CMD, "cannot read '%s': %s", argv[2], bk_err_str(err));
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "ok");
    json_builder_add_boolean_value(b, err == BK_OK);
    json_builder_set_member_name(b, "entries");
    json_builder_add_int_value(b, (gint64)report.entries);
    json_builder_set_member_name(b, "checkpoints");
    json_builder_add_int_value(b, (gint64)report.checkpoints);
    json_builder_set_member_name(b, "unsigned_tail");
    json_builder_add_int_value(b, (gint64)report.unsigned_tail);
    json_builder_set_member_name(b, "tags_checked");
    json_builder_add_boolean_value(b, kiosk_secret != NULL);
    json_builder_set_member_name(b, "problems");
    json_builder_begin_array(b);
    for (size_t i = 0; i < report.n_problems; i++) {
        const audit_problem *p = &report.problems[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, p->kind);
        json_builder_set_member_name(b, "entry");
        json_builder_add_int_value(b, (gint64)p->seq);
        json_builder_set_member_name(b, "line");
        json_builder_add_int_value(b, (gint64)p->line);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, p->text);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    audit_report_clear(&report);
    return err == BK_OK ? CLI_EXIT_OK : CLI_EXIT_NO;
}
