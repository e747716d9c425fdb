#include "record/record.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "core/biomem.h"
#include "core/caldate.h"
#include "core/limits.h"
#include "record/outbox.h"
#include "record/record-priv.h"
#include "core/rules.h"
#include "record/seal.h"
#include "core/sigink.h"
#include "imaging/sigrender.h"

#define PEN_MAX 65535L /* the largest Type-8 coordinate */
#define PEN_END 255    /* Type-8 pressure: the end of the vectors */

bk_err record_refuse(char *why, size_t why_size, const char *fmt, ...)
{
    if (why != NULL && why_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
    }
    return BK_ERR_INVALID;
}

/* ---- image headers ---- */

bk_err record_jpeg_size(const uint8_t *d, size_t len, unsigned *width, unsigned *height)
{
    if (d == NULL || len < 4 || d[0] != 0xFF || d[1] != 0xD8)
        return BK_ERR_INVALID;
    size_t p = 2;
    while (p + 4 <= len) {
        if (d[p] != 0xFF)
            return BK_ERR_INVALID;
        uint8_t marker = d[p + 1];
        if (marker == 0xFF) {
            p++; /* fill byte */
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA)
            return BK_ERR_INVALID; /* image data before any frame header */
        size_t seg = (size_t)d[p + 2] << 8 | d[p + 3];
        if (seg < 2 || p + 2 + seg > len)
            return BK_ERR_INVALID;
        if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) {
            if (seg < 8)
                return BK_ERR_INVALID;
            unsigned h = (unsigned)d[p + 5] << 8 | d[p + 6];
            unsigned w = (unsigned)d[p + 7] << 8 | d[p + 8];
            if (w == 0 || h == 0)
                return BK_ERR_INVALID;
            *width = w;
            *height = h;
            return marker == 0xC0 ? BK_OK : BK_ERR_UNSUPPORTED;
        }
        p += 2 + seg;
    }
    return BK_ERR_INVALID;
}

bk_err record_png_header(const uint8_t *d, size_t len, unsigned *width, unsigned *height,
                         unsigned *depth, unsigned *colour)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (d == NULL || len < 33 || memcmp(d, sig, 8) != 0 || memcmp(d + 8, "\0\0\0\015IHDR", 8) != 0)
        return BK_ERR_INVALID;
    *width = (unsigned)d[16] << 24 | (unsigned)d[17] << 16 | (unsigned)d[18] << 8 | d[19];
    *height = (unsigned)d[20] << 24 | (unsigned)d[21] << 16 | (unsigned)d[22] << 8 | d[23];
    *depth = d[24];
    *colour = d[25];
    return BK_OK;
}

bk_err record_split_name(const char *name, char **surname, char **given)
{
    const char *comma = name ? strchr(name, ',') : NULL;
    if (comma == NULL)
        return BK_ERR_NOT_FOUND;
    char *sur = g_strstrip(g_strndup(name, (gsize)(comma - name)));
    char *giv = g_strstrip(g_strdup(comma + 1));
    if (sur[0] == '\0' || giv[0] == '\0' || strchr(giv, ',') != NULL) {
        biomem_wipe(sur, strlen(sur));
        biomem_wipe(giv, strlen(giv));
        g_free(sur);
        g_free(giv);
        return BK_ERR_NOT_FOUND;
    }
    *surname = sur;
    *given = giv;
    return BK_OK;
}

/* The renderer's settings for the record: its defaults in the session's box. */
static sigrender_options image_options(const record_session *s)
{
    sigrender_options o = SIGRENDER_OPTIONS_DEFAULT;
    if (s->signature_box_width > 0 && s->signature_box_height > 0) {
        o.max_width = s->signature_box_width;
        o.max_height = s->signature_box_height;
    } else {
        o.max_width = RECORD_SIGNATURE_BOX_WIDTH;
        o.max_height = RECORD_SIGNATURE_BOX_HEIGHT;
    }
    /* a small box keeps a margin in proportion (the default 12 px of a 200 px height) */
    int side = MIN(o.max_width, o.max_height);
    if (2 * o.margin >= side / 2)
        o.margin = side / 16;
    o.max_px_per_mm = s->signature_px_per_mm > 0 ? s->signature_px_per_mm : 0;
    return o;
}

bk_err record_signature_image(const record_session *s, sigrender_image *out)
{
    if (s == NULL || s->n_strokes == 0)
        return BK_ERR_NOT_FOUND;
    sigink *ink = sigink_new();
    if (ink == NULL)
        return BK_ERR_NOMEM;
    bk_err err = BK_OK;
    for (size_t i = 0; i < s->n_strokes && err == BK_OK; i++) {
        for (size_t j = 0; j < s->strokes[i].n_points && err == BK_OK; j++) {
            const record_point *p = &s->strokes[i].points[j];
            sigink_point sp = {(float)p->x_mm, (float)p->y_mm, (float)p->pressure,
                               (uint32_t)lround(p->t_ms)};
            err = sigink_add(ink, &sp);
        }
        sigink_end_stroke(ink);
    }
    sigrender_options o = image_options(s);
    if (err == BK_OK)
        err = sigrender_render(ink, &o, out);
    /* sigrender refuses a box whose room is taken by the pen's width at the finest scale (a
     * tiny signature from a fine pad in a small box): a coarser scale then fits */
    double cap = o.max_px_per_mm > 0 ? o.max_px_per_mm : 40.0;
    while (err == BK_ERR_INVALID && cap > 1) {
        cap /= 2;
        o.max_px_per_mm = cap;
        err = sigrender_render(ink, &o, out);
    }
    sigink_free(ink);
    return err;
}

/* ---- encoding ---- */

static int is_ascii(const char *s)
{
    for (; s != NULL && *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Appends an item or subfield separator and formatted text. */
static void put(GString *g, char sep, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void put(GString *g, char sep, const char *fmt, ...)
{
    if (sep != 0 && g->len > 0)
        g_string_append_c(g, sep);
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(g, fmt, ap);
    va_end(ap);
}

/* Sets a field from a GString and wipes the string (it may hold personal data). */
static bk_err set_gstring(an2k_record *r, unsigned tag, GString *g)
{
    bk_err err = g->len > 0 ? an2k_set(r, tag, g->str, g->len) : BK_OK;
    biomem_wipe(g->str, g->allocated_len);
    g_string_truncate(g, 0);
    return err;
}

static long pen_unit(double mm)
{
    long u = lround(mm / UNIT_MM);
    return u < 0 ? 0 : u > PEN_MAX ? PEN_MAX : u;
}

/* ANSI/NIST-ITL 1-2011 (8.008, vectored data) references X and Y "from the bottom leftmost
 * corner of the signature", X growing to the right and Y upwards. That corner on the pad, in
 * 0.0254 mm: x from the pad's left edge (the leftmost point) and y down from its top edge (the
 * lowest point). Type-2 2.127 keeps it, so that the pen's place on the pad comes back. */
static record_pen_origin pen_origin(const record_session *s)
{
    record_pen_origin o = {PEN_MAX, 0};
    for (size_t i = 0; i < s->n_strokes; i++)
        for (size_t j = 0; j < s->strokes[i].n_points; j++) {
            o.x = MIN(o.x, pen_unit(s->strokes[i].points[j].x_mm));
            o.y = MAX(o.y, pen_unit(s->strokes[i].points[j].y_mm));
        }
    return o;
}

static bk_err encode_type2(an2k *t, const record_session *s, const sigrender_image *img,
                           const sigrender_options *o)
{
    an2k_record *r;
    bk_err err = an2k_add_tagged(t, 2, &r);
    if (err != BK_OK)
        return err;
    char date[9];
    snprintf(date, sizeof(date), "%.4s%.2s%.2s", s->birth_date, s->birth_date + 5,
             s->birth_date + 8);
    struct {
        unsigned tag;
        const char *value;
    } plain[] = {
        {2, "0"},
        {100, "1"},
        {101, s->v_number},
        {102, s->surname},
        {103, s->given_names},
        {104, date},
        {105, rules_category_str(s->category)},
        {106, s->appointment_code},
        {107, s->desk},
        {108, s->kiosk_id},
        {109, s->staff_id},
        {110, s->started},
        {111, s->ended},
        {112, s->name_unsplit},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(plain) && err == BK_OK; i++)
        if (plain[i].value != NULL && plain[i].value[0] != '\0')
            err = an2k_set_str(r, plain[i].tag, plain[i].value);

    GString *g = g_string_new(NULL);
    put(g, AN2K_RS, "photo%c%s%c%s", AN2K_US, rules_action_str(s->photo), AN2K_US, s->photo_reason);
    put(g, AN2K_RS, "fingerprints%c%s%c%s", AN2K_US, rules_action_str(s->fingerprints), AN2K_US,
        s->fingerprints_reason);
    put(g, AN2K_RS, "signature%c%s%c%s", AN2K_US, rules_action_str(s->signature), AN2K_US,
        s->signature_reason);
    if (err == BK_OK)
        err = set_gstring(r, 120, g);
    for (size_t i = 0; i < s->n_exceptions; i++) {
        const record_exception *e = &s->exceptions[i];
        put(g, AN2K_RS, "%s%c%u%c%c%c%s", e->item, AN2K_US, e->position, AN2K_US,
            e->permanent ? 'P' : 'T', AN2K_US, e->reason);
    }
    if (err == BK_OK)
        err = set_gstring(r, 121, g);
    for (size_t i = 0; i < s->n_attempts; i++) {
        const record_attempt *a = &s->attempts[i];
        put(g, AN2K_RS, "%s%c%u%c%d%c%d%c%c%c%c%c%s", a->item, AN2K_US, a->position, AN2K_US,
            a->quality, AN2K_US, a->threshold, AN2K_US, a->accepted ? 'A' : 'R', AN2K_US, a->veto,
            AN2K_US, a->time);
    }
    if (err == BK_OK)
        err = set_gstring(r, 122, g);
    for (size_t i = 0; i < s->n_devices; i++) {
        const record_device *d = &s->devices[i];
        put(g, AN2K_RS, "%s%c%s%c%s", d->kind, AN2K_US, d->model, AN2K_US, d->serial);
    }
    if (err == BK_OK)
        err = set_gstring(r, 123, g);
    for (size_t i = 0; i < s->n_strokes; i++) {
        if (i > 0)
            g_string_append_c(g, AN2K_RS);
        for (size_t j = 0; j < s->strokes[i].n_points; j++)
            g_string_append_printf(g, "%s%.0f", j ? "\x1f" : "", s->strokes[i].points[j].t_ms);
    }
    if (err == BK_OK)
        err = set_gstring(r, 124, g);
    if (s->audit_hash != NULL && s->audit_seq > 0) {
        put(g, 0, "%lu%c%s", s->audit_seq, AN2K_US, s->audit_hash);
        if (err == BK_OK)
            err = set_gstring(r, 126, g);
    }
    if (s->n_strokes > 0) {
        record_pen_origin po = pen_origin(s);
        put(g, 0, "%ld%c%ld", po.x, AN2K_US, po.y);
        if (err == BK_OK)
            err = set_gstring(r, 127, g);
    }
    if (img != NULL) {
        char scale[G_ASCII_DTOSTR_BUF_SIZE];
        g_ascii_formatd(scale, sizeof scale, "%.3f", img->px_per_mm);
        put(g, 0, "%s%c%d%c%d", scale, AN2K_US, o->max_width, AN2K_US, o->max_height);
        if (err == BK_OK)
            err = set_gstring(r, 125, g);
    }
    g_string_free(g, TRUE);
    return err;
}

static bk_err set_num(an2k_record *r, unsigned tag, unsigned long v)
{
    char text[24];
    snprintf(text, sizeof(text), "%lu", v);
    return an2k_set_str(r, tag, text);
}

static bk_err encode_face(an2k *t, const record_session *s, unsigned idc, const char *date)
{
    an2k_record *r;
    bk_err err = an2k_add_tagged(t, 10, &r);
    if (err != BK_OK)
        return err;
    err = set_num(r, 2, idc);
    static const struct {
        unsigned tag;
        const char *value;
    } fixed[] = {{3, "FACE"},   {8, "0"},     {9, "1"},   {10, "1"},
                 {11, "JPEGB"}, {12, "SYCC"}, {13, "13"}, {20, "F"}};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed) && err == BK_OK; i++)
        err = an2k_set_str(r, fixed[i].tag, fixed[i].value);
    if (err == BK_OK)
        err = an2k_set_str(r, 4, s->desk);
    if (err == BK_OK)
        err = an2k_set_str(r, 5, date);
    if (err == BK_OK)
        err = set_num(r, 6, RECORD_FACE_WIDTH);
    if (err == BK_OK)
        err = set_num(r, 7, RECORD_FACE_HEIGHT);
    if (err == BK_OK)
        err = an2k_set(r, AN2K_FIELD_DATA, s->face_jpeg, s->face_len);
    return err;
}

/* 14.018 AMP: one subfield per missing or unusable finger, FGP US XX (amputated) or UP (unable
 * to print); at most 4, the field's limit. Nothing when no finger exception is given. */
static bk_err encode_amp(an2k_record *r, const record_session *s)
{
    GString *g = g_string_new(NULL);
    size_t n = 0;
    for (size_t i = 0; i < s->n_exceptions && n < 4; i++) {
        const record_exception *e = &s->exceptions[i];
        if (strcmp(e->item, "finger") != 0 || e->position < 1 || e->position > 10)
            continue;
        /* ANSI/NIST-ITL 1-2011 table 31: XX amputation, UP unable to print (a bandaged or
         * injured finger, however long it lasts) */
        bool amputated = e->reason != NULL && strcmp(e->reason, "amputated") == 0;
        put(g, AN2K_RS, "%u%c%s", e->position, AN2K_US, amputated ? "XX" : "UP");
        n++;
    }
    bk_err err = set_gstring(r, 18, g);
    g_string_free(g, TRUE);
    return err;
}

static bk_err encode_finger(an2k *t, const record_session *s, const record_finger *f, unsigned idc,
                            const char *date)
{
    an2k_record *r;
    bk_err err = an2k_add_tagged(t, 14, &r);
    if (err != BK_OK)
        return err;
    unsigned w, h, depth, colour;
    record_png_header(f->png, f->png_len, &w, &h, &depth, &colour);
    char fqm[64];
    snprintf(fqm, sizeof(fqm), "%u%c%d%c%04X%c%u", f->position, AN2K_US, f->quality, AN2K_US,
             f->algorithm, AN2K_US, f->product);
    err = set_num(r, 2, idc);
    if (err == BK_OK)
        err = an2k_set_str(r, 3, "0");
    if (err == BK_OK)
        err = an2k_set_str(r, 4, s->desk);
    if (err == BK_OK)
        err = an2k_set_str(r, 5, date);
    if (err == BK_OK)
        err = set_num(r, 6, w);
    if (err == BK_OK)
        err = set_num(r, 7, h);
    if (err == BK_OK)
        err = an2k_set_str(r, 8, "1");
    if (err == BK_OK)
        err = set_num(r, 9, RECORD_FINGER_PPI);
    if (err == BK_OK)
        err = set_num(r, 10, RECORD_FINGER_PPI);
    if (err == BK_OK)
        err = an2k_set_str(r, 11, "PNG");
    if (err == BK_OK)
        err = an2k_set_str(r, 12, "8");
    if (err == BK_OK)
        err = set_num(r, 13, f->position);
    /* 14.018 AMP: the fingers a finger exception says are missing (XX, permanent) or cannot be
     * printed (UP, e.g. bandaged), as ANSI/NIST-ITL 1-2011 codes them; 2.121 keeps the reason */
    if (err == BK_OK)
        err = encode_amp(r, s);
    /* 14.024 FQM only with a registered quality algorithm (vendor id and product 1-65535, as
     * NIST's tables require): the kiosk's own score has none, so its records leave it out (the
     * score is in 2.122) */
    if (err == BK_OK && f->algorithm != 0 && f->product >= 1 && f->product <= 65535)
        err = an2k_set_str(r, 24, fqm);
    if (err == BK_OK)
        err = an2k_set(r, AN2K_FIELD_DATA, f->png, f->png_len);
    return err;
}

/* One Type-8 vector: X to the right and Y upwards from the signature's bottom left corner (o,
 * pen_origin), so the leftmost point has X 0 and the lowest Y 0; the pen's y runs down from the
 * pad's top edge (record_pen_decode with the origin undoes it exactly). */
static void put_point(uint8_t *v, double x_mm, double y_mm, unsigned pressure,
                      const record_pen_origin *o)
{
    unsigned x = (unsigned)(pen_unit(x_mm) - o->x), y = (unsigned)(o->y - pen_unit(y_mm));
    v[0] = (uint8_t)(x >> 8);
    v[1] = (uint8_t)x;
    v[2] = (uint8_t)(y >> 8);
    v[3] = (uint8_t)y;
    v[4] = (uint8_t)pressure;
}

static bk_err encode_signature(an2k *t, const record_session *s, unsigned idc)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_strokes; i++)
        n += s->strokes[i].n_points + 1;
    size_t len = 7 + 5 * (n + 1); /* the points, a pen-up after each stroke, the end vector */
    uint8_t *body = biomem_alloc(len);
    if (body == NULL)
        return BK_ERR_NOMEM;
    body[0] = 0; /* SIG: the subject's signature */
    body[1] = 2; /* SRT: vectored */
    /* ISR, HLL, VLL: 0 for vectored data */
    uint8_t *v = body + 7;
    record_pen_origin o = pen_origin(s);
    for (size_t i = 0; i < s->n_strokes; i++) {
        const record_stroke *st = &s->strokes[i];
        for (size_t j = 0; j < st->n_points; j++, v += 5)
            put_point(v, st->points[j].x_mm, st->points[j].y_mm,
                      1 + (unsigned)lround(st->points[j].pressure * 253), &o);
        put_point(v, st->points[st->n_points - 1].x_mm, st->points[st->n_points - 1].y_mm, 0, &o);
        v += 5;
    }
    /* the end of the vectors (pressure 255), where the pen was lifted last */
    const record_stroke *last = &s->strokes[s->n_strokes - 1];
    put_point(v, last->points[last->n_points - 1].x_mm, last->points[last->n_points - 1].y_mm,
              PEN_END, &o);
    bk_err err = an2k_add_binary(t, 8, idc, body, len);
    biomem_free(body);
    return err;
}

/* The rendered signature: SRT 0 (scanned, uncompressed), ISR 0 (19.69 px/mm), HLL, VLL, then
 * one byte per pixel, rows from the top. */
static bk_err encode_signature_image(an2k *t, const sigrender_image *img, unsigned idc)
{
    if (img->width < 1 || img->height < 1 || img->width > 65535 || img->height > 65535)
        return BK_ERR_INVALID;
    size_t n = (size_t)img->width * (size_t)img->height;
    uint8_t *body = biomem_alloc(7 + n);
    if (body == NULL)
        return BK_ERR_NOMEM;
    body[0] = 0; /* SIG: the subject's signature */
    body[1] = 0; /* SRT: scanned image, not compressed */
    body[2] = 0; /* ISR: the minimum scanning resolution, 19.69 px/mm */
    body[3] = (uint8_t)(img->width >> 8);
    body[4] = (uint8_t)img->width;
    body[5] = (uint8_t)(img->height >> 8);
    body[6] = (uint8_t)img->height;
    memcpy(body + 7, img->pixels, n);
    bk_err err = an2k_add_binary(t, 8, idc, body, 7 + n);
    biomem_free(body);
    return err;
}

bk_err record_encode(const record_session *s, const char *tcn, uint8_t **out, size_t *out_len,
                     char *why, size_t why_size)
{
    bk_err err = record_check(s, why, why_size);
    if (err != BK_OK)
        return err;
    if (!bk_text_ok(tcn, BK_TCN_MAX))
        return record_refuse(why, why_size, "bad transaction control number");
    an2k *t = an2k_new();
    if (t == NULL)
        return BK_ERR_NOMEM;
    char date[9];
    snprintf(date, sizeof(date), "%.8s", s->ended);
    an2k_record *r1;
    err = an2k_add_tagged(t, 1, &r1);
    const char *res = s->n_fingers > 0 ? "19.69" : "00.00";
    struct {
        unsigned tag;
        const char *value;
    } type1[] = {
        {2, "0500"}, {4, "BKENROL"}, {5, date}, {7, s->desk},   {8, s->desk},
        {9, tcn},    {11, res},      {12, res}, {14, s->ended},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(type1) && err == BK_OK; i++)
        err = an2k_set_str(r1, type1[i].tag, type1[i].value);
    if (err == BK_OK)
        err = an2k_set_str(r1, 13,
                           "NL-BIOKIOSK\x1f"
                           "1");
    if (err == BK_OK && !(is_ascii(s->surname) && is_ascii(s->given_names)))
        err = an2k_set_str(r1, 15, "3\x1fUTF-8");
    /* the signature image first: 2.125 says at which scale it was drawn */
    sigrender_image img = {0};
    sigrender_options o = image_options(s);
    bool have_image = false;
    if (err == BK_OK && s->n_strokes > 0) {
        err = record_signature_image(s, &img);
        have_image = err == BK_OK;
        if (err == BK_ERR_INVALID)
            err = BK_ERR_INTERNAL; /* record_check let the box through: not the input's fault */
    }
    if (err == BK_OK)
        err = encode_type2(t, s, have_image ? &img : NULL, &o);
    unsigned idc = 1;
    if (err == BK_OK && s->face_jpeg != NULL)
        err = encode_face(t, s, idc++, date);
    for (size_t i = 0; i < s->n_fingers && err == BK_OK; i++)
        err = encode_finger(t, s, &s->fingers[i], idc++, date);
    if (err == BK_OK && s->n_strokes > 0)
        err = encode_signature(t, s, idc++);
    if (err == BK_OK && have_image)
        err = encode_signature_image(t, &img, idc++);
    sigrender_image_clear(&img);
    if (err == BK_OK)
        err = an2k_write(t, out, out_len);
    if (err != BK_OK && err != BK_ERR_INVALID)
        record_refuse(why, why_size, "encoding failed: %s", bk_err_str(err));
    else if (err == BK_ERR_INVALID)
        record_refuse(why, why_size, "a value cannot be encoded");
    an2k_free(t);
    return err;
}

void record_committed_clear(record_committed *c)
{
    if (c == NULL)
        return;
    g_free(c->path);
    memset(c, 0, sizeof(*c));
}

bk_err record_commit(const record_session *s, const uint8_t kiosk_sk[64],
                     const uint8_t office_pk[32], const char *outbox_dir, record_committed *out,
                     char *why, size_t why_size)
{
    if (kiosk_sk == NULL || office_pk == NULL || outbox_dir == NULL || out == NULL)
        return BK_ERR_INVALID;
    bk_err err = seal_init();
    if (err != BK_OK)
        return err;
    err = record_check(s, why, why_size);
    if (err != BK_OK)
        return err;
    for (int tries = 0; tries < 3; tries++) {
        char tcn[BK_TCN_MAX + 1];
        G_STATIC_ASSERT(sizeof tcn <= sizeof out->tcn);
        snprintf(tcn, sizeof(tcn), "%s-%s-%08x", s->kiosk_id, s->ended, randombytes_random());
        uint8_t *an2 = NULL, *sealed = NULL;
        size_t an2_len = 0, sealed_len = 0;
        err = record_encode(s, tcn, &an2, &an2_len, why, why_size);
        if (err != BK_OK)
            return err;
        err = seal_record(an2, an2_len, kiosk_sk, office_pk, &sealed, &sealed_len);
        biomem_free(an2);
        if (err != BK_OK) {
            record_refuse(why, why_size, "sealing failed: %s", bk_err_str(err));
            return err;
        }
        /* the file name leaves the visit's time out (outbox.h) */
        g_autofree char *name = outbox_name_for_tcn(tcn);
        err = outbox_commit(outbox_dir, name, sealed, sealed_len);
        g_free(sealed);
        if (err == BK_ERR_EXISTS)
            continue;
        if (err != BK_OK) {
            record_refuse(why, why_size, "the outbox %s refused the record: %s", outbox_dir,
                          bk_err_str(err));
            return err;
        }
        g_strlcpy(out->tcn, tcn, sizeof(out->tcn));
        out->path = g_build_filename(outbox_dir, name, NULL);
        out->size = sealed_len;
        g_info("record: committed %s (%zu bytes)", tcn, sealed_len);
        return BK_OK;
    }
    record_refuse(why, why_size, "could not find a free transaction control number");
    return BK_ERR_EXISTS;
}

bk_err record_pen_decode(const uint8_t *data, size_t len, const record_pen_origin *origin,
                         record_point **points, size_t *n_points, size_t **ends, size_t *n_strokes)
{
    if (len % 5 != 0)
        return BK_ERR_CORRUPT;
    size_t n = len / 5;
    long min_x = n ? 65535 : 0, max_x = 0, max_y = 0;
    for (size_t i = 0; i < n; i++) {
        long x = (long)((unsigned)data[5 * i] << 8 | data[5 * i + 1]);
        min_x = MIN(min_x, x);
        max_x = MAX(max_x, x);
        max_y = MAX(max_y, (long)((unsigned)data[5 * i + 2] << 8 | data[5 * i + 3]));
    }
    /* without the origin on the pad: the signature's top left at 0, 0 */
    record_pen_origin o = {-min_x, max_y};
    if (origin != NULL) {
        /* an origin that would put points off the pad does not belong to these vectors */
        if (origin->x < 0 || origin->y < max_y || origin->x + max_x > 65535 || origin->y > 65535)
            return BK_ERR_INVALID;
        o = *origin;
    }
    record_point *pts = n ? biomem_calloc(n, sizeof(*pts)) : NULL;
    size_t *e = g_new0(size_t, n + 1);
    if (n > 0 && pts == NULL) {
        g_free(e);
        return BK_ERR_NOMEM;
    }
    size_t np = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *v = data + 5 * i;
        if (v[4] == 0) {
            if (ns == 0 ? np > 0 : np > e[ns - 1])
                e[ns++] = np;
            continue;
        }
        /* the end vector (255) ends the list; it is a point of its own only where the pen was
         * not already (NIST's samples end a stroke with it, the kiosk after its last pen-up) */
        if (v[4] == PEN_END && i > 0 && memcmp(v, v - 5, 4) == 0)
            break;
        pts[np].x_mm = (double)(o.x + (long)((unsigned)v[0] << 8 | v[1])) * UNIT_MM;
        pts[np].y_mm = (double)(o.y - (long)((unsigned)v[2] << 8 | v[3])) * UNIT_MM;
        pts[np].pressure = v[4] >= 254 ? 1.0 : (v[4] - 1) / 253.0;
        np++;
        if (v[4] == PEN_END)
            break;
    }
    if (np > 0 && (ns == 0 || e[ns - 1] != np))
        e[ns++] = np;
    *points = pts;
    *n_points = np;
    *ends = e;
    *n_strokes = ns;
    return BK_OK;
}
