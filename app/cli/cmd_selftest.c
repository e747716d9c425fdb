/* biokiosk selftest: what works on this kiosk and what does not, for technicians and for fleet
 * monitoring (--json). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "config/config.h"
#include "selftest/selftest.h"
#include "ui/i18n.h"
#include "ui/ui.h"
#include "version.h"

#define CMD "selftest"

static void count_nothing(const char *msgid, const char *text, void *data)
{
    (void)msgid;
    (void)text;
    (void)data;
}

/* The self-test's view of the kiosk's catalogues (selftest_text): load, count, unload. */
static bk_err count_translations(const char *dir, size_t *languages, size_t *strings,
                                 char **missing)
{
    const char *bad = NULL;
    bk_err err = i18n_load(dir, (const char *const *)i18n_languages, i18n_n_languages, &bad);
    *languages = i18n_n_languages;
    *strings = 0;
    for (size_t i = 0; err == BK_OK && i < i18n_n_languages; i++)
        if (strcmp(i18n_languages[i], "en") != 0)
            *strings += i18n_each(i18n_languages[i], count_nothing, NULL);
    if (err != BK_OK)
        *missing = g_strdup(bad);
    i18n_unload();
    return err;
}

static const selftest_text kiosk_text = {
    .find_font = ui_find_font,
    .font_px = UI_BODY_PX,
    .count_translations = count_translations,
};

/* Without a configuration: what it says and the checks that need none (with the defaults). */
static void run_unconfigured(const selftest_options *opt, selftest_report *rep)
{
    selftest_camera(opt, rep);
    selftest_fingerprint(opt, rep);
    selftest_sigpad(opt, rep);
    selftest_display(opt, rep);
    static const char *const need_config[] = {
        "store.reachable", "store.today",     "outbox.writable", "outbox.free_space",
        "keys.kiosk",      "keys.backoffice", "keys.audit_hash", "audit.verify",
        "outbox.delivery", "record.trial",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(need_config); i++)
        selftest_report_add(rep, need_config[i], SELFTEST_SKIP, NULL, "Skipped: no configuration.");
    selftest_clock(opt, rep);
}

static void print_text(const selftest_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const selftest_check *c = &rep->checks[i];
        static const char *const tags[] = {"PASS", "FAIL", "SKIP"};
        printf("%s  %-24s %s\n", tags[c->status], c->name, c->value);
        if (c->status == SELFTEST_FAIL && c->action)
            printf("      %-24s what to do: %s\n", "", c->action);
    }
    printf("selftest: %zu passed, %zu failed, %zu skipped\n", selftest_count(rep, SELFTEST_PASS),
           selftest_count(rep, SELFTEST_FAIL), selftest_count(rep, SELFTEST_SKIP));
}

static void print_json(const selftest_report *rep, const config *cfg, bool interactive)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "schema");
    json_builder_add_string_value(b, "biokiosk-selftest-1");
    json_builder_set_member_name(b, "version");
    json_builder_add_string_value(b, BIOKIOSK_VERSION);
    json_builder_set_member_name(b, "kiosk");
    const char *id = config_get_string(cfg, CONFIG_KIOSK_ID);
    const char *desk = config_get_string(cfg, CONFIG_KIOSK_DESK);
    json_builder_add_string_value(b, id[0] ? id : "unknown");
    json_builder_set_member_name(b, "desk");
    json_builder_add_string_value(b, desk[0] ? desk : "unknown");
    GDateTime *now = g_date_time_new_now_utc();
    g_autofree char *ts = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(now);
    json_builder_set_member_name(b, "time");
    json_builder_add_string_value(b, ts);
    json_builder_set_member_name(b, "interactive");
    json_builder_add_boolean_value(b, interactive);
    size_t failed = selftest_count(rep, SELFTEST_FAIL);
    json_builder_set_member_name(b, "result");
    json_builder_add_string_value(b, failed ? "fail" : "pass");
    json_builder_set_member_name(b, "passed");
    json_builder_add_int_value(b, (gint64)selftest_count(rep, SELFTEST_PASS));
    json_builder_set_member_name(b, "failed");
    json_builder_add_int_value(b, (gint64)failed);
    json_builder_set_member_name(b, "skipped");
    json_builder_add_int_value(b, (gint64)selftest_count(rep, SELFTEST_SKIP));
    json_builder_set_member_name(b, "checks");
    json_builder_begin_array(b);
    for (size_t i = 0; i < rep->n; i++) {
        const selftest_check *c = &rep->checks[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, c->name);
        json_builder_set_member_name(b, "status");
        json_builder_add_string_value(b, selftest_status_name(c->status));
        json_builder_set_member_name(b, "value");
        json_builder_add_string_value(b, c->value);
        json_builder_set_member_name(b, "number");
        if (c->has_number)
            json_builder_add_double_value(b, c->number);
        else
            json_builder_add_null_value(b);
        json_builder_set_member_name(b, "unit");
        if (c->has_number && c->unit)
            json_builder_add_string_value(b, c->unit);
        else
            json_builder_add_null_value(b);
        json_builder_set_member_name(b, "action");
        if (c->action)
            json_builder_add_string_value(b, c->action);
        else
            json_builder_add_null_value(b);
        json_builder_set_member_name(b, "duration_ms");
        json_builder_add_int_value(b, (gint64)(c->duration_ms + 0.5));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

int cmd_selftest(int argc, char **argv)
{
    gboolean json = FALSE, interactive = FALSE;
    g_autofree char *config_path = NULL;
    const GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         "One JSON object (schema: share/doc/biokiosk/selftest.schema.json)", NULL},
        {"interactive", 'i', 0, G_OPTION_ARG_NONE, &interactive,
         "Also take a test photo, a finger and a signature (prompts on stderr)", NULL},
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
         "The configuration file (default " CONFIG_DEFAULT_PATH ")", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, NULL,
                           "Checks the camera, the fingerprint reader, the signature pad, the "
                           "screen and touch, fonts and translations, the store, the outbox, the "
                           "audit log, the keys and the clock.\nExit status 0 when every check "
                           "passed (or was skipped), 1 when any failed (a configuration that "
                           "cannot be read is a failed check), 2 for bad usage.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc > 1)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[1]);
    /* a configuration that cannot be read is the first thing a fresh kiosk's technician must
     * see: a failed check with what to do, and what can be checked without it */
    config *cfg = NULL;
    g_autofree char *message = NULL;
    const char *path = config_path ? config_path : CONFIG_DEFAULT_PATH;
    bool configured = config_load(path, &cfg, &message) == BK_OK;
    if (!configured)
        cfg = config_new();

    selftest_options opt = {
        .cfg = cfg, .interactive = interactive, .prompt_fd = 2, .text = &kiosk_text};
    selftest_report rep = {0};
    if (configured) {
        selftest_report_add(&rep, "config.load", SELFTEST_PASS, NULL, path);
        selftest_run(&opt, &rep);
    } else {
        selftest_config_failed(path, message, &rep);
        run_unconfigured(&opt, &rep);
    }
    if (json)
        print_json(&rep, cfg, interactive);
    else
        print_text(&rep);
    int status = selftest_count(&rep, SELFTEST_FAIL) ? CLI_EXIT_NO : CLI_EXIT_OK;
    selftest_report_clear(&rep);
    config_free(cfg);
    return status;
}
