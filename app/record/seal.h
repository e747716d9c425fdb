/* Keys, signing and sealing of records (libsodium).
 *
 * The kiosk signs with an Ed25519 key; the back office opens with an X25519 key pair. A record
 * is signed by the kiosk, then sealed to the back office's public key (crypto_box_seal:
 * an ephemeral X25519 key and XSalsa20-Poly1305), and the sealed file is signed once more on
 * the outside, so that anyone holding the kiosk's public key can check that a file is complete
 * and from this kiosk without being able to open it. The kiosk holds nothing that opens its own
 * outbox.
 *
 * Sealed file, version 1 (integers big-endian):
 *   0   8   magic "BKSEALED"
 *   8   2   version = 1
 *   10  2   flags = 0
 *   12  32  kiosk Ed25519 public key
 *   44  32  back-office X25519 public key the record is sealed to
 *   76  8   N, the length of the sealed box
 *   84  N   crypto_box_seal(inner, back-office public key)
 *   84+N 64 Ed25519 signature by the kiosk over bytes 0 .. 84+N-1
 * inner (the plaintext that is sealed):
 *   0   8   magic "BKINNER1"
 *   8   32  back-office public key (binds the signature to the intended reader)
 *   40  8   M, the payload length
 *   48  M   payload: one ANSI/NIST-ITL transaction
 *   48+M 64 Ed25519 signature by the kiosk over bytes 0 .. 48+M-1
 *
 * Key files are one text line "biokiosk-key v1 KIND BASE64" with KIND one of kiosk-secret
 * (Ed25519, 64 bytes), kiosk-public (32), backoffice-secret (X25519, 32), backoffice-public (32),
 * audit-hash (32 random bytes for keyed hashes in the audit log). Secret files are mode 0600.
 */
#ifndef BIOKIOSK_SEAL_H
#define BIOKIOSK_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

#define SEAL_PUBLIC_BYTES      32
#define SEAL_SIGN_SECRET_BYTES 64
#define SEAL_BOX_SECRET_BYTES  32
#define SEAL_AUDIT_KEY_BYTES   32
#define SEAL_HEADER_BYTES      84
#define SEAL_SIGNATURE_BYTES   64

typedef enum seal_key_kind {
    SEAL_KEY_KIOSK_SECRET,
    SEAL_KEY_KIOSK_PUBLIC,
    SEAL_KEY_BACKOFFICE_SECRET,
    SEAL_KEY_BACKOFFICE_PUBLIC,
    SEAL_KEY_AUDIT_HASH,
    SEAL_KEY_RECEIVER_SECRET, /* Ed25519: the receiver signs delivery receipts (64 bytes) */
    SEAL_KEY_RECEIVER_PUBLIC, /* its public key, which kiosks pin (32 bytes) */
} seal_key_kind;

/* Initialises libsodium; call once before anything else here (safe to call again). */
bk_err seal_init(void);

/* Writes a key file; refuses to overwrite (BK_ERR_EXISTS). Secret kinds get mode 0600.
 * The file is complete on disk (fsync) before this returns BK_OK. */
bk_err seal_key_write(const char *path, seal_key_kind kind, const uint8_t *key, size_t len);

/* Reads a key file of the expected kind into key[len]; BK_ERR_INVALID with `why` when the file
 * is of another kind or malformed, BK_ERR_NOT_FOUND / BK_ERR_PERMISSION / BK_ERR_IO otherwise.
 * A file whose mode is wider than intended is refused with BK_ERR_PERMISSION and a `why` that
 * says how to fix it: a secret key readable by others or writable by its group (0600, or 0640
 * for the service's group, are intended), any key writable by its group or others. */
bk_err seal_key_read(const char *path, seal_key_kind kind, uint8_t *key, size_t len, char *why,
                     size_t why_size);

/* Makes the kiosk's keys in `dir`: kiosk.key, kiosk.pub and audit-hash.key. Nothing is
 * overwritten: BK_ERR_EXISTS if any exists. `fingerprint` (17 bytes) receives the public key's
 * fingerprint. */
bk_err seal_kiosk_init(const char *dir, char fingerprint[17]);

/* Makes the back office's pair in `dir`: backoffice.key (0600) and backoffice.pub. */
bk_err seal_backoffice_init(const char *dir, char fingerprint[17]);

/* Makes a delivery receiver's Ed25519 pair in `dir`: receiver.key (0600) and receiver.pub. */
bk_err seal_receiver_init(const char *dir, char fingerprint[17]);

/* 16 hex digits naming a public key (the start of its BLAKE2b hash) for messages and JSON. */
void seal_fingerprint(const uint8_t pk[SEAL_PUBLIC_BYTES], char out[17]);

/* Signs `payload` with the kiosk secret key and seals it to the back office's public key.
 * *out (transfer full, g_free) is the sealed file. */
bk_err seal_record(const uint8_t *payload, size_t len, const uint8_t kiosk_sk[64],
                   const uint8_t office_pk[32], uint8_t **out, size_t *out_len);

/* What can be checked on a sealed file without opening it. */
typedef struct seal_info {
    uint8_t kiosk_pk[SEAL_PUBLIC_BYTES];
    uint8_t office_pk[SEAL_PUBLIC_BYTES];
    size_t payload_len; /* length of the ANSI/NIST-ITL payload inside */
} seal_info;

/* Checks form, length and the outer signature. With kiosk_pk NULL, the key named in the file
 * is used (the file is then only known to be complete and self-consistent); otherwise the file
 * must be signed by that key. BK_ERR_CORRUPT for a damaged or truncated file, BK_ERR_CRYPTO for
 * a signature that does not verify; `why` says which. */
bk_err seal_verify(const uint8_t *file, size_t len, const uint8_t *kiosk_pk, seal_info *info,
                   char *why, size_t why_size);

/* Verifies (as seal_verify, with the kiosk key required), opens the seal with the back office's
 * secret key and verifies the inner signature. *payload (transfer full, biomem_free) is the
 * ANSI/NIST-ITL transaction. */
bk_err seal_open(const uint8_t *file, size_t len, const uint8_t office_sk[32],
                 const uint8_t kiosk_pk[32], uint8_t **payload, size_t *payload_len, char *why,
                 size_t why_size);

#endif
