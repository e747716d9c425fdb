/* The kiosk's configuration: a key file (/etc/biokiosk/biokiosk.conf, or --config FILE).
 *
 *   # comment
 *   [kiosk]
 *   desk = DEN-HAAG
 *   id = DEN-HAAG-03
 *
 * Every key the program knows is one row of the table in config_keys.h, with its type, limits,
 * default and a sentence of documentation; `biokiosk config example` prints that table as a
 * commented file. The program reads values by the table's enumerators (CONFIG_PHOTO_ENABLED),
 * so a key that is not in the table does not compile; only the file and config_set go by name.
 * Loading is all-or-nothing: an unknown section or key, a duplicate, a value of the wrong type or
 * out of range, or a required key that is missing makes config_load fail with one message naming
 * the file, the line and the key, so the kiosk never starts half-configured.
 */
#ifndef BIOKIOSK_CONFIG_H
#define BIOKIOSK_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/bk_err.h"

#define CONFIG_DEFAULT_PATH "/etc/biokiosk/biokiosk.conf"

typedef struct config config;

/* The kinds of value a setting holds. */
typedef enum config_kind {
    CONFIG_KIND_STRING, /* any text on one line */
    CONFIG_KIND_NAME,   /* A-Z, 0-9 and '-': desk and kiosk names */
    CONFIG_KIND_INT,
    CONFIG_KIND_DOUBLE,
    CONFIG_KIND_BOOL,   /* true/false, yes/no, on/off, 1/0 */
    CONFIG_KIND_CHOICE, /* one of the row's choices */
    CONFIG_KIND_LIST, /* comma-separated words, each one of the row's choices (any word if none) */
} config_kind;

/* One enumerator per row of config_keys.h: CONFIG_KIOSK_DESK, CONFIG_PHOTO_ENABLED, ... */
typedef enum config_key {
#define CONFIG_KEY(id, name, kind, def, min, max, choices, doc) CONFIG_##id,
#include "config/config_keys.h"
#undef CONFIG_KEY
    CONFIG_N_KEYS
} config_key;

/* The "section.name" of a key (static). */
const char *config_key_name(config_key key);

/* The kind of value a key holds. */
config_kind config_key_kind(config_key key);

/* Looks a key up by "section.name" (for names built at run time, such as the ICAO limits'
 * "photo.<limit>"). True and *key set when the table holds it; false otherwise. */
bool config_key_find(const char *name, config_key *key);

/* A configuration holding every default; required keys are unset (config_get_string gives "").
 * Transfer full. */
config *config_new(void);

/* Reads and checks the file at path. On success *out is a new configuration (transfer full).
 * On failure *out is untouched and *message (when not NULL) is set to one line such as
 * "biokiosk.conf:12: [camera] port: ..." (transfer full, g_free). BK_ERR_IO when the file cannot be
 * read, BK_ERR_INVALID for any problem in it. */
bk_err config_load(const char *path, config **out, char **message);

/* Parses text as if read from a file called `name`; same contract as config_load. */
bk_err config_load_text(const char *text, const char *name, config **out, char **message);

/* Sets one value ("section.key"), checked like a value in a file (for command-line overrides).
 * BK_ERR_NOT_FOUND for an unknown key, BK_ERR_INVALID for a bad value (message as above). */
bk_err config_set(config *cfg, const char *key, const char *value, char **message);

/* Values by key. Reading a key as a kind it does not hold is a programmer error (the program
 * aborts): config_get_string reads any kind, config_get_double also an INT. Strings are owned by
 * cfg (transfer none). */
const char *config_get_string(const config *cfg, config_key key);
long config_get_int(const config *cfg, config_key key);
double config_get_double(const config *cfg, config_key key);
bool config_get_bool(const config *cfg, config_key key);

/* True when the value was given in the file or by config_set, not taken from the defaults. */
bool config_is_set(const config *cfg, config_key key);

/* Checks that every required key has a value; same message contract as config_load. */
bk_err config_check_required(const config *cfg, char **message);

/* Writes a commented example file with every key, its default and its documentation. */
void config_write_example(FILE *out);

void config_free(config *cfg);

#endif
