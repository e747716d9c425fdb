/* What `biokiosk record build` (cmd_record.c) and `record open` (cmd_record_open.c) share. */
#ifndef BIOKIOSK_CMD_RECORD_H
#define BIOKIOSK_CMD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "record/seal.h"

/* Reads the key `option` names (path may be NULL: then the option is required). CLI_EXIT_OK, or
 * the usage error already printed. */
int cmd_record_load_key(const char *option, const char *path, seal_key_kind kind, uint8_t *key,
                        size_t len);

/* `biokiosk record open FILE ...` */
int cmd_record_open(int argc, char **argv);

#endif
