/* "documents": the documents the desk officer checks for each person (rules.md, "Documents the
 * desk checks"); staff ticks them off, and that a parent is present when a child is under 14. */
#include "ui/screens/screens.h"

#define ID_PERSON 300 /* + person index */
#define ID_PARENT 299

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    bool staff = session_staff_desk(s);
    SDL_Rect r = session_draw_frame(s, u, _("Your documents"), !staff);
    int y = r.y;
    y += ui_text(u, _("Please have these ready for the desk officer:"),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    bool nl_child = false;
    for (size_t i = 0; i < flow_person_count(f); i++)
        if (flow_get_person(f, i)->born_in_nl && flow_get_person(f, i)->plan.age < 18)
            nl_child = true;
    const char *docs[5];
    size_t nd = 0;
    docs[nd++] = _("- a valid passport or other travel document, for each person");
    docs[nd++] = _("- the old residence document, or the police report of its loss or theft");
    if (nl_child)
        docs[nd++] = _("- for a child born in the Netherlands: the parent's valid passport or "
                       "residence document, and the child's passport or birth certificate");
    if (flow_needs_parent(f))
        docs[nd++] = _("- a child under 14 comes with a parent");
    for (size_t i = 0; i < nd; i++)
        y += ui_text(u, docs[i], (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                     UI_ALIGN_START);
    y += ui_px(u, 20);
    if (!staff) {
        ui_text(u, _("A desk officer checks your documents now. Please wait."),
                (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_PRIMARY, UI_ALIGN_START);
        return;
    }
    int row = u->target + ui_px(u, 8);
    /* The ticks stay clear of the main button at the end side. */
    int cw = r.w - ui_px(u, 480) - ui_px(u, 32);
    y += ui_text(u, _("Documents checked:"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY,
                 UI_COLOR_TEXT, UI_ALIGN_START);
    for (size_t i = 0; i < flow_person_count(f); i++) {
        const flow_person *p = flow_get_person(f, i);
        checkbox_draw(u, ui_mirror(u, (SDL_Rect){r.x, y, cw, u->target}), p->name, p->documents_ok,
                      ID_PERSON + (int)i);
        y += row;
    }
    if (flow_needs_parent(f)) {
        checkbox_draw(u, ui_mirror(u, (SDL_Rect){r.x, y, cw, u->target}), _("A parent is present"),
                      flow_parent_present(f), ID_PARENT);
        y += row;
    }
    if (flow_documents_complete(f))
        screens_main_button(u, r, _("Continue"), SCREEN_ID_NEXT);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    flow *f = session_flow(s);
    if (session_language_action(s, id))
        return;
    if (id == ID_PARENT) {
        session_staff_confirm_parent(s, !flow_parent_present(f));
    } else if (id >= ID_PERSON && (size_t)(id - ID_PERSON) < flow_person_count(f)) {
        size_t i = (size_t)(id - ID_PERSON);
        session_staff_confirm_documents(s, i, !flow_get_person(f, i)->documents_ok);
    } else if (id == SCREEN_ID_NEXT) {
        session_continue(s);
    }
}

const screen_class screen_documents = {
    .name = "documents",
    .applicant = true,
    .action = action,
    .draw = draw,
};
