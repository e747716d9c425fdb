/* "review": what was taken from each person; staff may restart a step from here. */
#include "ui/screens/screens.h"

#define ID_RESTART 400 /* + person * FLOW_ITEM_COUNT_ + item */

static const char *state_text(flow_step_state st)
{
    switch (st) {
    case FLOW_STEP_DONE:
        return _("done");
    case FLOW_STEP_SKIPPED:
        return _("skipped by the desk officer");
    case FLOW_STEP_EXCEPTION:
        return _("exception noted by the desk officer");
    case FLOW_STEP_PENDING:
        break;
    }
    return _("not done");
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    bool staff = session_staff_active(s);
    SDL_Rect r = session_draw_frame(s, u, _("Check what was taken"), true);
    int y = r.y;
    for (size_t i = 0; i < flow_person_count(f); i++) {
        const flow_person *p = flow_get_person(f, i);
        y += ui_text(u, p->name, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_PRIMARY,
                     UI_ALIGN_START);
        if (p->n_steps == 0)
            y += ui_text(u, _("Nothing is taken at this desk today."), (SDL_Rect){r.x, y, r.w, r.h},
                         UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
        for (size_t j = 0; j < p->n_steps; j++) {
            char line[200];
            g_snprintf(line, sizeof line, "%s: %s", screens_item_name(p->steps[j].item),
                       state_text(p->steps[j].state));
            SDL_Rect tr = {r.x + ui_px(u, 24), y, r.w / 2 - ui_px(u, 48), r.h};
            int h =
                ui_text(u, line, ui_mirror(u, tr), UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
            if (staff) {
                char label[96];
                g_snprintf(label, sizeof label, "%s %zu %s", _("Redo"), i + 1,
                           screens_item_name(p->steps[j].item));
                SDL_Rect b = {r.x + r.w / 2, y, ui_px(u, 420), u->target};
                button_draw(u, ui_mirror(u, b), label,
                            ID_RESTART + (int)(i * FLOW_ITEM_COUNT_ + p->steps[j].item),
                            BUTTON_STAFF);
                h = u->target + ui_px(u, 6);
            }
            y += h;
        }
        y += ui_px(u, 12);
    }
    screens_main_button(u, r, _("Finish"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    if (session_language_action(s, id))
        return;
    if (id == SCREEN_ID_NEXT) {
        session_continue(s);
    } else if (id >= ID_RESTART && id < ID_RESTART + FLOW_MAX_PERSONS * FLOW_ITEM_COUNT_) {
        int k = id - ID_RESTART;
        session_staff_restart(s, (size_t)(k / FLOW_ITEM_COUNT_), (flow_item)(k % FLOW_ITEM_COUNT_));
    }
}

const screen_class screen_review = {
    .name = "review",
    .applicant = true,
    .action = action,
    .draw = draw,
};
