/* The embedded store: one SQLite file in WAL mode, for a kiosk working alone (several processes
 * on one machine may still share it; every status change is one conditional UPDATE). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store/store-backend.h"

/* Writers wait this long for each other (a check-in takes well under a millisecond). */
#define BUSY_TIMEOUT_MS 30000

typedef enum stmt_id {
    ST_GET,
    ST_PERSONS,
    ST_META,
    ST_INSERT,
    ST_UPDATE,
    ST_DELETE_PERSONS,
    ST_INSERT_PERSON,
    ST_TRANSITION,
    ST_FIND_V,
    ST_FIND_NAME,
    ST_COUNT_DAY,
    ST_LIST_DAY,
    ST_PURGE_COUNT,
    ST_PURGE,
    ST_STAFF_INSERT,
    ST_STAFF_DELETE,
    ST_STAFF_ALL,
    ST_STAFF_GET,
    ST_STAFF_FAIL,
    ST_STAFF_LOCK,
    ST_STAFF_SUCCEED,
    ST_STAFF_SET_HASH,
    ST_COUNT_
} stmt_id;

static const char *const sql[ST_COUNT_] = {
    [ST_GET] = "SELECT desk, start, offset_minutes, day, minutes, urgent, status, kiosk "
               "FROM appointments WHERE code = ?1",
    [ST_PERSONS] = "SELECT v_number, name, born_in_nl, birth_date, applied, category, photo, "
                   "fingerprints, fingerprints_poor, signature FROM persons WHERE code = ?1 "
                   "ORDER BY idx",
    [ST_META] = "SELECT status, digest FROM appointments WHERE code = ?1",
    [ST_INSERT] =
        "INSERT INTO appointments (code, desk, start, offset_minutes, day, minutes, "
        "urgent, status, kiosk, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
    [ST_UPDATE] = "UPDATE appointments SET desk = ?2, start = ?3, offset_minutes = ?4, day = ?5, "
                  "minutes = ?6, urgent = ?7, status = ?8, kiosk = NULL, digest = ?9 "
                  "WHERE code = ?1",
    [ST_DELETE_PERSONS] = "DELETE FROM persons WHERE code = ?1",
    [ST_INSERT_PERSON] = "INSERT INTO persons (code, idx, v_number, name, name_lower, born_in_nl, "
                         "birth_date, applied, category, photo, fingerprints, fingerprints_poor, "
                         "signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                         "?13)",
    [ST_TRANSITION] = "UPDATE appointments SET status = ?1, "
                      "kiosk = CASE WHEN ?2 THEN kiosk ELSE ?3 END, changed_at = ?4 "
                      "WHERE code = ?5 AND status = ?6 AND (?7 IS NULL OR kiosk = ?7)",
    [ST_FIND_V] = "SELECT DISTINCT a.code, a.start FROM appointments a JOIN persons p "
                  "ON p.code = a.code WHERE p.v_number = ?1 ORDER BY a.start, a.code",
    [ST_FIND_NAME] = "SELECT DISTINCT a.code, a.start FROM appointments a JOIN persons p "
                     "ON p.code = a.code WHERE p.name_lower = ?1 AND p.birth_date = ?2 "
                     "ORDER BY a.start, a.code",
    [ST_COUNT_DAY] = "SELECT count(*) FROM appointments WHERE desk = ?1 AND day = ?2 "
                     "AND status <> 'cancelled'",
    [ST_LIST_DAY] = "SELECT code, start FROM appointments WHERE desk = ?1 AND day = ?2 "
                    "AND status <> 'cancelled' ORDER BY start, code",
    [ST_PURGE_COUNT] = "SELECT count(DISTINCT code) FROM persons WHERE code IN (SELECT code FROM "
                       "appointments WHERE day < ?1 AND status IN ('completed', 'no-show', "
                       "'cancelled'))",
    [ST_PURGE] = "DELETE FROM persons WHERE code IN (SELECT code FROM appointments WHERE day < ?1 "
                 "AND status IN ('completed', 'no-show', 'cancelled'))",
    [ST_STAFF_INSERT] = "INSERT INTO staff (id, name, role, pin_hash, failures, locked_until) "
                        "VALUES (?1, ?2, ?3, ?4, 0, 0)",
    [ST_STAFF_DELETE] = "DELETE FROM staff WHERE id = ?1",
    [ST_STAFF_ALL] = "SELECT id, name, role, failures, locked_until FROM staff ORDER BY id",
    [ST_STAFF_GET] = "SELECT id, name, role, failures, locked_until, pin_hash FROM staff "
                     "WHERE id = ?1",
    [ST_STAFF_FAIL] = "UPDATE staff SET failures = failures + 1 WHERE id = ?1 "
                      "RETURNING failures",
    [ST_STAFF_LOCK] = "UPDATE staff SET failures = 0, locked_until = ?2 WHERE id = ?1",
    [ST_STAFF_SUCCEED] = "UPDATE staff SET failures = 0 WHERE id = ?1",
    [ST_STAFF_SET_HASH] = "UPDATE staff SET pin_hash = ?2, failures = 0, locked_until = 0 "
                          "WHERE id = ?1",
};

/* Schema steps; step i brings the schema from version i to i + 1. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
    "CREATE TABLE appointments ("
    " code TEXT PRIMARY KEY, desk TEXT NOT NULL, start INTEGER NOT NULL,"
    " offset_minutes INTEGER NOT NULL, day TEXT NOT NULL, minutes INTEGER NOT NULL,"
    " urgent INTEGER NOT NULL, status TEXT NOT NULL, kiosk TEXT, digest TEXT NOT NULL,"
    " changed_at INTEGER);"
    "CREATE TABLE persons ("
    " code TEXT NOT NULL REFERENCES appointments (code) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL, v_number TEXT NOT NULL, name TEXT NOT NULL,"
    " name_lower TEXT NOT NULL, born_in_nl INTEGER NOT NULL, birth_date TEXT NOT NULL,"
    " applied TEXT NOT NULL, category TEXT NOT NULL, photo TEXT, fingerprints TEXT,"
    " fingerprints_poor INTEGER NOT NULL, signature TEXT, PRIMARY KEY (code, idx));"
    "CREATE INDEX persons_v_number ON persons (v_number);"
    "CREATE INDEX persons_name ON persons (name_lower, birth_date);"
    "CREATE TABLE staff ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, pin_hash TEXT NOT NULL,"
    " failures INTEGER NOT NULL, locked_until INTEGER NOT NULL);",
    /* 2: the PostgreSQL store's roles; one SQLite file has one owner and nothing to change */
    "SELECT 1",
    /* 3: the PostgreSQL kiosks' role checks PINs only through the database's functions */
    "SELECT 1",
};

typedef struct lite {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT_];
} lite;

static lite *priv(store *s)
{
    return s->priv;
}

static bk_err fail(lite *l, const char *what)
{
    g_message("sqlite: %s: %s", what, sqlite3_errmsg(l->db));
    return BK_ERR_UNAVAILABLE;
}

/* The prepared statement, reset and cleared for new parameters. */
static sqlite3_stmt *stmt(lite *l, stmt_id id)
{
    if (l->stmt[id] == NULL) {
        if (sqlite3_prepare_v3(l->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &l->stmt[id], NULL) !=
            SQLITE_OK) {
            g_message("sqlite: prepare %d: %s", (int)id, sqlite3_errmsg(l->db));
            return NULL;
        }
    }
    sqlite3_reset(l->stmt[id]);
    sqlite3_clear_bindings(l->stmt[id]);
    return l->stmt[id];
}

static void bind_text(sqlite3_stmt *st, int i, const char *text)
{
    if (text == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

static void bind_date(sqlite3_stmt *st, int i, bool has, caldate d)
{
    char buf[11];
    if (!has) {
        sqlite3_bind_null(st, i);
        return;
    }
    caldate_format(d, buf);
    sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t != NULL ? (const char *)t : NULL;
}

static bool col_date(sqlite3_stmt *st, int i, caldate *out)
{
    const char *t = col_text(st, i);
    return t != NULL && caldate_parse(t, out) == BK_OK;
}

/* Runs a statement that returns no rows. */
static bk_err run(lite *l, sqlite3_stmt *st, const char *what)
{
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        if (rc == SQLITE_CONSTRAINT)
            return BK_ERR_EXISTS;
        return fail(l, what);
    }
    return BK_OK;
}

static bk_err exec(lite *l, const char *text)
{
    char *err = NULL;
    if (sqlite3_exec(l->db, text, NULL, NULL, &err) != SQLITE_OK) {
        g_message("sqlite: %s", err != NULL ? err : "exec failed");
        sqlite3_free(err);
        return BK_ERR_UNAVAILABLE;
    }
    return BK_OK;
}

static bk_err schema_version(lite *l, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(l->db, "SELECT max(version) FROM schema_version", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        /* No such table: a new file. */
        *version = 0;
        return BK_OK;
    }
    rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? BK_OK : fail(l, "schema version");
}

static bk_err sql_exec(void *conn, const char *text)
{
    return exec(conn, text);
}

static bk_err sql_version(void *conn, int *version)
{
    return schema_version(conn, version);
}

static bk_err migrate(lite *l, char **message)
{
    int version = 0;
    bk_err err = schema_version(l, &version);
    if (err == BK_OK && version == STORE_SCHEMA_VERSION)
        return BK_OK;
    /* Another process may be migrating at the same moment: the write lock decides, and the
     * version is read again under it (store_migrate). */
    if (err == BK_OK)
        err = exec(l, "BEGIN IMMEDIATE");
    if (err != BK_OK) {
        if (message != NULL)
            *message = g_strdup("store: cannot create or migrate the SQLite schema");
        return err;
    }
    store_sql q = {l, sql_exec, sql_version};
    return store_migrate(&q, migrations, "SQLite", message);
}

static void lite_close(store *s)
{
    lite *l = priv(s);
    if (l == NULL)
        return;
    for (int i = 0; i < ST_COUNT_; i++)
        sqlite3_finalize(l->stmt[i]);
    sqlite3_close(l->db);
    g_free(l);
    s->priv = NULL;
}

static bk_err lite_open(store *s, const char *path, char **message)
{
    lite *l = g_new0(lite, 1);
    s->priv = l;
    /* The file holds names, birth dates and PIN hashes: readable by its owner only. SQLite gives
     * the -wal and -shm files the same permissions as the database file. */
    if (strcmp(path, ":memory:") != 0 && !g_file_test(path, G_FILE_TEST_EXISTS)) {
        int fd = g_open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    int rc = sqlite3_open_v2(
        path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    bk_err err = BK_OK;
    if (rc != SQLITE_OK) {
        if (message != NULL)
            *message = g_strdup_printf("store: cannot open the SQLite file: %s",
                                       l->db != NULL ? sqlite3_errmsg(l->db) : "out of memory");
        err = BK_ERR_UNAVAILABLE;
    }
    if (err == BK_OK) {
        sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
        if (exec(l, "PRAGMA journal_mode = WAL") != BK_OK ||
            exec(l, "PRAGMA synchronous = NORMAL") != BK_OK ||
            exec(l, "PRAGMA foreign_keys = ON") != BK_OK ||
            /* deleted names and birth dates are overwritten, not left in free pages */
            exec(l, "PRAGMA secure_delete = ON") != BK_OK) {
            if (message != NULL)
                *message =
                    g_strdup_printf("store: cannot use the SQLite file: %s", sqlite3_errmsg(l->db));
            err = BK_ERR_UNAVAILABLE;
        }
    }
    if (err == BK_OK)
        err = migrate(l, message);
    if (err != BK_OK)
        lite_close(s);
    return err;
}

static bk_err lite_begin(store *s)
{
    return exec(priv(s), "BEGIN IMMEDIATE");
}

static bk_err lite_commit(store *s)
{
    return exec(priv(s), "COMMIT");
}

static void lite_rollback(store *s)
{
    exec(priv(s), "ROLLBACK");
}

static bk_err lite_get(store *s, const char *code, store_appointment **out)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_GET);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return BK_ERR_NOT_FOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return fail(l, "get");
    }
    store_appointment *a = store_appointment_new_empty();
    g_strlcpy(a->code, code, sizeof a->code);
    a->desk = g_strdup(col_text(st, 0));
    a->start = sqlite3_column_int64(st, 1);
    a->offset_minutes = sqlite3_column_int(st, 2);
    bool ok = col_date(st, 3, &a->day);
    a->minutes = sqlite3_column_int(st, 4);
    a->urgent = sqlite3_column_int(st, 5) != 0;
    ok = ok && store_status_parse(col_text(st, 6), &a->status) == BK_OK;
    a->kiosk = g_strdup(col_text(st, 7));
    sqlite3_reset(st);

    st = stmt(l, ST_PERSONS);
    if (st == NULL) {
        store_appointment_free(a);
        return BK_ERR_UNAVAILABLE;
    }
    bind_text(st, 1, code);
    GArray *persons = g_array_new(FALSE, TRUE, sizeof(store_person));
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_person p = {0};
        p.v_number = g_strdup(col_text(st, 0));
        p.name = g_strdup(col_text(st, 1));
        p.born_in_nl = sqlite3_column_int(st, 2) != 0;
        ok = col_date(st, 3, &p.rules.birth) && col_date(st, 4, &p.rules.applied) &&
             rules_category_parse(col_text(st, 5), &p.rules.category) == BK_OK;
        p.rules.on = a->day;
        p.rules.has_photo = col_date(st, 6, &p.rules.photo);
        p.rules.has_fingerprints = col_date(st, 7, &p.rules.fingerprints);
        p.rules.fingerprints_poor = sqlite3_column_int(st, 8) != 0;
        p.rules.has_signature = col_date(st, 9, &p.rules.signature);
        g_array_append_val(persons, p);
    }
    sqlite3_reset(st);
    a->n_persons = persons->len;
    a->persons = (store_person *)(void *)g_array_free(persons, FALSE);
    if (!ok || (rc != SQLITE_DONE && rc != SQLITE_ROW)) {
        store_appointment_free(a);
        return ok ? fail(l, "persons") : BK_ERR_CORRUPT;
    }
    *out = a;
    return BK_OK;
}

static bk_err lite_meta(store *s, const char *code, store_meta *out)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_META);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW) {
        if (store_status_parse(col_text(st, 0), &out->status) != BK_OK)
            err = BK_ERR_CORRUPT;
        g_strlcpy(out->digest, col_text(st, 1) != NULL ? col_text(st, 1) : "", sizeof out->digest);
    } else {
        err = rc == SQLITE_DONE ? BK_ERR_NOT_FOUND : fail(l, "meta");
    }
    sqlite3_reset(st);
    return err;
}

static bk_err lite_put(store *s, const store_appointment *a, const char *digest, bool exists)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, exists ? ST_UPDATE : ST_INSERT);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, a->code);
    bind_text(st, 2, a->desk);
    sqlite3_bind_int64(st, 3, a->start);
    sqlite3_bind_int(st, 4, a->offset_minutes);
    bind_date(st, 5, true, a->day);
    sqlite3_bind_int(st, 6, a->minutes);
    sqlite3_bind_int(st, 7, a->urgent ? 1 : 0);
    bind_text(st, 8, store_status_str(a->status));
    bind_text(st, 9, digest);
    bk_err err = run(l, st, "put");
    if (err == BK_OK && exists) {
        st = stmt(l, ST_DELETE_PERSONS);
        if (st != NULL)
            bind_text(st, 1, a->code);
        err = run(l, st, "delete persons");
    }
    for (size_t i = 0; err == BK_OK && i < a->n_persons; i++) {
        const store_person *p = &a->persons[i];
        g_autofree char *stripped = g_strstrip(g_strdup(p->name));
        g_autofree char *lower = g_ascii_strdown(stripped, -1);
        st = stmt(l, ST_INSERT_PERSON);
        if (st == NULL)
            return BK_ERR_UNAVAILABLE;
        bind_text(st, 1, a->code);
        sqlite3_bind_int(st, 2, (int)i);
        bind_text(st, 3, p->v_number);
        bind_text(st, 4, p->name);
        bind_text(st, 5, lower);
        sqlite3_bind_int(st, 6, p->born_in_nl ? 1 : 0);
        bind_date(st, 7, true, p->rules.birth);
        bind_date(st, 8, true, p->rules.applied);
        bind_text(st, 9, rules_category_str(p->rules.category));
        bind_date(st, 10, p->rules.has_photo, p->rules.photo);
        bind_date(st, 11, p->rules.has_fingerprints, p->rules.fingerprints);
        sqlite3_bind_int(st, 12, p->rules.fingerprints_poor ? 1 : 0);
        bind_date(st, 13, p->rules.has_signature, p->rules.signature);
        err = run(l, st, "insert person");
    }
    return err == BK_ERR_EXISTS ? BK_ERR_UNAVAILABLE : err;
}

static bk_err lite_transition(store *s, const char *code, store_status from, const char *from_kiosk,
                              store_status to, const char *new_kiosk, int64_t now, bool *changed)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_TRANSITION);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bool keep = new_kiosk == STORE_KEEP_KIOSK;
    bind_text(st, 1, store_status_str(to));
    sqlite3_bind_int(st, 2, keep ? 1 : 0);
    bind_text(st, 3, keep ? NULL : new_kiosk);
    sqlite3_bind_int64(st, 4, now);
    bind_text(st, 5, code);
    bind_text(st, 6, store_status_str(from));
    bind_text(st, 7, from_kiosk);
    bk_err err = run(l, st, "transition");
    if (err == BK_OK)
        *changed = sqlite3_changes(l->db) > 0;
    return err;
}

static bk_err find(lite *l, stmt_id id, const char *a1, const char *a2, char ***codes)
{
    sqlite3_stmt *st = stmt(l, id);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, a1);
    if (a2 != NULL)
        bind_text(st, 2, a2);
    GPtrArray *list = g_ptr_array_new();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        g_ptr_array_add(list, g_strdup(col_text(st, 0)));
    sqlite3_reset(st);
    g_ptr_array_add(list, NULL);
    char **v = (char **)g_ptr_array_free(list, FALSE);
    if (rc != SQLITE_DONE) {
        g_strfreev(v);
        return fail(l, "find");
    }
    *codes = v;
    return BK_OK;
}

static bk_err lite_find_v_number(store *s, const char *v_number, char ***codes)
{
    return find(priv(s), ST_FIND_V, v_number, NULL, codes);
}

static bk_err lite_find_name(store *s, const char *name_lower, const char *birth, char ***codes)
{
    return find(priv(s), ST_FIND_NAME, name_lower, birth, codes);
}

static bk_err lite_list_day(store *s, const char *desk, const char *day, char ***codes)
{
    return find(priv(s), ST_LIST_DAY, desk, day, codes);
}

static bk_err lite_count_day(store *s, const char *desk, const char *day, long long *count)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_COUNT_DAY);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, desk);
    bind_text(st, 2, day);
    int rc = sqlite3_step(st);
    long long n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(l, "count day");
    *count = n;
    return BK_OK;
}

static bk_err lite_purge_persons(store *s, const char *before, long long *count)
{
    lite *l = priv(s);
    sqlite3_stmt *counting = stmt(l, ST_PURGE_COUNT), *deleting = stmt(l, ST_PURGE);
    if (counting == NULL || deleting == NULL)
        return BK_ERR_UNAVAILABLE;
    bk_err err = exec(l, "BEGIN IMMEDIATE");
    if (err != BK_OK)
        return err;
    bind_text(counting, 1, before);
    int rc = sqlite3_step(counting);
    long long n = rc == SQLITE_ROW ? sqlite3_column_int64(counting, 0) : 0;
    sqlite3_reset(counting);
    if (rc != SQLITE_ROW)
        err = fail(l, "purge count");
    if (err == BK_OK) {
        bind_text(deleting, 1, before);
        rc = sqlite3_step(deleting);
        sqlite3_reset(deleting);
        if (rc != SQLITE_DONE)
            err = fail(l, "purge");
    }
    if (err == BK_OK)
        err = exec(l, "COMMIT");
    if (err != BK_OK) {
        exec(l, "ROLLBACK");
        return err;
    }
    /* the old pages may still be in the write-ahead log: copy back and empty it (a reader in
     * the way only delays this to a later checkpoint) */
    if (sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
        g_message("sqlite: purge: the write-ahead log is emptied later: %s", sqlite3_errmsg(l->db));
    *count = n;
    return BK_OK;
}

static bk_err lite_staff_insert(store *s, const staff_account *a, const char *hash)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_STAFF_INSERT);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, a->id);
    bind_text(st, 2, a->name);
    bind_text(st, 3, staff_role_str(a->role));
    bind_text(st, 4, hash);
    return run(l, st, "staff insert");
}

static bk_err lite_staff_delete(store *s, const char *id)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_STAFF_DELETE);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, id);
    bk_err err = run(l, st, "staff delete");
    if (err == BK_OK && sqlite3_changes(l->db) == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}

static bool read_account(sqlite3_stmt *st, staff_account *a)
{
    a->id = g_strdup(col_text(st, 0));
    a->name = g_strdup(col_text(st, 1));
    a->failures = sqlite3_column_int(st, 3);
    a->locked_until = sqlite3_column_int64(st, 4);
    return staff_role_parse(col_text(st, 2), &a->role) == BK_OK;
}

static bk_err lite_staff_all(store *s, staff_list **out)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_STAFF_ALL);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    GArray *items = g_array_new(FALSE, TRUE, sizeof(staff_account));
    int rc;
    bool ok = true;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        staff_account a = {0};
        ok = read_account(st, &a) && ok;
        g_array_append_val(items, a);
    }
    sqlite3_reset(st);
    staff_list *list = g_new0(staff_list, 1);
    list->n = items->len;
    list->items = (staff_account *)(void *)g_array_free(items, FALSE);
    if (rc != SQLITE_DONE || !ok) {
        staff_list_free(list);
        return ok ? fail(l, "staff list") : BK_ERR_CORRUPT;
    }
    *out = list;
    return BK_OK;
}

static bk_err lite_staff_get(store *s, const char *id, staff_account *out, char **hash)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_STAFF_GET);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    bk_err err = BK_OK;
    if (rc == SQLITE_ROW) {
        staff_account a = {0};
        if (!read_account(st, &a)) {
            store_account_clear(&a);
            err = BK_ERR_CORRUPT;
        } else {
            *out = a;
            if (hash != NULL)
                *hash = g_strdup(col_text(st, 5));
        }
    } else {
        err = rc == SQLITE_DONE ? BK_ERR_NOT_FOUND : fail(l, "staff get");
    }
    sqlite3_reset(st);
    return err;
}

static bk_err lite_staff_fail(store *s, const char *id, int max_failures, int64_t locked_until,
                              bool *locked, int *failures)
{
    lite *l = priv(s);
    bk_err err = exec(l, "BEGIN IMMEDIATE");
    if (err != BK_OK)
        return err;
    sqlite3_stmt *st = stmt(l, ST_STAFF_FAIL);
    int count = 0;
    if (st == NULL) {
        err = BK_ERR_UNAVAILABLE;
    } else {
        bind_text(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            count = sqlite3_column_int(st, 0);
        else
            err = rc == SQLITE_DONE ? BK_ERR_NOT_FOUND : fail(l, "staff fail");
        /* Step to the end so the UPDATE ... RETURNING finishes before COMMIT. */
        while (rc == SQLITE_ROW)
            rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    bool lock = err == BK_OK && count >= max_failures;
    if (lock) {
        st = stmt(l, ST_STAFF_LOCK);
        if (st != NULL) {
            bind_text(st, 1, id);
            sqlite3_bind_int64(st, 2, locked_until);
        }
        err = run(l, st, "staff lock");
    }
    if (err == BK_OK)
        err = exec(l, "COMMIT");
    else
        exec(l, "ROLLBACK");
    if (err == BK_OK) {
        *locked = lock;
        *failures = lock ? 0 : count;
    }
    return err;
}

static bk_err lite_staff_succeed(store *s, const char *id)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_STAFF_SUCCEED);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, id);
    return run(l, st, "staff succeed");
}

static bk_err lite_staff_set_hash(store *s, const char *id, const char *hash)
{
    lite *l = priv(s);
    sqlite3_stmt *st = stmt(l, ST_STAFF_SET_HASH);
    if (st == NULL)
        return BK_ERR_UNAVAILABLE;
    bind_text(st, 1, id);
    bind_text(st, 2, hash);
    bk_err err = run(l, st, "staff set hash");
    if (err == BK_OK && sqlite3_changes(l->db) == 0)
        err = BK_ERR_NOT_FOUND;
    return err;
}

const store_backend store_backend_sqlite = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .get = lite_get,
    .meta = lite_meta,
    .put = lite_put,
    .transition = lite_transition,
    .find_v_number = lite_find_v_number,
    .find_name = lite_find_name,
    .count_day = lite_count_day,
    .list_day = lite_list_day,
    .purge_persons = lite_purge_persons,
    .staff_insert = lite_staff_insert,
    .staff_delete = lite_staff_delete,
    .staff_all = lite_staff_all,
    .staff_get = lite_staff_get,
    .staff_set_hash = lite_staff_set_hash,
    .staff_fail = lite_staff_fail,
    .staff_succeed = lite_staff_succeed,
};
