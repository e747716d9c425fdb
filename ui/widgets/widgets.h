/* Widgets the screens are built from. Each draws itself into a rectangle, grows to the smallest
 * touch target where it is tappable, and records its target with ui_add_hit so that taps and the
 * scripted mode find it by id and by label. */
#ifndef BIOKIOSK_WIDGETS_H
#define BIOKIOSK_WIDGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/ui.h"

typedef enum button_style {
    BUTTON_PRIMARY,   /* the one main action of a screen */
    BUTTON_SECONDARY, /* other actions */
    BUTTON_STAFF,     /* staff actions */
    BUTTON_ALERT,     /* destructive staff actions (abort, no-show) */
} button_style;

/* Draws a button with a centred label in r (made at least u->target high and wide) and records
 * it as target `id`. Returns the rectangle used. */
SDL_Rect button_draw(ui *u, SDL_Rect r, const char *label, int id, button_style style);

/* A toggle: a box with a tick and a label, target `id`. */
SDL_Rect checkbox_draw(ui *u, SDL_Rect r, const char *label, bool checked, int id);

/* The on-screen keyboard for appointment codes: only the symbols a code can hold, a key to
 * delete and a key to confirm. Key targets have ids KEYBOARD_ID_BASE + the symbol's ASCII value,
 * KEYBOARD_ID_DELETE and KEYBOARD_ID_ENTER. */
#define KEYBOARD_ID_BASE   200
#define KEYBOARD_ID_DELETE 190
#define KEYBOARD_ID_ENTER  191
#define KEYBOARD_SYMBOLS   "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
void keyboard_draw(ui *u, SDL_Rect r, const char *delete_label, const char *enter_label);
/* The symbol of a key id, or 0 when the id is not a symbol key. */
char keyboard_symbol(int id);

/* The progress of the visit: one line of its steps by name (Code, Documents, the current
 * person's Photo, Fingerprints, Signature, Review), each with a marker: ticked when done,
 * ringed when current. `who` (may be NULL), e.g. the first name of the person whose turn it is
 * in a family visit, is written before the step marked person_first. When the names do not fit
 * in r.w, only the current step keeps its name. Returns the height used. */
typedef enum progress_state {
    PROGRESS_DONE,
    PROGRESS_CURRENT,
    PROGRESS_TODO,
} progress_state;
typedef struct progress_step {
    const char *label;
    progress_state state;
    bool person_first; /* the first step of the person named `who` */
} progress_step;
int progress_draw(ui *u, SDL_Rect r, const progress_step *steps, size_t n, const char *who);

/* A modal panel: dims the screen below and draws a card of w x h pixels in the middle;
 * returns the card's inner rectangle (with padding). */
SDL_Rect panel_draw(ui *u, int w, int h);

#endif
