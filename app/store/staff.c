/* Staff accounts: Argon2id PIN hashes (libsodium) and the lockout, on top of the store backend. */
#include "store/staff.h"

#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "store/store-backend.h"

static const char *const role_names[STAFF_ROLE_COUNT_] = {"desk", "technician", "desk+technician"};
static const char *const verdict_names[STAFF_VERDICT_COUNT_] = {"ok", "wrong-pin", "locked",
                                                                "unknown-staff"};

const char *staff_role_str(staff_role role)
{
    return (unsigned)role < STAFF_ROLE_COUNT_ ? role_names[role] : "unknown";
}

bk_err staff_role_parse(const char *text, staff_role *out)
{
    for (int i = 0; text != NULL && i < STAFF_ROLE_COUNT_; i++) {
        if (strcmp(text, role_names[i]) == 0) {
            *out = (staff_role)i;
            return BK_OK;
        }
    }
    return BK_ERR_INVALID;
}

const char *staff_verdict_str(staff_verdict verdict)
{
    return (unsigned)verdict < STAFF_VERDICT_COUNT_ ? verdict_names[verdict] : "unknown";
}

bool staff_id_valid(const char *id)
{
    /* the staff id goes into the record (2.xxx, the officer's decisions): the record's rule */
    return bk_ident_ok(id);
}

/* Digits only, min_len..STAFF_PIN_MAX of them. */
static bool pin_digits(const char *pin, size_t min_len)
{
    size_t len = pin != NULL ? strlen(pin) : 0;
    if (len < min_len || len > STAFF_PIN_MAX)
        return false;
    for (const char *c = pin; *c != '\0'; c++)
        if (!g_ascii_isdigit(*c))
            return false;
    return true;
}

bool staff_pin_valid(const char *pin)
{
    return pin_digits(pin, STAFF_PIN_MIN);
}

static bool sodium_ready(void)
{
    /* sodium_init is safe to call more than once and from several threads. */
    return sodium_init() >= 0;
}

/* A new PIN's hash (crypto_pwhash_STRBYTES bytes at out). */
static bk_err hash_pin(const char *pin, char *out)
{
    if (!sodium_ready())
        return BK_ERR_INTERNAL;
    if (crypto_pwhash_str(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return BK_ERR_NOMEM;
    return BK_OK;
}

bk_err staff_add(store *s, const char *id, const char *name, staff_role role, const char *pin)
{
    if (s == NULL || !staff_id_valid(id) || name == NULL || *name == '\0' || strlen(name) > 200 ||
        !g_utf8_validate(name, -1, NULL) || (unsigned)role >= STAFF_ROLE_COUNT_ ||
        !staff_pin_valid(pin))
        return BK_ERR_INVALID;
    char hash[crypto_pwhash_STRBYTES];
    bk_err err = hash_pin(pin, hash);
    if (err != BK_OK)
        return err;
    staff_account a = {.id = (char *)id, .name = (char *)name, .role = role};
    err = s->backend->staff_insert(s, &a, hash);
    sodium_memzero(hash, sizeof hash);
    if (err == BK_OK)
        g_info("staff account added (role %s)", staff_role_str(role));
    return err;
}

bk_err staff_remove(store *s, const char *id)
{
    if (s == NULL || !staff_id_valid(id))
        return id != NULL && s != NULL ? BK_ERR_NOT_FOUND : BK_ERR_INVALID;
    return s->backend->staff_delete(s, id);
}

bk_err staff_list_all(store *s, staff_list **out)
{
    if (s == NULL || out == NULL)
        return BK_ERR_INVALID;
    return s->backend->staff_all(s, out);
}

/* A hash of no one's PIN, so that an unknown id costs the same time as a wrong PIN and timing does
 * not tell which ids exist. Made once per process. */
static const char *dummy_hash(void)
{
    static char hash[crypto_pwhash_STRBYTES];
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        unsigned char pin[16];
        randombytes_buf(pin, sizeof pin);
        if (crypto_pwhash_str(hash, (const char *)pin, sizeof pin,
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            hash[0] = '\0';
        g_once_init_leave(&done, 1);
    }
    return hash;
}

static staff_answer unknown_staff(const char *pin)
{
    const char *hash = dummy_hash();
    /* The answer is thrown away: only the time spent matters. */
    int ignored =
        hash[0] != '\0' && pin != NULL ? crypto_pwhash_str_verify(hash, pin, strlen(pin)) : 0;
    (void)ignored;
    return (staff_answer){.verdict = STAFF_VERDICT_UNKNOWN_STAFF};
}

/* The encoded Argon2id hash of pin under setting ("$argon2id$v=19$m=M,t=T,p=1$SALT", as
 * libsodium's crypto_pwhash_str writes it): the string the stored hash is when pin is right.
 * False for a setting this build cannot compute. */
bool staff_pin_candidate(const char *setting, const char *pin, char *out)
{
    unsigned v = 0, m = 0, t = 0, p = 0;
    int salt_at = 0;
    if (sscanf(setting, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m, &t, &p, &salt_at) != 4 ||
        salt_at == 0 || v != 19 || p != 1 || m == 0 || t == 0)
        return false;
    const char *salt64 = setting + salt_at;
    unsigned char salt[crypto_pwhash_SALTBYTES], hash[32];
    size_t salt_len = 0;
    if (sodium_base642bin(salt, sizeof salt, salt64, strlen(salt64), NULL, &salt_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        salt_len != sizeof salt)
        return false;
    if (crypto_pwhash(hash, sizeof hash, pin, strlen(pin), salt, t, (size_t)m * 1024,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return false;
    char hash64[sodium_base64_ENCODED_LEN(sizeof hash, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    sodium_bin2base64(hash64, sizeof hash64, hash, sizeof hash,
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_memzero(hash, sizeof hash);
    int n = g_snprintf(out, crypto_pwhash_STRBYTES, "%s$%s", setting, hash64);
    return n > 0 && (size_t)n < crypto_pwhash_STRBYTES;
}

/* The check where the hash can be read (SQLite): compares here, counts with staff_fail and
 * staff_succeed; with new_hash, a right PIN is replaced (staff_set_hash also clears failures). */
static bk_err check_here(store *s, const char *id, const char *pin, const char *new_hash,
                         int64_t now, const staff_policy *policy, staff_answer *answer)
{
    staff_answer ans = {0};
    staff_account a = {0};
    char *hash = NULL;
    bk_err err = s->backend->staff_get(s, id, &a, &hash);
    if (err == BK_ERR_NOT_FOUND) {
        *answer = unknown_staff(pin);
        return BK_OK;
    }
    if (err != BK_OK)
        return err;
    if (a.locked_until > now) {
        /* Not even hashed while locked: guessing costs nothing but gains nothing either. */
        ans.verdict = STAFF_VERDICT_LOCKED;
        ans.locked_until = a.locked_until;
    } else if (pin_digits(pin, STAFF_PIN_MIN_OLD) &&
               crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0) {
        err = new_hash != NULL ? s->backend->staff_set_hash(s, id, new_hash)
                               : s->backend->staff_succeed(s, id);
        ans.verdict = STAFF_VERDICT_OK;
        ans.role = a.role;
    } else {
        bool locked = false;
        int failures = 0;
        int64_t until = now + (int64_t)policy->lockout_minutes * 60;
        err = s->backend->staff_fail(s, id, policy->max_failures, until, &locked, &failures);
        if (err == BK_ERR_NOT_FOUND) {
            err = BK_OK;
            ans.verdict = STAFF_VERDICT_UNKNOWN_STAFF;
        } else if (locked) {
            ans.verdict = STAFF_VERDICT_LOCKED;
            ans.locked_until = until;
            g_info("staff account locked after %d wrong PINs", policy->max_failures);
        } else {
            ans.verdict = STAFF_VERDICT_WRONG_PIN;
            ans.failures_left = policy->max_failures - failures;
        }
    }
    if (hash != NULL) {
        sodium_memzero(hash, strlen(hash));
        g_free(hash);
    }
    store_account_clear(&a);
    if (err == BK_OK)
        *answer = ans;
    return err;
}

/* The check in the database (PostgreSQL): the kiosk hashes the typed PIN with the stored hash's
 * setting; the database compares, counts, locks and (new_hash) replaces. */
static bk_err check_in_db(store *s, const char *id, const char *pin, const char *new_hash,
                          const staff_policy *policy, staff_answer *answer)
{
    char *setting = NULL;
    bk_err err = s->backend->staff_setting(s, id, &setting);
    if (err != BK_OK)
        return err;
    if (setting == NULL) {
        *answer = unknown_staff(pin);
        return BK_OK;
    }
    char candidate[crypto_pwhash_STRBYTES];
    bool hashed =
        pin_digits(pin, STAFF_PIN_MIN_OLD) && staff_pin_candidate(setting, pin, candidate);
    g_free(setting);
    err = s->backend->staff_check(s, id, hashed ? candidate : NULL, new_hash, policy, answer);
    sodium_memzero(candidate, sizeof candidate);
    return err;
}

static bk_err check(store *s, const char *id, const char *pin, const char *new_hash, int64_t now,
                    const staff_policy *policy, staff_answer *answer)
{
    if (!staff_id_valid(id)) {
        *answer = unknown_staff(pin);
        return BK_OK;
    }
    bk_err err = s->backend->staff_check != NULL
                     ? check_in_db(s, id, pin, new_hash, policy, answer)
                     : check_here(s, id, pin, new_hash, now, policy, answer);
    if (err != BK_OK)
        return err;
    if (answer->verdict == STAFF_VERDICT_OK)
        answer->change_pin = new_hash == NULL && !staff_pin_valid(pin);
    return BK_OK;
}

bk_err staff_verify(store *s, const char *id, const char *pin, int64_t now,
                    const staff_policy *policy, staff_answer *answer)
{
    if (s == NULL || policy == NULL || answer == NULL || policy->max_failures < 1 ||
        policy->lockout_minutes < 1)
        return BK_ERR_INVALID;
    if (!sodium_ready())
        return BK_ERR_INTERNAL;
    return check(s, id, pin, NULL, now, policy, answer);
}

bk_err staff_change_pin(store *s, const char *id, const char *old_pin, const char *new_pin,
                        int64_t now, const staff_policy *policy, staff_answer *answer)
{
    if (s == NULL || policy == NULL || answer == NULL || policy->max_failures < 1 ||
        policy->lockout_minutes < 1 || !staff_pin_valid(new_pin))
        return BK_ERR_INVALID;
    char hash[crypto_pwhash_STRBYTES];
    bk_err err = hash_pin(new_pin, hash);
    if (err == BK_OK)
        err = check(s, id, old_pin, hash, now, policy, answer);
    sodium_memzero(hash, sizeof hash);
    if (err == BK_OK && answer->verdict == STAFF_VERDICT_OK)
        g_info("staff PIN changed at the kiosk");
    return err;
}

bk_err staff_set_pin(store *s, const char *id, const char *pin)
{
    if (s == NULL || !staff_id_valid(id) || !staff_pin_valid(pin))
        return BK_ERR_INVALID;
    /* The new hash first: a failure to make it leaves the account as it was. The write is one
     * UPDATE (the account's failures and lock cleared, as a right PIN would). */
    char hash[crypto_pwhash_STRBYTES];
    bk_err err = hash_pin(pin, hash);
    if (err == BK_OK)
        err = s->backend->staff_set_hash(s, id, hash);
    sodium_memzero(hash, sizeof hash);
    return err;
}

void staff_list_free(staff_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->n; i++)
        store_account_clear(&list->items[i]);
    g_free(list->items);
    g_free(list);
}
