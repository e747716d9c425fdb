#include "selftest/selftest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "selftest/selftest-priv.h"

selftest_check *selftest_add(selftest_report *r, const char *name, selftest_status status,
                             gint64 started, const char *action, const char *fmt, ...)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->checks = g_renew(selftest_check, r->checks, r->cap);
    }
    selftest_check *c = &r->checks[r->n++];
    memset(c, 0, sizeof(*c));
    c->name = g_strdup(name);
    c->status = status;
    va_list ap;
    va_start(ap, fmt);
    c->value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    c->action = status == SELFTEST_PASS || action == NULL ? NULL : g_strdup(action);
    c->duration_ms = started ? (double)(g_get_monotonic_time() - started) / 1000.0 : 0;
    /* names of checks and devices only: never personal or biometric data */
    g_debug("selftest %s: %s", name, selftest_status_name(status));
    return c;
}

void selftest_number(selftest_check *c, double number, const char *unit)
{
    c->has_number = true;
    c->number = number;
    c->unit = unit;
}

void selftest_prompt(const selftest_options *opt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (opt->prompt) {
        opt->prompt(opt->prompt_data, text);
        return;
    }
    g_autofree char *line = g_strconcat(">>> ", text, "\n", NULL);
    ssize_t w = write(opt->prompt_fd > 0 ? opt->prompt_fd : 2, line, strlen(line));
    (void)w;
}

void selftest_prompt_done(const selftest_options *opt)
{
    if (opt->prompt)
        opt->prompt(opt->prompt_data, NULL);
}

bool selftest_cancelled(const selftest_options *opt)
{
    return opt->cancel != NULL && g_atomic_int_get(opt->cancel) != 0;
}

void selftest_report_move(selftest_report *to, selftest_report *from)
{
    for (size_t i = 0; i < from->n; i++) {
        if (to->n == to->cap) {
            to->cap = to->cap ? to->cap * 2 : 32;
            to->checks = g_renew(selftest_check, to->checks, to->cap);
        }
        to->checks[to->n++] = from->checks[i];
    }
    g_free(from->checks);
    memset(from, 0, sizeof(*from));
}

selftest_check *selftest_report_add(selftest_report *report, const char *name,
                                    selftest_status status, const char *action, const char *value)
{
    return selftest_add(report, name, status, 0, action, "%s", value);
}

void selftest_prepare_environment(const config *cfg, bool reader_held)
{
    /* libfprint's virtual reader (emulation): the self-test reads FP_VIRTUAL_IMAGE on its
     * worker, so it is set before any other thread could read the environment meanwhile */
    const char *socket = config_get_string(cfg, CONFIG_FINGERPRINT_VIRTUAL_SOCKET);
    if (socket[0] && !reader_held)
        g_setenv("FP_VIRTUAL_IMAGE", socket, TRUE);
}

void selftest_run(const selftest_options *opt, selftest_report *report)
{
    selftest_camera(opt, report);
    selftest_fingerprint(opt, report);
    selftest_sigpad(opt, report);
    selftest_display(opt, report);
    selftest_store(opt, report);
    selftest_files(opt, report);
    selftest_outbox_delivery(opt, report); /* -- delivery */
    selftest_record(opt, report);
    selftest_clock(opt, report);
}

size_t selftest_count(const selftest_report *report, selftest_status status)
{
    size_t n = 0;
    for (size_t i = 0; i < report->n; i++)
        n += report->checks[i].status == status;
    return n;
}

const char *selftest_status_name(selftest_status status)
{
    switch (status) {
    case SELFTEST_PASS:
        return "pass";
    case SELFTEST_FAIL:
        return "fail";
    case SELFTEST_SKIP:
        return "skip";
    }
    return "fail";
}

void selftest_report_clear(selftest_report *report)
{
    for (size_t i = 0; i < report->n; i++) {
        g_free(report->checks[i].name);
        g_free(report->checks[i].value);
        g_free(report->checks[i].action);
    }
    g_free(report->checks);
    memset(report, 0, sizeof(*report));
}

void selftest_config_failed(const char *path, const char *message, selftest_report *report)
{
    selftest_add(report, "config.load", SELFTEST_FAIL, 0,
                 "Write the configuration (`biokiosk config example` prints one with every "
                 "setting), make it readable by the biokiosk user, and run the self-test again; "
                 "the checks below ran with the defaults.",
                 "%s%s%s", message && strstr(message, path) ? "" : path,
                 message && strstr(message, path) ? "" : ": ",
                 message ? message : "cannot be read");
}

long long selftest_build_time(void)
{
    /* __DATE__ is "Nov 22 2026": the day this file was compiled, at 00:00 UTC */
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *d = __DATE__;
    char mon[4] = {d[0], d[1], d[2], 0};
    const char *p = strstr(months, mon);
    int month = p ? (int)(p - months) / 3 + 1 : 1;
    int day = atoi(d + 4), year = atoi(d + 7);
    GDateTime *t = g_date_time_new_utc(year, month, day, 0, 0, 0);
    long long s = t ? g_date_time_to_unix(t) : 0;
    if (t)
        g_date_time_unref(t);
    return s;
}
