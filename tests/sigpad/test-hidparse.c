/* The HID report descriptor parser against hand-written descriptors: a pen, a mouse, a touch
 * screen, truncated ones, nested collections, long items, absurd sizes and broken nesting. */
#include <string.h>

#include <glib.h>

#include "drivers/sigpad/hidparse.h"

/* A pen: report 2, tip and in-range bits, X 0..10000 over 0..1000 x 10^-2 cm, Y 0..6000 over
 * 0..600, pressure 0..1023 without unit. */
static const uint8_t pen[] = {
    0x05, 0x0D, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x09, 0x20, 0xA1, 0x00, 0x09, 0x42, 0x09, 0x32,
    0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06, 0x81, 0x03, 0x05, 0x01,
    0x09, 0x30, 0x26, 0x10, 0x27, 0x46, 0xE8, 0x03, 0x65, 0x11, 0x55, 0x0E, 0x75, 0x10, 0x95, 0x01,
    0x81, 0x02, 0x09, 0x31, 0x26, 0x70, 0x17, 0x46, 0x58, 0x02, 0x81, 0x02, 0x05, 0x0D, 0x09, 0x30,
    0x26, 0xFF, 0x03, 0x45, 0x00, 0x65, 0x00, 0x55, 0x00, 0x81, 0x02, 0xC0, 0xC0,
};

/* A three-button boot mouse: no report ids, buttons by usage range, X/Y relative. */
static const uint8_t mouse[] = {
    0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x01, 0xA1, 0x00, 0x05, 0x09, 0x19,
    0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x05, 0x81, 0x03, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15,
    0x81, 0x25, 0x7F, 0x75, 0x08, 0x95, 0x02, 0x81, 0x06, 0xC0, 0xC0,
};

static hidparse_layout layout;

static bk_err parse(const uint8_t *d, size_t n)
{
    memset(&layout, 0xAB, sizeof layout); /* must stay untouched on failure */
    return hidparse_parse(d, n, &layout);
}

static void test_pen(void)
{
    g_assert_cmpint(parse(pen, sizeof pen), ==, BK_OK);
    g_assert_true(layout.uses_report_ids);
    g_assert_cmpuint(layout.collections, ==, 2);
    g_assert_cmpuint(layout.max_depth, ==, 2);
    g_assert_cmpuint(layout.input_bits[2], ==, 8 + 16 + 16 + 16);
    uint8_t id = 0;
    g_assert_cmpint(hidparse_pen_report(&layout, &id), ==, BK_OK);
    g_assert_cmpuint(id, ==, 2);

    const hidparse_field *tip =
        hidparse_find(&layout, 2, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_TIP_SWITCH);
    g_assert_nonnull(tip);
    g_assert_cmpuint(tip->bit_offset, ==, 0);
    g_assert_cmpuint(tip->bit_size, ==, 1);
    const hidparse_field *range =
        hidparse_find(&layout, 2, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_IN_RANGE);
    g_assert_cmpuint(range->bit_offset, ==, 1);

    const hidparse_field *x = hidparse_find(&layout, 2, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_X);
    g_assert_nonnull(x);
    g_assert_true(x->in_digitizer);
    g_assert_cmpuint(x->bit_offset, ==, 8);
    g_assert_cmpuint(x->bit_size, ==, 16);
    g_assert_cmpint(x->logical_max, ==, 10000);
    g_assert_cmpint(x->physical_max, ==, 1000);
    g_assert_cmpuint(x->unit, ==, 0x11);
    g_assert_cmpint(x->unit_exponent, ==, -2);
    double mm = 0;
    g_assert_cmpint(hidparse_mm_per_unit(x, &mm), ==, BK_OK);
    g_assert_cmpfloat_with_epsilon(mm, 0.1, 1e-12);

    const hidparse_field *y = hidparse_find(&layout, 2, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_Y);
    g_assert_cmpuint(y->bit_offset, ==, 24);
    g_assert_cmpint(y->logical_max, ==, 6000);
    g_assert_cmpint(y->physical_max, ==, 600);

    const hidparse_field *p =
        hidparse_find(&layout, 2, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_TIP_PRESSURE);
    g_assert_cmpuint(p->bit_offset, ==, 40);
    g_assert_cmpint(p->logical_max, ==, 1023);
    /* no physical range given: the logical one stands in, and there is no length unit */
    g_assert_cmpint(p->physical_max, ==, 1023);
    g_assert_cmpint(hidparse_mm_per_unit(p, &mm), ==, BK_ERR_UNSUPPORTED);
}

static void test_mouse_is_no_pen(void)
{
    g_assert_cmpint(parse(mouse, sizeof mouse), ==, BK_OK);
    g_assert_false(layout.uses_report_ids);
    g_assert_cmpuint(layout.input_bits[0], ==, 24);
    /* buttons from the usage range, each its own field */
    const hidparse_field *b3 = hidparse_find(&layout, 0, 0x09, 3);
    g_assert_nonnull(b3);
    g_assert_cmpuint(b3->bit_offset, ==, 2);
    const hidparse_field *x = hidparse_find(&layout, 0, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_X);
    g_assert_true(x->is_signed);
    g_assert_cmpint(x->logical_min, ==, -127);
    g_assert_false(x->in_digitizer);
    uint8_t id = 99;
    g_assert_cmpint(hidparse_pen_report(&layout, &id), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpuint(id, ==, 99);
}

static void test_touch_screen_is_no_pen(void)
{
    uint8_t d[sizeof pen];
    memcpy(d, pen, sizeof pen);
    d[3] = 0x04; /* Usage (Touch Screen) for the application collection */
    g_assert_cmpint(parse(d, sizeof d), ==, BK_OK);
    uint8_t id;
    g_assert_cmpint(hidparse_pen_report(&layout, &id), ==, BK_ERR_NOT_FOUND);
    d[3] = 0x01; /* Usage (Digitizer) */
    g_assert_cmpint(parse(d, sizeof d), ==, BK_OK);
    g_assert_cmpint(hidparse_pen_report(&layout, &id), ==, BK_OK);
}

static void test_truncated(void)
{
    /* A cut inside one of the first items fails; a cut between them leaves a valid, empty
     * descriptor. */
    g_assert_cmpint(parse(pen, 1), ==, BK_ERR_INVALID);
    g_assert_cmpint(parse(pen, 3), ==, BK_ERR_INVALID);
    g_assert_cmpint(parse(pen, 4), ==, BK_OK);
    g_assert_cmpint(parse(pen, 5), ==, BK_ERR_INVALID);
    /* Once the collection is open, every proper prefix fails: cut, or never closed. */
    for (size_t n = 6; n < sizeof pen; n++) {
        g_assert_cmpint(parse(pen, n), ==, BK_ERR_INVALID);
        g_assert_cmpuint(layout.n_fields, ==, 0xABABABABABABABABu);
    }
    g_assert_cmpint(parse(pen, 0), ==, BK_OK);
    g_assert_cmpuint(layout.n_fields, ==, 0);
}

static void test_nested(void)
{
    /* Pen application > physical > logical > logical, with X and Y and tip at the bottom. */
    static const uint8_t d[] = {
        0x05, 0x0D, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x20, 0xA1, 0x00, 0xA1, 0x02, 0xA1,
        0x02, 0x09, 0x42, 0x15, 0x00, 0x25, 0x01, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
        0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x25, 0xFF, 0x46, 0xFF, 0x00, 0x65, 0x13,
        0x55, 0x0D, 0x95, 0x02, 0x81, 0x02, 0xC0, 0xC0, 0xC0, 0xC0,
    };
    g_assert_cmpint(parse(d, sizeof d), ==, BK_OK);
    g_assert_cmpuint(layout.max_depth, ==, 4);
    g_assert_cmpuint(layout.collections, ==, 4);
    uint8_t id = 1;
    g_assert_cmpint(hidparse_pen_report(&layout, &id), ==, BK_OK);
    g_assert_cmpuint(id, ==, 0);
    const hidparse_field *y = hidparse_find(&layout, 0, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_Y);
    /* "Logical Maximum (255)" written as the byte 0xFF means 255 when the minimum is 0 */
    g_assert_cmpint(y->logical_max, ==, 255);
    g_assert_cmpint(y->unit_exponent, ==, -3);
    double mm;
    g_assert_cmpint(hidparse_mm_per_unit(y, &mm), ==, BK_OK);
    g_assert_cmpfloat_with_epsilon(mm, 0.0254, 1e-12);

    /* Seventeen levels are more than a pen needs: refused. */
    uint8_t deep[17 * 2 + 17];
    size_t k = 0;
    for (int i = 0; i < 17; i++) {
        deep[k++] = 0xA1;
        deep[k++] = 0x00;
    }
    for (int i = 0; i < 17; i++)
        deep[k++] = 0xC0;
    g_assert_cmpint(parse(deep, k), ==, BK_ERR_INVALID);
    /* Sixteen are allowed. */
    g_assert_cmpint(parse(deep + 2, k - 3), ==, BK_OK);
    g_assert_cmpuint(layout.max_depth, ==, 16);
}

static void test_broken_nesting(void)
{
    static const uint8_t extra_end[] = {0xA1, 0x01, 0xC0, 0xC0};
    g_assert_cmpint(parse(extra_end, sizeof extra_end), ==, BK_ERR_INVALID);
    static const uint8_t pop_empty[] = {0xB4};
    g_assert_cmpint(parse(pop_empty, sizeof pop_empty), ==, BK_ERR_INVALID);
    static const uint8_t reserved_type[] = {0x0C};
    g_assert_cmpint(parse(reserved_type, sizeof reserved_type), ==, BK_ERR_INVALID);
    static const uint8_t unknown_main[] = {0xD0};
    g_assert_cmpint(parse(unknown_main, sizeof unknown_main), ==, BK_ERR_INVALID);
}

static void test_push_pop(void)
{
    /* Push, change the page and size, pop: the field after the pop has the old ones. */
    static const uint8_t d[] = {0x05, 0x01, 0x75, 0x08, 0x95, 0x01, 0xA4, 0x05,
                                0x0D, 0x75, 0x10, 0xB4, 0x09, 0x30, 0x81, 0x02};
    g_assert_cmpint(parse(d, sizeof d), ==, BK_OK);
    const hidparse_field *x = hidparse_find(&layout, 0, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_X);
    g_assert_nonnull(x);
    g_assert_cmpuint(x->bit_size, ==, 8);
}

static void test_long_items(void)
{
    /* A long item (0xFE, size, tag, data) between two items is skipped. */
    uint8_t d[sizeof pen + 6];
    memcpy(d, pen, 8);
    static const uint8_t long_item[] = {0xFE, 0x03, 0xF0, 0x11, 0x22, 0x33};
    memcpy(d + 8, long_item, sizeof long_item);
    memcpy(d + 8 + sizeof long_item, pen + 8, sizeof pen - 8);
    g_assert_cmpint(parse(d, sizeof d), ==, BK_OK);
    g_assert_cmpuint(layout.long_items, ==, 1);
    uint8_t id;
    g_assert_cmpint(hidparse_pen_report(&layout, &id), ==, BK_OK);

    /* Its data running past the end, or a prefix without its size byte, fails. */
    static const uint8_t cut[] = {0xFE, 0x10, 0xF0, 0x00, 0x00};
    g_assert_cmpint(parse(cut, sizeof cut), ==, BK_ERR_INVALID);
    static const uint8_t bare[] = {0xFE, 0x01};
    g_assert_cmpint(parse(bare, sizeof bare), ==, BK_ERR_INVALID);
    static const uint8_t big[] = {0xFE, 0xFF, 0x00};
    g_assert_cmpint(parse(big, sizeof big), ==, BK_ERR_INVALID);
}

static void test_absurd_sizes(void)
{
    /* Report Count 5000 */
    static const uint8_t count[] = {0x75, 0x01, 0x96, 0x88, 0x13, 0x81, 0x02};
    g_assert_cmpint(parse(count, sizeof count), ==, BK_ERR_INVALID);
    /* Report Size 0xFFFFFFFF */
    static const uint8_t size[] = {0x77, 0xFF, 0xFF, 0xFF, 0xFF, 0x95, 0x01, 0x81, 0x02};
    g_assert_cmpint(parse(size, sizeof size), ==, BK_ERR_INVALID);
    /* 8 x 600 bytes in one report: beyond 512 bytes */
    static const uint8_t total[] = {0x75, 0x08, 0x96, 0x58, 0x02, 0x81, 0x02};
    g_assert_cmpint(parse(total, sizeof total), ==, BK_ERR_INVALID);
    /* the same spread over many input items adds up and fails as well */
    uint8_t many[2 + 2 + 40];
    size_t k = 0;
    many[k++] = 0x75;
    many[k++] = 0x40; /* 64 bits */
    many[k++] = 0x95;
    many[k++] = 0x04; /* x 4 = 32 bytes per item */
    for (int i = 0; i < 20; i++) {
        many[k++] = 0x81;
        many[k++] = 0x03;
    }
    g_assert_cmpint(parse(many, k), ==, BK_ERR_INVALID);
    g_assert_cmpint(parse(many, 4 + 2 * 16), ==, BK_OK); /* 512 bytes exactly */
    /* Report ID 0 is reserved */
    static const uint8_t id0[] = {0x85, 0x00};
    g_assert_cmpint(parse(id0, sizeof id0), ==, BK_ERR_INVALID);
    /* an input item before any Report Size */
    static const uint8_t nosize[] = {0x95, 0x01, 0x81, 0x02};
    g_assert_cmpint(parse(nosize, sizeof nosize), ==, BK_ERR_INVALID);
    /* logical minimum above the maximum */
    static const uint8_t minmax[] = {0x15, 0x10, 0x25, 0x05, 0x75, 0x08,
                                     0x95, 0x01, 0x09, 0x30, 0x81, 0x02};
    g_assert_cmpint(parse(minmax, sizeof minmax), ==, BK_ERR_INVALID);
    /* more than 128 variable fields: parsed, the rest not kept */
    static const uint8_t wide[] = {0x05, 0x09, 0x19, 0x01, 0x2A, 0xFF, 0x00,
                                   0x75, 0x01, 0x96, 0x00, 0x01, 0x81, 0x02};
    g_assert_cmpint(parse(wide, sizeof wide), ==, BK_OK);
    g_assert_cmpuint(layout.n_fields, ==, HIDPARSE_MAX_FIELDS);
    g_assert_cmpuint(layout.input_bits[0], ==, 256);
}

static void test_usage_forms(void)
{
    /* A four-byte usage carries its page; Unit Exponent as a whole signed byte (0xFD). */
    static const uint8_t d[] = {0x05, 0x09, 0x0B, 0x30, 0x00, 0x01, 0x00, 0x55, 0xFD,
                                0x65, 0x11, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02};
    g_assert_cmpint(parse(d, sizeof d), ==, BK_OK);
    const hidparse_field *x = hidparse_find(&layout, 0, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_X);
    g_assert_nonnull(x);
    g_assert_cmpint(x->unit_exponent, ==, -3);
    /* An exponent beyond what any unit uses is refused. */
    static const uint8_t bad_exp[] = {0x55, 0x7F};
    g_assert_cmpint(parse(bad_exp, sizeof bad_exp), ==, BK_ERR_INVALID);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hidparse/pen", test_pen);
    g_test_add_func("/hidparse/mouse-is-no-pen", test_mouse_is_no_pen);
    g_test_add_func("/hidparse/touch-screen-is-no-pen", test_touch_screen_is_no_pen);
    g_test_add_func("/hidparse/truncated", test_truncated);
    g_test_add_func("/hidparse/nested", test_nested);
    g_test_add_func("/hidparse/broken-nesting", test_broken_nesting);
    g_test_add_func("/hidparse/push-pop", test_push_pop);
    g_test_add_func("/hidparse/long-items", test_long_items);
    g_test_add_func("/hidparse/absurd-sizes", test_absurd_sizes);
    g_test_add_func("/hidparse/usage-forms", test_usage_forms);
    return g_test_run();
}
