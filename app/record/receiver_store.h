/* Where the receiver keeps the records it acknowledged.
 *
 * Two backends behind one handle, chosen by the URI:
 *   dir:PATH         one file PATH/NAME.stored per record: a header line
 *                    "biokiosk-stored v1 RECEIVED KIOSK SHA256\n" and the sealed file's bytes,
 *                    written to a temporary file (O_EXCL | O_NOFOLLOW), fsync'ed, linked to its
 *                    name (never over an existing one) and the directory fsync'ed;
 *   postgresql://... one row per record in table received_records (tcn, kiosk, sha256,
 *                    received, bytes), committed before receiver_store_put returns.
 * receiver_store_put returns BK_OK only when the record is durable. A handle is used by one
 * thread at a time; several receivers may share one PostgreSQL database.
 */
#ifndef BIOKIOSK_RECEIVER_STORE_H
#define BIOKIOSK_RECEIVER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "record/receipt.h"

typedef struct receiver_store receiver_store;

/* Opens the store (creating the table or checking the directory). BK_ERR_INVALID for a URI of
 * another scheme, BK_ERR_UNAVAILABLE when the database cannot be reached; `why` says more. */
bk_err receiver_store_open(const char *uri, receiver_store **out, char *why, size_t why_size);

/* Stores the record `tcn` of `kiosk` with its SHA-256, received at `now` (receipt_time form).
 * When the name is stored already with the same SHA-256, *again is set and `received` gets the
 * first time (so the receipt is the same); with other bytes: BK_ERR_CONFLICT. A full disk:
 * BK_ERR_NO_SPACE; other failures BK_ERR_IO / BK_ERR_UNAVAILABLE. */
bk_err receiver_store_put(receiver_store *s, const char *tcn, const char *kiosk,
                          const uint8_t *data, size_t len, const char sha256[65], const char *now,
                          char received[RECEIPT_TIME_BYTES], bool *again);

typedef struct receiver_item {
    char *tcn;   /* g_free */
    char *kiosk; /* g_free */
    size_t bytes;
    char received[RECEIPT_TIME_BYTES];
} receiver_item;

/* Every stored record, sorted by name (transfer full: receiver_items_free). */
bk_err receiver_store_list(receiver_store *s, receiver_item **items, size_t *n);
void receiver_items_free(receiver_item *items, size_t n);

void receiver_store_free(receiver_store *s);

#endif
