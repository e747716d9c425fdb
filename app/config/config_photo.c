#include "config/config_photo.h"

#include <stdio.h>
#include <stdlib.h>

#include "imaging/landmarks.h"

#define DEFAULT_CASCADES "/usr/share/opencv4/haarcascades"

icao_settings config_photo_limits(const config *cfg, bool child)
{
    icao_settings s = icao_settings_default(child);
    if (cfg == NULL)
        return s;
    size_t n = 0;
    const icao_limit *lim = icao_limits(&n);
    for (size_t i = 0; i < n; i++) {
        char name[128];
        snprintf(name, sizeof(name), "photo.%s%s", child && lim[i].child_variant ? "child_" : "",
                 lim[i].name);
        config_key key;
        if (!config_key_find(name, &key)) {
            /* a limit without its row in config_keys.h: a programmer error */
            fprintf(stderr, "config_photo: no setting %s for an ICAO limit\n", name);
            abort();
        }
        icao_limit_set(&s, &lim[i], config_get_double(cfg, key));
    }
    return s;
}

const char *config_photo_cascades(const config *cfg)
{
    const char *dir = cfg != NULL ? config_get_string(cfg, CONFIG_PHOTO_CASCADES) : "";
    return dir[0] != 0 ? dir : DEFAULT_CASCADES;
}

const char *config_photo_landmark_model(const config *cfg)
{
    const char *path = cfg != NULL ? config_get_string(cfg, CONFIG_PHOTO_LANDMARK_MODEL) : "";
    return path[0] != 0 ? path : LANDMARKS_DEFAULT_MODEL;
}
