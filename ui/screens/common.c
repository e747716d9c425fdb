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
