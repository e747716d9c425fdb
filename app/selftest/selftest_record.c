/* record.trial: a made-up record written the kiosk's way (selftest.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/biomem.h"
#include "record/an2k.h"
#include "record/record.h"
#include "record/seal.h"
#include "selftest/selftest-priv.h"

#define TRIAL_POINTS 80

static const char *const trial_action =
    "The kiosk cannot write records with these settings: correct what the value names ([kiosk] "
    "id and desk, [signature] image_width/image_height, the keys) and run the self-test again.";

/* A made-up signature: a wave across a 60 x 20 mm writing area. */
static void trial_strokes(record_point *pts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double t = (double)i / (double)(n - 1);
        pts[i] = (record_point){5 + 50 * t, 10 + 6 * sin(t * 12.0), 0.5, 10.0 * (double)i};
    }
}

/* A made-up visit: no person's data, the kiosk's own settings, a signature of made-up strokes;
 * photo and prints under exceptions (the trial has none). */
static void trial_session(const selftest_options *opt, record_session *s, const char *started,
                          const char *ended, const record_stroke *stroke,
                          const record_exception *exc)
{
    memset(s, 0, sizeof *s);
    s->v_number = "0000000000";
    s->surname = "Selftest";
    s->given_names = "Trial";
    s->birth_date = "1990-01-01";
    s->category = RULES_CATEGORY_THIRD_COUNTRY;
    s->appointment_code = "SELFTEST";
    s->desk = config_get_string(opt->cfg, CONFIG_KIOSK_DESK);
    s->kiosk_id = config_get_string(opt->cfg, CONFIG_KIOSK_ID);
    s->staff_id = "selftest";
    s->started = started;
    s->ended = ended;
    s->photo = s->fingerprints = s->signature = RULES_ACTION_CAPTURE;
    s->photo_reason = s->fingerprints_reason = s->signature_reason = "self-test trial record";
    s->strokes = stroke;
    s->n_strokes = 1;
    s->signature_box_width = (int)config_get_int(opt->cfg, CONFIG_SIGNATURE_IMAGE_WIDTH);
    s->signature_box_height = (int)config_get_int(opt->cfg, CONFIG_SIGNATURE_IMAGE_HEIGHT);
    s->signature_min_points = (unsigned)config_get_int(opt->cfg, CONFIG_SIGNATURE_MIN_POINTS);
    s->exceptions = exc;
    s->n_exceptions = 2;
}

/* Opens the committed file with the trial's office key and reads the transaction back; the
 * transaction control number must be the file's name. */
static bk_err open_trial(const record_committed *c, const uint8_t office_sk[32],
                         const uint8_t kiosk_pk[32], char *why, size_t why_size)
{
    g_autofree char *file = NULL;
    gsize len = 0;
    if (!g_file_get_contents(c->path, &file, &len, NULL)) {
        g_snprintf(why, why_size, "the sealed record cannot be read back");
        return BK_ERR_IO;
    }
    uint8_t *payload = NULL;
    size_t plen = 0;
    bk_err err =
        seal_open((const uint8_t *)file, len, office_sk, kiosk_pk, &payload, &plen, why, why_size);
    if (err != BK_OK)
        return err;
    an2k *t = NULL;
    err = an2k_read(payload, plen, &t, why, why_size);
    biomem_free(payload);
    if (err != BK_OK)
        return err;
    const an2k_field *tcn = t->n_records ? an2k_get(&t->records[0], 9) : NULL;
    if (tcn == NULL || tcn->len != strlen(c->tcn) || memcmp(tcn->value, c->tcn, tcn->len) != 0) {
        g_snprintf(why, why_size, "the transaction control number did not read back");
        err = BK_ERR_CORRUPT;
    }
    an2k_free(t);
    return err;
}

/* Makes a throw-away back-office pair in dir (the kiosk has only the public half of the real
 * one, and a trial must be opened to be checked). */
static bk_err trial_office(const char *dir, uint8_t pk[32], uint8_t sk[32], char *why,
                           size_t why_size)
{
    char fp[17];
    bk_err err = seal_backoffice_init(dir, fp);
    g_autofree char *pub = g_build_filename(dir, "backoffice.pub", NULL);
    g_autofree char *sec = g_build_filename(dir, "backoffice.key", NULL);
    if (err == BK_OK)
        err = seal_key_read(pub, SEAL_KEY_BACKOFFICE_PUBLIC, pk, 32, why, why_size);
    if (err == BK_OK)
        err = seal_key_read(sec, SEAL_KEY_BACKOFFICE_SECRET, sk, 32, why, why_size);
    g_unlink(pub);
    g_unlink(sec);
    return err;
}

/* Encodes, seals, commits to dir and opens the trial. */
static bk_err trial(const selftest_options *opt, const uint8_t kiosk_sk[64], const char *dir,
                    record_committed *c, char *why, size_t why_size)
{
    GDateTime *now =
        opt->now > 0 ? g_date_time_new_from_unix_utc(opt->now) : g_date_time_new_now_utc();
    GDateTime *start = g_date_time_add_minutes(now, -5);
    g_autofree char *ended = g_date_time_format(now, "%Y%m%d%H%M%SZ");
    g_autofree char *started = g_date_time_format(start, "%Y%m%d%H%M%SZ");
    g_date_time_unref(start);
    g_date_time_unref(now);
    record_point pts[TRIAL_POINTS];
    trial_strokes(pts, TRIAL_POINTS);
    record_stroke stroke = {pts, TRIAL_POINTS};
    record_exception exc[2] = {
        {"photo", 0, false, "self-test trial record: no photo"},
        {"fingerprints", 0, false, "self-test trial record: no prints"},
    };
    record_session s;
    trial_session(opt, &s, started, ended, &stroke, exc);
    uint8_t office_pk[32], office_sk[32];
    bk_err err = trial_office(dir, office_pk, office_sk, why, why_size);
    if (err == BK_OK)
        err = record_commit(&s, kiosk_sk, office_pk, dir, c, why, why_size);
    if (err == BK_OK)
        err = open_trial(c, office_sk, kiosk_sk + 32, why, why_size);
    biomem_wipe(office_sk, sizeof office_sk);
    return err;
}

void selftest_record(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    const char *kpath = config_get_string(opt->cfg, CONFIG_RECORD_KIOSK_KEY);
    uint8_t sk[SEAL_SIGN_SECRET_BYTES];
    char why[256] = "";
    if (seal_init() != BK_OK ||
        seal_key_read(kpath, SEAL_KEY_KIOSK_SECRET, sk, sizeof sk, why, sizeof why) != BK_OK) {
        selftest_add(r, "record.trial", SELFTEST_SKIP, 0, NULL,
                     "Skipped: the kiosk key is needed to write a record.");
        return;
    }
    g_autofree char *dir = g_dir_make_tmp("biokiosk-selftest-XXXXXX", NULL);
    record_committed c = {0};
    bk_err err = dir ? trial(opt, sk, dir, &c, why, sizeof why) : BK_ERR_IO;
    biomem_wipe(sk, sizeof sk);
    if (err == BK_OK) {
        selftest_check *k = selftest_add(
            r, "record.trial", SELFTEST_PASS, t0, NULL,
            "a made-up record encoded, sealed and opened again (%zu bytes, transaction %s)", c.size,
            c.tcn);
        selftest_number(k, (double)c.size, "bytes");
    } else {
        selftest_add(r, "record.trial", SELFTEST_FAIL, t0, trial_action,
                     "a made-up record with this kiosk's settings was refused: %s",
                     why[0] ? why : bk_err_str(err));
    }
    if (c.path)
        g_unlink(c.path);
    record_committed_clear(&c);
    if (dir)
        g_rmdir(dir);
}
