/* The outbox: one sealed record per file, never lost and never half-written.
 *
 * A record NAME.bkrec is first written to ".NAME.bkrec.tmp" in the same directory, fsync'ed,
 * renamed to its final name and the directory is fsync'ed; only then does outbox_commit return
 * BK_OK, and only then may the session be marked complete. After a crash at any point the
 * directory holds either the complete record or no record of that name (plus perhaps a
 * temporary file, which outbox_clean_temp removes). Files whose name starts with '.' are never
 * records.
 *
 * Records leave the outbox after a confirmed transfer (outbox_export with remove) or when they
 * are older than the retention period (outbox_purge); every deletion is logged (by name, which
 * is the transaction control number and says nothing about the person).
 */
#ifndef BIOKIOSK_OUTBOX_H
#define BIOKIOSK_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/bk_err.h"

#define OUTBOX_SUFFIX            ".bkrec"
#define OUTBOX_DEFAULT_RETENTION 14 /* days */

/* Writes `data` as dir/name durably (see above). `name` must end in OUTBOX_SUFFIX and be a
 * plain file name. BK_ERR_EXISTS when a record of that name is there already; BK_ERR_NO_SPACE
 * when the disk is full or a file-size limit is hit; BK_ERR_PERMISSION for a read-only or
 * unwritable directory; BK_ERR_IO otherwise. On any failure nothing is left behind. */
bk_err outbox_commit(const char *dir, const char *name, const uint8_t *data, size_t len);

typedef struct outbox_entry {
    char *name; /* file name (g_free) */
    size_t size;
    time_t mtime;
} outbox_entry;

/* The records in dir, sorted by name, in *entries (transfer full: outbox_entries_free). */
bk_err outbox_list(const char *dir, outbox_entry **entries, size_t *n);
void outbox_entries_free(outbox_entry *entries, size_t n);

/* Checks one record file without opening the seal (seal_verify); kiosk_pk may be NULL to
 * accept the key named in the file. `why` says what is wrong. */
bk_err outbox_verify_file(const char *path, const uint8_t *kiosk_pk, char *why, size_t why_size);

/* Removes temporary files left by an interrupted commit; *removed (may be NULL) counts them. */
bk_err outbox_clean_temp(const char *dir, size_t *removed);

/* Called for each record that leaves the outbox, so that the caller can write it to the audit
 * log: `name` is the file name, `event` "exported", "deleted-after-transfer" or
 * "deleted-after-retention". */
typedef void (*outbox_event_fn)(const char *name, const char *event, void *data);

/* Copies every record that verifies to dest (each by outbox_commit, then read back and verified
 * there). With remove set, each original is deleted once its copy is confirmed. *exported
 * counts the copies. A record that does not verify stops the export with BK_ERR_CORRUPT.
 * on_event (may be NULL) hears of every copy and deletion. */
bk_err outbox_export(const char *dir, const char *dest, const uint8_t *kiosk_pk, int remove,
                     outbox_event_fn on_event, void *data, size_t *exported, char *why,
                     size_t why_size);

/* Deletes records whose modification time is more than `days` days before `now`; *deleted
 * counts them. Each deletion is logged and reported to on_event (may be NULL). */
bk_err outbox_purge(const char *dir, unsigned days, time_t now, outbox_event_fn on_event,
                    void *data, size_t *deleted);

/* Reads a whole file (transfer full, g_free). */
bk_err outbox_read_file(const char *path, uint8_t **data, size_t *len);

#endif
