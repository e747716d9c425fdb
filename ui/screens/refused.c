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

/* Too early or too late: the appointment's time and what to do, from the store's answer. NULL
 * when the time is not known (transfer full). */
/* HH:MM of a time in the appointment's own UTC offset. */
static void clock_text(int64_t t, int offset_minutes, char out[static 6])
{
    int64_t local = t + (int64_t)offset_minutes * 60;
    int64_t day = ((local % 86400) + 86400) % 86400;
    g_snprintf(out, 6, "%02d:%02d", (int)(day / 3600), (int)(day / 60 % 60));
}

static char *time_text(session *s, flow_refusal r)
{
    int64_t at;
    int offset;
    if ((r != FLOW_REFUSAL_TOO_EARLY && r != FLOW_REFUSAL_TOO_LATE) ||
        !session_refused_start(s, &at, &offset))
        return NULL;
    const visit_settings *vs = visit_get_settings(session_visit(s));
    char start[6], opens[6], closes[6];
    clock_text(at, offset, start);
    clock_text(at - (int64_t)vs->early_minutes * 60, offset, opens);
    clock_text(at + (int64_t)vs->late_minutes * 60, offset, closes);
    if (r == FLOW_REFUSAL_TOO_EARLY)
        /* TRANSLATORS: %s the appointment's time, %s when check-in opens (HH:MM) */
        return g_strdup_printf(_("Your appointment is at %s. You can check in from %s. "
                                 "Please wait until then, or ask the desk officer."),
                               start, opens);
    /* TRANSLATORS: %s the appointment's time, %s when check-in closed (HH:MM) */
    return g_strdup_printf(_("Your appointment was at %s. Check-in closed at %s. Please ask "
                             "the desk officer, or make a new appointment."),
                           start, closes);
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    const char *title, *what;
    bool retry;
    flow_refusal why = flow_get_refusal(session_flow(s));
    texts(why, &title, &what, &retry);
    g_autofree char *timed = time_text(s, why);
    SDL_Rect r = session_draw_frame(s, u, title, true);
    SDL_Rect band = {r.x, r.y, ui_px(u, 12), ui_px(u, 160)};
    ui_fill(u, ui_mirror(u, band), UI_COLOR_ALERT);
    ui_text(u, timed ? timed : what,
            ui_mirror(u, (SDL_Rect){r.x + ui_px(u, 36), r.y, r.w - ui_px(u, 36), r.h}),
            UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
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
