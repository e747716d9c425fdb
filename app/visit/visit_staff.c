/* Staff sign-in and roles: the PIN check on the worker, the per-kiosk limit across all accounts,
 * the change of a PIN that is too short, and the reasons staff give (logged as codes). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "visit/visit-priv.h"

#define KIOSK_FAILURES_DEFAULT 10
#define KIOSK_WAIT_MAX_S       (15 * 60)

static const struct {
    const char *code, *text;
} reason_rows[VISIT_REASON_COUNT_] = {
    [VISIT_REASON_DESK_DELAY] = {"desk-delay", "Delay at the desk"},
    [VISIT_REASON_TRANSPORT_DELAY] = {"transport-delay", "Delay in public transport"},
    [VISIT_REASON_URGENT] = {"urgent", "Urgent appointment"},
    [VISIT_REASON_MANAGER] = {"manager", "Agreed with the desk manager"},
    [VISIT_REASON_NOT_ON_KIOSK] = {"not-on-kiosk", "Not available on this kiosk"},
    [VISIT_REASON_DEVICE_FAULT] = {"device-fault", "Device fault"},
    [VISIT_REASON_OTHER_DESK] = {"other-desk", "Taken at another desk"},
    [VISIT_REASON_PERMANENT] = {"permanent", "Permanently impossible (physical)"},
    [VISIT_REASON_TEMPORARY] = {"temporary", "Temporarily impossible (injury)"},
    [VISIT_REASON_HEAD_COVERING] = {"head-covering", "Religious or medical head covering"},
    [VISIT_REASON_DEVICE_UNAVAILABLE] = {"device-unavailable", "device-unavailable"},
};

const visit_reason *visit_reasons(visit_staff_action action, size_t *n)
{
    static const visit_reason override[] = {VISIT_REASON_DESK_DELAY, VISIT_REASON_TRANSPORT_DELAY,
                                            VISIT_REASON_URGENT, VISIT_REASON_MANAGER};
    static const visit_reason skip[] = {VISIT_REASON_NOT_ON_KIOSK, VISIT_REASON_DEVICE_FAULT,
                                        VISIT_REASON_OTHER_DESK, VISIT_REASON_MANAGER};
    static const visit_reason exception[] = {VISIT_REASON_PERMANENT, VISIT_REASON_TEMPORARY,
                                             VISIT_REASON_HEAD_COVERING, VISIT_REASON_MANAGER};
    *n = 4;
    switch (action) {
    case VISIT_STAFF_OVERRIDE:
        return override;
    case VISIT_STAFF_SKIP:
        return skip;
    case VISIT_STAFF_EXCEPTION:
    case VISIT_STAFF_COUNT_:
        break;
    }
    return exception;
}

const char *visit_reason_code(visit_reason reason)
{
    return (unsigned)reason < VISIT_REASON_COUNT_ ? reason_rows[reason].code : "unknown";
}

const char *visit_reason_text(visit_reason reason)
{
    return (unsigned)reason < VISIT_REASON_COUNT_ ? reason_rows[reason].text : "";
}

/* ---- sign-in ---- */

static bool kiosk_waits(visit *v, int64_t wall)
{
    /* never longer than the cap from now (the clock set back, a count from another clock) */
    if (v->kiosk_wait_until - wall > KIOSK_WAIT_MAX_S)
        v->kiosk_wait_until = wall + KIOSK_WAIT_MAX_S;
    return v->kiosk_wait_until > wall;
}

static int kiosk_limit(const visit *v)
{
    return v->set.kiosk_pin_failures > 0 ? v->set.kiosk_pin_failures : KIOSK_FAILURES_DEFAULT;
}

/* The limit file's text (at most 63 bytes) into buf; 0, or an errno (ENOENT: no file). A
 * symbolic link, a pipe or anything but a small regular file is refused, never waited on. */
static int limit_read(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0)
        err = errno;
    else if (!S_ISREG(st.st_mode) || st.st_size >= (off_t)size)
        err = EINVAL;
    ssize_t n = err ? -1 : read(fd, buf, size - 1);
    if (!err && n < 0)
        err = errno;
    close(fd);
    if (!err)
        buf[n] = '\0';
    return err;
}

/* The per-kiosk count in set.limit_file: "FAILURES WAIT_UNTIL" (wall seconds). A file that
 * cannot be read or makes no sense counts as the limit reached: the next wrong PIN waits. */
void visit_staff_limit_load(visit *v)
{
    const char *path = v->set.limit_file;
    if (path == NULL)
        return;
    char text[64];
    int err = limit_read(path, text, sizeof text);
    if (err != 0) {
        if (err != ENOENT) {
            g_warning("staff sign-in: %s: %s: counting from the kiosk's limit", path,
                      err == EINVAL ? "not a small regular file" : g_strerror(err));
            v->kiosk_failures = kiosk_limit(v);
        }
        return;
    }
    int failures = 0;
    long long until = 0;
    char extra = 0;
    if (sscanf(text, "%d %lld %c", &failures, &until, &extra) != 2 || failures < 0 ||
        failures > 1000000 || until < 0) {
        g_message("staff sign-in: %s does not hold a count: counting from the kiosk's limit", path);
        v->kiosk_failures = kiosk_limit(v);
        return;
    }
    v->kiosk_failures = failures;
    v->kiosk_wait_until = until;
    if (failures > 0)
        g_message("staff sign-in: %d wrong PINs in a row on this kiosk before this start, kiosk=%s",
                  failures, v->set.kiosk_id);
}

/* On the worker, before the sign-in's answer goes back: the count is on disk before anyone
 * sees "Wrong staff id or PIN", so a power cut right after it gives no fresh try. */
static void limit_save(visit *v)
{
    const char *path = v->set.limit_file;
    if (path == NULL)
        return;
    char text[48];
    snprintf(text, sizeof text, "%d %" G_GINT64_FORMAT "\n", v->kiosk_failures,
             v->kiosk_wait_until);
    GError *e = NULL;
    /* durable: after a power cut the count must not come back smaller */
    if (!g_file_set_contents_full(path, text, -1,
                                  G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                  0600, &e)) {
        if (!v->limit_unsaved) {
            g_warning("staff sign-in: %s: %s: the kiosk's count of wrong PINs is kept in memory "
                      "only",
                      path, e->message);
            if (v->rec != NULL)
                kioskrec_audit(v->rec, "staff.limit-unsaved", NULL, "file_error=%d", e->code);
        }
        v->limit_unsaved = true;
        g_error_free(e);
    } else {
        v->limit_unsaved = false;
    }
}

/* Copies the caller's PIN buffer into dst and wipes all of it (visit.h's contract). */
static void take_pin(char *dst, size_t dst_size, char *pin, size_t pin_size)
{
    if (pin == NULL || pin_size == 0) {
        dst[0] = '\0';
        return;
    }
    size_t n = strnlen(pin, pin_size);
    if (n >= dst_size)
        n = dst_size - 1;
    memcpy(dst, pin, n);
    dst[n] = '\0';
    sodium_memzero(pin, pin_size);
}

bool visit_staff_sign_in(visit *v, const char *id, char *pin, size_t pin_size, int64_t wall)
{
    if (visit_blocking(v)) {
        if (pin)
            sodium_memzero(pin, pin_size);
        return false;
    }
    job *j = visit_job_new(JOB_SIGN_IN);
    j->answers = true;
    j->wall = wall;
    g_strlcpy(j->text, id ? id : "", sizeof j->text);
    take_pin(j->pin, sizeof j->pin, pin, pin_size);
    visit_submit(v, j);
    return true;
}

bool visit_staff_new_pin(visit *v, char *new_pin, size_t pin_size, int64_t wall)
{
    if (visit_blocking(v) || v->pending_id[0] == '\0') {
        if (new_pin)
            sodium_memzero(new_pin, pin_size);
        return false;
    }
    job *j = visit_job_new(JOB_NEW_PIN);
    j->answers = true;
    j->wall = wall;
    g_strlcpy(j->text, v->pending_id, sizeof j->text);
    g_strlcpy(j->pin, v->pending_pin, sizeof j->pin);
    take_pin(j->new_pin, sizeof j->new_pin, new_pin, pin_size);
    if (strlen(j->new_pin) < STAFF_PIN_MIN || !staff_pin_valid(j->new_pin) ||
        strcmp(j->new_pin, j->pin) == 0) {
        j->err = BK_ERR_INVALID; /* refused without touching the store */
        sodium_memzero(j->pin, sizeof j->pin);
        sodium_memzero(j->new_pin, sizeof j->new_pin);
        v->outstanding++;
        g_async_queue_push(v->answers, j);
        if (v->set.wake)
            v->set.wake(v->set.wake_data);
        return true;
    }
    visit_submit(v, j);
    return true;
}

static unsigned roles_of(staff_role role)
{
    switch (role) {
    case STAFF_ROLE_DESK:
        return VISIT_ROLE_DESK;
    case STAFF_ROLE_TECHNICIAN:
        return VISIT_ROLE_TECHNICIAN;
    case STAFF_ROLE_DESK_TECHNICIAN:
        return VISIT_ROLE_DESK | VISIT_ROLE_TECHNICIAN;
    case STAFF_ROLE_COUNT_:
        break;
    }
    return 0;
}

static void signed_in(visit *v, const char *id, staff_role role)
{
    v->staff = true;
    g_strlcpy(v->staff_id, id, sizeof v->staff_id);
    v->roles = roles_of(role);
}

/* On the worker: whether this kiosk makes every sign-in wait now (the answer then goes back
 * unchecked, with the time in j->kiosk_until). */
bool visit_staff_kiosk_waits(visit *v, job *j)
{
    if (!kiosk_waits(v, j->wall))
        return false;
    j->kiosk_until = v->kiosk_wait_until;
    return true;
}

/* On the worker, after the store's answer: a wrong PIN or an unknown id on this kiosk counts,
 * and beyond the limit every next try waits longer; a sign-in that opens a session (or changes
 * the PIN) ends the count. Saved before the answer goes back. */
void visit_staff_kiosk_count(visit *v, job *j)
{
    if (j->err != BK_OK)
        return;
    if (j->ans.verdict == STAFF_VERDICT_OK) {
        if (j->kind == JOB_SIGN_IN && j->ans.change_pin)
            return; /* no session yet: a new PIN first */
        if (v->kiosk_failures != 0 || v->kiosk_wait_until != 0) {
            v->kiosk_failures = 0;
            v->kiosk_wait_until = 0;
            limit_save(v);
        }
        return;
    }
    int limit = kiosk_limit(v);
    v->kiosk_failures++;
    int k = MIN(v->kiosk_failures - limit, 10);
    int64_t wait = k < 0 ? 0 : MIN((int64_t)1 << k, (int64_t)KIOSK_WAIT_MAX_S);
    if (wait > 0)
        v->kiosk_wait_until = j->wall + wait;
    limit_save(v);
    if (wait == 0)
        return;
    j->kiosk_until = v->kiosk_wait_until;
    if (v->rec != NULL)
        kioskrec_audit(v->rec, "staff.kiosk-limit", NULL, "failures=%d wait_s=%" G_GINT64_FORMAT,
                       v->kiosk_failures, wait);
    g_message(
        "staff sign-in: %d wrong PINs in a row on this kiosk, the next waits %" G_GINT64_FORMAT
        " s: kiosk=%s",
        v->kiosk_failures, wait, v->set.kiosk_id);
}

static visit_verdict verdict_of(staff_verdict sv)
{
    switch (sv) {
    case STAFF_VERDICT_OK:
        return VISIT_VERDICT_OK;
    case STAFF_VERDICT_WRONG_PIN:
        return VISIT_VERDICT_WRONG_PIN;
    case STAFF_VERDICT_LOCKED:
        return VISIT_VERDICT_LOCKED;
    case STAFF_VERDICT_UNKNOWN_STAFF:
    case STAFF_VERDICT_COUNT_:
        break;
    }
    return VISIT_VERDICT_UNKNOWN;
}

static const char *verdict_str(visit_verdict v)
{
    static const char *const names[VISIT_VERDICT_COUNT_] = {
        "ok",          "wrong-pin", "locked",      "unknown-staff", "unavailable",
        "kiosk-limit", "new-pin",   "pin-changed", "pin-refused"};
    return (unsigned)v < VISIT_VERDICT_COUNT_ ? names[v] : "?";
}

void visit_staff_answer(visit *v, job *j, visit_event *ev)
{
    const char *id = staff_id_valid(j->text) ? j->text : "?";
    if (j->err == BK_ERR_BUSY)
        ev->verdict = VISIT_VERDICT_KIOSK_WAIT;
    else if (j->err == BK_ERR_INVALID && j->kind == JOB_NEW_PIN)
        ev->verdict = VISIT_VERDICT_PIN_REFUSED;
    else if (j->err != BK_OK)
        ev->verdict = VISIT_VERDICT_UNAVAILABLE;
    else
        ev->verdict = verdict_of(j->ans.verdict);
    ev->failures_left = j->ans.failures_left;
    /* the kiosk's wait (counted on the worker) before an account's lock */
    ev->until = j->kiosk_until > 0 ? j->kiosk_until : j->ans.locked_until;
    if (ev->verdict == VISIT_VERDICT_OK && j->kind == JOB_NEW_PIN) {
        ev->verdict = VISIT_VERDICT_PIN_CHANGED;
    } else if (ev->verdict == VISIT_VERDICT_OK && j->ans.change_pin) {
        /* a PIN shorter than the minimum opens no session: a new one first */
        ev->verdict = VISIT_VERDICT_NEW_PIN;
        g_strlcpy(v->pending_id, j->text, sizeof v->pending_id);
        g_strlcpy(v->pending_pin, j->pin_copy, sizeof v->pending_pin);
    }
    sodium_memzero(j->pin_copy, sizeof j->pin_copy);
    if (ev->verdict == VISIT_VERDICT_OK || ev->verdict == VISIT_VERDICT_PIN_CHANGED)
        signed_in(v, j->text, j->ans.role);
    if (ev->verdict != VISIT_VERDICT_NEW_PIN && ev->verdict != VISIT_VERDICT_PIN_REFUSED) {
        sodium_memzero(v->pending_id, sizeof v->pending_id);
        sodium_memzero(v->pending_pin, sizeof v->pending_pin);
    }
    /* an id no account has is not logged as typed (it may be a PIN typed in the wrong field) */
    if (ev->verdict == VISIT_VERDICT_UNKNOWN)
        id = "-";
    g_message("staff sign-in: staff=%s verdict=%s kiosk=%s", id, verdict_str(ev->verdict),
              v->set.kiosk_id);
    visit_audit(v, "staff.sign-in", "staff=%s verdict=%s", id, verdict_str(ev->verdict));
}

void visit_staff_forget_pin(visit *v)
{
    sodium_memzero(v->pending_id, sizeof v->pending_id);
    sodium_memzero(v->pending_pin, sizeof v->pending_pin);
}

bool visit_staff_active(const visit *v)
{
    return v->staff;
}

const char *visit_staff_id(const visit *v)
{
    return v->staff ? v->staff_id : "";
}

unsigned visit_staff_roles(const visit *v)
{
    return v->staff ? v->roles : 0;
}

bool visit_staff_desk(const visit *v)
{
    return v->staff && (v->roles & VISIT_ROLE_DESK);
}

bool visit_staff_technician(const visit *v)
{
    return v->staff && (v->roles & VISIT_ROLE_TECHNICIAN);
}

void visit_staff_sign_out(visit *v)
{
    if (v->staff)
        visit_log_staff(v, "sign-out", NULL);
    v->staff = false;
    v->roles = 0;
    sodium_memzero(v->staff_id, sizeof v->staff_id);
    visit_staff_forget_pin(v);
}

void visit_staff_log(visit *v, const char *action, const char *reason_code)
{
    if (v->staff)
        visit_log_staff(v, action, reason_code);
}
