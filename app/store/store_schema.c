/* The schema: migrations run in order inside one transaction, with the version kept in the
 * database (the backends hold the SQL of each version). */
#include "store/store.h"

#include <glib.h>

#include "store/store-backend.h"

bk_err store_migrate(const store_sql *q, const char *const *migrations, const char *what,
                     char **message)
{
    bk_err err =
        q->exec(q->conn, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    int version = 0;
    if (err == BK_OK)
        err = q->version(q->conn, &version);
    if (err == BK_OK && version > STORE_SCHEMA_VERSION) {
        q->exec(q->conn, "ROLLBACK");
        if (message != NULL)
            *message = g_strdup_printf("store: the database has schema version %d, newer than "
                                       "this program's %d",
                                       version, STORE_SCHEMA_VERSION);
        return BK_ERR_CORRUPT;
    }
    for (int v = version; err == BK_OK && v < STORE_SCHEMA_VERSION; v++) {
        err = q->exec(q->conn, migrations[v]);
        if (err == BK_OK) {
            g_autofree char *mark =
                g_strdup_printf("INSERT INTO schema_version (version) VALUES (%d)", v + 1);
            err = q->exec(q->conn, mark);
        }
    }
    if (err == BK_OK)
        err = q->exec(q->conn, "COMMIT");
    else
        q->exec(q->conn, "ROLLBACK");
    if (err != BK_OK && message != NULL)
        *message = g_strdup_printf("store: cannot create or migrate the %s schema", what);
    return err;
}

int store_schema_version(const store *s)
{
    (void)s;
    return STORE_SCHEMA_VERSION;
}
