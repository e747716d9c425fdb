/* The pen report of a signature pad: its layout, and the decoder from raw input reports to pen
 * samples in millimetres.
 *
 * Two layouts are known. A generic HID digitizer takes its layout from the report descriptor
 * (hidparse.h): X, Y, Tip Switch, and where present In Range and Tip Pressure, mapped to
 * millimetres through the descriptor's logical and physical ranges and unit. The Wacom STU
 * family sends pen data as input report 0x01 (byte 1: bit 7 "ready" = in range, bit 4 "switch"
 * = tip, bits 0-3 the top of a 12-bit pressure whose low byte is byte 2; X and Y big-endian in
 * bytes 3-4 and 5-6); its ranges come from the capability feature report 0x09 (tablet maximum
 * X, Y and pressure big-endian at bytes 1, 3 and 5, resolution in counts per inch at byte 12).
 *
 * Pure: no I/O, no allocation, no GLib (the fuzz target links it alone).
 */
#ifndef BIOKIOSK_SIGREPORT_H
#define BIOKIOSK_SIGREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"
#include "drivers/sigpad/hidparse.h"

typedef enum sigreport_kind {
    SIGREPORT_HID, /* layout from the HID report descriptor */
    SIGREPORT_STU, /* Wacom STU pen data report 0x01 */
} sigreport_kind;

enum {
    SIGREPORT_STU_PEN_ID = 0x01,
    SIGREPORT_STU_PEN_LEN = 7,
    SIGREPORT_STU_CAPABILITY_ID = 0x09,
    SIGREPORT_STU_CAPABILITY_LEN = 17,
};

/* One value inside a report. */
typedef struct sigreport_value {
    bool present;
    uint16_t bit_offset; /* from the first bit after the report id byte */
    uint8_t bit_size;
    bool is_signed;
    int32_t logical_min;
    int32_t logical_max;
} sigreport_value;

typedef struct sigreport_layout {
    sigreport_kind kind;
    uint8_t report_id; /* 0: the device sends no report id byte */
    size_t report_len; /* bytes of one pen report, the id byte included */
    sigreport_value x, y, tip, in_range, pressure;
    double width_mm;         /* the logical X range spans this many millimetres */
    double height_mm;        /* likewise for Y */
    int32_t pressure_levels; /* logical pressure range + 1; 2 when the pad has no pressure */
} sigreport_layout;

/* One decoded report. */
typedef struct sigreport_sample {
    double x_mm;    /* from the left edge of the writing area */
    double y_mm;    /* from the top edge */
    float pressure; /* 0..1; 1 while the tip is down on a pad without pressure */
    bool tip;       /* the pen touches the pad */
    bool in_range;  /* the pen hovers in range (true when the pad does not say) */
} sigreport_sample;

/* Builds the pen layout of a generic HID digitizer. BK_ERR_NOT_FOUND when the descriptor holds
 * no pen report (hidparse_pen_report); BK_ERR_UNSUPPORTED when X or Y has no length unit or an
 * empty physical range, since millimetres cannot then be known without guessing. */
bk_err sigreport_from_hid(const hidparse_layout *desc, sigreport_layout *out);

/* Builds the STU layout from the capability feature report (id byte included).
 * BK_ERR_INVALID when it is short, has another id, or gives zero ranges or resolution. */
bk_err sigreport_from_stu_capability(const uint8_t *cap, size_t len, sigreport_layout *out);

/* Decodes one input report (id byte included when the layout has an id).
 * BK_ERR_NOT_FOUND: a report with another id (not pen data; not an error of the pad).
 * BK_ERR_INVALID: a pen report of the wrong length (malformed).
 * BK_ERR_CORRUPT: a value outside its logical range.
 * *out is written only on BK_OK. */
bk_err sigreport_decode(const sigreport_layout *layout, const uint8_t *report, size_t len,
                        sigreport_sample *out);

/* Logical counts per millimetre along X and Y: the pad's resolution, which a rendering must not
 * exceed. */
double sigreport_counts_per_mm(const sigreport_layout *layout);

#endif
