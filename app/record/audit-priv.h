/* What the audit log's writer (audit.c) and its verifier (audit_verify.c) share: the line
 * format and its hashes, tags and signatures. Not for use outside app/record/audit*.c. */
#ifndef BIOKIOSK_AUDIT_PRIV_H
#define BIOKIOSK_AUDIT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#define HASH_BYTES 32
#define HASH_HEX   (2 * HASH_BYTES + 1)
#define ZERO_HASH  "0000000000000000000000000000000000000000000000000000000000000000"

/* A parsed line. Fields point into the line (which is modified). */
typedef struct parsed {
    char kind; /* 'E', 'S' or 0 when malformed */
    unsigned long seq;
    const char *prev, *hash, *sig;
    const char *tag; /* E: NULL when the line has none (written before tags, or forged) */
    size_t body_len; /* E: bytes hashed (up to and including PREV) */
} parsed;

/* Splits an audit line in place: 'E' or 'S', or kind 0 when it is not one. */
parsed audit_parse_line(char *line);

/* HASH of an entry: BLAKE2b-256 of the context and the line's first len bytes. */
void audit_line_hash(const char *line, size_t len, char out[HASH_HEX]);

/* The TAG key derived from the kiosk's secret signing key, and an entry's TAG from its HASH. */
void audit_tag_key_derive(const uint8_t kiosk_sk[64], uint8_t out[32]);
void audit_entry_tag(const uint8_t tag_key[32], const char *hash, char out[HASH_HEX]);

/* Whether sig_hex is the kiosk's (pk) signature of checkpoint (seq, hash). */
int audit_checkpoint_sig_ok(unsigned long seq, const char *hash, const char *sig_hex,
                            const uint8_t pk[32]);

#endif
