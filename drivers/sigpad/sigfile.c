#include "sigfile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "biomem.h"

/* Beyond this a coordinate is not a pen on a desk pad or screen. */
static const double ABSURD_MM = 2000.0;

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

static bool read_device(JsonObject *top, sigfile_device *dev, char **why)
{
    JsonNode *node = json_object_get_member(top, "device");
    if (node == NULL)
        return true;
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        *why = g_strdup("'device' is not an object");
        return false;
    }
    JsonObject *d = json_node_get_object(node);
    if (!string_member(d, "kind", dev->kind, sizeof dev->kind, why) ||
        !string_member(d, "model", dev->model, sizeof dev->model, why) ||
        !number_member(d, "width_mm", false, &dev->width_mm, why) ||
        !number_member(d, "height_mm", false, &dev->height_mm, why) ||
        !number_member(d, "counts_per_mm", false, &dev->counts_per_mm, why))
        return false;
    if (dev->width_mm < 0 || dev->height_mm < 0 || dev->width_mm > ABSURD_MM ||
        dev->height_mm > ABSURD_MM || dev->counts_per_mm < 0 || dev->counts_per_mm > 10000) {
        *why = g_strdup("the device's size or resolution is out of range");
        return false;
    }
    return true;
}

static bool read_point(JsonNode *pn, const sigfile_device *dev, guint s, guint i, sigink *ink,
                       char **why)
{
    if (!JSON_NODE_HOLDS_OBJECT(pn)) {
        *why = g_strdup_printf("stroke %u point %u is not an object", s + 1, i + 1);
        return false;
    }
    JsonObject *p = json_node_get_object(pn);
    double x, y, pressure = 0.5, t = 0;
    char *inner = NULL;
    if (!number_member(p, "x_mm", true, &x, &inner) ||
        !number_member(p, "y_mm", true, &y, &inner) ||
        !number_member(p, "pressure", false, &pressure, &inner) ||
        !number_member(p, "t_ms", false, &t, &inner)) {
        *why = g_strdup_printf("stroke %u point %u: %s", s + 1, i + 1, inner);
        g_free(inner);
        return false;
    }
    bool outside = fabs(x) > ABSURD_MM || fabs(y) > ABSURD_MM ||
                   (dev->width_mm > 0 && (x < -1 || x > dev->width_mm + 1)) ||
                   (dev->height_mm > 0 && (y < -1 || y > dev->height_mm + 1));
    if (outside || pressure < 0 || pressure > 1 || t < 0 || t > UINT32_MAX) {
        *why = g_strdup_printf("stroke %u point %u: %s out of range", s + 1, i + 1,
                               outside ? "coordinates" : "pressure or time");
        return false;
    }
    sigink_point pt = {(float)x, (float)y, (float)pressure, (uint32_t)t};
    if (sigink_add(ink, &pt) != BK_OK) {
        *why = g_strdup("out of memory");
        return false;
    }
    return true;
}

static bool read_strokes(JsonObject *top, const sigfile_device *dev, sigink *ink, char **why)
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
            if (!read_point(json_array_get_element(pa, i), dev, s, i, ink, why))
                return false;
        sigink_end_stroke(ink);
    }
    if (sigink_point_count(ink) == 0) {
        *why = g_strdup("no strokes with points");
        return false;
    }
    return true;
}

bk_err sigfile_read(const char *path, sigink **ink_out, sigfile_device *device, char **why)
{
    char *reason = NULL;
    bk_err err = BK_ERR_INVALID;
    sigfile_device dev = {0};
    sigink *ink = sigink_new();
    JsonParser *parser = json_parser_new();
    GError *error = NULL;
    if (ink == NULL) {
        err = BK_ERR_NOMEM;
        goto out;
    }
    if (!json_parser_load_from_file(parser, path, &error)) {
        err = error->domain == G_FILE_ERROR ? BK_ERR_IO : BK_ERR_INVALID;
        reason = g_strdup(error->message);
        g_error_free(error);
        goto out;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        reason = g_strdup("the file is not a JSON object");
        goto out;
    }
    JsonObject *top = json_node_get_object(root);
    if (!read_device(top, &dev, &reason) || !read_strokes(top, &dev, ink, &reason))
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
    bk_err err = g_file_set_contents(path, s->str, (gssize)s->len, NULL) ? BK_OK : BK_ERR_IO;
    biomem_wipe(s->str, s->allocated_len); /* the points are biometric data */
    g_string_free(s, TRUE);
    return err;
}
