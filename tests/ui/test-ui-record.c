/* The record at the end of a scripted session: the real `biokiosk` program (offscreen), its own
 * SQLite store, keys, outbox and audit log.
 *
 * - a visit of two adults ends with one committed record per person in the outbox, each
 *   verifying (outbox_verify_file) and opening with the back-office key to the expected values;
 *   the appointment is completed; the audit log verifies and lists the events, without names;
 * - disk full (RLIMIT_FSIZE on the kiosk process): the kiosk shows record-failed, keeps the
 *   session through staff retries and idle time, leaves nothing half-written and does not
 *   complete the appointment; once the limit is lifted (prlimit) its periodic retry commits;
 * - an outbox that is not a directory: the same, until the test makes the directory;
 * - memory: the face bytes are found in the kiosk's memory while the session holds them
 *   (the search works) and absent after the end, after an idle wipe and after an abort, and the
 *   number of live biometric buffers is back where it started.
 * The captures come through the scripted test hook `test-take-face` (ui/kioskrec_test.c): no
 * photo capture screen was registered when this test was written.
 *
 * Environment: BIOKIOSK_BIN, KIOSK_LOCALE_DIR (as the other ui tests).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "an2k.h"
#include "apptcode.h"
#include "audit.h"
#include "biomem.h"
#include "outbox.h"
#include "seal.h"
#include "staff.h"
#include "store.h"
#include "testimg.h"
#include "uitest.h"

#define NOW  "2026-11-23T09:20:00+01:00"
#define DESK "DEN-HAAG"

enum { A_TWO, A_FULL, A_NODIR, A_MEM, A_COUNT };

static const char *const V[A_COUNT][2] = {
    {"3011223344", "3011223345"},
    {"3022334455", NULL},
    {"3033445566", NULL},
    {"3044556677", NULL},
};
static const char *const NAME[A_COUNT][2] = {
    {"Anna Jansen", "Piet Jansen"},
    {"Lotte Bakker", NULL},
    {"Daan Visser", NULL},
    {"Sanne de Boer", NULL},
};

typedef struct fixture {
    char *dir, *conf, *uri, *outbox, *log, *keys;
    char codes[A_COUNT][APPTCODE_FORMATTED_LEN + 1];
    char *face[2];  /* JPEG files */
    char *pattern;  /* 64 bytes from the middle of face[0], XOR 0xA5 */
    uint8_t *face0; /* face[0]'s bytes (g_free) */
    size_t face0_len;
} fixture;

static void fixture_set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(seal_init(), ==, BK_OK);
    fx->dir = g_dir_make_tmp("biokiosk-ui-record-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
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
    store *st = NULL;
    g_assert_cmpint(store_open(fx->uri, &st, NULL), ==, BK_OK);
    store_import_report *report = NULL;
    g_assert_cmpint(store_import(st, json->str, json->len, &report), ==, BK_OK);
    store_import_report_free(report);
    g_assert_cmpint(staff_add(st, "jdevries", "J. de Vries", STAFF_ROLE_DESK, "123456"), ==, BK_OK);
    store_free(st);
    g_string_free(json, TRUE);

    fx->keys = g_build_filename(fx->dir, "keys", NULL);
    g_assert_cmpint(g_mkdir(fx->keys, 0700), ==, 0);
    char fp[17];
    g_assert_cmpint(seal_kiosk_init(fx->keys, fp), ==, BK_OK);
    g_assert_cmpint(seal_backoffice_init(fx->keys, fp), ==, BK_OK);
    fx->outbox = g_build_filename(fx->dir, "outbox", NULL);
    fx->log = g_build_filename(fx->dir, "audit.log", NULL);
    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        uint8_t *jpeg = testimg_jpeg(1244, 1600, 40 + (unsigned)i, &len);
        g_autofree char *name = g_strdup_printf("face%d.jpg", i);
        fx->face[i] = testimg_save(fx->dir, name, jpeg, len);
        if (i == 0) {
            fx->face0 = jpeg;
            fx->face0_len = len;
        } else {
            g_free(jpeg);
        }
    }
    uint8_t masked[64];
    for (size_t i = 0; i < sizeof masked; i++)
        masked[i] = fx->face0[fx->face0_len / 2 + i] ^ 0xA5;
    fx->pattern = g_build_filename(fx->dir, "pattern.bin", NULL);
    g_assert_true(g_file_set_contents(fx->pattern, (const char *)masked, sizeof masked, NULL));

    fx->conf = g_build_filename(fx->dir, "kiosk.conf", NULL);
    g_autofree char *conf = g_strdup_printf(
        "[kiosk]\ndesk = " DESK "\nid = DEN-HAAG-07\ndefault_language = en\nlocale_dir = %s\n"
        "[store]\nuri = %s\n"
        "[record]\noutbox = %s\nkiosk_key = %s/kiosk.key\nbackoffice_key = %s/backoffice.pub\n"
        "audit_hash_key = %s/audit-hash.key\n"
        "[audit]\nlog = %s\n",
        g_getenv("KIOSK_LOCALE_DIR"), fx->uri, fx->outbox, fx->keys, fx->keys, fx->keys, fx->log);
    write_file(fx->conf, conf);
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->conf);
    g_free(fx->uri);
    g_free(fx->outbox);
    g_free(fx->log);
    g_free(fx->keys);
    g_free(fx->face[0]);
    g_free(fx->face[1]);
    g_free(fx->pattern);
    g_free(fx->face0);
}

static char *script_path(fixture *fx, const char *script)
{
    char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, script);
    return path;
}

/* Runs a script to its end; stdout and stderr in *out and *err (transfer full). */
static int run_script(fixture *fx, const char *script, char **out, char **err)
{
    g_autofree char *path = script_path(fx, script);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", fx->conf, "--now", NOW, "--script", path, NULL};
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL))
        g_test_message("stderr: %s", *err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The script lines of a visit of appointment i up to the review: each person's photo through
 * the test hook, fingerprints marked an exception and the signature skipped by staff. With
 * scan, the face is looked for in memory right after it was taken (and must be found). */
static void visit_lines(GString *s, const fixture *fx, int i, bool scan)
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
        g_string_append_printf(s,
                               "expect-screen person\n"
                               "tap \"Start\"\n"
                               "test-take-face %s %d\n",
                               fx->face[p], p == 0 ? 80 : 40);
        if (scan && p == 0)
            g_string_append_printf(s, "test-scan-memory %s found\n", fx->pattern);
        g_string_append(s, "expect-text \"Fingerprints\"\n"
                           "tap \"Staff menu\"\n"
                           "tap \"Mark an exception\"\n"
                           "tap \"Temporarily impossible (injury)\"\n"
                           "tap \"Staff menu\"\n"
                           "tap \"Skip this step\"\n"
                           "tap \"Not available on this kiosk\"\n");
    }
    g_string_append(s, "expect-screen review\n");
}

/* biomem_live of each `memory` line of the output, in order. */
static size_t memory_lines(const char *out, long *live, size_t max)
{
    size_t n = 0;
    for (const char *p = out; p && (p = strstr(p, "biomem_live=")) != NULL && n < max; p++)
        live[n++] = strtol(p + strlen("biomem_live="), NULL, 10);
    return n;
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

/* Every record in the outbox verifies and opens; returns how many, and checks the V-numbers
 * against `expect` (n of them, any order). */
static size_t check_outbox(fixture *fx, const char *const *expect, size_t n, bool face_of_first)
{
    uint8_t kiosk_pk[32], office_sk[32];
    read_key(fx, "kiosk.pub", SEAL_KEY_KIOSK_PUBLIC, kiosk_pk, sizeof kiosk_pk);
    read_key(fx, "backoffice.key", SEAL_KEY_BACKOFFICE_SECRET, office_sk, sizeof office_sk);
    outbox_entry *e = NULL;
    size_t count = 0;
    g_assert_cmpint(outbox_list(fx->outbox, &e, &count), ==, BK_OK);
    g_assert_cmpuint(count, ==, n);
    bool seen[4] = {false};
    for (size_t i = 0; i < count; i++) {
        g_autofree char *path = g_build_filename(fx->outbox, e[i].name, NULL);
        char why[300] = "";
        g_assert_cmpint(outbox_verify_file(path, kiosk_pk, why, sizeof why), ==, BK_OK);
        uint8_t *file = NULL, *payload = NULL;
        size_t len = 0, plen = 0;
        g_assert_cmpint(outbox_read_file(path, &file, &len), ==, BK_OK);
        g_assert_cmpint(seal_open(file, len, office_sk, kiosk_pk, &payload, &plen, why, sizeof why),
                        ==, BK_OK);
        g_free(file);
        an2k *t = NULL;
        g_assert_cmpint(an2k_read(payload, plen, &t, why, sizeof why), ==, BK_OK);
        biomem_free(payload);
        g_autofree char *v = field_str(t, 2, 101);
        g_autofree char *name = field_str(t, 2, 102);
        g_autofree char *birth = field_str(t, 2, 104);
        g_autofree char *cat = field_str(t, 2, 105);
        g_autofree char *code = field_str(t, 2, 106);
        g_autofree char *exc = field_str(t, 2, 121);
        g_autofree char *att = field_str(t, 2, 122);
        g_autofree char *staff = field_str(t, 2, 109);
        g_assert_nonnull(v);
        size_t k = 0;
        while (k < n && strcmp(expect[k], v) != 0)
            k++;
        g_assert_cmpuint(k, <, n);
        seen[k] = true;
        int a = 0;
        while (a < A_COUNT && !(V[a][0] && strcmp(V[a][0], expect[0]) == 0))
            a++;
        g_assert_cmpint(a, <, A_COUNT);
        g_assert_cmpstr(name, ==, NAME[a][k]);
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
        g_assert_nonnull(att);
        g_assert_nonnull(strstr(att, k == 0 ? "80" : "40"));
        /* the face, byte for byte */
        bool face = false;
        for (size_t r = 0; r < t->n_records; r++) {
            if (t->records[r].type != 10)
                continue;
            const an2k_field *f = an2k_get(&t->records[r], AN2K_FIELD_DATA);
            g_assert_nonnull(f);
            face = true;
            if (face_of_first && k == 0) {
                g_assert_cmpuint(f->len, ==, fx->face0_len);
                g_assert_true(memcmp(f->value, fx->face0, f->len) == 0);
            }
        }
        g_assert_true(face);
        an2k_free(t);
    }
    for (size_t k = 0; k < n; k++)
        g_assert_true(seen[k]);
    outbox_entries_free(e, count);
    /* nothing half-written */
    GDir *d = g_dir_open(fx->outbox, 0, NULL);
    const char *nm;
    while ((nm = g_dir_read_name(d)) != NULL)
        g_assert_true(g_str_has_suffix(nm, OUTBOX_SUFFIX) && nm[0] != '.');
    g_dir_close(d);
    return count;
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
    visit_lines(s, fx, A_TWO, true);
    g_string_append_printf(s,
                           "memory\n"
                           "tap \"Finish\"\n"
                           "expect-screen done\n"
                           "memory\n"
                           "test-scan-memory %s absent\n"
                           "tap \"Close\"\n"
                           "expect-screen welcome\n",
                           fx->pattern);
    g_autofree char *out = NULL, *err = NULL;
    int rc = run_script(fx, s->str, &out, &err);
    g_string_free(s, TRUE);
    if (rc != 0)
        g_printerr("%s", err);
    g_assert_cmpint(rc, ==, 0);
    g_test_message("kiosk output: %s", out);
    long live[8];
    g_assert_cmpuint(memory_lines(out, live, 8), ==, 3);
    g_assert_cmpint(live[1], >, live[0]);  /* the two faces were held ... */
    g_assert_cmpint(live[2], ==, live[0]); /* ... and nothing is left after the end */
    g_assert_nonnull(strstr(out, "found=1"));
    g_assert_nonnull(strstr(out, "found=0"));

    const char *const expect[] = {V[A_TWO][0], V[A_TWO][1]};
    g_assert_cmpuint(check_outbox(fx, expect, 2, true), ==, 2);
    g_assert_cmpint(status_of(fx, V[A_TWO][0]), ==, STORE_STATUS_COMPLETED);

    g_autofree char *log = audit_text(fx);
    const char *events[] = {
        "\tkiosk.start\t",    "\tsession.start\t", "\tcheckin\t",      "\tcheckin.person\t",
        "\tstaff.sign-in\t",  "\tstaff.action\t",  "action=exception", "action=skip-step",
        "\tattempt\t",        "quality=80",        "quality=40",       "\texception\t",
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

/* The disk-full and unwritable cases share this: the kiosk runs in the background, stops in
 * test-wait-file (it says so on stdout), the test checks that nothing was written or completed,
 * repairs the outbox, and lets it go on. */
static volatile rlim_t child_fsize = RLIM_INFINITY;

static void child_setup(gpointer data)
{
    (void)data;
    signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead */
    if (child_fsize != RLIM_INFINITY) {
        /* the soft limit only, so that the test may lift it again without privileges */
        struct rlimit rl;
        getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = child_fsize;
        setrlimit(RLIMIT_FSIZE, &rl);
    }
}

static void run_failing(fixture *fx, int a, void (*repair)(fixture *fx, GPid pid))
{
    g_autofree char *go = g_build_filename(fx->dir, "go", NULL);
    GString *s = g_string_new("");
    visit_lines(s, fx, a, false);
    g_string_append_printf(s,
                           "tap \"Finish\"\n"
                           "expect-screen record-failed\n"
                           "expect-text \"could not be saved\"\n"
                           "tap \"Try again\"\n"
                           "expect-screen record-failed\n"
                           /* no idle wipe: the session waits for its record */
                           "idle 300\n"
                           "expect-screen record-failed\n"
                           "memory\n"
                           "test-wait-file %s 60\n"
                           /* the kiosk's own periodic retry */
                           "wait 31000\n"
                           "expect-screen done\n"
                           "memory\n",
                           go);
    g_autofree char *path = script_path(fx, s->str);
    g_string_free(s, TRUE);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", fx->conf, "--now", NOW, "--script", path, NULL};
    GPid pid;
    int out_fd = -1;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           child_setup, NULL, &pid, NULL, &out_fd, NULL, NULL));
    /* until the script waits: its stdout says "waiting: PATH" */
    GString *out = g_string_new("");
    char buf[4096];
    ssize_t n;
    while (strstr(out->str, "waiting:") == NULL && (n = read(out_fd, buf, sizeof buf)) > 0)
        g_string_append_len(out, buf, n);
    g_assert_nonnull(strstr(out->str, "waiting:"));
    /* meanwhile: nothing in the outbox (not even a temporary file), not completed */
    GDir *d = g_dir_open(fx->outbox, 0, NULL);
    if (d) {
        g_assert_null(g_dir_read_name(d));
        g_dir_close(d);
    }
    g_assert_cmpint(status_of(fx, V[a][0]), ==, STORE_STATUS_CHECKED_IN);
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
    long live[8];
    g_assert_cmpuint(memory_lines(out->str, live, 8), ==, 3);
    g_assert_cmpint(live[1], >, live[0]); /* the session is kept while it waits */
    g_assert_cmpint(live[2], ==, live[0]);
    g_string_free(out, TRUE);

    const char *const expect[] = {V[a][0]};
    g_assert_cmpuint(check_outbox(fx, expect, 1, false), ==, 1);
    g_assert_cmpint(status_of(fx, V[a][0]), ==, STORE_STATUS_COMPLETED);
    g_autofree char *log = audit_text(fx);
    g_assert_nonnull(strstr(log, "\trecord.failed\t"));
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
    g_assert_cmpuint(fx->face0_len, >, 200 * 1024);
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

/* Idle wipe and abort: no record, the appointment released, nothing biometric left. */
static void test_memory_idle_abort(fixture *fx, gconstpointer data)
{
    (void)data;
    GString *s = g_string_new("");
    /* idle on the fingerprint step after the photo was taken */
    g_string_append_printf(s,
                           "memory\n"
                           "tap \"Start\"\n"
                           "type %s\n"
                           "key Return\n"
                           "tap \"Continue\"\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n"
                           "tap \"%s\"\n"
                           "tap \"Continue\"\n"
                           "tap \"Start\"\n"
                           "test-take-face %s 80\n"
                           "test-scan-memory %s found\n"
                           "memory\n"
                           "idle 100\n"
                           "expect-screen welcome\n"
                           "memory\n"
                           "test-scan-memory %s absent\n",
                           fx->codes[A_MEM], NAME[A_MEM][0], fx->face[0], fx->pattern, fx->pattern);
    /* again, and staff aborts */
    g_string_append_printf(s,
                           "tap \"Start\"\n"
                           "type %s\n"
                           "key Return\n"
                           "tap \"Continue\"\n"
                           "staff jdevries 123456\n"
                           "tap \"Close this menu\"\n"
                           "tap \"%s\"\n"
                           "tap \"Continue\"\n"
                           "tap \"Start\"\n"
                           "test-take-face %s 80\n"
                           "test-scan-memory %s found\n"
                           "memory\n"
                           "tap \"Staff menu\"\n"
                           "tap \"Abort the session\"\n"
                           "expect-screen welcome\n"
                           "memory\n"
                           "test-scan-memory %s absent\n",
                           fx->codes[A_MEM], NAME[A_MEM][0], fx->face[0], fx->pattern, fx->pattern);
    g_autofree char *out = NULL, *err = NULL;
    int rc = run_script(fx, s->str, &out, &err);
    g_string_free(s, TRUE);
    if (rc != 0)
        g_printerr("%s", err);
    g_assert_cmpint(rc, ==, 0);
    long live[8];
    g_assert_cmpuint(memory_lines(out, live, 8), ==, 5);
    g_assert_cmpint(live[1], >, live[0]);
    g_assert_cmpint(live[2], ==, live[0]);
    g_assert_cmpint(live[3], >, live[0]);
    g_assert_cmpint(live[4], ==, live[0]);
    GDir *d = g_dir_open(fx->outbox, 0, NULL);
    g_assert_nonnull(d);
    g_assert_null(g_dir_read_name(d));
    g_dir_close(d);
    g_assert_cmpint(status_of(fx, V[A_MEM][0]), ==, STORE_STATUS_BOOKED);
    g_autofree char *log = audit_text(fx);
    g_assert_nonnull(strstr(log, "\tsession.idle-timeout\t"));
    g_assert_nonnull(strstr(log, "action=abort"));
    g_assert_nonnull(strstr(log, "result=wiped"));
    /* the attempts of a visit without a record are still in the log */
    g_assert_nonnull(strstr(log, "quality=80 threshold=50 result=accepted veto=N record=none"));
    g_assert_null(strstr(log, "\trecord.written\t"));
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
    if (g_getenv("BIOKIOSK_BIN") == NULL || g_getenv("KIOSK_LOCALE_DIR") == NULL) {
        printf("SKIP: BIOKIOSK_BIN and KIOSK_LOCALE_DIR are not set (run through meson test)\n");
        return 77;
    }
#define ADD(name, fn) g_test_add(name, fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    ADD("/ui-record/two-persons", test_two_records);
    ADD("/ui-record/disk-full", test_disk_full);
    ADD("/ui-record/outbox-not-writable", test_outbox_not_writable);
    ADD("/ui-record/memory-idle-abort", test_memory_idle_abort);
    ADD("/ui-record/no-keys", test_no_keys);
    return g_test_run();
}
