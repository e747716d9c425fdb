/* Helpers shared by the screen files; each screen file defines one screen_class (session.h). */
#ifndef BIOKIOSK_SCREENS_H
#define BIOKIOSK_SCREENS_H

#include <glib.h>

#include "ui/i18n.h"
#include "ui/session.h"
#include "ui/widgets/widgets.h"

/* The session of a screen. */
#define SCREEN_SESSION(scr) ((session *)(scr)->host)

/* Ids of the main buttons; language buttons use SESSION_LANG_ID + index. */
enum {
    SCREEN_ID_NEXT = 1,
    SCREEN_ID_BACK,
    SCREEN_ID_HOME,
    SCREEN_ID_RETRY,
};

/* A row of one main button at the bottom of r (at the end side), returns its rectangle. */
SDL_Rect screens_main_button(ui *u, SDL_Rect r, const char *label, int id);
/* A second button at the bottom of r, at the start side. */
SDL_Rect screens_side_button(ui *u, SDL_Rect r, const char *label, int id);

/* The applicant's sentence for a rules row id (translated), or NULL when there is none. */
const char *screens_rule_text(const char *rule);
/* The item's name ("Photo", ...), translated. */
const char *screens_item_name(flow_item item);

#endif
