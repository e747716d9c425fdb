#include "jsoncheck/jsoncheck.h"

#include <string.h>

const char **jsoncheck_unknown_members(JsonObject *o, const char *const *known)
{
    GList *names = json_object_get_members(o);
    GPtrArray *unknown = NULL;
    for (GList *l = names; l != NULL; l = l->next) {
        if (g_strv_contains(known, l->data))
            continue;
        if (unknown == NULL)
            unknown = g_ptr_array_new();
        g_ptr_array_add(unknown, l->data);
    }
    g_list_free(names);
    if (unknown == NULL)
        return NULL;
    g_ptr_array_add(unknown, NULL);
    return (const char **)g_ptr_array_free(unknown, FALSE);
}

/* The scanner only finds where a JSON value ends; it does not validate. */
typedef struct scan {
    const char *p, *end;
} scan;

static void skip_space(scan *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r'))
        sc->p++;
}

static bool skip_string(scan *sc)
{
    for (sc->p++; sc->p < sc->end; sc->p++) {
        if (*sc->p == '\\')
            sc->p++;
        else if (*sc->p == '"') {
            sc->p++;
            return true;
        }
    }
    return false;
}

static bool skip_value(scan *sc)
{
    if (sc->p >= sc->end)
        return false;
    if (*sc->p == '"')
        return skip_string(sc);
    if (*sc->p != '{' && *sc->p != '[') {
        const char *from = sc->p;
        while (sc->p < sc->end && strchr(",}] \t\r\n", *sc->p) == NULL)
            sc->p++;
        return sc->p > from;
    }
    int depth = 0;
    while (sc->p < sc->end) {
        char c = *sc->p;
        if (c == '"') {
            if (!skip_string(sc))
                return false;
            continue;
        }
        sc->p++;
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return true;
    }
    return false;
}

static bool at(const scan *sc, char c)
{
    return sc->p < sc->end && *sc->p == c;
}

/* The elements of the array at sc->p ('[' already seen and skipped) into spans. */
static bool array_elements(scan *sc, const char *json, GArray *spans)
{
    skip_space(sc);
    if (at(sc, ']')) {
        sc->p++;
        return true;
    }
    for (;;) {
        skip_space(sc);
        size_t from = (size_t)(sc->p - json);
        if (!skip_value(sc))
            return false;
        size_t to = (size_t)(sc->p - json);
        g_array_append_val(spans, from);
        g_array_append_val(spans, to);
        skip_space(sc);
        if (at(sc, ']')) {
            sc->p++;
            return true;
        }
        if (!at(sc, ','))
            return false;
        sc->p++;
    }
}

bool jsoncheck_array_spans(const char *json, size_t length, const char *member, GArray **spans)
{
    scan sc = {json, json + length};
    GArray *found_spans = g_array_new(FALSE, FALSE, sizeof(size_t));
    g_autofree char *quoted = g_strdup_printf("\"%s\"", member);
    size_t quoted_len = strlen(quoted);
    bool found = false, ok;
    skip_space(&sc);
    ok = at(&sc, '{');
    if (ok)
        sc.p++;
    while (ok) {
        skip_space(&sc);
        if (at(&sc, '}')) {
            sc.p++;
            break;
        }
        const char *key = sc.p;
        ok = at(&sc, '"') && skip_string(&sc);
        if (!ok)
            break;
        bool is_list = (size_t)(sc.p - key) == quoted_len && memcmp(key, quoted, quoted_len) == 0;
        skip_space(&sc);
        ok = at(&sc, ':');
        if (!ok)
            break;
        sc.p++;
        skip_space(&sc);
        if (is_list) {
            ok = !found && at(&sc, '[');
            found = true;
            if (ok) {
                sc.p++;
                ok = array_elements(&sc, json, found_spans);
            }
        } else {
            ok = skip_value(&sc);
        }
        if (!ok)
            break;
        skip_space(&sc);
        if (at(&sc, ',')) {
            sc.p++;
            continue;
        }
        ok = at(&sc, '}');
        if (ok)
            sc.p++;
        break;
    }
    skip_space(&sc);
    if (!ok || !found || sc.p != sc.end) {
        g_array_free(found_spans, TRUE);
        return false;
    }
    *spans = found_spans;
    return true;
}
