#include "visit/deliver.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "record/audit.h"
#include "record/delivery.h"
#include "record/outbox.h"
#include "record/seal.h"

struct deliver_worker {
    /* settings, owned copies */
    char *outbox, *url, *ca, *audit_log;
    unsigned interval, alert_hours, retention_days;
    uint8_t receiver_pk[SEAL_PUBLIC_BYTES];
    bool (*clock_trusted)(void *, char *, size_t);
    void *clock_data;
    void (*wake)(void *);
    void *wake_data;
    audit *log; /* used by the worker thread only */

    int event_fd;   /* kick and stop */
    int inotify_fd; /* records arriving in the outbox; -1 when unavailable */
    GThread *thread;

    GMutex lock; /* guards what follows */
    bool stop;
    deliver_snapshot snap;
};

static bool audit_line(deliver_worker *w, const char *event, const char *name)
{
    if (w->log == NULL)
        return true;
    g_autofree char *detail = g_strdup_printf("file=%s", name);
    if (audit_append(w->log, event, NULL, detail) != BK_OK) {
        g_warning("delivery: the audit log refused an entry");
        return false;
    }
    return true;
}

static void on_delivery(const char *name, const char *event, const char *detail, void *data)
{
    (void)detail;
    g_autofree char *what = g_strdup_printf("record.%s", event);
    audit_line(data, what, name);
}

/* A purge stops at an entry the audit log refuses, before that record is deleted. */
static bool on_purge(const char *name, const char *event, void *data)
{
    return audit_line(
        data, strcmp(event, "not-deleted") == 0 ? "record.not-purged" : "record.purged", name);
}

static void look_at_outbox(deliver_worker *w)
{
    size_t n = 0;
    time_t oldest = 0;
    if (outbox_waiting(w->outbox, &n, &oldest) != BK_OK)
        return;
    g_mutex_lock(&w->lock);
    w->snap.waiting = n;
    w->snap.oldest = oldest;
    g_mutex_unlock(&w->lock);
}

static void purge_at_start(deliver_worker *w)
{
    char why[300] = "";
    if (w->clock_trusted == NULL || !w->clock_trusted(w->clock_data, why, sizeof(why))) {
        g_message("delivery: no purge at start: the clock is not known to be right%s%s",
                  why[0] ? ": " : "", why);
        return;
    }
    size_t removed = 0, purged = 0;
    outbox_clean_temp(w->outbox, &removed);
    if (outbox_purge(w->outbox, w->retention_days, time(NULL), on_purge, w, &purged) != BK_OK)
        g_warning("delivery: the retention purge failed");
    g_mutex_lock(&w->lock);
    w->snap.purged = purged;
    g_mutex_unlock(&w->lock);
}

/* One delivery run; returns the seconds until the next (0: none while nothing waits). */
static unsigned attempt(deliver_worker *w, delivery **d)
{
    char why[256] = "";
    delivery_counts c = {0};
    bk_err err = BK_OK;
    if (*d == NULL) {
        delivery_settings set = {.url = w->url, .ca = w->ca, .receiver_pk = w->receiver_pk};
        err = delivery_new(&set, d, why, sizeof(why));
    }
    if (err == BK_OK)
        err = delivery_run(*d, w->outbox, on_delivery, w, &c);
    else
        g_strlcpy(c.problem, why, sizeof(c.problem));
    look_at_outbox(w);
    g_mutex_lock(&w->lock);
    w->snap.delivered += c.delivered;
    g_strlcpy(w->snap.problem, c.problem, sizeof(w->snap.problem));
    unsigned wait = 0;
    if (c.unreachable || err != BK_OK) {
        w->snap.failures++;
        wait = w->interval;
        for (unsigned i = 1; i < w->snap.failures && wait < DELIVER_BACKOFF_MAX_SECONDS; i++)
            wait *= 2;
        wait = MIN(wait, MAX(w->interval, DELIVER_BACKOFF_MAX_SECONDS));
    } else {
        w->snap.failures = 0;
        wait = w->snap.waiting > 0 ? w->interval : 0;
    }
    w->snap.next_attempt = wait ? time(NULL) + wait : 0;
    g_mutex_unlock(&w->lock);
    if (c.unreachable || err != BK_OK)
        g_message("delivery: receiver not reached (%s); next try in %u s", c.problem, wait);
    if (w->wake != NULL)
        w->wake(w->wake_data);
    return wait;
}

/* Drains the inotify and event descriptors; true when something asked for a delivery. */
static bool drain(int fd)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool any = false;
    while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
        any = true;
    return any;
}

static gpointer run(gpointer data)
{
    deliver_worker *w = data;
    delivery *d = NULL;
    purge_at_start(w);
    look_at_outbox(w);
    bool delivering = w->url != NULL;
    gint64 next = delivering ? g_get_monotonic_time() : -1; /* try once at start */
    for (;;) {
        g_mutex_lock(&w->lock);
        bool stop = w->stop;
        g_mutex_unlock(&w->lock);
        if (stop)
            break;
        gint64 now = g_get_monotonic_time();
        if (delivering && next >= 0 && now >= next) {
            unsigned wait = attempt(w, &d);
            next = wait ? g_get_monotonic_time() + (gint64)wait * G_USEC_PER_SEC : -1;
            continue;
        }
        struct pollfd fds[2] = {{w->event_fd, POLLIN, 0}, {w->inotify_fd, POLLIN, 0}};
        /* without a URL, look at the outbox every minute for the alert */
        int timeout = next >= 0 ? (int)MIN((next - now) / 1000 + 1, 60000) : 60000;
        int n = poll(fds, w->inotify_fd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR)
            g_usleep(100000);
        bool kicked = drain(w->event_fd);
        bool arrived = drain(w->inotify_fd);
        if (!delivering) {
            look_at_outbox(w);
            continue;
        }
        /* a new record or a kick: now, even during a back-off (a refused connection is cheap) */
        if (kicked || arrived)
            next = g_get_monotonic_time();
    }
    delivery_free(d);
    return NULL;
}

static bk_err open_log(deliver_worker *w, const deliver_settings *set, char **message)
{
    if (set->audit_log == NULL || set->audit_log[0] == '\0')
        return BK_OK;
    uint8_t sk[SEAL_SIGN_SECRET_BYTES], hk[SEAL_AUDIT_KEY_BYTES];
    char why[256] = "";
    bk_err err =
        seal_key_read(set->kiosk_key, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk), why, sizeof(why));
    if (err == BK_OK)
        err = seal_key_read(set->audit_hash_key, SEAL_KEY_AUDIT_HASH, hk, sizeof(hk), why,
                            sizeof(why));
    if (err == BK_OK)
        err =
            audit_open(set->audit_log, sk, hk, AUDIT_DEFAULT_SIGN_EVERY, &w->log, why, sizeof(why));
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(hk, sizeof(hk));
    if (err != BK_OK)
        *message = g_strdup_printf("delivery: the audit log: %s", why);
    return err;
}

bk_err deliver_worker_new(const deliver_settings *set, deliver_worker **out, char **message)
{
    deliver_worker *w = g_new0(deliver_worker, 1);
    g_mutex_init(&w->lock);
    w->event_fd = w->inotify_fd = -1;
    w->outbox = g_strdup(set->outbox);
    w->interval = MAX(set->interval_seconds, 1);
    w->alert_hours = set->alert_hours ? set->alert_hours : 24;
    w->retention_days = set->retention_days;
    w->clock_trusted = set->clock_trusted;
    w->clock_data = set->clock_data;
    w->wake = set->wake;
    w->wake_data = set->wake_data;
    bk_err err = BK_OK;
    if (set->url != NULL && set->url[0] != '\0') {
        char why[256] = "";
        w->url = g_strdup(set->url);
        w->ca = g_strdup(set->ca);
        w->snap.delivering = true;
        err = seal_key_read(set->receiver_key, SEAL_KEY_RECEIVER_PUBLIC, w->receiver_pk,
                            sizeof(w->receiver_pk), why, sizeof(why));
        if (err != BK_OK) {
            *message = g_strdup_printf("[delivery] receiver_key: %s", why);
            goto fail;
        }
        /* the settings are checked here, so a wrong URL or CA stops the kiosk at start */
        delivery *probe = NULL;
        delivery_settings ds = {.url = w->url, .ca = w->ca, .receiver_pk = w->receiver_pk};
        err = delivery_new(&ds, &probe, why, sizeof(why));
        delivery_free(probe);
        if (err != BK_OK) {
            *message = g_strdup_printf("[delivery]: %s", why);
            goto fail;
        }
    }
    err = open_log(w, set, message);
    if (err != BK_OK)
        goto fail;
    w->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (w->inotify_fd >= 0 &&
        inotify_add_watch(w->inotify_fd, w->outbox, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        g_warning("delivery: cannot watch the outbox (%s); delivering every %u s only",
                  g_strerror(errno), w->interval);
        close(w->inotify_fd);
        w->inotify_fd = -1;
    }
    if (w->event_fd < 0) {
        *message = g_strdup_printf("delivery: eventfd: %s", g_strerror(errno));
        err = BK_ERR_IO;
        goto fail;
    }
    look_at_outbox(w); /* the staff bar knows from the first frame what waits */
    w->thread = g_thread_new("delivery", run, w);
    *out = w;
    return BK_OK;
fail:
    deliver_worker_free(w);
    return err;
}

void deliver_worker_kick(deliver_worker *w)
{
    if (w == NULL)
        return;
    uint64_t one = 1;
    if (write(w->event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        g_warning("delivery: cannot wake the worker: %s", g_strerror(errno));
}

void deliver_worker_free(deliver_worker *w)
{
    if (w == NULL)
        return;
    if (w->thread != NULL) {
        g_mutex_lock(&w->lock);
        w->stop = true;
        g_mutex_unlock(&w->lock);
        deliver_worker_kick(w);
        g_thread_join(w->thread);
    }
    if (w->event_fd >= 0)
        close(w->event_fd);
    if (w->inotify_fd >= 0)
        close(w->inotify_fd);
    if (audit_close(w->log) != BK_OK)
        g_warning("delivery: the audit log's closing checkpoint could not be written");
    g_mutex_clear(&w->lock);
    g_free(w->outbox);
    g_free(w->url);
    g_free(w->ca);
    g_free(w->audit_log);
    g_free(w);
}

void deliver_worker_snapshot(deliver_worker *w, deliver_snapshot *out)
{
    g_mutex_lock(&w->lock);
    *out = w->snap;
    g_mutex_unlock(&w->lock);
}

long deliver_oldest_waiting_age(deliver_worker *w, time_t now)
{
    if (w == NULL)
        return -1;
    deliver_snapshot s;
    deliver_worker_snapshot(w, &s);
    if (s.waiting == 0 || s.oldest == 0)
        return -1;
    return now > s.oldest ? (long)(now - s.oldest) : 0;
}

bool deliver_worker_alert(deliver_worker *w, time_t now, char *line, size_t size)
{
    long age = deliver_oldest_waiting_age(w, now);
    if (age < 0 || age <= (long)w->alert_hours * 3600)
        return false;
    if (line != NULL) {
        deliver_snapshot s;
        deliver_worker_snapshot(w, &s);
        g_snprintf(line, size, "Outbox: %zu record%s not delivered, the oldest for %ld h",
                   s.waiting, s.waiting == 1 ? "" : "s", age / 3600);
    }
    return true;
}

void deliver_worker_status(deliver_worker *w, char *buf, size_t size)
{
    deliver_snapshot s;
    deliver_worker_snapshot(w, &s);
    if (!s.delivering)
        g_snprintf(buf, size, "delivery: off, %zu waiting", s.waiting);
    else
        g_snprintf(buf, size, "delivery: %zu waiting, %zu delivered, %s", s.waiting, s.delivered,
                   s.failures ? "receiver not reached" : "receiver reached");
}
