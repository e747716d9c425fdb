/* "appointment": who is on the accepted appointment. */
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
        SDL_Rect card = {r.x, y, r.w, ui_px(u, 64)};
        ui_fill_round(u, card, ui_px(u, 10), UI_COLOR_PANEL);
        int th;
        ui_text_size(u, p->name, UI_FONT_BODY, NULL, &th);
        int pad = ui_px(u, 20);
        ui_text(u, p->name, (SDL_Rect){r.x + pad, y + (card.h - th) / 2, r.w - 2 * pad, th},
                UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
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
