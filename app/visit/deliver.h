/* The kiosk's delivery worker: sends the outbox's records to the receiver in the background.
 *
 * One thread, never the render thread. It delivers (app/record/delivery.h) when a record
 * arrives in the outbox (inotify on the directory: the visit's commit renames a record into
 * it), when deliver_worker_kick is called, and every interval_seconds while anything waits.
 * When the receiver cannot be reached the wait doubles after each failed attempt, from
 * interval_seconds up to DELIVER_BACKOFF_MAX_SECONDS; the first delivery that reaches it resets
 * the wait. Every delivery and every refused receipt goes to the audit log (the record's name
 * only), through the worker's own handle on the log (audit.h allows several writers).
 *
 * At start the worker purges delivered records past the retention (outbox_purge), only when
 * clock_trusted says the clock is right, and audits each deletion. Without a URL it does only
 * that and keeps counting the waiting records, so a kiosk without delivery still raises the
 * alert.
 *
 * The main thread reads the state (deliver_worker_snapshot, deliver_worker_alert): it never
 * waits for the network or the disk.
 */
#ifndef BIOKIOSK_DELIVER_H
#define BIOKIOSK_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/bk_err.h"

#define DELIVER_BACKOFF_MAX_SECONDS 3600

typedef struct deliver_worker deliver_worker;

typedef struct deliver_settings {
    const char *outbox;       /* the outbox directory */
    const char *url;          /* [delivery] url; NULL or "": no delivery */
    const char *ca;           /* [delivery] ca: the receiver's certificate or CA (https) */
    const char *receiver_key; /* [delivery] receiver_key: receiver.pub */
    unsigned interval_seconds;
    unsigned alert_hours;
    unsigned retention_days;
    /* the audit log and the keys to write it (NULL log: nothing audited) */
    const char *audit_log, *kiosk_key, *audit_hash_key;
    /* Whether the clock is right for purging (the self-test's clock check); called once, on the
     * worker thread, with `why` to fill when it is not. NULL: never purge. */
    bool (*clock_trusted)(void *data, char *why, size_t why_size);
    void *clock_data;
    /* Called on the worker thread after each attempt (the staff bar may redraw); may be NULL. */
    void (*wake)(void *data);
    void *wake_data;
} deliver_settings;

/* Reads the keys and starts the worker (strings copied). BK_ERR_INVALID with *message
 * (g_free) for a URL, CA or receiver key that cannot be used. */
bk_err deliver_worker_new(const deliver_settings *set, deliver_worker **out, char **message);

/* Stops the worker (an attempt under way finishes first) and frees it; NULL does nothing. */
void deliver_worker_free(deliver_worker *w);

/* Asks for a delivery now (a record was committed). Never blocks. */
void deliver_worker_kick(deliver_worker *w);

typedef struct deliver_snapshot {
    bool delivering;     /* a URL is set */
    size_t waiting;      /* records waiting after the last look at the outbox */
    time_t oldest;       /* when the oldest of them was written; 0: none */
    size_t delivered;    /* delivered since the kiosk started */
    size_t purged;       /* deleted at start after the retention */
    unsigned failures;   /* attempts in a row that did not reach the receiver */
    time_t next_attempt; /* 0: none planned */
    char problem[256];   /* the last failure, in words ("" when the last attempt went well) */
} deliver_snapshot;

/* A copy of the worker's state. Never blocks on I/O. */
void deliver_worker_snapshot(deliver_worker *w, deliver_snapshot *out);

/* Seconds the oldest waiting record has waited at `now`; -1 when none waits. */
long deliver_oldest_waiting_age(deliver_worker *w, time_t now);

/* True when a record has waited longer than alert_hours at `now`; `line` (may be NULL) gets a
 * short English line for the staff ("Outbox: 3 records not delivered for 26 h"). */
bool deliver_worker_alert(deliver_worker *w, time_t now, char *line, size_t size);

/* A status line for the technician ("delivery: 0 waiting, 12 delivered, receiver reached"). */
void deliver_worker_status(deliver_worker *w, char *buf, size_t size);

#endif
