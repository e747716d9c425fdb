/* The outbox: one sealed record per file, never lost and never half-written.
 *
 * A record NAME.bkrec is first written to ".NAME.bkrec.tmp" in the same directory, fsync'ed,
 * renamed to its final name and the directory is fsync'ed; only then does outbox_commit return
 * BK_OK, and only then may the session be marked complete. After a crash at any point the
 * directory holds either the complete record or no record of that name (plus perhaps a
 * temporary file, which outbox_clean_temp removes). Files whose name starts with '.' are never
 * records.
 *
 * A record's name is the kiosk id, the random part of its transaction control number and 96
 * more random bits (outbox_name_for_tcn): not the visit's time, and never one a kiosk used
 * before. Temporary files get a random name and are
 * created with O_EXCL | O_NOFOLLOW, so nothing planted in the directory is written through.
 *
 * States: a record in dir is waiting; once the receiver's receipt verifies (delivery.h) it
 * moves to dir/delivered/ with its receipt beside it as NAME.receipt (outbox_mark_delivered).
 * Only delivered records are ever purged, counted from the receipt's time (outbox_purge), and
 * only when the caller knows the clock is right. A waiting record leaves only by a confirmed
 * export with remove, or by the staff's audited discard. Every deletion is logged (by name,
 * which says nothing about the person).
 */
#ifndef BIOKIOSK_OUTBOX_H
#define BIOKIOSK_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/bk_err.h"

#define OUTBOX_SUFFIX            ".bkrec"
#define OUTBOX_DEFAULT_RETENTION 14          /* days */
#define OUTBOX_DELIVERED         "delivered" /* sub-directory of delivered records */
#define OUTBOX_RECEIPT_SUFFIX    ".receipt"

/* Random bytes a record's name adds to its TCN's random part (as hex). */
#define OUTBOX_NAME_EXTRA_BYTES 12

/* The outbox file name of the record with transaction control number tcn
 * (KIOSK-ID-YYYYMMDDhhmmssZ-RANDOM): "KIOSK-ID-RANDOM.bkrec", the visit's time left out. A tcn
 * of another form keeps its whole text. Transfer full (g_free). */
char *outbox_name_for_tcn(const char *tcn);

/* Writes `data` as dir/name durably (see above). `name` must end in OUTBOX_SUFFIX and be a
 * plain file name. BK_ERR_EXISTS when a record of that name is there already; BK_ERR_NO_SPACE
 * when the disk is full or a file-size limit is hit; BK_ERR_PERMISSION for a read-only or
 * unwritable directory; BK_ERR_IO otherwise. On any failure nothing is left behind. */
bk_err outbox_commit(const char *dir, const char *name, const uint8_t *data, size_t len);

typedef struct outbox_entry {
    char *name; /* file name (g_free) */
    size_t size;
    time_t mtime;
    char *receipt;   /* outbox_list_delivered: the receipt's JSON (g_free), NULL if unreadable */
    time_t received; /* outbox_list_delivered: the receipt's time, 0 if unreadable */
} outbox_entry;

/* The waiting records in dir, sorted by name, in *entries (transfer full:
 * outbox_entries_free). */
bk_err outbox_list(const char *dir, outbox_entry **entries, size_t *n);

/* The delivered records (dir/delivered/), with their receipts, sorted by name (an absent
 * delivered/ is an empty list). The receipts are read, not verified. */
bk_err outbox_list_delivered(const char *dir, outbox_entry **entries, size_t *n);

/* The waiting records: how many, and the modification time of the oldest (0 when none). */
bk_err outbox_waiting(const char *dir, size_t *count, time_t *oldest);

/* Moves the waiting record `name` to dir/delivered/ with `receipt` beside it as
 * NAME.receipt: the receipt is written durably first, then the record renamed and both
 * directories fsync'ed. After a crash in between the record is still waiting (and its next
 * delivery writes the receipt again). The caller has verified the receipt. */
bk_err outbox_mark_delivered(const char *dir, const char *name, const char *receipt_json,
                             size_t receipt_len);
void outbox_entries_free(outbox_entry *entries, size_t n);

/* Checks one record file without opening the seal (seal_verify); kiosk_pk may be NULL to
 * accept the key named in the file. `why` says what is wrong. */
bk_err outbox_verify_file(const char *path, const uint8_t *kiosk_pk, char *why, size_t why_size);

/* Removes temporary files left by an interrupted commit; *removed (may be NULL) counts them. */
bk_err outbox_clean_temp(const char *dir, size_t *removed);

/* Called for each record that leaves the outbox, so that the caller can write it to the audit
 * log: `name` is the file name, `event` "exported" (after the copy is confirmed),
 * "deleted-after-transfer" or "deleted-after-retention" (just before the deletion, so that no
 * record goes without its entry), or "not-deleted" (the announced deletion failed). It returns
 * false when the event could not be recorded: the outbox then deletes nothing more and stops. */
typedef bool (*outbox_event_fn)(const char *name, const char *event, void *data);

/* Copies every record that verifies to dest (each by outbox_commit, then read back and verified
 * there). With remove set, each original is deleted once its copy is confirmed. *exported
 * counts the copies. A record that does not verify stops the export with BK_ERR_CORRUPT.
 * on_event (may be NULL) hears of every copy and deletion. */
bk_err outbox_export(const char *dir, const char *dest, const uint8_t *kiosk_pk, int remove,
                     outbox_event_fn on_event, void *data, size_t *exported, char *why,
                     size_t why_size);

/* Deletes delivered records whose receipt is more than `days` days before `now` (0: every
 * delivered record), with their receipts; *deleted counts them. Waiting records are never
 * touched, nor a delivered record whose receipt cannot be read. The caller must call this only
 * when the clock is known to be right (the self-test's clock check), since a clock far ahead
 * would make every receipt old. Each deletion is logged and announced to on_event (may be
 * NULL) as "deleted-after-retention"; an event it refuses stops the purge (BK_ERR_IO). */
bk_err outbox_purge(const char *dir, unsigned days, time_t now, outbox_event_fn on_event,
                    void *data, size_t *deleted);

/* Deletes the waiting record `name` for good: the staff's discard, which the caller must write
 * to the audit log (the command line refuses to discard without one): on_event hears
 * "discarded" before the deletion and "not-deleted" when it then fails; when it returns false
 * nothing is deleted (BK_ERR_IO). BK_ERR_NOT_FOUND when no waiting record has that name. */
bk_err outbox_discard(const char *dir, const char *name, outbox_event_fn on_event, void *data);

/* Reads a whole file (transfer full, g_free). */
bk_err outbox_read_file(const char *path, uint8_t **data, size_t *len);

#endif
