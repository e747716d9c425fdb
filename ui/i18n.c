#include "ui/i18n.h"

#include <string.h>

#include <glib.h>

#ifndef BIOKIOSK_LOCALEDIR
#define BIOKIOSK_LOCALEDIR "/usr/share/locale"
#endif

const char *const i18n_languages[] = {"nl", "en", "ar", "tr", "uk", "es", "fr"};
const size_t i18n_n_languages = G_N_ELEMENTS(i18n_languages);

static const char *const native_names[] = {
    "Nederlands", "English", "العربية", "Türkçe", "Українська", "Español", "Français",
};

typedef struct catalogue {
    char code[8];
    GBytes *data;      /* the .mo file */
    GHashTable *table; /* msgid -> translation, both pointing into data */
} catalogue;

static catalogue *loaded[G_N_ELEMENTS(i18n_languages)];
static const catalogue *current;
static const char *current_code = "en";

static int language_index(const char *code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(i18n_languages); i++)
        if (strcmp(i18n_languages[i], code) == 0)
            return (int)i;
    return -1;
}

static void catalogue_free(catalogue *c)
{
    if (c == NULL)
        return;
    if (c->table)
        g_hash_table_destroy(c->table);
    g_bytes_unref(c->data);
    g_free(c);
}

static guint32 read_u32(const guint8 *p, bool swap)
{
    guint32 v;
    memcpy(&v, p, 4);
    return swap ? GUINT32_SWAP_LE_BE(v) : v;
}

/* A string of the .mo file: length and offset at table[i]; must end in NUL inside the file. */
static const char *mo_string(const guint8 *base, gsize size, guint32 table, guint32 i, bool swap)
{
    guint64 at = (guint64)table + (guint64)i * 8;
    if (at + 8 > size)
        return NULL;
    guint32 len = read_u32(base + at, swap);
    guint32 off = read_u32(base + at + 4, swap);
    if ((guint64)off + len >= size || base[off + len] != '\0')
        return NULL;
    return (const char *)base + off;
}

static bk_err parse_mo(catalogue *c)
{
    gsize size = 0;
    const guint8 *base = g_bytes_get_data(c->data, &size);
    if (size < 28)
        return BK_ERR_CORRUPT;
    guint32 magic;
    memcpy(&magic, base, 4);
    bool swap;
    if (magic == 0x950412de)
        swap = false;
    else if (magic == 0xde120495)
        swap = true;
    else
        return BK_ERR_CORRUPT;
    guint32 n = read_u32(base + 8, swap);
    guint32 orig = read_u32(base + 12, swap);
    guint32 trans = read_u32(base + 16, swap);
    c->table = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint32 i = 0; i < n; i++) {
        const char *id = mo_string(base, size, orig, i, swap);
        const char *text = mo_string(base, size, trans, i, swap);
        if (id == NULL || text == NULL)
            return BK_ERR_CORRUPT;
        if (id[0] == '\0' || text[0] == '\0') /* the header entry, or untranslated */
            continue;
        if (!g_utf8_validate(text, -1, NULL))
            return BK_ERR_CORRUPT;
        g_hash_table_insert(c->table, (gpointer)id, (gpointer)text);
    }
    return BK_OK;
}

void i18n_unload(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(loaded); i++) {
        catalogue_free(loaded[i]);
        loaded[i] = NULL;
    }
    current = NULL;
    current_code = "en";
}

bk_err i18n_load(const char *dir, const char *const *languages, size_t n, const char **missing)
{
    catalogue *fresh[G_N_ELEMENTS(i18n_languages)] = {0};
    bk_err err = BK_OK;
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        int li = language_index(languages[i]);
        if (li < 0) {
            err = BK_ERR_NOT_FOUND;
        } else if (fresh[li] == NULL) {
            catalogue *c = g_new0(catalogue, 1);
            g_strlcpy(c->code, languages[i], sizeof c->code);
            fresh[li] = c;
            if (strcmp(languages[i], "en") == 0) {
                c->data = g_bytes_new_static("", 0);
                c->table = g_hash_table_new(g_str_hash, g_str_equal);
                continue;
            }
            g_autofree char *path = g_build_filename(dir ? dir : BIOKIOSK_LOCALEDIR, languages[i],
                                                     "LC_MESSAGES", "biokiosk.mo", NULL);
            char *contents = NULL;
            gsize len = 0;
            if (!g_file_get_contents(path, &contents, &len, NULL)) {
                err = BK_ERR_NOT_FOUND;
            } else {
                c->data = g_bytes_new_take(contents, len);
                err = parse_mo(c);
            }
        }
        if (err != BK_OK && missing)
            *missing = li >= 0 ? i18n_languages[li] : "?";
    }
    if (err != BK_OK) {
        for (size_t i = 0; i < G_N_ELEMENTS(fresh); i++)
            catalogue_free(fresh[i]);
        return err;
    }
    i18n_unload();
    memcpy(loaded, fresh, sizeof loaded);
    return BK_OK;
}

bk_err i18n_set_language(const char *code)
{
    int li = language_index(code);
    if (li < 0 || loaded[li] == NULL)
        return BK_ERR_NOT_FOUND;
    current = loaded[li];
    current_code = i18n_languages[li];
    return BK_OK;
}

const char *i18n_language(void)
{
    return current_code;
}

static const char *lookup(const catalogue *c, const char *msgid)
{
    if (c == NULL || c->table == NULL)
        return msgid;
    const char *t = g_hash_table_lookup(c->table, msgid);
    return t ? t : msgid;
}

const char *i18n_text(const char *msgid)
{
    return lookup(current, msgid);
}

const char *i18n_text_in(const char *code, const char *msgid)
{
    int li = language_index(code);
    return lookup(li >= 0 ? loaded[li] : NULL, msgid);
}

bool i18n_is_rtl(const char *code)
{
    return strcmp(code, "ar") == 0;
}

const char *i18n_native_name(const char *code)
{
    int li = language_index(code);
    return li >= 0 ? native_names[li] : code;
}

size_t i18n_each(const char *code, void (*fn)(const char *msgid, const char *text, void *data),
                 void *data)
{
    int li = language_index(code);
    if (li < 0 || loaded[li] == NULL || loaded[li]->table == NULL)
        return 0;
    GHashTableIter it;
    gpointer k, v;
    size_t n = 0;
    g_hash_table_iter_init(&it, loaded[li]->table);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        fn(k, v, data);
        n++;
    }
    return n;
}
