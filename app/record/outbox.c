#include "record/outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "record/receipt.h"
#include "record/seal.h"

static int is_record_name(const char *name)
{
    return name[0] != '.' && g_str_has_suffix(name, OUTBOX_SUFFIX) &&
           strlen(name) > strlen(OUTBOX_SUFFIX) && strchr(name, '/') == NULL;
}

static bk_err sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bk_err_from_errno(errno);
    bk_err err = fsync(fd) == 0 ? BK_OK : bk_err_from_errno(errno);
    close(fd);
    return err;
}

/* Writes data to a new temporary file ".NAME.RANDOM.tmp" in dir (O_EXCL | O_NOFOLLOW: never
 * through a file or link someone placed there) and fsyncs it; *tmp_path (g_free) names it.
 * Nothing is left behind on failure. */
static bk_err write_temp(const char *dir, const char *name, const uint8_t *data, size_t len,
                         char **tmp_path)
{
    int fd = -1;
    char *tmp = NULL;
    for (int attempt = 0; attempt < 8 && fd < 0; attempt++) {
        g_free(tmp);
        tmp = g_strdup_printf("%s/.%s.%08x.tmp", dir, name, randombytes_random());
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        g_warning("outbox: cannot create a temporary file: %s", g_strerror(e));
        g_free(tmp);
        return bk_err_from_errno(e);
    }
    bk_err err = BK_OK;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = bk_err_from_errno(errno);
            break;
        }
        done += (size_t)n;
    }
    if (err == BK_OK && fsync(fd) != 0)
        err = bk_err_from_errno(errno);
    if (close(fd) != 0 && err == BK_OK)
        err = bk_err_from_errno(errno);
    if (err != BK_OK) {
        unlink(tmp);
        g_free(tmp);
        return err;
    }
    *tmp_path = tmp;
    return BK_OK;
}

char *outbox_name_for_tcn(const char *tcn)
{
    /* KIOSK-ID-YYYYMMDDhhmmssZ-RANDOM: the time is the 15 characters before the last '-' */
    const size_t tlen = 15;
    const char *last = tcn ? strrchr(tcn, '-') : NULL;
    if (last == NULL || (size_t)(last - tcn) < tlen + 2 || last[-1] != 'Z' ||
        last[-(ptrdiff_t)tlen - 1] != '-' || last[1] == '\0')
        return g_strconcat(tcn ? tcn : "", OUTBOX_SUFFIX, NULL);
    const char *time_start = last - tlen;
    for (size_t i = 0; i < tlen - 1; i++)
        if (!g_ascii_isdigit(time_start[i]))
            return g_strconcat(tcn, OUTBOX_SUFFIX, NULL);
    /* the TCN's 32 random bits and 96 more: a kiosk's records over years never share a name
     * (the receiver keeps every name it took; 32 bits alone would clash about once in 100,000
     * records, and that record could then never be delivered) */
    uint8_t more[OUTBOX_NAME_EXTRA_BYTES];
    randombytes_buf(more, sizeof more);
    char hex[2 * sizeof more + 1];
    sodium_bin2hex(hex, sizeof hex, more, sizeof more);
    return g_strdup_printf("%.*s%s%s%s", (int)(time_start - tcn), tcn, last + 1, hex,
                           OUTBOX_SUFFIX);
}

bk_err outbox_commit(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    if (dir == NULL || name == NULL || data == NULL || !is_record_name(name))
        return BK_ERR_INVALID;
    g_autofree char *final = g_build_filename(dir, name, NULL);
    g_autofree char *delivered = g_build_filename(dir, OUTBOX_DELIVERED, name, NULL);
    /* a delivered record keeps its name on the receiver: never reuse it */
    if (access(final, F_OK) == 0 || access(delivered, F_OK) == 0)
        return BK_ERR_EXISTS;
    g_autofree char *tmp = NULL;
    bk_err err = write_temp(dir, name, data, len, &tmp);
    if (err != BK_OK)
        return err;
    /* link() instead of rename() would refuse an existing name atomically, but some removable
     * media filesystems lack hard links; the access() check above covers the kiosk's single
     * writer. */
    if (err == BK_OK && rename(tmp, final) != 0)
        err = bk_err_from_errno(errno);
    if (err != BK_OK) {
        g_warning("outbox: commit failed: %s", bk_err_str(err));
        unlink(tmp);
        return err;
    }
    err = sync_dir(dir);
    if (err != BK_OK) {
        /* the rename may not survive a power loss: take the record back so the caller retries */
        g_warning("outbox: directory sync failed: %s", bk_err_str(err));
        unlink(final);
        return err;
    }
    g_debug("outbox: committed %s (%zu bytes)", name, len);
    return BK_OK;
}

/* dir/NAME-without-suffix.receipt (g_free). */
static char *receipt_path(const char *dir, const char *name)
{
    size_t stem = strlen(name) - strlen(OUTBOX_SUFFIX);
    g_autofree char *file = g_strdup_printf("%.*s%s", (int)stem, name, OUTBOX_RECEIPT_SUFFIX);
    return g_build_filename(dir, file, NULL);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const outbox_entry *)a)->name, ((const outbox_entry *)b)->name);
}

void outbox_entries_free(outbox_entry *entries, size_t n)
{
    if (entries == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        g_free(entries[i].name);
        g_free(entries[i].receipt);
    }
    g_free(entries);
}

bk_err outbox_list(const char *dir, outbox_entry **entries, size_t *n)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return bk_err_from_errno(errno);
    GArray *list = g_array_new(FALSE, TRUE, sizeof(outbox_entry));
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!is_record_name(de->d_name))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        outbox_entry e = {g_strdup(de->d_name), (size_t)st.st_size, st.st_mtime, NULL, 0};
        g_array_append_val(list, e);
    }
    closedir(d);
    if (list->len > 1) /* an empty GArray has no data pointer, which qsort must not get */
        qsort(list->data, list->len, sizeof(outbox_entry), entry_cmp);
    *n = list->len;
    *entries = (outbox_entry *)g_array_free(list, FALSE);
    return BK_OK;
}

bk_err outbox_list_delivered(const char *dir, outbox_entry **entries, size_t *n)
{
    g_autofree char *done = g_build_filename(dir, OUTBOX_DELIVERED, NULL);
    if (!g_file_test(done, G_FILE_TEST_IS_DIR)) {
        *entries = NULL;
        *n = 0;
        return g_file_test(dir, G_FILE_TEST_IS_DIR) ? BK_OK : BK_ERR_NOT_FOUND;
    }
    bk_err err = outbox_list(done, entries, n);
    for (size_t i = 0; err == BK_OK && i < *n; i++) {
        g_autofree char *rpath = receipt_path(done, (*entries)[i].name);
        gchar *text = NULL;
        gsize len = 0;
        if (!g_file_get_contents(rpath, &text, &len, NULL))
            continue;
        JsonParser *p = json_parser_new();
        if (json_parser_load_from_data(p, text, (gssize)len, NULL) &&
            JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
            JsonObject *o = json_node_get_object(json_parser_get_root(p));
            time_t t = 0;
            const char *when = json_object_get_string_member_with_default(o, "received", "");
            if (receipt_parse_time(when, &t) == BK_OK) {
                (*entries)[i].receipt = g_strchomp(text);
                (*entries)[i].received = t;
                text = NULL;
            }
        }
        g_object_unref(p);
        g_free(text);
    }
    return err;
}

bk_err outbox_waiting(const char *dir, size_t *count, time_t *oldest)
{
    outbox_entry *e = NULL;
    size_t n = 0;
    bk_err err = outbox_list(dir, &e, &n);
    if (err != BK_OK)
        return err;
    time_t first = 0;
    for (size_t i = 0; i < n; i++)
        if (first == 0 || e[i].mtime < first)
            first = e[i].mtime;
    outbox_entries_free(e, n);
    if (count != NULL)
        *count = n;
    if (oldest != NULL)
        *oldest = first;
    return BK_OK;
}

bk_err outbox_mark_delivered(const char *dir, const char *name, const char *receipt_json,
                             size_t receipt_len)
{
    if (dir == NULL || name == NULL || receipt_json == NULL || !is_record_name(name))
        return BK_ERR_INVALID;
    g_autofree char *done = g_build_filename(dir, OUTBOX_DELIVERED, NULL);
    if (mkdir(done, 0750) == 0)
        sync_dir(dir); /* the new directory itself survives a power loss */
    else if (errno != EEXIST)
        return bk_err_from_errno(errno);
    g_autofree char *src = g_build_filename(dir, name, NULL);
    g_autofree char *dst = g_build_filename(done, name, NULL);
    g_autofree char *rpath = receipt_path(done, name);
    g_autofree char *rname = g_path_get_basename(rpath);
    g_autofree char *tmp = NULL;
    /* the receipt first: a record in delivered/ always has its receipt beside it */
    bk_err err = write_temp(done, rname, (const uint8_t *)receipt_json, receipt_len, &tmp);
    if (err != BK_OK)
        return err;
    if (rename(tmp, rpath) != 0) {
        err = bk_err_from_errno(errno);
        unlink(tmp);
        return err;
    }
    err = sync_dir(done);
    if (err == BK_OK && rename(src, dst) != 0)
        err = bk_err_from_errno(errno);
    if (err == BK_OK)
        err = sync_dir(done);
    if (err == BK_OK)
        err = sync_dir(dir);
    if (err != BK_OK)
        g_warning("outbox: %s could not be moved to delivered/: %s", name, bk_err_str(err));
    return err;
}

/* Tells the caller of an event; false when it could not record it. */
static bool announce(outbox_event_fn on_event, void *data, const char *name, const char *event)
{
    return on_event == NULL || on_event(name, event, data);
}

bk_err outbox_discard(const char *dir, const char *name, outbox_event_fn on_event, void *data)
{
    if (dir == NULL || name == NULL || !is_record_name(name))
        return BK_ERR_INVALID;
    g_autofree char *path = g_build_filename(dir, name, NULL);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return BK_ERR_NOT_FOUND;
    if (!announce(on_event, data, name, "discarded"))
        return BK_ERR_IO;
    if (unlink(path) != 0) {
        bk_err err = bk_err_from_errno(errno);
        announce(on_event, data, name, "not-deleted");
        return err;
    }
    g_message("outbox: %s discarded by staff (not delivered)", name);
    return sync_dir(dir);
}

bk_err outbox_read_file(const char *path, uint8_t **data, size_t *len)
{
    gchar *contents = NULL;
    gsize length = 0;
    GError *error = NULL;
    if (!g_file_get_contents(path, &contents, &length, &error)) {
        bk_err err =
            error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_NOENT   ? BK_ERR_NOT_FOUND
            : error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_ACCES ? BK_ERR_PERMISSION
                                                                                 : BK_ERR_IO;
        g_error_free(error);
        return err;
    }
    *data = (uint8_t *)contents;
    *len = length;
    return BK_OK;
}

bk_err outbox_verify_file(const char *path, const uint8_t *kiosk_pk, char *why, size_t why_size)
{
    uint8_t *data = NULL;
    size_t len = 0;
    bk_err err = outbox_read_file(path, &data, &len);
    if (err != BK_OK) {
        g_snprintf(why, why_size, "cannot read: %s", bk_err_str(err));
        return err;
    }
    err = seal_verify(data, len, kiosk_pk, NULL, why, why_size);
    g_free(data);
    return err;
}

static bk_err clean_temp_in(const char *dir, size_t *removed);

bk_err outbox_clean_temp(const char *dir, size_t *removed)
{
    size_t here = 0, there = 0;
    bk_err err = clean_temp_in(dir, &here);
    g_autofree char *done = g_build_filename(dir, OUTBOX_DELIVERED, NULL);
    if (err == BK_OK && g_file_test(done, G_FILE_TEST_IS_DIR))
        err = clean_temp_in(done, &there);
    if (removed != NULL)
        *removed = here + there;
    return err;
}

static bk_err clean_temp_in(const char *dir, size_t *removed)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return bk_err_from_errno(errno);
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.' || !g_str_has_suffix(de->d_name, ".tmp"))
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
            count++;
            g_message("outbox: removed the unfinished file %s", de->d_name);
        }
    }
    closedir(d);
    if (count > 0)
        sync_dir(dir);
    if (removed != NULL)
        *removed = count;
    return BK_OK;
}

bk_err outbox_export(const char *dir, const char *dest, const uint8_t *kiosk_pk, int remove,
                     outbox_event_fn on_event, void *data, size_t *exported, char *why,
                     size_t why_size)
{
    outbox_entry *entries = NULL;
    size_t n = 0, count = 0;
    bk_err err = outbox_list(dir, &entries, &n);
    if (err != BK_OK) {
        g_snprintf(why, why_size, "%s: %s", dir, bk_err_str(err));
        return err;
    }
    for (size_t i = 0; i < n && err == BK_OK; i++) {
        g_autofree char *src = g_build_filename(dir, entries[i].name, NULL);
        g_autofree char *dst = g_build_filename(dest, entries[i].name, NULL);
        uint8_t *bytes = NULL;
        size_t len = 0;
        char reason[256] = "";
        err = outbox_read_file(src, &bytes, &len);
        if (err == BK_OK &&
            seal_verify(bytes, len, kiosk_pk, NULL, reason, sizeof(reason)) != BK_OK)
            err = BK_ERR_CORRUPT;
        if (err == BK_OK) {
            err = outbox_commit(dest, entries[i].name, bytes, len);
            if (err == BK_ERR_EXISTS) {
                /* an earlier export that was not confirmed: the copy counts if it is identical */
                uint8_t *there = NULL;
                size_t there_len = 0;
                err = outbox_read_file(dst, &there, &there_len);
                if (err == BK_OK && (there_len != len || memcmp(there, bytes, len) != 0))
                    err = BK_ERR_CONFLICT;
                g_free(there);
            }
        }
        if (err == BK_OK)
            err = outbox_verify_file(dst, kiosk_pk, reason, sizeof(reason));
        g_free(bytes);
        if (err != BK_OK) {
            g_snprintf(why, why_size, "%s: %s%s%s", entries[i].name, bk_err_str(err),
                       reason[0] ? ": " : "", reason);
            break;
        }
        count++;
        g_message("outbox: exported %s", entries[i].name);
        if (!announce(on_event, data, entries[i].name, "exported") ||
            (remove && !announce(on_event, data, entries[i].name, "deleted-after-transfer"))) {
            err = BK_ERR_IO;
            g_snprintf(why, why_size, "%s: exported, but the audit log refused its entry: %s",
                       entries[i].name, remove ? "kept in the outbox" : "stopped");
            break;
        }
        if (remove) {
            if (unlink(src) != 0) {
                err = bk_err_from_errno(errno);
                g_snprintf(why, why_size, "%s: exported but not removed: %s", entries[i].name,
                           bk_err_str(err));
                announce(on_event, data, entries[i].name, "not-deleted");
                break;
            }
            g_message("outbox: deleted %s after its confirmed transfer", entries[i].name);
        }
    }
    if (remove && count > 0)
        sync_dir(dir);
    outbox_entries_free(entries, n);
    if (exported != NULL)
        *exported = count;
    return err;
}

bk_err outbox_purge(const char *dir, unsigned days, time_t now, outbox_event_fn on_event,
                    void *data, size_t *deleted)
{
    outbox_entry *entries = NULL;
    size_t n = 0, count = 0;
    bk_err err = outbox_list_delivered(dir, &entries, &n);
    if (err != BK_OK)
        return err;
    g_autofree char *done = g_build_filename(dir, OUTBOX_DELIVERED, NULL);
    time_t limit = now - (time_t)days * 24 * 3600;
    for (size_t i = 0; i < n; i++) {
        /* no readable receipt, no deletion: its age is unknown */
        if (entries[i].receipt == NULL || entries[i].received == 0 ||
            (days > 0 && entries[i].received >= limit))
            continue;
        g_autofree char *path = g_build_filename(done, entries[i].name, NULL);
        g_autofree char *rpath = receipt_path(done, entries[i].name);
        if (!announce(on_event, data, entries[i].name, "deleted-after-retention")) {
            g_warning("outbox: purge stopped: the audit log refused the entry for %s",
                      entries[i].name);
            err = BK_ERR_IO;
            break;
        }
        if (unlink(path) != 0) {
            err = bk_err_from_errno(errno);
            g_warning("outbox: cannot delete %s: %s", entries[i].name, g_strerror(errno));
            announce(on_event, data, entries[i].name, "not-deleted");
            continue;
        }
        unlink(rpath);
        count++;
        g_message("outbox: deleted the delivered %s after the retention period of %u days",
                  entries[i].name, days);
    }
    if (count > 0)
        sync_dir(done);
    outbox_entries_free(entries, n);
    if (deleted != NULL)
        *deleted = count;
    return err;
}
