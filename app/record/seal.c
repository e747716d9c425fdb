#include "record/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "core/biomem.h"

static const char outer_magic[8] = {'B', 'K', 'S', 'E', 'A', 'L', 'E', 'D'};
static const char inner_magic[8] = {'B', 'K', 'I', 'N', 'N', 'E', 'R', '1'};
#define SEAL_VERSION    1
#define INNER_HEADER    48
#define KEY_LINE_PREFIX "biokiosk-key v1 "

static const char *const kind_names[] = {
    [SEAL_KEY_KIOSK_SECRET] = "kiosk-secret",
    [SEAL_KEY_KIOSK_PUBLIC] = "kiosk-public",
    [SEAL_KEY_BACKOFFICE_SECRET] = "backoffice-secret",
    [SEAL_KEY_BACKOFFICE_PUBLIC] = "backoffice-public",
    [SEAL_KEY_AUDIT_HASH] = "audit-hash",
    [SEAL_KEY_RECEIVER_SECRET] = "receiver-secret",
    [SEAL_KEY_RECEIVER_PUBLIC] = "receiver-public",
};

static size_t kind_len(seal_key_kind kind)
{
    switch (kind) {
    case SEAL_KEY_KIOSK_SECRET:
    case SEAL_KEY_RECEIVER_SECRET:
        return crypto_sign_SECRETKEYBYTES;
    case SEAL_KEY_KIOSK_PUBLIC:
    case SEAL_KEY_RECEIVER_PUBLIC:
        return crypto_sign_PUBLICKEYBYTES;
    case SEAL_KEY_BACKOFFICE_SECRET:
        return crypto_box_SECRETKEYBYTES;
    case SEAL_KEY_BACKOFFICE_PUBLIC:
        return crypto_box_PUBLICKEYBYTES;
    case SEAL_KEY_AUDIT_HASH:
        return SEAL_AUDIT_KEY_BYTES;
    }
    return 0;
}

static int kind_is_secret(seal_key_kind kind)
{
    return kind == SEAL_KEY_KIOSK_SECRET || kind == SEAL_KEY_BACKOFFICE_SECRET ||
           kind == SEAL_KEY_AUDIT_HASH || kind == SEAL_KEY_RECEIVER_SECRET;
}

/* A key file's mode wider than intended: a secret readable by others or writable by its group,
 * any key writable by group or others. 0640 stays allowed for secrets (the service's group). */
static int mode_too_wide(seal_key_kind kind, mode_t mode)
{
    mode_t refused = kind_is_secret(kind) ? (S_IWGRP | S_IXGRP | S_IRWXO) : (S_IWGRP | S_IWOTH);
    return (mode & refused) != 0;
}

static void say(char *why, size_t why_size, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void say(char *why, size_t why_size, const char *fmt, ...)
{
    if (why == NULL || why_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
}

bk_err seal_init(void)
{
    return sodium_init() < 0 ? BK_ERR_INTERNAL : BK_OK;
}

void seal_fingerprint(const uint8_t pk[SEAL_PUBLIC_BYTES], char out[17])
{
    uint8_t h[8];
    crypto_generichash(h, sizeof(h), pk, SEAL_PUBLIC_BYTES, NULL, 0);
    sodium_bin2hex(out, 17, h, sizeof(h));
}

bk_err seal_key_write(const char *path, seal_key_kind kind, const uint8_t *key, size_t len)
{
    if (path == NULL || key == NULL || len != kind_len(kind))
        return BK_ERR_INVALID;
    char line[256];
    size_t prefix = (size_t)snprintf(line, sizeof(line), KEY_LINE_PREFIX "%s ", kind_names[kind]);
    sodium_bin2base64(line + prefix, sizeof(line) - prefix - 1, key, len,
                      sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(line);
    line[n++] = '\n';

    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kind_is_secret(kind) ? 0600 : 0644);
    if (fd < 0) {
        sodium_memzero(line, sizeof(line));
        return bk_err_from_errno(errno);
    }
    bk_err err = BK_OK;
    /* the umask could have narrowed a public file; a secret one is never wider than 0600 */
    if (fchmod(fd, kind_is_secret(kind) ? 0600 : 0644) != 0 || write(fd, line, n) != (ssize_t)n ||
        fsync(fd) != 0)
        err = bk_err_from_errno(errno);
    sodium_memzero(line, sizeof(line));
    if (close(fd) != 0 && err == BK_OK)
        err = bk_err_from_errno(errno);
    if (err != BK_OK)
        unlink(path);
    return err;
}

bk_err seal_key_read(const char *path, seal_key_kind kind, uint8_t *key, size_t len, char *why,
                     size_t why_size)
{
    if (path == NULL || key == NULL || len != kind_len(kind))
        return BK_ERR_INVALID;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        say(why, why_size, "%s: %s", path, g_strerror(e));
        return bk_err_from_errno(e);
    }
    struct stat st;
    if (fstat(fd, &st) != 0)
        st.st_mode = 0;
    char line[257];
    ssize_t n = read(fd, line, sizeof(line) - 1);
    int e = errno;
    close(fd);
    if (n < 0) {
        say(why, why_size, "%s: %s", path, g_strerror(e));
        return bk_err_from_errno(e);
    }
    line[n] = '\0';
    bk_err err = BK_ERR_INVALID;
    char *nl = strchr(line, '\n');
    if (nl != NULL)
        *nl = '\0';
    if (strncmp(line, KEY_LINE_PREFIX, strlen(KEY_LINE_PREFIX)) != 0) {
        say(why, why_size, "%s is not a biokiosk key file", path);
        goto out;
    }
    char *kind_text = line + strlen(KEY_LINE_PREFIX);
    char *space = strchr(kind_text, ' ');
    if (space == NULL) {
        say(why, why_size, "%s is not a biokiosk key file", path);
        goto out;
    }
    *space = '\0';
    if (strcmp(kind_text, kind_names[kind]) != 0) {
        say(why, why_size, "%s holds a %s key, not a %s key", path, kind_text, kind_names[kind]);
        goto out;
    }
    if (mode_too_wide(kind, st.st_mode)) {
        say(why, why_size,
            "%s has mode %04o, wider than intended: chmod %s it (group and others must not %s it)",
            path, (unsigned)(st.st_mode & 07777), kind_is_secret(kind) ? "0600 (or 0640)" : "0644",
            kind_is_secret(kind) ? "read or write" : "write");
        err = BK_ERR_PERMISSION;
        goto out;
    }
    size_t got = 0;
    uint8_t tmp[128];
    if (sodium_base642bin(tmp, sizeof(tmp), space + 1, strlen(space + 1), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != len) {
        say(why, why_size, "%s: the key is damaged (not %zu bytes of base64)", path, len);
        sodium_memzero(tmp, sizeof(tmp));
        goto out;
    }
    memcpy(key, tmp, len);
    sodium_memzero(tmp, sizeof(tmp));
    err = BK_OK;
out:
    sodium_memzero(line, sizeof(line));
    return err;
}

/* Writes a set of files; on a failure removes those this call made. */
static bk_err write_keys(const char *dir, size_t n, const char *const names[],
                         const seal_key_kind kinds[], const uint8_t *const keys[])
{
    char *paths[4] = {0};
    bk_err err = BK_OK;
    for (size_t i = 0; i < n; i++) {
        paths[i] = g_build_filename(dir, names[i], NULL);
        if (g_file_test(paths[i], G_FILE_TEST_EXISTS))
            err = BK_ERR_EXISTS;
    }
    size_t done = 0;
    for (; err == BK_OK && done < n; done++) {
        err = seal_key_write(paths[done], kinds[done], keys[done], kind_len(kinds[done]));
        if (err != BK_OK)
            break;
    }
    if (err != BK_OK)
        for (size_t i = 0; i < done; i++)
            unlink(paths[i]);
    for (size_t i = 0; i < n; i++)
        g_free(paths[i]);
    return err;
}

bk_err seal_kiosk_init(const char *dir, char fingerprint[17])
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    uint8_t audit[SEAL_AUDIT_KEY_BYTES];
    crypto_sign_keypair(pk, sk);
    randombytes_buf(audit, sizeof(audit));
    static const char *const names[] = {"kiosk.key", "kiosk.pub", "audit-hash.key"};
    static const seal_key_kind kinds[] = {SEAL_KEY_KIOSK_SECRET, SEAL_KEY_KIOSK_PUBLIC,
                                          SEAL_KEY_AUDIT_HASH};
    const uint8_t *const keys[] = {sk, pk, audit};
    bk_err err = write_keys(dir, 3, names, kinds, keys);
    if (err == BK_OK && fingerprint != NULL)
        seal_fingerprint(pk, fingerprint);
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(audit, sizeof(audit));
    return err;
}

bk_err seal_backoffice_init(const char *dir, char fingerprint[17])
{
    uint8_t pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    static const char *const names[] = {"backoffice.key", "backoffice.pub"};
    static const seal_key_kind kinds[] = {SEAL_KEY_BACKOFFICE_SECRET, SEAL_KEY_BACKOFFICE_PUBLIC};
    const uint8_t *const keys[] = {sk, pk};
    bk_err err = write_keys(dir, 2, names, kinds, keys);
    if (err == BK_OK && fingerprint != NULL)
        seal_fingerprint(pk, fingerprint);
    sodium_memzero(sk, sizeof(sk));
    return err;
}

bk_err seal_receiver_init(const char *dir, char fingerprint[17])
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    static const char *const names[] = {"receiver.key", "receiver.pub"};
    static const seal_key_kind kinds[] = {SEAL_KEY_RECEIVER_SECRET, SEAL_KEY_RECEIVER_PUBLIC};
    const uint8_t *const keys[] = {sk, pk};
    bk_err err = write_keys(dir, 2, names, kinds, keys);
    if (err == BK_OK && fingerprint != NULL)
        seal_fingerprint(pk, fingerprint);
    sodium_memzero(sk, sizeof(sk));
    return err;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

bk_err seal_record(const uint8_t *payload, size_t len, const uint8_t kiosk_sk[64],
                   const uint8_t office_pk[32], uint8_t **out, size_t *out_len)
{
    if (payload == NULL || len == 0 || kiosk_sk == NULL || office_pk == NULL || out == NULL ||
        len > SIZE_MAX / 2)
        return BK_ERR_INVALID;
    size_t inner_len = INNER_HEADER + len + crypto_sign_BYTES;
    uint8_t *inner = biomem_alloc(inner_len);
    if (inner == NULL)
        return BK_ERR_NOMEM;
    memcpy(inner, inner_magic, 8);
    memcpy(inner + 8, office_pk, 32);
    put_be64(inner + 40, len);
    memcpy(inner + INNER_HEADER, payload, len);
    crypto_sign_detached(inner + INNER_HEADER + len, NULL, inner, INNER_HEADER + len, kiosk_sk);

    size_t box_len = inner_len + crypto_box_SEALBYTES;
    size_t total = SEAL_HEADER_BYTES + box_len + crypto_sign_BYTES;
    uint8_t *file = g_try_malloc(total);
    if (file == NULL) {
        biomem_free(inner);
        return BK_ERR_NOMEM;
    }
    memcpy(file, outer_magic, 8);
    file[8] = 0;
    file[9] = SEAL_VERSION;
    file[10] = file[11] = 0;
    crypto_sign_ed25519_sk_to_pk(file + 12, kiosk_sk);
    memcpy(file + 44, office_pk, 32);
    put_be64(file + 76, box_len);
    bk_err err = BK_OK;
    if (crypto_box_seal(file + SEAL_HEADER_BYTES, inner, inner_len, office_pk) != 0)
        err = BK_ERR_CRYPTO;
    biomem_free(inner);
    if (err != BK_OK) {
        g_free(file);
        return err;
    }
    crypto_sign_detached(file + SEAL_HEADER_BYTES + box_len, NULL, file,
                         SEAL_HEADER_BYTES + box_len, kiosk_sk);
    *out = file;
    *out_len = total;
    return BK_OK;
}

bk_err seal_verify(const uint8_t *file, size_t len, const uint8_t *kiosk_pk, seal_info *info,
                   char *why, size_t why_size)
{
    if (file == NULL || len < SEAL_HEADER_BYTES || memcmp(file, outer_magic, 8) != 0) {
        if (file != NULL && len >= 8 && memcmp(file, outer_magic, 8) == 0)
            say(why, why_size, "truncated: %zu bytes, shorter than the %d-byte header", len,
                SEAL_HEADER_BYTES);
        else
            say(why, why_size, "not a sealed biokiosk record (no BKSEALED magic)");
        return BK_ERR_CORRUPT;
    }
    unsigned version = (unsigned)file[8] << 8 | file[9];
    if (version != SEAL_VERSION) {
        say(why, why_size, "sealed record version %u; this program reads version %d", version,
            SEAL_VERSION);
        return BK_ERR_UNSUPPORTED;
    }
    uint64_t box_len = get_be64(file + 76);
    uint64_t min_box = crypto_box_SEALBYTES + INNER_HEADER + crypto_sign_BYTES;
    /* records are a few megabytes; more than 4 GiB can only be a damaged length */
    if (box_len < min_box || box_len > 0xFFFFFFFFull) {
        say(why, why_size, "damaged header: a sealed box of %llu bytes cannot be right",
            (unsigned long long)box_len);
        return BK_ERR_CORRUPT;
    }
    size_t want = SEAL_HEADER_BYTES + (size_t)box_len + crypto_sign_BYTES;
    if (len < want) {
        say(why, why_size, "truncated: %zu bytes of the %zu the header announces", len, want);
        return BK_ERR_CORRUPT;
    }
    if (len > want) {
        say(why, why_size, "%zu bytes after the end of the sealed record", len - want);
        return BK_ERR_CORRUPT;
    }
    if (kiosk_pk != NULL && sodium_memcmp(kiosk_pk, file + 12, 32) != 0) {
        char a[17], b[17];
        seal_fingerprint(file + 12, a);
        seal_fingerprint(kiosk_pk, b);
        say(why, why_size, "signed by kiosk key %s, not by the expected key %s", a, b);
        return BK_ERR_CRYPTO;
    }
    if (crypto_sign_verify_detached(file + want - crypto_sign_BYTES, file, want - crypto_sign_BYTES,
                                    file + 12) != 0) {
        say(why, why_size, "the signature does not match the contents: the file was changed");
        return BK_ERR_CRYPTO;
    }
    if (info != NULL) {
        memcpy(info->kiosk_pk, file + 12, 32);
        memcpy(info->office_pk, file + 44, 32);
        info->payload_len =
            (size_t)box_len - crypto_box_SEALBYTES - INNER_HEADER - crypto_sign_BYTES;
    }
    return BK_OK;
}

bk_err seal_open(const uint8_t *file, size_t len, const uint8_t office_sk[32],
                 const uint8_t kiosk_pk[32], uint8_t **payload, size_t *payload_len, char *why,
                 size_t why_size)
{
    if (office_sk == NULL || kiosk_pk == NULL || payload == NULL || payload_len == NULL)
        return BK_ERR_INVALID;
    seal_info info;
    bk_err err = seal_verify(file, len, kiosk_pk, &info, why, why_size);
    if (err != BK_OK)
        return err;
    uint8_t office_pk[32];
    crypto_scalarmult_base(office_pk, office_sk);
    if (sodium_memcmp(office_pk, info.office_pk, 32) != 0) {
        char a[17], b[17];
        seal_fingerprint(info.office_pk, a);
        seal_fingerprint(office_pk, b);
        say(why, why_size, "sealed to back-office key %s; this secret key belongs to %s", a, b);
        return BK_ERR_CRYPTO;
    }
    size_t box_len = (size_t)get_be64(file + 76);
    size_t inner_len = box_len - crypto_box_SEALBYTES;
    uint8_t *inner = biomem_alloc(inner_len);
    if (inner == NULL)
        return BK_ERR_NOMEM;
    if (crypto_box_seal_open(inner, file + SEAL_HEADER_BYTES, box_len, office_pk, office_sk) != 0) {
        say(why, why_size, "the seal does not open with this secret key");
        err = BK_ERR_CRYPTO;
        goto out;
    }
    size_t m = inner_len - INNER_HEADER - crypto_sign_BYTES;
    if (memcmp(inner, inner_magic, 8) != 0 || get_be64(inner + 40) != m ||
        sodium_memcmp(inner + 8, office_pk, 32) != 0) {
        say(why, why_size, "the opened record is malformed or meant for another back office");
        err = BK_ERR_CORRUPT;
        goto out;
    }
    if (crypto_sign_verify_detached(inner + INNER_HEADER + m, inner, INNER_HEADER + m, kiosk_pk) !=
        0) {
        say(why, why_size, "the signature inside the seal does not verify");
        err = BK_ERR_CRYPTO;
        goto out;
    }
    uint8_t *p = biomem_alloc(m);
    if (p == NULL) {
        err = BK_ERR_NOMEM;
        goto out;
    }
    memcpy(p, inner + INNER_HEADER, m);
    *payload = p;
    *payload_len = m;
out:
    biomem_free(inner);
    return err;
}
