/* The kiosk's side of the record (app/record/): the keys, the outbox and the audit log of a
 * running kiosk, and the identity of the persons of the current visit. Made by app/kiosk.c; once
 * the visit controller runs, only its worker thread calls it (it blocks: fsync, signing).
 *
 * The visit controller (visit.c) copies what the record needs of the appointment at check-in
 * (kioskrec_visit_begin), commits one record per person at the end (kioskrec_commit) and only
 * then marks the appointment completed; kioskrec_visit_end wipes the copy. Every event of the
 * session goes to the audit log through kioskrec_audit, without names or images, the V-number
 * only as a keyed hash.
 */
#ifndef BIOKIOSK_KIOSKREC_H
#define BIOKIOSK_KIOSKREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "core/bk_err.h"
#include "core/flow.h"
#include "store/store.h"
#include "core/takes.h"

typedef struct kioskrec_settings {
    const char *outbox;         /* record.outbox */
    const char *kiosk_key;      /* record.kiosk_key: the kiosk's Ed25519 secret key file */
    const char *backoffice_key; /* record.backoffice_key: the back office's public key file */
    const char *audit_hash_key; /* record.audit_hash_key: the key of the V-number hashes */
    const char *audit_log;      /* audit.log */
    unsigned retention_days;    /* record.retention_days */
    const char *desk, *kiosk_id;
    /* the signature image's box in pixels ([signature] image_width/image_height); 0: the
     * record's default 600 x 200 */
    int signature_box_width, signature_box_height;
    /* [signature] min_points: the trivial-signature rule the record checks too; 0: default */
    unsigned signature_min_points;
} kioskrec_settings;

typedef struct kioskrec kioskrec;

/* Reads the keys, opens the audit log, removes temporary files an interrupted commit left in
 * the outbox and purges records older than the retention (each deletion audited). On failure
 * *message (transfer full, g_free) is one line naming the setting; BK_ERR_INVALID for a key file
 * that is missing or wrong, BK_ERR_CORRUPT for a damaged audit log, others for I/O.
 * The strings of set must outlive the kioskrec. */
bk_err kioskrec_open(const kioskrec_settings *set, int64_t now, kioskrec **out, char **message);

/* Closes the audit log (with a signed checkpoint), wipes the keys and the visit. NULL: nothing. */
void kioskrec_free(kioskrec *k);

/* Appends an audit entry (see audit_append: event [a-z0-9._-], detail key=value text, never
 * names). A failure is logged (GLib) and does not stop the kiosk. k NULL does nothing. */
void kioskrec_audit(kioskrec *k, const char *event, const char *v_number, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* Copies the identity of the appointment's persons (V-number, name, birth date, category) and
 * the code for the records of this visit; `wall` is the start time. Replaces an earlier visit. */
void kioskrec_visit_begin(kioskrec *k, const store_appointment *appt, int64_t wall);
/* Wipes the copy (the session ended, was aborted or idled out). */
void kioskrec_visit_end(kioskrec *k);
/* The staff member who acted last in this visit (the record's staff id). */
void kioskrec_note_staff(kioskrec *k, const char *staff_id);

/* Commits one record for every person of the flow with anything captured at this desk and not
 * committed yet (a retry writes only what is missing). Audits the attempts, exceptions and
 * vetoes from tk and each record written. BK_OK when every record of the visit is durable;
 * otherwise the error of the first that is not (BK_ERR_NO_SPACE, BK_ERR_PERMISSION, BK_ERR_IO
 * can be retried) and kioskrec_problem says what happened. */
bk_err kioskrec_commit(kioskrec *k, const flow *fl, const takes *tk, int64_t wall);

/* Audits the attempts and exceptions in tk of every person whose record was not written (an
 * aborted or idled-out visit), before the takes are wiped. */
void kioskrec_audit_unwritten(kioskrec *k, const takes *tk);

/* How many persons of the visit have a record to write that is not durable yet (0 outside a
 * visit). */
size_t kioskrec_waiting(const kioskrec *k, const flow *fl);

/* Staff chose to discard the records that wait (a second, explicit confirmation): audits each
 * person of person_mask (bit i: person i had steps) whose record is not durable as
 * "record.discarded" with the staff id. The caller then wipes the visit. */
void kioskrec_discard_mask(kioskrec *k, unsigned person_mask, const char *staff_id);

/* One English line for staff on the last failed commit ("" when none). */
const char *kioskrec_problem(const kioskrec *k);

#endif
