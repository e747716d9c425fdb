/* The signature service's technician check (signature.h): the one check of the pad, for the
 * kiosk's technician screen and `biokiosk selftest` alike. */
#include <stdio.h>

#include "capture/signature-priv.h"
#include "core/biomem.h"

/* marks a prompt for the catalogues; the screen that shows it translates it */
#define N_(s) (s)

#define SIGN_WAIT_MS      60000
#define MIN_STROKE_POINTS 20

static const char *const pad_action =
    "Plug the signature pad in; `biokiosk signature pads` lists the pads found. Without a pad "
    "people sign on the touch screen.";

static const char *const held_hands_on =
    "not possible here: the kiosk holds the device; use a test visit, or stop the kiosk and run "
    "`biokiosk selftest --interactive`";

static bool cancelled(const capture_check_run *run)
{
    return run->cancel != NULL && g_atomic_int_get(run->cancel) != 0;
}

static void prompt(const capture_check_run *run, const char *text)
{
    if (run->prompt)
        run->prompt(run->data, text);
}

/* The pad is open at the signature step: what its status says, nothing more. */
static void check_held(signature_service *svc, const capture_check_run *run)
{
    char line[160];
    signature_service_status(svc, line, sizeof line);
    capture_check_report(run, "sigpad.found", CAPTURE_CHECK_PASS, 0, NULL, NULL, 0, "%s", line);
    const char *held = "not run here: the kiosk's signature step has the pad open";
    capture_check_report(run, "sigpad.descriptor", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0, "%s",
                         held);
    capture_check_report(run, "sigpad.draw", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0, "%s",
                         run->hands_on ? held_hands_on : "Only with --interactive.");
}

/* A usable pad among those on the bus, or a failed sigpad.found (and the rest skipped). */
static bool find_usable(const capture_check_run *run, gint64 t0, sigpad_found *usable)
{
    sigpad_found found[8];
    size_t n = 0;
    bk_err err = sigpad_scan(found, G_N_ELEMENTS(found), &n);
    for (size_t i = 0; err == BK_OK && i < n; i++)
        if (found[i].verdict == SIGPAD_USABLE) {
            *usable = found[i];
            return true;
        }
    if (err == BK_OK && n > 0)
        capture_check_report(
            run, "sigpad.found", CAPTURE_CHECK_FAIL, t0,
            "This pad cannot be read by the kiosk: use a pad from the supported list (see "
            "biokiosk(1)).",
            NULL, 0, "%04x:%04x %s: %s", found[0].vendor, found[0].product, found[0].model,
            found[0].reason);
    else
        capture_check_report(run, "sigpad.found", CAPTURE_CHECK_FAIL, t0, pad_action, NULL, 0, "%s",
                             err != BK_OK ? bk_err_str(err) : "no signature pad");
    capture_check_report(run, "sigpad.descriptor", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                         "Skipped: no pad.");
    capture_check_report(run, "sigpad.draw", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                         "Skipped: no pad.");
    return false;
}

/* One stroke shows that pen, pad and cable work: it ends when the pen is lifted after at least
 * MIN_STROKE_POINTS points. */
static void check_draw(sigpad *pad, const capture_check_run *run)
{
    gint64 t1 = g_get_monotonic_time();
    prompt(run, N_("Signature pad: draw a line on the pad now and lift the pen (60 s at most)."));
    unsigned points = 0;
    gint64 end = t1 + (gint64)SIGN_WAIT_MS * 1000;
    sigpad_event e;
    while (g_get_monotonic_time() < end && !cancelled(run)) {
        if (!sigpad_next_event(pad, &e, 100) || e.type != SIGPAD_EVENT_PEN)
            continue;
        if (e.sample.tip)
            points++;
        else if (points >= MIN_STROKE_POINTS)
            break;
    }
    biomem_wipe(&e, sizeof e);
    capture_check_report(run, "sigpad.draw",
                         points >= MIN_STROKE_POINTS ? CAPTURE_CHECK_PASS : CAPTURE_CHECK_FAIL, t1,
                         "No line was drawn: check the pen (battery, tether) and the cable.",
                         "points", points, "%u pen points in the line", points);
    prompt(run, NULL);
}

/* The check with a pad of its own (the signature step does not hold it). */
static void check_direct(const capture_check_run *run)
{
    gint64 t0 = g_get_monotonic_time();
    sigpad_found usable;
    if (!find_usable(run, t0, &usable))
        return;
    t0 = g_get_monotonic_time();
    sigpad *pad = NULL;
    bk_err err = sigpad_open(&pad);
    if (err != BK_OK) {
        capture_check_report(
            run, "sigpad.found", CAPTURE_CHECK_FAIL, t0,
            "Check that the biokiosk group may use the pad (the udev rules), then plug it in "
            "again.",
            NULL, 0, "%04x:%04x %s found but not opened: %s", usable.vendor, usable.product,
            usable.model, bk_err_str(err));
        capture_check_report(run, "sigpad.descriptor", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "Skipped: pad not open.");
        capture_check_report(run, "sigpad.draw", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "Skipped: pad not open.");
        return;
    }
    sigpad_info info;
    sigpad_get_info(pad, &info);
    capture_check_report(run, "sigpad.found", CAPTURE_CHECK_PASS, t0, NULL, NULL, 0,
                         "%04x:%04x %s, layout %s", info.vendor, info.product, info.model,
                         sigtable_layout_name(info.layout));
    /* the driver opens a pad only when its report layout is known: from the table, or from a
     * report descriptor that parsed into a pen with a physical size */
    bool sized = info.width_mm > 0 && info.height_mm > 0 && info.counts_per_mm > 0;
    capture_check_report(
        run, "sigpad.descriptor", sized ? CAPTURE_CHECK_PASS : CAPTURE_CHECK_FAIL, t0,
        "The pad's report descriptor gives no writing area: use a supported pad.", "counts/mm",
        info.counts_per_mm,
        "%s: writing area %.0f x %.0f mm, %.0f counts per mm, %d pressure levels",
        info.layout == SIGTABLE_LAYOUT_HID ? "report descriptor parsed" : "known layout",
        info.width_mm, info.height_mm, info.counts_per_mm, (int)info.pressure_levels);
    if (run->hands_on)
        check_draw(pad, run);
    else
        capture_check_report(run, "sigpad.draw", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                             "Only with --interactive.");
    sigpad_free(pad);
}

bk_err signature_service_check(signature_service *svc, const capture_check_run *run)
{
    g_mutex_lock(&svc->lock);
    /* a pad the step let go of is closed by the worker in a moment: never a second handle */
    while ((svc->pad != NULL || svc->opening) && !svc->keep)
        g_cond_wait(&svc->cond, &svc->lock);
    bool busy = svc->checking || svc->opening || svc->requested;
    bool held = svc->pad != NULL;
    if (!busy && !held)
        svc->checking = true;
    g_mutex_unlock(&svc->lock);
    if (busy)
        return BK_ERR_BUSY;
    if (held) {
        check_held(svc, run);
        return BK_OK;
    }
    check_direct(run);
    g_mutex_lock(&svc->lock);
    svc->checking = false;
    g_mutex_unlock(&svc->lock);
    return BK_OK;
}
