/* The signature pad: the signature service's one technician check (app/capture/signature.h),
 * with a service made for the test (no kiosk runs, so no step holds the pad). */
#include "capture/signature.h"
#include "selftest/selftest-priv.h"

typedef struct pad_run {
    const selftest_options *opt;
    selftest_report *r;
} pad_run;

static void on_result(void *data, const capture_check_result *res)
{
    pad_run *pr = data;
    static const selftest_status map[] = {
        [CAPTURE_CHECK_PASS] = SELFTEST_PASS,
        [CAPTURE_CHECK_FAIL] = SELFTEST_FAIL,
        [CAPTURE_CHECK_SKIP] = SELFTEST_SKIP,
    };
    selftest_check *c = selftest_add(pr->r, res->name, map[res->status], 0, res->action, "%s",
                                     res->value ? res->value : "");
    c->duration_ms = res->duration_ms;
    if (res->has_number)
        selftest_number(c, res->number, res->unit);
}

static void on_prompt(void *data, const char *text)
{
    pad_run *pr = data;
    if (text)
        selftest_prompt(pr->opt, "%s", text);
    else
        selftest_prompt_done(pr->opt);
}

void selftest_sigpad(const selftest_options *opt, selftest_report *r)
{
    signature_service_settings set = {.source = SIGNATURE_SOURCE_AUTO};
    g_autofree char *message = NULL;
    signature_service *svc = signature_service_new(&set, &message);
    if (svc == NULL) {
        selftest_add(r, "sigpad.found", SELFTEST_FAIL, 0, "Report this to the developers.",
                     "the signature service did not start: %s", message ? message : "?");
        return;
    }
    pad_run pr = {opt, r};
    capture_check_run run = {
        .hands_on = opt->interactive,
        .result = on_result,
        .prompt = on_prompt,
        .data = &pr,
        .cancel = opt->cancel,
    };
    signature_service_check(svc, &run);
    signature_service_free(svc);
}
