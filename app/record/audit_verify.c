/* The audit log's verification: every kind of tampering named, entry by entry. */
#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "record/audit.h"
#include "record/audit-priv.h"

typedef struct entry {
    size_t line;
    unsigned long seq;
    char prev[HASH_HEX];
    char hash[HASH_HEX];
    int self_ok;
    int tag;     /* 1: a TAG the key confirms, -1: a TAG it does not, 0: none or not checked */
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

static void verify_read(verify_state *v, char **lines, const uint8_t kiosk_pk[32],
                        const uint8_t *tag_key)
{
    for (size_t i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == '\0')
            continue;
        parsed p = audit_parse_line(lines[i]);
        if (p.kind == 'E') {
            entry e = {.line = i + 1, .seq = p.seq};
            g_strlcpy(e.prev, p.prev, sizeof(e.prev));
            g_strlcpy(e.hash, p.hash, sizeof(e.hash));
            char computed[HASH_HEX];
            audit_line_hash(lines[i], p.body_len, computed);
            e.self_ok = strcmp(computed, e.hash) == 0;
            if (tag_key != NULL && p.tag != NULL) {
                char tag[HASH_HEX];
                audit_entry_tag(tag_key, p.hash, tag);
                e.tag = sodium_memcmp(tag, p.tag, 64) == 0 ? 1 : -1;
            }
            g_array_append_val(v->entries, e);
            g_hash_table_add(v->referenced, g_strdup(e.prev));
        } else if (p.kind == 'S') {
            v->checkpoints++;
            entry c = {.line = i + 1, .seq = p.seq};
            g_strlcpy(c.hash, p.hash, sizeof(c.hash));
            c.self_ok = audit_checkpoint_sig_ok(p.seq, p.hash, p.sig, kiosk_pk);
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

/* 8. with the kiosk's secret key, the TAGs: every tag must be the kiosk's, and an entry no
 * checkpoint signs must carry one (only logs written before tags have entries without). */
static void verify_tags(verify_state *v)
{
    entry *E = (entry *)v->entries->data;
    for (size_t i = 0; i < v->entries->len; i++) {
        if (E[i].inserted || E[i].flagged)
            continue;
        if (E[i].tag < 0)
            problem(v->problems, "changed", E[i].line, E[i].seq,
                    "line %zu: entry %lu's tag is not the kiosk's: it was written or rewritten "
                    "without the kiosk's key",
                    E[i].line, E[i].seq);
        else if (E[i].tag == 0 && E[i].seq > v->last_signed)
            problem(v->problems, "untagged", E[i].line, E[i].seq,
                    "line %zu: entry %lu has no tag and no checkpoint signs it (written by an "
                    "older version, or rewritten)",
                    E[i].line, E[i].seq);
    }
}

/* 9. a head a record names (Type-2 2.126) must still be in the log: a log cut at a checkpoint
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

/* The file's lines, split by its length (not at the first NUL byte, which would hide the rest);
 * a line holding a NUL byte becomes one that cannot be read. */
static char **split_lines(const char *contents, size_t length)
{
    GPtrArray *out = g_ptr_array_new();
    for (size_t i = 0; i <= length;) {
        const char *nl = memchr(contents + i, '\n', length - i);
        size_t end = nl ? (size_t)(nl - contents) : length;
        if (memchr(contents + i, '\0', end - i) != NULL)
            g_ptr_array_add(out, g_strdup("\x01 (a NUL byte)"));
        else
            g_ptr_array_add(out, g_strndup(contents + i, end - i));
        i = end + 1;
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
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
    char **lines = split_lines(contents, length);
    g_free(contents);
    uint8_t tag_key[32];
    if (options != NULL && options->kiosk_sk != NULL)
        audit_tag_key_derive(options->kiosk_sk, tag_key);
    verify_read(&v, lines, kiosk_pk, options && options->kiosk_sk ? tag_key : NULL);
    verify_changed_inserted(&v);
    verify_removed_reordered(&v);
    verify_links(&v);
    verify_checkpoints(&v, sign_every);
    if (options != NULL && options->kiosk_sk != NULL)
        verify_tags(&v);
    sodium_memzero(tag_key, sizeof(tag_key));
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
