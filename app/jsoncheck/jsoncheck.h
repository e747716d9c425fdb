/* What the strict JSON readers share: the import of appointments (app/store), the signature
 * points file (drivers/sigpad/sigfile.c) and `biokiosk record`'s person file (app/cli); and the
 * cutting of a large file into the elements of its one big array, which the import reads one
 * at a time.
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

#include <stdbool.h>
#include <stddef.h>

#include <json-glib/json-glib.h>

/* The names of o's members that are not in known (a NULL-terminated list), in the object's
 * order. NULL when every member is known; else a NULL-terminated array (transfer container:
 * g_free the array; the names belong to o and live as long as it). */
const char **jsoncheck_unknown_members(JsonObject *o, const char *const *known);

/* Where each element of the array `member` of the JSON object in json[0..length) begins and
 * ends, found without building a tree (a json-glib tree of a large file costs several KB per
 * element), so that the elements can be parsed one at a time. True and *spans (transfer full:
 * g_array_free; pairs of byte offsets from, to, of size_t) when the text is an object of that
 * plain shape holding the member once; false, *spans untouched, otherwise. Nothing is validated
 * beyond the shape: each piece must still be parsed (and one that is not JSON on its own means
 * the caller should parse the whole text instead). */
bool jsoncheck_array_spans(const char *json, size_t length, const char *member, GArray **spans);

#endif
