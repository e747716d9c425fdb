/* The signature step in the real kiosk: `biokiosk --script` with SDL's offscreen driver, its own
 * SQLite store, a person of 12 or more whose photo and prints are used again, so the signature
 * is the only step.
 *
 *   /ui/signature/touch      touch strokes in the box, a refused trivial signature (too short,
 *                            too small) with the message, Clear, then an accepted signature
 *   /ui/signature/mouse      the same signing with a mouse (SDL mouse motion and button events,
 *                            `mouse-stroke`): every point, the press point too, reaches the
 * record's vectored signature with its strokes; a drag outside the box adds nothing
 *   /ui/signature/unable     staff marks "unable to sign" with a reason
 *   /ui/signature/pad        the kiosk under umockdev-run with a USB pad written by sigpad-gen
 *                            from a strokes file: the strokes on screen equal the file's
 *   /ui/signature/unplug     the pad vanishes after some reports: the screen pauses with the
 *                            message and keeps the strokes drawn so far
 *   /ui/signature/overdue    the pad stays away past reconnect_seconds: the staff strip, staff
 *                            sign in from it and skip the step; audit log and record say so
 *   /ui/signature/absent     source = pad without any pad: the screen waits, the same strip
 *   /ui/signature/spoken     (issue 18) the step says how to sign where the person signs: on
 *                            the touch screen the touch prompt; with the USB pad open the pad's
 *                            prompt, never the touch prompt
 *   /ui/signature/pad-slow   the open of the pad held on the signature service's worker (as
 *                            behind a slow pad): the main loop keeps presenting frames with
 *                            "One moment, please." meanwhile; once let go, the pad's strokes
 *                            reach the screen
 *   /ui/signature/replug     (under umockdev-wrapper) the pad comes back: the strokes stay, the
 *                            audit log has device.unplugged then device.plugged
 *
 * Environment: BIOKIOSK_BIN, KIOSK_LOCALE_DIR, KIOSK_SHOTS, SIGPAD_GEN, SIGPAD_STROKES,
 * UMOCKDEV_RUN (empty: the pad tests are skipped).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#ifdef HAVE_UMOCKDEV
#include <umockdev.h>
#endif

#include "record/an2k.h"
#include "core/apptcode.h"
#include "store/staff.h"
#include "store/store.h"
#include "uitest.h"
#include "uipixels.h"
#include "recordconf.h"

#define NOW     "2026-11-23T09:20:00+01:00"
#define DESK    "DEN-HAAG"
#define N_CODES 11

typedef struct fixture {
    char *dir;
    char *uri;
    char *shots;
    char *record;      /* the configuration's [record] and [audit] lines */
    const char *extra; /* more configuration lines, or NULL */
    char codes[N_CODES][APPTCODE_FORMATTED_LEN + 1];
} fixture;

static void fixture_set_up(fixture *fx, gconstpointer data)
{
    (void)data;
    fx->dir = g_dir_make_tmp("biokiosk-uisig-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
    g_autofree char *db = g_build_filename(fx->dir, "appointments.db", NULL);
    fx->uri = g_strconcat("sqlite:", db, NULL);
    fx->shots = uitest_shots_dir(fx->dir);

    GString *json = g_string_new("{\"appointments\": [");
    for (int i = 0; i < N_CODES; i++) {
        unsigned char bytes[APPTCODE_RANDOM_BYTES] = {(unsigned char)(31 * i + 7), 0x17,
                                                      (unsigned char)(i * 13), 0x99, 0x21};
        char canon[APPTCODE_LEN + 1];
        apptcode_from_bytes(bytes, canon);
        apptcode_format(canon, fx->codes[i]);
        /* 27 years old: signs (12 and over); photo and prints are recent
         * enough to be used again. */
        g_string_append_printf(
            json,
            "%s{\"code\": \"%s\", \"desk\": \"" DESK "\", \"start\": "
            "\"2026-11-23T09:30:00+01:00\", \"minutes\": 20, \"status\": \"booked\", "
            "\"urgent\": false, \"persons\": [{\"v_number\": \"30950695%02d\", \"name\": "
            "\"Lina Haddad\", \"birth_date\": \"1999-05-04\", \"category\": \"third-country\", "
            "\"applied\": \"2026-11-02\", \"born_in_nl\": false, \"previous\": {\"photo\": "
            "\"2026-09-24\", \"fingerprints\": \"2026-09-24\"}}]}",
            i ? ",\n" : "", fx->codes[i], i);
    }
    g_string_append(json, "]}");
    fill_store(fx->uri, json->str, FALSE);
    g_string_free(json, TRUE);

    /* The kiosk does not start without its record keys. */
    fx->record = recordconf_lines(fx->dir);
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->uri);
    g_free(fx->shots);
    g_free(fx->record);
}

static char *write_config(fixture *fx, const char *source)
{
    char *path = g_build_filename(fx->dir, "kiosk.conf", NULL);
    g_autofree char *kiosk = kiosk_lines(DESK, fx->uri);
    g_autofree char *conf = g_strdup_printf("%s"
                                            "%s"
                                            "[devices]\n"
                                            "reconnect_seconds = 5\n"
                                            "[signature]\n"
                                            "source = %s\n"
                                            "%s",
                                            kiosk, fx->record, source, fx->extra ? fx->extra : "");
    write_file(path, conf);
    return path;
}

/* Runs the kiosk on a script, under umockdev-run when `pad` names a pad prefix (an empty one:
 * a testbed without any device). Returns the exit status; stderr in *err (transfer full). */
static int run_kiosk(fixture *fx, const char *source, const char *pad, const char *script,
                     char **err)
{
    g_autofree char *conf = write_config(fx, source);
    g_autofree char *path = g_build_filename(fx->dir, "script.txt", NULL);
    write_file(path, script);
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    if (pad) {
        g_ptr_array_add(argv, g_strdup(g_getenv("UMOCKDEV_RUN")));
        if (*pad) {
            g_ptr_array_add(argv, g_strdup("--device"));
            g_ptr_array_add(argv, g_strconcat(pad, ".umockdev", NULL));
            g_ptr_array_add(argv, g_strdup("--ioctl"));
            g_ptr_array_add(argv, g_strconcat("/dev/bus/usb/001/005=", pad, ".ioctl", NULL));
        }
        g_ptr_array_add(argv, g_strdup("--"));
    }
    const char *args[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", conf, "--now", NOW, "--script", path,
        "--screenshots",          fx->shots};
    for (size_t i = 0; i < G_N_ELEMENTS(args); i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, NULL);
    int status = 0;
    char *out = NULL;
    GError *error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               err, &status, &error));
    g_ptr_array_free(argv, TRUE);
    g_free(out);
    if (!g_spawn_check_wait_status(status, NULL))
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return 0;
}

static void assert_kiosk(fixture *fx, const char *source, const char *pad, const char *script,
                         char **err_out)
{
    char *err = NULL;
    int rc = run_kiosk(fx, source, pad, script, &err);
    if (rc != 0)
        g_printerr("%s", err);
    g_assert_cmpint(rc, ==, 0);
    if (err_out)
        *err_out = err;
    else
        g_free(err);
}

/* Field 2.<tag> of the one record in the outbox; the ANSI/NIST separators (US, RS) shown as '|'
 * and ';' (transfer full, NULL when the field is absent). */
static char *record_field(fixture *fx, unsigned tag)
{
    an2k *t = recordconf_open_record(fx->dir);
    char *value = NULL;
    for (size_t i = 0; i < t->n_records && value == NULL; i++) {
        if (t->records[i].type != 2)
            continue;
        const an2k_field *f = an2k_get(&t->records[i], tag);
        if (f != NULL)
            value = g_strndup((const char *)f->value, f->len);
    }
    an2k_free(t);
    for (char *c = value; c && *c; c++)
        *c = *c == AN2K_US ? '|' : *c == AN2K_RS ? ';' : *c;
    return value;
}

/* The record's vectored signature (Type-8, SRT 2): *points pen points and *strokes pen-ups
 * (one after each stroke). Its wire bytes: LEN (4), IDC, SIG, SRT, ISR, HLL (2), VLL (2), then
 * 5 bytes a point, the last of them the pressure (0: pen up, 255: the end of the vectors, last,
 * at the last pen position: not a point). */
static void record_signature(fixture *fx, size_t *points, size_t *strokes)
{
    an2k *t = recordconf_open_record(fx->dir);
    bool found = false;
    *points = *strokes = 0;
    for (size_t i = 0; i < t->n_records; i++) {
        const an2k_record *r = &t->records[i];
        if (r->type != 8 || r->bin_len < 12 || r->bin[6] != 2)
            continue;
        g_assert_false(found);
        found = true;
        g_assert_cmpuint((r->bin_len - 12) % 5, ==, 0);
        g_assert_cmpuint(r->bin[r->bin_len - 1], ==, 255);
        for (size_t k = 12; k + 5 <= r->bin_len; k += 5) {
            if (r->bin[k + 4] == 255)
                break;
            if (r->bin[k + 4] == 0)
                (*strokes)++;
            else
                (*points)++;
        }
    }
    an2k_free(t);
    g_assert_true(found);
}

/* How often `needle` occurs in `hay`. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* From the welcome screen to the signing screen of appointment i. */
static char *to_signature(fixture *fx, int i)
{
    g_autofree char *checkin = checkin_lines(fx->codes[i], "Lina Haddad");
    return g_strconcat(checkin,
                       "expect-text \"Person 1 of 1\"\n"
                       "tap \"Start\"\n"
                       "expect-screen capture-signature\n",
                       NULL);
}

/* A stroke of n points along a wave, in box pixels, by `cmd` (stroke: touch; mouse-stroke). */
static void wave_by(GString *s, const char *cmd, int n, double x0, double y0, double w, double h)
{
    g_string_append(s, cmd);
    for (int i = 0; i < n; i++) {
        double t = (double)i / (n - 1);
        g_string_append_printf(s, " %.0f,%.0f", x0 + w * t, y0 + h * (0.5 + 0.5 * sin(t * 9.0)));
    }
    g_string_append_c(s, '\n');
}

static void wave(GString *s, int n, double x0, double y0, double w, double h)
{
    wave_by(s, "stroke", n, x0, y0, w, h);
}

/* Runs script s (freed), signing on the touch screen up to the review, and finishes the visit:
 * a signature was refused first, then one accepted. Returns the kiosk's log (transfer full). */
static char *sign_on_screen(fixture *fx, GString *s)
{
    g_string_append(s, "tap \"Finish\"\n"
                       "expect-screen done\n");
    char *err = NULL;
    assert_kiosk(fx, "touch", NULL, s->str, &err);
    g_string_free(s, TRUE);
    g_assert_nonnull(strstr(err, "signature refused: "));
    g_assert_nonnull(strstr(err, "signature accepted: source=touch"));
    return err;
}

static void test_touch(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *start = to_signature(fx, 0);
    GString *s = g_string_new(start);
    g_string_append(s, "expect-text \"Sign in the box with your finger\"\n"
                       "expect-targets\n"
                       "screenshot en-signature-empty\n"
                       /* the staff bar: signed out, the applicant signs alone */
                       "tap \"Sign out\"\n"
                       "expect-no-text \"Unable to sign\"\n"
                       "tap \"Accept\"\n"
                       "expect-screen capture-signature\n"
                       "expect-text \"Please sign in the box first.\"\n"
                       /* three points: too short */
                       "stroke 100,100 140,120 180,100\n"
                       "signature-count 3\n"
                       "tap \"Accept\"\n"
                       "expect-screen capture-signature\n"
                       "expect-text \"This signature is too short\"\n"
                       "tap \"Clear\"\n"
                       "signature-count 0\n"
                       "expect-no-text \"too short\"\n");
    /* enough points, but a scribble in a corner: too small */
    wave(s, 30, 40, 40, 20, 10);
    g_string_append(s, "signature-count 30\n"
                       "tap \"Accept\"\n"
                       "expect-text \"This signature is too small\"\n"
                       "tap \"Clear\"\n");
    /* a signature: two strokes over the box, and one outside it that adds nothing */
    wave(s, 40, 60, 80, 700, 220);
    wave(s, 25, 780, 120, 250, 160);
    g_string_append(s, "stroke -50,-50 -40,-60\n"
                       "signature-count 65\n"
                       "screenshot en-signature-touch\n"
                       "language ar\n"
                       "expect-text \"فوق الخط\"\n"
                       "screenshot ar-signature-touch\n"
                       "language en\n"
                       "signature-count 65\n"
                       "tap \"Accept\"\n"
                       "expect-screen review\n"
                       "expect-text \"Signature\"\n");
    g_autofree char *err = sign_on_screen(fx, s);
    g_assert_null(strstr(err, "Lina"));
    /* -- guide: the sign-box pictogram (its pen, #3d6a9e) beside the box on the start side, the
     * whole of it a mirror image in Arabic (the pen writes from the right) */
    g_autofree char *en = g_build_filename(fx->shots, "en-signature-touch.png", NULL);
    g_autofree char *ar = g_build_filename(fx->shots, "ar-signature-touch.png", NULL);
    uipixels en_start = uipixels_find(en, 0x3d, 0x6a, 0x9e, 0, 0.2);
    uipixels en_end = uipixels_find(en, 0x3d, 0x6a, 0x9e, 0.8, 1);
    uipixels ar_start = uipixels_find(ar, 0x3d, 0x6a, 0x9e, 0.8, 1);
    uipixels ar_end = uipixels_find(ar, 0x3d, 0x6a, 0x9e, 0, 0.2);
    g_test_message("sign-box pen: en %ld px at %.3f, ar %ld px at %.3f", en_start.n, en_start.cx,
                   ar_start.n, ar_start.cx);
    g_assert_cmpint(en_start.n, >, 50);
    g_assert_cmpint(en_end.n, ==, 0);
    g_assert_cmpint(ar_start.n, ==, en_start.n);
    g_assert_cmpint(ar_end.n, ==, 0);
    g_assert_cmpfloat(fabs(ar_start.cx - (1.0 - en_start.cx)), <, 0.002);
}

/* The touch-screen backend's mouse path: SDL mouse events (motion, button down and up) pushed
 * through the kiosk's event loop as a mouse sends them. */
static void test_mouse(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *start = to_signature(fx, 7);
    GString *s = g_string_new(start);
    g_string_append(s, "expect-text \"Sign in the box with your finger\"\n"
                       "tap \"Sign out\"\n");
    /* too short first, as with a finger */
    wave_by(s, "mouse-stroke", 4, 100, 100, 80, 20);
    g_string_append(s, "signature-count 4\n"
                       "tap \"Accept\"\n"
                       "expect-text \"This signature is too short\"\n"
                       "tap \"Clear\"\n"
                       "signature-count 0\n");
    /* a signature: a stroke of 40 points (the press point is the first), a drag outside the box
     * (it ends the stroke before it and adds nothing), a stroke of 25 points that is still open
     * when Accept is tapped, as when the mouse goes straight from the box to the button */
    wave_by(s, "mouse-stroke", 40, 60, 80, 700, 220);
    g_string_append(s, "signature-count 40\n"
                       "mouse-stroke -50,-50 -40,-60 -30,-70\n"
                       "signature-count 40\n");
    wave_by(s, "mouse-stroke", 25, 780, 120, 250, 160);
    g_string_append(s, "signature-count 65\n"
                       "screenshot en-signature-mouse\n"
                       "tap \"Accept\"\n"
                       "expect-screen review\n");
    g_autofree char *err = sign_on_screen(fx, s);
    /* every point in the record, in two strokes; the device is the kiosk's touch screen */
    size_t points = 0, strokes = 0;
    record_signature(fx, &points, &strokes);
    g_assert_cmpuint(points, ==, 65);
    g_assert_cmpuint(strokes, ==, 2);
    g_autofree char *devices = record_field(fx, 123);
    g_assert_nonnull(devices);
    g_test_message("2.123: %s", devices);
    g_assert_nonnull(strstr(devices, "touch|kiosk touch screen|DEN-HAAG-07"));
}

static void test_unable(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *start = to_signature(fx, 1);
    g_autofree char *script = g_strconcat(start,
                                          "expect-text \"Unable to sign\"\n"
                                          "tap \"Unable to sign\"\n"
                                          "expect-screen staff-reason\n"
                                          "tap \"Permanently impossible (physical)\"\n"
                                          "expect-screen review\n"
                                          "expect-text \"exception noted by the desk officer\"\n"
                                          "tap \"Finish\"\n"
                                          "expect-screen done\n",
                                          NULL);
    g_autofree char *err = NULL;
    assert_kiosk(fx, "touch", NULL, script, &err);
    g_assert_nonnull(strstr(err, "action=exception reason=permanent"));
    /* The record lists the exception once, with staff's reason, as permanent; no signature. */
    g_autofree char *exc = record_field(fx, 121);
    g_assert_nonnull(exc);
    g_test_message("2.121: %s", exc);
    g_assert_cmpint(count_of(exc, "signature|0|P|Permanently impossible (physical)"), ==, 1);
    g_assert_cmpint(count_of(exc, "signature|"), ==, 1);
    g_autofree char *times = record_field(fx, 124);
    g_assert_true(times == NULL || times[0] == '\0');
}

/* Writes an emulated pad from the strokes file with sigpad-gen; returns its prefix, or NULL
 * (after a skip) when the tools are missing. */
static char *make_pad(fixture *fx, const char *name, const char *const *extra)
{
    const char *gen = g_getenv("SIGPAD_GEN");
    const char *run = g_getenv("UMOCKDEV_RUN");
    if (gen == NULL || !*gen || run == NULL || !*run) {
        g_test_skip("SKIP: umockdev-run or sigpad-gen is not available");
        return NULL;
    }
    char *prefix = g_build_filename(fx->dir, name, NULL);
    GPtrArray *argv = g_ptr_array_new();
    const char *base[] = {gen,     "--layout", "hid", "--strokes", g_getenv("SIGPAD_STROKES"),
                          "--out", prefix};
    for (size_t i = 0; i < G_N_ELEMENTS(base); i++)
        g_ptr_array_add(argv, (char *)base[i]);
    for (; extra && *extra; extra++)
        g_ptr_array_add(argv, (char *)*extra);
    g_ptr_array_add(argv, NULL);
    int status = 0;
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, NULL));
    g_ptr_array_free(argv, TRUE);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return prefix;
}

static void test_pad(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *pad = make_pad(fx, "pad", NULL);
    if (pad == NULL)
        return;
    g_autofree char *start = to_signature(fx, 2);
    g_autofree char *script = g_strdup_printf("%s"
                                              "pad-wait-open\n"
                                              "expect-text \"Sign on the signature pad\"\n"
                                              "pad-strokes %s\n"
                                              "screenshot en-signature-pad\n"
                                              "tap \"Staff menu\"\n"
                                              "tap \"Device status\"\n"
                                              "expect-text \"signature: pad HID pen, serial "
                                              "SP-0005417\"\n"
                                              "tap \"Close\"\n"
                                              "expect-screen capture-signature\n"
                                              "tap \"Accept\"\n"
                                              "expect-screen review\n"
                                              "tap \"Finish\"\n"
                                              "expect-screen done\n",
                                              start, g_getenv("SIGPAD_STROKES"));
    g_autofree char *err = NULL;
    assert_kiosk(fx, "pad", pad, script, &err);
    g_assert_nonnull(strstr(err, "signature pad open: HID pen serial SP-0005417"));
    g_assert_nonnull(strstr(err, "signature accepted: source=pad"));
    /* The record names the pad by the serial number it gave over USB (sigpad-gen's default). */
    g_autofree char *devices = record_field(fx, 123);
    g_assert_nonnull(devices);
    g_test_message("2.123: %s", devices);
    g_assert_nonnull(strstr(devices, "sigpad|HID pen|SP-0005417"));
}

static void test_unplug(fixture *fx, gconstpointer data)
{
    (void)data;
    const char *extra[] = {"--unplug-after", "25", NULL};
    g_autofree char *pad = make_pad(fx, "unplug", extra);
    if (pad == NULL)
        return;
    g_autofree char *start = to_signature(fx, 3);
    g_autofree char *script = g_strdup_printf("%s"
                                              "pad-wait-paused\n"
                                              "expect-text \"The signature pad was disconnected\"\n"
                                              "expect-no-text \"Accept\"\n"
                                              "screenshot en-signature-unplugged\n"
                                              "signature-count 25\n",
                                              start);
    g_autofree char *err = NULL;
    assert_kiosk(fx, "pad", pad, script, &err);
    g_assert_nonnull(strstr(err, "signature pad unplugged"));
}

/* The pad vanishes and stays away: after reconnect_seconds (5 here) of the kiosk's clock the
 * staff strip says so; staff sign in from it and skip the step; the audit log has the pad's
 * leaving, the overdue wait and staff's choice, and the record says why there is no signature. */
static void test_overdue(fixture *fx, gconstpointer data)
{
    (void)data;
    const char *extra[] = {"--unplug-after", "25", NULL};
    g_autofree char *pad = make_pad(fx, "overdue", extra);
    if (pad == NULL)
        return;
    g_autofree char *start = to_signature(fx, 5);
    g_autofree char *script =
        g_strdup_printf("%s"
                        "pad-wait-paused\n"
                        "tap \"Sign out\"\n"
                        "wait 3000\n"
                        "expect-no-text \"has not come back\"\n"
                        "wait 3000\n"
                        "expect-text \"The signature pad has not come back for 6 seconds\"\n"
                        "expect-no-text \"Skip this step\"\n"
                        "signature-count 25\n"
                        "screenshot en-signature-overdue\n"
                        "tap \"Staff\"\n"
                        "expect-screen staff-pin\n"
                        /* the pad lists no ids: the officer types (or scans) theirs */
                        "type jdevries\n"
                        "key Return\n"
                        "type 123456\n"
                        "key Return\n"
                        "tap \"Close this menu\"\n"
                        "expect-screen capture-signature\n"
                        "expect-text \"has not come back\"\n"
                        "expect-text \"End the visit\"\n"
                        "screenshot en-signature-overdue-staff\n"
                        "tap \"Skip this step\"\n"
                        "expect-screen review\n"
                        "tap \"Finish\"\n"
                        "expect-screen done\n",
                        start);
    g_autofree char *err = NULL;
    assert_kiosk(fx, "pad", pad, script, &err);
    g_assert_nonnull(strstr(err, "action=skip-step reason=device-unavailable"));
    g_assert_null(strstr(err, "signature accepted"));
    g_autofree char *log = recordconf_audit_text(fx->dir);
    static const char *const events[] = {"device.unplugged",
                                         "kind=signature-pad reason=unplugged",
                                         "device.overdue",
                                         "kind=signature-pad after_s=5",
                                         "device.gave-up",
                                         "kind=signature-pad choice=skip",
                                         NULL};
    assert_in_order(log, events);
    g_assert_null(strstr(log, "device.plugged"));
    g_autofree char *exc = record_field(fx, 121);
    g_assert_nonnull(exc);
    g_assert_cmpint(count_of(exc, "signature|0|T|device-unavailable"), ==, 1);
}

/* source = pad and no pad at all (an empty umockdev testbed): the screen waits for one; after
 * reconnect_seconds staff get the same strip and skip the step. */
static void test_absent(fixture *fx, gconstpointer data)
{
    (void)data;
    const char *run = g_getenv("UMOCKDEV_RUN");
    if (run == NULL || !*run) {
        g_test_skip("SKIP: umockdev-run is not available");
        return;
    }
    g_autofree char *start = to_signature(fx, 6);
    g_autofree char *script = g_strconcat(start,
                                          "pad-wait-open\n"
                                          "expect-text \"Waiting for the signature pad\"\n"
                                          "wait 6000\n"
                                          "expect-text \"has not come back\"\n"
                                          "tap \"Skip this step\"\n"
                                          "expect-screen review\n",
                                          NULL);
    g_autofree char *err = NULL;
    assert_kiosk(fx, "pad", "", script, &err);
    g_autofree char *log = recordconf_audit_text(fx->dir);
    static const char *const events[] = {"device.unplugged", "kind=signature-pad reason=not-found",
                                         "device.gave-up", NULL};
    assert_in_order(log, events);
}

/* -- guide (issue 18): the step's spoken prompt follows where the person signs. With the pad it
 * is said once the service answered that the pad is open (the screen has nothing to say before),
 * and the touch prompt is not said at all. */
static void test_spoken(fixture *fx, gconstpointer data)
{
    (void)data;
    fx->extra = "[speech]\nrepeat_seconds = 600\n";
    g_autofree char *touch = to_signature(fx, 9);
    g_autofree char *script = g_strconcat(
        touch,
        "expect-text \"Sign in the box with your finger\"\n"
        "expect-said \"Sign in the box with your finger, above the line.\" 1\n"
        "expect-said \"Sign on the signature pad with the pen, above the line.\" 0\n"
        "language nl\n"
        "expect-said \"Zet uw handtekening met uw vinger in het vak, boven de lijn.\" 1\n",
        NULL);
    assert_kiosk(fx, "touch", NULL, script, NULL);
    g_autofree char *pad = make_pad(fx, "spoken", NULL);
    if (pad == NULL)
        return;
    g_autofree char *start = to_signature(fx, 10);
    g_autofree char *pad_script =
        g_strconcat(start,
                    "pad-wait-open\n"
                    "expect-text \"Sign on the signature pad\"\n"
                    "expect-said \"Sign on the signature pad with the pen, above the line.\" 1\n"
                    "expect-said \"Sign in the box with your finger, above the line.\" 0\n",
                    NULL);
    assert_kiosk(fx, "pad", pad, pad_script, NULL);
}

/* Nothing on the render thread waits on the pad: the service's worker opens it. With the open
 * held there (pad-hold-open, before the device is touched), the screen comes up saying "One
 * moment, please." and the loop presents a frame for each of 40 rounds that need one while the
 * request stays pending; let go, the pad opens and its strokes arrive as in /ui/signature/pad.
 * Before the worker opened the pad, the screen's enter() called the USB open itself: with the
 * open held the loop could not have run at all. */
static void test_pad_slow(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *pad = make_pad(fx, "slow", NULL);
    if (pad == NULL)
        return;
    g_autofree char *start = to_signature(fx, 8);
    g_autofree char *script = g_strdup_printf("pad-hold-open on\n"
                                              "%s"
                                              "pad-open-pending 40 \"One moment, please.\"\n"
                                              "expect-no-text \"Accept\"\n"
                                              "expect-no-text \"Waiting for the signature pad\"\n"
                                              "screenshot en-signature-opening\n"
                                              "pad-hold-open off\n"
                                              "pad-wait-open\n"
                                              "expect-text \"Sign on the signature pad\"\n"
                                              "pad-strokes %s\n"
                                              "tap \"Accept\"\n"
                                              "expect-screen review\n",
                                              start, g_getenv("SIGPAD_STROKES"));
    g_autofree char *err = NULL;
    assert_kiosk(fx, "pad", pad, script, &err);
    g_assert_nonnull(strstr(err, "signature pad open: HID pen serial SP-0005417"));
    g_assert_nonnull(strstr(err, "signature accepted: source=pad"));
}

#ifdef HAVE_UMOCKDEV
/* The kiosk under a umockdev testbed of this process (as umockdev-run would run it), so that the
 * pad can be removed and added again while the kiosk runs: the script waits for the pause and says
 * so (test-say), this test then replugs, and the script waits for the rest of the points. */
static void test_replug(fixture *fx, gconstpointer data)
{
    (void)data;
    const char *extra[] = {"--unplug-after", "25", NULL};
    g_autofree char *pad = make_pad(fx, "replug", extra);
    if (pad == NULL)
        return;
    g_autofree char *conf = write_config(fx, "pad");
    g_autofree char *path = g_build_filename(fx->dir, "script.txt", NULL);
    g_autofree char *start = to_signature(fx, 4);
    g_autofree char *script = g_strdup_printf("%s"
                                              "pad-wait-paused\n"
                                              "expect-text \"The signature pad was disconnected\"\n"
                                              "test-say \"replug the pad\"\n"
                                              "signature-count 25\n"
                                              "pad-points %s\n"
                                              "expect-no-text \"disconnected\"\n"
                                              "screenshot en-signature-replugged\n"
                                              "tap \"Accept\"\n"
                                              "expect-screen review\n",
                                              start, g_getenv("SIGPAD_STROKES"));
    write_file(path, script);

    UMockdevTestbed *bed = umockdev_testbed_new();
    GError *error = NULL;
    g_autofree char *dev1 = g_strconcat(pad, ".umockdev", NULL);
    g_autofree char *ioctl1 = g_strconcat(pad, ".ioctl", NULL);
    g_autofree char *dev2 = g_strconcat(pad, "-replug.umockdev", NULL);
    g_autofree char *ioctl2 = g_strconcat(pad, "-replug.ioctl", NULL);
    g_assert_true(umockdev_testbed_add_from_file(bed, dev1, &error));
    g_assert_no_error(error);
    g_assert_true(umockdev_testbed_load_ioctl(bed, "/dev/bus/usb/001/005", ioctl1, &error));
    g_assert_no_error(error);

    char **envp = g_get_environ();
    envp = g_environ_setenv(envp, "LD_PRELOAD", "libumockdev-preload.so.0", TRUE);
    g_autofree char *root = umockdev_testbed_get_root_dir(bed); /* transfer full */
    envp = g_environ_setenv(envp, "UMOCKDEV_DIR", root, TRUE);
    const char *argv[] = {
        g_getenv("BIOKIOSK_BIN"), "--config", conf, "--now", NOW, "--script", path,
        "--screenshots",          fx->shots,  NULL};
    GPid pid;
    int err_fd = -1;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, NULL, &err_fd, &error));
    g_assert_no_error(error);
    g_strfreev(envp);
    FILE *ef = fdopen(err_fd, "r");
    g_assert_nonnull(ef);
    GString *log = g_string_new(NULL);
    char line[4096];
    bool replugged = false;
    while (fgets(line, sizeof line, ef)) {
        g_string_append(log, line);
        /* Only once the script has seen the pause on the screen: replugged sooner, the pad can
         * be back before the screen ever shows it gone. */
        if (!replugged && strstr(line, "script says: replug the pad")) {
            const char *sys1 = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5";
            umockdev_testbed_uevent(bed, sys1, "remove");
            umockdev_testbed_remove_device(bed, sys1);
            /* The ioctl socket first: adding the device sends its own 'add' uevent, and a kiosk
             * that opens the device before the socket listens is aborted by umockdev's preload
             * (seen in the stress run under load). */
            g_assert_true(umockdev_testbed_load_ioctl(bed, "/dev/bus/usb/001/006", ioctl2, &error));
            g_assert_no_error(error);
            g_assert_true(umockdev_testbed_add_from_file(bed, dev2, &error));
            g_assert_no_error(error);
            umockdev_testbed_uevent(bed, "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-6", "add");
            replugged = true;
        }
    }
    fclose(ef);
    int status = 0;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_spawn_close_pid(pid);
    if (!g_spawn_check_wait_status(status, NULL))
        g_printerr("%s", log->str);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_true(replugged);
    g_assert_nonnull(strstr(log->str, "signature accepted: source=pad"));
    /* The audit log has the pad's leaving, then its return, and no staff choice. */
    g_autofree char *audit = recordconf_audit_text(fx->dir);
    static const char *const events[] = {"device.unplugged", "kind=signature-pad reason=unplugged",
                                         "device.plugged", "kind=signature-pad away_s=", NULL};
    assert_in_order(audit, events);
    g_assert_null(strstr(audit, "device.gave-up"));
    g_assert_null(strstr(audit, "device.overdue"));
    g_string_free(log, TRUE);
    g_object_unref(bed);
}
#endif

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (g_getenv("BIOKIOSK_BIN") == NULL) {
        printf("1..0 # SKIP: BIOKIOSK_BIN is not set\n");
        return 0;
    }
    /* The replug test runs alone under umockdev-wrapper (SIGNATURE_REPLUG=1): sending uevents
     * needs the preload in this process too. */
    if (g_getenv("SIGNATURE_REPLUG") == NULL) {
        g_test_add("/ui/signature/touch", fixture, NULL, fixture_set_up, test_touch,
                   fixture_tear_down);
        g_test_add("/ui/signature/mouse", fixture, NULL, fixture_set_up, test_mouse,
                   fixture_tear_down);
        g_test_add("/ui/signature/unable", fixture, NULL, fixture_set_up, test_unable,
                   fixture_tear_down);
        g_test_add("/ui/signature/pad", fixture, NULL, fixture_set_up, test_pad, fixture_tear_down);
        g_test_add("/ui/signature/unplug", fixture, NULL, fixture_set_up, test_unplug,
                   fixture_tear_down);
        g_test_add("/ui/signature/overdue", fixture, NULL, fixture_set_up, test_overdue,
                   fixture_tear_down);
        g_test_add("/ui/signature/absent", fixture, NULL, fixture_set_up, test_absent,
                   fixture_tear_down);
        g_test_add("/ui/signature/spoken", fixture, NULL, fixture_set_up, test_spoken,
                   fixture_tear_down);
        g_test_add("/ui/signature/pad-slow", fixture, NULL, fixture_set_up, test_pad_slow,
                   fixture_tear_down);
    } else {
#ifdef HAVE_UMOCKDEV
        g_test_add("/ui/signature/replug", fixture, NULL, fixture_set_up, test_replug,
                   fixture_tear_down);
#else
        printf("1..0 # SKIP: libumockdev (libumockdev-dev) is not installed\n");
        return 0;
#endif
    }
    return g_test_run();
}
