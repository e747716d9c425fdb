/* Capture steps: how the photo, fingerprint and signature screens plug into the flow.
 *
 * A capture step is a screen class (runner.h: enter/exit/input/action/update/draw, the SDL user
 * event types it consumes for device results) registered for one flow item. When the flow reaches
 * a step of that item the session puts the registered screen at the bottom of the stack; the
 * screen ends its step with session_capture_done() (session.h), and staff ends it with skip or
 * exception from the staff menu. A device result reaches the screen as an SDL user event of a type
 * listed in its class's `events` (register types with SDL_RegisterEvents), never as a callback.
 *
 * When no screen is registered for an item that the plan asks for, the session shows the
 * "step-unavailable" screen: staff sees that the step is not available on this kiosk and may
 * skip it with a reason (logged). Nothing is captured in its place.
 */
#ifndef BIOKIOSK_CAPTURE_H
#define BIOKIOSK_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/check.h"
#include "core/bk_err.h"
#include "core/flow.h"
#include "ui/runner.h"

typedef struct capture_class {
    flow_item item;
    /* The step's screen (transfer none, static). Its name is the screen's stable name, e.g.
     * "capture-photo". Its `applicant` flag should be true (idle timer, language switch). */
    const screen_class *screen;
    /* Both below are given the service registered with the class (capture_register_service;
     * NULL after capture_register). */
    /* One line on the device for the staff's device status (optional); any thread. */
    void (*status)(void *service, char *buf, size_t size);
    /* The service's device checks with its own open device (optional): called on a thread of
     * the caller's that is neither the main thread nor one of the service's; blocks until the
     * checks are made (each within its own time limit, sooner on cancel) and reports every check
     * it owns (passed, failed or skipped) through run->result. Safe against the service's own
     * threads. BK_ERR_BUSY (and no result) while the service's capture step has the device in a
     * way the check cannot share, or another check runs. */
    bk_err (*check)(void *service, const capture_check_run *run);
} capture_class;

/* Registers cls for cls->item (transfer none: cls must outlive the kiosk). BK_ERR_EXISTS when the
 * item has a screen already, BK_ERR_INVALID for a bad item or a class without a screen. */
bk_err capture_register(const capture_class *cls);
/* As capture_register, with the device service the screen drives (transfer none: made and freed
 * by app/kiosk.c, outlives the registration; e.g. a photo_service *). */
bk_err capture_register_service(const capture_class *cls, void *service);
/* The service registered for item (transfer none), NULL when none. */
void *capture_service(flow_item item);
/* The class's status line for item, with its service; "" when none is registered. */
void capture_status(flow_item item, char *buf, size_t size);
/* The class's check for item, with its service (as capture_class.check); BK_ERR_UNAVAILABLE
 * when none is registered or the class has no check. */
bk_err capture_check(flow_item item, const capture_check_run *run);

/* The class registered for item, or NULL. */
const capture_class *capture_lookup(flow_item item);

/* Forgets every registration (tests). */
void capture_clear(void);

#endif
