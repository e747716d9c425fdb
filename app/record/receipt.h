/* Delivery receipts: the receiver's signed word that it holds a record.
 *
 * A receipt is one line of JSON:
 *   {"tcn":"NAME","sha256":"64 hex","received":"YYYY-MM-DDThh:mm:ssZ",
 *    "receiver":"16 hex","signature":"base64"}
 * tcn is the record's name in the outbox (its transaction control number without the visit's
 * time: KIOSK-ID-RANDOM); sha256 the SHA-256 of the sealed file's bytes as stored; received
 * when the receiver first stored it; receiver the fingerprint (seal_fingerprint) of the
 * receiver's Ed25519 public key; signature the Ed25519 signature over
 *   "biokiosk-receipt-v1\n" tcn "\n" sha256 "\n" received "\n" receiver "\n"
 * Ed25519 signatures are deterministic, so the receiver answers a resent record with a receipt
 * identical byte for byte.
 */
#ifndef BIOKIOSK_RECEIPT_H
#define BIOKIOSK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/bk_err.h"

#define RECEIPT_NAME_MAX   80 /* longest record name (tcn) a receipt carries */
#define RECEIPT_TIME_BYTES 21 /* "YYYY-MM-DDThh:mm:ssZ" and NUL */

typedef struct receipt {
    char tcn[RECEIPT_NAME_MAX + 1];
    char sha256[65];
    char received[RECEIPT_TIME_BYTES];
    char receiver[17];
} receipt;

/* The SHA-256 of data as 64 lower-case hex digits and NUL. */
void receipt_sha256_hex(const uint8_t *data, size_t len, char out[65]);

/* "YYYY-MM-DDThh:mm:ssZ" for t. */
void receipt_time(time_t t, char out[RECEIPT_TIME_BYTES]);

/* Parses a receipt time; BK_ERR_INVALID when it is not one. */
bk_err receipt_parse_time(const char *text, time_t *out);

/* Signs the receipt's fields (r->receiver is filled from the key) and writes its JSON line
 * (transfer full, g_free; NUL-terminated, *len without the NUL). */
bk_err receipt_sign(receipt *r, const uint8_t receiver_sk[64], char **json, size_t *len);

/* Parses and verifies a receipt: its signature with receiver_pk, and, when `tcn` and `data`
 * are given, that it names this record and these bytes. BK_ERR_CRYPTO for a signature that
 * does not verify or a receipt from another receiver, BK_ERR_CONFLICT for another record or
 * other bytes, BK_ERR_INVALID for something that is not a receipt; `why` says which. *out
 * (may be NULL) gets the fields on BK_OK only. */
bk_err receipt_verify(const char *json, size_t len, const uint8_t receiver_pk[32], const char *tcn,
                      const uint8_t *data, size_t data_len, receipt *out, char *why,
                      size_t why_size);

#endif
