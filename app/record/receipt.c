#include "record/receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sodium.h>

#include "record/seal.h"

#define RECEIPT_DOMAIN "biokiosk-receipt-v1\n"

static void say(char *why, size_t why_size, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void say(char *why, size_t why_size, const char *fmt, ...)
{
    if (why == NULL || why_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
}

void receipt_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

void receipt_time(time_t t, char out[RECEIPT_TIME_BYTES])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, RECEIPT_TIME_BYTES, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bk_err receipt_parse_time(const char *text, time_t *out)
{
    if (text == NULL || strlen(text) != RECEIPT_TIME_BYTES - 1)
        return BK_ERR_INVALID;
    GDateTime *dt = g_date_time_new_from_iso8601(text, NULL);
    if (dt == NULL)
        return BK_ERR_INVALID;
    *out = (time_t)g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return BK_OK;
}

/* The signed message; NULL when a field is too long or holds a newline. */
static char *signed_text(const receipt *r)
{
    const char *fields[] = {r->tcn, r->sha256, r->received, r->receiver};
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        if (fields[i][0] == '\0' || strchr(fields[i], '\n') != NULL)
            return NULL;
    return g_strdup_printf(RECEIPT_DOMAIN "%s\n%s\n%s\n%s\n", r->tcn, r->sha256, r->received,
                           r->receiver);
}

bk_err receipt_sign(receipt *r, const uint8_t receiver_sk[64], char **json, size_t *len)
{
    if (r == NULL || receiver_sk == NULL || json == NULL)
        return BK_ERR_INVALID;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, receiver_sk);
    seal_fingerprint(pk, r->receiver);
    g_autofree char *text = signed_text(r);
    if (text == NULL)
        return BK_ERR_INVALID;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), receiver_sk);
    char sig64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);

    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    const char *names[] = {"tcn", "sha256", "received", "receiver", "signature"};
    const char *values[] = {r->tcn, r->sha256, r->received, r->receiver, sig64};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        json_builder_set_member_name(b, names[i]);
        json_builder_add_string_value(b, values[i]);
    }
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    gsize n = 0;
    *json = json_to_string(root, FALSE);
    n = strlen(*json);
    if (len != NULL)
        *len = n;
    json_node_unref(root);
    g_object_unref(b);
    return BK_OK;
}

/* Copies a string member into out[size]; FALSE when absent, not a string or too long. */
static gboolean member(JsonObject *o, const char *name, char *out, size_t size)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return FALSE;
    const char *s = json_node_get_string(n);
    if (s == NULL || strlen(s) >= size)
        return FALSE;
    memcpy(out, s, strlen(s) + 1);
    return TRUE;
}

static bk_err parse(const char *json, size_t len, receipt *r, char sig64[128], char *why,
                    size_t why_size)
{
    JsonParser *p = json_parser_new();
    bk_err err = BK_ERR_INVALID;
    if (len > 4096 || !json_parser_load_from_data(p, json, (gssize)len, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
        say(why, why_size, "the answer is not a receipt (not a JSON object)");
        goto out;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    if (!member(o, "tcn", r->tcn, sizeof(r->tcn)) ||
        !member(o, "sha256", r->sha256, sizeof(r->sha256)) ||
        !member(o, "received", r->received, sizeof(r->received)) ||
        !member(o, "receiver", r->receiver, sizeof(r->receiver)) ||
        !member(o, "signature", sig64, 128)) {
        say(why, why_size,
            "the receipt lacks a field (tcn, sha256, received, receiver, signature)");
        goto out;
    }
    err = BK_OK;
out:
    g_object_unref(p);
    return err;
}

bk_err receipt_verify(const char *json, size_t len, const uint8_t receiver_pk[32], const char *tcn,
                      const uint8_t *data, size_t data_len, receipt *out, char *why,
                      size_t why_size)
{
    if (json == NULL || receiver_pk == NULL)
        return BK_ERR_INVALID;
    receipt r = {0};
    char sig64[128] = "";
    bk_err err = parse(json, len, &r, sig64, why, why_size);
    if (err != BK_OK)
        return err;
    char fp[17];
    seal_fingerprint(receiver_pk, fp);
    if (strcmp(fp, r.receiver) != 0) {
        say(why, why_size, "the receipt is from receiver %s, not the pinned receiver %s",
            r.receiver, fp);
        return BK_ERR_CRYPTO;
    }
    uint8_t sig[crypto_sign_BYTES];
    size_t got = 0;
    g_autofree char *text = signed_text(&r);
    if (text == NULL ||
        sodium_base642bin(sig, sizeof(sig), sig64, strlen(sig64), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != sizeof(sig) ||
        crypto_sign_verify_detached(sig, (const uint8_t *)text, strlen(text), receiver_pk) != 0) {
        say(why, why_size, "the receipt's signature does not verify with the receiver's key");
        return BK_ERR_CRYPTO;
    }
    time_t t;
    if (receipt_parse_time(r.received, &t) != BK_OK) {
        say(why, why_size, "the receipt's time '%s' is not a time", r.received);
        return BK_ERR_INVALID;
    }
    if (tcn != NULL && strcmp(tcn, r.tcn) != 0) {
        say(why, why_size, "the receipt is for %s, not for %s", r.tcn, tcn);
        return BK_ERR_CONFLICT;
    }
    if (data != NULL) {
        char sha[65];
        receipt_sha256_hex(data, data_len, sha);
        if (strcmp(sha, r.sha256) != 0) {
            say(why, why_size, "the receipt is for other bytes than the record's");
            return BK_ERR_CONFLICT;
        }
    }
    if (out != NULL)
        *out = r;
    return BK_OK;
}
