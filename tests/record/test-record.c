/* The record: a session in, a sealed record in the outbox out; every value read back. */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "record/an2k.h"
#include "core/biomem.h"
#include "core/limits.h"
#include "record/outbox.h"
#include "record/record.h"
#include "record/seal.h"
#include "core/sigink.h"
#include "imaging/sigrender.h"
#include "testimg.h"

/* Two strokes of this many points: 20 in all, the kiosk's least for a signature. */
#define PEN_POINTS 10

typedef struct fixture {
    uint8_t *face;
    size_t face_len;
    uint8_t *print[2];
    size_t print_len[2];
    record_point points[2][PEN_POINTS];
    record_stroke strokes[2];
    record_exception exceptions[2];
    record_attempt attempts[3];
    record_device devices[2];
    record_session s;
} fixture;

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->face = testimg_jpeg(RECORD_FACE_WIDTH, RECORD_FACE_HEIGHT, 1, &f->face_len);
    f->print[0] = testimg_png(400, 500, 0, 1, &f->print_len[0]);
    f->print[1] = testimg_png(416, 416, 0, 2, &f->print_len[1]);
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < PEN_POINTS; i++)
            f->points[s][i] =
                (record_point){10.0 + 3.1 * i + 20 * s, 5.0 + 1.7 * i, 0.1 * i, 10.0 * i + 100 * s};
        f->strokes[s] = (record_stroke){f->points[s], PEN_POINTS};
    }
    f->exceptions[0] = (record_exception){"finger", 7, true, "left index missing since birth"};
    f->attempts[0] = (record_attempt){"finger", 2, 25, 30, false, 'N', "20261122100301Z"};
    f->attempts[1] = (record_attempt){"finger", 2, 57, 30, true, 'N', "20261122100320Z"};
    f->attempts[2] = (record_attempt){"finger", 6, 18, 30, true, 'A', "20261122100410Z"};
    f->devices[0] = (record_device){"camera", "PTP/IP Camera", "CAM-0001"};
    f->devices[1] = (record_device){"fingerprint", "Virtual image device", "FP-1"};
    record_session *s = &f->s;
    s->v_number = "1234567890";
    s->surname = "Jansen-Müller";
    s->given_names = "Anna Maria";
    s->birth_date = "1990-04-12";
    s->category = RULES_CATEGORY_THIRD_COUNTRY;
    s->appointment_code = "AB12-CD34";
    s->desk = "DEN-HAAG";
    s->kiosk_id = "DEN-HAAG-03";
    s->staff_id = "S0042";
    s->started = "20261122100000Z";
    s->ended = "20261122100700Z";
    s->photo = s->fingerprints = s->signature = RULES_ACTION_CAPTURE;
    s->photo_reason = "No usable photo on file.";
    s->fingerprints_reason = "No fingerprints on file.";
    s->signature_reason = "Signature taken from age 12.";
    s->face_jpeg = f->face;
    s->face_len = f->face_len;
    s->fingers[0] = (record_finger){2, f->print[0], f->print_len[0], 57, 0x000F, 2};
    s->fingers[1] = (record_finger){6, f->print[1], f->print_len[1], 18, 0x000F, 2};
    s->n_fingers = 2;
    s->strokes = f->strokes;
    s->n_strokes = 2;
    s->exceptions = f->exceptions;
    s->n_exceptions = 1;
    s->attempts = f->attempts;
    s->n_attempts = 3;
    s->devices = f->devices;
    s->n_devices = 2;
}

static void fixture_clear(fixture *f)
{
    g_free(f->face);
    g_free(f->print[0]);
    g_free(f->print[1]);
}

static void assert_field(const an2k_record *r, unsigned tag, const char *want)
{
    const an2k_field *f = an2k_get(r, tag);
    if (want == NULL) {
        g_assert_null(f);
        return;
    }
    g_assert_nonnull(f);
    g_assert_cmpmem(f->value, f->len, want, strlen(want));
}

static void assert_item(const an2k_record *r, unsigned tag, size_t sub, size_t item,
                        const char *want)
{
    const uint8_t *p;
    size_t len;
    g_assert_cmpint(an2k_item(an2k_get(r, tag), sub, item, &p, &len), ==, BK_OK);
    g_assert_cmpmem(p, len, want, strlen(want));
}

/* A Type-8 signature image: SIG 0, SRT 0, ISR 0, the size in HLL/VLL, within the box, and
 * the pixels exactly those sigrender draws from the session's points (drawn here on their own,
 * not through the record's code): black ink on white, 8-bit grey. */
static void assert_signature_image(const an2k_record *r, const record_session *s, int box_w,
                                   int box_h)
{
    g_assert_cmpuint(r->type, ==, 8);
    g_assert_true(r->binary);
    g_assert_cmpuint(r->bin_len, >, 12);
    g_assert_cmpint(r->bin[5], ==, 0); /* SIG: the subject */
    g_assert_cmpint(r->bin[6], ==, 0); /* SRT: scanned, uncompressed */
    g_assert_cmpint(r->bin[7], ==, 0); /* ISR: 19.69 px/mm */
    int w = r->bin[8] << 8 | r->bin[9], h = r->bin[10] << 8 | r->bin[11];
    g_assert_cmpint(w, >, 0);
    g_assert_cmpint(h, >, 0);
    g_assert_cmpint(w, <=, box_w);
    g_assert_cmpint(h, <=, box_h);
    g_assert_cmpuint(r->bin_len - 12, ==, (size_t)w * (size_t)h);

    sigink *ink = sigink_new();
    for (size_t i = 0; i < s->n_strokes; i++) {
        for (size_t j = 0; j < s->strokes[i].n_points; j++) {
            const record_point *p = &s->strokes[i].points[j];
            sigink_point sp = {(float)p->x_mm, (float)p->y_mm, (float)p->pressure,
                               (uint32_t)p->t_ms};
            g_assert_cmpint(sigink_add(ink, &sp), ==, BK_OK);
        }
        sigink_end_stroke(ink);
    }
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    o.max_width = box_w;
    o.max_height = box_h;
    if (2 * o.margin >= MIN(box_w, box_h) / 2)
        o.margin = MIN(box_w, box_h) / 16;
    o.max_px_per_mm = s->signature_px_per_mm;
    sigrender_image img;
    g_assert_cmpint(sigrender_render(ink, &o, &img), ==, BK_OK);
    g_assert_cmpint(img.width, ==, w);
    g_assert_cmpint(img.height, ==, h);
    g_assert_cmpmem(r->bin + 12, r->bin_len - 12, img.pixels, (size_t)w * (size_t)h);
    /* white around, black ink */
    size_t dark = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        dark += img.pixels[i] < 64;
    g_assert_cmpuint(dark, >, 10);
    g_assert_cmpint(img.pixels[0], ==, 255);
    g_assert_cmpint(img.pixels[(size_t)w * (size_t)h - 1], ==, 255);
    sigrender_image_clear(&img);
    sigink_free(ink);
}

static an2k *encode_and_read(const record_session *s)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    char why[256] = "";
    if (record_encode(s, "DEN-HAAG-03-20261122100700Z-00000001", &bytes, &len, why, sizeof(why)) !=
        BK_OK)
        g_error("encode: %s", why);
    an2k *t = NULL;
    if (an2k_read(bytes, len, &t, why, sizeof(why)) != BK_OK)
        g_error("read back: %s", why);
    biomem_free(bytes);
    return t;
}

static void test_round_trip_full(void)
{
    fixture f;
    fixture_init(&f);
    an2k *t = encode_and_read(&f.s);
    g_assert_cmpuint(t->n_records, ==, 7);
    const an2k_record *r1 = &t->records[0], *r2 = &t->records[1];
    assert_field(r1, 2, "0500");
    assert_field(r1, 5, "20261122");
    assert_field(r1, 7, "DEN-HAAG");
    assert_field(r1, 8, "DEN-HAAG");
    assert_field(r1, 9, "DEN-HAAG-03-20261122100700Z-00000001");
    assert_field(r1, 11, "19.69");
    assert_item(r1, 15, 0, 1, "UTF-8"); /* the surname is not ASCII */

    g_assert_cmpuint(r2->type, ==, 2);
    assert_field(r2, 101, "1234567890");
    assert_field(r2, 102, "Jansen-Müller");
    assert_field(r2, 103, "Anna Maria");
    assert_field(r2, 104, "19900412");
    assert_field(r2, 105, "third-country");
    assert_field(r2, 106, "AB12-CD34");
    assert_field(r2, 108, "DEN-HAAG-03");
    assert_field(r2, 109, "S0042");
    assert_field(r2, 110, "20261122100000Z");
    assert_item(r2, 120, 1, 0, "fingerprints");
    assert_item(r2, 120, 1, 1, "capture");
    assert_item(r2, 120, 2, 2, "Signature taken from age 12.");
    assert_item(r2, 121, 0, 1, "7");
    assert_item(r2, 121, 0, 2, "P");
    assert_item(r2, 121, 0, 3, "left index missing since birth");
    assert_item(r2, 122, 2, 2, "18");
    assert_item(r2, 122, 2, 3, "30");
    assert_item(r2, 122, 2, 5, "A");
    assert_item(r2, 122, 0, 4, "R");
    assert_item(r2, 123, 1, 2, "FP-1");
    assert_item(r2, 124, 1, 4, "140");

    const an2k_record *face = &t->records[2];
    g_assert_cmpuint(face->type, ==, 10);
    assert_field(face, 3, "FACE");
    assert_field(face, 6, "1244");
    assert_field(face, 7, "1600");
    assert_field(face, 11, "JPEGB");
    const an2k_field *img = an2k_get(face, AN2K_FIELD_DATA);
    g_assert_cmpmem(img->value, img->len, f.face, f.face_len);

    for (int i = 0; i < 2; i++) {
        const an2k_record *fp = &t->records[3 + i];
        g_assert_cmpuint(fp->type, ==, 14);
        assert_field(fp, 3, "0");
        assert_field(fp, 11, "PNG");
        assert_field(fp, 13, i == 0 ? "2" : "6");
        assert_field(fp, 9, "500");
        assert_item(fp, 24, 0, 1, i == 0 ? "57" : "18");
        assert_item(fp, 24, 0, 2, "000F");
        img = an2k_get(fp, AN2K_FIELD_DATA);
        g_assert_cmpmem(img->value, img->len, f.print[i], f.print_len[i]);
    }

    const an2k_record *sig = &t->records[5];
    g_assert_cmpuint(sig->type, ==, 8);
    g_assert_true(sig->binary);
    g_assert_cmpint(sig->bin[6], ==, 2); /* vectored */
    /* ANSI/NIST-ITL 1-2011 8.008: X and Y "referenced from the bottom leftmost corner of the
     * signature", X growing to the right, Y upwards; 255 ends the vectors. 2.127 says where that
     * corner lies on the pad (x from its left, y down from its top, 0.0254 mm). */
    long min_x = 65535, max_y = 0;
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < PEN_POINTS; i++) {
            min_x = MIN(min_x, lround(f.points[s][i].x_mm / 0.0254));
            max_y = MAX(max_y, lround(f.points[s][i].y_mm / 0.0254));
        }
    g_assert_cmpint(min_x, >, 0); /* the fixture does not start at the pad's corner */
    char ox[24], oy[24];
    snprintf(ox, sizeof ox, "%ld", min_x);
    snprintf(oy, sizeof oy, "%ld", max_y);
    assert_item(r2, 127, 0, 0, ox);
    assert_item(r2, 127, 0, 1, oy);
    const uint8_t *vec = sig->bin + 12;
    size_t nv = (sig->bin_len - 12) / 5;
    long min_X = 65535, min_Y = 65535;
    for (size_t k = 0; k < nv; k++) {
        min_X = MIN(min_X, (long)(vec[5 * k] << 8 | vec[5 * k + 1]));
        min_Y = MIN(min_Y, (long)(vec[5 * k + 2] << 8 | vec[5 * k + 3]));
    }
    g_assert_cmpint(min_X, ==, 0);
    g_assert_cmpint(min_Y, ==, 0);
    g_assert_cmpuint(vec[5 * (nv - 1) + 4], ==, 255);
    for (size_t i = 0; i < PEN_POINTS; i++) { /* the first stroke: up is +Y */
        const uint8_t *v = vec + 5 * i;
        g_assert_cmpint((long)(v[0] << 8 | v[1]), ==, lround(f.points[0][i].x_mm / 0.0254) - min_x);
        g_assert_cmpint((long)(v[2] << 8 | v[3]), ==, max_y - lround(f.points[0][i].y_mm / 0.0254));
    }
    record_point *pts = NULL;
    size_t np = 0, ns = 0, *ends = NULL;
    /* without 2.127: the same signature, its top left at 0, 0 */
    g_assert_cmpint(record_pen_decode(vec, sig->bin_len - 12, NULL, &pts, &np, &ends, &ns), ==,
                    BK_OK);
    g_assert_cmpuint(np, ==, 2 * PEN_POINTS);
    double min_y_mm = 1e9;
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < PEN_POINTS; i++)
            min_y_mm = MIN(min_y_mm, f.points[s][i].y_mm);
    for (size_t i = 0; i < PEN_POINTS; i++) {
        g_assert_cmpfloat(fabs(pts[i].x_mm - (f.points[0][i].x_mm - min_x * 0.0254)), <=, 0.0128);
        g_assert_cmpfloat(fabs(pts[i].y_mm - (f.points[0][i].y_mm - min_y_mm)), <=, 0.0256);
    }
    biomem_free(pts);
    g_free(ends);
    /* an origin that would put points above the pad's top edge is not these vectors' */
    record_pen_origin wrong = {min_x, 0};
    g_assert_cmpint(record_pen_decode(vec, sig->bin_len - 12, &wrong, &pts, &np, &ends, &ns), ==,
                    BK_ERR_INVALID);
    /* with it, every point in its place on the pad */
    record_pen_origin origin = {min_x, max_y};
    g_assert_cmpint(record_pen_decode(vec, sig->bin_len - 12, &origin, &pts, &np, &ends, &ns), ==,
                    BK_OK);
    g_assert_cmpuint(ns, ==, 2);
    g_assert_cmpuint(np, ==, 2 * PEN_POINTS);
    g_assert_cmpuint(ends[0], ==, PEN_POINTS);
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < PEN_POINTS; i++) {
            const record_point *a = &f.points[s][i], *b = &pts[s * PEN_POINTS + i];
            g_assert_cmpfloat(fabs(a->x_mm - b->x_mm), <=, 0.0128);
            g_assert_cmpfloat(fabs(a->y_mm - b->y_mm), <=, 0.0128);
            g_assert_cmpfloat(fabs(a->pressure - b->pressure), <=, 0.5 / 253 + 1e-9);
        }
    biomem_free(pts);
    g_free(ends);
    assert_signature_image(&t->records[6], &f.s, 600, 200);
    assert_field(r2, 112, NULL); /* the name came split */
    assert_field(r2, 126, NULL); /* no audit log given */
    an2k_free(t);
    fixture_clear(&f);
}

/* The rendered signature in the record and in a box of another size. */
static void test_signature_image(void)
{
    fixture f;
    fixture_init(&f);
    f.s.signature_box_width = 300;
    f.s.signature_box_height = 64;
    an2k *t = encode_and_read(&f.s);
    g_assert_cmpuint(t->records[5].bin[6], ==, 2);
    assert_signature_image(&t->records[6], &f.s, 300, 64);
    assert_item(&t->records[1], 125, 0, 1, "300");
    assert_item(&t->records[1], 125, 0, 2, "64");
    /* record_signature_image is what went in */
    sigrender_image img;
    g_assert_cmpint(record_signature_image(&f.s, &img), ==, BK_OK);
    g_assert_cmpmem(t->records[6].bin + 12, t->records[6].bin_len - 12, img.pixels,
                    (size_t)img.width * (size_t)img.height);
    sigrender_image_clear(&img);
    an2k_free(t);
    /* the pen's resolution caps the scale: a small signature in a big box */
    f.s.signature_box_width = 2000;
    f.s.signature_box_height = 1000;
    f.s.signature_px_per_mm = 10;
    t = encode_and_read(&f.s);
    assert_signature_image(&t->records[6], &f.s, 2000, 1000);
    assert_item(&t->records[1], 125, 0, 0, "10.000");
    an2k_free(t);
    /* without a signature there is neither Type-8 */
    f.s.signature = RULES_ACTION_NONE;
    f.s.strokes = NULL;
    f.s.n_strokes = 0;
    t = encode_and_read(&f.s);
    for (size_t i = 0; i < t->n_records; i++)
        g_assert_cmpuint(t->records[i].type, !=, 8);
    assert_field(&t->records[1], 125, NULL);
    g_assert_cmpint(record_signature_image(&f.s, &img), ==, BK_ERR_NOT_FOUND);
    an2k_free(t);
    fixture_clear(&f);
}

/* "Surname, Given names" is split; anything else is not, and the record says so in 2.112. */
static void test_names(void)
{
    static const struct {
        const char *name, *surname, *given;
    } cases[] = {
        {"Jansen, Anna Maria", "Jansen", "Anna Maria"},
        {"  de Boer ,Sanne  ", "de Boer", "Sanne"},
        {"Al-Haddad, Amira", "Al-Haddad", "Amira"},
        {"Anna Jansen", NULL, NULL},
        {"Jansen,", NULL, NULL},
        {", Anna", NULL, NULL},
        {"Jansen, Anna, Maria", NULL, NULL},
        {"", NULL, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *sur = NULL, *giv = NULL;
        bk_err err = record_split_name(cases[i].name, &sur, &giv);
        g_assert_cmpint(err, ==, cases[i].surname ? BK_OK : BK_ERR_NOT_FOUND);
        g_assert_cmpstr(sur, ==, cases[i].surname);
        g_assert_cmpstr(giv, ==, cases[i].given);
        g_free(sur);
        g_free(giv);
    }
    g_assert_cmpint(record_split_name(NULL, NULL, NULL), ==, BK_ERR_NOT_FOUND);
    /* not split: all of it in the surname, unchanged in 2.112, no given names */
    fixture f;
    fixture_init(&f);
    f.s.surname = "Amira bint Yusuf Al-Haddad";
    f.s.given_names = NULL;
    f.s.name_unsplit = "Amira bint Yusuf Al-Haddad";
    an2k *t = encode_and_read(&f.s);
    assert_field(&t->records[1], 102, "Amira bint Yusuf Al-Haddad");
    assert_field(&t->records[1], 103, NULL);
    assert_field(&t->records[1], 112, "Amira bint Yusuf Al-Haddad");
    an2k_free(t);
    f.s.name_unsplit = "bad\nname";
    char why[256] = "";
    g_assert_cmpint(record_check(&f.s, why, sizeof why), ==, BK_ERR_INVALID);
    g_assert_nonnull(strstr(why, "name as booked"));
    fixture_clear(&f);
}

static void test_plan_without_items(void)
{
    /* a child of 8: photo reused, no signature; the record says why and carries neither */
    fixture f;
    fixture_init(&f);
    f.s.photo = RULES_ACTION_REUSE;
    f.s.photo_reason = "Photo on file is recent enough.";
    f.s.face_jpeg = NULL;
    f.s.signature = RULES_ACTION_NONE;
    f.s.signature_reason = "No signature under 12.";
    f.s.strokes = NULL;
    f.s.n_strokes = 0;
    f.s.surname = "Jansen";
    an2k *t = encode_and_read(&f.s);
    g_assert_cmpuint(t->n_records, ==, 4);
    g_assert_cmpuint(t->records[2].type, ==, 14);
    g_assert_cmpuint(t->records[3].type, ==, 14);
    assert_item(&t->records[1], 120, 0, 1, "reuse");
    assert_item(&t->records[1], 120, 0, 2, "Photo on file is recent enough.");
    assert_item(&t->records[1], 120, 2, 1, "none");
    assert_field(&t->records[0], 15, NULL);
    an2k_free(t);
    fixture_clear(&f);

    /* only one finger, the other missing with a reason */
    fixture_init(&f);
    f.s.n_fingers = 1;
    t = encode_and_read(&f.s);
    g_assert_cmpuint(t->n_records, ==, 6);
    an2k_free(t);
    fixture_clear(&f);
}

static void expect_refused(const record_session *s, const char *needle)
{
    char why[256] = "";
    g_assert_cmpint(record_check(s, why, sizeof(why)), ==, BK_ERR_INVALID);
    if (strstr(why, needle) == NULL)
        g_error("expected '%s' in '%s'", needle, why);
}

static void expect_accepted(const record_session *s)
{
    char why[256] = "";
    if (record_check(s, why, sizeof(why)) != BK_OK)
        g_error("refused: %s", why);
}

/* What the kiosk refuses, record_check refuses: the trivial-signature rule, dates that do not
 * fit, a plan against the age rules. */
static void test_kiosk_rules(void)
{
    fixture f;
    fixture_init(&f);
    record_session s = f.s;
    expect_accepted(&s);

    /* a 2-point signature: trivial (sigink's rule), unless an exception says why */
    record_point two[2] = {{10, 10, 0.5, 0}, {30, 12, 0.5, 40}};
    record_stroke dash = {two, 2};
    s.strokes = &dash;
    s.n_strokes = 1;
    expect_refused(&s, "trivial signature");
    record_exception sig_exc[2] = {f.exceptions[0],
                                   {"signature", 0, true, "cannot write: signs with a mark"}};
    s.exceptions = sig_exc;
    s.n_exceptions = 2;
    expect_accepted(&s);
    /* the kiosk's own setting, when lower, is the rule */
    s = f.s;
    s.strokes = &dash;
    s.n_strokes = 1;
    s.signature_min_points = 2;
    expect_accepted(&s);

    /* born after the visit */
    s = f.s;
    s.birth_date = "2027-01-01";
    expect_refused(&s, "after the session date");
    s.birth_date = "2026-11-22"; /* born that day: a valid date, but a photo by post */
    expect_refused(&s, "capture the photo, but the rules say by-post");

    /* a child of 6: no signature under 12, whatever the plan says */
    s = f.s;
    s.birth_date = "2020-05-01";
    expect_refused(&s, "capture the signature, but the rules say none");
    s.signature = RULES_ACTION_NONE;
    s.strokes = NULL;
    s.n_strokes = 0;
    expect_accepted(&s);
    /* ages are taken on the application date: 12 at the visit, 11 when applying */
    s = f.s;
    s.birth_date = "2014-11-01";
    s.applied = "2026-10-01";
    expect_refused(&s, "capture the signature, but the rules say none");
    s.applied = NULL;
    expect_accepted(&s);
    /* a child of 5: no fingerprints */
    s = f.s;
    s.birth_date = "2021-03-03";
    s.signature = RULES_ACTION_NONE;
    s.strokes = NULL;
    s.n_strokes = 0;
    expect_refused(&s, "capture the fingerprints, but the rules say none");

    /* the rules say capture whatever is on file (a minor's photo): the plan cannot say reuse
     * unless an exception says why */
    s = f.s;
    s.birth_date = "2010-02-02";
    s.photo = RULES_ACTION_REUSE;
    s.face_jpeg = NULL;
    expect_refused(&s, "the rules say capture");
    record_exception photo_exc[2] = {f.exceptions[0],
                                     {"photo", 0, false, "camera out of order: photo posted"}};
    s.exceptions = photo_exc;
    s.n_exceptions = 2;
    expect_accepted(&s);
    /* an adult's photo may be reused: the record cannot know what is on file */
    s = f.s;
    s.photo = RULES_ACTION_REUSE;
    s.face_jpeg = NULL;
    expect_accepted(&s);
    /* mvv: nothing at this desk */
    s = f.s;
    s.category = RULES_CATEGORY_MVV;
    expect_refused(&s, "rules say none");
    fixture_clear(&f);
}

static void test_refusals(void)
{
    fixture f;
    fixture_init(&f);
    char why[256];
    g_assert_cmpint(record_check(&f.s, why, sizeof(why)), ==, BK_OK);
    record_session s = f.s;
    s.v_number = "12345";
    expect_refused(&s, "V-number");
    s = f.s;
    s.birth_date = "1990-02-30";
    expect_refused(&s, "birth date");
    s = f.s;
    s.surname = "Jan\tsen";
    expect_refused(&s, "surname");
    s = f.s;
    s.desk = "DEN HAAG";
    expect_refused(&s, "desk");
    s = f.s;
    s.face_jpeg = NULL;
    expect_refused(&s, "capture the photo");
    s = f.s;
    s.photo = RULES_ACTION_REUSE;
    expect_refused(&s, "photo given, but the plan says reuse");

    size_t len;
    g_autofree uint8_t *small = testimg_jpeg(1350, 1350, 3, &len);
    s = f.s;
    s.face_jpeg = small;
    s.face_len = len;
    expect_refused(&s, "1350x1350");
    s.face_jpeg = f.print[0];
    s.face_len = f.print_len[0];
    expect_refused(&s, "not a JPEG");

    g_autofree uint8_t *rgb = testimg_png(400, 500, 2, 1, &len);
    s = f.s;
    s.fingers[0].png = rgb;
    s.fingers[0].png_len = len;
    expect_refused(&s, "8-bit grey");
    g_autofree uint8_t *tiny = testimg_png(288, 118, 0, 1, &len);
    s.fingers[0].png = tiny;
    s.fingers[0].png_len = len;
    expect_refused(&s, "288x118");
    s = f.s;
    s.fingers[1].position = 2;
    expect_refused(&s, "given twice");
    s = f.s;
    s.fingers[1].position = 11;
    expect_refused(&s, "not 1-10");
    s = f.s;
    s.n_fingers = 1;
    s.n_exceptions = 0;
    expect_refused(&s, "no exception says why");
    s = f.s;
    s.fingerprints = RULES_ACTION_NONE;
    expect_refused(&s, "fingerprints given");

    record_point bad_points[1] = {{10, 10, 1.5, 0}};
    record_stroke bad_stroke = {bad_points, 1};
    s = f.s;
    s.strokes = &bad_stroke;
    s.n_strokes = 1;
    expect_refused(&s, "out of range");
    s = f.s;
    s.n_strokes = 0;
    expect_refused(&s, "capture the signature");
    s = f.s;
    s.signature_box_width = 10;
    s.signature_box_height = 200;
    expect_refused(&s, "box must be 16-4000");
    s.signature_box_width = 600;
    s.signature_box_height = 0;
    expect_refused(&s, "box must be 16-4000");

    record_attempt bad_attempt = {"finger", 2, 120, 30, true, 'N', "20261122100301Z"};
    s = f.s;
    s.attempts = &bad_attempt;
    s.n_attempts = 1;
    expect_refused(&s, "attempt 1");
    record_exception bad_exception = {"finger", 0, false, "x"};
    s = f.s;
    s.exceptions = &bad_exception;
    expect_refused(&s, "exception 1");
    s = f.s;
    s.started = "20261122110000Z";
    expect_refused(&s, "start first");
    fixture_clear(&f);
}

static void test_commit_and_open(void)
{
    g_assert_cmpint(seal_init(), ==, BK_OK);
    fixture f;
    fixture_init(&f);
    uint8_t kpk[32], ksk[64], opk[32], osk[32];
    crypto_sign_keypair(kpk, ksk);
    crypto_box_keypair(opk, osk);
    g_autofree char *dir = g_dir_make_tmp("record-XXXXXX", NULL);
    record_committed c = {0};
    char why[256] = "";
    if (record_commit(&f.s, ksk, opk, dir, &c, why, sizeof(why)) != BK_OK)
        g_error("commit: %s", why);
    g_assert_true(g_str_has_prefix(c.tcn, "DEN-HAAG-03-20261122100700Z-"));
    g_assert_true(g_file_test(c.path, G_FILE_TEST_IS_REGULAR));
    /* the file's name has the kiosk, the TCN's random part and more, not the visit's time */
    {
        g_autofree char *base = g_path_get_basename(c.path);
        g_autofree char *want = g_strdup_printf("DEN-HAAG-03-%s", strrchr(c.tcn, '-') + 1);
        g_assert_true(g_str_has_prefix(base, want));
        g_assert_true(g_str_has_suffix(base, ".bkrec"));
        g_assert_cmpuint(strlen(base), ==, strlen(want) + 2 * OUTBOX_NAME_EXTRA_BYTES + 6);
        g_assert_null(strstr(base, "20261122"));
    }

    uint8_t *file = NULL, *payload = NULL;
    size_t len = 0, plen = 0;
    g_assert_cmpint(outbox_read_file(c.path, &file, &len), ==, BK_OK);
    g_assert_cmpuint(len, ==, c.size);
    g_assert_cmpint(seal_open(file, len, osk, kpk, &payload, &plen, why, sizeof(why)), ==, BK_OK);
    an2k *t = NULL;
    g_assert_cmpint(an2k_read(payload, plen, &t, why, sizeof(why)), ==, BK_OK);
    assert_field(&t->records[0], 9, c.tcn);
    an2k_free(t);
    biomem_free(payload);

    /* a refused session leaves nothing in the outbox */
    record_session s = f.s;
    s.v_number = "x";
    record_committed c2 = {0};
    g_assert_cmpint(record_commit(&s, ksk, opk, dir, &c2, why, sizeof(why)), ==, BK_ERR_INVALID);
    outbox_entry *list;
    size_t n;
    g_assert_cmpint(outbox_list(dir, &list, &n), ==, BK_OK);
    g_assert_cmpuint(n, ==, 1);
    outbox_entries_free(list, n);

    g_unlink(c.path);
    g_rmdir(dir);
    g_free(file);
    record_committed_clear(&c);
    fixture_clear(&f);
}

/* Issue 17: every kiosk id the configuration takes makes records (ROTTERDAM-ZUID-02 ended every
 * visit on the record-failed screen when the TCN was limited to 40 characters), up to the
 * longest identifier (core/limits.h); one character more is refused by the record too. */
static void test_long_kiosk_ids(void)
{
    g_assert_cmpint(seal_init(), ==, BK_OK);
    uint8_t kpk[32], ksk[64], opk[32], osk[32];
    crypto_sign_keypair(kpk, ksk);
    crypto_box_keypair(opk, osk);
    char longest[BK_IDENT_MAX + 2];
    memset(longest, 'K', sizeof longest - 1);
    longest[BK_IDENT_MAX] = '\0';
    const char *ids[] = {"ROTTERDAM-ZUID-02", longest};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        fixture f;
        fixture_init(&f);
        f.s.kiosk_id = ids[i];
        g_autofree char *dir = g_dir_make_tmp("record-XXXXXX", NULL);
        record_committed c = {0};
        char why[256] = "";
        if (record_commit(&f.s, ksk, opk, dir, &c, why, sizeof(why)) != BK_OK)
            g_error("kiosk id %s: %s", ids[i], why);
        g_assert_cmpuint(strlen(c.tcn), ==, strlen(ids[i]) + BK_TCN_SUFFIX_LEN);
        g_assert_true(g_str_has_prefix(c.tcn, ids[i]));
        uint8_t *file = NULL, *payload = NULL;
        size_t len = 0, plen = 0;
        g_assert_cmpint(outbox_read_file(c.path, &file, &len), ==, BK_OK);
        g_assert_cmpint(seal_open(file, len, osk, kpk, &payload, &plen, why, sizeof(why)), ==,
                        BK_OK);
        an2k *t = NULL;
        g_assert_cmpint(an2k_read(payload, plen, &t, why, sizeof(why)), ==, BK_OK);
        assert_field(&t->records[0], 9, c.tcn);
        an2k_free(t);
        biomem_free(payload);
        g_free(file);
        g_unlink(c.path);
        record_committed_clear(&c);
        g_rmdir(dir);
        fixture_clear(&f);
    }
    longest[BK_IDENT_MAX] = 'K';
    longest[BK_IDENT_MAX + 1] = '\0';
    fixture f;
    fixture_init(&f);
    f.s.kiosk_id = longest;
    expect_refused(&f.s, "kiosk id");
    fixture_clear(&f);
}

static void test_headers(void)
{
    unsigned w, h, d, c;
    size_t len;
    g_autofree uint8_t *jpeg = testimg_jpeg(64, 48, 0, &len);
    g_assert_cmpint(record_jpeg_size(jpeg, len, &w, &h), ==, BK_OK);
    g_assert_cmpuint(w, ==, 64);
    g_assert_cmpuint(h, ==, 48);
    for (size_t cut = 0; cut < 200; cut++)
        if (record_jpeg_size(jpeg, cut, &w, &h) == BK_OK)
            g_assert_cmpuint(w, ==, 64);
    g_autofree uint8_t *png = testimg_png(33, 44, 0, 0, &len);
    g_assert_cmpint(record_png_header(png, len, &w, &h, &d, &c), ==, BK_OK);
    g_assert_cmpuint(w, ==, 33);
    g_assert_cmpuint(h, ==, 44);
    g_assert_cmpuint(d, ==, 8);
    g_assert_cmpuint(c, ==, 0);
    g_assert_cmpint(record_png_header(png, 20, &w, &h, &d, &c), ==, BK_ERR_INVALID);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_log_set_writer_func(g_log_writer_default, NULL, NULL);
    g_test_add_func("/record/round-trip", test_round_trip_full);
    g_test_add_func("/record/signature-image", test_signature_image);
    g_test_add_func("/record/names", test_names);
    g_test_add_func("/record/plan-without-items", test_plan_without_items);
    g_test_add_func("/record/refusals", test_refusals);
    g_test_add_func("/record/kiosk-rules", test_kiosk_rules);
    g_test_add_func("/record/commit-and-open", test_commit_and_open);
    g_test_add_func("/record/image-headers", test_headers);
    g_test_add_func("/record/long-kiosk-ids", test_long_kiosk_ids);
    return g_test_run();
}
