/* The [camera] and [photo] settings as the photo service's (photo.h): one builder for the kiosk
 * (app/kiosk.c) and the self-test (app/selftest), so both run the camera and the checks alike. */
#include "capture/photo.h"

#include <string.h>

#include <glib.h>

/* The check limits: [photo] <name>, and child_<name> where a child's may be wider. */
static void limits_from_config(const config *cfg, bool child, icao_settings *out)
{
    *out = icao_settings_default(child);
    size_t n = 0;
    const icao_limit *limit = icao_limits(&n);
    for (size_t i = 0; i < n; i++) {
        g_autofree char *key = g_strdup_printf(
            "photo.%s%s", child && limit[i].child_variant ? "child_" : "", limit[i].name);
        config_key k;
        if (!config_key_find(key, &k))
            g_error("no setting %s for the ICAO limit %s", key, limit[i].name);
        icao_limit_set(out, &limit[i], config_get_double(cfg, k));
    }
}

void photo_service_settings_from_config(const config *cfg, photo_service_settings *set)
{
    photo_service_settings_init(set);
    set->camera_model = config_get_string(cfg, CONFIG_CAMERA_MODEL);
    set->camera_port = config_get_string(cfg, CONFIG_CAMERA_PORT);
    set->cascade_dir = config_get_string(cfg, CONFIG_PHOTO_CASCADES);
    set->attempts = (int)config_get_int(cfg, CONFIG_PHOTO_ATTEMPTS);
    limits_from_config(cfg, false, &set->limits);
    limits_from_config(cfg, true, &set->child_limits);
}
