/* The three capture devices, through the kiosk's own drivers. */
#include <stdio.h>
#include <string.h>

#include "core/biomem.h"
#include "drivers/camera/camera.h"
#include "imaging/face.h"
#include "drivers/fingerprint/fingerprint.h"
#include "imaging/picio.h"
#include "selftest/selftest-priv.h"
#include "drivers/sigpad/sigpad.h"

#define DEFAULT_CASCADES "/usr/share/opencv4/haarcascades"

/* Long enough for a USB camera that wakes up or a PTP/IP camera on a slow network. */
#define CAMERA_OPEN_MS    15000
#define CAMERA_CAPTURE_MS 60000
#define READER_OPEN_MS    10000
#define FINGER_WAIT_MS    30000
#define SIGN_WAIT_MS      60000
#define MIN_STROKE_POINTS 20

static const char *const camera_action =
    "Switch the camera on, check its cable (or network), and that [camera] model and port in the "
    "configuration name it; `gphoto2 --auto-detect` lists the cameras libgphoto2 sees.";

/* The next camera event that is not a live-view frame, within timeout_ms. */
static camera_event *camera_wait(const selftest_options *opt, camera *cam, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (g_get_monotonic_time() < end && !selftest_cancelled(opt)) {
        camera_event *ev = NULL;
        if (!camera_next_event(cam, 100, &ev))
            continue;
        if (ev->kind != CAMERA_EVENT_FRAME)
            return ev;
        camera_event_free(ev);
    }
    return NULL;
}

static const char *str_or(const char *s, const char *fallback)
{
    return s && s[0] ? s : fallback;
}

void selftest_camera(const selftest_options *opt, selftest_report *r)
{
    const char *model = config_get_string(opt->cfg, CONFIG_CAMERA_MODEL);
    const char *port = config_get_string(opt->cfg, CONFIG_CAMERA_PORT);
    camera_config cc = {
        .model = model[0] ? model : NULL,
        .port = port[0] ? port : NULL,
        .capture_timeout_ms = CAMERA_CAPTURE_MS / 2,
        .open_retry_ms = 1000,
    };
    gint64 t0 = g_get_monotonic_time();
    camera *cam = NULL;
    if (camera_new(&cc, &cam) != BK_OK) {
        selftest_add(r, "camera.found", SELFTEST_FAIL, t0, camera_action,
                     "the camera driver could not start");
        cam = NULL;
    }
    camera_event *ev = cam ? camera_wait(opt, cam, CAMERA_OPEN_MS) : NULL;
    bool found = ev && ev->kind == CAMERA_EVENT_READY;
    if (cam && !found) {
        const char *why = ev ? ev->text : "no answer within 15 s";
        selftest_add(r, "camera.found", SELFTEST_FAIL, t0, camera_action, "%s", why);
    } else if (found) {
        /* the serial number as the camera gives it ("unknown" when it does not) */
        selftest_add(r, "camera.found", SELFTEST_PASS, t0, NULL, "model %s, serial %s, port %s",
                     str_or(ev->model, str_or(model, "?")), str_or(ev->serial, "unknown"),
                     str_or(port, "first USB camera"));
    }
    camera_event_free(ev);
    if (!found) {
        const char *dep = "Skipped: no camera.";
        selftest_add(r, "camera.live_view", SELFTEST_SKIP, 0, NULL, "%s", dep);
        selftest_add(r, "camera.frames_decode", SELFTEST_SKIP, 0, NULL, "%s", dep);
        selftest_add(r, "camera.face_detection", SELFTEST_SKIP, 0, NULL, "%s", dep);
        selftest_add(r, "camera.capture", SELFTEST_SKIP, 0, NULL, "%s", dep);
        camera_free(cam);
        return;
    }

    /* live view: frames per second over live_seconds, each frame decoded (at half size, as the
     * live-view screen does) */
    double seconds = opt->live_seconds > 0 ? opt->live_seconds : 3.0;
    t0 = g_get_monotonic_time();
    camera_set_live(cam, true);
    gint64 first = 0, last = 0, end = t0 + (gint64)((seconds + 10) * G_USEC_PER_SEC);
    unsigned frames = 0, decoded = 0;
    pic *sample = NULL;
    char problem[200] = "";
    while (g_get_monotonic_time() < end) {
        camera_event *fe = NULL;
        if (!camera_next_event(cam, 100, &fe))
            continue;
        if (fe->kind == CAMERA_EVENT_FRAME) {
            gint64 now = g_get_monotonic_time();
            if (first == 0) {
                first = now;
                end = now + (gint64)(seconds * G_USEC_PER_SEC);
            } else {
                frames++;
                last = now;
            }
            pic *p = NULL;
            if (picio_decode(fe->data, fe->size, 2, &p) == BK_OK) {
                decoded++;
                pic_free(sample);
                sample = p;
            }
        } else if (fe->kind == CAMERA_EVENT_PROBLEM) {
            g_strlcpy(problem, fe->text, sizeof(problem));
        }
        camera_event_free(fe);
    }
    camera_set_live(cam, false);
    unsigned total = frames + (first != 0);
    double fps =
        frames > 0 && last > first ? frames / ((double)(last - first) / G_USEC_PER_SEC) : 0.0;
    selftest_check *c;
    if (total == 0)
        c = selftest_add(r, "camera.live_view", SELFTEST_FAIL, t0,
                         "Switch the camera off and on; check that it is in a mode with live view.",
                         "no live-view frame in %.0f s%s%s", seconds + 10, problem[0] ? ": " : "",
                         problem);
    else
        c = selftest_add(r, "camera.live_view", SELFTEST_PASS, t0, NULL,
                         "%u frames, %.1f frames per second over %.1f s", total, fps, seconds);
    selftest_number(c, fps, "fps");
    if (total == 0)
        selftest_add(r, "camera.frames_decode", SELFTEST_SKIP, 0, NULL, "Skipped: no frames.");
    else {
        c = selftest_add(r, "camera.frames_decode",
                         decoded == total ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                         "Frames from the camera are damaged: check the cable, then switch "
                         "the camera off and on.",
                         "%u of %u frames decode", decoded, total);
        selftest_number(c, total ? (double)decoded / total : 0, "share");
    }

    /* face detection on the last frame: that it runs, and how long it takes; a face is not
     * required (the technician need not sit in front of the camera) */
    t0 = g_get_monotonic_time();
    const char *dir = opt->cascade_dir;
    if (dir == NULL || dir[0] == 0)
        dir = config_get_string(opt->cfg, CONFIG_PHOTO_CASCADES);
    if (dir[0] == 0)
        dir = g_getenv("BIOKIOSK_CASCADES");
    if (dir == NULL || dir[0] == 0)
        dir = DEFAULT_CASCADES;
    face_finder *finder = NULL;
    if (sample == NULL) {
        selftest_add(r, "camera.face_detection", SELFTEST_SKIP, 0, NULL, "Skipped: no frame.");
    } else if (face_finder_new(dir, &finder) != BK_OK) {
        selftest_add(r, "camera.face_detection", SELFTEST_FAIL, t0,
                     "Install Debian's opencv-data (the face models in "
                     "/usr/share/opencv4/haarcascades).",
                     "face models not found in %s", dir);
    } else {
        face_options fo = face_options_live();
        face_result fr;
        /* the search alone (not the loading of the models), as the kiosk's photo module
         * measures it on the technician screen */
        gint64 t1 = g_get_monotonic_time();
        bk_err err = face_find(finder, sample, &fo, &fr);
        double ms = (double)(g_get_monotonic_time() - t1) / 1000.0;
        if (err != BK_OK)
            c = selftest_add(r, "camera.face_detection", SELFTEST_FAIL, t0,
                             "The face detector failed on a live frame: report it.", "%s",
                             bk_err_str(err));
        else
            c = selftest_add(r, "camera.face_detection", SELFTEST_PASS, t0, NULL,
                             "%d face%s found in %.0f ms on a %dx%d frame", fr.n_faces,
                             fr.n_faces == 1 ? "" : "s", ms, sample->width, sample->height);
        selftest_number(c, ms, "ms");
    }
    face_finder_free(finder);
    pic_free(sample);

    if (!opt->interactive) {
        selftest_add(r, "camera.capture", SELFTEST_SKIP, 0, NULL, "Only with --interactive.");
    } else {
        selftest_prompt(opt, "Camera: taking a test photo now.");
        t0 = g_get_monotonic_time();
        camera_capture(cam);
        camera_event *ce = camera_wait(opt, cam, CAMERA_CAPTURE_MS);
        int w = 0, h = 0;
        if (ce && ce->kind == CAMERA_EVENT_CAPTURED &&
            picio_peek_size(ce->data, ce->size, &w, &h) == BK_OK) {
            c = selftest_add(r, "camera.capture", SELFTEST_PASS, t0, NULL,
                             "%dx%d photo, %zu bytes, taken and downloaded", w, h, ce->size);
            selftest_number(c, (double)(g_get_monotonic_time() - t0) / 1000.0, "ms");
        } else {
            selftest_add(r, "camera.capture", SELFTEST_FAIL, t0,
                         "Check the camera's battery, lens cap and memory; switch it off and on.",
                         "%s", ce ? str_or(ce->text, "no photo") : "no photo within 60 s");
        }
        camera_event_free(ce);
        selftest_prompt_done(opt);
    }
    camera_free(cam);
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

static const char *const pad_action =
    "Plug the signature pad in; `biokiosk signature pads` lists the pads found. Without a pad "
    "people sign on the touch screen.";

void selftest_sigpad(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    sigpad_found found[8];
    size_t n = 0;
    bk_err err = sigpad_scan(found, G_N_ELEMENTS(found), &n);
    const sigpad_found *usable = NULL;
    for (size_t i = 0; err == BK_OK && i < n && usable == NULL; i++)
        if (found[i].verdict == SIGPAD_USABLE)
            usable = &found[i];
    if (usable == NULL) {
        if (err == BK_OK && n > 0)
            selftest_add(r, "sigpad.found", SELFTEST_FAIL, t0,
                         "This pad cannot be read by the kiosk: use a pad from the supported "
                         "list (see biokiosk(1)).",
                         "%04x:%04x %s: %s", found[0].vendor, found[0].product, found[0].model,
                         found[0].reason);
        else
            selftest_add(r, "sigpad.found", SELFTEST_FAIL, t0, pad_action, "%s",
                         err != BK_OK ? bk_err_str(err) : "no signature pad");
        selftest_add(r, "sigpad.descriptor", SELFTEST_SKIP, 0, NULL, "Skipped: no pad.");
        selftest_add(r, "sigpad.draw", SELFTEST_SKIP, 0, NULL, "Skipped: no pad.");
        return;
    }
    t0 = g_get_monotonic_time();
    sigpad *pad = NULL;
    err = sigpad_open(&pad);
    if (err != BK_OK) {
        selftest_add(r, "sigpad.found", SELFTEST_FAIL, t0,
                     "Check that the biokiosk group may use the pad (the udev rules), then plug "
                     "it in again.",
                     "%04x:%04x %s found but not opened: %s", usable->vendor, usable->product,
                     usable->model, bk_err_str(err));
        selftest_add(r, "sigpad.descriptor", SELFTEST_SKIP, 0, NULL, "Skipped: pad not open.");
        selftest_add(r, "sigpad.draw", SELFTEST_SKIP, 0, NULL, "Skipped: pad not open.");
        return;
    }
    sigpad_info info;
    sigpad_get_info(pad, &info);
    selftest_add(r, "sigpad.found", SELFTEST_PASS, t0, NULL, "%04x:%04x %s, layout %s", info.vendor,
                 info.product, info.model, sigtable_layout_name(info.layout));
    /* the driver opens a pad only when its report layout is known: from the table, or from a
     * report descriptor that parsed into a pen with a physical size */
    bool sized = info.width_mm > 0 && info.height_mm > 0 && info.counts_per_mm > 0;
    selftest_check *c = selftest_add(
        r, "sigpad.descriptor", sized ? SELFTEST_PASS : SELFTEST_FAIL, t0,
        "The pad's report descriptor gives no writing area: use a supported pad.",
        "%s: writing area %.0f x %.0f mm, %.0f counts per mm, %d pressure levels",
        info.layout == SIGTABLE_LAYOUT_HID ? "report descriptor parsed" : "known layout",
        info.width_mm, info.height_mm, info.counts_per_mm, (int)info.pressure_levels);
    selftest_number(c, info.counts_per_mm, "counts/mm");

    if (opt->interactive) {
        gint64 t1 = g_get_monotonic_time();
        selftest_prompt(opt, "Signature pad: draw a line on the pad now and lift the pen "
                             "(60 s at most).");
        /* one stroke is enough to show that pen, pad and cable work: the test ends when the pen
         * is lifted after at least MIN_STROKE_POINTS points */
        unsigned points = 0;
        gint64 end = t1 + (gint64)SIGN_WAIT_MS * 1000;
        sigpad_event e;
        while (g_get_monotonic_time() < end && !selftest_cancelled(opt)) {
            if (!sigpad_next_event(pad, &e, 100) || e.type != SIGPAD_EVENT_PEN)
                continue;
            if (e.sample.tip)
                points++;
            else if (points >= MIN_STROKE_POINTS)
                break;
        }
        c = selftest_add(r, "sigpad.draw",
                         points >= MIN_STROKE_POINTS ? SELFTEST_PASS : SELFTEST_FAIL, t1,
                         "No line was drawn: check the pen (battery, tether) and the cable.",
                         "%u pen points in the line", points);
        selftest_number(c, points, "points");
        selftest_prompt_done(opt);
    } else {
        selftest_add(r, "sigpad.draw", SELFTEST_SKIP, 0, NULL, "Only with --interactive.");
    }
    sigpad_free(pad);
}
