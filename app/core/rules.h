/* The rules that decide what a person gives at the desk.
 *
 * Every rule of ../shared/docs/rules.md is one row of one table in rules.c, with the source line
 * next to it, so an interpretation can be changed in one place. For each item (photo,
 * fingerprints, signature, and the three yes/no answers) the rows are tried in order and the
 * first that applies decides; the plan keeps that row as the reason.
 *
 * Pure: no I/O, no clock (the dates come in), no allocation.
 */
#ifndef BIOKIOSK_RULES_H
#define BIOKIOSK_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"
#include "core/caldate.h"

typedef enum rules_category {
    RULES_CATEGORY_THIRD_COUNTRY,        /* "third-country": the ordinary case */
    RULES_CATEGORY_EU_FAMILY_MEMBER,     /* "eu-family-member": not an EU/EEA/Swiss national */
    RULES_CATEGORY_EU_CITIZEN_PERMANENT, /* "eu-citizen-permanent": duurzaam verblijf */
    RULES_CATEGORY_MVV,                  /* "mvv": visa applied for abroad or by a sponsor */
    RULES_CATEGORY_COUNT_
} rules_category;

typedef enum rules_action {
    RULES_ACTION_CAPTURE, /* "capture": taken at the desk today */
    RULES_ACTION_REUSE,   /* "reuse": what is on file is used again */
    RULES_ACTION_BY_POST, /* "by-post": the applicant posts it with the Bijlage fotokaart */
    RULES_ACTION_NONE,    /* "none": not needed, or not taken at this desk */
    RULES_ACTION_COUNT_
} rules_action;

typedef enum rules_item {
    RULES_ITEM_DESK,
    RULES_ITEM_PHOTO,
    RULES_ITEM_FINGERPRINTS,
    RULES_ITEM_SIGNATURE,
    RULES_ITEM_MAY_POST,
    RULES_ITEM_MAY_COME_ALONE,
    RULES_ITEM_COUNT_
} rules_item;

typedef struct rules_person {
    caldate birth;
    caldate applied; /* the application date: ages in the table are taken on this day */
    caldate on;      /* the appointment date */
    rules_category category;
    bool has_photo;
    caldate photo; /* date of the photo on file, when has_photo */
    bool has_fingerprints;
    caldate fingerprints;   /* date of the fingerprints on file, when has_fingerprints */
    bool fingerprints_poor; /* the fingerprints on file were of insufficient quality */
    bool has_signature;
    caldate signature; /* date of the signature on file, when has_signature */
} rules_person;

/* One decision and the table row it came from. The strings are static (transfer none). */
typedef struct rules_reason {
    rules_item item;
    const char *rule;   /* stable row id, e.g. "fingerprints.milestone" */
    const char *text;   /* one English sentence for staff */
    const char *source; /* where the rule stands in the source documents */
} rules_reason;

typedef struct rules_plan {
    int age;                /* whole years on the application date */
    int age_on_appointment; /* whole years on the appointment date */
    bool desk;              /* false when nothing at all is handled at this desk */
    rules_action photo;
    rules_action fingerprints;
    rules_action signature;
    bool may_post;       /* photo and signature may be posted with the Bijlage fotokaart instead */
    bool may_come_alone; /* 14 or over on the appointment date */
    rules_reason reasons[RULES_ITEM_COUNT_]; /* one per item, in rules_item order */
    size_t n_reasons;
} rules_plan;

/* Checks that the person's dates fit together. On BK_ERR_INVALID, *problem (when not NULL) is
 * set to one static English line naming the problem. */
bk_err rules_validate(const rules_person *person, const char **problem);

/* Decides the plan for a person; validates first (same errors as rules_validate). Writes *plan
 * only on success. */
bk_err rules_decide(const rules_person *person, rules_plan *plan, const char **problem);

/* Names used on the command line, in JSON and in the store. */
const char *rules_category_str(rules_category category);
bk_err rules_category_parse(const char *text, rules_category *out);
const char *rules_action_str(rules_action action);
bk_err rules_action_parse(const char *text, rules_action *out);
const char *rules_item_str(rules_item item);

/* The whole table, for documentation and tests: row i of n (NULL past the end). */
const rules_reason *rules_table_row(size_t i);
size_t rules_table_size(void);

#endif
