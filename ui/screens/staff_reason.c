/* "staff-reason": staff choose why they override, skip or mark an exception. The reasons are a
 * fixed list so that the log stays free of personal text. */
#include "ui/screens/screens.h"

#define ID_REASON 700
#define ID_CANCEL 799

static const char *const override_reasons[] = {
    N_("Delay at the desk"),
    N_("Delay in public transport"),
    N_("Urgent appointment"),
    N_("Agreed with the desk manager"),
};
static const char *const skip_reasons[] = {
    N_("Not available on this kiosk"),
    N_("Device fault"),
    N_("Taken at another desk"),
    N_("Agreed with the desk manager"),
};
static const char *const exception_reasons[] = {
    N_("Permanently impossible (physical)"),
    N_("Temporarily impossible (injury)"),
    N_("Religious or medical head covering"),
    N_("Agreed with the desk manager"),
};

static const char *const *reasons(session_staff_action a, size_t *n)
{
    *n = 4;
    switch (a) {
    case SESSION_STAFF_OVERRIDE:
        return override_reasons;
    case SESSION_STAFF_SKIP:
        return skip_reasons;
    case SESSION_STAFF_EXCEPTION:
    case SESSION_STAFF_COUNT_:
        break;
    }
    return exception_reasons;
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    size_t n;
    const char *const *list = reasons(session_pending_reason(s), &n);
    SDL_Rect r = panel_draw(u, ui_px(u, 1000), u->h - ui_px(u, 80));
    int y = r.y;
    y += ui_text(u, _("Choose the reason"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE,
                 UI_COLOR_TEXT, UI_ALIGN_START);
    int bh = u->target, gap = ui_px(u, 10);
    for (size_t i = 0; i < n; i++) {
        button_draw(u, (SDL_Rect){r.x, y, r.w, bh}, _(list[i]), ID_REASON + (int)i, BUTTON_STAFF);
        y += bh + gap;
    }
    button_draw(u, (SDL_Rect){r.x, r.y + r.h - bh, r.w, bh}, _("Cancel"), ID_CANCEL,
                BUTTON_SECONDARY);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    size_t n;
    session_staff_action a = session_pending_reason(s);
    const char *const *list = reasons(a, &n);
    session_staff_touch(s);
    if (id == ID_CANCEL) {
        runner_pop(scr->owner);
    } else if (id >= ID_REASON && (size_t)(id - ID_REASON) < n) {
        /* The log gets the English reason, whatever the screen's language. */
        const char *reason = list[id - ID_REASON];
        runner_pop(scr->owner);
        session_staff_with_reason(s, a, reason);
    }
}

const screen_class screen_staff_reason = {
    .name = "staff-reason",
    .action = action,
    .draw = draw,
};
