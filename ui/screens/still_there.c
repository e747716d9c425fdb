/* "still-there": after the idle time, a question with a countdown; no answer wipes the session
 * (the session's timer does that). */
#include "ui/screens/screens.h"

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = panel_draw(u, ui_px(u, 1100), ui_px(u, 560));
    int y = r.y;
    y += ui_text(u, _("Are you still there?"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE,
                 UI_COLOR_TEXT, UI_ALIGN_CENTER);
    y += ui_px(u, 20);
    char line[200];
    g_snprintf(line, sizeof line, _("Your session ends in %d seconds."),
               flow_idle_countdown(session_flow(s), session_now_ms(s)));
    ui_text(u, line, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_CENTER);
    int bw = ui_px(u, 520), bh = u->target + ui_px(u, 20);
    button_draw(u, (SDL_Rect){r.x + (r.w - bw) / 2, r.y + r.h - bh, bw, bh},
                _("Yes, I am still here"), SCREEN_ID_NEXT, BUTTON_PRIMARY);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (id == SCREEN_ID_NEXT) {
        session_touch(s);
        runner_pop(scr->owner);
    }
}

typedef struct priv {
    int shown; /* the countdown's number on screen */
} priv;

static int64_t update(screen *scr, int64_t now_ms)
{
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    int left = flow_idle_countdown(session_flow(s), now_ms);
    if (left != p->shown) {
        p->shown = left;
        runner_invalidate(scr->owner);
    }
    return flow_idle_next_ms(session_flow(s), now_ms);
}

const screen_class screen_still_there = {
    .name = "still-there",
    .applicant = true,
    .priv_size = sizeof(priv),
    .action = action,
    .update = update,
    .draw = draw,
};
