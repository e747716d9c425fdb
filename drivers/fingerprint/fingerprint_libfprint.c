/* The libfprint backend of fingerprint.h.
 *
 * States, one reader at a time:
 *   no device --(found)--> opening --(opened)--> open <--> capturing
 *   any state with a device --(removed)--> closing --(closed)--> no device (rescan timer)
 * Every libfprint call is asynchronous; each callback holds a count in `pending` so that
 * fingerprint_close() can wait for them before freeing.
 */
#include "drivers/fingerprint/fingerprint.h"

#include <fprint.h>
#include <glib.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/fingerlfp.h"
#include "imaging/fingerscale.h"

#define DEFAULT_RESCAN_MS 1000
/* fingerprint_close() gives libfprint this long to finish what is running. */
#define CLOSE_WAIT_MS 5000

struct fingerprint_reader {
    GMainContext *ctx;
    char *driver;
    unsigned rescan_ms;
    double assume_ppmm;
    gboolean told_assumed; /* the assumed resolution was logged */
    FpContext *fpctx;
    FpDevice *dev;
    gulong status_handler;
    gulong removed_handler;
    FpFingerStatusFlags status;
    GCancellable *cancel;
    gboolean opening;
    gboolean open;
    gboolean capturing;
    gboolean removed;     /* the current device went away; reported once */
    gboolean ever_opened; /* READY the first time, READER_ADDED afterwards */
    gboolean closing;     /* fingerprint_close() runs: start nothing new */
    guint rescan_source;
    guint restart_source;
    int pending;
    GQueue events;
};

static void start_rescan(fingerprint_reader *r);

const char *fingerprint_event_str(fingerprint_event_kind kind)
{
    switch (kind) {
    case FINGERPRINT_EVENT_NONE:
        return "none";
    case FINGERPRINT_EVENT_READY:
        return "ready";
    case FINGERPRINT_EVENT_FINGER_NEEDED:
        return "finger-needed";
    case FINGERPRINT_EVENT_FINGER_PRESENT:
        return "finger-present";
    case FINGERPRINT_EVENT_FINGER_REMOVED:
        return "finger-removed";
    case FINGERPRINT_EVENT_RETRY:
        return "retry";
    case FINGERPRINT_EVENT_IMAGE:
        return "image";
    case FINGERPRINT_EVENT_READER_REMOVED:
        return "reader-removed";
    case FINGERPRINT_EVENT_READER_ADDED:
        return "reader-added";
    case FINGERPRINT_EVENT_ERROR:
        return "error";
    case FINGERPRINT_EVENT_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

static fingerprint_event *push(fingerprint_reader *r, fingerprint_event_kind kind)
{
    fingerprint_event *ev = g_new0(fingerprint_event, 1);
    ev->kind = kind;
    g_queue_push_tail(&r->events, ev);
    g_debug("event %s", fingerprint_event_str(kind));
    return ev;
}

static void push_named(fingerprint_reader *r, fingerprint_event_kind kind)
{
    fingerprint_event *ev = push(r, kind);
    ev->owned_text_ = g_strdup(r->dev ? fp_device_get_name(r->dev) : "");
    ev->text = ev->owned_text_;
}

/* Plain instructions for the person at the reader. */
static const char *retry_text(fingerprint_retry retry)
{
    switch (retry) {
    case FINGERPRINT_RETRY_TOO_SHORT:
        return "Keep your finger on the reader a little longer.";
    case FINGERPRINT_RETRY_CENTER:
        return "Place your finger in the middle of the reader.";
    case FINGERPRINT_RETRY_REMOVE:
        return "Lift your finger and place it again.";
    case FINGERPRINT_RETRY_GENERAL:
        break;
    }
    return "That did not work. Lift your finger and place it again, pressing lightly.";
}

static fingerprint_retry translate_retry(int code)
{
    switch (code) {
    case FP_DEVICE_RETRY_TOO_SHORT:
        return FINGERPRINT_RETRY_TOO_SHORT;
    case FP_DEVICE_RETRY_CENTER_FINGER:
        return FINGERPRINT_RETRY_CENTER;
    case FP_DEVICE_RETRY_REMOVE_FINGER:
        return FINGERPRINT_RETRY_REMOVE;
    default:
        return FINGERPRINT_RETRY_GENERAL;
    }
}

/* Messages for staff: what happened and what to do about it. */
static void push_error(fingerprint_reader *r, const GError *error)
{
    fingerprint_event *ev = push(r, FINGERPRINT_EVENT_ERROR);
    ev->err = BK_ERR_DEVICE;
    ev->text = "The fingerprint reader reported an error. Unplug it, plug it in again and "
               "restart this finger; call support if it happens again.";
    if (error->domain != FP_DEVICE_ERROR)
        return;
    switch (error->code) {
    case FP_DEVICE_ERROR_BUSY:
        ev->err = BK_ERR_BUSY;
        ev->text = "The fingerprint reader is busy. Wait a moment and restart this finger.";
        break;
    case FP_DEVICE_ERROR_PROTO:
        ev->text = "The fingerprint reader sent data the kiosk could not read. Unplug it, plug "
                   "it in again and restart this finger.";
        break;
    case FP_DEVICE_ERROR_TOO_HOT:
        ev->text = "The fingerprint reader is too hot. Let it cool down for a few minutes, then "
                   "restart this finger.";
        break;
    case FP_DEVICE_ERROR_NOT_SUPPORTED:
        ev->err = BK_ERR_UNSUPPORTED;
        ev->text = "This fingerprint reader cannot deliver images. Connect a supported reader.";
        break;
    default:
        break;
    }
}

static void on_status(FpDevice *dev, GParamSpec *pspec, gpointer data)
{
    fingerprint_reader *r = data;
    FpFingerStatusFlags now = fp_device_get_finger_status(dev);
    FpFingerStatusFlags was = r->status;
    r->status = now;
    gboolean needed_now = (now & FP_FINGER_STATUS_NEEDED) && !(now & FP_FINGER_STATUS_PRESENT);
    gboolean needed_was = (was & FP_FINGER_STATUS_NEEDED) && !(was & FP_FINGER_STATUS_PRESENT);
    if ((now & FP_FINGER_STATUS_PRESENT) && !(was & FP_FINGER_STATUS_PRESENT))
        push(r, FINGERPRINT_EVENT_FINGER_PRESENT);
    if (!(now & FP_FINGER_STATUS_PRESENT) && (was & FP_FINGER_STATUS_PRESENT))
        push(r, FINGERPRINT_EVENT_FINGER_REMOVED);
    if (needed_now && !needed_was)
        push(r, FINGERPRINT_EVENT_FINGER_NEEDED);
}

static void forget_device(fingerprint_reader *r)
{
    if (r->dev != NULL) {
        g_signal_handler_disconnect(r->dev, r->status_handler);
        g_signal_handler_disconnect(r->dev, r->removed_handler);
        g_clear_object(&r->dev);
    }
    g_clear_object(&r->fpctx);
    r->open = FALSE;
    r->opening = FALSE;
    r->status = FP_FINGER_STATUS_NONE;
}

static void on_closed_after_removal(GObject *source, GAsyncResult *res, gpointer data)
{
    fingerprint_reader *r = data;
    g_autoptr(GError) error = NULL;
    /* closing a removed device may fail; it is gone either way */
    fp_device_close_finish(FP_DEVICE(source), res, &error);
    r->pending--;
    forget_device(r);
    start_rescan(r);
}

/* The device is gone: close what is left of it, then look for a reader again. */
static void drop_device(fingerprint_reader *r)
{
    if (r->dev != NULL && fp_device_is_open(r->dev)) {
        r->pending++;
        r->open = FALSE;
        fp_device_close(r->dev, NULL, on_closed_after_removal, r);
        return;
    }
    forget_device(r);
    start_rescan(r);
}

static void mark_removed(fingerprint_reader *r)
{
    if (r->removed)
        return;
    r->removed = TRUE;
    g_info("fingerprint reader removed");
    push(r, FINGERPRINT_EVENT_READER_REMOVED);
}

static void on_removed(FpDevice *dev, gpointer data)
{
    fingerprint_reader *r = data;
    gboolean first = !r->removed;
    mark_removed(r);
    /* a running capture or opening ends with an error first; its callback drops the device */
    if (first && !r->capturing && !r->opening)
        drop_device(r);
}

static void on_opened(GObject *source, GAsyncResult *res, gpointer data)
{
    fingerprint_reader *r = data;
    g_autoptr(GError) error = NULL;
    gboolean ok = fp_device_open_finish(FP_DEVICE(source), res, &error);
    r->pending--;
    r->opening = FALSE;
    if (r->removed) {
        drop_device(r);
        return;
    }
    if (!ok) {
        g_message("opening the fingerprint reader failed: %s", error->message);
        push_error(r, error);
        forget_device(r);
        start_rescan(r);
        return;
    }
    r->open = TRUE;
    g_info("fingerprint reader open: %s", fp_device_get_driver(r->dev));
    push_named(r, r->ever_opened ? FINGERPRINT_EVENT_READER_ADDED : FINGERPRINT_EVENT_READY);
    r->ever_opened = TRUE;
}

static gboolean usable(FpDevice *dev, const char *driver)
{
    if (!fp_device_has_feature(dev, FP_DEVICE_FEATURE_CAPTURE))
        return FALSE;
    return driver == NULL || strcmp(driver, fp_device_get_driver(dev)) == 0;
}

/* Enumerates with a fresh context (so a re-plugged or re-created device is seen) and starts
 * opening the first usable reader. */
static gboolean find_and_open(fingerprint_reader *r)
{
    FpContext *fpctx = fp_context_new();
    GPtrArray *devices = fp_context_get_devices(fpctx);
    FpDevice *dev = NULL;
    for (guint i = 0; devices != NULL && i < devices->len && dev == NULL; i++)
        if (usable(g_ptr_array_index(devices, i), r->driver))
            dev = g_ptr_array_index(devices, i);
    if (dev == NULL) {
        g_object_unref(fpctx);
        return FALSE;
    }
    r->fpctx = fpctx;
    r->dev = g_object_ref(dev);
    r->removed = FALSE;
    r->status = fp_device_get_finger_status(dev);
    r->status_handler = g_signal_connect(dev, "notify::finger-status", G_CALLBACK(on_status), r);
    r->removed_handler = g_signal_connect(dev, "removed", G_CALLBACK(on_removed), r);
    r->opening = TRUE;
    r->pending++;
    fp_device_open(dev, NULL, on_opened, r);
    return TRUE;
}

static gboolean on_rescan(gpointer data)
{
    fingerprint_reader *r = data;
    if (r->closing || r->dev != NULL) {
        r->rescan_source = 0;
        return G_SOURCE_REMOVE;
    }
    if (find_and_open(r)) {
        r->rescan_source = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void start_rescan(fingerprint_reader *r)
{
    if (r->closing || r->rescan_source != 0 || r->rescan_ms == FINGERPRINT_RESCAN_MANUAL)
        return;
    GSource *src = g_timeout_source_new(r->rescan_ms);
    g_source_set_callback(src, on_rescan, r, NULL);
    r->rescan_source = g_source_attach(src, r->ctx);
    g_source_unref(src);
}

static void on_captured(GObject *source, GAsyncResult *res, gpointer data);

static void begin_capture(fingerprint_reader *r)
{
    g_clear_object(&r->cancel);
    r->cancel = g_cancellable_new();
    r->capturing = TRUE;
    r->pending++;
    fp_device_capture(r->dev, TRUE, r->cancel, on_captured, r);
}

static gboolean on_restart(gpointer data)
{
    fingerprint_reader *r = data;
    r->restart_source = 0;
    r->pending--;
    if (r->open && !r->removed && !r->closing && !r->capturing)
        begin_capture(r);
    return G_SOURCE_REMOVE;
}

/* Into a biomem buffer (wiped on free); libfprint's own copy is wiped with its FpImage
 * (wipe_unref). */
static bk_err copy_image(FpImage *img, fingerimg **out)
{
    gsize len = 0;
    const guchar *data = fp_image_get_data(img, &len);
    int w = (int)fp_image_get_width(img), h = (int)fp_image_get_height(img);
    if (data == NULL || (gsize)w * (gsize)h > len)
        return BK_ERR_CORRUPT;
    return fingerimg_new_from(w, h, data, out);
}

/* libfprint's minutiae of a captured image: their positions and NBIS's binarised image, copied
 * out of the FpImage (biomem buffers: a person's, wiped when freed). */
typedef struct capture_lfp {
    int *xy; /* 2 * n: x, y of each (pixels of the captured image, y down) */
    int n;
    uint8_t *bin; /* width * height of the captured image; FINGERLFP_RIDGE on a ridge */
} capture_lfp;

static void capture_lfp_clear(capture_lfp *c)
{
    biomem_free(c->xy);
    biomem_free(c->bin);
    memset(c, 0, sizeof *c);
}

/* libfprint's image devices detect the minutiae of every capture (the data of the FpImage is
 * then the normalised image they belong to: flipped and inverted as the driver said); none when
 * libfprint gave none or memory is short. */
static void copy_lfp(FpImage *img, capture_lfp *out)
{
    memset(out, 0, sizeof *out);
    GPtrArray *m = fp_image_get_minutiae(img);
    gsize len = 0;
    const guchar *bin = fp_image_get_binarized(img, &len);
    gsize size = (gsize)fp_image_get_width(img) * (gsize)fp_image_get_height(img);
    if (m == NULL || m->len == 0 || bin == NULL || len < size)
        return;
    out->xy = biomem_calloc(2 * (size_t)m->len, sizeof *out->xy);
    out->bin = biomem_alloc(size);
    if (out->xy == NULL || out->bin == NULL) {
        capture_lfp_clear(out);
        return;
    }
    memcpy(out->bin, bin, size);
    out->n = (int)m->len;
    for (int i = 0; i < out->n; i++)
        fp_minutia_get_coords(g_ptr_array_index(m, i), &out->xy[2 * i], &out->xy[2 * i + 1]);
}

/* The pixels libfprint holds of a capture (the image, NBIS's binarised copy) are the person's:
 * wiped before the FpImage goes (its minutiae list and libfprint's working copies inside the
 * detection are freed by libfprint unwiped). */
static void wipe_unref(FpImage *img)
{
    gsize len = 0;
    guchar *data = (guchar *)fp_image_get_data(img, &len);
    if (data != NULL)
        biomem_wipe(data, len);
    len = 0;
    guchar *bin = (guchar *)fp_image_get_binarized(img, &len);
    if (bin != NULL)
        biomem_wipe(bin, len);
    g_object_unref(img);
}

/* The analysis of a captured image (quality, minutiae) takes up to a few hundred milliseconds:
 * it runs on a worker thread and the IMAGE event is queued when it is done. */
typedef struct analysis {
    fingerimg *img; /* as captured, then at 500 ppi */
    fingerfeat *feat;
    capture_lfp capture; /* libfprint's of the captured image (cleared once used) */
    fingerfeat *lfp_feat;
    fingerprint_lfp lfp;
    double ppmm; /* of the captured image */
    gboolean assumed;
    int width, height; /* as captured */
} analysis;

/* libfprint's minutiae of the capture with their directions, beside ours, when they belong to
 * the analysed image: when it is the captured one, pixel for pixel (a 500 ppi reader; a resample
 * that failed). A resampled image gets none: the service detects them again on it, as before.
 * Scaled to it, the capture's agree with a fresh detection only in part (within 4 px: 62 % of
 * them for a reader of 508 ppi), catch no more second impressions and give higher impostor
 * scores (at 600 ppi one above the threshold): bench-finger-capture. */
static void lfp_directions(analysis *a, gboolean as_captured)
{
    if (a->capture.xy == NULL || a->feat == NULL) {
        a->lfp = FINGERPRINT_LFP_NONE;
    } else if (!as_captured) {
        a->lfp = FINGERPRINT_LFP_RESAMPLED;
    } else if (fingerlfp_features(a->feat, a->capture.bin, a->img->width, a->img->height,
                                  a->capture.xy, a->capture.n, &a->lfp_feat) == BK_OK) {
        a->lfp = FINGERPRINT_LFP_CAPTURE;
    } else {
        a->lfp_feat = NULL;
        a->lfp = FINGERPRINT_LFP_NONE;
    }
    capture_lfp_clear(&a->capture);
}

static void analyse_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
    analysis *a = data;
    fingerimg *scaled = NULL;
    gboolean as_captured = TRUE;
    /* quality, comparison and the record work at 500 ppi; only ever shrunk (start_analysis
     * refuses a reader below 500 ppi) */
    if (fingerscale_resample(a->img, a->ppmm, FINGERSCALE_PPMM_500, &scaled) == BK_OK) {
        /* within 0.1 % of 500 ppi fingerscale copies the image: the capture's minutiae fit */
        as_captured = scaled->width == a->img->width && scaled->height == a->img->height &&
                      memcmp(scaled->pix, a->img->pix, (size_t)scaled->width * scaled->height) == 0;
        fingerimg_free(a->img);
        a->img = scaled;
    } else {
        g_warning("a %dx%d image at %.3f px/mm cannot be resampled to 500 ppi; kept as it is",
                  a->width, a->height, a->ppmm);
    }
    if (fingerfeat_analyse(a->img->pix, a->img->width, a->img->height, &a->feat) != BK_OK)
        a->feat = NULL;
    lfp_directions(a, as_captured);
    g_task_return_boolean(task, TRUE);
}

static void on_analysed(GObject *source, GAsyncResult *res, gpointer data)
{
    fingerprint_reader *r = data;
    analysis *a = g_task_get_task_data(G_TASK(res));
    r->pending--;
    fingerprint_event *ev = push(r, FINGERPRINT_EVENT_IMAGE);
    ev->image = a->img;
    ev->features = a->feat;
    ev->lfp_features = a->lfp_feat;
    ev->lfp = a->lfp;
    ev->sensor_ppmm = a->ppmm;
    ev->ppmm_assumed = a->assumed;
    ev->sensor_width = a->width;
    ev->sensor_height = a->height;
    a->img = NULL;
    a->feat = NULL;
    a->lfp_feat = NULL;
}

static void analysis_free(gpointer data)
{
    analysis *a = data;
    fingerimg_free(a->img);
    fingerfeat_free(a->feat);
    fingerfeat_free(a->lfp_feat);
    capture_lfp_clear(&a->capture);
    g_free(a);
}

/* img and capture: transfer full */
static void start_analysis(fingerprint_reader *r, fingerimg *img, capture_lfp *capture, double ppmm)
{
    analysis *a = g_new0(analysis, 1);
    a->img = img;
    a->capture = *capture;
    memset(capture, 0, sizeof *capture);
    a->width = img->width;
    a->height = img->height;
    a->ppmm = ppmm;
    if (!fingerscale_plausible(ppmm)) {
        a->ppmm = r->assume_ppmm;
        a->assumed = TRUE;
        if (!r->told_assumed)
            g_message("libfprint reports no resolution for this reader (driver %s, %.3f px/mm); "
                      "assuming %.1f ppi",
                      r->dev ? fp_device_get_driver(r->dev) : "?", ppmm, r->assume_ppmm * 25.4);
        r->told_assumed = TRUE;
    }
    if (fingerscale_below_500(a->ppmm)) {
        /* never upscale (TR-03121): the reader does not meet the standard; staff must know */
        fingerprint_event *ev = push(r, FINGERPRINT_EVENT_ERROR);
        ev->err = BK_ERR_UNSUPPORTED;
        ev->owned_text_ = g_strdup_printf(
            "This fingerprint reader gives %.0f ppi%s, below the 500 ppi the standard requires; "
            "images are never enlarged. Use a reader of 500 ppi or more.",
            a->ppmm * 25.4, a->assumed ? " (assumed)" : "");
        ev->text = ev->owned_text_;
        g_warning("fingerprint reader %s: %.1f ppi is below 500 ppi; capture refused",
                  r->dev ? fp_device_get_driver(r->dev) : "?", a->ppmm * 25.4);
        analysis_free(a);
        return;
    }
    GTask *task = g_task_new(NULL, NULL, on_analysed, r);
    g_task_set_task_data(task, a, analysis_free);
    r->pending++;
    g_task_run_in_thread(task, analyse_in_thread);
    g_object_unref(task);
}

static void on_captured(GObject *source, GAsyncResult *res, gpointer data)
{
    fingerprint_reader *r = data;
    g_autoptr(GError) error = NULL;
    FpImage *img = fp_device_capture_finish(FP_DEVICE(source), res, &error);
    r->pending--;
    r->capturing = FALSE;
    if (img != NULL) {
        fingerimg *copy = NULL;
        capture_lfp capture;
        bk_err err = copy_image(img, &copy);
        double ppmm = fp_image_get_ppmm(img);
        copy_lfp(img, &capture);
        wipe_unref(img);
        if (err == BK_OK) {
            start_analysis(r, copy, &capture, ppmm);
        } else {
            capture_lfp_clear(&capture);
            fingerprint_event *ev = push(r, FINGERPRINT_EVENT_ERROR);
            ev->err = err;
            ev->text = "The fingerprint reader delivered an unusable image. Restart this finger.";
        }
        if (r->removed)
            drop_device(r);
        return;
    }
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        push(r, FINGERPRINT_EVENT_CANCELLED);
    } else if (r->removed || g_error_matches(error, FP_DEVICE_ERROR, FP_DEVICE_ERROR_REMOVED)) {
        mark_removed(r);
    } else if (error->domain == FP_DEVICE_RETRY) {
        fingerprint_event *ev = push(r, FINGERPRINT_EVENT_RETRY);
        ev->retry = translate_retry(error->code);
        ev->text = retry_text(ev->retry);
        /* libfprint ends the capture on a retry; start the next one once this callback is
         * over, so the person simply tries again */
        if (!r->closing) {
            r->pending++;
            GSource *src = g_idle_source_new();
            g_source_set_callback(src, on_restart, r, NULL);
            r->restart_source = g_source_attach(src, r->ctx);
            g_source_unref(src);
        }
    } else {
        g_message("fingerprint capture failed: %s", error->message);
        push_error(r, error);
    }
    if (r->removed)
        drop_device(r);
}

bk_err fingerprint_list(char ***out)
{
    FpContext *fpctx = fp_context_new();
    GPtrArray *devices = fp_context_get_devices(fpctx);
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; devices != NULL && i < devices->len; i++) {
        FpDevice *dev = g_ptr_array_index(devices, i);
        if (usable(dev, NULL))
            g_ptr_array_add(names, g_strdup_printf("%s: %s", fp_device_get_driver(dev),
                                                   fp_device_get_name(dev)));
    }
    g_ptr_array_add(names, NULL);
    g_object_unref(fpctx);
    *out = (char **)g_ptr_array_free(names, FALSE);
    return BK_OK;
}

void fingerprint_list_free(char **list)
{
    g_strfreev(list);
}

bk_err fingerprint_open(const fingerprint_options *opt, fingerprint_reader **out)
{
    fingerprint_reader *r = g_new0(fingerprint_reader, 1);
    r->ctx = g_main_context_ref_thread_default();
    r->driver = g_strdup(opt ? opt->driver : NULL);
    r->rescan_ms = opt && opt->rescan_ms ? opt->rescan_ms : DEFAULT_RESCAN_MS;
    r->assume_ppmm =
        opt && fingerscale_plausible(opt->assume_ppmm) ? opt->assume_ppmm : FINGERSCALE_PPMM_500;
    g_queue_init(&r->events);
    if (!find_and_open(r)) {
        g_info("no fingerprint reader yet");
        push(r, FINGERPRINT_EVENT_READER_REMOVED);
        start_rescan(r);
    }
    *out = r;
    return BK_OK;
}

bk_err fingerprint_rescan(fingerprint_reader *r)
{
    if (r->dev != NULL || r->pending > 0)
        return BK_ERR_BUSY;
    return find_and_open(r) ? BK_OK : BK_ERR_NO_DEVICE;
}

bk_err fingerprint_capture(fingerprint_reader *r)
{
    if (r->capturing || r->opening || r->restart_source != 0)
        return BK_ERR_BUSY;
    if (!r->open || r->removed)
        return BK_ERR_NO_DEVICE;
    begin_capture(r);
    return BK_OK;
}

void fingerprint_cancel(fingerprint_reader *r)
{
    if (r->restart_source != 0) {
        g_source_destroy(g_main_context_find_source_by_id(r->ctx, r->restart_source));
        r->restart_source = 0;
        r->pending--;
        push(r, FINGERPRINT_EVENT_CANCELLED);
    }
    if (r->capturing && r->cancel != NULL)
        g_cancellable_cancel(r->cancel);
}

bool fingerprint_is_ready(const fingerprint_reader *r)
{
    return r->open && !r->removed;
}

static bool pop(fingerprint_reader *r, fingerprint_event *ev)
{
    memset(ev, 0, sizeof *ev);
    fingerprint_event *head = g_queue_pop_head(&r->events);
    if (head == NULL)
        return false;
    *ev = *head;
    g_free(head);
    return true;
}

bool fingerprint_poll(fingerprint_reader *r, fingerprint_event *ev)
{
    /* bounded, so a busy source can never hold up a frame */
    for (int i = 0; i < 64 && g_main_context_iteration(r->ctx, FALSE); i++)
        ;
    return pop(r, ev);
}

static gboolean on_wait_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

bool fingerprint_wait(fingerprint_reader *r, fingerprint_event *ev, unsigned timeout_ms)
{
    if (pop(r, ev))
        return true;
    gboolean expired = FALSE;
    GSource *src = g_timeout_source_new(timeout_ms);
    g_source_set_callback(src, on_wait_timeout, &expired, NULL);
    g_source_attach(src, r->ctx);
    while (!expired && g_queue_is_empty(&r->events))
        g_main_context_iteration(r->ctx, TRUE);
    g_source_destroy(src);
    g_source_unref(src);
    return pop(r, ev);
}

void fingerprint_event_clear(fingerprint_event *ev)
{
    if (ev == NULL)
        return;
    fingerimg_free(ev->image);
    fingerfeat_free(ev->features);
    fingerfeat_free(ev->lfp_features);
    g_free(ev->owned_text_);
    memset(ev, 0, sizeof *ev);
}

static gboolean on_close_timeout(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

static void on_closed(GObject *source, GAsyncResult *res, gpointer data)
{
    fingerprint_reader *r = data;
    g_autoptr(GError) error = NULL;
    if (!fp_device_close_finish(FP_DEVICE(source), res, &error))
        g_debug("closing the fingerprint reader: %s", error->message);
    r->pending--;
}

void fingerprint_close(fingerprint_reader *r)
{
    if (r == NULL)
        return;
    r->closing = TRUE;
    if (r->rescan_source != 0)
        g_source_destroy(g_main_context_find_source_by_id(r->ctx, r->rescan_source));
    r->rescan_source = 0;
    fingerprint_cancel(r);
    gboolean expired = FALSE;
    GSource *src = g_timeout_source_new(CLOSE_WAIT_MS);
    g_source_set_callback(src, on_close_timeout, &expired, NULL);
    g_source_attach(src, r->ctx);
    while (r->pending > 0 && !expired)
        g_main_context_iteration(r->ctx, TRUE);
    if (r->dev != NULL && fp_device_is_open(r->dev) && !expired) {
        r->pending++;
        fp_device_close(r->dev, NULL, on_closed, r);
        while (r->pending > 0 && !expired)
            g_main_context_iteration(r->ctx, TRUE);
    }
    g_source_destroy(src);
    g_source_unref(src);
    if (r->pending > 0) {
        /* libfprint never answered: leak the reader rather than free it under a callback */
        g_warning("fingerprint reader did not close in time");
        return;
    }
    forget_device(r);
    g_clear_object(&r->cancel);
    fingerprint_event ev;
    while (pop(r, &ev))
        fingerprint_event_clear(&ev);
    g_main_context_unref(r->ctx);
    g_free(r->driver);
    g_free(r);
}
