/* The photo settings of a configuration, read in one place for the kiosk, `photo check` and the
 * self-test: the ICAO check limits ([photo] <limit>, and child_<limit> where a child's limit may
 * be wider) and the face models' paths. */
#ifndef BIOKIOSK_CONFIG_PHOTO_H
#define BIOKIOSK_CONFIG_PHOTO_H

#include <stdbool.h>

#include "config/config.h"
#include "imaging/icao.h"

/* The limits for an adult (child false) or a child under 10 (child true): the defaults of
 * icao_settings_default() overridden by every [photo] limit of `cfg`; cfg NULL gives the
 * defaults. */
icao_settings config_photo_limits(const config *cfg, bool child);

/* The directory of the Haar cascades: [photo] cascades, else /usr/share/opencv4/haarcascades
 * (transfer none). */
const char *config_photo_cascades(const config *cfg);

/* The landmark model file: [photo] landmark_model, else LANDMARKS_DEFAULT_MODEL (transfer
 * none). */
const char *config_photo_landmark_model(const config *cfg);

#endif
