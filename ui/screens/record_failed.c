/* "record-failed": the records of the visit could not be written (disk full, outbox not
 * writable). The session stays in memory and does not time out; the kiosk tries again by itself
 * every SESSION_RECORD_RETRY_MS and when staff taps "Try again". Abort, no-show and quitting
 * are refused meanwhile (the records would be lost); the only way to end the visit without its
 * records is "Discard the records" and a second, explicit confirmation, audited with the staff
 * id. The staff lines say what is wrong without personal data. */
#include "ui/screens/screens.h"

enum {
    ID_RETRY = 500,
    ID_DISCARD,
    ID_DISCARD_YES,
    ID_DISCARD_NO,
};

typedef struct failed_priv {
    bool confirming; /* staff tapped "Discard the records": the second question shows */
} failed_priv;

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    failed_priv *p = scr->priv;
    SDL_Rect r = session_draw_frame(s, u, _("Please wait: the desk officer will help you."), true);
    int y = r.y;
    size_t waiting = session_record_waiting(s);
    char line[600];
    g_snprintf(line, sizeof line,
               _("Staff: %zu record(s) of this visit could not be saved (%s). Nothing is lost: "
                 "they are kept and the kiosk tries again every 30 seconds. Free space in the "
                 "outbox or fix it (e.g. export the outbox), then tap Try again."),
               waiting, session_record_problem(s));
    y += ui_text(u, line, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                 UI_ALIGN_START);
    if (session_record_refused(s))
        y += ui_text(u,
                     _("The visit cannot be aborted while its records wait: that would lose "
                       "them. Only if they can never be saved, discard them below; the "
                       "applicant must then come back."),
                     (SDL_Rect){r.x, y + ui_px(u, 12), r.w, r.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                     UI_ALIGN_START) +
             ui_px(u, 12);
    if (!session_staff_desk(s)) { /* discarding records: the desk officer's decision */
        p->confirming = false;
        return;
    }
    y += ui_px(u, 24);
    if (p->confirming) {
        g_snprintf(line, sizeof line,
                   _("Discard %zu record(s) for good? The photo, fingerprints and signature "
                     "taken in this visit are deleted and cannot be recovered; the applicant "
                     "must come back."),
                   waiting);
        y += ui_text(u, line, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                     UI_ALIGN_START);
        y += ui_px(u, 12);
        int w = ui_px(u, 560);
        button_draw(u, ui_mirror(u, (SDL_Rect){r.x, y, w, u->target}), _("Yes, discard them"),
                    ID_DISCARD_YES, BUTTON_ALERT);
        screens_main_button(u, r, _("No, keep them"), ID_DISCARD_NO);
        return;
    }
    button_draw(u, ui_mirror(u, (SDL_Rect){r.x, y, ui_px(u, 560), u->target}),
                _("Discard the records"), ID_DISCARD, BUTTON_ALERT);
    screens_main_button(u, r, _("Try again"), ID_RETRY);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    failed_priv *p = scr->priv;
    runner *owner = scr->owner; /* a discard replaces this screen (scr is gone then) */
    if (session_language_action(s, id))
        return;
    if (!session_staff_desk(s))
        return;
    session_staff_touch(s);
    switch (id) {
    case ID_RETRY:
        session_record_retry(s);
        break;
    case ID_DISCARD:
        p->confirming = true;
        break;
    case ID_DISCARD_NO:
        p->confirming = false;
        break;
    case ID_DISCARD_YES:
        p->confirming = false;
        session_record_discard(s);
        break;
    default:
        break;
    }
    runner_invalidate(owner);
}

const screen_class screen_record_failed = {
    .name = "record-failed",
    .applicant = true,
    .priv_size = sizeof(failed_priv),
    .action = action,
    .draw = draw,
};
