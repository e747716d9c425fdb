/* What the appointment and staff commands share: finding and opening the store. */
#ifndef BIOKIOSK_CMDSTORE_H
#define BIOKIOSK_CMDSTORE_H

#include "config/config.h"
#include "store/store.h"

/* Opens the store for command cmd: --store URI (store_uri, may be NULL) wins; otherwise
 * store.uri of the configuration file (config_path, or the default path when NULL). On success
 * returns CLI_EXIT_OK with *out (store_free) and, when cfg_out is not NULL, the configuration
 * when one was read (else NULL; config_free). Otherwise prints one line on stderr and returns
 * CLI_EXIT_USAGE (no store named, bad URI, bad configuration) or CLI_EXIT_UNAVAILABLE (the store
 * cannot be reached). */
int cmdstore_open(const char *cmd, const char *store_uri, const char *config_path, store **out,
                  config **cfg_out);

/* Loads the configuration when a file is there to read: with --config it must load; without,
 * the default path is read only when it exists. *cfg is NULL when nothing was read. Returns
 * CLI_EXIT_OK or CLI_EXIT_USAGE (after one line on stderr). */
int cmdstore_config(const char *cmd, const char *config_path, config **cfg);

#endif
