/* libfprint's minutiae for the kiosk's captures (finger-priv.h).
 *
 * Only for a capture whose own minutiae cannot be used (its image was resampled to 500 ppi, or
 * it came without them: drivers/fingerprint/fingerprint.h, fingerprint_lfp; a 500 ppi reader's
 * come with the event, directed by the driver's worker), the service's thread hands the 500 ppi
 * image to libfprint (fp_image_detect_minutiae: NIST's mindtct inside libfprint, run on GLib's
 * task threads) and waits for it on a main context of its own, so that the reader's context (the
 * global default one, which this thread runs) is not run from inside one of its own callbacks. The
 * positions and NBIS's binarised image that come back are turned into directed minutiae by
 * imaging/fingerlfp.h, kept beside ours (the uniqueness check compares both: finger_prints.c); the
 * quality stays ours. A detection that fails or takes longer than the timeout leaves ours alone; a
 * late one finishes on the private context, drained before the next detection and when the service
 * ends.
 */
#include "capture/finger-priv.h"

#include <libfprint-2/fprint.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/fingerlfp.h"

/* One detection; shared by the waiting thread and libfprint's callback (whichever is last frees:
 * the callback, when the wait gave up). */
typedef struct lfp_job {
    FpImage *image;
    int state;      /* 0 running, 1 done, -1 failed */
    bool abandoned; /* the wait timed out: the callback cleans up */
    char why[160];  /* failed: libfprint's message */
    int *pending;   /* the service's count of detections still running */
} lfp_job;

/* The pixels libfprint holds (the image, and NBIS's binarised copy) are the person's: wiped
 * before the image goes. libfprint's own working copies inside the detection are freed by it
 * unwiped. */
static void image_wipe_unref(FpImage *image)
{
    gsize len = 0;
    guchar *data = (guchar *)fp_image_get_data(image, &len);
    if (data)
        memset(data, 0, len);
    len = 0;
    guchar *bin = (guchar *)fp_image_get_binarized(image, &len);
    if (bin)
        memset(bin, 0, len);
    g_object_unref(image);
}

static void job_done(GObject *source, GAsyncResult *res, gpointer data)
{
    lfp_job *job = data;
    GError *error = NULL;
    job->state = fp_image_detect_minutiae_finish(FP_IMAGE(source), res, &error) ? 1 : -1;
    if (error) {
        g_strlcpy(job->why, error->message, sizeof job->why);
        g_error_free(error);
    }
    (*job->pending)--;
    if (job->abandoned) {
        image_wipe_unref(job->image);
        g_free(job);
    }
}

static gboolean wake_up(gpointer data)
{
    (void)data;
    return G_SOURCE_REMOVE;
}

/* Runs the private context until the job ends or the deadline (monotonic, us) passes. */
static void wait_job(finger_service *fs, lfp_job *job, gint64 deadline)
{
    while (job->state == 0) {
        gint64 left = deadline - g_get_monotonic_time();
        if (left <= 0)
            return;
        GSource *t = g_timeout_source_new((guint)((left + 999) / 1000));
        g_source_set_callback(t, wake_up, NULL, NULL);
        g_source_attach(t, fs->lfp_ctx);
        g_main_context_iteration(fs->lfp_ctx, TRUE);
        g_source_destroy(t);
        g_source_unref(t);
    }
}

static bool apply(const lfp_job *job, const fingerimg *img, const fingerfeat *ours,
                  fingerfeat **lfp, char *why, size_t why_size)
{
    GPtrArray *m = fp_image_get_minutiae(job->image);
    const guchar *bin = fp_image_get_binarized(job->image, NULL);
    if (m == NULL || bin == NULL) {
        g_strlcpy(why, "libfprint gave no minutiae", why_size);
        return false;
    }
    int n = (int)m->len;
    int *xy = g_new(int, 2 * (size_t)n + 2);
    for (int i = 0; i < n; i++)
        fp_minutia_get_coords(g_ptr_array_index(m, i), &xy[2 * i], &xy[2 * i + 1]);
    bk_err err = fingerlfp_features(ours, bin, img->width, img->height, xy, n, lfp);
    memset(xy, 0, sizeof(int) * (2 * (size_t)n + 2));
    g_free(xy);
    if (err != BK_OK)
        g_snprintf(why, why_size, "directions not measured (%s)", bk_err_str(err));
    return err == BK_OK;
}

bool finger_lfp_detect(finger_service *fs, const fingerimg *img, const fingerfeat *ours,
                       fingerfeat **lfp, char *why, size_t why_size)
{
    *lfp = NULL;
    /* a detection that gave up earlier and has ended since: its callback frees it */
    while (fs->lfp_pending > 0 && g_main_context_iteration(fs->lfp_ctx, FALSE))
        ;
    if (img->width > G_MAXUINT16 || img->height > G_MAXUINT16) {
        g_strlcpy(why, "image too large for libfprint", why_size);
        return false;
    }
    lfp_job *job = g_new0(lfp_job, 1);
    job->pending = &fs->lfp_pending;
    job->image = fp_image_new(img->width, img->height);
    gsize len = 0;
    guchar *data = (guchar *)fp_image_get_data(job->image, &len);
    memcpy(data, img->pix, MIN(len, (gsize)img->width * (gsize)img->height));
    fs->lfp_pending++;
    g_main_context_push_thread_default(fs->lfp_ctx); /* where the task's callback is run */
    fp_image_detect_minutiae(job->image, NULL, job_done, job);
    g_main_context_pop_thread_default(fs->lfp_ctx);
    wait_job(fs, job, g_get_monotonic_time() + (gint64)fs->lfp_timeout_ms * 1000);
    bool ok = false;
    if (job->state == 0) {
        g_snprintf(why, why_size, "no answer within %u ms", fs->lfp_timeout_ms);
        job->abandoned = true; /* job_done frees it */
        return false;
    }
    if (job->state < 0)
        g_strlcpy(why, job->why[0] ? job->why : "failed", why_size);
    else
        ok = apply(job, img, ours, lfp, why, why_size);
    image_wipe_unref(job->image);
    g_free(job);
    return ok;
}

void finger_lfp_drain(finger_service *fs)
{
    /* detections that gave up: libfprint cannot stop NBIS, so they are waited for (each takes
     * well under a second) before the context goes */
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (fs->lfp_pending > 0 && g_get_monotonic_time() < deadline) {
        GSource *t = g_timeout_source_new(50);
        g_source_set_callback(t, wake_up, NULL, NULL);
        g_source_attach(t, fs->lfp_ctx);
        g_main_context_iteration(fs->lfp_ctx, TRUE);
        g_source_destroy(t);
        g_source_unref(t);
    }
    if (fs->lfp_pending > 0)
        g_warning("libfprint's minutiae detection still running as the service ends");
}
