/* Every row of the rules table, every birthday boundary (the day before and the day of 1, 6, 12,
 * 14 and 18), the 6-month photo boundary, 29 February, and every kind of bad input. */
#include <string.h>

#include <glib.h>

#include "core/rules.h"

typedef struct person_case {
    const char *name;
    const char *birth, *applied, *on, *category;
    const char *photo, *fingerprints, *signature;
    gboolean poor;
    /* expected */
    int age;
    gboolean desk;
    const char *photo_action, *fingerprints_action, *signature_action;
    gboolean may_post, may_come_alone;
    const char *photo_rule, *fingerprints_rule, *signature_rule;
} person_case;

static caldate date_or_die(const char *text)
{
    caldate c;
    if (caldate_parse(text, &c) != BK_OK)
        g_error("bad date in test table: %s", text);
    return c;
}

static rules_person person_from(const person_case *c)
{
    rules_person p = {0};
    p.birth = date_or_die(c->birth);
    p.on = date_or_die(c->on);
    p.applied = c->applied ? date_or_die(c->applied) : p.on;
    p.category = RULES_CATEGORY_THIRD_COUNTRY;
    if (c->category && rules_category_parse(c->category, &p.category) != BK_OK)
        g_error("bad category in test table: %s", c->category);
    if (c->photo) {
        p.has_photo = true;
        p.photo = date_or_die(c->photo);
    }
    if (c->fingerprints) {
        p.has_fingerprints = true;
        p.fingerprints = date_or_die(c->fingerprints);
    }
    if (c->signature) {
        p.has_signature = true;
        p.signature = date_or_die(c->signature);
    }
    p.fingerprints_poor = c->poor;
    return p;
}

#define ADULT "1990-04-15"

static const person_case cases[] = {
    /* under 1 and the first birthday */
    {"infant", "2025-06-01", NULL, "2026-05-31", NULL, NULL, NULL, NULL, FALSE, 0, FALSE, "by-post",
     "none", "none", FALSE, FALSE, "photo.under-1", "fingerprints.under-6", "signature.under-12"},
    {"day of 1st birthday", "2025-06-01", NULL, "2026-06-01", NULL, NULL, NULL, NULL, FALSE, 1,
     TRUE, "capture", "none", "none", FALSE, FALSE, "photo.child", "fingerprints.under-6",
     "signature.under-12"},
    /* 6 */
    {"day before 6", "2020-03-10", NULL, "2026-03-09", NULL, NULL, NULL, NULL, FALSE, 5, TRUE,
     "capture", "none", "none", FALSE, FALSE, "photo.child", "fingerprints.under-6",
     "signature.under-12"},
    {"day of 6", "2020-03-10", NULL, "2026-03-10", NULL, NULL, NULL, NULL, FALSE, 6, TRUE,
     "capture", "capture", "none", FALSE, FALSE, "photo.child", "fingerprints.none-on-file",
     "signature.under-12"},
    /* 12 */
    {"day before 12", "2014-07-20", NULL, "2026-07-19", NULL, NULL, "2020-08-01", NULL, FALSE, 11,
     TRUE, "capture", "reuse", "none", FALSE, FALSE, "photo.child", "fingerprints.on-file",
     "signature.under-12"},
    {"day of 12", "2014-07-20", NULL, "2026-07-20", NULL, NULL, "2020-08-01", NULL, FALSE, 12, TRUE,
     "capture", "capture", "capture", FALSE, FALSE, "photo.child", "fingerprints.milestone",
     "signature.minor"},
    /* 14: coming alone, judged on the appointment date */
    {"day before 14", "2012-11-05", NULL, "2026-11-04", NULL, NULL, "2024-12-01", NULL, FALSE, 13,
     TRUE, "capture", "reuse", "capture", FALSE, FALSE, "photo.child", "fingerprints.on-file",
     "signature.minor"},
    {"day of 14", "2012-11-05", NULL, "2026-11-05", NULL, NULL, "2024-12-01", NULL, FALSE, 14, TRUE,
     "capture", "reuse", "capture", FALSE, TRUE, "photo.child", "fingerprints.on-file",
     "signature.minor"},
    {"14 at appointment, 13 at application", "2012-11-05", "2026-10-01", "2026-11-05", NULL, NULL,
     "2024-12-01", NULL, FALSE, 13, TRUE, "capture", "reuse", "capture", FALSE, TRUE, "photo.child",
     "fingerprints.on-file", "signature.minor"},
    /* 18 */
    {"day before 18, recent photo", "2008-09-01", NULL, "2026-08-31", NULL, "2026-07-01",
     "2021-01-01", "2021-01-01", FALSE, 17, TRUE, "capture", "reuse", "capture", FALSE, TRUE,
     "photo.child", "fingerprints.on-file", "signature.minor"},
    {"day of 18, photo and signature given at 17", "2008-09-01", NULL, "2026-09-01", NULL,
     "2026-07-01", "2021-01-01", "2026-07-01", FALSE, 18, TRUE, "capture", "capture", "capture",
     FALSE, TRUE, "photo.milestone", "fingerprints.milestone", "signature.given-as-minor"},
    /* adults */
    {"adult, nothing on file", ADULT, NULL, "2026-11-22", NULL, NULL, NULL, NULL, FALSE, 36, TRUE,
     "capture", "capture", "capture", FALSE, TRUE, "photo.none-on-file",
     "fingerprints.none-on-file", "signature.none-on-file"},
    {"adult, everything reusable", ADULT, NULL, "2026-11-22", NULL, "2026-07-01", "2021-03-01",
     "2015-03-01", FALSE, 36, FALSE, "reuse", "reuse", "reuse", FALSE, TRUE, "photo.recent",
     "fingerprints.on-file", "signature.on-file"},
    {"adult, photo exactly 6 months old", ADULT, NULL, "2026-09-01", NULL, "2026-03-01",
     "2021-03-01", "2015-03-01", FALSE, 36, FALSE, "reuse", "reuse", "reuse", FALSE, TRUE,
     "photo.recent", "fingerprints.on-file", "signature.on-file"},
    {"adult, photo 6 months and a day old", ADULT, NULL, "2026-09-02", NULL, "2026-03-01",
     "2021-03-01", "2015-03-01", FALSE, 36, TRUE, "capture", "reuse", "reuse", FALSE, TRUE,
     "photo.too-old", "fingerprints.on-file", "signature.on-file"},
    {"adult, photo of 31 August, 28 February", ADULT, NULL, "2027-02-28", NULL, "2026-08-31",
     "2021-03-01", "2015-03-01", FALSE, 36, FALSE, "reuse", "reuse", "reuse", FALSE, TRUE,
     "photo.recent", "fingerprints.on-file", "signature.on-file"},
    {"adult, photo of 31 August, 1 March", ADULT, NULL, "2027-03-01", NULL, "2026-08-31",
     "2021-03-01", "2015-03-01", FALSE, 36, TRUE, "capture", "reuse", "reuse", FALSE, TRUE,
     "photo.too-old", "fingerprints.on-file", "signature.on-file"},
    {"adult, poor fingerprints", ADULT, NULL, "2026-11-22", NULL, "2026-07-01", "2021-03-01",
     "2015-03-01", TRUE, 36, TRUE, "reuse", "capture", "reuse", FALSE, TRUE, "photo.recent",
     "fingerprints.poor", "signature.on-file"},
    {"adult, signature on the 18th birthday", "2000-05-05", NULL, "2026-11-22", NULL, NULL,
     "2019-01-01", "2018-05-05", FALSE, 26, TRUE, "capture", "reuse", "reuse", FALSE, TRUE,
     "photo.none-on-file", "fingerprints.on-file", "signature.on-file"},
    {"adult, signature the day before 18", "2000-05-05", NULL, "2026-11-22", NULL, NULL,
     "2019-01-01", "2018-05-04", FALSE, 26, TRUE, "capture", "reuse", "capture", FALSE, TRUE,
     "photo.none-on-file", "fingerprints.on-file", "signature.given-as-minor"},
    /* categories */
    {"EU family member", ADULT, NULL, "2026-11-22", "eu-family-member", "2026-07-01", "2025-03-01",
     "2015-03-01", FALSE, 36, TRUE, "reuse", "capture", "reuse", FALSE, TRUE, "photo.recent",
     "fingerprints.eu-family-member", "signature.on-file"},
    {"EU family member under 6", "2022-01-01", NULL, "2026-11-22", "eu-family-member", NULL, NULL,
     NULL, FALSE, 4, TRUE, "capture", "none", "none", FALSE, FALSE, "photo.child",
     "fingerprints.under-6", "signature.under-12"},
    {"EU citizen, permanent residence", ADULT, NULL, "2026-11-22", "eu-citizen-permanent", NULL,
     NULL, NULL, FALSE, 36, TRUE, "capture", "none", "capture", TRUE, TRUE, "photo.none-on-file",
     "fingerprints.eu-citizen-permanent", "signature.none-on-file"},
    {"mvv abroad", ADULT, NULL, "2026-11-22", "mvv", NULL, NULL, NULL, FALSE, 36, FALSE, "none",
     "none", "none", FALSE, TRUE, "photo.mvv-abroad", "fingerprints.mvv-abroad",
     "signature.mvv-abroad"},
    {"mvv abroad, child", "2019-01-01", NULL, "2026-11-22", "mvv", NULL, NULL, NULL, FALSE, 7,
     FALSE, "none", "none", "none", FALSE, FALSE, "photo.mvv-abroad", "fingerprints.mvv-abroad",
     "signature.mvv-abroad"},
    {"third country, explicit", ADULT, NULL, "2026-11-22", "third-country", NULL, NULL, NULL, FALSE,
     36, TRUE, "capture", "capture", "capture", FALSE, TRUE, "photo.none-on-file",
     "fingerprints.none-on-file", "signature.none-on-file"},
    /* the age in the table is taken on the application date */
    {"5 at application, 6 at appointment", "2020-06-10", "2026-06-09", "2026-06-20", NULL, NULL,
     NULL, NULL, FALSE, 5, TRUE, "capture", "none", "none", FALSE, FALSE, "photo.child",
     "fingerprints.under-6", "signature.under-12"},
    {"0 at application, 1 at appointment", "2025-06-10", "2026-06-01", "2026-06-20", NULL, NULL,
     NULL, NULL, FALSE, 0, FALSE, "by-post", "none", "none", FALSE, FALSE, "photo.under-1",
     "fingerprints.under-6", "signature.under-12"},
    /* milestones after the previous fingerprints */
    {"prints at 7, now 11", "2014-01-01", NULL, "2025-12-01", NULL, NULL, "2021-06-01", NULL, FALSE,
     11, TRUE, "capture", "reuse", "none", FALSE, FALSE, "photo.child", "fingerprints.on-file",
     "signature.under-12"},
    {"prints at 12 on the birthday, now 13", "2013-01-01", NULL, "2026-02-01", NULL, NULL,
     "2025-01-01", NULL, FALSE, 13, TRUE, "capture", "reuse", "capture", FALSE, FALSE,
     "photo.child", "fingerprints.on-file", "signature.minor"},
    /* 29 February: a year older on 1 March in a non-leap year */
    {"29 Feb birth, 28 Feb at 17", "2008-02-29", NULL, "2026-02-28", NULL, "2026-01-10",
     "2020-03-01", NULL, FALSE, 17, TRUE, "capture", "reuse", "capture", FALSE, TRUE, "photo.child",
     "fingerprints.on-file", "signature.minor"},
    {"29 Feb birth, 1 March at 18", "2008-02-29", NULL, "2026-03-01", NULL, "2026-01-10",
     "2020-03-01", NULL, FALSE, 18, TRUE, "capture", "capture", "capture", FALSE, TRUE,
     "photo.milestone", "fingerprints.milestone", "signature.none-on-file"},
};

static const char *rule_of(const rules_plan *plan, rules_item item)
{
    for (size_t i = 0; i < plan->n_reasons; i++)
        if (plan->reasons[i].item == item)
            return plan->reasons[i].rule;
    return NULL;
}

static void test_cases(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const person_case *c = &cases[i];
        rules_person p = person_from(c);
        rules_plan plan;
        const char *problem = NULL;
        bk_err err = rules_decide(&p, &plan, &problem);
        if (err != BK_OK)
            g_error("%s: %s", c->name, problem);
        g_test_message("case: %s", c->name);
        g_assert_cmpint(plan.age, ==, c->age);
        g_assert_cmpint(plan.desk, ==, c->desk);
        /* nobody comes for nothing: at the desk means something is taken there */
        g_assert_true(!plan.desk || plan.photo == RULES_ACTION_CAPTURE ||
                      plan.fingerprints == RULES_ACTION_CAPTURE ||
                      plan.signature == RULES_ACTION_CAPTURE);
        g_assert_cmpstr(rules_action_str(plan.photo), ==, c->photo_action);
        g_assert_cmpstr(rules_action_str(plan.fingerprints), ==, c->fingerprints_action);
        g_assert_cmpstr(rules_action_str(plan.signature), ==, c->signature_action);
        g_assert_cmpint(plan.may_post, ==, c->may_post);
        g_assert_cmpint(plan.may_come_alone, ==, c->may_come_alone);
        g_assert_cmpstr(rule_of(&plan, RULES_ITEM_PHOTO), ==, c->photo_rule);
        g_assert_cmpstr(rule_of(&plan, RULES_ITEM_FINGERPRINTS), ==, c->fingerprints_rule);
        g_assert_cmpstr(rule_of(&plan, RULES_ITEM_SIGNATURE), ==, c->signature_rule);
        g_assert_cmpuint(plan.n_reasons, ==, RULES_ITEM_COUNT_);
        for (size_t r = 0; r < plan.n_reasons; r++) {
            g_assert_nonnull(plan.reasons[r].text);
            g_assert_nonnull(plan.reasons[r].source);
        }
    }
}

/* Every row of the table must decide at least one of the cases above: a row no case reaches is
 * either dead or untested. */
static void test_every_row_used(void)
{
    GHashTable *used = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        rules_person p = person_from(&cases[i]);
        rules_plan plan;
        g_assert_cmpint(rules_decide(&p, &plan, NULL), ==, BK_OK);
        for (size_t r = 0; r < plan.n_reasons; r++)
            g_hash_table_add(used, (gpointer)plan.reasons[r].rule);
    }
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < rules_table_size(); i++) {
        const rules_reason *row = rules_table_row(i);
        g_assert_false(g_hash_table_contains(ids, row->rule)); /* ids are unique */
        g_hash_table_add(ids, (gpointer)row->rule);
        if (!g_hash_table_contains(used, row->rule))
            g_error("rule row %s is not reached by any test case", row->rule);
        g_assert_true(
            g_str_has_prefix(row->rule, rules_item_str(row->item)) ||
            (row->item == RULES_ITEM_MAY_POST && g_str_has_prefix(row->rule, "may-post")) ||
            (row->item == RULES_ITEM_MAY_COME_ALONE &&
             g_str_has_prefix(row->rule, "may-come-alone")));
    }
    g_assert_null(rules_table_row(rules_table_size()));
    g_hash_table_unref(ids);
    g_hash_table_unref(used);
}

static void test_bad_input(void)
{
    static const struct {
        const char *birth, *applied, *on, *photo, *fingerprints, *signature;
        gboolean poor;
        const char *expect; /* a word the message must contain */
    } bad[] = {
        {"2026-11-23", NULL, "2026-11-22", NULL, NULL, NULL, FALSE,
         "birth date is after the appointment"},
        {"2026-01-10", "2026-01-09", "2026-11-22", NULL, NULL, NULL, FALSE,
         "birth date is after the application"},
        {ADULT, "2026-11-23", "2026-11-22", NULL, NULL, NULL, FALSE, "application date is after"},
        {"1890-01-01", NULL, "2026-11-22", NULL, NULL, NULL, FALSE, "130 years"},
        {ADULT, NULL, "2026-11-22", "2026-11-23", NULL, NULL, FALSE,
         "previous photo date is after"},
        {ADULT, NULL, "2026-11-22", NULL, "2026-12-01", NULL, FALSE,
         "previous fingerprints date is after"},
        {ADULT, NULL, "2026-11-22", NULL, NULL, "2027-01-01", FALSE,
         "previous signature date is after"},
        {ADULT, NULL, "2026-11-22", "1980-01-01", NULL, NULL, FALSE,
         "previous photo date is before the birth"},
        {ADULT, NULL, "2026-11-22", NULL, "1980-01-01", NULL, FALSE,
         "fingerprints date is before the birth"},
        {ADULT, NULL, "2026-11-22", NULL, NULL, "1980-01-01", FALSE,
         "signature date is before the birth"},
        {ADULT, NULL, "2026-11-22", NULL, NULL, NULL, TRUE, "marked poor"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        person_case c = {.name = "bad",
                         .birth = bad[i].birth,
                         .applied = bad[i].applied,
                         .on = bad[i].on,
                         .photo = bad[i].photo,
                         .fingerprints = bad[i].fingerprints,
                         .signature = bad[i].signature,
                         .poor = bad[i].poor};
        rules_person p = person_from(&c);
        rules_plan plan = {.age = -42};
        const char *problem = NULL;
        g_assert_cmpint(rules_decide(&p, &plan, &problem), ==, BK_ERR_INVALID);
        g_assert_nonnull(problem);
        if (strstr(problem, bad[i].expect) == NULL)
            g_error("case %zu: '%s' does not mention '%s'", i, problem, bad[i].expect);
        g_assert_cmpint(plan.age, ==, -42); /* the plan is written only on success */
    }

    /* impossible dates and an unknown category reach the engine only through the struct */
    rules_person p = {.birth = {2023, 2, 29}, .on = {2026, 1, 1}, .applied = {2026, 1, 1}};
    const char *problem = NULL;
    g_assert_cmpint(rules_validate(&p, &problem), ==, BK_ERR_INVALID);
    g_assert_nonnull(strstr(problem, "birth date is not a valid date"));
    p.birth = (caldate){2000, 1, 1};
    p.on = (caldate){2026, 4, 31};
    g_assert_cmpint(rules_validate(&p, &problem), ==, BK_ERR_INVALID);
    g_assert_nonnull(strstr(problem, "appointment date is not a valid date"));
    p.on = (caldate){2026, 4, 30};
    p.applied = (caldate){2026, 0, 1};
    g_assert_cmpint(rules_validate(&p, &problem), ==, BK_ERR_INVALID);
    p.applied = p.on;
    p.category = RULES_CATEGORY_COUNT_;
    g_assert_cmpint(rules_validate(&p, &problem), ==, BK_ERR_INVALID);
    g_assert_cmpstr(problem, ==, "unknown category");
    p.category = RULES_CATEGORY_THIRD_COUNTRY;
    p.has_photo = true;
    p.photo = (caldate){2026, 2, 30};
    g_assert_cmpint(rules_validate(&p, &problem), ==, BK_ERR_INVALID);
    g_assert_nonnull(strstr(problem, "previous photo date is not valid"));
    g_assert_cmpint(rules_validate(NULL, &problem), ==, BK_ERR_INVALID);
}

static void test_names(void)
{
    rules_category c;
    g_assert_cmpint(rules_category_parse("eu-family-member", &c), ==, BK_OK);
    g_assert_cmpint(c, ==, RULES_CATEGORY_EU_FAMILY_MEMBER);
    g_assert_cmpint(rules_category_parse("EU-family-member", &c), ==, BK_ERR_INVALID);
    g_assert_cmpint(rules_category_parse("", &c), ==, BK_ERR_INVALID);
    g_assert_cmpint(rules_category_parse(NULL, &c), ==, BK_ERR_INVALID);
    for (int i = 0; i < RULES_CATEGORY_COUNT_; i++) {
        g_assert_cmpint(rules_category_parse(rules_category_str((rules_category)i), &c), ==, BK_OK);
        g_assert_cmpint(c, ==, i);
    }
    rules_action a;
    for (int i = 0; i < RULES_ACTION_COUNT_; i++) {
        g_assert_cmpint(rules_action_parse(rules_action_str((rules_action)i), &a), ==, BK_OK);
        g_assert_cmpint(a, ==, i);
    }
    g_assert_cmpstr(rules_action_str(RULES_ACTION_BY_POST), ==, "by-post");
    g_assert_cmpstr(rules_category_str(RULES_CATEGORY_COUNT_), ==, "unknown");
    g_assert_cmpstr(bk_err_str(BK_ERR_COUNT_), ==, "unknown error");
    for (int i = 0; i < BK_ERR_COUNT_; i++)
        g_assert_cmpstr(bk_err_str((bk_err)i), !=, "unknown error");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rules/cases", test_cases);
    g_test_add_func("/rules/every-row-used", test_every_row_used);
    g_test_add_func("/rules/bad-input", test_bad_input);
    g_test_add_func("/rules/names", test_names);
    return g_test_run();
}
