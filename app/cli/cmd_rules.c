/* biokiosk rules: the capture plan for one person, as JSON. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/rules.h"

#define CMD "rules"

/* Parses an optional date option; a NULL text leaves *has false. */
static gboolean parse_date_option(const char *option, const char *text, gboolean *has, caldate *out)
{
    *has = FALSE;
    if (text == NULL)
        return TRUE;
    if (caldate_parse(text, out) != BK_OK) {
        cli_usage_error(CMD, "%s: '%s' is not a valid date (YYYY-MM-DD)", option, text);
        return FALSE;
    }
    *has = TRUE;
    return TRUE;
}

int cmd_rules(int argc, char **argv)
{
    g_autofree char *birth = NULL, *on = NULL, *applied = NULL, *category = NULL;
    g_autofree char *photo = NULL, *fingerprints = NULL, *signature = NULL;
    gboolean poor = FALSE;
    const GOptionEntry entries[] = {
        {"birth-date", 0, 0, G_OPTION_ARG_STRING, &birth, "Date of birth (required)", "YYYY-MM-DD"},
        {"on", 0, 0, G_OPTION_ARG_STRING, &on, "Date of the appointment (required)", "YYYY-MM-DD"},
        {"applied", 0, 0, G_OPTION_ARG_STRING, &applied,
         "Date of the application (default: the appointment date)", "YYYY-MM-DD"},
        {"category", 0, 0, G_OPTION_ARG_STRING, &category,
         "third-country (default), eu-family-member, eu-citizen-permanent or mvv", "CATEGORY"},
        {"previous-photo", 0, 0, G_OPTION_ARG_STRING, &photo, "Date of the photo on file",
         "YYYY-MM-DD"},
        {"previous-fingerprints", 0, 0, G_OPTION_ARG_STRING, &fingerprints,
         "Date of the fingerprints on file", "YYYY-MM-DD"},
        {"previous-fingerprints-poor", 0, 0, G_OPTION_ARG_NONE, &poor,
         "The fingerprints on file were of insufficient quality", NULL},
        {"previous-signature", 0, 0, G_OPTION_ARG_STRING, &signature,
         "Date of the signature on file", "YYYY-MM-DD"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, NULL,
                           "Prints, as one JSON object, what is taken from a person at the desk "
                           "(photo, fingerprints, signature) and why.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc > 1)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[1]);
    if (birth == NULL)
        return cli_usage_error(CMD, "--birth-date is required");
    if (on == NULL)
        return cli_usage_error(CMD, "--on (the appointment date) is required");

    rules_person p = {0};
    gboolean has = FALSE;
    if (!parse_date_option("--birth-date", birth, &has, &p.birth) ||
        !parse_date_option("--on", on, &has, &p.on))
        return CLI_EXIT_USAGE;
    p.applied = p.on;
    if (!parse_date_option("--applied", applied, &has, &p.applied))
        return CLI_EXIT_USAGE;
    p.category = RULES_CATEGORY_THIRD_COUNTRY;
    if (category != NULL && rules_category_parse(category, &p.category) != BK_OK)
        return cli_usage_error(CMD,
                               "--category: unknown category '%s' (third-country, "
                               "eu-family-member, eu-citizen-permanent, mvv)",
                               category);
    gboolean has_photo, has_fingerprints, has_signature;
    if (!parse_date_option("--previous-photo", photo, &has_photo, &p.photo) ||
        !parse_date_option("--previous-fingerprints", fingerprints, &has_fingerprints,
                           &p.fingerprints) ||
        !parse_date_option("--previous-signature", signature, &has_signature, &p.signature))
        return CLI_EXIT_USAGE;
    p.has_photo = has_photo;
    p.has_fingerprints = has_fingerprints;
    p.has_signature = has_signature;
    p.fingerprints_poor = poor;

    rules_plan plan;
    const char *problem = NULL;
    bk_err err = rules_decide(&p, &plan, &problem);
    if (err != BK_OK)
        return cli_usage_error(CMD, "%s", problem ? problem : bk_err_str(err));

    JsonBuilder *b = json_builder_new();
    cli_add_plan(b, &plan);
    cli_print_json(b);
    g_object_unref(b);
    return CLI_EXIT_OK;
}
