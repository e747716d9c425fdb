/* Delivery of the outbox's waiting records to the receiver (receiver.h), over HTTPS.
 *
 * For each waiting record, in name order: PUT URL/records/NAME with the file as body; a 200 or
 * 201 answer must carry a receipt (receipt.h) whose signature verifies with the pinned
 * receiver key and that names this record and these bytes. Only then is the record moved to
 * delivered/ with its receipt (outbox_mark_delivered). Anything else leaves it waiting.
 * The TLS certificate of the receiver must be, or be issued by, the pinned certificate `ca`;
 * the system's trust store is never used. Plain http:// is accepted for 127.0.0.1 only (tests
 * and the demo on one machine).
 *
 * A handle holds one HTTP session (kept-alive connections); it is used by one thread, the one
 * that made it, and every call blocks (the kiosk calls it on its delivery worker,
 * app/visit/deliver.h, never on the render thread).
 */
#ifndef BIOKIOSK_DELIVERY_H
#define BIOKIOSK_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

typedef struct delivery delivery;

typedef struct delivery_settings {
    const char *url;            /* https://HOST[:PORT] (a path prefix is kept) */
    const char *ca;             /* PEM file: the receiver's certificate or its CA */
    const uint8_t *receiver_pk; /* 32 bytes: the receiver's receipt key (copied) */
    unsigned timeout_seconds;   /* per request; 0: 30 */
} delivery_settings;

/* Checks the settings and makes the session. BK_ERR_INVALID with `why` for a URL that is not
 * https (or http to 127.0.0.1), a missing or unreadable CA file. */
bk_err delivery_new(const delivery_settings *set, delivery **out, char *why, size_t why_size);
void delivery_free(delivery *d);

/* Told of each outcome, on the calling thread: event "delivered" (detail: the receipt's
 * sha256), "refused" (detail: the HTTP status and the receiver's reason), "bad-receipt"
 * (detail: why). Never personal data: the record's name only. */
typedef void (*delivery_event_fn)(const char *name, const char *event, const char *detail,
                                  void *data);

typedef struct delivery_counts {
    size_t delivered;  /* moved to delivered/ in this run */
    size_t failed;     /* attempts in this run that left the record waiting */
    size_t waiting;    /* records still waiting after the run */
    bool unreachable;  /* the receiver could not be reached (or its TLS was refused) */
    char problem[256]; /* the last failure, in words */
} delivery_counts;

/* Delivers every waiting record of the outbox `dir`. Stops at the first record the receiver
 * cannot be reached for (counts.unreachable, BK_ERR_UNAVAILABLE). Returns BK_OK when the run
 * reached the receiver for every record (some may still have been refused: counts.failed). */
bk_err delivery_run(delivery *d, const char *dir, delivery_event_fn on_event, void *data,
                    delivery_counts *counts);

/* Delivers one record file (name: its outbox name). BK_OK and the receipt's JSON in *receipt
 * (transfer full, g_free) only when the receipt verifies for these bytes. */
bk_err delivery_send(delivery *d, const char *name, const uint8_t *data, size_t len,
                     char **receipt_json, size_t *receipt_len, char *why, size_t why_size);

#endif
