/* The ANSI/NIST-ITL writer and reader: round trips, NIST's own sample files, malformed input. */
#include <string.h>

#include <glib.h>

#include "record/an2k.h"
#include "core/biomem.h"
#include "record/record.h"

static const char *shared_dir(void)
{
    return g_getenv("BIOKIOSK_SHARED");
}

/* A transaction with one record of every kind the kiosk writes, including binary image data
 * that contains every separator byte. */
static an2k *sample(void)
{
    an2k *t = an2k_new();
    an2k_record *r;
    g_assert_cmpint(an2k_add_tagged(t, 1, &r), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 2, "0500"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 4, "BKR"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 5, "20261122"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 7, "DESK3"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 8, "DESK3"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 9, "K1-0001"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 11, "19.69"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 12, "19.69"), ==, BK_OK);

    g_assert_cmpint(an2k_add_tagged(t, 2, &r), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 2, "0"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 101,
                                 "a\x1f"
                                 "b\x1e"
                                 "c\x1f"
                                 "d"),
                    ==, BK_OK);

    g_assert_cmpint(an2k_add_tagged(t, 14, &r), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 2, "1"), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 13, "2"), ==, BK_OK);
    uint8_t image[600];
    for (size_t i = 0; i < sizeof(image); i++)
        image[i] = (uint8_t)(i * 7);
    g_assert_cmpint(an2k_set(r, AN2K_FIELD_DATA, image, sizeof(image)), ==, BK_OK);

    uint8_t body[7 + 10] = {0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 2, 100, 0, 1, 0, 2, 0};
    g_assert_cmpint(an2k_add_binary(t, 8, 2, body, sizeof(body)), ==, BK_OK);
    return t;
}

static void assert_same(const an2k *a, const an2k *b)
{
    g_assert_cmpuint(a->n_records, ==, b->n_records);
    for (size_t i = 0; i < a->n_records; i++) {
        const an2k_record *x = &a->records[i], *y = &b->records[i];
        g_assert_cmpuint(x->type, ==, y->type);
        g_assert_cmpint(x->binary, ==, y->binary);
        if (x->binary) {
            g_assert_cmpmem(x->bin, x->bin_len, y->bin, y->bin_len);
            continue;
        }
        for (size_t j = 0; j < x->n_fields; j++) {
            if (x->type == 1 && x->fields[j].tag == 3)
                continue; /* CNT is made by the writer */
            const an2k_field *f = an2k_get(y, x->fields[j].tag);
            g_assert_nonnull(f);
            g_assert_cmpmem(x->fields[j].value, x->fields[j].len, f->value, f->len);
        }
    }
}

static void test_round_trip(void)
{
    an2k *t = sample();
    uint8_t *bytes = NULL;
    size_t len = 0;
    g_assert_cmpint(an2k_write(t, &bytes, &len), ==, BK_OK);
    g_assert_true(g_str_has_prefix((const char *)bytes, "1.001:"));

    char why[256];
    an2k *back = NULL;
    g_assert_cmpint(an2k_read(bytes, len, &back, why, sizeof(why)), ==, BK_OK);
    assert_same(t, back);
    const an2k_field *cnt = an2k_get(&back->records[0], 3);
    static const char expected_cnt[] = "1\x1f"
                                       "3\x1e"
                                       "2\x1f"
                                       "00\x1e"
                                       "14\x1f"
                                       "01\x1e"
                                       "8\x1f"
                                       "02";
    g_assert_cmpmem(cnt->value, cnt->len, expected_cnt, sizeof(expected_cnt) - 1);
    g_assert_cmpint(an2k_idc(&back->records[3]), ==, 2);

    const uint8_t *p;
    size_t n;
    const an2k_field *f = an2k_get(&back->records[1], 101);
    g_assert_cmpuint(an2k_subfields(f), ==, 2);
    g_assert_cmpint(an2k_item(f, 1, 1, &p, &n), ==, BK_OK);
    g_assert_cmpmem(p, n, "d", 1);
    g_assert_cmpint(an2k_item(f, 1, 2, &p, &n), ==, BK_ERR_NOT_FOUND);

    /* writing what was read gives the same bytes */
    uint8_t *again = NULL;
    size_t again_len = 0;
    g_assert_cmpint(an2k_write(back, &again, &again_len), ==, BK_OK);
    g_assert_cmpmem(bytes, len, again, again_len);
    biomem_free(again);
    biomem_free(bytes);
    an2k_free(back);
    an2k_free(t);
}

static void test_lengths_at_digit_boundaries(void)
{
    /* The record length counts its own digits: try every size around 99/100 and 999/1000. */
    for (size_t size = 60; size < 1100; size++) {
        an2k *t = an2k_new();
        an2k_record *r;
        g_assert_cmpint(an2k_add_tagged(t, 1, &r), ==, BK_OK);
        g_assert_cmpint(an2k_set_str(r, 2, "0500"), ==, BK_OK);
        g_assert_cmpint(an2k_add_tagged(t, 2, &r), ==, BK_OK);
        g_assert_cmpint(an2k_set_str(r, 2, "0"), ==, BK_OK);
        char *text = g_strnfill(size - 50, 'x');
        g_assert_cmpint(an2k_set_str(r, 100, text), ==, BK_OK);
        g_free(text);
        uint8_t *bytes;
        size_t len;
        g_assert_cmpint(an2k_write(t, &bytes, &len), ==, BK_OK);
        an2k *back = NULL;
        char why[256];
        if (an2k_read(bytes, len, &back, why, sizeof(why)) != BK_OK)
            g_error("size %zu: %s", size, why);
        assert_same(t, back);
        an2k_free(back);
        biomem_free(bytes);
        an2k_free(t);
    }
}

static void test_writer_refuses(void)
{
    an2k *t = an2k_new();
    an2k_record *r;
    g_assert_cmpint(an2k_add_tagged(t, 2, &r), ==, BK_ERR_INVALID); /* Type-1 first */
    g_assert_cmpint(an2k_add_tagged(t, 1, &r), ==, BK_OK);
    g_assert_cmpint(an2k_set_str(r, 1, "12"), ==, BK_ERR_INVALID); /* LEN is the writer's */
    g_assert_cmpint(an2k_set_str(r, 5, ""), ==, BK_ERR_INVALID);
    g_assert_cmpint(an2k_set_str(r, 5,
                                 "a\x1d"
                                 "b"),
                    ==, BK_ERR_INVALID);
    g_assert_cmpint(an2k_set_str(r, 5, "a\x1c"), ==, BK_ERR_INVALID);
    g_assert_cmpint(an2k_add_tagged(t, 1, &r), ==, BK_ERR_INVALID);
    g_assert_cmpint(an2k_add_tagged(t, 4, &r), ==, BK_ERR_INVALID);
    g_assert_cmpint(an2k_add_tagged(t, 2, &r), ==, BK_OK);
    uint8_t *bytes;
    size_t len;
    g_assert_cmpint(an2k_write(t, &bytes, &len), ==, BK_ERR_INVALID); /* Type-2 without IDC */
    an2k_free(t);
    an2k_free(NULL);
}

static guint8 *load(const char *name, gsize *len)
{
    g_autofree char *path = g_build_filename(shared_dir(), "data", "an2k", name, NULL);
    guint8 *data = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, (char **)&data, len, &error))
        g_error("%s", error->message);
    return data;
}

typedef struct expect {
    const char *file;
    const char *types;
} expect;

static void test_nist_samples(void)
{
    if (shared_dir() == NULL) {
        g_test_skip("SKIP: BIOKIOSK_SHARED (../shared) is not set");
        return;
    }
    g_autofree char *dir = g_build_filename(shared_dir(), "data", "an2k", NULL);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_test_skip("SKIP: ../shared/data/an2k is missing");
        return;
    }
    static const expect samples[] = {
        {"valid1.1.an2", "1,2,4"},
        {"valid1.3.an2", "1,2,10"},
        {"valid1.7.an2", "1,2,14"},
        {"valid1.8.an2", "1,2,14,14,14"},
        {"valid1.9.an2", "1,2,4,7,8,10,14,17"},
        {"valid1.11.an2", "1,2,4,10,13,14,15,16,17,99"},
        {"sign_vec.an2", "1,8"},
        {"sign_raw.an2", "1,8"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
        gsize len;
        g_autofree guint8 *data = load(samples[i].file, &len);
        an2k *t = NULL;
        char why[256];
        if (an2k_read(data, len, &t, why, sizeof(why)) != BK_OK)
            g_error("%s: %s", samples[i].file, why);
        GString *types = g_string_new(NULL);
        for (size_t j = 0; j < t->n_records; j++)
            g_string_append_printf(types, "%s%u", j ? "," : "", t->records[j].type);
        g_assert_cmpstr(types->str, ==, samples[i].types);
        g_string_free(types, TRUE);

        /* The image records carry their image: field 999 or binary data past the header. */
        for (size_t j = 1; j < t->n_records; j++) {
            const an2k_record *r = &t->records[j];
            if (r->binary)
                g_assert_cmpuint(r->bin_len, >, 12);
            else if (r->type != 2)
                g_assert_nonnull(an2k_get(r, AN2K_FIELD_DATA));
        }

        /* NIST's vectored signature decodes into pen points (one stroke, pressures rising) */
        if (strcmp(samples[i].file, "sign_vec.an2") == 0) {
            const an2k_record *r = &t->records[1];
            g_assert_cmpint(r->bin[6], ==, 2);
            record_point *pts = NULL;
            size_t np = 0, ns = 0, *ends = NULL;
            g_assert_cmpint(
                record_pen_decode(r->bin + 12, r->bin_len - 12, NULL, &pts, &np, &ends, &ns), ==,
                BK_OK);
            g_assert_cmpuint(np, ==, 4);
            g_assert_cmpuint(ns, ==, 1);
            g_assert_cmpfloat(pts[1].x_mm, >, 0.25);
            g_assert_cmpfloat(pts[3].pressure, ==, 1.0);
            biomem_free(pts);
            g_free(ends);
        }

        /* What we read, we write again, and read back the same values (NIST's files use
         * other tag widths, so the bytes may differ; the values may not). */
        uint8_t *bytes;
        size_t blen;
        g_assert_cmpint(an2k_write(t, &bytes, &blen), ==, BK_OK);
        an2k *back = NULL;
        if (an2k_read(bytes, blen, &back, why, sizeof(why)) != BK_OK)
            g_error("%s rewritten: %s", samples[i].file, why);
        assert_same(t, back);
        an2k_free(back);
        biomem_free(bytes);
        an2k_free(t);
    }
}

/* Reads `bytes` and expects a refusal whose reason contains `needle`. */
static void expect_refused(const guint8 *bytes, size_t len, const char *needle)
{
    an2k *t = NULL;
    char why[256];
    g_assert_cmpint(an2k_read(bytes, len, &t, why, sizeof(why)), ==, BK_ERR_CORRUPT);
    g_assert_null(t);
    if (strstr(why, needle) == NULL)
        g_error("expected a reason with '%s', got '%s'", needle, why);
}

static void test_malformed(void)
{
    an2k *t = sample();
    uint8_t *good;
    size_t len;
    g_assert_cmpint(an2k_write(t, &good, &len), ==, BK_OK);
    an2k_free(t);
    guint8 *bad = g_memdup2(good, len);

    expect_refused(good, 0, "empty");
    /* truncated anywhere */
    for (size_t cut = 1; cut < len; cut += 37)
        expect_refused(good, cut, "");
    expect_refused(good, len - 1, "runs past the end");

    /* trailing garbage */
    guint8 *longer = g_malloc(len + 3);
    memcpy(longer, good, len);
    memcpy(longer + len, "abc", 3);
    expect_refused(longer, len + 3, "after the last record");
    g_free(longer);

    /* a wrong Type-1 length: the record no longer ends on FS */
    char *p = memchr(bad, ':', len);
    g_assert_nonnull(p);
    p[1] = p[1] == '9' ? '8' : (char)(p[1] + 1);
    expect_refused(bad, len, "LEN");
    memcpy(bad, good, len);

    /* a missing group separator: the FS of Type-1 turned into something else */
    guint8 *fs = memchr(bad, AN2K_FS, len);
    *fs = 'x';
    expect_refused(bad, len, "file separator");
    memcpy(bad, good, len);

    /* a GS removed inside Type-1: fields run together, the next tag is missing */
    guint8 *gs = memchr(bad, AN2K_GS, len);
    gs = memchr(gs + 1, AN2K_GS, len - (size_t)(gs + 1 - bad));
    *gs = '5';
    expect_refused(bad, len, "");
    memcpy(bad, good, len);

    /* a field twice: 1.005 renamed to 1.004, which is there already */
    char *dat = g_strstr_len((char *)bad, (gssize)len, "1.005:");
    dat[4] = '4';
    expect_refused(bad, len, "field 1.004 repeated");
    memcpy(bad, good, len);

    /* fields out of order are read (other writers), and written back in order */
    dat = g_strstr_len((char *)bad, (gssize)len, "1.005:20261122");
    memcpy(dat,
           "1.007:DESK3\x1d"
           "1.005:20261122",
           26);
    an2k *shuffled = NULL;
    char why[256];
    if (an2k_read(bad, len, &shuffled, why, sizeof(why)) != BK_OK)
        g_error("shuffled: %s", why);
    g_assert_cmpuint(shuffled->records[0].fields[3].tag, ==, 5);
    g_assert_cmpuint(shuffled->records[0].fields[4].tag, ==, 7);
    an2k_free(shuffled);
    memcpy(bad, good, len);

    /* 1.003 says 3 records but lists 3 after changing the count to 4 */
    char *cnt = g_strstr_len((char *)bad, (gssize)len, "1.003:1\x1f");
    g_assert_nonnull(cnt);
    cnt[8] = '4';
    expect_refused(bad, len, "1.003 says 4 more records but lists 3");
    memcpy(bad, good, len);

    /* a record type in 1.003 that disagrees with the record's tags */
    cnt = g_strstr_len((char *)bad, (gssize)len,
                       "\x1e"
                       "14\x1f");
    cnt[1] = '1';
    cnt[2] = '3';
    expect_refused(bad, len, "tag says type 14 but 1.003 lists type 13");
    memcpy(bad, good, len);

    /* an IDC that disagrees */
    cnt = g_strstr_len((char *)bad, (gssize)len,
                       "\x1e"
                       "14\x1f"
                       "01");
    cnt[5] = '5';
    expect_refused(bad, len, "IDC 1, but 1.003 lists IDC 5");
    memcpy(bad, good, len);

    /* the binary Type-8 claims more bytes than there are */
    bad[len - 17 - 5 + 3] = 0xFF;
    expect_refused(bad, len, "runs past the end");
    memcpy(bad, good, len);

    /* a binary length shorter than the fixed header */
    bad[len - 17 - 5 + 3] = 4;
    expect_refused(bad, len, "shorter than the type's fixed header");

    g_free(bad);
    biomem_free(good);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/an2k/round-trip", test_round_trip);
    g_test_add_func("/an2k/lengths", test_lengths_at_digit_boundaries);
    g_test_add_func("/an2k/writer-refuses", test_writer_refuses);
    g_test_add_func("/an2k/nist-samples", test_nist_samples);
    g_test_add_func("/an2k/malformed", test_malformed);
    return g_test_run();
}
