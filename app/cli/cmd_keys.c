/* biokiosk keys: make the kiosk's signing key, the back office's sealing key pair and the
 * delivery receiver's receipt key pair. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "record/seal.h"

#define CMD "keys"

int cmd_keys(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    const GOptionEntry entries[] = {
        {"dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Directory for the key files (required)", "DIR"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "kiosk-init|backoffice-init|receiver-init",
                           "kiosk-init writes kiosk.key (Ed25519, mode 0600), kiosk.pub and "
                           "audit-hash.key (0600);\nbackoffice-init writes backoffice.key "
                           "(X25519, mode 0600) and backoffice.pub;\nreceiver-init writes "
                           "receiver.key (Ed25519, mode 0600, signs delivery receipts) and "
                           "receiver.pub.\nExisting files are never "
                           "overwritten.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 2)
        return cli_usage_error(CMD,
                               "name one action: kiosk-init, backoffice-init or receiver-init");
    if (dir == NULL)
        return cli_usage_error(CMD, "--dir is required");
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return cli_usage_error(CMD, "--dir: '%s' is not a directory", dir);
    if (seal_init() != BK_OK)
        return cli_usage_error(CMD, "libsodium cannot be initialised");

    char fingerprint[17];
    bk_err err;
    gboolean kiosk = g_strcmp0(argv[1], "kiosk-init") == 0;
    const char *kind = kiosk ? "kiosk" : "backoffice";
    if (kiosk)
        err = seal_kiosk_init(dir, fingerprint);
    else if (g_strcmp0(argv[1], "backoffice-init") == 0)
        err = seal_backoffice_init(dir, fingerprint);
    else if (g_strcmp0(argv[1], "receiver-init") == 0) {
        kind = "receiver";
        err = seal_receiver_init(dir, fingerprint);
    } else
        return cli_usage_error(CMD,
                               "unknown action '%s' (kiosk-init, backoffice-init, "
                               "receiver-init)",
                               argv[1]);
    if (err == BK_ERR_EXISTS)
        return cli_usage_error(CMD, "key files exist already in '%s'; nothing was overwritten",
                               dir);
    if (err != BK_OK)
        return cli_usage_error(CMD, "cannot write the keys in '%s': %s", dir, bk_err_str(err));

    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "kind");
    json_builder_add_string_value(b, kind);
    g_autofree char *secret_name = g_strconcat(kind, ".key", NULL);
    g_autofree char *public_name = g_strconcat(kind, ".pub", NULL);
    g_autofree char *secret = g_build_filename(dir, secret_name, NULL);
    g_autofree char *public = g_build_filename(dir, public_name, NULL);
    json_builder_set_member_name(b, "secret");
    json_builder_add_string_value(b, secret);
    json_builder_set_member_name(b, "public");
    json_builder_add_string_value(b, public);
    if (kiosk) {
        g_autofree char *audit = g_build_filename(dir, "audit-hash.key", NULL);
        json_builder_set_member_name(b, "audit_hash_key");
        json_builder_add_string_value(b, audit);
    }
    json_builder_set_member_name(b, "fingerprint");
    json_builder_add_string_value(b, fingerprint);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    return CLI_EXIT_OK;
}
