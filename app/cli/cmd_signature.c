/* biokiosk signature render POINTS.json OUT.png: the signature image from a points file
 * (sigfile.h), the vector record the kiosk keeps. The device's counts_per_mm (the pad's
 * resolution) caps the scale; its size bounds the coordinates.
 * biokiosk signature pads: the USB signature pads attached now, usable or not (sigpad_scan), with
 * what a technician needs for a pad that is not in the table of known pads: its vendor:product
 * id (the kiosk's udev rules are made from the table, so such a pad needs a rule of its own). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "drivers/sigpad/sigfile.h"
#include "core/sigink.h"
#include "drivers/sigpad/sigpad.h"
#include "imaging/sigrender.h"
#include "drivers/sigpad/sigtable.h"

#define CMD "signature"

static int render(const char *points_path, const char *png_path, const sigrender_options *opt)
{
    sigink *ink = NULL;
    sigfile_device device;
    char *why = NULL;
    sigrender_image img = {0};
    int status = CLI_EXIT_USAGE;
    if (sigfile_read(points_path, &ink, &device, &why) != BK_OK) {
        /* why never names the file: it is named here, once */
        cli_usage_error(CMD, "%s: %s", points_path, why ? why : "cannot be read");
        goto out;
    }
    sigrender_options o = *opt;
    o.max_px_per_mm = device.counts_per_mm;
    bk_err err = sigrender_render(ink, &o, &img);
    if (err != BK_OK) {
        cli_usage_error(CMD, "cannot render: %s", bk_err_str(err));
        goto out;
    }
    if (sigrender_write_png(&img, png_path) != BK_OK) {
        cli_usage_error(CMD, "%s: cannot write the image", png_path);
        goto out;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "width");
    json_builder_add_int_value(b, img.width);
    json_builder_set_member_name(b, "height");
    json_builder_add_int_value(b, img.height);
    json_builder_set_member_name(b, "dpi");
    json_builder_add_int_value(b, (gint64)lround(img.px_per_mm * 25.4));
    json_builder_set_member_name(b, "strokes");
    json_builder_add_int_value(b, (gint64)sigink_stroke_count(ink));
    json_builder_set_member_name(b, "points");
    json_builder_add_int_value(b, (gint64)sigink_point_count(ink));
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    status = CLI_EXIT_OK;
out:
    g_free(why);
    sigrender_image_clear(&img);
    sigink_free(ink);
    return status;
}

/* Lists the pads attached now, usable or not. */
static int pads(void)
{
    sigpad_found found[16];
    size_t n = 0;
    if (sigpad_scan(found, G_N_ELEMENTS(found), &n) != BK_OK) {
        fprintf(stderr, "biokiosk %s: USB cannot be used\n", CMD);
        return CLI_EXIT_UNAVAILABLE;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "pads");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++) {
        char id[8];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "vendor");
        snprintf(id, sizeof id, "%04x", found[i].vendor);
        json_builder_add_string_value(b, id);
        json_builder_set_member_name(b, "product");
        snprintf(id, sizeof id, "%04x", found[i].product);
        json_builder_add_string_value(b, id);
        json_builder_set_member_name(b, "id");
        char both[16];
        snprintf(both, sizeof both, "%04x:%04x", found[i].vendor, found[i].product);
        json_builder_add_string_value(b, both);
        json_builder_set_member_name(b, "bus");
        json_builder_add_int_value(b, found[i].bus);
        json_builder_set_member_name(b, "address");
        json_builder_add_int_value(b, found[i].address);
        json_builder_set_member_name(b, "model");
        json_builder_add_string_value(b, found[i].model);
        json_builder_set_member_name(b, "serial");
        json_builder_add_string_value(b, found[i].serial);
        json_builder_set_member_name(b, "usable");
        json_builder_add_boolean_value(b, found[i].verdict == SIGPAD_USABLE);
        if (found[i].reason[0]) {
            json_builder_set_member_name(b, "reason");
            json_builder_add_string_value(b, found[i].reason);
        }
        bool known = sigtable_lookup(found[i].vendor, found[i].product) != NULL;
        json_builder_set_member_name(b, "known");
        json_builder_add_boolean_value(b, known);
        if (!known && found[i].verdict == SIGPAD_USABLE) {
            char note[160];
            snprintf(note, sizeof note,
                     "read as a generic HID pen; not in the table of known pads, so the kiosk "
                     "user needs a udev rule for %s",
                     both);
            json_builder_set_member_name(b, "note");
            json_builder_add_string_value(b, note);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    return CLI_EXIT_OK;
}

int cmd_signature(int argc, char **argv)
{
    int width = 600, height = 200, margin = 12;
    double pen_mm = 0.6;
    GOptionEntry entries[] = {
        {"width", 0, 0, G_OPTION_ARG_INT, &width, "largest image width in pixels (600)", "PX"},
        {"height", 0, 0, G_OPTION_ARG_INT, &height, "largest image height in pixels (200)", "PX"},
        {"margin", 0, 0, G_OPTION_ARG_INT, &margin, "white margin around the ink (12)", "PX"},
        {"pen-mm", 0, 0, G_OPTION_ARG_DOUBLE, &pen_mm, "stroke width at half pressure (0.6)", "MM"},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    if (!cli_parse_options(CMD, "render POINTS.json OUT.png | pads",
                           "render: draws a signature points file as an 8-bit grey PNG, black on "
                           "white, cropped to the ink and fitted to the box.\n"
                           "pads: lists the USB signature pads attached, usable or not.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (argc == 2 && strcmp(argv[1], "pads") == 0)
        return pads();
    if (argc != 4 || strcmp(argv[1], "render") != 0)
        return cli_usage_error(CMD, "usage: biokiosk signature render POINTS.json OUT.png | "
                                    "biokiosk signature pads");
    sigrender_options opt = SIGRENDER_OPTIONS_DEFAULT;
    opt.max_width = width;
    opt.max_height = height;
    opt.margin = margin;
    opt.pen_mm = pen_mm;
    if (width < 16 || height < 16 || width > 8192 || height > 8192 || margin < 0 ||
        2 * margin >= width - 4 || 2 * margin >= height - 4 || !(pen_mm > 0) || pen_mm > 10)
        return cli_usage_error(CMD, "the box, margin or pen width is out of range");
    return render(argv[2], argv[3], &opt);
}
