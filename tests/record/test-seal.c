/* Keys, signing and sealing: what opens, and everything that must not. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "../bktest.h"
#include "core/biomem.h"
#include "record/seal.h"

static void test_key_files(void)
{
    g_autofree char *dir = make_tmpdir("seal-XXXXXX");
    char fp[17];
    g_assert_cmpint(seal_kiosk_init(dir, fp), ==, BK_OK);
    g_assert_cmpuint(strlen(fp), ==, 16);
    g_assert_cmpint(seal_kiosk_init(dir, fp), ==, BK_ERR_EXISTS);
    g_assert_cmpint(seal_backoffice_init(dir, fp), ==, BK_OK);
    g_assert_cmpint(seal_backoffice_init(dir, fp), ==, BK_ERR_EXISTS);

    const char *secret[] = {"kiosk.key", "audit-hash.key", "backoffice.key"};
    for (size_t i = 0; i < G_N_ELEMENTS(secret); i++) {
        g_autofree char *p = g_build_filename(dir, secret[i], NULL);
        struct stat st;
        g_assert_cmpint(stat(p, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    }
    uint8_t sk[64], pk[32], derived[32];
    char why[256];
    g_autofree char *kpath = g_build_filename(dir, "kiosk.key", NULL);
    g_autofree char *ppath = g_build_filename(dir, "kiosk.pub", NULL);
    g_assert_cmpint(seal_key_read(kpath, SEAL_KEY_KIOSK_SECRET, sk, 64, why, sizeof(why)), ==,
                    BK_OK);
    g_assert_cmpint(seal_key_read(ppath, SEAL_KEY_KIOSK_PUBLIC, pk, 32, why, sizeof(why)), ==,
                    BK_OK);
    crypto_sign_ed25519_sk_to_pk(derived, sk);
    g_assert_cmpmem(pk, 32, derived, 32);
    /* the wrong kind of key is named */
    g_assert_cmpint(seal_key_read(ppath, SEAL_KEY_BACKOFFICE_PUBLIC, pk, 32, why, sizeof(why)), ==,
                    BK_ERR_INVALID);
    g_assert_nonnull(strstr(why, "kiosk-public key, not a backoffice-public key"));
    g_autofree char *junk = g_build_filename(dir, "junk", NULL);
    g_file_set_contents(junk, "hello\n", -1, NULL);
    g_assert_cmpint(seal_key_read(junk, SEAL_KEY_KIOSK_PUBLIC, pk, 32, why, sizeof(why)), ==,
                    BK_ERR_INVALID);
    g_file_set_contents(junk, "biokiosk-key v1 kiosk-public QUJD\n", -1, NULL);
    g_assert_cmpint(seal_key_read(junk, SEAL_KEY_KIOSK_PUBLIC, pk, 32, why, sizeof(why)), ==,
                    BK_ERR_INVALID);
    g_assert_nonnull(strstr(why, "damaged"));
    g_autofree char *none = g_build_filename(dir, "none", NULL);
    g_assert_cmpint(seal_key_read(none, SEAL_KEY_KIOSK_PUBLIC, pk, 32, why, sizeof(why)), ==,
                    BK_ERR_NOT_FOUND);
    sodium_memzero(sk, sizeof(sk));
    remove_tree(dir);
}

typedef struct keys {
    uint8_t kpk[32], ksk[64], opk[32], osk[32];
} keys;

static void make_keys(keys *k)
{
    crypto_sign_keypair(k->kpk, k->ksk);
    crypto_box_keypair(k->opk, k->osk);
}

static void test_seal_open(void)
{
    keys k, other;
    make_keys(&k);
    make_keys(&other);
    uint8_t payload[3000];
    randombytes_buf(payload, sizeof(payload));
    uint8_t *file = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    g_assert_cmpint(seal_record(payload, sizeof(payload), k.ksk, k.opk, &file, &len), ==, BK_OK);
    g_assert_cmpmem(file, 8, "BKSEALED", 8);
    /* the payload is not visible in the sealed file */
    g_assert_null(memmem(file, len, payload + 100, 32));

    char why[256];
    seal_info info;
    g_assert_cmpint(seal_verify(file, len, NULL, &info, why, sizeof(why)), ==, BK_OK);
    g_assert_cmpuint(info.payload_len, ==, sizeof(payload));
    g_assert_cmpmem(info.kiosk_pk, 32, k.kpk, 32);
    g_assert_cmpint(seal_verify(file, len, k.kpk, NULL, why, sizeof(why)), ==, BK_OK);
    g_assert_cmpint(seal_open(file, len, k.osk, k.kpk, &out, &out_len, why, sizeof(why)), ==,
                    BK_OK);
    g_assert_cmpmem(out, out_len, payload, sizeof(payload));
    biomem_free(out);

    /* wrong back-office key, wrong kiosk key */
    g_assert_cmpint(seal_open(file, len, other.osk, k.kpk, &out, &out_len, why, sizeof(why)), ==,
                    BK_ERR_CRYPTO);
    g_assert_nonnull(strstr(why, "sealed to back-office key"));
    g_assert_cmpint(seal_open(file, len, k.osk, other.kpk, &out, &out_len, why, sizeof(why)), ==,
                    BK_ERR_CRYPTO);
    g_assert_nonnull(strstr(why, "not by the expected key"));

    /* a flipped bit anywhere is refused, by the outer signature or the header checks */
    for (size_t i = 0; i < len; i += (i < 100 ? 1 : 97)) {
        for (int bit = 0; bit < 8; bit += 3) {
            file[i] ^= (uint8_t)(1 << bit);
            bk_err err = seal_open(file, len, k.osk, k.kpk, &out, &out_len, why, sizeof(why));
            if (err == BK_OK)
                g_error("byte %zu bit %d flipped and still opened", i, bit);
            g_assert_cmpint(seal_verify(file, len, NULL, NULL, why, sizeof(why)), !=, BK_OK);
            file[i] ^= (uint8_t)(1 << bit);
        }
    }
    /* truncated anywhere, or with bytes appended */
    for (size_t cut = 0; cut < len; cut += (cut < 200 ? 1 : 101)) {
        g_assert_cmpint(seal_open(file, cut, k.osk, k.kpk, &out, &out_len, why, sizeof(why)), !=,
                        BK_OK);
        g_assert_cmpuint(strlen(why), >, 0);
    }
    g_assert_cmpint(seal_verify(file, len - 1, NULL, NULL, why, sizeof(why)), ==, BK_ERR_CORRUPT);
    g_assert_nonnull(strstr(why, "truncated"));
    uint8_t *longer = g_malloc(len + 1);
    memcpy(longer, file, len);
    longer[len] = 0;
    g_assert_cmpint(seal_verify(longer, len + 1, NULL, NULL, why, sizeof(why)), ==, BK_ERR_CORRUPT);
    g_free(longer);

    /* a record re-signed by someone else who swapped in their own kiosk key is refused when
     * the expected kiosk key is given */
    uint8_t *forged = NULL;
    size_t forged_len = 0;
    g_assert_cmpint(seal_record(payload, sizeof(payload), other.ksk, k.opk, &forged, &forged_len),
                    ==, BK_OK);
    g_assert_cmpint(seal_verify(forged, forged_len, k.kpk, NULL, why, sizeof(why)), ==,
                    BK_ERR_CRYPTO);
    g_free(forged);
    g_free(file);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(seal_init(), ==, BK_OK);
    g_test_add_func("/seal/key-files", test_key_files);
    g_test_add_func("/seal/seal-open", test_seal_open);
    return g_test_run();
}
