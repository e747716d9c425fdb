/* "capture-signature": the person signs in a box, on the USB pad or on the touch screen.
 *
 * The screen keeps no ink of its own: the strokes live in a sigcapture (drivers/sigpad), which
 * keeps them across a pad pulled out and plugged in again. The pad is read by the driver's
 * worker; a bridge thread of this module moves its events into a queue here and pushes one SDL
 * user event to wake the loop (the runner sleeps in SDL_WaitEventTimeout). The event carries no
 * data, so one that no screen consumes is simply dropped.
 */
#include "ui/capture_signature.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/biomem.h"
#include "ui/capture.h"
#include "ui/devwait.h"
#include "ui/screens/screens.h"
#include "ui/script.h"
#include "drivers/sigpad/sigcapture.h"
#include "drivers/sigpad/sigpad.h"
#include "imaging/sigrender.h"

#define QUEUE_CAP      4096 /* pad events waiting for the screen: 20 s of a 200 Hz pad */
#define WAIT_REAL_MS   20000
#define STROKE_STEP_MS 10
#define SMOOTH_PASSES  2
#define INK_PX_AT_1080 5.0 /* live ink width at half pressure, in pixels at 1080 lines */

enum {
    ID_CLEAR = 10,
    ID_ACCEPT,
    ID_UNABLE,
};

static capture_signature_settings settings;
static bool set_up;
static uint32_t wake_type;
static uint32_t wake_types[2];

/* The pad and the thread that moves its events to the screen. */
static struct {
    sigpad *pad;
    sigpad_info info;
    GThread *thread;
    GMutex lock;
    sigpad_event *queue; /* ring of QUEUE_CAP (biomem: pen samples) */
    size_t head, len;
    bool wake_pending;
    gint stop;
    uint64_t dropped;
} br;

typedef struct sig_priv {
    sigcapture *cap; /* NULL while waiting for a pad (source = pad) */
    bool pad;        /* the ink comes from the USB pad */
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

static sig_priv *active; /* the screen showing now, for the script commands */

bk_err capture_signature_source_parse(const char *text, capture_signature_source *out)
{
    static const char *const names[] = {"auto", "pad", "touch"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (text && strcmp(text, names[i]) == 0) {
            *out = (capture_signature_source)i;
            return BK_OK;
        }
    return BK_ERR_INVALID;
}

static gpointer bridge_run(gpointer data)
{
    (void)data;
    sigpad_event e;
    while (!g_atomic_int_get(&br.stop)) {
        if (!sigpad_next_event(br.pad, &e, 100))
            continue;
        g_mutex_lock(&br.lock);
        if (br.len < QUEUE_CAP) {
            br.queue[(br.head + br.len) % QUEUE_CAP] = e;
            br.len++;
        } else {
            br.dropped++;
        }
        bool wake = !br.wake_pending;
        br.wake_pending = true;
        g_mutex_unlock(&br.lock);
        if (wake) {
            SDL_Event ev = {0};
            ev.type = wake_type;
            SDL_PushEvent(&ev);
        }
    }
    biomem_wipe(&e, sizeof e);
    return NULL;
}

static bk_err bridge_open(void)
{
    sigpad *pad = NULL;
    bk_err err = sigpad_open(&pad);
    if (err != BK_OK)
        return err;
    br.queue = biomem_calloc(QUEUE_CAP, sizeof *br.queue);
    if (br.queue == NULL) {
        sigpad_free(pad);
        return BK_ERR_NOMEM;
    }
    br.pad = pad;
    sigpad_get_info(pad, &br.info);
    br.head = br.len = 0;
    br.wake_pending = false;
    br.dropped = 0;
    g_atomic_int_set(&br.stop, 0);
    br.thread = g_thread_new("sigpad-bridge", bridge_run, NULL);
    g_message("signature pad open: %s serial %s (%.0f x %.0f mm)", br.info.model, br.info.serial,
              br.info.width_mm, br.info.height_mm);
    return BK_OK;
}

static void bridge_close(void)
{
    if (br.pad == NULL)
        return;
    g_atomic_int_set(&br.stop, 1);
    g_thread_join(br.thread);
    br.thread = NULL;
    sigpad_stats st;
    sigpad_get_stats(br.pad, &st);
    g_message("signature pad closed: reports=%" G_GUINT64_FORMAT " malformed=%" G_GUINT64_FORMAT
              " unplugs=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT,
              st.reports, st.malformed, st.unplugs, br.dropped);
    sigpad_free(br.pad);
    br.pad = NULL;
    biomem_free(br.queue);
    br.queue = NULL;
    br.len = 0;
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

static sigcapture_box capture_box(const sig_priv *p)
{
    return (sigcapture_box){p->box.x, p->box.y, p->box.w, p->box.h};
}

static void make_capture(sig_priv *p, const ui *u)
{
    if (p->pad) {
        p->box = layout_box(u, br.info.width_mm, br.info.height_mm);
        p->cap = sigcapture_new(br.info.width_mm, br.info.height_mm);
    } else {
        p->box = layout_box(u, 3.0, 1.0);
        p->cap = sigcapture_new(p->box.w / u->px_per_mm, p->box.h / u->px_per_mm);
    }
    p->ink_dirty = true;
}

static void enter(screen *scr)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    active = p;
    p->t0 = session_now_ms(s);
    devwait_init(&p->wait, "signature-pad");
    if (settings.source != CAPTURE_SIGNATURE_TOUCH && bridge_open() == BK_OK)
        p->pad = true;
    if (p->pad || settings.source != CAPTURE_SIGNATURE_PAD)
        make_capture(p, runner_ui(scr->owner));
    else
        devwait_update(&p->wait, s, false, "not-found"); /* source = pad and none is there */
}

static void exit_screen(screen *scr)
{
    sig_priv *p = scr->priv;
    if (active == p)
        active = NULL;
    if (p->tex)
        SDL_DestroyTexture(p->tex);
    p->tex = NULL;
    sigrender_image_clear(&p->canvas);
    sigcapture_free(p->cap);
    p->cap = NULL;
    bridge_close();
}

/* Source = pad and none was there: look again every second. While the pad is away, once a
 * second: the staff strip appears after reconnect_seconds and counts the seconds. */
static int64_t update(screen *scr, int64_t now_ms)
{
    (void)now_ms;
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (p->cap == NULL && bridge_open() == BK_OK) {
        p->pad = true;
        make_capture(p, runner_ui(scr->owner));
        devwait_update(&p->wait, s, true, NULL);
        runner_invalidate(scr->owner);
    }
    if (!devwait_away(&p->wait)) {
        p->overdue = false;
        return p->cap == NULL ? 1000 : -1;
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

/* Takes the bridge's events one by one; the lock is not held while one is handled (an unplug
 * writes to the audit log). The wake flag is cleared only when the queue is found empty, so an
 * event queued after that wakes the loop again. */
static void drain_pad(screen *scr)
{
    sig_priv *p = scr->priv;
    bool inked = false;
    sigpad_event e;
    for (;;) {
        g_mutex_lock(&br.lock);
        if (br.len == 0) {
            br.wake_pending = false;
            g_mutex_unlock(&br.lock);
            break;
        }
        e = br.queue[br.head];
        biomem_wipe(&br.queue[br.head], sizeof e);
        br.head = (br.head + 1) % QUEUE_CAP;
        br.len--;
        g_mutex_unlock(&br.lock);
        if (p->cap == NULL)
            continue;
        if (e.type == SIGPAD_EVENT_PEN) {
            if (e.sample.tip)
                inked = true;
            p->pen_down = e.sample.tip;
        } else {
            bool back = e.type != SIGPAD_EVENT_UNPLUGGED;
            p->pen_down = false;
            g_message("signature pad %s", back ? "ready" : "unplugged");
            devwait_update(&p->wait, SCREEN_SESSION(scr), back, back ? NULL : "unplugged");
        }
        sigcapture_pad_event(p->cap, &e);
    }
    biomem_wipe(&e, sizeof e);
    if (inked)
        ink_changed(scr);
}

static void touch_at(screen *scr, double x, double y, bool down, double pressure)
{
    sig_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    sigcapture_box box = capture_box(p);
    bool inside = sigcapture_map(p->cap, &box, x, y, &(double){0}, &(double){0}) == BK_OK;
    if (!inside && !p->touch_down)
        return;
    uint32_t t = (uint32_t)(session_now_ms(s) - p->t0);
    sigcapture_touch(p->cap, &box, x, y, down, pressure, t);
    p->touch_down = down && inside;
    ink_changed(scr);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    sig_priv *p = scr->priv;
    if (ev->type == wake_type) {
        drain_pad(scr);
        return true;
    }
    if (p->cap == NULL || p->pad)
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

static void add_attempt(session *s, size_t person, size_t points, bool accepted)
{
    takes *t = session_takes(s);
    if (t == NULL)
        return;
    takes_attempt a = {
        .item = TAKES_ITEM_SIGNATURE,
        .position = 0,
        .quality = (int)MIN(points, 100),
        .threshold = MIN(settings.min_points, 100),
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
    if (p->cap == NULL || sigcapture_paused(p->cap))
        return;
    sigink_rule rule = {(size_t)settings.min_points, settings.min_box_share};
    sigink_verdict v = sigcapture_accept(p->cap, &rule);
    const sigink *ink = sigcapture_ink(p->cap);
    size_t person = flow_current_person(session_flow(s));
    add_attempt(s, person, sigink_point_count(ink), v == SIGINK_ACCEPT);
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
        takes_set_device(t, "sigpad", br.info.model, br.info.serial);
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
        if (p->cap) {
            sigcapture_clear(p->cap);
            ink_changed(scr);
        }
        return;
    case ID_ACCEPT:
        session_touch(s);
        accept(scr);
        return;
    case ID_UNABLE:
        if (session_staff_active(s))
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
        sigrender_canvas(p->box.w, p->box.h, p->box.w / sigcapture_width_mm(p->cap), 0, 0,
                         &p->canvas) != BK_OK)
        return;
    double pen_mm = INK_PX_AT_1080 * u->unit / p->canvas.px_per_mm;
    if (sigrender_live(&p->canvas, sigcapture_ink(p->cap), SMOOTH_PASSES, pen_mm) != BK_OK)
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
    const char *say = p->cap == NULL ? _("Waiting for the signature pad. Please ask the desk "
                                         "officer.")
                      : p->pad       ? _("Sign on the signature pad with the pen, above the line.")
                                     : _("Sign in the box with your finger, above the line.");
    y += ui_text(u, say, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    /* The staff strip at the bottom while the pad has been away too long; the buttons above it. */
    int strip = devwait_draw(&p->wait, s, u, r);
    r.h -= strip;
    if (p->cap == NULL)
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

    int below = shown.y + shown.h + ui_px(u, 16);
    SDL_Rect line = {r.x, below, r.w, ui_px(u, 80)};
    if (sigcapture_paused(p->cap) && strip == 0)
        ui_text(u,
                _("The signature pad was disconnected. Please wait while it is connected again."),
                line, UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);
    else if (p->message && strip == 0)
        ui_text(u, _(p->message), line, UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);

    screens_side_button(u, r, _("Clear"), ID_CLEAR);
    if (!sigcapture_paused(p->cap))
        screens_main_button(u, r, _("Accept"), ID_ACCEPT);
    if (session_staff_active(s)) {
        int w = ui_px(u, 420), h = u->target;
        button_draw(u, (SDL_Rect){r.x + (r.w - w) / 2, r.y + r.h - h, w, h}, _("Unable to sign"),
                    ID_UNABLE, BUTTON_STAFF);
    }
}

static void status(char *buf, size_t size)
{
    if (br.pad)
        g_snprintf(buf, size, "signature: pad %s, serial %s", br.info.model, br.info.serial);
    else if (settings.source == CAPTURE_SIGNATURE_TOUCH)
        g_snprintf(buf, size, "signature: touch screen");
    else if (settings.source == CAPTURE_SIGNATURE_PAD)
        g_snprintf(buf, size, "signature: USB pad (opened at the signature step)");
    else
        g_snprintf(buf, size, "signature: USB pad when attached, else touch screen");
}

static const screen_class signature_screen = {
    .name = "capture-signature",
    .applicant = true,
    .priv_size = sizeof(sig_priv),
    .enter = enter,
    .exit = exit_screen,
    .input = input,
    .action = action,
    .update = update,
    .draw = draw,
    .events = wake_types,
};

static const capture_class signature_capture = {
    .item = FLOW_ITEM_SIGNATURE,
    .screen = &signature_screen,
    .status = status,
};

/* ---- script commands ---- */

static bk_err need_active(script *sc, bool pad)
{
    if (active == NULL || active->cap == NULL)
        return script_fail(sc, "the signing screen is not showing (screen '%s')",
                           session_screen_name(script_session(sc)));
    if (pad != active->pad)
        return script_fail(sc, "the signing screen reads the %s, not the %s",
                           active->pad ? "USB pad" : "touch screen",
                           pad ? "USB pad" : "touch screen");
    return BK_OK;
}

static bk_err cmd_stroke(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    bk_err err = need_active(sc, false);
    if (err != BK_OK)
        return err;
    session *s = script_session(sc);
    ui *u = session_ui(s);
    for (int i = 1; i < argc; i++) {
        double x, y;
        char tail;
        if (sscanf(argv[i], "%lf,%lf%c", &x, &y, &tail) != 2)
            return script_fail(sc, "stroke: '%s' is not X,Y", argv[i]);
        if (active == NULL)
            return script_fail(sc, "stroke: the signing screen went away");
        SDL_Event ev = {0};
        ev.type = i == 1 ? SDL_FINGERDOWN : SDL_FINGERMOTION;
        ev.tfinger.touchId = 1;
        ev.tfinger.fingerId = 1;
        ev.tfinger.x = (float)((active->box.x + x) / u->w);
        ev.tfinger.y = (float)((active->box.y + y) / u->h);
        ev.tfinger.pressure = 0.5f;
        script_push(sc, &ev);
        if (i + 1 < argc)
            session_advance(s, STROKE_STEP_MS);
        if (i + 1 == argc) {
            ev.type = SDL_FINGERUP;
            script_push(sc, &ev);
        }
    }
    return BK_OK;
}

/* mouse-stroke X,Y X,Y ...: what SDL sends for a mouse drag in the box, through the same input
 * path as a real mouse: the pointer moves to the first point (button up), the left button goes
 * down there, the pointer moves to each next point with the button held, the button goes up at
 * the last point. Nothing more: as with a real mouse the stroke ends at the next motion without
 * the button (or when it leaves the box), so a last stroke is still open at "Accept". */
static bk_err cmd_mouse_stroke(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    bk_err err = need_active(sc, false);
    if (err != BK_OK)
        return err;
    session *s = script_session(sc);
    int px = 0, py = 0; /* the pointer's last place, for SDL's relative motion */
    for (int i = 1; i < argc; i++) {
        double x, y;
        char tail;
        if (sscanf(argv[i], "%lf,%lf%c", &x, &y, &tail) != 2)
            return script_fail(sc, "mouse-stroke: '%s' is not X,Y", argv[i]);
        if (active == NULL)
            return script_fail(sc, "mouse-stroke: the signing screen went away");
        int ax = active->box.x + (int)lround(x), ay = active->box.y + (int)lround(y);
        SDL_Event ev = {0};
        ev.type = SDL_MOUSEMOTION;
        ev.motion.which = 0;
        ev.motion.state = i == 1 ? 0 : SDL_BUTTON_LMASK;
        ev.motion.x = ax;
        ev.motion.y = ay;
        ev.motion.xrel = i == 1 ? 0 : ax - px;
        ev.motion.yrel = i == 1 ? 0 : ay - py;
        script_push(sc, &ev);
        px = ax;
        py = ay;
        if (i == 1) {
            SDL_Event b = {0};
            b.type = SDL_MOUSEBUTTONDOWN;
            b.button.which = 0;
            b.button.button = SDL_BUTTON_LEFT;
            b.button.state = SDL_PRESSED;
            b.button.clicks = 1;
            b.button.x = ax;
            b.button.y = ay;
            script_push(sc, &b);
        }
        if (i + 1 < argc)
            session_advance(s, STROKE_STEP_MS);
        if (i + 1 == argc) {
            SDL_Event b = {0};
            b.type = SDL_MOUSEBUTTONUP;
            b.button.which = 0;
            b.button.button = SDL_BUTTON_LEFT;
            b.button.state = SDL_RELEASED;
            b.button.clicks = 1;
            b.button.x = ax;
            b.button.y = ay;
            script_push(sc, &b);
        }
    }
    return BK_OK;
}

typedef struct want_strokes {
    GArray *points; /* sigink_point */
    GArray *ends;   /* size_t */
} want_strokes;

static bool read_strokes(const char *path, want_strokes *w)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return false;
    w->points = g_array_new(FALSE, FALSE, sizeof(sigink_point));
    w->ends = g_array_new(FALSE, FALSE, sizeof(size_t));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        if (**l == '\0' || **l == '#')
            continue;
        g_auto(GStrv) pts = g_strsplit_set(*l, " \t", -1);
        for (char **q = pts; *q; q++) {
            sigink_point pt = {0};
            if (**q && sscanf(*q, "%f,%f,%f", &pt.x_mm, &pt.y_mm, &pt.pressure) == 3)
                g_array_append_val(w->points, pt);
        }
        size_t end = w->points->len;
        if (w->ends->len == 0 || g_array_index(w->ends, size_t, w->ends->len - 1) != end)
            g_array_append_val(w->ends, end);
    }
    return w->points->len > 0;
}

static void free_strokes(want_strokes *w)
{
    if (w->points)
        g_array_free(w->points, TRUE);
    if (w->ends)
        g_array_free(w->ends, TRUE);
}

/* The first strokes on screen must be the file's. More may follow: umockdev starts the pad's
 * script again when the driver reopens the device after the script's end. */
static bk_err compare_strokes(script *sc, const sigink *ink, const want_strokes *w, bool strokes)
{
    if (sigink_point_count(ink) < w->points->len)
        return script_fail(sc, "pad-strokes: %zu points on screen, %u in the file",
                           sigink_point_count(ink), w->points->len);
    if (!strokes) {
        /* Points only: a stroke cut by an unplug comes back as two. */
        size_t k = 0;
        for (size_t i = 0; i < sigink_stroke_count(ink) && k < w->points->len; i++) {
            size_t n = 0;
            const sigink_point *got = sigink_stroke(ink, i, &n);
            for (size_t j = 0; j < n && k < w->points->len; j++, k++) {
                const sigink_point *e = &g_array_index(w->points, sigink_point, k);
                if (fabsf(got[j].x_mm - e->x_mm) > 0.006f || fabsf(got[j].y_mm - e->y_mm) > 0.006f)
                    return script_fail(sc, "pad-points: point %zu differs from the file", k + 1);
            }
        }
        return BK_OK;
    }
    if (sigink_stroke_count(ink) < w->ends->len)
        return script_fail(sc, "pad-strokes: %zu strokes on screen, %u in the file",
                           sigink_stroke_count(ink), w->ends->len);
    size_t k = 0;
    for (size_t i = 0; i < w->ends->len; i++) {
        size_t n = 0;
        const sigink_point *got = sigink_stroke(ink, i, &n);
        size_t start = i ? g_array_index(w->ends, size_t, i - 1) : 0;
        if (n != g_array_index(w->ends, size_t, i) - start)
            return script_fail(sc, "pad-strokes: stroke %zu has %zu points, the file %zu", i + 1, n,
                               g_array_index(w->ends, size_t, i) - start);
        for (size_t j = 0; j < n; j++, k++) {
            const sigink_point *e = &g_array_index(w->points, sigink_point, k);
            if (fabsf(got[j].x_mm - e->x_mm) > 0.006f || fabsf(got[j].y_mm - e->y_mm) > 0.006f)
                return script_fail(sc, "pad-strokes: stroke %zu point %zu differs from the file",
                                   i + 1, j + 1);
        }
    }
    return BK_OK;
}

/* Lets real time pass for the pad's worker, handling the events it sends, until done() or the
 * deadline. */
static bool wait_real(script *sc, bool (*done)(const want_strokes *), const want_strokes *w)
{
    runner *r = session_runner(script_session(sc));
    gint64 deadline = g_get_monotonic_time() + (gint64)WAIT_REAL_MS * 1000;
    while (g_get_monotonic_time() < deadline && !runner_quitting(r)) {
        if (active && active->cap && done(w))
            return true;
        runner_wait(r, 100);
    }
    return active && active->cap && done(w);
}

/* The file's points are all in closed strokes. Only the points of a stroke still open count as
 * not in: an emulated pad replays its strokes without pause, so waiting for the pen to be up
 * when the loop looks would be luck. */
static bool all_points_in(const want_strokes *w)
{
    const sigink *ink = sigcapture_ink(active->cap);
    size_t total = sigink_point_count(ink), ns = sigink_stroke_count(ink), open = 0;
    if (active->pen_down && ns > 0)
        sigink_stroke(ink, ns - 1, &open);
    return total - open >= w->points->len;
}

static bool paused(const want_strokes *w)
{
    (void)w;
    return sigcapture_paused(active->cap);
}

static bk_err cmd_pad_strokes(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    bool strokes = strcmp(argv[0], "pad-strokes") == 0;
    bk_err err = need_active(sc, true);
    if (err != BK_OK)
        return err;
    want_strokes w = {0};
    if (!read_strokes(argv[1], &w)) {
        free_strokes(&w);
        return script_fail(sc, "pad-strokes: cannot read strokes from '%s'", argv[1]);
    }
    if (!wait_real(sc, all_points_in, &w)) {
        size_t got = active && active->cap ? sigink_point_count(sigcapture_ink(active->cap)) : 0;
        unsigned want = w.points->len;
        free_strokes(&w);
        return script_fail(sc, "%s: the pad gave %zu of %u points in %d s", argv[0], got, want,
                           WAIT_REAL_MS / 1000);
    }
    script_settle(sc);
    err = compare_strokes(sc, sigcapture_ink(active->cap), &w, strokes);
    free_strokes(&w);
    return err;
}

static bk_err cmd_pad_wait_paused(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    bk_err err = need_active(sc, true);
    if (err != BK_OK)
        return err;
    if (!wait_real(sc, paused, NULL))
        return script_fail(sc, "pad-wait-paused: the pad did not go away in %d s",
                           WAIT_REAL_MS / 1000);
    script_settle(sc);
    return BK_OK;
}

static bk_err cmd_signature_count(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    if (active == NULL || active->cap == NULL)
        return script_fail(sc, "the signing screen is not showing (screen '%s')",
                           session_screen_name(script_session(sc)));
    char *end = NULL;
    unsigned long want = strtoul(argv[1], &end, 10);
    if (end == argv[1] || *end)
        return script_fail(sc, "signature-count: '%s' is not a number", argv[1]);
    size_t got = sigink_point_count(sigcapture_ink(active->cap));
    if (got != want)
        return script_fail(sc, "signature-count: %zu points in the box, expected %lu", got, want);
    return BK_OK;
}

bk_err capture_signature_setup(const capture_signature_settings *s)
{
    if (set_up)
        return BK_ERR_EXISTS;
    settings = *s;
    wake_type = SDL_RegisterEvents(1);
    if (wake_type == (uint32_t)-1)
        return BK_ERR_NO_SPACE;
    wake_types[0] = wake_type;
    g_mutex_init(&br.lock);
    bk_err err = capture_register(&signature_capture);
    if (err != BK_OK)
        return err;
    script_register("stroke", 1, 4096, cmd_stroke, "stroke X,Y X,Y ... (pixels in the box)");
    script_register("mouse-stroke", 1, 4096, cmd_mouse_stroke,
                    "mouse-stroke X,Y X,Y ... (pixels in the box)");
    script_register("pad-strokes", 1, 1, cmd_pad_strokes, "pad-strokes FILE");
    script_register("pad-points", 1, 1, cmd_pad_strokes, "pad-points FILE");
    script_register("pad-wait-paused", 0, 0, cmd_pad_wait_paused, "pad-wait-paused");
    script_register("signature-count", 1, 1, cmd_signature_count, "signature-count N");
    set_up = true;
    return BK_OK;
}

void capture_signature_teardown(void)
{
    bridge_close();
    if (set_up)
        g_mutex_clear(&br.lock);
    set_up = false;
}
