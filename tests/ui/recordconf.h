/* For ui tests that run the real kiosk: the kiosk does not start without its record keys,
 * outbox and audit log (ui/kioskrec.h). recordconf_lines makes a kiosk key pair, the audit hash
 * key and a back-office pair in DIR/keys and returns the configuration lines that point the
 * kiosk at them, with the outbox in DIR/outbox and the audit log in DIR/audit.log (transfer
 * full, g_free). Append them to the test's configuration file. Needs record_dep (ui_dep has it).
 */
#ifndef BIOKIOSK_TESTS_RECORDCONF_H
#define BIOKIOSK_TESTS_RECORDCONF_H

#include <glib.h>
#include <glib/gstdio.h>

#include "seal.h"

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

#endif
