/* Reporting a technician check's results (check.h), for every capture service's check. */
#include "capture/check.h"

#include <stdarg.h>

#include <glib.h>

void capture_check_report(const capture_check_run *run, const char *name,
                          capture_check_status status, int64_t started, const char *action,
                          const char *unit, double number, const char *fmt, ...)
{
    if (run->result == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    capture_check_result r = {
        .name = name,
        .status = status,
        .value = value,
        .has_number = unit != NULL,
        .number = number,
        .unit = unit,
        .action = status == CAPTURE_CHECK_PASS ? NULL : action,
        .duration_ms = started ? (double)(g_get_monotonic_time() - started) / 1000.0 : 0,
    };
    run->result(run->data, &r);
}

void capture_check_skip(const capture_check_run *run, const char *const *names, size_t n,
                        const char *why)
{
    for (size_t i = 0; i < n; i++)
        capture_check_report(run, names[i], CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0, "%s", why);
}
