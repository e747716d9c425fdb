/* The appointment store: one interface, two backends.
 *
 *   sqlite:PATH            an embedded SQLite file (WAL), for one kiosk working alone
 *   postgresql://...       a shared PostgreSQL database (libpq), for several kiosks or desks;
 *   postgres://...         any libpq connection URI, e.g. postgresql:///biokiosk?host=/run/pg
 *
 * The store opens (and creates or migrates) its schema on store_open. Every call is synchronous
 * and may block on the database; the kiosk calls it from a worker thread. A store handle is used
 * by one thread at a time; several processes (kiosks) may share one database, and check-in is
 * atomic across them: of any number of kiosks checking in one code at once, exactly one gets
 * STORE_RESULT_OK.
 *
 * Time is always a parameter (seconds since 1970-01-01 UTC), never read from the clock here, so
 * that the kiosk's --now and the tests decide it.
 *
 * Return values follow bk_err: BK_OK when the store answered (the answer itself, e.g.
 * STORE_RESULT_UNKNOWN, travels in *result), BK_ERR_UNAVAILABLE when the database cannot be
 * reached or fails, BK_ERR_INVALID for bad arguments, BK_ERR_NOMEM. Out-parameters are written
 * only on BK_OK.
 */
#ifndef BIOKIOSK_STORE_H
#define BIOKIOSK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/apptcode.h"
#include "core/bk_err.h"
#include "core/caldate.h"
#include "core/rules.h"

typedef struct store store;

typedef enum store_status {
    STORE_STATUS_BOOKED,     /* "booked" */
    STORE_STATUS_CHECKED_IN, /* "checked-in": a kiosk is serving it (store_appointment.kiosk) */
    STORE_STATUS_COMPLETED,  /* "completed" */
    STORE_STATUS_NO_SHOW,    /* "no-show" */
    STORE_STATUS_CANCELLED,  /* "cancelled" */
    STORE_STATUS_COUNT_
} store_status;

/* The answer to a code, in the order the checks are made. */
typedef enum store_result {
    STORE_RESULT_OK,             /* "ok" */
    STORE_RESULT_MALFORMED,      /* "malformed": wrong length or characters (no lookup made) */
    STORE_RESULT_CHECK_FAILED,   /* "check-failed": check symbol wrong, a typo (no lookup made) */
    STORE_RESULT_UNKNOWN,        /* "unknown": no appointment with this code */
    STORE_RESULT_WRONG_DESK,     /* "wrong-desk": the appointment is at another desk */
    STORE_RESULT_CANCELLED,      /* "cancelled" */
    STORE_RESULT_ALREADY_USED,   /* "already-used": checked in by another kiosk, or completed,
                                    or (for check/checkin) marked no-show */
    STORE_RESULT_WRONG_DAY,      /* "wrong-day": not the appointment's day (in its own offset) */
    STORE_RESULT_TOO_EARLY,      /* "too-early": before start - early_minutes */
    STORE_RESULT_TOO_LATE,       /* "too-late": after start + late_minutes */
    STORE_RESULT_NOT_CHECKED_IN, /* "not-checked-in": only from store_complete, for an
                                    appointment that is booked or no-show */
    STORE_RESULT_COUNT_
} store_result;

/* One person on an appointment. `rules` holds everything rules_decide needs: birth, applied,
 * on (= the appointment's day in its own offset), category and what is on file from before;
 * the caller can pass &person->rules to rules_decide as it is. */
typedef struct store_person {
    char *v_number; /* the V-number (vreemdelingennummer), digits */
    char *name;     /* full name as the back office has it (UTF-8) */
    bool born_in_nl;
    rules_person rules;
} store_person;

typedef struct store_appointment {
    char code[APPTCODE_LEN + 1]; /* canonical, 9 symbols; apptcode_format shows it */
    char *desk;                  /* e.g. "DEN-HAAG" */
    int64_t start;               /* start, seconds since 1970-01-01 UTC */
    int offset_minutes;          /* the start's UTC offset as imported (+60, +120) */
    caldate day;                 /* the start's date in that offset */
    int minutes;                 /* length */
    bool urgent;
    store_status status;
    char *kiosk; /* the kiosk that checked it in (kept after completion); NULL when none */
    store_person *persons;
    size_t n_persons;
} store_appointment;

/* What a check or status change is asked for. */
typedef struct store_arrival {
    const char *desk;   /* the asking desk (required) */
    const char *kiosk;  /* the asking kiosk; required for checkin and complete; for store_check
                           optional (when given, an appointment that this kiosk has checked in
                           answers ok, as a check-in would); not used by release and no-show */
    int64_t now;        /* seconds since 1970-01-01 UTC */
    int early_minutes;  /* arrival accepted from start - early_minutes (configuration: 30) */
    int late_minutes;   /* ... to start + late_minutes (configuration: 15) */
    bool ignore_window; /* a staff override: skip wrong-day, too-early and too-late */
} store_arrival;

/* A list of appointments (find). */
typedef struct store_appointment_list {
    store_appointment **items;
    size_t n;
} store_appointment_list;

/* What an import did. */
typedef struct store_import_report {
    size_t added, updated, unchanged;
    /* Entries that were not applied because the stored appointment is checked in or completed
     * and the file would change it: "entry 3 (code ABCD-EFGH-J): appointment is checked-in". */
    char **conflicts; /* NULL-terminated, transfer full with the report */
    size_t n_conflicts;
    /* When the file was rejected (BK_ERR_INVALID): one line per problem, "entry 2: birth_date:
     * not a date (YYYY-MM-DD)"; NULL-terminated. Nothing was changed in the store. */
    char **problems;
    size_t n_problems;
} store_import_report;

/* Opens the store named by uri (see above), creating the database file and schema as needed and
 * migrating an older schema. BK_ERR_INVALID for a URI of no known kind, BK_ERR_UNAVAILABLE when
 * the database cannot be opened or reached, BK_ERR_CORRUPT for a schema newer than this program.
 * On failure *message (when not NULL) gets one line without secrets (transfer full, g_free).
 * *out transfer full: store_free. */
bk_err store_open(const char *uri, store **out, char **message);

/* Closes the connection. NULL does nothing. */
void store_free(store *s);

/* "sqlite" or "postgresql" (transfer none). */
const char *store_backend_name(const store *s);
/* The schema version of an opened store: always this program's, since store_open migrates an
 * older database and refuses a newer one (for the self-test's report). */
int store_schema_version(const store *s);

/* Reads a typed code and answers for the arrival without changing anything. For
 * MALFORMED/CHECK_FAILED no lookup is made. *appointment (may be NULL to not receive it) gets
 * the appointment when one was found (every result except malformed, check-failed and unknown;
 * transfer full, store_appointment_free), else NULL. code (required) receives the canonical code
 * (9 symbols) for check-failed and every later result, "" for malformed.
 * Show the persons to the applicant only for STORE_RESULT_OK. */
bk_err store_check(store *s, const char *typed_code, const store_arrival *arrival,
                   store_result *result, char code[static APPTCODE_LEN + 1],
                   store_appointment **appointment);

/* As store_check, then atomically moves a booked appointment to checked-in by arrival->kiosk.
 * The same kiosk checking in again gets ok (it resumes; the arrival window is not checked
 * again); any other kiosk gets already-used. */
bk_err store_checkin(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment);

/* Staff sends a checked-in (or no-show) appointment back to booked, e.g. when a session is
 * aborted or wiped. A booked one answers ok (nothing to do). Completed: already-used; cancelled:
 * cancelled. The arrival window is not checked; the desk is. */
bk_err store_release(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment);

/* Checked-in by arrival->kiosk -> completed (again: ok). Checked in by another kiosk:
 * already-used; booked or no-show: not-checked-in; cancelled: cancelled. Desk is checked. */
bk_err store_complete(store *s, const char *typed_code, const store_arrival *arrival,
                      store_result *result, char code[static APPTCODE_LEN + 1],
                      store_appointment **appointment);

/* Booked -> no-show (again: ok). Checked in or completed: already-used; cancelled: cancelled.
 * Desk is checked, the window is not. */
bk_err store_no_show(store *s, const char *typed_code, const store_arrival *arrival,
                     store_result *result, char code[static APPTCODE_LEN + 1],
                     store_appointment **appointment);

/* Staff lookup when the code is lost. Exact V-number; or name (case-insensitive for ASCII
 * letters, surrounding spaces ignored) and birth date. Appointments in start order, possibly
 * none (n = 0). *out transfer full: store_appointment_list_free. */
bk_err store_find_by_v_number(store *s, const char *v_number, store_appointment_list **out);
bk_err store_find_by_name(store *s, const char *name, caldate birth, store_appointment_list **out);

/* How many appointments desk has on day (the appointment's own date, as in
 * store_appointment.day), whatever their status except cancelled. Reads nothing personal; the
 * self-test and the technician screen show it. */
bk_err store_count_day(store *s, const char *desk, caldate day, size_t *count);

/* The appointments desk has on day (as in store_count_day: cancelled ones left out), with their
 * persons, in start order, possibly none. For the back office's report of appointments on which
 * nobody has anything to give (biokiosk appointment unnecessary). *out transfer full:
 * store_appointment_list_free. */
bk_err store_list_day(store *s, const char *desk, caldate day, store_appointment_list **out);

/* The default of [store] keep_days. */
#define STORE_KEEP_DAYS_DEFAULT 7

/* Deletes the persons (names, V-numbers, birth dates, what was on file) of appointments that
 * are completed, no-show or cancelled and whose day lies more than keep_days before today; the
 * appointment rows stay (code, desk, times, status: no personal data), so a re-import does not
 * bring the persons back. SQLite overwrites what it deletes (secure_delete) and empties its
 * write-ahead log afterwards. *purged (may be NULL) gets the number of appointments whose
 * persons went. BK_ERR_INVALID for a bad day or keep_days < 0. */
bk_err store_purge_persons(store *s, caldate today, int keep_days, size_t *purged);

/* store_purge_persons counted from today's local date (the kiosk at its start). */
bk_err store_purge_persons_today(store *s, int keep_days, size_t *purged);

/* Imports a back-office file (JSON text, see the README for the format) in one transaction.
 * BK_ERR_INVALID when any entry is invalid: nothing is changed and report->problems lists every
 * problem. BK_OK otherwise, also when there are conflicts (those entries are skipped, the rest
 * applied). The same file imported twice changes nothing the second time (all unchanged).
 * *report is written for BK_OK and BK_ERR_INVALID (transfer full: store_import_report_free). */
bk_err store_import(store *s, const char *json, size_t length, store_import_report **report);

/* Inserts or replaces appointments directly (already valid; tests and the benchmark), in one
 * transaction, with the same conflict rule as store_import. The codes must be distinct
 * (BK_ERR_INVALID otherwise, nothing changed). report may be NULL. */
bk_err store_import_appointments(store *s, store_appointment *const *items, size_t n,
                                 store_import_report **report);

/* Parses "2026-11-23T09:30:00+01:00" (ISO 8601 with an offset or Z; seconds optional) into
 * seconds since 1970 UTC and the offset in minutes (offset may be NULL). BK_ERR_INVALID
 * otherwise. */
bk_err store_time_parse(const char *text, int64_t *seconds, int *offset_minutes);

/* Writes "2026-11-23T09:30:00+01:00" into buf (at least 26 bytes). */
void store_time_format(int64_t seconds, int offset_minutes, char buf[static 26]);

const char *store_status_str(store_status status);
bk_err store_status_parse(const char *text, store_status *out);
const char *store_result_str(store_result result);

/* Deep copy and free. store_appointment_free(NULL) does nothing. */
store_appointment *store_appointment_copy(const store_appointment *a);
void store_appointment_free(store_appointment *a);
void store_appointment_list_free(store_appointment_list *list);
void store_import_report_free(store_import_report *report);

#endif
