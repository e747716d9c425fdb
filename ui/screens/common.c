#include "ui/screens/screens.h"

#include <string.h>

SDL_Rect screens_main_button(ui *u, SDL_Rect r, const char *label, int id)
{
    int w = ui_px(u, 480);
    int h = u->target + ui_px(u, 20);
    SDL_Rect b = ui_mirror(u, (SDL_Rect){r.x + r.w - w, r.y + r.h - h, w, h});
    return button_draw(u, b, label, id, BUTTON_PRIMARY);
}

SDL_Rect screens_side_button(ui *u, SDL_Rect r, const char *label, int id)
{
    int w = ui_px(u, 480);
    int h = u->target + ui_px(u, 20);
    SDL_Rect b = ui_mirror(u, (SDL_Rect){r.x, r.y + r.h - h, w, h});
    return button_draw(u, b, label, id, BUTTON_SECONDARY);
}

static const struct {
    const char *rule;
    const char *text;
} rule_texts[] = {
    {"desk.mvv-abroad", N_("Your biometrics are taken at the Dutch embassy or consulate abroad, "
                           "not at this desk.")},
    {"desk.under-1", N_("Children under 1 year: nothing is taken at this desk. Send a "
                        "photographer's passport photo with the form 'Bijlage fotokaart'.")},
    {"photo.under-1", N_("Send a photographer's passport photo with the form 'Bijlage "
                         "fotokaart'.")},
    {"photo.child", N_("Children always have a new photo taken.")},
    {"photo.none-on-file", N_("We have no photo of you yet.")},
    {"photo.milestone", N_("You turned 18 since your last photo.")},
    {"photo.recent", N_("Your photo from less than 6 months ago is used again.")},
    {"photo.too-old", N_("Your last photo is older than 6 months.")},
    {"fingerprints.under-6", N_("Children under 6 do not give fingerprints.")},
    {"fingerprints.eu-citizen-permanent", N_("No fingerprints are needed for you.")},
    {"fingerprints.eu-family-member", N_("Family members of EU citizens give new fingerprints "
                                         "every time.")},
    {"fingerprints.none-on-file", N_("We have no fingerprints of you yet.")},
    {"fingerprints.poor", N_("Your earlier fingerprints were not clear enough.")},
    {"fingerprints.milestone", N_("You turned 6, 12 or 18 since your last fingerprints.")},
    {"fingerprints.on-file", N_("Your fingerprints from before are used again.")},
    {"signature.under-12", N_("Children under 12 do not sign.")},
    {"signature.minor", N_("From 12 to 17 years you sign at the desk.")},
    {"signature.none-on-file", N_("We have no signature of you yet.")},
    {"signature.given-as-minor", N_("You signed before you were 18: you sign again.")},
    {"signature.on-file", N_("Your signature from before is used again.")},
    {"photo.mvv-abroad", N_("Taken at the Dutch embassy or consulate abroad.")},
    {"fingerprints.mvv-abroad", N_("Taken at the Dutch embassy or consulate abroad.")},
    {"signature.mvv-abroad", N_("Taken at the Dutch embassy or consulate abroad.")},
};

const char *screens_rule_text(const char *rule)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rule_texts); i++)
        if (strcmp(rule_texts[i].rule, rule) == 0)
            return _(rule_texts[i].text);
    return NULL;
}

const char *screens_item_name(flow_item item)
{
    switch (item) {
    case FLOW_ITEM_PHOTO:
        return _("Photo");
    case FLOW_ITEM_FINGERPRINTS:
        return _("Fingerprints");
    case FLOW_ITEM_SIGNATURE:
        return _("Signature");
    case FLOW_ITEM_COUNT_:
        break;
    }
    return "";
}

/* ---- the common frame of applicant screens (session.h) ---- */

bool session_language_action(session *s, int id)
{
    int i = id - SESSION_LANG_ID;
    if (i < 0 || (size_t)i >= session_get_settings(s)->n_languages)
        return false;
    session_set_language(s, session_get_settings(s)->languages[i]);
    return true;
}

/* The steps of this visit for the progress line: Code, Documents, the current person's capture
 * steps (or, before and after the persons, none), Review. */
typedef struct frame_steps {
    progress_step steps[3 + FLOW_ITEM_COUNT_];
    size_t n;
} frame_steps;

static progress_state stage_state(flow_stage stage, flow_stage of)
{
    return stage > of ? PROGRESS_DONE : stage == of ? PROGRESS_CURRENT : PROGRESS_TODO;
}

static void frame_progress(const flow *f, flow_stage stage, frame_steps *fs, char *who,
                           size_t who_size)
{
    fs->n = 0;
    fs->steps[fs->n++] = (progress_step){_("Code"), PROGRESS_DONE, false};
    fs->steps[fs->n++] =
        (progress_step){_("Documents"), stage_state(stage, FLOW_STAGE_DOCUMENTS), false};
    who[0] = '\0';
    const flow_person *p = flow_get_person(f, flow_current_person(f));
    if ((stage == FLOW_STAGE_PERSON || stage == FLOW_STAGE_CAPTURE) && p != NULL) {
        g_strlcpy(who, p->name, who_size);
        char *sp = strchr(who, ' ');
        if (sp != NULL)
            *sp = '\0';
        int cur = flow_current_step(f);
        for (size_t j = 0; j < p->n_steps; j++) {
            progress_state st = p->steps[j].state != FLOW_STEP_PENDING ? PROGRESS_DONE
                                : (int)j == cur                        ? PROGRESS_CURRENT
                                                                       : PROGRESS_TODO;
            fs->steps[fs->n++] = (progress_step){screens_item_name(p->steps[j].item), st, j == 0};
        }
    }
    fs->steps[fs->n++] = (progress_step){_("Review"), stage_state(stage, FLOW_STAGE_REVIEW), false};
}

SDL_Rect session_draw_frame(session *s, ui *u, const char *title, bool languages)
{
    int margin = ui_px(u, 64);
    int y = ui_px(u, 40);
    if (languages && session_get_settings(s)->n_languages > 1) {
        int gap = ui_px(u, 12);
        int n = (int)session_get_settings(s)->n_languages;
        int bw = (u->w - 2 * margin - gap * (n - 1)) / n;
        for (int i = 0; i < n; i++) {
            SDL_Rect b = ui_mirror(u, (SDL_Rect){margin + i * (bw + gap), y, bw, u->target});
            const char *code = session_get_settings(s)->languages[i];
            button_draw(u, b, i18n_native_name(code), SESSION_LANG_ID + i,
                        strcmp(code, i18n_language()) == 0 ? BUTTON_PRIMARY : BUTTON_SECONDARY);
        }
        y += u->target + ui_px(u, 32);
    }
    flow *f = session_flow(s);
    flow_stage stage = flow_get_stage(f);
    if (stage >= FLOW_STAGE_DOCUMENTS && stage <= FLOW_STAGE_REVIEW) {
        size_t n = flow_person_count(f);
        size_t cur = flow_current_person(f);
        const flow_person *p = flow_get_person(f, cur);
        bool in_person = stage == FLOW_STAGE_PERSON || stage == FLOW_STAGE_CAPTURE;
        if (in_person) {
            char line[160];
            g_snprintf(line, sizeof line, _("Person %zu of %zu"), cur + 1, n);
            y += ui_text(u, line, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 60)},
                         UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START) +
                 ui_px(u, 6);
        }
        char who[FLOW_NAME_MAX];
        frame_steps fs;
        frame_progress(f, stage, &fs, who, sizeof who);
        y += progress_draw(u, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 60)}, fs.steps,
                           fs.n, n > 1 && in_person ? who : NULL) +
             ui_px(u, 16);
        /* The name apart from the translated line: it may be in another script. */
        if (in_person)
            y +=
                ui_text(u, p ? p->name : "", (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 60)},
                        UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    }
    int th = ui_text(u, title, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 200)},
                     UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
    y += th + ui_px(u, 24);
    int bottom = u->h - margin - (session_staff_active(s) ? u->target + ui_px(u, 16) : 0);
    return (SDL_Rect){margin, y, u->w - 2 * margin, bottom - y};
}
