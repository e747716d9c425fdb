/* "device-status": for staff, a line per capture device and the store. */
#include "ui/screens/screens.h"

#define ID_CLOSE 800

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = panel_draw(u, ui_px(u, 1200), u->h - ui_px(u, 80));
    int y = r.y;
    y += ui_text(u, _("Device status"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    g_auto(GStrv) lines = session_device_status(s);
    for (char **l = lines; *l; l++)
        y += ui_text(u, *l, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                     UI_ALIGN_START);
    int bh = u->target;
    button_draw(u, (SDL_Rect){r.x, r.y + r.h - bh, r.w, bh}, _("Close"), ID_CLOSE,
                BUTTON_SECONDARY);
}

static void action(screen *scr, int id)
{
    session_staff_touch(SCREEN_SESSION(scr));
    if (id == ID_CLOSE)
        runner_pop(scr->owner);
}

const screen_class screen_device_status = {
    .name = "device-status",
    .action = action,
    .draw = draw,
};
