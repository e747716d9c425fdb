/* ANSI/NIST-ITL 1-2011 (Update 2015) transactions in the traditional encoding.
 *
 * A transaction is a list of records. Tagged records (types 1, 2, 9-99) are lists of fields
 * "T.FFF:value", each ended by 0x1D (GS) and the last one by 0x1C (FS); inside a value 0x1E (RS)
 * separates subfields and 0x1F (US) separates the items of a subfield. Field 999 holds binary
 * image data and runs to the end of its record. Types 3 to 8 are binary records: a 4-byte
 * big-endian length (LEN, counting itself), one byte IDC, then a fixed header and data.
 *
 * The writer computes every x.001 (LEN) and the Type-1 field 1.003 (CNT); callers set the other
 * fields. The reader checks the whole file: every length, separator, tag and the CNT list
 * against the records that are actually there, and says in `why` what is wrong.
 *
 * Pure C without GLib (the fuzz target builds it with clang alone). Every field value and binary
 * record lives in a biomem buffer, because they hold images, prints, pen points and names.
 */
#ifndef BIOKIOSK_AN2K_H
#define BIOKIOSK_AN2K_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

#define AN2K_GS 0x1D /* ends a field */
#define AN2K_RS 0x1E /* separates subfields */
#define AN2K_US 0x1F /* separates items */
#define AN2K_FS 0x1C /* ends a record */

/* The field that holds image data and runs to the end of its record. */
#define AN2K_FIELD_DATA 999u

typedef struct an2k_field {
    unsigned tag;   /* field number: 3 for "14.003" */
    uint8_t *value; /* the bytes between "T.FFF:" and the terminator (biomem) */
    size_t len;
} an2k_field;

typedef struct an2k_record {
    unsigned type;
    int binary; /* 1 for types 3-8 */
    /* tagged records: fields in ascending tag order; x.001 is not stored (the writer makes it) */
    an2k_field *fields;
    size_t n_fields;
    size_t cap_fields;
    /* binary records: the whole record as on the wire, LEN first (biomem) */
    uint8_t *bin;
    size_t bin_len;
} an2k_record;

typedef struct an2k {
    an2k_record *records; /* records[0] is the Type-1 record */
    size_t n_records;
    size_t cap_records;
} an2k;

/* True for the types stored as binary records (3 to 8). */
int an2k_type_is_binary(unsigned type);

/* An empty transaction (transfer full: an2k_free), or NULL when out of memory. */
an2k *an2k_new(void);

/* Wipes and frees a transaction; NULL does nothing. */
void an2k_free(an2k *t);

/* Appends an empty tagged record of `type` (1, 2 or 9-99); *out points into t and stays valid
 * until the next an2k_add_* call. The first record added must be Type-1. */
bk_err an2k_add_tagged(an2k *t, unsigned type, an2k_record **out);

/* Appends a binary record of `type` (3-8): LEN is computed, then `idc`, then `body` (the bytes
 * after the IDC, copied). */
bk_err an2k_add_binary(an2k *t, unsigned type, unsigned idc, const uint8_t *body, size_t len);

/* Sets field `tag` (2..999, not 1) of a tagged record to a copy of `len` bytes, replacing an
 * existing value. Refuses bytes that would break the encoding: FS or GS anywhere except in
 * field 999, and an empty value. */
bk_err an2k_set(an2k_record *r, unsigned tag, const void *value, size_t len);

/* an2k_set with a NUL-terminated string. */
bk_err an2k_set_str(an2k_record *r, unsigned tag, const char *value);

/* The field `tag` of a tagged record, or NULL when absent (transfer none). */
const an2k_field *an2k_get(const an2k_record *r, unsigned tag);

/* The IDC of a record (x.002 of tagged records, byte 4 of binary ones); -1 when missing or not
 * a number. Type-1 has no IDC and gives -1. */
int an2k_idc(const an2k_record *r);

/* Item `item` of subfield `sub` (both counted from 0) of a field value: *p and *len point into
 * the value. BK_ERR_NOT_FOUND when there is no such item. */
bk_err an2k_item(const an2k_field *f, size_t sub, size_t item, const uint8_t **p, size_t *len);

/* Number of subfields of a value (1 for a value without RS). */
size_t an2k_subfields(const an2k_field *f);

/* Encodes the transaction; *out (transfer full, biomem: free with biomem_free) and *out_len
 * are written only on success. Computes each x.001 and 1.003; Type-1 must come first and be
 * the only Type-1, and every other record must have an IDC of 0-99. */
bk_err an2k_write(const an2k *t, uint8_t **out, size_t *out_len);

/* Decodes a whole file. On success *out (transfer full) holds the records. On failure returns
 * BK_ERR_CORRUPT (or BK_ERR_NOMEM) and, when why is not NULL, a one-line English reason with
 * the byte offset, such as "record 3 (type 14) at byte 1234: LEN 5000 runs past the end of the
 * file (2000 bytes)". */
bk_err an2k_read(const uint8_t *buf, size_t len, an2k **out, char *why, size_t why_size);

#endif
