/* Staff accounts, kept in the appointment store (so every kiosk sharing a PostgreSQL store
 * knows the same staff).
 *
 * A PIN is stored only as an Argon2id hash (libsodium's crypto_pwhash_str, interactive limits).
 * After max_failures wrong PINs in a row the account is locked until now + lockout_minutes; a PIN
 * given while locked is not even checked. A right PIN resets the count. Time is a parameter
 * (SQLite). PostgreSQL decides in the database (functions that run as the owner, so a kiosk's
 * role never reads a hash nor writes the staff table): with the database's clock, and with the
 * database's limits (table staff_limits) where the policy given is laxer.
 */
#ifndef BIOKIOSK_STAFF_H
#define BIOKIOSK_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "core/limits.h"
#include "store/store.h"

#define STAFF_PIN_MIN 6 /* digits, for a new PIN */
/* PINs set before the minimum became 6 digits still sign in, with change_pin set: the kiosk asks
 * for a new one before the staff session opens */
#define STAFF_PIN_MIN_OLD 4
#define STAFF_PIN_MAX     12 /* digits */
/* characters of A-Z a-z 0-9 _ - (as the record's identifiers) */
#define STAFF_ID_MAX BK_IDENT_MAX

typedef enum staff_role {
    STAFF_ROLE_DESK,            /* "desk": desk officers */
    STAFF_ROLE_TECHNICIAN,      /* "technician": device status, maintenance */
    STAFF_ROLE_DESK_TECHNICIAN, /* "desk+technician": both roles on one account */
    STAFF_ROLE_COUNT_
} staff_role;

typedef enum staff_verdict {
    STAFF_VERDICT_OK,            /* "ok" */
    STAFF_VERDICT_WRONG_PIN,     /* "wrong-pin": failures_left tells how many tries remain */
    STAFF_VERDICT_LOCKED,        /* "locked": until locked_until (also for the PIN that locked) */
    STAFF_VERDICT_UNKNOWN_STAFF, /* "unknown-staff" */
    STAFF_VERDICT_COUNT_
} staff_verdict;

typedef struct staff_policy {
    int max_failures;    /* configuration staff.max_pin_failures (5) */
    int lockout_minutes; /* configuration staff.lockout_minutes (5) */
} staff_policy;

typedef struct staff_account {
    char *id;   /* the sign-in name, e.g. "jdevries" */
    char *name; /* display name */
    staff_role role;
    int failures;         /* wrong PINs in a row */
    int64_t locked_until; /* seconds since 1970 UTC; 0 when never locked */
} staff_account;

typedef struct staff_list {
    staff_account *items;
    size_t n;
} staff_list;

typedef struct staff_answer {
    staff_verdict verdict;
    staff_role role;      /* for ok */
    int failures_left;    /* for wrong-pin */
    int64_t locked_until; /* for locked */
    bool change_pin;      /* for ok: the PIN is shorter than STAFF_PIN_MIN and must be changed */
} staff_answer;

/* True for an id of 1..STAFF_ID_MAX characters of A-Z a-z 0-9 _ - (bk_ident_ok) and a PIN of
 * STAFF_PIN_MIN..STAFF_PIN_MAX digits. */
bool staff_id_valid(const char *id);
bool staff_pin_valid(const char *pin);

/* Adds an account. BK_ERR_INVALID for a bad id, empty name or bad PIN; BK_ERR_EXISTS when the id
 * is taken; BK_ERR_NOMEM when the hash cannot get its memory. */
bk_err staff_add(store *s, const char *id, const char *name, staff_role role, const char *pin);

/* BK_ERR_NOT_FOUND when there is no such account. */
bk_err staff_remove(store *s, const char *id);

/* Every account, by id. *out transfer full: staff_list_free. */
bk_err staff_list_all(store *s, staff_list **out);

/* Checks a PIN at time now (seconds since 1970 UTC) and counts failures as the policy says.
 * An unknown id costs the same hashing time as a wrong PIN, so timing does not reveal which ids
 * exist. Blocks for about 0.1 s (Argon2id). BK_OK with the verdict in *answer;
 * BK_ERR_UNAVAILABLE when the store fails. */
bk_err staff_verify(store *s, const char *id, const char *pin, int64_t now,
                    const staff_policy *policy, staff_answer *answer);

/* Replaces the PIN of an existing account and clears its failures and lock: the new hash is made
 * first, then written in one statement, so a failure leaves the old PIN. For the owner's tools
 * (a PostgreSQL kiosk's role may not write the staff table: staff_change_pin). BK_ERR_INVALID
 * for a bad id or a PIN that is not STAFF_PIN_MIN..STAFF_PIN_MAX digits, BK_ERR_NOT_FOUND
 * without such account, BK_ERR_NOMEM when the hash cannot get its memory. Blocks (Argon2id). */
bk_err staff_set_pin(store *s, const char *id, const char *pin);

/* The change of PIN at the kiosk: checks old_pin as staff_verify does (a wrong one counts as a
 * failure) and, when it is right, replaces it with new_pin (failures and lock cleared).
 * BK_ERR_INVALID for a new_pin that is not STAFF_PIN_MIN..STAFF_PIN_MAX digits (nothing
 * checked nor counted); else BK_OK with the verdict on old_pin in *answer (ok: changed;
 * change_pin false). Blocks (two Argon2id hashes, the store). */
bk_err staff_change_pin(store *s, const char *id, const char *old_pin, const char *new_pin,
                        int64_t now, const staff_policy *policy, staff_answer *answer);

const char *staff_role_str(staff_role role);
bk_err staff_role_parse(const char *text, staff_role *out);
const char *staff_verdict_str(staff_verdict verdict);

void staff_list_free(staff_list *list);

#endif
