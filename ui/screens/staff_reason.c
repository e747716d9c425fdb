/* "staff-reason": staff choose why they override, skip or mark an exception. The reasons are a
 * fixed list (visit/visit.h) so that the log stays free of personal text: it gets a code. */
#include "ui/screens/screens.h"

#define ID_REASON 700
#define ID_CANCEL 799

/* The English texts of the reasons (visit_reason_text), here for the translations; the log gets
 * each one's code only. */
static const char *const reason_texts[] G_GNUC_UNUSED = {
    N_("Delay at the desk"),
    N_("Delay in public transport"),
    N_("Urgent appointment"),
    N_("Agreed with the desk manager"),
    N_("Not available on this kiosk"),
    N_("Device fault"),
    N_("Taken at another desk"),
    N_("Permanently impossible (physical)"),
    N_("Temporarily impossible (injury)"),
    N_("Religious or medical head covering"),
};

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    size_t n;
    const visit_reason *list = visit_reasons(session_pending_reason(s), &n);
    SDL_Rect r = panel_draw(u, ui_px(u, 1000), u->h - ui_px(u, 80));
    int y = r.y;
    y += ui_text(u, _("Choose the reason"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE,
                 UI_COLOR_TEXT, UI_ALIGN_START);
    int bh = u->target, gap = ui_px(u, 10);
    for (size_t i = 0; i < n; i++) {
        button_draw(u, (SDL_Rect){r.x, y, r.w, bh}, _(visit_reason_text(list[i])),
                    ID_REASON + (int)i, BUTTON_STAFF);
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
    const visit_reason *list = visit_reasons(a, &n);
    session_staff_touch(s);
    if (id == ID_CANCEL) {
        runner_pop(scr->owner);
    } else if (id >= ID_REASON && (size_t)(id - ID_REASON) < n) {
        /* The log gets the reason's code only, whatever the screen's language. */
        visit_reason reason = list[id - ID_REASON];
        runner_pop(scr->owner);
        session_staff_with_reason(s, a, reason);
    }
}

const screen_class screen_staff_reason = {
    .name = "staff-reason",
    .action = action,
    .draw = draw,
};
