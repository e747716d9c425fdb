/* biokiosk appointment: codes, the back-office import, and the answers the kiosk gets for a
 * code (check, checkin, complete, no-show, release), staff lookup, and a demo set. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cmdstore.h"
#include "cli/commands.h"
#include "core/rules.h"
#include "store/store.h"

#define CMD "appointment"

static void add_date(JsonBuilder *b, const char *name, bool has, caldate d)
{
    json_builder_set_member_name(b, name);
    if (!has) {
        json_builder_add_null_value(b);
        return;
    }
    char buf[11];
    caldate_format(d, buf);
    json_builder_add_string_value(b, buf);
}

static void add_person(JsonBuilder *b, const store_person *p)
{
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "v_number");
    json_builder_add_string_value(b, p->v_number);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, p->name);
    add_date(b, "birth_date", true, p->rules.birth);
    json_builder_set_member_name(b, "category");
    json_builder_add_string_value(b, rules_category_str(p->rules.category));
    add_date(b, "applied", true, p->rules.applied);
    json_builder_set_member_name(b, "born_in_nl");
    json_builder_add_boolean_value(b, p->born_in_nl);
    json_builder_set_member_name(b, "previous");
    json_builder_begin_object(b);
    add_date(b, "photo", p->rules.has_photo, p->rules.photo);
    add_date(b, "fingerprints", p->rules.has_fingerprints, p->rules.fingerprints);
    json_builder_set_member_name(b, "fingerprints_poor");
    json_builder_add_boolean_value(b, p->rules.fingerprints_poor);
    add_date(b, "signature", p->rules.has_signature, p->rules.signature);
    json_builder_end_object(b);
    rules_plan plan;
    const char *problem = NULL;
    json_builder_set_member_name(b, "plan");
    if (rules_decide(&p->rules, &plan, &problem) == BK_OK)
        cli_add_plan(b, &plan);
    else
        json_builder_add_null_value(b);
    json_builder_end_object(b);
}

static void add_appointment(JsonBuilder *b, const store_appointment *a, bool with_persons)
{
    char code[APPTCODE_FORMATTED_LEN + 1], start[26];
    apptcode_format(a->code, code);
    store_time_format(a->start, a->offset_minutes, start);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "code");
    json_builder_add_string_value(b, code);
    json_builder_set_member_name(b, "desk");
    json_builder_add_string_value(b, a->desk);
    json_builder_set_member_name(b, "start");
    json_builder_add_string_value(b, start);
    json_builder_set_member_name(b, "minutes");
    json_builder_add_int_value(b, a->minutes);
    json_builder_set_member_name(b, "urgent");
    json_builder_add_boolean_value(b, a->urgent);
    json_builder_set_member_name(b, "status");
    json_builder_add_string_value(b, store_status_str(a->status));
    json_builder_set_member_name(b, "kiosk");
    if (a->kiosk != NULL)
        json_builder_add_string_value(b, a->kiosk);
    else
        json_builder_add_null_value(b);
    if (with_persons) {
        json_builder_set_member_name(b, "persons");
        json_builder_begin_array(b);
        for (size_t i = 0; i < a->n_persons; i++)
            add_person(b, &a->persons[i]);
        json_builder_end_array(b);
    }
    json_builder_end_object(b);
}

static int store_error(bk_err err)
{
    if (err == BK_ERR_INVALID)
        return cli_usage_error(CMD, "invalid request");
    g_printerr("biokiosk %s: the store failed: %s\n", CMD, bk_err_str(err));
    return CLI_EXIT_UNAVAILABLE;
}

/* ---- new-code ---- */

static int new_code(int argc, char **argv)
{
    int count = 1;
    const GOptionEntry entries[] = {
        {"count", 'n', 0, G_OPTION_ARG_INT, &count, "How many codes (default 1)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD " new-code", NULL, "Prints fresh random valid codes, one a line.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc > 1)
        return cli_usage_error(CMD, "new-code: unexpected argument '%s'", argv[1]);
    if (count < 1 || count > 100000)
        return cli_usage_error(CMD, "new-code: --count must be from 1 to 100000");
    if (sodium_init() < 0)
        return store_error(BK_ERR_INTERNAL);
    for (int i = 0; i < count; i++) {
        unsigned char bytes[APPTCODE_RANDOM_BYTES];
        char code[APPTCODE_LEN + 1], shown[APPTCODE_FORMATTED_LEN + 1];
        randombytes_buf(bytes, sizeof bytes);
        apptcode_from_bytes(bytes, code);
        apptcode_format(code, shown);
        printf("%s\n", shown);
    }
    return CLI_EXIT_OK;
}

/* ---- unnecessary: booked appointments on which nobody has anything to give ---- */

/* True when a is booked and no person on it has anything to give at the desk (rules: desk
 * false for everyone); a person whose plan cannot be decided counts as having to come. */
static bool nobody_comes(const store_appointment *a)
{
    if (a->status != STORE_STATUS_BOOKED || a->n_persons == 0)
        return false;
    for (size_t i = 0; i < a->n_persons; i++) {
        rules_plan plan;
        if (rules_decide(&a->persons[i].rules, &plan, NULL) != BK_OK || plan.desk)
            return false;
    }
    return true;
}

/* Adds to the open array of b each appointment of list on which nobody comes for anything;
 * when only is not NULL, only those whose canonical code is in it. */
static void add_unnecessary(JsonBuilder *b, const store_appointment_list *list, GHashTable *only)
{
    for (size_t i = 0; i < list->n; i++) {
        const store_appointment *a = list->items[i];
        if ((only != NULL && !g_hash_table_contains(only, a->code)) || !nobody_comes(a))
            continue;
        char code[APPTCODE_FORMATTED_LEN + 1], start[26];
        apptcode_format(a->code, code);
        store_time_format(a->start, a->offset_minutes, start);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "code");
        json_builder_add_string_value(b, code);
        json_builder_set_member_name(b, "start");
        json_builder_add_string_value(b, start);
        json_builder_set_member_name(b, "persons");
        json_builder_add_int_value(b, (gint64)a->n_persons);
        json_builder_end_object(b);
    }
}

/* The appointment's day in its own offset, from its "start" text. */
static bool start_day(const char *start, caldate *day)
{
    int64_t seconds = 0;
    int offset = 0;
    if (start == NULL || store_time_parse(start, &seconds, &offset) != BK_OK)
        return false;
    int64_t local = seconds + (int64_t)offset * 60;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    *day = caldate_from_days((long)days);
    return true;
}

/* The "unnecessary" member of the import's answer: the file's appointments (as stored after
 * the import) on which nobody has anything to give. The file was valid (the import took it). */
static bk_err add_import_unnecessary(JsonBuilder *b, store *s, const char *text, gsize length)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    json_builder_set_member_name(b, "unnecessary");
    json_builder_begin_array(b);
    bk_err err = BK_OK;
    JsonArray *items = NULL;
    if (json_parser_load_from_data(parser, text, (gssize)length, NULL) &&
        JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        JsonObject *root = json_node_get_object(json_parser_get_root(parser));
        if (json_object_has_member(root, "appointments"))
            items = json_object_get_array_member(root, "appointments");
    }
    g_autoptr(GHashTable) codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) days = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; items != NULL && i < json_array_get_length(items); i++) {
        JsonObject *o = json_array_get_object_element(items, i);
        const char *typed = json_object_get_string_member_with_default(o, "code", "");
        const char *desk = json_object_get_string_member_with_default(o, "desk", NULL);
        char canonical[APPTCODE_LEN + 1];
        caldate day;
        if (desk == NULL || apptcode_parse(typed, canonical) != APPTCODE_OK ||
            !start_day(json_object_get_string_member_with_default(o, "start", NULL), &day))
            continue;
        g_hash_table_add(codes, g_strdup(canonical));
        char date[11];
        caldate_format(day, date);
        /* desk and day, one list each: "YYYY-MM-DD desk" */
        g_hash_table_add(days, g_strdup_printf("%s %s", date, desk));
    }
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, days);
    while (err == BK_OK && g_hash_table_iter_next(&it, &key, NULL)) {
        const char *pair = key;
        caldate day;
        char date[11];
        g_strlcpy(date, pair, sizeof date);
        store_appointment_list *list = NULL;
        if (caldate_parse(date, &day) == BK_OK &&
            (err = store_list_day(s, pair + 11, day, &list)) == BK_OK) {
            add_unnecessary(b, list, codes);
            store_appointment_list_free(list);
        }
    }
    json_builder_end_array(b);
    return err;
}

static int unnecessary(int argc, char **argv)
{
    g_autofree char *store_uri = NULL, *config_path = NULL, *desk = NULL, *date = NULL;
    const GOptionEntry entries[] = {
        {"desk", 0, 0, G_OPTION_ARG_STRING, &desk, "The desk (default: kiosk.desk)", "DESK"},
        {"date", 0, 0, G_OPTION_ARG_STRING, &date, "The day (required)", "YYYY-MM-DD"},
        {"store", 0, 0, G_OPTION_ARG_STRING, &store_uri, "The store (default: store.uri)", "URI"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD " unnecessary", NULL,
                           "Lists the booked appointments of a desk's day on which nobody has "
                           "anything to give at the desk (everything on file is used again), so "
                           "their slots can be freed.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc > 1)
        return cli_usage_error(CMD, "unnecessary: unexpected argument '%s'", argv[1]);
    caldate day;
    if (date == NULL || caldate_parse(date, &day) != BK_OK)
        return cli_usage_error(CMD, "unnecessary: --date YYYY-MM-DD is required");
    store *s = NULL;
    config *cfg = NULL;
    int rc = cmdstore_open(CMD, store_uri, config_path, &s, &cfg);
    if (rc != CLI_EXIT_OK)
        return rc;
    const char *at = desk != NULL  ? desk
                     : cfg != NULL ? config_get_string(cfg, CONFIG_KIOSK_DESK)
                                   : NULL;
    store_appointment_list *list = NULL;
    bk_err err = at != NULL ? store_list_day(s, at, day, &list) : BK_OK;
    store_free(s);
    config_free(cfg);
    if (at == NULL)
        return cli_usage_error(CMD, "unnecessary: --desk is required");
    if (err != BK_OK)
        return store_error(err);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "unnecessary");
    json_builder_begin_array(b);
    add_unnecessary(b, list, NULL);
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    store_appointment_list_free(list);
    return CLI_EXIT_OK;
}

/* ---- import ---- */

static int import(int argc, char **argv)
{
    g_autofree char *store_uri = NULL, *config_path = NULL;
    const GOptionEntry entries[] = {
        {"store", 0, 0, G_OPTION_ARG_STRING, &store_uri, "The store (default: store.uri)", "URI"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD " import", "FILE.json",
                           "Imports a back-office file in one transaction.", entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 2)
        return cli_usage_error(CMD, "import: name one FILE.json");
    g_autofree char *text = NULL;
    gsize length = 0;
    if (!g_file_get_contents(argv[1], &text, &length, NULL))
        return cli_usage_error(CMD, "import: cannot read %s", argv[1]);
    store *s = NULL;
    int rc = cmdstore_open(CMD, store_uri, config_path, &s, NULL);
    if (rc != CLI_EXIT_OK)
        return rc;
    store_import_report *report = NULL;
    bk_err err = store_import(s, text, length, &report);
    if (err != BK_OK)
        store_free(s);
    if (err == BK_ERR_INVALID && report != NULL) {
        g_autofree char *base = g_path_get_basename(argv[1]);
        for (size_t i = 0; i < report->n_problems; i++)
            g_printerr("biokiosk %s: %s: %s\n", CMD, base, report->problems[i]);
        store_import_report_free(report);
        return CLI_EXIT_USAGE;
    }
    if (err != BK_OK)
        return store_error(err);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "result");
    json_builder_add_string_value(b, report->n_conflicts > 0 ? "conflicts" : "ok");
    json_builder_set_member_name(b, "added");
    json_builder_add_int_value(b, (gint64)report->added);
    json_builder_set_member_name(b, "updated");
    json_builder_add_int_value(b, (gint64)report->updated);
    json_builder_set_member_name(b, "unchanged");
    json_builder_add_int_value(b, (gint64)report->unchanged);
    json_builder_set_member_name(b, "conflicts");
    json_builder_begin_array(b);
    for (size_t i = 0; i < report->n_conflicts; i++)
        json_builder_add_string_value(b, report->conflicts[i]);
    json_builder_end_array(b);
    /* Besides importing: the file's booked appointments on which nobody has anything to give. */
    err = add_import_unnecessary(b, s, text, length);
    store_free(s);
    if (err != BK_OK) {
        g_object_unref(b);
        store_import_report_free(report);
        return store_error(err);
    }
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    rc = report->n_conflicts > 0 ? CLI_EXIT_NO : CLI_EXIT_OK;
    store_import_report_free(report);
    return rc;
}

/* ---- purge ---- */

static int purge(int argc, char **argv)
{
    g_autofree char *store_uri = NULL, *config_path = NULL, *today_text = NULL;
    int days = G_MININT; /* not given */
    const GOptionEntry entries[] = {
        {"days", 0, 0, G_OPTION_ARG_INT, &days, "Keep this many days (default: store.keep_days)",
         "N"},
        {"today", 0, 0, G_OPTION_ARG_STRING, &today_text, "The day to count from (default: today)",
         "YYYY-MM-DD"},
        {"store", 0, 0, G_OPTION_ARG_STRING, &store_uri, "The store (default: store.uri)", "URI"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD " purge", "",
                           "Deletes the persons of completed, no-show and cancelled appointments "
                           "older than the days to keep.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 1)
        return cli_usage_error(CMD, "purge: unexpected argument '%s'", argv[1]);
    caldate today = {0};
    if (today_text != NULL && caldate_parse(today_text, &today) != BK_OK)
        return cli_usage_error(CMD, "purge: --today must be YYYY-MM-DD");
    if (days != G_MININT && days < 0)
        return cli_usage_error(CMD, "purge: --days must be 0 or more (not %d)", days);
    store *s = NULL;
    config *cfg = NULL;
    int rc = cmdstore_open(CMD, store_uri, config_path, &s, &cfg);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (days == G_MININT)
        days = cfg != NULL ? (int)config_get_int(cfg, CONFIG_STORE_KEEP_DAYS)
                           : STORE_KEEP_DAYS_DEFAULT;
    config_free(cfg);
    size_t purged = 0;
    bk_err err = today_text != NULL ? store_purge_persons(s, today, days, &purged)
                                    : store_purge_persons_today(s, days, &purged);
    store_free(s);
    if (err != BK_OK)
        return store_error(err);
    printf("{\"purged\":%zu}\n", purged);
    return CLI_EXIT_OK;
}

/* ---- check, checkin, complete, no-show, release ---- */

typedef bk_err (*answer_fn)(store *s, const char *typed_code, const store_arrival *arrival,
                            store_result *result, char code[static APPTCODE_LEN + 1],
                            store_appointment **appointment);

static int answer(const char *sub, answer_fn fn, bool needs_kiosk, int argc, char **argv)
{
    g_autofree char *store_uri = NULL, *config_path = NULL, *desk = NULL, *kiosk = NULL;
    g_autofree char *at = NULL;
    int early = -1, late = -1;
    gboolean override = FALSE;
    const GOptionEntry entries[] = {
        {"desk", 0, 0, G_OPTION_ARG_STRING, &desk, "The asking desk (default: kiosk.desk)", "DESK"},
        {"kiosk", 0, 0, G_OPTION_ARG_STRING, &kiosk, "The asking kiosk (default: kiosk.id)", "ID"},
        {"at", 0, 0, G_OPTION_ARG_STRING, &at, "The time (default: now)",
         "2026-11-23T09:30:00+01:00"},
        {"early-minutes", 0, 0, G_OPTION_ARG_INT, &early,
         "Accept from this long before the start (default: arrival.early_minutes, 30)", "MIN"},
        {"late-minutes", 0, 0, G_OPTION_ARG_INT, &late,
         "Accept until this long after the start (default: arrival.late_minutes, 15)", "MIN"},
        {"override-window", 0, 0, G_OPTION_ARG_NONE, &override,
         "Staff override: ignore the day and the arrival window", NULL},
        {"store", 0, 0, G_OPTION_ARG_STRING, &store_uri, "The store (default: store.uri)", "URI"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autofree char *title = g_strdup_printf(CMD " %s", sub);
    if (!cli_parse_options(title, "CODE", "Answers for an appointment code, as one JSON object.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc != 2)
        return cli_usage_error(CMD, "%s: name one CODE", sub);
    if (early > 24 * 60 || late > 24 * 60)
        return cli_usage_error(CMD, "%s: --early-minutes and --late-minutes are at most 1440", sub);
    store_arrival arr = {0};
    if (at == NULL) {
        arr.now = g_get_real_time() / G_USEC_PER_SEC;
    } else if (store_time_parse(at, &arr.now, NULL) != BK_OK) {
        return cli_usage_error(CMD,
                               "%s: --at: '%s' is not a time with offset "
                               "(2026-11-23T09:30:00+01:00)",
                               sub, at);
    }
    store *s = NULL;
    config *cfg = NULL;
    int rc = cmdstore_open(CMD, store_uri, config_path, &s, &cfg);
    if (rc != CLI_EXIT_OK)
        return rc;
    arr.desk = desk != NULL ? desk : cfg != NULL ? config_get_string(cfg, CONFIG_KIOSK_DESK) : NULL;
    arr.kiosk = kiosk != NULL ? kiosk
                : cfg != NULL ? config_get_string(cfg, CONFIG_KIOSK_ID)
                              : NULL;
    arr.early_minutes = early >= 0    ? early
                        : cfg != NULL ? (int)config_get_int(cfg, CONFIG_ARRIVAL_EARLY_MINUTES)
                                      : 30;
    arr.late_minutes = late >= 0     ? late
                       : cfg != NULL ? (int)config_get_int(cfg, CONFIG_ARRIVAL_LATE_MINUTES)
                                     : 15;
    arr.ignore_window = override;
    if (arr.desk == NULL) {
        rc = cli_usage_error(CMD, "%s: --desk is required", sub);
    } else if (needs_kiosk && arr.kiosk == NULL) {
        rc = cli_usage_error(CMD, "%s: --kiosk is required", sub);
    } else {
        store_result result;
        char code[APPTCODE_LEN + 1] = "";
        store_appointment *a = NULL;
        bk_err err = fn(s, argv[1], &arr, &result, code, &a);
        if (err != BK_OK) {
            rc = store_error(err);
        } else {
            JsonBuilder *b = json_builder_new();
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "result");
            json_builder_add_string_value(b, store_result_str(result));
            json_builder_set_member_name(b, "code");
            if (code[0] != '\0') {
                char shown[APPTCODE_FORMATTED_LEN + 1];
                apptcode_format(code, shown);
                json_builder_add_string_value(b, shown);
            } else {
                json_builder_add_null_value(b);
            }
            json_builder_set_member_name(b, "appointment");
            if (a != NULL)
                add_appointment(b, a, result == STORE_RESULT_OK);
            else
                json_builder_add_null_value(b);
            json_builder_end_object(b);
            cli_print_json(b);
            g_object_unref(b);
            store_appointment_free(a);
            rc = result == STORE_RESULT_OK ? CLI_EXIT_OK : CLI_EXIT_NO;
        }
    }
    store_free(s);
    config_free(cfg);
    return rc;
}

/* ---- find ---- */

static int find(int argc, char **argv)
{
    g_autofree char *store_uri = NULL, *config_path = NULL, *v_number = NULL, *name = NULL;
    g_autofree char *birth = NULL;
    const GOptionEntry entries[] = {
        {"v-number", 0, 0, G_OPTION_ARG_STRING, &v_number, "The V-number", "N"},
        {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Full name (with --birth-date)", "TEXT"},
        {"birth-date", 0, 0, G_OPTION_ARG_STRING, &birth, "Date of birth", "YYYY-MM-DD"},
        {"store", 0, 0, G_OPTION_ARG_STRING, &store_uri, "The store (default: store.uri)", "URI"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD " find", NULL,
                           "Finds appointments by V-number, or by name and birth date.", entries,
                           &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc > 1)
        return cli_usage_error(CMD, "find: unexpected argument '%s'", argv[1]);
    caldate bd = {0};
    if ((v_number == NULL) == (name == NULL))
        return cli_usage_error(CMD, "find: give --v-number, or --name with --birth-date");
    if (name != NULL && (birth == NULL || caldate_parse(birth, &bd) != BK_OK))
        return cli_usage_error(CMD, "find: --name needs --birth-date YYYY-MM-DD");
    store *s = NULL;
    int rc = cmdstore_open(CMD, store_uri, config_path, &s, NULL);
    if (rc != CLI_EXIT_OK)
        return rc;
    store_appointment_list *list = NULL;
    bk_err err = v_number != NULL ? store_find_by_v_number(s, v_number, &list)
                                  : store_find_by_name(s, name, bd, &list);
    store_free(s);
    if (err != BK_OK)
        return store_error(err);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "appointments");
    json_builder_begin_array(b);
    for (size_t i = 0; i < list->n; i++)
        add_appointment(b, list->items[i], true);
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    rc = list->n > 0 ? CLI_EXIT_OK : CLI_EXIT_NO;
    store_appointment_list_free(list);
    return rc;
}

/* ---- demo-set ---- */

/* One person of the demo: age in years and days before the appointment day, and what is on
 * file (days before the appointment; 0 = nothing). */
typedef struct demo_person {
    const char *name;
    int years, extra_days;
    const char *category;
    bool born_in_nl;
    int photo_days, fingerprints_days, signature_days;
    bool poor;
} demo_person;

typedef struct demo_visit {
    const char *what; /* not in the file; for the reader of this table */
    const char *status;
    bool urgent;
    demo_person persons[4];
} demo_visit;

static const demo_visit demo_visits[] = {
    {"adult, nothing on file",
     "booked",
     false,
     {{"Amira Haddad", 34, 120, "third-country", false, 0, 0, 0, false}}},
    {"adult, everything on file can be reused",
     "booked",
     false,
     {{"Mateo Alvarez Ruiz", 41, 30, "third-country", false, 60, 700, 700, false}}},
    {"parent with an infant (photo posted) and children of 8 and 15",
     "booked",
     false,
     {{"Olena Kovalenko", 36, 200, "third-country", false, 0, 0, 0, false},
      {"Sofiia Kovalenko", 0, 120, "third-country", true, 0, 0, 0, false},
      {"Taras Kovalenko", 8, 40, "third-country", false, 0, 0, 0, false},
      {"Iryna Kovalenko", 15, 300, "third-country", false, 0, 0, 0, false}}},
    {"EU family member",
     "booked",
     false,
     {{"Kwame Mensah", 29, 15, "eu-family-member", false, 0, 0, 0, false}}},
    {"EU citizen, permanent residence",
     "booked",
     false,
     {{"Lucia Romano", 52, 90, "eu-citizen-permanent", false, 0, 0, 0, false}}},
    {"mvv applied abroad",
     "booked",
     false,
     {{"Nguyen Thi Lan", 27, 10, "mvv", false, 0, 0, 0, false}}},
    {"adult, fingerprints on file were poor",
     "booked",
     true,
     {{"Ahmet Yilmaz", 45, 5, "third-country", false, 90, 400, 400, true}}},
    {"cancelled appointment",
     "cancelled",
     false,
     {{"Daniel Okafor", 31, 60, "third-country", false, 0, 0, 0, false}}},
};

/* With --around and --now: minutes between the demo's appointments, so that all eight open for
 * check-in (30 minutes before their start) at the time given: the last starts 3 + 7 * 3 to
 * 7 + 7 * 3 = 28 minutes after it, the first closes (15 minutes after its start) 18 to 22
 * minutes after it. */
#define DEMO_EVERY_NEAR 3

static caldate days_before(caldate d, int days)
{
    return caldate_from_days(caldate_to_days(d) - days);
}

static void demo_code(const char *desk, const char *date, size_t i,
                      char code[static APPTCODE_LEN + 1], char v_seed[static 9])
{
    /* Derived from desk, date and index: the same demo set every time for one day and desk, so
     * importing it again changes nothing. */
    g_autofree char *seed = g_strdup_printf("biokiosk-demo|%s|%s|%zu", desk, date, i);
    g_autofree char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, seed, -1);
    unsigned char bytes[APPTCODE_RANDOM_BYTES];
    for (int k = 0; k < APPTCODE_RANDOM_BYTES; k++)
        bytes[k] =
            (unsigned char)g_ascii_strtoull((char[]){hex[2 * k], hex[2 * k + 1], 0}, NULL, 16);
    apptcode_from_bytes(bytes, code);
    unsigned long long v = g_ascii_strtoull(
        (char[]){hex[10], hex[11], hex[12], hex[13], hex[14], hex[15], 0}, NULL, 16);
    g_snprintf(v_seed, 9, "%06llu", v % 1000000ULL);
}

/* One person of the demo set, dated from the appointment's day. */
static void demo_person_json(JsonBuilder *b, const demo_person *p, const char *v_number,
                             caldate day)
{
    caldate birth = days_before(caldate_add_months(day, -12 * p->years), p->extra_days);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "v_number");
    json_builder_add_string_value(b, v_number);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, p->name);
    add_date(b, "birth_date", true, birth);
    json_builder_set_member_name(b, "category");
    json_builder_add_string_value(b, p->category);
    add_date(b, "applied", true, days_before(day, 21));
    json_builder_set_member_name(b, "born_in_nl");
    json_builder_add_boolean_value(b, p->born_in_nl);
    json_builder_set_member_name(b, "previous");
    json_builder_begin_object(b);
    if (p->photo_days > 0)
        add_date(b, "photo", true, days_before(day, p->photo_days));
    if (p->fingerprints_days > 0)
        add_date(b, "fingerprints", true, days_before(day, p->fingerprints_days));
    if (p->poor) {
        json_builder_set_member_name(b, "fingerprints_poor");
        json_builder_add_boolean_value(b, true);
    }
    if (p->signature_days > 0)
        add_date(b, "signature", true, days_before(day, p->signature_days));
    json_builder_end_object(b);
    json_builder_end_object(b);
}

/* Around a time (minute of the day): the first appointment 3 to 7 minutes after it, on a
 * multiple of 5 minutes, so that two calls a moment apart agree. */
static int demo_first_after(int minute)
{
    return (minute + 3 + 4) / 5 * 5;
}

/* The demo's day and first minute from --date, --first, --around and --now (times in the
 * desk's zone tz); 0 or a usage error. */
static int demo_when(GTimeZone *tz, const char *date, const char *first, const char *around,
                     gboolean now, caldate *day, int *minute, char **date_out)
{
    int hh = 9, mm = 0;
    if ((first != NULL) + (around != NULL) + (now != FALSE) > 1)
        return cli_usage_error(CMD, "demo-set: give one of --first, --around and --now");
    if (now) {
        GDateTime *dt = g_date_time_new_now(tz);
        *day = (caldate){g_date_time_get_year(dt), g_date_time_get_month(dt),
                         g_date_time_get_day_of_month(dt)};
        hh = g_date_time_get_hour(dt);
        mm = g_date_time_get_minute(dt);
        g_date_time_unref(dt);
        if (date == NULL) {
            *date_out = g_malloc(11);
            caldate_format(*day, *date_out);
        }
    }
    if (date != NULL && (caldate_parse(date, day) != BK_OK || day->year < 1950))
        return cli_usage_error(CMD, "demo-set: --date must be YYYY-MM-DD");
    if (date == NULL && !now)
        return cli_usage_error(CMD, "demo-set: --date YYYY-MM-DD (or --now) is required");
    const char *hhmm = first != NULL ? first : around;
    if (hhmm != NULL &&
        (sscanf(hhmm, "%2d:%2d", &hh, &mm) != 2 || hh < 0 || hh > 20 || mm < 0 || mm > 59))
        return cli_usage_error(CMD, "demo-set: --first and --around must be HH:MM, at most 20:59");
    *minute = around != NULL || now ? demo_first_after(hh * 60 + mm) : hh * 60 + mm;
    return 0;
}

static int demo_set(int argc, char **argv)
{
    g_autofree char *desk = NULL, *date = NULL, *first = NULL, *around = NULL;
    int every = -1;
    gboolean list = FALSE, now = FALSE;
    const GOptionEntry entries[] = {
        {"desk", 0, 0, G_OPTION_ARG_STRING, &desk, "The desk (required)", "DESK"},
        {"date", 0, 0, G_OPTION_ARG_STRING, &date, "The day (required unless --now)", "YYYY-MM-DD"},
        {"first", 0, 0, G_OPTION_ARG_STRING, &first, "Start of the first appointment (09:00)",
         "HH:MM"},
        {"around", 0, 0, G_OPTION_ARG_STRING, &around,
         "Around this time (the desk's local time): the first appointment 3 to 7 minutes later, "
         "every one open for check-in at that time",
         "HH:MM"},
        {"now", 0, 0, G_OPTION_ARG_NONE, &now,
         "As --around with the current time, on today's date (at the desk)", NULL},
        {"every", 0, 0, G_OPTION_ARG_INT, &every,
         "Minutes between appointments (30; 3 with --around or --now)", "MIN"},
        {"list", 0, 0, G_OPTION_ARG_NONE, &list,
         "Print the codes with the time and the kind of visit instead of the JSON", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD " demo-set", NULL,
                           "Prints an import file with one appointment of every kind of visit.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    caldate day = {0};
    int start_minute = 0;
    if (argc > 1)
        return cli_usage_error(CMD, "demo-set: unexpected argument '%s'", argv[1]);
    if (desk == NULL || *desk == '\0')
        return cli_usage_error(CMD, "demo-set: --desk is required");
    bool near = around != NULL || now;
    if (every < 0)
        every = near ? DEMO_EVERY_NEAR : 30;
    if (every < 1 || every > 120)
        return cli_usage_error(CMD, "demo-set: --every must be from 1 to 120");
    /* The desks are in the Netherlands: the offset of Amsterdam on that day. */
    GTimeZone *tz = g_time_zone_new_identifier("Europe/Amsterdam");
    if (tz == NULL)
        tz = g_time_zone_new_offset(3600);
    g_autofree char *today = NULL;
    int rc = demo_when(tz, date, first, around, now, &day, &start_minute, &today);
    if (rc != 0) {
        g_time_zone_unref(tz);
        return rc;
    }
    if (date == NULL)
        date = g_steal_pointer(&today);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "appointments");
    json_builder_begin_array(b);
    for (size_t i = 0; i < G_N_ELEMENTS(demo_visits); i++) {
        const demo_visit *v = &demo_visits[i];
        GDateTime *midnight = g_date_time_new(tz, day.year, day.month, day.day, 0, 0, 0);
        GDateTime *dt = g_date_time_add_minutes(midnight, start_minute + (int)i * every);
        g_date_time_unref(midnight);
        char start[26];
        store_time_format(g_date_time_to_unix(dt),
                          (int)(g_date_time_get_utc_offset(dt) / G_TIME_SPAN_MINUTE), start);
        g_date_time_unref(dt);
        char code[APPTCODE_LEN + 1], shown[APPTCODE_FORMATTED_LEN + 1], vseed[9];
        demo_code(desk, date, i, code, vseed);
        apptcode_format(code, shown);
        if (list) {
            printf("%s  %.5s  %s\n", shown, start + 11, v->what);
            continue;
        }
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "code");
        json_builder_add_string_value(b, shown);
        json_builder_set_member_name(b, "desk");
        json_builder_add_string_value(b, desk);
        json_builder_set_member_name(b, "start");
        json_builder_add_string_value(b, start);
        json_builder_set_member_name(b, "minutes");
        json_builder_add_int_value(b, 20);
        json_builder_set_member_name(b, "status");
        json_builder_add_string_value(b, v->status);
        json_builder_set_member_name(b, "urgent");
        json_builder_add_boolean_value(b, v->urgent);
        json_builder_set_member_name(b, "persons");
        json_builder_begin_array(b);
        for (size_t k = 0; k < G_N_ELEMENTS(v->persons) && v->persons[k].name != NULL; k++) {
            char vnum[16];
            g_snprintf(vnum, sizeof vnum, "30%s%02zu", vseed, k);
            demo_person_json(b, &v->persons[k], vnum, day);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_time_zone_unref(tz);
    if (list) {
        g_object_unref(b);
        return CLI_EXIT_OK;
    }
    JsonGenerator *gen = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    g_autofree char *text = json_generator_to_data(gen, NULL);
    printf("%s\n", text);
    json_node_unref(root);
    g_object_unref(gen);
    g_object_unref(b);
    return CLI_EXIT_OK;
}

/* ---- dispatch ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: biokiosk appointment SUBCOMMAND [OPTIONS]\n\n"
            "  new-code [--count N]                       fresh random valid codes\n"
            "  import FILE.json                           import from the back office\n"
            "  check CODE --desk D --at TIME              is this code right, here, now?\n"
            "  checkin CODE --desk D --at TIME --kiosk K  check in (atomic)\n"
            "  complete|no-show|release CODE --desk D ...  status changes\n"
            "  find --v-number N | --name TEXT --birth-date YYYY-MM-DD\n"
            "  purge [--days N] [--today YYYY-MM-DD]      delete the persons of finished "
            "appointments\n"
            "  unnecessary --desk D --date YYYY-MM-DD     booked appointments on which nobody "
            "has anything to give\n"
            "  demo-set --desk D --date YYYY-MM-DD [--around HH:MM|--now]  an import file for "
            "the demo\n"
            "Common options: --store URI, --config FILE. 'biokiosk appointment SUB --help'.\n");
}

int cmd_appointment(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "new-code") == 0)
        return new_code(sub_argc, sub_argv);
    if (strcmp(sub, "import") == 0)
        return import(sub_argc, sub_argv);
    if (strcmp(sub, "check") == 0)
        return answer(sub, store_check, false, sub_argc, sub_argv);
    if (strcmp(sub, "checkin") == 0)
        return answer(sub, store_checkin, true, sub_argc, sub_argv);
    if (strcmp(sub, "complete") == 0)
        return answer(sub, store_complete, true, sub_argc, sub_argv);
    if (strcmp(sub, "no-show") == 0)
        return answer(sub, store_no_show, false, sub_argc, sub_argv);
    if (strcmp(sub, "release") == 0)
        return answer(sub, store_release, false, sub_argc, sub_argv);
    if (strcmp(sub, "find") == 0)
        return find(sub_argc, sub_argv);
    if (strcmp(sub, "demo-set") == 0)
        return demo_set(sub_argc, sub_argv);
    if (strcmp(sub, "purge") == 0)
        return purge(sub_argc, sub_argv);
    if (strcmp(sub, "unnecessary") == 0)
        return unnecessary(sub_argc, sub_argv);
    return cli_usage_error(CMD,
                           "unknown subcommand '%s' (new-code, import, check, checkin, "
                           "complete, no-show, release, find, demo-set, purge, unnecessary)",
                           sub);
}
