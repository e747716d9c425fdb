#include "core/rules.h"

#include <string.h>

/* What the predicates look at, worked out once from the person. */
typedef struct facts {
    const rules_person *p;
    int age;    /* on the application date */
    int age_on; /* on the appointment date */
} facts;

/* Sources, quoted as in ../shared/docs/rules.md. 000 is the IND page on biometrics
 * appointments, 004 the State Secretary's answers of 22 June 2022. */
#define SRC_UNDER_1  "000: \"Is uw kind jonger dan 1 jaar?\""
#define SRC_UNDER_6  "000: \"Kinderen jonger dan 6 jaar\""
#define SRC_6_TO_11  "000: \"Kinderen van 6 tot en met 11 jaar\""
#define SRC_12_TO_17 "000: \"Kinderen van 12 tot en met 17 jaar\""
#define SRC_CHILD    "000: \"moet uw kind (opnieuw) een pasfoto laten maken bij een IND-loket\""
#define SRC_MILESTONE                                                                              \
    "000: \"sinds de vorige aanvraag 6, 12 of 18 jaar oud geworden\"; 004 answer 1"
#define SRC_ADULT     "000: \"ouder dan 18 jaar ... normaal gesproken geen nieuwe biometrie\""
#define SRC_SIX_MONTH "004 answer 1: ICAO allows a facial image of at most six months"
#define SRC_EU_FAMILY "000: \"bij elke ingediende aanvraag nieuwe vingerafdrukken\""
#define SRC_EU_PERM   "000: \"duurzaam verblijf ... geen vingerafdrukken\""
#define SRC_MVV       "000: mvv applied for abroad: biometrics at the Dutch representation"
#define SRC_POOR      "004 answer 1: new fingerprints when the earlier ones were insufficient"
#define SRC_ALONE     "000: \"Kinderen van 14 jaar en ouder mogen alleen komen\""

/* Months a photo on file may be old on the appointment date and still be used (interpretation
 * of 004 answer 1). */
#define PHOTO_MAX_AGE_MONTHS 6

static bool is_mvv(const facts *f)
{
    return f->p->category == RULES_CATEGORY_MVV;
}

static bool is_eu_permanent(const facts *f)
{
    return f->p->category == RULES_CATEGORY_EU_CITIZEN_PERMANENT;
}

static bool is_eu_family(const facts *f)
{
    return f->p->category == RULES_CATEGORY_EU_FAMILY_MEMBER;
}

static bool under_1(const facts *f)
{
    return f->age < 1;
}

static bool under_6(const facts *f)
{
    return f->age < 6;
}

static bool under_12(const facts *f)
{
    return f->age < 12;
}

static bool under_18(const facts *f)
{
    return f->age < 18;
}

static bool always(const facts *f)
{
    (void)f;
    return true;
}

/* True when the person turned 6, 12 or 18 after `since` and on or before the application. */
static bool milestone_after(const facts *f, caldate since)
{
    static const int milestones[] = {6, 12, 18};
    for (size_t i = 0; i < sizeof milestones / sizeof milestones[0]; i++) {
        caldate day = caldate_birthday(f->p->birth, milestones[i]);
        if (caldate_cmp(day, since) > 0 && caldate_cmp(day, f->p->applied) <= 0)
            return true;
    }
    return false;
}

static bool no_photo(const facts *f)
{
    return !f->p->has_photo;
}

static bool photo_before_18(const facts *f)
{
    return f->p->has_photo && milestone_after(f, f->p->photo);
}

static bool photo_recent(const facts *f)
{
    caldate limit = caldate_add_months(f->p->photo, PHOTO_MAX_AGE_MONTHS);
    return f->p->has_photo && caldate_cmp(f->p->on, limit) <= 0;
}

static bool no_fingerprints(const facts *f)
{
    return !f->p->has_fingerprints;
}

static bool fingerprints_poor(const facts *f)
{
    return f->p->has_fingerprints && f->p->fingerprints_poor;
}

static bool fingerprints_milestone(const facts *f)
{
    return f->p->has_fingerprints && milestone_after(f, f->p->fingerprints);
}

static bool no_signature(const facts *f)
{
    return !f->p->has_signature;
}

static bool signature_as_minor(const facts *f)
{
    return f->p->has_signature && caldate_age(f->p->birth, f->p->signature) < 18;
}

static bool alone_age(const facts *f)
{
    return f->age_on >= 14;
}

typedef struct row {
    rules_reason reason;
    bool (*applies)(const facts *f);
    int outcome; /* a rules_action for the three items, 0 or 1 for the yes/no items */
} row;

#define ROW(item, id, pred, outcome, text, source)                                                 \
    {                                                                                              \
        {RULES_ITEM_##item, id, text, source}, pred, outcome                                       \
    }

/* The table. For each item the first row that applies decides; every item ends with a row that
 * always applies. */
static const row table[] = {
    /* Is anything handled at this desk at all? */
    ROW(DESK, "desk.mvv-abroad", is_mvv, 0,
        "An mvv applied for abroad: biometrics are taken at the Dutch representation abroad.",
        SRC_MVV),
    ROW(DESK, "desk.under-1", under_1, 0,
        "Under 1 year at the application: the photo is posted with the Bijlage fotokaart; nothing "
        "is taken at the desk.",
        SRC_UNDER_1),
    ROW(DESK, "desk.at-desk", always, 1, "Biometrics are handled at this desk.", SRC_ADULT),

    /* Photo */
    ROW(PHOTO, "photo.mvv-abroad", is_mvv, RULES_ACTION_NONE,
        "An mvv applied for abroad: the photo is taken at the Dutch representation.", SRC_MVV),
    ROW(PHOTO, "photo.under-1", under_1, RULES_ACTION_BY_POST,
        "Under 1 year: a photographer's photo is posted with the Bijlage fotokaart.", SRC_UNDER_1),
    ROW(PHOTO, "photo.child", under_18, RULES_ACTION_CAPTURE,
        "Children from 1 to 17 always have a new photo taken at the desk.", SRC_CHILD),
    ROW(PHOTO, "photo.none-on-file", no_photo, RULES_ACTION_CAPTURE,
        "No photo on file: a photo is taken at the desk.", SRC_ADULT),
    ROW(PHOTO, "photo.milestone", photo_before_18, RULES_ACTION_CAPTURE,
        "Turned 18 since the photo on file was taken: a new photo is taken.", SRC_MILESTONE),
    ROW(PHOTO, "photo.recent", photo_recent, RULES_ACTION_REUSE,
        "The photo on file is at most 6 months old on the appointment date: it is used again.",
        SRC_SIX_MONTH),
    ROW(PHOTO, "photo.too-old", always, RULES_ACTION_CAPTURE,
        "The photo on file is more than 6 months old on the appointment date: a new photo is "
        "taken.",
        SRC_SIX_MONTH),

    /* Fingerprints */
    ROW(FINGERPRINTS, "fingerprints.mvv-abroad", is_mvv, RULES_ACTION_NONE,
        "An mvv applied for abroad: fingerprints are taken at the Dutch representation.", SRC_MVV),
    ROW(FINGERPRINTS, "fingerprints.under-6", under_6, RULES_ACTION_NONE,
        "Under 6 years at the application: no fingerprints.", SRC_UNDER_6),
    ROW(FINGERPRINTS, "fingerprints.eu-citizen-permanent", is_eu_permanent, RULES_ACTION_NONE,
        "EU/EEA/Swiss citizen applying for permanent residence: no fingerprints.", SRC_EU_PERM),
    ROW(FINGERPRINTS, "fingerprints.eu-family-member", is_eu_family, RULES_ACTION_CAPTURE,
        "Family member of an EU/EEA/Swiss citizen: new fingerprints with every application.",
        SRC_EU_FAMILY),
    ROW(FINGERPRINTS, "fingerprints.none-on-file", no_fingerprints, RULES_ACTION_CAPTURE,
        "No fingerprints on file: they are taken at the desk.", SRC_6_TO_11),
    ROW(FINGERPRINTS, "fingerprints.poor", fingerprints_poor, RULES_ACTION_CAPTURE,
        "The fingerprints on file were of insufficient quality: they are taken again.", SRC_POOR),
    ROW(FINGERPRINTS, "fingerprints.milestone", fingerprints_milestone, RULES_ACTION_CAPTURE,
        "Turned 6, 12 or 18 since the fingerprints on file were taken: they are taken again.",
        SRC_MILESTONE),
    ROW(FINGERPRINTS, "fingerprints.on-file", always, RULES_ACTION_REUSE,
        "The fingerprints on file are used again.", SRC_ADULT),

    /* Signature */
    ROW(SIGNATURE, "signature.mvv-abroad", is_mvv, RULES_ACTION_NONE,
        "An mvv applied for abroad: no signature at this desk.", SRC_MVV),
    ROW(SIGNATURE, "signature.under-12", under_12, RULES_ACTION_NONE,
        "Under 12 years at the application: no signature.", SRC_6_TO_11),
    ROW(SIGNATURE, "signature.minor", under_18, RULES_ACTION_CAPTURE,
        "From 12 to 17 years: the signature is given at the desk.", SRC_12_TO_17),
    ROW(SIGNATURE, "signature.none-on-file", no_signature, RULES_ACTION_CAPTURE,
        "No signature on file: it is given at the desk.", SRC_ADULT),
    ROW(SIGNATURE, "signature.given-as-minor", signature_as_minor, RULES_ACTION_CAPTURE,
        "The signature on file was given before 18: a new one is given.", SRC_MILESTONE),
    ROW(SIGNATURE, "signature.on-file", always, RULES_ACTION_REUSE,
        "The signature on file was given at 18 or over: it is used again.", SRC_ADULT),

    /* May photo and signature be posted instead? */
    ROW(MAY_POST, "may-post.eu-citizen-permanent", is_eu_permanent, 1,
        "EU/EEA/Swiss citizen applying for permanent residence: photo and signature may also be "
        "posted with the Bijlage fotokaart.",
        SRC_EU_PERM),
    ROW(MAY_POST, "may-post.no", always, 0, "Photo and signature cannot be posted instead.",
        SRC_EU_PERM),

    /* May the person come without a parent? */
    ROW(MAY_COME_ALONE, "may-come-alone.14-or-over", alone_age, 1,
        "14 or over on the appointment date: may come alone.", SRC_ALONE),
    ROW(MAY_COME_ALONE, "may-come-alone.under-14", always, 0,
        "Under 14 on the appointment date: comes with a parent.", SRC_ALONE),
};

#define TABLE_SIZE (sizeof table / sizeof table[0])

/* Decided after the table: a person who would come to the desk but from whom nothing is taken
 * (every item reused, not needed or posted) need not come at all, so the slot can go to someone
 * who waits. Last in rules_table_row's list. */
static const rules_reason desk_all_reused = {
    RULES_ITEM_DESK, "desk.all-reused",
    "Everything on file is used again: nothing is taken at the desk, the person need not come.",
    SRC_ADULT};

size_t rules_table_size(void)
{
    return TABLE_SIZE + 1;
}

const rules_reason *rules_table_row(size_t i)
{
    if (i < TABLE_SIZE)
        return &table[i].reason;
    return i == TABLE_SIZE ? &desk_all_reused : NULL;
}

static const char *const category_names[RULES_CATEGORY_COUNT_] = {
    [RULES_CATEGORY_THIRD_COUNTRY] = "third-country",
    [RULES_CATEGORY_EU_FAMILY_MEMBER] = "eu-family-member",
    [RULES_CATEGORY_EU_CITIZEN_PERMANENT] = "eu-citizen-permanent",
    [RULES_CATEGORY_MVV] = "mvv",
};

static const char *const action_names[RULES_ACTION_COUNT_] = {
    [RULES_ACTION_CAPTURE] = "capture",
    [RULES_ACTION_REUSE] = "reuse",
    [RULES_ACTION_BY_POST] = "by-post",
    [RULES_ACTION_NONE] = "none",
};

static const char *const item_names[RULES_ITEM_COUNT_] = {
    [RULES_ITEM_DESK] = "desk",
    [RULES_ITEM_PHOTO] = "photo",
    [RULES_ITEM_FINGERPRINTS] = "fingerprints",
    [RULES_ITEM_SIGNATURE] = "signature",
    [RULES_ITEM_MAY_POST] = "may_post",
    [RULES_ITEM_MAY_COME_ALONE] = "may_come_alone",
};

const char *rules_category_str(rules_category category)
{
    return (unsigned)category < RULES_CATEGORY_COUNT_ ? category_names[category] : "unknown";
}

bk_err rules_category_parse(const char *text, rules_category *out)
{
    for (int i = 0; text != NULL && i < RULES_CATEGORY_COUNT_; i++) {
        if (strcmp(text, category_names[i]) == 0) {
            *out = (rules_category)i;
            return BK_OK;
        }
    }
    return BK_ERR_INVALID;
}

const char *rules_action_str(rules_action action)
{
    return (unsigned)action < RULES_ACTION_COUNT_ ? action_names[action] : "unknown";
}

bk_err rules_action_parse(const char *text, rules_action *out)
{
    for (int i = 0; text != NULL && i < RULES_ACTION_COUNT_; i++) {
        if (strcmp(text, action_names[i]) == 0) {
            *out = (rules_action)i;
            return BK_OK;
        }
    }
    return BK_ERR_INVALID;
}

const char *rules_item_str(rules_item item)
{
    return (unsigned)item < RULES_ITEM_COUNT_ ? item_names[item] : "unknown";
}

/* Oldest age a birth date may give; anything older is a typing error. */
#define MAX_AGE_YEARS 130

static bool bad_previous(const rules_person *p, bool has, caldate when, const char **problem,
                         const char *invalid, const char *future, const char *before_birth)
{
    if (!has)
        return false;
    if (!caldate_valid(when))
        *problem = invalid;
    else if (caldate_cmp(when, p->on) > 0)
        *problem = future;
    else if (caldate_cmp(when, p->birth) < 0)
        *problem = before_birth;
    else
        return false;
    return true;
}

bk_err rules_validate(const rules_person *p, const char **problem)
{
    const char *why = NULL;
    if (p == NULL)
        why = "no person given";
    else if (!caldate_valid(p->birth))
        why = "the birth date is not a valid date";
    else if (!caldate_valid(p->on))
        why = "the appointment date is not a valid date";
    else if (!caldate_valid(p->applied))
        why = "the application date is not a valid date";
    else if ((unsigned)p->category >= RULES_CATEGORY_COUNT_)
        why = "unknown category";
    else if (caldate_cmp(p->birth, p->on) > 0)
        why = "the birth date is after the appointment date";
    else if (caldate_cmp(p->birth, p->applied) > 0)
        why = "the birth date is after the application date";
    else if (caldate_cmp(p->applied, p->on) > 0)
        why = "the application date is after the appointment date";
    else if (caldate_age(p->birth, p->on) > MAX_AGE_YEARS)
        why = "the birth date is more than 130 years before the appointment date";
    else if (bad_previous(p, p->has_photo, p->photo, &why, "the previous photo date is not valid",
                          "the previous photo date is after the appointment date",
                          "the previous photo date is before the birth date") ||
             bad_previous(p, p->has_fingerprints, p->fingerprints, &why,
                          "the previous fingerprints date is not valid",
                          "the previous fingerprints date is after the appointment date",
                          "the previous fingerprints date is before the birth date") ||
             bad_previous(p, p->has_signature, p->signature, &why,
                          "the previous signature date is not valid",
                          "the previous signature date is after the appointment date",
                          "the previous signature date is before the birth date"))
        ;
    else if (p->fingerprints_poor && !p->has_fingerprints)
        why = "previous fingerprints are marked poor, but no previous fingerprints date is given";

    if (why == NULL)
        return BK_OK;
    if (problem != NULL)
        *problem = why;
    return BK_ERR_INVALID;
}

bk_err rules_decide(const rules_person *person, rules_plan *plan, const char **problem)
{
    bk_err err = rules_validate(person, problem);
    if (err != BK_OK)
        return err;

    facts f = {person, caldate_age(person->birth, person->applied),
               caldate_age(person->birth, person->on)};
    rules_plan out;
    memset(&out, 0, sizeof out);
    out.age = f.age;
    out.age_on_appointment = f.age_on;

    int outcome[RULES_ITEM_COUNT_];
    bool decided[RULES_ITEM_COUNT_] = {false};
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        const row *r = &table[i];
        if (decided[r->reason.item] || !r->applies(&f))
            continue;
        decided[r->reason.item] = true;
        outcome[r->reason.item] = r->outcome;
        out.reasons[r->reason.item] = r->reason;
    }
    for (int item = 0; item < RULES_ITEM_COUNT_; item++)
        if (!decided[item])
            return BK_ERR_INTERNAL; /* every item ends with an `always` row */
    out.n_reasons = RULES_ITEM_COUNT_;

    out.desk = outcome[RULES_ITEM_DESK] != 0;
    out.photo = (rules_action)outcome[RULES_ITEM_PHOTO];
    out.fingerprints = (rules_action)outcome[RULES_ITEM_FINGERPRINTS];
    out.signature = (rules_action)outcome[RULES_ITEM_SIGNATURE];
    out.may_post = outcome[RULES_ITEM_MAY_POST] != 0;
    out.may_come_alone = outcome[RULES_ITEM_MAY_COME_ALONE] != 0;
    if (out.desk && out.photo != RULES_ACTION_CAPTURE && out.fingerprints != RULES_ACTION_CAPTURE &&
        out.signature != RULES_ACTION_CAPTURE) {
        out.desk = false;
        out.reasons[RULES_ITEM_DESK] = desk_all_reused;
    }
    *plan = out;
    return BK_OK;
}
