/* A HID report descriptor parser: buffer in, field layout out.
 *
 * Pure and bounds-checked: no I/O, no allocation, no GLib, so the fuzz target links it alone.
 * Only what a pen needs is kept: the variable input fields (usage, report id, bit position and
 * size, logical and physical ranges, unit) and whether each lies inside an application
 * collection Digitizer or Pen of the Digitizer page (0x0D); touch screens and touch pads are
 * not pens. Array fields and constants only advance the bit position. Feature and output items
 * are parsed for well-formedness and otherwise ignored.
 */
#ifndef BIOKIOSK_HIDPARSE_H
#define BIOKIOSK_HIDPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

/* Usage pages and usages a pen report is made of. */
enum {
    HIDPARSE_PAGE_DESKTOP = 0x01,
    HIDPARSE_PAGE_DIGITIZER = 0x0D,
    HIDPARSE_USAGE_DIGITIZER = 0x01,    /* digitizer page: application collection */
    HIDPARSE_USAGE_PEN = 0x02,          /* digitizer page: application collection */
    HIDPARSE_USAGE_X = 0x30,            /* desktop page */
    HIDPARSE_USAGE_Y = 0x31,            /* desktop page */
    HIDPARSE_USAGE_TIP_PRESSURE = 0x30, /* digitizer page */
    HIDPARSE_USAGE_IN_RANGE = 0x32,     /* digitizer page */
    HIDPARSE_USAGE_TIP_SWITCH = 0x42,   /* digitizer page */
};

/* Limits that make absurd descriptors an error instead of a long loop or a huge layout. */
enum {
    HIDPARSE_MAX_FIELDS = 128,       /* variable input fields kept */
    HIDPARSE_MAX_REPORT_BYTES = 512, /* one input report, id byte excluded */
    HIDPARSE_MAX_DEPTH = 16,         /* nested collections and Push levels */
    HIDPARSE_MAX_USAGES = 64,        /* local usages before one main item */
    HIDPARSE_MAX_COUNT = 4096,       /* Report Count */
    HIDPARSE_MAX_SIZE = 32,          /* Report Size in bits of a variable field we keep */
};

typedef struct hidparse_field {
    uint16_t page;
    uint16_t usage;
    uint8_t report_id;   /* 0 when the descriptor uses no report ids */
    uint16_t bit_offset; /* from the first bit after the report id byte */
    uint8_t bit_size;    /* 1..32 */
    bool is_signed;      /* logical minimum below zero: the value is two's complement */
    bool in_digitizer;   /* inside a Digitizer or Pen application collection */
    int32_t logical_min;
    int32_t logical_max;
    int32_t physical_min; /* equal to the logical range when the descriptor gave none */
    int32_t physical_max;
    uint32_t unit;        /* HID unit code; 0x11 centimetre, 0x13 inch, 0 none */
    int8_t unit_exponent; /* power of ten */
} hidparse_field;

typedef struct hidparse_layout {
    size_t n_fields;
    hidparse_field fields[HIDPARSE_MAX_FIELDS];
    bool uses_report_ids;
    uint16_t input_bits[256]; /* length of each input report in bits, by report id */
    unsigned collections;     /* collections opened, for tests and diagnostics */
    unsigned max_depth;       /* deepest collection nesting seen */
    unsigned long_items;      /* long items seen (skipped) */
} hidparse_layout;

/* Parses `len` bytes of report descriptor into *out (caller-allocated; written only on success).
 * BK_ERR_INVALID: a truncated item, unbalanced collections or Pop, a Report Size or Count
 * beyond the limits above, a report longer than HIDPARSE_MAX_REPORT_BYTES, an input item
 * without Report Size/Count, or a logical range with min > max. */
bk_err hidparse_parse(const uint8_t *desc, size_t len, hidparse_layout *out);

/* The first kept field with this page and usage in report `report_id`, or NULL. */
const hidparse_field *hidparse_find(const hidparse_layout *layout, uint8_t report_id, uint16_t page,
                                    uint16_t usage);

/* The id of the first input report that holds X, Y and Tip Switch inside a Digitizer or Pen
 * application collection. BK_ERR_NOT_FOUND when the descriptor describes no pen. */
bk_err hidparse_pen_report(const hidparse_layout *layout, uint8_t *report_id);

/* Millimetres per physical unit of a field (centimetre or inch with its exponent).
 * BK_ERR_UNSUPPORTED when the field has no length unit. */
bk_err hidparse_mm_per_unit(const hidparse_field *field, double *mm);

#endif
