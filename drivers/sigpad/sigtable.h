/* The signature pads known by vendor and product id.
 *
 * One row per model; the udev rules that give the kiosk user access to the pads are meant to be
 * generated from this table, so it is the one place where ids are written. A pad that is not in
 * the table is still used when its HID report descriptor describes a digitizer; a pad of a
 * known signature-pad vendor whose layout is not known is reported as unsupported, never read
 * with a guessed layout.
 */
#ifndef BIOKIOSK_SIGTABLE_H
#define BIOKIOSK_SIGTABLE_H

#include <stddef.h>
#include <stdint.h>

typedef enum sigtable_layout {
    SIGTABLE_LAYOUT_HID,     /* read the layout from the HID report descriptor */
    SIGTABLE_LAYOUT_STU,     /* Wacom STU: pen report 0x01, capability feature report 0x09 */
    SIGTABLE_LAYOUT_UNKNOWN, /* a signature-pad vendor whose report layout is not known */
} sigtable_layout;

typedef struct sigtable_pad {
    uint16_t vendor;
    uint16_t product; /* 0: any product of this vendor */
    const char *model;
    sigtable_layout layout;
} sigtable_pad;

/* The rows (static, transfer none) and their number. */
extern const sigtable_pad sigtable_pads[];
extern const size_t sigtable_count;

/* The row for a device: an exact vendor/product row first, then a vendor-wide row; NULL when
 * neither exists. */
const sigtable_pad *sigtable_lookup(uint16_t vendor, uint16_t product);

/* Short name of a layout ("hid", "stu", "unknown"). */
const char *sigtable_layout_name(sigtable_layout layout);

#endif
