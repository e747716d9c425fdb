/* biokiosk config: print an example configuration, or check one. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "config/config.h"

#define CMD "config"

int cmd_config(int argc, char **argv)
{
    g_autofree char *path = NULL;
    const GOptionEntry entries[] = {
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &path,
         "The file to check (default " CONFIG_DEFAULT_PATH ")", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "example|check",
                           "example: prints a commented configuration with every setting.\n"
                           "check: reads a configuration and says whether it is complete and "
                           "valid (exit 0) or names the first problem (exit 1).",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 2)
        return cli_usage_error(CMD, "say 'example' or 'check'");
    if (strcmp(argv[1], "example") == 0) {
        config_write_example(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "check") != 0)
        return cli_usage_error(CMD, "unknown action '%s' (example, check)", argv[1]);

    config *cfg = NULL;
    g_autofree char *message = NULL;
    bk_err err = config_load(path ? path : CONFIG_DEFAULT_PATH, &cfg, &message);
    if (err != BK_OK) {
        fprintf(stderr, "%s\n", message);
        return err == BK_ERR_IO ? CLI_EXIT_USAGE : CLI_EXIT_NO;
    }
    printf("%s: valid; desk %s, kiosk %s\n", path ? path : CONFIG_DEFAULT_PATH,
           config_get_string(cfg, CONFIG_KIOSK_DESK), config_get_string(cfg, CONFIG_KIOSK_ID));
    config_free(cfg);
    return CLI_EXIT_OK;
}
