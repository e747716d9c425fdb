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
    size_t total, ended, after;
    flow_progress(session_flow(s), &total, &ended, &after);
    flow_stage stage = flow_get_stage(session_flow(s));
    if (stage == FLOW_STAGE_PERSON || stage == FLOW_STAGE_CAPTURE) {
        char line[160];
        size_t n = flow_person_count(session_flow(s));
        size_t cur = flow_current_person(session_flow(s)) + 1;
        g_snprintf(line, sizeof line, _("Person %zu of %zu"), cur, n);
        const flow_person *p = flow_get_person(session_flow(s), cur - 1);
        progress_draw(u, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 80)}, total, ended,
                      stage == FLOW_STAGE_CAPTURE, line);
        y += ui_px(u, 90);
        /* The name apart from the translated line: it may be in another script. */
        y += ui_text(u, p ? p->name : "", (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 60)},
                     UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    }
    int th = ui_text(u, title, (SDL_Rect){margin, y, u->w - 2 * margin, ui_px(u, 200)},
                     UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
    y += th + ui_px(u, 24);
    int bottom = u->h - margin - (session_staff_active(s) ? u->target + ui_px(u, 16) : 0);
    return (SDL_Rect){margin, y, u->w - 2 * margin, bottom - y};
}
