/* The fingerprint driver through libfprint's virtual image device, fed by the finger feeder, and
 * the capture plan on top of it: what the kiosk's screen does, without the screen. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "core/biomem.h"
#include "imaging/fingerfeat.h"
#include "emulators/finger/fingerfeed.h"
#include "imaging/fingermatch.h"
#include "core/fingerplan.h"
#include "drivers/fingerprint/fingerprint.h"
#include "emulators/finger/fingersynth.h"

#define WAIT_MS 15000
#define W       256
#define H       320

static char *tmp_dir;
static char *sock_path;

typedef struct rig {
    fingerprint_reader *r;
    fingerfeed *feed;
    GString *trace; /* every event, in order */
} rig;

/* Waits for an event of `kind`, answering "finger needed" from the feeder as the kiosk's glue
 * does. Other events go to the trace. */
static gboolean wait_kind(rig *g, fingerprint_event_kind kind, fingerprint_event *ev)
{
    for (;;) {
        if (!fingerprint_wait(g->r, ev, WAIT_MS)) {
            g_test_message("timed out waiting for %s; events: %s", fingerprint_event_str(kind),
                           g->trace->str);
            return FALSE;
        }
        g_string_append_printf(g->trace, "%s ", fingerprint_event_str(ev->kind));
        if (ev->kind == FINGERPRINT_EVENT_FINGER_NEEDED && g->feed != NULL)
            fingerfeed_finger_needed(g->feed);
        if (ev->kind == kind)
            return TRUE;
        if (ev->kind == FINGERPRINT_EVENT_ERROR)
            g_test_message("device error: %s", ev->text);
        fingerprint_event_clear(ev);
    }
}

static void rig_open(rig *g)
{
    memset(g, 0, sizeof *g);
    g->trace = g_string_new(NULL);
    fingerprint_options o = {.driver = "virtual_image", .rescan_ms = 100};
    g_assert_cmpint(fingerprint_open(&o, &g->r), ==, BK_OK);
    fingerprint_event ev;
    g_assert_true(wait_kind(g, FINGERPRINT_EVENT_READY, &ev));
    g_assert_nonnull(ev.text);
    fingerprint_event_clear(&ev);
    g_assert_true(fingerprint_is_ready(g->r));
    g->feed = fingerfeed_new(sock_path);
}

static void rig_close(rig *g)
{
    fingerprint_close(g->r);
    fingerfeed_free(g->feed);
    g_string_free(g->trace, TRUE);
}

/* One capture through the driver; the image (transfer full) or NULL, and when `features` is
 * not NULL the driver's analysis of it (transfer full). */
static fingerimg *capture_with(rig *g, fingerfeat **features)
{
    g_assert_cmpint(fingerprint_capture(g->r), ==, BK_OK);
    fingerprint_event ev;
    if (!wait_kind(g, FINGERPRINT_EVENT_IMAGE, &ev))
        return NULL;
    g_assert_nonnull(ev.features);
    fingerimg *img = ev.image;
    ev.image = NULL;
    if (features != NULL) {
        *features = ev.features;
        ev.features = NULL;
    }
    fingerprint_event_clear(&ev);
    return img;
}

static fingerimg *capture(rig *g)
{
    return capture_with(g, NULL);
}

static fingerimg *synth(uint32_t seed, fingersynth_pattern pattern)
{
    fingerimg *img = NULL;
    g_assert_cmpint(fingersynth_make(seed, pattern, W, H, &img), ==, BK_OK);
    return img;
}

static fingerimg *recapture(const fingerimg *img, uint32_t seed)
{
    fingerimg *out = NULL;
    g_assert_cmpint(fingersynth_recapture(img, seed, 9, -7, 6.0, &out), ==, BK_OK);
    return out;
}

/* The kiosk's loop for one person: capture the current finger, score it, check it against the
 * prints kept so far and on file, and tell the plan. The images were queued on the feeder in the
 * order the person presents them. Returns "finger:outcome" words. */
typedef struct person {
    fingerplan *plan;
    const fingerfeat *on_file[FINGERPLAN_FINGERS];
    fingerfeat *kept[FINGERPLAN_FINGERS];
    fingerfeat *by_id[64];
    int quality_by_id[64];
} person;

static void person_clear(person *p)
{
    for (int i = 0; i < 64; i++)
        fingerfeat_free(p->by_id[i]);
    fingerplan_free(p->plan);
}

static void refresh_kept(person *p)
{
    for (int f = 1; f <= 10; f++) {
        int id = fingerplan_kept(p->plan, f);
        p->kept[f] = id > 0 ? p->by_id[id] : NULL;
    }
}

static char *run(rig *g, person *p, int max_attempts)
{
    GString *out = g_string_new(NULL);
    for (int n = 0; n < max_attempts && fingerplan_current(p->plan) != FINGERPLAN_NONE; n++) {
        int finger = fingerplan_current(p->plan);
        if (fingerfeed_pending(g->feed) == 0)
            break; /* the person has nothing more to present: the outcome says where it stopped */
        fingerfeat *feat = NULL;
        fingerimg *img = capture_with(g, &feat);
        g_assert_nonnull(img);
        fingerimg_free(img);
        refresh_kept(p);
        fingerplan_check check;
        g_assert_cmpint(fingermatch_check(feat, finger, (const fingerfeat *const *)p->kept,
                                          p->on_file, FINGERMATCH_DEFAULT_THRESHOLD, &check),
                        ==, BK_OK);
        fingerplan_outcome outcome;
        int id = 0;
        g_assert_cmpint(fingerplan_attempt(p->plan, feat->quality, &check, &outcome, &id), ==,
                        BK_OK);
        g_assert_cmpint(id, <, 64);
        p->by_id[id] = feat;
        p->quality_by_id[id] = feat->quality;
        g_string_append_printf(out, "%s%s:%s", out->len ? " " : "", fingerplan_finger_str(finger),
                               fingerplan_outcome_str(outcome));
        g_test_message("%s quality %d, check %d score %d", fingerplan_finger_str(finger),
                       feat->quality, check.result, check.score);
        if (check.result == FINGERPLAN_HANDS_SWAPPED)
            g_string_append(out, "(swapped)");
    }
    return g_string_free(out, FALSE);
}

static void person_new(person *p)
{
    memset(p, 0, sizeof *p);
    g_assert_cmpint(fingerplan_new(NULL, &p->plan), ==, BK_OK);
}

static void test_two_fingers(void)
{
    rig g;
    rig_open(&g);
    fingerimg *right = synth(101, FINGERSYNTH_RIGHT_LOOP), *left = synth(102, FINGERSYNTH_WHORL);
    g_assert_cmpint(fingerfeed_queue_image(g.feed, right), ==, BK_OK);

    /* the image arrives through libfprint unchanged */
    fingerimg *got = capture(&g);
    g_assert_nonnull(got);
    g_assert_cmpint(got->width, ==, W);
    g_assert_cmpint(got->height, ==, H);
    g_assert_cmpmem(got->pix, W * H, right->pix, W * H);
    fingerimg_free(got);
    g_assert_nonnull(strstr(g.trace->str, "finger-needed finger-present"));
    g_assert_nonnull(strstr(g.trace->str, "finger-removed"));

    person p;
    person_new(&p);
    g_assert_cmpint(fingerfeed_queue_image(g.feed, right), ==, BK_OK);
    g_assert_cmpint(fingerfeed_queue_image(g.feed, left), ==, BK_OK);
    char *outcome = run(&g, &p, 2);
    g_assert_cmpstr(outcome, ==, "right-index:kept left-index:kept");
    g_assert_cmpint(fingerplan_hand_finger(p.plan, 0), ==, FINGERPLAN_RIGHT_INDEX);
    g_assert_cmpint(fingerplan_hand_finger(p.plan, 1), ==, FINGERPLAN_LEFT_INDEX);
    g_assert_cmpuint(fingerplan_log_count(p.plan), ==, 2);
    g_free(outcome);
    person_clear(&p);
    fingerimg_free(right);
    fingerimg_free(left);
    rig_close(&g);
}

static void test_missing_index(void)
{
    rig g;
    rig_open(&g);
    person p;
    person_new(&p);
    g_assert_cmpint(
        fingerplan_mark_missing(p.plan, FINGERPLAN_RIGHT_INDEX, FINGERPLAN_REASON_BANDAGED, false),
        ==, BK_OK);
    fingerimg *left = synth(201, FINGERSYNTH_LEFT_LOOP), *thumb = synth(202, FINGERSYNTH_WHORL);
    fingerfeed_queue_image(g.feed, left);
    fingerfeed_queue_image(g.feed, thumb);
    char *outcome = run(&g, &p, 10);
    /* both index fingers first, then the right hand's first fallback (thumb) */
    g_assert_cmpstr(outcome, ==, "left-index:kept right-thumb:kept");
    char line[128];
    fingerplan_log_format(fingerplan_log_get(p.plan, 0), line, sizeof line);
    g_assert_cmpstr(line, ==, "missing finger=right-index reason=bandaged temporary");
    g_free(outcome);
    person_clear(&p);
    fingerimg_free(left);
    fingerimg_free(thumb);
    rig_close(&g);
}

static void test_three_poor_attempts(void)
{
    rig g;
    rig_open(&g);
    person p;
    person_new(&p);
    /* three poor captures of real readers (a smudge is no print and scores 0, so the three
     * could not be ranked), presented worst, best, middle: the best is kept, not the last */
    const char *data = g_getenv("BIOKIOSK_FINGER_DATA");
    static const char *const names[3] = {"ex-arch.png", "ex-loop-right.png", "ex-tented_arch.png"};
    fingerimg *poor[3] = {0};
    int q[3];
    for (int i = 0; i < 3; i++) {
        g_autofree char *path =
            data ? g_build_filename(data, "captures", names[i], NULL) : g_strdup("");
        if (fingerimg_load(path, &poor[i], NULL) != BK_OK) {
            for (int j = 0; j < i; j++)
                fingerimg_free(poor[j]);
            person_clear(&p);
            rig_close(&g);
            g_test_skip("SKIP: ../shared/data/fingerprints/captures is not there");
            return;
        }
        fingerfeat *f = NULL;
        fingerfeat_analyse(poor[i]->pix, poor[i]->width, poor[i]->height, &f);
        q[i] = f->quality;
        fingerfeat_free(f);
    }
    fingerimg *left = synth(302, FINGERSYNTH_RIGHT_LOOP);
    int lo = 0, hi = 0;
    for (int i = 1; i < 3; i++) {
        lo = q[i] < q[lo] ? i : lo;
        hi = q[i] > q[hi] ? i : hi;
    }
    int mid = 3 - lo - hi;
    g_test_message("poor qualities %d %d %d", q[lo], q[hi], q[mid]);
    g_assert_cmpint(q[hi], >, q[mid]);
    fingerfeed_queue_image(g.feed, poor[lo]);
    fingerfeed_queue_image(g.feed, poor[hi]);
    fingerfeed_queue_image(g.feed, poor[mid]);
    fingerfeed_queue_image(g.feed, left);
    char *outcome = run(&g, &p, 10);
    g_assert_cmpstr(outcome, ==,
                    "right-index:again right-index:again right-index:best-kept left-index:kept");
    g_assert_cmpint(fingerplan_kept(p.plan, FINGERPLAN_RIGHT_INDEX), ==, 2);
    g_assert_cmpint(fingerplan_attempt_quality(p.plan, FINGERPLAN_RIGHT_INDEX, 2), ==, q[hi]);
    g_assert_cmpint(fingerplan_attempts(p.plan, FINGERPLAN_RIGHT_INDEX), ==, 3);
    for (int i = 0; i < 3; i++)
        fingerimg_free(poor[i]);
    g_free(outcome);
    person_clear(&p);
    fingerimg_free(left);
    rig_close(&g);
}

static void test_officer_veto(void)
{
    rig g;
    rig_open(&g);
    person p;
    person_new(&p);
    fingerimg *right = synth(401, FINGERSYNTH_LEFT_LOOP), *left = synth(402, FINGERSYNTH_ARCH);
    fingerimg *again = recapture(right, 4), *poor = NULL;
    g_assert_cmpint(fingersynth_smudge(left, 9, &poor), ==, BK_OK);
    fingerfeed_queue_image(g.feed, right);
    char *first = run(&g, &p, 1);
    g_assert_cmpstr(first, ==, "right-index:kept");
    /* the officer rejects a passing capture: the finger is taken again */
    g_assert_cmpint(fingerplan_veto(p.plan, FINGERPLAN_RIGHT_INDEX, 1, false), ==, BK_OK);
    g_assert_cmpint(fingerplan_current(p.plan), ==, FINGERPLAN_RIGHT_INDEX);
    fingerfeed_queue_image(g.feed, again);
    fingerfeed_queue_image(g.feed, poor);
    char *second = run(&g, &p, 2);
    g_assert_cmpstr(second, ==, "right-index:kept left-index:again");
    /* ... and accepts a failing one: the finger is done */
    g_assert_cmpint(fingerplan_veto(p.plan, FINGERPLAN_LEFT_INDEX, 1, true), ==, BK_OK);
    g_assert_cmpint(fingerplan_current(p.plan), ==, FINGERPLAN_NONE);
    g_assert_cmpint(fingerplan_kept(p.plan, FINGERPLAN_RIGHT_INDEX), ==, 2);
    g_assert_cmpint(fingerplan_kept(p.plan, FINGERPLAN_LEFT_INDEX), ==, 3);
    char line[128];
    size_t n = fingerplan_log_count(p.plan);
    fingerplan_log_format(fingerplan_log_get(p.plan, n - 1), line, sizeof line);
    g_assert_true(g_str_has_prefix(line, "veto accept finger=left-index n=1 quality="));
    /* restart: the counter starts again */
    g_assert_cmpint(fingerplan_restart(p.plan, FINGERPLAN_LEFT_INDEX), ==, BK_OK);
    g_assert_cmpint(fingerplan_attempts(p.plan, FINGERPLAN_LEFT_INDEX), ==, 0);
    g_assert_cmpint(fingerplan_current(p.plan), ==, FINGERPLAN_LEFT_INDEX);
    g_free(first);
    g_free(second);
    person_clear(&p);
    fingerimg_free(right);
    fingerimg_free(left);
    fingerimg_free(again);
    fingerimg_free(poor);
    rig_close(&g);
}

static void test_same_finger_twice(void)
{
    rig g;
    rig_open(&g);
    person p;
    person_new(&p);
    fingerimg *right = synth(501, FINGERSYNTH_WHORL), *left = synth(502, FINGERSYNTH_LEFT_LOOP);
    fingerimg *right_again = recapture(right, 5);
    fingerfeed_queue_image(g.feed, right);
    fingerfeed_queue_image(g.feed, right_again); /* the right index once more, for the left */
    fingerfeed_queue_image(g.feed, left);
    char *outcome = run(&g, &p, 10);
    g_assert_cmpstr(outcome, ==, "right-index:kept left-index:not-unique left-index:kept");
    char line[160];
    fingerplan_log_format(fingerplan_log_get(p.plan, 1), line, sizeof line);
    g_assert_nonnull(strstr(line, "not-unique same-as=right-index"));
    g_free(outcome);
    person_clear(&p);
    fingerimg_free(right);
    fingerimg_free(left);
    fingerimg_free(right_again);
    rig_close(&g);
}

static void test_hands_swapped(void)
{
    rig g;
    rig_open(&g);
    person p;
    person_new(&p);
    /* prints on file from the previous document */
    fingerimg *right = synth(601, FINGERSYNTH_RIGHT_LOOP),
              *left = synth(602, FINGERSYNTH_LEFT_LOOP);
    fingerfeat *file_right = NULL, *file_left = NULL;
    fingerfeat_analyse(right->pix, W, H, &file_right);
    fingerfeat_analyse(left->pix, W, H, &file_left);
    p.on_file[FINGERPLAN_RIGHT_INDEX] = file_right;
    p.on_file[FINGERPLAN_LEFT_INDEX] = file_left;
    fingerimg *left_now = recapture(left, 6), *right_now = recapture(right, 7);
    /* the person puts the left hand where the right is asked, then corrects */
    fingerfeed_queue_image(g.feed, left_now);
    fingerfeed_queue_image(g.feed, right_now);
    fingerfeed_queue_image(g.feed, left_now);
    char *outcome = run(&g, &p, 10);
    g_assert_cmpstr(outcome, ==,
                    "right-index:not-unique(swapped) right-index:kept left-index:kept");
    char line[160];
    fingerplan_log_format(fingerplan_log_get(p.plan, 0), line, sizeof line);
    g_assert_nonnull(strstr(line, "swapped-with=left-index"));
    g_free(outcome);
    person_clear(&p);
    fingerfeat_free(file_right);
    fingerfeat_free(file_left);
    fingerimg_free(right);
    fingerimg_free(left);
    fingerimg_free(left_now);
    fingerimg_free(right_now);
    rig_close(&g);
}

/* Without prints on file: the person gives the left index for the right, then the left index
 * again when the left is asked; the second is the same finger twice. The officer restarts the
 * right index and the right finger is taken. */
static void test_hands_swapped_in_session(void)
{
    rig g;
    rig_open(&g);
    person p;
    person_new(&p);
    fingerimg *right = synth(611, FINGERSYNTH_WHORL), *left = synth(612, FINGERSYNTH_ARCH);
    fingerimg *left_again = recapture(left, 3);
    fingerfeed_queue_image(g.feed, left);       /* asked: right index */
    fingerfeed_queue_image(g.feed, left_again); /* asked: left index */
    char *first = run(&g, &p, 2);
    g_assert_cmpstr(first, ==, "right-index:kept left-index:not-unique");
    g_assert_cmpint(fingerplan_restart(p.plan, FINGERPLAN_RIGHT_INDEX), ==, BK_OK);
    g_assert_cmpint(fingerplan_current(p.plan), ==, FINGERPLAN_RIGHT_INDEX);
    fingerfeed_queue_image(g.feed, right);
    fingerfeed_queue_image(g.feed, left_again);
    char *second = run(&g, &p, 10);
    g_assert_cmpstr(second, ==, "right-index:kept left-index:kept");
    g_free(first);
    g_free(second);
    person_clear(&p);
    fingerimg_free(right);
    fingerimg_free(left);
    fingerimg_free(left_again);
    rig_close(&g);
}

static void test_reader_unplugged(void)
{
    rig g;
    rig_open(&g);
    fingerimg *img = synth(701, FINGERSYNTH_ARCH);
    fingerfeed_queue_unplug(g.feed);
    fingerfeed_queue_image(g.feed, img);
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_OK);
    fingerprint_event ev;
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_READER_REMOVED, &ev));
    fingerprint_event_clear(&ev);
    g_assert_false(fingerprint_is_ready(g.r));
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_ERR_NO_DEVICE);
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_READER_ADDED, &ev));
    fingerprint_event_clear(&ev);
    /* the screen resumes: the same finger again, on the new device */
    fingerimg *got = capture(&g);
    g_assert_nonnull(got);
    g_assert_cmpmem(got->pix, W * H, img->pix, W * H);
    g_assert_null(strstr(g.trace->str, "error"));
    fingerimg_free(got);
    fingerimg_free(img);
    rig_close(&g);
}

/* The scripted mode's reader-unplug / reader-plug: with manual rescans the reader stays away
 * until it is plugged in again. */
static void test_unplug_and_plug(void)
{
    rig g;
    memset(&g, 0, sizeof g);
    g.trace = g_string_new(NULL);
    fingerprint_options o = {.driver = "virtual_image", .rescan_ms = FINGERPRINT_RESCAN_MANUAL};
    g_assert_cmpint(fingerprint_open(&o, &g.r), ==, BK_OK);
    fingerprint_event ev;
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_READY, &ev));
    fingerprint_event_clear(&ev);
    g_assert_cmpint(fingerprint_rescan(g.r), ==, BK_ERR_BUSY);
    g.feed = fingerfeed_new(sock_path);
    /* unplugged while the reader waits for a finger, not in answer to it */
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_OK);
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_FINGER_NEEDED, &ev));
    fingerprint_event_clear(&ev);
    fingerfeed_unplug_now(g.feed);
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_READER_REMOVED, &ev));
    fingerprint_event_clear(&ev);
    /* let the removed device close; nothing comes back by itself */
    g_assert_false(fingerprint_wait(g.r, &ev, 500));
    g_assert_false(fingerprint_is_ready(g.r));
    g_assert_cmpint(fingerprint_rescan(g.r), ==, BK_OK);
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_READER_ADDED, &ev));
    fingerprint_event_clear(&ev);
    fingerimg *img = synth(901, FINGERSYNTH_LEFT_LOOP);
    fingerfeed_queue_image(g.feed, img);
    fingerimg *got = capture(&g);
    g_assert_nonnull(got);
    g_assert_cmpmem(got->pix, W * H, img->pix, W * H);
    fingerimg_free(got);
    fingerimg_free(img);
    rig_close(&g);
}

static void test_retry_and_error(void)
{
    rig g;
    rig_open(&g);
    fingerimg *img = synth(801, FINGERSYNTH_WHORL);
    fingerfeed_queue_retry(g.feed, 2); /* FP_DEVICE_RETRY_CENTER_FINGER */
    fingerfeed_queue_image(g.feed, img);
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_OK);
    fingerprint_event ev;
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_RETRY, &ev));
    g_assert_cmpint(ev.retry, ==, FINGERPRINT_RETRY_CENTER);
    g_assert_cmpstr(ev.text, ==, "Place your finger in the middle of the reader.");
    fingerprint_event_clear(&ev);
    /* the driver waits for the finger again by itself */
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_IMAGE, &ev));
    g_assert_cmpmem(ev.image->pix, W * H, img->pix, W * H);
    fingerprint_event_clear(&ev);

    fingerfeed_queue_error(g.feed, 5); /* FP_DEVICE_ERROR_PROTO */
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_OK);
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_ERROR, &ev));
    g_assert_cmpint(ev.err, ==, BK_ERR_DEVICE);
    g_assert_nonnull(strstr(ev.text, "Unplug it"));
    fingerprint_event_clear(&ev);
    /* staff restarts the finger: the reader still works */
    fingerfeed_queue_image(g.feed, img);
    fingerimg *got = capture(&g);
    g_assert_nonnull(got);
    fingerimg_free(got);

    /* cancelling a capture that waits for a finger */
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_OK);
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_ERR_BUSY);
    fingerprint_cancel(g.r);
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_CANCELLED, &ev));
    fingerprint_event_clear(&ev);
    fingerimg_free(img);
    rig_close(&g);
}

/* No reader at all: the module says so, keeps looking, and reports the reader once present. */
static void test_no_reader_yet(void)
{
    rig g;
    memset(&g, 0, sizeof g);
    g.trace = g_string_new(NULL);
    fingerprint_options o = {.driver = "no-such-driver", .rescan_ms = 50};
    g_assert_cmpint(fingerprint_open(&o, &g.r), ==, BK_OK);
    fingerprint_event ev;
    g_assert_true(wait_kind(&g, FINGERPRINT_EVENT_READER_REMOVED, &ev));
    g_assert_false(fingerprint_is_ready(g.r));
    g_assert_cmpint(fingerprint_capture(g.r), ==, BK_ERR_NO_DEVICE);
    /* a few rescans later still nothing, and no error for staff */
    g_assert_false(fingerprint_wait(g.r, &ev, 300));
    g_assert_cmpint(ev.kind, ==, FINGERPRINT_EVENT_NONE);
    rig_close(&g);
}

static void test_list(void)
{
    char **list = NULL;
    g_assert_cmpint(fingerprint_list(&list), ==, BK_OK);
    gboolean found = FALSE;
    for (char **l = list; *l; l++)
        found |= g_str_has_prefix(*l, "virtual_image: ");
    g_assert_true(found);
    fingerprint_list_free(list);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* libfprint reads this when a context is created: set before any test runs */
    tmp_dir = g_dir_make_tmp("biokiosk-finger-XXXXXX", NULL);
    g_assert_nonnull(tmp_dir);
    sock_path = g_build_filename(tmp_dir, "virtual-image.socket", NULL);
    g_setenv("FP_VIRTUAL_IMAGE", sock_path, TRUE);
    g_test_add_func("/finger-driver/list", test_list);
    g_test_add_func("/finger-driver/no-reader-yet", test_no_reader_yet);
    g_test_add_func("/finger-driver/two-fingers", test_two_fingers);
    g_test_add_func("/finger-driver/missing-index", test_missing_index);
    g_test_add_func("/finger-driver/three-poor-attempts", test_three_poor_attempts);
    g_test_add_func("/finger-driver/officer-veto", test_officer_veto);
    g_test_add_func("/finger-driver/same-finger-twice", test_same_finger_twice);
    g_test_add_func("/finger-driver/hands-swapped", test_hands_swapped);
    g_test_add_func("/finger-driver/hands-swapped-in-session", test_hands_swapped_in_session);
    g_test_add_func("/finger-driver/reader-unplugged", test_reader_unplugged);
    g_test_add_func("/finger-driver/unplug-and-plug", test_unplug_and_plug);
    g_test_add_func("/finger-driver/retry-and-error", test_retry_and_error);
    int status = g_test_run();
    g_unlink(sock_path);
    g_rmdir(tmp_dir);
    g_free(sock_path);
    g_free(tmp_dir);
    g_assert_cmpuint(biomem_live_count(), ==, 0);
    return status;
}
