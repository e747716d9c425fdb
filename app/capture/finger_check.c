/* The fingerprint service's technician check (finger.h: finger_service_check), and the self-test's
 * wait for the reader (finger_service_wait_ready). Both run on a worker of the caller's and block;
 * the reader itself stays on the service's thread. */
#include "capture/finger-priv.h"

/* marks the prompt for translation (assets/po): the technician screen shows it translated */
#define N_(s) (s)

#define CHECK_ASK_MS    10000 /* the reader asks for the finger once the capture starts */
#define CHECK_FINGER_MS 30000 /* the technician places it */
#define CHECK_NAME      "fingerprint.capture" /* the self-test's name for the one result */

/* Under fs->lock. A NULL run is never cancelled. */
static bool check_cancelled(const finger_service *fs, const capture_check_run *run)
{
    return run && ((run->cancel && g_atomic_int_get(run->cancel)) || fs->step_up);
}

/* The check's next event of kind `want`, an error or the reader's removal, within timeout_ms;
 * NULL when none came, the technician left or the fingerprint step came on screen (transfer
 * full: finger_event_clear and g_free). */
static finger_event *check_wait(finger_service *fs, const capture_check_run *run, int timeout_ms,
                                finger_event_kind want)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    finger_event *got = NULL;
    g_mutex_lock(&fs->lock);
    while (got == NULL && !check_cancelled(fs, run)) {
        finger_event *ev = g_queue_pop_head(&fs->check_events);
        if (ev == NULL) {
            gint64 now = g_get_monotonic_time();
            if (now >= end)
                break;
            /* in slices, so that a cancel is seen at once */
            g_cond_wait_until(&fs->cond, &fs->lock, MIN(end, now + 100 * G_TIME_SPAN_MILLISECOND));
        } else if (ev->kind == want || ev->kind == FINGER_EVENT_ERROR ||
                   ev->kind == FINGER_EVENT_REMOVED) {
            got = ev;
        } else {
            finger_event_clear(ev);
            g_free(ev);
        }
    }
    g_mutex_unlock(&fs->lock);
    return got;
}

static void report_image(const capture_check_run *run, gint64 t0, const finger_event *ev)
{
    capture_check_report(run, CHECK_NAME, CAPTURE_CHECK_PASS, t0, NULL, "quality", ev->quality,
                         "an image of %dx%d, quality %d, %d minutiae", ev->image->width,
                         ev->image->height, ev->quality, ev->minutiae);
    g_message("technician's check: finger capture passed");
}

static void report_failure(finger_service *fs, const capture_check_run *run, gint64 t0,
                           const finger_event *ev, bool prompted)
{
    g_mutex_lock(&fs->lock);
    bool cancelled = check_cancelled(fs, run);
    g_mutex_unlock(&fs->lock);
    const char *why = ev && ev->text[0]                        ? ev->text
                      : ev && ev->kind == FINGER_EVENT_REMOVED ? "the reader was unplugged"
                      : cancelled                              ? "cancelled"
                      : prompted                               ? "no finger within 30 s"
                                 : "the reader did not ask for a finger within 10 s";
    capture_check_report(run, CHECK_NAME, CAPTURE_CHECK_FAIL, t0,
                         "Clean the reader's glass and try again; replace the reader if this "
                         "repeats.",
                         NULL, 0, "no image: %s", why);
    g_message("technician's check: finger capture failed (%s)",
              cancelled ? "cancelled" : "no image");
}

static void check_end(finger_service *fs)
{
    g_mutex_lock(&fs->lock);
    fs->claimed = false;
    g_mutex_unlock(&fs->lock);
}

/* Starts the check: BK_ERR_BUSY while the step is up or a check runs; *ready says whether a
 * reader is open. */
static bk_err check_begin(finger_service *fs, const capture_check_run *run, bool *ready)
{
    g_mutex_lock(&fs->lock);
    if (fs->step_up || fs->claimed) {
        g_mutex_unlock(&fs->lock);
        return BK_ERR_BUSY;
    }
    *ready = fs->ready;
    fs->claimed = true;
    /* what came before the check is not the check's */
    finger_event *old;
    while ((old = g_queue_pop_head(&fs->check_events)) != NULL) {
        finger_event_clear(old);
        g_free(old);
    }
    g_mutex_unlock(&fs->lock);
    return BK_OK;
}

bk_err finger_service_check(finger_service *fs, const capture_check_run *run)
{
    bool ready = false;
    if (check_begin(fs, run, &ready) != BK_OK)
        return BK_ERR_BUSY;
    if (!run->hands_on || !ready) {
        capture_check_report(run, CHECK_NAME, CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0, "%s",
                             !run->hands_on ? "Only with the hands-on steps."
                                            : "Skipped: no reader.");
        check_end(fs);
        return BK_OK;
    }
    g_message("technician's check: finger capture started");
    gint64 t0 = g_get_monotonic_time();
    finger_service_request(fs, FINGER_REQ_CHECK, 1, 0);
    /* the prompt comes when the reader waits for the finger, not before */
    finger_event *ev = check_wait(fs, run, CHECK_ASK_MS, FINGER_EVENT_NEEDED);
    bool prompted = false;
    if (ev && ev->kind == FINGER_EVENT_NEEDED) {
        finger_event_clear(ev);
        g_free(ev);
        run->prompt(run->data, N_("Fingerprint reader: place a finger on the reader now (30 s)."));
        prompted = true;
        ev = check_wait(fs, run, CHECK_FINGER_MS, FINGER_EVENT_IMAGE);
    }
    if (ev && ev->kind == FINGER_EVENT_IMAGE && ev->image && ev->analysed)
        report_image(run, t0, ev);
    else
        report_failure(fs, run, t0, ev, prompted);
    if (ev) {
        finger_event_clear(ev);
        g_free(ev);
    }
    if (prompted)
        run->prompt(run->data, NULL);
    /* the check's capture ends (when it still waits) and the reader goes back to the step: the
     * service starts the step's capture itself once the check's has ended */
    finger_service_request(fs, FINGER_REQ_CHECK, 0, 0);
    check_end(fs);
    return BK_OK;
}

/* Under fs->lock: the text of the newest ERROR queued for the step, or NULL. */
static const char *queued_error(finger_service *fs)
{
    for (GList *l = fs->events.tail; l; l = l->prev) {
        const finger_event *ev = l->data;
        if (ev->kind == FINGER_EVENT_ERROR)
            return ev->text;
    }
    return NULL;
}

bk_err finger_service_wait_ready(finger_service *fs, unsigned timeout_ms, const int *cancel,
                                 char *why, size_t why_size)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    bk_err err = BK_OK;
    g_mutex_lock(&fs->lock);
    while (!fs->ready) {
        const char *text = queued_error(fs);
        gint64 now = g_get_monotonic_time();
        if (text != NULL) {
            if (why)
                g_strlcpy(why, text, why_size);
            err = BK_ERR_DEVICE;
            break;
        }
        if (now >= end || (cancel && g_atomic_int_get(cancel))) {
            if (why)
                g_snprintf(why, why_size, "no answer within %u s", timeout_ms / 1000);
            err = BK_ERR_TIMEOUT;
            break;
        }
        g_cond_wait_until(&fs->cond, &fs->lock, MIN(end, now + 100 * G_TIME_SPAN_MILLISECOND));
    }
    g_mutex_unlock(&fs->lock);
    return err;
}
