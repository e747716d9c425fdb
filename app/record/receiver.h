/* The back office's receiver of sealed records (libsoup 3).
 *
 * Protocol: `PUT /records/NAME` with the sealed file as body (Content-Length required, at most
 * max_bytes). NAME is the record's outbox name without ".bkrec" (KIOSK-ID-RANDOM); KIOSK-ID
 * (everything before the last '-') names the kiosk, whose public key must be
 * kiosks_dir/KIOSK-ID.pub. The receiver checks the outer signature with that key (seal_verify:
 * the seal is never opened), stores the file durably (receiver_store.h) and only then answers
 * 201 (stored now) or 200 (stored before, same bytes) with the receipt (receipt.h) as body.
 * Refusals, each with {"error": "..."} as body and nothing stored:
 *   400 a malformed name or a damaged file      403 an unknown kiosk, or a file that its key
 *   404 another path    405 another method          did not sign (the name disagrees with it)
 *   409 the name is stored with other bytes (logged)  411 no Content-Length
 *   413 over max_bytes  507 the store is full   503 the database cannot be reached  500 else.
 * TLS is 1.2 or later (receiver_run sets glib-networking's GnuTLS priority string).
 * One thread serves every connection; each record is durable before the next is handled.
 */
#ifndef BIOKIOSK_RECEIVER_H
#define BIOKIOSK_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

#define RECEIVER_DEFAULT_MAX_BYTES (64u << 20) /* a record with full-size images is < 20 MB */

typedef struct receiver_settings {
    const char *listen;         /* "ADDR:PORT"; port 0 picks a free one */
    const char *kiosks_dir;     /* KIOSK-ID.pub files, read for each request */
    const uint8_t *receiver_sk; /* 64 bytes: signs the receipts (copied) */
    const char *store_uri;      /* dir:PATH or postgresql://... */
    const char *tls_cert;       /* PEM certificate (chain) and key; both NULL only with */
    const char *tls_key;        /* insecure_loopback */
    bool insecure_loopback;     /* plain HTTP, allowed only on 127.0.0.1 (tests) */
    size_t max_bytes;           /* 0: RECEIVER_DEFAULT_MAX_BYTES */
} receiver_settings;

/* Serves until SIGINT or SIGTERM. Once listening, prints one JSON line
 * {"listening": "https://ADDR:PORT"} on stdout (the port is the real one when 0 was asked).
 * Returns BK_OK after a signal, or the error that kept it from serving (`why` says what). */
bk_err receiver_run(const receiver_settings *set, char *why, size_t why_size);

#endif
