/* Pictograms of what to do: how to sit for the photo, a hand over the fingerprint reader with the
 * finger asked for in colour, signing in the box. Drawn for this project as SVG in
 * assets/pictograms/ and rendered with librsvg into textures of the kiosk's renderer.
 *
 * The files are read once, at start (pictograms_load, by the composition root); drawing only
 * rasterises (once per name, highlight and size: the textures are kept) and copies.
 */
#ifndef BIOKIOSK_UI_PICTOGRAM_H
#define BIOKIOSK_UI_PICTOGRAM_H

#include <stdbool.h>

#include <SDL.h>

#include "core/bk_err.h"
#include "ui/ui.h"

typedef struct pictograms pictograms;

/* The pictograms the kiosk draws (file NAME.svg in the folder). */
#define PICTOGRAM_PHOTO "photo-sit"
#define PICTOGRAM_HAND  "hand-right" /* the left hand is this one mirrored */
#define PICTOGRAM_SIGN  "sign-box"

/* Reads every pictogram from dir (NULL: the installed folder). BK_ERR_NOT_FOUND with *message
 * (transfer full, g_free) when one is missing or cannot be parsed. */
bk_err pictograms_load(const char *dir, pictograms **out, char **message);

/* Frees the pictograms and their textures; call before the ui is freed. NULL does nothing. */
void pictograms_free(pictograms *p);

/* Draws pictogram `name` into r, aspect kept and centred. `highlight` is the id of an element to
 * colour (e.g. a finger "index") or NULL; `mirror` flips it left to right (the left hand).
 * Returns false (and draws nothing) for an unknown name or when rendering fails. */
bool pictogram_draw(ui *u, pictograms *p, const char *name, const char *highlight, bool mirror,
                    SDL_Rect r);

/* The colour of the highlighted element (for tests and legends). */
#define PICTOGRAM_HIGHLIGHT_RGB 0x2e, 0x9d, 0x4f

#endif
