/* The contract between store.c (the logic every backend shares) and one backend (sqlite.c,
 * postgresql.c). Not installed; only app/store includes it.
 *
 * A backend is a struct of function pointers, like libusb's OS backends. store.c allocates the
 * store and hands the backend its `priv` slot; each backend translates its library's errors to
 * bk_err at this boundary: BK_ERR_UNAVAILABLE when the database cannot be reached or a statement
 * fails, BK_ERR_NOT_FOUND / BK_ERR_EXISTS where said. Out-parameters are written only on BK_OK.
 * Every query is parameterised; no value is ever put into SQL text.
 */
#ifndef BIOKIOSK_STORE_BACKEND_H
#define BIOKIOSK_STORE_BACKEND_H

#include "store/staff.h"
#include "store/store.h"

/* The current schema version; both backends migrate up to it on open. */
#define STORE_SCHEMA_VERSION 3

/* A backend's connection as the shared schema migration sees it: run a statement, read the
 * highest version in schema_version (0 when there is none). */
typedef struct store_sql {
    void *conn;
    bk_err (*exec)(void *conn, const char *sql);
    bk_err (*version)(void *conn, int *version);
} store_sql;

/* The migration every backend shares, run inside a write transaction the backend has begun (and
 * locked against other migrating processes): creates schema_version, refuses a database newer
 * than this program (BK_ERR_CORRUPT), runs migrations[v] for each missing version v and records
 * it, then commits, or rolls back on failure. *message (transfer full) names `what` ("SQLite")
 * on failure. */
bk_err store_migrate(const store_sql *q, const char *const *migrations, const char *what,
                     char **message);

/* The PostgreSQL schema's steps (postgresql_schema.c): step i brings version i to i + 1. */
extern const char *const store_pg_migrations[STORE_SCHEMA_VERSION];

/* What the import logic needs to know of a stored appointment. */
typedef struct store_meta {
    store_status status;
    char digest[65]; /* SHA-256 hex of the back-office fields, status excluded */
} store_meta;

typedef struct store_backend {
    const char *name;

    /* Connects to target (the URI without the "sqlite:" prefix for SQLite; the whole URI for
     * PostgreSQL), sets s->priv, and creates or migrates the schema. On failure frees what it
     * made and sets *message (transfer full). */
    bk_err (*open)(store *s, const char *target, char **message);
    /* Frees s->priv; called once, also after a failed open is NOT needed (open cleans up). */
    void (*close)(store *s);

    /* A write transaction around an import. begin waits for other writers. */
    bk_err (*begin)(store *s);
    bk_err (*commit)(store *s);
    void (*rollback)(store *s);

    /* The appointment with its persons; BK_ERR_NOT_FOUND when none. */
    bk_err (*get)(store *s, const char *code, store_appointment **out);
    /* Status and digest only; BK_ERR_NOT_FOUND when none. Inside begin/commit. */
    bk_err (*meta)(store *s, const char *code, store_meta *out);
    /* Inserts (exists false) or replaces (exists true) the appointment and its persons, status
     * included, kiosk cleared. Inside begin/commit. */
    bk_err (*put)(store *s, const store_appointment *a, const char *digest, bool exists);

    /* Optional, for speed (NULL: store.c calls meta or put once per appointment). meta_many sets
     * found[i] and, when found, metas[i] for n distinct codes. put_many does n puts; a backend
     * may send them together and report the first failure at the end. Inside begin/commit. */
    bk_err (*meta_many)(store *s, const char *const *codes, size_t n, store_meta *metas,
                        bool *found);
    bk_err (*put_many)(store *s, const store_appointment *const *items, const char *const *digests,
                       const bool *exists, size_t n);

    /* The one atomic step of every status change: sets status to `to` and kiosk to new_kiosk
     * (NULL clears it; KEEP_KIOSK keeps it) only when the row has status `from` and, when
     * from_kiosk is not NULL, kiosk = from_kiosk. *changed tells whether a row changed. */
    bk_err (*transition)(store *s, const char *code, store_status from, const char *from_kiosk,
                         store_status to, const char *new_kiosk, int64_t now, bool *changed);

    /* Codes of matching appointments in start order (NULL-terminated strv, transfer full). */
    bk_err (*find_v_number)(store *s, const char *v_number, char ***codes);
    bk_err (*find_name)(store *s, const char *name_lower, const char *birth, char ***codes);
    /* Appointments of desk on day ("YYYY-MM-DD"), cancelled ones not counted. */
    bk_err (*count_day)(store *s, const char *desk, const char *day, long long *count);
    /* Codes of the appointments of desk on day, cancelled ones left out, in start order. */
    bk_err (*list_day)(store *s, const char *desk, const char *day, char ***codes);
    /* Deletes the persons of completed, no-show and cancelled appointments whose day is before
     * `before` ("YYYY-MM-DD"), in one transaction; *count: appointments that had persons. */
    bk_err (*purge_persons)(store *s, const char *before, long long *count);

    /* Staff. staff_insert: BK_ERR_EXISTS when the id is taken. staff_delete: BK_ERR_NOT_FOUND.
     * staff_get: the account and, when hash is not NULL, its hash (transfer full, g_free),
     * BK_ERR_NOT_FOUND. */
    bk_err (*staff_insert)(store *s, const staff_account *a, const char *hash);
    bk_err (*staff_delete)(store *s, const char *id);
    bk_err (*staff_all)(store *s, staff_list **out);
    bk_err (*staff_get)(store *s, const char *id, staff_account *out, char **hash);
    /* Replaces an existing account's hash in one statement and clears its failures and lock.
     * BK_ERR_NOT_FOUND without such account. (PostgreSQL: the migration role only.) */
    bk_err (*staff_set_hash)(store *s, const char *id, const char *hash);

    /* The check in the database (PostgreSQL: the kiosks' role can neither read a hash nor write
     * the staff table). Both set or both NULL. staff_setting: the stored hash's setting
     * ("$argon2id$v=19$m=M,t=T,p=1$SALT"; transfer full), NULL for an unknown id.
     * staff_check decides on candidate (the hash computed from the typed PIN with that setting;
     * NULL for a PIN not worth hashing: a wrong one) as staff_verify says, with the database's
     * clock and limits (policy may only be stricter than the database's); with new_hash not
     * NULL and the PIN right, the account's hash becomes new_hash in the same transaction
     * (BK_ERR_INVALID for a new_hash the database refuses). change_pin is left false.
     * NULL: staff.c decides itself with staff_get (and the hash), staff_fail, staff_succeed and
     * staff_set_hash. */
    bk_err (*staff_setting)(store *s, const char *id, char **setting);
    bk_err (*staff_check)(store *s, const char *id, const char *candidate, const char *new_hash,
                          const staff_policy *policy, staff_answer *answer);
    /* For the check in staff.c: atomically counts one failure; when the count reaches
     * max_failures, locks until locked_until and resets the count. *locked tells whether this
     * failure locked it, *failures the count after it. staff_succeed resets the count. */
    bk_err (*staff_fail)(store *s, const char *id, int max_failures, int64_t locked_until,
                         bool *locked, int *failures);
    bk_err (*staff_succeed)(store *s, const char *id);
} store_backend;

#define STORE_KEEP_KIOSK ((const char *)1)

struct store {
    const store_backend *backend;
    void *priv;
};

extern const store_backend store_backend_sqlite;
extern const store_backend store_backend_postgresql;

/* Helpers the backends share (store.c). */
store_appointment *store_appointment_new_empty(void);

/* The libpq connection string for a store URI: as given, with sslmode=verify-full added when it
 * names a host over the network (not a Unix socket directory) and says no sslmode itself (nor
 * PGSSLMODE). Transfer full. */
char *store_pg_conninfo(const char *uri);

/* The encoded Argon2id hash of pin under setting ("$argon2id$v=19$m=M,t=T,p=1$SALT", as
 * libsodium's crypto_pwhash_str writes it): the string the stored hash is when pin is right
 * (staff.c; for a backend that compares in the database). False for a setting this build
 * cannot compute. out has room for crypto_pwhash_STRBYTES (128) bytes. */
bool staff_pin_candidate(const char *setting, const char *pin, char *out);

/* The calendar day at `seconds` (Unix time) in the zone `offset_minutes` east of UTC. */
caldate store_local_day(int64_t seconds, int offset_minutes);
void store_account_clear(staff_account *a);

#endif
