/* The signature being written: the model behind the signing screen.
 *
 * It turns pen samples from a USB pad (sigpad.h events) and touches or mouse drags on the
 * screen's signing box into one ink (sigink.h): strokes of points in millimetres of the
 * writing area. The screen feeds it and draws what sigcapture_ink() holds; it keeps nothing of
 * its own. When the pad is pulled out the open stroke is closed and every stroke stays, so
 * signing resumes when the pad is back.
 *
 * Pure: no I/O, no GLib, no SDL. One owner, one thread.
 *
 * How the kiosk screen uses it:
 *   cap = sigcapture_new(info.width_mm, info.height_mm)         (pad), or
 *   cap = sigcapture_new(box_w_px / px_per_mm, box_h_px / px_per_mm)   (touch)
 *   each frame: while (sigpad_next_event(pad, &e, 0)) sigcapture_pad_event(cap, &e);
 *   SDL finger/mouse events: sigcapture_touch(cap, &box, x, y, down, pressure, t_ms)
 *   "Clear": sigcapture_clear(cap); "Accept": sigcapture_accept(cap, &rule) and, on
 *   SIGINK_ACCEPT, hand sigcapture_ink(cap) to the record and the renderer.
 *   sigcapture_paused(cap) says whether to show "the pad was disconnected".
 */
#ifndef BIOKIOSK_SIGCAPTURE_H
#define BIOKIOSK_SIGCAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "core/sigink.h"
#include "drivers/sigpad/sigpad.h"

typedef struct sigcapture sigcapture;

/* The signing box on screen, in the screen's pixels. */
typedef struct sigcapture_box {
    double x, y; /* top left corner */
    double w, h; /* size; the writing area's millimetres are spread over it */
} sigcapture_box;

/* A capture over a writing area of width_mm x height_mm (transfer full), or NULL for an
 * area that is not positive or when out of memory. */
sigcapture *sigcapture_new(double width_mm, double height_mm);

/* Wipes and frees. NULL does nothing. */
void sigcapture_free(sigcapture *cap);

/* Feeds one event of the pad: a pen sample with the tip down adds a point, a lifted tip
 * closes the stroke, UNPLUGGED closes the stroke and pauses, ATTACHED resumes. */
bk_err sigcapture_pad_event(sigcapture *cap, const sigpad_event *event);

/* Feeds one touch or mouse position (screen pixels) with the finger or button down or up.
 * Inside the box a down position adds a point; up, or leaving the box, closes the stroke.
 * pressure 0..1, or negative when the input device has none (taken as 0.5). */
bk_err sigcapture_touch(sigcapture *cap, const sigcapture_box *box, double x, double y, bool down,
                        double pressure, uint32_t t_ms);

/* Maps a screen position to the writing area. BK_ERR_INVALID outside the box or for an empty
 * box; *x_mm and *y_mm are written only on success. */
bk_err sigcapture_map(const sigcapture *cap, const sigcapture_box *box, double x, double y,
                      double *x_mm, double *y_mm);

/* Forgets the ink (the person presses "Clear"). */
void sigcapture_clear(sigcapture *cap);

/* The accept rule (sigink_accept) over this capture's writing area. */
sigink_verdict sigcapture_accept(const sigcapture *cap, const sigink_rule *rule);

/* The ink so far (transfer none). */
const sigink *sigcapture_ink(const sigcapture *cap);

/* True between an unplug and the pad's return. */
bool sigcapture_paused(const sigcapture *cap);

double sigcapture_width_mm(const sigcapture *cap);
double sigcapture_height_mm(const sigcapture *cap);

#endif
