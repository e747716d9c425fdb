/* Shared by the store tests that run on the backend BIOKIOSK_TEST_STORE names (test-store.c,
 * test-store-data.c, test-store-unnecessary.c): which backend, and a new empty database on it.
 * Header only; the test links libpq (pq_dep). */
#ifndef BIOKIOSK_STORETEST_H
#define BIOKIOSK_STORETEST_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libpq-fe.h>

#include "store/store.h"

/* "sqlite" (BIOKIOSK_TEST_STORE unset) or what it names. NULL, after TAP's "Bail out!", for
 * PostgreSQL without the server with-postgresql.sh starts: not a skip, the PostgreSQL store
 * must be tested wherever the tests run. */
static inline const char *storetest_backend(void)
{
    const char *backend = g_getenv("BIOKIOSK_TEST_STORE");
    if (backend == NULL)
        backend = "sqlite";
    if (strcmp(backend, "postgresql") == 0 && g_getenv("BIOKIOSK_TEST_PGHOST") == NULL) {
        printf("Bail out! BIOKIOSK_TEST_PGHOST is not set: run through with-postgresql.sh\n");
        return NULL;
    }
    return backend;
}

/* The store URI of database db on the test's PostgreSQL server (transfer full). */
static inline char *pg_uri(const char *db)
{
    const char *host = g_getenv("BIOKIOSK_TEST_PGHOST");
    const char *user = g_getenv("BIOKIOSK_TEST_PGUSER");
    g_autofree char *h = g_uri_escape_string(host, NULL, FALSE);
    g_autofree char *u = g_uri_escape_string(user != NULL ? user : "postgres", NULL, FALSE);
    return g_strdup_printf("postgresql:///%s?host=%s&user=%s", db, h, u);
}

/* A new, empty database of backend: SQLite's tmpdir/store-N.db, or PostgreSQL's database
 * PREFIX_PID_N (N counts in *counter); its store URI (transfer full). */
static inline char *storetest_new_database(const char *backend, const char *tmpdir,
                                           const char *prefix, int *counter)
{
    int n = ++*counter;
    if (strcmp(backend, "sqlite") == 0)
        return g_strdup_printf("sqlite:%s/store-%d.db", tmpdir, n);
    g_autofree char *name = g_strdup_printf("%s_%d_%d", prefix, (int)getpid(), n);
    g_autofree char *admin = pg_uri("postgres");
    PGconn *c = PQconnectdb(admin);
    if (PQstatus(c) != CONNECTION_OK)
        g_error("cannot reach the test PostgreSQL server: %s", PQerrorMessage(c));
    g_autofree char *sql = g_strdup_printf("CREATE DATABASE %s", name);
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        g_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
    return pg_uri(name);
}

/* The import of json is refused (BK_ERR_INVALID) with exactly n problem lines, each starting
 * with one of want[0..n) (the lines are printed as test messages). */
static inline void assert_import_refused(store *s, const char *json, const char *const *want,
                                         size_t n)
{
    store_import_report *r = NULL;
    g_assert_cmpint(store_import(s, json, strlen(json), &r), ==, BK_ERR_INVALID);
    g_assert_nonnull(r);
    for (size_t i = 0; i < r->n_problems; i++)
        g_test_message("%s", r->problems[i]);
    g_assert_cmpuint(r->n_problems, ==, n);
    for (size_t i = 0; i < n; i++) {
        gboolean found = FALSE;
        for (size_t k = 0; k < r->n_problems; k++)
            found = found || g_str_has_prefix(r->problems[k], want[i]);
        if (!found)
            g_error("no problem line starting '%s'", want[i]);
    }
    store_import_report_free(r);
}

/* The store at uri, opened; fails the test with the store's message when it cannot be. */
static inline store *open_store(const char *uri)
{
    store *s = NULL;
    g_autofree char *message = NULL;
    if (store_open(uri, &s, &message) != BK_OK)
        g_error("store_open: %s", message);
    return s;
}

#endif
