#include "cli/cmdstore.h"

#include <glib.h>

#include "cli/cli.h"

int cmdstore_config(const char *cmd, const char *config_path, config **cfg)
{
    *cfg = NULL;
    const char *path = config_path != NULL ? config_path : CONFIG_DEFAULT_PATH;
    if (config_path == NULL && !g_file_test(path, G_FILE_TEST_EXISTS))
        return CLI_EXIT_OK;
    g_autofree char *message = NULL;
    if (config_load(path, cfg, &message) != BK_OK)
        return cli_usage_error(cmd, "%s", message != NULL ? message : path);
    return CLI_EXIT_OK;
}

int cmdstore_open(const char *cmd, const char *store_uri, const char *config_path, store **out,
                  config **cfg_out)
{
    config *cfg = NULL;
    int rc = cmdstore_config(cmd, config_path, &cfg);
    if (rc != CLI_EXIT_OK)
        return rc;
    const char *uri = store_uri;
    if (uri == NULL && cfg != NULL)
        uri = config_get_string(cfg, CONFIG_STORE_URI);
    if (uri == NULL) {
        config_free(cfg);
        return cli_usage_error(cmd, "no store: give --store URI or a configuration file with "
                                    "store.uri (--config FILE, default " CONFIG_DEFAULT_PATH ")");
    }
    g_autofree char *message = NULL;
    bk_err err = store_open(uri, out, &message);
    if (err != BK_OK) {
        config_free(cfg);
        if (err == BK_ERR_INVALID)
            return cli_usage_error(cmd, "%s", message != NULL ? message : "bad store URI");
        g_printerr("biokiosk %s: %s\n", cmd, message != NULL ? message : "store unavailable");
        return CLI_EXIT_UNAVAILABLE;
    }
    if (cfg_out != NULL)
        *cfg_out = cfg;
    else
        config_free(cfg);
    return CLI_EXIT_OK;
}
