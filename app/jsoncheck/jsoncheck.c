#include "jsoncheck/jsoncheck.h"

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
