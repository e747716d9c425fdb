/* The fingerprint reader's test hooks (hooks.h): libfprint's virtual image device is fed from
 * here, never from the product.
 *
 * The scripted mode's images go through a finger feeder (emulators/finger/fingerfeed.h) on the
 * fingerprint service's thread: each is sent when the service says the reader waits for a finger
 * (finger_service_asking), never to a capture that is being cancelled. The demo's automatic
 * fingers come from the feeder process (emulators/finger/finger-feeder.c, started by
 * tools/demo.sh and the tests): on each "finger needed" the hooks send it "need N" on its control
 * socket (the virtual socket's path + FINGERFEED_CONTROL_SUFFIX), in a window always, in the
 * scripted mode after finger-auto. One client at a time feeds the device: the scripted images
 * and the feeder process are not mixed in one run.
 *
 * Script commands (the clock of the scripted mode is virtual, the reader's is not: each command
 * waits in real time, up to 20 s, until the reader has answered, then settles the screens):
 *   finger IMAGE    place a finger: IMAGE is a PNG/PGM path, or synthetic:N (fingersynth's N-th
 *                   finger), synthetic:N:again:K (the same finger captured again, K picks how),
 *                   synthetic:N:smudge (a poor capture of it); waits for the image (or a retry,
 *                   an error, the reader gone)
 *   finger-retry [general|too-short|centre|remove]   the reader asks to try again
 *   finger-error    the reader fails (device error); waits for the error
 *   reader-unplug   the reader is pulled out; waits until the kiosk has seen it go
 *   reader-plug     the reader is back; waits until it is open again
 *   finger-auto     from now on the feeder process gives the demo's fingers by itself
 *   finger-wait     waits for the next image the reader delivered by itself (after finger-auto)
 *   finger-stall MS the service's thread does nothing for MS ms from now, as on a busy machine
 *                   (what the screen asks meanwhile is done after it; the script goes on at once)
 *   expect-finger-images N   the screen shows N attempt images, each a staff target "Attempt i"
 *   expect-finger-hands      the left hand (and its label) is drawn left of the right one
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "capture/finger.h"
#include "emulators/finger/fingerfeed.h"
#include "emulators/finger/fingersynth.h"
#include "testhooks/hooks.h"
#include "ui/capture_finger.h"
#include "ui/i18n.h"
#include "ui/script.h"

#define ANSWER_WAIT_MS 20000
#define SYNTH_W        256
#define SYNTH_H        320

static struct {
    finger_service *fs; /* transfer none: attached by the composition root */
    char *socket;       /* the virtual device's */
    char *control;      /* the feeder process's control socket */
    /* the service's thread's own */
    fingerfeed *feed; /* the scripted images (made on first use) */
    bool auto_feed;   /* "finger needed" goes to the feeder process */
    int control_fd;   /* a datagram socket to it, -1 none yet */
    bool told_absent; /* the feeder process was found absent (said once) */
    int last_finger;  /* the finger of the last "finger needed" */
    /* under lock */
    GMutex lock;
    GCond cond;
    unsigned answers[FINGER_EVENT_COUNT_];
    bool ready;
    bool asking;        /* the reader waits for a finger and nothing was sent to it */
    unsigned auto_seen; /* images the script has waited for since finger-auto */
} fh = {.control_fd = -1};

/* ---- on the service's thread ---------------------------------------------------------------- */

static void set_asking(bool asking)
{
    g_mutex_lock(&fh.lock);
    fh.asking = asking;
    g_mutex_unlock(&fh.lock);
}

/* The feeder process plays the demo's finger `finger` (0: the technician's check). */
static bool tell_feeder(int finger)
{
    if (fh.control_fd < 0)
        fh.control_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (fh.control_fd < 0 || strlen(fh.control) >= sizeof addr.sun_path)
        return false;
    strcpy(addr.sun_path, fh.control);
    char msg[32];
    int n = g_snprintf(msg, sizeof msg, "need %d", finger);
    if (sendto(fh.control_fd, msg, (size_t)n, 0, (struct sockaddr *)&addr, sizeof addr) != n) {
        if (!fh.told_absent)
            g_warning("the finger feeder does not answer at %s: %s", fh.control, g_strerror(errno));
        fh.told_absent = true;
        return false;
    }
    fh.told_absent = false;
    return true;
}

/* The reader waits (or may wait) for a finger: the next queued action, or the demo's finger. */
static void feed_now(int finger)
{
    if (!finger_service_asking(fh.fs)) {
        set_asking(false);
        return;
    }
    bool sent = false;
    if (fh.feed != NULL && fingerfeed_pending(fh.feed) > 0)
        sent = fingerfeed_finger_needed(fh.feed);
    else if (fh.auto_feed)
        sent = tell_feeder(finger);
    set_asking(!sent);
}

static void on_tap(void *data, finger_event_kind kind, int finger)
{
    (void)data;
    if (kind == FINGER_EVENT_NEEDED) {
        fh.last_finger = finger;
        feed_now(finger);
    } else if (kind != FINGER_EVENT_PRESENT && kind != FINGER_EVENT_LIFTED)
        set_asking(false);
    g_mutex_lock(&fh.lock);
    if (kind == FINGER_EVENT_READY || kind == FINGER_EVENT_ADDED)
        fh.ready = true;
    else if (kind == FINGER_EVENT_REMOVED)
        fh.ready = false;
    /* counted after the service queued the event and woke the screen: a script that sees the
     * answer and settles also finds the event */
    fh.answers[kind]++;
    g_cond_broadcast(&fh.cond);
    g_mutex_unlock(&fh.lock);
}

typedef enum feed_kind {
    FEED_IMAGE,
    FEED_RETRY,
    FEED_ERROR,
    FEED_UNPLUG,
    FEED_AUTO,
    FEED_STALL,
    FEED_FREE,
} feed_kind;

typedef struct feed_cmd {
    feed_kind kind;
    int arg;
    fingerimg *img; /* FEED_IMAGE (owned) */
} feed_cmd;

static void run_feed(void *data)
{
    feed_cmd *c = data;
    if (c->kind == FEED_FREE) {
        fingerfeed_free(fh.feed);
        fh.feed = NULL;
        if (fh.control_fd >= 0)
            close(fh.control_fd);
        fh.control_fd = -1;
        g_free(fh.socket);
        g_free(fh.control);
        fh.socket = fh.control = NULL;
        return;
    }
    if (c->kind == FEED_STALL) {
        g_usleep((gulong)c->arg * 1000);
        return;
    }
    if (fh.feed == NULL)
        fh.feed = fingerfeed_new(fh.socket);
    switch (c->kind) {
    case FEED_IMAGE:
        if (fingerfeed_queue_image(fh.feed, c->img) != BK_OK)
            g_warning("the image is too large for the virtual reader");
        break;
    case FEED_RETRY:
        fingerfeed_queue_retry(fh.feed, c->arg);
        break;
    case FEED_ERROR:
        fingerfeed_queue_error(fh.feed, 0);
        break;
    case FEED_UNPLUG:
        fingerfeed_unplug_now(fh.feed);
        return;
    case FEED_AUTO:
        fh.auto_feed = true;
        break;
    case FEED_STALL:
    case FEED_FREE:
        break;
    }
    feed_now(fh.last_finger);
}

static void feed_cmd_free(void *data)
{
    feed_cmd *c = data;
    fingerimg_free(c->img);
    g_free(c);
}

static void send_feed(feed_kind kind, int arg, fingerimg *img)
{
    feed_cmd *c = g_new0(feed_cmd, 1);
    c->kind = kind;
    c->arg = arg;
    c->img = img;
    finger_service_invoke(fh.fs, run_feed, c, feed_cmd_free);
}

/* ---- the script's side (the main thread) ---------------------------------------------------- */

typedef struct answers {
    unsigned n[FINGER_EVENT_COUNT_];
} answers;

static answers answers_now(void)
{
    answers a;
    g_mutex_lock(&fh.lock);
    memcpy(a.n, fh.answers, sizeof a.n);
    g_mutex_unlock(&fh.lock);
    return a;
}

/* Waits in real time until the reader answered with one of `kinds` (0-terminated) after
 * `before`, then lets the screens handle it. The reader needs nothing of the main thread
 * meanwhile: the service starts the captures the screen wants by itself. */
static bk_err wait_answer(script *sc, const answers *before, const finger_event_kind *kinds,
                          const char *what)
{
    gint64 end = g_get_monotonic_time() + ANSWER_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    bool got = false;
    g_mutex_lock(&fh.lock);
    while (!got) {
        for (const finger_event_kind *k = kinds; *k; k++)
            if (fh.answers[*k] != before->n[*k])
                got = true;
        if (!got && !g_cond_wait_until(&fh.cond, &fh.lock, end))
            break;
    }
    bool ready = fh.ready, asking = fh.asking;
    g_mutex_unlock(&fh.lock);
    script_settle(sc);
    /* where it stuck, for a failure that is hard to repeat: the reader not open yet, or open
     * but never asking for a finger, or asking and getting nothing back */
    if (!got)
        return script_fail(sc,
                           "the fingerprint reader did not answer %s within %d s (reader %s, "
                           "%s)",
                           what, ANSWER_WAIT_MS / 1000, ready ? "ready" : "not ready",
                           asking ? "asking for a finger" : "not asking for a finger");
    return BK_OK;
}

static bk_err synthetic(script *sc, const char *spec, fingerimg **out)
{
    g_auto(GStrv) part = g_strsplit(spec + strlen("synthetic:"), ":", -1);
    char *end = NULL;
    unsigned long n = part[0] ? strtoul(part[0], &end, 10) : 0;
    if (part[0] == NULL || *part[0] == '\0' || *end != '\0')
        return script_fail(sc, "finger: '%s' is not synthetic:N[:again:K|:smudge]", spec);
    fingerimg *img = NULL, *other = NULL;
    bk_err err =
        fingersynth_make((uint32_t)n, (fingersynth_pattern)(n % 4), SYNTH_W, SYNTH_H, &img);
    if (err == BK_OK && part[1] && strcmp(part[1], "smudge") == 0 && part[2] == NULL) {
        err = fingersynth_smudge(img, (uint32_t)n, &other);
    } else if (err == BK_OK && part[1] && strcmp(part[1], "again") == 0 && part[2]) {
        int k = atoi(part[2]);
        err = fingersynth_recapture(img, (uint32_t)k, (k % 5) * 4 - 8, (k % 3) * 5 - 5,
                                    (double)(k % 7) * 2.0 - 6.0, &other);
    } else if (err == BK_OK && part[1] != NULL) {
        fingerimg_free(img);
        return script_fail(sc, "finger: '%s' is not synthetic:N[:again:K|:smudge]", spec);
    }
    if (other) {
        fingerimg_free(img);
        img = other;
    }
    if (err != BK_OK) {
        fingerimg_free(img);
        return script_fail(sc, "finger: cannot make '%s' (%s)", spec, bk_err_str(err));
    }
    *out = img;
    return BK_OK;
}

static bk_err load_image(script *sc, const char *spec, fingerimg **out)
{
    if (g_str_has_prefix(spec, "synthetic:"))
        return synthetic(sc, spec, out);
    const char *why = NULL;
    if (fingerimg_load(spec, out, &why) != BK_OK)
        return script_fail(sc, "finger: %s: %s", spec, why ? why : "cannot read the image");
    return BK_OK;
}

static bk_err need_feed(script *sc)
{
    if (fh.fs == NULL || fh.socket == NULL)
        return script_fail(sc, "fingerprint.virtual_socket is not set: no virtual reader to feed");
    return BK_OK;
}

static bk_err cmd_finger(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    fingerimg *img = NULL;
    if (load_image(sc, argv[1], &img) != BK_OK)
        return BK_ERR_INVALID;
    answers before = answers_now();
    send_feed(FEED_IMAGE, 0, img);
    static const finger_event_kind kinds[] = {FINGER_EVENT_IMAGE, FINGER_EVENT_RETRY,
                                              FINGER_EVENT_ERROR, FINGER_EVENT_REMOVED, 0};
    return wait_answer(sc, &before, kinds, "with an image");
}

static bk_err cmd_finger_retry(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    /* libfprint's FpDeviceRetry codes, in its order */
    static const char *const names[] = {"general", "too-short", "centre", "remove"};
    int code = 0;
    if (argc > 1) {
        code = -1;
        for (int i = 0; i < (int)G_N_ELEMENTS(names); i++)
            if (strcmp(argv[1], names[i]) == 0)
                code = i;
        if (code < 0)
            return script_fail(sc, "finger-retry: '%s' is not general, too-short, centre or remove",
                               argv[1]);
    }
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    answers before = answers_now();
    send_feed(FEED_RETRY, code, NULL);
    static const finger_event_kind kinds[] = {FINGER_EVENT_RETRY, 0};
    return wait_answer(sc, &before, kinds, "with a retry");
}

static bk_err cmd_finger_error(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)argv, (void)rest;
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    answers before = answers_now();
    send_feed(FEED_ERROR, 0, NULL);
    static const finger_event_kind kinds[] = {FINGER_EVENT_ERROR, 0};
    return wait_answer(sc, &before, kinds, "with an error");
}

static bk_err cmd_reader_unplug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)argv, (void)rest;
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    answers before = answers_now();
    send_feed(FEED_UNPLUG, 0, NULL);
    static const finger_event_kind kinds[] = {FINGER_EVENT_REMOVED, 0};
    return wait_answer(sc, &before, kinds, "by going away");
}

static bk_err cmd_reader_plug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)argv, (void)rest;
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    answers before = answers_now();
    finger_service_rescan(fh.fs);
    static const finger_event_kind kinds[] = {FINGER_EVENT_ADDED, FINGER_EVENT_READY, 0};
    return wait_answer(sc, &before, kinds, "by coming back");
}

/* The demo's automatic fingers (as in a window): from now on every "finger needed" goes to the
 * feeder process, which places a synthetic print of the finger asked for. */
static bk_err cmd_finger_auto(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)argv, (void)rest;
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    if (!g_file_test(fh.control, G_FILE_TEST_EXISTS))
        return script_fail(sc, "finger-auto: no finger feeder at %s (start %s first)", fh.control,
                           "emulators/finger/biokiosk-finger-feeder");
    g_mutex_lock(&fh.lock);
    fh.auto_seen = fh.answers[FINGER_EVENT_IMAGE];
    g_mutex_unlock(&fh.lock);
    send_feed(FEED_AUTO, 0, NULL);
    script_settle(sc);
    return BK_OK;
}

/* Waits (real time) for the next image the reader delivers by itself, then settles. */
static bk_err cmd_finger_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)argv, (void)rest;
    answers before = answers_now();
    g_mutex_lock(&fh.lock);
    before.n[FINGER_EVENT_IMAGE] = fh.auto_seen;
    g_mutex_unlock(&fh.lock);
    static const finger_event_kind kinds[] = {FINGER_EVENT_IMAGE, 0};
    bk_err err = wait_answer(sc, &before, kinds, "with an image by itself");
    if (err == BK_OK) {
        g_mutex_lock(&fh.lock);
        fh.auto_seen++;
        g_mutex_unlock(&fh.lock);
    }
    return err;
}

/* A busy machine: the reader's thread gets no time for a while (the requests the screen makes
 * meanwhile wait for it), and the script goes on at once. */
static bk_err cmd_finger_stall(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)rest;
    char *end = NULL;
    long ms = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || ms < 0 || ms > 10000)
        return script_fail(sc, "finger-stall needs milliseconds (0-10000)");
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    send_feed(FEED_STALL, (int)ms, NULL);
    return BK_OK;
}

static bool drawn(script *sc, capture_finger_drawn *d)
{
    session *s = script_session(sc);
    return capture_finger_drawn_get(session_runner(s), d);
}

/* The screen shows N attempt images, each a target "Attempt i" (staff). */
static bk_err cmd_expect_finger_images(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)rest;
    char *end = NULL;
    long n = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || n < 0)
        return script_fail(sc, "expect-finger-images needs a number");
    script_settle(sc);
    capture_finger_drawn d;
    if (!drawn(sc, &d))
        return script_fail(sc, "the fingerprint screen is not shown");
    if (d.thumbs != n)
        return script_fail(sc, "expected %ld attempt images, the screen shows %d", n, d.thumbs);
    for (long i = 1; i <= n; i++) {
        char label[64];
        g_snprintf(label, sizeof label, _("Attempt %d"), (int)i);
        if (ui_hit_by_label(session_ui(script_session(sc)), label) == NULL)
            return script_fail(sc, "no target \"%s\"", label);
    }
    return BK_OK;
}

/* The hands drawing is not mirrored in a right-to-left language: the left hand (and its label)
 * is on the left, as the person's own left hand. */
static bk_err cmd_expect_finger_hands(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc, (void)argv, (void)rest;
    script_settle(sc);
    const ui *u = session_ui(script_session(sc));
    capture_finger_drawn d;
    if (!drawn(sc, &d))
        return script_fail(sc, "the fingerprint screen is not shown");
    if (d.hand_x[0] >= d.hand_x[1])
        return script_fail(sc, "the left hand is drawn at x=%d, right of the right hand at x=%d",
                           d.hand_x[0], d.hand_x[1]);
    int label_x[2] = {-1, -1};
    const char *labels[2] = {_("Left hand"), _("Right hand")};
    for (size_t i = 0; i < u->n_texts; i++)
        for (int h = 0; h < 2; h++)
            if (strcmp(u->texts[i].text, labels[h]) == 0)
                label_x[h] = u->texts[i].rect.x;
    if (label_x[0] < 0 || label_x[1] < 0 || label_x[0] >= label_x[1])
        return script_fail(sc, "the hands' labels are at x=%d (left) and x=%d (right)", label_x[0],
                           label_x[1]);
    return BK_OK;
}

/* ---- setup ------------------------------------------------------------------------------- */

void finger_hooks_attach(finger_service *fs, const char *virtual_socket, bool scripted)
{
    if (fs == NULL)
        return;
    g_mutex_init(&fh.lock);
    g_cond_init(&fh.cond);
    fh.fs = fs;
    if (virtual_socket && virtual_socket[0]) {
        fh.socket = g_strdup(virtual_socket);
        fh.control = g_strconcat(virtual_socket, FINGERFEED_CONTROL_SUFFIX, NULL);
    }
    finger_service_set_tap(fs, on_tap, NULL);
    /* the demo in a window: nobody places a finger, the feeder process gives one each time */
    if (!scripted && fh.socket != NULL)
        send_feed(FEED_AUTO, 0, NULL);
}

void finger_hooks_detach(finger_service *fs)
{
    if (fs == NULL || fh.fs != fs)
        return;
    finger_service_set_tap(fs, NULL, NULL);
    /* the feeder lives on the service's thread: freed there, before the service ends */
    send_feed(FEED_FREE, 0, NULL);
    fh.fs = NULL;
}

void finger_hooks_register(const testhooks_context *ctx)
{
    (void)ctx;
    script_register("finger", 1, 1, cmd_finger, "finger IMAGE|synthetic:N[:again:K|:smudge]");
    script_register("finger-retry", 0, 1, cmd_finger_retry,
                    "finger-retry [general|too-short|centre|remove]");
    script_register("finger-error", 0, 0, cmd_finger_error, "finger-error");
    script_register("reader-unplug", 0, 0, cmd_reader_unplug, "reader-unplug");
    script_register("reader-plug", 0, 0, cmd_reader_plug, "reader-plug");
    script_register("finger-auto", 0, 0, cmd_finger_auto, "finger-auto");
    script_register("finger-wait", 0, 0, cmd_finger_wait, "finger-wait");
    script_register("finger-stall", 1, 1, cmd_finger_stall, "finger-stall MS");
    script_register("expect-finger-images", 1, 1, cmd_expect_finger_images,
                    "expect-finger-images N");
    script_register("expect-finger-hands", 0, 0, cmd_expect_finger_hands, "expect-finger-hands");
}
