/* The officer's look at the photos taken (ui/screens/capture_photo.c's last phase): one photo at
 * a time, large, with the checks it failed, Previous / Next, and a zoom to the eyes or the mouth
 * with one tap. Draws only; the photo screen keeps the state and handles the actions. */
#ifndef BIOKIOSK_UI_PHOTO_VIEW_H
#define BIOKIOSK_UI_PHOTO_VIEW_H

#include <stdbool.h>

#include "capture/photo.h"
#include "ui/ui.h"

typedef enum photo_zoom {
    PHOTO_ZOOM_NONE = 0,
    PHOTO_ZOOM_EYES,
    PHOTO_ZOOM_MOUTH,
} photo_zoom;

/* Action ids the officer's view draws (the photo screen's action() handles them). */
enum {
    PHOTO_VIEW_ID_PREV = 510,
    PHOTO_VIEW_ID_NEXT,
    PHOTO_VIEW_ID_EYES,
    PHOTO_VIEW_ID_MOUTH,
    PHOTO_VIEW_ID_WHOLE,
};

/* The officer's zoom at full resolution: the part of a photo's crop last decoded
 * (photo_attempt_region), kept by the screen while that part of that photo is shown, so that a
 * tap decodes once. */
typedef struct photo_zoom_cache {
    const photo_attempt *a; /* the photo it holds a part of; NULL: nothing */
    SDL_Rect src;           /* that part, in the thumb's pixels */
    pic *part;              /* the crop's pixels of it (twice the size); NULL when it failed */
} photo_zoom_cache;

/* Frees what the cache holds (before its photos are freed). */
void photo_zoom_cache_clear(photo_zoom_cache *c);

/* Draws a into dst, the whole photo (its thumb) or zoomed to its eyes or mouth (a photo without
 * marks is shown whole); the zoom shows the crop's own pixels, decoded into *cache (NULL: the
 * thumb enlarged). *src_out gets the part drawn, in the thumb's pixels. */
void photo_view_pic(ui *u, const photo_attempt *a, SDL_Rect dst, photo_zoom zoom, SDL_Rect *src_out,
                    photo_zoom_cache *cache);

typedef struct photo_view {
    photo_attempt *const *attempts;
    int n, shown; /* the photo on screen, 0-based */
    photo_zoom zoom;
    bool staff;                              /* the officer is signed in: the keep button */
    int keep_id;                             /* the keep button's id for photo 0 (+ shown) */
    const char *(*label)(const char *check); /* a check's name for people */
    SDL_Rect *src_out;                       /* when not NULL: the part of the thumb drawn */
    photo_zoom_cache *zoom_cache;            /* the screen's (photo_view_pic) */
    const char *note;                        /* small text under the buttons, or NULL */
    const char *reject; /* the label of a button at the bottom beside the photo, or NULL */
    int reject_id;
} photo_view;

/* The shown photo with its verdict, failed checks, zoom and navigation buttons inside r; the
 * keep button when staff, the note and the reject button. Returns the photo's rectangle. */
SDL_Rect photo_view_draw(ui *u, const photo_view *v, SDL_Rect r);

/* Where a photo goes large in r (the thumb's proportions, side_h high when it fits beside the
 * text), and in *rest what is left for the text and buttons: beside it, gap apart, where the
 * screen is wide enough; below it on an upright screen, where beside it the photo would be
 * narrowed to a third of the height. Both unmirrored. */
SDL_Rect photo_view_place(SDL_Rect r, int side_h, int gap, SDL_Rect *rest);

/* What the kiosk did not check on a (translated): what no check covers, and also the mouth,
 * eyes, pose and light when a was judged without the face landmarks (the model not loaded). */
const char *photo_view_not_checked(const photo_attempt *a);

#endif
