/* The camera and the fingerprint reader, through the kiosk's own drivers (the signature pad:
 * selftest_sigpad.c, through the signature service's check). */
#include <stdio.h>
#include <string.h>

#include "capture/finger.h"
#include "capture/photo.h"
#include "drivers/fingerprint/fingerprint.h"
#include "selftest/selftest-priv.h"

/* Long enough for a USB camera that wakes up or a PTP/IP camera on a slow network. */
#define CAMERA_OPEN_MS    15000
#define CAMERA_CAPTURE_MS 60000
#define READER_OPEN_MS    10000

static const char *const camera_action =
    "Switch the camera on, check its cable (or network), and that [camera] model and port in the "
    "configuration name it; `gphoto2 --auto-detect` lists the cameras libgphoto2 sees.";

static const char *str_or(const char *s, const char *fallback)
{
    return s && s[0] ? s : fallback;
}

typedef struct camera_run {
    const selftest_options *opt;
    selftest_report *r;
} camera_run;

/* A result of the photo service's check, as the self-test's. */
static void camera_result(void *data, const capture_check_result *cr)
{
    const camera_run *cam = data;
    static const selftest_status status[] = {
        [CAPTURE_CHECK_PASS] = SELFTEST_PASS,
        [CAPTURE_CHECK_FAIL] = SELFTEST_FAIL,
        [CAPTURE_CHECK_SKIP] = SELFTEST_SKIP,
    };
    const char *value = cr->value;
    if (cr->status == CAPTURE_CHECK_SKIP && !cam->opt->interactive &&
        strcmp(cr->name, "camera.capture") == 0)
        value = "Only with --interactive.";
    gint64 started =
        cr->duration_ms > 0 ? g_get_monotonic_time() - (gint64)(cr->duration_ms * 1000) : 0;
    selftest_check *c =
        selftest_add(cam->r, cr->name, status[cr->status], started, cr->action, "%s", value);
    if (cr->has_number)
        selftest_number(c, cr->number, cr->unit);
}

static void camera_prompt(void *data, const char *text)
{
    const camera_run *cam = data;
    if (text)
        selftest_prompt(cam->opt, "%s", text);
    else
        selftest_prompt_done(cam->opt);
}

/* Until the service's camera answers or says what is wrong (CAMERA_OPEN_MS at most). */
static void camera_wait_ready(const selftest_options *opt, photo_service *ps, photo_snapshot *snap)
{
    gint64 end = g_get_monotonic_time() + (gint64)CAMERA_OPEN_MS * 1000;
    for (;;) {
        photo_service_snapshot(ps, snap);
        if (snap->ready || snap->problem != PHOTO_PROBLEM_NONE || selftest_cancelled(opt) ||
            g_get_monotonic_time() >= end)
            return;
        g_usleep(50 * 1000);
    }
}

/* camera.found here; the rest (live view, frames, faces, the test photo) is the photo service's
 * own technician check (app/capture/photo.h), on a service of the self-test's. */
void selftest_camera(const selftest_options *opt, selftest_report *r)
{
    photo_service_settings set;
    photo_service_settings_from_config(opt->cfg, &set);
    const char *env = g_getenv("BIOKIOSK_CASCADES");
    if (opt->cascade_dir && opt->cascade_dir[0])
        set.cascade_dir = opt->cascade_dir;
    else if (!config_is_set(opt->cfg, CONFIG_PHOTO_CASCADES) && env && env[0])
        set.cascade_dir = env;
    set.faces_optional = true; /* missing face models fail camera.face_detection */
    set.capture_timeout_ms = CAMERA_CAPTURE_MS / 2;
    set.open_retry_ms = 1000;
    set.check_live_seconds = opt->live_seconds;
    gint64 t0 = g_get_monotonic_time();
    photo_service *ps = NULL;
    g_autofree char *message = NULL;
    photo_snapshot snap = {0};
    if (photo_service_new(&set, &ps, &message) != BK_OK) {
        selftest_add(r, "camera.found", SELFTEST_FAIL, t0, camera_action,
                     "the camera driver could not start");
        ps = NULL;
    } else {
        camera_wait_ready(opt, ps, &snap);
        if (snap.ready)
            /* the serial number as the camera gives it ("unknown" when it does not) */
            selftest_add(r, "camera.found", SELFTEST_PASS, t0, NULL, "model %s, serial %s, port %s",
                         str_or(snap.model, str_or(set.camera_model, "?")),
                         str_or(snap.serial, "unknown"),
                         str_or(set.camera_port, "first USB camera"));
        else
            selftest_add(r, "camera.found", SELFTEST_FAIL, t0, camera_action, "%s",
                         snap.problem_text[0] ? snap.problem_text : "no answer within 15 s");
    }
    if (!snap.ready) {
        const char *dep = "Skipped: no camera.";
        selftest_add(r, "camera.live_view", SELFTEST_SKIP, 0, NULL, "%s", dep);
        selftest_add(r, "camera.frames_decode", SELFTEST_SKIP, 0, NULL, "%s", dep);
        selftest_add(r, "camera.face_detection", SELFTEST_SKIP, 0, NULL, "%s", dep);
        selftest_add(r, "camera.capture", SELFTEST_SKIP, 0, NULL, "%s", dep);
        photo_service_free(ps);
        return;
    }
    camera_run cam = {.opt = opt, .r = r};
    capture_check_run run = {
        .hands_on = opt->interactive,
        .result = camera_result,
        .prompt = camera_prompt,
        .data = &cam,
        .cancel = opt->cancel,
    };
    photo_service_check(ps, &run);
    photo_service_free(ps);
}

static const char *const reader_action =
    "Plug the fingerprint reader in (a USB port on the computer itself, not a hub); `biokiosk "
    "finger readers` lists the readers libfprint can use.";

/* A result of the fingerprint service's check, as the self-test's. */
static void reader_result(void *data, const capture_check_result *cr)
{
    const camera_run *run = data;
    static const selftest_status status[] = {
        [CAPTURE_CHECK_PASS] = SELFTEST_PASS,
        [CAPTURE_CHECK_FAIL] = SELFTEST_FAIL,
        [CAPTURE_CHECK_SKIP] = SELFTEST_SKIP,
    };
    const char *value = cr->status == CAPTURE_CHECK_SKIP && !run->opt->interactive
                            ? "Only with --interactive."
                            : cr->value;
    gint64 started =
        cr->duration_ms > 0 ? g_get_monotonic_time() - (gint64)(cr->duration_ms * 1000) : 0;
    selftest_check *c =
        selftest_add(run->r, cr->name, status[cr->status], started, cr->action, "%s", value);
    if (cr->has_number)
        selftest_number(c, cr->number, cr->unit);
}

/* fingerprint.found and fingerprint.open_close here; fingerprint.capture is the fingerprint
 * service's own technician check (app/capture/finger.h), on a service of the self-test's. */
void selftest_fingerprint(const selftest_options *opt, selftest_report *r)
{
    const char *socket = config_get_string(opt->cfg, CONFIG_FINGERPRINT_VIRTUAL_SOCKET);
    /* (only when it changes: the technician screen sets it on the kiosk's main thread first,
     * and the environment must not be written while other threads read it) */
    if (socket[0] && g_strcmp0(g_getenv("FP_VIRTUAL_IMAGE"), socket) != 0)
        g_setenv("FP_VIRTUAL_IMAGE", socket, TRUE);
    const char *driver = config_get_string(opt->cfg, CONFIG_FINGERPRINT_DRIVER);
    gint64 t0 = g_get_monotonic_time();
    char **list = NULL;
    bk_err err = fingerprint_list(&list);
    const char *pick = NULL;
    for (char **l = list; err == BK_OK && l && *l && pick == NULL; l++)
        if (driver[0] == 0 || (g_str_has_prefix(*l, driver) && (*l)[strlen(driver)] == ':'))
            pick = *l;
    if (pick == NULL) {
        selftest_add(r, "fingerprint.found", SELFTEST_FAIL, t0, reader_action, "%s%s%s",
                     err != BK_OK ? bk_err_str(err) : "no fingerprint reader",
                     driver[0] ? " with driver " : "", driver);
        selftest_add(r, "fingerprint.open_close", SELFTEST_SKIP, 0, NULL, "Skipped: no reader.");
        selftest_add(r, "fingerprint.capture", SELFTEST_SKIP, 0, NULL, "Skipped: no reader.");
        fingerprint_list_free(list);
        return;
    }
    /* "driver: name" */
    const char *colon = strchr(pick, ':');
    g_autofree char *drv = g_strndup(pick, colon ? (gsize)(colon - pick) : strlen(pick));
    selftest_add(r, "fingerprint.found", SELFTEST_PASS, t0, NULL, "driver %s, name %s", drv,
                 colon ? colon + 2 : "?");
    fingerprint_list_free(list);

    t0 = g_get_monotonic_time();
    finger_service_settings set = {.driver = drv, .virtual_socket = socket, .manual_rescan = true};
    finger_service *fs = NULL;
    char why[320] = "";
    bool ready =
        finger_service_new(&set, &fs, NULL) == BK_OK &&
        finger_service_wait_ready(fs, READER_OPEN_MS, opt->cancel, why, sizeof why) == BK_OK;
    if (!ready) {
        selftest_add(r, "fingerprint.open_close", SELFTEST_FAIL, t0,
                     "Unplug the reader and plug it in again; check that the biokiosk group may "
                     "use it (the udev rules).",
                     "the reader did not open: %s", why[0] ? why : "no answer");
        finger_service_free(fs);
        selftest_add(r, "fingerprint.capture", SELFTEST_SKIP, 0, NULL, "Skipped: reader not open.");
        return;
    }
    camera_run run = {.opt = opt, .r = r};
    capture_check_run check = {
        .hands_on = opt->interactive,
        .result = reader_result,
        .prompt = camera_prompt, /* (the self-test's prompt, whichever device asks) */
        .data = &run,
        .cancel = opt->cancel,
    };
    finger_service_check(fs, &check);
    finger_service_free(fs);
    selftest_add(r, "fingerprint.open_close", SELFTEST_PASS, t0, NULL, "opened and closed");
}
