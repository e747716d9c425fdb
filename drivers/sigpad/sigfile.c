#include "drivers/sigpad/sigfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core/biomem.h"
#include "jsoncheck/jsoncheck.h"

/* No desk pad or kiosk screen has a writing area a metre wide. */
static const double DEVICE_MAX_MM = 1000.0;
/* Without the device's size: a generous pad (A3 is 420 mm wide). */
static const double NO_DEVICE_MAX_MM = 500.0;
/* Slack beyond the device's size, as `biokiosk record --signature` allows. */
static const double EDGE_SLACK_MM = 1.0;
/* A points file is a few hundred kB at most; beyond this it is not one. */
#define FILE_MAX_BYTES (64u << 20)

static const char *const TOP_MEMBERS[] = {"device", "strokes", NULL};
/* "serial" and "pressure_max" as `biokiosk record --signature` reads the same file. */
static const char *const DEVICE_MEMBERS[] = {
    "kind", "model", "serial", "width_mm", "height_mm", "counts_per_mm", "pressure_max", NULL};
static const char *const POINT_MEMBERS[] = {"x_mm", "y_mm", "pressure", "t_ms", NULL};

static bool number_member(JsonObject *o, const char *name, bool required, double *out, char **why)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL) {
        if (required)
            *why = g_strdup_printf("'%s' is missing", name);
        return !required;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) || (json_node_get_value_type(n) != G_TYPE_DOUBLE &&
                                      json_node_get_value_type(n) != G_TYPE_INT64)) {
        *why = g_strdup_printf("'%s' is not a number", name);
        return false;
    }
    *out = json_node_get_double(n);
    if (!isfinite(*out)) {
        *why = g_strdup_printf("'%s' is not a finite number", name);
        return false;
    }
    return true;
}

static bool string_member(JsonObject *o, const char *name, char *out, size_t size, char **why)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return true;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        *why = g_strdup_printf("'%s' is not a string", name);
        return false;
    }
    snprintf(out, size, "%s", json_node_get_string(n));
    return true;
}

static bool read_device(JsonObject *top, sigfile_device *dev, double *pressure_max, char **why)
{
    JsonNode *node = json_object_get_member(top, "device");
    if (node == NULL)
        return true;
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        *why = g_strdup("'device' is not an object");
        return false;
    }
    JsonObject *d = json_node_get_object(node);
    g_autofree const char **unknown = jsoncheck_unknown_members(d, DEVICE_MEMBERS);
    if (unknown != NULL) {
        *why = g_strdup_printf("'device' has an unknown member '%s'", unknown[0]);
        return false;
    }
    if (!string_member(d, "kind", dev->kind, sizeof dev->kind, why) ||
        !string_member(d, "model", dev->model, sizeof dev->model, why) ||
        !string_member(d, "serial", dev->serial, sizeof dev->serial, why) ||
        !number_member(d, "width_mm", false, &dev->width_mm, why) ||
        !number_member(d, "height_mm", false, &dev->height_mm, why) ||
        !number_member(d, "counts_per_mm", false, &dev->counts_per_mm, why) ||
        !number_member(d, "pressure_max", false, pressure_max, why))
        return false;
    if (dev->width_mm < 0 || dev->height_mm < 0 || dev->width_mm > DEVICE_MAX_MM ||
        dev->height_mm > DEVICE_MAX_MM || dev->counts_per_mm < 0 || dev->counts_per_mm > 10000) {
        *why = g_strdup("the device's size or resolution is out of range");
        return false;
    }
    if (!(*pressure_max > 0) || *pressure_max > 65535) {
        *why = g_strdup("the device's 'pressure_max' is out of range");
        return false;
    }
    return true;
}

/* NULL when the coordinate is on the writing area, else what is wrong with it (static). */
static const char *coordinate_fault(double v, double size_mm, bool is_x)
{
    if (v < 0)
        return is_x ? "'x_mm' is negative" : "'y_mm' is negative";
    if (size_mm > 0 && v > size_mm + EDGE_SLACK_MM)
        return is_x ? "'x_mm' is beyond the device's width"
                    : "'y_mm' is beyond the device's height";
    if (size_mm <= 0 && v > NO_DEVICE_MAX_MM)
        return is_x ? "'x_mm' is beyond 500 mm (the file gives no device width)"
                    : "'y_mm' is beyond 500 mm (the file gives no device height)";
    return NULL;
}

static bool read_point(JsonNode *pn, const sigfile_device *dev, double pressure_max, guint s,
                       guint i, sigink *ink, char **why)
{
    if (!JSON_NODE_HOLDS_OBJECT(pn)) {
        *why = g_strdup_printf("stroke %u point %u is not an object", s + 1, i + 1);
        return false;
    }
    JsonObject *p = json_node_get_object(pn);
    g_autofree const char **unknown = jsoncheck_unknown_members(p, POINT_MEMBERS);
    if (unknown != NULL) {
        *why = g_strdup_printf("stroke %u point %u: unknown member '%s'", s + 1, i + 1, unknown[0]);
        return false;
    }
    double x, y, pressure = 0.5 * pressure_max, t = 0;
    char *inner = NULL;
    if (!number_member(p, "x_mm", true, &x, &inner) ||
        !number_member(p, "y_mm", true, &y, &inner) ||
        !number_member(p, "pressure", false, &pressure, &inner) ||
        !number_member(p, "t_ms", false, &t, &inner)) {
        *why = g_strdup_printf("stroke %u point %u: %s", s + 1, i + 1, inner);
        g_free(inner);
        return false;
    }
    const char *fault = coordinate_fault(x, dev->width_mm, true);
    if (fault == NULL)
        fault = coordinate_fault(y, dev->height_mm, false);
    if (fault != NULL) {
        *why = g_strdup_printf("stroke %u point %u: coordinates out of range: %s", s + 1, i + 1,
                               fault);
        return false;
    }
    pressure /= pressure_max;
    if (pressure < 0 || pressure > 1 || t < 0 || t > UINT32_MAX) {
        *why = g_strdup_printf("stroke %u point %u: pressure or time out of range", s + 1, i + 1);
        return false;
    }
    sigink_point pt = {(float)x, (float)y, (float)pressure, (uint32_t)t};
    if (sigink_add(ink, &pt) != BK_OK) {
        *why = g_strdup("out of memory");
        return false;
    }
    return true;
}

static bool read_strokes(JsonObject *top, const sigfile_device *dev, double pressure_max,
                         sigink *ink, char **why)
{
    JsonNode *strokes = json_object_get_member(top, "strokes");
    if (strokes == NULL || !JSON_NODE_HOLDS_ARRAY(strokes)) {
        *why = g_strdup("'strokes' is missing or not an array");
        return false;
    }
    JsonArray *sa = json_node_get_array(strokes);
    for (guint s = 0; s < json_array_get_length(sa); s++) {
        JsonNode *sn = json_array_get_element(sa, s);
        if (!JSON_NODE_HOLDS_ARRAY(sn)) {
            *why = g_strdup_printf("stroke %u is not an array", s + 1);
            return false;
        }
        JsonArray *pa = json_node_get_array(sn);
        for (guint i = 0; i < json_array_get_length(pa); i++)
            if (!read_point(json_array_get_element(pa, i), dev, pressure_max, s, i, ink, why))
                return false;
        sigink_end_stroke(ink);
    }
    if (sigink_point_count(ink) == 0) {
        *why = g_strdup("no strokes with points");
        return false;
    }
    return true;
}

/* The whole file into a biomem buffer (it holds pen points). The reason says what went wrong
 * without the file's name: the caller names the file. */
static bk_err read_all(const char *path, char **text, size_t *len, char **why)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *why = g_strdup_printf("cannot be read: %s", g_strerror(errno));
        return BK_ERR_IO;
    }
    size_t cap = 4096, n = 0;
    char *buf = biomem_alloc(cap);
    bk_err err = buf ? BK_OK : BK_ERR_NOMEM;
    while (err == BK_OK) {
        if (n == cap) {
            char *bigger = cap >= FILE_MAX_BYTES ? NULL : biomem_realloc(buf, cap * 2);
            if (bigger == NULL) {
                err = cap >= FILE_MAX_BYTES ? BK_ERR_INVALID : BK_ERR_NOMEM;
                *why = g_strdup(cap >= FILE_MAX_BYTES ? "too large for a points file"
                                                      : "out of memory");
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                err = BK_ERR_IO;
                *why = g_strdup_printf("cannot be read: %s", g_strerror(errno));
            }
            break;
        }
    }
    fclose(f);
    if (err != BK_OK) {
        biomem_free(buf);
        return err;
    }
    *text = buf;
    *len = n;
    return BK_OK;
}

/* JSON-GLib's message for data names "<data>" and the place: "<data>:1:36: Parse error: ...". */
static char *parse_error(const GError *error)
{
    unsigned line = 0, column = 0;
    int used = 0;
    const char *m = error->message;
    if (sscanf(m, "<data>:%u:%u: %n", &line, &column, &used) == 2 && used > 0) {
        m += used;
        if (g_str_has_prefix(m, "Parse error: "))
            m += strlen("Parse error: ");
        return g_strdup_printf("not valid JSON: line %u, column %u: %s", line, column, m);
    }
    return g_strdup_printf("not valid JSON: %s", m);
}

bk_err sigfile_read(const char *path, sigink **ink_out, sigfile_device *device, char **why)
{
    char *reason = NULL;
    char *text = NULL;
    size_t len = 0;
    bk_err err = BK_ERR_INVALID;
    sigfile_device dev = {0};
    double pressure_max = 1.0;
    sigink *ink = sigink_new();
    JsonParser *parser = json_parser_new();
    GError *error = NULL;
    if (ink == NULL) {
        err = BK_ERR_NOMEM;
        goto out;
    }
    if ((err = read_all(path, &text, &len, &reason)) != BK_OK)
        goto out;
    err = BK_ERR_INVALID;
    if (!json_parser_load_from_data(parser, text, (gssize)len, &error)) {
        reason = parse_error(error);
        g_error_free(error);
        goto out;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        reason = g_strdup("the file is not a JSON object");
        goto out;
    }
    JsonObject *top = json_node_get_object(root);
    const char **unknown = jsoncheck_unknown_members(top, TOP_MEMBERS);
    if (unknown != NULL) {
        reason = g_strdup_printf("unknown member '%s'", unknown[0]);
        g_free(unknown);
        goto out;
    }
    if (!read_device(top, &dev, &pressure_max, &reason) ||
        !read_strokes(top, &dev, pressure_max, ink, &reason))
        goto out;
    *ink_out = ink;
    ink = NULL;
    *device = dev;
    err = BK_OK;
out:
    if (why != NULL)
        *why = reason;
    else
        g_free(reason);
    biomem_free(text);
    sigink_free(ink);
    g_object_unref(parser);
    return err;
}

/* Numbers are written with three decimals (a micrometre is finer than any pad), by hand:
 * JSON-GLib would write every float with seventeen digits. */
static void add_number(GString *s, const char *name, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, "%.3f", v);
    g_string_append_printf(s, "\"%s\": %s", name, buf);
}

static void add_string(GString *s, const char *name, const char *value)
{
    JsonNode *node = json_node_init_string(json_node_alloc(), value);
    char *quoted = json_to_string(node, FALSE);
    g_string_append_printf(s, "\"%s\": %s, ", name, quoted);
    g_free(quoted);
    json_node_unref(node);
}

bk_err sigfile_write(const char *path, const sigink *ink, const sigfile_device *device)
{
    GString *s = g_string_sized_new(64 + 80 * sigink_point_count(ink));
    g_string_append(s, "{\"device\": {");
    if (device->kind[0])
        add_string(s, "kind", device->kind);
    if (device->model[0])
        add_string(s, "model", device->model);
    if (device->serial[0])
        add_string(s, "serial", device->serial);
    if (device->width_mm > 0) {
        add_number(s, "width_mm", device->width_mm);
        g_string_append(s, ", ");
    }
    if (device->height_mm > 0) {
        add_number(s, "height_mm", device->height_mm);
        g_string_append(s, ", ");
    }
    if (device->counts_per_mm > 0) {
        add_number(s, "counts_per_mm", device->counts_per_mm);
        g_string_append(s, ", ");
    }
    if (g_str_has_suffix(s->str, ", "))
        g_string_truncate(s, s->len - 2);
    g_string_append(s, "},\n \"strokes\": [");
    for (size_t k = 0; k < sigink_stroke_count(ink); k++) {
        size_t n = 0;
        const sigink_point *p = sigink_stroke(ink, k, &n);
        g_string_append(s, k ? ",\n  [" : "\n  [");
        for (size_t i = 0; i < n; i++) {
            g_string_append(s, i ? ", {" : "{");
            add_number(s, "x_mm", p[i].x_mm);
            g_string_append(s, ", ");
            add_number(s, "y_mm", p[i].y_mm);
            g_string_append(s, ", ");
            add_number(s, "pressure", p[i].pressure);
            g_string_append_printf(s, ", \"t_ms\": %" G_GUINT32_FORMAT "}", p[i].t_ms);
        }
        g_string_append(s, "]");
    }
    g_string_append(s, "]}\n");
    /* personal data: readable by its owner only, whatever the caller's umask */
    bk_err err = g_file_set_contents_full(path, s->str, (gssize)s->len,
                                          G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL)
                     ? BK_OK
                     : BK_ERR_IO;
    biomem_wipe(s->str, s->allocated_len); /* the points are biometric data */
    g_string_free(s, TRUE);
    return err;
}
