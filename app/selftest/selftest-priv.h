/* Shared by the files of app/selftest only. */
#ifndef BIOKIOSK_SELFTEST_PRIV_H
#define BIOKIOSK_SELFTEST_PRIV_H

#include <glib.h>

#include "selftest/selftest.h"

/* Appends one result and returns it (to add a number). `started` is g_get_monotonic_time() at
 * the start of the check (0: no duration); `action` is kept for failures and skips only. */
selftest_check *selftest_add(selftest_report *r, const char *name, selftest_status status,
                             gint64 started, const char *action, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

/* Sets the measured number of a result. */
void selftest_number(selftest_check *c, double number, const char *unit);

/* Prints a prompt for the technician (interactive mode). */
void selftest_prompt(const selftest_options *opt, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The prompt is over (the technician screen takes it away). */
void selftest_prompt_done(const selftest_options *opt);

/* True when the caller asked the interactive waits to stop (opt->cancel). */
bool selftest_cancelled(const selftest_options *opt);

#endif
