/* An emulated PTP/IP camera on 127.0.0.1 that libgphoto2's unchanged ptp2 driver opens.
 *
 * It speaks PTP/IP (CIPA DC-005) on a command and an event port, claims the Nikon vendor
 * extension so that libgphoto2 uses the Nikon live-view operations, and serves:
 * - live-view frames: JPEG, about 1024 x 680, of a portrait with the face moving a little from
 *   frame to frame. The 3:2 frame holds the whole portrait (padded at the sides, or above and
 *   below, with the colour of the portrait's top edge, its background), so that a head in the
 *   portrait is always wholly in the picture;
 * - captures: a full-size JPEG (6000 x 4000 at the largest image size) made from the portrait;
 * - two settings libgphoto2 shows as "imagesize" and "imagequality", starting at the smaller
 *   size and normal JPEG, so that a driver that sets "largest, JPEG" can be seen to do so.
 * One host at a time: a second host is refused with PTP/IP's InitFail, as a camera held by
 * another program would. Faults can be switched on while it runs.
 *
 * The camera runs on its own thread; every function here is thread-safe.
 */
#ifndef BIOKIOSK_PTPIP_EMU_H
#define BIOKIOSK_PTPIP_EMU_H

#include <stdbool.h>

#include "core/bk_err.h"
#include "imaging/pic.h"

typedef struct ptpip_emu ptpip_emu;

typedef enum ptpip_emu_fault {
    PTPIP_EMU_FAULT_NONE = 0,
    PTPIP_EMU_FAULT_BUSY,             /* InitiateCapture answers DeviceBusy */
    PTPIP_EMU_FAULT_NO_CAPTURE_EVENT, /* InitiateCapture succeeds but no ObjectAdded follows */
    PTPIP_EMU_FAULT_DROP,             /* the connection is closed half way through a download */
    PTPIP_EMU_FAULT_CORRUPT_JPEG,     /* the next capture is a truncated JPEG */
    PTPIP_EMU_FAULT_SLOW_FRAMES,      /* every live-view frame takes 400 ms */
    PTPIP_EMU_FAULT_COUNT_
} ptpip_emu_fault;

typedef struct ptpip_emu_options {
    int port;                          /* command port on 127.0.0.1; 0 = any free port */
    int event_port;                    /* event port; 0 = any free port */
    int live_width, live_height;       /* 1024 x 680 */
    int capture_width, capture_height; /* largest size, 6000 x 4000 */
    const char *serial;                /* DeviceInfo's SerialNumber ([A-Za-z0-9-], at most 31
                                          characters, copied); NULL = PTPIP_EMU_SERIAL */
} ptpip_emu_options;

#define PTPIP_EMU_SERIAL "BKEMU-000001"

ptpip_emu_options ptpip_emu_options_default(void);

/* Starts a camera that shows `portrait` (RGB; copied). Ports are bound before this returns,
 * so a host may connect at once (transfer full: ptpip_emu_free). BK_ERR_IO when a port cannot
 * be bound. */
bk_err ptpip_emu_new(const pic *portrait, const ptpip_emu_options *options, ptpip_emu **out);

/* Stops the camera: closes the connection and the ports, joins the thread. NULL does nothing. */
void ptpip_emu_free(ptpip_emu *emu);

int ptpip_emu_port(const ptpip_emu *emu);
int ptpip_emu_event_port(const ptpip_emu *emu);

/* Switches a fault on for the next `times` occasions (-1: until switched off with
 * PTPIP_EMU_FAULT_NONE, which clears every fault). */
void ptpip_emu_set_fault(ptpip_emu *emu, ptpip_emu_fault fault, int times);

/* The fault's name as used on the command line ("busy", "no-capture-event", "drop",
 * "corrupt-jpeg", "slow-frames", "none"), and back; -1 for an unknown name. */
const char *ptpip_emu_fault_name(ptpip_emu_fault fault);
int ptpip_emu_fault_from_name(const char *name);

/* Unplugged: the connection is dropped and new connections are refused (the ports stay bound,
 * so they can be plugged back on the same numbers). */
void ptpip_emu_set_plugged(ptpip_emu *emu, bool plugged);

/* Counters for tests: live-view frames and captures served, connections accepted. */
typedef struct ptpip_emu_stats {
    int frames, captures, connections, refused;
    char image_size[32]; /* current "imagesize" value */
    int quality;         /* current CompressionSetting value (2 = JPEG fine) */
    bool live_on;        /* live view started and not ended */
} ptpip_emu_stats;
void ptpip_emu_get_stats(ptpip_emu *emu, ptpip_emu_stats *out);

#endif
