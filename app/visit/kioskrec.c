#include "visit/kioskrec.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "record/audit.h"
#include "core/biomem.h"
#include "core/caldate.h"
#include "record/outbox.h"
#include "record/record.h"
#include "record/seal.h"
#include "store/staff.h"

typedef struct ident {
    char *v_number; /* g_strdup; wiped on free */
    char *name;
    char birth[11];
    char applied[11]; /* the application date: the rules take ages on it */
    rules_category category;
    bool committed; /* its record is durable in the outbox */
} ident;

struct kioskrec {
    kioskrec_settings set;
    uint8_t kiosk_sk[SEAL_SIGN_SECRET_BYTES];
    uint8_t office_pk[SEAL_PUBLIC_BYTES];
    audit *log;
    /* the visit */
    bool visit;
    char code[APPTCODE_LEN + 1];
    int64_t started;
    char staff_id[STAFF_ID_MAX + 1];
    ident persons[FLOW_MAX_PERSONS];
    size_t n_persons;
    char problem[300];
};

static void wipe_str(char *p)
{
    if (p) {
        biomem_wipe(p, strlen(p));
        g_free(p);
    }
}

bk_err kioskrec_open(const kioskrec_settings *set, int64_t now, kioskrec **out, char **message)
{
    kioskrec *k = g_new0(kioskrec, 1);
    k->set = *set;
    char why[200] = "";
    uint8_t hash_key[SEAL_AUDIT_KEY_BYTES];
    bk_err err = seal_init();
    if (err != BK_OK) {
        *message = g_strdup("libsodium cannot be initialised");
        goto fail;
    }
    struct {
        const char *setting, *path;
        seal_key_kind kind;
        uint8_t *key;
        size_t len;
    } keys[] = {
        {"[record] kiosk_key", set->kiosk_key, SEAL_KEY_KIOSK_SECRET, k->kiosk_sk,
         sizeof k->kiosk_sk},
        {"[record] backoffice_key", set->backoffice_key, SEAL_KEY_BACKOFFICE_PUBLIC, k->office_pk,
         sizeof k->office_pk},
        {"[record] audit_hash_key", set->audit_hash_key, SEAL_KEY_AUDIT_HASH, hash_key,
         sizeof hash_key},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (keys[i].path == NULL || keys[i].path[0] == '\0') {
            *message = g_strdup_printf("%s: not set; the kiosk does not start without its keys "
                                       "(biokiosk keys kiosk-init / backoffice-init)",
                                       keys[i].setting);
            err = BK_ERR_INVALID;
            goto fail;
        }
        err = seal_key_read(keys[i].path, keys[i].kind, keys[i].key, keys[i].len, why, sizeof why);
        if (err != BK_OK) {
            *message =
                g_strdup_printf("%s: '%s': %s; the kiosk does not start without its keys",
                                keys[i].setting, keys[i].path, why[0] ? why : bk_err_str(err));
            err = BK_ERR_INVALID;
            goto fail;
        }
    }
    err = audit_open(set->audit_log, k->kiosk_sk, hash_key, AUDIT_DEFAULT_SIGN_EVERY, &k->log, why,
                     sizeof why);
    biomem_wipe(hash_key, sizeof hash_key);
    if (err != BK_OK) {
        *message = g_strdup_printf("[audit] log: '%s': %s", set->audit_log,
                                   why[0] ? why : bk_err_str(err));
        goto fail;
    }
    if (!g_file_test(set->outbox, G_FILE_TEST_IS_DIR) &&
        g_mkdir_with_parents(set->outbox, 0700) != 0)
        g_warning("[record] outbox: cannot create the directory; records wait until it can");
    size_t removed = 0;
    if (outbox_clean_temp(set->outbox, &removed) == BK_OK && removed > 0)
        kioskrec_audit(k, "outbox.temp-removed", NULL, "files=%zu", removed);
    /* -- delivery: delivered records are purged by the delivery worker (visit/deliver.h), only
     * when the clock check passes; a record not delivered is never purged */
    *out = k;
    return BK_OK;
fail:
    biomem_wipe(hash_key, sizeof hash_key);
    kioskrec_free(k);
    return err;
}

void kioskrec_visit_end(kioskrec *k)
{
    if (k == NULL)
        return;
    for (size_t i = 0; i < k->n_persons; i++) {
        wipe_str(k->persons[i].v_number);
        wipe_str(k->persons[i].name);
    }
    biomem_wipe(k->persons, sizeof k->persons);
    biomem_wipe(k->code, sizeof k->code);
    biomem_wipe(k->staff_id, sizeof k->staff_id);
    k->n_persons = 0;
    k->visit = false;
}

void kioskrec_free(kioskrec *k)
{
    if (k == NULL)
        return;
    kioskrec_visit_end(k);
    if (audit_close(k->log) != BK_OK)
        g_warning("records: the audit log's closing checkpoint could not be written");
    biomem_wipe(k->kiosk_sk, sizeof k->kiosk_sk);
    biomem_wipe(k, sizeof *k);
    g_free(k);
}

void kioskrec_audit(kioskrec *k, const char *event, const char *v_number, const char *fmt, ...)
{
    if (k == NULL || k->log == NULL)
        return;
    char detail[400] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        g_vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
        for (char *p = detail; *p; p++)
            if (*p == '\t' || (unsigned char)*p < 0x20)
                *p = ' ';
    }
    bk_err err = audit_append(k->log, event, v_number, detail[0] ? detail : NULL);
    if (err != BK_OK)
        g_warning("audit log: cannot append '%s': %s", event, bk_err_str(err));
}

void kioskrec_visit_begin(kioskrec *k, const store_appointment *appt, int64_t wall)
{
    if (k == NULL)
        return;
    kioskrec_visit_end(k);
    k->visit = true;
    g_strlcpy(k->code, appt->code, sizeof k->code);
    k->started = wall;
    k->n_persons = MIN(appt->n_persons, (size_t)FLOW_MAX_PERSONS);
    for (size_t i = 0; i < k->n_persons; i++) {
        const store_person *p = &appt->persons[i];
        k->persons[i].v_number = g_strdup(p->v_number ? p->v_number : "");
        k->persons[i].name = g_strdup(p->name ? p->name : "");
        caldate_format(p->rules.birth, k->persons[i].birth);
        caldate_format(p->rules.applied, k->persons[i].applied);
        k->persons[i].category = p->rules.category;
        kioskrec_audit(k, "checkin.person", k->persons[i].v_number, "person=%zu category=%s", i + 1,
                       rules_category_str(p->rules.category));
    }
}

void kioskrec_note_staff(kioskrec *k, const char *staff_id)
{
    if (k && staff_id && staff_id[0])
        g_strlcpy(k->staff_id, staff_id, sizeof k->staff_id);
}

const char *kioskrec_problem(const kioskrec *k)
{
    return k ? k->problem : "";
}

static void stamp(int64_t t, char out[17])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 17, "%Y%m%d%H%M%SZ", &tm);
}

static const char *attempt_item(takes_item item)
{
    return item == TAKES_ITEM_FINGERPRINTS ? "finger" : takes_item_str(item);
}

static const char *reason_of(const rules_plan *plan, rules_item item)
{
    for (size_t i = 0; i < plan->n_reasons; i++)
        if (plan->reasons[i].item == item && plan->reasons[i].text)
            return plan->reasons[i].text;
    return "no reason given";
}

/* The texts a record_session borrows, kept until the record is committed. */
typedef struct scratch {
    char started[17], ended[17];
    char times[TAKES_MAX_LOG][17];
    record_exception exc[TAKES_MAX_LOG + FLOW_ITEM_COUNT_];
    record_attempt att[TAKES_MAX_LOG];
    record_device dev[TAKES_MAX_DEVICES];
    record_point *points;   /* biomem */
    record_stroke *strokes; /* n_strokes of them (g_new) */
    char *surname, *given;  /* a split name (wiped) */
} scratch;

/* The signature's points and strokes of person i into sc (wiped by the caller), for rs. */
static bk_err signature_strokes(const takes *tk, size_t i, scratch *sc, record_session *rs)
{
    const takes_point *pts = NULL;
    const size_t *ends = NULL;
    size_t n_strokes = 0;
    size_t n_points = takes_signature(tk, i, &pts, &ends, &n_strokes);
    if (n_points == 0 || n_strokes == 0)
        return BK_OK;
    /* as many strokes as the signature has: a long one is no reason to drop it */
    sc->points = biomem_calloc(n_points, sizeof *sc->points);
    sc->strokes = g_try_new(record_stroke, n_strokes);
    if (sc->points == NULL || sc->strokes == NULL)
        return BK_ERR_NOMEM;
    for (size_t p = 0; p < n_points; p++)
        sc->points[p] = (record_point){pts[p].x_mm, pts[p].y_mm, pts[p].pressure, pts[p].t_ms};
    size_t from = 0;
    for (size_t st = 0; st < n_strokes; st++) {
        sc->strokes[st] = (record_stroke){sc->points + from, ends[st] - from};
        from = ends[st];
    }
    rs->strokes = sc->strokes;
    rs->n_strokes = n_strokes;
    return BK_OK;
}

/* The attempts of person i and the visit's devices into sc, for rs. */
static void attempts_and_devices(const takes *tk, size_t i, scratch *sc, record_session *rs)
{
    size_t na = takes_attempt_count(tk, i);
    for (size_t a = 0; a < na; a++) {
        const takes_attempt *ta = takes_attempt_get(tk, i, a);
        stamp(ta->when, sc->times[a]);
        sc->att[a] =
            (record_attempt){attempt_item(ta->item), ta->position, ta->quality, ta->threshold,
                             ta->accepted,           ta->veto,     sc->times[a]};
    }
    rs->attempts = sc->att;
    rs->n_attempts = na;
    size_t nd = takes_device_count(tk);
    for (size_t d = 0; d < nd && d < TAKES_MAX_DEVICES; d++) {
        const takes_device *td = takes_device_get(tk, d);
        sc->dev[d] = (record_device){td->kind, td->model, td->serial};
    }
    rs->devices = sc->dev;
    rs->n_devices = MIN(nd, (size_t)TAKES_MAX_DEVICES);
}

static bk_err commit_person(kioskrec *k, size_t i, const flow_person *fp, const takes *tk,
                            int64_t wall, scratch *sc)
{
    ident *id = &k->persons[i];
    record_session rs = {0};
    rs.v_number = id->v_number;
    /* "Surname, Given names" is split; any other form goes whole into the surname, and
     * unchanged into 2.112 so the back office sees it was not split */
    if (record_split_name(id->name, &sc->surname, &sc->given) == BK_OK) {
        rs.surname = sc->surname;
        rs.given_names = sc->given;
    } else {
        rs.surname = id->name;
        rs.name_unsplit = id->name;
    }
    rs.signature_box_width = k->set.signature_box_width;
    rs.signature_box_height = k->set.signature_box_height;
    rs.birth_date = id->birth;
    rs.applied = id->applied;
    rs.signature_min_points = k->set.signature_min_points;
    /* the log's head goes into the record (2.126): a log cut short shows at the back office */
    char head[65];
    if (audit_head(k->log, &rs.audit_seq, head) == BK_OK && rs.audit_seq > 0)
        rs.audit_hash = head;
    rs.category = id->category;
    rs.appointment_code = k->code;
    rs.desk = k->set.desk;
    rs.kiosk_id = k->set.kiosk_id;
    rs.staff_id = k->staff_id[0] ? k->staff_id : "NONE";
    stamp(k->started, sc->started);
    stamp(wall, sc->ended);
    rs.started = sc->started;
    rs.ended = sc->ended;
    rs.photo = fp->plan.photo;
    rs.fingerprints = fp->plan.fingerprints;
    rs.signature = fp->plan.signature;
    rs.photo_reason = reason_of(&fp->plan, RULES_ITEM_PHOTO);
    rs.fingerprints_reason = reason_of(&fp->plan, RULES_ITEM_FINGERPRINTS);
    rs.signature_reason = reason_of(&fp->plan, RULES_ITEM_SIGNATURE);

    rs.face_jpeg = takes_face(tk, i, &rs.face_len);
    for (size_t f = 0; f < takes_finger_count(tk, i) && f < RECORD_MAX_FINGERS; f++) {
        const takes_finger *tf = takes_finger_get(tk, i, f);
        rs.fingers[f] = (record_finger){tf->position, tf->png, tf->png_len, tf->quality, 0, 0};
        rs.n_fingers++;
    }
    if (signature_strokes(tk, i, sc, &rs) != BK_OK)
        return BK_ERR_NOMEM;

    size_t ne = 0;
    for (size_t e = 0; e < takes_exception_count(tk, i); e++) {
        const takes_exception *te = takes_exception_get(tk, i, e);
        bool finger = te->item == TAKES_ITEM_FINGERPRINTS && te->position > 0;
        sc->exc[ne++] = (record_exception){finger ? "finger" : takes_item_str(te->item),
                                           te->position, te->permanent, te->reason};
    }
    /* Steps staff skipped or marked: the record says why the item is missing. */
    for (size_t s = 0; s < fp->n_steps; s++) {
        const flow_step *st = &fp->steps[s];
        if (st->state == FLOW_STEP_SKIPPED || st->state == FLOW_STEP_EXCEPTION)
            sc->exc[ne++] = (record_exception){takes_item_str((takes_item)st->item), 0,
                                               st->state == FLOW_STEP_EXCEPTION, st->reason};
    }
    rs.exceptions = sc->exc;
    rs.n_exceptions = ne;
    attempts_and_devices(tk, i, sc, &rs);
    size_t na = rs.n_attempts;

    record_committed done = {0};
    char why[200] = "";
    bk_err err =
        record_commit(&rs, k->kiosk_sk, k->office_pk, k->set.outbox, &done, why, sizeof why);
    if (err != BK_OK) {
        g_snprintf(k->problem, sizeof k->problem, "person %zu: %s%s%s", i + 1, bk_err_str(err),
                   why[0] ? ": " : "", why);
        kioskrec_audit(k, "record.failed", id->v_number, "person=%zu error=%s", i + 1,
                       bk_err_str(err));
        return err;
    }
    /* The attempts, exceptions and vetoes go to the audit log once, with the record. */
    for (size_t a = 0; a < na; a++)
        kioskrec_audit(k, sc->att[a].veto == 'N' ? "attempt" : "attempt.veto", id->v_number,
                       "item=%s position=%u quality=%d threshold=%d result=%s veto=%c",
                       sc->att[a].item, sc->att[a].position, sc->att[a].quality,
                       sc->att[a].threshold, sc->att[a].accepted ? "accepted" : "rejected",
                       sc->att[a].veto);
    for (size_t e = 0; e < ne; e++)
        kioskrec_audit(k, "exception", id->v_number, "item=%s position=%u kind=%s", sc->exc[e].item,
                       sc->exc[e].position, sc->exc[e].permanent ? "permanent" : "temporary");
    kioskrec_audit(k, "record.written", id->v_number, "person=%zu tcn=%s bytes=%zu", i + 1,
                   done.tcn, done.size);
    g_info("record written: tcn=%s bytes=%zu", done.tcn, done.size);
    record_committed_clear(&done);
    id->committed = true;
    return BK_OK;
}

void kioskrec_audit_unwritten(kioskrec *k, const takes *tk)
{
    if (k == NULL || !k->visit || tk == NULL)
        return;
    size_t n = MIN(takes_person_count(tk), k->n_persons);
    for (size_t i = 0; i < n; i++) {
        if (k->persons[i].committed)
            continue;
        const char *v = k->persons[i].v_number;
        for (size_t a = 0; a < takes_attempt_count(tk, i); a++) {
            const takes_attempt *ta = takes_attempt_get(tk, i, a);
            kioskrec_audit(k, ta->veto == 'N' ? "attempt" : "attempt.veto", v,
                           "item=%s position=%u quality=%d threshold=%d result=%s veto=%c "
                           "record=none",
                           attempt_item(ta->item), ta->position, ta->quality, ta->threshold,
                           ta->accepted ? "accepted" : "rejected", ta->veto);
        }
        for (size_t e = 0; e < takes_exception_count(tk, i); e++) {
            const takes_exception *te = takes_exception_get(tk, i, e);
            kioskrec_audit(k, "exception", v, "item=%s position=%u kind=%s record=none",
                           takes_item_str(te->item), te->position,
                           te->permanent ? "permanent" : "temporary");
        }
    }
}

size_t kioskrec_waiting(const kioskrec *k, const flow *fl)
{
    if (k == NULL || !k->visit || fl == NULL)
        return 0;
    size_t n = MIN(flow_person_count(fl), k->n_persons), waiting = 0;
    for (size_t i = 0; i < n; i++)
        waiting += flow_get_person(fl, i)->n_steps > 0 && !k->persons[i].committed;
    return waiting;
}

void kioskrec_discard_mask(kioskrec *k, unsigned person_mask, const char *staff_id)
{
    if (k == NULL || !k->visit)
        return;
    for (size_t i = 0; i < k->n_persons; i++)
        if ((person_mask & (1u << i)) && !k->persons[i].committed)
            kioskrec_audit(k, "record.discarded", k->persons[i].v_number, "person=%zu staff=%s",
                           i + 1, staff_id && staff_id[0] ? staff_id : "-");
}

bk_err kioskrec_commit(kioskrec *k, const flow *fl, const takes *tk, int64_t wall)
{
    if (k == NULL)
        return BK_OK;
    k->problem[0] = '\0';
    if (!k->visit || tk == NULL) {
        g_strlcpy(k->problem, "no visit to record", sizeof k->problem);
        return BK_ERR_INTERNAL;
    }
    size_t n = MIN(flow_person_count(fl), k->n_persons);
    for (size_t i = 0; i < n; i++) {
        const flow_person *fp = flow_get_person(fl, i);
        if (fp->n_steps == 0 || k->persons[i].committed)
            continue;
        scratch *sc = g_new0(scratch, 1);
        bk_err err = commit_person(k, i, fp, tk, wall, sc);
        biomem_free(sc->points);
        g_free(sc->strokes);
        wipe_str(sc->surname);
        wipe_str(sc->given);
        g_free(sc);
        if (err != BK_OK)
            return err;
    }
    return BK_OK;
}
