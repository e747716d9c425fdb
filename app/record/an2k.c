#include "record/an2k.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/biomem.h"

/* Smallest legal length of each binary type: LEN(4) IDC(1), then the fixed header. Types 3-6
 * carry IMP FGP(6) ISR HLL(2) VLL(2) GCA; Type-8 SIG SRT ISR HLL(2) VLL(2); Type-7 is
 * user-defined after the IDC. */
static size_t binary_min_len(unsigned type)
{
    switch (type) {
    case 3:
    case 4:
    case 5:
    case 6:
        return 18;
    case 8:
        return 12;
    default:
        return 5;
    }
}

int an2k_type_is_binary(unsigned type)
{
    return type >= 3 && type <= 8;
}

an2k *an2k_new(void)
{
    return calloc(1, sizeof(an2k));
}

static void record_clear(an2k_record *r)
{
    for (size_t i = 0; i < r->n_fields; i++)
        biomem_free(r->fields[i].value);
    free(r->fields);
    biomem_free(r->bin);
    memset(r, 0, sizeof(*r));
}

void an2k_free(an2k *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_records; i++)
        record_clear(&t->records[i]);
    free(t->records);
    free(t);
}

static bk_err grow_records(an2k *t)
{
    if (t->n_records < t->cap_records)
        return BK_OK;
    size_t cap = t->cap_records ? t->cap_records * 2 : 8;
    an2k_record *fresh = realloc(t->records, cap * sizeof(*fresh));
    if (fresh == NULL)
        return BK_ERR_NOMEM;
    t->records = fresh;
    t->cap_records = cap;
    return BK_OK;
}

bk_err an2k_add_tagged(an2k *t, unsigned type, an2k_record **out)
{
    if (t == NULL || type == 0 || type > 99 || an2k_type_is_binary(type))
        return BK_ERR_INVALID;
    if ((t->n_records == 0) != (type == 1))
        return BK_ERR_INVALID;
    bk_err err = grow_records(t);
    if (err != BK_OK)
        return err;
    an2k_record *r = &t->records[t->n_records++];
    memset(r, 0, sizeof(*r));
    r->type = type;
    *out = r;
    return BK_OK;
}

/* Appends a binary record whose wire bytes are `bin` (ownership passes to t on success). */
static bk_err add_binary_owned(an2k *t, unsigned type, uint8_t *bin, size_t len)
{
    bk_err err = grow_records(t);
    if (err != BK_OK)
        return err;
    an2k_record *r = &t->records[t->n_records++];
    memset(r, 0, sizeof(*r));
    r->type = type;
    r->binary = 1;
    r->bin = bin;
    r->bin_len = len;
    return BK_OK;
}

bk_err an2k_add_binary(an2k *t, unsigned type, unsigned idc, const uint8_t *body, size_t len)
{
    if (t == NULL || !an2k_type_is_binary(type) || idc > 255 || t->n_records == 0)
        return BK_ERR_INVALID;
    if (len > 0xFFFFFFFFu - 5 || 5 + len < binary_min_len(type) || (len > 0 && body == NULL))
        return BK_ERR_INVALID;
    size_t total = 5 + len;
    uint8_t *bin = biomem_alloc(total);
    if (bin == NULL)
        return BK_ERR_NOMEM;
    bin[0] = (uint8_t)(total >> 24);
    bin[1] = (uint8_t)(total >> 16);
    bin[2] = (uint8_t)(total >> 8);
    bin[3] = (uint8_t)total;
    bin[4] = (uint8_t)idc;
    if (len > 0)
        memcpy(bin + 5, body, len);
    bk_err err = add_binary_owned(t, type, bin, total);
    if (err != BK_OK)
        biomem_free(bin);
    return err;
}

/* Inserts or replaces a field, taking ownership of `value` on success. */
static bk_err set_owned(an2k_record *r, unsigned tag, uint8_t *value, size_t len)
{
    size_t i = 0;
    while (i < r->n_fields && r->fields[i].tag < tag)
        i++;
    if (i < r->n_fields && r->fields[i].tag == tag) {
        biomem_free(r->fields[i].value);
        r->fields[i].value = value;
        r->fields[i].len = len;
        return BK_OK;
    }
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
        an2k_field *fresh = realloc(r->fields, cap * sizeof(*fresh));
        if (fresh == NULL)
            return BK_ERR_NOMEM;
        r->fields = fresh;
        r->cap_fields = cap;
    }
    memmove(&r->fields[i + 1], &r->fields[i], (r->n_fields - i) * sizeof(*r->fields));
    r->fields[i].tag = tag;
    r->fields[i].value = value;
    r->fields[i].len = len;
    r->n_fields++;
    return BK_OK;
}

bk_err an2k_set(an2k_record *r, unsigned tag, const void *value, size_t len)
{
    if (r == NULL || r->binary || tag < 2 || tag > 999 || value == NULL || len == 0)
        return BK_ERR_INVALID;
    if (tag != AN2K_FIELD_DATA &&
        (memchr(value, AN2K_GS, len) != NULL || memchr(value, AN2K_FS, len) != NULL))
        return BK_ERR_INVALID;
    uint8_t *copy = biomem_alloc(len);
    if (copy == NULL)
        return BK_ERR_NOMEM;
    memcpy(copy, value, len);
    bk_err err = set_owned(r, tag, copy, len);
    if (err != BK_OK)
        biomem_free(copy);
    return err;
}

bk_err an2k_set_str(an2k_record *r, unsigned tag, const char *value)
{
    if (value == NULL)
        return BK_ERR_INVALID;
    return an2k_set(r, tag, value, strlen(value));
}

const an2k_field *an2k_get(const an2k_record *r, unsigned tag)
{
    if (r == NULL || r->binary)
        return NULL;
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].tag == tag)
            return &r->fields[i];
    return NULL;
}

/* Parses 1-9 ASCII digits; returns 0 and leaves *out alone on anything else. */
static int parse_uint(const uint8_t *p, size_t len, unsigned long *out)
{
    if (len == 0 || len > 9)
        return 0;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    *out = v;
    return 1;
}

int an2k_idc(const an2k_record *r)
{
    if (r == NULL || r->type == 1)
        return -1;
    if (r->binary)
        return r->bin_len > 4 ? r->bin[4] : -1;
    const an2k_field *f = an2k_get(r, 2);
    unsigned long v;
    if (f == NULL || !parse_uint(f->value, f->len, &v) || v > 255)
        return -1;
    return (int)v;
}

size_t an2k_subfields(const an2k_field *f)
{
    size_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        n += f->value[i] == AN2K_RS;
    return n;
}

bk_err an2k_item(const an2k_field *f, size_t sub, size_t item, const uint8_t **p, size_t *len)
{
    if (f == NULL)
        return BK_ERR_NOT_FOUND;
    size_t s = 0, it = 0, start = 0;
    for (size_t i = 0; i <= f->len; i++) {
        int end = i == f->len || f->value[i] == AN2K_RS || f->value[i] == AN2K_US;
        if (!end)
            continue;
        if (s == sub && it == item) {
            *p = f->value + start;
            *len = i - start;
            return BK_OK;
        }
        if (i < f->len && f->value[i] == AN2K_RS) {
            s++;
            it = 0;
        } else {
            it++;
        }
        start = i + 1;
    }
    return BK_ERR_NOT_FOUND;
}

/* ---- writer ---- */

typedef struct outbuf {
    uint8_t *data; /* biomem */
    size_t len;
    size_t cap;
    int failed;
} outbuf;

static void out_put(outbuf *o, const void *p, size_t n)
{
    if (o->failed || n == 0)
        return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n)
            cap *= 2;
        uint8_t *fresh = biomem_realloc(o->data, cap);
        if (fresh == NULL) {
            o->failed = 1;
            return;
        }
        o->data = fresh;
        o->cap = cap;
    }
    memcpy(o->data + o->len, p, n);
    o->len += n;
}

static void out_byte(outbuf *o, uint8_t b)
{
    out_put(o, &b, 1);
}

static size_t digits(size_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static int tag_text(char *buf, size_t size, unsigned type, unsigned tag)
{
    return snprintf(buf, size, "%u.%03u:", type, tag);
}

/* Writes one tagged record; `cnt` replaces field 3 of Type-1. */
static void write_tagged(outbuf *o, const an2k_record *r, const uint8_t *cnt, size_t cnt_len)
{
    char tag[24];
    /* Every field after LEN, as (tag, value) in order; Type-1 gets CNT as its field 3. */
    size_t rest = 0;
    int cnt_done = r->type != 1;
    for (size_t pass = 0; pass < 2; pass++) {
        cnt_done = r->type != 1;
        if (pass == 1) {
            size_t fixed = (size_t)tag_text(tag, sizeof(tag), r->type, 1) + 1;
            size_t d = 1;
            while (digits(fixed + d + rest) != d)
                d++;
            char len_text[24];
            int n = snprintf(len_text, sizeof(len_text), "%zu", fixed + d + rest);
            out_put(o, tag, strlen(tag));
            out_put(o, len_text, (size_t)n);
            out_byte(o, (r->n_fields == 0 && cnt_done) ? AN2K_FS : AN2K_GS);
        }
        for (size_t i = 0; i <= r->n_fields; i++) {
            const an2k_field *f = i < r->n_fields ? &r->fields[i] : NULL;
            if (!cnt_done && (f == NULL || f->tag >= 3)) {
                cnt_done = 1;
                int n = tag_text(tag, sizeof(tag), 1, 3);
                int last = f == NULL || (f->tag == 3 && i + 1 == r->n_fields);
                if (pass == 0) {
                    rest += (size_t)n + cnt_len + 1;
                } else {
                    out_put(o, tag, (size_t)n);
                    out_put(o, cnt, cnt_len);
                    out_byte(o, last ? AN2K_FS : AN2K_GS);
                }
            }
            if (f == NULL || (r->type == 1 && f->tag == 3))
                continue;
            int n = tag_text(tag, sizeof(tag), r->type, f->tag);
            if (pass == 0) {
                rest += (size_t)n + f->len + 1;
            } else {
                out_put(o, tag, (size_t)n);
                out_put(o, f->value, f->len);
                out_byte(o, (i + 1 == r->n_fields && cnt_done) ? AN2K_FS : AN2K_GS);
            }
        }
    }
}

bk_err an2k_write(const an2k *t, uint8_t **out, size_t *out_len)
{
    if (t == NULL || out == NULL || out_len == NULL || t->n_records == 0)
        return BK_ERR_INVALID;
    if (t->records[0].type != 1 || t->records[0].binary)
        return BK_ERR_INVALID;

    /* 1.003: "1 US count" then "RS type US idc" for every other record */
    size_t cnt_size = 32 + 16 * t->n_records;
    char *cnt = malloc(cnt_size);
    if (cnt == NULL)
        return BK_ERR_NOMEM;
    size_t cnt_len = (size_t)snprintf(cnt, cnt_size, "1%c%zu", AN2K_US, t->n_records - 1);
    for (size_t i = 1; i < t->n_records; i++) {
        const an2k_record *r = &t->records[i];
        int idc = an2k_idc(r);
        if (r->type == 1 || idc < 0 || idc > 99 || (r->binary && r->bin_len < 5)) {
            free(cnt);
            return BK_ERR_INVALID;
        }
        cnt_len += (size_t)snprintf(cnt + cnt_len, cnt_size - cnt_len, "%c%u%c%02d", AN2K_RS,
                                    r->type, AN2K_US, idc);
    }

    outbuf o = {0};
    for (size_t i = 0; i < t->n_records; i++) {
        const an2k_record *r = &t->records[i];
        if (r->binary)
            out_put(&o, r->bin, r->bin_len);
        else
            write_tagged(&o, r, (const uint8_t *)cnt, cnt_len);
    }
    free(cnt);
    if (o.failed) {
        biomem_free(o.data);
        return BK_ERR_NOMEM;
    }
    *out = o.data;
    *out_len = o.len;
    return BK_OK;
}

/* ---- reader ---- */

typedef struct reader {
    const uint8_t *buf;
    size_t len;
    char *why;
    size_t why_size;
} reader;

static bk_err fail(reader *rd, const char *fmt, ...)
{
    if (rd->why != NULL && rd->why_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rd->why, rd->why_size, fmt, ap);
        va_end(ap);
    }
    return BK_ERR_CORRUPT;
}

/* Parses "T.F:" at *pos (before `end`); on success advances *pos past the colon. */
static int parse_tag(reader *rd, size_t *pos, size_t end, unsigned long *type, unsigned long *tag)
{
    size_t p = *pos, start = p;
    while (p < end && rd->buf[p] != '.' && p - start < 10)
        p++;
    if (p >= end || rd->buf[p] != '.' || !parse_uint(rd->buf + start, p - start, type))
        return 0;
    size_t fstart = ++p;
    while (p < end && rd->buf[p] != ':' && p - fstart < 10)
        p++;
    if (p >= end || rd->buf[p] != ':' || !parse_uint(rd->buf + fstart, p - fstart, tag))
        return 0;
    *pos = p + 1;
    return 1;
}

/* Reads the tagged record at *pos into r (type `type`); advances *pos past it. */
static bk_err read_tagged(reader *rd, size_t index, unsigned type, size_t *pos, an2k_record *r)
{
    size_t start = *pos, p = start;
    unsigned long t, tag;
    if (!parse_tag(rd, &p, rd->len, &t, &tag))
        return fail(rd,
                    "record %zu (type %u) at byte %zu: no tag \"%u.001:\" where the record "
                    "should start",
                    index + 1, type, start, type);
    if (t != type)
        return fail(rd, "record %zu at byte %zu: tag says type %lu but 1.003 lists type %u",
                    index + 1, start, t, type);
    if (tag != 1)
        return fail(rd,
                    "record %zu (type %u) at byte %zu: the first field is %lu.%03lu, not the "
                    "record length %u.001",
                    index + 1, type, start, t, tag, type);
    size_t vstart = p;
    while (p < rd->len && rd->buf[p] >= '0' && rd->buf[p] <= '9' && p - vstart < 10)
        p++;
    unsigned long reclen;
    if (p >= rd->len || rd->buf[p] != AN2K_GS || !parse_uint(rd->buf + vstart, p - vstart, &reclen))
        return fail(rd,
                    "record %zu (type %u) at byte %zu: the length %u.001 is not a number "
                    "followed by a group separator (0x1D)",
                    index + 1, type, start, type);
    if (reclen < p + 2 - start)
        return fail(rd,
                    "record %zu (type %u) at byte %zu: LEN %lu is shorter than the record's "
                    "own length field",
                    index + 1, type, start, reclen);
    if (reclen > rd->len - start)
        return fail(rd,
                    "record %zu (type %u) at byte %zu: LEN %lu runs past the end of the file "
                    "(%zu bytes)",
                    index + 1, type, start, reclen, rd->len);
    size_t end = start + reclen; /* one past the FS */
    if (rd->buf[end - 1] != AN2K_FS)
        return fail(rd,
                    "record %zu (type %u) at byte %zu: LEN %lu does not end on a file "
                    "separator (0x1C)",
                    index + 1, type, start, reclen);
    r->type = type;
    p++; /* the GS after LEN */
    while (p < end) {
        size_t fstart = p;
        if (!parse_tag(rd, &p, end, &t, &tag))
            return fail(rd, "record %zu (type %u) at byte %zu: expected a tag \"%u.NNN:\"",
                        index + 1, type, fstart, type);
        if (t != type)
            return fail(rd,
                        "record %zu (type %u) at byte %zu: field tag of type %lu inside a "
                        "type %u record",
                        index + 1, type, fstart, t, type);
        /* other writers may order fields freely after LEN; a field twice is an error */
        if (tag <= 1 || tag > 999 || an2k_get(r, (unsigned)tag) != NULL)
            return fail(rd,
                        "record %zu (type %u) at byte %zu: field %lu.%03lu repeated or not a "
                        "field number",
                        index + 1, type, fstart, t, tag);
        size_t vs = p, ve;
        if (tag == AN2K_FIELD_DATA) {
            ve = end - 1;
        } else {
            ve = vs;
            while (ve < end && rd->buf[ve] != AN2K_GS && rd->buf[ve] != AN2K_FS)
                ve++;
            if (rd->buf[ve] == AN2K_FS && ve != end - 1)
                return fail(rd,
                            "record %zu (type %u) at byte %zu: a file separator (0x1C) "
                            "before the end that LEN %lu gives",
                            index + 1, type, ve, reclen);
            if (ve >= end - 1 && rd->buf[ve] != AN2K_FS)
                return fail(rd,
                            "record %zu (type %u) at byte %zu: missing file separator "
                            "(0x1C) at the end of the record",
                            index + 1, type, ve);
            if (rd->buf[ve] == AN2K_GS && ve + 1 == end - 1)
                return fail(rd,
                            "record %zu (type %u) at byte %zu: a group separator (0x1D) "
                            "with no field after it",
                            index + 1, type, ve);
        }
        if (ve == vs)
            return fail(rd, "record %zu (type %u) at byte %zu: field %lu.%03lu is empty", index + 1,
                        type, fstart, t, tag);
        uint8_t *value = biomem_alloc(ve - vs);
        if (value == NULL)
            return BK_ERR_NOMEM;
        memcpy(value, rd->buf + vs, ve - vs);
        if (set_owned(r, (unsigned)tag, value, ve - vs) != BK_OK) {
            biomem_free(value);
            return BK_ERR_NOMEM;
        }
        p = ve + 1;
    }
    *pos = end;
    return BK_OK;
}

typedef struct cnt_entry {
    unsigned type;
    unsigned idc;
} cnt_entry;

/* Parses 1.003 into entries (transfer full) for every record after Type-1. */
static bk_err read_cnt(reader *rd, const an2k_record *r1, cnt_entry **out, size_t *n_out)
{
    const an2k_field *f = an2k_get(r1, 3);
    if (f == NULL)
        return fail(rd, "Type-1 record has no field 1.003 (the list of records)");
    size_t n_sub = an2k_subfields(f);
    const uint8_t *p;
    size_t len;
    unsigned long first, count;
    if (an2k_item(f, 0, 0, &p, &len) != BK_OK || !parse_uint(p, len, &first) || first != 1 ||
        an2k_item(f, 0, 1, &p, &len) != BK_OK || !parse_uint(p, len, &count))
        return fail(rd, "1.003 does not start with \"1\", US, the number of records");
    if (count != n_sub - 1)
        return fail(rd, "1.003 says %lu more records but lists %zu", count, n_sub - 1);
    cnt_entry *e = calloc(n_sub, sizeof(*e));
    if (e == NULL)
        return BK_ERR_NOMEM;
    for (size_t i = 1; i < n_sub; i++) {
        unsigned long type, idc;
        if (an2k_item(f, i, 0, &p, &len) != BK_OK || !parse_uint(p, len, &type) ||
            an2k_item(f, i, 1, &p, &len) != BK_OK || !parse_uint(p, len, &idc) ||
            an2k_item(f, i, 2, &p, &len) == BK_OK) {
            free(e);
            return fail(rd, "1.003 entry %zu is not \"type US IDC\"", i + 1);
        }
        if (type < 2 || type > 99 || idc > 99) {
            free(e);
            return fail(rd, "1.003 entry %zu lists type %lu IDC %lu, which cannot exist", i + 1,
                        type, idc);
        }
        e[i - 1].type = (unsigned)type;
        e[i - 1].idc = (unsigned)idc;
    }
    *out = e;
    *n_out = n_sub - 1;
    return BK_OK;
}

static bk_err read_binary(reader *rd, size_t index, unsigned type, size_t *pos, an2k_record *r)
{
    size_t start = *pos;
    if (rd->len - start < 5)
        return fail(rd,
                    "record %zu (type %u) at byte %zu: the file ends inside the record's "
                    "length",
                    index + 1, type, start);
    const uint8_t *b = rd->buf + start;
    size_t reclen = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    if (reclen < binary_min_len(type))
        return fail(rd,
                    "record %zu (type %u) at byte %zu: LEN %zu is shorter than the type's "
                    "fixed header (%zu bytes)",
                    index + 1, type, start, reclen, binary_min_len(type));
    if (reclen > rd->len - start)
        return fail(rd,
                    "record %zu (type %u) at byte %zu: LEN %zu runs past the end of the file "
                    "(%zu bytes)",
                    index + 1, type, start, reclen, rd->len);
    uint8_t *bin = biomem_alloc(reclen);
    if (bin == NULL)
        return BK_ERR_NOMEM;
    memcpy(bin, b, reclen);
    r->type = type;
    r->binary = 1;
    r->bin = bin;
    r->bin_len = reclen;
    *pos = start + reclen;
    return BK_OK;
}

bk_err an2k_read(const uint8_t *buf, size_t len, an2k **out, char *why, size_t why_size)
{
    reader rd = {buf, len, why, why_size};
    if (why != NULL && why_size > 0)
        why[0] = '\0';
    if (buf == NULL || len == 0)
        return fail(&rd, "the file is empty");
    an2k *t = an2k_new();
    if (t == NULL)
        return BK_ERR_NOMEM;
    cnt_entry *cnt = NULL;
    size_t n_cnt = 0, pos = 0;
    bk_err err = grow_records(t);
    if (err != BK_OK)
        goto out;
    memset(&t->records[0], 0, sizeof(t->records[0]));
    t->n_records = 1;
    err = read_tagged(&rd, 0, 1, &pos, &t->records[0]);
    if (err != BK_OK)
        goto out;
    err = read_cnt(&rd, &t->records[0], &cnt, &n_cnt);
    if (err != BK_OK)
        goto out;
    for (size_t i = 0; i < n_cnt; i++) {
        if (pos >= len) {
            err = fail(&rd, "1.003 lists %zu records after Type-1 but the file ends after %zu",
                       n_cnt, i);
            goto out;
        }
        err = grow_records(t);
        if (err != BK_OK)
            goto out;
        an2k_record *r = &t->records[t->n_records];
        memset(r, 0, sizeof(*r));
        t->n_records++;
        if (an2k_type_is_binary(cnt[i].type))
            err = read_binary(&rd, i + 1, cnt[i].type, &pos, r);
        else
            err = read_tagged(&rd, i + 1, cnt[i].type, &pos, r);
        if (err != BK_OK)
            goto out;
        int idc = an2k_idc(r);
        if (idc < 0) {
            err = fail(&rd, "record %zu (type %u): no IDC (field %u.002)", i + 2, cnt[i].type,
                       cnt[i].type);
            goto out;
        }
        if ((unsigned)idc != cnt[i].idc) {
            err = fail(&rd, "record %zu (type %u): IDC %d, but 1.003 lists IDC %u", i + 2,
                       cnt[i].type, idc, cnt[i].idc);
            goto out;
        }
    }
    if (pos != len) {
        err = fail(&rd, "%zu bytes after the last record that 1.003 lists (%zu records)", len - pos,
                   n_cnt + 1);
        goto out;
    }
    *out = t;
    t = NULL;
out:
    free(cnt);
    an2k_free(t);
    return err;
}
