/* The report decoder: layouts from a descriptor and from an STU capability report, reports to
 * pen samples in millimetres, and the reports that must be refused. */
#include <string.h>

#include <glib.h>

#include "drivers/sigpad/sigreport.h"
#include "drivers/sigpad/sigtable.h"

/* The pen of test-hidparse.c: report 2, 100 x 60 mm at 0.01 mm, pressure 0..1023. */
static const uint8_t pen[] = {
    0x05, 0x0D, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x09, 0x20, 0xA1, 0x00, 0x09, 0x42, 0x09, 0x32,
    0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06, 0x81, 0x03, 0x05, 0x01,
    0x09, 0x30, 0x26, 0x10, 0x27, 0x46, 0xE8, 0x03, 0x65, 0x11, 0x55, 0x0E, 0x75, 0x10, 0x95, 0x01,
    0x81, 0x02, 0x09, 0x31, 0x26, 0x70, 0x17, 0x46, 0x58, 0x02, 0x81, 0x02, 0x05, 0x0D, 0x09, 0x30,
    0x26, 0xFF, 0x03, 0x45, 0x00, 0x65, 0x00, 0x55, 0x00, 0x81, 0x02, 0xC0, 0xC0,
};

static sigreport_layout hid_layout(const uint8_t *d, size_t n)
{
    hidparse_layout *desc = g_new(hidparse_layout, 1);
    g_assert_cmpint(hidparse_parse(d, n, desc), ==, BK_OK);
    sigreport_layout l;
    g_assert_cmpint(sigreport_from_hid(desc, &l), ==, BK_OK);
    g_free(desc);
    return l;
}

static void test_hid(void)
{
    sigreport_layout l = hid_layout(pen, sizeof pen);
    g_assert_cmpint(l.kind, ==, SIGREPORT_HID);
    g_assert_cmpuint(l.report_id, ==, 2);
    g_assert_cmpuint(l.report_len, ==, 8);
    g_assert_cmpfloat_with_epsilon(l.width_mm, 100.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(l.height_mm, 60.0, 1e-9);
    g_assert_cmpint(l.pressure_levels, ==, 1024);
    g_assert_cmpfloat_with_epsilon(sigreport_counts_per_mm(&l), 100.0, 1e-9);

    /* tip down, in range, X 2500 (25 mm), Y 6000 (60 mm), pressure 1023 */
    const uint8_t r[] = {0x02, 0x03, 0xC4, 0x09, 0x70, 0x17, 0xFF, 0x03};
    sigreport_sample s;
    g_assert_cmpint(sigreport_decode(&l, r, sizeof r, &s), ==, BK_OK);
    g_assert_true(s.tip);
    g_assert_true(s.in_range);
    g_assert_cmpfloat_with_epsilon(s.x_mm, 25.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s.y_mm, 60.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s.pressure, 1.0, 1e-6);

    /* hovering: tip up, in range */
    const uint8_t hover[] = {0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    g_assert_cmpint(sigreport_decode(&l, hover, sizeof hover, &s), ==, BK_OK);
    g_assert_false(s.tip);
    g_assert_true(s.in_range);
    g_assert_cmpfloat_with_epsilon(s.x_mm, 0.0, 1e-9);
}

static void test_refused(void)
{
    sigreport_layout l = hid_layout(pen, sizeof pen);
    sigreport_sample s = {.x_mm = -7};
    /* X 10001: beyond the logical maximum */
    const uint8_t far[] = {0x02, 0x03, 0x11, 0x27, 0x00, 0x00, 0x00, 0x00};
    g_assert_cmpint(sigreport_decode(&l, far, sizeof far, &s), ==, BK_ERR_CORRUPT);
    /* pressure 1024 */
    const uint8_t hard[] = {0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04};
    g_assert_cmpint(sigreport_decode(&l, hard, sizeof hard, &s), ==, BK_ERR_CORRUPT);
    /* short, long, empty */
    const uint8_t r[] = {0x02, 0x03, 0xC4, 0x09, 0x70, 0x17, 0xFF, 0x03, 0x00, 0x00};
    g_assert_cmpint(sigreport_decode(&l, r, 3, &s), ==, BK_ERR_INVALID);
    g_assert_cmpint(sigreport_decode(&l, r, sizeof r, &s), ==, BK_ERR_INVALID);
    g_assert_cmpint(sigreport_decode(&l, r, 0, &s), ==, BK_ERR_INVALID);
    /* another report id: not pen data */
    const uint8_t other[] = {0x05, 0x03, 0xC4, 0x09, 0x70, 0x17, 0xFF, 0x03};
    g_assert_cmpint(sigreport_decode(&l, other, sizeof other, &s), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpfloat(s.x_mm, ==, -7); /* untouched */
}

static void test_no_units_or_no_pen(void)
{
    /* The pen without its Unit items: no millimetres, so not guessed. */
    GByteArray *d = g_byte_array_new();
    for (size_t i = 0; i < sizeof pen; i++) {
        if (pen[i] == 0x65 && i + 1 < sizeof pen && pen[i + 1] == 0x11) {
            i++;
            continue;
        }
        g_byte_array_append(d, &pen[i], 1);
    }
    hidparse_layout *desc = g_new(hidparse_layout, 1);
    g_assert_cmpint(hidparse_parse(d->data, d->len, desc), ==, BK_OK);
    sigreport_layout l;
    g_assert_cmpint(sigreport_from_hid(desc, &l), ==, BK_ERR_UNSUPPORTED);
    /* A mouse-like descriptor: no pen at all. */
    static const uint8_t mouse[] = {0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x30, 0x09,
                                    0x31, 0x75, 0x08, 0x95, 0x02, 0x81, 0x06, 0xC0};
    g_assert_cmpint(hidparse_parse(mouse, sizeof mouse, desc), ==, BK_OK);
    g_assert_cmpint(sigreport_from_hid(desc, &l), ==, BK_ERR_NOT_FOUND);
    g_free(desc);
    g_byte_array_unref(d);
}

static void test_signed_no_id(void)
{
    /* No report ids; X and Y signed 16-bit -1000..1000 over 2 inch (-1..1 inch); no pressure. */
    static const uint8_t d[] = {
        0x05, 0x0D, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x42, 0x15, 0x00, 0x25, 0x01, 0x75,
        0x01, 0x95, 0x01, 0x81, 0x02, 0x95, 0x07, 0x81, 0x03, 0x05, 0x01, 0x09, 0x30,
        0x09, 0x31, 0x16, 0x18, 0xFC, 0x26, 0xE8, 0x03, 0x35, 0xFF, 0x45, 0x01, 0x65,
        0x13, 0x55, 0x00, 0x75, 0x10, 0x95, 0x02, 0x81, 0x02, 0xC0,
    };
    sigreport_layout l = hid_layout(d, sizeof d);
    g_assert_cmpuint(l.report_id, ==, 0);
    g_assert_cmpuint(l.report_len, ==, 5);
    g_assert_cmpfloat_with_epsilon(l.width_mm, 50.8, 1e-9);
    g_assert_false(l.pressure.present);
    g_assert_cmpint(l.pressure_levels, ==, 2);
    /* tip, X -1000 (left edge), Y 0 (middle) */
    const uint8_t r[] = {0x01, 0x18, 0xFC, 0x00, 0x00};
    sigreport_sample s;
    g_assert_cmpint(sigreport_decode(&l, r, sizeof r, &s), ==, BK_OK);
    g_assert_cmpfloat_with_epsilon(s.x_mm, 0.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s.y_mm, 25.4, 1e-9);
    g_assert_cmpfloat_with_epsilon(s.pressure, 1.0, 1e-9);
    g_assert_true(s.in_range);
    const uint8_t up[] = {0x00, 0xE8, 0x03, 0xE8, 0x03};
    g_assert_cmpint(sigreport_decode(&l, up, sizeof up, &s), ==, BK_OK);
    g_assert_false(s.tip);
    g_assert_cmpfloat(s.pressure, ==, 0.0f);
    g_assert_cmpfloat_with_epsilon(s.x_mm, 50.8, 1e-9);
}

static const uint8_t stu_cap[17] = {0x09, 0x25, 0x80, 0x17, 0x70, 0x03, 0xFF, 0x03, 0x20,
                                    0x01, 0xE0, 0xC8, 0x09, 0xEC, 0x00, 0x00, 0x00};

static void test_stu(void)
{
    sigreport_layout l;
    g_assert_cmpint(sigreport_from_stu_capability(stu_cap, sizeof stu_cap, &l), ==, BK_OK);
    g_assert_cmpint(l.kind, ==, SIGREPORT_STU);
    g_assert_cmpfloat_with_epsilon(l.width_mm, 96.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(l.height_mm, 60.0, 1e-9);
    g_assert_cmpint(l.pressure_levels, ==, 1024);
    /* ready + switch, pressure 0x200, X 4800 (48 mm), Y 1500 (15 mm), big-endian */
    const uint8_t r[] = {0x01, 0x92, 0x00, 0x12, 0xC0, 0x05, 0xDC};
    sigreport_sample s;
    g_assert_cmpint(sigreport_decode(&l, r, sizeof r, &s), ==, BK_OK);
    g_assert_true(s.tip);
    g_assert_true(s.in_range);
    g_assert_cmpfloat_with_epsilon(s.x_mm, 48.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s.y_mm, 15.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s.pressure, 512.0 / 1023.0, 1e-6);
    /* pressure 0x400 is beyond 1023 */
    const uint8_t hard[] = {0x01, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00};
    g_assert_cmpint(sigreport_decode(&l, hard, sizeof hard, &s), ==, BK_ERR_CORRUPT);
    /* report 0x34 (timed pen data) is not decoded here: another report */
    const uint8_t timed[] = {0x34, 0x92, 0x00, 0x12, 0xC0, 0x05, 0xDC};
    g_assert_cmpint(sigreport_decode(&l, timed, sizeof timed, &s), ==, BK_ERR_NOT_FOUND);

    /* capability reports that cannot be used */
    uint8_t bad[17];
    memcpy(bad, stu_cap, sizeof bad);
    g_assert_cmpint(sigreport_from_stu_capability(bad, 10, &l), ==, BK_ERR_INVALID);
    bad[0] = 0x08;
    g_assert_cmpint(sigreport_from_stu_capability(bad, sizeof bad, &l), ==, BK_ERR_INVALID);
    memcpy(bad, stu_cap, sizeof bad);
    bad[12] = bad[13] = 0;
    g_assert_cmpint(sigreport_from_stu_capability(bad, sizeof bad, &l), ==, BK_ERR_INVALID);
}

static void test_table(void)
{
    const sigtable_pad *p = sigtable_lookup(0x056A, 0x00A8);
    g_assert_nonnull(p);
    g_assert_cmpint(p->layout, ==, SIGTABLE_LAYOUT_STU);
    g_assert_cmpstr(p->model, ==, "Wacom STU-540");
    /* a vendor-wide row for vendors whose layout is not known */
    p = sigtable_lookup(0x2133, 0x1234);
    g_assert_nonnull(p);
    g_assert_cmpint(p->layout, ==, SIGTABLE_LAYOUT_UNKNOWN);
    g_assert_null(sigtable_lookup(0x056A, 0x0001)); /* a Wacom tablet, not a pad */
    g_assert_null(sigtable_lookup(0x1234, 0x5678));
    g_assert_cmpstr(sigtable_layout_name(SIGTABLE_LAYOUT_HID), ==, "hid");
    /* every row unique, as the udev rules are generated from it */
    for (size_t i = 0; i < sigtable_count; i++)
        for (size_t j = i + 1; j < sigtable_count; j++)
            g_assert_false(sigtable_pads[i].vendor == sigtable_pads[j].vendor &&
                           sigtable_pads[i].product == sigtable_pads[j].product);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sigreport/hid", test_hid);
    g_test_add_func("/sigreport/refused", test_refused);
    g_test_add_func("/sigreport/no-units-or-no-pen", test_no_units_or_no_pen);
    g_test_add_func("/sigreport/signed-no-id", test_signed_no_id);
    g_test_add_func("/sigreport/stu", test_stu);
    g_test_add_func("/sigreport/table", test_table);
    return g_test_run();
}
