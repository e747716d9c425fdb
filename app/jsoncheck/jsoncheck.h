/* What the strict JSON readers share: the import of appointments (app/store), the signature
 * points file (drivers/sigpad/sigfile.c) and `biokiosk record`'s person file (app/cli).
 *
 * A strict reader refuses a member it does not know instead of ignoring it, so a misspelt field
 * ("birthdate") is an error the writer sees, not a value silently left at its default.
 *
 * This is a library of its own on floor 2 (beside app/imaging, below every reader): app/core
 * stays free of GLib and json-glib, and app/config, app/store and drivers/ are libraries of one
 * floor that may not include each other.
 */
#ifndef BIOKIOSK_JSONCHECK_H
#define BIOKIOSK_JSONCHECK_H

#include <json-glib/json-glib.h>

/* The names of o's members that are not in known (a NULL-terminated list), in the object's
 * order. NULL when every member is known; else a NULL-terminated array (transfer container:
 * g_free the array; the names belong to o and live as long as it). */
const char **jsoncheck_unknown_members(JsonObject *o, const char *const *known);

#endif
