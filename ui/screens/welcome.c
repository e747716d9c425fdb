/* "welcome": the first screen; choose a language and start. */
#include "ui/screens/screens.h"

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = session_draw_frame(s, u, _("Welcome"), true);
    int y = r.y;
    y += ui_text(u,
                 _("Here you give your passport photo, fingerprints and signature for your "
                   "residence document."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 20);
    ui_text(u, _("You need the appointment code from your confirmation e-mail."),
            (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    screens_main_button(u, r, _("Start"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT)
        session_start(s);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    if (ev->type == SDL_KEYDOWN &&
        (ev->key.keysym.sym == SDLK_RETURN || ev->key.keysym.sym == SDLK_KP_ENTER)) {
        session_start(SCREEN_SESSION(scr));
        return true;
    }
    return false;
}

const screen_class screen_welcome = {
    .name = "welcome",
    .applicant = true,
    .input = input,
    .action = action,
    .draw = draw,
};
