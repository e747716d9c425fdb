#include "drivers/sigpad/sigtable.h"

/* Product ids of the STU family as published in Wacom's own udev rules and drivers; only the
 * STU-540 (0x00A8) has been checked against a device description. signotec and Topaz make
 * pads with their own report formats, which this kiosk does not know yet: they are listed so
 * that such a pad is named in the log instead of being mistaken for "no pad". */
const sigtable_pad sigtable_pads[] = {
    {0x056A, 0x00A4, "Wacom STU-430", SIGTABLE_LAYOUT_STU},
    {0x056A, 0x00A5, "Wacom STU-530", SIGTABLE_LAYOUT_STU},
    {0x056A, 0x00A8, "Wacom STU-540", SIGTABLE_LAYOUT_STU},
    {0x2133, 0x0000, "signotec pad", SIGTABLE_LAYOUT_UNKNOWN},
    {0x06A8, 0x0000, "Topaz pad", SIGTABLE_LAYOUT_UNKNOWN},
};
const size_t sigtable_count = sizeof sigtable_pads / sizeof sigtable_pads[0];

const sigtable_pad *sigtable_lookup(uint16_t vendor, uint16_t product)
{
    const sigtable_pad *vendor_row = NULL;
    for (size_t i = 0; i < sigtable_count; i++) {
        const sigtable_pad *p = &sigtable_pads[i];
        if (p->vendor != vendor)
            continue;
        if (p->product == product)
            return p;
        if (p->product == 0 && vendor_row == NULL)
            vendor_row = p;
    }
    return vendor_row;
}

const char *sigtable_layout_name(sigtable_layout layout)
{
    switch (layout) {
    case SIGTABLE_LAYOUT_HID:
        return "hid";
    case SIGTABLE_LAYOUT_STU:
        return "stu";
    case SIGTABLE_LAYOUT_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}
