/* The fingerprint service (app/capture/finger.h) with libfprint's virtual image device fed by the
 * finger feeder: a capture's minutiae are libfprint's (fp_image_detect_minutiae on the same
 * image), with directions (imaging/fingerlfp.h): from a 500 ppi reader those libfprint found as it
 * captured (no second detection), from a reader of another resolution the service's detection on
 * the resampled image; the same finger given twice is still caught and different fingers are not;
 * a detection that fails or times out falls back to the kiosk's own.
 *
 * Usage: test-finger-service [--tap]   synthetic prints (fingersynth), no ../shared needed
 *        test-finger-service nist       the NIST print: directions against NIST's mindtct and a
 *                                       turned, moved, noisy copy caught as the same finger; exits
 *                                       77 (skipped, said so) without ../shared's print or mindtct
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <libfprint-2/fprint.h>
#include <math.h>
#include <string.h>

#include "capture/finger.h"
#include "core/biomem.h"
#include "emulators/finger/fingerfeed.h"
#include "emulators/finger/fingersynth.h"
#include "fingerkinds.h"
#include "fingernist.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerlfp.h"

#define WAIT_US (30 * G_USEC_PER_SEC)
#define SKIP    77

static char *tmp_dir;
static char *sock_path;

typedef struct rig {
    finger_service *fs;
    fingerfeed *feed; /* the service's thread only */
    GMutex lock;
    GCond cond;
    unsigned wakes;
} rig;

static void on_wake(void *data)
{
    rig *g = data;
    g_mutex_lock(&g->lock);
    g->wakes++;
    g_cond_broadcast(&g->cond);
    g_mutex_unlock(&g->lock);
}

/* On the service's thread: the reader waits, the next queued image goes. */
static void on_tap(void *data, finger_event_kind kind, int finger)
{
    rig *g = data;
    (void)finger;
    if (kind == FINGER_EVENT_NEEDED && g->feed && fingerfeed_pending(g->feed) > 0 &&
        finger_service_asking(g->fs))
        fingerfeed_finger_needed(g->feed);
}

typedef struct queued {
    rig *g;
    fingerimg *img;
} queued;

static void queue_on_thread(void *data)
{
    queued *q = data;
    if (q->g->feed == NULL)
        q->g->feed = fingerfeed_new(sock_path);
    g_assert_cmpint(fingerfeed_queue_image(q->g->feed, q->img), ==, BK_OK);
    if (finger_service_asking(q->g->fs))
        fingerfeed_finger_needed(q->g->feed);
}

static void queued_free(void *data)
{
    queued *q = data;
    fingerimg_free(q->img);
    g_free(q);
}

static void feed_free_on_thread(void *data)
{
    rig *g = data;
    fingerfeed_free(g->feed);
    g->feed = NULL;
}

/* ours_threshold: the threshold on our own minutiae (0: the default; 100: in effect only
 * libfprint's can match). */
static void rig_open_ppi(rig *g, unsigned lfp_timeout_ms, int ours_threshold, int assume_ppi)
{
    memset(g, 0, sizeof *g);
    g_mutex_init(&g->lock);
    g_cond_init(&g->cond);
    finger_service_settings set = {
        .virtual_socket = sock_path,
        .lfp_timeout_ms = lfp_timeout_ms,
        .match_threshold = ours_threshold,
        .assume_ppi = assume_ppi,
        .wake = on_wake,
        .wake_data = g,
    };
    char *message = NULL;
    g_assert_cmpint(finger_service_new(&set, &g->fs, &message), ==, BK_OK);
    finger_service_set_tap(g->fs, on_tap, g);
    finger_service_begin(g->fs);
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    finger_snapshot snap = {0};
    while (finger_service_snapshot(g->fs, &snap), !snap.ready) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10000);
    }
}

static void rig_open(rig *g, unsigned lfp_timeout_ms, int ours_threshold)
{
    rig_open_ppi(g, lfp_timeout_ms, ours_threshold, 0);
}

static void rig_close(rig *g)
{
    finger_service_invoke(g->fs, feed_free_on_thread, g, NULL);
    finger_service_end(g->fs);
    finger_service_free(g->fs);
    g_mutex_clear(&g->lock);
    g_cond_clear(&g->cond);
}

/* Presents img (transfer none) for `finger` and waits for the IMAGE (transfer full into *ev). */
static void capture(rig *g, int finger, const fingerimg *img, finger_event *ev)
{
    queued *q = g_new0(queued, 1);
    q->g = g;
    g_assert_cmpint(fingerimg_new_from(img->width, img->height, img->pix, &q->img), ==, BK_OK);
    finger_service_invoke(g->fs, queue_on_thread, q, queued_free);
    finger_service_capture(g->fs, finger);
    gint64 deadline = g_get_monotonic_time() + WAIT_US;
    for (;;) {
        g_mutex_lock(&g->lock);
        unsigned seen = g->wakes;
        g_mutex_unlock(&g->lock);
        while (finger_service_next_event(g->fs, ev)) {
            if (ev->kind == FINGER_EVENT_IMAGE)
                return;
            if (ev->kind == FINGER_EVENT_ERROR)
                g_error("reader error: %s", ev->text);
            finger_event_clear(ev);
        }
        g_mutex_lock(&g->lock);
        while (g->wakes == seen)
            if (!g_cond_wait_until(&g->cond, &g->lock, deadline))
                g_error("no image within 30 s");
        g_mutex_unlock(&g->lock);
    }
}

static void lfp_done(GObject *o, GAsyncResult *r, gpointer data)
{
    *(int *)data = fp_image_detect_minutiae_finish(FP_IMAGE(o), r, NULL) ? 1 : -1;
}

/* libfprint's own minutiae of img, run here (transfer full: g_free), their count in *n; with
 * directions and kinds measured on the binarised image of this detection (imaging/fingerlfp.h)
 * in *dir (transfer full: biomem_free) when dir is not NULL. */
static int *libfprint_detect(const fingerimg *img, int *n, fingerfeat_minutia **dir)
{
    GMainContext *ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    FpImage *fi = fp_image_new(img->width, img->height);
    gsize len = 0;
    memcpy((guchar *)fp_image_get_data(fi, &len), img->pix, (size_t)img->width * img->height);
    int fin = 0;
    fp_image_detect_minutiae(fi, NULL, lfp_done, &fin);
    while (fin == 0)
        g_main_context_iteration(ctx, TRUE);
    g_main_context_pop_thread_default(ctx);
    g_main_context_unref(ctx);
    g_assert_cmpint(fin, ==, 1);
    GPtrArray *m = fp_image_get_minutiae(fi);
    *n = (int)m->len;
    int *xy = g_new(int, 2 * (size_t)*n + 2);
    for (int i = 0; i < *n; i++)
        fp_minutia_get_coords(g_ptr_array_index(m, i), &xy[2 * i], &xy[2 * i + 1]);
    if (dir != NULL)
        g_assert_cmpint(fingerlfp_minutiae(fp_image_get_binarized(fi, NULL), img->width,
                                           img->height, xy, *n, dir),
                        ==, BK_OK);
    g_object_unref(fi);
    return xy;
}

static fingerimg *synth(uint32_t seed, fingersynth_pattern pattern)
{
    fingerimg *img = NULL;
    g_assert_cmpint(fingersynth_make(seed, pattern, 300, 360, &img), ==, BK_OK);
    return img;
}

/* The service's minutiae of ev's print are libfprint's on ev's image (the 500 ppi image), as a
 * detection of its own here gives them: same count, same places, the same directions and kinds;
 * and they came from where `source` says. */
static void assert_libfprint_minutiae_from(rig *g, const finger_event *ev, finger_lfp_source source)
{
    g_assert_true(ev->analysed);
    g_assert_false(ev->own_minutiae);
    g_assert_cmpint(ev->lfp_source, ==, source);
    int n = 0, nm = 0;
    fingerfeat_minutia *d = NULL;
    g_autofree int *xy = libfprint_detect(ev->image, &n, &d);
    fingerfeat_minutia *m = NULL;
    g_assert_cmpint(finger_service_print_minutiae(g->fs, ev->print, true, &m, &nm), ==, BK_OK);
    g_assert_cmpint(n, >, 15);
    g_assert_cmpint(ev->lfp_minutiae, ==, n);
    g_assert_cmpint(nm, ==, n);
    for (int i = 0; i < n; i++) {
        g_assert_cmpfloat(m[i].x, ==, (float)xy[2 * i]);
        g_assert_cmpfloat(m[i].y, ==, (float)xy[2 * i + 1]);
        g_assert_true(m[i].angle >= 0 && m[i].angle < 2 * (float)G_PI);
        g_assert_cmpfloat(m[i].angle, ==, d[i].angle);
        g_assert_cmpint(m[i].kind, ==, d[i].kind);
    }
    biomem_free(m);
    biomem_free(d);
}

/* ... from a 500 ppi reader: those libfprint found as it captured. */
static void assert_libfprint_minutiae(rig *g, const finger_event *ev)
{
    assert_libfprint_minutiae_from(g, ev, FINGER_LFP_CAPTURE);
}

static void test_libfprint_minutiae(void)
{
    rig g;
    rig_open(&g, 0, 0);
    fingerimg *a = synth(11, FINGERSYNTH_WHORL);
    finger_event ev;
    capture(&g, 2, a, &ev);
    assert_libfprint_minutiae(&g, &ev);
    finger_event_clear(&ev);
    fingerimg_free(a);
    rig_close(&g);
}

/* A reader of 508 ppi (said so: assume_ppi): its image is resampled to 500 ppi, where the
 * capture's minutiae do not belong; the service detects them on the 500 ppi image, and says so. */
static void test_resampled_detected(void)
{
    rig g;
    rig_open_ppi(&g, 0, 0, 508);
    fingerimg *a = synth(12, FINGERSYNTH_LEFT_LOOP);
    finger_event ev;
    capture(&g, 2, a, &ev);
    g_assert_cmpint(ev.image->width, <, a->width);
    assert_libfprint_minutiae_from(&g, &ev, FINGER_LFP_SERVICE);
    finger_event_clear(&ev);
    fingerimg_free(a);
    rig_close(&g);
}

/* The same finger twice (a second impression: moved, turned, noisy) is caught by libfprint's
 * minutiae (ours are held to a threshold of 100, which a second impression never reaches: they
 * score it 90); another finger is not. */
static void test_same_finger_caught(void)
{
    rig g;
    rig_open(&g, 0, 100);
    fingerimg *a = synth(21, FINGERSYNTH_RIGHT_LOOP), *b = synth(22, FINGERSYNTH_RIGHT_LOOP);
    fingerimg *again = NULL;
    g_assert_cmpint(fingersynth_recapture(a, 5, 9, -7, 6.0, &again), ==, BK_OK);
    finger_event ev;
    capture(&g, 2, a, &ev);
    assert_libfprint_minutiae(&g, &ev);
    finger_service_keep(g.fs, 2, ev.print);
    finger_event_clear(&ev);
    capture(&g, 3, again, &ev);
    assert_libfprint_minutiae(&g, &ev);
    g_test_message("same finger: score %d", ev.check.score);
    g_assert_cmpint(ev.check.result, ==, FINGERPLAN_SAME_FINGER);
    g_assert_cmpint(ev.check.other, ==, 2);
    finger_event_clear(&ev);
    capture(&g, 3, b, &ev);
    assert_libfprint_minutiae(&g, &ev);
    g_test_message("another finger: score %d", ev.check.score);
    g_assert_cmpint(ev.check.result, ==, FINGERPLAN_UNIQUE);
    finger_event_clear(&ev);
    fingerimg_free(a);
    fingerimg_free(b);
    fingerimg_free(again);
    rig_close(&g);
}

/* The service's minutiae of ev's print are the kiosk's own on ev's image. */
static void assert_own_minutiae(rig *g, const finger_event *ev)
{
    g_assert_true(ev->analysed);
    g_assert_true(ev->own_minutiae);
    g_assert_cmpint(ev->lfp_source, ==, FINGER_LFP_OWN);
    fingerfeat *ours = NULL;
    g_assert_cmpint(fingerfeat_analyse(ev->image->pix, ev->image->width, ev->image->height, &ours),
                    ==, BK_OK);
    fingerfeat_minutia *m = NULL;
    int nm = 0;
    g_assert_cmpint(ev->lfp_minutiae, ==, 0);
    g_assert_cmpint(finger_service_print_minutiae(g->fs, ev->print, true, &m, &nm), ==,
                    BK_ERR_NOT_FOUND);
    g_assert_cmpint(finger_service_print_minutiae(g->fs, ev->print, false, &m, &nm), ==, BK_OK);
    g_assert_cmpint(ev->minutiae, ==, ours->n_minutiae);
    g_assert_cmpint(nm, ==, ours->n_minutiae);
    if (nm > 0)
        g_assert_cmpmem(m, sizeof *m * (size_t)nm, ours->minutiae, sizeof *m * (size_t)nm);
    biomem_free(m);
    fingerfeat_free(ours);
}

/* libfprint's detection fails on the 500 ppi image (a reader said to be of 2500 ppi: its 128 x 160
 * image shrinks to 26 x 32, where NBIS finds nothing, while libfprint's own detection on the
 * reader's image succeeded, or the capture would have been a retry): ours are used, and said. */
static void test_fallback_failed(void)
{
    rig g;
    rig_open_ppi(&g, 0, 0, 2500);
    fingerimg *a = NULL;
    g_assert_cmpint(fingersynth_make(41, FINGERSYNTH_WHORL, 128, 160, &a), ==, BK_OK);
    finger_event ev;
    capture(&g, 2, a, &ev);
    g_test_message("%dx%d at 500 ppi", ev.image->width, ev.image->height);
    assert_own_minutiae(&g, &ev);
    finger_event_clear(&ev);
    fingerimg_free(a);
    rig_close(&g);
}

/* A detection that does not answer in time (1 ms for a 300 x 360 print) leaves ours; its late
 * answer does not disturb the next capture (which times out too and leaves ours again) nor the
 * service's end (the leak count at exit). The service detects only when the capture's minutiae
 * cannot be used: the reader is one of 508 ppi (its images are resampled). */
static void test_fallback_timeout(void)
{
    rig g;
    rig_open_ppi(&g, 1, 0, 508);
    fingerimg *a = synth(31, FINGERSYNTH_LEFT_LOOP);
    finger_event ev;
    capture(&g, 2, a, &ev);
    assert_own_minutiae(&g, &ev);
    finger_event_clear(&ev);
    capture(&g, 3, a, &ev);
    g_assert_true(ev.own_minutiae);
    finger_event_clear(&ev);
    fingerimg_free(a);
    rig_close(&g);
}

/* ---- the NIST print ---- */

static fingerimg *load_shared(const char *data, const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(data, dir, name, NULL);
    fingerimg *img = NULL;
    if (fingerimg_load(path, &img, NULL) != BK_OK)
        return NULL;
    return fingerkinds_at_500ppi(img, fingerkinds_png_ppi(path));
}

/* Of the service's minutiae of ev's print that lie within 2 px of one of mindtct's, the share
 * whose direction is within 30 degrees of mindtct's (converted: y = height - y, -theta). */
static double directions_near_mindtct(rig *g, const finger_event *ev, const nist_xyt *xyt,
                                      int *matched)
{
    fingerfeat_minutia *m = NULL;
    int nm = 0, good = 0;
    g_assert_cmpint(finger_service_print_minutiae(g->fs, ev->print, true, &m, &nm), ==, BK_OK);
    *matched = 0;
    for (int i = 0; i < nm; i++) {
        int best = -1;
        float bd = 4.01f;
        for (int j = 0; j < xyt->n; j++) {
            float dx = m[i].x - (float)xyt->x[j],
                  dy = m[i].y - (float)(ev->image->height - xyt->y[j]);
            if (dx * dx + dy * dy < bd) {
                bd = dx * dx + dy * dy;
                best = j;
            }
        }
        if (best < 0)
            continue;
        double d = fmod(fabs(m[i].angle * 180 / G_PI + xyt->t[best]), 360.0);
        good += (d > 180 ? 360 - d : d) <= 30;
        (*matched)++;
    }
    biomem_free(m);
    return *matched ? (double)good / *matched : 0;
}

/* The card's real second impression: finger 7's plain print kept, its rolled print given as
 * another finger is caught (our own minutiae alone score it 33, under their threshold 35; on
 * libfprint's it scores 46: bench-finger), finger 8's rolled print is not. */
static bool card_pairs(rig *g, const fingerimg *plain7, const fingerimg *rolled7,
                       const fingerimg *rolled8)
{
    finger_service_end(g->fs);
    finger_service_begin(g->fs);
    finger_event ev;
    capture(g, 7, plain7, &ev);
    finger_service_keep(g->fs, 7, ev.print);
    finger_event_clear(&ev);
    capture(g, 8, rolled7, &ev);
    bool ok1 = !ev.own_minutiae && ev.check.result == FINGERPLAN_SAME_FINGER && ev.check.other == 7;
    printf("%s the card's finger 7, plain kept, rolled given as finger 8: %s (score %d)\n",
           ok1 ? "ok  " : "FAIL",
           ev.check.result == FINGERPLAN_SAME_FINGER ? "same finger" : "not caught",
           ev.check.score);
    finger_event_clear(&ev);
    capture(g, 8, rolled8, &ev);
    bool ok2 = !ev.own_minutiae && ev.check.result == FINGERPLAN_UNIQUE;
    printf("%s the card's finger 8, rolled, as finger 8: %s (score %d)\n", ok2 ? "ok  " : "FAIL",
           ev.check.result == FINGERPLAN_UNIQUE ? "unique" : "matched", ev.check.score);
    finger_event_clear(&ev);
    return ok1 && ok2;
}

static int run_nist(void)
{
    const char *data = g_getenv("BIOKIOSK_FINGER_DATA"), *tools = g_getenv("BIOKIOSK_NIST_TOOLS");
    fingerimg *print = data ? load_shared(data, "captures", "nist-500ppi.png") : NULL;
    fingerimg *other = data ? load_shared(data, "captures", "egis0570.png") : NULL;
    fingerimg *blurry = data ? load_shared(data, "captures", "elanspi.png") : NULL;
    fingerimg *plain7 =
        data ? load_shared(data, "nist/tpcard", "tpcard_fgp07_plain_seg.png") : NULL;
    fingerimg *rolled7 = data ? load_shared(data, "nist/tpcard", "tpcard_fgp07_rolled.png") : NULL;
    fingerimg *rolled8 = data ? load_shared(data, "nist/tpcard", "tpcard_fgp08_rolled.png") : NULL;
    nist_tools t;
    if (!nist_open(&t, tools))
        return 1;
    bool images = print && other && blurry && plain7 && rolled7 && rolled8;
    if (!images || t.mindtct[0] == '\0') {
        printf("SKIPPED: %s absent: libfprint's minutiae not checked against NIST's mindtct nor on "
               "the tenprint card\n",
               !images ? "../shared/data/fingerprints (captures/, nist/tpcard/)"
                       : "../shared/tools/nbis (mindtct)");
        fingerimg_free(print);
        fingerimg_free(other);
        fingerimg_free(blurry);
        fingerimg_free(plain7);
        fingerimg_free(rolled7);
        fingerimg_free(rolled8);
        nist_close(&t);
        return SKIP;
    }
    int fails = 0;
    rig g;
    rig_open(&g, 0, 0);
    finger_event ev;
    capture(&g, 2, print, &ev);
    assert_libfprint_minutiae(&g, &ev);
    nist_xyt xyt;
    double ms = 0;
    const char *path = nist_write(&t, ev.image, "nist-500ppi");
    int mt = path ? nist_mindtct(&t, path, "nist-500ppi", &xyt, &ms) : NIST_ERROR;
    int matched = 0;
    double share = mt > 0 ? directions_near_mindtct(&g, &ev, &xyt, &matched) : 0;
    int ok = matched >= ev.lfp_minutiae * 9 / 10 && share >= 0.85;
    fails += !ok;
    printf("%s directions: %d of %d minutiae at one of mindtct's %d places, %.1f %% within 30 "
           "degrees of mindtct's (at least 90 %% and 85 %% wanted)\n",
           ok ? "ok  " : "FAIL", matched, ev.lfp_minutiae, mt, 100 * share);
    finger_service_keep(g.fs, 2, ev.print);
    finger_event_clear(&ev);
    fingerimg *copy = fingerkinds_transform(print, 7, -6, -14, 0);
    fingerkinds_add_noise(copy, 12, 7);
    capture(&g, 3, copy, &ev);
    ok = !ev.own_minutiae && ev.check.result == FINGERPLAN_SAME_FINGER && ev.check.other == 2;
    fails += !ok;
    printf("%s the NIST print turned 7 degrees, moved and noisy as another finger: %s (score %d)\n",
           ok ? "ok  " : "FAIL",
           ev.check.result == FINGERPLAN_SAME_FINGER ? "same finger" : "not caught",
           ev.check.score);
    finger_event_clear(&ev);
    capture(&g, 3, other, &ev);
    ok = !ev.own_minutiae && ev.check.result == FINGERPLAN_UNIQUE;
    fails += !ok;
    printf("%s another capture (egis0570) as another finger: %s (score %d)\n", ok ? "ok  " : "FAIL",
           ev.check.result == FINGERPLAN_UNIQUE ? "unique" : "matched", ev.check.score);
    finger_event_clear(&ev);
    /* a blurred capture: ours find enough and call it unique, libfprint's too few to compare;
     * it is unique (before: "could not be verified", libfprint's result taken over ours) */
    fingerimg *blurred = fingerkinds_degrade(blurry, FINGERKINDS_BLUR, 1);
    capture(&g, 4, blurred, &ev);
    ok = !ev.own_minutiae && ev.minutiae >= 15 && ev.lfp_minutiae < 15 &&
         ev.check.result == FINGERPLAN_UNIQUE;
    fails += !ok;
    printf("%s elanspi blurred (ours %d minutiae, libfprint's %d) as another finger: result %d "
           "(%d wanted: unique; ours >= 15 and libfprint's < 15 for the case)\n",
           ok ? "ok  " : "FAIL", ev.minutiae, ev.lfp_minutiae, ev.check.result, FINGERPLAN_UNIQUE);
    finger_event_clear(&ev);
    fingerimg_free(blurred);
    fails += !card_pairs(&g, plain7, rolled7, rolled8);
    rig_close(&g);
    fingerimg_free(plain7);
    fingerimg_free(rolled7);
    fingerimg_free(rolled8);
    fingerimg_free(copy);
    fingerimg_free(print);
    fingerimg_free(other);
    fingerimg_free(blurry);
    nist_close(&t);
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    int nist = argc > 1 && strcmp(argv[1], "nist") == 0;
    if (!nist)
        g_test_init(&argc, &argv, NULL);
    /* libfprint reads this when the service's context is made */
    tmp_dir = g_dir_make_tmp("biokiosk-fservice-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);
    sock_path = g_build_filename(tmp_dir, "virtual-image.socket", NULL);
    g_setenv("FP_VIRTUAL_IMAGE", sock_path, TRUE);
    int status;
    if (nist) {
        status = run_nist();
    } else {
        g_test_add_func("/finger-service/libfprint-minutiae", test_libfprint_minutiae);
        g_test_add_func("/finger-service/resampled-detected", test_resampled_detected);
        g_test_add_func("/finger-service/same-finger-caught", test_same_finger_caught);
        g_test_add_func("/finger-service/fallback-failed", test_fallback_failed);
        g_test_add_func("/finger-service/fallback-timeout", test_fallback_timeout);
        status = g_test_run();
    }
    g_unlink(sock_path);
    g_rmdir(tmp_dir);
    g_free(sock_path);
    g_free(tmp_dir);
    g_assert_cmpuint(biomem_live_count(), ==, 0);
    return status;
}
