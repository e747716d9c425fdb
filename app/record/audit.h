/* The audit log: append-only, tamper-evident, without personal data.
 *
 * One text line per event, fields separated by TAB:
 *   E  SEQ  TIME  EVENT  SUBJECT  DETAIL  PREV  HASH  TAG
 * SEQ counts from 1; TIME is YYYY-MM-DDThh:mm:ssZ; EVENT a dotted name ("session.start");
 * SUBJECT is "-" or the keyed BLAKE2b hash (16 bytes, hex) of the V-number under the kiosk's
 * audit-hash key, so entries of one person can be found by whoever holds that key but the log
 * itself names nobody; DETAIL is "-" or short "key=value" text (never names or images).
 * HASH = BLAKE2b-256("biokiosk-audit-v1\n" || the line up to and including PREV), and PREV is
 * the HASH of the previous entry (64 zeros for the first). TAG = BLAKE2b-256 of HASH keyed
 * with a key derived from the kiosk's secret signing key: anyone can follow the chain, but only
 * the holder of that key (the kiosk and its tools, the same that sign checkpoints) can make a
 * TAG, and it binds the entries to that kiosk. Logs written before tags have no TAG field.
 * Every `sign_every` entries, and when the log is closed, a checkpoint line
 *   S  SEQ  HASH  SIGNATURE
 * signs ("biokiosk-audit-sig-v1\n" SEQ TAB HASH) with the kiosk's Ed25519 key, so that a
 * rewritten chain (hashes recomputed) is still detected up to the last checkpoint.
 * Before a writer extends the log it checks the chain from the last checkpoint on: every entry
 * there must link up and carry the kiosk's TAG, and that checkpoint must directly follow the
 * entry it signs. So removing the last checkpoint and rewriting the entries after the one before
 * (hashes recomputed) no longer gets the rewritten entries signed: their TAGs give them away.
 * Each line is appended with O_APPEND and fdatasync'ed before audit_append returns, under an
 * exclusive flock(2) on the file: several handles and processes (the kiosk, `outbox export
 * --audit`) may append to one log, and each continues the chain from the file's true last line.
 * A genuine log never has more than `sign_every` entries in a row without a checkpoint (nor
 * after its last one); audit_verify refuses a longer unsigned stretch, the trace of removed
 * checkpoints. Cutting off the end of the log together with its last checkpoints cannot be
 * seen in the file alone: record_session.audit_seq/audit_hash put the head of the log into
 * every record, so the back office can compare.
 */
#ifndef BIOKIOSK_AUDIT_H
#define BIOKIOSK_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

#define AUDIT_DEFAULT_SIGN_EVERY 16

typedef struct audit audit;

/* Opens (or creates) the log at path and continues its chain. kiosk_sk signs checkpoints;
 * hash_key keys the V-number hashes (both copied; kiosk_sk also keys the TAGs). A log whose tail
 * after the last checkpoint does not hold together (a line that cannot be parsed, a broken link, an
 * entry without the kiosk's TAG, a misplaced checkpoint) is refused with BK_ERR_CORRUPT (`why` says
 * where): the kiosk must not extend a damaged chain.
 * An incomplete last line (a crash during an append, which therefore never returned BK_OK) is
 * cut off, and an "audit.recovered" entry records how many bytes were dropped. */
bk_err audit_open(const char *path, const uint8_t kiosk_sk[64], const uint8_t hash_key[32],
                  unsigned sign_every, audit **out, char *why, size_t why_size);

/* Appends one entry. event: [a-z0-9._-], 1-40 chars. v_number: NULL or the V-number (hashed).
 * detail: NULL or printable text without TAB, at most 400 bytes. Durable on BK_OK. */
bk_err audit_append(audit *a, const char *event, const char *v_number, const char *detail);

/* Writes a signed checkpoint for the last entry now (nothing when there is no new entry). */
bk_err audit_checkpoint(audit *a);

/* The log's last entry now: its number (0 for an empty log) and hash (64 hex digits and NUL;
 * all zeros for an empty log). */
bk_err audit_head(audit *a, unsigned long *seq, char hash[65]);

/* Writes a checkpoint when entries are unsigned, wipes the keys and frees; NULL does nothing.
 * Returns what the checkpoint's write returned (the handle is freed either way). */
bk_err audit_close(audit *a);

/* The keyed hash the log stores for a V-number (33 bytes: 32 hex digits and NUL). */
void audit_subject(const uint8_t hash_key[32], const char *v_number, char out[33]);

typedef struct audit_problem {
    const char *kind; /* "changed", "removed", "reordered", "inserted", "signature", "malformed",
                         "unsigned" (a stretch of entries no checkpoint signs), "untagged" */
    size_t line;      /* line in the file (1-based); 0 when the problem is an absence */
    unsigned long seq;
    char text[200]; /* one English sentence */
} audit_problem;

typedef struct audit_report {
    size_t entries;
    size_t checkpoints;
    size_t unsigned_tail;    /* entries after the last checkpoint */
    audit_problem *problems; /* g_free */
    size_t n_problems;
} audit_report;

/* Checks the whole log against the kiosk's public key. Fills *report (audit_report_clear) and
 * returns BK_OK when nothing is wrong, BK_ERR_CORRUPT when problems were found (listed in the
 * report, each naming the entry), or an I/O error. */
bk_err audit_verify(const char *path, const uint8_t kiosk_pk[32], audit_report *report);
typedef struct audit_verify_options {
    unsigned sign_every;     /* the writer's interval; 0: AUDIT_DEFAULT_SIGN_EVERY */
    unsigned long head_seq;  /* > 0: this entry, with this hash, must be in the log (a record's */
    const char *head_hash;   /* 2.126, the head when it was written): detects a log cut short */
    const uint8_t *kiosk_sk; /* NULL, or the kiosk's secret key (64 bytes, on the kiosk): also
                                check every TAG ("changed" when it is not the kiosk's,
                                "untagged" when an entry no checkpoint signs has none) */
} audit_verify_options;

/* audit_verify with options (NULL: the defaults). */
bk_err audit_verify_with(const char *path, const uint8_t kiosk_pk[32],
                         const audit_verify_options *options, audit_report *report);
void audit_report_clear(audit_report *report);

#endif
