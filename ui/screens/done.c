/* "done": what happens next; that this was not an application for a residence permit; that it
 * was free. Returns to the welcome screen by itself (the session's timer) or on a tap. */
#include "ui/screens/screens.h"

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    const session_settings *set = session_get_settings(s);
    SDL_Rect r = session_draw_frame(s, u, _("Thank you. You are done."), true);
    int y = r.y;
    char next[300];
    if (set->courier)
        g_snprintf(next, sizeof next,
                   _("Your document will be delivered to you by courier in about %d working "
                     "days."),
                   set->working_days);
    else
        g_snprintf(next, sizeof next,
                   _("You can collect your document at this desk in about %d working days. "
                     "You will get a message when it is ready."),
                   set->working_days);
    y +=
        ui_text(u, next, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 20);
    y += ui_text(u,
                 _("Please note: giving biometrics is not an application for a residence "
                   "permit."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);
    y += ui_px(u, 20);
    ui_text(u, _("Giving biometrics is free of charge."), (SDL_Rect){r.x, y, r.w, r.h},
            UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    screens_main_button(u, r, _("Close"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT)
        session_home(s);
}

const screen_class screen_done = {
    .name = "done",
    .applicant = true,
    .action = action,
    .draw = draw,
};
