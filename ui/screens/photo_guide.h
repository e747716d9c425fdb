/* The live view's head guide (ui/screens/capture_photo.c): a head with a neck and shoulders,
 * drawn where the photo's limits want the head (icao_guide, from the photo service:
 * photo_service_guide). Draws only. */
#ifndef BIOKIOSK_UI_PHOTO_GUIDE_H
#define BIOKIOSK_UI_PHOTO_GUIDE_H

#include <stdbool.h>

#include "imaging/icao.h"
#include "ui/ui.h"

/* Draws the guide g (fractions of the live frame) into the view v, which shows the frame
 * mirrored: white, yellow and thicker for a child, green while every check passes. */
void photo_guide_draw(ui *u, SDL_Rect v, const icao_guide *g, bool child, bool pass);

/* The guide's head in v's pixels, as photo_guide_draw draws it: the ellipse's centre and radii. */
void photo_guide_head(SDL_Rect v, const icao_guide *g, int *cx, int *cy, int *rx, int *ry);

#endif
