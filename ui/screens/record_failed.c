/* "record-failed": the records of the visit could not be written (disk full, outbox not
 * writable). The session stays in memory and does not time out; the kiosk tries again by itself
 * every SESSION_RECORD_RETRY_MS and when staff taps "Try again". The staff lines are English (the
 * staff screens' language) and say what is wrong without personal data. */
#include "kioskrec.h"
#include "screens.h"

#define ID_RETRY 500

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = session_draw_frame(s, u, _("Please wait: the desk officer will help you."), true);
    int y = r.y;
    char line[400];
    g_snprintf(line, sizeof line,
               "Staff: the record could not be saved (%s). Nothing was lost: the session is kept "
               "and the kiosk tries again by itself. Free space or fix the outbox, then Try again.",
               kioskrec_problem(session_get_settings(s)->record));
    y += ui_text(u, line, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                 UI_ALIGN_START);
    if (session_staff_active(s))
        screens_main_button(u, r, "Try again", ID_RETRY);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == ID_RETRY && session_staff_active(s))
        session_record_retry(s);
}

const screen_class screen_record_failed = {
    .name = "record-failed",
    .applicant = true,
    .action = action,
    .draw = draw,
};
