#include "cli/cli.h"

#include <stdio.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "biokiosk %s: %s\n", cmd, message);
    return CLI_EXIT_USAGE;
}

gboolean cli_parse_options(const char *cmd, const char *parameter, const char *summary,
                           const GOptionEntry *entries, int *argc, char ***argv)
{
    g_autofree char *title =
        g_strdup_printf("%s%s%s", cmd, parameter ? " " : "", parameter ? parameter : "");
    GOptionContext *context = g_option_context_new(NULL);
    g_option_context_set_summary(context, summary);
    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_set_help_enabled(context, TRUE);
    g_autofree char *prgname = g_strdup_printf("biokiosk %s", title);
    g_set_prgname(prgname);

    GError *error = NULL;
    gboolean ok = g_option_context_parse(context, argc, argv, &error);
    if (!ok) {
        cli_usage_error(cmd, "%s", error->message);
        g_error_free(error);
    }
    g_option_context_free(context);
    return ok;
}

void cli_print_json(JsonBuilder *builder)
{
    JsonGenerator *generator = json_generator_new();
    JsonNode *root = json_builder_get_root(builder);
    json_generator_set_root(generator, root);
    gsize length = 0;
    g_autofree char *text = json_generator_to_data(generator, &length);
    fwrite(text, 1, length, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    json_node_unref(root);
    g_object_unref(generator);
}

void cli_add_plan(JsonBuilder *b, const rules_plan *plan)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "age");
    json_builder_add_int_value(b, plan->age);
    json_builder_set_member_name(b, "desk");
    json_builder_add_boolean_value(b, plan->desk);
    json_builder_set_member_name(b, "photo");
    json_builder_add_string_value(b, rules_action_str(plan->photo));
    json_builder_set_member_name(b, "fingerprints");
    json_builder_add_string_value(b, rules_action_str(plan->fingerprints));
    json_builder_set_member_name(b, "signature");
    json_builder_add_string_value(b, rules_action_str(plan->signature));
    json_builder_set_member_name(b, "may_post");
    json_builder_add_boolean_value(b, plan->may_post);
    json_builder_set_member_name(b, "may_come_alone");
    json_builder_add_boolean_value(b, plan->may_come_alone);
    json_builder_set_member_name(b, "reasons");
    json_builder_begin_array(b);
    for (size_t i = 0; i < plan->n_reasons; i++) {
        const rules_reason *r = &plan->reasons[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "item");
        json_builder_add_string_value(b, rules_item_str(r->item));
        json_builder_set_member_name(b, "rule");
        json_builder_add_string_value(b, r->rule);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, r->text);
        json_builder_set_member_name(b, "source");
        json_builder_add_string_value(b, r->source);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}
