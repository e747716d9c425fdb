/* Set-up shared by the delivery tests (test-delivery.c, test-deliver-worker.c,
 * test-outbox-cli.c): the kiosk's keys and the address `biokiosk receiver` says it listens on.
 * Header only; the test links record_dep and json-glib. */
#ifndef BIOKIOSK_DELIVERYTEST_H
#define BIOKIOSK_DELIVERYTEST_H

#include <stdint.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "record/seal.h"

/* A kiosk's keys made in the folder keys (seal_kiosk_init: kiosk.key, kiosk.pub,
 * audit-hash.key), its secret signing key read back into ksk. */
static inline void kiosk_keys_make(const char *keys, uint8_t ksk[64])
{
    g_assert_cmpint(seal_kiosk_init(keys, NULL), ==, BK_OK);
    g_autofree char *path = g_build_filename(keys, "kiosk.key", NULL);
    g_assert_cmpint(seal_key_read(path, SEAL_KEY_KIOSK_SECRET, ksk, 64, NULL, 0), ==, BK_OK);
}

/* Where a receiver just started listens: the "listening" member of the JSON line it writes
 * first on stdout (out, closed here). The test fails, showing the receiver's log, when the line
 * is not that (transfer full). */
static inline char *receiver_listening(int out, const char *log)
{
    GString *line = g_string_new(NULL);
    char c;
    while (read(out, &c, 1) == 1 && c != '\n')
        g_string_append_c(line, c);
    close(out);
    JsonParser *p = json_parser_new();
    if (!json_parser_load_from_data(p, line->str, -1, NULL)) {
        g_autofree char *text = NULL;
        g_file_get_contents(log, &text, NULL, NULL);
        g_error("the receiver did not start: '%s'; its log: %s", line->str, text);
    }
    char *url = g_strdup(
        json_object_get_string_member(json_node_get_object(json_parser_get_root(p)), "listening"));
    g_object_unref(p);
    g_string_free(line, TRUE);
    return url;
}

#endif
