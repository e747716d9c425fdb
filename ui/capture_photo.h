/* The photo step of the kiosk: live view from the camera (drivers/camera), guidance from the
 * ICAO checks (app/imaging/icao.h), capture, the cropped result with its checks, retakes and the
 * officer's choice after the last attempt.
 *
 * capture_photo_setup() opens the camera (its own worker thread), starts the photo's worker
 * thread (frame decoding, face finding, checks and the full-size processing never run on the
 * main thread), registers the "capture-photo" screen for the photo item (ui/capture.h) and the
 * script commands camera-fault, camera-unplug, camera-plug and camera-wait (ui/script.h).
 * Device results reach the screen as SDL user events.
 *
 * Script commands reach an emulated camera (emulators/ptpip, the ptpip-camera program) through
 * `emulator_control`: a file, normally a named pipe that the program reads as its stdin, to which
 * the commands write its lines ("fault busy 1", "unplug", "plug").
 */
#ifndef BIOKIOSK_CAPTURE_PHOTO_H
#define BIOKIOSK_CAPTURE_PHOTO_H

#include <stdbool.h>

#include "core/bk_err.h"

typedef struct capture_photo_config {
    const char *camera_model; /* libgphoto2 model; NULL or "" = first camera found on USB */
    const char *camera_port;  /* with camera_model, e.g. "ptpip:127.0.0.1:15740:15741" */
    const char *cascade_dir;  /* the Haar cascades; NULL or "" = /usr/share/opencv4/haarcascades */
    int attempts;             /* photos before the officer decides (3) */
    const char *emulator_control; /* scripted mode: the emulated camera's command pipe, or NULL */
    /* the check limits (the [photo] settings; copied), for adults and for children under 10;
     * NULL: icao_settings_default() */
    const struct icao_settings *limits, *child_limits;
} capture_photo_config;

/* Opens the camera and registers the screen and script commands. Call after session_new and
 * before the session reaches a photo step. A camera that is not there is no error: the screen
 * then shows the problem for staff and resumes when the camera comes. BK_ERR_NOT_FOUND (with
 * *message, transfer full, g_free) when the face models cannot be loaded. Once per process. */
bk_err capture_photo_setup(const capture_photo_config *cfg, char **message);

/* Stops the worker threads and closes the camera. Call after session_free. Does nothing when
 * setup did not succeed. */
void capture_photo_teardown(void);

#endif
