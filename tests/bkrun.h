/* Running the biokiosk program (or another) as scripts and other tools do, for the tests of
 * tests/cli, tests/delivery, tests/record and tests/store. Header only: include it as
 * "../bkrun.h" (it brings bktest.h); the test links json-glib (json_dep; it brings gio). */
#ifndef BIOKIOSK_BKRUN_H
#define BIOKIOSK_BKRUN_H

#include <stdarg.h>
#include <string.h>

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "bktest.h"

/* What a program's run gave: its exit status and what it wrote (NUL-terminated; owned, freed by
 * bk_result_clear). */
typedef struct bk_result {
    int status;
    char *out;
    char *err;
} bk_result;

static inline void bk_result_clear(bk_result *r)
{
    g_free(r->out);
    g_free(r->err);
    r->out = r->err = NULL;
}

/* The bytes as a NUL-terminated string (transfer full); takes b (may be NULL). */
static inline char *bk_text(GBytes *b)
{
    if (b == NULL)
        return g_strdup("");
    GByteArray *a = g_bytes_unref_to_array(b);
    g_byte_array_append(a, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(a, FALSE);
}

/* Runs argv (NULL-terminated; argv[0] a path) in the environment envp (NULL: this process's)
 * with input on its stdin (NULL: an empty stdin) and waits for it. The test fails when it
 * cannot start or ends by a signal. */
static inline bk_result bk_spawn(const char *const *argv, const char *const *envp,
                                 const char *input)
{
    GSubprocessLauncher *l =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE);
    if (envp != NULL)
        g_subprocess_launcher_set_environ(l, (char **)envp);
    GError *error = NULL;
    GSubprocess *p = g_subprocess_launcher_spawnv(l, argv, &error);
    if (p == NULL)
        g_error("cannot run %s: %s", argv[0], error->message);
    g_autoptr(GBytes) in = g_bytes_new(input ? input : "", input ? strlen(input) : 0);
    GBytes *out = NULL, *err = NULL;
    g_subprocess_communicate(p, in, NULL, &out, &err, &error);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_get_if_exited(p));
    bk_result r = {.status = g_subprocess_get_exit_status(p)};
    r.out = bk_text(out);
    r.err = bk_text(err);
    g_object_unref(p);
    g_object_unref(l);
    return r;
}

/* bk_spawn of bin with first and the arguments after it up to a NULL (first may be that NULL). */
static inline bk_result bk_spawn_va(const char *bin, const char *const *envp, const char *input,
                                    const char *first, va_list ap)
{
    GPtrArray *args = g_ptr_array_new();
    g_ptr_array_add(args, (char *)bin);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
        g_ptr_array_add(args, (char *)a);
    g_ptr_array_add(args, NULL);
    bk_result r = bk_spawn((const char *const *)args->pdata, envp, input);
    g_ptr_array_free(args, TRUE);
    return r;
}

/* Runs $BIOKIOSK_BIN (the biokiosk program meson built) with first and the arguments after it up
 * to a NULL, an empty stdin, this process's environment. */
static inline bk_result biokiosk_run(const char *first, ...)
{
    const char *bin = g_getenv("BIOKIOSK_BIN");
    g_assert_nonnull(bin);
    va_list ap;
    va_start(ap, first);
    bk_result r = bk_spawn_va(bin, NULL, NULL, first, ap);
    va_end(ap);
    return r;
}

/* The JSON object text holds (the test fails on anything else); *keep owns it (g_object_unref). */
static inline JsonObject *parse_object(const char *text, JsonParser **keep)
{
    *keep = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(*keep, text, -1, &error))
        g_error("not JSON: %s: %s", error->message, text);
    JsonNode *root = json_parser_get_root(*keep);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
    return json_node_get_object(root);
}

#endif
