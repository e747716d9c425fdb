/* "welcome": the first screen; choose a language and start. */
#include "ui/screens/screens.h"

/* The larger text and high contrast toggle. */
#define ID_LARGE 50

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = session_draw_frame(s, u, _("Welcome"), true);
    int y = r.y;
    y += ui_text(u,
                 _("Here you give your passport photo, fingerprints and signature for your "
                   "residence document."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 6);
    y += ui_text(u,
                 _("It takes about 10 minutes for each person: you type your code and show your "
                   "documents, then each person has a photo taken, gives fingerprints and "
                   "signs."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 6);
    y += ui_text(u, _("Have ready:"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    const char *ready[] = {
        _("the appointment code from your confirmation e-mail"),
        _("the passport of each person"),
        _("the residence document of each person, or the police report if it was lost"),
    };
    int indent = ui_px(u, 40), dot = ui_px(u, 12);
    for (size_t i = 0; i < G_N_ELEMENTS(ready); i++) {
        int lh = ui_line_height(u, UI_FONT_BODY, ready[i]);
        ui_fill(u, ui_mirror(u, (SDL_Rect){r.x + indent / 3, y + (lh - dot) / 2, dot, dot}),
                UI_COLOR_TEXT);
        SDL_Rect line = ui_mirror(u, (SDL_Rect){r.x + indent, y, r.w - indent, r.h});
        y += ui_text(u, ready[i], line, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    }
    screens_side_button(u, r, session_ui(s)->large ? _("Normal text") : _("Larger text"), ID_LARGE);
    screens_main_button(u, r, _("Start"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT)
        session_start(s);
    else if (id == ID_LARGE)
        ui_set_large(session_ui(s), !session_ui(s)->large); /* until the visit ends */
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
