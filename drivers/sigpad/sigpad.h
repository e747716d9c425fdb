/* A USB signature pad read through libusb.
 *
 * Pads are found by the table of known ids (sigtable.h) and, for any other device, by a HID
 * interface whose report descriptor describes a pen (hidparse.h). The pad is read on a worker
 * thread with one interrupt IN transfer in flight; each report is decoded (sigreport.h) and
 * handed to the owner as an event in a queue that the main loop drains without blocking. When
 * the pad is pulled out the worker says so (SIGPAD_EVENT_UNPLUGGED), looks for it again every
 * 100 ms and says SIGPAD_EVENT_ATTACHED when it is back; nothing already read is lost, since
 * strokes live with the owner (sigcapture.h), not here.
 *
 * The report descriptor is read from sysfs while a kernel HID driver holds the interface, so
 * ordinary HID devices are judged without being opened; otherwise it is asked for with
 * GET_DESCRIPTOR (0x22). The kernel driver is detached only from a pad and only when one is
 * active, and re-attached when the pad is let go. Errors are bk_err; libusb's codes stay
 * inside sigpad.c.
 */
#ifndef BIOKIOSK_SIGPAD_H
#define BIOKIOSK_SIGPAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "drivers/sigpad/sigreport.h"
#include "drivers/sigpad/sigtable.h"

/* Room for a serial number: USB string descriptors hold up to 126 characters; a longer one is
 * cut. Characters outside printable ASCII become '?'. */
#define SIGPAD_SERIAL_MAX 64

typedef enum sigpad_verdict {
    SIGPAD_USABLE,      /* a known layout or a HID pen with a physical size */
    SIGPAD_UNSUPPORTED, /* a signature-pad vendor or a digitizer this kiosk cannot read */
} sigpad_verdict;

/* A device found by sigpad_scan. */
typedef struct sigpad_found {
    uint16_t vendor;
    uint16_t product;
    uint8_t bus;
    uint8_t address;
    sigpad_verdict verdict;
    char model[48];                 /* from the table, or "HID pen" */
    char reason[96];                /* why it is unsupported; empty when usable */
    char serial[SIGPAD_SERIAL_MAX]; /* the pad's serial number, or "unknown" */
} sigpad_found;

/* What the open pad is. */
typedef struct sigpad_info {
    uint16_t vendor;
    uint16_t product;
    char model[48];
    /* The serial number: the device's iSerialNumber string (GET_DESCRIPTOR, 1 s timeout), or
     * "unknown" when it has none or does not answer. */
    char serial[SIGPAD_SERIAL_MAX];
    sigtable_layout layout;
    double width_mm;
    double height_mm;
    double counts_per_mm; /* the pad's resolution */
    int32_t pressure_levels;
} sigpad_info;

/* Counters since sigpad_open, for the log and the tests. */
typedef struct sigpad_stats {
    uint64_t reports;      /* input reports received */
    uint64_t points;       /* pen samples delivered */
    uint64_t malformed;    /* pen reports of the wrong length: dropped */
    uint64_t out_of_range; /* values beyond the logical range: dropped */
    uint64_t other;        /* reports of other ids: ignored */
    uint64_t unplugs;
    uint64_t replugs;
    uint64_t overflow; /* events dropped because the owner did not drain the queue */
} sigpad_stats;

typedef enum sigpad_event_type {
    SIGPAD_EVENT_ATTACHED,  /* the pad is ready (first open, or back after an unplug) */
    SIGPAD_EVENT_PEN,       /* one pen sample */
    SIGPAD_EVENT_UNPLUGGED, /* the pad vanished; the worker waits for it */
} sigpad_event_type;

typedef struct sigpad_event {
    sigpad_event_type type;
    sigreport_sample sample; /* SIGPAD_EVENT_PEN */
    uint32_t t_ms;           /* since sigpad_open, on the monotonic clock */
    int64_t mono_us;         /* g_get_monotonic_time() when it happened, for latency figures */
} sigpad_event;

typedef struct sigpad sigpad;

/* Lists the signature pads attached now, usable or not, up to `max` in found[]; the number in
 * *n. Other USB devices are not listed. BK_ERR_UNAVAILABLE when USB cannot be used at all.
 * The serial is asked of each pad that is opened for judging; of a pad a kernel HID driver
 * holds (judged from sysfs, not opened) it is the kernel's copy, the sysfs attribute "serial". */
bk_err sigpad_scan(sigpad_found *found, size_t max, size_t *n);

/* Opens the first usable pad and starts reading (transfer full: sigpad_free). The first event
 * is SIGPAD_EVENT_ATTACHED. BK_ERR_NO_DEVICE: no pad at all; BK_ERR_UNSUPPORTED: only pads
 * this kiosk cannot read (the log names them); BK_ERR_PERMISSION, BK_ERR_BUSY, BK_ERR_IO. */
bk_err sigpad_open(sigpad **out);

/* Takes the oldest event. timeout_ms 0 only polls (for the drawing loop); a negative timeout
 * waits without limit. Returns false when no event came in time. Thread: the owner's. */
bool sigpad_next_event(sigpad *pad, sigpad_event *event, int timeout_ms);

void sigpad_get_info(const sigpad *pad, sigpad_info *info);
void sigpad_get_stats(sigpad *pad, sigpad_stats *stats);

/* Stops the worker, releases the device and wipes queued samples. NULL does nothing. */
void sigpad_free(sigpad *pad);

#endif
