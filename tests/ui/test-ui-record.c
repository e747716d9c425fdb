/* The record at the end of a scripted session: the real `biokiosk` program (offscreen), its own
 * SQLite store, keys, outbox and audit log, and the real photo screen on the emulated PTP/IP
 * camera (emulators/ptpip-camera showing a portrait of ../shared/data/faces, as in
 * test-ui-photo.c; the camera's control pipe is the kiosk's `camera.emulator_control`).
 *
 * - a visit of two adults ends with one committed record per person in the outbox, each
 *   verifying (outbox_verify_file) and opening with the back-office key to the expected values
 *   (a name "Surname, Given names" split in 2.102/2.103, another whole in 2.102 and unchanged in
 *   2.112), the face a 1244x1600 JPEG from the camera; the appointment is completed; the audit
 *   log verifies and lists the events, without names;
 * - disk full (RLIMIT_FSIZE on the kiosk process): the kiosk shows record-failed, refuses staff's
 *   abort (the records would be lost), keeps the session through staff retries and idle time,
 *   leaves nothing half-written and does not complete the appointment; once the limit is lifted
 *   (prlimit) its periodic retry commits;
 * - an outbox that is not a directory: the same, until the test makes the directory;
 * - discard: with the outbox unwritable, abort is refused, and only "Discard the records" with
 *   its second confirmation ends the visit: audited, appointment booked again, nothing left;
 * - stop: a SIGTERM while records wait gets one last try: lost and `record.abandoned` while the
 *   outbox stays unwritable, written (appointment completed) once it was repaired;
 * - memory: a first kiosk run writes a record whose face (the kiosk's own crop of the camera's
 *   picture) gives the pattern; in a second run the same face is found in the kiosk's memory
 *   while a visit holds it (the search works) and absent after a completed visit, an idle wipe
 *   and an abort, and the number of live biometric buffers is back where it started; nor is any
 *   of it in freed memory.
 *
 * Environment: BIOKIOSK_BIN, KIOSK_LOCALE_DIR, PTPIP_CAMERA_BIN, BIOKIOSK_FACES,
 * BIOKIOSK_CASCADES (as test-ui-photo).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "record/an2k.h"
#include "core/apptcode.h"
#include "record/audit.h"
#include "core/biomem.h"
#include "record/outbox.h"
#include "imaging/picio.h"
#include "record/record.h"
#include "record/seal.h"
#include "store/staff.h"
#include "store/store.h"
#include "uitest.h"
#include "uicamera.h"
#include "recordconf.h"

#define NOW      "2026-11-23T09:20:00+01:00"
#define DESK     "DEN-HAAG"
#define PORTRAIT "frontal/frl_london_001_03.jpg"

enum { A_TWO, A_FULL, A_NODIR, A_DISCARD, A_MEMREF, A_MEMDONE, A_MEM, A_STOP, A_COUNT };

static const char *const V[A_COUNT][2] = {
    {"3011223344", "3011223345"}, {"3022334455", NULL}, {"3033445566", NULL}, {"3055667788", NULL},
    {"3066778899", NULL},         {"3077889900", NULL}, {"3044556677", NULL}, {"3088990011", NULL},
};
/* the name as booked; SURNAME/GIVEN what the record must hold, UNSPLIT its 2.112 */
static const char *const NAME[A_COUNT][2] = {
    {"Jansen, Anna", "Piet Jansen"},
    {"Bakker, Lotte", NULL},
    {"Daan Visser", NULL},
    {"Smit, Mila", NULL},
    {"Ruben Kok", NULL},
    {"Mulder, Noor", NULL},
    {"Sanne de Boer", NULL},
    {"Vos, Emma", NULL},
};
static const char *const SURNAME[A_COUNT][2] = {
    {"Jansen", "Piet Jansen"}, {"Bakker", NULL}, {"Daan Visser", NULL},   {"Smit", NULL},
    {"Ruben Kok", NULL},       {"Mulder", NULL}, {"Sanne de Boer", NULL}, {"Vos", NULL},
};
static const char *const GIVEN[A_COUNT][2] = {
    {"Anna", NULL}, {"Lotte", NULL}, {NULL, NULL}, {"Mila", NULL},
    {NULL, NULL},   {"Noor", NULL},  {NULL, NULL}, {"Emma", NULL},
};

typedef struct fixture {
    char *dir, *conf, *uri, *outbox, *log, *keys, *fifo;
    char codes[A_COUNT][APPTCODE_FORMATTED_LEN + 1];
    uicamera cam;
} fixture;

static void fixture_set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(seal_init(), ==, BK_OK);
    fx->dir = g_dir_make_tmp("biokiosk-ui-record-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
    fx->fifo = g_build_filename(fx->dir, "camera-control", NULL);
    fx->cam.fifo_fd = -1;
    for (int i = 0; i < A_COUNT; i++) {
        unsigned char bytes[APPTCODE_RANDOM_BYTES] = {(unsigned char)(31 * i + 7), 0x11, 0x5b,
                                                      (unsigned char)(90 + i), 0x24};
        char canon[APPTCODE_LEN + 1];
        apptcode_from_bytes(bytes, canon);
        apptcode_format(canon, fx->codes[i]);
    }
    GString *json = g_string_new("{\"appointments\": [");
    for (int i = 0; i < A_COUNT; i++) {
        g_string_append_printf(json,
                               "%s{\"code\": \"%s\", \"desk\": \"" DESK "\", "
                               "\"start\": \"2026-11-23T09:30:00+01:00\", \"minutes\": 20, "
                               "\"status\": \"booked\", \"urgent\": false, \"persons\": [",
                               i ? ",\n" : "", fx->codes[i]);
        for (int p = 0; p < 2 && V[i][p]; p++)
            g_string_append_printf(json,
                                   "%s{\"v_number\": \"%s\", \"name\": \"%s\", \"birth_date\": "
                                   "\"198%d-0%d-1%d\", \"category\": \"third-country\", "
                                   "\"applied\": \"2026-11-02\", \"born_in_nl\": false, "
                                   "\"previous\": {}}",
                                   p ? ", " : "", V[i][p], NAME[i][p], i + p, p + 3, i);
        g_string_append(json, "]}");
    }
    g_string_append(json, "]}");
    g_autofree char *db = g_build_filename(fx->dir, "appointments.db", NULL);
    fx->uri = g_strconcat("sqlite:", db, NULL);
    fill_store(fx->uri, json->str, FALSE);
    g_string_free(json, TRUE);

    g_autofree char *record = recordconf_lines(fx->dir);
    fx->keys = g_build_filename(fx->dir, "keys", NULL);
    fx->outbox = g_build_filename(fx->dir, "outbox", NULL);
    fx->log = g_build_filename(fx->dir, "audit.log", NULL);

    g_autofree char *portrait = uicamera_portrait(fx->dir, PORTRAIT);
    uicamera_start(&fx->cam, portrait, fx->fifo);
    fx->conf = g_build_filename(fx->dir, "kiosk.conf", NULL);
    g_autofree char *kiosk = kiosk_lines(DESK, fx->uri);
    g_autofree char *camera = uicamera_conf_lines(&fx->cam, fx->fifo);
    g_autofree char *conf = g_strconcat(kiosk, record, camera, NULL);
    write_file(fx->conf, conf);
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    uicamera_stop(&fx->cam);
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->conf);
    g_free(fx->uri);
    g_free(fx->outbox);
    g_free(fx->log);
    g_free(fx->keys);
    g_free(fx->fifo);
}

static char *script_path(fixture *fx, const char *script)
{
    char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, script);
    return path;
}

/* The kiosk's environment: a home of the test's own (libgphoto2 keeps its PTP/IP GUID there)
 * and, under ASan, no leak check of the kiosk process: libgphoto2 unloads its drivers before
 * exit, so what they keep cannot be named nor suppressed (as in test-ui-photo.c). The
 * biometric buffers are checked by the scripts (`memory`, test-scan-memory). */
static char **kiosk_env(const fixture *fx)
{
    char **envp = g_get_environ();
    envp = g_environ_setenv(envp, "HOME", fx->dir, TRUE);
    const char *asan = g_getenv("ASAN_OPTIONS");
    if (asan) {
        g_autofree char *a = g_strconcat(asan, asan[0] ? ":" : "", "detect_leaks=0", NULL);
        envp = g_environ_setenv(envp, "ASAN_OPTIONS", a, TRUE);
    }
    return envp;
}

/* Runs a script to its end; stdout and stderr in *out and *err (transfer full). */
static int run_script(fixture *fx, const char *script, char **out, char **err)
{
    g_autofree char *path = script_path(fx, script);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", fx->conf, "--now", NOW, "--script", path, NULL};
    char **envp = kiosk_env(fx);
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, NULL));
    g_strfreev(envp);
    if (!g_spawn_check_wait_status(status, NULL))
        g_test_message("stderr: %s", *err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* As run_script, and the kiosk must exit 0 (its output printed when it does not). */
static void assert_script(fixture *fx, const char *script, char **out, char **err)
{
    int rc = run_script(fx, script, out, err);
    if (rc != 0)
        g_printerr("%s\n%s", *out, *err);
    g_assert_cmpint(rc, ==, 0);
}

/* The photo step on the real screen: live view, the button, the countdown on the kiosk's
 * clock, the camera's capture, its checks, "Use this photo". The camera-waits are deadlines, not
 * timings (real time, the kiosk's clock stands): the face models load on the service's thread
 * when the kiosk starts, and the models and each analysis took minutes under ASan on a loaded
 * machine; no analysis comes before the models. */
static void photo_lines(GString *s)
{
    g_string_append(s, "expect-screen capture-photo\n"
                       "camera-wait models 300\n"
                       "camera-wait ready 120\n"
                       "camera-wait frame 120\n"
                       "camera-wait analysis 300\n"
                       "camera-mark\n"
                       "tap \"Take the photo\"\n"
                       "wait 3000\n"
                       "camera-wait result 300\n"
                       "expect-text \"This photo meets the rules.\"\n"
                       "tap \"Use this photo\"\n"
                       "expect-no-text \"Take the photo\"\n");
}

/* From the welcome screen to the first step of appointment a's first person (staff signed in
 * for the documents). */
static void start_lines(GString *s, const fixture *fx, int a)
{
    g_string_append_printf(s,
                           "tap \"Start\"\n"
                           "type %s\n"
                           "key Return\n"
                           "tap \"Continue\"\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n"
                           "tap \"%s\"\n"
                           "tap \"Continue\"\n"
                           "tap \"Start\"\n",
                           fx->codes[a], NAME[a][0]);
}

/* The script lines of a visit of appointment i from the welcome screen: check-in, staff confirms
 * the documents, then for each person the photo on the camera (with `scan`, the face is looked
 * for in memory right after it was taken and must be found), the fingerprints marked an
 * exception and the signature skipped by staff. Ends on the review screen. */
static void visit_lines_signing(GString *s, const fixture *fx, int i, const char *scan, bool sign);

static void visit_lines(GString *s, const fixture *fx, int i, const char *scan)
{
    visit_lines_signing(s, fx, i, scan, false);
}

/* The same; with `sign`, each person signs on the touch screen (a wave of 40 points, the same
 * in every run) instead of staff skipping the step. */
static void visit_lines_signing(GString *s, const fixture *fx, int i, const char *scan, bool sign)
{
    g_string_append_printf(s,
                           "memory\n"
                           "tap \"Start\"\n"
                           "type %s\n"
                           "key Return\n"
                           "expect-screen appointment\n"
                           "tap \"Continue\"\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n",
                           fx->codes[i]);
    for (int p = 0; p < 2 && V[i][p]; p++)
        g_string_append_printf(s, "tap \"%s\"\n", NAME[i][p]);
    g_string_append(s, "tap \"Continue\"\n");
    for (int p = 0; p < 2 && V[i][p]; p++) {
        g_string_append(s, "expect-screen person\n"
                           "tap \"Start\"\n");
        photo_lines(s);
        if (scan && p == 0)
            g_string_append_printf(s, "test-scan-memory %s found\n", scan);
        g_string_append(s, "expect-text \"Fingerprints\"\n"
                           "tap \"Staff menu\"\n"
                           "tap \"Mark an exception\"\n"
                           "tap \"Temporarily impossible (injury)\"\n");
        if (sign) {
            g_string_append(s, "expect-screen capture-signature\n"
                               "stroke");
            for (int k = 0; k < 40; k++)
                g_string_append_printf(s, " %d,%d", 60 + 11 * k, 90 + (k * 37) % 60);
            g_string_append(s, "\ntap \"Accept\"\n");
            continue;
        }
        g_string_append(s, STAFF_SKIPS_STEP);
    }
    g_string_append(s, "expect-screen review\n");
}

/* The `memory` line after a visit's end. The photo service's analysis thread may still be on the
 * last live frame of the step (a frame and the working copies of the face search: under ASan an
 * analysis takes seconds); it publishes nothing after the step and frees them when it is done.
 * `camera-wait idle` waits for that defined moment (no frame or photo held by the service's
 * threads), as test-ui-photo.c does, so that the count is the visit's and not a race. */
#define MEMORY_AFTER_VISIT                                                                         \
    "camera-wait idle 120\n"                                                                       \
    "memory\n"

/* biomem_live of each `memory` line of the output, in order. */
static size_t memory_lines(const char *out, long *live, size_t max)
{
    size_t n = 0;
    for (const char *p = out; p && (p = strstr(p, "biomem_live=")) != NULL && n < max; p++)
        live[n++] = strtol(p + strlen("biomem_live="), NULL, 10);
    return n;
}

/* The output has three `memory` lines: the biometric buffers held in the middle one (a visit,
 * or a session kept while it waits) and back at the first one's count at the end. */
static void assert_memory_back(const char *out)
{
    long live[8];
    g_assert_cmpuint(memory_lines(out, live, 8), ==, 3);
    g_assert_cmpint(live[1], >, live[0]);
    g_assert_cmpint(live[2], ==, live[0]);
}

static store_status status_of(fixture *fx, const char *v_number)
{
    store *st = NULL;
    g_assert_cmpint(store_open(fx->uri, &st, NULL), ==, BK_OK);
    store_appointment_list *list = NULL;
    g_assert_cmpint(store_find_by_v_number(st, v_number, &list), ==, BK_OK);
    g_assert_cmpuint(list->n, ==, 1);
    store_status status = list->items[0]->status;
    store_appointment_list_free(list);
    store_free(st);
    return status;
}

static void read_key(fixture *fx, const char *name, seal_key_kind kind, uint8_t *key, size_t len)
{
    g_autofree char *path = g_build_filename(fx->keys, name, NULL);
    char why[200];
    g_assert_cmpint(seal_key_read(path, kind, key, len, why, sizeof why), ==, BK_OK);
}

static char *field_str(const an2k *t, unsigned type, unsigned tag)
{
    for (size_t i = 0; i < t->n_records; i++)
        if (t->records[i].type == type) {
            const an2k_field *f = an2k_get(&t->records[i], tag);
            return f ? g_strndup((const char *)f->value, f->len) : NULL;
        }
    return NULL;
}

/* Opens every record in the outbox (each must verify) and returns them (transfer full,
 * an2k_free each, g_free the array); *n their number. Nothing else may be in the outbox. */
static an2k **open_outbox(fixture *fx, size_t *n)
{
    uint8_t kiosk_pk[32];
    read_key(fx, "kiosk.pub", SEAL_KEY_KIOSK_PUBLIC, kiosk_pk, sizeof kiosk_pk);
    outbox_entry *e = NULL;
    size_t count = 0;
    g_assert_cmpint(outbox_list(fx->outbox, &e, &count), ==, BK_OK);
    an2k **all = g_new0(an2k *, count + 1);
    for (size_t i = 0; i < count; i++) {
        g_autofree char *path = g_build_filename(fx->outbox, e[i].name, NULL);
        char why[300] = "";
        g_assert_cmpint(outbox_verify_file(path, kiosk_pk, why, sizeof why), ==, BK_OK);
        all[i] = recordconf_open_file(fx->dir, path);
    }
    outbox_entries_free(e, count);
    /* nothing half-written */
    GDir *d = g_dir_open(fx->outbox, 0, NULL);
    const char *nm;
    while (d && (nm = g_dir_read_name(d)) != NULL)
        g_assert_true(g_str_has_suffix(nm, OUTBOX_SUFFIX) && nm[0] != '.');
    if (d)
        g_dir_close(d);
    *n = count;
    return all;
}

static void free_records(an2k **all, size_t n)
{
    for (size_t i = 0; i < n; i++)
        an2k_free(all[i]);
    g_free(all);
}

/* The face (Type-10 image data) of a record; NULL when none (transfer none). */
static const an2k_field *face_of(const an2k *t)
{
    for (size_t r = 0; r < t->n_records; r++)
        if (t->records[r].type == 10)
            return an2k_get(&t->records[r], AN2K_FIELD_DATA);
    return NULL;
}

/* The vectored signature's pen data (Type-8 SRT 2, after its 12-byte header), or NULL. */
static const uint8_t *pen_of(const an2k *t, size_t *len)
{
    for (size_t r = 0; r < t->n_records; r++) {
        const an2k_record *rec = &t->records[r];
        if (rec->type == 8 && rec->bin_len > 12 && rec->bin[6] == 2) {
            *len = rec->bin_len - 12;
            return rec->bin + 12;
        }
    }
    return NULL;
}

/* The records of appointment a are in the outbox (and nothing else): identity, the name split
 * or not, plan exceptions, the photo attempt and the camera's face. Returns how many. */
static size_t check_outbox(fixture *fx, int a)
{
    size_t n = 0, want = V[a][1] ? 2 : 1;
    an2k **all = open_outbox(fx, &n);
    g_assert_cmpuint(n, ==, want);
    bool seen[2] = {false, false};
    for (size_t i = 0; i < n; i++) {
        an2k *t = all[i];
        g_autofree char *v = field_str(t, 2, 101);
        g_autofree char *surname = field_str(t, 2, 102);
        g_autofree char *given = field_str(t, 2, 103);
        g_autofree char *booked = field_str(t, 2, 112);
        g_autofree char *birth = field_str(t, 2, 104);
        g_autofree char *cat = field_str(t, 2, 105);
        g_autofree char *code = field_str(t, 2, 106);
        g_autofree char *exc = field_str(t, 2, 121);
        g_autofree char *att = field_str(t, 2, 122);
        g_autofree char *staff = field_str(t, 2, 109);
        g_autofree char *dev = field_str(t, 2, 123);
        g_assert_nonnull(v);
        size_t k = strcmp(v, V[a][0]) == 0 ? 0 : 1;
        g_assert_cmpstr(v, ==, V[a][k]);
        seen[k] = true;
        g_assert_cmpstr(surname, ==, SURNAME[a][k]);
        g_assert_cmpstr(given, ==, GIVEN[a][k]);
        /* a name that is not "Surname, Given names" is also kept as booked */
        g_assert_cmpstr(booked, ==, GIVEN[a][k] ? NULL : NAME[a][k]);
        g_autofree char *want_birth = g_strdup_printf("198%d0%d1%d", a + (int)k, (int)k + 3, a);
        g_assert_cmpstr(birth, ==, want_birth);
        g_assert_cmpstr(cat, ==, "third-country");
        char canon[APPTCODE_LEN + 1];
        apptcode_parse(fx->codes[a], canon);
        g_assert_cmpstr(code, ==, canon);
        g_assert_cmpstr(staff, ==, "jdevries");
        g_assert_nonnull(exc);
        g_assert_nonnull(strstr(exc, "fingerprints"));
        g_assert_nonnull(strstr(exc, "Temporarily impossible (injury)"));
        g_assert_nonnull(strstr(exc, "signature"));
        /* the photo screen's attempt: every check passed, accepted, no veto */
        g_assert_nonnull(att);
        g_assert_true(g_str_has_prefix(att, "photo\x1f"
                                            "0\x1f"
                                            "100\x1f"
                                            "100\x1f"
                                            "A\x1f"
                                            "N"));
        g_assert_nonnull(dev);
        g_assert_nonnull(strstr(dev, "camera\x1fPTP/IP Camera"));
        const an2k_field *face = face_of(t);
        g_assert_nonnull(face);
        unsigned w = 0, h = 0;
        g_assert_cmpint(record_jpeg_size(face->value, face->len, &w, &h), ==, BK_OK);
        g_assert_cmpuint(w, ==, RECORD_FACE_WIDTH);
        g_assert_cmpuint(h, ==, RECORD_FACE_HEIGHT);
        /* 2.126: the audit log's head when the record was written, which the log still holds */
        g_autofree char *head = field_str(t, 2, 126);
        g_assert_nonnull(head);
        char *us = strchr(head, '\x1f');
        g_assert_nonnull(us);
        *us = '\0';
        audit_verify_options o = {.head_seq = strtoul(head, NULL, 10), .head_hash = us + 1};
        g_assert_cmpuint(o.head_seq, >, 0);
        uint8_t kiosk_pk[32];
        read_key(fx, "kiosk.pub", SEAL_KEY_KIOSK_PUBLIC, kiosk_pk, sizeof kiosk_pk);
        audit_report rep = {0};
        g_assert_cmpint(audit_verify_with(fx->log, kiosk_pk, &o, &rep), ==, BK_OK);
        audit_report_clear(&rep);
    }
    for (size_t k = 0; k < want; k++)
        g_assert_true(seen[k]);
    free_records(all, n);
    return n;
}

static char *audit_text(fixture *fx)
{
    uint8_t kiosk_pk[32];
    read_key(fx, "kiosk.pub", SEAL_KEY_KIOSK_PUBLIC, kiosk_pk, sizeof kiosk_pk);
    audit_report rep = {0};
    bk_err err = audit_verify(fx->log, kiosk_pk, &rep);
    for (size_t i = 0; i < rep.n_problems; i++)
        g_test_message("audit: %s", rep.problems[i].text);
    g_assert_cmpint(err, ==, BK_OK);
    g_assert_cmpuint(rep.unsigned_tail, ==, 0);
    audit_report_clear(&rep);
    char *text = NULL;
    g_assert_true(g_file_get_contents(fx->log, &text, NULL, NULL));
    return text;
}

static void test_two_records(fixture *fx, gconstpointer data)
{
    (void)data;
    GString *s = g_string_new("");
    visit_lines(s, fx, A_TWO, NULL);
    g_string_append(s, "memory\n"
                       "tap \"Finish\"\n"
                       "expect-screen done\n" MEMORY_AFTER_VISIT "tap \"Close\"\n"
                       "expect-screen welcome\n");
    g_autofree char *out = NULL, *err = NULL;
    assert_script(fx, s->str, &out, &err);
    g_string_free(s, TRUE);
    assert_memory_back(out); /* the two faces were held, and nothing is left after the end */

    g_assert_cmpuint(check_outbox(fx, A_TWO), ==, 2);
    g_assert_cmpint(status_of(fx, V[A_TWO][0]), ==, STORE_STATUS_COMPLETED);

    g_autofree char *log = audit_text(fx);
    const char *events[] = {
        "\tkiosk.start\t",    "\tsession.start\t", "\tcheckin\t",      "\tcheckin.person\t",
        "\tstaff.sign-in\t",  "\tstaff.action\t",  "action=exception", "action=skip-step",
        "\tattempt\t",        "item=photo",        "quality=100",      "\texception\t",
        "\trecord.written\t", "\tsession.end\t",   "result=completed", "\tkiosk.stop\t"};
    for (size_t i = 0; i < G_N_ELEMENTS(events); i++) {
        if (strstr(log, events[i]) == NULL)
            g_test_message("missing in the audit log: %s", events[i]);
        g_assert_nonnull(strstr(log, events[i]));
    }
    /* the record.written entry of a person carries that person's keyed hash, never the number */
    uint8_t hash_key[32];
    read_key(fx, "audit-hash.key", SEAL_KEY_AUDIT_HASH, hash_key, sizeof hash_key);
    char subject[33];
    audit_subject(hash_key, V[A_TWO][1], subject);
    g_autofree char *want = g_strdup_printf("\trecord.written\t%s\t", subject);
    g_assert_nonnull(strstr(log, want));
    char canon[APPTCODE_LEN + 1];
    apptcode_parse(fx->codes[A_TWO], canon);
    const char *never[] = {V[A_TWO][0], V[A_TWO][1], "Jansen", "Anna", canon, "1980-"};
    for (size_t i = 0; i < G_N_ELEMENTS(never); i++)
        g_assert_null(strstr(log, never[i]));
}

/* The disk-full, unwritable and discard cases share this: the kiosk runs in the background,
 * stops in test-wait-file (it says so on stdout), the test checks that nothing was written or
 * completed, repairs the outbox (or not), and lets it go on. */
static volatile rlim_t child_fsize = RLIM_INFINITY;

static void child_setup(gpointer data)
{
    (void)data;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead */
    if (child_fsize != RLIM_INFINITY) {
        /* the soft limit only, so that the test may lift it again without privileges */
        struct rlimit rl;
        getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = child_fsize;
        setrlimit(RLIMIT_FSIZE, &rl);
    }
}

/* Runs `script` (which must contain one test-wait-file GO) in the background; at the wait,
 * checks the outbox is empty and the appointment of a still checked in, calls repair, creates
 * GO and waits for the end. Returns the kiosk's stdout (transfer full); it must exit 0. */
static char *run_waiting(fixture *fx, int a, const char *script, const char *go,
                         void (*repair)(fixture *fx, GPid pid))
{
    g_autofree char *path = script_path(fx, script);
    g_autofree char *shots = uitest_shots_dir(fx->dir);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", fx->conf, "--now", NOW, "--script", path,
        "--screenshots",          shots,      NULL};
    char **envp = kiosk_env(fx);
    GPid pid;
    int out_fd = -1;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                           child_setup, NULL, &pid, NULL, &out_fd, NULL, NULL));
    g_strfreev(envp);
    /* until the script waits: its stdout says "waiting: PATH" */
    GString *out = g_string_new("");
    char buf[4096];
    ssize_t n;
    while (strstr(out->str, "waiting:") == NULL && (n = read(out_fd, buf, sizeof buf)) > 0)
        g_string_append_len(out, buf, n);
    if (strstr(out->str, "waiting:") == NULL)
        g_printerr("OUT %s\n", out->str);
    g_assert_nonnull(strstr(out->str, "waiting:"));
    /* meanwhile: nothing in the outbox (not even a temporary file), not completed */
    GDir *d = g_dir_open(fx->outbox, 0, NULL);
    if (d) {
        g_assert_null(g_dir_read_name(d));
        g_dir_close(d);
    }
    g_assert_cmpint(status_of(fx, V[a][0]), ==, STORE_STATUS_CHECKED_IN);
    if (repair)
        repair(fx, pid);
    write_file(go, "");
    while ((n = read(out_fd, buf, sizeof buf)) > 0)
        g_string_append_len(out, buf, n);
    close(out_fd);
    int status = 0;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_spawn_close_pid(pid);
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) {
        g_autofree char *t = NULL;
        g_file_get_contents(fx->log, &t, NULL, NULL);
        g_printerr("AUDIT %s\nOUT %s\n", t, out->str);
    }
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    return g_string_free(out, FALSE);
}

/* The lines after "Finish" failed: staff cannot abort (the records would be lost) and sees
 * why; "Try again" fails too; idle time does not wipe. */
static void refused_lines(GString *s)
{
    g_string_append(s, "tap \"Finish\"\n"
                       "expect-screen record-failed\n"
                       "expect-text \"could not be saved\"\n"
                       "expect-text \"1 record(s)\"\n"
                       "tap \"Staff menu\"\n"
                       "tap \"Abort the session\"\n"
                       "expect-screen record-failed\n"
                       "expect-text \"cannot be aborted while its records wait\"\n"
                       "tap \"Try again\"\n"
                       "expect-screen record-failed\n"
                       /* no idle wipe: the session waits for its record */
                       "idle 300\n"
                       "expect-screen record-failed\n");
}

static void run_failing(fixture *fx, int a, void (*repair)(fixture *fx, GPid pid))
{
    g_autofree char *go = g_build_filename(fx->dir, "go", NULL);
    GString *s = g_string_new("");
    visit_lines(s, fx, a, NULL);
    refused_lines(s);
    g_string_append_printf(s,
                           "memory\n"
                           "test-wait-file %s 60\n"
                           /* the kiosk's own periodic retry */
                           "wait 31000\n"
                           "expect-screen done\n" MEMORY_AFTER_VISIT,
                           go);
    g_autofree char *out = run_waiting(fx, a, s->str, go, repair);
    g_string_free(s, TRUE);
    assert_memory_back(out); /* the session is kept while it waits */

    g_assert_cmpuint(check_outbox(fx, a), ==, 1);
    g_assert_cmpint(status_of(fx, V[a][0]), ==, STORE_STATUS_COMPLETED);
    g_autofree char *log = audit_text(fx);
    g_assert_nonnull(strstr(log, "\trecord.failed\t"));
    g_assert_nonnull(strstr(log, "action=abort-refused reason=records-waiting"));
    g_assert_null(strstr(log, "action=abort "));
    g_assert_null(strstr(log, "\trecord.abandoned\t"));
    g_assert_nonnull(strstr(log, "by=staff"));
    g_assert_nonnull(strstr(log, "by=kiosk"));
    g_assert_nonnull(strstr(log, "\trecord.written\t"));
}

static void lift_limit(fixture *fx, GPid pid)
{
    (void)fx;
    struct rlimit rl;
    g_assert_cmpint(prlimit(pid, RLIMIT_FSIZE, NULL, &rl), ==, 0);
    rl.rlim_cur = rl.rlim_max;
    g_assert_cmpint(prlimit(pid, RLIMIT_FSIZE, &rl, NULL), ==, 0);
}

static void test_disk_full(fixture *fx, gconstpointer data)
{
    (void)data;
    /* the store and the audit log stay below it; the sealed record (the face alone is bigger)
     * does not */
    child_fsize = 160 * 1024;
    run_failing(fx, A_FULL, lift_limit);
    child_fsize = RLIM_INFINITY;
}

static void make_outbox_dir(fixture *fx, GPid pid)
{
    (void)pid;
    g_assert_cmpint(g_unlink(fx->outbox), ==, 0);
    g_assert_cmpint(g_mkdir(fx->outbox, 0700), ==, 0);
}

static void test_outbox_not_writable(fixture *fx, gconstpointer data)
{
    (void)data;
    /* root ignores mode bits, so the outbox is a file where the directory should be */
    write_file(fx->outbox, "not a directory");
    run_failing(fx, A_NODIR, make_outbox_dir);
}

/* The outbox stays unwritable: abort is refused; "Discard the records" asks again, "No" keeps
 * them, and only "Yes, discard them" ends the visit without a record, audited. */
static void test_discard(fixture *fx, gconstpointer data)
{
    (void)data;
    write_file(fx->outbox, "not a directory");
    g_autofree char *go = g_build_filename(fx->dir, "go", NULL);
    GString *s = g_string_new("");
    visit_lines(s, fx, A_DISCARD, NULL);
    refused_lines(s);
    g_string_append_printf(s,
                           "memory\n"
                           "test-wait-file %s 60\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n"
                           "screenshot record-failed-refused\n"
                           "tap \"Discard the records\"\n"
                           "expect-text \"Discard 1 record(s) for good?\"\n"
                           "screenshot record-failed-discard\n"
                           "tap \"No, keep them\"\n"
                           "expect-screen record-failed\n"
                           "expect-no-text \"for good?\"\n"
                           "tap \"Discard the records\"\n"
                           "tap \"Yes, discard them\"\n"
                           "expect-screen welcome\n" MEMORY_AFTER_VISIT,
                           go);
    g_autofree char *out = run_waiting(fx, A_DISCARD, s->str, go, NULL);
    g_string_free(s, TRUE);
    assert_memory_back(out);
    /* nothing written, the appointment booked again (the applicant must come back) */
    g_assert_true(g_file_test(fx->outbox, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint(status_of(fx, V[A_DISCARD][0]), ==, STORE_STATUS_BOOKED);
    g_autofree char *log = audit_text(fx);
    g_assert_nonnull(strstr(log, "action=abort-refused reason=records-waiting"));
    g_assert_nonnull(strstr(log, "action=discard-records"));
    uint8_t hash_key[32];
    read_key(fx, "audit-hash.key", SEAL_KEY_AUDIT_HASH, hash_key, sizeof hash_key);
    char subject[33];
    audit_subject(hash_key, V[A_DISCARD][0], subject);
    g_autofree char *want =
        g_strdup_printf("\trecord.discarded\t%s\tperson=1 staff=jdevries\t", subject);
    g_assert_nonnull(strstr(log, want));
    g_assert_nonnull(strstr(log, "record=none"));
    g_assert_null(strstr(log, "\trecord.abandoned\t"));
    g_assert_null(strstr(log, "\trecord.written\t"));
}

/* SIGTERM while the records wait: the kiosk tries once more before it stops. Without a way to
 * write, the records are lost and `record.abandoned` is audited (the appointment released);
 * with the outbox repaired meanwhile, that last try writes them and completes the appointment.
 * Every step is skipped by staff here (the record is small; the outbox is a file). */
static void sigterm_outbox(fixture *fx, GPid pid)
{
    (void)fx;
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
}

static void sigterm_repaired(fixture *fx, GPid pid)
{
    make_outbox_dir(fx, pid);
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
}

static void test_stop(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *go = g_build_filename(fx->dir, "go", NULL);
    GString *s = g_string_new("");
    start_lines(s, fx, A_STOP);
    g_string_append_printf(
        s,
        "expect-screen capture-photo\n" STAFF_SKIPS_STEP STAFF_SKIPS_STEP STAFF_SKIPS_STEP
        "expect-screen review\n"
        "tap \"Finish\"\n"
        "expect-screen record-failed\n"
        "test-wait-file %s 60\n"
        /* the stop is seen on the next tick; the script ends with the kiosk */
        "wait 2000\n"
        "expect-screen the-kiosk-should-have-stopped\n",
        go);
    g_autofree char *script = g_string_free(s, FALSE);
    write_file(fx->outbox, "not a directory");
    g_free(run_waiting(fx, A_STOP, script, go, sigterm_outbox));
    g_assert_cmpint(status_of(fx, V[A_STOP][0]), ==, STORE_STATUS_BOOKED);
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(fx->log, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "\trecord.retry\t"));
    g_assert_nonnull(strstr(log, "\trecord.abandoned\t"));
    g_assert_null(strstr(log, "\trecord.written\t"));

    g_assert_cmpint(g_unlink(go), ==, 0);
    g_free(run_waiting(fx, A_STOP, script, go, sigterm_repaired));
    size_t n = 0;
    an2k **all = open_outbox(fx, &n);
    g_assert_cmpuint(n, ==, 1);
    g_autofree char *v = field_str(all[0], 2, 101);
    g_assert_cmpstr(v, ==, V[A_STOP][0]);
    g_autofree char *exc = field_str(all[0], 2, 121);
    g_assert_nonnull(strstr(exc, "photo"));
    free_records(all, n);
    g_assert_cmpint(status_of(fx, V[A_STOP][0]), ==, STORE_STATUS_COMPLETED);
    g_free(log);
    log = audit_text(fx);
    g_assert_nonnull(strstr(log, "\trecord.written\t"));
    g_assert_nonnull(strstr(log, "\tkiosk.stop\t"));
}

/* Patterns of a face: 64 bytes from `at`, stored XOR 0xA5 (test-scan-memory). */
static char *face_pattern(fixture *fx, const char *name, const uint8_t *face, size_t at)
{
    uint8_t masked[64];
    for (size_t i = 0; i < sizeof masked; i++)
        masked[i] = face[at + i] ^ 0xA5;
    char *path = g_build_filename(fx->dir, name, NULL);
    g_assert_true(g_file_set_contents(path, (const char *)masked, sizeof masked, NULL));
    return path;
}

/* The scan lines a visit's end is checked with: the two patterns, judged by the test. */
static void after_lines(GString *s, const char *const *patterns)
{
    for (int i = 0; i < 2; i++)
        g_string_append_printf(s, "test-scan-memory %s report\n", patterns[i]);
}

/* The face in the memory of the kiosk: found while a visit holds it, absent after a completed
 * visit, an idle wipe and a staff abort; the biometric buffers back to their count.
 * Two patterns: the JPEG's middle and a part near its start (at 1/8): a copy that is freed
 * without being wiped stays readable in the heap (small chunks in the normal build, any chunk in
 * ASan's quarantine) until reused. */
static void test_memory(fixture *fx, gconstpointer data)
{
    (void)data;
    /* a first run: its record gives the face the camera's picture becomes */
    GString *s = g_string_new("");
    visit_lines_signing(s, fx, A_MEMREF, NULL, true);
    g_string_append(s, "tap \"Finish\"\n"
                       "expect-screen done\n");
    g_autofree char *out0 = NULL, *err0 = NULL;
    assert_script(fx, s->str, &out0, &err0);
    g_string_free(s, TRUE);
    size_t n = 0;
    an2k **all = open_outbox(fx, &n);
    g_assert_cmpuint(n, ==, 1);
    const an2k_field *face = face_of(all[0]);
    g_assert_nonnull(face);
    size_t face_len = face->len;
    g_assert_cmpuint(face_len, >, 64 * 1024);
    uint8_t *face_bytes = g_memdup2(face->value, face->len);
    g_autofree char *mid = face_pattern(fx, "pattern-mid.bin", face_bytes, face_len / 2);
    g_autofree char *early = face_pattern(fx, "pattern-early.bin", face_bytes, face_len / 8);
    const char *const patterns[2] = {mid, early};
    /* the signature's pen points as the record encodes them (x, y, pressure: 5 bytes a point;
     * the touch strokes are the same in every run): what the visit's points, their encoding
     * and the kiosk's copies turn into */
    size_t pen_len = 0;
    const uint8_t *pen = pen_of(all[0], &pen_len);
    g_assert_nonnull(pen);
    g_assert_cmpuint(pen_len, >=, 41 * 5);
    uint8_t *pen_bytes = g_memdup2(pen, pen_len);
    g_autofree char *pen_pat = face_pattern(fx, "pattern-pen.bin", pen_bytes, 0);
    free_records(all, n);

    s = g_string_new("");
    /* a completed visit (the scan at the photo: mid; then early, still holding it), signed */
    visit_lines_signing(s, fx, A_MEMDONE, mid, true);
    g_string_append_printf(s,
                           "test-scan-memory %s found\n"
                           "memory\n"
                           "tap \"Finish\"\n"
                           "expect-screen done\n"
                           "tap \"Close\"\n"
                           "expect-screen welcome\n" MEMORY_AFTER_VISIT,
                           early);
    after_lines(s, patterns);
    g_string_append_printf(s, "test-scan-memory %s report\n", pen_pat);
    /* idle on the fingerprint step after the photo was taken */
    start_lines(s, fx, A_MEM);
    photo_lines(s);
    g_string_append_printf(s,
                           "test-scan-memory %s found\n"
                           "test-scan-memory %s found\n"
                           "memory\n"
                           "idle 100\n"
                           "expect-screen welcome\n" MEMORY_AFTER_VISIT,
                           mid, early);
    after_lines(s, patterns);
    /* again, and staff aborts */
    start_lines(s, fx, A_MEM);
    photo_lines(s);
    g_string_append_printf(s,
                           "test-scan-memory %s found\n"
                           "test-scan-memory %s found\n"
                           "memory\n"
                           "tap \"Staff menu\"\n"
                           "tap \"Abort the session\"\n"
                           "expect-screen welcome\n" MEMORY_AFTER_VISIT,
                           mid, early);
    after_lines(s, patterns);
    g_autofree char *out = NULL, *err = NULL;
    assert_script(fx, s->str, &out, &err);
    g_string_free(s, TRUE);
    long live[12];
    g_assert_cmpuint(memory_lines(out, live, 12), ==, 7);
    g_assert_cmpint(live[1], >, live[0]); /* visit 1 holds the face */
    g_assert_cmpint(live[2], ==, live[0]);
    g_assert_cmpint(live[3], >, live[0]);
    g_assert_cmpint(live[4], ==, live[0]);
    g_assert_cmpint(live[5], >, live[0]);
    g_assert_cmpint(live[6], ==, live[0]);
    /* the scans in order: 2 found, 2 after; per visit */
    int scans[16];
    size_t n_scans = 0;
    for (const char *p = out; (p = strstr(p, "scan: ")) != NULL && n_scans < 16; p++) {
        const char *f = strstr(p, "found=");
        g_assert_nonnull(f);
        scans[n_scans++] = f[6] - '0';
    }
    g_assert_cmpuint(n_scans, ==, 13);
    GString *left = g_string_new("");
    static const char *const ending[3] = {"completed visit", "idle wipe", "abort"};
    static const size_t first[3] = {0, 5, 9}; /* the completed visit has the pen scan too */
    for (size_t v = 0; v < 3; v++) {
        g_assert_cmpint(scans[first[v]], ==, 1); /* the search finds what a visit holds */
        g_assert_cmpint(scans[first[v] + 1], ==, 1);
        for (size_t k = 0; k < 2; k++)
            if (scans[first[v] + 2 + k])
                g_string_append_printf(left, "%s%s: %s", left->len ? "; " : "", ending[v],
                                       k ? "start" : "middle");
    }
    if (scans[4])
        g_string_append_printf(left, "%scompleted visit: pen points", left->len ? "; " : "");
    /* the completed visit's face is the one the patterns came from (the search had its target) */
    all = open_outbox(fx, &n);
    g_assert_cmpuint(n, ==, 2);
    size_t same = 0;
    for (size_t i = 0; i < n; i++) {
        face = face_of(all[i]);
        same += face && face->len == face_len && memcmp(face->value, face_bytes, face_len) == 0;
    }
    g_assert_cmpuint(same, ==, 2);
    /* and its pen points are the ones the pen pattern came from */
    size_t same_pen = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const uint8_t *p = pen_of(all[i], &len);
        same_pen += p && len == pen_len && memcmp(p, pen_bytes, pen_len) == 0;
    }
    g_assert_cmpuint(same_pen, ==, 2);
    free_records(all, n);
    g_free(face_bytes);
    g_free(pen_bytes);
    g_assert_cmpint(status_of(fx, V[A_MEM][0]), ==, STORE_STATUS_BOOKED);
    g_autofree char *log = audit_text(fx);
    g_assert_nonnull(strstr(log, "\tsession.idle-timeout\t"));
    g_assert_nonnull(strstr(log, "action=abort"));
    g_assert_nonnull(strstr(log, "result=wiped"));
    /* the attempts of a visit without a record are still in the log */
    g_assert_nonnull(strstr(log, "item=photo position=0 quality=100 threshold=100 "
                                 "result=accepted veto=N record=none"));
    /* Nothing of the face may stay in freed memory either (the JPEG encoder grows its buffer
     * through biomem, which wipes what it leaves). */
    if (left->len > 0)
        g_test_message("face bytes still in freed memory after: %s", left->str);
    g_assert_cmpuint(left->len, ==, 0);
    g_string_free(left, TRUE);
}

/* No keys, no kiosk: one line naming the setting. */
static void test_no_keys(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *key = g_build_filename(fx->keys, "backoffice.pub", NULL);
    g_assert_cmpint(g_unlink(key), ==, 0);
    g_autofree char *out = NULL, *err = NULL;
    int rc = run_script(fx, "expect-screen welcome\n", &out, &err);
    g_assert_cmpint(rc, ==, 2);
    g_assert_nonnull(strstr(err, "[record] backoffice_key"));
    g_assert_false(g_file_test(fx->log, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (g_getenv("BIOKIOSK_BIN") == NULL || g_getenv("KIOSK_LOCALE_DIR") == NULL ||
        g_getenv("PTPIP_CAMERA_BIN") == NULL) {
        printf("SKIP: BIOKIOSK_BIN, KIOSK_LOCALE_DIR or PTPIP_CAMERA_BIN is not set (run "
               "through meson test)\n");
        return 77;
    }
    const char *missing = uicamera_missing(PORTRAIT);
    if (missing != NULL) {
        printf("SKIP: %s\n", missing);
        return 77;
    }
#define ADD(name, fn) g_test_add(name, fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD("/ui-record/two-persons", test_two_records);
    ADD("/ui-record/disk-full", test_disk_full);
    ADD("/ui-record/outbox-not-writable", test_outbox_not_writable);
    ADD("/ui-record/discard", test_discard);
    ADD("/ui-record/stop", test_stop);
    ADD("/ui-record/memory", test_memory);
    ADD("/ui-record/no-keys", test_no_keys);
    return g_test_run();
}
