/* The camera and the fingerprint reader, through the kiosk's own drivers (the signature pad:
 * selftest_sigpad.c, through the signature service's check). */
#include <stdio.h>
#include <string.h>

#include "capture/photo.h"
#include "drivers/fingerprint/fingerprint.h"
#include "selftest/selftest-priv.h"

/* Long enough for a USB camera that wakes up or a PTP/IP camera on a slow network. */
#define CAMERA_OPEN_MS    15000
#define CAMERA_CAPTURE_MS 60000
#define READER_OPEN_MS    10000
#define FINGER_WAIT_MS    30000

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

/* The next event of the reader that is one of the wanted kinds (or an error), within timeout. */
static bool reader_wait(const selftest_options *opt, fingerprint_reader *rd, fingerprint_event *ev,
                        unsigned timeout_ms, fingerprint_event_kind a, fingerprint_event_kind b)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (g_get_monotonic_time() < end && !selftest_cancelled(opt)) {
        if (!fingerprint_wait(rd, ev, 100))
            continue;
        if (ev->kind == a || ev->kind == b || ev->kind == FINGERPRINT_EVENT_ERROR)
            return true;
        fingerprint_event_clear(ev);
    }
    return false;
}

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
    fingerprint_options fo = {.driver = drv, .rescan_ms = FINGERPRINT_RESCAN_MANUAL};
    fingerprint_reader *rd = NULL;
    fingerprint_event ev = {0};
    bool ready = fingerprint_open(&fo, &rd) == BK_OK &&
                 reader_wait(opt, rd, &ev, READER_OPEN_MS, FINGERPRINT_EVENT_READY,
                             FINGERPRINT_EVENT_READER_ADDED) &&
                 ev.kind != FINGERPRINT_EVENT_ERROR;
    if (!ready) {
        selftest_add(r, "fingerprint.open_close", SELFTEST_FAIL, t0,
                     "Unplug the reader and plug it in again; check that the biokiosk group may "
                     "use it (the udev rules).",
                     "the reader did not open: %s", ev.text ? ev.text : "no answer within 10 s");
        fingerprint_event_clear(&ev);
        fingerprint_close(rd);
        selftest_add(r, "fingerprint.capture", SELFTEST_SKIP, 0, NULL, "Skipped: reader not open.");
        return;
    }
    fingerprint_event_clear(&ev);

    if (opt->interactive) {
        gint64 t1 = g_get_monotonic_time();
        /* the prompt comes when the reader waits for the finger, not before */
        bool got = fingerprint_capture(rd) == BK_OK &&
                   reader_wait(opt, rd, &ev, READER_OPEN_MS, FINGERPRINT_EVENT_FINGER_NEEDED,
                               FINGERPRINT_EVENT_READER_REMOVED) &&
                   ev.kind == FINGERPRINT_EVENT_FINGER_NEEDED;
        if (got) {
            fingerprint_event_clear(&ev);
            selftest_prompt(opt, "Fingerprint reader: place a finger on the reader now (30 s).");
            got = reader_wait(opt, rd, &ev, FINGER_WAIT_MS, FINGERPRINT_EVENT_IMAGE,
                              FINGERPRINT_EVENT_READER_REMOVED) &&
                  ev.kind == FINGERPRINT_EVENT_IMAGE && ev.features != NULL;
        }
        if (got) {
            selftest_check *c =
                selftest_add(r, "fingerprint.capture", SELFTEST_PASS, t1, NULL,
                             "an image of %dx%d, quality %d, %d minutiae", ev.image->width,
                             ev.image->height, ev.features->quality, ev.features->n_minutiae);
            selftest_number(c, ev.features->quality, "quality");
        } else {
            selftest_add(r, "fingerprint.capture", SELFTEST_FAIL, t1,
                         "Clean the reader's glass and try again; replace the reader if this "
                         "repeats.",
                         "no image: %s",
                         ev.text                   ? ev.text
                         : selftest_cancelled(opt) ? "cancelled"
                                                   : "no finger within 30 s");
        }
        fingerprint_event_clear(&ev);
        selftest_prompt_done(opt);
    } else {
        selftest_add(r, "fingerprint.capture", SELFTEST_SKIP, 0, NULL, "Only with --interactive.");
    }
    fingerprint_close(rd);
    selftest_add(r, "fingerprint.open_close", SELFTEST_PASS, t0, NULL, "opened and closed");
}
