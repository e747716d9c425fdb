#include "record/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#define HASH_BYTES 32
#define HASH_HEX   (2 * HASH_BYTES + 1)
#define ZERO_HASH  "0000000000000000000000000000000000000000000000000000000000000000"

static const char hash_context[] = "biokiosk-audit-v1\n";
static const char sig_context[] = "biokiosk-audit-sig-v1\n";

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
};

static void line_hash(const char *line, size_t len, char out[HASH_HEX])
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

void audit_subject(const uint8_t hash_key[32], const char *v_number, char out[33])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof(h), (const uint8_t *)v_number, strlen(v_number), hash_key, 32);
    sodium_bin2hex(out, 33, h, sizeof(h));
}

/* A parsed line. Fields point into the line (which is modified). */
typedef struct parsed {
    char kind; /* 'E', 'S' or 0 when malformed */
    unsigned long seq;
    const char *prev, *hash, *sig;
    size_t body_len; /* E: bytes hashed (up to and including PREV) */
} parsed;

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

static parsed parse_line(char *line)
{
    parsed p = {0};
    size_t len = strlen(line);
    char *fields[9] = {0};
    size_t n = 0;
    char *save = line;
    for (char *t = line; n < 9; t++) {
        if (*t == '\t' || *t == '\0') {
            int end = *t == '\0';
            *t = '\0';
            fields[n++] = save;
            save = t + 1;
            if (end)
                break;
        }
    }
    if (n == 8 && strcmp(fields[0], "E") == 0 && parse_seq(fields[1], &p.seq) &&
        is_hex64(fields[6]) && is_hex64(fields[7])) {
        p.kind = 'E';
        p.prev = fields[6];
        p.hash = fields[7];
        p.body_len = len - 65;
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

static int checkpoint_sig_ok(unsigned long seq, const char *hash, const char *sig_hex,
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

/* One line of the tail; NULL when it continues the chain, else what is wrong (static). */
static const char *chain_step(chain *c, char *line, off_t offset, const uint8_t pk[32])
{
    parsed q = parse_line(line);
    if (q.kind == 'S') {
        if (!checkpoint_sig_ok(q.seq, q.hash, q.sig, pk))
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
    line_hash(line, q.body_len, computed);
    if (!c->anchored)
        return "an entry is not tied to a checkpoint";
    if (strcmp(computed, q.hash) != 0)
        return "an entry was changed";
    if (q.seq != c->seq + 1 || strcmp(q.prev, c->hash) != 0)
        return "an entry does not follow on from the one before it";
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
            bad = chain_step(&c, line, at, pk);
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
        for (size_t i = length; i-- > 0;)
            if (contents[i] == 'S' && contents[i + 1] == '\t' &&
                (i == 0 || contents[i - 1] == '\n')) {
                base = i;
                break;
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
    char hash[HASH_HEX];
    line_hash(line->str, line->len, hash);
    g_string_append_printf(line, "\t%s\n", hash);
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

void audit_close(audit *a)
{
    if (a == NULL)
        return;
    if (audit_checkpoint(a) != BK_OK)
        g_warning("audit: the closing checkpoint could not be written");
    close(a->fd);
    sodium_memzero(a->sk, sizeof(a->sk));
    sodium_memzero(a->hash_key, sizeof(a->hash_key));
    g_free(a->path);
    g_free(a);
}

/* ---- verification ---- */

typedef struct entry {
    size_t line;
    unsigned long seq;
    char prev[HASH_HEX];
    char hash[HASH_HEX];
    int self_ok;
    int flagged; /* a problem was reported for it already */
    int inserted;
} entry;

static void problem(GArray *list, const char *kind, size_t line, unsigned long seq, const char *fmt,
                    ...) G_GNUC_PRINTF(5, 6);
static void problem(GArray *list, const char *kind, size_t line, unsigned long seq, const char *fmt,
                    ...)
{
    audit_problem p = {kind, line, seq, ""};
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(p.text, sizeof(p.text), fmt, ap);
    va_end(ap);
    g_array_append_val(list, p);
}

static gint seq_cmp(gconstpointer a, gconstpointer b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return x < y ? -1 : x > y;
}

void audit_report_clear(audit_report *report)
{
    if (report == NULL)
        return;
    g_free(report->problems);
    memset(report, 0, sizeof(*report));
}

bk_err audit_verify(const char *path, const uint8_t kiosk_pk[32], audit_report *report)
{
    return audit_verify_with(path, kiosk_pk, NULL, report);
}

/* The kiosk signs at least every sign_every entries and at every close (audit_open signs a
 * due checkpoint a stop left out), so a genuine log never has more than sign_every entries
 * in a row without a checkpoint, nor more after its last one. A longer unsigned stretch means
 * checkpoints were removed, typically to rewrite entries with recomputed hashes. */
static void check_coverage(GArray *problems, GArray *signed_seqs, unsigned long max_seq,
                           unsigned every)
{
    g_array_sort(signed_seqs, seq_cmp);
    unsigned long from = 0; /* the last signed entry so far */
    for (guint i = 0; i <= signed_seqs->len; i++) {
        unsigned long to =
            i < signed_seqs->len ? g_array_index(signed_seqs, unsigned long, i) : max_seq;
        if (to <= from)
            continue;
        if (to - from > every) {
            if (i < signed_seqs->len)
                problem(problems, "unsigned", 0, from + 1,
                        "entries %lu to %lu have no signed checkpoint between them (the kiosk "
                        "signs every %u entries): checkpoints were removed",
                        from + 1, to, every);
            else
                problem(problems, "unsigned", 0, from + 1,
                        "entries %lu to %lu come after the last signed checkpoint, more than "
                        "the %u the kiosk leaves unsigned: checkpoints were removed",
                        from + 1, to, every);
        }
        from = to;
    }
}

/* Everything audit_verify_with collects while it reads the log. */
typedef struct verify_state {
    GArray *problems;       /* audit_problem */
    GArray *entries;        /* entry: the E lines in file order */
    GArray *sigs;           /* entry: the checkpoints (seq, hash, line, signature ok) */
    GHashTable *referenced; /* hashes some entry or checkpoint names (owned strings) */
    GHashTable *by_hash;    /* hash -> entry, genuine entries only */
    GHashTable *present;    /* the sequence numbers of genuine entries */
    size_t checkpoints;
    unsigned long max_seq, last_signed;
} verify_state;

static void verify_read(verify_state *v, char **lines, const uint8_t kiosk_pk[32])
{
    for (size_t i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == '\0')
            continue;
        parsed p = parse_line(lines[i]);
        if (p.kind == 'E') {
            entry e = {.line = i + 1, .seq = p.seq};
            g_strlcpy(e.prev, p.prev, sizeof(e.prev));
            g_strlcpy(e.hash, p.hash, sizeof(e.hash));
            char computed[HASH_HEX];
            line_hash(lines[i], p.body_len, computed);
            e.self_ok = strcmp(computed, e.hash) == 0;
            g_array_append_val(v->entries, e);
            g_hash_table_add(v->referenced, g_strdup(e.prev));
        } else if (p.kind == 'S') {
            v->checkpoints++;
            entry c = {.line = i + 1, .seq = p.seq};
            g_strlcpy(c.hash, p.hash, sizeof(c.hash));
            c.self_ok = checkpoint_sig_ok(p.seq, p.hash, p.sig, kiosk_pk);
            g_array_append_val(v->sigs, c);
            g_hash_table_add(v->referenced, g_strdup(c.hash));
        } else {
            problem(v->problems, "malformed", i + 1, 0, "line %zu is not an audit entry", i + 1);
        }
    }
}

/* 1. content changed: the line no longer gives its own hash. 2. inserted: a sequence number
 * that appears more than once; the copy that nothing links to (no later entry or checkpoint
 * names its hash) is the stranger. */
static void verify_changed_inserted(verify_state *v)
{
    entry *E = (entry *)v->entries->data;
    size_t n = v->entries->len;
    for (size_t i = 0; i < n; i++) {
        if (!E[i].self_ok) {
            E[i].flagged = 1;
            problem(v->problems, "changed", E[i].line, E[i].seq,
                    "line %zu: entry %lu was changed (its content no longer matches its hash)",
                    E[i].line, E[i].seq);
        }
        v->max_seq = E[i].seq > v->max_seq ? E[i].seq : v->max_seq;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j || E[i].seq != E[j].seq || E[i].inserted || E[j].inserted)
                continue;
            int ri = g_hash_table_contains(v->referenced, E[i].hash);
            int rj = g_hash_table_contains(v->referenced, E[j].hash);
            size_t bad = (!ri && rj) ? i : (ri && !rj) ? j : (i > j ? i : j);
            E[bad].inserted = E[bad].flagged = 1;
            problem(v->problems, "inserted", E[bad].line, E[bad].seq,
                    "line %zu: an inserted entry (number %lu appears twice and this one is not "
                    "part of the chain)",
                    E[bad].line, E[bad].seq);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!E[i].inserted)
            g_hash_table_insert(v->by_hash, E[i].hash, &E[i]);
}

/* 3. removed: numbers missing from 1..max (a set, not an array: a forged number may be huge).
 * 4. reordered: genuine entries whose numbers do not rise in file order. */
static void verify_removed_reordered(verify_state *v)
{
    entry *E = (entry *)v->entries->data;
    size_t n = v->entries->len;
    GArray *seqs = g_array_new(FALSE, FALSE, sizeof(unsigned long));
    for (size_t i = 0; i < n; i++) {
        if (E[i].inserted || g_hash_table_contains(v->present, GSIZE_TO_POINTER(E[i].seq)))
            continue;
        g_hash_table_add(v->present, GSIZE_TO_POINTER(E[i].seq));
        g_array_append_val(seqs, E[i].seq);
    }
    g_array_sort(seqs, seq_cmp);
    unsigned long expected = 1;
    for (guint i = 0; i < seqs->len; i++) {
        unsigned long s = g_array_index(seqs, unsigned long, i);
        if (s > expected + 1)
            problem(v->problems, "removed", 0, expected, "entries %lu to %lu were removed",
                    expected, s - 1);
        else if (s == expected + 1)
            problem(v->problems, "removed", 0, expected, "entry %lu was removed", expected);
        expected = s + 1;
    }
    g_array_free(seqs, TRUE);
    unsigned long high = 0;
    for (size_t i = 0; i < n; i++) {
        if (E[i].inserted)
            continue;
        if (E[i].seq < high) {
            E[i].flagged = 1;
            problem(v->problems, "reordered", E[i].line, E[i].seq,
                    "line %zu: entry %lu is out of order (reordered: it comes after entry %lu)",
                    E[i].line, E[i].seq, high);
        }
        high = E[i].seq > high ? E[i].seq : high;
    }
}

/* 5. links: each entry must name the hash of entry seq-1; a break that nothing above explains
 * means an entry was rewritten with a recomputed hash. */
static void verify_links(verify_state *v)
{
    entry *E = (entry *)v->entries->data;
    size_t n = v->entries->len;
    for (size_t i = 0; i < n; i++) {
        if (E[i].inserted || E[i].seq == 1 ||
            !g_hash_table_contains(v->present, GSIZE_TO_POINTER(E[i].seq - 1)))
            continue;
        entry *before = g_hash_table_lookup(v->by_hash, E[i].prev);
        if (before != NULL && before->seq == E[i].seq - 1)
            continue;
        int explained = 0;
        for (size_t j = 0; j < n; j++)
            if (!E[j].inserted && E[j].seq == E[i].seq - 1 && E[j].flagged)
                explained = 1;
        if (!explained && !E[i].flagged) {
            problem(v->problems, "changed", E[i].line, E[i].seq - 1,
                    "entry %lu was changed (entry %lu on line %zu no longer links to it)",
                    E[i].seq - 1, E[i].seq, E[i].line);
        }
    }
}

/* 6. checkpoints: each the kiosk's, over an entry that is in the log as signed. 7. coverage:
 * stretches no checkpoint signs. */
static void verify_checkpoints(verify_state *v, unsigned sign_every)
{
    GArray *signed_seqs = g_array_new(FALSE, FALSE, sizeof(unsigned long));
    entry *C = (entry *)v->sigs->data;
    for (size_t i = 0; i < v->sigs->len; i++) {
        if (!C[i].self_ok) {
            problem(v->problems, "signature", C[i].line, C[i].seq,
                    "line %zu: the checkpoint signature for entry %lu is not the kiosk's",
                    C[i].line, C[i].seq);
            continue;
        }
        v->last_signed = C[i].seq > v->last_signed ? C[i].seq : v->last_signed;
        entry *e = g_hash_table_lookup(v->by_hash, C[i].hash);
        if (e == NULL || e->seq != C[i].seq) {
            int explained = v->problems->len > 0;
            if (!explained)
                problem(v->problems, "changed", C[i].line, C[i].seq,
                        "line %zu: entries up to %lu differ from what the kiosk signed", C[i].line,
                        C[i].seq);
        } else {
            g_array_append_val(signed_seqs, C[i].seq);
        }
    }
    check_coverage(v->problems, signed_seqs, v->max_seq, sign_every);
    g_array_free(signed_seqs, TRUE);
}

/* 8. a head a record names (Type-2 2.126) must still be in the log: a log cut at a checkpoint
 * is otherwise whole. */
static void verify_head(verify_state *v, const audit_verify_options *options)
{
    if (options == NULL || options->head_seq == 0)
        return;
    entry *E = (entry *)v->entries->data;
    int found = 0;
    for (size_t i = 0; i < v->entries->len && !found; i++)
        found = !E[i].inserted && E[i].seq == options->head_seq &&
                g_strcmp0(E[i].hash, options->head_hash) == 0;
    if (!found)
        problem(v->problems, v->max_seq < options->head_seq ? "removed" : "changed", 0,
                options->head_seq,
                v->max_seq < options->head_seq
                    ? "entry %lu, the head of the log when a record was written, is not in "
                      "the log: its end was cut off"
                    : "entry %lu is not the one a record names as the head of the log",
                options->head_seq);
}

bk_err audit_verify_with(const char *path, const uint8_t kiosk_pk[32],
                         const audit_verify_options *options, audit_report *report)
{
    unsigned sign_every =
        options && options->sign_every ? options->sign_every : AUDIT_DEFAULT_SIGN_EVERY;
    if (sodium_init() < 0)
        return BK_ERR_INTERNAL;
    gchar *contents = NULL;
    gsize length = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &contents, &length, &error)) {
        bk_err err = error->code == G_FILE_ERROR_NOENT ? BK_ERR_NOT_FOUND : BK_ERR_IO;
        g_error_free(error);
        return err;
    }
    verify_state v = {
        .problems = g_array_new(FALSE, TRUE, sizeof(audit_problem)),
        .entries = g_array_new(FALSE, TRUE, sizeof(entry)),
        .sigs = g_array_new(FALSE, TRUE, sizeof(entry)),
        .referenced = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .by_hash = g_hash_table_new(g_str_hash, g_str_equal),
        .present = g_hash_table_new(g_direct_hash, g_direct_equal),
    };
    char **lines = g_strsplit(contents, "\n", -1);
    g_free(contents);
    verify_read(&v, lines, kiosk_pk);
    verify_changed_inserted(&v);
    verify_removed_reordered(&v);
    verify_links(&v);
    verify_checkpoints(&v, sign_every);
    verify_head(&v, options);

    report->entries = v.entries->len;
    report->checkpoints = v.checkpoints;
    report->unsigned_tail = v.max_seq > v.last_signed ? v.max_seq - v.last_signed : 0;
    report->n_problems = v.problems->len;
    report->problems = (audit_problem *)g_array_free(v.problems, FALSE);
    g_array_free(v.entries, TRUE);
    g_array_free(v.sigs, TRUE);
    g_hash_table_destroy(v.referenced);
    g_hash_table_destroy(v.by_hash);
    g_hash_table_destroy(v.present);
    g_strfreev(lines);
    return report->n_problems == 0 ? BK_OK : BK_ERR_CORRUPT;
}
