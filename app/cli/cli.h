/* Helpers shared by the command-line front ends in app/cmd_*.c. */
#ifndef BIOKIOSK_CLI_H
#define BIOKIOSK_CLI_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/bk_err.h"
#include "core/rules.h"

/* Exit statuses shared by every subcommand. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_NO = 1,          /* a valid question with a negative answer */
    CLI_EXIT_USAGE = 2,       /* bad options or bad input */
    CLI_EXIT_UNAVAILABLE = 3, /* a store or service cannot be reached */
};

/* Prints the one line "biokiosk CMD: MESSAGE" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Parses the options of a subcommand with GLib; on an error prints it as cli_usage_error does.
 * Leaves the remaining arguments in argc/argv. Returns TRUE on success. */
gboolean cli_parse_options(const char *cmd, const char *parameter, const char *summary,
                           const GOptionEntry *entries, int *argc, char ***argv);

/* Adds a capture plan as the object `biokiosk rules` prints (age, desk, the three actions,
 * may_post, may_come_alone, reasons with item, rule, text and source). */
void cli_add_plan(JsonBuilder *b, const rules_plan *plan);

/* Writes the builder's root as one line of compact JSON and a newline to stdout. */
void cli_print_json(JsonBuilder *builder);

#endif
