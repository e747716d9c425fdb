/* Staff accounts when a kiosk is not to be trusted (issue 17), on the backend BIOKIOSK_TEST_STORE
 * names (PostgreSQL through with-postgresql.sh, like test-store.c):
 * - set-pin-keeps-account: a new PIN the database refuses to write leaves the account signing in
 *   with its old PIN (set_pin used to delete the account before writing it again);
 * - change-pin: the change at the kiosk checks the old PIN and counts a wrong one;
 * PostgreSQL only, as a login role that is a member of biokiosk_kiosk:
 * - kiosk-role-writes-no-staff: INSERT, DELETE, UPDATE of staff and SELECT of pin_hash are
 *   refused, and version 2's guessing oracle biokiosk_pin_matches is gone;
 * - temp-table: temporary tables named staff and staff_limits change no function's answer;
 * - kiosk-role-lockout: wrong PINs are counted and lock the account after the database's limit,
 *   whatever (laxer) policy the kiosk passes;
 * - kiosk-role-change-pin: the forced change of a short PIN works; a wrong old PIN is refused and
 *   counted; a new hash that is not Argon2id at the interactive cost is refused;
 * - migrate-v2: a database made with schema version 2 migrates to 3 and its accounts still sign
 *   in, while what version 2 let the kiosk's role do is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "pgtest.h"
#include "storetest.h"
#include "store/staff.h"
#include "store/store-backend.h"
#include "store/store.h"

/* A hash in the stored format with a made-up salt and digest (base64 of 16 and 32 bytes). */
#define SALT64           "c2FsdHNhbHRzYWx0c2FsdA"
#define DIGEST64         "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
#define GOOD_FORMAT_HASH "$argon2id$v=19$m=65536,t=2,p=1$" SALT64 "$" DIGEST64
#define WEAK_HASH        "$argon2id$v=19$m=8,t=1,p=1$" SALT64 "$" DIGEST64

static const char *backend;
static char *tmpdir;
static int db_counter;
static int role_counter;
static const staff_policy pol = {.max_failures = 5, .lockout_minutes = 5};

static bool is_pg(void)
{
    return strcmp(backend, "postgresql") == 0;
}

static int64_t wall_seconds(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

/* The one value sql answers (transfer full; NULL for SQL NULL). */
static char *pg_value(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        g_error("%s: %s", sql, PQerrorMessage(c));
    char *v = PQgetisnull(res, 0, 0) ? NULL : g_strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

/* sql is refused with SQLSTATE state (42501: no privilege; 42883: no such function). */
static void pg_refused(PGconn *c, const char *sql, const char *state)
{
    PGresult *res = PQexec(c, sql);
    g_test_message("%s -> %s", sql, PQresultErrorMessage(res));
    g_assert_cmpint(PQresultStatus(res), ==, PGRES_FATAL_ERROR);
    g_assert_cmpstr(PQresultErrorField(res, PG_DIAG_SQLSTATE), ==, state);
    PQclear(res);
}

/* The account's failures and locked_until, read by the owner. */
static void owner_reads(const char *uri, const char *id, int *failures, int64_t *locked_until)
{
    PGconn *c = pg_connect(uri);
    const char *args[] = {id};
    PGresult *res = PQexecParams(c, "SELECT failures, locked_until FROM staff WHERE id = $1", 1,
                                 NULL, args, NULL, NULL, 0);
    g_assert_cmpint(PQresultStatus(res), ==, PGRES_TUPLES_OK);
    g_assert_cmpint(PQntuples(res), ==, 1);
    *failures = atoi(PQgetvalue(res, 0, 0));
    *locked_until = g_ascii_strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    PQfinish(c);
}

/* A PostgreSQL database and a kiosk's login role in biokiosk_kiosk; the owner is the test's
 * superuser, which runs the migrations like the migration role. */
typedef struct kiosk_db {
    char *uri;       /* the owner's */
    char *kiosk_uri; /* the kiosk's role's */
    char *role;
} kiosk_db;

static void kiosk_role_add(kiosk_db *k)
{
    k->role = g_strdup_printf("bk_kiosk_%d_%d", (int)getpid(), ++role_counter);
    PGconn *admin = pg_connect(k->uri);
    g_autofree char *create =
        g_strdup_printf("CREATE ROLE %s LOGIN IN ROLE biokiosk_kiosk", k->role);
    pg_do(admin, create);
    PQfinish(admin);
    const char *q = strchr(k->uri, '?');
    const char *db = k->uri + strlen("postgresql:///");
    g_autofree char *name = g_strndup(db, (size_t)(q - db));
    g_autofree char *h = g_uri_escape_string(g_getenv("BIOKIOSK_TEST_PGHOST"), NULL, FALSE);
    k->kiosk_uri = g_strdup_printf("postgresql:///%s?host=%s&user=%s", name, h, k->role);
}

/* A new database at the current schema with anna (246810) and a kiosk's role. */
static void kiosk_db_new(kiosk_db *k)
{
    k->uri = storetest_new_database(backend, tmpdir, "bks", &db_counter);
    store *owner = open_store(k->uri);
    g_assert_cmpint(staff_add(owner, "anna", "Anna de Vries", STAFF_ROLE_DESK, "246810"), ==,
                    BK_OK);
    store_free(owner);
    kiosk_role_add(k);
}

static void kiosk_db_free(kiosk_db *k)
{
    PGconn *admin = pg_connect(k->uri);
    g_autofree char *drop = g_strdup_printf("DROP OWNED BY %s; DROP ROLE %s", k->role, k->role);
    pg_do(admin, drop);
    PQfinish(admin);
    g_free(k->uri);
    g_free(k->kiosk_uri);
    g_free(k->role);
}

static void expect_verdict(store *s, const char *id, const char *pin, staff_verdict want)
{
    staff_answer a;
    g_assert_cmpint(staff_verify(s, id, pin, wall_seconds(), &pol, &a), ==, BK_OK);
    g_assert_cmpstr(staff_verdict_str(a.verdict), ==, staff_verdict_str(want));
}

/* ---- both backends ---- */

/* The store's own database refuses every write of the staff table (a trigger), or stops. */
static void refuse_staff_writes(const char *uri, bool on)
{
    if (!is_pg()) {
        sqlite3 *db = NULL;
        g_assert_cmpint(sqlite3_open(uri + strlen("sqlite:"), &db), ==, SQLITE_OK);
        const char *sql =
            on ? "CREATE TRIGGER no_update BEFORE UPDATE ON staff BEGIN SELECT RAISE(ABORT, "
                 "'refused'); END; CREATE TRIGGER no_insert BEFORE INSERT ON staff BEGIN "
                 "SELECT RAISE(ABORT, 'refused'); END;"
               : "DROP TRIGGER no_update; DROP TRIGGER no_insert;";
        g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
        sqlite3_close(db);
        return;
    }
    PGconn *c = pg_connect(uri);
    pg_do(c, on ? "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN RAISE EXCEPTION 'refused'; END $$;"
                  "CREATE TRIGGER no_write BEFORE INSERT OR UPDATE ON staff FOR EACH ROW "
                  "EXECUTE FUNCTION refuse()"
                : "DROP TRIGGER no_write ON staff; DROP FUNCTION refuse()");
    PQfinish(c);
}

static void test_set_pin_keeps_account(void)
{
    g_autofree char *uri = storetest_new_database(backend, tmpdir, "bks", &db_counter);
    store *s = open_store(uri);
    g_assert_cmpint(staff_add(s, "anna", "Anna de Vries", STAFF_ROLE_DESK, "246810"), ==, BK_OK);
    /* the database refuses to write the new PIN: set_pin fails ... */
    refuse_staff_writes(uri, true);
    g_assert_cmpint(staff_set_pin(s, "anna", "135792"), !=, BK_OK);
    refuse_staff_writes(uri, false);
    /* ... and the account is still there, with its old PIN */
    expect_verdict(s, "anna", "246810", STAFF_VERDICT_OK);
    expect_verdict(s, "anna", "135792", STAFF_VERDICT_WRONG_PIN);
    /* when it may write, the new PIN replaces the old one, failures cleared */
    g_assert_cmpint(staff_set_pin(s, "anna", "135792"), ==, BK_OK);
    expect_verdict(s, "anna", "135792", STAFF_VERDICT_OK);
    expect_verdict(s, "anna", "246810", STAFF_VERDICT_WRONG_PIN);
    staff_list *l = NULL;
    g_assert_cmpint(staff_list_all(s, &l), ==, BK_OK);
    g_assert_cmpuint(l->n, ==, 1);
    g_assert_cmpstr(l->items[0].name, ==, "Anna de Vries");
    staff_list_free(l);
    store_free(s);
}

/* An account whose PIN was set before the minimum became 6 digits. */
static void add_legacy(store *s, const char *id, const char *pin)
{
    char legacy[crypto_pwhash_STRBYTES];
    g_assert_cmpint(crypto_pwhash_str(legacy, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE),
                    ==, 0);
    staff_account old = {.id = (char *)id, .name = "Old PIN", .role = STAFF_ROLE_DESK};
    g_assert_cmpint(s->backend->staff_insert(s, &old, legacy), ==, BK_OK);
}

/* The forced change at sign-in, through store s (a kiosk's); owner_uri reads the counts. */
static void change_pin_checks(store *s, const char *owner_uri)
{
    staff_answer a;
    g_assert_cmpint(staff_verify(s, "old", "2468", wall_seconds(), &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_true(a.change_pin);
    /* a new PIN that is too short: refused before anything is checked or counted */
    g_assert_cmpint(staff_change_pin(s, "old", "1357", "1234", wall_seconds(), &pol, &a), ==,
                    BK_ERR_INVALID);
    /* a wrong old PIN: refused and counted */
    g_assert_cmpint(staff_change_pin(s, "old", "1357", "135792", wall_seconds(), &pol, &a), ==,
                    BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(a.failures_left, ==, 4);
    g_assert_cmpint(staff_change_pin(s, "old", "1358", "135792", wall_seconds(), &pol, &a), ==,
                    BK_OK);
    g_assert_cmpint(a.failures_left, ==, 3);
    if (owner_uri != NULL) {
        int failures = 0;
        int64_t until = 0;
        owner_reads(owner_uri, "old", &failures, &until);
        g_assert_cmpint(failures, ==, 2);
    }
    expect_verdict(s, "old", "135792", STAFF_VERDICT_WRONG_PIN);
    /* the right old PIN: changed, and the count starts again */
    g_assert_cmpint(staff_change_pin(s, "old", "2468", "135792", wall_seconds(), &pol, &a), ==,
                    BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(a.role, ==, STAFF_ROLE_DESK);
    g_assert_false(a.change_pin);
    g_assert_cmpint(staff_verify(s, "old", "135792", wall_seconds(), &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_false(a.change_pin);
    expect_verdict(s, "old", "2468", STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(staff_verify(s, "old", "000000", wall_seconds(), &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.failures_left, ==, 3);
    /* an unknown account changes nothing */
    g_assert_cmpint(staff_change_pin(s, "nobody", "2468", "135792", wall_seconds(), &pol, &a), ==,
                    BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_UNKNOWN_STAFF);
}

static void test_change_pin(void)
{
    g_autofree char *uri = storetest_new_database(backend, tmpdir, "bks", &db_counter);
    store *s = open_store(uri);
    add_legacy(s, "old", "2468");
    change_pin_checks(s, is_pg() ? uri : NULL);
    /* a locked account's PIN is not changed, even with the right old PIN */
    for (int i = 0; i < 3; i++) /* two failures counted already */
        expect_verdict(s, "old", "000000", i < 2 ? STAFF_VERDICT_WRONG_PIN : STAFF_VERDICT_LOCKED);
    staff_answer a;
    g_assert_cmpint(staff_change_pin(s, "old", "135792", "975310", wall_seconds(), &pol, &a), ==,
                    BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    store_free(s);
}

/* ---- PostgreSQL: the kiosks' role ---- */

static bool pg_only(void)
{
    if (!is_pg())
        g_test_skip("SQLite: one file, one owner, no database roles");
    return is_pg();
}

static void test_kiosk_writes_no_staff(void)
{
    if (!pg_only())
        return;
    kiosk_db k;
    kiosk_db_new(&k);
    PGconn *c = pg_connect(k.kiosk_uri);
    pg_refused(c,
               "INSERT INTO staff (id, name, role, pin_hash, failures, locked_until) VALUES "
               "('evil', 'Evil', 'desk+technician', '" GOOD_FORMAT_HASH "', 0, 0)",
               "42501");
    pg_refused(c, "DELETE FROM staff WHERE id = 'anna'", "42501");
    pg_refused(c, "UPDATE staff SET failures = 0", "42501");
    pg_refused(c, "UPDATE staff SET locked_until = 0 WHERE id = 'anna'", "42501");
    pg_refused(c, "UPDATE staff SET pin_hash = '" GOOD_FORMAT_HASH "' WHERE id = 'anna'", "42501");
    pg_refused(c, "TRUNCATE staff", "42501");
    pg_refused(c, "SELECT pin_hash FROM staff", "42501");
    pg_refused(c, "SELECT * FROM staff", "42501");
    pg_refused(c, "UPDATE staff_limits SET max_failures = 1000000", "42501");
    pg_refused(c, "SELECT biokiosk_pin_matches('anna', 'x')", "42883");
    /* what it still reads */
    g_autofree char *n = pg_value(c, "SELECT count(*) FROM (SELECT id, name, role, failures, "
                                     "locked_until FROM staff) s");
    g_assert_cmpstr(n, ==, "1");
    PQfinish(c);
    /* the account is as the owner made it, and signs in through the kiosk's role */
    store *kiosk = open_store(k.kiosk_uri);
    expect_verdict(kiosk, "anna", "246810", STAFF_VERDICT_OK);
    expect_verdict(kiosk, "evil", "246810", STAFF_VERDICT_UNKNOWN_STAFF);
    store_free(kiosk);
    kiosk_db_free(&k);
}

static void test_temp_table(void)
{
    if (!pg_only())
        return;
    kiosk_db k;
    kiosk_db_new(&k);
    PGconn *c = pg_connect(k.kiosk_uri);
    pg_do(c, "CREATE TEMP TABLE staff (id text, name text, role text, pin_hash text, "
             "failures integer, locked_until bigint)");
    pg_do(c, "INSERT INTO staff VALUES ('anna', 'A', 'desk+technician', 'fake', 0, 0), "
             "('evil', 'E', 'desk+technician', 'fake', 0, 0)");
    pg_do(c, "CREATE TEMP TABLE staff_limits (one boolean, max_failures integer, "
             "lockout_seconds bigint)");
    pg_do(c, "INSERT INTO staff_limits VALUES (true, 1000000, 60)");
    pg_do(c, "SET search_path = pg_temp, public, pg_catalog");
    /* the session's own queries now see the temporary tables ... */
    g_autofree char *shadow = pg_value(c, "SELECT pin_hash FROM staff WHERE id = 'evil'");
    g_assert_cmpstr(shadow, ==, "fake");
    /* ... the functions do not */
    g_autofree char *v1 = pg_value(c, "SELECT verdict || ' ' || tries_left FROM "
                                      "biokiosk_pin_check('anna', 'fake', 1000000, 60)");
    g_assert_cmpstr(v1, ==, "wrong-pin 4");
    g_autofree char *v2 =
        pg_value(c, "SELECT verdict FROM biokiosk_pin_check('evil', 'fake', 5, 300)");
    g_assert_cmpstr(v2, ==, "unknown-staff");
    g_autofree char *v3 = pg_value(c, "SELECT biokiosk_pin_setting('evil')");
    g_assert_null(v3);
    g_autofree char *v4 = pg_value(c, "SELECT biokiosk_pin_setting('anna')");
    g_assert_true(g_str_has_prefix(v4, "$argon2id$v=19$"));
    g_autofree char *v5 =
        pg_value(c, "SELECT verdict FROM biokiosk_pin_change('evil', 'fake', '" GOOD_FORMAT_HASH
                    "', 5, 300)");
    g_assert_cmpstr(v5, ==, "unknown-staff");
    PQfinish(c);
    /* the one wrong PIN was counted on the real account, which still signs in */
    int failures = 0;
    int64_t until = 0;
    owner_reads(k.uri, "anna", &failures, &until);
    g_assert_cmpint(failures, ==, 1);
    store *kiosk = open_store(k.kiosk_uri);
    expect_verdict(kiosk, "anna", "246810", STAFF_VERDICT_OK);
    store_free(kiosk);
    kiosk_db_free(&k);
}

static void test_kiosk_lockout(void)
{
    if (!pg_only())
        return;
    kiosk_db k;
    kiosk_db_new(&k);
    store *kiosk = open_store(k.kiosk_uri);
    /* a kiosk asking for 100 tries and a 1-minute lock gets the database's 5 and 5 minutes */
    const staff_policy lax = {.max_failures = 100, .lockout_minutes = 1};
    staff_answer a;
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(staff_verify(kiosk, "anna", "000000", 0, &lax, &a), ==, BK_OK);
        g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
        g_assert_cmpint(a.failures_left, ==, 4 - i);
    }
    int64_t before = wall_seconds();
    /* the time the kiosk gives is not the database's: a far future does not end a lock */
    const int64_t future = before + 10 * 365 * 86400LL;
    g_assert_cmpint(staff_verify(kiosk, "anna", "000000", future, &lax, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    g_assert_cmpint(a.locked_until, >=, before + 300);
    g_assert_cmpint(a.locked_until, <=, wall_seconds() + 301);
    g_assert_cmpint(staff_verify(kiosk, "anna", "246810", future, &lax, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    int failures = -1;
    int64_t until = 0;
    owner_reads(k.uri, "anna", &failures, &until);
    g_assert_cmpint(failures, ==, 0);
    g_assert_cmpint(until, ==, a.locked_until);
    /* the kiosk's role can neither clear the lock itself */
    PGconn *c = pg_connect(k.kiosk_uri);
    pg_refused(c, "UPDATE staff SET locked_until = 0 WHERE id = 'anna'", "42501");
    PQfinish(c);

    /* a stricter policy is kept: 2 tries, 10 minutes (the owner ends the lock first) */
    PGconn *o = pg_connect(k.uri);
    pg_do(o, "UPDATE staff SET locked_until = 0 WHERE id = 'anna'");
    PQfinish(o);
    const staff_policy strict = {.max_failures = 2, .lockout_minutes = 10};
    g_assert_cmpint(staff_verify(kiosk, "anna", "000000", 0, &strict, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_WRONG_PIN);
    g_assert_cmpint(a.failures_left, ==, 1);
    before = wall_seconds();
    g_assert_cmpint(staff_verify(kiosk, "anna", "000000", 0, &strict, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_LOCKED);
    g_assert_cmpint(a.locked_until, >=, before + 600);
    g_assert_cmpint(a.locked_until, <=, wall_seconds() + 601);
    store_free(kiosk);
    kiosk_db_free(&k);
}

static void test_kiosk_change_pin(void)
{
    if (!pg_only())
        return;
    kiosk_db k;
    kiosk_db_new(&k);
    store *owner = open_store(k.uri);
    add_legacy(owner, "old", "2468");
    store_free(owner);
    store *kiosk = open_store(k.kiosk_uri);
    /* the owner's way of setting a PIN is closed to the kiosk's role */
    g_assert_cmpint(staff_set_pin(kiosk, "old", "135792"), ==, BK_ERR_UNAVAILABLE);
    change_pin_checks(kiosk, k.uri);
    store_free(kiosk);
    /* the database takes only a hash in libsodium's format at the interactive cost; a refused
     * one counts nothing */
    PGconn *c = pg_connect(k.kiosk_uri);
    pg_refused(c, "SELECT * FROM biokiosk_pin_change('anna', NULL, '1234', 5, 300)", "22023");
    pg_refused(c, "SELECT * FROM biokiosk_pin_change('anna', NULL, '" WEAK_HASH "', 5, 300)",
               "22023");
    PQfinish(c);
    int failures = -1;
    int64_t until = 0;
    owner_reads(k.uri, "anna", &failures, &until);
    g_assert_cmpint(failures, ==, 0);
    kiosk_db_free(&k);
}

static void test_migrate_v2(void)
{
    if (!pg_only())
        return;
    kiosk_db k = {0};
    k.uri = storetest_new_database(backend, tmpdir, "bks", &db_counter);
    /* the database as version 2 left it, with an account */
    PGconn *o = pg_connect(k.uri);
    pg_do(o, "SET client_min_messages = warning");
    pg_do(o, "CREATE TABLE schema_version (version INTEGER NOT NULL)");
    pg_do(o, store_pg_migrations[0]);
    pg_do(o, "INSERT INTO schema_version VALUES (1)");
    pg_do(o, store_pg_migrations[1]);
    pg_do(o, "INSERT INTO schema_version VALUES (2)");
    char hash[crypto_pwhash_STRBYTES];
    g_assert_cmpint(crypto_pwhash_str(hash, "246810", 6, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE),
                    ==, 0);
    pg_do_param(o,
                "INSERT INTO staff (id, name, role, pin_hash, failures, locked_until) "
                "VALUES ('anna', 'Anna', 'desk', $1, 3, 0)",
                hash);
    PQfinish(o);
    kiosk_role_add(&k);
    /* what version 2 let the kiosk's role do (the test's method works) */
    PGconn *c = pg_connect(k.kiosk_uri);
    pg_do(c, "UPDATE staff SET failures = 0 WHERE id = 'anna'");
    pg_do(c, "CREATE TEMP TABLE staff (id text, name text, role text, pin_hash text, "
             "failures integer, locked_until bigint)");
    pg_do(c, "INSERT INTO staff VALUES ('anna', 'A', 'desk', 'fake', 0, 0)");
    g_autofree char *fooled = pg_value(c, "SELECT biokiosk_pin_matches('anna', 'fake')");
    g_assert_cmpstr(fooled, ==, "t");
    PQfinish(c);

    /* a kiosk's role cannot migrate; the migration role (owner) does */
    store *s = NULL;
    g_autofree char *message = NULL;
    g_assert_cmpint(store_open(k.kiosk_uri, &s, &message), !=, BK_OK);
    store *owner = open_store(k.uri);
    g_assert_cmpint(store_schema_version(owner), ==, 3);
    store_free(owner);
    o = pg_connect(k.uri);
    g_autofree char *version = pg_value(o, "SELECT max(version) FROM schema_version");
    g_assert_cmpstr(version, ==, "3");
    PQfinish(o);

    /* the old account signs in through the kiosk's role; what version 2 allowed is refused */
    store *kiosk = open_store(k.kiosk_uri);
    staff_answer a;
    g_assert_cmpint(staff_verify(kiosk, "anna", "246810", 0, &pol, &a), ==, BK_OK);
    g_assert_cmpint(a.verdict, ==, STAFF_VERDICT_OK);
    g_assert_cmpint(a.role, ==, STAFF_ROLE_DESK);
    expect_verdict(kiosk, "anna", "135790", STAFF_VERDICT_WRONG_PIN);
    store_free(kiosk);
    c = pg_connect(k.kiosk_uri);
    pg_refused(c, "UPDATE staff SET failures = 0 WHERE id = 'anna'", "42501");
    pg_refused(c, "DELETE FROM staff WHERE id = 'anna'", "42501");
    pg_refused(c,
               "INSERT INTO staff (id, name, role, pin_hash, failures, locked_until) VALUES "
               "('evil', 'Evil', 'desk', 'x', 0, 0)",
               "42501");
    pg_refused(c, "SELECT biokiosk_pin_matches('anna', 'fake')", "42883");
    PQfinish(c);
    kiosk_db_free(&k);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    backend = storetest_backend();
    if (backend == NULL)
        return 1;
    if (sodium_init() < 0)
        return 1;
    GError *error = NULL;
    tmpdir = g_dir_make_tmp("biokiosk-store-staff-XXXXXX", &error);
    g_assert_no_error(error);
    static const struct {
        const char *name;
        GTestFunc fn;
    } tests[] = {
        {"set-pin-keeps-account", test_set_pin_keeps_account},
        {"change-pin", test_change_pin},
        {"kiosk-role-writes-no-staff", test_kiosk_writes_no_staff},
        {"temp-table", test_temp_table},
        {"kiosk-role-lockout", test_kiosk_lockout},
        {"kiosk-role-change-pin", test_kiosk_change_pin},
        {"migrate-v2", test_migrate_v2},
    };
    g_autofree char **paths = g_new0(char *, G_N_ELEMENTS(tests) + 1);
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        paths[i] = g_strdup_printf("/store-staff/%s/%s", backend, tests[i].name);
        g_test_add_func(paths[i], tests[i].fn);
    }
    int rc = g_test_run();
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++)
        g_free(paths[i]);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        rc = rc != 0 ? rc : 1;
    g_free(tmpdir);
    return rc;
}
