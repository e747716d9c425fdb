/* biokiosk staff: the staff accounts that sign in on the kiosk with a PIN. PINs are read from
 * standard input (one line), never from the command line, where other users could see them. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cmdstore.h"
#include "cli/commands.h"
#include "store/staff.h"

#define CMD "staff"

/* Reads one line of at most STAFF_PIN_MAX + 2 characters from stdin into pin. */
static bool read_pin(char pin[static STAFF_PIN_MAX + 3])
{
    if (fgets(pin, STAFF_PIN_MAX + 3, stdin) == NULL)
        return false;
    pin[strcspn(pin, "\r\n")] = '\0';
    return true;
}

static int store_error(bk_err err)
{
    g_printerr("biokiosk %s: the store failed: %s\n", CMD, bk_err_str(err));
    return CLI_EXIT_UNAVAILABLE;
}

typedef struct common {
    char *store_uri;
    char *config_path;
} common;

static gboolean parse(const char *sub, const char *param, const char *summary,
                      GOptionEntry *entries, size_t n, common *c, int *argc, char ***argv)
{
    /* The common options go at the end of the caller's table (2 free rows before the NULL). */
    entries[n] = (GOptionEntry){
        "store", 0, 0, G_OPTION_ARG_STRING, &c->store_uri, "The store (default: store.uri)", "URI"};
    entries[n + 1] = (GOptionEntry){
        "config", 0, 0, G_OPTION_ARG_FILENAME, &c->config_path, "Configuration file", "FILE"};
    entries[n + 2] = (GOptionEntry){NULL, 0, 0, 0, NULL, NULL, NULL};
    g_autofree char *title = g_strdup_printf(CMD " %s", sub);
    return cli_parse_options(title, param, summary, entries, argc, argv);
}

static int add(int argc, char **argv)
{
    common c = {0};
    g_autofree char *name = NULL, *role_text = NULL;
    GOptionEntry entries[5] = {
        {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name (required)", "TEXT"},
        {"role", 0, 0, G_OPTION_ARG_STRING, &role_text,
         "desk, technician or desk+technician (required)", "ROLE"},
    };
    int rc = CLI_EXIT_USAGE;
    staff_role role;
    char pin[STAFF_PIN_MAX + 3] = "";
    store *s = NULL;
    if (!parse("add", "ID", "Adds an account; the PIN is read from standard input.", entries, 2, &c,
               &argc, &argv))
        goto out;
    if (argc != 2) {
        cli_usage_error(CMD, "add: name one ID");
        goto out;
    }
    if (!staff_id_valid(argv[1])) {
        cli_usage_error(CMD, "add: the ID must be 1 to %d characters of A-Z a-z 0-9 _ -",
                        STAFF_ID_MAX);
        goto out;
    }
    if (name == NULL || *name == '\0' || !g_utf8_validate(name, -1, NULL)) {
        cli_usage_error(CMD, "add: --name is required");
        goto out;
    }
    if (role_text == NULL || staff_role_parse(role_text, &role) != BK_OK) {
        cli_usage_error(CMD, "add: --role must be desk, technician or desk+technician");
        goto out;
    }
    if (!read_pin(pin) || !staff_pin_valid(pin)) {
        cli_usage_error(CMD, "add: the PIN on standard input must be %d to %d digits",
                        STAFF_PIN_MIN, STAFF_PIN_MAX);
        goto out;
    }
    rc = cmdstore_open(CMD, c.store_uri, c.config_path, &s, NULL);
    if (rc != CLI_EXIT_OK)
        goto out;
    bk_err err = staff_add(s, argv[1], name, role, pin);
    if (err == BK_ERR_EXISTS) {
        rc = cli_usage_error(CMD, "add: an account '%s' exists already", argv[1]);
    } else if (err == BK_ERR_INVALID) {
        rc = cli_usage_error(CMD, "add: invalid account");
    } else if (err != BK_OK) {
        rc = store_error(err);
    } else {
        JsonBuilder *b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "result");
        json_builder_add_string_value(b, "ok");
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, argv[1]);
        json_builder_set_member_name(b, "role");
        json_builder_add_string_value(b, staff_role_str(role));
        json_builder_end_object(b);
        cli_print_json(b);
        g_object_unref(b);
        rc = CLI_EXIT_OK;
    }
out:
    sodium_memzero(pin, sizeof pin);
    store_free(s);
    g_free(c.store_uri);
    g_free(c.config_path);
    return rc;
}

static int remove_account(int argc, char **argv)
{
    common c = {0};
    GOptionEntry entries[3] = {{0}};
    int rc = CLI_EXIT_USAGE;
    store *s = NULL;
    if (!parse("remove", "ID", "Removes an account.", entries, 0, &c, &argc, &argv))
        goto out;
    if (argc != 2) {
        cli_usage_error(CMD, "remove: name one ID");
        goto out;
    }
    rc = cmdstore_open(CMD, c.store_uri, c.config_path, &s, NULL);
    if (rc != CLI_EXIT_OK)
        goto out;
    bk_err err = staff_remove(s, argv[1]);
    if (err != BK_OK && err != BK_ERR_NOT_FOUND) {
        rc = store_error(err);
        goto out;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "result");
    json_builder_add_string_value(b, err == BK_OK ? "ok" : "unknown-staff");
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    rc = err == BK_OK ? CLI_EXIT_OK : CLI_EXIT_NO;
out:
    store_free(s);
    g_free(c.store_uri);
    g_free(c.config_path);
    return rc;
}

static int list(int argc, char **argv)
{
    common c = {0};
    GOptionEntry entries[3] = {{0}};
    int rc = CLI_EXIT_USAGE;
    store *s = NULL;
    staff_list *all = NULL;
    if (!parse("list", NULL, "Lists the accounts (never the PINs).", entries, 0, &c, &argc, &argv))
        goto out;
    if (argc != 1) {
        cli_usage_error(CMD, "list: unexpected argument '%s'", argv[1]);
        goto out;
    }
    rc = cmdstore_open(CMD, c.store_uri, c.config_path, &s, NULL);
    if (rc != CLI_EXIT_OK)
        goto out;
    bk_err err = staff_list_all(s, &all);
    if (err != BK_OK) {
        rc = store_error(err);
        goto out;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "staff");
    json_builder_begin_array(b);
    for (size_t i = 0; i < all->n; i++) {
        const staff_account *a = &all->items[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, a->id);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, a->name);
        json_builder_set_member_name(b, "role");
        json_builder_add_string_value(b, staff_role_str(a->role));
        json_builder_set_member_name(b, "failures");
        json_builder_add_int_value(b, a->failures);
        json_builder_set_member_name(b, "locked_until");
        if (a->locked_until > 0) {
            char when[26];
            store_time_format(a->locked_until, 0, when);
            json_builder_add_string_value(b, when);
        } else {
            json_builder_add_null_value(b);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    rc = CLI_EXIT_OK;
out:
    staff_list_free(all);
    store_free(s);
    g_free(c.store_uri);
    g_free(c.config_path);
    return rc;
}

static int verify(int argc, char **argv)
{
    common c = {0};
    g_autofree char *at = NULL;
    GOptionEntry entries[4] = {
        {"at", 0, 0, G_OPTION_ARG_STRING, &at, "The time (default: now)", "ISO-TIME"},
    };
    int rc = CLI_EXIT_USAGE;
    store *s = NULL;
    config *cfg = NULL;
    char pin[STAFF_PIN_MAX + 3] = "";
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    if (!parse("verify", "ID", "Checks a PIN read from standard input, as the kiosk does.", entries,
               1, &c, &argc, &argv))
        goto out;
    if (argc != 2) {
        cli_usage_error(CMD, "verify: name one ID");
        goto out;
    }
    if (at != NULL && store_time_parse(at, &now, NULL) != BK_OK) {
        cli_usage_error(CMD, "verify: --at: '%s' is not a time with offset", at);
        goto out;
    }
    if (!read_pin(pin)) {
        cli_usage_error(CMD, "verify: no PIN on standard input");
        goto out;
    }
    rc = cmdstore_open(CMD, c.store_uri, c.config_path, &s, &cfg);
    if (rc != CLI_EXIT_OK)
        goto out;
    staff_policy policy = {5, 5};
    if (cfg != NULL) {
        policy.max_failures = (int)config_get_int(cfg, CONFIG_STAFF_MAX_PIN_FAILURES);
        policy.lockout_minutes = (int)config_get_int(cfg, CONFIG_STAFF_LOCKOUT_MINUTES);
    }
    staff_answer ans;
    bk_err err = staff_verify(s, argv[1], pin, now, &policy, &ans);
    if (err != BK_OK) {
        rc = store_error(err);
        goto out;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "result");
    json_builder_add_string_value(b, staff_verdict_str(ans.verdict));
    if (ans.verdict == STAFF_VERDICT_OK) {
        json_builder_set_member_name(b, "role");
        json_builder_add_string_value(b, staff_role_str(ans.role));
    } else if (ans.verdict == STAFF_VERDICT_WRONG_PIN) {
        json_builder_set_member_name(b, "tries_left");
        json_builder_add_int_value(b, ans.failures_left);
    } else if (ans.verdict == STAFF_VERDICT_LOCKED) {
        char when[26];
        store_time_format(ans.locked_until, 0, when);
        json_builder_set_member_name(b, "locked_until");
        json_builder_add_string_value(b, when);
    }
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    rc = ans.verdict == STAFF_VERDICT_OK ? CLI_EXIT_OK : CLI_EXIT_NO;
out:
    sodium_memzero(pin, sizeof pin);
    store_free(s);
    config_free(cfg);
    g_free(c.store_uri);
    g_free(c.config_path);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out, "Usage: biokiosk staff SUBCOMMAND [OPTIONS]\n\n"
                 "  add ID --name TEXT --role desk|technician   PIN on standard input\n"
                 "  remove ID\n"
                 "  list\n"
                 "  verify ID [--at TIME]                       PIN on standard input\n"
                 "Common options: --store URI, --config FILE. 'biokiosk staff SUB --help'.\n");
}

int cmd_staff(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "add") == 0)
        return add(argc - 1, argv + 1);
    if (strcmp(sub, "remove") == 0)
        return remove_account(argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return list(argc - 1, argv + 1);
    if (strcmp(sub, "verify") == 0)
        return verify(argc - 1, argv + 1);
    return cli_usage_error(CMD, "unknown subcommand '%s' (add, remove, list, verify)", sub);
}
