/* biokiosk receiver: the back office's side of delivery. Serves PUT /records/NAME over HTTPS
 * (app/record/receiver.h), or lists what a store holds. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "record/receiver.h"
#include "record/receiver_store.h"
#include "record/seal.h"

#define CMD "receiver"

static int list_store(const char *uri)
{
    receiver_store *s = NULL;
    char why[300] = "";
    bk_err err = receiver_store_open(uri, &s, why, sizeof(why));
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: --store: %s\n", CMD, why);
        return err == BK_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_UNAVAILABLE;
    }
    receiver_item *items = NULL;
    size_t n = 0;
    err = receiver_store_list(s, &items, &n);
    receiver_store_free(s);
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: cannot list the store: %s\n", CMD, bk_err_str(err));
        return CLI_EXIT_UNAVAILABLE;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "records");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "tcn");
        json_builder_add_string_value(b, items[i].tcn);
        json_builder_set_member_name(b, "kiosk");
        json_builder_add_string_value(b, items[i].kiosk);
        json_builder_set_member_name(b, "bytes");
        json_builder_add_int_value(b, (gint64)items[i].bytes);
        json_builder_set_member_name(b, "received");
        json_builder_add_string_value(b, items[i].received);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    receiver_items_free(items, n);
    return CLI_EXIT_OK;
}

int cmd_receiver(int argc, char **argv)
{
    g_autofree char *listen = NULL, *kiosks = NULL, *key = NULL, *store = NULL, *cert = NULL,
                    *tls_key = NULL;
    gboolean insecure = FALSE;
    gint64 max_bytes = 0;
    const GOptionEntry entries[] = {
        {"listen", 0, 0, G_OPTION_ARG_STRING, &listen, "address and port (port 0: any free one)",
         "ADDR:PORT"},
        {"kiosks", 0, 0, G_OPTION_ARG_FILENAME, &kiosks,
         "directory of the kiosks' public keys, one KIOSK-ID.pub each", "DIR"},
        {"key", 0, 0, G_OPTION_ARG_FILENAME, &key, "the receiver's secret key (signs receipts)",
         "receiver.key"},
        {"store", 0, 0, G_OPTION_ARG_STRING, &store, "where records are kept",
         "dir:PATH|postgresql://..."},
        {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "the server's certificate (PEM)", "CERT"},
        {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "the certificate's key (PEM)", "KEY"},
        {"insecure-loopback", 0, 0, G_OPTION_ARG_NONE, &insecure,
         "plain HTTP on 127.0.0.1, for tests only", NULL},
        {"max-bytes", 0, 0, G_OPTION_ARG_INT64, &max_bytes,
         "largest record accepted (default 64 MiB)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "[list]",
                           "Serves PUT /records/NAME over HTTPS: checks each record's signature "
                           "with its kiosk's key,\nstores it durably and answers with a signed "
                           "receipt. 'list' prints what --store holds.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (store == NULL)
        return cli_usage_error(CMD, "--store dir:PATH or postgresql://... is required");
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return list_store(store);
    if (argc != 1)
        return cli_usage_error(CMD, "unknown action '%s' (list, or none to serve)", argv[1]);
    if (listen == NULL || kiosks == NULL || key == NULL)
        return cli_usage_error(CMD, "serving needs --listen, --kiosks and --key");
    if (!g_file_test(kiosks, G_FILE_TEST_IS_DIR))
        return cli_usage_error(CMD, "--kiosks: '%s' is not a directory", kiosks);
    if (max_bytes < 0)
        return cli_usage_error(CMD, "--max-bytes must be positive");
    if (seal_init() != BK_OK)
        return cli_usage_error(CMD, "libsodium cannot be initialised");
    uint8_t sk[SEAL_SIGN_SECRET_BYTES];
    char why[300] = "";
    if (seal_key_read(key, SEAL_KEY_RECEIVER_SECRET, sk, sizeof(sk), why, sizeof(why)) != BK_OK)
        return cli_usage_error(CMD, "--key: %s", why);
    receiver_settings set = {
        .listen = listen,
        .kiosks_dir = kiosks,
        .receiver_sk = sk,
        .store_uri = store,
        .tls_cert = cert,
        .tls_key = tls_key,
        .insecure_loopback = insecure,
        .max_bytes = (size_t)max_bytes,
    };
    bk_err err = receiver_run(&set, why, sizeof(why));
    sodium_memzero(sk, sizeof(sk));
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk %s: %s\n", CMD, why);
        return err == BK_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_UNAVAILABLE;
    }
    return CLI_EXIT_OK;
}
