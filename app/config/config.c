#include "config/config.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/limits.h"

typedef struct key_row {
    const char *key; /* "section.name" */
    config_kind kind;
    const char *def;     /* NULL: required, no default */
    double min, max;     /* for CONFIG_KIND_INT and CONFIG_KIND_DOUBLE */
    const char *choices; /* "a|b|c" for CONFIG_KIND_CHOICE and CONFIG_KIND_LIST */
    const char *doc;
} key_row;

/* Every setting of the program, indexed by config_key. */
static const key_row table[] = {
#define CONFIG_KEY(id, name, kind, def, min, max, choices, doc)                                    \
    [CONFIG_##id] = {name, CONFIG_KIND_##kind, def, min, max, choices, doc},
#include "config/config_keys.h"
#undef CONFIG_KEY
};

#define TABLE_SIZE G_N_ELEMENTS(table)
G_STATIC_ASSERT(TABLE_SIZE == CONFIG_N_KEYS);

struct config {
    char *values[TABLE_SIZE]; /* NULL: unset and no default */
    bool set[TABLE_SIZE];
};

static int find_row(const char *key)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (strcmp(table[i].key, key) == 0)
            return (int)i;
    return -1;
}

static int row_or_abort(config_key key)
{
    if ((unsigned)key >= TABLE_SIZE)
        g_error("config: the program asked for key number %d, which is not in the table", key);
    return (int)key;
}

const char *config_key_name(config_key key)
{
    return table[row_or_abort(key)].key;
}

config_kind config_key_kind(config_key key)
{
    return table[row_or_abort(key)].kind;
}

bool config_key_find(const char *name, config_key *key)
{
    int i = find_row(name);
    if (i < 0)
        return false;
    *key = (config_key)i;
    return true;
}

config *config_new(void)
{
    config *cfg = g_new0(config, 1);
    for (size_t i = 0; i < TABLE_SIZE; i++)
        cfg->values[i] = g_strdup(table[i].def);
    return cfg;
}

void config_free(config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < TABLE_SIZE; i++)
        g_free(cfg->values[i]);
    g_free(cfg);
}

static bool in_choices(const char *choices, const char *word)
{
    if (choices == NULL)
        return word[0] != '\0';
    g_auto(GStrv) options = g_strsplit(choices, "|", -1);
    return g_strv_contains((const char *const *)options, word);
}

static char *choices_text(const char *choices)
{
    g_auto(GStrv) options = g_strsplit(choices, "|", -1);
    return g_strjoinv(", ", options);
}

/* Checks a value against its row. Returns NULL when fine, else a message (transfer full). */
static char *check_value(const key_row *row, const char *value)
{
    char *end = NULL;
    switch (row->kind) {
    case CONFIG_KIND_STRING:
        return NULL;
    case CONFIG_KIND_NAME:
        if (value[0] == '\0')
            return g_strdup("must not be empty");
        for (const char *p = value; *p; p++)
            if (!(g_ascii_isupper(*p) || g_ascii_isdigit(*p) || *p == '-'))
                return g_strdup_printf("'%s' may hold only capitals, digits and '-'", value);
        /* the record's identifier limit: a kiosk id taken here always makes a valid
         * transaction control number, and a desk name matches the appointments' */
        if (strlen(value) > BK_IDENT_MAX)
            return g_strdup_printf("longer than %d characters", BK_IDENT_MAX);
        return NULL;
    case CONFIG_KIND_INT: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (value[0] == '\0' || *end != '\0' || errno != 0)
            return g_strdup_printf("'%s' is not a whole number", value);
        if (v < row->min || v > row->max)
            return g_strdup_printf("%ld is outside %.0f to %.0f", v, row->min, row->max);
        return NULL;
    }
    case CONFIG_KIND_DOUBLE: {
        errno = 0;
        double v = strtod(value, &end);
        if (value[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
            return g_strdup_printf("'%s' is not a number", value);
        if (v < row->min || v > row->max)
            return g_strdup_printf("%g is outside %g to %g", v, row->min, row->max);
        return NULL;
    }
    case CONFIG_KIND_BOOL:
        if (in_choices("true|false|yes|no|on|off|1|0", value))
            return NULL;
        return g_strdup_printf("'%s' is not true or false", value);
    case CONFIG_KIND_CHOICE:
        if (in_choices(row->choices, value))
            return NULL;
        {
            g_autofree char *list = choices_text(row->choices);
            return g_strdup_printf("'%s' is not one of %s", value, list);
        }
    case CONFIG_KIND_LIST: {
        g_auto(GStrv) words = g_strsplit(value, ",", -1);
        if (words[0] == NULL)
            return g_strdup("must not be empty");
        for (char **w = words; *w; w++) {
            g_strstrip(*w);
            if (!in_choices(row->choices, *w)) {
                if (row->choices == NULL)
                    return g_strdup("has an empty item");
                g_autofree char *list = choices_text(row->choices);
                return g_strdup_printf("'%s' is not one of %s", *w, list);
            }
        }
        return NULL;
    }
    }
    return g_strdup("unknown kind of setting");
}

static char *where(const char *name, int line, const char *key)
{
    const char *dot = strchr(key, '.');
    g_autofree char *section = g_strndup(key, (gsize)(dot - key));
    if (line > 0)
        return g_strdup_printf("%s:%d: [%s] %s", name, line, section, dot + 1);
    return g_strdup_printf("%s: [%s] %s", name, section, dot + 1);
}

static bk_err set_checked(config *cfg, int i, const char *value, const char *name, int line,
                          char **message)
{
    g_autofree char *problem = check_value(&table[i], value);
    if (problem != NULL) {
        if (message) {
            g_autofree char *w = where(name, line, table[i].key);
            *message = g_strdup_printf("%s: %s", w, problem);
        }
        return BK_ERR_INVALID;
    }
    g_free(cfg->values[i]);
    cfg->values[i] = g_strdup(value);
    cfg->set[i] = true;
    return BK_OK;
}

bk_err config_set(config *cfg, const char *key, const char *value, char **message)
{
    int i = find_row(key);
    if (i < 0) {
        if (message)
            *message = g_strdup_printf("unknown setting '%s'", key);
        return BK_ERR_NOT_FOUND;
    }
    return set_checked(cfg, i, value, "setting", 0, message);
}

bk_err config_check_required(const config *cfg, char **message)
{
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (cfg->values[i] == NULL) {
            if (message) {
                g_autofree char *w = where("configuration", 0, table[i].key);
                *message = g_strdup_printf("%s: required, but not set", w);
            }
            return BK_ERR_INVALID;
        }
    }
    return BK_OK;
}

static bk_err fail(char **message, const char *name, int line, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bk_err fail(char **message, const char *name, int line, const char *fmt, ...)
{
    if (message) {
        va_list ap;
        va_start(ap, fmt);
        g_autofree char *text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        *message = g_strdup_printf("%s:%d: %s", name, line, text);
    }
    return BK_ERR_INVALID;
}

bk_err config_load_text(const char *text, const char *name, config **out, char **message)
{
    if (!g_utf8_validate(text, -1, NULL)) {
        if (message)
            *message = g_strdup_printf("%s: not UTF-8 text", name);
        return BK_ERR_INVALID;
    }
    config *cfg = config_new();
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *section = NULL;
    bk_err err = BK_OK;
    for (int n = 0; lines[n] != NULL && err == BK_OK; n++) {
        int line = n + 1;
        char *s = g_strstrip(lines[n]);
        if (s[0] == '\0' || s[0] == '#' || s[0] == ';')
            continue;
        if (s[0] == '[') {
            size_t len = strlen(s);
            if (s[len - 1] != ']' || len < 3) {
                err = fail(message, name, line, "'%s' is not a [section] line", s);
                break;
            }
            g_free(section);
            section = g_strndup(s + 1, len - 2);
            g_strstrip(section);
            g_autofree char *prefix = g_strconcat(section, ".", NULL);
            bool known = false;
            for (size_t i = 0; i < TABLE_SIZE && !known; i++)
                known = g_str_has_prefix(table[i].key, prefix);
            if (!known)
                err = fail(message, name, line, "unknown section [%s]", section);
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            err = fail(message, name, line, "'%s' is not 'key = value'", s);
            break;
        }
        if (section == NULL) {
            err = fail(message, name, line, "'%s' comes before any [section]", s);
            break;
        }
        *eq = '\0';
        char *key = g_strstrip(s);
        char *value = g_strstrip(eq + 1);
        g_autofree char *full = g_strconcat(section, ".", key, NULL);
        int i = find_row(full);
        if (i < 0) {
            err = fail(message, name, line, "unknown setting [%s] %s", section, key);
        } else if (cfg->set[i]) {
            err = fail(message, name, line, "[%s] %s is set twice", section, key);
        } else {
            err = set_checked(cfg, i, value, name, line, message);
        }
    }
    if (err == BK_OK) {
        g_autofree char *missing = NULL;
        if (config_check_required(cfg, &missing) != BK_OK) {
            const char *rest = strstr(missing, ": [");
            if (message)
                *message = g_strdup_printf("%s%s", name, rest ? rest : missing);
            err = BK_ERR_INVALID;
        }
    }
    if (err != BK_OK) {
        config_free(cfg);
        return err;
    }
    *out = cfg;
    return BK_OK;
}

bk_err config_load(const char *path, config **out, char **message)
{
    g_autofree char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        if (message)
            *message =
                g_strdup_printf("%s: cannot read the configuration: %s", path, error->message);
        g_error_free(error);
        return BK_ERR_IO;
    }
    return config_load_text(text, path, out, message);
}

const char *config_get_string(const config *cfg, config_key key)
{
    const char *v = cfg->values[row_or_abort(key)];
    return v ? v : "";
}

long config_get_int(const config *cfg, config_key key)
{
    int i = row_or_abort(key);
    g_assert(table[i].kind == CONFIG_KIND_INT);
    return cfg->values[i] ? strtol(cfg->values[i], NULL, 10) : 0;
}

double config_get_double(const config *cfg, config_key key)
{
    int i = row_or_abort(key);
    g_assert(table[i].kind == CONFIG_KIND_DOUBLE || table[i].kind == CONFIG_KIND_INT);
    return cfg->values[i] ? g_ascii_strtod(cfg->values[i], NULL) : 0.0;
}

bool config_get_bool(const config *cfg, config_key key)
{
    int i = row_or_abort(key);
    g_assert(table[i].kind == CONFIG_KIND_BOOL);
    const char *v = cfg->values[i];
    return v && in_choices("true|yes|on|1", v);
}

bool config_is_set(const config *cfg, config_key key)
{
    return cfg->set[row_or_abort(key)];
}

void config_write_example(FILE *out)
{
    fprintf(out,
            "# biokiosk configuration (%s)\n"
            "# Every setting with its default; a line starting with '#' is a comment.\n"
            "# Settings marked 'required' have no default and must be given.\n",
            CONFIG_DEFAULT_PATH);
    const char *last_section = "";
    size_t last_len = 0;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        const char *key = table[i].key;
        const char *dot = strchr(key, '.');
        size_t len = (size_t)(dot - key);
        if (len != last_len || strncmp(key, last_section, len) != 0) {
            fprintf(out, "\n[%.*s]\n", (int)len, key);
            last_section = key;
            last_len = len;
        }
        fprintf(out, "\n# %s\n", table[i].doc);
        if (table[i].kind == CONFIG_KIND_CHOICE || table[i].kind == CONFIG_KIND_LIST) {
            g_autofree char *list = choices_text(table[i].choices);
            fprintf(out, "# %s: %s\n", table[i].kind == CONFIG_KIND_LIST ? "items" : "one of",
                    list);
        }
        if (table[i].def == NULL)
            fprintf(out, "# required\n%s = \n", dot + 1);
        else
            fprintf(out, "#%s = %s\n", dot + 1, table[i].def);
    }
}
