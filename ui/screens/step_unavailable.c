/* "step-unavailable": the plan asks for a capture that this kiosk has no screen for. Staff may
 * skip it with a reason from the staff menu; nothing is captured in its place. */
#include "ui/screens/screens.h"

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    const flow_step *st = flow_get_step(session_flow(s));
    SDL_Rect r = session_draw_frame(s, u, st ? screens_item_name(st->item) : "", true);
    int y = r.y;
    y += ui_text(u, _("This step is not available on this kiosk."), (SDL_Rect){r.x, y, r.w, r.h},
                 UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);
    y += ui_px(u, 12);
    ui_text(u, _("Please wait: the desk officer will help you."), (SDL_Rect){r.x, y, r.w, r.h},
            UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
}

static void action(screen *scr, int id)
{
    session_language_action(SCREEN_SESSION(scr), id);
}

const screen_class screen_step_unavailable = {
    .name = "step-unavailable",
    .applicant = true,
    .action = action,
    .draw = draw,
};
