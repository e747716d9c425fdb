/* "capture-photo": the photo step. Live view mirrored like a mirror with a head-shaped guide and
 * the most important instruction; capture by itself after about a second of passing checks, or
 * by the button with a 3-second countdown; the cropped result with its checks; retakes; after
 * the last attempt the desk officer chooses (or rejects) a photo.
 *
 * The screen only draws and decides: the camera, the live frames, their analysis and the
 * processing of a photo are the photo service's (app/capture/photo.h), which app/kiosk.c makes
 * and hands over with capture_photo_register. The service's threads wake the main loop with an
 * SDL user event; input() then drains the service's event queue on the main thread.
 */
#include "ui/capture_photo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "capture/photo.h"
#include "ui/capture.h"
#include "ui/devwait.h"
#include "ui/pictogram.h"
#include "ui/spoken.h"
#include "ui/screens/photo_guide.h"
#include "ui/screens/photo_view.h"
#include "ui/screens/screens.h"

#define AUTO_PASS_MS 1000
#define COUNTDOWN_MS 3000
/* The screen's deadline for a photo: longer than the camera driver's own (20 s), so that a
 * driver whose watchdog does not end a hung call (a USB camera relies on libgphoto2's port
 * timeout) does not hold the person on "Hold still" for ever. */
#define SCREEN_CAPTURE_TIMEOUT_MS 30000

enum { ID_TAKE = 500, ID_USE, ID_RETAKE, ID_STAFF_REJECT, ID_STAFF_ACCEPT = 520 };

/* The registered screen: the class the runner knows, with the service its screens draw. */
struct capture_photo {
    screen_class cls; /* first: a screen's cls points here */
    capture_class cap;
    photo_service *ps; /* transfer none */
    uint32_t events[2];
};

typedef enum phase {
    PHASE_LIVE,
    PHASE_COUNTDOWN,
    PHASE_CAPTURING,
    PHASE_RESULT,
    PHASE_OFFICER, /* the last attempt is taken: the desk officer decides */
} phase;

typedef struct photo_priv {
    photo_service *ps; /* the registration's (transfer none) */
    phase phase;
    bool child;
    photo_attempt *attempts[PHOTO_MAX_ATTEMPTS];
    int n_attempts;
    int allowed; /* attempts before the officer decides (grows when the officer asks another) */
    int64_t pass_since; /* -1: the checks are not passing */
    int64_t countdown_end;
    int64_t capture_deadline; /* PHASE_CAPTURING: the screen gives up at this time */
    bool live_on;
    bool preview_new; /* a frame came that is not on the texture yet */
    pic *preview;     /* the newest frame, copied from the service */
    SDL_Texture *live_tex;
    int live_w, live_h;
    photo_analysis an;
    bool ready;
    bool preparing; /* the service still loads its face models: no photo yet, and it says so */
    photo_problem problem, cap_problem, gone_why;
    char model[64];
    char serial[64];
    devwait wait; /* the camera away: audit, and staff's choice after reconnect_seconds */
    /* counters for camera-wait and camera-watch */
    uint64_t frames_shown, analyses_seen, results_seen, problems_seen, readies_seen;
    uint64_t drawn_an_seq, instructions_drawn; /* analysis results drawn as an instruction */
    /* the live instruction, said once it has held (ui/spoken.h) */
    spoken_hold hold;
    int shown;         /* PHASE_OFFICER: the photo on screen (photo_view.h) */
    photo_zoom zoom;   /* ... whole, or zoomed to its eyes or mouth */
    SDL_Rect photo_at; /* where the photo was last drawn large, for photo-shown */
    SDL_Rect zoom_src; /* ... the part of it drawn (the officer's view) */
    photo_zoom_cache zoom_cache;
} photo_priv;

/* The person's instructions are marked for the catalogues in ui/spoken.c (the one list, also
 * what the speech test synthesises). */

/* The staff's message for a camera problem, by its code (the driver's own text is English,
 * for logs). */
static const char *problem_text(photo_problem problem)
{
    switch (problem) {
    case PHOTO_PROBLEM_NOT_FOUND:
        return _("No camera found: check that the camera is switched on and connected.");
    case PHOTO_PROBLEM_CLAIMED:
        return _("The camera is in use by another program: close that program, or switch the "
                 "camera off and on.");
    case PHOTO_PROBLEM_BUSY:
        return _("The camera stayed busy: wait a moment and take the photo again.");
    case PHOTO_PROBLEM_CAPTURE_TIMEOUT:
        return _("The camera did not deliver the photo in time: take it again; if this repeats, "
                 "switch the camera off and on.");
    case PHOTO_PROBLEM_LOST:
        return _("The connection to the camera was lost: reconnecting automatically. Check the "
                 "cable or network if this stays.");
    case PHOTO_PROBLEM_CORRUPT:
        return _("The photo from the camera was damaged or incomplete: take it again.");
    default:
        return "";
    }
}

/* The checks' instructions for staff (icao.c says them in English, after "staff: "). */
static const char *const staff_texts[] G_GNUC_UNUSED = {
    N_("too dark, check the lights"),
    N_("too bright, check the lights"),
    N_("the background is not plain, check the screen behind the person"),
    N_("the background is too dark, check the lights"),
    N_("uneven light on the face, check the lamps"),
    N_("the background is too bright, check the lights"),
    N_("the background is not grey, check the screen behind the person"),
    N_("colour cast, check the camera's white balance"),
};

/* A check's staff instruction without its "staff: " prefix, translated. */
static const char *staff_instruction(const char *instruction)
{
    if (instruction == NULL)
        return "";
    return _(instruction + (g_str_has_prefix(instruction, "staff: ") ? 7 : 0));
}

/* Tells the device wait whether the camera is there: a camera that went away (lost, not
 * found, claimed by another program) is audited once; its return too. Starting up is neither. */
static void sync_device(photo_priv *p, session *s)
{
    if (p->ready)
        devwait_update(&p->wait, s, true, NULL);
    else if (p->problem != PHOTO_PROBLEM_NONE)
        devwait_update(
            &p->wait, s, false,
            photo_problem_name(p->gone_why != PHOTO_PROBLEM_NONE ? p->gone_why : p->problem));
}

static size_t person_index(const screen *scr)
{
    return flow_current_person(session_flow(SCREEN_SESSION(scr)));
}

static bool is_child(const screen *scr)
{
    flow *f = session_flow(SCREEN_SESSION(scr));
    const flow_person *p = flow_get_person(f, flow_current_person(f));
    return p && p->plan.age_on_appointment < 10;
}

static void set_live(photo_priv *p, bool on)
{
    if (p->live_on == on)
        return;
    p->live_on = on;
    photo_service_set_live(p->ps, on);
}

/* Takes the camera's state from the service (a STATE event, or entering). */
static void read_state(photo_priv *p)
{
    photo_snapshot snap;
    photo_service_snapshot(p->ps, &snap);
    bool was_ready = p->ready;
    p->ready = snap.ready;
    p->preparing = snap.preparing;
    p->problem = snap.problem;
    p->gone_why = snap.gone_why;
    g_strlcpy(p->model, snap.model, sizeof p->model);
    g_strlcpy(p->serial, snap.serial, sizeof p->serial);
    if (p->ready && !was_ready)
        p->readies_seen++;
    if (!p->ready && was_ready)
        p->problems_seen++;
}

static void enter(screen *scr)
{
    photo_priv *p = scr->priv;
    p->ps = ((const capture_photo *)scr->cls)->ps;
    p->child = is_child(scr);
    p->allowed = photo_service_attempts(p->ps);
    devwait_init(&p->wait, "camera");
    p->pass_since = -1;
    p->phase = PHASE_LIVE;
    photo_service_begin(p->ps, p->child);
    read_state(p);
    sync_device(p, SCREEN_SESSION(scr));
    set_live(p, true);
}

static void exit_(screen *scr)
{
    photo_priv *p = scr->priv;
    photo_service *ps = p->ps;
    set_live(p, false);
    if (p->live_tex)
        SDL_DestroyTexture(p->live_tex);
    pic_free(p->preview);
    photo_zoom_cache_clear(&p->zoom_cache);
    for (int i = 0; i < p->n_attempts; i++)
        photo_attempt_free(p->attempts[i]);
    memset(p, 0, sizeof *p);
    /* nothing of this person's face stays behind in the service */
    photo_service_end(ps);
}

static void start_capture(screen *scr)
{
    photo_priv *p = scr->priv;
    if (!p->ready || p->n_attempts >= PHOTO_MAX_ATTEMPTS)
        return;
    if (photo_service_capture(p->ps) != BK_OK)
        return;
    p->phase = PHASE_CAPTURING;
    p->pass_since = -1;
    p->capture_deadline = session_now_ms(SCREEN_SESSION(scr)) + SCREEN_CAPTURE_TIMEOUT_MS;
    g_message("photo capture started: attempt=%d", p->n_attempts + 1);
}

static void copy_preview(screen *scr, ui *u)
{
    photo_priv *p = scr->priv;
    if (!p->preview_new)
        return;
    p->preview_new = false;
    if (!photo_service_preview(p->ps, &p->preview))
        return;
    const pic *pv = p->preview;
    if (pv->channels != 3)
        return;
    if (p->live_tex == NULL || p->live_w != pv->width || p->live_h != pv->height) {
        if (p->live_tex)
            SDL_DestroyTexture(p->live_tex);
        p->live_tex = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24,
                                        SDL_TEXTUREACCESS_STREAMING, pv->width, pv->height);
        p->live_w = pv->width;
        p->live_h = pv->height;
    }
    if (p->live_tex)
        SDL_UpdateTexture(p->live_tex, NULL, pv->px, pv->width * 3);
}

/* A processed photo arrived (transfer full). */
static void got_result(photo_priv *p, session *s, photo_attempt *got)
{
    if (p->phase != PHASE_CAPTURING || p->n_attempts >= PHOTO_MAX_ATTEMPTS) {
        /* the screen gave up on this capture: the person was told to take it again */
        g_message("photo: a capture came after the screen's deadline, dropped");
        photo_attempt_free(got);
        return;
    }
    got->when = session_wall(s);
    p->attempts[p->n_attempts++] = got;
    p->results_seen++;
    p->cap_problem = PHOTO_PROBLEM_NONE;
    p->phase = p->n_attempts >= p->allowed ? PHASE_OFFICER : PHASE_RESULT;
    p->shown = p->n_attempts - 1; /* the newest first: the one the person just saw */
    p->zoom = PHOTO_ZOOM_NONE;
    set_live(p, false);
    g_message("photo attempt %d of %d: compliant=%s", p->n_attempts, p->allowed,
              got->compliant ? "yes" : "no");
}

/* One event of the service's queue. */
static void on_event(photo_priv *p, session *s, photo_event *ev)
{
    switch (ev->kind) {
    case PHOTO_EVENT_STATE: {
        bool was_ready = p->ready;
        read_state(p);
        sync_device(p, s);
        if (p->ready && !was_ready && p->phase != PHASE_CAPTURING) {
            /* back: live view resumes (the camera resumes it itself after a reconnect) */
            p->live_on = false;
            if (p->phase == PHASE_LIVE || p->phase == PHASE_COUNTDOWN)
                set_live(p, true);
        }
        if (!p->ready && p->phase == PHASE_COUNTDOWN)
            p->phase = PHASE_LIVE;
        break;
    }
    case PHOTO_EVENT_FRAME:
        p->preview_new = true;
        p->frames_shown++;
        break;
    case PHOTO_EVENT_ANALYSIS:
        p->an = ev->analysis;
        p->analyses_seen++;
        break;
    case PHOTO_EVENT_CAPTURE_FAILED:
        p->cap_problem = ev->problem;
        p->problems_seen++;
        if (p->phase == PHASE_CAPTURING)
            p->phase = PHASE_LIVE;
        break;
    case PHOTO_EVENT_RESULT:
        got_result(p, s, ev->attempt);
        ev->attempt = NULL;
        break;
    }
}

static bool input(screen *scr, const SDL_Event *ev)
{
    photo_priv *p = scr->priv;
    if (ev->type != ((const capture_photo *)scr->cls)->events[0])
        return false;
    session *s = SCREEN_SESSION(scr);
    photo_event pe;
    while (photo_service_next_event(p->ps, &pe)) {
        on_event(p, s, &pe);
        photo_attempt_free(pe.attempt);
    }
    /* automatic capture: every check passing for about a second */
    if (p->phase == PHASE_LIVE && p->ready && p->an.pass) {
        if (p->pass_since < 0)
            p->pass_since = session_now_ms(s);
    } else if (p->phase == PHASE_LIVE) {
        p->pass_since = -1;
    }
    return true;
}

/* The live instruction is said once it has held SPOKEN_HOLD_MS (not one that flickers); the
 * speech handle says one at a time and not the same again within its repeat time. Returns the ms
 * until it should be looked at again, or -1. */
static int64_t speak_instruction(screen *scr, int64_t now)
{
    photo_priv *p = scr->priv;
    const photo_analysis *an = &p->an;
    bool live = p->phase == PHASE_LIVE && p->ready && !devwait_away(&p->wait);
    const char *showing =
        live && an->seq && !an->pass && !an->for_staff && spoken_is_instruction(an->instruction)
            ? an->instruction
            : NULL;
    int64_t wake = -1;
    const char *say = spoken_hold_feed(&p->hold, showing, now, &wake);
    if (say)
        spoken_say(session_get_settings(SCREEN_SESSION(scr))->speech, say);
    return wake;
}

static int64_t update_phase(screen *scr, int64_t now);

static int64_t update(screen *scr, int64_t now)
{
    int64_t next = update_phase(scr, now), said = speak_instruction(scr, now);
    return said >= 0 && (next < 0 || said < next) ? said : next;
}

static int64_t update_phase(screen *scr, int64_t now)
{
    photo_priv *p = scr->priv;
    if (devwait_away(&p->wait)) {
        /* paused: the staff strip appears after reconnect_seconds and counts the seconds */
        session *s = SCREEN_SESSION(scr);
        int limit = session_get_settings(s)->reconnect_seconds;
        int64_t due = (int64_t)(limit > 0 ? limit : 120) * 1000 - devwait_away_ms(&p->wait, s);
        if (due > 0)
            return due;
        runner_invalidate(scr->owner);
        return 1000;
    }
    if (p->phase == PHASE_CAPTURING) {
        if (now < p->capture_deadline)
            return p->capture_deadline - now;
        g_message("photo: no photo from the camera within %d s, back to live view",
                  SCREEN_CAPTURE_TIMEOUT_MS / 1000);
        photo_service_abandon_capture(p->ps);
        p->cap_problem = PHOTO_PROBLEM_CAPTURE_TIMEOUT;
        p->problems_seen++;
        p->phase = PHASE_LIVE;
        p->live_on = false;
        set_live(p, true);
        runner_invalidate(scr->owner);
        return -1;
    }
    if (p->phase == PHASE_COUNTDOWN) {
        if (now >= p->countdown_end) {
            start_capture(scr);
            runner_invalidate(scr->owner);
            return -1;
        }
        runner_invalidate(scr->owner);
        int64_t left = p->countdown_end - now;
        return left % 1000 ? left % 1000 : 1000;
    }
    if (p->phase == PHASE_LIVE && p->ready && p->pass_since >= 0) {
        if (now - p->pass_since >= AUTO_PASS_MS) {
            g_message("photo: every check passed for a second, capturing");
            start_capture(scr);
            runner_invalidate(scr->owner);
            return -1;
        }
        return AUTO_PASS_MS - (now - p->pass_since);
    }
    return -1;
}

static void accept_attempt(screen *scr, int i, char veto)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    takes *t = session_takes(s);
    size_t person = person_index(scr);
    photo_attempt *a = p->attempts[i];
    if (t == NULL || a == NULL || !a->cropped)
        return;
    if (takes_set_face(t, person, a->jpeg, a->len) != BK_OK)
        return;
    for (int k = 0; k < p->n_attempts; k++) {
        const photo_attempt *b = p->attempts[k];
        takes_attempt ta = {
            .item = TAKES_ITEM_PHOTO,
            .position = 0,
            .quality = b->n_checks ? 100 * b->n_passed / b->n_checks : 0,
            .threshold = 100,
            .accepted = k == i,
            /* a passing photo the officer rejected: veto R (TR 4.7) */
            .veto = k == i ? veto : (b->rejected && b->compliant ? 'R' : 'N'),
            .when = b->when,
        };
        takes_add_attempt(t, person, &ta);
    }
    /* the serial number as the camera reports it (libgphoto2's summary) */
    takes_set_device(t, "camera", p->model[0] ? p->model : "unknown",
                     p->serial[0] ? p->serial : "unknown");
    g_message("photo accepted: attempt=%d of %d veto=%c", i + 1, p->n_attempts, veto);
    session_capture_done(s); /* the last thing: this screen is replaced */
}

static void retake(screen *scr)
{
    photo_priv *p = scr->priv;
    p->phase = PHASE_LIVE;
    p->pass_since = -1;
    p->an = (photo_analysis){0};
    set_live(p, true);
}

static void action(screen *scr, int id)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (devwait_action(&p->wait, s, id))
        return;
    if (session_language_action(s, id))
        return;
    session_touch(s);
    /* keeping a photo that failed its checks, or rejecting photos, is a desk officer's decision
     * (a technician-only account may not make it) */
    bool staff = session_staff_desk(s);
    if (id == ID_TAKE && p->phase == PHASE_LIVE && p->ready && !p->preparing) {
        p->phase = PHASE_COUNTDOWN;
        p->countdown_end = session_now_ms(s) + COUNTDOWN_MS;
        p->pass_since = -1;
    } else if (id == ID_USE && p->phase == PHASE_RESULT && p->n_attempts > 0 &&
               p->attempts[p->n_attempts - 1]->compliant) {
        accept_attempt(scr, p->n_attempts - 1, 'N');
    } else if (id == ID_RETAKE && p->phase == PHASE_RESULT) {
        retake(scr);
    } else if (id >= ID_STAFF_ACCEPT && id < ID_STAFF_ACCEPT + p->n_attempts && staff) {
        int i = id - ID_STAFF_ACCEPT;
        session_staff_touch(s);
        accept_attempt(scr, i, p->attempts[i]->compliant ? 'N' : 'A');
    } else if (p->phase == PHASE_OFFICER && id >= PHOTO_VIEW_ID_PREV && id <= PHOTO_VIEW_ID_WHOLE) {
        /* anyone may look; only staff keeps or rejects */
        if (id == PHOTO_VIEW_ID_PREV || id == PHOTO_VIEW_ID_NEXT) {
            p->shown = CLAMP(p->shown + (id == PHOTO_VIEW_ID_NEXT ? 1 : -1), 0, p->n_attempts - 1);
            p->zoom = PHOTO_ZOOM_NONE;
        } else {
            p->zoom = id == PHOTO_VIEW_ID_EYES    ? PHOTO_ZOOM_EYES
                      : id == PHOTO_VIEW_ID_MOUTH ? PHOTO_ZOOM_MOUTH
                                                  : PHOTO_ZOOM_NONE;
        }
    } else if (id == ID_STAFF_REJECT && staff && p->n_attempts < PHOTO_MAX_ATTEMPTS) {
        session_staff_touch(s);
        g_message("photo: staff=%s rejected the photos taken, one more attempt",
                  session_staff_id(s));
        for (int k = 0; k < p->n_attempts; k++)
            p->attempts[k]->rejected = true;
        p->allowed = p->n_attempts + 1;
        retake(scr);
    }
}

/* The face found, outlined in the mirrored view, so the person sees where it is against the
 * guide. The view is mirrored, so the camera's x runs right to left: a face at the camera
 * picture's left (the person's right) shows at the screen's right; face_centre then says "Move a
 * little to your left" (icao.c), and moving to their own left moves their face on the screen
 * to the left, towards the guide, as in a mirror. */
static void draw_face(ui *u, SDL_Rect v, const float face[4], bool pass)
{
    SDL_Rect f = {v.x + (int)lroundf(v.w * (1 - face[0] - face[2])),
                  v.y + (int)lroundf(v.h * face[1]), (int)lroundf(v.w * face[2]),
                  (int)lroundf(v.h * face[3])};
    if (pass)
        SDL_SetRenderDrawColor(u->renderer, 40, 200, 90, 255);
    else
        SDL_SetRenderDrawColor(u->renderer, 255, 120, 40, 255);
    for (int t = 0; t < ui_px(u, 3); t++) {
        SDL_Rect o = {f.x - t, f.y - t, f.w + 2 * t, f.h + 2 * t};
        SDL_RenderDrawRect(u->renderer, &o);
    }
}

static void draw_pic(ui *u, const pic *pc, SDL_Rect dst, bool mirror)
{
    if (pc == NULL || pc->channels != 3)
        return;
    SDL_Texture *tx = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24,
                                        SDL_TEXTUREACCESS_STATIC, pc->width, pc->height);
    if (tx == NULL)
        return;
    SDL_UpdateTexture(tx, NULL, pc->px, pc->width * 3);
    SDL_RenderCopyEx(u->renderer, tx, NULL, &dst, 0, NULL,
                     mirror ? SDL_FLIP_HORIZONTAL : SDL_FLIP_NONE);
    SDL_DestroyTexture(tx);
}

/* The staff's line (a camera problem's or a check's message, translated). */
static void draw_staff_line(ui *u, SDL_Rect r, int *y, const char *text)
{
    char line[320];
    g_snprintf(line, sizeof line, "%s %s", _("For the desk officer:"), text);
    *y += ui_text(u, line, (SDL_Rect){r.x, *y, r.w, r.h}, UI_FONT_SMALL, UI_COLOR_ALERT,
                  UI_ALIGN_START);
}

static const char *instruction_text(const photo_analysis *an, bool child)
{
    if (an->seq == 0)
        return child ? _("Can you fit your head into the yellow shape? Look at the screen like in "
                         "a mirror.")
                     : _("Look at the screen like in a mirror and put your head in the shape.");
    if (an->pass)
        return _("Good! Hold still.");
    if (an->for_staff || an->instruction == NULL)
        return _("Please wait: the desk officer will help you.");
    return _(an->instruction);
}

static void draw_live(screen *scr, ui *u, SDL_Rect r)
{
    photo_priv *p = scr->priv;
    copy_preview(scr, u);
    int vw = r.w * 3 / 5, vh = vw * 2 / 3;
    if (vh > r.h) {
        vh = r.h;
        vw = vh * 3 / 2;
    }
    SDL_Rect v = ui_mirror(u, (SDL_Rect){r.x, r.y, vw, vh});
    ui_fill(u, v, UI_COLOR_TEXT);
    if (p->live_tex)
        /* mirrored, as a mirror shows the person */
        SDL_RenderCopyEx(u->renderer, p->live_tex, NULL, &v, 0, NULL, SDL_FLIP_HORIZONTAL);
    icao_guide g;
    photo_service_guide(p->ps, p->child, p->live_w, p->live_h, &g);
    photo_guide_draw(u, v, &g, p->child, p->an.pass && p->phase == PHASE_LIVE);
    if (p->an.has_face && p->phase == PHASE_LIVE)
        draw_face(u, v, p->an.face, p->an.pass);

    SDL_Rect side =
        ui_mirror(u, (SDL_Rect){r.x + vw + ui_px(u, 32), r.y, r.w - vw - ui_px(u, 32), r.h});
    int y = side.y;
    if (p->phase == PHASE_COUNTDOWN) {
        int64_t left = p->countdown_end - session_now_ms(SCREEN_SESSION(scr));
        char num[8];
        g_snprintf(num, sizeof num, "%d", (int)((left + 999) / 1000));
        y += ui_text(u, _("Look into the camera"), (SDL_Rect){side.x, y, side.w, side.h},
                     UI_FONT_HUGE, UI_COLOR_TEXT, UI_ALIGN_START);
        y += ui_text(u, num, (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_HUGE, UI_COLOR_PRIMARY,
                     UI_ALIGN_CENTER);
    } else if (p->phase == PHASE_CAPTURING) {
        y += ui_text(u, _("Hold still: the photo is being taken."),
                     (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_HUGE, UI_COLOR_TEXT,
                     UI_ALIGN_START);
    } else if (p->preparing) {
        /* the kiosk was started moments ago: its face models are still loading */
        y += ui_text(u, _("One moment: the camera's checks are getting ready."),
                     (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_HUGE, UI_COLOR_TEXT,
                     UI_ALIGN_START);
    } else {
        y += ui_text(u, instruction_text(&p->an, p->child), (SDL_Rect){side.x, y, side.w, side.h},
                     UI_FONT_HUGE, UI_COLOR_TEXT, UI_ALIGN_START);
        if (p->an.seq != p->drawn_an_seq) {
            /* every analysis result reaches the screen (input() marks it dirty) */
            p->drawn_an_seq = p->an.seq;
            p->instructions_drawn++;
        }
    }
    y += ui_px(u, 16);
    if (p->an.for_staff && p->an.instruction && p->phase == PHASE_LIVE)
        draw_staff_line(u, side, &y, staff_instruction(p->an.instruction));
    if (p->cap_problem != PHOTO_PROBLEM_NONE && p->phase == PHASE_LIVE) {
        y += ui_text(u, _("The photo could not be taken. Please try again."),
                     (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                     UI_ALIGN_START);
        draw_staff_line(u, side, &y, problem_text(p->cap_problem));
    }
    /* how to sit: eyes level with the camera, mouth closed, no glasses (ui/pictogram.h) */
    int room = side.y + side.h - 2 * u->target - ui_px(u, 72) - y;
    if (room > ui_px(u, 96))
        pictogram_draw(u, session_get_settings(SCREEN_SESSION(scr))->pictograms, PICTOGRAM_PHOTO,
                       NULL, false, (SDL_Rect){side.x, y, side.w, MIN(room, side.w * 3 / 4)});
    char line[96];
    g_snprintf(line, sizeof line, _("Photo %d of %d"), p->n_attempts + 1, p->allowed);
    ui_text(u, line,
            (SDL_Rect){side.x, side.y + side.h - 2 * u->target - ui_px(u, 40), side.w, side.h},
            UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
    if (p->phase == PHASE_LIVE && p->ready && !p->preparing)
        screens_main_button(u, side, _("Take the photo"), ID_TAKE);
}

static const char *check_label(const char *name)
{
    static const struct {
        const char *name, *label;
    } labels[] = {
        {"faces", N_("One face")},
        {"head_in_frame", N_("Whole head in the picture")},
        {"eye_distance", N_("Size of the face")},
        {"roll", N_("Head straight")},
        {"yaw", N_("Face turned to the camera")},
        {"pitch", N_("Chin level")},
        {"mouth_closed", N_("Mouth closed")},
        {"eyes_open", N_("Eyes open")},
        {"illumination_uniformity", N_("Even light on the face")},
        {"head_width", N_("Width of the head")},
        {"head_height", N_("Height of the head")},
        {"eye_line", N_("Height of the eyes")},
        {"face_centre", N_("Face in the middle")},
        {"face_brightness", N_("Light on the face")},
        {"overexposure", N_("Not too bright")},
        {"sharpness", N_("Sharpness")},
        {"background_uniformity", N_("Plain background")},
        {"background_brightness", N_("Light of the background")},
        {"background_grey", N_("Grey background")},
        {"colour_cast", N_("Natural colours")},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(labels); i++)
        if (strcmp(labels[i].name, name) == 0)
            return _(labels[i].label);
    return name;
}

static void draw_result(screen *scr, ui *u, SDL_Rect r)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    const photo_attempt *a = p->attempts[p->n_attempts - 1];
    SDL_Rect rest, pr = photo_view_place(r, r.h - u->target - ui_px(u, 24), ui_px(u, 32), &rest);
    draw_pic(u, a->thumb, ui_mirror(u, pr), false);
    p->photo_at = ui_mirror(u, pr);
    SDL_Rect side = ui_mirror(u, rest);
    int y = side.y;
    y += ui_text(u,
                 a->compliant ? _("This photo meets the rules.")
                              : _("This photo does not meet the rules."),
                 (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_TITLE,
                 a->compliant ? UI_COLOR_PRIMARY : UI_COLOR_ALERT, UI_ALIGN_START);
    if (!a->compliant && a->instruction && !a->for_staff)
        y += ui_text(u, _(a->instruction), (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_BODY,
                     UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 8);
    int col = side.w / 2;
    for (int i = 0; i < a->n_checks; i++) {
        char line[160];
        g_snprintf(line, sizeof line, "%s: %s", check_label(a->checks[i].name),
                   a->checks[i].pass ? _("passed") : _("not passed"));
        SDL_Rect cr = {side.x + (i % 2) * col, y + (i / 2) * ui_line_height(u, UI_FONT_SMALL, line),
                       col - ui_px(u, 8), ui_line_height(u, UI_FONT_SMALL, line)};
        ui_text(u, line, cr, UI_FONT_SMALL, a->checks[i].pass ? UI_COLOR_TEXT : UI_COLOR_ALERT,
                UI_ALIGN_START);
    }
    y += ((a->n_checks + 1) / 2) * ui_line_height(u, UI_FONT_SMALL, "A") + ui_px(u, 8);
    if (a->for_staff && a->instruction)
        draw_staff_line(u, side, &y, staff_instruction(a->instruction));
    /* "meets the rules" covers only the checks above (a failing photo with a staff line says
     * nothing of the kind, and the lines would not fit above the buttons) */
    if (a->compliant)
        ui_text(u, photo_view_not_checked(a), (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_SMALL,
                UI_COLOR_TEXT, UI_ALIGN_START);
    if (a->compliant)
        screens_main_button(u, side, _("Use this photo"), ID_USE);
    screens_side_button(u, side, _("Take it again"), ID_RETAKE);
    (void)s;
}

static void draw_officer(screen *scr, ui *u, SDL_Rect r)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    bool staff = session_staff_desk(s); /* the choice is the desk officer's */
    int y = r.y;
    y += ui_text(u,
                 staff ? _("Choose the photo to keep, or take another one.")
                       : _("The desk officer chooses the photo. Please wait."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 12);
    /* one photo at a time, large (ui/screens/photo_view.c): what is not checked and the reject
     * button go beside it, so that it takes the whole height left */
    photo_view v = {
        .attempts = p->attempts,
        .n = p->n_attempts,
        .shown = CLAMP(p->shown, 0, p->n_attempts - 1),
        .zoom = p->zoom,
        .staff = staff,
        .keep_id = ID_STAFF_ACCEPT,
        .label = check_label,
        .src_out = &p->zoom_src,
        .zoom_cache = &p->zoom_cache,
        .note = staff ? photo_view_not_checked(p->attempts[CLAMP(p->shown, 0, p->n_attempts - 1)])
                      : NULL,
        .reject = staff && p->n_attempts < PHOTO_MAX_ATTEMPTS
                      ? _("Reject these and take another photo")
                      : NULL,
        .reject_id = ID_STAFF_REJECT,
    };
    p->photo_at = photo_view_draw(u, &v, (SDL_Rect){r.x, y, r.w, r.y + r.h - y});
}

static void draw(screen *scr, ui *u)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = session_draw_frame(s, u, screens_item_name(FLOW_ITEM_PHOTO), true);
    if (!p->ready && p->phase != PHASE_RESULT && p->phase != PHASE_OFFICER) {
        int y = r.y;
        y += ui_text(u, _("The camera is not ready. Please wait: the desk officer will help you."),
                     (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
        y += ui_px(u, 16);
        if (p->problem != PHOTO_PROBLEM_NONE)
            draw_staff_line(u, r, &y, problem_text(p->problem));
        else
            ui_text(u, _("Starting the camera..."), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY,
                    UI_COLOR_TEXT, UI_ALIGN_START);
        if (p->n_attempts > 0) {
            char line[96];
            g_snprintf(line, sizeof line, _("Photos taken so far: %d"), p->n_attempts);
            ui_text(u, line, (SDL_Rect){r.x, y + ui_px(u, 80), r.w, r.h}, UI_FONT_BODY,
                    UI_COLOR_TEXT, UI_ALIGN_START);
        }
        /* away longer than reconnect_seconds: staff may skip the step or end the visit */
        devwait_draw(&p->wait, s, u, r);
        return;
    }
    switch (p->phase) {
    case PHASE_LIVE:
    case PHASE_COUNTDOWN:
    case PHASE_CAPTURING:
        draw_live(scr, u, r);
        break;
    case PHASE_RESULT:
        draw_result(scr, u, r);
        break;
    case PHASE_OFFICER:
        draw_officer(scr, u, r);
        break;
    }
}

/* ---- registration ---- */

static void service_status(void *service, char *buf, size_t size)
{
    photo_service_status(service, buf, size);
}

static bk_err service_check(void *service, const capture_check_run *run)
{
    return photo_service_check(service, run);
}

capture_photo *capture_photo_register(photo_service *ps, uint32_t wake_event)
{
    capture_photo *cp = g_new0(capture_photo, 1);
    cp->ps = ps;
    cp->events[0] = wake_event;
    cp->cls = (screen_class){
        .name = "capture-photo",
        .applicant = true,
        .priv_size = sizeof(photo_priv),
        .enter = enter,
        .exit = exit_,
        .input = input,
        .action = action,
        .update = update,
        .draw = draw,
        .events = cp->events,
    };
    cp->cap = (capture_class){
        .item = FLOW_ITEM_PHOTO,
        .screen = &cp->cls,
        .status = service_status,
        .check = service_check,
    };
    if (capture_register_service(&cp->cap, ps) != BK_OK) {
        g_free(cp);
        return NULL;
    }
    return cp;
}

void capture_photo_free(capture_photo *cp)
{
    if (cp == NULL)
        return;
    g_free(cp);
}

bool capture_photo_counters_get(runner *r, capture_photo_counters *out)
{
    const capture_class *cap = capture_lookup(FLOW_ITEM_PHOTO);
    screen *scr = cap ? runner_find(r, cap->screen) : NULL;
    if (scr == NULL)
        return false;
    const photo_priv *p = scr->priv;
    *out = (capture_photo_counters){
        .frames_shown = p->frames_shown,
        .analyses_seen = p->analyses_seen,
        .results_seen = p->results_seen,
        .problems_seen = p->problems_seen,
        .instructions_drawn = p->instructions_drawn,
        .ready = p->ready,
        .pass = p->an.pass,
        .large_photo_h = p->phase == PHASE_RESULT || p->phase == PHASE_OFFICER ? p->photo_at.h : 0,
        .photo_at = {p->photo_at.x, p->photo_at.y, p->photo_at.w, p->photo_at.h},
        .shown = p->phase == PHASE_OFFICER ? p->shown + 1 : 0,
        .zoom = p->phase == PHASE_OFFICER ? (int)p->zoom : 0,
        .zoom_src = {p->zoom_src.x, p->zoom_src.y, p->zoom_src.w, p->zoom_src.h},
    };
    const photo_attempt *a = p->phase == PHASE_OFFICER ? p->attempts[p->shown] : NULL;
    out->attempt = p->phase == PHASE_RESULT ? p->attempts[p->n_attempts - 1] : a;
    if (a && a->marked) {
        out->marked = true;
        memcpy(out->eyes, a->eyes, sizeof out->eyes);
        memcpy(out->mouth, a->mouth, sizeof out->mouth);
    }
    return true;
}
