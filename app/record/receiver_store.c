#include "record/receiver_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <libpq-fe.h>
#include <sodium.h>

#define STORED_SUFFIX ".stored"
#define STORED_MAGIC  "biokiosk-stored v1 "

struct receiver_store {
    char *dir;    /* dir: backend */
    PGconn *conn; /* postgresql: backend */
};

static const char create_sql[] = "CREATE TABLE IF NOT EXISTS received_records ("
                                 " tcn text PRIMARY KEY,"
                                 " kiosk text NOT NULL,"
                                 " sha256 text NOT NULL,"
                                 " received text NOT NULL,"
                                 " bytes bytea NOT NULL)";

static bk_err open_pg(receiver_store *s, const char *uri, char *why, size_t why_size)
{
    s->conn = PQconnectdb(uri);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        g_snprintf(why, why_size, "the database cannot be reached: %s", PQerrorMessage(s->conn));
        g_strchomp(why);
        return BK_ERR_UNAVAILABLE;
    }
    PGresult *r = PQexec(s->conn, create_sql);
    bk_err err = PQresultStatus(r) == PGRES_COMMAND_OK ? BK_OK : BK_ERR_UNAVAILABLE;
    if (err != BK_OK)
        g_snprintf(why, why_size, "cannot create the table: %s", PQresultErrorMessage(r));
    PQclear(r);
    return err;
}

/* Removes the temporary files of stores a crash interrupted (never acknowledged: no receipt was
 * given for them). */
static void dir_clean_temp(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] == '.' && g_str_has_suffix(de->d_name, ".tmp") &&
            unlinkat(dirfd(d), de->d_name, 0) == 0)
            g_message("receiver: removed the unfinished file %s", de->d_name);
    closedir(d);
}

bk_err receiver_store_open(const char *uri, receiver_store **out, char *why, size_t why_size)
{
    receiver_store *s = g_new0(receiver_store, 1);
    bk_err err = BK_OK;
    if (uri != NULL && g_str_has_prefix(uri, "dir:")) {
        s->dir = g_strdup(uri + 4);
        if (!g_file_test(s->dir, G_FILE_TEST_IS_DIR)) {
            g_snprintf(why, why_size, "'%s' is not a directory", s->dir);
            err = BK_ERR_NOT_FOUND;
        } else {
            dir_clean_temp(s->dir);
        }
    } else if (uri != NULL &&
               (g_str_has_prefix(uri, "postgresql:") || g_str_has_prefix(uri, "postgres:"))) {
        err = open_pg(s, uri, why, why_size);
    } else {
        g_snprintf(why, why_size, "the store must be dir:PATH or postgresql://...");
        err = BK_ERR_INVALID;
    }
    if (err != BK_OK) {
        receiver_store_free(s);
        return err;
    }
    *out = s;
    return BK_OK;
}

void receiver_store_free(receiver_store *s)
{
    if (s == NULL)
        return;
    if (s->conn != NULL)
        PQfinish(s->conn);
    g_free(s->dir);
    g_free(s);
}

/* The header of a stored file: received, kiosk, sha256. FALSE when it is not one. */
static gboolean read_header(int fd, char received[RECEIPT_TIME_BYTES], char *kiosk,
                            size_t kiosk_size, char sha[65], size_t *header_len)
{
    char line[256];
    ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
    if (n <= 0)
        return FALSE;
    line[n] = '\0';
    char *nl = strchr(line, '\n');
    if (nl == NULL || strncmp(line, STORED_MAGIC, strlen(STORED_MAGIC)) != 0)
        return FALSE;
    *nl = '\0';
    gchar **f = g_strsplit(line + strlen(STORED_MAGIC), " ", 4);
    gboolean ok = g_strv_length(f) == 3 && strlen(f[0]) == RECEIPT_TIME_BYTES - 1 &&
                  strlen(f[1]) < kiosk_size && strlen(f[2]) == 64;
    if (ok) {
        g_strlcpy(received, f[0], RECEIPT_TIME_BYTES);
        g_strlcpy(kiosk, f[1], kiosk_size);
        g_strlcpy(sha, f[2], 65);
        *header_len = (size_t)(nl - line) + 1;
    }
    g_strfreev(f);
    return ok;
}

/* The stored copy of `path`, compared with sha: BK_OK (same; *received set), BK_ERR_CONFLICT,
 * BK_ERR_NOT_FOUND or an I/O error. */
static bk_err dir_existing(const char *path, const char sha256[65],
                           char received[RECEIPT_TIME_BYTES])
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return bk_err_from_errno(errno);
    char kiosk[128], sha[65];
    size_t hl = 0;
    gboolean ok = read_header(fd, received, kiosk, sizeof(kiosk), sha, &hl);
    close(fd);
    if (!ok)
        return BK_ERR_CORRUPT;
    return strcmp(sha, sha256) == 0 ? BK_OK : BK_ERR_CONFLICT;
}

static bk_err write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bk_err_from_errno(errno);
        p += n;
        len -= (size_t)n;
    }
    return BK_OK;
}

static bk_err dir_put(receiver_store *s, const char *tcn, const char *kiosk, const uint8_t *data,
                      size_t len, const char sha256[65], const char *now,
                      char received[RECEIPT_TIME_BYTES], bool *again)
{
    g_autofree char *path = g_strdup_printf("%s/%s" STORED_SUFFIX, s->dir, tcn);
    bk_err err = dir_existing(path, sha256, received);
    if (err == BK_OK || err == BK_ERR_CONFLICT || err == BK_ERR_CORRUPT) {
        *again = err == BK_OK;
        return err == BK_ERR_CORRUPT ? BK_ERR_CONFLICT : err;
    }
    g_autofree char *tmp = g_strdup_printf("%s/.%s.%08x.tmp", s->dir, tcn, randombytes_random());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd < 0)
        return bk_err_from_errno(errno);
    g_autofree char *header = g_strdup_printf(STORED_MAGIC "%s %s %s\n", now, kiosk, sha256);
    err = write_all(fd, header, strlen(header));
    if (err == BK_OK)
        err = write_all(fd, data, len);
    if (err == BK_OK && fsync(fd) != 0)
        err = bk_err_from_errno(errno);
    if (close(fd) != 0 && err == BK_OK)
        err = bk_err_from_errno(errno);
    /* link, not rename: a name stored already is never replaced, even by another receiver */
    if (err == BK_OK && link(tmp, path) != 0)
        err = bk_err_from_errno(errno);
    unlink(tmp);
    if (err == BK_ERR_EXISTS) {
        err = dir_existing(path, sha256, received);
        *again = err == BK_OK;
        return err;
    }
    if (err != BK_OK)
        return err;
    int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        err = bk_err_from_errno(errno);
        unlink(path); /* not durable: take it back, so no receipt is ever given for it */
    }
    if (dfd >= 0)
        close(dfd);
    if (err == BK_OK) {
        g_strlcpy(received, now, RECEIPT_TIME_BYTES);
        *again = false;
    }
    return err;
}

static bk_err pg_result_err(PGconn *conn, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(conn) != CONNECTION_OK)
        return BK_ERR_UNAVAILABLE;
    if (state != NULL && g_str_has_prefix(state, "53")) /* insufficient resources: disk full */
        return BK_ERR_NO_SPACE;
    return BK_ERR_IO;
}

static bk_err pg_existing(receiver_store *s, const char *tcn, const char sha256[65],
                          char received[RECEIPT_TIME_BYTES])
{
    const char *args[] = {tcn};
    PGresult *r =
        PQexecParams(s->conn, "SELECT sha256, received FROM received_records WHERE tcn = $1", 1,
                     NULL, args, NULL, NULL, 0);
    bk_err err;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        err = pg_result_err(s->conn, r);
    else if (PQntuples(r) != 1)
        err = BK_ERR_NOT_FOUND;
    else if (strcmp(PQgetvalue(r, 0, 0), sha256) != 0)
        err = BK_ERR_CONFLICT;
    else {
        g_strlcpy(received, PQgetvalue(r, 0, 1), RECEIPT_TIME_BYTES);
        err = BK_OK;
    }
    PQclear(r);
    return err;
}

static bk_err pg_put(receiver_store *s, const char *tcn, const char *kiosk, const uint8_t *data,
                     size_t len, const char sha256[65], const char *now,
                     char received[RECEIPT_TIME_BYTES], bool *again)
{
    if (PQstatus(s->conn) != CONNECTION_OK) {
        PQreset(s->conn);
        if (PQstatus(s->conn) != CONNECTION_OK)
            return BK_ERR_UNAVAILABLE;
    }
    const char *args[] = {tcn, kiosk, sha256, now, (const char *)data};
    int lens[] = {0, 0, 0, 0, (int)len};
    int formats[] = {0, 0, 0, 0, 1};
    /* autocommit: the row is committed (and, with fsync on, on disk) when this returns */
    PGresult *r = PQexecParams(s->conn,
                               "INSERT INTO received_records (tcn, kiosk, sha256, received, "
                               "bytes) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tcn) DO NOTHING",
                               5, NULL, args, lens, formats, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        bk_err err = pg_result_err(s->conn, r);
        g_warning("receiver: the database refused a record: %s", PQresultErrorMessage(r));
        PQclear(r);
        return err;
    }
    gboolean inserted = strcmp(PQcmdTuples(r), "1") == 0;
    PQclear(r);
    if (inserted) {
        g_strlcpy(received, now, RECEIPT_TIME_BYTES);
        *again = false;
        return BK_OK;
    }
    bk_err err = pg_existing(s, tcn, sha256, received);
    *again = err == BK_OK;
    return err;
}

bk_err receiver_store_put(receiver_store *s, const char *tcn, const char *kiosk,
                          const uint8_t *data, size_t len, const char sha256[65], const char *now,
                          char received[RECEIPT_TIME_BYTES], bool *again)
{
    if (s == NULL || tcn == NULL || kiosk == NULL || data == NULL || now == NULL || len > INT32_MAX)
        return BK_ERR_INVALID;
    if (s->dir != NULL)
        return dir_put(s, tcn, kiosk, data, len, sha256, now, received, again);
    return pg_put(s, tcn, kiosk, data, len, sha256, now, received, again);
}

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const receiver_item *)a)->tcn, ((const receiver_item *)b)->tcn);
}

static bk_err dir_list(receiver_store *s, GArray *list)
{
    DIR *d = opendir(s->dir);
    if (d == NULL)
        return bk_err_from_errno(errno);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !g_str_has_suffix(de->d_name, STORED_SUFFIX))
            continue;
        int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        receiver_item it = {0};
        char kiosk[128], sha[65];
        size_t hl = 0;
        struct stat st;
        if (fstat(fd, &st) == 0 && read_header(fd, it.received, kiosk, sizeof(kiosk), sha, &hl)) {
            it.tcn = g_strndup(de->d_name, strlen(de->d_name) - strlen(STORED_SUFFIX));
            it.kiosk = g_strdup(kiosk);
            it.bytes = (size_t)st.st_size - hl;
            g_array_append_val(list, it);
        }
        close(fd);
    }
    closedir(d);
    return BK_OK;
}

static bk_err pg_list(receiver_store *s, GArray *list)
{
    PGresult *r = PQexec(s->conn, "SELECT tcn, kiosk, octet_length(bytes), received "
                                  "FROM received_records ORDER BY tcn");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        bk_err err = pg_result_err(s->conn, r);
        PQclear(r);
        return err;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        receiver_item it = {0};
        it.tcn = g_strdup(PQgetvalue(r, i, 0));
        it.kiosk = g_strdup(PQgetvalue(r, i, 1));
        it.bytes = (size_t)g_ascii_strtoull(PQgetvalue(r, i, 2), NULL, 10);
        g_strlcpy(it.received, PQgetvalue(r, i, 3), sizeof(it.received));
        g_array_append_val(list, it);
    }
    PQclear(r);
    return BK_OK;
}

bk_err receiver_store_list(receiver_store *s, receiver_item **items, size_t *n)
{
    GArray *list = g_array_new(FALSE, TRUE, sizeof(receiver_item));
    bk_err err = s->dir != NULL ? dir_list(s, list) : pg_list(s, list);
    if (list->len > 1)
        qsort(list->data, list->len, sizeof(receiver_item), item_cmp);
    *n = list->len;
    *items = (receiver_item *)g_array_free(list, FALSE);
    if (err != BK_OK) {
        receiver_items_free(*items, *n);
        *items = NULL;
        *n = 0;
    }
    return err;
}

void receiver_items_free(receiver_item *items, size_t n)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        g_free(items[i].tcn);
        g_free(items[i].kiosk);
    }
    g_free(items);
}
