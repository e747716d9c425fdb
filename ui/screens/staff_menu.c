/* "staff-menu": what staff may do at this point of the session. */
#include "ui/screens/screens.h"

enum {
    ID_CLOSE = 600,
    ID_OVERRIDE,
    ID_SKIP,
    ID_RESTART,
    ID_EXCEPTION,
    ID_ABORT,
    ID_NO_SHOW,
    ID_DEVICES,
    ID_SIGN_OUT,
    ID_QUIT,
    ID_TECHNICIAN,
};

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    flow_stage stage = flow_get_stage(f);
    SDL_Rect r = panel_draw(u, ui_px(u, 1000), u->h - ui_px(u, 80));
    int y = r.y;
    y += ui_text(u, _("Staff menu"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    int bh = u->target, gap = ui_px(u, 10);
#define ITEM(label, id, style)                                                                     \
    do {                                                                                           \
        button_draw(u, (SDL_Rect){r.x, y, r.w, bh}, label, id, style);                             \
        y += bh + gap;                                                                             \
    } while (0)
    /* the desk's actions for a desk officer only (a technician is none unless the account has
     * both roles); the controller checks the role again where each happens */
    bool desk = session_staff_desk(s);
    if (desk && stage == FLOW_STAGE_APPOINTMENT && flow_refusal_overridable(flow_get_refusal(f)))
        ITEM(_("Override the arrival time"), ID_OVERRIDE, BUTTON_STAFF);
    if (desk && stage == FLOW_STAGE_CAPTURE) {
        ITEM(_("Skip this step"), ID_SKIP, BUTTON_STAFF);
        ITEM(_("Restart this step"), ID_RESTART, BUTTON_STAFF);
        ITEM(_("Mark an exception"), ID_EXCEPTION, BUTTON_STAFF);
    }
    /* The applicant checked in but did not come to the desk. */
    if (desk && ((stage == FLOW_STAGE_APPOINTMENT && flow_get_refusal(f) == FLOW_REFUSAL_NONE) ||
                 stage == FLOW_STAGE_DOCUMENTS))
        ITEM(_("Mark as no-show"), ID_NO_SHOW, BUTTON_ALERT);
    if (desk && flow_person_count(f) > 0 && stage != FLOW_STAGE_DONE)
        ITEM(_("Abort the session"), ID_ABORT, BUTTON_ALERT);
    ITEM(_("Device status"), ID_DEVICES, BUTTON_SECONDARY);
    ITEM(_("Sign out"), ID_SIGN_OUT, BUTTON_SECONDARY);
    /* the technician screen, outside a visit only: its checks and full-screen tests must not
     * meet an applicant's capture */
    if (session_staff_technician(s) && session_technician_screen() && flow_person_count(f) == 0)
        ITEM(_("Test this kiosk"), ID_TECHNICIAN, BUTTON_STAFF);
    if (session_staff_technician(s))
        ITEM(_("Close the kiosk program"), ID_QUIT, BUTTON_ALERT);
#undef ITEM
    button_draw(u, (SDL_Rect){r.x, r.y + r.h - bh, r.w, bh}, _("Close this menu"), ID_CLOSE,
                BUTTON_SECONDARY);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    runner *r = scr->owner;
    session_staff_touch(s);
    switch (id) {
    case ID_CLOSE:
        runner_pop(r);
        return;
    case ID_OVERRIDE:
        runner_pop(r);
        session_ask_reason(s, SESSION_STAFF_OVERRIDE);
        return;
    case ID_SKIP:
        runner_pop(r);
        session_ask_reason(s, SESSION_STAFF_SKIP);
        return;
    case ID_EXCEPTION:
        runner_pop(r);
        session_ask_reason(s, SESSION_STAFF_EXCEPTION);
        return;
    case ID_RESTART: {
        flow *f = session_flow(s);
        const flow_step *st = flow_get_step(f);
        if (st)
            session_staff_restart(s, flow_current_person(f), st->item);
        return;
    }
    case ID_ABORT:
        session_staff_abort(s);
        return;
    case ID_NO_SHOW:
        session_staff_no_show(s);
        return;
    case ID_DEVICES:
        runner_pop(r);
        runner_push(r, &screen_device_status);
        return;
    case ID_SIGN_OUT:
        session_staff_sign_out(s);
        return;
    case ID_QUIT:
        session_staff_quit(s);
        return;
    case ID_TECHNICIAN:
        session_technician_enter(s);
        return;
    default:
        return;
    }
}

static bool input(screen *scr, const SDL_Event *ev)
{
    if (ev->type == SDL_KEYDOWN && ev->key.keysym.sym == SDLK_ESCAPE) {
        runner_pop(scr->owner);
        return true;
    }
    return false;
}

const screen_class screen_staff_menu = {
    .name = "staff-menu",
    .input = input,
    .action = action,
    .draw = draw,
};
