/* "capture-finger": drawing (ui/capture_finger.h). The hands, the officer's marks and choices,
 * each attempt's quality against the threshold and, for staff, the attempts' images (grey pixels
 * handed to an SDL texture for one frame, never encoded). */
#include <string.h>

#include "core/biomem.h"
#include "ui/pictogram.h"
#include "ui/screens/capture_finger-priv.h"

static const char *const retry_texts[] = {
    N_("The scan was not clear. Please place your finger again."),
    N_("Please keep your finger on the reader a little longer."),
    N_("Please place your finger in the middle of the reader."),
    N_("Please lift your finger and place it again."),
};

/* One frame's layout: the hands on the start side, the words and buttons on the other. */
typedef struct frame {
    session *s;
    finger_priv *p;
    bool staff;
    SDL_Rect r;    /* the page */
    SDL_Rect left; /* under the hands: the main button (screens_main_button mirrors it) */
    SDL_Rect side; /* the words and the officer's buttons */
    int gap, bw;   /* the gap between rows, a half-width button */
    int current;   /* the finger in hand (capture, review), or none */
} frame;

#define LINE(text, color)                                                                          \
    (y += ui_text(u, (text), (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, UI_FONT_BODY,   \
                  (color), UI_ALIGN_START) +                                                       \
          gap)

/* Two hands seen from above, palms down as on the reader: the left hand on the left. */
static void draw_hands(ui *u, SDL_Rect r, finger_priv *p, int current)
{
    static const double len[6] = {0, 0.42, 0.62, 0.70, 0.64, 0.50}; /* by kind, of the height */
    int hw = r.w / 2 - ui_px(u, 20);
    for (int hand = 0; hand < 2; hand++) { /* 0 = left on screen = the left hand */
        int x0 = r.x + hand * (r.w / 2) + ui_px(u, 10);
        int palm_h = r.h * 40 / 100;
        int finger_w = hw / 6;
        SDL_Rect palm = {x0 + finger_w / 2, r.y + r.h - palm_h, finger_w * 4 + finger_w / 2,
                         palm_h};
        ui_fill_round(u, palm, finger_w / 2, UI_COLOR_PANEL);
        p->drawn.hand_x[hand] = palm.x;
        ui_frame(u, palm, 2, UI_COLOR_BORDER);
        for (int k = 1; k <= 5; k++) {
            int f = hand == 0 ? 5 + k : k;
            int h = (int)(len[k] * r.h);
            SDL_Rect fr;
            if (k == FINGERPLAN_THUMB) {
                int tx = hand == 0 ? palm.x + palm.w - finger_w / 4 : palm.x - finger_w * 3 / 4;
                fr = (SDL_Rect){tx, palm.y + palm_h / 5 - h / 2, finger_w, h};
            } else {
                /* from the left: the left hand's little..index, the right hand's index..little */
                int c = hand == 0 ? 5 - k : k - 2;
                fr = (SDL_Rect){palm.x + c * (finger_w + finger_w / 8) + finger_w / 8,
                                palm.y - h + finger_w / 2, finger_w, h};
            }
            ui_color fill = UI_COLOR_PANEL;
            if (p->marks[f].on)
                fill = UI_COLOR_ALERT;
            else if (f == current)
                fill = UI_COLOR_PRIMARY;
            else if (p->plan && p->phase != FINGER_PHASE_PREPARE && fingerplan_kept(p->plan, f) > 0)
                fill = UI_COLOR_STAFF;
            else if (f == p->selected)
                fill = UI_COLOR_SECONDARY;
            ui_fill_round(u, fr, finger_w / 2, fill);
            ui_frame(u, fr, f == current && p->present ? ui_px(u, 8) : 2, UI_COLOR_BORDER);
        }
        ui_text(u, hand == 0 ? _("Left hand") : _("Right hand"),
                (SDL_Rect){x0, r.y + r.h + ui_px(u, 8), hw, ui_px(u, 40)}, UI_FONT_SMALL,
                UI_COLOR_TEXT, UI_ALIGN_CENTER);
    }
}

bool capture_finger_animating(const finger_priv *p)
{
    return p->phase == FINGER_PHASE_CAPTURE && !p->paused && !p->present && !p->error &&
           !devwait_away(&p->wait);
}

/* The hand for the finger asked, that finger coloured, lowering onto the reader (a loop of
 * HAND_LOOP_MS: down in the first 60 %, then resting); at rest while a finger is on the reader.
 * The right hand's pictogram mirrored is the left hand: the physical hand, the same in a
 * right-to-left language. */
#define HAND_LOOP_MS 1600
static void draw_hand_guide(ui *u, session *s, SDL_Rect r, const finger_priv *p, int current)
{
    static const char *const ids[6] = {NULL, "thumb", "index", "middle", "ring", "little"};
    pictograms *pg = session_get_settings(s)->pictograms;
    if (pg == NULL || current < FINGERPLAN_RIGHT_THUMB || current >= FINGERPLAN_FINGERS ||
        r.h < ui_px(u, 140) || r.w < ui_px(u, 140))
        return;
    int kind = current >= FINGERPLAN_LEFT_THUMB ? current - FINGERPLAN_LEFT_THUMB + 1 : current;
    SDL_Rect reader = {r.x + r.w / 4, r.y + r.h - r.h / 8, r.w / 2, r.h / 8};
    ui_fill_round(u, reader, reader.h / 4, UI_COLOR_TEXT);
    int drop = r.h / 5;
    double t = capture_finger_animating(p)
                   ? (double)(session_now_ms(s) % HAND_LOOP_MS) / HAND_LOOP_MS / 0.6
                   : 1.0;
    int off = (int)(drop * (t < 1.0 ? t : 1.0));
    SDL_Rect hand = {r.x, r.y + off, r.w, r.h - drop - reader.h / 2};
    pictogram_draw(u, pg, PICTOGRAM_HAND, ids[kind], current >= FINGERPLAN_LEFT_THUMB, hand);
}

/* A bar of `quality` against `threshold`; returns the height used. */
static int draw_bar(ui *u, SDL_Rect r, const char *label, int quality, int threshold, bool kept)
{
    int th = ui_text(u, label, r, UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
    SDL_Rect bar = {r.x, r.y + th + ui_px(u, 4), r.w, ui_px(u, 28)};
    ui_fill(u, bar, UI_COLOR_PANEL);
    SDL_Rect fill = {bar.x, bar.y, bar.w * (quality < 0 ? 0 : quality) / 100, bar.h};
    ui_fill(u, fill, quality >= threshold ? UI_COLOR_PRIMARY : UI_COLOR_ALERT);
    SDL_Rect tick = {bar.x + bar.w * threshold / 100 - ui_px(u, 3), bar.y - ui_px(u, 6),
                     ui_px(u, 6), bar.h + ui_px(u, 12)};
    ui_fill(u, tick, UI_COLOR_TEXT);
    ui_frame(u, bar, kept ? ui_px(u, 5) : 1, UI_COLOR_BORDER);
    return th + bar.h + ui_px(u, 16);
}

/* One attempt's line, "Attempt i: quality q of 100, needed thr" and what it is (mark: translated,
 * e.g. "kept", or NULL), over its quality bar against the threshold in r (heavily framed when
 * kept). Returns the height used. */
static int draw_attempt_row(ui *u, SDL_Rect r, int i, int q, int thr, const char *mark, bool kept)
{
    char line[160];
    g_snprintf(line, sizeof line, _("Attempt %d: quality %d of 100, needed %d"), i, q, thr);
    if (mark) {
        g_strlcat(line, " - ", sizeof line);
        g_strlcat(line, mark, sizeof line);
    }
    return draw_bar(u, r, line, q, thr, kept);
}

/* An attempt's image scaled into box (aspect kept, centred). The grey pixels go through a
 * biomem buffer (wiped) into a texture that lives for this one frame. Returns true when drawn. */
static bool draw_print(ui *u, SDL_Rect box, const fingerimg *img)
{
    if (img == NULL || box.w < 2 || box.h < 2)
        return false;
    double k = MIN((double)box.w / img->width, (double)box.h / img->height);
    int w = MAX(1, (int)(img->width * k)), h = MAX(1, (int)(img->height * k));
    uint8_t *rgb = biomem_alloc((size_t)w * (size_t)h * 3);
    if (rgb == NULL)
        return false;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = img->pix + (size_t)MIN(img->height - 1, (int)(y / k)) * img->width;
        for (int x = 0; x < w; x++)
            memset(rgb + ((size_t)y * w + x) * 3, row[MIN(img->width - 1, (int)(x / k))], 3);
    }
    bool ok = false;
    SDL_Texture *tex =
        SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STATIC, w, h);
    if (tex != NULL && SDL_UpdateTexture(tex, NULL, rgb, w * 3) == 0) {
        SDL_Rect dst = {box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h};
        ok = SDL_RenderCopy(u->renderer, tex, NULL, &dst) == 0;
    }
    if (tex != NULL)
        SDL_DestroyTexture(tex);
    biomem_free(rgb);
    return ok;
}

/* Each attempt of finger f side by side: its image, its quality bar against the threshold and,
 * for staff, the image as a target that keeps that attempt. The kept (or, while capturing, the
 * best so far) is framed and marked. Returns the height used. */
static int draw_attempt_images(ui *u, SDL_Rect r, finger_priv *p, int f, bool staff)
{
    int n = fingerplan_attempts(p->plan, f);
    int kept = fingerplan_kept(p->plan, f);
    int thr = fingerplan_threshold(p->plan, f);
    int gap = ui_px(u, 12);
    int cols = MAX(3, n);
    int cw = (r.w - (cols - 1) * gap) / cols;
    int th = MAX(u->target, MIN(cw * 5 / 4, r.h - ui_px(u, 130))); /* room for label and bar */
    int best = 0, best_q = -1;
    for (int i = 1; i <= n; i++) {
        int q = fingerplan_attempt_quality(p->plan, f, i);
        if (kept > 0 && kept < FINGER_MAX_IDS && p->id_attempt[kept] == i)
            best = i, best_q = 101;
        else if (kept == 0 && q > best_q && fingerplan_attempts_left(p->plan, f) > 0)
            best = i, best_q = q; /* not when every attempt was rejected */
    }
    int used = 0;
    p->drawn.thumbs = 0;
    for (int i = 1; i <= n; i++) {
        int q = fingerplan_attempt_quality(p->plan, f, i);
        int x = r.x + (i - 1) * (cw + gap);
        if (u->rtl)
            x = r.x + r.w - (i - 1) * (cw + gap) - cw;
        SDL_Rect box = {x, r.y, cw, th};
        ui_fill(u, box, UI_COLOR_PANEL);
        if (draw_print(u, box, capture_finger_attempt_image(p, f, i)))
            p->drawn.thumbs++;
        ui_frame(u, box, i == best ? ui_px(u, 6) : 1,
                 i == best ? UI_COLOR_PRIMARY : UI_COLOR_BORDER);
        if (staff) {
            char label[64];
            g_snprintf(label, sizeof label, _("Attempt %d"), i);
            ui_add_hit(u, box, FINGER_ID_KEEP + i, label);
        }
        const char *mark = i != best ? NULL : kept > 0 ? _("kept") : _("best so far");
        int h = th + ui_px(u, 8) +
                draw_attempt_row(u, (SDL_Rect){x, r.y + th + ui_px(u, 8), cw, r.h - th}, i, q, thr,
                                 mark, i == best && kept > 0);
        used = MAX(used, h);
    }
    return used;
}

static int draw_attempts(ui *u, SDL_Rect r, const finger_priv *p, int f)
{
    int y = r.y;
    int n = fingerplan_attempts(p->plan, f);
    int kept = fingerplan_kept(p->plan, f);
    int thr = fingerplan_threshold(p->plan, f);
    for (int i = 1; i <= n; i++) {
        int q = fingerplan_attempt_quality(p->plan, f, i);
        bool is_kept = false;
        for (int id = 1; kept > 0 && id < FINGER_MAX_IDS; id++)
            if (id == kept && p->id_attempt[id] == i)
                is_kept = true;
        y += draw_attempt_row(u, (SDL_Rect){r.x, y, r.w, r.h - (y - r.y)}, i, q, thr,
                              is_kept ? _("kept") : NULL, is_kept);
    }
    return y - r.y;
}

/* The officer's "This finger cannot be used" (capture and review) and, once tapped, the reasons
 * and the permanent tick as before the capture. Returns the y below. */
static int draw_unusable(ui *u, SDL_Rect side, int y, const finger_priv *p)
{
    int gap = ui_px(u, 12);
    button_draw(u, (SDL_Rect){side.x, y, side.w / 2 - gap, u->target},
                _("This finger cannot be used"), FINGER_ID_UNUSABLE,
                p->unusable ? BUTTON_PRIMARY : BUTTON_ALERT);
    y += u->target + gap;
    if (!p->unusable)
        return y;
    y += ui_text(u, _("Why can this finger not be used?"), (SDL_Rect){side.x, y, side.w, u->target},
                 UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START) +
         gap;
    int rw = (side.w - 3 * gap) / FINGERPLAN_REASON_COUNT_;
    for (int i = 0; i < FINGERPLAN_REASON_COUNT_; i++)
        button_draw(u, (SDL_Rect){side.x + i * (rw + gap), y, rw, u->target},
                    _(capture_finger_reasons[i]), FINGER_ID_REASON + i, BUTTON_STAFF);
    y += u->target + gap;
    checkbox_draw(u, (SDL_Rect){side.x, y, side.w / 2 - gap, u->target},
                  _("Permanent (not temporary)"), p->permanent, FINGER_ID_PERMANENT);
    return y + u->target + gap;
}

static void draw_prepare(ui *u, const frame *fr)
{
    session *s = fr->s;
    finger_priv *p = fr->p;
    bool staff = fr->staff;
    SDL_Rect side = fr->side, left = fr->left;
    int y = side.y, gap = fr->gap, bw = fr->bw;
    (void)s, (void)staff, (void)left, (void)bw;
    LINE(_("The desk officer checks your hands before the fingerprints are taken."), UI_COLOR_TEXT);
    if (!staff)
        return;
    LINE(_("Mark fingers that are missing or cannot be used: choose the finger, then the "
           "reason."),
         UI_COLOR_TEXT);
    int x = side.x, row = 0;
    for (int f = 1; f < FINGERPLAN_FINGERS; f++) {
        if (f == FINGERPLAN_RIGHT_LITTLE || f == FINGERPLAN_LEFT_LITTLE)
            continue;
        char label[128];
        if (p->marks[f].on)
            g_snprintf(label, sizeof label, "%s: %s", _(capture_finger_names[f]),
                       _(capture_finger_reasons[p->marks[f].reason]));
        else
            g_strlcpy(label, _(capture_finger_names[f]), sizeof label);
        SDL_Rect b = {x + (row % 2) * (side.w / 2), y, side.w / 2 - gap, u->target};
        button_draw(u, b, label, FINGER_ID_FINGER + f,
                    f == p->selected ? BUTTON_PRIMARY
                    : p->marks[f].on ? BUTTON_ALERT
                                     : BUTTON_STAFF);
        if (row % 2 == 1)
            y += u->target + gap;
        row++;
    }
    y += gap;
    if (p->selected != FINGERPLAN_NONE || p->exception) {
        LINE(p->exception ? _("Why can this person not give fingerprints?")
                          : _("Why can this finger not be used?"),
             UI_COLOR_TEXT);
        int rw = (side.w - 3 * gap) / FINGERPLAN_REASON_COUNT_;
        for (int i = 0; i < FINGERPLAN_REASON_COUNT_; i++)
            button_draw(u, (SDL_Rect){side.x + i * (rw + gap), y, rw, u->target},
                        _(capture_finger_reasons[i]), FINGER_ID_REASON + i, BUTTON_STAFF);
        y += u->target + gap;
    }
    checkbox_draw(u, (SDL_Rect){side.x, y, side.w / 2 - gap, u->target},
                  _("Permanent (not temporary)"), p->permanent || p->exception,
                  FINGER_ID_PERMANENT);
    button_draw(u, (SDL_Rect){side.x + side.w / 2, y, side.w / 2 - gap, u->target},
                _("Cannot give fingerprints"), FINGER_ID_EXCEPTION,
                p->exception ? BUTTON_PRIMARY : BUTTON_ALERT);
    screens_main_button(u, left, _("Start the fingerprints"), SCREEN_ID_NEXT);
}

static void draw_capture(ui *u, const frame *fr)
{
    session *s = fr->s;
    finger_priv *p = fr->p;
    bool staff = fr->staff;
    SDL_Rect side = fr->side, left = fr->left;
    int y = side.y, gap = fr->gap, bw = fr->bw;
    (void)s, (void)staff, (void)left, (void)bw;
    int current = fr->current;
    LINE(_("Place this finger flat on the reader:"), UI_COLOR_TEXT);
    LINE(_(capture_finger_names[current]), UI_COLOR_TEXT);
    if (p->not_unique_other > 0) {
        LINE(_("This print matches a finger that was already taken:"), UI_COLOR_ALERT);
        LINE(_(capture_finger_names[p->not_unique_other]), UI_COLOR_ALERT);
        LINE(_("Please use the finger shown."), UI_COLOR_ALERT);
    }
    if (p->error) {
        LINE(_("The fingerprint reader has a problem. Please wait: the desk officer will help "
               "you."),
             UI_COLOR_ALERT);
        button_draw(u, (SDL_Rect){side.x, y, bw, u->target}, _("Try the reader again"),
                    FINGER_ID_TRY_AGAIN, BUTTON_STAFF);
        y += u->target + gap;
    } else {
        if (p->retry >= 0)
            LINE(_(retry_texts[p->retry]), UI_COLOR_ALERT);
        if (p->present)
            LINE(_("Finger detected. Keep it still."), UI_COLOR_TEXT);
    }
    if (staff && fingerplan_attempts(p->plan, current) > 0) {
        button_draw(u, (SDL_Rect){side.x, y, bw, u->target},
                    p->show_attempts ? _("Hide the attempts") : _("Show the attempts"),
                    FINGER_ID_SHOW_ATTEMPTS, BUTTON_STAFF);
        y += u->target + gap;
    }
    if (staff)
        y = draw_unusable(u, side, y, p);
    if (staff && p->show_attempts)
        draw_attempt_images(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, p, current,
                            staff);
    else
        draw_attempts(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, p, current);
}

static void draw_review(ui *u, const frame *fr)
{
    session *s = fr->s;
    finger_priv *p = fr->p;
    bool staff = fr->staff;
    SDL_Rect side = fr->side, left = fr->left;
    int y = side.y, gap = fr->gap, bw = fr->bw;
    (void)s, (void)staff, (void)left, (void)bw;
    LINE(_(capture_finger_names[p->review]), UI_COLOR_TEXT);
    bool stuck = capture_finger_dead_end(p, p->review);
    if (stuck && staff)
        LINE(_("Every attempt of this finger was rejected. Restart the finger, or mark it as a "
               "finger that cannot be used."),
             UI_COLOR_ALERT);
    else if (stuck)
        LINE(_("Please wait: the desk officer will help you."), UI_COLOR_ALERT);
    int other = capture_finger_unverified_with(p, p->review);
    if (staff && other > 0) {
        char line[200];
        g_snprintf(line, sizeof line, "%s: %s", _("Uniqueness could not be verified against"),
                   _(capture_finger_names[other]));
        LINE(line, UI_COLOR_ALERT);
    }
    /* the officer's buttons: reject/restart, keep, "cannot be used" and its reasons */
    int below = staff ? (p->unusable ? 6 : 3) * (u->target + gap) : 0;
    y += draw_attempt_images(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y) - below - gap},
                             p, p->review, staff) +
         gap;
    if (staff) {
        int kept = fingerplan_kept(p->plan, p->review);
        int n = fingerplan_attempts(p->plan, p->review);
        int x = side.x;
        if (kept > 0) {
            button_draw(u, (SDL_Rect){x, y, bw, u->target}, _("Reject the kept print"),
                        FINGER_ID_REJECT, BUTTON_ALERT);
            x += bw + gap;
        }
        button_draw(u, (SDL_Rect){x, y, bw, u->target}, _("Restart this finger"), FINGER_ID_RESTART,
                    BUTTON_STAFF);
        y += u->target + gap;
        y = draw_unusable(u, side, y, p);
        x = side.x;
        int kw = (side.w - 2 * gap) / 3; /* three fit in a row (every attempt rejected) */
        for (int i = 1; i <= n && i <= 10; i++) {
            if (kept > 0 && kept < FINGER_MAX_IDS && p->id_attempt[kept] == i)
                continue;
            char label[96];
            g_snprintf(label, sizeof label, _("Keep attempt %d"), i);
            if (x + kw > side.x + side.w) {
                x = side.x;
                y += u->target + gap;
            }
            button_draw(u, (SDL_Rect){x, y, kw, u->target}, label, FINGER_ID_KEEP + i,
                        BUTTON_STAFF);
            x += kw + gap;
        }
    }
    if (!stuck)
        screens_main_button(u, left, _("Continue"), SCREEN_ID_NEXT);
}

static void draw_done(ui *u, const frame *fr)
{
    session *s = fr->s;
    finger_priv *p = fr->p;
    bool staff = fr->staff;
    SDL_Rect side = fr->side, left = fr->left;
    int y = side.y, gap = fr->gap, bw = fr->bw;
    (void)s, (void)staff, (void)left, (void)bw;
    LINE(_("These prints are kept:"), UI_COLOR_TEXT);
    for (int hand = 0; hand < 2; hand++) {
        int f = fingerplan_hand_finger(p->plan, hand);
        if (f == FINGERPLAN_NONE) {
            LINE(hand == 0 ? _("Right hand: no print") : _("Left hand: no print"), UI_COLOR_TEXT);
            continue;
        }
        int id = fingerplan_kept(p->plan, f);
        char line[160];
        char q[96];
        g_snprintf(q, sizeof q, _("Quality %d of 100, needed %d"), capture_finger_quality(p, id),
                   fingerplan_threshold(p->plan, f));
        g_snprintf(line, sizeof line, "%s: %s", _(capture_finger_names[f]), q);
        y += draw_bar(u, (SDL_Rect){side.x, y, side.w, side.h - (y - side.y)}, line,
                      capture_finger_quality(p, id), fingerplan_threshold(p->plan, f), true);
        int other = capture_finger_unverified_with(p, f);
        if (staff && other > 0) {
            g_snprintf(line, sizeof line, "%s: %s", _("Uniqueness could not be verified against"),
                       _(capture_finger_names[other]));
            LINE(line, UI_COLOR_ALERT);
        }
        if (staff) {
            g_snprintf(line, sizeof line, "%s: %s", _("Restart"), _(capture_finger_names[f]));
            button_draw(u, (SDL_Rect){side.x, y, bw, u->target}, line,
                        FINGER_ID_RESTART_HAND + hand, BUTTON_STAFF);
            y += u->target + gap;
        }
    }
    screens_main_button(u, left, _("Accept the fingerprints"), SCREEN_ID_NEXT);
}

static void draw_paused(ui *u, const frame *fr)
{
    finger_priv *p = fr->p;
    SDL_Rect side = fr->side;
    int y = side.y, gap = fr->gap;
    LINE(_("The fingerprint reader is not connected. Please wait: the desk officer will "
           "help you."),
         UI_COLOR_ALERT);
    devwait_draw(&p->wait, fr->s, u, fr->r);
}

void capture_finger_draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    finger_priv *p = scr->priv;
    frame fr = {.s = s, .p = p, .staff = session_staff_desk(s)}; /* the desk's buttons */
    p->drawn.thumbs = 0;
    SDL_Rect r = session_draw_frame(s, u, _("Fingerprints"), true);
    fr.r = r;
    fr.current = p->phase == FINGER_PHASE_CAPTURE  ? fingerplan_current(p->plan)
                 : p->phase == FINGER_PHASE_REVIEW ? p->review
                                                   : FINGERPLAN_NONE;
    SDL_Rect hands = ui_mirror(u, (SDL_Rect){r.x, r.y, r.w * 2 / 5, r.h * 11 / 20});
    draw_hands(u, hands, p, fr.current);
    fr.left = (SDL_Rect){r.x, r.y, r.w * 2 / 5, r.h};
    fr.side = ui_mirror(
        u, (SDL_Rect){r.x + r.w * 2 / 5 + ui_px(u, 40), r.y, r.w * 3 / 5 - ui_px(u, 40), r.h});
    fr.gap = ui_px(u, 12);
    fr.bw = fr.side.w / 2 - fr.gap;
    if (p->phase == FINGER_PHASE_CAPTURE && !p->paused) {
        int top = r.h * 11 / 20 + ui_px(u, 56); /* under the hands and their names */
        SDL_Rect guide = {r.x, r.y + top, r.w * 2 / 5, r.h - top};
        draw_hand_guide(u, s, ui_mirror(u, guide), p, fr.current);
    }
    if (p->phase == FINGER_PHASE_PREPARE)
        draw_prepare(u, &fr);
    else if (p->paused)
        draw_paused(u, &fr);
    else if (p->phase == FINGER_PHASE_CAPTURE)
        draw_capture(u, &fr);
    else if (p->phase == FINGER_PHASE_REVIEW)
        draw_review(u, &fr);
    else
        draw_done(u, &fr);
}
