/* For ui tests that run the real kiosk: the kiosk does not start without its record keys,
 * outbox and audit log (ui/kioskrec.h). recordconf_lines makes a kiosk key pair, the audit hash
 * key and a back-office pair in DIR/keys and returns the configuration lines that point the
 * kiosk at them, with the outbox in DIR/outbox and the audit log in DIR/audit.log (transfer
 * full, g_free). Append them to the test's configuration file. Needs record_dep (ui_dep has it).
 * recordconf_open_record and recordconf_audit_text read back what such a kiosk wrote.
 */
#ifndef BIOKIOSK_TESTS_RECORDCONF_H
#define BIOKIOSK_TESTS_RECORDCONF_H

#include <glib.h>
#include <glib/gstdio.h>

#include "record/an2k.h"
#include "core/biomem.h"
#include "record/outbox.h"
#include "record/seal.h"

static inline char *recordconf_lines(const char *dir)
{
    g_autofree char *keys = g_build_filename(dir, "keys", NULL);
    char fp[17];
    g_assert_cmpint(seal_init(), ==, BK_OK);
    g_assert_cmpint(g_mkdir_with_parents(keys, 0700), ==, 0);
    g_assert_cmpint(seal_kiosk_init(keys, fp), ==, BK_OK);
    g_assert_cmpint(seal_backoffice_init(keys, fp), ==, BK_OK);
    return g_strdup_printf("[record]\n"
                           "outbox = %s/outbox\n"
                           "kiosk_key = %s/kiosk.key\n"
                           "backoffice_key = %s/backoffice.pub\n"
                           "audit_hash_key = %s/audit-hash.key\n"
                           "[audit]\n"
                           "log = %s/audit.log\n",
                           dir, keys, keys, keys, dir);
}

/* The sealed record file at `path` opened as the back office does, with the keys in DIR/keys
 * that recordconf_lines made (transfer full: an2k_free). */
static inline an2k *recordconf_open_file(const char *dir, const char *path)
{
    uint8_t kiosk_pk[32], office_sk[32];
    char why[300] = "";
    g_autofree char *pk = g_build_filename(dir, "keys", "kiosk.pub", NULL);
    g_autofree char *sk = g_build_filename(dir, "keys", "backoffice.key", NULL);
    g_assert_cmpint(seal_init(), ==, BK_OK);
    g_assert_cmpint(seal_key_read(pk, SEAL_KEY_KIOSK_PUBLIC, kiosk_pk, 32, why, sizeof why), ==,
                    BK_OK);
    g_assert_cmpint(seal_key_read(sk, SEAL_KEY_BACKOFFICE_SECRET, office_sk, 32, why, sizeof why),
                    ==, BK_OK);
    uint8_t *file = NULL, *payload = NULL;
    size_t len = 0, plen = 0;
    g_assert_cmpint(outbox_read_file(path, &file, &len), ==, BK_OK);
    g_assert_cmpint(seal_open(file, len, office_sk, kiosk_pk, &payload, &plen, why, sizeof why), ==,
                    BK_OK);
    g_free(file);
    an2k *t = NULL;
    g_assert_cmpint(an2k_read(payload, plen, &t, why, sizeof why), ==, BK_OK);
    biomem_free(payload);
    return t;
}

/* The one record in DIR/outbox (there must be exactly one), opened as recordconf_open_file. */
static inline an2k *recordconf_open_record(const char *dir)
{
    g_autofree char *outbox = g_build_filename(dir, "outbox", NULL);
    outbox_entry *e = NULL;
    size_t count = 0;
    g_assert_cmpint(outbox_list(outbox, &e, &count), ==, BK_OK);
    g_assert_cmpuint(count, ==, 1);
    g_autofree char *path = g_build_filename(outbox, e[0].name, NULL);
    outbox_entries_free(e, count);
    return recordconf_open_file(dir, path);
}

/* DIR/audit.log, the kiosk's audit log, as text (transfer full). Never inlined: gcc would then
 * take pointers into the text for pointers to this function's local (-Wdangling-pointer). */
G_GNUC_UNUSED G_GNUC_NO_INLINE static char *recordconf_audit_text(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "audit.log", NULL);
    char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

#endif
