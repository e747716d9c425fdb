#include "drivers/sigpad/hidparse.h"

#include <string.h>

/* The item types of the HID class definition, section 6.2.2. */
enum { ITEM_MAIN = 0, ITEM_GLOBAL = 1, ITEM_LOCAL = 2 };
enum { MAIN_INPUT = 8, MAIN_OUTPUT = 9, MAIN_COLLECTION = 10, MAIN_FEATURE = 11, MAIN_END = 12 };
enum {
    GLOBAL_PAGE = 0,
    GLOBAL_LOGICAL_MIN = 1,
    GLOBAL_LOGICAL_MAX = 2,
    GLOBAL_PHYSICAL_MIN = 3,
    GLOBAL_PHYSICAL_MAX = 4,
    GLOBAL_UNIT_EXPONENT = 5,
    GLOBAL_UNIT = 6,
    GLOBAL_REPORT_SIZE = 7,
    GLOBAL_REPORT_ID = 8,
    GLOBAL_REPORT_COUNT = 9,
    GLOBAL_PUSH = 10,
    GLOBAL_POP = 11,
};
enum { LOCAL_USAGE = 0, LOCAL_USAGE_MIN = 1, LOCAL_USAGE_MAX = 2 };
enum { LONG_ITEM_PREFIX = 0xFE, COLLECTION_APPLICATION = 1 };

/* The global state; maxima are kept both sign-extended and unsigned because descriptors write
 * "Logical Maximum (255)" as the single byte 0xFF, which is -1 sign-extended. */
typedef struct globals {
    uint32_t page;
    int32_t logical_min;
    int32_t logical_max;
    uint32_t logical_max_u;
    int32_t physical_min;
    int32_t physical_max;
    uint32_t physical_max_u;
    int8_t unit_exponent;
    uint32_t unit;
    uint32_t report_size;
    uint32_t report_id;
    uint32_t report_count;
} globals;

typedef struct locals {
    uint32_t usages[HIDPARSE_MAX_USAGES]; /* page << 16 | usage, page 0 = the global page */
    size_t n_usages;
    uint32_t usage_min;
    uint32_t usage_max;
    bool has_min;
    bool has_max;
} locals;

typedef struct parser {
    globals g;
    globals stack[HIDPARSE_MAX_DEPTH];
    size_t stack_depth;
    locals l;
    bool digitizer[HIDPARSE_MAX_DEPTH + 1]; /* per collection level: inside a digitizer app */
    size_t depth;
    uint32_t bits[3][256]; /* input, output, feature report lengths by id */
    hidparse_layout *out;
} parser;

static int32_t max_value(int32_t min, int32_t max_s, uint32_t max_u)
{
    if (min >= 0 && max_s < min)
        return max_u > INT32_MAX ? INT32_MAX : (int32_t)max_u;
    return max_s;
}

static uint32_t full_usage(const parser *p, uint32_t usage, size_t size)
{
    /* A four-byte usage carries its own page; shorter ones take the current global page. */
    if (size == 4)
        return usage;
    return (p->g.page << 16) | (usage & 0xFFFF);
}

static bool add_fields(parser *p, uint32_t flags)
{
    const globals *g = &p->g;
    uint32_t id = g->report_id;
    if (g->report_count > HIDPARSE_MAX_COUNT || g->report_size > HIDPARSE_MAX_REPORT_BYTES * 8)
        return false;
    if (g->report_count > 0 && g->report_size == 0)
        return false;
    uint32_t total = g->report_size * g->report_count;
    uint32_t start = p->bits[0][id];
    if (start + total > HIDPARSE_MAX_REPORT_BYTES * 8)
        return false;
    p->bits[0][id] = start + total;

    bool constant = flags & 1;
    bool variable = flags & 2;
    if (constant || !variable || g->report_size > HIDPARSE_MAX_SIZE)
        return true;
    int32_t lmax = max_value(g->logical_min, g->logical_max, g->logical_max_u);
    if (g->logical_min > lmax)
        return false;
    int32_t pmin = g->physical_min;
    int32_t pmax = max_value(pmin, g->physical_max, g->physical_max_u);
    if (pmin == 0 && pmax == 0) {
        pmin = g->logical_min;
        pmax = lmax;
    }
    const locals *l = &p->l;
    hidparse_layout *out = p->out;
    for (uint32_t i = 0; i < g->report_count && out->n_fields < HIDPARSE_MAX_FIELDS; i++) {
        uint32_t usage;
        if (l->n_usages > 0)
            usage = l->usages[i < l->n_usages ? i : l->n_usages - 1];
        else if (l->has_min && l->has_max && l->usage_max >= l->usage_min)
            usage = l->usage_max - l->usage_min >= i ? l->usage_min + i : l->usage_max;
        else
            continue; /* a field without a usage means nothing to a pen */
        hidparse_field *f = &out->fields[out->n_fields++];
        f->page = (uint16_t)(usage >> 16);
        f->usage = (uint16_t)(usage & 0xFFFF);
        f->report_id = (uint8_t)id;
        f->bit_offset = (uint16_t)(start + i * g->report_size);
        f->bit_size = (uint8_t)g->report_size;
        f->is_signed = g->logical_min < 0;
        f->in_digitizer = p->digitizer[p->depth];
        f->logical_min = g->logical_min;
        f->logical_max = lmax;
        f->physical_min = pmin;
        f->physical_max = pmax;
        f->unit = g->unit;
        f->unit_exponent = g->unit_exponent;
    }
    return true;
}

static bool other_report(parser *p, int kind)
{
    const globals *g = &p->g;
    if (g->report_count > HIDPARSE_MAX_COUNT || g->report_size > HIDPARSE_MAX_REPORT_BYTES * 8)
        return false;
    if (g->report_count > 0 && g->report_size == 0)
        return false;
    uint32_t total = g->report_size * g->report_count;
    if (p->bits[kind][g->report_id] + total > HIDPARSE_MAX_REPORT_BYTES * 8)
        return false;
    p->bits[kind][g->report_id] += total;
    return true;
}

static bool main_item(parser *p, unsigned tag, uint32_t u)
{
    bool ok = true;
    switch (tag) {
    case MAIN_INPUT:
        ok = add_fields(p, u);
        break;
    case MAIN_OUTPUT:
        ok = other_report(p, 1);
        break;
    case MAIN_FEATURE:
        ok = other_report(p, 2);
        break;
    case MAIN_COLLECTION: {
        if (p->depth >= HIDPARSE_MAX_DEPTH)
            return false;
        uint32_t usage = p->l.n_usages > 0 ? p->l.usages[0] : 0;
        /* Digitizer (0x01) and Pen (0x02) only: a touch screen or touch pad is the kiosk's
         * own screen or a pointer, which must stay with the kernel. */
        bool digitizer_app = (u & 0xFF) == COLLECTION_APPLICATION &&
                             (usage >> 16) == HIDPARSE_PAGE_DIGITIZER &&
                             ((usage & 0xFFFF) == HIDPARSE_USAGE_DIGITIZER ||
                              (usage & 0xFFFF) == HIDPARSE_USAGE_PEN);
        p->digitizer[p->depth + 1] = p->digitizer[p->depth] || digitizer_app;
        p->depth++;
        p->out->collections++;
        if (p->depth > p->out->max_depth)
            p->out->max_depth = (unsigned)p->depth;
        break;
    }
    case MAIN_END:
        if (p->depth == 0)
            return false;
        p->depth--;
        break;
    default:
        return false;
    }
    memset(&p->l, 0, sizeof p->l);
    return ok;
}

static bool global_item(parser *p, unsigned tag, uint32_t u, int32_t s)
{
    globals *g = &p->g;
    switch (tag) {
    case GLOBAL_PAGE:
        g->page = u & 0xFFFF;
        break;
    case GLOBAL_LOGICAL_MIN:
        g->logical_min = s;
        break;
    case GLOBAL_LOGICAL_MAX:
        g->logical_max = s;
        g->logical_max_u = u;
        break;
    case GLOBAL_PHYSICAL_MIN:
        g->physical_min = s;
        break;
    case GLOBAL_PHYSICAL_MAX:
        g->physical_max = s;
        g->physical_max_u = u;
        break;
    case GLOBAL_UNIT_EXPONENT:
        /* The specification stores a 4-bit two's complement; some devices write a whole
         * signed byte (0xFD for -3). Both are understood. */
        if (u <= 0xF)
            g->unit_exponent = (int8_t)((u & 0x8) ? (int)u - 16 : (int)u);
        else if (s >= -16 && s <= 15)
            g->unit_exponent = (int8_t)s;
        else
            return false;
        break;
    case GLOBAL_UNIT:
        g->unit = u;
        break;
    case GLOBAL_REPORT_SIZE:
        if (u > HIDPARSE_MAX_REPORT_BYTES * 8)
            return false;
        g->report_size = u;
        break;
    case GLOBAL_REPORT_ID:
        if (u == 0 || u > 255)
            return false;
        g->report_id = u;
        p->out->uses_report_ids = true;
        break;
    case GLOBAL_REPORT_COUNT:
        if (u > HIDPARSE_MAX_COUNT)
            return false;
        g->report_count = u;
        break;
    case GLOBAL_PUSH:
        if (p->stack_depth >= HIDPARSE_MAX_DEPTH)
            return false;
        p->stack[p->stack_depth++] = *g;
        break;
    case GLOBAL_POP:
        if (p->stack_depth == 0)
            return false;
        *g = p->stack[--p->stack_depth];
        break;
    default:
        break; /* reserved tags carry nothing a pen needs */
    }
    return true;
}

static bool local_item(parser *p, unsigned tag, uint32_t u, size_t size)
{
    locals *l = &p->l;
    switch (tag) {
    case LOCAL_USAGE:
        if (l->n_usages >= HIDPARSE_MAX_USAGES)
            return false;
        l->usages[l->n_usages++] = full_usage(p, u, size);
        break;
    case LOCAL_USAGE_MIN:
        l->usage_min = full_usage(p, u, size);
        l->has_min = true;
        break;
    case LOCAL_USAGE_MAX:
        l->usage_max = full_usage(p, u, size);
        l->has_max = true;
        break;
    default:
        break; /* designators and strings */
    }
    return true;
}

bk_err hidparse_parse(const uint8_t *desc, size_t len, hidparse_layout *out)
{
    if (desc == NULL || out == NULL)
        return BK_ERR_INVALID;
    /* Work on a local copy so that *out is written only on success. */
    parser p;
    hidparse_layout result;
    memset(&p, 0, sizeof p);
    memset(&result, 0, sizeof result);
    p.out = &result;

    size_t i = 0;
    while (i < len) {
        uint8_t prefix = desc[i];
        if (prefix == LONG_ITEM_PREFIX) {
            if (len - i < 3)
                return BK_ERR_INVALID;
            size_t data_size = desc[i + 1];
            if (len - i - 3 < data_size)
                return BK_ERR_INVALID;
            result.long_items++;
            i += 3 + data_size;
            continue;
        }
        static const size_t sizes[4] = {0, 1, 2, 4};
        size_t size = sizes[prefix & 3];
        unsigned type = (prefix >> 2) & 3;
        unsigned tag = prefix >> 4;
        if (len - i - 1 < size)
            return BK_ERR_INVALID;
        uint32_t u = 0;
        for (size_t k = 0; k < size; k++)
            u |= (uint32_t)desc[i + 1 + k] << (8 * k);
        int32_t s;
        if (size == 1)
            s = (int8_t)u;
        else if (size == 2)
            s = (int16_t)u;
        else
            s = (int32_t)u;
        i += 1 + size;

        bool ok;
        if (type == ITEM_MAIN)
            ok = main_item(&p, tag, u);
        else if (type == ITEM_GLOBAL)
            ok = global_item(&p, tag, u, s);
        else if (type == ITEM_LOCAL)
            ok = local_item(&p, tag, u, size);
        else
            ok = false; /* the reserved item type */
        if (!ok)
            return BK_ERR_INVALID;
    }
    if (p.depth != 0)
        return BK_ERR_INVALID; /* a collection left open: the descriptor was cut short */
    for (size_t id = 0; id < 256; id++)
        result.input_bits[id] = (uint16_t)p.bits[0][id];
    *out = result;
    return BK_OK;
}

const hidparse_field *hidparse_find(const hidparse_layout *layout, uint8_t report_id, uint16_t page,
                                    uint16_t usage)
{
    for (size_t i = 0; i < layout->n_fields; i++) {
        const hidparse_field *f = &layout->fields[i];
        if (f->report_id == report_id && f->page == page && f->usage == usage)
            return f;
    }
    return NULL;
}

bk_err hidparse_pen_report(const hidparse_layout *layout, uint8_t *report_id)
{
    for (size_t i = 0; i < layout->n_fields; i++) {
        const hidparse_field *f = &layout->fields[i];
        if (!f->in_digitizer || f->page != HIDPARSE_PAGE_DESKTOP || f->usage != HIDPARSE_USAGE_X)
            continue;
        const hidparse_field *y =
            hidparse_find(layout, f->report_id, HIDPARSE_PAGE_DESKTOP, HIDPARSE_USAGE_Y);
        const hidparse_field *tip =
            hidparse_find(layout, f->report_id, HIDPARSE_PAGE_DIGITIZER, HIDPARSE_USAGE_TIP_SWITCH);
        if (y != NULL && tip != NULL && y->in_digitizer && tip->in_digitizer) {
            *report_id = f->report_id;
            return BK_OK;
        }
    }
    return BK_ERR_NOT_FOUND;
}

bk_err hidparse_mm_per_unit(const hidparse_field *field, double *mm)
{
    /* The length nibble (bits 4-7) must be 1 and everything else but the system nibble 0. */
    uint32_t system = field->unit & 0xF;
    if ((field->unit & ~0xFFu) != 0 || ((field->unit >> 4) & 0xF) != 1)
        return BK_ERR_UNSUPPORTED;
    double base;
    if (system == 1)
        base = 10.0; /* SI linear: centimetre */
    else if (system == 3)
        base = 25.4; /* English linear: inch */
    else
        return BK_ERR_UNSUPPORTED;
    double scale = 1.0;
    for (int e = field->unit_exponent; e > 0; e--)
        scale *= 10.0;
    for (int e = field->unit_exponent; e < 0; e++)
        scale /= 10.0;
    *mm = base * scale;
    return BK_OK;
}
