/* "capture-signature": the person signs in a box, on the USB pad or on the touch screen.
 *
 * The screen keeps no ink and no device of its own: the strokes and the pad live in the signature
 * service (app/capture/signature.h), which keeps them across a pad pulled out and plugged in
 * again. The service's worker wakes the loop with an SDL user event of this screen's (the event
 * carries no data, so one that no screen consumes is simply dropped); the screen then drains the
 * service's queue on the main thread. Opening the pad is the worker's too: the screen asks for it
 * when it comes up (and, with source = pad and none there, again every second) and learns the
 * answer as one of those events, drawing "One moment, please." until the first one.
 */
#include "ui/capture_signature.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/biomem.h"
#include "imaging/sigrender.h"
#include "ui/capture.h"
#include "ui/devwait.h"
#include "ui/pictogram.h"
#include "ui/screens/screens.h"
#include "ui/spoken.h"

#define SMOOTH_PASSES  2
#define INK_PX_AT_1080 5.0 /* live ink width at half pressure, in pixels at 1080 lines */

enum {
    ID_CLEAR = 10,
    ID_ACCEPT,
    ID_UNABLE,
};

/* The registered screen: the class the runner knows, with the service its screens drive. */
struct capture_signature {
    screen_class cls; /* first: a screen's cls points here */
    capture_class cap;
    signature_service *svc; /* transfer none */
    capture_signature_settings set;
    uint32_t events[2]; /* the wake event type, 0-terminated */
};

typedef struct sig_priv {
    signature_service *svc;                /* the registration's (transfer none) */
    const capture_signature_settings *set; /* the registration's */
    uint32_t wake_type;
    bool opening;   /* the service was asked to open the pad and has not answered yet */
    int64_t ask_at; /* no pad yet: when to ask again (session clock) */
    bool inking;    /* the service holds an ink for this step (false: waiting for a pad) */
    bool pad;       /* the ink comes from the USB pad */
    signature_pad_info info;
    bool pen_down;   /* the pad's pen touches it (last sample) */
    bool touch_down; /* a touch or mouse stroke is open */
    SDL_Rect box;    /* the signing box on screen */
    int64_t t0;      /* session clock at enter: touch times count from here */
    const char *message;
    devwait wait; /* the pad's absence: audit, and staff's skip after reconnect_seconds */
    bool overdue; /* the staff strip shows */
    bool ink_dirty;
    sigrender_image canvas;
    SDL_Texture *tex;
} sig_priv;

/* The service's worker: wakes the main loop (thread-safe). */
static void wake(void *data)
{
    const capture_signature *cs = data;
    SDL_Event ev = {0};
    ev.type = cs->events[0];
    SDL_PushEvent(&ev);
}

/* The signing box: as wide as a good part of the screen, shaped like the writing area. */
static SDL_Rect layout_box(const ui *u, double w_mm, double h_mm)
{
    int w = (int)(u->w * 0.7);
    int max_h = (int)(u->h * 0.34);
    int h = (int)(w * (h_mm / w_mm));
    if (h > max_h) {
        h = max_h;
        w = (int)(h * (w_mm / h_mm));
    }
    return (SDL_Rect){(u->w - w) / 2, ui_px(u, 330), w, h};
}

static signature_box capture_box(const sig_priv *p)
{
    return (signature_box){p->box.x, p->box.y, p->box.w, p->box.h};
}

static void make_capture(sig_priv *p, const ui *u)
{
    if (p->pad) {
        p->box = layout_box(u, p->info.width_mm, p->info.height_mm);
        p->inking = signature_service_begin(p->svc, p->info.width_mm, p->info.height_mm) == BK_OK;
    } else {
        p->box = layout_box(u, 3.0, 1.0);
        p->inking = signature_service_begin(p->svc, p->box.w / u->px_per_mm,
                                            p->box.h / u->px_per_mm) == BK_OK;
    }
    p->ink_dirty = true;
}

/* The pad is open or not (the service's answer, or what it says when asked again): the ink
 * starts on the pad, on the touch screen (source = auto), or not yet (source = pad: the step
 * waits for a pad, asking again every second). */
static void pad_known(screen *scr)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    p->opening = false;
    p->pad = signature_service_pad(p->svc, &p->info);
    if (p->pad || signature_service_source(p->svc) != SIGNATURE_SOURCE_PAD) {
        make_capture(p, runner_ui(scr->owner));
        devwait_update(&p->wait, s, true, NULL); /* back, when it was waited for */
    } else {
        devwait_update(&p->wait, s, false, "not-found"); /* source = pad and none is there */
        p->ask_at = session_now_ms(s) + 1000;
    }
    runner_invalidate(scr->owner);
}

/* Asks the service for the pad; the answer comes as an event (pad_answer). */
static void ask_pad(screen *scr)
{
    sig_priv *p = scr->priv;
    bk_err err = signature_service_open_pad(p->svc);
    if (err == BK_OK)
        p->opening = true;
    else
        pad_known(scr); /* touch only, or the pad is open already */
}

/* What the step says aloud (ui/spoken.h): how to sign, once it is known where. */
static const char *prompt(const screen *scr)
{
    const sig_priv *p = scr->priv;
    if (!p->inking)
        return NULL;
    return p->pad ? N_("Sign on the signature pad with the pen, above the line.")
                  : N_("Sign in the box with your finger, above the line.");
}

/* The service's answer to ask_pad: the step now knows where the person signs and says so (when
 * the screen came up it had nothing to say yet). */
static void pad_answer(screen *scr, const signature_event *e)
{
    if (e->type == SIGNATURE_EVENT_BUSY)
        g_message("signature pad busy: the technician check has it");
    else if (e->type != SIGNATURE_EVENT_OPENED)
        g_message("signature pad not opened: %s", bk_err_str(e->err));
    pad_known(scr);
    spoken_say(session_get_settings(SCREEN_SESSION(scr))->speech, prompt(scr));
}

static void enter(screen *scr)
{
    sig_priv *p = scr->priv;
    const capture_signature *cs = (const capture_signature *)scr->cls;
    p->svc = cs->svc;
    p->set = &cs->set;
    p->wake_type = cs->events[0];
    p->t0 = session_now_ms(SCREEN_SESSION(scr));
    devwait_init(&p->wait, "signature-pad");
    ask_pad(scr);
}

static void exit_screen(screen *scr)
{
    sig_priv *p = scr->priv;
    if (p->tex)
        SDL_DestroyTexture(p->tex);
    p->tex = NULL;
    sigrender_image_clear(&p->canvas);
    p->inking = false;
    p->opening = false;
    signature_service_end(p->svc);
}

/* Source = pad and none was there: look again every second. While the pad is away, once a
 * second: the staff strip appears after reconnect_seconds and counts the seconds. */
static int64_t update(screen *scr, int64_t now_ms)
{
    (void)now_ms;
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (!p->inking && !p->opening && session_now_ms(s) >= p->ask_at)
        ask_pad(scr);
    if (!devwait_away(&p->wait)) {
        p->overdue = false;
        return p->inking || p->opening ? -1 : 1000;
    }
    bool overdue = devwait_overdue(&p->wait, s);
    if (overdue || overdue != p->overdue)
        runner_invalidate(scr->owner);
    p->overdue = overdue;
    return 1000;
}

static void ink_changed(screen *scr)
{
    sig_priv *p = scr->priv;
    p->ink_dirty = true;
    p->message = NULL;
    session_touch(SCREEN_SESSION(scr));
}

/* Takes the service's events one by one (each is applied to the ink as it is taken); an unplug
 * writes to the audit log. */
static void drain_pad(screen *scr)
{
    sig_priv *p = scr->priv;
    bool inked = false;
    signature_event e;
    while (signature_service_next_event(p->svc, &e)) {
        if (e.type >= SIGNATURE_EVENT_OPENED) {
            pad_answer(scr, &e);
            continue;
        }
        if (!p->inking)
            continue;
        if (e.type == SIGNATURE_EVENT_PEN) {
            if (e.tip)
                inked = true;
            p->pen_down = e.tip;
        } else {
            bool back = e.type != SIGNATURE_EVENT_UNPLUGGED;
            p->pen_down = false;
            g_message("signature pad %s", back ? "ready" : "unplugged");
            devwait_update(&p->wait, SCREEN_SESSION(scr), back, back ? NULL : "unplugged");
        }
    }
    if (inked)
        ink_changed(scr);
}

static void touch_at(screen *scr, double x, double y, bool down, double pressure)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    signature_box box = capture_box(p);
    bool inside = signature_service_inside(p->svc, &box, x, y);
    if (!inside && !p->touch_down)
        return;
    uint32_t t = (uint32_t)(session_now_ms(s) - p->t0);
    signature_service_touch(p->svc, &box, x, y, down, pressure, t);
    p->touch_down = down && inside;
    ink_changed(scr);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    sig_priv *p = scr->priv;
    if (ev->type == p->wake_type) {
        drain_pad(scr);
        return true;
    }
    if (!p->inking || p->pad)
        return false;
    ui *u = runner_ui(scr->owner);
    switch (ev->type) {
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
        if (ev->type == SDL_FINGERMOTION && !p->touch_down)
            return false;
        double pr =
            ev->tfinger.pressure > 0 && ev->tfinger.pressure <= 1 ? ev->tfinger.pressure : -1.0;
        touch_at(scr, ev->tfinger.x * u->w, ev->tfinger.y * u->h, ev->type != SDL_FINGERUP, pr);
        return true;
    }
    case SDL_MOUSEMOTION: {
        /* Touches come as finger events; SDL's mouse copies of them are ignored. */
        if (ev->motion.which == SDL_TOUCH_MOUSEID)
            return false;
        bool held = (ev->motion.state & SDL_BUTTON_LMASK) != 0;
        if (!held && !p->touch_down)
            return false;
        /* The button events go to the runner's buttons, not to screens: a stroke begins with the
         * first motion with the button held, and the point where it went down is where that
         * motion started (SDL's relative motion), so the stroke does not lose its first point. */
        if (held && !p->touch_down)
            touch_at(scr, ev->motion.x - ev->motion.xrel, ev->motion.y - ev->motion.yrel, true,
                     -1.0);
        touch_at(scr, ev->motion.x, ev->motion.y, held, -1.0);
        return true;
    }
    default:
        return false;
    }
}

static const char *refusal(sigink_verdict v)
{
    switch (v) {
    case SIGINK_EMPTY:
        return N_("Please sign in the box first.");
    case SIGINK_TOO_SHORT:
        return N_("This signature is too short. Please sign as you usually do.");
    case SIGINK_TOO_SMALL:
        return N_("This signature is too small. Please sign larger, using the whole box.");
    case SIGINK_ACCEPT:
        break;
    }
    return NULL;
}

static void add_attempt(session *s, const capture_signature_settings *set, size_t person,
                        size_t points, bool accepted)
{
    takes *t = session_takes(s);
    if (t == NULL)
        return;
    takes_attempt a = {
        .item = TAKES_ITEM_SIGNATURE,
        .position = 0,
        .quality = (int)MIN(points, 100),
        .threshold = MIN(set->min_points, 100),
        .accepted = accepted,
        .veto = 'N',
        .when = session_wall(s),
    };
    takes_add_attempt(t, person, &a);
}

/* Hands the accepted ink to the session's takes. */
static bk_err keep_signature(session *s, const sigink *ink, size_t person)
{
    takes *t = session_takes(s);
    if (t == NULL)
        return BK_OK;
    size_t n = sigink_point_count(ink), ns = sigink_stroke_count(ink);
    takes_point *pts = biomem_calloc(n ? n : 1, sizeof *pts);
    size_t *ends = g_new0(size_t, ns ? ns : 1);
    if (pts == NULL) {
        g_free(ends);
        return BK_ERR_NOMEM;
    }
    size_t k = 0, kept = 0;
    double t_first = -1;
    for (size_t i = 0; i < ns; i++) {
        size_t m = 0;
        const sigink_point *sp = sigink_stroke(ink, i, &m);
        if (sp == NULL || m == 0)
            continue;
        for (size_t j = 0; j < m && k < n; j++, k++) {
            if (t_first < 0)
                t_first = sp[j].t_ms;
            pts[k] = (takes_point){sp[j].x_mm, sp[j].y_mm, sp[j].pressure, sp[j].t_ms - t_first};
        }
        ends[kept++] = k;
    }
    bk_err err = takes_set_signature(t, person, pts, k, ends, kept);
    biomem_free(pts);
    g_free(ends);
    return err;
}

static void accept(screen *scr)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (!p->inking || signature_service_paused(p->svc))
        return;
    sigink_rule rule = {(size_t)p->set->min_points, p->set->min_box_share};
    sigink_verdict v = signature_service_accept(p->svc, &rule);
    const sigink *ink = signature_service_ink(p->svc);
    size_t person = flow_current_person(session_flow(s));
    add_attempt(s, p->set, person, sigink_point_count(ink), v == SIGINK_ACCEPT);
    if (v != SIGINK_ACCEPT) {
        p->message = refusal(v);
        g_message("signature refused: %s", sigink_verdict_message(v));
        return;
    }
    bk_err err = keep_signature(s, ink, person);
    if (err != BK_OK) {
        g_warning("signature not kept: %s", bk_err_str(err));
        p->message = N_("The signature could not be kept. Please ask the desk officer.");
        return;
    }
    takes *t = session_takes(s);
    if (t && p->pad) {
        /* The pad's own serial number, or "unknown" when it has none or did not say. */
        takes_set_device(t, "sigpad", p->info.model, p->info.serial);
    } else if (t) {
        /* The touch screen is part of the kiosk: the kiosk's name stands for its serial. */
        takes_set_device(t, "touch", "kiosk touch screen", session_get_settings(s)->kiosk_id);
    }
    g_message("signature accepted: source=%s", p->pad ? "pad" : "touch");
    session_capture_done(s); /* the last thing: the screen is replaced */
}

static void action(screen *scr, int id)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (devwait_action(&p->wait, s, id))
        return;
    switch (id) {
    case ID_CLEAR:
        if (p->inking) {
            signature_service_clear(p->svc);
            ink_changed(scr);
        }
        return;
    case ID_ACCEPT:
        session_touch(s);
        accept(scr);
        return;
    case ID_UNABLE:
        if (session_staff_desk(s)) /* an exception: the desk officer's */
            session_ask_reason(s, SESSION_STAFF_EXCEPTION);
        return;
    default:
        session_language_action(s, id);
    }
}

/* Redraws the whole ink onto the canvas (smoothed strokes, width from the pressure) and hands it
 * to the texture over the box: ink as black with coverage for alpha, so the box and its baseline
 * show through. bench-sigpad-usb times the same steps. */
static void render_ink(sig_priv *p, ui *u)
{
    if (p->canvas.pixels == NULL &&
        sigrender_canvas(p->box.w, p->box.h, p->box.w / signature_service_width_mm(p->svc), 0, 0,
                         &p->canvas) != BK_OK)
        return;
    double pen_mm = INK_PX_AT_1080 * u->unit / p->canvas.px_per_mm;
    if (sigrender_live(&p->canvas, signature_service_ink(p->svc), SMOOTH_PASSES, pen_mm) != BK_OK)
        return;
    size_t n_px = (size_t)p->canvas.width * (size_t)p->canvas.height;
    uint32_t *argb = biomem_alloc(n_px * sizeof *argb);
    if (argb == NULL)
        return;
    sigrender_overlay_argb(&p->canvas, argb);
    if (p->tex == NULL) {
        p->tex = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_ARGB8888,
                                   SDL_TEXTUREACCESS_STREAMING, p->canvas.width, p->canvas.height);
        if (p->tex)
            SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_BLEND);
    }
    if (p->tex)
        SDL_UpdateTexture(p->tex, NULL, argb, p->canvas.width * (int)sizeof *argb);
    biomem_free(argb);
    p->ink_dirty = false;
}

static void draw(screen *scr, ui *u)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = session_draw_frame(s, u, _("Signature"), true);
    int y = r.y;
    /* the first answer about the pad is a moment away (the service's worker opens it) */
    const char *say = p->inking ? p->pad
                                      ? _("Sign on the signature pad with the pen, above the line.")
                                      : _("Sign in the box with your finger, above the line.")
                      : p->opening && !devwait_away(&p->wait)
                          ? _("One moment, please.")
                          : _("Waiting for the signature pad. Please ask the desk officer.");
    y += ui_text(u, say, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    /* The staff strip at the bottom while the pad has been away too long; the buttons above it. */
    int strip = devwait_draw(&p->wait, s, u, r);
    r.h -= strip;
    if (!p->inking)
        return;
    /* The size was fixed at enter (it is the touch writing area); only the place follows the
     * frame above it. */
    p->box.x = r.x + (r.w - p->box.w) / 2;
    p->box.y = y + ui_px(u, 24);
    /* Under the staff strip the box is drawn smaller, above the buttons (the pad is away: nothing
     * is written on it meanwhile, and the strip says why). */
    SDL_Rect shown = p->box;
    int room = r.y + r.h - (u->target + ui_px(u, 20)) - ui_px(u, 16) - shown.y;
    if (strip > 0 && room > 0 && room < shown.h) {
        shown.w = (int)((double)shown.w * room / shown.h);
        shown.h = room;
        shown.x = r.x + (r.w - shown.w) / 2;
    }

    /* White paper, the baseline, then the ink over both. */
    SDL_SetRenderDrawColor(u->renderer, 255, 255, 255, 255);
    SDL_RenderFillRect(u->renderer, &shown);
    int base = shown.y + shown.h * 3 / 4;
    int margin = shown.w / 20;
    ui_fill(u, (SDL_Rect){shown.x + margin, base, shown.w - 2 * margin, ui_px(u, 2)},
            UI_COLOR_BORDER);
    if (p->ink_dirty || p->tex == NULL)
        render_ink(p, u);
    if (p->tex)
        SDL_RenderCopy(u->renderer, p->tex, NULL, &shown);
    ui_frame(u, shown, ui_px(u, 3), UI_COLOR_BORDER);
    /* signing in the box (ui/pictogram.h), beside it on the side the text starts; the pen
     * writes the way the language does (mirrored right to left) */
    SDL_Rect pict = {r.x, shown.y, shown.x - r.x - ui_px(u, 24), shown.h};
    if (pict.w >= ui_px(u, 120))
        pictogram_draw(u, session_get_settings(s)->pictograms, PICTOGRAM_SIGN, NULL, u->rtl,
                       ui_mirror(u, pict));

    int below = shown.y + shown.h + ui_px(u, 16);
    SDL_Rect line = {r.x, below, r.w, ui_px(u, 80)};
    if (signature_service_paused(p->svc) && strip == 0)
        ui_text(u,
                _("The signature pad was disconnected. Please wait while it is connected again."),
                line, UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);
    else if (p->message && strip == 0)
        ui_text(u, _(p->message), line, UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);

    screens_side_button(u, r, _("Clear"), ID_CLEAR);
    if (!signature_service_paused(p->svc))
        screens_main_button(u, r, _("Accept"), ID_ACCEPT);
    if (session_staff_desk(s)) {
        int w = ui_px(u, 420), h = u->target;
        button_draw(u, (SDL_Rect){r.x + (r.w - w) / 2, r.y + r.h - h, w, h}, _("Unable to sign"),
                    ID_UNABLE, BUTTON_STAFF);
    }
}

static void status(void *service, char *buf, size_t size)
{
    signature_service_status(service, buf, size);
}

static bk_err check(void *service, const capture_check_run *run)
{
    return signature_service_check(service, run);
}

bool capture_signature_view_get(runner *r, capture_signature_view *view)
{
    const capture_class *cap = capture_lookup(FLOW_ITEM_SIGNATURE);
    screen *scr = cap ? runner_find(r, cap->screen) : NULL;
    if (scr == NULL)
        return false;
    const sig_priv *p = scr->priv;
    if (view)
        *view = (capture_signature_view){
            .inking = p->inking,
            .opening = p->opening,
            .pad = p->pad,
            .pen_down = p->pen_down,
            .box = capture_box(p),
        };
    return true;
}

bool capture_signature_showing(runner *r, capture_signature_view *view)
{
    capture_signature_view v;
    if (!capture_signature_view_get(r, &v) || !v.inking)
        return false;
    if (view)
        *view = v;
    return true;
}

capture_signature *capture_signature_register(const capture_signature_settings *settings,
                                              signature_service *service)
{
    if (service == NULL || settings == NULL)
        return NULL;
    uint32_t wake_type = SDL_RegisterEvents(1);
    if (wake_type == (uint32_t)-1)
        return NULL;
    capture_signature *cs = g_new0(capture_signature, 1);
    cs->svc = service;
    cs->set = *settings;
    cs->events[0] = wake_type;
    cs->cls = (screen_class){
        .name = "capture-signature",
        .applicant = true,
        .priv_size = sizeof(sig_priv),
        .enter = enter,
        .exit = exit_screen,
        .input = input,
        .action = action,
        .update = update,
        .draw = draw,
        .events = cs->events,
        .prompt = prompt,
    };
    cs->cap = (capture_class){
        .item = FLOW_ITEM_SIGNATURE,
        .screen = &cs->cls,
        .status = status,
        .check = check,
    };
    if (capture_register_service(&cs->cap, service) != BK_OK) {
        g_free(cs);
        return NULL;
    }
    signature_service_set_wake(service, wake, cs);
    return cs;
}

void capture_signature_free(capture_signature *cs)
{
    if (cs == NULL)
        return;
    signature_service_end(cs->svc);
    signature_service_set_wake(cs->svc, NULL, NULL);
    g_free(cs);
}
