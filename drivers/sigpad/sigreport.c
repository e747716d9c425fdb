#include "drivers/sigpad/sigreport.h"

#include <string.h>

static sigreport_value value_of(const hidparse_field *f)
{
    sigreport_value v = {0};
    if (f == NULL)
        return v;
    v.present = true;
    v.bit_offset = f->bit_offset;
    v.bit_size = f->bit_size;
    v.is_signed = f->is_signed;
    v.logical_min = f->logical_min;
    v.logical_max = f->logical_max;
    return v;
}

static bk_err span_mm(const hidparse_field *f, double *mm)
{
    double per_unit;
    bk_err err = hidparse_mm_per_unit(f, &per_unit);
    if (err != BK_OK)
        return err;
    double span = ((double)f->physical_max - (double)f->physical_min) * per_unit;
    if (!(span > 0.0) || f->logical_max <= f->logical_min)
        return BK_ERR_UNSUPPORTED;
    *mm = span;
    return BK_OK;
}

bk_err sigreport_from_hid(const hidparse_layout *desc, sigreport_layout *out)
{
    uint8_t id;
    bk_err err = hidparse_pen_report(desc, &id);
    if (err != BK_OK)
        return err;
    const hidparse_field *x = hidparse_find(desc, id, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_X);
    const hidparse_field *y = hidparse_find(desc, id, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_Y);
    sigreport_layout l = {0};
    l.kind = SIGREPORT_HID;
    l.report_id = id;
    l.report_len = (desc->input_bits[id] + 7u) / 8u + (desc->uses_report_ids ? 1u : 0u);
    l.x = value_of(x);
    l.y = value_of(y);
    l.tip = value_of(hidparse_find(desc, id, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_TIP_SWITCH));
    l.in_range =
        value_of(hidparse_find(desc, id, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_IN_RANGE));
    l.pressure =
        value_of(hidparse_find(desc, id, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_TIP_PRESSURE));
    if ((err = span_mm(x, &l.width_mm)) != BK_OK || (err = span_mm(y, &l.height_mm)) != BK_OK)
        return err;
    if (l.pressure.present && l.pressure.logical_max > l.pressure.logical_min) {
        /* in 64 bits: a descriptor may declare the whole int32 range */
        int64_t levels = (int64_t)l.pressure.logical_max - l.pressure.logical_min + 1;
        l.pressure_levels = levels > INT32_MAX ? INT32_MAX : (int32_t)levels;
    } else {
        l.pressure.present = false;
        l.pressure_levels = 2;
    }
    *out = l;
    return BK_OK;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

bk_err sigreport_from_stu_capability(const uint8_t *cap, size_t len, sigreport_layout *out)
{
    if (cap == NULL || len < 14 || cap[0] != SIGREPORT_STU_CAPABILITY_ID)
        return BK_ERR_INVALID;
    uint16_t max_x = be16(cap + 1), max_y = be16(cap + 3), max_p = be16(cap + 5);
    uint16_t per_inch = be16(cap + 12);
    if (max_x == 0 || max_y == 0 || max_p == 0 || max_p > 0x0FFF || per_inch == 0)
        return BK_ERR_INVALID;
    sigreport_layout l = {0};
    l.kind = SIGREPORT_STU;
    l.report_id = SIGREPORT_STU_PEN_ID;
    l.report_len = SIGREPORT_STU_PEN_LEN;
    l.x = (sigreport_value){true, 16, 16, false, 0, max_x};
    l.y = (sigreport_value){true, 32, 16, false, 0, max_y};
    l.pressure = (sigreport_value){true, 0, 12, false, 0, max_p};
    l.tip = (sigreport_value){true, 12, 1, false, 0, 1};
    l.in_range = (sigreport_value){true, 15, 1, false, 0, 1};
    l.width_mm = max_x * 25.4 / per_inch;
    l.height_mm = max_y * 25.4 / per_inch;
    l.pressure_levels = max_p + 1;
    *out = l;
    return BK_OK;
}

/* Little-endian bit field, as HID packs them. The caller has checked the bounds. */
static int32_t hid_bits(const uint8_t *data, const sigreport_value *v)
{
    uint64_t raw = 0;
    for (unsigned i = 0; i < v->bit_size; i++) {
        unsigned bit = v->bit_offset + i;
        raw |= (uint64_t)((data[bit / 8] >> (bit % 8)) & 1u) << i;
    }
    if (v->is_signed && v->bit_size < 64 && (raw >> (v->bit_size - 1)) & 1u)
        raw |= ~(uint64_t)0 << v->bit_size;
    return (int32_t)(int64_t)raw;
}

static bool in_range(const sigreport_value *v, int32_t value)
{
    return value >= v->logical_min && value <= v->logical_max;
}

static double to_mm(const sigreport_value *v, int32_t value, double span)
{
    return ((double)value - v->logical_min) / ((double)v->logical_max - v->logical_min) * span;
}

bk_err sigreport_decode(const sigreport_layout *layout, const uint8_t *report, size_t len,
                        sigreport_sample *out)
{
    if (layout == NULL || report == NULL || len == 0)
        return BK_ERR_INVALID;
    const uint8_t *data = report;
    if (layout->report_id != 0) {
        if (report[0] != layout->report_id)
            return BK_ERR_NOT_FOUND;
        data++;
    }
    if (len != layout->report_len)
        return BK_ERR_INVALID;

    int32_t x, y, pressure = 0;
    bool tip, hover;
    if (layout->kind == SIGREPORT_STU) {
        /* STU values are big-endian and not on HID bit positions. */
        pressure = ((data[0] & 0x0F) << 8) | data[1];
        tip = (data[0] >> 4) & 1;
        hover = (data[0] >> 7) & 1;
        x = be16(data + 2);
        y = be16(data + 4);
    } else {
        size_t bits = (len - (layout->report_id != 0 ? 1u : 0u)) * 8u;
        const sigreport_value *all[] = {&layout->x, &layout->y, &layout->tip, &layout->in_range,
                                        &layout->pressure};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            if (all[i]->present && (size_t)all[i]->bit_offset + all[i]->bit_size > bits)
                return BK_ERR_INVALID;
        x = hid_bits(data, &layout->x);
        y = hid_bits(data, &layout->y);
        tip = hid_bits(data, &layout->tip) != 0;
        hover = layout->in_range.present ? hid_bits(data, &layout->in_range) != 0 : true;
        if (layout->pressure.present)
            pressure = hid_bits(data, &layout->pressure);
    }
    if (!in_range(&layout->x, x) || !in_range(&layout->y, y))
        return BK_ERR_CORRUPT;
    if (layout->pressure.present && !in_range(&layout->pressure, pressure))
        return BK_ERR_CORRUPT;

    sigreport_sample s;
    s.x_mm = to_mm(&layout->x, x, layout->width_mm);
    s.y_mm = to_mm(&layout->y, y, layout->height_mm);
    if (layout->pressure.present)
        s.pressure = (float)(((double)pressure - layout->pressure.logical_min) /
                             ((double)layout->pressure.logical_max - layout->pressure.logical_min));
    else
        s.pressure = tip ? 1.0f : 0.0f;
    s.tip = tip;
    s.in_range = hover || tip;
    *out = s;
    return BK_OK;
}

double sigreport_counts_per_mm(const sigreport_layout *layout)
{
    double cx = ((double)layout->x.logical_max - layout->x.logical_min) / layout->width_mm;
    double cy = ((double)layout->y.logical_max - layout->y.logical_min) / layout->height_mm;
    return cx < cy ? cx : cy;
}
