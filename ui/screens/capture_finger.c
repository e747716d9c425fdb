/* "capture-finger": two flat fingerprints through libfprint (see ui/capture_finger.h).
 *
 * Phases: the officer marks missing or unusable fingers (or records that no fingerprints can be
 * given); each finger of the plan (app/core/fingerplan.h) is captured up to the set number of
 * attempts, each attempt scored and checked against the other kept prints; after each finger its
 * attempts are shown with their quality against the threshold (veto either way, restart); then
 * the kept prints are shown and accepted into the session's takes.
 *
 * The reader runs on its own thread, which runs GLib's default main context (libfprint enumerates
 * devices on that one); its events are queued here and an SDL user event wakes the kiosk. Nothing
 * of an applicant is logged: only finger positions, qualities and outcomes. */
#include "ui/capture_finger.h"

#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "core/biomem.h"
#include "ui/capture.h"
#include "ui/devwait.h"
#include "emulators/finger/fingerfeed.h"
#include "imaging/fingermatch.h"
#include "drivers/fingerprint/fingerprint.h"
#include "emulators/finger/fingersynth.h"
#include "ui/screens/screens.h"
#include "ui/script.h"

#define ANSWER_WAIT_MS 20000
#define SYNTH_W        256
#define SYNTH_H        320
#define PPI_500_PPM    19685 /* 500 pixels per inch in pixels per metre (PNG pHYs) */
#define MIN_PRINT_W    315   /* 16 mm at 500 ppi: the record's smallest flat print */
#define MIN_PRINT_H    394   /* 20 mm */

/* ---- the reader's thread ---------------------------------------------------------------- */

typedef enum cmd_kind {
    CMD_CAPTURE,
    CMD_CANCEL,
    CMD_QUIT,
    CMD_QUEUE_IMAGE,
    CMD_RETRY,
    CMD_ERROR,
    CMD_UNPLUG,
    CMD_PLUG,
    CMD_AUTO,
} cmd_kind;

typedef struct cmd {
    cmd_kind kind;
    fingerimg *img; /* CMD_QUEUE_IMAGE (owned) */
    int finger;     /* CMD_CAPTURE: the finger asked for (the demo's synthetic prints);
                     * CMD_RETRY: libfprint's retry code */
} cmd;

static struct {
    bool up;
    char *driver, *socket;
    bool scripted;
    fingerplan_settings plan;
    int match_threshold;
    int assume_ppi;
    int thumbs_drawn; /* attempt images drawn in the last frame (script checks) */
    int hand_x[2];    /* where the last frame drew the left (0) and right (1) palm */
    uint32_t wake;
    uint32_t events[2];
    GThread *thread;
    GMainContext *ctx;
    GMutex lock; /* guards the fields below up to the worker's own */
    GCond cond;
    GQueue queue; /* fingerprint_event * for the screen */
    unsigned answers[FINGERPRINT_EVENT_CANCELLED + 1];
    bool ready;
    char name[TAKES_TEXT_MAX];
    bool screen_up;     /* the fingerprint step is on screen */
    bool checking;      /* a technician's check has the reader's events (finger_check) */
    GQueue check_queue; /* fingerprint_event * for the check */
    /* the worker's own */
    fingerprint_reader *reader;
    fingerfeed *feed;
    bool waiting_finger;
    bool auto_feed; /* the demo's fingers: a synthetic print whenever one is needed */
    bool quit;
    int demo_finger;
    unsigned demo_count;
    int plug_tries;
} fm;

static void feed_demo_finger(void)
{
    /* The demo: a synthetic finger per position and person, recaptured a little differently. */
    fingerimg *img = NULL, *again = NULL;
    uint32_t seed =
        (uint32_t)(fm.demo_finger > 0 ? fm.demo_finger : 1) + 97u * (fm.demo_count / 8u);
    if (fingersynth_make(seed, (fingersynth_pattern)(seed % 4), SYNTH_W, SYNTH_H, &img) == BK_OK &&
        fingersynth_recapture(img, fm.demo_count, 4, -3, 3.0, &again) == BK_OK)
        fingerfeed_queue_image(fm.feed, again);
    fingerimg_free(img);
    fingerimg_free(again);
}

static void forward(fingerprint_event *ev)
{
    if (ev->kind == FINGERPRINT_EVENT_FINGER_NEEDED && fm.feed != NULL) {
        if (fm.auto_feed && fingerfeed_pending(fm.feed) == 0)
            feed_demo_finger();
        fm.waiting_finger = !fingerfeed_finger_needed(fm.feed);
    } else if (ev->kind != FINGERPRINT_EVENT_FINGER_PRESENT &&
               ev->kind != FINGERPRINT_EVENT_FINGER_REMOVED) {
        fm.waiting_finger = false;
    }
    fingerprint_event *copy = g_new(fingerprint_event, 1);
    *copy = *ev;
    memset(ev, 0, sizeof *ev);
    g_mutex_lock(&fm.lock);
    if (copy->kind == FINGERPRINT_EVENT_READY || copy->kind == FINGERPRINT_EVENT_READER_ADDED) {
        fm.ready = true;
        g_strlcpy(fm.name, copy->text ? copy->text : "", sizeof fm.name);
    } else if (copy->kind == FINGERPRINT_EVENT_READER_REMOVED) {
        fm.ready = false;
    }
    fingerprint_event_kind kind = copy->kind;
    /* while a technician's check runs its events are its own: the technician's finger never
     * reaches the fingerprint step */
    bool to_check = fm.checking;
    g_queue_push_tail(to_check ? &fm.check_queue : &fm.queue, copy);
    g_mutex_unlock(&fm.lock);
    if (!to_check) {
        SDL_Event wake = {0};
        wake.type = fm.wake;
        SDL_PushEvent(&wake);
    }
    /* counted only once the wake-up is queued, so a script that sees the answer and settles
     * also finds the event */
    g_mutex_lock(&fm.lock);
    fm.answers[kind]++;
    g_cond_broadcast(&fm.cond);
    g_mutex_unlock(&fm.lock);
}

/* A reader that was just pulled out takes a moment to close (rescan answers BUSY meanwhile), so
 * a plug is tried again every 100 ms for up to 10 s. */
static gboolean plug_try(gpointer data)
{
    (void)data;
    bk_err err =
        fm.reader && fingerprint_is_ready(fm.reader) ? BK_OK : fingerprint_rescan(fm.reader);
    if (err != BK_OK && ++fm.plug_tries < 100) {
        GSource *src = g_timeout_source_new(100);
        g_source_set_callback(src, plug_try, NULL, NULL);
        g_source_attach(src, fm.ctx);
        g_source_unref(src);
    } else if (err != BK_OK) {
        g_warning("no fingerprint reader found after reader-plug (%s)", bk_err_str(err));
    }
    return G_SOURCE_REMOVE;
}

static gboolean run_cmd(gpointer data)
{
    cmd *c = data;
    switch (c->kind) {
    case CMD_CAPTURE:
        fm.demo_finger = c->finger;
        fm.demo_count++;
        if (fingerprint_capture(fm.reader) != BK_OK)
            g_debug("capture not started (reader busy or gone)");
        break;
    case CMD_CANCEL:
        fingerprint_cancel(fm.reader);
        break;
    case CMD_QUIT:
        fm.quit = true;
        break;
    case CMD_QUEUE_IMAGE:
        if (fm.feed != NULL && fingerfeed_queue_image(fm.feed, c->img) != BK_OK)
            g_warning("the image is too large for the virtual reader");
        break;
    case CMD_RETRY:
        if (fm.feed != NULL)
            fingerfeed_queue_retry(fm.feed, c->finger);
        break;
    case CMD_ERROR:
        if (fm.feed != NULL)
            fingerfeed_queue_error(fm.feed, 0);
        break;
    case CMD_UNPLUG:
        if (fm.feed != NULL)
            fingerfeed_unplug_now(fm.feed);
        break;
    case CMD_PLUG:
        fm.plug_tries = 0;
        plug_try(NULL);
        break;
    case CMD_AUTO:
        fm.auto_feed = true;
        if (fm.waiting_finger && fm.feed != NULL && fingerfeed_pending(fm.feed) == 0)
            feed_demo_finger();
        break;
    }
    if (fm.waiting_finger && fm.feed != NULL && fingerfeed_pending(fm.feed) > 0)
        fm.waiting_finger = !fingerfeed_finger_needed(fm.feed);
    return G_SOURCE_REMOVE;
}

static void cmd_free(gpointer data)
{
    cmd *c = data;
    fingerimg_free(c->img);
    g_free(c);
}

static void send_cmd(cmd_kind kind, fingerimg *img, int finger)
{
    if (!fm.up) {
        fingerimg_free(img);
        return;
    }
    cmd *c = g_new0(cmd, 1);
    c->kind = kind;
    c->img = img;
    c->finger = finger;
    /* an idle source, not g_main_context_invoke: that could run the command on this thread when
     * the reader's thread happens not to hold the context */
    GSource *src = g_idle_source_new();
    g_source_set_callback(src, run_cmd, c, cmd_free);
    g_source_attach(src, fm.ctx);
    g_source_unref(src);
}

static gpointer worker(gpointer data)
{
    (void)data;
    fingerprint_options o = {
        .driver = fm.driver,
        .rescan_ms = fm.scripted ? FINGERPRINT_RESCAN_MANUAL : 0,
        .assume_ppmm = fm.assume_ppi > 0 ? fm.assume_ppi / 25.4 : 0.0,
    };
    fingerprint_open(&o, &fm.reader);
    if (fm.socket != NULL)
        fm.feed = fingerfeed_new(fm.socket);
    fm.auto_feed = !fm.scripted; /* the demo in a window */
    while (!fm.quit) {
        /* sleeps in poll() until libfprint or the screen has work */
        g_main_context_iteration(fm.ctx, TRUE);
        fingerprint_event ev;
        while (fingerprint_poll(fm.reader, &ev))
            forward(&ev);
    }
    fingerprint_close(fm.reader);
    fingerfeed_free(fm.feed);
    fm.reader = NULL;
    fm.feed = NULL;
    return NULL;
}

/* The reader's events for the screen, oldest first (transfer full: free each with take_free). */
static fingerprint_event *take_event(void)
{
    g_mutex_lock(&fm.lock);
    fingerprint_event *ev = g_queue_pop_head(&fm.queue);
    g_mutex_unlock(&fm.lock);
    return ev;
}

static void take_free(fingerprint_event *ev)
{
    fingerprint_event_clear(ev);
    g_free(ev);
}

/* ---- PNG at 500 ppi ----------------------------------------------------------------------- */

typedef struct png_out {
    uint8_t *buf; /* biomem */
    size_t len, cap;
    bool failed;
} png_out;

static void png_write_mem(png_structp png, png_bytep data, size_t len)
{
    png_out *o = png_get_io_ptr(png);
    if (o->failed)
        return;
    if (o->len + len > o->cap) {
        size_t cap = (o->cap ? o->cap * 2 : 65536);
        while (cap < o->len + len)
            cap *= 2;
        uint8_t *nb = biomem_realloc(o->buf, cap);
        if (nb == NULL) {
            o->failed = true;
            return;
        }
        o->buf = nb;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
}

static void png_flush_mem(png_structp png)
{
    (void)png;
}

/* An 8-bit grey PNG with a 500 ppi pHYs chunk in *out (biomem, transfer full). */
static bk_err encode_png(const fingerimg *img, uint8_t **out, size_t *len)
{
    png_out o = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (png == NULL)
        return BK_ERR_NOMEM;
    png_infop info = png_create_info_struct(png);
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        biomem_free(o.buf);
        return BK_ERR_NOMEM;
    }
    png_set_write_fn(png, &o, png_write_mem, png_flush_mem);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_pHYs(png, info, PPI_500_PPM, PPI_500_PPM, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    for (int y = 0; y < img->height; y++)
        png_write_row(png, img->pix + (size_t)y * (size_t)img->width);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    if (o.failed) {
        biomem_free(o.buf);
        return BK_ERR_NOMEM;
    }
    *out = o.buf;
    *len = o.len;
    return BK_OK;
}

/* The record takes flat prints of at least 16 x 20 mm at 500 ppi. The driver has resampled every
 * capture to 500 ppi already (from the resolution libfprint reports, or [fingerprint]
 * assume_ppi), so the pHYs chunk is true; a smaller capture (most sensors are smaller) is
 * centred on white background up to that size, never scaled up. */
static bk_err encode_png_padded(const fingerimg *img, uint8_t **out, size_t *len)
{
    int w = img->width < MIN_PRINT_W ? MIN_PRINT_W : img->width;
    int h = img->height < MIN_PRINT_H ? MIN_PRINT_H : img->height;
    if (w == img->width && h == img->height)
        return encode_png(img, out, len);
    fingerimg *big = NULL;
    bk_err err = fingerimg_new(w, h, &big);
    if (err != BK_OK)
        return err;
    memset(big->pix, 255, (size_t)w * (size_t)h);
    int x0 = (w - img->width) / 2, y0 = (h - img->height) / 2;
    for (int y = 0; y < img->height; y++)
        memcpy(big->pix + (size_t)(y + y0) * (size_t)w + (size_t)x0,
               img->pix + (size_t)y * (size_t)img->width, (size_t)img->width);
    err = encode_png(big, out, len);
    fingerimg_free(big);
    return err;
}

/* ---- the screen ---------------------------------------------------------------------------- */

typedef enum phase {
    PHASE_PREPARE,
    PHASE_CAPTURE,
    PHASE_REVIEW,
    PHASE_DONE,
} phase;

enum {
    ID_FINGER = 20, /* + position: choose a finger to mark */
    ID_REASON = 40, /* + fingerplan_reason */
    ID_PERMANENT = 50,
    ID_EXCEPTION,
    ID_REJECT,
    ID_RESTART,
    ID_TRY_AGAIN,
    ID_SHOW_ATTEMPTS,
    ID_UNUSABLE,  /* during capture and review: this finger cannot be used (reason follows) */
    ID_KEEP = 60, /* + attempt number: keep this attempt (staff veto) */
    ID_RESTART_HAND = 80, /* + hand */
};

typedef struct mark {
    bool on;
    fingerplan_reason reason;
    bool permanent;
} mark;

typedef struct priv {
    phase phase;
    fingerplan *plan;
    int selected;   /* finger chosen for marking */
    bool permanent; /* the next mark is permanent */
    bool exception; /* the next reason records "no fingerprints possible" */
    mark marks[FINGERPLAN_FINGERS];
    bool capturing, paused, present, error;
    int retry; /* -1 none, else fingerprint_retry */
    int not_unique_other;
    int review;             /* the finger under review */
    GPtrArray *images;      /* fingerimg * by attempt id */
    GPtrArray *feats;       /* fingerfeat * by attempt id */
    int id_attempt[256];    /* by attempt id: its number within its finger */
    int id_finger[256];     /* by attempt id: its finger, 0 once its image is wiped */
    bool show_attempts;     /* the officer asked for the attempts' images during the capture */
    bool unusable;          /* the officer marks the finger in hand unusable: reasons shown */
    int id_unverified[256]; /* by attempt id: the finger uniqueness could not be verified
                             * against (too few minutiae), 0 when verified */
    int64_t when[TAKES_MAX_LOG];
    size_t logged;
    devwait wait;       /* the reader's absences, audited; staff may skip after a while */
    int64_t away_shown; /* seconds away on screen */
} priv;

static const char *const finger_names[FINGERPLAN_FINGERS] = {
    "",
    N_("Right thumb"),
    N_("Right index finger"),
    N_("Right middle finger"),
    N_("Right ring finger"),
    N_("Right little finger"),
    N_("Left thumb"),
    N_("Left index finger"),
    N_("Left middle finger"),
    N_("Left ring finger"),
    N_("Left little finger"),
};

static const char *const reason_names[FINGERPLAN_REASON_COUNT_] = {
    N_("Amputated"),
    N_("Bandaged"),
    N_("Injured"),
    N_("Other reason"),
};

static const char *const retry_texts[] = {
    N_("The scan was not clear. Please place your finger again."),
    N_("Please keep your finger on the reader a little longer."),
    N_("Please place your finger in the middle of the reader."),
    N_("Please lift your finger and place it again."),
};

static void stamp(session *s, priv *p)
{
    size_t n = fingerplan_log_count(p->plan);
    for (; p->logged < n && p->logged < TAKES_MAX_LOG; p->logged++) {
        p->when[p->logged] = session_wall(s);
        char line[160];
        fingerplan_log_format(fingerplan_log_get(p->plan, p->logged), line, sizeof line);
        g_message("fingerprints: %s", line);
    }
}

static void start_capture(priv *p)
{
    p->retry = -1;
    /* after a reader error the officer decides when to try again */
    if (p->capturing || p->paused || p->error)
        return;
    p->capturing = true;
    send_cmd(CMD_CAPTURE, NULL, fingerplan_current(p->plan));
}

/* After the plan changed: capture the finger it asks for, or show the kept prints. */
static void go_on(priv *p)
{
    p->unusable = false;
    if (fingerplan_current(p->plan) != FINGERPLAN_NONE) {
        p->phase = PHASE_CAPTURE;
        start_capture(p);
    } else {
        p->phase = PHASE_DONE;
    }
}

static void clear_shots(priv *p)
{
    if (p->images)
        g_ptr_array_free(p->images, TRUE);
    if (p->feats)
        g_ptr_array_free(p->feats, TRUE);
    p->images = p->feats = NULL;
}

static void enter(screen *scr)
{
    priv *p = scr->priv;
    fingerplan_new(&fm.plan, &p->plan);
    p->images = g_ptr_array_new_with_free_func((GDestroyNotify)fingerimg_free);
    p->feats = g_ptr_array_new_with_free_func((GDestroyNotify)fingerfeat_free);
    p->selected = FINGERPLAN_NONE;
    p->retry = -1;
    g_mutex_lock(&fm.lock);
    p->paused = !fm.ready;
    fm.screen_up = true; /* a technician's check still running gives the reader back */
    g_mutex_unlock(&fm.lock);
    devwait_init(&p->wait, "fingerprint-reader");
    if (p->paused)
        devwait_update(&p->wait, SCREEN_SESSION(scr), false, "absent");
    /* what happened while no fingerprint screen was up is history */
    fingerprint_event *ev;
    while ((ev = take_event()) != NULL)
        take_free(ev);
}

static void leave(screen *scr)
{
    priv *p = scr->priv;
    if (p->capturing)
        send_cmd(CMD_CANCEL, NULL, 0);
    g_mutex_lock(&fm.lock);
    fm.screen_up = false;
    g_mutex_unlock(&fm.lock);
    fingerplan_free(p->plan);
    p->plan = NULL;
    clear_shots(p);
}

/* Wipes an attempt's image (biomem). */
static void drop_image(priv *p, int id)
{
    if (id > 0 && (guint)id < p->images->len && p->images->pdata[id] != NULL) {
        fingerimg_free(p->images->pdata[id]);
        p->images->pdata[id] = NULL;
    }
    if (id > 0 && id < (int)G_N_ELEMENTS(p->id_finger))
        p->id_finger[id] = 0;
}

/* The finger is decided (or started again): its attempts' images other than `keep` are wiped. */
static void drop_finger_images(priv *p, int finger, int keep)
{
    for (int id = 1; id < (int)G_N_ELEMENTS(p->id_finger); id++)
        if (p->id_finger[id] == finger && id != keep)
            drop_image(p, id);
}

/* The id of `finger`'s attempt number n since its last restart, 0 when its image is gone. */
static int attempt_id(const priv *p, int finger, int n)
{
    for (int id = (int)G_N_ELEMENTS(p->id_finger) - 1; id > 0; id--)
        if (p->id_finger[id] == finger && p->id_attempt[id] == n)
            return id;
    return 0;
}

static const fingerimg *attempt_image(const priv *p, int finger, int n)
{
    int id = attempt_id(p, finger, n);
    return id > 0 && (guint)id < p->images->len ? p->images->pdata[id] : NULL;
}

static int shot_quality(priv *p, int id)
{
    fingerfeat *f = id > 0 && (guint)id < p->feats->len ? p->feats->pdata[id] : NULL;
    return f ? f->quality : 0;
}

static void on_image(session *s, priv *p, fingerprint_event *ev)
{
    int finger = fingerplan_current(p->plan);
    if (p->phase != PHASE_CAPTURE || finger == FINGERPLAN_NONE)
        return;
    const fingerfeat *kept[FINGERPLAN_FINGERS] = {0};
    for (int f = 1; f < FINGERPLAN_FINGERS; f++) {
        int id = f == finger ? 0 : fingerplan_kept(p->plan, f);
        if (id > 0 && (guint)id < p->feats->len)
            kept[f] = p->feats->pdata[id];
    }
    fingerplan_check check = {FINGERPLAN_UNIQUE, 0, 0};
    if (ev->features != NULL &&
        fingermatch_check(ev->features, finger, kept, NULL, fm.match_threshold, &check) != BK_OK)
        check.result = FINGERPLAN_UNIQUE;
    int quality = ev->features ? ev->features->quality : 0;
    fingerplan_outcome outcome;
    int id = 0;
    bk_err err = fingerplan_attempt(p->plan, quality, &check, &outcome, &id);
    if (err == BK_ERR_CONFLICT) {
        /* every attempt of this finger was rejected: nothing more is taken until the officer
         * restarts the finger or marks it unusable (the review says so) */
        g_message("fingerprints: no attempts left for %s; the officer decides",
                  fingerplan_finger_str(finger));
        p->phase = PHASE_REVIEW;
        p->review = finger;
        return;
    }
    if (err != BK_OK)
        return;
    if ((guint)id >= p->images->len) {
        g_ptr_array_set_size(p->images, id + 1);
        g_ptr_array_set_size(p->feats, id + 1);
    }
    p->images->pdata[id] = ev->image;
    p->feats->pdata[id] = ev->features;
    ev->image = NULL;
    ev->features = NULL;
    if (id < (int)G_N_ELEMENTS(p->id_attempt)) {
        p->id_attempt[id] = fingerplan_attempts(p->plan, finger);
        p->id_finger[id] = finger;
    }
    if (outcome == FINGERPLAN_NOT_UNIQUE)
        drop_image(p, id); /* never shown, never kept */
    if (check.result == FINGERPLAN_UNVERIFIED && id < (int)G_N_ELEMENTS(p->id_unverified)) {
        /* no verdict possible (too few minutiae): the officer is told, never a silent pass */
        p->id_unverified[id] = check.other;
        g_autofree char *detail = g_strdup_printf(
            "finger=%s other=%s n=%d", fingerplan_finger_str(finger),
            fingerplan_finger_str(check.other), fingerplan_attempts(p->plan, finger));
        session_audit(s, "fingerprint.uniqueness-unverified", detail);
    }
    stamp(s, p);
    p->not_unique_other = 0;
    switch (outcome) {
    case FINGERPLAN_AGAIN:
        start_capture(p);
        break;
    case FINGERPLAN_NOT_UNIQUE:
        p->not_unique_other = check.other;
        start_capture(p);
        break;
    case FINGERPLAN_KEPT:
    case FINGERPLAN_BEST_KEPT:
        p->phase = PHASE_REVIEW;
        p->review = finger;
        break;
    }
}

static void on_event(session *s, priv *p, fingerprint_event *ev)
{
    g_debug("reader event: %s", fingerprint_event_str(ev->kind));
    switch (ev->kind) {
    case FINGERPRINT_EVENT_READY:
    case FINGERPRINT_EVENT_READER_ADDED:
        devwait_update(&p->wait, s, true, NULL);
        p->paused = false;
        p->capturing = false;
        p->error = false;
        if (p->phase == PHASE_CAPTURE)
            start_capture(p);
        break;
    case FINGERPRINT_EVENT_READER_REMOVED:
        devwait_update(&p->wait, s, false, "removed");
        p->paused = true;
        p->capturing = false;
        p->present = false;
        break;
    case FINGERPRINT_EVENT_FINGER_NEEDED:
    case FINGERPRINT_EVENT_FINGER_REMOVED:
        p->present = false;
        break;
    case FINGERPRINT_EVENT_FINGER_PRESENT:
        p->present = true; /* a retry's instruction stays until the next image */
        break;
    case FINGERPRINT_EVENT_RETRY:
        p->present = false;
        p->retry = ev->retry <= FINGERPRINT_RETRY_REMOVE ? (int)ev->retry : 0;
        break;
    case FINGERPRINT_EVENT_ERROR:
        if (p->paused)
            break; /* the capture that the removal ended; READER_ADDED restarts it */
        /* the message is for staff; it names the reader's fault, nothing of the person */
        g_warning("fingerprint reader error: %s", ev->text ? ev->text : "?");
        p->capturing = false;
        p->present = false;
        p->error = true;
        break;
    case FINGERPRINT_EVENT_CANCELLED:
        p->capturing = false;
        if (p->phase == PHASE_CAPTURE)
            start_capture(p);
        break;
    case FINGERPRINT_EVENT_IMAGE:
        p->capturing = false;
        p->present = false;
        on_image(s, p, ev);
        break;
    case FINGERPRINT_EVENT_NONE:
        break;
    }
}

static bool input(screen *scr, const SDL_Event *sev)
{
    if (sev->type != fm.wake)
        return false;
    priv *p = scr->priv;
    fingerprint_event *ev;
    while ((ev = take_event()) != NULL) {
        on_event(SCREEN_SESSION(scr), p, ev);
        take_free(ev);
    }
    runner_invalidate(scr->owner);
    return true;
}

static void commit(session *s, priv *p)
{
    takes *t = session_takes(s);
    if (t == NULL)
        return;
    size_t person = flow_current_person(session_flow(s));
    takes_clear_item(t, person, TAKES_ITEM_FINGERPRINTS);
    for (int hand = 0; hand < 2; hand++) {
        int f = fingerplan_hand_finger(p->plan, hand);
        int id = f ? fingerplan_kept(p->plan, f) : 0;
        if (id <= 0 || (guint)id >= p->images->len || p->images->pdata[id] == NULL)
            continue;
        uint8_t *png = NULL;
        size_t len = 0;
        if (encode_png_padded(p->images->pdata[id], &png, &len) != BK_OK) {
            g_warning("fingerprints: cannot encode the print of %s", fingerplan_finger_str(f));
            continue;
        }
        if (takes_set_finger(t, person, (unsigned)f, png, len, shot_quality(p, id)) != BK_OK)
            g_warning("fingerprints: cannot keep the print of %s", fingerplan_finger_str(f));
        biomem_free(png);
    }
    size_t n = fingerplan_log_count(p->plan);
    for (size_t i = 0; i < n; i++) {
        const fingerplan_log_entry *e = fingerplan_log_get(p->plan, i);
        int64_t when = i < TAKES_MAX_LOG ? p->when[i] : session_wall(s);
        takes_attempt a = {.item = TAKES_ITEM_FINGERPRINTS,
                           .position = (unsigned)(e->finger > 0 ? e->finger : 0),
                           .quality = e->quality,
                           .threshold = e->threshold,
                           .veto = 'N',
                           .when = when};
        bk_err err = BK_OK;
        switch (e->kind) {
        case FINGERPLAN_LOG_ATTEMPT:
            a.accepted = e->id == fingerplan_kept(p->plan, e->finger);
            err = takes_add_attempt(t, person, &a);
            break;
        case FINGERPLAN_LOG_VETO_ACCEPT:
        case FINGERPLAN_LOG_VETO_REJECT:
            a.accepted = e->kind == FINGERPLAN_LOG_VETO_ACCEPT;
            a.veto = a.accepted ? 'A' : 'R';
            err = takes_add_attempt(t, person, &a);
            break;
        case FINGERPLAN_LOG_MISSING:
        case FINGERPLAN_LOG_EXCEPTION:
            err = takes_add_exception(t, person, TAKES_ITEM_FINGERPRINTS,
                                      e->kind == FINGERPLAN_LOG_MISSING ? (unsigned)e->finger : 0,
                                      e->permanent, fingerplan_reason_str(e->reason));
            break;
        case FINGERPLAN_LOG_RESTART:
            break;
        }
        if (err != BK_OK)
            g_warning("fingerprints: the record's log is full");
    }
    g_mutex_lock(&fm.lock);
    char name[TAKES_TEXT_MAX];
    g_strlcpy(name, fm.name, sizeof name);
    g_mutex_unlock(&fm.lock);
    /* libfprint reports no serial numbers; the record needs one, so it says so */
    takes_set_device(t, "fingerprint", name[0] ? name : "unknown", "unknown");
    session_capture_done(s); /* the last thing: the screen is replaced */
}

static void start_plan(priv *p)
{
    for (int f = 1; f < FINGERPLAN_FINGERS; f++)
        if (p->marks[f].on)
            fingerplan_mark_missing(p->plan, f, p->marks[f].reason, p->marks[f].permanent);
    go_on(p);
}

/* A finger that fails once the capture has started: marked unusable like a missing finger
 * (reason, temporary or permanent: a log line and an exception in the record), its images
 * wiped, and the plan goes on to the next finger of that hand in the fallback order. */
static void mark_unusable(session *s, priv *p, int finger, fingerplan_reason reason)
{
    if (fingerplan_mark_missing(p->plan, finger, reason, p->permanent) != BK_OK)
        return;
    p->marks[finger] = (mark){true, reason, p->permanent};
    drop_finger_images(p, finger, 0);
    p->unusable = false;
    p->permanent = false;
    p->show_attempts = false;
    p->not_unique_other = 0;
    stamp(s, p);
    /* a capture that waits for this finger is ended; its "cancelled" asks for the next one */
    if (p->capturing)
        send_cmd(CMD_CANCEL, NULL, 0);
    go_on(p);
}

/* The officer's "This finger cannot be used" and its reasons, in the capture and the review.
 * Returns true when `id` was one of them. */
static bool unusable_action(session *s, priv *p, int finger, int id)
{
    if (id == ID_UNUSABLE) {
        p->unusable = !p->unusable;
        return true;
    }
    if (!p->unusable)
        return false;
    if (id == ID_PERMANENT) {
        p->permanent = !p->permanent;
        return true;
    }
    if (id >= ID_REASON && id < ID_REASON + FINGERPLAN_REASON_COUNT_) {
        mark_unusable(s, p, finger, (fingerplan_reason)(id - ID_REASON));
        return true;
    }
    return false;
}

/* No attempt kept and none left: every attempt was rejected. */
static bool dead_end(const priv *p, int finger)
{
    return fingerplan_kept(p->plan, finger) == 0 && fingerplan_attempts_left(p->plan, finger) == 0;
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    priv *p = scr->priv;
    if (devwait_action(&p->wait, s, id))
        return; /* the staff strip: the session may have moved on */
    if (session_language_action(s, id))
        return;
    bool staff = session_staff_active(s);
    if (staff)
        session_staff_touch(s);
    else
        session_touch(s);
    if (p->phase == PHASE_PREPARE && staff) {
        if (id > ID_FINGER && id < ID_FINGER + FINGERPLAN_FINGERS) {
            int f = id - ID_FINGER;
            if (p->marks[f].on)
                p->marks[f].on = false;
            else
                p->selected = p->selected == f ? FINGERPLAN_NONE : f;
            p->exception = false;
        } else if (id >= ID_REASON && id < ID_REASON + FINGERPLAN_REASON_COUNT_) {
            fingerplan_reason r = (fingerplan_reason)(id - ID_REASON);
            if (p->exception) {
                fingerplan_exception(p->plan, r, true);
                stamp(s, p);
                commit(s, p);
                return;
            }
            if (p->selected != FINGERPLAN_NONE)
                p->marks[p->selected] = (mark){true, r, p->permanent};
            p->selected = FINGERPLAN_NONE;
        } else if (id == ID_PERMANENT) {
            p->permanent = !p->permanent;
        } else if (id == ID_EXCEPTION) {
            p->exception = !p->exception;
            p->selected = FINGERPLAN_NONE;
        } else if (id == SCREEN_ID_NEXT) {
            start_plan(p);
            stamp(s, p);
        }
    } else if (p->phase == PHASE_CAPTURE) {
        int f = fingerplan_current(p->plan);
        if (staff && unusable_action(s, p, f, id)) {
            /* handled: the finger is marked, or the reasons are shown or hidden */
        } else if (id == ID_TRY_AGAIN) {
            p->error = false;
            start_capture(p);
        } else if (staff && id == ID_SHOW_ATTEMPTS) {
            p->show_attempts = !p->show_attempts;
        } else if (staff && id > ID_KEEP && id <= ID_KEEP + 10 &&
                   fingerplan_veto(p->plan, f, id - ID_KEEP, true) == BK_OK) {
            /* the officer keeps an earlier attempt: the capture that waits is not needed */
            stamp(s, p);
            if (p->capturing)
                send_cmd(CMD_CANCEL, NULL, 0);
            p->phase = PHASE_REVIEW;
            p->review = f;
        }
    } else if (p->phase == PHASE_REVIEW) {
        int f = p->review;
        int kept = fingerplan_kept(p->plan, f);
        if (staff && unusable_action(s, p, f, id)) {
            /* handled */
        } else if (id == SCREEN_ID_NEXT && dead_end(p, f)) {
            /* nothing to go on with: the officer restarts the finger or marks it unusable */
        } else if (id == SCREEN_ID_NEXT) {
            drop_finger_images(p, f, kept); /* the finger is decided */
            p->show_attempts = false;
            go_on(p);
        } else if (staff && id == ID_REJECT && kept > 0 &&
                   kept < (int)G_N_ELEMENTS(p->id_attempt)) {
            fingerplan_veto(p->plan, f, p->id_attempt[kept], false);
            stamp(s, p);
            /* with attempts left the finger is taken again; with none left (every attempt
             * rejected) the review stays and says what the officer can do */
            if (fingerplan_kept(p->plan, f) == 0 && !dead_end(p, f))
                go_on(p);
        } else if (staff && id > ID_KEEP && id <= ID_KEEP + 10) {
            fingerplan_veto(p->plan, f, id - ID_KEEP, true);
            stamp(s, p);
        } else if (staff && id == ID_RESTART) {
            fingerplan_restart(p->plan, f);
            drop_finger_images(p, f, 0);
            stamp(s, p);
            go_on(p);
        }
    } else if (p->phase == PHASE_DONE) {
        if (id == SCREEN_ID_NEXT) {
            commit(s, p);
            return;
        }
        if (staff && (id == ID_RESTART_HAND || id == ID_RESTART_HAND + 1)) {
            int f = fingerplan_hand_finger(p->plan, id - ID_RESTART_HAND);
            if (f != FINGERPLAN_NONE && fingerplan_restart(p->plan, f) == BK_OK) {
                drop_finger_images(p, f, 0);
                stamp(s, p);
                go_on(p);
            }
        }
    }
    runner_invalidate(scr->owner);
}

/* ---- drawing ------------------------------------------------------------------------------- */

/* Two hands seen from above, palms down as on the reader: the left hand on the left. */
static void draw_hands(ui *u, SDL_Rect r, const priv *p, int current)
{
    static const double len[6] = {0, 0.42, 0.62, 0.70, 0.64, 0.50}; /* by kind, of the height */
    int hw = r.w / 2 - ui_px(u, 20);
    for (int hand = 0; hand < 2; hand++) { /* 0 = left on screen = the left hand */
        int x0 = r.x + hand * (r.w / 2) + ui_px(u, 10);
        int palm_h = r.h * 40 / 100;
        int finger_w = hw / 6;
        SDL_Rect palm = {x0 + finger_w / 2, r.y + r.h - palm_h, finger_w * 4 + finger_w / 2,
                         palm_h};
        ui_fill_round(u, palm, finger_w / 2, UI_COLOR_PANEL);
        fm.hand_x[hand] = palm.x;
        ui_frame(u, palm, 2, UI_COLOR_BORDER);
        for (int k = 1; k <= 5; k++) {
            int f = hand == 0 ? 5 + k : k;
            int h = (int)(len[k] * r.h);
            SDL_Rect fr;
            if (k == FINGERPLAN_THUMB) {
                int tx = hand == 0 ? palm.x + palm.w - finger_w / 4 : palm.x - finger_w * 3 / 4;
                fr = (SDL_Rect){tx, palm.y + palm_h / 5 - h / 2, finger_w, h};
            } else {
                /* from the left: the left hand's little..index, the right hand's index..little */
                int c = hand == 0 ? 5 - k : k - 2;
                fr = (SDL_Rect){palm.x + c * (finger_w + finger_w / 8) + finger_w / 8,
                                palm.y - h + finger_w / 2, finger_w, h};
            }
            ui_color fill = UI_COLOR_PANEL;
            if (p->marks[f].on)
                fill = UI_COLOR_ALERT;
            else if (f == current)
                fill = UI_COLOR_PRIMARY;
            else if (p->plan && p->phase != PHASE_PREPARE && fingerplan_kept(p->plan, f) > 0)
                fill = UI_COLOR_STAFF;
            else if (f == p->selected)
                fill = UI_COLOR_SECONDARY;
            ui_fill_round(u, fr, finger_w / 2, fill);
            ui_frame(u, fr, f == current && p->present ? ui_px(u, 8) : 2, UI_COLOR_BORDER);
        }
        ui_text(u, hand == 0 ? _("Left hand") : _("Right hand"),
                (SDL_Rect){x0, r.y + r.h + ui_px(u, 8), hw, ui_px(u, 40)}, UI_FONT_SMALL,
                UI_COLOR_TEXT, UI_ALIGN_CENTER);
    }
}

/* A bar of `quality` against `threshold`; returns the height used. */
static int draw_bar(ui *u, SDL_Rect r, const char *label, int quality, int threshold, bool kept)
{
    int th = ui_text(u, label, r, UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
    SDL_Rect bar = {r.x, r.y + th + ui_px(u, 4), r.w, ui_px(u, 28)};
    ui_fill(u, bar, UI_COLOR_PANEL);
    SDL_Rect fill = {bar.x, bar.y, bar.w * (quality < 0 ? 0 : quality) / 100, bar.h};
    ui_fill(u, fill, quality >= threshold ? UI_COLOR_PRIMARY : UI_COLOR_ALERT);
    SDL_Rect tick = {bar.x + bar.w * threshold / 100 - ui_px(u, 3), bar.y - ui_px(u, 6),
                     ui_px(u, 6), bar.h + ui_px(u, 12)};
    ui_fill(u, tick, UI_COLOR_TEXT);
    ui_frame(u, bar, kept ? ui_px(u, 5) : 1, UI_COLOR_BORDER);
    return th + bar.h + ui_px(u, 16);
}

/* An attempt's image scaled into box (aspect kept, centred). The grey pixels go through a
 * biomem buffer (wiped) into a texture that lives for this one frame. Returns true when drawn. */
static bool draw_print(ui *u, SDL_Rect box, const fingerimg *img)
{
    if (img == NULL || box.w < 2 || box.h < 2)
        return false;
    double k = MIN((double)box.w / img->width, (double)box.h / img->height);
    int w = MAX(1, (int)(img->width * k)), h = MAX(1, (int)(img->height * k));
    uint8_t *rgb = biomem_alloc((size_t)w * (size_t)h * 3);
    if (rgb == NULL)
        return false;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = img->pix + (size_t)MIN(img->height - 1, (int)(y / k)) * img->width;
        for (int x = 0; x < w; x++)
            memset(rgb + ((size_t)y * w + x) * 3, row[MIN(img->width - 1, (int)(x / k))], 3);
    }
    bool ok = false;
    SDL_Texture *tex =
        SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STATIC, w, h);
    if (tex != NULL && SDL_UpdateTexture(tex, NULL, rgb, w * 3) == 0) {
        SDL_Rect dst = {box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h};
        ok = SDL_RenderCopy(u->renderer, tex, NULL, &dst) == 0;
    }
    if (tex != NULL)
        SDL_DestroyTexture(tex);
    biomem_free(rgb);
    return ok;
}

/* Each attempt of finger f side by side: its image, its quality bar against the threshold and,
 * for staff, the image as a target that keeps that attempt. The kept (or, while capturing, the
 * best so far) is framed and marked. Returns the height used. */
static int draw_attempt_images(ui *u, SDL_Rect r, const priv *p, int f, bool staff)
{
    int n = fingerplan_attempts(p->plan, f);
    int kept = fingerplan_kept(p->plan, f);
    int thr = fingerplan_threshold(p->plan, f);
    int gap = ui_px(u, 12);
    int cols = MAX(3, n);
    int cw = (r.w - (cols - 1) * gap) / cols;
    int th = MAX(u->target, MIN(cw * 5 / 4, r.h - ui_px(u, 130))); /* room for label and bar */
    int best = 0, best_q = -1;
    for (int i = 1; i <= n; i++) {
        int q = fingerplan_attempt_quality(p->plan, f, i);
        if (kept > 0 && kept < (int)G_N_ELEMENTS(p->id_attempt) && p->id_attempt[kept] == i)
            best = i, best_q = 101;
        else if (kept == 0 && q > best_q && fingerplan_attempts_left(p->plan, f) > 0)
            best = i, best_q = q; /* not when every attempt was rejected */
    }
    int used = 0;
    fm.thumbs_drawn = 0;
    for (int i = 1; i <= n; i++) {
        int q = fingerplan_attempt_quality(p->plan, f, i);
        int x = r.x + (i - 1) * (cw + gap);
        if (u->rtl)
            x = r.x + r.w - (i - 1) * (cw + gap) - cw;
        SDL_Rect box = {x, r.y, cw, th};
        ui_fill(u, box, UI_COLOR_PANEL);
        if (draw_print(u, box, attempt_image(p, f, i)))
            fm.thumbs_drawn++;
        ui_frame(u, box, i == best ? ui_px(u, 6) : 1,
                 i == best ? UI_COLOR_PRIMARY : UI_COLOR_BORDER);
        if (staff) {
            char label[64];
            g_snprintf(label, sizeof label, _("Attempt %d"), i);
            ui_add_hit(u, box, ID_KEEP + i, label);
        }
        char line[160];
        g_snprintf(line, sizeof line, _("Attempt %d: quality %d of 100, needed %d"), i, q, thr);
        if (i == best) {
            g_strlcat(line, " - ", sizeof line);
            g_strlcat(line, kept > 0 ? _("kept") : _("best so far"), sizeof line);
        }
        int h = th + ui_px(u, 8) +
                draw_bar(u, (SDL_Rect){x, r.y + th + ui_px(u, 8), cw, r.h - th}, line, q, thr,
                         i == best && kept > 0);
        used = MAX(used, h);
    }
    return used;
}

static int draw_attempts(ui *u, SDL_Rect r, const priv *p, int f)
{
    int y = r.y;
    int n = fingerplan_attempts(p->plan, f);
    int kept = fingerplan_kept(p->plan, f);
    int thr = fingerplan_threshold(p->plan, f);
    for (int i = 1; i <= n; i++) {
        int q = fingerplan_attempt_quality(p->plan, f, i);
        bool is_kept = false;
        for (int id = 1; kept > 0 && id < (int)G_N_ELEMENTS(p->id_attempt); id++)
            if (id == kept && p->id_attempt[id] == i)
                is_kept = true;
        char line[160];
        g_snprintf(line, sizeof line, _("Attempt %d: quality %d of 100, needed %d"), i, q, thr);
        if (is_kept) {
            g_strlcat(line, " - ", sizeof line);
            g_strlcat(line, _("kept"), sizeof line);
        }
        y += draw_bar(u, (SDL_Rect){r.x, y, r.w, r.h - (y - r.y)}, line, q, thr, is_kept);
    }
    return y - r.y;
}

/* The officer's "This finger cannot be used" (capture and review) and, once tapped, the reasons
 * and the permanent tick as before the capture. Returns the y below. */
static int draw_unusable(ui *u, SDL_Rect side, int y, const priv *p)
{
    int gap = ui_px(u, 12);
    button_draw(u, (SDL_Rect){side.x, y, side.w / 2 - gap, u->target},
                _("This finger cannot be used"), ID_UNUSABLE,
                p->unusable ? BUTTON_PRIMARY : BUTTON_ALERT);
    y += u->target + gap;
    if (!p->unusable)
        return y;
    y += ui_text(u, _("Why can this finger not be used?"), (SDL_Rect){side.x, y, side.w, u->target},
                 UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START) +
         gap;
    int rw = (side.w - 3 * gap) / FINGERPLAN_REASON_COUNT_;
    for (int i = 0; i < FINGERPLAN_REASON_COUNT_; i++)
        button_draw(u, (SDL_Rect){side.x + i * (rw + gap), y, rw, u->target}, _(reason_names[i]),
                    ID_REASON + i, BUTTON_STAFF);
    y += u->target + gap;
    checkbox_draw(u, (SDL_Rect){side.x, y, side.w / 2 - gap, u->target},
                  _("Permanent (not temporary)"), p->permanent, ID_PERMANENT);
    return y + u->target + gap;
}

/* The finger the kept print of `finger` could not be checked against, 0 when it was. */
static int unverified_with(const priv *p, int finger)
{
    int id = fingerplan_kept(p->plan, finger);
    return id > 0 && id < (int)G_N_ELEMENTS(p->id_unverified) ? p->id_unverified[id] : 0;
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    priv *p = scr->priv;
    bool staff = session_staff_active(s);
    fm.thumbs_drawn = 0;
    SDL_Rect r = session_draw_frame(s, u, _("Fingerprints"), true);
    int current = p->phase == PHASE_CAPTURE  ? fingerplan_current(p->plan)
                  : p->phase == PHASE_REVIEW ? p->review
                                             : FINGERPLAN_NONE;
    SDL_Rect hands = ui_mirror(u, (SDL_Rect){r.x, r.y, r.w * 2 / 5, r.h * 11 / 20});
    draw_hands(u, hands, p, current);
    /* the main button goes under the hands, clear of the officer's buttons */
    SDL_Rect left = {r.x, r.y, r.w * 2 / 5, r.h}; /* screens_main_button mirrors it itself */
    SDL_Rect side = ui_mirror(
        u, (SDL_Rect){r.x + r.w * 2 / 5 + ui_px(u, 40), r.y, r.w * 3 / 5 - ui_px(u, 40), r.h});
    int y = side.y;
    int gap = ui_px(u, 12);
    int bw = side.w / 2 - gap;
#define LINE(text, color)                                                                          \
    (y += ui_text(u, (text), (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, UI_FONT_BODY,   \
                  (color), UI_ALIGN_START) +                                                       \
          gap)

    if (p->phase == PHASE_PREPARE) {
        LINE(_("The desk officer checks your hands before the fingerprints are taken."),
             UI_COLOR_TEXT);
        if (!staff)
            return;
        LINE(_("Mark fingers that are missing or cannot be used: choose the finger, then the "
               "reason."),
             UI_COLOR_TEXT);
        int x = side.x, row = 0;
        for (int f = 1; f < FINGERPLAN_FINGERS; f++) {
            if (f == FINGERPLAN_RIGHT_LITTLE || f == FINGERPLAN_LEFT_LITTLE)
                continue;
            char label[128];
            if (p->marks[f].on)
                g_snprintf(label, sizeof label, "%s: %s", _(finger_names[f]),
                           _(reason_names[p->marks[f].reason]));
            else
                g_strlcpy(label, _(finger_names[f]), sizeof label);
            SDL_Rect b = {x + (row % 2) * (side.w / 2), y, side.w / 2 - gap, u->target};
            button_draw(u, b, label, ID_FINGER + f,
                        f == p->selected ? BUTTON_PRIMARY
                        : p->marks[f].on ? BUTTON_ALERT
                                         : BUTTON_STAFF);
            if (row % 2 == 1)
                y += u->target + gap;
            row++;
        }
        y += gap;
        if (p->selected != FINGERPLAN_NONE || p->exception) {
            LINE(p->exception ? _("Why can this person not give fingerprints?")
                              : _("Why can this finger not be used?"),
                 UI_COLOR_TEXT);
            int rw = (side.w - 3 * gap) / FINGERPLAN_REASON_COUNT_;
            for (int i = 0; i < FINGERPLAN_REASON_COUNT_; i++)
                button_draw(u, (SDL_Rect){side.x + i * (rw + gap), y, rw, u->target},
                            _(reason_names[i]), ID_REASON + i, BUTTON_STAFF);
            y += u->target + gap;
        }
        checkbox_draw(u, (SDL_Rect){side.x, y, side.w / 2 - gap, u->target},
                      _("Permanent (not temporary)"), p->permanent || p->exception, ID_PERMANENT);
        button_draw(u, (SDL_Rect){side.x + side.w / 2, y, side.w / 2 - gap, u->target},
                    _("Cannot give fingerprints"), ID_EXCEPTION,
                    p->exception ? BUTTON_PRIMARY : BUTTON_ALERT);
        screens_main_button(u, left, _("Start the fingerprints"), SCREEN_ID_NEXT);
        return;
    }

    if (p->paused) {
        LINE(_("The fingerprint reader is not connected. Please wait: the desk officer will "
               "help you."),
             UI_COLOR_ALERT);
        devwait_draw(&p->wait, s, u, r);
        return;
    }

    if (p->phase == PHASE_CAPTURE) {
        LINE(_("Place this finger flat on the reader:"), UI_COLOR_TEXT);
        LINE(_(finger_names[current]), UI_COLOR_TEXT);
        if (p->not_unique_other > 0) {
            LINE(_("This print matches a finger that was already taken:"), UI_COLOR_ALERT);
            LINE(_(finger_names[p->not_unique_other]), UI_COLOR_ALERT);
            LINE(_("Please use the finger shown."), UI_COLOR_ALERT);
        }
        if (p->error) {
            LINE(_("The fingerprint reader has a problem. Please wait: the desk officer will help "
                   "you."),
                 UI_COLOR_ALERT);
            button_draw(u, (SDL_Rect){side.x, y, bw, u->target}, _("Try the reader again"),
                        ID_TRY_AGAIN, BUTTON_STAFF);
            y += u->target + gap;
        } else {
            if (p->retry >= 0)
                LINE(_(retry_texts[p->retry]), UI_COLOR_ALERT);
            if (p->present)
                LINE(_("Finger detected. Keep it still."), UI_COLOR_TEXT);
        }
        if (staff && fingerplan_attempts(p->plan, current) > 0) {
            button_draw(u, (SDL_Rect){side.x, y, bw, u->target},
                        p->show_attempts ? _("Hide the attempts") : _("Show the attempts"),
                        ID_SHOW_ATTEMPTS, BUTTON_STAFF);
            y += u->target + gap;
        }
        if (staff)
            y = draw_unusable(u, side, y, p);
        if (staff && p->show_attempts)
            draw_attempt_images(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, p, current,
                                staff);
        else
            draw_attempts(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, p, current);
        return;
    }

    if (p->phase == PHASE_REVIEW) {
        LINE(_(finger_names[p->review]), UI_COLOR_TEXT);
        bool stuck = dead_end(p, p->review);
        if (stuck && staff)
            LINE(_("Every attempt of this finger was rejected. Restart the finger, or mark it as a "
                   "finger that cannot be used."),
                 UI_COLOR_ALERT);
        else if (stuck)
            LINE(_("Please wait: the desk officer will help you."), UI_COLOR_ALERT);
        int other = unverified_with(p, p->review);
        if (staff && other > 0) {
            char line[200];
            g_snprintf(line, sizeof line, "%s: %s", _("Uniqueness could not be verified against"),
                       _(finger_names[other]));
            LINE(line, UI_COLOR_ALERT);
        }
        /* the officer's buttons: reject/restart, keep, "cannot be used" and its reasons */
        int below = staff ? (p->unusable ? 6 : 3) * (u->target + gap) : 0;
        y += draw_attempt_images(u,
                                 (SDL_Rect){side.x, y, side.w, side.h - (y - side.y) - below - gap},
                                 p, p->review, staff) +
             gap;
        if (staff) {
            int kept = fingerplan_kept(p->plan, p->review);
            int n = fingerplan_attempts(p->plan, p->review);
            int x = side.x;
            if (kept > 0) {
                button_draw(u, (SDL_Rect){x, y, bw, u->target}, _("Reject the kept print"),
                            ID_REJECT, BUTTON_ALERT);
                x += bw + gap;
            }
            button_draw(u, (SDL_Rect){x, y, bw, u->target}, _("Restart this finger"), ID_RESTART,
                        BUTTON_STAFF);
            y += u->target + gap;
            y = draw_unusable(u, side, y, p);
            x = side.x;
            int kw = (side.w - 2 * gap) / 3; /* three fit in a row (every attempt rejected) */
            for (int i = 1; i <= n && i <= 10; i++) {
                if (kept > 0 && kept < (int)G_N_ELEMENTS(p->id_attempt) && p->id_attempt[kept] == i)
                    continue;
                char label[96];
                g_snprintf(label, sizeof label, _("Keep attempt %d"), i);
                if (x + kw > side.x + side.w) {
                    x = side.x;
                    y += u->target + gap;
                }
                button_draw(u, (SDL_Rect){x, y, kw, u->target}, label, ID_KEEP + i, BUTTON_STAFF);
                x += kw + gap;
            }
        }
        if (!stuck)
            screens_main_button(u, left, _("Continue"), SCREEN_ID_NEXT);
        return;
    }

    /* PHASE_DONE */
    LINE(_("These prints are kept:"), UI_COLOR_TEXT);
    for (int hand = 0; hand < 2; hand++) {
        int f = fingerplan_hand_finger(p->plan, hand);
        if (f == FINGERPLAN_NONE) {
            LINE(hand == 0 ? _("Right hand: no print") : _("Left hand: no print"), UI_COLOR_TEXT);
            continue;
        }
        int id = fingerplan_kept(p->plan, f);
        char line[160];
        char q[96];
        g_snprintf(q, sizeof q, _("Quality %d of 100, needed %d"), shot_quality(p, id),
                   fingerplan_threshold(p->plan, f));
        g_snprintf(line, sizeof line, "%s: %s", _(finger_names[f]), q);
        y += draw_bar(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, line,
                      shot_quality(p, id), fingerplan_threshold(p->plan, f), true);
        int other = unverified_with(p, f);
        if (staff && other > 0) {
            g_snprintf(line, sizeof line, "%s: %s", _("Uniqueness could not be verified against"),
                       _(finger_names[other]));
            LINE(line, UI_COLOR_ALERT);
        }
        if (staff) {
            g_snprintf(line, sizeof line, "%s: %s", _("Restart"), _(finger_names[f]));
            button_draw(u, (SDL_Rect){side.x, y, bw, u->target}, line, ID_RESTART_HAND + hand,
                        BUTTON_STAFF);
            y += u->target + gap;
        }
    }
    screens_main_button(u, left, _("Accept the fingerprints"), SCREEN_ID_NEXT);
#undef LINE
}

/* While the reader is away: redraw each second (the staff strip counts the seconds). */
static int64_t update(screen *scr, int64_t now_ms)
{
    (void)now_ms;
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (!devwait_away(&p->wait))
        return -1;
    int64_t away = devwait_away_ms(&p->wait, s);
    if (away / 1000 != p->away_shown) {
        p->away_shown = away / 1000;
        runner_invalidate(scr->owner);
    }
    return 1000 - away % 1000;
}

static void status(char *buf, size_t size)
{
    g_mutex_lock(&fm.lock);
    if (fm.ready)
        g_snprintf(buf, size, "fingerprint: %s ready", fm.name);
    else
        g_snprintf(buf, size, "fingerprint: no reader connected");
    g_mutex_unlock(&fm.lock);
}

/* ---- the technician's check (ui/capture.h) ------------------------------------------------ */

#define CHECK_ASK_MS    10000 /* the reader asks for the finger (the self-test's READER_OPEN_MS) */
#define CHECK_FINGER_MS 30000 /* the technician places it (the self-test's FINGER_WAIT_MS) */
#define CHECK_CANCEL_MS 2000

/* Under fm.lock. A NULL run is never cancelled (the check's own clean-up). */
static bool check_cancelled(const capture_check_run *run)
{
    return run && ((run->cancel && g_atomic_int_get(run->cancel)) || fm.screen_up);
}

/* The check's next event of kind `want`, an error or the reader's removal, within timeout_ms;
 * NULL when none came, the technician left or the fingerprint step came on screen (transfer
 * full: take_free). */
static fingerprint_event *check_wait(const capture_check_run *run, int timeout_ms,
                                     fingerprint_event_kind want)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
    fingerprint_event *got = NULL;
    g_mutex_lock(&fm.lock);
    while (got == NULL && !check_cancelled(run)) {
        fingerprint_event *ev = g_queue_pop_head(&fm.check_queue);
        if (ev == NULL) {
            gint64 now = g_get_monotonic_time();
            if (now >= end)
                break;
            /* in slices, so that a cancel is seen at once */
            g_cond_wait_until(&fm.cond, &fm.lock, MIN(end, now + 100 * G_TIME_SPAN_MILLISECOND));
        } else if (ev->kind == want || ev->kind == FINGERPRINT_EVENT_ERROR ||
                   ev->kind == FINGERPRINT_EVENT_READER_REMOVED) {
            got = ev;
        } else {
            take_free(ev);
        }
    }
    g_mutex_unlock(&fm.lock);
    return got;
}

static void check_report(const capture_check_run *run, capture_check_status st, gint64 t0,
                         const char *action, const char *value)
{
    capture_check_result r = {
        .name = "fingerprint.capture",
        .status = st,
        .value = value,
        .action = action,
        .duration_ms = t0 ? (double)(g_get_monotonic_time() - t0) / 1000.0 : 0,
    };
    run->result(run->data, &r);
}

/* fingerprint.capture as `biokiosk selftest --interactive` makes it, on the reader the module
 * holds: a capture on the reader's thread, the prompt when the reader asks for the finger, the
 * image's quality. Nothing of the image is kept or logged. */
static bk_err finger_check(const capture_check_run *run)
{
    g_mutex_lock(&fm.lock);
    if (fm.screen_up || fm.checking) {
        g_mutex_unlock(&fm.lock);
        return BK_ERR_BUSY;
    }
    bool ready = fm.ready;
    fm.checking = ready && run->hands_on;
    /* what came before the check is not the check's */
    fingerprint_event *old;
    while ((old = g_queue_pop_head(&fm.check_queue)) != NULL)
        take_free(old);
    g_mutex_unlock(&fm.lock);
    if (!run->hands_on) {
        check_report(run, CAPTURE_CHECK_SKIP, 0, NULL, "Only with the hands-on steps.");
        return BK_OK;
    }
    if (!ready) {
        check_report(run, CAPTURE_CHECK_SKIP, 0, NULL, "Skipped: no reader.");
        return BK_OK;
    }
    g_message("technician's check: finger capture started");
    gint64 t0 = g_get_monotonic_time();
    send_cmd(CMD_CAPTURE, NULL, 0);
    /* the prompt comes when the reader waits for the finger, not before */
    fingerprint_event *ev = check_wait(run, CHECK_ASK_MS, FINGERPRINT_EVENT_FINGER_NEEDED);
    bool prompted = false;
    if (ev && ev->kind == FINGERPRINT_EVENT_FINGER_NEEDED) {
        take_free(ev);
        run->prompt(run->data, N_("Fingerprint reader: place a finger on the reader now (30 s)."));
        prompted = true;
        ev = check_wait(run, CHECK_FINGER_MS, FINGERPRINT_EVENT_IMAGE);
    }
    bool done = ev != NULL; /* the capture ended by itself (image, error, reader gone) */
    if (ev && ev->kind == FINGERPRINT_EVENT_IMAGE && ev->image && ev->features) {
        g_autofree char *value =
            g_strdup_printf("an image of %dx%d, quality %d, %d minutiae", ev->image->width,
                            ev->image->height, ev->features->quality, ev->features->n_minutiae);
        capture_check_result r = {
            .name = "fingerprint.capture",
            .status = CAPTURE_CHECK_PASS,
            .value = value,
            .has_number = true,
            .number = ev->features->quality,
            .unit = "quality",
            .duration_ms = (double)(g_get_monotonic_time() - t0) / 1000.0,
        };
        run->result(run->data, &r);
        g_message("technician's check: finger capture passed");
    } else {
        g_mutex_lock(&fm.lock);
        bool cancelled = check_cancelled(run);
        g_mutex_unlock(&fm.lock);
        const char *why = ev && ev->text ? ev->text
                          : ev && ev->kind == FINGERPRINT_EVENT_READER_REMOVED
                              ? "the reader was unplugged"
                          : cancelled ? "cancelled"
                          : prompted  ? "no finger within 30 s"
                                      : "the reader did not ask for a finger within 10 s";
        g_autofree char *value = g_strdup_printf("no image: %s", why);
        check_report(run, CAPTURE_CHECK_FAIL, t0,
                     "Clean the reader's glass and try again; replace the reader if this "
                     "repeats.",
                     value);
        g_message("technician's check: finger capture failed (%s)",
                  cancelled ? "cancelled" : "no image");
    }
    if (ev)
        take_free(ev);
    if (prompted)
        run->prompt(run->data, NULL);
    if (!done) {
        /* the capture still waits: end it before the reader is given back */
        send_cmd(CMD_CANCEL, NULL, 0);
        fingerprint_event *c = check_wait(NULL, CHECK_CANCEL_MS, FINGERPRINT_EVENT_CANCELLED);
        if (c)
            take_free(c);
    }
    g_mutex_lock(&fm.lock);
    fm.checking = false;
    while ((old = g_queue_pop_head(&fm.check_queue)) != NULL)
        take_free(old);
    bool step = fm.screen_up;
    if (step) {
        /* the step came on screen meanwhile: a capture it asked for was refused (the reader was
         * busy with the check); "cancelled" makes it ask again */
        fingerprint_event *c = g_new0(fingerprint_event, 1);
        c->kind = FINGERPRINT_EVENT_CANCELLED;
        g_queue_push_tail(&fm.queue, c);
    }
    g_mutex_unlock(&fm.lock);
    if (step) {
        SDL_Event wake = {0};
        wake.type = fm.wake;
        SDL_PushEvent(&wake);
    }
    return BK_OK;
}

static const screen_class finger_screen = {
    .name = "capture-finger",
    .applicant = true,
    .priv_size = sizeof(priv),
    .enter = enter,
    .exit = leave,
    .input = input,
    .action = action,
    .update = update,
    .draw = draw,
    .events = fm.events,
};

static const capture_class finger_capture = {
    .item = FLOW_ITEM_FINGERPRINTS,
    .screen = &finger_screen,
    .status = status,
    .check = finger_check,
};

/* ---- script commands ---------------------------------------------------------------------- */

typedef struct answers {
    unsigned n[FINGERPRINT_EVENT_CANCELLED + 1];
} answers;

static answers answers_now(void)
{
    answers a;
    g_mutex_lock(&fm.lock);
    memcpy(a.n, fm.answers, sizeof a.n);
    g_mutex_unlock(&fm.lock);
    return a;
}

/* Waits in real time until the reader answered with one of `kinds` (0-terminated) after
 * `before`, then lets the screens handle it. */
static bk_err wait_answer(script *sc, const answers *before, const fingerprint_event_kind *kinds,
                          const char *what)
{
    gint64 end = g_get_monotonic_time() + ANSWER_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    bool got = false;
    g_mutex_lock(&fm.lock);
    while (!got) {
        for (const fingerprint_event_kind *k = kinds; *k; k++)
            if (fm.answers[*k] != before->n[*k])
                got = true;
        if (!got && !g_cond_wait_until(&fm.cond, &fm.lock, end))
            break;
    }
    bool ready = fm.ready;
    g_mutex_unlock(&fm.lock);
    script_settle(sc);
    /* where it stuck, for a failure that is hard to repeat: the reader not open yet, or open
     * but never asking for a finger, or asking and getting nothing back (waiting_finger is the
     * reader thread's: read once, for the message only) */
    if (!got)
        return script_fail(sc,
                           "the fingerprint reader did not answer %s within %d s (reader %s, "
                           "%s)",
                           what, ANSWER_WAIT_MS / 1000, ready ? "ready" : "not ready",
                           fm.waiting_finger ? "asking for a finger" : "not asking for a finger");
    return BK_OK;
}

static bk_err load_image(script *sc, const char *spec, fingerimg **out)
{
    if (g_str_has_prefix(spec, "synthetic:")) {
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
    const char *why = NULL;
    if (fingerimg_load(spec, out, &why) != BK_OK)
        return script_fail(sc, "finger: %s: %s", spec, why ? why : "cannot read the image");
    return BK_OK;
}

static bk_err need_feed(script *sc)
{
    if (fm.socket == NULL)
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
    send_cmd(CMD_QUEUE_IMAGE, img, 0);
    static const fingerprint_event_kind kinds[] = {FINGERPRINT_EVENT_IMAGE, FINGERPRINT_EVENT_RETRY,
                                                   FINGERPRINT_EVENT_ERROR,
                                                   FINGERPRINT_EVENT_READER_REMOVED, 0};
    return wait_answer(sc, &before, kinds, "with an image");
}

static bk_err cmd_simple(script *sc, cmd_kind kind, fingerprint_event_kind k1,
                         fingerprint_event_kind k2, const char *what, int arg)
{
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    answers before = answers_now();
    send_cmd(kind, NULL, arg);
    const fingerprint_event_kind kinds[] = {k1, k2, 0};
    return wait_answer(sc, &before, kinds, what);
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
    return cmd_simple(sc, CMD_RETRY, FINGERPRINT_EVENT_RETRY, 0, "with a retry", code);
}

static bk_err cmd_finger_error(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return cmd_simple(sc, CMD_ERROR, FINGERPRINT_EVENT_ERROR, 0, "with an error", 0);
}

static bk_err cmd_reader_unplug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return cmd_simple(sc, CMD_UNPLUG, FINGERPRINT_EVENT_READER_REMOVED, 0, "by going away", 0);
}

static bk_err cmd_reader_plug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return cmd_simple(sc, CMD_PLUG, FINGERPRINT_EVENT_READER_ADDED, FINGERPRINT_EVENT_READY,
                      "by coming back", 0);
}

/* The demo's automatic fingers (as in a window, not scripted): from now on every "finger needed"
 * with nothing queued gets a synthetic print of the finger asked for. */
static unsigned auto_seen; /* images the script has waited for since finger-auto */

static bk_err cmd_finger_auto(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    if (need_feed(sc) != BK_OK)
        return BK_ERR_INVALID;
    auto_seen = answers_now().n[FINGERPRINT_EVENT_IMAGE];
    send_cmd(CMD_AUTO, NULL, 0);
    script_settle(sc);
    return BK_OK;
}

/* Waits (real time) for the next image the reader delivers by itself, then settles. */
static bk_err cmd_finger_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    answers before = answers_now();
    before.n[FINGERPRINT_EVENT_IMAGE] = auto_seen;
    static const fingerprint_event_kind kinds[] = {FINGERPRINT_EVENT_IMAGE, 0};
    bk_err err = wait_answer(sc, &before, kinds, "with an image by itself");
    if (err == BK_OK)
        auto_seen++;
    return err;
}

/* The screen shows N attempt images, each a target "Attempt i" (staff). */
static bk_err cmd_expect_finger_images(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    char *end = NULL;
    long n = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || n < 0)
        return script_fail(sc, "expect-finger-images needs a number");
    script_settle(sc);
    if (fm.thumbs_drawn != n)
        return script_fail(sc, "expected %ld attempt images, the screen shows %d", n,
                           fm.thumbs_drawn);
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
    (void)argc;
    (void)argv;
    (void)rest;
    script_settle(sc);
    const ui *u = session_ui(script_session(sc));
    if (fm.hand_x[0] >= fm.hand_x[1])
        return script_fail(sc, "the left hand is drawn at x=%d, right of the right hand at x=%d",
                           fm.hand_x[0], fm.hand_x[1]);
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

/* ---- setup --------------------------------------------------------------------------------- */

bk_err capture_finger_setup(const capture_finger_settings *set, char **message)
{
    if (fm.up)
        return BK_ERR_EXISTS;
    fingerplan *check = NULL;
    if (fingerplan_new(&set->plan, &check) != BK_OK) {
        if (message)
            *message = g_strdup("[fingerprint] thresholds 0-100, attempts 1-10, and the "
                                "fallback order thumb, middle, ring each once");
        return BK_ERR_INVALID;
    }
    fingerplan_free(check);
    fm.plan = set->plan;
    fm.match_threshold =
        set->match_threshold > 0 ? set->match_threshold : FINGERMATCH_DEFAULT_THRESHOLD;
    fm.driver = set->driver && set->driver[0] ? g_strdup(set->driver) : NULL;
    fm.socket =
        set->virtual_socket && set->virtual_socket[0] ? g_strdup(set->virtual_socket) : NULL;
    fm.scripted = set->scripted;
    fm.assume_ppi = set->assume_ppi;
    if (fm.socket != NULL) {
        /* libfprint reads it when the worker creates its FpContext */
        g_setenv("FP_VIRTUAL_IMAGE", fm.socket, TRUE);
        if (fm.driver == NULL)
            fm.driver = g_strdup("virtual_image");
    }
    fm.wake = SDL_RegisterEvents(1);
    fm.events[0] = fm.wake;
    fm.events[1] = 0;
    g_mutex_init(&fm.lock);
    g_cond_init(&fm.cond);
    g_queue_init(&fm.queue);
    g_queue_init(&fm.check_queue);
    bk_err err = capture_register(&finger_capture);
    if (err != BK_OK) {
        g_free(fm.driver);
        g_free(fm.socket);
        if (message)
            *message = g_strdup("a fingerprint screen is registered already");
        return err;
    }
    script_register("finger", 1, 1, cmd_finger, "finger IMAGE|synthetic:N[:again:K|:smudge]");
    script_register("finger-retry", 0, 1, cmd_finger_retry,
                    "finger-retry [general|too-short|centre|remove]");
    script_register("finger-error", 0, 0, cmd_finger_error, "finger-error");
    script_register("reader-unplug", 0, 0, cmd_reader_unplug, "reader-unplug");
    script_register("reader-plug", 0, 0, cmd_reader_plug, "reader-plug");
    script_register("finger-auto", 0, 0, cmd_finger_auto, "finger-auto");
    script_register("finger-wait", 0, 0, cmd_finger_wait, "finger-wait");
    script_register("expect-finger-images", 1, 1, cmd_expect_finger_images,
                    "expect-finger-images N");
    script_register("expect-finger-hands", 0, 0, cmd_expect_finger_hands, "expect-finger-hands");
    /* libfprint enumerates devices by iterating GLib's global default context, so the reader's
     * thread owns that one (nothing else in the kiosk runs it) */
    fm.ctx = g_main_context_ref(g_main_context_default());
    fm.up = true;
    fm.thread = g_thread_new("fingerprint", worker, NULL);
    return BK_OK;
}

void capture_finger_teardown(void)
{
    if (!fm.up)
        return;
    send_cmd(CMD_QUIT, NULL, 0);
    g_thread_join(fm.thread);
    fm.up = false;
    fingerprint_event *ev;
    while ((ev = take_event()) != NULL)
        take_free(ev);
    while ((ev = g_queue_pop_head(&fm.check_queue)) != NULL)
        take_free(ev);
    g_main_context_unref(fm.ctx);
    g_mutex_clear(&fm.lock);
    g_cond_clear(&fm.cond);
    g_free(fm.driver);
    g_free(fm.socket);
    fm.driver = fm.socket = NULL;
}
