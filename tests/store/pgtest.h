/* Talking to the test PostgreSQL server directly, beside the store (the roles, the tables as a
 * kiosk's role sees them): tests/store/test-store-data.c and test-store-staff.c. Header only;
 * the test links libpq. */
#ifndef BIOKIOSK_PGTEST_H
#define BIOKIOSK_PGTEST_H

#include <glib.h>
#include <libpq-fe.h>

/* A connection to uri; fails the test when the server cannot be reached. */
static inline PGconn *pg_connect(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        g_error("cannot reach the test PostgreSQL server: %s", PQerrorMessage(c));
    return c;
}

/* Runs sql; fails the test when the server refuses it. */
static inline void pg_do(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        g_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
}

/* Runs sql with $1 = arg; fails the test when the server refuses it. */
static inline void pg_do_param(PGconn *c, const char *sql, const char *arg)
{
    const char *args[] = {arg};
    PGresult *res = PQexecParams(c, sql, 1, NULL, args, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        g_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
}

#endif
