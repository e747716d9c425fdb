#include "record/receiver.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "record/receipt.h"
#include "record/receiver_store.h"
#include "record/seal.h"

#define RECORDS_PATH "/records/"

typedef struct receiver {
    const receiver_settings *set;
    uint8_t sk[SEAL_SIGN_SECRET_BYTES];
    receiver_store *store;
    size_t max_bytes;
    GMainLoop *loop;
} receiver;

static void answer_error(SoupServerMessage *msg, guint status, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static void answer_error(SoupServerMessage *msg, guint status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "error");
    json_builder_add_string_value(b, text);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    char *body = json_to_string(root, FALSE);
    json_node_unref(root);
    g_object_unref(b);
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, body, strlen(body));
}

/* A record name: [A-Za-z0-9-], with a kiosk part and a non-empty random part. *kiosk (g_free)
 * is everything before the last '-'. */
static gboolean split_name(const char *name, char **kiosk)
{
    size_t n = strlen(name);
    if (n < 3 || n > RECEIPT_NAME_MAX)
        return FALSE;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(name[i]) && name[i] != '-')
            return FALSE;
    const char *dash = strrchr(name, '-');
    if (dash == NULL || dash == name || dash[1] == '\0')
        return FALSE;
    *kiosk = g_strndup(name, (gsize)(dash - name));
    return TRUE;
}

static guint status_for(bk_err err)
{
    switch (err) {
    case BK_ERR_CONFLICT:
        return SOUP_STATUS_CONFLICT;
    case BK_ERR_NO_SPACE:
        return SOUP_STATUS_INSUFFICIENT_STORAGE;
    case BK_ERR_UNAVAILABLE:
        return SOUP_STATUS_SERVICE_UNAVAILABLE;
    default:
        return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

/* Before the body: the method, the path and the size, so nothing large is read in vain. */
static void on_headers(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
    (void)server;
    (void)query;
    receiver *r = data;
    if (!g_str_has_prefix(path, RECORDS_PATH)) {
        answer_error(msg, SOUP_STATUS_NOT_FOUND, "only %sNAME is served", RECORDS_PATH);
        return;
    }
    if (strcmp(soup_server_message_get_method(msg), SOUP_METHOD_PUT) != 0) {
        answer_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "records are sent with PUT");
        return;
    }
    SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
    if (soup_message_headers_get_encoding(h) != SOUP_ENCODING_CONTENT_LENGTH) {
        answer_error(msg, SOUP_STATUS_LENGTH_REQUIRED, "a Content-Length is required");
        return;
    }
    goffset len = soup_message_headers_get_content_length(h);
    if (len <= 0 || (guint64)len > r->max_bytes)
        answer_error(msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                     "the record is %lld bytes; this receiver takes 1 to %zu", (long long)len,
                     r->max_bytes);
}

/* Verifies and stores one record; *status and the receipt or error text for the answer. */
static void handle_put(receiver *r, SoupServerMessage *msg, const char *name, const uint8_t *body,
                       size_t len)
{
    g_autofree char *kiosk = NULL;
    if (!split_name(name, &kiosk)) {
        answer_error(msg, SOUP_STATUS_BAD_REQUEST, "'%s' is not a record name (KIOSK-ID-RANDOM)",
                     name);
        return;
    }
    g_autofree char *key_file = g_strdup_printf("%s/%s.pub", r->set->kiosks_dir, kiosk);
    uint8_t pk[SEAL_PUBLIC_BYTES];
    char why[256] = "";
    bk_err err = seal_key_read(key_file, SEAL_KEY_KIOSK_PUBLIC, pk, sizeof(pk), why, sizeof(why));
    if (err != BK_OK) {
        g_message("receiver: refused %s: unknown kiosk %s", name, kiosk);
        answer_error(msg, SOUP_STATUS_FORBIDDEN, "unknown kiosk '%s'", kiosk);
        return;
    }
    err = seal_verify(body, len, pk, NULL, why, sizeof(why));
    if (err != BK_OK) {
        g_message("receiver: refused %s: %s", name, why);
        answer_error(msg, err == BK_ERR_CRYPTO ? SOUP_STATUS_FORBIDDEN : SOUP_STATUS_BAD_REQUEST,
                     "%s: %s", err == BK_ERR_CRYPTO ? "not signed by this kiosk" : "damaged", why);
        return;
    }
    receipt rc = {0};
    g_strlcpy(rc.tcn, name, sizeof(rc.tcn));
    receipt_sha256_hex(body, len, rc.sha256);
    char now[RECEIPT_TIME_BYTES];
    receipt_time(time(NULL), now);
    bool again = false;
    err = receiver_store_put(r->store, name, kiosk, body, len, rc.sha256, now, rc.received, &again);
    if (err != BK_OK) {
        if (err == BK_ERR_CONFLICT)
            g_warning("receiver: conflict: %s is stored with other bytes; refused (409)", name);
        else
            g_warning("receiver: cannot store %s: %s", name, bk_err_str(err));
        answer_error(msg, status_for(err), "not stored: %s", bk_err_str(err));
        return;
    }
    char *json = NULL;
    size_t json_len = 0;
    if (receipt_sign(&rc, r->sk, &json, &json_len) != BK_OK) {
        answer_error(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "cannot sign the receipt");
        return;
    }
    g_message("receiver: %s %s (%zu bytes) from %s", again ? "acknowledged again" : "stored", name,
              len, kiosk);
    soup_server_message_set_status(msg, again ? SOUP_STATUS_OK : SOUP_STATUS_CREATED, NULL);
    soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, json, json_len);
}

static void on_request(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer data)
{
    (void)server;
    (void)query;
    if (soup_server_message_get_status(msg) != 0)
        return; /* refused before the body */
    SoupMessageBody *body = soup_server_message_get_request_body(msg);
    GBytes *bytes = soup_message_body_flatten(body);
    gsize len = 0;
    const uint8_t *p = g_bytes_get_data(bytes, &len);
    handle_put(data, msg, path + strlen(RECORDS_PATH), p, len);
    g_bytes_unref(bytes);
}

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(((receiver *)data)->loop);
    return G_SOURCE_CONTINUE;
}

/* Listens as set->listen says; prints the address. */
static bk_err listen_on(receiver *r, SoupServer *server, char *why, size_t why_size)
{
    const receiver_settings *set = r->set;
    const char *colon = set->listen ? strrchr(set->listen, ':') : NULL;
    if (colon == NULL) {
        g_snprintf(why, why_size, "--listen must be ADDR:PORT");
        return BK_ERR_INVALID;
    }
    g_autofree char *host = g_strndup(set->listen, (gsize)(colon - set->listen));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    char *end = NULL;
    guint64 port = g_ascii_strtoull(colon + 1, &end, 10);
    GInetAddress *ia = g_inet_address_new_from_string(host);
    if (ia == NULL || end == colon + 1 || *end != '\0' || port > 65535) {
        if (ia)
            g_object_unref(ia);
        g_snprintf(why, why_size, "--listen: '%s' is not ADDR:PORT with a numeric address",
                   set->listen);
        return BK_ERR_INVALID;
    }
    gboolean tls = !set->insecure_loopback;
    if (!tls && strcmp(host, "127.0.0.1") != 0) {
        g_object_unref(ia);
        g_snprintf(why, why_size, "--insecure-loopback serves plain HTTP on 127.0.0.1 only");
        return BK_ERR_INVALID;
    }
    GSocketAddress *sa = g_inet_socket_address_new(ia, (guint16)port);
    g_object_unref(ia);
    GError *error = NULL;
    gboolean ok = soup_server_listen(server, sa, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &error);
    g_object_unref(sa);
    if (!ok) {
        g_snprintf(why, why_size, "cannot listen on %s: %s", set->listen, error->message);
        g_error_free(error);
        return BK_ERR_UNAVAILABLE;
    }
    GSList *uris = soup_server_get_uris(server);
    if (uris != NULL) {
        GUri *u = uris->data;
        printf("{\"listening\": \"%s://%s:%d\"}\n", tls ? "https" : "http", host,
               g_uri_get_port(u));
        fflush(stdout);
    }
    g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
    return BK_OK;
}

static SoupServer *make_server(const receiver_settings *set, char *why, size_t why_size)
{
    if (set->insecure_loopback)
        return soup_server_new("server-header", "biokiosk-receiver", NULL);
    if (set->tls_cert == NULL || set->tls_key == NULL) {
        g_snprintf(why, why_size, "--tls-cert and --tls-key are required (HTTPS)");
        return NULL;
    }
    GError *error = NULL;
    GTlsCertificate *cert = g_tls_certificate_new_from_files(set->tls_cert, set->tls_key, &error);
    if (cert == NULL) {
        g_snprintf(why, why_size, "the TLS certificate or key cannot be read: %s", error->message);
        g_error_free(error);
        return NULL;
    }
    SoupServer *server =
        soup_server_new("server-header", "biokiosk-receiver", "tls-certificate", cert, NULL);
    g_object_unref(cert);
    return server;
}

bk_err receiver_run(const receiver_settings *set, char *why, size_t why_size)
{
    receiver r = {.set = set};
    r.max_bytes = set->max_bytes ? set->max_bytes : RECEIVER_DEFAULT_MAX_BYTES;
    memcpy(r.sk, set->receiver_sk, sizeof(r.sk));
    /* TLS 1.2 or later: glib-networking's GnuTLS backend (Debian's) reads its priority string
     * here, before the backend is loaded; its default would still take TLS 1.0 and 1.1 */
    if (!set->insecure_loopback)
        g_setenv("G_TLS_GNUTLS_PRIORITY", "NORMAL:-VERS-TLS1.1:-VERS-TLS1.0:-VERS-SSL3.0", TRUE);
    /* a write over RLIMIT_FSIZE fails with EFBIG (507) instead of killing the receiver */
    signal(SIGXFSZ, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    bk_err err = receiver_store_open(set->store_uri, &r.store, why, why_size);
    if (err != BK_OK)
        goto out;
    SoupServer *server = make_server(set, why, why_size);
    if (server == NULL) {
        err = BK_ERR_INVALID;
        goto out;
    }
    soup_server_add_early_handler(server, NULL, on_headers, &r, NULL);
    soup_server_add_handler(server, NULL, on_request, &r, NULL);
    err = listen_on(&r, server, why, why_size);
    if (err == BK_OK) {
        r.loop = g_main_loop_new(NULL, FALSE);
        guint s1 = g_unix_signal_add(SIGTERM, on_signal, &r);
        guint s2 = g_unix_signal_add(SIGINT, on_signal, &r);
        g_main_loop_run(r.loop);
        g_source_remove(s1);
        g_source_remove(s2);
        g_main_loop_unref(r.loop);
        soup_server_disconnect(server);
    }
    g_object_unref(server);
out:
    receiver_store_free(r.store);
    sodium_memzero(r.sk, sizeof(r.sk));
    return err;
}
