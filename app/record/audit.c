#include "record/audit.h"
#include "record/audit-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

static const char hash_context[] = "biokiosk-audit-v1\n";
static const char sig_context[] = "biokiosk-audit-sig-v1\n";
static const char tag_context[] = "biokiosk-audit-tag-v1";

struct audit {
    char *path;
    int fd;
    unsigned sign_every;
    unsigned long seq;        /* of the last entry */
    unsigned long signed_seq; /* of the last checkpoint */
    char last_hash[HASH_HEX];
    off_t known_size;    /* the file's size when seq/signed_seq/last_hash were last right; -1:
                            unknown (read the whole file again) */
    off_t signed_offset; /* where the last checkpoint's line starts; 0: no checkpoint */
    int tampered;        /* the log was found changed: this handle never extends it again */
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    uint8_t hash_key[32];
    uint8_t tag_key[32]; /* keys the entries' TAG (audit_tag_key_derive) */
};

void audit_line_hash(const char *line, size_t len, char out[HASH_HEX])
{
    uint8_t h[HASH_BYTES];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)hash_context, sizeof(hash_context) - 1);
    crypto_generichash_update(&st, (const uint8_t *)line, len);
    crypto_generichash_final(&st, h, HASH_BYTES);
    sodium_bin2hex(out, HASH_HEX, h, HASH_BYTES);
}

static void sig_message(unsigned long seq, const char *hash, GString *msg)
{
    g_string_printf(msg, "%s%lu\t%s", sig_context, seq, hash);
}

/* The key of the entries' TAG, derived from the kiosk's secret signing key: only the kiosk and
 * its tools, which sign the checkpoints, can make a TAG (not whoever holds the audit-hash key to
 * look people up in the log), and it binds the entries to that kiosk. */
void audit_tag_key_derive(const uint8_t kiosk_sk[64], uint8_t out[32])
{
    /* keyed with the secret key's seed (its first 32 bytes) */
    crypto_generichash(out, 32, (const uint8_t *)tag_context, sizeof(tag_context) - 1, kiosk_sk,
                       32);
}

/* TAG = keyed BLAKE2b-256 of the entry's HASH: only the holder of the kiosk's key can make it. */
void audit_entry_tag(const uint8_t tag_key[32], const char *hash, char out[HASH_HEX])
{
    uint8_t t[HASH_BYTES];
    crypto_generichash(t, sizeof(t), (const uint8_t *)hash, 64, tag_key, 32);
    sodium_bin2hex(out, HASH_HEX, t, sizeof(t));
}

void audit_subject(const uint8_t hash_key[32], const char *v_number, char out[33])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof(h), (const uint8_t *)v_number, strlen(v_number), hash_key, 32);
    sodium_bin2hex(out, 33, h, sizeof(h));
}

static int is_hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
            return 0;
    return 1;
}

static int parse_seq(const char *s, unsigned long *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 12 || strspn(s, "0123456789") != strlen(s) ||
        s[0] == '0')
        return 0;
    *out = strtoul(s, NULL, 10);
    return 1;
}

parsed audit_parse_line(char *line)
{
    parsed p = {0};
    char *fields[10] = {0};
    size_t n = 0;
    char *save = line;
    for (char *t = line; n < 10; t++) {
        if (*t == '\t' || *t == '\0') {
            int end = *t == '\0';
            *t = '\0';
            fields[n++] = save;
            save = t + 1;
            if (end)
                break;
        }
    }
    if ((n == 8 || (n == 9 && is_hex64(fields[8]))) && strcmp(fields[0], "E") == 0 &&
        parse_seq(fields[1], &p.seq) && is_hex64(fields[6]) && is_hex64(fields[7])) {
        p.kind = 'E';
        p.prev = fields[6];
        p.hash = fields[7];
        p.tag = n == 9 ? fields[8] : NULL;
        p.body_len = (size_t)(fields[7] - line) - 1;
        /* restore the tabs of the hashed part */
        for (size_t i = 0; i < p.body_len; i++)
            if (line[i] == '\0')
                line[i] = '\t';
    } else if (n == 4 && strcmp(fields[0], "S") == 0 && parse_seq(fields[1], &p.seq) &&
               is_hex64(fields[2]) && strlen(fields[3]) == 128) {
        p.kind = 'S';
        p.hash = fields[2];
        p.sig = fields[3];
    }
    return p;
}

static bk_err write_line(audit *a, const char *text, size_t len)
{
    ssize_t n = write(a->fd, text, len);
    if (n != (ssize_t)len) {
        bk_err err = n < 0 ? bk_err_from_errno(errno) : BK_ERR_NO_SPACE;
        /* a partial line would break the log for good: cut it off again */
        if (n > 0) {
            off_t end = lseek(a->fd, 0, SEEK_END);
            if (end >= n && ftruncate(a->fd, end - n) != 0)
                g_warning("audit: could not remove a partial line");
        }
        return err;
    }
    if (fdatasync(a->fd) != 0)
        return bk_err_from_errno(errno);
    struct stat st;
    a->known_size = fstat(a->fd, &st) == 0 ? st.st_size : -1;
    return BK_OK;
}

/* Another process (the kiosk and `outbox export --audit`) may append to the same file: every
 * append and checkpoint holds an exclusive lock on it, and continues the chain from what the
 * file holds under that lock, not from what this handle wrote last. */
static bk_err lock(audit *a)
{
    while (flock(a->fd, LOCK_EX) != 0)
        if (errno != EINTR)
            return bk_err_from_errno(errno);
    return BK_OK;
}

static void unlock(audit *a)
{
    if (flock(a->fd, LOCK_UN) != 0)
        g_warning("audit: cannot release the lock: %s", g_strerror(errno));
}

int audit_checkpoint_sig_ok(unsigned long seq, const char *hash, const char *sig_hex,
                            const uint8_t pk[32])
{
    uint8_t sig[crypto_sign_BYTES];
    GString *msg = g_string_new(NULL);
    sig_message(seq, hash, msg);
    int ok = sodium_hex2bin(sig, sizeof(sig), sig_hex, 128, NULL, NULL, NULL) == 0 &&
             crypto_sign_verify_detached(sig, (const uint8_t *)msg->str, msg->len, pk) == 0;
    g_string_free(msg, TRUE);
    return ok;
}

/* The chain as this handle must find it before it adds to it. */
typedef struct chain {
    unsigned long seq, signed_seq;
    char hash[HASH_HEX];
    off_t signed_offset;
    int anchored; /* the entries so far are tied to a checkpoint (or to the start of the file) */
} chain;

/* One line of the tail; NULL when it continues the chain, else what is wrong (static). Every
 * entry of the tail must carry its TAG: the tail is not signed yet, and whoever rewrites it
 * without the kiosk's key can recompute HASH and PREV but not TAG. */
static const char *chain_step(chain *c, char *line, off_t offset, const uint8_t pk[32],
                              const uint8_t tag_key[32])
{
    parsed q = audit_parse_line(line);
    if (q.kind == 'S') {
        if (!audit_checkpoint_sig_ok(q.seq, q.hash, q.sig, pk))
            return "a checkpoint is not this kiosk's signature";
        if (c->anchored && (q.seq != c->seq || strcmp(q.hash, c->hash) != 0))
            return "a checkpoint does not sign the entries before it";
        c->seq = c->signed_seq = q.seq;
        g_strlcpy(c->hash, q.hash, sizeof(c->hash));
        c->signed_offset = offset;
        c->anchored = 1;
        return NULL;
    }
    if (q.kind != 'E')
        return "a line cannot be read";
    char computed[HASH_HEX];
    audit_line_hash(line, q.body_len, computed);
    if (!c->anchored)
        return "an entry is not tied to a checkpoint";
    if (strcmp(computed, q.hash) != 0)
        return "an entry was changed";
    if (q.seq != c->seq + 1 || strcmp(q.prev, c->hash) != 0)
        return "an entry does not follow on from the one before it";
    if (q.tag == NULL)
        return "an unsigned entry has no tag (written by an older version, or rewritten)";
    char tag[HASH_HEX];
    audit_entry_tag(tag_key, q.hash, tag);
    if (sodium_memcmp(tag, q.tag, 64) != 0)
        return "an unsigned entry's tag is not the kiosk's (rewritten without the kiosk's key)";
    c->seq = q.seq;
    g_strlcpy(c->hash, q.hash, sizeof(c->hash));
    return NULL;
}

/* Checks the chain in text (complete lines starting at byte `offset` of the file: the last
 * checkpoint, or the start of a file without one) and takes its head. What this handle wrote
 * itself must still be there as written: a tail rewritten with recomputed hashes links up, but
 * not to what the kiosk remembers. BK_ERR_CORRUPT with *why when anything does not hold: the log
 * is then never extended, so the kiosk never signs a tail someone rewrote. */
static bk_err check_tail(audit *a, char *text, off_t offset, int remembered, char *why,
                         size_t why_size)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, a->sk);
    chain c = {.anchored = offset == 0};
    g_strlcpy(c.hash, ZERO_HASH, sizeof(c.hash));
    int seen_own = !remembered || a->seq == 0;
    const char *bad = NULL;
    off_t at = offset;
    for (char *p = text; *p != '\0' && bad == NULL;) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        at = offset + (p - text);
        if (len > 0) {
            char *line = g_strndup(p, len);
            bad = chain_step(&c, line, at, pk, a->tag_key);
            g_free(line);
            if (bad == NULL && remembered && c.seq == a->seq)
                seen_own = seen_own || strcmp(c.hash, a->last_hash) == 0;
        }
        p = nl ? nl + 1 : p + len;
    }
    if (bad == NULL && remembered && (c.seq < a->seq || !seen_own))
        bad = "what this kiosk wrote is no longer there as written";
    if (bad != NULL) {
        g_snprintf(why, why_size, "%s: since the last checkpoint %s (near byte %lld): not extended",
                   a->path, bad, (long long)at);
        return BK_ERR_CORRUPT;
    }
    a->seq = c.seq;
    a->signed_seq = c.signed_seq;
    a->signed_offset = c.signed_offset;
    g_strlcpy(a->last_hash, c.hash, sizeof(a->last_hash));
    return BK_OK;
}

/* `length` bytes of the file from `from`, NUL-terminated (transfer full), or NULL. */
static char *read_range(audit *a, off_t from, size_t length)
{
    char *contents = g_try_malloc(length + 1);
    if (contents == NULL)
        return NULL;
    size_t got = 0;
    while (got < length) {
        ssize_t n = pread(a->fd, contents + got, length - got, from + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_free(contents);
            return NULL;
        }
        got += (size_t)n;
    }
    contents[length] = '\0';
    return contents;
}

/* Whether an entry numbered from seq on comes in contents[0, end): in a genuine log no entry
 * before the one a checkpoint signs has that checkpoint's number or a higher one. */
static int entry_from(const char *contents, size_t end, unsigned long seq)
{
    for (size_t i = 0; i < end;) {
        if (contents[i] == 'E' && contents[i + 1] == '\t') {
            char *e = NULL;
            unsigned long n = strtoul(contents + i + 2, &e, 10);
            if (e != contents + i + 2 && n >= seq)
                return 1;
        }
        const char *nl = memchr(contents + i, '\n', end - i);
        i = nl ? (size_t)(nl - contents) + 1 : end;
    }
    return 0;
}

/* The kiosk writes a checkpoint right after the entry it signs (under the lock, with the file's
 * last entry), so the last checkpoint of a genuine log (at base) directly follows an entry with
 * its number and hash, and no entry before that one has its number or a higher one. One that
 * does not was moved or copied there, alone or with its entry (an old checkpoint appended again
 * would otherwise make the kiosk continue the chain from an old entry). NULL when it holds. */
static const char *checkpoint_placed(const char *contents, size_t base)
{
    const char *nl = strchr(contents + base, '\n');
    g_autofree char *cp =
        nl ? g_strndup(contents + base, (size_t)(nl - contents - base)) : g_strdup(contents + base);
    parsed c = audit_parse_line(cp);
    if (c.kind != 'S')
        return "the last checkpoint's line cannot be read";
    if (base == 0)
        return "the log starts with a checkpoint";
    size_t start = base - 1; /* contents[base - 1] is the newline ending the line before */
    while (start > 0 && contents[start - 1] != '\n')
        start--;
    g_autofree char *before = g_strndup(contents + start, base - 1 - start);
    parsed e = audit_parse_line(before);
    if (e.kind != 'E')
        return "the last checkpoint does not follow an entry (moved or copied)";
    char computed[HASH_HEX];
    audit_line_hash(before, e.body_len, computed);
    if (e.seq != c.seq || strcmp(e.hash, c.hash) != 0 || strcmp(computed, e.hash) != 0)
        return "the last checkpoint does not follow the entry it signs (moved or copied)";
    if (entry_from(contents, start, c.seq))
        return "entries before the last checkpoint's own have its number or a higher one (the "
               "checkpoint and its entry were copied to the end)";
    return NULL;
}

/* Reads the chain's head (last entry, last checkpoint) from the file, under the lock, checking
 * the chain from the last checkpoint on (check_tail). An incomplete last line (a crash during an
 * append, which therefore never returned BK_OK) is cut off and its size put in *dropped. */
static bk_err load_state(audit *a, size_t *dropped, char *why, size_t why_size)
{
    struct stat st;
    *dropped = 0;
    if (a->tampered) {
        g_snprintf(why, why_size, "%s: the log was changed behind this kiosk: not extended",
                   a->path);
        return BK_ERR_CORRUPT;
    }
    if (fstat(a->fd, &st) != 0) {
        g_snprintf(why, why_size, "%s: %s", a->path, g_strerror(errno));
        return bk_err_from_errno(errno);
    }
    int remembered = a->known_size >= 0;
    /* from the last checkpoint this handle knows of; the whole file the first time */
    off_t from = remembered ? a->signed_offset : 0;
    if (remembered && st.st_size < a->known_size) {
        a->tampered = 1;
        g_snprintf(why, why_size, "%s: the log is shorter than this kiosk left it: not extended",
                   a->path);
        return BK_ERR_CORRUPT;
    }
    size_t length = (size_t)(st.st_size - from);
    char *contents = read_range(a, from, length);
    if (contents == NULL) {
        a->known_size = -1;
        g_snprintf(why, why_size, "%s: cannot read", a->path);
        return BK_ERR_IO;
    }
    const char *nul = memchr(contents, '\0', length);
    if (nul != NULL) {
        /* the lines are text: a NUL byte would hide what follows it from every check */
        g_snprintf(why, why_size,
                   "%s: a line cannot be read (a NUL byte at byte %lld): not extended", a->path,
                   (long long)from + (long long)(nul - contents));
        g_free(contents);
        a->tampered = 1;
        a->known_size = -1;
        return BK_ERR_CORRUPT;
    }
    if (length > 0 && contents[length - 1] != '\n') {
        /* a line cut off by a crash or power loss was never reported as appended (the append
         * returns only after fdatasync): drop it, and the caller says so in the log */
        char *last_nl = g_strrstr_len(contents, (gssize)length, "\n");
        size_t keep = last_nl ? (size_t)(last_nl - contents) + 1 : 0;
        if (ftruncate(a->fd, from + (off_t)keep) != 0 || fdatasync(a->fd) != 0) {
            g_free(contents);
            a->known_size = -1;
            g_snprintf(why, why_size, "%s: cannot remove an incomplete last line", a->path);
            return bk_err_from_errno(errno);
        }
        *dropped = length - keep;
        length = keep;
        contents[keep] = '\0';
        g_warning("audit: removed an incomplete last line (%zu bytes)", *dropped);
    }
    size_t base = 0;
    if (!remembered) {
        /* the chain is checked from the last checkpoint */
        int found = 0;
        for (size_t i = length; i-- > 0 && !found;)
            if (contents[i] == 'S' && contents[i + 1] == '\t' &&
                (i == 0 || contents[i - 1] == '\n')) {
                base = i;
                found = 1;
            }
        const char *misplaced = found ? checkpoint_placed(contents, base) : NULL;
        if (misplaced != NULL) {
            g_free(contents);
            a->tampered = 1;
            a->known_size = -1;
            g_snprintf(why, why_size, "%s: %s: not extended", a->path, misplaced);
            return BK_ERR_CORRUPT;
        }
    }
    bk_err err = check_tail(a, contents + base, from + (off_t)base, remembered, why, why_size);
    g_free(contents);
    if (err == BK_ERR_CORRUPT)
        a->tampered = 1;
    a->known_size = err == BK_OK ? from + (off_t)length : -1;
    return err;
}

static bk_err append_locked(audit *a, const char *event, const char *subject, const char *detail);
static bk_err checkpoint_locked(audit *a);

bk_err audit_open(const char *path, const uint8_t kiosk_sk[64], const uint8_t hash_key[32],
                  unsigned sign_every, audit **out, char *why, size_t why_size)
{
    if (path == NULL || kiosk_sk == NULL || hash_key == NULL || out == NULL)
        return BK_ERR_INVALID;
    if (sodium_init() < 0)
        return BK_ERR_INTERNAL;
    audit *a = g_new0(audit, 1);
    a->path = g_strdup(path);
    a->sign_every = sign_every ? sign_every : AUDIT_DEFAULT_SIGN_EVERY;
    a->known_size = -1;
    memcpy(a->sk, kiosk_sk, sizeof(a->sk));
    memcpy(a->hash_key, hash_key, sizeof(a->hash_key));
    audit_tag_key_derive(kiosk_sk, a->tag_key);
    g_strlcpy(a->last_hash, ZERO_HASH, sizeof(a->last_hash));
    bk_err err = BK_OK;
    a->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (a->fd < 0) {
        err = bk_err_from_errno(errno);
        g_snprintf(why, why_size, "%s: %s", path, g_strerror(errno));
        goto fail;
    }
    err = lock(a);
    if (err != BK_OK) {
        g_snprintf(why, why_size, "%s: cannot lock", path);
        goto fail;
    }
    size_t dropped = 0;
    err = load_state(a, &dropped, why, why_size);
    if (err == BK_OK && dropped > 0) {
        char detail[64];
        snprintf(detail, sizeof(detail), "dropped_bytes=%zu", dropped);
        err = append_locked(a, "audit.recovered", "-", detail);
        if (err != BK_OK)
            g_snprintf(why, why_size, "%s: cannot append", path);
    }
    /* a stop between an entry and its due checkpoint: sign now, so that no stretch of the log
     * stays unsigned longer than sign_every entries (audit_verify relies on it) */
    if (err == BK_OK && a->seq - a->signed_seq >= a->sign_every) {
        err = checkpoint_locked(a);
        if (err != BK_OK)
            g_snprintf(why, why_size, "%s: cannot write a checkpoint", path);
    }
    unlock(a);
    if (err != BK_OK)
        goto fail;
    *out = a;
    return BK_OK;
fail:
    if (a->fd >= 0)
        close(a->fd);
    sodium_memzero(a->sk, sizeof(a->sk));
    sodium_memzero(a->hash_key, sizeof(a->hash_key));
    sodium_memzero(a->tag_key, sizeof(a->tag_key));
    g_free(a->path);
    g_free(a);
    return err;
}

static int event_ok(const char *e)
{
    size_t n = e ? strlen(e) : 0;
    return n > 0 && n <= 40 && strspn(e, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int detail_ok(const char *d)
{
    if (strlen(d) > 400 || d[0] == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)d; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return 0;
    return 1;
}

/* Under the lock, with the state loaded: one entry, and the checkpoint when it is due. */
static bk_err append_locked(audit *a, const char *event, const char *subject, const char *detail)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    GString *line = g_string_new(NULL);
    g_string_printf(line, "E\t%lu\t%s\t%s\t%s\t%s\t%s", a->seq + 1, stamp, event, subject,
                    detail ? detail : "-", a->last_hash);
    char hash[HASH_HEX], tag[HASH_HEX];
    audit_line_hash(line->str, line->len, hash);
    audit_entry_tag(a->tag_key, hash, tag);
    g_string_append_printf(line, "\t%s\t%s\n", hash, tag);
    bk_err err = write_line(a, line->str, line->len);
    g_string_free(line, TRUE);
    if (err != BK_OK) {
        a->known_size = -1;
        g_warning("audit: cannot append: %s", bk_err_str(err));
        return err;
    }
    a->seq++;
    g_strlcpy(a->last_hash, hash, sizeof(a->last_hash));
    if (a->seq - a->signed_seq >= a->sign_every)
        return checkpoint_locked(a);
    return BK_OK;
}

static bk_err checkpoint_locked(audit *a)
{
    if (a->seq == a->signed_seq)
        return BK_OK;
    GString *msg = g_string_new(NULL);
    sig_message(a->seq, a->last_hash, msg);
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg->str, msg->len, a->sk);
    char sig_hex[2 * crypto_sign_BYTES + 1];
    sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
    g_string_printf(msg, "S\t%lu\t%s\t%s\n", a->seq, a->last_hash, sig_hex);
    off_t at = a->known_size; /* under the lock, with the state loaded: the end of the file */
    if (at < 0)
        return BK_ERR_IO; /* never: begin() and every write leave the size known */
    bk_err err = write_line(a, msg->str, msg->len);
    g_string_free(msg, TRUE);
    if (err == BK_OK) {
        a->signed_seq = a->seq;
        a->signed_offset = at;
    } else {
        a->known_size = -1;
    }
    return err;
}

/* Takes the lock and brings the handle up to date with the file. */
static bk_err begin(audit *a)
{
    bk_err err = lock(a);
    if (err != BK_OK)
        return err;
    char why[256] = "";
    size_t dropped = 0;
    err = load_state(a, &dropped, why, sizeof(why));
    if (err == BK_OK && dropped > 0) {
        char detail[64];
        snprintf(detail, sizeof(detail), "dropped_bytes=%zu", dropped);
        err = append_locked(a, "audit.recovered", "-", detail);
    }
    if (err != BK_OK) {
        g_warning("audit: the log cannot be continued: %s", why[0] ? why : bk_err_str(err));
        unlock(a);
    }
    return err;
}

bk_err audit_append(audit *a, const char *event, const char *v_number, const char *detail)
{
    if (a == NULL || !event_ok(event) || (detail != NULL && !detail_ok(detail)) ||
        (v_number != NULL && v_number[0] == '\0'))
        return BK_ERR_INVALID;
    char subject[33] = "-";
    if (v_number != NULL)
        audit_subject(a->hash_key, v_number, subject);
    bk_err err = begin(a);
    if (err != BK_OK)
        return err;
    err = append_locked(a, event, subject, detail);
    unlock(a);
    return err;
}

bk_err audit_checkpoint(audit *a)
{
    if (a == NULL)
        return BK_ERR_INVALID;
    bk_err err = begin(a);
    if (err != BK_OK)
        return err;
    err = checkpoint_locked(a);
    unlock(a);
    return err;
}

bk_err audit_head(audit *a, unsigned long *seq, char hash[65])
{
    if (a == NULL || seq == NULL || hash == NULL)
        return BK_ERR_INVALID;
    bk_err err = begin(a);
    if (err != BK_OK)
        return err;
    *seq = a->seq;
    g_strlcpy(hash, a->last_hash, HASH_HEX);
    unlock(a);
    return BK_OK;
}

bk_err audit_close(audit *a)
{
    if (a == NULL)
        return BK_OK;
    bk_err err = audit_checkpoint(a); /* the caller says what failed, in its own terms */
    close(a->fd);
    sodium_memzero(a->sk, sizeof(a->sk));
    sodium_memzero(a->hash_key, sizeof(a->hash_key));
    sodium_memzero(a->tag_key, sizeof(a->tag_key));
    g_free(a->path);
    g_free(a);
    return err;
}
