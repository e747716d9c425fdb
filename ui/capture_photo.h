/* The photo step's screen, "capture-photo": live view with a head-shaped guide and the most
 * important instruction, capture, the cropped result with its checks, retakes and the officer's
 * choice after the last attempt. It draws the state of a photo service (app/capture/photo.h)
 * and turns input into the service's requests; the service owns the camera and the threads.
 *
 * The composer (app/kiosk.c) makes the service, registers an SDL user event type, has the
 * service's wake function push that event, and registers the screen here with both. The
 * screen drains the service's events when that SDL event reaches it.
 */
#ifndef BIOKIOSK_UI_CAPTURE_PHOTO_H
#define BIOKIOSK_UI_CAPTURE_PHOTO_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/runner.h"

struct photo_service;
struct photo_attempt;

/* The registration (the screen's class with its service). */
typedef struct capture_photo capture_photo;

/* Registers the "capture-photo" screen for the photo item (ui/capture.h) with the service it
 * draws (transfer none: ps must outlive the registration) and the SDL user event type the
 * service's wake function pushes. The technician screen's camera check and the staff's device
 * status run through this service. NULL when the photo item has a screen already. Transfer
 * full: capture_photo_free, after session_free and technician_free. */
capture_photo *capture_photo_register(struct photo_service *ps, uint32_t wake_event);

void capture_photo_free(capture_photo *cp);

/* What the photo screen has seen and drawn, for the scripted mode's camera-wait and
 * camera-watch (app/testhooks/photo_hooks.c). */
typedef struct capture_photo_counters {
    uint64_t frames_shown;       /* live-view frames that reached the screen */
    uint64_t analyses_seen;      /* analysis results that reached the screen */
    uint64_t results_seen;       /* photos taken and shown */
    uint64_t problems_seen;      /* the camera went away, or a photo failed */
    uint64_t instructions_drawn; /* analysis results drawn as the instruction */
    bool ready;                  /* the camera is there */
    bool pass;                   /* the newest analysis passes every check */
    /* the result or the officer's screen: the height of the photo drawn large (0 elsewhere) */
    int large_photo_h;
    int shown; /* the officer's screen: the photo on screen, 1-based (0 elsewhere) */
    int zoom;  /* ... 0 whole, 1 eyes, 2 mouth (ui/screens/photo_view.h's photo_zoom) */
    /* ... the part of the photo drawn (x, y, w, h) and the shown photo's eye centres and mouth,
     * in the pixels of its thumb (PHOTO_THUMB_W x PHOTO_THUMB_H); marked: they are known */
    int zoom_src[4];
    bool marked;
    double eyes[2][2], mouth[2];
    int photo_at[4]; /* where the photo is drawn large on the screen (x, y, w, h) */
    /* the photo drawn large (the result's or the officer's shown one), NULL elsewhere; transfer
     * none, valid until the screen next handles an event */
    const struct photo_attempt *attempt;
} capture_photo_counters;

/* The counters of the registered photo screen when it is on r's stack; false when it is not
 * (or no photo screen is registered). */
bool capture_photo_counters_get(runner *r, capture_photo_counters *out);

#endif
