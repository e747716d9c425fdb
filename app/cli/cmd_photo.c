/* biokiosk photo check IMAGE [--out OUT.jpg] [--child]: the passport photo checks of a portrait,
 * as JSON, and the cropped 1244 x 1600 result. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "core/biomem.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/config_photo.h"
#include "imaging/face.h"
#include "imaging/facecheck.h"
#include "imaging/landmarks.h"
#include "imaging/icao.h"
#include "imaging/picio.h"

#define CMD "photo"
/* A 100-megapixel JPEG is well under this; anything larger is not a photograph. */
#define MAX_FILE_BYTES (512L * 1024 * 1024)

/* Reads a whole file into a biomem buffer (a portrait is biometric data). */
static bk_err read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return errno == ENOENT ? BK_ERR_NOT_FOUND : BK_ERR_IO;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return BK_ERR_INVALID;
    }
    if (st.st_size == 0 || st.st_size > MAX_FILE_BYTES) {
        fclose(f);
        return st.st_size == 0 ? BK_ERR_INVALID : BK_ERR_NO_SPACE;
    }
    uint8_t *buf = biomem_alloc((size_t)st.st_size);
    if (buf == NULL) {
        fclose(f);
        return BK_ERR_NOMEM;
    }
    size_t got = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (got != (size_t)st.st_size) {
        biomem_free(buf);
        return BK_ERR_IO;
    }
    *data = buf;
    *size = got;
    return BK_OK;
}

/* JSON is written by hand: json-glib prints doubles with 17 digits (539.70000000000005), and
 * measured values mean nothing beyond a few decimals. */
static void put_number(GString *j, const char *name, double v, double unit)
{
    if (name != NULL)
        g_string_append_printf(j, "\"%s\":", name);
    if (!isfinite(v)) {
        g_string_append(j, "null");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    v = round(v / unit) * unit;
    g_string_append(j, g_ascii_formatd(buf, sizeof(buf), "%.10g", v == 0 ? 0.0 : v));
}

/* A check's value or limit: 6 significant digits, so that a value that fails its limit never
 * prints as the limit itself (0.0159 against 0.016 printed "0.016" with a fixed 0.001). */
static void put_measure(GString *j, const char *name, double v)
{
    g_string_append_printf(j, "\"%s\":", name);
    if (!isfinite(v)) {
        g_string_append(j, "null");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(j, g_ascii_formatd(buf, sizeof(buf), "%.6g", v == 0 ? 0.0 : v));
}

static void put_point(GString *j, const char *name, const double p[2])
{
    g_string_append_printf(j, "\"%s\":[", name);
    put_number(j, NULL, p[0], 0.1);
    g_string_append_c(j, ',');
    put_number(j, NULL, p[1], 0.1);
    g_string_append_c(j, ']');
}

/* {"x":..,"y":..,"w":..,"h":..} of a face box. */
static void put_box(GString *j, const face_box *fb)
{
    g_string_append_c(j, '{');
    put_number(j, "x", fb->x, 1);
    g_string_append_c(j, ',');
    put_number(j, "y", fb->y, 1);
    g_string_append_c(j, ',');
    put_number(j, "w", fb->w, 1);
    g_string_append_c(j, ',');
    put_number(j, "h", fb->h, 1);
    g_string_append_c(j, '}');
}

static void print_result(const face_result *fr, const icao_result *ir)
{
    GString *j = g_string_new(NULL);
    g_string_append_printf(j, "{\"faces\":%d", fr->n_faces);
    if (fr->n_faces > 0) {
        g_string_append(j, ",\"face\":");
        put_box(j, &fr->faces[0]);
        g_string_append(j, ",\"eyes\":{");
        put_point(j, "left", fr->left);
        g_string_append_c(j, ',');
        put_point(j, "right", fr->right);
        g_string_append(j, "},");
        put_number(j, "roll_deg", fr->roll_deg, 0.1);
    }
    if (fr->has_shape) {
        g_string_append_c(j, ',');
        put_number(j, "yaw_deg", fr->yaw_deg, 0.1);
        g_string_append_c(j, ',');
        put_number(j, "pitch_deg", fr->pitch_deg, 0.1);
        g_string_append(j, ",\"landmarks\":[");
        for (int i = 0; i < LANDMARKS_N; i++) {
            g_string_append_printf(j, "%s[", i ? "," : "");
            put_number(j, NULL, fr->shape.pt[i][0], 0.1);
            g_string_append_c(j, ',');
            put_number(j, NULL, fr->shape.pt[i][1], 0.1);
            g_string_append_c(j, ']');
        }
        g_string_append_c(j, ']');
    }
    /* every face found, largest first (the checks and the crop are about the first) */
    g_string_append(j, ",\"face_boxes\":[");
    for (int i = 0; i < fr->n_faces; i++) {
        if (i > 0)
            g_string_append_c(j, ',');
        put_box(j, &fr->faces[i]);
    }
    g_string_append_c(j, ']');
    g_string_append(j, ",\"checks\":[");
    for (int i = 0; i < ir->n_checks; i++) {
        const icao_check *c = &ir->checks[i];
        g_string_append_printf(j, "%s{\"name\":\"%s\",", i ? "," : "", c->name);
        if (c->instruction != NULL) {
            g_autofree char *esc = g_strescape(c->instruction, NULL);
            g_string_append_printf(j, "\"instruction\":\"%s\",", esc);
        }
        put_measure(j, "value", c->value);
        g_string_append_c(j, ',');
        put_measure(j, "min", c->min);
        g_string_append_c(j, ',');
        put_measure(j, "max", c->max);
        g_string_append_printf(j, ",\"pass\":%s}", c->pass ? "true" : "false");
    }
    g_string_append_printf(j, "],\"compliant\":%s", ir->compliant ? "true" : "false");
    /* what "compliant" does not cover: the officer looks at these */
    g_string_append(j, ",\"not_checked\":[");
    const char *const *nc = icao_result_not_checked(ir);
    for (int i = 0; nc[i] != NULL; i++)
        g_string_append_printf(j, "%s\"%s\"", i ? "," : "", nc[i]);
    g_string_append_c(j, ']');
    if (ir->cropped) {
        g_string_append_printf(j, ",\"output\":{\"width\":%d,\"height\":%d,\"eyes\":{",
                               ICAO_OUT_WIDTH, ICAO_OUT_HEIGHT);
        put_point(j, "left", ir->out_left);
        g_string_append_c(j, ',');
        put_point(j, "right", ir->out_right);
        g_string_append(j, "}}");
    }
    g_string_append(j, "}\n");
    fwrite(j->str, 1, j->len, stdout);
    fflush(stdout);
    g_string_free(j, TRUE);
}

static bk_err write_jpeg(const char *path, const pic *p)
{
    uint8_t *data = NULL;
    size_t size = 0;
    bk_err err = picio_encode_jpeg(p, 95, &data, &size);
    if (err != BK_OK)
        return err;
    /* written whole, then renamed: a reader never sees half a photo; a face is personal data,
     * readable by its owner only whatever the umask */
    gboolean ok = g_file_set_contents_full(path, (const char *)data, (gssize)size,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
    biomem_free(data);
    return ok ? BK_OK : BK_ERR_IO;
}

static const char *why_unreadable(bk_err err)
{
    return err == BK_ERR_NO_SPACE  ? "over 100 megapixels"
           : err == BK_ERR_CORRUPT ? "damaged or truncated image"
           : err == BK_ERR_INVALID ? "not a JPEG or PNG image"
                                   : bk_err_str(err);
}

static int check(const char *image, const char *out_path, gboolean child, const config *cfg)
{
    const char *dir = g_getenv("BIOKIOSK_CASCADES");
    if (dir == NULL || dir[0] == 0)
        dir = config_photo_cascades(cfg);
    const char *model = g_getenv("BIOKIOSK_LANDMARK_MODEL");
    if (model == NULL || model[0] == 0)
        model = config_photo_landmark_model(cfg);
    landmarks *lm = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    face_finder *finder = NULL;
    icao_result ir;
    memset(&ir, 0, sizeof(ir));
    int status = CLI_EXIT_USAGE;

    bk_err err = read_file(image, &data, &size);
    if (err != BK_OK) {
        cli_usage_error(CMD, "cannot read %s: %s", image,
                        err == BK_ERR_NO_SPACE ? "too large" : bk_err_str(err));
        goto out;
    }
    int w = 0, h = 0;
    err = picio_peek_size(data, size, &w, &h);
    if (err == BK_OK && (int64_t)w * h > PIC_MAX_PIXELS)
        err = BK_ERR_NO_SPACE;
    if (err != BK_OK) {
        cli_usage_error(CMD, "%s: %s", image, why_unreadable(err));
        goto out;
    }
    err = face_finder_new(dir, &finder);
    if (err != BK_OK) {
        cli_usage_error(CMD, "cannot load the face models from %s (package opencv-data): %s", dir,
                        bk_err_str(err));
        goto out;
    }
    err = landmarks_new(model, &lm);
    if (err != BK_OK) {
        cli_usage_error(CMD, "cannot load the face landmark model %s (package libdlib-data): %s",
                        model, bk_err_str(err));
        goto out;
    }
    /* a large capture is decoded small to find the face, then only around it */
    face_result fr;
    icao_settings settings = config_photo_limits(cfg, child);
    err = facecheck_capture(finder, lm, data, size, &settings, &fr, &ir, NULL, NULL);
    if (err != BK_OK) {
        cli_usage_error(CMD, "%s: %s", image, why_unreadable(err));
        goto out;
    }
    if (out_path != NULL && ir.output != NULL) {
        err = write_jpeg(out_path, ir.output);
        if (err != BK_OK) {
            cli_usage_error(CMD, "cannot write %s: %s", out_path, bk_err_str(err));
            goto out;
        }
    }
    print_result(&fr, &ir);
    status = ir.compliant ? CLI_EXIT_OK : CLI_EXIT_NO;
out:
    icao_result_clear(&ir);
    face_finder_free(finder);
    landmarks_free(lm);
    biomem_free(data);
    return status;
}

int cmd_photo(int argc, char **argv)
{
    char *out_path = NULL, *config_path = NULL;
    gboolean child = FALSE;
    GOptionEntry entries[] = {
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
         "take the check limits ([photo] settings) from this configuration file", "FILE"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path,
         "write the 1244x1600 crop as JPEG (only when a face was found)", "OUT.jpg"},
        {"child", 0, 0, G_OPTION_ARG_NONE, &child,
         "wider pose and position limits, for children under 10", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    const char *summary =
        "Reads a JPEG or PNG portrait, finds every face and the eyes of the largest, crops it to\n"
        "1244x1600 and checks it against the passport photo rules. Prints one JSON object.\n"
        "Exit status: 0 compliant, 1 not compliant, 2 bad usage or an unreadable image.\n"
        "Not checked: expression beyond the mouth, glasses, hot spots, head covering, gaze.\n"
        "Face models: [photo] cascades and landmark_model of --config, or BIOKIOSK_CASCADES and\n"
        "BIOKIOSK_LANDMARK_MODEL, else /usr/share/opencv4/haarcascades and\n"
        "/usr/share/dlib/shape_predictor_68_face_landmarks.dat.";
    if (!cli_parse_options(CMD, "check IMAGE", summary, entries, &argc, &argv)) {
        g_free(out_path);
        g_free(config_path);
        return CLI_EXIT_USAGE;
    }
    int status;
    config *cfg = NULL;
    g_autofree char *message = NULL;
    if (argc != 3 || strcmp(argv[1], "check") != 0)
        status = cli_usage_error(
            CMD, "usage: biokiosk photo check IMAGE [--out OUT.jpg] [--child] [--config FILE]");
    else if (config_path != NULL && config_load(config_path, &cfg, &message) != BK_OK)
        status = cli_usage_error(CMD, "%s", message);
    else
        status = check(argv[2], out_path, child, cfg);
    config_free(cfg);
    g_free(out_path);
    g_free(config_path);
    return status;
}
