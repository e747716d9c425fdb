/* The shared store: a PostgreSQL database through libpq, for several kiosks and desks. Every
 * statement is prepared once per connection and run with parameters; a check-in is one
 * conditional UPDATE, so the database's row lock decides between kiosks. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "store/store-backend.h"

/* Serialises schema migrations of several kiosks starting at once (any fixed number). */
#define MIGRATION_LOCK "7236001"

typedef enum stmt_id {
    ST_GET,
    ST_PERSONS,
    ST_META,
    ST_META_MANY,
    ST_INSERT,
    ST_UPDATE,
    ST_DELETE_PERSONS,
    ST_INSERT_PERSON,
    ST_TRANSITION,
    ST_FIND_V,
    ST_FIND_NAME,
    ST_COUNT_DAY,
    ST_LIST_DAY,
    ST_PURGE,
    ST_STAFF_INSERT,
    ST_STAFF_DELETE,
    ST_STAFF_ALL,
    ST_STAFF_GET,
    ST_STAFF_GET_HASH,
    ST_PIN_SETTING,
    ST_PIN_CHECK,
    ST_PIN_CHANGE,
    ST_STAFF_SET_HASH,
    ST_COUNT_
} stmt_id;

static const char *const sql[ST_COUNT_] = {
    [ST_GET] = "SELECT desk, start, offset_minutes, day, minutes, urgent, status, kiosk "
               "FROM appointments WHERE code = $1",
    [ST_PERSONS] = "SELECT v_number, name, born_in_nl, birth_date, applied, category, photo, "
                   "fingerprints, fingerprints_poor, signature FROM persons WHERE code = $1 "
                   "ORDER BY idx",
    /* The import reads status and digest under a row lock held to its commit: a check-in that
     * lands between its read and its write waits, and is then seen as a conflict instead of
     * being undone by an unconditional update (a check-in first makes the import wait, then
     * read checked-in). */
    [ST_META] = "SELECT status, digest FROM appointments WHERE code = $1 FOR UPDATE",
    [ST_META_MANY] = "SELECT code, status, digest FROM appointments WHERE code = ANY ($1::text[]) "
                     "FOR UPDATE",
    [ST_INSERT] = "INSERT INTO appointments (code, desk, start, offset_minutes, day, minutes, "
                  "urgent, status, kiosk, digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, "
                  "$9)",
    [ST_UPDATE] = "UPDATE appointments SET desk = $2, start = $3, offset_minutes = $4, day = $5, "
                  "minutes = $6, urgent = $7, status = $8, kiosk = NULL, digest = $9 "
                  "WHERE code = $1",
    [ST_DELETE_PERSONS] = "DELETE FROM persons WHERE code = $1",
    [ST_INSERT_PERSON] = "INSERT INTO persons (code, idx, v_number, name, name_lower, born_in_nl, "
                         "birth_date, applied, category, photo, fingerprints, fingerprints_poor, "
                         "signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                         "$13)",
    [ST_TRANSITION] = "UPDATE appointments SET status = $1, "
                      "kiosk = CASE WHEN $2::integer = 1 THEN kiosk ELSE $3::text END, "
                      "changed_at = $4 "
                      "WHERE code = $5 AND status = $6 AND ($7::text IS NULL OR kiosk = $7::text)",
    [ST_FIND_V] = "SELECT DISTINCT a.code, a.start FROM appointments a JOIN persons p "
                  "ON p.code = a.code WHERE p.v_number = $1 ORDER BY a.start, a.code",
    [ST_FIND_NAME] = "SELECT DISTINCT a.code, a.start FROM appointments a JOIN persons p "
                     "ON p.code = a.code WHERE p.name_lower = $1 AND p.birth_date = $2 "
                     "ORDER BY a.start, a.code",
    [ST_COUNT_DAY] = "SELECT count(*) FROM appointments WHERE desk = $1 AND day = $2 "
                     "AND status <> 'cancelled'",
    [ST_LIST_DAY] = "SELECT code, start FROM appointments WHERE desk = $1 AND day = $2 "
                    "AND status <> 'cancelled' ORDER BY start, code",
    [ST_PURGE] = "WITH gone AS (DELETE FROM persons WHERE code IN (SELECT code FROM appointments "
                 "WHERE day < $1 AND status IN ('completed', 'no-show', 'cancelled')) "
                 "RETURNING code) SELECT count(DISTINCT code) FROM gone",
    [ST_STAFF_INSERT] = "INSERT INTO staff (id, name, role, pin_hash, failures, locked_until) "
                        "VALUES ($1, $2, $3, $4, 0, 0)",
    [ST_STAFF_DELETE] = "DELETE FROM staff WHERE id = $1",
    [ST_STAFF_ALL] = "SELECT id, name, role, failures, locked_until FROM staff ORDER BY id",
    [ST_STAFF_GET] = "SELECT id, name, role, failures, locked_until FROM staff WHERE id = $1",
    [ST_STAFF_GET_HASH] = "SELECT id, name, role, failures, locked_until, pin_hash FROM staff "
                          "WHERE id = $1",
    [ST_PIN_SETTING] = "SELECT biokiosk_pin_setting($1)",
    [ST_PIN_CHECK] = "SELECT verdict, staff_role, tries_left, until_time "
                     "FROM biokiosk_pin_check($1, $2, $3::integer, $4::bigint)",
    [ST_PIN_CHANGE] = "SELECT verdict, staff_role, tries_left, until_time "
                      "FROM biokiosk_pin_change($1, $2, $3, $4::integer, $5::bigint)",
    [ST_STAFF_SET_HASH] = "UPDATE staff SET pin_hash = $2, failures = 0, locked_until = 0 "
                          "WHERE id = $1",
};

typedef struct pg {
    PGconn *conn;
    bool prepared[ST_COUNT_];
} pg;

static pg *priv(store *s)
{
    return s->priv;
}

/* libpq prints notices (e.g. "relation already exists, skipping") on stderr by default. */
static void notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The first line of libpq's message, for a log line. */
static void log_error(pg *p, const char *what, const PGresult *res)
{
    const char *msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);
    g_autofree char *line = g_strdup(msg != NULL ? msg : "");
    char *nl = strchr(line, '\n');
    if (nl != NULL)
        *nl = '\0';
    g_message("postgresql: %s: %s", what, line);
}

/* A failed statement's bk_err: BK_ERR_EXISTS for a unique violation, BK_ERR_INVALID for a value
 * a function refused (invalid_parameter_value), else BK_ERR_UNAVAILABLE. */
static bk_err error_of(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state != NULL && strcmp(state, "23505") == 0)
        return BK_ERR_EXISTS;
    if (state != NULL && strcmp(state, "22023") == 0)
        return BK_ERR_INVALID;
    return BK_ERR_UNAVAILABLE;
}

static void statement_name(stmt_id id, char name[static 16])
{
    g_snprintf(name, 16, "bk%d", (int)id);
}

/* Prepares statement id on this connection once. */
static bk_err prepare(pg *p, stmt_id id)
{
    if (p->prepared[id])
        return BK_OK;
    char name[16];
    statement_name(id, name);
    PGresult *res = PQprepare(p->conn, name, sql[id], 0, NULL);
    bk_err err = BK_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        log_error(p, "prepare", res);
        err = BK_ERR_UNAVAILABLE;
    } else {
        p->prepared[id] = true;
    }
    PQclear(res);
    return err;
}

/* Runs prepared statement id; returns the result (PQclear it) or NULL after logging. *err gets
 * error_of the failure. */
static PGresult *run(pg *p, stmt_id id, int n, const char *const *values, bk_err *err)
{
    char name[16];
    statement_name(id, name);
    if (PQstatus(p->conn) == CONNECTION_BAD) {
        /* The server went away (restart, network): connect again for this call. The prepared
         * statements died with the old session. */
        PQreset(p->conn);
        memset(p->prepared, 0, sizeof p->prepared);
        if (PQstatus(p->conn) != CONNECTION_OK) {
            log_error(p, "reconnect", NULL);
            *err = BK_ERR_UNAVAILABLE;
            return NULL;
        }
        PQsetNoticeProcessor(p->conn, notice, NULL);
    }
    if ((*err = prepare(p, id)) != BK_OK)
        return NULL;
    PGresult *res = PQexecPrepared(p->conn, name, n, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        *err = error_of(res);
        if (*err != BK_ERR_EXISTS)
            log_error(p, "statement", res);
        PQclear(res);
        return NULL;
    }
    *err = BK_OK;
    return res;
}

static bk_err exec(pg *p, const char *text)
{
    PGresult *res = PQexec(p->conn, text);
    ExecStatusType st = PQresultStatus(res);
    bk_err err = BK_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        log_error(p, "exec", res);
        err = BK_ERR_UNAVAILABLE;
    }
    PQclear(res);
    return err;
}

static const char *val(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static bool val_date(const PGresult *res, int row, int col, caldate *out)
{
    const char *t = val(res, row, col);
    return t != NULL && caldate_parse(t, out) == BK_OK;
}

static long long val_int(const PGresult *res, int row, int col)
{
    const char *t = val(res, row, col);
    return t != NULL ? strtoll(t, NULL, 10) : 0;
}

static bk_err sql_exec(void *conn, const char *text)
{
    return exec(conn, text);
}

static bk_err sql_version(void *conn, int *version)
{
    pg *p = conn;
    PGresult *res = PQexec(p->conn, "SELECT coalesce(max(version), 0) FROM schema_version");
    bk_err err = BK_ERR_UNAVAILABLE;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        *version = (int)val_int(res, 0, 0);
        err = BK_OK;
    }
    PQclear(res);
    return err;
}

static bk_err migrate(pg *p, char **message)
{
    /* A kiosk's role may not change the schema: when it is current, nothing is run that needs
     * more than reading (the migration role brings it up to date: docs/technicians.md). */
    int version = 0;
    PGresult *res = PQexec(p->conn, "SELECT coalesce(max(version), 0) FROM schema_version");
    bool current = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                   (version = (int)val_int(res, 0, 0)) == STORE_SCHEMA_VERSION;
    PQclear(res);
    if (current)
        return BK_OK;
    /* Kiosks sharing the database may start together: one migrates, under an advisory lock
     * held to the end of the transaction. */
    bk_err err = exec(p, "BEGIN");
    if (err == BK_OK)
        err = exec(p, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")");
    if (err != BK_OK) {
        exec(p, "ROLLBACK");
        if (message != NULL)
            *message = g_strdup("store: cannot create or migrate the PostgreSQL schema");
        return err;
    }
    store_sql q = {p, sql_exec, sql_version};
    return store_migrate(&q, store_pg_migrations, "PostgreSQL", message);
}

static void pg_close(store *s)
{
    pg *p = priv(s);
    if (p == NULL)
        return;
    PQfinish(p->conn);
    g_free(p);
    s->priv = NULL;
}

/* Whether a libpq host value (a comma-separated list) names a host over the network: any
 * element that is not a Unix socket directory ('/' or '@' first; empty is the default socket). */
static bool hosts_remote(const char *hosts)
{
    g_auto(GStrv) list = g_strsplit(hosts, ",", -1);
    for (char **h = list; *h != NULL; h++) {
        const char *e = g_strstrip(*h);
        if (e[0] != '\0' && e[0] != '/' && e[0] != '@')
            return true;
    }
    return false;
}

char *store_pg_conninfo(const char *uri)
{
    PQconninfoOption *opts = PQconninfoParse(uri, NULL);
    if (opts == NULL)
        return g_strdup(uri); /* libpq will say what is wrong with it */
    bool has_mode = g_getenv("PGSSLMODE") != NULL, remote = false;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0')
            continue;
        if (strcmp(o->keyword, "sslmode") == 0)
            has_mode = true;
        else if (strcmp(o->keyword, "hostaddr") == 0 ||
                 (strcmp(o->keyword, "host") == 0 && hosts_remote(o->val)))
            remote = true;
    }
    /* PGHOST counts only where the URI names no host (libpq's precedence) */
    bool named = false;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        named =
            named || ((strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0) &&
                      o->val != NULL && o->val[0] != '\0');
    if (!named && g_getenv("PGHOST") != NULL && hosts_remote(g_getenv("PGHOST")))
        remote = true;
    PQconninfoFree(opts);
    if (has_mode || !remote)
        return g_strdup(uri);
    /* libpq's default (prefer) does not authenticate the server: verify its certificate and
     * name unless the URI says otherwise */
    if (g_str_has_prefix(uri, "postgresql://") || g_str_has_prefix(uri, "postgres://"))
        return g_strdup_printf("%s%ssslmode=verify-full", uri, strchr(uri, '?') ? "&" : "?");
    return g_strdup_printf("%s sslmode=verify-full", uri);
}

static bk_err pg_open(store *s, const char *uri, char **message)
{
    pg *p = g_new0(pg, 1);
    s->priv = p;
    g_autofree char *conninfo = store_pg_conninfo(uri);
    p->conn = PQconnectdb(conninfo);
    if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
        if (message != NULL) {
            g_autofree char *line =
                g_strdup(p->conn != NULL ? PQerrorMessage(p->conn) : "out of memory");
            char *nl = strchr(line, '\n');
            if (nl != NULL)
                *nl = '\0';
            *message = g_strdup_printf("store: cannot connect to PostgreSQL: %s", line);
        }
        pg_close(s);
        return BK_ERR_UNAVAILABLE;
    }
    PQsetNoticeProcessor(p->conn, notice, NULL);
    bk_err err = exec(p, "SET client_min_messages = warning");
    if (err == BK_OK)
        err = migrate(p, message);
    if (err != BK_OK)
        pg_close(s);
    return err;
}

static bk_err pg_begin(store *s)
{
    return exec(priv(s), "BEGIN");
}

static bk_err pg_commit(store *s)
{
    return exec(priv(s), "COMMIT");
}

static void pg_rollback(store *s)
{
    exec(priv(s), "ROLLBACK");
}

static bk_err pg_get(store *s, const char *code, store_appointment **out)
{
    pg *p = priv(s);
    bk_err err;
    const char *args[] = {code};
    PGresult *res = run(p, ST_GET, 1, args, &err);
    if (res == NULL)
        return err;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return BK_ERR_NOT_FOUND;
    }
    store_appointment *a = store_appointment_new_empty();
    g_strlcpy(a->code, code, sizeof a->code);
    a->desk = g_strdup(val(res, 0, 0));
    a->start = val_int(res, 0, 1);
    a->offset_minutes = (int)val_int(res, 0, 2);
    bool ok = val_date(res, 0, 3, &a->day);
    a->minutes = (int)val_int(res, 0, 4);
    a->urgent = val_int(res, 0, 5) != 0;
    ok = ok && store_status_parse(val(res, 0, 6), &a->status) == BK_OK;
    a->kiosk = g_strdup(val(res, 0, 7));
    PQclear(res);

    res = run(p, ST_PERSONS, 1, args, &err);
    if (res == NULL) {
        store_appointment_free(a);
        return err;
    }
    int n = PQntuples(res);
    a->persons = g_new0(store_person, n > 0 ? n : 1);
    for (int i = 0; ok && i < n; i++) {
        store_person *pp = &a->persons[i];
        pp->v_number = g_strdup(val(res, i, 0));
        pp->name = g_strdup(val(res, i, 1));
        a->n_persons++;
        pp->born_in_nl = val_int(res, i, 2) != 0;
        ok = val_date(res, i, 3, &pp->rules.birth) && val_date(res, i, 4, &pp->rules.applied) &&
             rules_category_parse(val(res, i, 5), &pp->rules.category) == BK_OK;
        pp->rules.on = a->day;
        pp->rules.has_photo = val_date(res, i, 6, &pp->rules.photo);
        pp->rules.has_fingerprints = val_date(res, i, 7, &pp->rules.fingerprints);
        pp->rules.fingerprints_poor = val_int(res, i, 8) != 0;
        pp->rules.has_signature = val_date(res, i, 9, &pp->rules.signature);
    }
    PQclear(res);
    if (!ok) {
        store_appointment_free(a);
        return BK_ERR_CORRUPT;
    }
    *out = a;
    return BK_OK;
}

static bk_err pg_meta(store *s, const char *code, store_meta *out)
{
    pg *p = priv(s);
    bk_err err;
    const char *args[] = {code};
    PGresult *res = run(p, ST_META, 1, args, &err);
    if (res == NULL)
        return err;
    if (PQntuples(res) == 0) {
        err = BK_ERR_NOT_FOUND;
    } else {
        if (store_status_parse(val(res, 0, 0), &out->status) != BK_OK)
            err = BK_ERR_CORRUPT;
        g_strlcpy(out->digest, val(res, 0, 1) != NULL ? val(res, 0, 1) : "", sizeof out->digest);
    }
    PQclear(res);
    return err;
}

static const char *date_or_null(bool has, caldate d, char buf[static 11])
{
    if (!has)
        return NULL;
    caldate_format(d, buf);
    return buf;
}

/* Sends prepared statement id without waiting (pipeline mode); counts it in *sent. */
static bool send_prepared(pg *p, stmt_id id, int n, const char *const *values, int *sent)
{
    char name[16];
    statement_name(id, name);
    if (!PQsendQueryPrepared(p->conn, name, n, values, NULL, NULL, 0)) {
        log_error(p, "send", NULL);
        return false;
    }
    (*sent)++;
    return true;
}

/* Sends the statements that write one appointment and its persons. */
static bool send_put(pg *p, const store_appointment *a, const char *digest, bool exists, int *sent)
{
    char start[24], offset[16], day[11], minutes[16];
    g_snprintf(start, sizeof start, "%" G_GINT64_FORMAT, a->start);
    g_snprintf(offset, sizeof offset, "%d", a->offset_minutes);
    caldate_format(a->day, day);
    g_snprintf(minutes, sizeof minutes, "%d", a->minutes);
    const char *args[] = {a->code,
                          a->desk,
                          start,
                          offset,
                          day,
                          minutes,
                          a->urgent ? "1" : "0",
                          store_status_str(a->status),
                          digest};
    if (!send_prepared(p, exists ? ST_UPDATE : ST_INSERT, 9, args, sent))
        return false;
    if (exists && !send_prepared(p, ST_DELETE_PERSONS, 1, args, sent))
        return false;
    for (size_t i = 0; i < a->n_persons; i++) {
        const store_person *pp = &a->persons[i];
        g_autofree char *stripped = g_strstrip(g_strdup(pp->name));
        g_autofree char *lower = g_ascii_strdown(stripped, -1);
        char idx[16], birth[11], applied[11], photo[11], fingerprints[11], signature[11];
        g_snprintf(idx, sizeof idx, "%zu", i);
        caldate_format(pp->rules.birth, birth);
        caldate_format(pp->rules.applied, applied);
        const char *pargs[] = {
            a->code,
            idx,
            pp->v_number,
            pp->name,
            lower,
            pp->born_in_nl ? "1" : "0",
            birth,
            applied,
            rules_category_str(pp->rules.category),
            date_or_null(pp->rules.has_photo, pp->rules.photo, photo),
            date_or_null(pp->rules.has_fingerprints, pp->rules.fingerprints, fingerprints),
            pp->rules.fingerprints_poor ? "1" : "0",
            date_or_null(pp->rules.has_signature, pp->rules.signature, signature),
        };
        if (!send_prepared(p, ST_INSERT_PERSON, 13, pargs, sent))
            return false;
    }
    return true;
}

/* Writes n appointments in one pipeline: every statement is sent, then the answers are read
 * together, so an import costs one round trip per batch instead of several per appointment.
 * After the first failure the server skips the rest (the transaction is then rolled back). */
static bk_err pg_put_many(store *s, const store_appointment *const *items,
                          const char *const *digests, const bool *exists, size_t n)
{
    pg *p = priv(s);
    static const stmt_id used[] = {ST_INSERT, ST_UPDATE, ST_DELETE_PERSONS, ST_INSERT_PERSON};
    for (size_t i = 0; i < G_N_ELEMENTS(used); i++)
        if (prepare(p, used[i]) != BK_OK)
            return BK_ERR_UNAVAILABLE;
    if (!PQenterPipelineMode(p->conn)) {
        log_error(p, "pipeline", NULL);
        return BK_ERR_UNAVAILABLE;
    }
    int sent = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = send_put(p, items[i], digests[i], exists[i], &sent);
    ok = ok && PQpipelineSync(p->conn);
    if (!ok) {
        /* The connection is broken; the next call connects again. */
        return BK_ERR_UNAVAILABLE;
    }
    bk_err err = BK_OK;
    for (int q = 0; q < sent; q++) {
        PGresult *res = PQgetResult(p->conn);
        if (res == NULL) {
            err = BK_ERR_UNAVAILABLE;
            break;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && err == BK_OK) {
            if (st != PGRES_PIPELINE_ABORTED)
                log_error(p, "put", res);
            err = BK_ERR_UNAVAILABLE;
        }
        PQclear(res);
        /* Each statement's answers end with a NULL. */
        PQclear(PQgetResult(p->conn));
    }
    PGresult *res;
    while ((res = PQgetResult(p->conn)) != NULL) {
        bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (sync)
            break;
    }
    if (!PQexitPipelineMode(p->conn)) {
        log_error(p, "pipeline end", NULL);
        err = BK_ERR_UNAVAILABLE;
    }
    return err;
}

static bk_err pg_put(store *s, const store_appointment *a, const char *digest, bool exists)
{
    return pg_put_many(s, &a, &digest, &exists, 1);
}

/* Looks up many codes in one statement. The codes are canonical (0-9 and capitals only), so the
 * array literal needs no quoting; it is still passed as a parameter. */
static bk_err pg_meta_many(store *s, const char *const *codes, size_t n, store_meta *metas,
                           bool *found)
{
    pg *p = priv(s);
    GString *list = g_string_new("{");
    for (size_t i = 0; i < n; i++) {
        found[i] = false;
        g_string_append_printf(list, "%s%s", i > 0 ? "," : "", codes[i]);
    }
    g_string_append_c(list, '}');
    const char *args[] = {list->str};
    bk_err err = BK_OK;
    /* Not prepared: planned for each batch, so that the plan follows the table as an import
     * fills it (a generic plan made while the table was empty would scan it whole). */
    PGresult *res = PQexecParams(p->conn, sql[ST_META_MANY], 1, NULL, args, NULL, NULL, 0);
    g_string_free(list, TRUE);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_error(p, "meta", res);
        PQclear(res);
        return BK_ERR_UNAVAILABLE;
    }
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < n; i++)
        g_hash_table_insert(index, (gpointer)codes[i], GSIZE_TO_POINTER(i + 1));
    for (int r = 0; r < PQntuples(res); r++) {
        size_t i = GPOINTER_TO_SIZE(g_hash_table_lookup(index, val(res, r, 0)));
        if (i == 0)
            continue;
        store_meta *m = &metas[i - 1];
        if (store_status_parse(val(res, r, 1), &m->status) != BK_OK)
            err = BK_ERR_CORRUPT;
        g_strlcpy(m->digest, val(res, r, 2) != NULL ? val(res, r, 2) : "", sizeof m->digest);
        found[i - 1] = true;
    }
    g_hash_table_destroy(index);
    PQclear(res);
    return err;
}

static bk_err pg_transition(store *s, const char *code, store_status from, const char *from_kiosk,
                            store_status to, const char *new_kiosk, int64_t now, bool *changed)
{
    pg *p = priv(s);
    bool keep = new_kiosk == STORE_KEEP_KIOSK;
    char when[24];
    g_snprintf(when, sizeof when, "%" G_GINT64_FORMAT, now);
    const char *args[] = {
        store_status_str(to),   keep ? "1" : "0", keep ? NULL : new_kiosk, when, code,
        store_status_str(from), from_kiosk};
    bk_err err;
    PGresult *res = run(p, ST_TRANSITION, 7, args, &err);
    if (res == NULL)
        return err;
    *changed = strcmp(PQcmdTuples(res), "0") != 0 && *PQcmdTuples(res) != '\0';
    PQclear(res);
    return BK_OK;
}

static bk_err find(pg *p, stmt_id id, int n, const char *const *args, char ***codes)
{
    bk_err err;
    PGresult *res = run(p, id, n, args, &err);
    if (res == NULL)
        return err;
    int rows = PQntuples(res);
    char **v = g_new0(char *, rows + 1);
    for (int i = 0; i < rows; i++)
        v[i] = g_strdup(val(res, i, 0));
    PQclear(res);
    *codes = v;
    return BK_OK;
}

static bk_err pg_find_v_number(store *s, const char *v_number, char ***codes)
{
    const char *args[] = {v_number};
    return find(priv(s), ST_FIND_V, 1, args, codes);
}

static bk_err pg_find_name(store *s, const char *name_lower, const char *birth, char ***codes)
{
    const char *args[] = {name_lower, birth};
    return find(priv(s), ST_FIND_NAME, 2, args, codes);
}

static bk_err pg_list_day(store *s, const char *desk, const char *day, char ***codes)
{
    const char *args[] = {desk, day};
    return find(priv(s), ST_LIST_DAY, 2, args, codes);
}

static bk_err pg_count_day(store *s, const char *desk, const char *day, long long *count)
{
    const char *args[] = {desk, day};
    bk_err err;
    PGresult *res = run(priv(s), ST_COUNT_DAY, 2, args, &err);
    if (res == NULL)
        return err;
    bool one = PQntuples(res) == 1;
    long long n = one ? val_int(res, 0, 0) : 0;
    PQclear(res);
    if (!one)
        return BK_ERR_UNAVAILABLE;
    *count = n;
    return BK_OK;
}

static bk_err pg_purge_persons(store *s, const char *before, long long *count)
{
    const char *args[] = {before};
    bk_err err;
    PGresult *res = run(priv(s), ST_PURGE, 1, args, &err);
    if (res == NULL)
        return err;
    bool one = PQntuples(res) == 1;
    long long n = one ? val_int(res, 0, 0) : 0;
    PQclear(res);
    if (!one)
        return BK_ERR_UNAVAILABLE;
    *count = n;
    return BK_OK;
}

static bk_err pg_staff_insert(store *s, const staff_account *a, const char *hash)
{
    const char *args[] = {a->id, a->name, staff_role_str(a->role), hash};
    bk_err err;
    PGresult *res = run(priv(s), ST_STAFF_INSERT, 4, args, &err);
    PQclear(res);
    return err;
}

static bk_err pg_staff_delete(store *s, const char *id)
{
    const char *args[] = {id};
    bk_err err;
    PGresult *res = run(priv(s), ST_STAFF_DELETE, 1, args, &err);
    if (res == NULL)
        return err;
    if (strcmp(PQcmdTuples(res), "0") == 0)
        err = BK_ERR_NOT_FOUND;
    PQclear(res);
    return err;
}

static bool read_account(const PGresult *res, int row, staff_account *a)
{
    a->id = g_strdup(val(res, row, 0));
    a->name = g_strdup(val(res, row, 1));
    a->failures = (int)val_int(res, row, 3);
    a->locked_until = val_int(res, row, 4);
    return staff_role_parse(val(res, row, 2), &a->role) == BK_OK;
}

static bk_err pg_staff_all(store *s, staff_list **out)
{
    bk_err err;
    PGresult *res = run(priv(s), ST_STAFF_ALL, 0, NULL, &err);
    if (res == NULL)
        return err;
    int rows = PQntuples(res);
    staff_list *list = g_new0(staff_list, 1);
    list->items = g_new0(staff_account, rows > 0 ? rows : 1);
    bool ok = true;
    for (int i = 0; i < rows; i++) {
        ok = read_account(res, i, &list->items[i]) && ok;
        list->n++;
    }
    PQclear(res);
    if (!ok) {
        staff_list_free(list);
        return BK_ERR_CORRUPT;
    }
    *out = list;
    return BK_OK;
}

static bk_err pg_staff_get(store *s, const char *id, staff_account *out, char **hash)
{
    const char *args[] = {id};
    bk_err err;
    /* the hash only for the migration role's tools (staff set-pin): a kiosk never asks */
    PGresult *res = run(priv(s), hash != NULL ? ST_STAFF_GET_HASH : ST_STAFF_GET, 1, args, &err);
    if (res == NULL)
        return err;
    if (PQntuples(res) == 0) {
        err = BK_ERR_NOT_FOUND;
    } else {
        staff_account a = {0};
        if (!read_account(res, 0, &a)) {
            store_account_clear(&a);
            err = BK_ERR_CORRUPT;
        } else {
            *out = a;
            if (hash != NULL)
                *hash = g_strdup(val(res, 0, 5));
        }
    }
    PQclear(res);
    return err;
}

static bk_err pg_staff_set_hash(store *s, const char *id, const char *hash)
{
    const char *args[] = {id, hash};
    bk_err err;
    PGresult *res = run(priv(s), ST_STAFF_SET_HASH, 2, args, &err);
    if (res == NULL)
        return err;
    if (strcmp(PQcmdTuples(res), "0") == 0)
        err = BK_ERR_NOT_FOUND;
    PQclear(res);
    return err;
}

static bk_err pg_staff_setting(store *s, const char *id, char **setting)
{
    const char *args[] = {id};
    bk_err err;
    PGresult *res = run(priv(s), ST_PIN_SETTING, 1, args, &err);
    if (res == NULL)
        return err;
    *setting = PQntuples(res) == 1 ? g_strdup(val(res, 0, 0)) : NULL;
    PQclear(res);
    return BK_OK;
}

/* The answer of biokiosk_pin_check/change: verdict, role, tries left, locked until. */
static bool read_answer(const PGresult *res, staff_answer *ans)
{
    *ans = (staff_answer){.verdict = STAFF_VERDICT_COUNT_};
    if (PQntuples(res) != 1)
        return false;
    for (int v = 0; v < STAFF_VERDICT_COUNT_; v++)
        if (g_strcmp0(val(res, 0, 0), staff_verdict_str((staff_verdict)v)) == 0)
            ans->verdict = (staff_verdict)v;
    ans->failures_left = (int)val_int(res, 0, 2);
    ans->locked_until = val_int(res, 0, 3);
    if (ans->verdict == STAFF_VERDICT_OK)
        return staff_role_parse(val(res, 0, 1), &ans->role) == BK_OK;
    return ans->verdict != STAFF_VERDICT_COUNT_;
}

static bk_err pg_staff_check(store *s, const char *id, const char *candidate, const char *new_hash,
                             const staff_policy *policy, staff_answer *answer)
{
    char max[16], lock[24];
    g_snprintf(max, sizeof max, "%d", policy->max_failures);
    g_snprintf(lock, sizeof lock, "%" G_GINT64_FORMAT, (int64_t)policy->lockout_minutes * 60);
    const char *check[] = {id, candidate, max, lock};
    const char *change[] = {id, candidate, new_hash, max, lock};
    bk_err err;
    PGresult *res = new_hash != NULL ? run(priv(s), ST_PIN_CHANGE, 5, change, &err)
                                     : run(priv(s), ST_PIN_CHECK, 4, check, &err);
    if (res == NULL)
        return err;
    staff_answer ans;
    bool ok = read_answer(res, &ans);
    PQclear(res);
    if (!ok)
        return BK_ERR_CORRUPT;
    *answer = ans;
    return BK_OK;
}

const store_backend store_backend_postgresql = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .get = pg_get,
    .meta = pg_meta,
    .put = pg_put,
    .meta_many = pg_meta_many,
    .put_many = pg_put_many,
    .transition = pg_transition,
    .find_v_number = pg_find_v_number,
    .find_name = pg_find_name,
    .count_day = pg_count_day,
    .list_day = pg_list_day,
    .purge_persons = pg_purge_persons,
    .staff_insert = pg_staff_insert,
    .staff_delete = pg_staff_delete,
    .staff_all = pg_staff_all,
    .staff_get = pg_staff_get,
    .staff_set_hash = pg_staff_set_hash,
    .staff_setting = pg_staff_setting,
    .staff_check = pg_staff_check,
};
