/* "review": what was taken from each person (ui/review.h), with the pictures themselves: the
 * photo, the kept prints with their finger names and quality, the signature, and what was not
 * taken and why. Staff may take an item again from here. A family visit shows one person at a
 * time, chosen by a row of name buttons.
 *
 * The pictures come decoded from the visit controller (visit/visit_review.h); the screen turns
 * them into textures when the person is shown and destroys them when it exits or shows someone
 * else. The decoded pixels are wiped as soon as they are uploaded. */
#include <string.h>

#include "core/biomem.h"
#include "ui/review.h"
#include "ui/screens/capture_finger-priv.h"
#include "ui/screens/screens.h"
#include "visit/visit_review.h"

#define ID_RESTART 400 /* + person * FLOW_ITEM_COUNT_ + item */
#define ID_PAGE    600 /* + person */

typedef struct review_tex {
    SDL_Texture *tx;
    int w, h;
} review_tex;

typedef struct review_priv {
    bool loaded;
    size_t page; /* the person shown */
    review_tex face;
    review_tex prints[TAKES_MAX_FINGERS];
    unsigned positions[TAKES_MAX_FINGERS];
    int quality[TAKES_MAX_FINGERS];
    size_t n_prints;
    review_tex signature;
    review_drawn drawn;
} review_priv;

/* A texture of a grey or RGB picture; the RGB copy of a grey one is wiped. */
static review_tex texture_of(ui *u, const pic *pc)
{
    review_tex t = {0};
    if (pc == NULL)
        return t;
    size_t n = (size_t)pc->width * (size_t)pc->height;
    uint8_t *rgb = pc->px;
    if (pc->channels == 1) {
        rgb = biomem_alloc(n * 3);
        if (rgb == NULL)
            return t;
        for (size_t i = 0; i < n; i++)
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pc->px[i];
    }
    t.tx = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24, SDL_TEXTUREACCESS_STATIC,
                             pc->width, pc->height);
    if (t.tx != NULL && SDL_UpdateTexture(t.tx, NULL, rgb, pc->width * 3) == 0) {
        t.w = pc->width;
        t.h = pc->height;
    } else if (t.tx != NULL) {
        SDL_DestroyTexture(t.tx);
        t.tx = NULL;
    }
    if (rgb != pc->px)
        biomem_free(rgb);
    return t;
}

static void drop(review_tex *t)
{
    if (t->tx != NULL)
        SDL_DestroyTexture(t->tx);
    *t = (review_tex){0};
}

static void unload(review_priv *p)
{
    drop(&p->face);
    for (size_t i = 0; i < p->n_prints; i++)
        drop(&p->prints[i]);
    p->n_prints = 0;
    drop(&p->signature);
    p->loaded = false;
}

/* The pictures of the person on the page, as textures. */
static void load(screen *scr, ui *u)
{
    review_priv *p = scr->priv;
    unload(p);
    session *s = SCREEN_SESSION(scr);
    visit_review_pictures pics;
    bk_err err = visit_review_pictures_get(session_visit(s), p->page, 1024, &pics);
    if (err != BK_OK)
        g_warning("review: a picture of person %zu could not be decoded: %s", p->page + 1,
                  bk_err_str(err));
    p->face = texture_of(u, pics.face);
    for (size_t i = 0; i < pics.n_prints; i++) {
        p->prints[i] = texture_of(u, pics.prints[i].image);
        p->positions[i] = pics.prints[i].position;
        p->quality[i] = pics.prints[i].quality;
    }
    p->n_prints = pics.n_prints;
    p->signature = texture_of(u, pics.signature);
    visit_review_clear(&pics);
    p->loaded = true;
}

static void enter(screen *scr)
{
    review_priv *p = scr->priv;
    p->page = 0;
    p->loaded = false;
}

static void leave(screen *scr)
{
    unload(scr->priv);
}

static const char *state_text(flow_step_state st)
{
    switch (st) {
    case FLOW_STEP_DONE:
        return _("done");
    case FLOW_STEP_SKIPPED:
        return _("skipped by the desk officer");
    case FLOW_STEP_EXCEPTION:
        return _("exception noted by the desk officer");
    case FLOW_STEP_PENDING:
        break;
    }
    return _("not done");
}

static rules_action plan_action(const flow_person *fp, flow_item item, const char **rule)
{
    static const rules_item items[FLOW_ITEM_COUNT_] = {RULES_ITEM_PHOTO, RULES_ITEM_FINGERPRINTS,
                                                       RULES_ITEM_SIGNATURE};
    const rules_action actions[FLOW_ITEM_COUNT_] = {fp->plan.photo, fp->plan.fingerprints,
                                                    fp->plan.signature};
    *rule = fp->plan.reasons[items[item]].rule;
    return actions[item];
}

/* The heading of an item's section, "Photo: done", "Fingerprints: used again from before"...,
 * into buf; *why gets the rule's sentence when the item was not to be taken (else NULL). */
static const char *heading_text(const flow_person *fp, flow_item item, char *buf, size_t size,
                                const char **why)
{
    const char *rule = NULL;
    rules_action a = plan_action(fp, item, &rule);
    *why = NULL;
    const char *what = _("not needed");
    switch (a) {
    case RULES_ACTION_CAPTURE:
        what = _("not done");
        for (size_t j = 0; j < fp->n_steps; j++)
            if (fp->steps[j].item == item)
                what = state_text(fp->steps[j].state);
        break;
    case RULES_ACTION_REUSE:
        what = _("used again from before");
        *why = screens_rule_text(rule ? rule : "");
        break;
    case RULES_ACTION_BY_POST:
        what = _("sent by post");
        *why = screens_rule_text(rule ? rule : "");
        break;
    case RULES_ACTION_NONE:
    case RULES_ACTION_COUNT_:
        *why = screens_rule_text(rule ? rule : "");
        break;
    }
    g_snprintf(buf, size, "%s: %s", screens_item_name(item), what);
    return buf;
}

/* The first name: the name up to its first space. */
static void first_name(const char *name, char *out, size_t size)
{
    g_strlcpy(out, name, size);
    char *sp = strchr(out, ' ');
    if (sp != NULL)
        *sp = '\0';
}

/* "Take Amira's photo again": the formats stay literal, so that their %s is checked. */
static void redo_label(flow_item item, const char *name, char *out, size_t size)
{
    switch (item) {
    case FLOW_ITEM_PHOTO:
        g_snprintf(out, size, _("Take %s's photo again"), name);
        return;
    case FLOW_ITEM_FINGERPRINTS:
        g_snprintf(out, size, _("Take %s's fingerprints again"), name);
        return;
    case FLOW_ITEM_SIGNATURE:
    case FLOW_ITEM_COUNT_:
        break;
    }
    g_snprintf(out, size, _("Take %s's signature again"), name);
}

/* A section's heading row: the item and what became of it, and for staff the redo button at
 * the end side when the person has that step; below it why the item was not to be taken.
 * Returns the height used. */
static int draw_heading(screen *scr, ui *u, SDL_Rect col, int y, flow_item item)
{
    review_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    const flow_person *fp = flow_get_person(session_flow(s), p->page);
    bool has_step = false;
    for (size_t j = 0; j < fp->n_steps; j++)
        has_step = has_step || fp->steps[j].item == item;
    bool redo = session_staff_desk(s) && has_step; /* the desk officer's decision */
    int bw = redo ? col.w / 2 : 0;
    int h = 0;
    if (redo) {
        char name[FLOW_NAME_MAX], label[200];
        first_name(fp->name, name, sizeof name);
        redo_label(item, name, label, sizeof label);
        SDL_Rect b = {col.x + col.w - bw, y, bw, u->target};
        b = button_draw(u, ui_mirror(u, b), label,
                        ID_RESTART + (int)(p->page * FLOW_ITEM_COUNT_ + item), BUTTON_STAFF);
        h = b.h;
    }
    char buf[300];
    const char *why = NULL;
    const char *head = heading_text(fp, item, buf, sizeof buf, &why);
    int th = ui_text(u, head, ui_mirror(u, (SDL_Rect){col.x, y, col.w - bw - ui_px(u, 16), col.h}),
                     UI_FONT_BODY, UI_COLOR_PRIMARY, UI_ALIGN_START);
    h = MAX(h, th);
    if (why != NULL)
        h += ui_text(u, why, ui_mirror(u, (SDL_Rect){col.x, y + h, col.w, col.h}), UI_FONT_SMALL,
                     UI_COLOR_TEXT, UI_ALIGN_START);
    return h + ui_px(u, 6);
}

/* A picture fitted into a box of h pixels high and at most w wide, at (x, y) before
 * mirroring; returns the rectangle drawn. */
static SDL_Rect draw_tex(ui *u, const review_tex *t, int x, int y, int w, int h)
{
    int dw = t->w * h / (t->h > 0 ? t->h : 1), dh = h;
    if (dw > w) {
        dw = w;
        dh = t->h * w / (t->w > 0 ? t->w : 1);
    }
    SDL_Rect d = ui_mirror(u, (SDL_Rect){x, y, dw, dh});
    SDL_RenderCopy(u->renderer, t->tx, NULL, &d);
    ui_frame(u, d, 1, UI_COLOR_BORDER);
    return d;
}

/* The kept prints in a row, each with its finger's name and quality beside it; a row that
 * is full goes on below. Returns the height used. */
static int draw_prints(screen *scr, ui *u, SDL_Rect col, int y, int th)
{
    review_priv *p = scr->priv;
    int gap = ui_px(u, 24), pad = ui_px(u, 10);
    int x = col.x, row_h = 0;
    for (size_t i = 0; i < p->n_prints; i++) {
        unsigned pos = p->positions[i] < FINGERPLAN_FINGERS ? p->positions[i] : 0;
        const char *name = _(capture_finger_names[pos]);
        char q[96];
        g_snprintf(q, sizeof q, _("Quality %d of 100"), p->quality[i]);
        int nw = 0, qw = 0;
        ui_text_size(u, name, UI_FONT_SMALL, &nw, NULL);
        ui_text_size(u, q, UI_FONT_SMALL, &qw, NULL);
        int tw = MIN(MAX(nw, qw) + 1, ui_px(u, 320));
        int iw = p->prints[i].tx != NULL ? p->prints[i].w * th / MAX(p->prints[i].h, 1) : 0;
        int cell = iw + pad + tw;
        if (x > col.x && x + cell > col.x + col.w) {
            y += row_h + pad;
            x = col.x;
            row_h = 0;
        }
        int h = 0;
        if (p->prints[i].tx != NULL) {
            SDL_Rect d = draw_tex(u, &p->prints[i], x, y, iw, th);
            p->drawn.print_rects[p->drawn.n_prints++] = d;
            h = d.h;
        }
        int ty = y + ui_px(u, 4);
        ty += ui_text(u, name, ui_mirror(u, (SDL_Rect){x + iw + pad, ty, tw, th}), UI_FONT_SMALL,
                      UI_COLOR_TEXT, UI_ALIGN_START);
        ty += ui_text(u, q, ui_mirror(u, (SDL_Rect){x + iw + pad, ty, tw, th}), UI_FONT_SMALL,
                      UI_COLOR_TEXT, UI_ALIGN_START);
        row_h = MAX(row_h, MAX(h, ty - y));
        x += cell + gap;
    }
    return (int)(y - col.y) + row_h + ui_px(u, 12);
}

/* The row of name buttons of a family visit; returns the height used. */
static int draw_pages(screen *scr, ui *u, SDL_Rect r)
{
    review_priv *p = scr->priv;
    flow *f = session_flow(SCREEN_SESSION(scr));
    size_t n = flow_person_count(f);
    if (n < 2) {
        const flow_person *fp = flow_get_person(f, 0);
        return ui_text(u, fp ? fp->name : "", r, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START) +
               ui_px(u, 8);
    }
    int gap = ui_px(u, 12);
    int bw = (r.w - gap * ((int)n - 1)) / (int)n;
    for (size_t i = 0; i < n; i++) {
        SDL_Rect b = ui_mirror(u, (SDL_Rect){r.x + (int)i * (bw + gap), r.y, bw, u->target});
        button_draw(u, b, flow_get_person(f, i)->name, ID_PAGE + (int)i,
                    i == p->page ? BUTTON_PRIMARY : BUTTON_SECONDARY);
    }
    return u->target + ui_px(u, 16);
}

static void draw(screen *scr, ui *u)
{
    review_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    if (p->page >= flow_person_count(f))
        p->page = 0;
    if (!p->loaded)
        load(scr, u);
    p->drawn = (review_drawn){.person = p->page, .screen_w = u->w, .screen_h = u->h};
    SDL_Rect r = session_draw_frame(s, u, _("Check what was taken"), true);
    int y = r.y + draw_pages(scr, u, r);
    int bottom = r.y + r.h - u->target - ui_px(u, 36);
    int avail = bottom - y;
    int gap = ui_px(u, 32);
    /* the photo: large enough to judge (at least 30 % of the screen's height where it fits) */
    int ph = MIN(avail, u->h * 45 / 100);
    int pw = ph * 35 / 45;
    if (p->face.tx != NULL) {
        SDL_Rect d = draw_tex(u, &p->face, r.x, y, pw, ph);
        pw = d.w;
        p->drawn.photo = true;
        p->drawn.photo_rect = d;
    } else {
        ui_fill_round(u, ui_mirror(u, (SDL_Rect){r.x, y, pw, ph}), ui_px(u, 10), UI_COLOR_PANEL);
    }
    SDL_Rect col = {r.x + pw + gap, y, r.w - pw - gap, avail};
    int cy = y;
    const flow_person *fp = flow_get_person(f, p->page);
    if (fp != NULL && fp->n_steps == 0)
        cy += ui_text(u, _("Nothing is taken at this desk today."),
                      ui_mirror(u, (SDL_Rect){col.x, cy, col.w, col.h}), UI_FONT_BODY,
                      UI_COLOR_TEXT, UI_ALIGN_START) +
              ui_px(u, 8);
    cy += draw_heading(scr, u, col, cy, FLOW_ITEM_PHOTO);
    int ch = draw_heading(scr, u, col, cy, FLOW_ITEM_FINGERPRINTS);
    cy += ch;
    /* what is left below the headings is shared by the prints and
     * the signature, the signature first kept legible */
    int small = ui_line_height(u, UI_FONT_SMALL, _(capture_finger_names[2]));
    int heading = MAX(ui_line_height(u, UI_FONT_BODY, screens_item_name(FLOW_ITEM_SIGNATURE)),
                      session_staff_desk(s) ? u->target : 0);
    int rest =
        bottom - cy - (p->n_prints > 0 ? 2 * small + ui_px(u, 14) : 0) - heading - ui_px(u, 12);
    int sh = p->signature.tx != NULL ? MAX(ui_px(u, 60), MIN(ui_px(u, 200), rest * 2 / 5)) : 0;
    int th = MAX(2 * small + ui_px(u, 8), MIN(ui_px(u, 280), rest - sh));
    if (p->n_prints > 0)
        cy += draw_prints(scr, u, (SDL_Rect){col.x, cy, col.w, col.h}, cy, th);
    cy += draw_heading(scr, u, col, cy, FLOW_ITEM_SIGNATURE);
    if (p->signature.tx != NULL) {
        sh = MIN(sh, bottom - cy);
        if (sh > ui_px(u, 24)) {
            p->drawn.signature_rect = draw_tex(u, &p->signature, col.x, cy, col.w, sh);
            p->drawn.signature = true;
        }
    }
    screens_main_button(u, r, _("Finish"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    review_priv *p = scr->priv;
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT) {
        session_continue(s);
    } else if (id >= ID_PAGE && id < ID_PAGE + FLOW_MAX_PERSONS) {
        if (p->page != (size_t)(id - ID_PAGE)) {
            p->page = (size_t)(id - ID_PAGE);
            unload(p);
        }
    } else if (id >= ID_RESTART && id < ID_RESTART + FLOW_MAX_PERSONS * FLOW_ITEM_COUNT_) {
        int k = id - ID_RESTART;
        session_staff_restart(s, (size_t)(k / FLOW_ITEM_COUNT_), (flow_item)(k % FLOW_ITEM_COUNT_));
    }
}

const screen_class screen_review = {
    .name = "review",
    .applicant = true,
    .priv_size = sizeof(review_priv),
    .enter = enter,
    .exit = leave,
    .action = action,
    .draw = draw,
};

bool review_get_drawn(const session *s, review_drawn *out)
{
    screen *scr = runner_find(session_runner(s), &screen_review);
    if (scr == NULL)
        return false;
    *out = ((review_priv *)scr->priv)->drawn;
    return true;
}
