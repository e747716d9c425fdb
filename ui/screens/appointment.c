/* "appointment": who is on the accepted appointment. */
#include <string.h>

#include "ui/screens/screens.h"

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    SDL_Rect r = session_draw_frame(s, u, _("Your appointment"), true);
    int y = r.y;
    y += ui_text(u, _("These persons are on your appointment:"), (SDL_Rect){r.x, y, r.w, r.h},
                 UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 12);
    for (size_t i = 0; i < flow_person_count(f); i++) {
        const flow_person *p = flow_get_person(f, i);
        /* everything on file is used again: this person need not have come to the desk */
        const char *note =
            !p->plan.desk && p->plan.reasons[RULES_ITEM_DESK].rule != NULL &&
                    strcmp(p->plan.reasons[RULES_ITEM_DESK].rule, "desk.all-reused") == 0
                ? _("Nothing needs to be taken from you today")
                : NULL;
        int pad = ui_px(u, 20);
        int th;
        ui_text_size(u, p->name, UI_FONT_BODY, NULL, &th);
        int nh = note ? ui_line_height(u, UI_FONT_SMALL, note) : 0;
        SDL_Rect card = {r.x, y, r.w, MAX(ui_px(u, 64), th + nh + pad)};
        ui_fill_round(u, card, ui_px(u, 10), UI_COLOR_PANEL);
        int ty = y + (card.h - th - nh) / 2;
        ui_text(u, p->name, (SDL_Rect){r.x + pad, ty, r.w - 2 * pad, th}, UI_FONT_BODY,
                UI_COLOR_TEXT, UI_ALIGN_START);
        if (note != NULL)
            ui_text(u, note, (SDL_Rect){r.x + pad, ty + th, r.w - 2 * pad, nh}, UI_FONT_SMALL,
                    UI_COLOR_PRIMARY, UI_ALIGN_START);
        y += card.h + ui_px(u, 10);
    }
    y += ui_px(u, 16);
    ui_text(u, _("Is this right? Then continue. If not, ask the desk officer."),
            (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    screens_main_button(u, r, _("Continue"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT)
        session_continue(s);
}

const screen_class screen_appointment = {
    .name = "appointment",
    .applicant = true,
    .action = action,
    .draw = draw,
};
