/* The signature service (signature.h): the pad's worker, the queue, the ink. The technician
 * check is in signature_check.c. */
#include "capture/signature.h"

#include <string.h>

#include <glib.h>

#include "capture/signature-priv.h"
#include "core/biomem.h"

#define QUEUE_CAP 4096 /* pad events waiting for the screen: 20 s of a 200 Hz pad */

bk_err signature_source_parse(const char *text, signature_source *out)
{
    static const char *const names[] = {"auto", "pad", "touch"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (text && strcmp(text, names[i]) == 0) {
            *out = (signature_source)i;
            return BK_OK;
        }
    return BK_ERR_INVALID;
}

signature_service *signature_service_new(const signature_service_settings *settings, char **message)
{
    if (settings == NULL || settings->source > SIGNATURE_SOURCE_TOUCH) {
        if (message)
            *message = g_strdup("[signature] source: auto, pad or touch");
        return NULL;
    }
    signature_service *svc = g_new0(signature_service, 1);
    svc->source = settings->source;
    svc->wake = settings->wake;
    svc->wake_data = settings->wake_data;
    g_mutex_init(&svc->lock);
    g_cond_init(&svc->cond);
    return svc;
}

void signature_service_free(signature_service *svc)
{
    if (svc == NULL)
        return;
    signature_service_end(svc);
    if (svc->thread) {
        g_mutex_lock(&svc->lock);
        svc->quit = true;
        g_cond_broadcast(&svc->cond);
        g_mutex_unlock(&svc->lock);
        g_thread_join(svc->thread); /* it closes the pad first */
    }
    g_cond_clear(&svc->cond);
    g_mutex_clear(&svc->lock);
    g_free(svc);
}

void signature_service_set_wake(signature_service *svc, void (*wake)(void *data), void *data)
{
    g_mutex_lock(&svc->lock);
    svc->wake = wake;
    svc->wake_data = data;
    g_mutex_unlock(&svc->lock);
}

signature_source signature_service_source(const signature_service *svc)
{
    return svc->source;
}

/* Under lock: something waits for the owner. Returns the wake function to call once the lock
 * is let go (NULL: the owner was woken already and has not drained since). */
static void (*owner_wake(signature_service *svc))(void *)
{
    bool wake = !svc->wake_pending;
    svc->wake_pending = true;
    return wake ? svc->wake : NULL;
}

/* Under lock: the open's answer for the owner, unless the owner let go meanwhile. */
static void (*answer(signature_service *svc, signature_event_type type, bk_err err))(void *)
{
    if (!svc->keep)
        return NULL;
    svc->answered = true;
    svc->answer = type;
    svc->answer_err = err;
    if (type != SIGNATURE_EVENT_OPENED)
        svc->keep = false;
    return owner_wake(svc);
}

/* Called with the lock held; returns with it held. Opens the pad (the lock let go meanwhile) and
 * answers the owner. Returns the wake function to call. */
static void (*worker_open(signature_service *svc))(void *)
{
    svc->requested = false;
    if (svc->checking)
        return answer(svc, SIGNATURE_EVENT_BUSY, BK_ERR_BUSY);
    if (svc->pad) /* let go by the step, asked for again before the worker closed it */
        return answer(svc, SIGNATURE_EVENT_OPENED, BK_OK);
    svc->opening = true;
    g_mutex_unlock(&svc->lock);
    sigpad *pad = NULL;
    bk_err err = sigpad_open(&pad);
    sigpad_event *queue = err == BK_OK ? biomem_calloc(QUEUE_CAP, sizeof *queue) : NULL;
    if (err == BK_OK && queue == NULL)
        err = BK_ERR_NOMEM;
    sigpad_info info = {0};
    if (err == BK_OK)
        sigpad_get_info(pad, &info);
    g_mutex_lock(&svc->lock);
    svc->opening = false;
    g_cond_broadcast(&svc->cond);
    if (err != BK_OK || !svc->keep || svc->quit) {
        g_mutex_unlock(&svc->lock);
        sigpad_free(pad); /* the owner let go meanwhile, or nothing was opened */
        biomem_free(queue);
        g_mutex_lock(&svc->lock);
        bool none = err == BK_ERR_NO_DEVICE || err == BK_ERR_UNSUPPORTED;
        return err == BK_OK
                   ? NULL
                   : answer(svc, none ? SIGNATURE_EVENT_NO_PAD : SIGNATURE_EVENT_OPEN_FAILED, err);
    }
    svc->pad = pad;
    svc->queue = queue;
    svc->head = svc->len = 0;
    svc->dropped = 0;
    g_strlcpy(svc->info.model, info.model, sizeof svc->info.model);
    g_strlcpy(svc->info.serial, info.serial, sizeof svc->info.serial);
    svc->info.width_mm = info.width_mm;
    svc->info.height_mm = info.height_mm;
    g_message("signature pad open: %s serial %s (%.0f x %.0f mm)", info.model, info.serial,
              info.width_mm, info.height_mm);
    return answer(svc, SIGNATURE_EVENT_OPENED, BK_OK);
}

/* Called with the lock held; returns with it held. Closes the pad the owner let go of. */
static void worker_close(signature_service *svc)
{
    sigpad *pad = svc->pad;
    sigpad_event *queue = svc->queue;
    uint64_t dropped = svc->dropped;
    svc->pad = NULL;
    svc->queue = NULL;
    svc->head = svc->len = 0;
    g_mutex_unlock(&svc->lock);
    sigpad_stats st;
    sigpad_get_stats(pad, &st);
    g_message("signature pad closed: reports=%" G_GUINT64_FORMAT " malformed=%" G_GUINT64_FORMAT
              " unplugs=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT,
              st.reports, st.malformed, st.unplugs, dropped);
    sigpad_free(pad);
    biomem_free(queue);
    g_mutex_lock(&svc->lock);
    g_cond_broadcast(&svc->cond); /* a check may wait for the pad to be let go */
}

/* Called with the lock held; returns with it held. Moves one of the driver's events (waiting
 * up to 100 ms, the lock let go) into the queue. Returns the wake function to call. */
static void (*worker_read(signature_service *svc))(void *)
{
    sigpad *pad = svc->pad;
    sigpad_event e;
    g_mutex_unlock(&svc->lock);
    bool got = sigpad_next_event(pad, &e, 100);
    g_mutex_lock(&svc->lock);
    void (*fn)(void *) = NULL;
    if (got && svc->keep && svc->pad == pad) {
        if (svc->len < QUEUE_CAP) {
            svc->queue[(svc->head + svc->len) % QUEUE_CAP] = e;
            svc->len++;
        } else {
            svc->dropped++;
        }
        fn = owner_wake(svc);
    }
    biomem_wipe(&e, sizeof e);
    return fn;
}

/* The worker: opens the pad when asked, moves its events into the queue, closes it when the
 * owner let go; the owner is woken once per batch. */
static gpointer worker_run(gpointer data)
{
    signature_service *svc = data;
    g_mutex_lock(&svc->lock);
    while (!svc->quit || svc->pad) {
        void (*fn)(void *) = NULL;
        if (svc->pad && (!svc->keep || svc->quit))
            worker_close(svc);
        else if (svc->requested && !svc->held)
            fn = worker_open(svc);
        else if (svc->pad)
            fn = worker_read(svc);
        else
            g_cond_wait(&svc->cond, &svc->lock);
        if (fn) {
            void *fn_data = svc->wake_data;
            g_mutex_unlock(&svc->lock);
            fn(fn_data);
            g_mutex_lock(&svc->lock);
        }
    }
    g_mutex_unlock(&svc->lock);
    return NULL;
}

bk_err signature_service_open_pad(signature_service *svc)
{
    if (svc->source == SIGNATURE_SOURCE_TOUCH)
        return BK_ERR_UNAVAILABLE;
    if (svc->thread == NULL)
        svc->thread = g_thread_new("sigpad-service", worker_run, svc);
    g_mutex_lock(&svc->lock);
    bk_err err = svc->keep ? BK_ERR_EXISTS : BK_OK;
    if (err == BK_OK) {
        svc->keep = true;
        svc->requested = true;
        svc->answered = false;
        g_cond_broadcast(&svc->cond);
    }
    g_mutex_unlock(&svc->lock);
    return err;
}

bool signature_service_opening(signature_service *svc)
{
    g_mutex_lock(&svc->lock);
    bool pending = svc->requested || svc->answered || (svc->opening && svc->keep);
    g_mutex_unlock(&svc->lock);
    return pending;
}

bool signature_service_pad(signature_service *svc, signature_pad_info *info)
{
    g_mutex_lock(&svc->lock);
    bool open = svc->pad != NULL && svc->keep;
    if (open && info)
        *info = svc->info;
    g_mutex_unlock(&svc->lock);
    return open;
}

void signature_service_close_pad(signature_service *svc)
{
    g_mutex_lock(&svc->lock);
    svc->keep = false;
    svc->requested = false;
    svc->answered = false;
    for (size_t i = 0; i < svc->len; i++)
        biomem_wipe(&svc->queue[(svc->head + i) % QUEUE_CAP], sizeof *svc->queue);
    svc->head = svc->len = 0;
    svc->wake_pending = false;
    g_cond_broadcast(&svc->cond);
    g_mutex_unlock(&svc->lock);
}

void signature_service_hold_open(signature_service *svc, bool hold)
{
    g_mutex_lock(&svc->lock);
    svc->held = hold;
    g_cond_broadcast(&svc->cond);
    g_mutex_unlock(&svc->lock);
}

bk_err signature_service_begin(signature_service *svc, double width_mm, double height_mm)
{
    sigcapture *cap = sigcapture_new(width_mm, height_mm);
    if (cap == NULL)
        return BK_ERR_INVALID;
    sigcapture_free(svc->cap);
    svc->cap = cap;
    return BK_OK;
}

void signature_service_end(signature_service *svc)
{
    sigcapture_free(svc->cap);
    svc->cap = NULL;
    signature_service_close_pad(svc);
}

bool signature_service_active(const signature_service *svc)
{
    return svc->cap != NULL;
}

/* Takes one event off the queue; the lock is not held while it is applied. The wake flag is
 * cleared only when the queue is found empty, so an event queued after that wakes again. */
bool signature_service_next_event(signature_service *svc, signature_event *ev)
{
    sigpad_event e;
    g_mutex_lock(&svc->lock);
    if (svc->answered) { /* the open's answer comes before the pad's events */
        svc->answered = false;
        *ev = (signature_event){.type = svc->answer, .err = svc->answer_err};
        g_mutex_unlock(&svc->lock);
        return true;
    }
    if (svc->len == 0) {
        svc->wake_pending = false;
        g_mutex_unlock(&svc->lock);
        return false;
    }
    e = svc->queue[svc->head];
    biomem_wipe(&svc->queue[svc->head], sizeof e);
    svc->head = (svc->head + 1) % QUEUE_CAP;
    svc->len--;
    g_mutex_unlock(&svc->lock);
    *ev = (signature_event){
        .type = e.type == SIGPAD_EVENT_PEN         ? SIGNATURE_EVENT_PEN
                : e.type == SIGPAD_EVENT_UNPLUGGED ? SIGNATURE_EVENT_UNPLUGGED
                                                   : SIGNATURE_EVENT_READY,
        .tip = e.type == SIGPAD_EVENT_PEN && e.sample.tip,
        .err = BK_OK,
    };
    if (svc->cap)
        sigcapture_pad_event(svc->cap, &e);
    biomem_wipe(&e, sizeof e);
    return true;
}

static sigcapture_box box_of(const signature_box *b)
{
    return (sigcapture_box){b->x, b->y, b->w, b->h};
}

bk_err signature_service_touch(signature_service *svc, const signature_box *box, double x, double y,
                               bool down, double pressure, uint32_t t_ms)
{
    if (svc->cap == NULL)
        return BK_ERR_INVALID;
    sigcapture_box b = box_of(box);
    return sigcapture_touch(svc->cap, &b, x, y, down, pressure, t_ms);
}

bool signature_service_inside(const signature_service *svc, const signature_box *box, double x,
                              double y)
{
    if (svc->cap == NULL)
        return false;
    sigcapture_box b = box_of(box);
    double mx = 0, my = 0;
    return sigcapture_map(svc->cap, &b, x, y, &mx, &my) == BK_OK;
}

void signature_service_clear(signature_service *svc)
{
    if (svc->cap)
        sigcapture_clear(svc->cap);
}

sigink_verdict signature_service_accept(const signature_service *svc, const sigink_rule *rule)
{
    return svc->cap ? sigcapture_accept(svc->cap, rule) : SIGINK_EMPTY;
}

const sigink *signature_service_ink(const signature_service *svc)
{
    return svc->cap ? sigcapture_ink(svc->cap) : NULL;
}

bool signature_service_paused(const signature_service *svc)
{
    return svc->cap && sigcapture_paused(svc->cap);
}

double signature_service_width_mm(const signature_service *svc)
{
    return svc->cap ? sigcapture_width_mm(svc->cap) : 0;
}

void signature_service_status(signature_service *svc, char *buf, size_t size)
{
    signature_pad_info info;
    if (signature_service_pad(svc, &info))
        g_snprintf(buf, size, "signature: pad %s, serial %s", info.model, info.serial);
    else if (svc->source == SIGNATURE_SOURCE_TOUCH)
        g_snprintf(buf, size, "signature: touch screen");
    else if (svc->source == SIGNATURE_SOURCE_PAD)
        g_snprintf(buf, size, "signature: USB pad (opened at the signature step)");
    else
        g_snprintf(buf, size, "signature: USB pad when attached, else touch screen");
}
