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
    return svc;
}

void signature_service_free(signature_service *svc)
{
    if (svc == NULL)
        return;
    signature_service_end(svc);
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

/* The worker: moves the driver's events into the queue and wakes the owner once per batch. */
static gpointer worker_run(gpointer data)
{
    signature_service *svc = data;
    sigpad_event e;
    while (!g_atomic_int_get(&svc->stop)) {
        if (!sigpad_next_event(svc->pad, &e, 100))
            continue;
        g_mutex_lock(&svc->lock);
        if (svc->len < QUEUE_CAP) {
            svc->queue[(svc->head + svc->len) % QUEUE_CAP] = e;
            svc->len++;
        } else {
            svc->dropped++;
        }
        bool wake = !svc->wake_pending;
        svc->wake_pending = true;
        void (*fn)(void *) = svc->wake;
        void *fn_data = svc->wake_data;
        g_mutex_unlock(&svc->lock);
        if (wake && fn)
            fn(fn_data);
    }
    biomem_wipe(&e, sizeof e);
    return NULL;
}

bk_err signature_service_open_pad(signature_service *svc)
{
    if (svc->source == SIGNATURE_SOURCE_TOUCH)
        return BK_ERR_UNAVAILABLE;
    g_mutex_lock(&svc->lock);
    bk_err busy = svc->pad ? BK_ERR_EXISTS : svc->checking ? BK_ERR_BUSY : BK_OK;
    if (busy == BK_OK)
        svc->opening = true;
    g_mutex_unlock(&svc->lock);
    if (busy != BK_OK)
        return busy;
    sigpad *pad = NULL;
    bk_err err = sigpad_open(&pad);
    sigpad_event *queue = err == BK_OK ? biomem_calloc(QUEUE_CAP, sizeof *queue) : NULL;
    if (err == BK_OK && queue == NULL)
        err = BK_ERR_NOMEM;
    if (err != BK_OK) {
        sigpad_free(pad);
        g_mutex_lock(&svc->lock);
        svc->opening = false;
        g_mutex_unlock(&svc->lock);
        return err;
    }
    sigpad_info info;
    sigpad_get_info(pad, &info);
    g_mutex_lock(&svc->lock);
    svc->pad = pad;
    svc->queue = queue;
    svc->head = svc->len = 0;
    svc->wake_pending = false;
    svc->dropped = 0;
    svc->opening = false;
    g_strlcpy(svc->info.model, info.model, sizeof svc->info.model);
    g_strlcpy(svc->info.serial, info.serial, sizeof svc->info.serial);
    svc->info.width_mm = info.width_mm;
    svc->info.height_mm = info.height_mm;
    g_mutex_unlock(&svc->lock);
    g_atomic_int_set(&svc->stop, 0);
    svc->thread = g_thread_new("sigpad-service", worker_run, svc);
    g_message("signature pad open: %s serial %s (%.0f x %.0f mm)", info.model, info.serial,
              info.width_mm, info.height_mm);
    return BK_OK;
}

bool signature_service_pad(signature_service *svc, signature_pad_info *info)
{
    g_mutex_lock(&svc->lock);
    bool open = svc->pad != NULL;
    if (open && info)
        *info = svc->info;
    g_mutex_unlock(&svc->lock);
    return open;
}

void signature_service_close_pad(signature_service *svc)
{
    if (svc->pad == NULL)
        return;
    g_atomic_int_set(&svc->stop, 1);
    g_thread_join(svc->thread);
    svc->thread = NULL;
    sigpad_stats st;
    sigpad_get_stats(svc->pad, &st);
    g_message("signature pad closed: reports=%" G_GUINT64_FORMAT " malformed=%" G_GUINT64_FORMAT
              " unplugs=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT,
              st.reports, st.malformed, st.unplugs, svc->dropped);
    g_mutex_lock(&svc->lock);
    sigpad *pad = svc->pad;
    sigpad_event *queue = svc->queue;
    svc->pad = NULL;
    svc->queue = NULL;
    svc->head = svc->len = 0;
    svc->wake_pending = false;
    g_mutex_unlock(&svc->lock);
    sigpad_free(pad);
    biomem_free(queue);
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
