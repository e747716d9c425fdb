/* "refused": the code was not accepted; why, and what to do next. */
#include "ui/screens/screens.h"

static void texts(flow_refusal r, const char **title, const char **what, bool *retry)
{
    *retry = false;
    switch (r) {
    case FLOW_REFUSAL_MALFORMED:
        *title = _("This is not an appointment code");
        *what = _("A code has 9 letters and digits, like ABCD-EFGH-J. Please type it again.");
        *retry = true;
        return;
    case FLOW_REFUSAL_CHECK_FAILED:
        *title = _("There is probably a typing error in the code");
        *what = _("Please check the code in your e-mail and type it again.");
        *retry = true;
        return;
    case FLOW_REFUSAL_UNKNOWN:
        *title = _("We cannot find this appointment");
        *what = _("Please check the code in your e-mail and type it again. If it still does not "
                  "work, ask the desk officer.");
        *retry = true;
        return;
    case FLOW_REFUSAL_WRONG_DESK:
        *title = _("Your appointment is at another desk");
        *what = _("Please go to the desk named in your confirmation e-mail, or make a new "
                  "appointment.");
        return;
    case FLOW_REFUSAL_WRONG_DAY:
        *title = _("Your appointment is on another day");
        *what = _("Please come back on the day of your appointment, or ask the desk officer.");
        return;
    case FLOW_REFUSAL_TOO_EARLY:
        *title = _("You are too early");
        *what = _("You can check in from 30 minutes before your appointment. Please wait, or "
                  "ask the desk officer.");
        return;
    case FLOW_REFUSAL_TOO_LATE:
        *title = _("You are too late for your appointment");
        *what = _("Please ask the desk officer. You may need to make a new appointment.");
        return;
    case FLOW_REFUSAL_CANCELLED:
        *title = _("This appointment was cancelled");
        *what = _("Please make a new appointment, or ask the desk officer.");
        return;
    case FLOW_REFUSAL_ALREADY_USED:
        *title = _("This code has already been used");
        *what = _("Please ask the desk officer.");
        return;
    case FLOW_REFUSAL_UNAVAILABLE:
    case FLOW_REFUSAL_NONE:
    case FLOW_REFUSAL_COUNT_:
        break;
    }
    *title = _("The kiosk cannot check your code right now");
    *what = _("Please ask the desk officer.");
    *retry = true;
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    const char *title, *what;
    bool retry;
    texts(flow_get_refusal(session_flow(s)), &title, &what, &retry);
    SDL_Rect r = session_draw_frame(s, u, title, true);
    SDL_Rect band = {r.x, r.y, ui_px(u, 12), ui_px(u, 160)};
    ui_fill(u, ui_mirror(u, band), UI_COLOR_ALERT);
    ui_text(u, what, (SDL_Rect){r.x + ui_px(u, 36), r.y, r.w - ui_px(u, 36), r.h}, UI_FONT_BODY,
            UI_COLOR_TEXT, UI_ALIGN_START);
    if (retry)
        screens_main_button(u, r, _("Type the code again"), SCREEN_ID_RETRY);
    screens_side_button(u, r, _("Back to the start"), SCREEN_ID_HOME);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_RETRY)
        session_retry_code(s);
    else if (id == SCREEN_ID_HOME)
        session_home(s);
}

const screen_class screen_refused = {
    .name = "refused",
    .applicant = true,
    .action = action,
    .draw = draw,
};
