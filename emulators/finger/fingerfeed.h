/* The finger feeder: a client of libfprint's virtual image device (driver virtual_image, switched
 * on by FP_VIRTUAL_IMAGE=<socket path> before the kiosk creates its FpContext).
 *
 * The device takes an image only while it waits for a finger, so the feeder keeps a list of
 * actions and plays the next one each time it is told that a finger is needed (the
 * FINGERPRINT_EVENT_FINGER_NEEDED event of drivers/fingerprint). An action is an image, a retry,
 * a device error, a finger lifted, or the device unplugged. Tests and the demo's scripted mode
 * share it. It writes asynchronously on the thread-default GLib main context, so it can run in
 * the same loop as the reader it feeds.
 */
#ifndef BIOKIOSK_FINGERFEED_H
#define BIOKIOSK_FINGERFEED_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"
#include "imaging/fingerimg.h"

typedef struct fingerfeed fingerfeed;

/* The feeder process (finger-feeder.c) listens for datagrams on the device's socket path with
 * this appended: "need N" (the kiosk's reader waits for finger N, 0 for a technician's check). */
#define FINGERFEED_CONTROL_SUFFIX ".feeder"

/* A feeder for the device listening on socket_path (transfer full). It connects on first use and
 * again after the device was unplugged. */
fingerfeed *fingerfeed_new(const char *socket_path);

/* Frees; unsent actions are dropped. NULL does nothing. */
void fingerfeed_free(fingerfeed *f);

/* Queue an image (copied). BK_ERR_INVALID when larger than the device accepts, BK_ERR_NOMEM. */
bk_err fingerfeed_queue_image(fingerfeed *f, const fingerimg *img);

/* Queue an image file (see fingerimg_load). Errors as fingerimg_load. */
bk_err fingerfeed_queue_file(fingerfeed *f, const char *path);

/* Queue a retry with libfprint's FpDeviceRetry code (0 general, 1 too short, 2 centre finger,
 * 3 remove finger). */
void fingerfeed_queue_retry(fingerfeed *f, int retry_code);

/* Queue a device error with libfprint's FpDeviceError code (0 general, 5 protocol, ...). */
void fingerfeed_queue_error(fingerfeed *f, int error_code);

/* Queue "the device is unplugged" (the device is removed; the kiosk's driver finds a new one). */
void fingerfeed_queue_unplug(fingerfeed *f);

/* Sends the next queued action now. Call it on every FINGER_NEEDED event. Returns false when the
 * list is empty (nothing sent). When the device's socket cannot be connected to, the action stays
 * first in the list and is tried again every 100 ms for up to 5 s (logged; true is returned): an
 * action is never dropped silently. Errors of an established connection are logged: the driver
 * sees a device that waits. */
bool fingerfeed_finger_needed(fingerfeed *f);

/* Unplugs the device at once (not queued): a scripted "reader-unplug" at any moment. */
void fingerfeed_unplug_now(fingerfeed *f);

/* Sends "finger on"/"finger lifted" at once (not queued): live feedback and lifting mid-scan. */
void fingerfeed_finger(fingerfeed *f, bool present);

/* Actions still queued. */
size_t fingerfeed_pending(const fingerfeed *f);

#endif
