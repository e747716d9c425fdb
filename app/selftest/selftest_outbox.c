/* The self-test's delivery check (outbox.delivery) and the clock verdict the purge of delivered
 * records waits for. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record/outbox.h"
#include "record/seal.h"
#include "selftest/selftest-priv.h"

bool selftest_clock_trusted(const config *cfg, char *why, size_t why_size)
{
    selftest_options opt = {.cfg = cfg};
    selftest_report r = {0};
    selftest_clock(&opt, &r);
    bool ok = true;
    for (size_t i = 0; i < r.n && ok; i++)
        if (r.checks[i].status == SELFTEST_FAIL) {
            g_snprintf(why, why_size, "%s failed (%s): %s", r.checks[i].name, r.checks[i].value,
                       r.checks[i].action ? r.checks[i].action : "");
            ok = false;
        }
    selftest_report_clear(&r);
    return ok;
}

/* [delivery] is usable when a URL is set: the receiver key reads, the pinned certificate is
 * there. NULL when it is, else what is wrong (g_free). */
static char *delivery_settings_problem(const config *cfg)
{
    const char *url = config_get_string(cfg, CONFIG_DELIVERY_URL);
    const char *ca = config_get_string(cfg, CONFIG_DELIVERY_CA);
    const char *key = config_get_string(cfg, CONFIG_DELIVERY_RECEIVER_KEY);
    uint8_t pk[SEAL_PUBLIC_BYTES];
    char why[300] = "";
    if (seal_init() != BK_OK)
        return g_strdup("libsodium cannot be initialised");
    if (seal_key_read(key, SEAL_KEY_RECEIVER_PUBLIC, pk, sizeof(pk), why, sizeof(why)) != BK_OK)
        return g_strdup_printf("[delivery] receiver_key: %s", why);
    if (g_str_has_prefix(url, "https:") && !g_file_test(ca, G_FILE_TEST_IS_REGULAR))
        return g_strdup_printf("[delivery] ca: '%s' is not a file", ca);
    return NULL;
}

void selftest_outbox_delivery(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    const char *dir = config_get_string(opt->cfg, CONFIG_RECORD_OUTBOX);
    const char *url = config_get_string(opt->cfg, CONFIG_DELIVERY_URL);
    long alert = config_get_int(opt->cfg, CONFIG_DELIVERY_ALERT_HOURS);
    long long now = opt->now ? opt->now : (long long)time(NULL);
    size_t waiting = 0, n_done = 0;
    time_t oldest = 0;
    outbox_entry *done = NULL;
    if (outbox_waiting(dir, &waiting, &oldest) != BK_OK ||
        outbox_list_delivered(dir, &done, &n_done) != BK_OK) {
        selftest_add(r, "outbox.delivery", SELFTEST_FAIL, t0,
                     "Create the outbox directory or correct [record] outbox.", "%s cannot be read",
                     dir);
        return;
    }
    outbox_entries_free(done, n_done);
    long hours = waiting > 0 && now > oldest ? (long)((now - oldest) / 3600) : 0;
    g_autofree char *problem = url[0] ? delivery_settings_problem(opt->cfg) : NULL;
    if (problem != NULL) {
        selftest_add(r, "outbox.delivery", SELFTEST_FAIL, t0,
                     "Install the receiver's public key and certificate the back office gives "
                     "(docs/technicians.md, delivery), or correct [delivery].",
                     "%s", problem);
        return;
    }
    selftest_check *c;
    if (waiting > 0 && hours >= alert) {
        const char *action =
            url[0]
                ? "The receiver has not acknowledged them: check the network and the receiver; "
                  "`biokiosk outbox deliver` with the [delivery] settings says why. Never delete "
                  "them: a record leaves the kiosk only with its receipt."
                : "Delivery is off ([delivery] url is empty): set it up (docs/technicians.md) "
                  "or take the records with `biokiosk outbox export`.";
        c = selftest_add(r, "outbox.delivery", SELFTEST_FAIL, t0, action,
                         "%zu waiting, the oldest for %ld h (over %ld h); %zu delivered", waiting,
                         hours, alert, n_done);
    } else {
        c = selftest_add(r, "outbox.delivery", SELFTEST_PASS, t0, NULL,
                         "%zu waiting%s, %zu delivered; delivery %s", waiting,
                         waiting ? ", none over the alert" : "", n_done, url[0] ? "on" : "off");
    }
    selftest_number(c, (double)hours, "h");
}
