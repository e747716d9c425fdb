/* The fingerprint service (finger.h): its thread, the requests and the reader's events.
 *
 * The wanted capture and the running one, on the service's thread:
 *   want = the check's capture while a check wants one, else the finger the step wants (or none)
 *   reconcile(): a running capture that is not the wanted one is cancelled (once); when nothing
 *   runs and something is wanted and the reader is open, the capture starts.
 * reconcile() runs after every request and every event of the reader, so the reader is never
 * left idle while a finger is wanted, whoever drains the events, and whenever.
 */
#include "capture/finger-priv.h"

#include <string.h>

#include "imaging/fingermatch.h"

#define PLUG_RETRY_MS  100
#define PLUG_MAX_TRIES 100

const char *finger_event_str(finger_event_kind kind)
{
    static const char *const names[FINGER_EVENT_COUNT_] = {
        [FINGER_EVENT_NONE] = "none",           [FINGER_EVENT_READY] = "ready",
        [FINGER_EVENT_NEEDED] = "needed",       [FINGER_EVENT_PRESENT] = "present",
        [FINGER_EVENT_LIFTED] = "lifted",       [FINGER_EVENT_RETRY] = "retry",
        [FINGER_EVENT_IMAGE] = "image",         [FINGER_EVENT_REMOVED] = "removed",
        [FINGER_EVENT_ADDED] = "added",         [FINGER_EVENT_ERROR] = "error",
        [FINGER_EVENT_CANCELLED] = "cancelled",
    };
    return (unsigned)kind < FINGER_EVENT_COUNT_ ? names[kind] : "unknown";
}

void finger_event_clear(finger_event *ev)
{
    if (ev == NULL)
        return;
    fingerimg_free(ev->image);
    memset(ev, 0, sizeof *ev);
}

static void event_free(gpointer p)
{
    finger_event_clear(p);
    g_free(p);
}

/* Under fs->lock. */
static void drop_queue(GQueue *q)
{
    finger_event *ev;
    while ((ev = g_queue_pop_head(q)) != NULL)
        event_free(ev);
}

/* ---- the service's thread ---------------------------------------------------------------- */

static int wanted(const finger_service *fs)
{
    return fs->check_want ? FINGER_CHECK_CAPTURE : fs->step_want;
}

static void reconcile(finger_service *fs)
{
    int want = wanted(fs);
    if (fs->running != 0) {
        if (fs->running != want && !fs->cancelling) {
            fs->cancelling = true;
            fs->needed = false;
            fingerprint_cancel(fs->reader);
        }
        return;
    }
    if (want == 0 || !fingerprint_is_ready(fs->reader))
        return;
    bk_err err = fingerprint_capture(fs->reader);
    if (err == BK_OK) {
        fs->running = want;
        fs->cancelling = false;
        fs->needed = false;
    } else {
        /* the reader is opening or closing: its READY, ADDED or REMOVED comes and decides */
        g_debug("capture not started now (%s)", bk_err_str(err));
    }
}

/* The check's events are its own until its capture has ended. */
static void end_check_routing(finger_service *fs)
{
    if (fs->check_want || fs->running == FINGER_CHECK_CAPTURE)
        return;
    g_mutex_lock(&fs->lock);
    fs->checking = false;
    g_mutex_unlock(&fs->lock);
}

static void deliver(finger_service *fs, const finger_event *ev)
{
    finger_event *copy = g_new(finger_event, 1);
    *copy = *ev;
    g_mutex_lock(&fs->lock);
    if (ev->kind == FINGER_EVENT_READY || ev->kind == FINGER_EVENT_ADDED) {
        fs->ready = true;
        g_strlcpy(fs->name, ev->text, sizeof fs->name);
    } else if (ev->kind == FINGER_EVENT_REMOVED) {
        fs->ready = false;
    }
    /* while a technician's check runs the events are its own: the technician's finger never
     * reaches the fingerprint step */
    bool to_check = fs->checking;
    g_queue_push_tail(to_check ? &fs->check_events : &fs->events, copy);
    void (*wake)(void *) = to_check ? NULL : fs->wake;
    void *wake_data = fs->wake_data;
    finger_service_tap tap = fs->tap;
    void *tap_data = fs->tap_data;
    g_cond_broadcast(&fs->cond);
    g_mutex_unlock(&fs->lock);
    if (wake)
        wake(wake_data);
    /* after the wake: whoever the tap tells finds the event queued */
    if (tap)
        tap(tap_data, ev->kind, ev->finger);
}

static finger_event_kind translate_kind(fingerprint_event_kind k)
{
    switch (k) {
    case FINGERPRINT_EVENT_READY:
        return FINGER_EVENT_READY;
    case FINGERPRINT_EVENT_FINGER_NEEDED:
        return FINGER_EVENT_NEEDED;
    case FINGERPRINT_EVENT_FINGER_PRESENT:
        return FINGER_EVENT_PRESENT;
    case FINGERPRINT_EVENT_FINGER_REMOVED:
        return FINGER_EVENT_LIFTED;
    case FINGERPRINT_EVENT_RETRY:
        return FINGER_EVENT_RETRY;
    case FINGERPRINT_EVENT_IMAGE:
        return FINGER_EVENT_IMAGE;
    case FINGERPRINT_EVENT_READER_REMOVED:
        return FINGER_EVENT_REMOVED;
    case FINGERPRINT_EVENT_READER_ADDED:
        return FINGER_EVENT_ADDED;
    case FINGERPRINT_EVENT_ERROR:
        return FINGER_EVENT_ERROR;
    case FINGERPRINT_EVENT_CANCELLED:
        return FINGER_EVENT_CANCELLED;
    case FINGERPRINT_EVENT_NONE:
        break;
    }
    return FINGER_EVENT_NONE;
}

/* The capture's state after one of its events; what the event ends is no longer wanted. */
static void track(finger_service *fs, finger_event_kind kind, int finger)
{
    switch (kind) {
    case FINGER_EVENT_NEEDED:
        fs->needed = fs->running != 0 && !fs->cancelling;
        break;
    case FINGER_EVENT_RETRY:
        fs->needed = false; /* the driver waits for the finger again by itself */
        break;
    case FINGER_EVENT_IMAGE:
    case FINGER_EVENT_ERROR:
        /* an error of a reader that is still there: the officer decides when to try again; one
         * of a reader going away: it is wanted again when the reader is back */
        if (finger > 0 && fs->step_want == finger &&
            (kind == FINGER_EVENT_IMAGE || fingerprint_is_ready(fs->reader)))
            fs->step_want = 0;
        if (finger == FINGER_CHECK_CAPTURE)
            fs->check_want = false;
        /* fall through */
    case FINGER_EVENT_CANCELLED:
    case FINGER_EVENT_REMOVED:
        fs->running = 0;
        fs->cancelling = false;
        fs->needed = false;
        break;
    default:
        break;
    }
}

/* Which way libfprint's minutiae are had, once per reader and way (nothing of the print). */
static void tell_lfp_source(finger_service *fs, finger_lfp_source source,
                            const fingerprint_event *in)
{
    if (fs->lfp_told & (1u << source))
        return;
    fs->lfp_told |= 1u << source;
    if (source == FINGER_LFP_CAPTURE)
        g_message("libfprint's minutiae of this reader: those libfprint found as it captured "
                  "(%.0f ppi, not resampled), no second detection",
                  in->sensor_ppmm * 25.4);
    else if (source == FINGER_LFP_SERVICE)
        g_message("libfprint's minutiae of this reader: detected again on the 500 ppi image (%s)",
                  in->lfp == FINGERPRINT_LFP_RESAMPLED
                      ? "the capture's belong to the reader's image, resampled from its ppi"
                      : "none usable came with the capture");
}

/* A person's print is compared by libfprint's minutiae too: those libfprint found in the capture
 * when the image is the reader's own (in->lfp_features, taken over), otherwise detected on the
 * 500 ppi image (finger_lfp.c); by ours alone when that fails, which is logged and said in the
 * event. */
static fingerfeat *lfp_features(finger_service *fs, finger_event *ev, const fingerfeat *ours,
                                fingerprint_event *in)
{
    char why[200];
    fingerfeat *lfp = NULL;
    if (ours == NULL || ev->image == NULL)
        return NULL;
    if (in->lfp_features != NULL) {
        lfp = in->lfp_features;
        in->lfp_features = NULL;
        ev->lfp_source = FINGER_LFP_CAPTURE;
    } else if (finger_lfp_detect(fs, ev->image, ours, &lfp, why, sizeof why)) {
        ev->lfp_source = FINGER_LFP_SERVICE;
    }
    if (lfp != NULL) {
        ev->lfp_minutiae = lfp->n_minutiae;
        tell_lfp_source(fs, ev->lfp_source, in);
        return lfp;
    }
    ev->own_minutiae = true;
    ev->lfp_source = FINGER_LFP_OWN;
    g_message("libfprint's minutiae not used for this print (%s): the kiosk's own alone are "
              "compared",
              why);
    return NULL;
}

static void on_reader_event(finger_service *fs, fingerprint_event *in)
{
    finger_event ev = {.kind = translate_kind(in->kind)};
    if (ev.kind == FINGER_EVENT_NONE)
        return;
    int running = fs->running;
    /* an ERROR before any capture (opening failed) belongs to none */
    ev.finger = running > 0 ? running : 0;
    ev.retry = (finger_retry)in->retry;
    if (in->text)
        g_strlcpy(ev.text, in->text, sizeof ev.text);
    if (ev.kind == FINGER_EVENT_READY || ev.kind == FINGER_EVENT_ADDED)
        fs->lfp_told = 0; /* another reader, perhaps: its ways are logged again */
    if (ev.kind == FINGER_EVENT_IMAGE) {
        ev.image = in->image;
        in->image = NULL;
        fingerfeat *feat = in->features;
        in->features = NULL;
        if (running == FINGER_CHECK_CAPTURE) {
            /* the technician's: measured, never kept */
            ev.print = 0;
            ev.analysed = feat != NULL;
            ev.quality = feat ? feat->quality : 0;
            ev.minutiae = feat ? feat->n_minutiae : 0;
            ev.check.result = FINGERPLAN_UNIQUE;
            fingerfeat_free(feat);
        } else {
            fingerfeat *lfp = lfp_features(fs, &ev, feat, in);
            finger_prints_add(fs, feat, lfp, &ev);
        }
    }
    fingerprint_event_clear(in);
    track(fs, ev.kind, running);
    deliver(fs, &ev);
    end_check_routing(fs);
    reconcile(fs);
}

/* A reader that was just pulled out takes a moment to close (rescan answers BUSY meanwhile), so
 * the rescan is tried again every 100 ms for up to 10 s. */
static gboolean plug_try(gpointer data)
{
    finger_service *fs = data;
    fs->plug_source = 0;
    if (fs->quit)
        return G_SOURCE_REMOVE;
    bk_err err = fingerprint_is_ready(fs->reader) ? BK_OK : fingerprint_rescan(fs->reader);
    if (err != BK_OK && ++fs->plug_tries < PLUG_MAX_TRIES) {
        GSource *src = g_timeout_source_new(PLUG_RETRY_MS);
        g_source_set_callback(src, plug_try, fs, NULL);
        fs->plug_source = g_source_attach(src, fs->ctx);
        g_source_unref(src);
    } else if (err != BK_OK) {
        g_warning("no fingerprint reader found after a rescan (%s)", bk_err_str(err));
    }
    return G_SOURCE_REMOVE;
}

typedef struct request {
    finger_service *fs;
    finger_req_kind kind;
    int finger;
    unsigned id;
} request;

static gboolean run_request(gpointer data)
{
    request *rq = data;
    finger_service *fs = rq->fs;
    if (fs->quit)
        return G_SOURCE_REMOVE; /* the reader is closing or closed */
    switch (rq->kind) {
    case FINGER_REQ_CAPTURE:
        fs->step_want = rq->finger;
        break;
    case FINGER_REQ_CANCEL:
        fs->step_want = 0;
        break;
    case FINGER_REQ_RESET:
        fs->step_want = 0;
        break;
    case FINGER_REQ_CHECK:
        fs->check_want = rq->finger != 0;
        if (fs->check_want) {
            g_mutex_lock(&fs->lock);
            fs->checking = true;
            g_mutex_unlock(&fs->lock);
        }
        break;
    case FINGER_REQ_RESCAN:
        fs->plug_tries = 0;
        if (fs->plug_source == 0)
            plug_try(fs);
        break;
    case FINGER_REQ_QUIT:
        fs->quit = true;
        fs->step_want = 0;
        fs->check_want = false;
        if (fs->plug_source != 0)
            g_source_destroy(g_main_context_find_source_by_id(fs->ctx, fs->plug_source));
        fs->plug_source = 0;
        return G_SOURCE_REMOVE;
    }
    end_check_routing(fs);
    reconcile(fs);
    return G_SOURCE_REMOVE;
}

/* An idle source, not g_main_context_invoke: that could run the request on the caller's thread
 * when the service's thread happens not to hold the context. Sources of one priority run in the
 * order they were attached, so requests keep their order. */
static void attach(finger_service *fs, GSourceFunc fn, gpointer data, GDestroyNotify destroy)
{
    GSource *src = g_idle_source_new();
    g_source_set_callback(src, fn, data, destroy);
    g_source_attach(src, fs->ctx);
    g_source_unref(src);
}

void finger_service_request(finger_service *fs, finger_req_kind kind, int finger, unsigned id)
{
    request *rq = g_new0(request, 1);
    rq->fs = fs;
    rq->kind = kind;
    rq->finger = finger;
    rq->id = id;
    attach(fs, run_request, rq, g_free);
}

static gpointer service_thread(gpointer data)
{
    finger_service *fs = data;
    fingerprint_options o = {
        .driver = fs->driver,
        .rescan_ms = fs->manual_rescan ? FINGERPRINT_RESCAN_MANUAL : 0,
        .assume_ppmm = fs->assume_ppmm,
    };
    fingerprint_open(&o, &fs->reader);
    while (!fs->quit) {
        fingerprint_event ev;
        while (fingerprint_poll(fs->reader, &ev))
            on_reader_event(fs, &ev);
        if (!fs->quit)
            /* sleeps in poll() until libfprint or a request has work */
            g_main_context_iteration(fs->ctx, TRUE);
    }
    fingerprint_close(fs->reader);
    fs->reader = NULL;
    finger_lfp_drain(fs);
    /* what was attached before the quit and is still there (invocations of the test hooks)
     * runs now, while the service is still alive; requests do nothing after the quit */
    for (int i = 0; i < 100 && g_main_context_iteration(fs->ctx, FALSE); i++)
        ;
    finger_prints_clear(fs);
    return NULL;
}

/* ---- the caller's side ------------------------------------------------------------------- */

bk_err finger_service_new(const finger_service_settings *set, finger_service **out, char **message)
{
    if (set == NULL || out == NULL || set->assume_ppi < 0 || set->match_threshold < 0 ||
        set->match_threshold > 100 || set->lfp_match_threshold < 0 ||
        set->lfp_match_threshold > 100) {
        if (message)
            *message = g_strdup("[fingerprint] assume_ppi must be 0 or more, match_threshold "
                                "and lfp_match_threshold 0-100");
        return BK_ERR_INVALID;
    }
    finger_service *fs = g_new0(finger_service, 1);
    const char *socket = set->virtual_socket;
    fs->driver = set->driver && set->driver[0] ? g_strdup(set->driver) : NULL;
    if (socket && socket[0]) {
        /* libfprint reads it when the thread makes its FpContext; written only when it changes,
         * as other threads may read the environment */
        if (g_strcmp0(g_getenv("FP_VIRTUAL_IMAGE"), socket) != 0)
            g_setenv("FP_VIRTUAL_IMAGE", socket, TRUE);
        if (fs->driver == NULL)
            fs->driver = g_strdup("virtual_image");
    }
    fs->manual_rescan = set->manual_rescan;
    fs->assume_ppmm = set->assume_ppi > 0 ? set->assume_ppi / 25.4 : 0.0;
    fs->match_threshold =
        set->match_threshold > 0 ? set->match_threshold : FINGERMATCH_DEFAULT_THRESHOLD;
    fs->lfp_timeout_ms = set->lfp_timeout_ms > 0 ? set->lfp_timeout_ms : FINGER_LFP_TIMEOUT_MS;
    fs->lfp_threshold =
        set->lfp_match_threshold > 0 ? set->lfp_match_threshold : FINGER_LFP_DEFAULT_THRESHOLD;
    fs->lfp_ctx = g_main_context_new();
    fs->wake = set->wake;
    fs->wake_data = set->wake_data;
    g_mutex_init(&fs->lock);
    g_cond_init(&fs->cond);
    g_queue_init(&fs->events);
    g_queue_init(&fs->check_events);
    fs->prints = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finger_print_free);
    /* libfprint enumerates readers by iterating GLib's global default context: the service's
     * thread owns that one */
    fs->ctx = g_main_context_ref(g_main_context_default());
    fs->thread = g_thread_new("fingerprint", service_thread, fs);
    *out = fs;
    return BK_OK;
}

void finger_service_free(finger_service *fs)
{
    if (fs == NULL)
        return;
    finger_service_request(fs, FINGER_REQ_QUIT, 0, 0);
    g_thread_join(fs->thread);
    /* requests made after the quit were never run: they go with the context's sources */
    g_mutex_lock(&fs->lock);
    drop_queue(&fs->events);
    drop_queue(&fs->check_events);
    g_mutex_unlock(&fs->lock);
    g_hash_table_destroy(fs->prints);
    g_main_context_unref(fs->ctx);
    g_main_context_unref(fs->lfp_ctx);
    g_mutex_clear(&fs->lock);
    g_cond_clear(&fs->cond);
    g_free(fs->driver);
    g_free(fs);
}

void finger_service_set_wake(finger_service *fs, void (*wake)(void *data), void *data)
{
    g_mutex_lock(&fs->lock);
    fs->wake = wake;
    fs->wake_data = data;
    g_mutex_unlock(&fs->lock);
}

void finger_service_set_tap(finger_service *fs, finger_service_tap tap, void *data)
{
    g_mutex_lock(&fs->lock);
    fs->tap = tap;
    fs->tap_data = data;
    g_mutex_unlock(&fs->lock);
}

bool finger_service_next_event(finger_service *fs, finger_event *ev)
{
    g_mutex_lock(&fs->lock);
    finger_event *head = g_queue_pop_head(&fs->events);
    g_mutex_unlock(&fs->lock);
    memset(ev, 0, sizeof *ev);
    if (head == NULL)
        return false;
    *ev = *head;
    g_free(head);
    return true;
}

void finger_service_snapshot(finger_service *fs, finger_snapshot *out)
{
    g_mutex_lock(&fs->lock);
    out->ready = fs->ready;
    g_strlcpy(out->name, fs->ready ? fs->name : "", sizeof out->name);
    g_mutex_unlock(&fs->lock);
}

void finger_service_begin(finger_service *fs)
{
    g_mutex_lock(&fs->lock);
    fs->step_up = true; /* a technician's check still running gives the reader back */
    drop_queue(&fs->events);
    g_mutex_unlock(&fs->lock);
    finger_prints_clear(fs);
    finger_service_request(fs, FINGER_REQ_RESET, 0, 0);
}

void finger_service_end(finger_service *fs)
{
    g_mutex_lock(&fs->lock);
    fs->step_up = false;
    drop_queue(&fs->events); /* (images are wiped: biomem) */
    g_mutex_unlock(&fs->lock);
    /* at once, not on the service's thread: nothing of the person is left when this returns */
    finger_prints_clear(fs);
    finger_service_request(fs, FINGER_REQ_RESET, 0, 0);
}

void finger_service_capture(finger_service *fs, int finger)
{
    if (finger > 0 && finger < FINGERPLAN_FINGERS)
        finger_service_request(fs, FINGER_REQ_CAPTURE, finger, 0);
}

void finger_service_cancel(finger_service *fs)
{
    finger_service_request(fs, FINGER_REQ_CANCEL, 0, 0);
}

void finger_service_keep(finger_service *fs, int finger, unsigned print)
{
    finger_prints_keep(fs, finger, print);
}

void finger_service_forget(finger_service *fs, unsigned print)
{
    if (print != 0)
        finger_prints_forget(fs, print);
}

void finger_service_rescan(finger_service *fs)
{
    finger_service_request(fs, FINGER_REQ_RESCAN, 0, 0);
}

typedef struct invocation {
    void (*fn)(void *data);
    void *data;
    void (*destroy)(void *data);
} invocation;

static gboolean run_invocation(gpointer p)
{
    invocation *iv = p;
    iv->fn(iv->data); /* also after the quit: the caller's data is freed by destroy either way */
    return G_SOURCE_REMOVE;
}

static void invocation_free(gpointer p)
{
    invocation *iv = p;
    if (iv->destroy)
        iv->destroy(iv->data);
    g_free(iv);
}

void finger_service_invoke(finger_service *fs, void (*fn)(void *data), void *data,
                           void (*destroy)(void *data))
{
    invocation *iv = g_new0(invocation, 1);
    iv->fn = fn;
    iv->data = data;
    iv->destroy = destroy;
    attach(fs, run_invocation, iv, invocation_free);
}

bool finger_service_asking(const finger_service *fs)
{
    return fs->needed && !fs->cancelling && fs->running != 0 && fs->running == wanted(fs);
}

void finger_service_status(finger_service *fs, char *buf, size_t size)
{
    g_mutex_lock(&fs->lock);
    if (fs->ready)
        g_snprintf(buf, size, "fingerprint: %s ready", fs->name);
    else
        g_snprintf(buf, size, "fingerprint: no reader connected");
    g_mutex_unlock(&fs->lock);
}
