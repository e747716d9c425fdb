/* What the review screen ("review", ui/screens/review.c) drew in its last frame, for the
 * scripted mode's checks (app/testhooks/review_hooks.c): the rectangles of the pictures of the
 * person shown. */
#ifndef BIOKIOSK_UI_REVIEW_H
#define BIOKIOSK_UI_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "core/takes.h"
#include "ui/session.h"

typedef struct review_drawn {
    size_t person; /* the person shown (a family visit shows one at a time) */
    bool photo;    /* the photo was drawn, in photo_rect */
    SDL_Rect photo_rect;
    size_t n_prints; /* prints drawn, in print_rects */
    SDL_Rect print_rects[TAKES_MAX_FINGERS];
    bool signature; /* the signature was drawn, in signature_rect */
    SDL_Rect signature_rect;
    int screen_w, screen_h;
} review_drawn;

/* The last frame of the review screen, when it is on the runner of s; false otherwise. */
bool review_get_drawn(const session *s, review_drawn *out);

#endif
