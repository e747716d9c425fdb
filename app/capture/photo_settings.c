/* The [camera] and [photo] settings as the photo service's (photo.h): one builder for the kiosk
 * (app/kiosk.c) and the self-test (app/selftest), so both run the camera and the checks alike.
 * The check limits and the face models' place come from config_photo.h, which `photo check`
 * uses too. */
#include "capture/photo.h"

#include "config/config_photo.h"

void photo_service_settings_from_config(const config *cfg, photo_service_settings *set)
{
    photo_service_settings_init(set);
    set->camera_model = config_get_string(cfg, CONFIG_CAMERA_MODEL);
    set->camera_port = config_get_string(cfg, CONFIG_CAMERA_PORT);
    set->cascade_dir = config_photo_cascades(cfg);
    set->landmark_model = config_photo_landmark_model(cfg);
    set->attempts = (int)config_get_int(cfg, CONFIG_PHOTO_ATTEMPTS);
    set->limits = config_photo_limits(cfg, false);
    set->child_limits = config_photo_limits(cfg, true);
}
