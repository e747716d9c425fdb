/* "capture-finger": the fingerprint step (ui/capture_finger.h): phases, the service's events,
 * the officer's actions and what goes into the record. Drawing: capture_finger_draw.c. */
#include <string.h>

#include "core/biomem.h"
#include "ui/screens/capture_finger-priv.h"

const char *const capture_finger_names[FINGERPLAN_FINGERS] = {
    "",
    N_("Right thumb"),
    N_("Right index finger"),
    N_("Right middle finger"),
    N_("Right ring finger"),
    N_("Right little finger"),
    N_("Left thumb"),
    N_("Left index finger"),
    N_("Left middle finger"),
    N_("Left ring finger"),
    N_("Left little finger"),
};

const char *const capture_finger_reasons[FINGERPLAN_REASON_COUNT_] = {
    N_("Amputated"),
    N_("Bandaged"),
    N_("Injured"),
    N_("Other reason"),
};

static bool valid_id(int id)
{
    return id > 0 && id < FINGER_MAX_IDS;
}

static void stamp(session *s, finger_priv *p)
{
    size_t n = fingerplan_log_count(p->plan);
    for (; p->logged < n && p->logged < TAKES_MAX_LOG; p->logged++) {
        p->when[p->logged] = session_wall(s);
        char line[160];
        fingerplan_log_format(fingerplan_log_get(p->plan, p->logged), line, sizeof line);
        g_message("fingerprints: %s", line);
    }
}

/* The service compares new prints with the kept ones: it learns each change of a kept print. */
static void tell_kept(finger_priv *p)
{
    for (int f = 1; f < FINGERPLAN_FINGERS; f++) {
        int id = fingerplan_kept(p->plan, f);
        unsigned print = valid_id(id) ? p->print_of[id] : 0;
        if (print != p->kept_told[f]) {
            finger_service_keep(p->fs, f, print);
            p->kept_told[f] = print;
        }
    }
}

/* Wants the plan's current finger from the service (which starts, or keeps, its capture). */
static void start_capture(finger_priv *p)
{
    p->retry = -1;
    /* after a reader error the officer decides when to try again */
    if (p->paused || p->error)
        return;
    tell_kept(p);
    finger_service_capture(p->fs, fingerplan_current(p->plan));
}

/* After the plan changed: capture the finger it asks for, or show the kept prints. */
static void go_on(finger_priv *p)
{
    p->unusable = false;
    if (fingerplan_current(p->plan) != FINGERPLAN_NONE) {
        p->phase = FINGER_PHASE_CAPTURE;
        start_capture(p);
    } else {
        p->phase = FINGER_PHASE_DONE;
        finger_service_cancel(p->fs);
    }
}

/* Wipes an attempt's image (biomem); its features stay with the service until the step ends. */
static void drop_image(finger_priv *p, int id)
{
    if (!valid_id(id))
        return;
    fingerimg_free(p->images[id]);
    p->images[id] = NULL;
    p->id_finger[id] = 0;
}

static void clear_shots(finger_priv *p)
{
    for (int id = 1; id < FINGER_MAX_IDS; id++) {
        fingerimg_free(p->images[id]);
        p->images[id] = NULL;
    }
}

static void enter(screen *scr)
{
    finger_priv *p = scr->priv;
    const capture_finger *cf = (const capture_finger *)scr->cls;
    p->fs = cf->fs;
    fingerplan_new(&cf->plan, &p->plan);
    p->selected = FINGERPLAN_NONE;
    p->retry = -1;
    /* what happened while no fingerprint screen was up is history */
    finger_service_begin(p->fs);
    finger_snapshot snap;
    finger_service_snapshot(p->fs, &snap);
    p->paused = !snap.ready;
    devwait_init(&p->wait, "fingerprint-reader");
    if (p->paused)
        devwait_update(&p->wait, SCREEN_SESSION(scr), false, "absent");
}

static void leave(screen *scr)
{
    finger_priv *p = scr->priv;
    finger_service_end(p->fs); /* the capture ends, the prints' features are wiped */
    fingerplan_free(p->plan);
    p->plan = NULL;
    clear_shots(p);
}

/* The finger is decided (or started again): its attempts' images other than `keep` are wiped. */
static void drop_finger_images(finger_priv *p, int finger, int keep)
{
    for (int id = 1; id < FINGER_MAX_IDS; id++)
        if (p->id_finger[id] == finger && id != keep)
            drop_image(p, id);
}

/* The id of `finger`'s attempt number n since its last restart, 0 when its image is gone. */
static int attempt_id(const finger_priv *p, int finger, int n)
{
    for (int id = FINGER_MAX_IDS - 1; id > 0; id--)
        if (p->id_finger[id] == finger && p->id_attempt[id] == n)
            return id;
    return 0;
}

const fingerimg *capture_finger_attempt_image(const finger_priv *p, int finger, int n)
{
    int id = attempt_id(p, finger, n);
    return valid_id(id) ? p->images[id] : NULL;
}

int capture_finger_quality(const finger_priv *p, int id)
{
    return valid_id(id) ? p->quality_of[id] : 0;
}

int capture_finger_unverified_with(const finger_priv *p, int finger)
{
    int id = fingerplan_kept(p->plan, finger);
    return valid_id(id) ? p->id_unverified[id] : 0;
}

/* No attempt kept and none left: every attempt was rejected. */
bool capture_finger_dead_end(const finger_priv *p, int finger)
{
    return fingerplan_kept(p->plan, finger) == 0 && fingerplan_attempts_left(p->plan, finger) == 0;
}

/* The attempt's image and numbers are the screen's from now on. */
static void take_attempt(session *s, finger_priv *p, finger_event *ev, int id, int finger)
{
    if (!valid_id(id)) {
        finger_service_forget(p->fs, ev->print);
        return;
    }
    p->images[id] = ev->image;
    ev->image = NULL;
    p->print_of[id] = ev->print;
    p->quality_of[id] = ev->quality;
    p->id_attempt[id] = fingerplan_attempts(p->plan, finger);
    p->id_finger[id] = finger;
    if (ev->check.result == FINGERPLAN_UNVERIFIED) {
        /* no verdict possible (too few minutiae): the officer is told, never a silent pass */
        p->id_unverified[id] = ev->check.other;
        g_autofree char *detail = g_strdup_printf(
            "finger=%s other=%s n=%d", fingerplan_finger_str(finger),
            fingerplan_finger_str(ev->check.other), fingerplan_attempts(p->plan, finger));
        session_audit(s, "fingerprint.uniqueness-unverified", detail);
    }
}

static void on_image(session *s, finger_priv *p, finger_event *ev)
{
    int finger = fingerplan_current(p->plan);
    /* an image of a capture the plan no longer asks for (the finger was marked or kept while
     * the person pressed it) */
    if (p->phase != FINGER_PHASE_CAPTURE || finger == FINGERPLAN_NONE || ev->finger != finger) {
        finger_service_forget(p->fs, ev->print);
        return;
    }
    fingerplan_outcome outcome;
    int id = 0;
    bk_err err = fingerplan_attempt(p->plan, ev->quality, &ev->check, &outcome, &id);
    if (err == BK_ERR_CONFLICT) {
        /* every attempt of this finger was rejected: nothing more is taken until the officer
         * restarts the finger or marks it unusable (the review says so) */
        g_message("fingerprints: no attempts left for %s; the officer decides",
                  fingerplan_finger_str(finger));
        finger_service_forget(p->fs, ev->print);
        p->phase = FINGER_PHASE_REVIEW;
        p->review = finger;
        return;
    }
    if (err != BK_OK) {
        finger_service_forget(p->fs, ev->print);
        return;
    }
    take_attempt(s, p, ev, id, finger);
    if (outcome == FINGERPLAN_NOT_UNIQUE)
        drop_image(p, id); /* never shown, never kept */
    stamp(s, p);
    p->not_unique_other = 0;
    switch (outcome) {
    case FINGERPLAN_AGAIN:
        start_capture(p);
        break;
    case FINGERPLAN_NOT_UNIQUE:
        p->not_unique_other = ev->check.other;
        start_capture(p);
        break;
    case FINGERPLAN_KEPT:
    case FINGERPLAN_BEST_KEPT:
        p->phase = FINGER_PHASE_REVIEW;
        p->review = finger;
        tell_kept(p);
        break;
    }
}

static void on_event(session *s, finger_priv *p, finger_event *ev)
{
    g_debug("reader event: %s", finger_event_str(ev->kind));
    switch (ev->kind) {
    case FINGER_EVENT_READY:
    case FINGER_EVENT_ADDED:
        devwait_update(&p->wait, s, true, NULL);
        p->paused = false;
        p->error = false;
        if (p->phase == FINGER_PHASE_CAPTURE)
            start_capture(p);
        break;
    case FINGER_EVENT_REMOVED:
        devwait_update(&p->wait, s, false, "removed");
        p->paused = true;
        p->present = false;
        break;
    case FINGER_EVENT_NEEDED:
    case FINGER_EVENT_LIFTED:
        p->present = false;
        break;
    case FINGER_EVENT_PRESENT:
        p->present = true; /* a retry's instruction stays until the next image */
        break;
    case FINGER_EVENT_RETRY:
        p->present = false;
        p->retry = ev->retry <= FINGER_RETRY_REMOVE ? (int)ev->retry : 0;
        break;
    case FINGER_EVENT_ERROR:
        if (p->paused)
            break; /* the capture that the removal ended; ADDED restarts it */
        /* the message is for staff; it names the reader's fault, nothing of the person */
        g_warning("fingerprint reader error: %s", ev->text[0] ? ev->text : "?");
        p->present = false;
        p->error = true;
        break;
    case FINGER_EVENT_IMAGE:
        p->present = false;
        on_image(s, p, ev);
        break;
    case FINGER_EVENT_CANCELLED: /* the service starts the wanted capture itself */
    case FINGER_EVENT_NONE:
    case FINGER_EVENT_COUNT_:
        break;
    }
}

static bool input(screen *scr, const SDL_Event *sev)
{
    const capture_finger *cf = (const capture_finger *)scr->cls;
    if (sev->type != cf->events[0])
        return false;
    finger_priv *p = scr->priv;
    finger_event ev;
    while (finger_service_next_event(p->fs, &ev)) {
        on_event(SCREEN_SESSION(scr), p, &ev);
        finger_event_clear(&ev);
    }
    runner_invalidate(scr->owner);
    return true;
}

static void commit_prints(takes *t, size_t person, finger_priv *p)
{
    for (int hand = 0; hand < 2; hand++) {
        int f = fingerplan_hand_finger(p->plan, hand);
        int id = f ? fingerplan_kept(p->plan, f) : 0;
        if (!valid_id(id) || p->images[id] == NULL)
            continue;
        uint8_t *png = NULL;
        size_t len = 0;
        if (finger_print_png(p->images[id], &png, &len) != BK_OK) {
            g_warning("fingerprints: cannot encode the print of %s", fingerplan_finger_str(f));
            continue;
        }
        if (takes_set_finger(t, person, (unsigned)f, png, len, capture_finger_quality(p, id)) !=
            BK_OK)
            g_warning("fingerprints: cannot keep the print of %s", fingerplan_finger_str(f));
        biomem_free(png);
    }
}

static void commit_log(session *s, takes *t, size_t person, finger_priv *p)
{
    size_t n = fingerplan_log_count(p->plan);
    for (size_t i = 0; i < n; i++) {
        const fingerplan_log_entry *e = fingerplan_log_get(p->plan, i);
        int64_t when = i < TAKES_MAX_LOG ? p->when[i] : session_wall(s);
        takes_attempt a = {.item = TAKES_ITEM_FINGERPRINTS,
                           .position = (unsigned)(e->finger > 0 ? e->finger : 0),
                           .quality = e->quality,
                           .threshold = e->threshold,
                           .veto = 'N',
                           .when = when};
        bk_err err = BK_OK;
        switch (e->kind) {
        case FINGERPLAN_LOG_ATTEMPT:
            a.accepted = e->id == fingerplan_kept(p->plan, e->finger);
            err = takes_add_attempt(t, person, &a);
            break;
        case FINGERPLAN_LOG_VETO_ACCEPT:
        case FINGERPLAN_LOG_VETO_REJECT:
            a.accepted = e->kind == FINGERPLAN_LOG_VETO_ACCEPT;
            a.veto = a.accepted ? 'A' : 'R';
            err = takes_add_attempt(t, person, &a);
            break;
        case FINGERPLAN_LOG_MISSING:
        case FINGERPLAN_LOG_EXCEPTION:
            err = takes_add_exception(t, person, TAKES_ITEM_FINGERPRINTS,
                                      e->kind == FINGERPLAN_LOG_MISSING ? (unsigned)e->finger : 0,
                                      e->permanent, fingerplan_reason_str(e->reason));
            break;
        case FINGERPLAN_LOG_RESTART:
            break;
        }
        if (err != BK_OK)
            g_warning("fingerprints: the record's log is full");
    }
}

static void commit(session *s, finger_priv *p)
{
    takes *t = session_takes(s);
    if (t == NULL)
        return;
    size_t person = flow_current_person(session_flow(s));
    takes_clear_item(t, person, TAKES_ITEM_FINGERPRINTS);
    commit_prints(t, person, p);
    commit_log(s, t, person, p);
    finger_snapshot snap;
    finger_service_snapshot(p->fs, &snap);
    /* libfprint reports no serial numbers; the record needs one, so it says so */
    takes_set_device(t, "fingerprint", snap.name[0] ? snap.name : "unknown", "unknown");
    session_capture_done(s); /* the last thing: the screen is replaced */
}

static void start_plan(finger_priv *p)
{
    for (int f = 1; f < FINGERPLAN_FINGERS; f++)
        if (p->marks[f].on)
            fingerplan_mark_missing(p->plan, f, p->marks[f].reason, p->marks[f].permanent);
    go_on(p);
}

/* A finger that fails once the capture has started: marked unusable like a missing finger
 * (reason, temporary or permanent: a log line and an exception in the record), its images
 * wiped, and the plan goes on to the next finger of that hand in the fallback order; the service
 * ends the capture that waits for this finger and starts the next one by itself. */
static void mark_unusable(session *s, finger_priv *p, int finger, fingerplan_reason reason)
{
    if (fingerplan_mark_missing(p->plan, finger, reason, p->permanent) != BK_OK)
        return;
    p->marks[finger] = (finger_mark){true, reason, p->permanent};
    drop_finger_images(p, finger, 0);
    p->unusable = false;
    p->permanent = false;
    p->show_attempts = false;
    p->not_unique_other = 0;
    stamp(s, p);
    go_on(p);
}

/* The officer's "This finger cannot be used" and its reasons, in the capture and the review.
 * Returns true when `id` was one of them. */
static bool unusable_action(session *s, finger_priv *p, int finger, int id)
{
    if (id == FINGER_ID_UNUSABLE) {
        p->unusable = !p->unusable;
        return true;
    }
    if (!p->unusable)
        return false;
    if (id == FINGER_ID_PERMANENT) {
        p->permanent = !p->permanent;
        return true;
    }
    if (id >= FINGER_ID_REASON && id < FINGER_ID_REASON + FINGERPLAN_REASON_COUNT_) {
        mark_unusable(s, p, finger, (fingerplan_reason)(id - FINGER_ID_REASON));
        return true;
    }
    return false;
}

/* Before the capture: the officer marks fingers. Returns true when the screen was replaced. */
static bool prepare_action(session *s, finger_priv *p, int id)
{
    if (id > FINGER_ID_FINGER && id < FINGER_ID_FINGER + FINGERPLAN_FINGERS) {
        int f = id - FINGER_ID_FINGER;
        if (p->marks[f].on)
            p->marks[f].on = false;
        else
            p->selected = p->selected == f ? FINGERPLAN_NONE : f;
        p->exception = false;
    } else if (id >= FINGER_ID_REASON && id < FINGER_ID_REASON + FINGERPLAN_REASON_COUNT_) {
        fingerplan_reason r = (fingerplan_reason)(id - FINGER_ID_REASON);
        if (p->exception) {
            fingerplan_exception(p->plan, r, true);
            stamp(s, p);
            commit(s, p);
            return true;
        }
        if (p->selected != FINGERPLAN_NONE)
            p->marks[p->selected] = (finger_mark){true, r, p->permanent};
        p->selected = FINGERPLAN_NONE;
    } else if (id == FINGER_ID_PERMANENT) {
        p->permanent = !p->permanent;
    } else if (id == FINGER_ID_EXCEPTION) {
        p->exception = !p->exception;
        p->selected = FINGERPLAN_NONE;
    } else if (id == SCREEN_ID_NEXT) {
        start_plan(p);
        stamp(s, p);
    }
    return false;
}

static void capture_action(session *s, finger_priv *p, int id, bool staff)
{
    int f = fingerplan_current(p->plan);
    if (staff && unusable_action(s, p, f, id)) {
        /* handled: the finger is marked, or the reasons are shown or hidden */
    } else if (id == FINGER_ID_TRY_AGAIN) {
        p->error = false;
        start_capture(p);
    } else if (staff && id == FINGER_ID_SHOW_ATTEMPTS) {
        p->show_attempts = !p->show_attempts;
    } else if (staff && id > FINGER_ID_KEEP && id <= FINGER_ID_KEEP + 10 &&
               fingerplan_veto(p->plan, f, id - FINGER_ID_KEEP, true) == BK_OK) {
        /* the officer keeps an earlier attempt: the capture that waits is not needed */
        stamp(s, p);
        finger_service_cancel(p->fs);
        tell_kept(p);
        p->phase = FINGER_PHASE_REVIEW;
        p->review = f;
    }
}

static void review_action(session *s, finger_priv *p, int id, bool staff)
{
    int f = p->review;
    int kept = fingerplan_kept(p->plan, f);
    if (staff && unusable_action(s, p, f, id)) {
        /* handled */
    } else if (id == SCREEN_ID_NEXT && capture_finger_dead_end(p, f)) {
        /* nothing to go on with: the officer restarts the finger or marks it unusable */
    } else if (id == SCREEN_ID_NEXT) {
        drop_finger_images(p, f, kept); /* the finger is decided */
        p->show_attempts = false;
        go_on(p);
    } else if (staff && id == FINGER_ID_REJECT && valid_id(kept)) {
        fingerplan_veto(p->plan, f, p->id_attempt[kept], false);
        stamp(s, p);
        /* with attempts left the finger is taken again; with none left (every attempt
         * rejected) the review stays and says what the officer can do */
        if (fingerplan_kept(p->plan, f) == 0 && !capture_finger_dead_end(p, f))
            go_on(p);
    } else if (staff && id > FINGER_ID_KEEP && id <= FINGER_ID_KEEP + 10) {
        fingerplan_veto(p->plan, f, id - FINGER_ID_KEEP, true);
        stamp(s, p);
    } else if (staff && id == FINGER_ID_RESTART) {
        fingerplan_restart(p->plan, f);
        drop_finger_images(p, f, 0);
        stamp(s, p);
        go_on(p);
    }
}

/* Returns true when the screen was replaced. */
static bool done_action(session *s, finger_priv *p, int id, bool staff)
{
    if (id == SCREEN_ID_NEXT) {
        commit(s, p);
        return true;
    }
    if (staff && (id == FINGER_ID_RESTART_HAND || id == FINGER_ID_RESTART_HAND + 1)) {
        int f = fingerplan_hand_finger(p->plan, id - FINGER_ID_RESTART_HAND);
        if (f != FINGERPLAN_NONE && fingerplan_restart(p->plan, f) == BK_OK) {
            drop_finger_images(p, f, 0);
            stamp(s, p);
            go_on(p);
        }
    }
    return false;
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    finger_priv *p = scr->priv;
    if (devwait_action(&p->wait, s, id))
        return; /* the staff strip: the session may have moved on */
    if (session_language_action(s, id))
        return;
    /* marking a finger missing, keeping an attempt, accepting poor prints: the desk officer's
     * decisions (a technician-only account may not make them) */
    bool staff = session_staff_desk(s);
    if (staff)
        session_staff_touch(s);
    else
        session_touch(s);
    bool replaced = false;
    switch (p->phase) {
    case FINGER_PHASE_PREPARE:
        replaced = staff && prepare_action(s, p, id);
        break;
    case FINGER_PHASE_CAPTURE:
        capture_action(s, p, id, staff);
        break;
    case FINGER_PHASE_REVIEW:
        review_action(s, p, id, staff);
        break;
    case FINGER_PHASE_DONE:
        replaced = done_action(s, p, id, staff);
        break;
    }
    if (!replaced)
        runner_invalidate(scr->owner);
}

/* While the reader is away: redraw each second (the staff strip counts the seconds); while the
 * step waits for a finger: the hand's animation. */
static int64_t update(screen *scr, int64_t now_ms)
{
    finger_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (!devwait_away(&p->wait)) {
        if (!capture_finger_animating(p))
            return -1;
        if (now_ms / FINGER_FRAME_MS != p->hand_frame) { /* the hand lowering onto the reader */
            p->hand_frame = now_ms / FINGER_FRAME_MS;
            runner_invalidate(scr->owner);
        }
        return FINGER_FRAME_MS - now_ms % FINGER_FRAME_MS;
    }
    int64_t away = devwait_away_ms(&p->wait, s);
    if (away / 1000 != p->away_shown) {
        p->away_shown = away / 1000;
        runner_invalidate(scr->owner);
    }
    return 1000 - away % 1000;
}

/* ---- registration ------------------------------------------------------------------------- */

/* The device status and the technician's check, with the service registered with the class. */
static void service_status(void *service, char *buf, size_t size)
{
    finger_service_status(service, buf, size);
}

static bk_err service_check(void *service, const capture_check_run *run)
{
    return finger_service_check(service, run);
}

capture_finger *capture_finger_register(finger_service *fs, const fingerplan_settings *plan,
                                        uint32_t wake_event, char **message)
{
    fingerplan *trial = NULL;
    if (fingerplan_new(plan, &trial) != BK_OK) {
        if (message)
            *message = g_strdup("[fingerprint] thresholds 0-100, attempts 1-10, and the "
                                "fallback order thumb, middle, ring each once");
        return NULL;
    }
    fingerplan_free(trial);
    capture_finger *cf = g_new0(capture_finger, 1);
    cf->fs = fs;
    cf->plan = *plan;
    cf->events[0] = wake_event;
    cf->cls = (screen_class){
        .name = "capture-finger",
        .applicant = true,
        .priv_size = sizeof(finger_priv),
        .enter = enter,
        .exit = leave,
        .input = input,
        .action = action,
        .update = update,
        .draw = capture_finger_draw,
        .events = cf->events,
    };
    cf->cap = (capture_class){
        .item = FLOW_ITEM_FINGERPRINTS,
        .screen = &cf->cls,
        .status = service_status,
        .check = service_check,
    };
    if (capture_register_service(&cf->cap, fs) != BK_OK) {
        if (message)
            *message = g_strdup("a fingerprint screen is registered already");
        g_free(cf);
        return NULL;
    }
    return cf;
}

void capture_finger_free(capture_finger *cf)
{
    if (cf == NULL)
        return;
    g_free(cf);
}

bool capture_finger_drawn_get(runner *r, capture_finger_drawn *out)
{
    const capture_class *cap = capture_lookup(FLOW_ITEM_FINGERPRINTS);
    screen *scr = cap ? runner_find(r, cap->screen) : NULL;
    if (scr == NULL)
        return false;
    const finger_priv *p = scr->priv;
    *out = p->drawn;
    return true;
}
