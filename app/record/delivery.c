#include "record/delivery.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "record/outbox.h"
#include "record/receipt.h"
#include "record/seal.h"

struct delivery {
    char *base; /* the URL without a trailing '/' */
    uint8_t receiver_pk[SEAL_PUBLIC_BYTES];
    SoupSession *session;
};

/* https://, or http:// to 127.0.0.1 only. */
static bk_err check_url(const char *url, gboolean *tls, char *why, size_t why_size)
{
    GError *error = NULL;
    GUri *u = url ? g_uri_parse(url, G_URI_FLAGS_NONE, &error) : NULL;
    if (u == NULL) {
        g_snprintf(why, why_size, "the delivery URL '%s' is not a URL%s%s", url ? url : "",
                   error ? ": " : "", error ? error->message : "");
        g_clear_error(&error);
        return BK_ERR_INVALID;
    }
    const char *scheme = g_uri_get_scheme(u), *host = g_uri_get_host(u);
    bk_err err = BK_OK;
    *tls = g_ascii_strcasecmp(scheme, "https") == 0;
    if (host == NULL || host[0] == '\0')
        err = BK_ERR_INVALID;
    else if (!*tls && !(g_ascii_strcasecmp(scheme, "http") == 0 && strcmp(host, "127.0.0.1") == 0))
        err = BK_ERR_INVALID;
    if (err != BK_OK)
        g_snprintf(why, why_size,
                   "the delivery URL must be https://HOST[:PORT] (plain http only to 127.0.0.1): "
                   "'%s'",
                   url);
    g_uri_unref(u);
    return err;
}

bk_err delivery_new(const delivery_settings *set, delivery **out, char *why, size_t why_size)
{
    gboolean tls = FALSE;
    if (set == NULL || set->receiver_pk == NULL) {
        g_snprintf(why, why_size, "no receiver key to verify receipts with");
        return BK_ERR_INVALID;
    }
    bk_err err = check_url(set->url, &tls, why, why_size);
    if (err != BK_OK)
        return err;
    GTlsDatabase *db = NULL;
    if (tls) {
        GError *error = NULL;
        if (set->ca == NULL || set->ca[0] == '\0') {
            g_snprintf(why, why_size,
                       "HTTPS delivery needs the receiver's certificate or CA "
                       "to pin ([delivery] ca, --ca)");
            return BK_ERR_INVALID;
        }
        db = g_tls_file_database_new(set->ca, &error);
        if (db == NULL) {
            g_snprintf(why, why_size, "the pinned certificate '%s' cannot be read: %s", set->ca,
                       error->message);
            g_error_free(error);
            return BK_ERR_INVALID;
        }
    }
    delivery *d = g_new0(delivery, 1);
    d->base = g_strdup(set->url);
    while (g_str_has_suffix(d->base, "/"))
        d->base[strlen(d->base) - 1] = '\0';
    memcpy(d->receiver_pk, set->receiver_pk, SEAL_PUBLIC_BYTES);
    unsigned timeout = set->timeout_seconds ? set->timeout_seconds : 30;
    /* only the pinned certificate is trusted, never the system's store */
    d->session = soup_session_new_with_options("timeout", timeout, "idle-timeout", 60, "user-agent",
                                               "biokiosk-delivery", NULL);
    if (db != NULL) {
        soup_session_set_tls_database(d->session, db);
        g_object_unref(db);
    }
    *out = d;
    return BK_OK;
}

void delivery_free(delivery *d)
{
    if (d == NULL)
        return;
    g_object_unref(d->session);
    g_free(d->base);
    g_free(d);
}

/* The receiver's reason from an error body {"error": "..."}, or the status text. */
static void reason(GBytes *body, guint status, char *why, size_t why_size)
{
    gsize n = 0;
    const char *p = body ? g_bytes_get_data(body, &n) : NULL;
    g_autofree char *text = p ? g_strndup(p, MIN(n, 200)) : NULL;
    if (text != NULL)
        for (char *c = text; *c; c++)
            if (!g_ascii_isprint(*c))
                *c = ' ';
    g_snprintf(why, why_size, "the receiver answered %u%s%s", status, text ? ": " : "",
               text ? text : "");
}

bk_err delivery_send(delivery *d, const char *name, const uint8_t *data, size_t len,
                     char **receipt_json, size_t *receipt_len, char *why, size_t why_size)
{
    size_t stem = strlen(name);
    if (g_str_has_suffix(name, OUTBOX_SUFFIX))
        stem -= strlen(OUTBOX_SUFFIX);
    g_autofree char *tcn = g_strndup(name, stem);
    g_autofree char *url = g_strdup_printf("%s/records/%s", d->base, tcn);
    SoupMessage *msg = soup_message_new(SOUP_METHOD_PUT, url);
    if (msg == NULL) {
        g_snprintf(why, why_size, "'%s' is not a URL", url);
        return BK_ERR_INVALID;
    }
    GBytes *bytes = g_bytes_new_static(data, len);
    soup_message_set_request_body_from_bytes(msg, "application/octet-stream", bytes);
    g_bytes_unref(bytes);
    GError *error = NULL;
    GBytes *answer = soup_session_send_and_read(d->session, msg, NULL, &error);
    guint status = soup_message_get_status(msg);
    bk_err err = BK_OK;
    if (answer == NULL) {
        g_snprintf(why, why_size, "the receiver cannot be reached: %s",
                   error ? error->message : "no answer");
        g_clear_error(&error);
        err = BK_ERR_UNAVAILABLE;
    } else if (status != SOUP_STATUS_OK && status != SOUP_STATUS_CREATED) {
        reason(answer, status, why, why_size);
        /* a 5xx is the receiver's trouble, not the network's: the record waits, others go on */
        err = status >= 500 ? BK_ERR_IO : BK_ERR_CONFLICT;
    } else {
        gsize n = 0;
        const char *json = g_bytes_get_data(answer, &n);
        err = receipt_verify(json, n, d->receiver_pk, tcn, data, len, NULL, why, why_size);
        if (err == BK_OK) {
            *receipt_json = g_strndup(json, n);
            if (receipt_len != NULL)
                *receipt_len = n;
        } else {
            err = BK_ERR_CRYPTO;
        }
    }
    if (answer != NULL)
        g_bytes_unref(answer);
    g_object_unref(msg);
    return err;
}

bk_err delivery_run(delivery *d, const char *dir, delivery_event_fn on_event, void *data,
                    delivery_counts *c)
{
    memset(c, 0, sizeof(*c));
    outbox_entry *list = NULL;
    size_t n = 0;
    bk_err err = outbox_list(dir, &list, &n);
    if (err != BK_OK) {
        g_snprintf(c->problem, sizeof(c->problem), "the outbox %s cannot be read: %s", dir,
                   bk_err_str(err));
        return err;
    }
    for (size_t i = 0; i < n && !c->unreachable; i++) {
        g_autofree char *path = g_build_filename(dir, list[i].name, NULL);
        uint8_t *bytes = NULL;
        size_t len = 0;
        char why[256] = "";
        char *rec = NULL;
        size_t rec_len = 0;
        bk_err e = outbox_read_file(path, &bytes, &len);
        if (e == BK_OK)
            e = delivery_send(d, list[i].name, bytes, len, &rec, &rec_len, why, sizeof(why));
        else
            g_snprintf(why, sizeof(why), "cannot read the record: %s", bk_err_str(e));
        if (e == BK_OK) {
            e = outbox_mark_delivered(dir, list[i].name, rec, rec_len);
            if (e != BK_OK)
                g_snprintf(why, sizeof(why), "the receipt came but cannot be kept: %s",
                           bk_err_str(e));
        }
        if (e == BK_OK) {
            c->delivered++;
            g_message("delivery: %s delivered, receipt kept", list[i].name);
            if (on_event != NULL) {
                receipt r = {0};
                receipt_verify(rec, rec_len, d->receiver_pk, NULL, NULL, 0, &r, NULL, 0);
                on_event(list[i].name, "delivered", r.sha256, data);
            }
        } else {
            c->failed++;
            c->unreachable = e == BK_ERR_UNAVAILABLE;
            g_strlcpy(c->problem, why, sizeof(c->problem));
            g_message("delivery: %s still waiting: %s", list[i].name, why);
            if (on_event != NULL && !c->unreachable)
                on_event(list[i].name, e == BK_ERR_CRYPTO ? "bad-receipt" : "refused", why, data);
        }
        g_free(rec);
        g_free(bytes);
    }
    outbox_entries_free(list, n);
    size_t waiting = 0;
    outbox_waiting(dir, &waiting, NULL);
    c->waiting = waiting;
    return c->unreachable ? BK_ERR_UNAVAILABLE : BK_OK;
}
