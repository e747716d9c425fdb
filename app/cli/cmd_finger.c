/* biokiosk finger: quality of one fingerprint image, comparison of two. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"
#include "imaging/fingermatch.h"
#include "drivers/fingerprint/fingerprint.h"

#define CMD "finger"

/* Loads and analyses one image; on failure prints the one error line and returns FALSE. */
static gboolean load_features(const char *path, fingerimg **img_out, fingerfeat **feat_out)
{
    fingerimg *img = NULL;
    const char *why = NULL;
    bk_err err = fingerimg_load(path, &img, &why);
    if (err != BK_OK) {
        cli_usage_error(CMD, "%s: %s", path, why ? why : bk_err_str(err));
        return FALSE;
    }
    fingerfeat *feat = NULL;
    err = fingerfeat_analyse(img->pix, img->width, img->height, &feat);
    if (err != BK_OK) {
        fingerimg_free(img);
        cli_usage_error(CMD, "%s: %s", path, bk_err_str(err));
        return FALSE;
    }
    *img_out = img;
    *feat_out = feat;
    return TRUE;
}

static int finger_check(const char *path)
{
    fingerimg *img = NULL;
    fingerfeat *feat = NULL;
    if (!load_features(path, &img, &feat))
        return CLI_EXIT_USAGE;
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "width");
    json_builder_add_int_value(b, img->width);
    json_builder_set_member_name(b, "height");
    json_builder_add_int_value(b, img->height);
    json_builder_set_member_name(b, "quality");
    json_builder_add_int_value(b, feat->quality);
    json_builder_set_member_name(b, "minutiae");
    json_builder_add_int_value(b, feat->n_minutiae);
    json_builder_set_member_name(b, "foreground");
    /* steps of 1/256 print exactly, unlike thousandths */
    json_builder_add_double_value(b, (double)lrintf(feat->foreground * 256) / 256.0);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    fingerfeat_free(feat);
    fingerimg_free(img);
    return CLI_EXIT_OK;
}

static int finger_compare(const char *path_a, const char *path_b, int threshold)
{
    fingerimg *ia = NULL, *ib = NULL;
    fingerfeat *fa = NULL, *fb = NULL;
    int status = CLI_EXIT_USAGE;
    if (!load_features(path_a, &ia, &fa) || !load_features(path_b, &ib, &fb))
        goto out;
    fingermatch_result r;
    bk_err err = fingermatch_compare(fa, fb, &r);
    if (err != BK_OK) {
        cli_usage_error(CMD, "compare: %s", bk_err_str(err));
        goto out;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "score");
    json_builder_add_int_value(b, r.score);
    json_builder_set_member_name(b, "same_finger");
    json_builder_add_boolean_value(b, r.score >= threshold);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    status = CLI_EXIT_OK;
out:
    fingerfeat_free(fa);
    fingerfeat_free(fb);
    fingerimg_free(ia);
    fingerimg_free(ib);
    return status;
}

static int finger_readers(void)
{
    char **list = NULL;
    if (fingerprint_list(&list) != BK_OK)
        return cli_usage_error(CMD, "cannot list the readers");
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "readers");
    json_builder_begin_array(b);
    for (char **l = list; *l; l++)
        json_builder_add_string_value(b, *l);
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
    int status = list[0] != NULL ? CLI_EXIT_OK : CLI_EXIT_NO;
    fingerprint_list_free(list);
    return status;
}

/* One capture from the first reader (or `driver`), saved as a grey PNG, and its check line. */
static int finger_capture(const char *out_path, const char *driver, int timeout_s, int ppi)
{
    fingerprint_options o = {.driver = driver, .assume_ppmm = ppi / 25.4};
    fingerprint_reader *r = NULL;
    if (fingerprint_open(&o, &r) != BK_OK)
        return cli_usage_error(CMD, "cannot start the reader module");
    int status = CLI_EXIT_UNAVAILABLE;
    gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
    fingerprint_event ev;
    for (;;) {
        gint64 left = (end - g_get_monotonic_time()) / 1000;
        if (left <= 0 || !fingerprint_wait(r, &ev, (unsigned)left)) {
            fprintf(stderr, "biokiosk %s: no image within %d s\n", CMD, timeout_s);
            break;
        }
        if (ev.kind == FINGERPRINT_EVENT_READY) {
            if (fingerprint_capture(r) != BK_OK) {
                fprintf(stderr, "biokiosk %s: the reader cannot capture\n", CMD);
                fingerprint_event_clear(&ev);
                break;
            }
        } else if (ev.kind == FINGERPRINT_EVENT_READER_REMOVED) {
            fprintf(stderr, "biokiosk %s: no fingerprint reader\n", CMD);
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_ERROR) {
            fprintf(stderr, "biokiosk %s: %s\n", CMD, ev.text);
            fingerprint_event_clear(&ev);
            break;
        } else if (ev.kind == FINGERPRINT_EVENT_IMAGE) {
            if (fingerimg_save_png(ev.image, out_path) != BK_OK) {
                status = cli_usage_error(CMD, "%s: cannot write the image", out_path);
            } else {
                status = CLI_EXIT_OK;
                JsonBuilder *b = json_builder_new();
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "width");
                json_builder_add_int_value(b, ev.image->width);
                json_builder_set_member_name(b, "height");
                json_builder_add_int_value(b, ev.image->height);
                json_builder_set_member_name(b, "quality");
                json_builder_add_int_value(b, ev.features ? ev.features->quality : 0);
                json_builder_set_member_name(b, "minutiae");
                json_builder_add_int_value(b, ev.features ? ev.features->n_minutiae : 0);
                json_builder_set_member_name(b, "sensor_width");
                json_builder_add_int_value(b, ev.sensor_width);
                json_builder_set_member_name(b, "sensor_height");
                json_builder_add_int_value(b, ev.sensor_height);
                json_builder_set_member_name(b, "sensor_ppi");
                json_builder_add_int_value(b, (gint64)(ev.sensor_ppmm * 25.4 + 0.5));
                json_builder_set_member_name(b, "ppi_assumed");
                json_builder_add_boolean_value(b, ev.ppmm_assumed);
                json_builder_end_object(b);
                cli_print_json(b);
                g_object_unref(b);
            }
            fingerprint_event_clear(&ev);
            break;
        }
        fingerprint_event_clear(&ev);
    }
    fingerprint_close(r);
    return status;
}

int cmd_finger(int argc, char **argv)
{
    int threshold = FINGERMATCH_DEFAULT_THRESHOLD;
    int timeout_s = 30;
    int ppi = 500;
    g_autofree char *driver = NULL;
    const GOptionEntry entries[] = {
        {"threshold", 0, 0, G_OPTION_ARG_INT, &threshold,
         "compare: score at or above which two prints are the same finger (default 30)", "N"},
        {"driver", 0, 0, G_OPTION_ARG_STRING, &driver,
         "capture: the libfprint driver to use (default: the first reader)", "ID"},
        {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s,
         "capture: seconds to wait for a finger (default 30)", "S"},
        {"ppi", 0, 0, G_OPTION_ARG_INT, &ppi,
         "capture: the reader's resolution when libfprint reports none (default 500); the "
         "image is shrunk from it to 500 ppi, never enlarged: below 500 the capture is refused",
         "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (!cli_parse_options(CMD, "check IMAGE | compare IMAGE-A IMAGE-B | readers | capture OUT.png",
                           "Quality of a fingerprint image (grey or grey+alpha PNG, 8-bit PGM), "
                           "the comparison of two, the readers present, or one capture.",
                           entries, &argc, &argv))
        return CLI_EXIT_USAGE;
    if (threshold < 0 || threshold > 100)
        return cli_usage_error(CMD, "--threshold must be 0..100");
    if (argc >= 2 && strcmp(argv[1], "check") == 0) {
        if (argc != 3)
            return cli_usage_error(CMD, "check takes one image");
        return finger_check(argv[2]);
    }
    if (argc >= 2 && strcmp(argv[1], "compare") == 0) {
        if (argc != 4)
            return cli_usage_error(CMD, "compare takes two images");
        return finger_compare(argv[2], argv[3], threshold);
    }
    if (argc >= 2 && strcmp(argv[1], "readers") == 0) {
        if (argc != 2)
            return cli_usage_error(CMD, "readers takes no arguments");
        return finger_readers();
    }
    if (argc >= 2 && strcmp(argv[1], "capture") == 0) {
        if (argc != 3)
            return cli_usage_error(CMD, "capture takes the output file");
        if (timeout_s < 1 || timeout_s > 3600)
            return cli_usage_error(CMD, "--timeout must be 1..3600");
        if (ppi < 200 || ppi > 1500)
            return cli_usage_error(CMD, "--ppi must be 200..1500");
        return finger_capture(argv[2], driver, timeout_s, ppi);
    }
    return cli_usage_error(CMD, "expected check, compare, readers or capture");
}
