/* Synthetic fingerprints for the demo and tests: no real person's print is needed.
 *
 * A ridge orientation field is built from singular points (the zero-pole model: cores and deltas
 * placed per pattern and jittered by the seed); noise is then filtered again and again with
 * Gabor filters that follow the field, until ridges with their own endings and forks grow out of
 * it. The seed decides the noise and the jitter, so every seed gives a distinct finger, and the
 * same seed always the same one. Pure computation, no GLib.
 */
#ifndef BIOKIOSK_FINGERSYNTH_H
#define BIOKIOSK_FINGERSYNTH_H

#include <stdint.h>

#include "core/bk_err.h"
#include "imaging/fingerimg.h"

typedef enum fingersynth_pattern {
    FINGERSYNTH_ARCH,
    FINGERSYNTH_LEFT_LOOP,
    FINGERSYNTH_RIGHT_LOOP,
    FINGERSYNTH_WHORL,
} fingersynth_pattern;

/* A print of `pattern` for `seed`, width x height pixels (64..1000 each), ridges dark on white,
 * about 500 ppi ridge spacing (transfer full). BK_ERR_INVALID for a bad size, BK_ERR_NOMEM. */
bk_err fingersynth_make(uint32_t seed, fingersynth_pattern pattern, int width, int height,
                        fingerimg **out);

/* The same finger captured again: moved by (dx, dy) pixels, turned by `degrees`, pressed a little
 * differently (contrast and noise from `seed`). */
bk_err fingersynth_recapture(const fingerimg *print, uint32_t seed, int dx, int dy, double degrees,
                             fingerimg **out);

/* A poor capture of the print: faint, smeared and with most of it missing. */
bk_err fingersynth_smudge(const fingerimg *print, uint32_t seed, fingerimg **out);

/* "arch", "left-loop", "right-loop", "whorl". */
const char *fingersynth_pattern_str(fingersynth_pattern pattern);

#endif
