/* What the record refuses before anything is encoded (record_check): the identity, the lists,
 * the age and category rules against the plan, and each biometric item. */
#include "record/record.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "core/caldate.h"
#include "core/limits.h"
#include "core/rules.h"
#include "core/sigink.h"
#include "record/record-priv.h"

#define MAX_SIDE     5000
#define MIN_FINGER_W 315 /* 16 mm at 500 ppi */
#define MIN_FINGER_H 394 /* 20 mm at 500 ppi */

static int stamp_ok(const char *s)
{
    if (s == NULL || strlen(s) != 15 || s[14] != 'Z')
        return 0;
    for (int i = 0; i < 14; i++)
        if (!g_ascii_isdigit(s[i]))
            return 0;
    char date[11];
    snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
    caldate d;
    int hh = (s[8] - '0') * 10 + s[9] - '0', mm = (s[10] - '0') * 10 + s[11] - '0';
    int ss = (s[12] - '0') * 10 + s[13] - '0';
    return caldate_parse(date, &d) == BK_OK && hh < 24 && mm < 60 && ss < 61;
}

static size_t count_exceptions(const record_session *s, const char *item)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_exceptions; i++)
        n += strcmp(s->exceptions[i].item, item) == 0;
    return n;
}

static bk_err check_item(const char *name, rules_action action, int present, size_t exceptions,
                         char *why, size_t why_size)
{
    if (action < 0 || action >= RULES_ACTION_COUNT_)
        return record_refuse(why, why_size, "%s: unknown plan action", name);
    if (action != RULES_ACTION_CAPTURE && present)
        return record_refuse(why, why_size, "%s given, but the plan says %s", name,
                             rules_action_str(action));
    if (action == RULES_ACTION_CAPTURE && !present && exceptions == 0)
        return record_refuse(why, why_size,
                             "the plan says capture the %s, but there is none and no "
                             "exception says why",
                             name);
    return BK_OK;
}

/* The plan against the rules. What is on file is not in the record, so the rules are asked
 * twice: with nothing on file and with everything recently on file. Where both answers agree,
 * the item does not depend on the file and the plan must follow it. */
static bk_err check_rules(const record_session *s, caldate birth, char *why, size_t why_size)
{
    caldate on, applied;
    char day[11];
    snprintf(day, sizeof(day), "%.4s-%.2s-%.2s", s->started, s->started + 4, s->started + 6);
    if (caldate_parse(day, &on) != BK_OK)
        return record_refuse(why, why_size, "the session start is not a date");
    applied = on;
    if (s->applied != NULL && s->applied[0] != '\0' && caldate_parse(s->applied, &applied) != BK_OK)
        return record_refuse(why, why_size, "the application date must be a valid YYYY-MM-DD date");
    if (caldate_cmp(applied, on) > 0)
        applied = on; /* a clock set wrong is no reason to lose a record */
    if (caldate_cmp(birth, on) > 0)
        return record_refuse(why, why_size, "the birth date %s is after the session date %s",
                             s->birth_date, day);
    rules_person fresh = {.birth = birth, .applied = applied, .on = on, .category = s->category};
    rules_person filed = fresh;
    filed.has_photo = filed.has_fingerprints = filed.has_signature = true;
    filed.photo = filed.fingerprints = filed.signature = on;
    rules_plan a, b;
    const char *problem = NULL;
    if (rules_decide(&fresh, &a, &problem) != BK_OK)
        return record_refuse(why, why_size, "%s",
                             problem ? problem : "the dates do not fit together");
    if (rules_decide(&filed, &b, &problem) != BK_OK)
        return record_refuse(why, why_size, "%s",
                             problem ? problem : "the dates do not fit together");
    const struct {
        const char *name;
        rules_item item;
        rules_action plan, fresh, filed;
    } items[] = {
        {"photo", RULES_ITEM_PHOTO, s->photo, a.photo, b.photo},
        {"fingerprints", RULES_ITEM_FINGERPRINTS, s->fingerprints, a.fingerprints, b.fingerprints},
        {"signature", RULES_ITEM_SIGNATURE, s->signature, a.signature, b.signature},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(items); i++) {
        if (items[i].fresh != items[i].filed)
            continue; /* depends on what is on file: the kiosk's plan knows, we do not */
        const char *rule = "";
        for (size_t r = 0; r < a.n_reasons; r++)
            if (a.reasons[r].item == items[i].item)
                rule = a.reasons[r].text;
        if (items[i].fresh != RULES_ACTION_CAPTURE && items[i].plan == RULES_ACTION_CAPTURE)
            return record_refuse(
                why, why_size,
                "the plan says capture the %s, but the rules say %s for this person "
                "(%d years old): %s",
                items[i].name, rules_action_str(items[i].fresh), a.age, rule);
        if (items[i].fresh == RULES_ACTION_CAPTURE && items[i].plan != RULES_ACTION_CAPTURE &&
            count_exceptions(s, items[i].name) == 0)
            return record_refuse(
                why, why_size,
                "the plan says %s for the %s, but the rules say capture (%s) and no "
                "exception says why",
                rules_action_str(items[i].plan), items[i].name, rule);
    }
    return BK_OK;
}

/* Who, when and where: the person's identity, the identifiers, the times, the reasons. */
static bk_err check_identity(const record_session *s, caldate *birth, char *why, size_t why_size)
{
    if (!bk_v_number_ok(s->v_number))
        return record_refuse(why, why_size, "the V-number must be %d digits", BK_V_NUMBER_DIGITS);
    if (!bk_text_ok(s->surname, 200))
        return record_refuse(why, why_size, "the surname is missing or has control characters");
    if (s->given_names != NULL && s->given_names[0] != '\0' && !bk_text_ok(s->given_names, 200))
        return record_refuse(why, why_size, "the given names have control characters");
    if (s->name_unsplit != NULL && s->name_unsplit[0] != '\0' && !bk_text_ok(s->name_unsplit, 400))
        return record_refuse(why, why_size, "the name as booked has control characters");
    if (s->birth_date == NULL || caldate_parse(s->birth_date, birth) != BK_OK)
        return record_refuse(why, why_size, "the birth date must be a valid YYYY-MM-DD date");
    if (s->category < 0 || s->category >= RULES_CATEGORY_COUNT_)
        return record_refuse(why, why_size, "unknown category");
    if (!bk_ident_ok(s->appointment_code))
        return record_refuse(why, why_size,
                             "the appointment code must be 1-%d letters, digits, - or _",
                             BK_IDENT_MAX);
    if (!bk_ident_ok(s->desk) || !bk_ident_ok(s->kiosk_id) || !bk_ident_ok(s->staff_id))
        return record_refuse(why, why_size,
                             "desk, kiosk id and staff id must be 1-%d letters, digits, - or _",
                             BK_IDENT_MAX);
    if (!stamp_ok(s->started) || !stamp_ok(s->ended) || strcmp(s->started, s->ended) > 0)
        return record_refuse(why, why_size,
                             "session start and end must be YYYYMMDDhhmmssZ, start first");
    if (s->audit_hash != NULL && (s->audit_seq == 0 || strlen(s->audit_hash) != 64 ||
                                  strspn(s->audit_hash, "0123456789abcdef") != 64))
        return record_refuse(why, why_size,
                             "the audit head must be an entry number and 64 hex digits");
    const char *reasons[] = {s->photo_reason, s->fingerprints_reason, s->signature_reason};
    for (size_t i = 0; i < 3; i++)
        if (!bk_text_ok(reasons[i], 500))
            return record_refuse(why, why_size,
                                 "every plan item needs a reason without control "
                                 "characters");
    if (s->photo < 0 || s->photo >= RULES_ACTION_COUNT_ || s->fingerprints < 0 ||
        s->fingerprints >= RULES_ACTION_COUNT_ || s->signature < 0 ||
        s->signature >= RULES_ACTION_COUNT_)
        return record_refuse(why, why_size, "unknown plan action");
    return BK_OK;
}

/* The lists beside the biometrics: exceptions, attempts, devices. */
static bk_err check_lists(const record_session *s, char *why, size_t why_size)
{
    for (size_t i = 0; i < s->n_exceptions; i++) {
        const record_exception *e = &s->exceptions[i];
        if (e->item == NULL ||
            (strcmp(e->item, "photo") != 0 && strcmp(e->item, "fingerprints") != 0 &&
             strcmp(e->item, "signature") != 0 && strcmp(e->item, "finger") != 0))
            return record_refuse(why, why_size,
                                 "exception %zu: item must be photo, fingerprints, "
                                 "signature or finger",
                                 i + 1);
        if ((strcmp(e->item, "finger") == 0) != (e->position >= 1 && e->position <= 10))
            return record_refuse(why, why_size,
                                 "exception %zu: a finger position 1-10 goes with item "
                                 "finger, and only there",
                                 i + 1);
        if (!bk_text_ok(e->reason, 500))
            return record_refuse(why, why_size, "exception %zu: a reason is required", i + 1);
    }
    for (size_t i = 0; i < s->n_attempts; i++) {
        const record_attempt *a = &s->attempts[i];
        if (a->item == NULL || (strcmp(a->item, "photo") != 0 && strcmp(a->item, "finger") != 0 &&
                                strcmp(a->item, "signature") != 0))
            return record_refuse(why, why_size,
                                 "attempt %zu: item must be photo, finger or signature", i + 1);
        if (a->quality < 0 || a->quality > 100 || a->threshold < 0 || a->threshold > 100 ||
            (a->veto != 'N' && a->veto != 'A' && a->veto != 'R') || !stamp_ok(a->time) ||
            (strcmp(a->item, "finger") == 0 && (a->position < 1 || a->position > 10)))
            return record_refuse(why, why_size,
                                 "attempt %zu: quality and threshold 0-100, veto N/A/R, "
                                 "a time and a finger position are required",
                                 i + 1);
    }
    for (size_t i = 0; i < s->n_devices; i++) {
        const record_device *d = &s->devices[i];
        if (!bk_text_ok(d->kind, 32) || !bk_text_ok(d->model, 100) || !bk_text_ok(d->serial, 100))
            return record_refuse(why, why_size, "device %zu: kind, model and serial are required",
                                 i + 1);
    }
    return BK_OK;
}

static bk_err check_face(const record_session *s, char *why, size_t why_size)
{
    bk_err err = check_item("photo", s->photo, s->face_jpeg != NULL, count_exceptions(s, "photo"),
                            why, why_size);
    if (err != BK_OK || s->face_jpeg == NULL)
        return err;
    unsigned w = 0, h = 0;
    err = record_jpeg_size(s->face_jpeg, s->face_len, &w, &h);
    if (err == BK_ERR_UNSUPPORTED)
        return record_refuse(why, why_size, "the face must be a baseline JPEG");
    if (err != BK_OK)
        return record_refuse(why, why_size, "the face is not a JPEG file");
    if (w != RECORD_FACE_WIDTH || h != RECORD_FACE_HEIGHT)
        return record_refuse(why, why_size, "the face is %ux%u; the ICAO crop is %dx%d", w, h,
                             RECORD_FACE_WIDTH, RECORD_FACE_HEIGHT);
    return BK_OK;
}

static bk_err check_fingers(const record_session *s, char *why, size_t why_size)
{
    if (s->n_fingers > 2)
        return record_refuse(why, why_size, "at most two flat prints are taken, not %zu",
                             s->n_fingers);
    bk_err err = check_item("fingerprints", s->fingerprints, s->n_fingers > 0,
                            count_exceptions(s, "fingerprints") + count_exceptions(s, "finger"),
                            why, why_size);
    if (err != BK_OK)
        return err;
    if (s->fingerprints == RULES_ACTION_CAPTURE && s->n_fingers < 2 &&
        count_exceptions(s, "fingerprints") + count_exceptions(s, "finger") == 0)
        return record_refuse(why, why_size, "only %zu print(s) and no exception says why",
                             s->n_fingers);
    for (size_t i = 0; i < s->n_fingers; i++) {
        const record_finger *f = &s->fingers[i];
        if (f->position < 1 || f->position > 10)
            return record_refuse(why, why_size, "finger position %u is not 1-10", f->position);
        for (size_t j = 0; j < i; j++)
            if (s->fingers[j].position == f->position)
                return record_refuse(why, why_size, "finger position %u given twice", f->position);
        unsigned w, h, depth, colour;
        if (record_png_header(f->png, f->png_len, &w, &h, &depth, &colour) != BK_OK)
            return record_refuse(why, why_size, "finger %u: not a PNG file", f->position);
        if (depth != 8 || colour != 0)
            return record_refuse(why, why_size, "finger %u: the PNG must be 8-bit grey",
                                 f->position);
        if (w < MIN_FINGER_W || h < MIN_FINGER_H || w > MAX_SIDE || h > MAX_SIDE)
            return record_refuse(why, why_size,
                                 "finger %u: %ux%u px; at 500 ppi a print is %dx%d px or "
                                 "more (16 x 20 mm) and at most %d",
                                 f->position, w, h, MIN_FINGER_W, MIN_FINGER_H, MAX_SIDE);
        if (f->quality < 0 || f->quality > 100 || f->algorithm > 0xFFFF || f->product > 0xFFFF)
            return record_refuse(why, why_size, "finger %u: quality must be 0-100", f->position);
    }
    return BK_OK;
}

static bk_err check_signature(const record_session *s, char *why, size_t why_size)
{
    bk_err err = check_item("signature", s->signature, s->n_strokes > 0,
                            count_exceptions(s, "signature"), why, why_size);
    if (err != BK_OK)
        return err;
    size_t total = 0;
    for (size_t i = 0; i < s->n_strokes; i++) {
        const record_stroke *st = &s->strokes[i];
        if (st->n_points == 0 || st->points == NULL)
            return record_refuse(why, why_size, "signature stroke %zu has no points", i + 1);
        total += st->n_points + 1;
        for (size_t j = 0; j < st->n_points; j++) {
            const record_point *p = &st->points[j];
            if (!(p->x_mm >= 0 && p->x_mm <= 65535 * UNIT_MM && p->y_mm >= 0 &&
                  p->y_mm <= 65535 * UNIT_MM && p->pressure >= 0 && p->pressure <= 1 &&
                  p->t_ms >= 0 && p->t_ms < 3600e3))
                return record_refuse(
                    why, why_size, "signature stroke %zu point %zu is out of range", i + 1, j + 1);
        }
    }
    if (total > 200000)
        return record_refuse(why, why_size, "the signature has too many points (%zu)", total);
    /* the kiosk's trivial-signature rule, on the points alone (the record does not carry the
     * pad's writing area): a short scrawl is accepted only with an exception saying why */
    size_t min_points =
        s->signature_min_points ? s->signature_min_points : SIGINK_RULE_DEFAULT.min_points;
    if (s->n_strokes > 0 && total - s->n_strokes < min_points &&
        count_exceptions(s, "signature") == 0)
        return record_refuse(
            why, why_size,
            "the signature has %zu pen points; fewer than %zu is a trivial signature, "
            "accepted only with a signature exception saying why",
            total - s->n_strokes, min_points);
    bool box_default = s->signature_box_width == 0 && s->signature_box_height == 0;
    if (!box_default && (s->signature_box_width < 16 || s->signature_box_width > 4000 ||
                         s->signature_box_height < 16 || s->signature_box_height > 4000))
        return record_refuse(why, why_size,
                             "the signature image box must be 16-4000 px a side, not %dx%d",
                             s->signature_box_width, s->signature_box_height);
    if (!(s->signature_px_per_mm <= 1000)) /* NaN too */
        return record_refuse(why, why_size, "the pen resolution is out of range");
    return BK_OK;
}

bk_err record_check(const record_session *s, char *why, size_t why_size)
{
    if (s == NULL)
        return record_refuse(why, why_size, "no session");
    caldate birth;
    bk_err err = check_identity(s, &birth, why, why_size);
    if (err == BK_OK)
        err = check_lists(s, why, why_size);
    if (err == BK_OK)
        err = check_rules(s, birth, why, why_size);
    if (err == BK_OK)
        err = check_face(s, why, why_size);
    if (err == BK_OK)
        err = check_fingers(s, why, why_size);
    if (err == BK_OK)
        err = check_signature(s, why, why_size);
    return err;
}
