/* A capture device that went away while its screen shows: the screen pauses (its own drawing),
 * this module writes the leaving and the return to the audit log and, once the device has been
 * away longer than `[devices] reconnect_seconds`, offers staff to skip the step or end the visit.
 * What was captured before stays: this module never touches the takes.
 *
 * Each capture screen keeps one devwait per device, calls devwait_update() whenever it learns
 * whether the device is there (every frame is fine: only changes are written), draws the staff
 * strip with devwait_draw() while it is paused, and passes its actions to devwait_action().
 */
#ifndef BIOKIOSK_DEVWAIT_H
#define BIOKIOSK_DEVWAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/session.h"
#include "ui/ui.h"

/* Target ids of the strip's buttons (screens keep their own ids away from 860-869). */
#define DEVWAIT_ID_STAFF 860 /* opens the staff PIN pad */
#define DEVWAIT_ID_SKIP  861
#define DEVWAIT_ID_ABORT 862

typedef struct devwait {
    const char *kind; /* "camera", "fingerprint-reader", "signature-pad" (static) */
    bool away;
    bool overdue_logged;
    int64_t since_ms; /* session clock when it went away */
} devwait;

/* A device known to be there. kind: static string as above. */
void devwait_init(devwait *w, const char *kind);

/* The device is there (present) or not; `why` (static, [a-z-], may be NULL) says how it went
 * (e.g. "lost", "removed"). Audits "device.unplugged" / "device.plugged" with the kind, the
 * reason and the seconds away; nothing when nothing changed. */
void devwait_update(devwait *w, session *s, bool present, const char *why);

/* True while the device is away. */
bool devwait_away(const devwait *w);
/* Milliseconds the device has been away (0 when it is there). */
int64_t devwait_away_ms(const devwait *w, const session *s);
/* True when it has been away longer than the session's reconnect_seconds; the first time it is,
 * "device.overdue" is audited. */
bool devwait_overdue(devwait *w, session *s);

/* Holds the idle timer while the device is away (call it on every paused frame). When overdue:
 * draws at the bottom of r a staff strip ("The camera has not come back ...") with "Staff" (PIN
 * pad) when no staff is signed in, or "Skip this step" and "End the visit" when staff is. Returns
 * the height it used (0 when not overdue). */
int devwait_draw(devwait *w, session *s, ui *u, SDL_Rect r);

/* Handles the strip's ids: true when `id` was one of them (the session then moves on). */
bool devwait_action(devwait *w, session *s, int id);

#endif
