/* "person": what is taken today from the current person, and why; or, when nothing is taken at
 * this desk, the instruction instead. */
#include <string.h>

#include "ui/screens/screens.h"

static const char *action_text(rules_action a)
{
    switch (a) {
    case RULES_ACTION_CAPTURE:
        return _("taken now");
    case RULES_ACTION_REUSE:
        return _("used again from before");
    case RULES_ACTION_BY_POST:
        return _("sent by post");
    case RULES_ACTION_NONE:
    case RULES_ACTION_COUNT_:
        break;
    }
    return _("not needed");
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    const flow_person *p = flow_get_person(f, flow_current_person(f));
    if (p == NULL)
        return;
    bool desk = p->plan.desk;
    const char *desk_rule = p->plan.reasons[RULES_ITEM_DESK].rule;
    /* everything on file is used again */
    bool reused = !desk && desk_rule != NULL && strcmp(desk_rule, "desk.all-reused") == 0;
    SDL_Rect r = session_draw_frame(
        s, u, desk ? _("What we take today") : _("Nothing is taken at this desk"), true);
    int y = r.y;
    if (!desk) {
        if (reused)
            y += ui_text(u, _("Nothing needs to be taken from you today"),
                         (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_PRIMARY,
                         UI_ALIGN_START);
        const char *why = reused ? _("What we need from you is on file already.")
                                 : screens_rule_text(desk_rule ? desk_rule : "");
        y += ui_text(u, why ? why : "", (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                     UI_ALIGN_START);
    } else {
        const rules_action actions[FLOW_ITEM_COUNT_] = {p->plan.photo, p->plan.fingerprints,
                                                        p->plan.signature};
        const rules_item items[FLOW_ITEM_COUNT_] = {RULES_ITEM_PHOTO, RULES_ITEM_FINGERPRINTS,
                                                    RULES_ITEM_SIGNATURE};
        /* one card per item, side by side, as tall as the room above the main button allows
         * (stacked, three cards ran under the button in large text at 1280x800) */
        int gap = ui_px(u, 16), pad = ui_px(u, 20);
        int bottom = r.y + r.h - (u->target + ui_px(u, 20)) - gap;
        int post_h = p->plan.may_post ? 2 * ui_line_height(u, UI_FONT_SMALL, "Ag") + gap : 0;
        int cw = (r.w - 2 * gap) / FLOW_ITEM_COUNT_;
        int ch = MIN(ui_px(u, 300), bottom - post_h - y);
        for (int it = 0; it < FLOW_ITEM_COUNT_; it++) {
            char line[200];
            g_snprintf(line, sizeof line, "%s: %s", screens_item_name((flow_item)it),
                       action_text(actions[it]));
            const char *why = screens_rule_text(p->plan.reasons[items[it]].rule);
            SDL_Rect card = ui_mirror(u, (SDL_Rect){r.x + it * (cw + gap), y, cw, ch});
            ui_fill_round(u, card, ui_px(u, 10), UI_COLOR_PANEL);
            SDL_Rect in = {card.x + pad, card.y + pad / 2, card.w - 2 * pad, card.h - pad};
            int h = ui_text(u, line, in, UI_FONT_BODY, UI_COLOR_PRIMARY, UI_ALIGN_START);
            ui_text(u, why ? why : "", (SDL_Rect){in.x, in.y + h, in.w, in.h - h}, UI_FONT_SMALL,
                    UI_COLOR_TEXT, UI_ALIGN_START);
        }
        y += ch + gap;
        if (p->plan.may_post)
            y +=
                ui_text(u,
                        _("You may also send the photo and signature by post with the form "
                          "'Bijlage fotokaart'."),
                        (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
    }
    screens_main_button(u, r, p->n_steps > 0 ? _("Start") : _("Continue"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT)
        session_continue(s);
}

const screen_class screen_person = {
    .name = "person",
    .applicant = true,
    .action = action,
    .draw = draw,
};
