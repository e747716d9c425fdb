/* libFuzzer target: the HID report descriptor parser and the report decoder.
 *
 * The input is split at its first byte: that many following bytes (at most the rest) are a
 * report descriptor, parsed and, when it describes a pen, turned into a layout; the remaining
 * bytes are fed to the decoder as reports of every length. The same bytes are also tried as an
 * STU capability report and as STU pen reports. Plain C: hidparse.c, sigreport.c, bk_err.c. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drivers/sigpad/hidparse.h"
#include "drivers/sigpad/sigreport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const sigreport_layout *l, const uint8_t *r, size_t n)
{
    sigreport_sample s;
    for (size_t len = 1; len <= n && len <= 64; len++)
        if (sigreport_decode(l, r, len, &s) == BK_OK &&
            (s.x_mm < -1e-9 || s.x_mm > l->width_mm + 1e-9 || s.y_mm < -1e-9 ||
             s.y_mm > l->height_mm + 1e-9 || s.pressure < 0 || s.pressure > 1))
            __builtin_trap(); /* a decoded sample is always inside the writing area */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t desc_len = data[0];
    if (desc_len > size - 1)
        desc_len = size - 1;
    const uint8_t *desc = data + 1;
    const uint8_t *rest = desc + desc_len;
    size_t rest_len = size - 1 - desc_len;

    static hidparse_layout layout;
    if (hidparse_parse(desc, desc_len, &layout) == BK_OK) {
        uint8_t id;
        if (hidparse_pen_report(&layout, &id) == BK_OK) {
            sigreport_layout l;
            if (sigreport_from_hid(&layout, &l) == BK_OK)
                decode_all(&l, rest, rest_len);
        }
    }
    /* the whole input as a descriptor as well, so long descriptors are reached */
    (void)hidparse_parse(data, size, &layout);

    sigreport_layout stu;
    if (sigreport_from_stu_capability(data, size, &stu) == BK_OK)
        decode_all(&stu, rest, rest_len);
    static const uint8_t cap[17] = {0x09, 0x25, 0x80, 0x17, 0x70, 0x03, 0xFF, 0x03, 0x20,
                                    0x01, 0xE0, 0xC8, 0x09, 0xEC, 0x00, 0x00, 0x00};
    if (sigreport_from_stu_capability(cap, sizeof cap, &stu) == BK_OK)
        decode_all(&stu, data, size);
    return 0;
}
