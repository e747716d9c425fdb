/* biokiosk keys, record, outbox and audit as scripts and the back office use them. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <glib.h>
#include <png.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "../bkrun.h"
#include "record/an2k.h"
#include "record/audit.h"
#include "record/seal.h"
#include "core/biomem.h"
#include "testimg.h"

typedef bk_result run;

/* Expects a usage/input refusal: status 2, one line on stderr containing needle, no stdout. */
static void expect_refused(run r, const char *needle)
{
    if (r.status != 2 || strstr(r.err, needle) == NULL)
        g_error("expected status 2 with '%s', got %d: %s", needle, r.status, r.err);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_cmpuint(strlen(r.err), >, 0);
    g_assert_true(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
    bk_result_clear(&r);
}

static char *path_in(const char *dir, const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static const char person_fmt[] =
    "{\"v_number\": \"%s\", \"surname\": \"Jansen\", \"given_names\": \"Anna\","
    " \"birth_date\": \"1990-04-12\", \"category\": \"third-country\","
    " \"appointment_code\": \"AB12-CD34\", \"desk\": \"DEN-HAAG\", \"kiosk_id\": \"DH-03\","
    " \"staff_id\": \"S0042\", \"started\": \"2026-11-22T10:00:00Z\","
    " \"ended\": \"2026-11-22T10:07:00Z\","
    " \"plan\": {\"photo\": {\"action\": \"capture\", \"reason\": \"No photo on file.\"},"
    "   \"fingerprints\": {\"action\": \"capture\", \"reason\": \"No prints on file.\"},"
    "   \"signature\": {\"action\": \"capture\", \"reason\": \"Adult.\"}},"
    " \"fingers\": [{\"position\": 2, \"quality\": 57, \"algorithm\": 15, \"product\": 2},"
    "   {\"position\": 7, \"quality\": 44, \"algorithm\": 15, \"product\": 2}],"
    " \"exceptions\": [],"
    " \"attempts\": [{\"item\": \"finger\", \"position\": 2, \"quality\": 57, \"threshold\": 30,"
    "   \"accepted\": true, \"veto\": \"none\", \"time\": \"2026-11-22T10:03:00Z\"}],"
    " \"devices\": [{\"kind\": \"camera\", \"model\": \"PTP/IP Camera\", \"serial\": \"C1\"}]%s}";

/* PERSON.json with another birth date. */
static char *person_born(const char *dir, const char *name, const char *birth)
{
    g_autofree char *text = g_strdup_printf(person_fmt, "1234567890", "");
    char *at = strstr(text, "1990-04-12");
    g_assert_nonnull(at);
    memcpy(at, birth, 10);
    return testimg_save(dir, name, text, strlen(text));
}

typedef struct setup {
    char *dir, *keys, *office, *outbox;
    char *person, *face, *finger2, *finger7, *points;
    char *kiosk_key, *kiosk_pub, *office_key, *office_pub, *audit_key;
    uint8_t *face_bytes, *finger_bytes;
    size_t face_len, finger_len;
} setup;

static void setup_init(setup *s)
{
    s->dir = make_tmpdir("cli-record-XXXXXX");
    s->keys = make_subdir(s->dir, "keys");
    s->office = make_subdir(s->dir, "office");
    s->outbox = make_subdir(s->dir, "outbox");
    s->kiosk_key = path_in(s->keys, "kiosk.key");
    s->kiosk_pub = path_in(s->keys, "kiosk.pub");
    s->audit_key = path_in(s->keys, "audit-hash.key");
    s->office_key = path_in(s->office, "backoffice.key");
    s->office_pub = path_in(s->office, "backoffice.pub");
    g_autofree char *person = g_strdup_printf(person_fmt, "1234567890", "");
    s->person = testimg_save(s->dir, "person.json", person, strlen(person));
    s->face_bytes = testimg_jpeg(1244, 1600, 5, &s->face_len);
    s->face = testimg_save(s->dir, "face.jpg", s->face_bytes, s->face_len);
    s->finger_bytes = testimg_png(400, 500, 0, 3, &s->finger_len);
    s->finger2 = testimg_save(s->dir, "f2.png", s->finger_bytes, s->finger_len);
    size_t len;
    g_autofree uint8_t *f7 = testimg_png(400, 500, 0, 4, &len);
    s->finger7 = testimg_save(s->dir, "f7.png", f7, len);
    /* 21 points: the kiosk refuses a signature of fewer than 20 (sigink's rule) */
    GString *points = g_string_new(
        "{\"device\": {\"model\": \"STU-540\", \"serial\": \"W1\", \"pressure_max\": 1023},"
        " \"strokes\": [[{\"x_mm\": 1.0, \"y_mm\": 2.0, \"pressure\": 300, \"t_ms\": 0},"
        "  {\"x_mm\": 1.5, \"y_mm\": 2.5, \"pressure\": 1023, \"t_ms\": 5}],"
        "  [{\"x_mm\": 10, \"y_mm\": 3, \"pressure\": 512, \"t_ms\": 400}");
    for (int i = 1; i < 19; i++)
        g_string_append_printf(points, ", {\"x_mm\": %d, \"y_mm\": %d.5, \"t_ms\": %d}", 10 + 2 * i,
                               3 + i % 5, 400 + 8 * i);
    g_string_append(points, "]]}");
    s->points = testimg_save(s->dir, "points.json", points->str, points->len);
    g_string_free(points, TRUE);
}

static void setup_clear(setup *s)
{
    remove_tree(s->dir);
    char **all[] = {&s->dir,       &s->keys,       &s->office,     &s->outbox,   &s->person,
                    &s->face,      &s->finger2,    &s->finger7,    &s->points,   &s->kiosk_key,
                    &s->kiosk_pub, &s->office_key, &s->office_pub, &s->audit_key};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        g_free(*all[i]);
    g_free(s->face_bytes);
    g_free(s->finger_bytes);
}

/* setup_init, and the kiosk's keys made in s->keys and the back office's in s->office. */
static void setup_with_keys(setup *s)
{
    setup_init(s);
    run r = biokiosk_run("keys", "kiosk-init", "--dir", s->keys, NULL);
    bk_result_clear(&r);
    r = biokiosk_run("keys", "backoffice-init", "--dir", s->office, NULL);
    bk_result_clear(&r);
}

static run build(setup *s, const char *person, const char *face)
{
    g_autofree char *f2 = g_strconcat("2=", s->finger2, NULL);
    g_autofree char *f7 = g_strconcat("7=", s->finger7, NULL);
    return biokiosk_run("record", "build", "--person", person, "--face", face, "--finger", f2,
                        "--finger", f7, "--signature", s->points, "--outbox", s->outbox,
                        "--kiosk-key", s->kiosk_key, "--backoffice-key", s->office_pub, NULL);
}

static size_t outbox_count(const char *dir)
{
    size_t n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    while (d != NULL && g_dir_read_name(d) != NULL)
        n++;
    g_dir_close(d);
    return n;
}

static void test_keys_build_open(void)
{
    setup s;
    setup_init(&s);
    run r = biokiosk_run("keys", "kiosk-init", "--dir", s.keys, NULL);
    g_assert_cmpint(r.status, ==, 0);
    JsonParser *p;
    JsonObject *o = parse_object(r.out, &p);
    g_assert_cmpstr(json_object_get_string_member(o, "kind"), ==, "kiosk");
    g_assert_cmpuint(strlen(json_object_get_string_member(o, "fingerprint")), ==, 16);
    g_object_unref(p);
    bk_result_clear(&r);
    expect_refused(biokiosk_run("keys", "kiosk-init", "--dir", s.keys, NULL), "exist already");
    r = biokiosk_run("keys", "backoffice-init", "--dir", s.office, NULL);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    struct stat st;
    g_assert_cmpint(stat(s.office_key, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_cmpint(stat(s.kiosk_key, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);

    r = build(&s, s.person, s.face);
    if (r.status != 0)
        g_error("build: %s", r.err);
    o = parse_object(r.out, &p);
    g_autofree char *record = g_strdup(json_object_get_string_member(o, "path"));
    g_assert_true(g_str_has_prefix(json_object_get_string_member(o, "tcn"), "DH-03-"));
    g_object_unref(p);
    bk_result_clear(&r);

    r = biokiosk_run("outbox", "verify", s.outbox, "--kiosk-key", s.kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 0);
    o = parse_object(r.out, &p);
    g_assert_cmpint(json_object_get_int_member(o, "bad"), ==, 0);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "records")), ==, 1);
    g_object_unref(p);
    bk_result_clear(&r);

    /* open at the back office, with the images and the ANSI/NIST-ITL file written out */
    g_autofree char *extract = path_in(s.dir, "extract");
    g_autofree char *an2 = path_in(s.dir, "out.an2");
    r = biokiosk_run("record", "open", record, "--secret", s.office_key, "--kiosk-key", s.kiosk_pub,
                     "--extract", extract, "--an2k", an2, NULL);
    if (r.status != 0)
        g_error("open: %s", r.err);
    o = parse_object(r.out, &p);
    g_assert_cmpstr(json_object_get_string_member(o, "v_number"), ==, "1234567890");
    g_assert_cmpstr(json_object_get_string_member(o, "surname"), ==, "Jansen");
    g_assert_cmpstr(json_object_get_string_member(o, "version"), ==, "0500");
    JsonArray *records = json_object_get_array_member(o, "records");
    g_assert_cmpuint(json_array_get_length(records), ==, 7);
    static const gint64 types[] = {1, 2, 10, 14, 14, 8, 8};
    for (guint i = 0; i < 7; i++)
        g_assert_cmpint(
            json_object_get_int_member(json_array_get_object_element(records, i), "type"), ==,
            types[i]);
    JsonObject *sig = json_array_get_object_element(records, 5);
    g_assert_cmpint(json_object_get_int_member(sig, "strokes"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(sig, "points"), ==, 21);
    JsonObject *sig_img = json_array_get_object_element(records, 6);
    g_assert_false(json_object_get_boolean_member(sig_img, "vectored"));
    g_assert_false(json_object_get_boolean_member(sig_img, "compressed"));
    g_assert_cmpstr(json_object_get_string_member(sig_img, "resolution"), ==, "19.69");
    gint64 sig_w = json_object_get_int_member(sig_img, "width");
    gint64 sig_h = json_object_get_int_member(sig_img, "height");
    g_assert_cmpint(sig_w, >, 24);
    g_assert_cmpint(sig_w, <=, 600);
    g_assert_cmpint(sig_h, >, 24);
    g_assert_cmpint(sig_h, <=, 200);
    g_assert_cmpint(json_object_get_int_member(sig_img, "bytes"), ==, sig_w * sig_h);
    JsonObject *scale =
        json_array_get_object_element(json_object_get_array_member(o, "signature_image"), 0);
    g_assert_cmpstr(json_object_get_string_member(scale, "box_width"), ==, "600");
    /* 2.127: the signature's bottom left on the pad, the Type-8 vectors' origin */
    JsonObject *origin =
        json_array_get_object_element(json_object_get_array_member(o, "pen_origin"), 0);
    g_assert_nonnull(origin);
    g_assert_cmpint(g_ascii_strtoll(json_object_get_string_member(origin, "x"), NULL, 10), >, 0);
    g_assert_cmpint(g_ascii_strtoll(json_object_get_string_member(origin, "y"), NULL, 10), >, 0);
    JsonArray *devices = json_object_get_array_member(o, "devices");
    g_assert_cmpuint(json_array_get_length(devices), ==, 2); /* camera + the pad */
    g_object_unref(p);
    bk_result_clear(&r);

    gchar *data = NULL;
    gsize len = 0;
    g_autofree char *face_out = path_in(extract, "face.jpg");
    g_assert_true(g_file_get_contents(face_out, &data, &len, NULL));
    g_assert_cmpmem(data, len, s.face_bytes, s.face_len);
    g_free(data);
    g_autofree char *finger_out = path_in(extract, "finger-2.png");
    g_assert_true(g_file_get_contents(finger_out, &data, &len, NULL));
    g_assert_cmpmem(data, len, s.finger_bytes, s.finger_len);
    g_free(data);
    g_autofree char *sig_out = path_in(extract, "signature.json");
    g_assert_true(g_file_get_contents(sig_out, &data, &len, NULL));
    JsonObject *so = parse_object(data, &p);
    JsonArray *strokes = json_object_get_array_member(so, "strokes");
    g_assert_cmpuint(json_array_get_length(strokes), ==, 2);
    JsonObject *pt = json_array_get_object_element(json_array_get_array_element(strokes, 0), 1);
    g_assert_cmpfloat_with_epsilon(json_object_get_double_member(pt, "x_mm"), 1.5, 0.013);
    g_assert_cmpfloat_with_epsilon(json_object_get_double_member(pt, "pressure"), 1.0, 0.004);
    g_assert_cmpint(json_object_get_int_member(pt, "t_ms"), ==, 5);
    pt = json_array_get_object_element(json_array_get_array_element(strokes, 1), 0);
    g_assert_cmpint(json_object_get_int_member(pt, "t_ms"), ==, 400);
    g_assert_cmpfloat_with_epsilon(json_object_get_double_member(pt, "pressure"), 512.0 / 1023,
                                   0.004);
    g_object_unref(p);
    g_free(data);
    g_assert_true(g_file_get_contents(an2, &data, &len, NULL));
    an2k *t = NULL;
    char why[256];
    g_assert_cmpint(an2k_read((const uint8_t *)data, len, &t, why, sizeof(why)), ==, BK_OK);
    g_assert_cmpuint(t->n_records, ==, 7);
    /* signature.png: the Type-8 image's pixels, as an 8-bit grey PNG, readable by its owner
     * only, like every file --extract writes */
    g_autofree char *png_out = path_in(extract, "signature.png");
    const char *extracted[] = {"signature.png", "signature.json", "face.jpg", "finger-2.png"};
    for (size_t i = 0; i < G_N_ELEMENTS(extracted); i++) {
        g_autofree char *x = path_in(extract, extracted[i]);
        g_assert_cmpint(stat(x, &st), ==, 0);
        if ((st.st_mode & 0777) != 0600)
            g_error("%s has mode %o", extracted[i], st.st_mode & 0777);
    }
    gchar *png_data = NULL;
    gsize png_len = 0;
    g_assert_true(g_file_get_contents(png_out, &png_data, &png_len, NULL));
    png_image pi = {.version = PNG_IMAGE_VERSION};
    g_assert_true(png_image_begin_read_from_memory(&pi, png_data, png_len));
    g_assert_cmpuint(pi.width, ==, (unsigned)sig_w);
    g_assert_cmpuint(pi.height, ==, (unsigned)sig_h);
    g_assert_cmpuint(pi.format, ==, PNG_FORMAT_GRAY);
    g_autofree uint8_t *px = g_malloc((size_t)PNG_IMAGE_SIZE(pi));
    g_assert_true(png_image_finish_read(&pi, NULL, px, 0, NULL));
    const an2k_record *r8 = &t->records[6];
    g_assert_cmpint(r8->bin[6], ==, 0);
    g_assert_cmpmem(px, (size_t)(sig_w * sig_h), r8->bin + 12, r8->bin_len - 12);
    g_free(png_data);
    an2k_free(t);
    g_free(data);

    /* wrong keys, a flipped byte, a truncated file */
    g_autofree char *other = path_in(s.dir, "other");
    g_mkdir(other, 0700);
    r = biokiosk_run("keys", "backoffice-init", "--dir", other, NULL);
    bk_result_clear(&r);
    r = biokiosk_run("keys", "kiosk-init", "--dir", other, NULL);
    bk_result_clear(&r);
    g_autofree char *other_key = path_in(other, "backoffice.key");
    g_autofree char *other_pub = path_in(other, "kiosk.pub");
    expect_refused(biokiosk_run("record", "open", record, "--secret", other_key, "--kiosk-key",
                                s.kiosk_pub, NULL),
                   "sealed to back-office key");
    expect_refused(biokiosk_run("record", "open", record, "--secret", s.office_key, "--kiosk-key",
                                other_pub, NULL),
                   "not by the expected key");
    expect_refused(biokiosk_run("record", "open", record, "--secret", s.kiosk_pub, "--kiosk-key",
                                s.kiosk_pub, NULL),
                   "not a backoffice-secret key");
    g_assert_true(g_file_get_contents(record, &data, &len, NULL));
    g_autofree char *bad = path_in(s.dir, "bad.bkrec");
    data[len / 2] ^= 0x10;
    g_file_set_contents(bad, data, (gssize)len, NULL);
    expect_refused(biokiosk_run("record", "open", bad, "--secret", s.office_key, "--kiosk-key",
                                s.kiosk_pub, NULL),
                   "the file was changed");
    data[len / 2] ^= 0x10;
    g_file_set_contents(bad, data, (gssize)len - 1000, NULL);
    expect_refused(biokiosk_run("record", "open", bad, "--secret", s.office_key, "--kiosk-key",
                                s.kiosk_pub, NULL),
                   "truncated");
    /* a damaged file in the outbox: verify answers no */
    g_autofree char *bad_in_outbox = path_in(s.outbox, "zz-bad.bkrec");
    g_file_set_contents(bad_in_outbox, data, (gssize)len - 1000, NULL);
    r = biokiosk_run("outbox", "verify", s.outbox, "--kiosk-key", s.kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 1);
    o = parse_object(r.out, &p);
    g_assert_cmpint(json_object_get_int_member(o, "bad"), ==, 1);
    g_object_unref(p);
    bk_result_clear(&r);
    g_unlink(bad_in_outbox);
    g_free(data);

    /* a second record, written to the audit log too */
    g_autofree char *log = path_in(s.dir, "audit.log");
    g_autofree char *f2 = g_strconcat("2=", s.finger2, NULL);
    g_autofree char *f7 = g_strconcat("7=", s.finger7, NULL);
    r = biokiosk_run("record", "build", "--person", s.person, "--face", s.face, "--finger", f2,
                     "--finger", f7, "--signature", s.points, "--outbox", s.outbox, "--kiosk-key",
                     s.kiosk_key, "--backoffice-key", s.office_pub, "--audit", log,
                     "--audit-hash-key", s.audit_key, NULL);
    if (r.status != 0)
        g_error("build with audit: %s", r.err);
    bk_result_clear(&r);

    /* export with removal, each step in the audit log */
    g_autofree char *usb = path_in(s.dir, "usb");
    g_mkdir(usb, 0700);
    r = biokiosk_run("outbox", "export", s.outbox, "--to", usb, "--remove", "--kiosk-key",
                     s.kiosk_pub, "--audit", log, "--audit-key", s.kiosk_key, "--audit-hash-key",
                     s.audit_key, NULL);
    g_assert_cmpint(r.status, ==, 0);
    o = parse_object(r.out, &p);
    g_assert_cmpint(json_object_get_int_member(o, "exported"), ==, 2);
    g_object_unref(p);
    bk_result_clear(&r);
    g_assert_cmpuint(outbox_count(s.outbox), ==, 0);
    g_assert_cmpuint(outbox_count(usb), ==, 2);
    r = biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"entries\":5"));
    bk_result_clear(&r);
    g_assert_true(g_file_get_contents(log, &data, &len, NULL));
    g_assert_nonnull(strstr(data, "\trecord.written\t"));
    g_assert_nonnull(strstr(data, "deleted-after-transfer"));
    g_assert_null(strstr(data, "1234567890"));
    g_free(data);
    r = biokiosk_run("outbox", "purge", usb, "--days", "14", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "\"deleted\":0"));
    bk_result_clear(&r);
    setup_clear(&s);
}

static void test_refused_inputs(void)
{
    setup s;
    setup_with_keys(&s);

    g_autofree char *text = g_strdup_printf(person_fmt, "12345", "");
    g_autofree char *p1 = testimg_save(s.dir, "p1.json", text, strlen(text));
    expect_refused(build(&s, p1, s.face), "V-number");
    g_free(text);
    text = g_strdup_printf(person_fmt, "1234567890", ", \"nickname\": \"x\"");
    g_autofree char *p2 = testimg_save(s.dir, "p2.json", text, strlen(text));
    expect_refused(build(&s, p2, s.face), "unknown member \"nickname\"");
    g_autofree char *p3 = testimg_save(s.dir, "p3.json", "{\"v_number\": ", 13);
    expect_refused(build(&s, p3, s.face), "--person");

    /* what the kiosk refuses: born after the visit, a signature from a child of 6 (the rules
     * say none under 12), a 2-point signature */
    g_autofree char *later = person_born(s.dir, "later.json", "2027-01-05");
    expect_refused(build(&s, later, s.face), "after the session date");
    g_autofree char *child = person_born(s.dir, "child.json", "2020-06-01");
    expect_refused(build(&s, child, s.face),
                   "capture the signature, but the rules say none for this person (6 years old)");
    static const char dash[] = "{\"strokes\": [[{\"x_mm\": 10, \"y_mm\": 10},"
                               " {\"x_mm\": 40, \"y_mm\": 11}]]}";
    g_autofree char *dash_path = testimg_save(s.dir, "dash.json", dash, strlen(dash));
    {
        g_autofree char *f2 = g_strconcat("2=", s.finger2, NULL);
        g_autofree char *f7 = g_strconcat("7=", s.finger7, NULL);
        expect_refused(biokiosk_run("record", "build", "--person", s.person, "--face", s.face,
                                    "--finger", f2, "--finger", f7, "--signature", dash_path,
                                    "--outbox", s.outbox, "--kiosk-key", s.kiosk_key,
                                    "--backoffice-key", s.office_pub, NULL),
                       "2 pen points; fewer than 20 is a trivial signature");
    }
    g_assert_cmpuint(outbox_count(s.outbox), ==, 0);

    size_t len;
    g_autofree uint8_t *wrong = testimg_jpeg(1350, 1350, 1, &len);
    g_autofree char *wrong_face = testimg_save(s.dir, "wrong.jpg", wrong, len);
    expect_refused(build(&s, s.person, wrong_face), "1350x1350");
    g_autofree char *shared = g_build_filename(g_getenv("BIOKIOSK_SHARED"), "data", "faces",
                                               "frontal", "frl_london_001_03.jpg", NULL);
    if (g_file_test(shared, G_FILE_TEST_EXISTS))
        expect_refused(build(&s, s.person, shared), "the ICAO crop is 1244x1600");
    expect_refused(build(&s, s.person, s.finger2), "not a JPEG");

    g_autofree char *f2 = g_strconcat("2=", s.finger2, NULL);
    g_autofree char *f3 = g_strconcat("3=", s.finger2, NULL);
    g_autofree char *f11 = g_strconcat("11=", s.finger2, NULL);
    expect_refused(biokiosk_run("record", "build", "--person", s.person, "--face", s.face,
                                "--finger", f3, "--outbox", s.outbox, "--kiosk-key", s.kiosk_key,
                                "--backoffice-key", s.office_pub, NULL),
                   "\"position\": 3");
    expect_refused(biokiosk_run("record", "build", "--person", s.person, "--face", s.face,
                                "--finger", f11, "--outbox", s.outbox, "--kiosk-key", s.kiosk_key,
                                "--backoffice-key", s.office_pub, NULL),
                   "POS=IMAGE");
    expect_refused(biokiosk_run("record", "build", "--person", s.person, "--face", s.face,
                                "--finger", f2, "--signature", s.points, "--outbox", s.outbox,
                                "--kiosk-key", s.kiosk_key, "--backoffice-key", s.office_pub, NULL),
                   "no exception says why");
    expect_refused(biokiosk_run("record", "build", "--person", s.person, "--outbox", s.outbox,
                                "--kiosk-key", s.office_pub, "--backoffice-key", s.office_pub,
                                NULL),
                   "--kiosk-key");
    expect_refused(biokiosk_run("record", "build", "--person", s.person, NULL),
                   "--outbox is required");
    static const char outside[] = "{\"device\": {\"width_mm\": 10, \"height_mm\": 10},"
                                  " \"strokes\": [[{\"x_mm\": 20, \"y_mm\": 1}]]}";
    g_autofree char *outside_path = testimg_save(s.dir, "outside.json", outside, strlen(outside));
    g_autofree char *f7 = g_strconcat("7=", s.finger7, NULL);
    expect_refused(biokiosk_run("record", "build", "--person", s.person, "--face", s.face,
                                "--finger", f2, "--finger", f7, "--signature", outside_path,
                                "--outbox", s.outbox, "--kiosk-key", s.kiosk_key,
                                "--backoffice-key", s.office_pub, NULL),
                   "beyond the device's width");
    expect_refused(biokiosk_run("record", "build", "--person", s.person, "--face", s.face,
                                "--finger", f2, "--finger", f7, "--signature", s.points,
                                "--signature-box", "600x10", "--outbox", s.outbox, "--kiosk-key",
                                s.kiosk_key, "--backoffice-key", s.office_pub, NULL),
                   "--signature-box");
    g_assert_cmpuint(outbox_count(s.outbox), ==, 0);

    /* the signature pad's own points file (drivers/sigpad/sigfile.h), optional members left out */
    GString *pad = g_string_new(
        "{\"device\": {\"kind\": \"stu\", \"model\": \"Wacom STU-540\", \"width_mm\": 96,"
        " \"height_mm\": 60, \"counts_per_mm\": 100},"
        " \"strokes\": [[{\"x_mm\": 1.5, \"y_mm\": 2.25}, {\"x_mm\": 2, \"y_mm\": 3,"
        " \"pressure\": 0.4, \"t_ms\": 10}");
    for (int i = 0; i < 18; i++)
        g_string_append_printf(pad, ", {\"x_mm\": %d, \"y_mm\": %d}", 3 + 2 * i, 3 + i % 4);
    g_string_append(pad, "]]}");
    g_autofree char *pad_path = testimg_save(s.dir, "pad.json", pad->str, pad->len);
    g_string_free(pad, TRUE);
    run r = biokiosk_run("record", "build", "--person", s.person, "--face", s.face, "--finger", f2,
                         "--finger", f7, "--signature", pad_path, "--signature-box", "300x80",
                         "--outbox", s.outbox, "--kiosk-key", s.kiosk_key, "--backoffice-key",
                         s.office_pub, NULL);
    if (r.status != 0)
        g_error("pad points file: %s", r.err);
    bk_result_clear(&r);
    g_assert_cmpuint(outbox_count(s.outbox), ==, 1);

    /* an outbox that is not there: the record is not lost silently (status 3) */
    g_autofree char *gone = path_in(s.dir, "gone");
    r = biokiosk_run("record", "build", "--person", s.person, "--face", s.face, "--finger", f2,
                     "--finger", f7, "--signature", s.points, "--outbox", gone, "--kiosk-key",
                     s.kiosk_key, "--backoffice-key", s.office_pub, NULL);
    g_assert_cmpint(r.status, ==, 3);
    g_assert_nonnull(strstr(r.err, "refused the record"));
    bk_result_clear(&r);
    setup_clear(&s);
}

/* `audit verify LOG` with the kiosk's public key (and its secret key, to check the tags, when
 * secret is not NULL): the exit status must be `status` and the JSON must hold `needle`. */
static void expect_verify(const setup *s, const char *log, const char *secret, int status,
                          const char *needle)
{
    run r = secret ? biokiosk_run("audit", "verify", log, "--kiosk-key", s->kiosk_pub,
                                  "--kiosk-secret", secret, NULL)
                   : biokiosk_run("audit", "verify", log, "--kiosk-key", s->kiosk_pub, NULL);
    if (r.status != status || strstr(r.out, needle) == NULL)
        g_error("audit verify %s: exit %d (wanted %d), no '%s' in %s%s", log, r.status, status,
                needle, r.out, r.err);
    bk_result_clear(&r);
}

static void test_audit_cli(void)
{
    setup s;
    setup_init(&s);
    run r = biokiosk_run("keys", "kiosk-init", "--dir", s.keys, NULL);
    bk_result_clear(&r);
    g_autofree char *log = path_in(s.dir, "audit.log");
    const char *events[] = {"session.start", "finger.attempt", "record.written"};
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
        r = biokiosk_run("audit", "append", log, "--kiosk-key", s.kiosk_key, "--hash-key",
                         s.audit_key, "--event", events[i], "--v-number", "1234567890", "--detail",
                         "q=50", NULL);
        g_assert_cmpint(r.status, ==, 0);
        bk_result_clear(&r);
    }
    expect_verify(&s, log, NULL, 0, "\"entries\":3");
    expect_verify(&s, log, NULL, 0, "\"tags_checked\":false");
    expect_verify(&s, log, s.kiosk_key, 0, "\"tags_checked\":true");
    /* another kiosk's secret key is refused: it does not belong to --kiosk-key */
    g_autofree char *other = path_in(s.dir, "other");
    g_assert_cmpint(g_mkdir(other, 0700), ==, 0);
    r = biokiosk_run("keys", "kiosk-init", "--dir", other, NULL);
    bk_result_clear(&r);
    g_autofree char *other_key = path_in(other, "kiosk.key");
    expect_refused(biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub,
                                "--kiosk-secret", other_key, NULL),
                   "not the secret key of --kiosk-key");

    /* the closing checkpoint removed and the last entry's tag changed: the public chain and its
     * signatures cannot tell, the tag can, and no writer extends (or signs) that log */
    g_autofree char *tagged = path_in(s.dir, "tagged.log");
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    char *last_cp = strstr(text, "\nS\t3\t");
    g_assert_nonnull(last_cp);
    last_cp[1] = '\0';
    char *tag_end = last_cp;
    tag_end[-1] = tag_end[-1] == '0' ? '1' : '0';
    g_assert_true(g_file_set_contents(tagged, text, -1, NULL));
    g_free(text);
    expect_verify(&s, tagged, NULL, 0, "\"ok\":true");
    expect_verify(&s, tagged, s.kiosk_key, 1, "\"kind\":\"changed\",\"entry\":3");
    r = biokiosk_run("audit", "append", tagged, "--kiosk-key", s.kiosk_key, "--hash-key",
                     s.audit_key, "--event", "session.start", NULL);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "tag is not the kiosk's"));
    bk_result_clear(&r);

    text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_null(strstr(text, "1234567890"));
    char *q = strstr(text, "q=50");
    q[3] = '9';
    g_file_set_contents(log, text, -1, NULL);
    g_free(text);
    r = biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_nonnull(strstr(r.out, "\"kind\":\"changed\""));
    bk_result_clear(&r);
    expect_refused(biokiosk_run("audit", "verify", log, NULL), "--kiosk-key");
    setup_clear(&s);
}

static void append_events(setup *s, const char *log, int n)
{
    for (int i = 0; i < n; i++) {
        char detail[32];
        snprintf(detail, sizeof(detail), "q=%d", 40 + i);
        run r = biokiosk_run("audit", "append", log, "--kiosk-key", s->kiosk_key, "--hash-key",
                             s->audit_key, "--event", "attempt", "--detail", detail, NULL);
        g_assert_cmpint(r.status, ==, 0);
        bk_result_clear(&r);
    }
}

static off_t size_of(const char *path)
{
    struct stat st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    return st.st_size;
}

/* The bytes a writer added to log after `before`, up to its last checkpoint line: the entries
 * the same command adds again (the same lengths), without the checkpoint it closes with. */
static off_t entries_added(const char *log, off_t before)
{
    gchar *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(log, &text, &len, NULL));
    char *last = g_strrstr(text, "\nS\t");
    g_assert_nonnull(last);
    off_t added = (off_t)(last + 1 - text) - before;
    g_free(text);
    g_assert_cmpint(added, >, 0);
    return added;
}

/* Runs biokiosk with its files limited to `limit` bytes (RLIMIT_FSIZE, as a full disk that
 * still takes a line): the limit is this process's for the time of the run, and inherited. */
static run run_limited(off_t limit, const char *first, ...)
{
    struct rlimit was, lim;
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &was), ==, 0);
    lim = was;
    lim.rlim_cur = (rlim_t)limit;
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    va_list ap;
    va_start(ap, first);
    run r = bk_spawn_va(g_getenv("BIOKIOSK_BIN"), NULL, NULL, first, ap);
    va_end(ap);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &was), ==, 0);
    return r;
}

static void expect_unclosed(run r, const char *needle, const char *log, const setup *s)
{
    if (r.status != 3 || strstr(r.err, needle) == NULL)
        g_error("wanted exit 3 with '%s', got %d: %s%s", needle, r.status, r.out, r.err);
    bk_result_clear(&r);
    /* the entry is there and the log ends unsigned, as after a power cut: it verifies, and the
     * next writer signs it */
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    char *last = g_strrstr(text, "\n");
    *last = '\0';
    last = g_strrstr(text, "\n");
    g_assert_true(last != NULL && last[1] == 'E');
    g_free(text);
    expect_verify(s, log, s->kiosk_key, 0, "\"ok\":true");
}

/* The closing checkpoint cannot be written (the file-size limit reached after the entry):
 * `record build --audit`, `outbox export --audit` and `audit append` keep what they did, say
 * so and exit 3. Before, the first two exited 0 with a warning, so a script never knew. */
static void test_audit_unclosed(void)
{
    setup s;
    setup_with_keys(&s);
    g_autofree char *log = path_in(s.dir, "audit.log");
    g_autofree char *f2 = g_strconcat("2=", s.finger2, NULL);
    g_autofree char *f7 = g_strconcat("7=", s.finger7, NULL);
#define BUILD(...)                                                                                 \
    "record", "build", "--person", s.person, "--face", s.face, "--finger", f2, "--finger", f7,     \
        "--signature", s.points, "--outbox", s.outbox, "--kiosk-key", s.kiosk_key,                 \
        "--backoffice-key", s.office_pub, "--audit", log, "--audit-hash-key", s.audit_key, NULL
    /* a log larger than a record, so that the limit falls in the log, not in the record */
    run r = biokiosk_run(BUILD());
    g_assert_cmpint(r.status, ==, 0);
    JsonParser *p;
    JsonObject *o = parse_object(r.out, &p);
    off_t record = size_of(json_object_get_string_member(o, "path"));
    g_object_unref(p);
    bk_result_clear(&r);
    uint8_t sk[SEAL_SIGN_SECRET_BYTES], hk[SEAL_AUDIT_KEY_BYTES];
    char why[256] = "";
    g_assert_cmpint(
        seal_key_read(s.kiosk_key, SEAL_KEY_KIOSK_SECRET, sk, sizeof sk, why, sizeof why), ==,
        BK_OK);
    g_assert_cmpint(seal_key_read(s.audit_key, SEAL_KEY_AUDIT_HASH, hk, sizeof hk, why, sizeof why),
                    ==, BK_OK);
    audit *a = NULL;
    g_assert_cmpint(audit_open(log, sk, hk, 0, &a, why, sizeof why), ==, BK_OK);
    char pad[301];
    memset(pad, 'p', 300);
    pad[300] = '\0';
    while (size_of(log) < record + 8192)
        g_assert_cmpint(audit_append(a, "padding", NULL, pad), ==, BK_OK);
    g_assert_cmpint(audit_close(a), ==, BK_OK);

    /* record build: what one adds, then the same under a limit that takes it but not the
     * checkpoint (some 200 bytes) */
    off_t before = size_of(log);
    r = biokiosk_run(BUILD());
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    off_t entry = entries_added(log, before);
    size_t records = outbox_count(s.outbox);
    r = run_limited(size_of(log) + entry + 40, BUILD());
    g_assert_nonnull(strstr(r.out, "\"path\"")); /* the record is written and said */
    expect_unclosed(r, "closing checkpoint could not be written", log, &s);
    g_assert_cmpuint(outbox_count(s.outbox), ==, records + 1);
#undef BUILD

    /* outbox export */
    g_autofree char *to1 = path_in(s.dir, "to1");
    g_autofree char *to2 = path_in(s.dir, "to2");
    g_assert_cmpint(g_mkdir(to1, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(to2, 0700), ==, 0);
#define EXPORT(to)                                                                                 \
    "outbox", "export", s.outbox, "--to", to, "--kiosk-key", s.kiosk_pub, "--audit", log,          \
        "--audit-key", s.kiosk_key, "--audit-hash-key", s.audit_key, NULL
    before = size_of(log);
    r = biokiosk_run(EXPORT(to1));
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    entry = entries_added(log, before);
    r = run_limited(size_of(log) + entry + 40, EXPORT(to2));
    g_assert_nonnull(strstr(r.out, "\"exported\":"));
    expect_unclosed(r, "closing checkpoint could not be written", log, &s);
    g_assert_cmpuint(outbox_count(to2), ==, outbox_count(to1));
    g_assert_cmpuint(outbox_count(to2), >, 0);
#undef EXPORT

    /* an entry the log refuses outright: export --remove and discard delete nothing (before,
     * the record was deleted first and the refusal only counted), and say so with exit 3 */
    size_t waiting = outbox_count(s.outbox);
    g_autofree char *to3 = path_in(s.dir, "to3");
    g_assert_cmpint(g_mkdir(to3, 0700), ==, 0);
    r = run_limited(size_of(log) + 10, "outbox", "export", s.outbox, "--to", to3, "--remove",
                    "--kiosk-key", s.kiosk_pub, "--audit", log, "--audit-key", s.kiosk_key,
                    "--audit-hash-key", s.audit_key, NULL);
    if (r.status != 3 || strstr(r.err, "the audit log refused") == NULL)
        g_error("export --remove, log full: wanted exit 3, got %d: %s%s", r.status, r.out, r.err);
    bk_result_clear(&r);
    g_assert_cmpuint(outbox_count(s.outbox), ==, waiting);
    GDir *d = g_dir_open(s.outbox, 0, NULL);
    const char *name = NULL;
    while ((name = g_dir_read_name(d)) != NULL && !g_str_has_suffix(name, ".bkrec"))
        ;
    g_assert_nonnull(name);
    g_autofree char *victim = g_strdup(name);
    g_dir_close(d);
    r = run_limited(size_of(log) + 10, "outbox", "discard", s.outbox, victim, "--reason", "damaged",
                    "--audit", log, "--audit-key", s.kiosk_key, "--audit-hash-key", s.audit_key,
                    NULL);
    if (r.status != 3 || strstr(r.err, "was not discarded") == NULL)
        g_error("discard, log full: wanted exit 3, got %d: %s%s", r.status, r.out, r.err);
    bk_result_clear(&r);
    g_assert_cmpuint(outbox_count(s.outbox), ==, waiting);

    /* audit append (exit 3 since session 6; the test was missing) */
#define APPEND                                                                                     \
    "audit", "append", log, "--kiosk-key", s.kiosk_key, "--hash-key", s.audit_key, "--event",      \
        "session.start", NULL
    before = size_of(log);
    r = biokiosk_run(APPEND);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
    entry = entries_added(log, before);
    expect_unclosed(run_limited(size_of(log) + entry + 40, APPEND),
                    "appended, but the closing checkpoint", log, &s);
    r = biokiosk_run(APPEND);
    g_assert_cmpint(r.status, ==, 0);
    bk_result_clear(&r);
#undef APPEND
    sodium_memzero(sk, sizeof sk);
    setup_clear(&s);
}

/* The reviewer's rewrite through the command line: checkpoints removed, an entry changed, the
 * chain recomputed. And a log cut short, found through the head a record carries. */
static void test_audit_rewrite_and_cut(void)
{
    setup s;
    setup_with_keys(&s);
    g_autofree char *log = path_in(s.dir, "audit.log");
    append_events(&s, log, 20);

    /* a record written now carries the log's head (2.126) */
    g_autofree char *f2 = g_strconcat("2=", s.finger2, NULL);
    g_autofree char *f7 = g_strconcat("7=", s.finger7, NULL);
    run r = biokiosk_run("record", "build", "--person", s.person, "--face", s.face, "--finger", f2,
                         "--finger", f7, "--signature", s.points, "--outbox", s.outbox,
                         "--kiosk-key", s.kiosk_key, "--backoffice-key", s.office_pub, "--audit",
                         log, "--audit-hash-key", s.audit_key, NULL);
    if (r.status != 0)
        g_error("build: %s", r.err);
    JsonParser *p;
    JsonObject *o = parse_object(r.out, &p);
    g_autofree char *record = g_strdup(json_object_get_string_member(o, "path"));
    g_object_unref(p);
    bk_result_clear(&r);
    r = biokiosk_run("record", "open", record, "--secret", s.office_key, "--kiosk-key", s.kiosk_pub,
                     NULL);
    g_assert_cmpint(r.status, ==, 0);
    o = parse_object(r.out, &p);
    JsonObject *head =
        json_array_get_object_element(json_object_get_array_member(o, "audit_head"), 0);
    g_assert_cmpstr(json_object_get_string_member(head, "entry"), ==, "20");
    g_autofree char *head_arg =
        g_strdup_printf("%s:%s", json_object_get_string_member(head, "entry"),
                        json_object_get_string_member(head, "hash"));
    g_object_unref(p);
    bk_result_clear(&r);
    append_events(&s, log, 3);
    r = biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, "--head", head_arg, NULL);
    if (r.status != 0)
        g_error("verify: %s", r.out);
    bk_result_clear(&r);
    expect_refused(
        biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, "--head", "20", NULL),
        "ENTRY:HASH");

    /* cut back to entry 16 and its checkpoint: consistent in itself, not with the record */
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    char *cut = strstr(text, "\nS\t16\t");
    g_assert_nonnull(cut);
    cut = strchr(cut + 1, '\n');
    g_autofree char *saved = g_strdup(text);
    cut[1] = '\0';
    g_file_set_contents(log, text, -1, NULL);
    g_free(text);
    r = biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 0); /* what the file alone cannot show */
    bk_result_clear(&r);
    r = biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, "--head", head_arg, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_nonnull(strstr(r.out, "\"kind\":\"removed\",\"entry\":20"));
    bk_result_clear(&r);

    /* every checkpoint removed, entry 5 changed, the chain recomputed */
    char **lines = g_strsplit(saved, "\n", -1);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    GString *out = g_string_new(NULL);
    for (size_t i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] != 'E')
            continue;
        char **f = g_strsplit(lines[i], "\t", -1);
        if (strcmp(f[1], "5") == 0) {
            g_free(f[5]);
            f[5] = g_strdup("q=99");
        }
        g_free(f[6]);
        f[6] = g_strdup(prev);
        g_free(f[7]);
        f[7] = NULL;
        g_free(f[8]); /* the TAG, which cannot be recomputed without the kiosk's key */
        f[8] = NULL;
        char *body = g_strjoinv("\t", f);
        uint8_t h[32];
        crypto_generichash_state st;
        crypto_generichash_init(&st, NULL, 0, 32);
        crypto_generichash_update(&st, (const uint8_t *)"biokiosk-audit-v1\n", 18);
        crypto_generichash_update(&st, (const uint8_t *)body, strlen(body));
        crypto_generichash_final(&st, h, 32);
        sodium_bin2hex(prev, sizeof(prev), h, 32);
        g_string_append_printf(out, "%s\t%s\n", body, prev);
        g_free(body);
        g_strfreev(f);
    }
    g_strfreev(lines);
    g_file_set_contents(log, out->str, (gssize)out->len, NULL);
    g_string_free(out, TRUE);
    r = biokiosk_run("audit", "verify", log, "--kiosk-key", s.kiosk_pub, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_nonnull(strstr(r.out, "\"ok\":false"));
    g_assert_nonnull(strstr(r.out, "\"kind\":\"unsigned\""));
    bk_result_clear(&r);
    setup_clear(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli-record/keys-build-open", test_keys_build_open);
    g_test_add_func("/cli-record/refused-inputs", test_refused_inputs);
    g_test_add_func("/cli-record/audit", test_audit_cli);
    g_test_add_func("/cli-record/audit-rewrite-and-cut", test_audit_rewrite_and_cut);
    g_test_add_func("/cli-record/audit-unclosed", test_audit_unclosed);
    return g_test_run();
}
