/* The camera driver through libgphoto2's ptp2 driver against the emulated PTP/IP camera:
 * open, live view, capture and download, reconnecting, and each fault ending in its message.
 * Each test runs its own emulator on ports the kernel picks; the process has its own HOME
 * (libgphoto2 keeps a host GUID in $HOME/.gphoto). */
#include <dlfcn.h>
#include <sys/wait.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <gphoto2/gphoto2.h>
#include <stdio.h>

#include "core/biomem.h"
#include "drivers/camera/camera.h"
#include "imaging/face.h"
#include "imaging/icao.h"
#include "imaging/pic.h"
#include "imaging/picio.h"
#include "emulators/ptpip/ptpip_emu.h"

typedef struct fixture {
    ptpip_emu *emu;
    camera *cam;
    char port[96];
} fixture;

/* A synthetic portrait: a light background and a darker oval, enough for a camera test. */
static pic *portrait(void)
{
    pic *p = NULL;
    g_assert_cmpint(pic_new(600, 800, 3, &p), ==, BK_OK);
    for (int y = 0; y < 800; y++)
        for (int x = 0; x < 600; x++) {
            double dx = (x - 300) / 150.0, dy = (y - 330) / 200.0;
            uint8_t v = dx * dx + dy * dy < 1 ? (uint8_t)(120 + (x + y) % 40) : 200;
            uint8_t *q = p->px + ((size_t)y * 600 + (size_t)x) * 3;
            q[0] = v;
            q[1] = (uint8_t)(v - 10);
            q[2] = (uint8_t)(v - 20);
        }
    return p;
}

static ptpip_emu *start_emu(int port, int event_port)
{
    pic *p = portrait();
    ptpip_emu_options o = ptpip_emu_options_default();
    o.port = port;
    o.event_port = event_port;
    ptpip_emu *emu = NULL;
    g_assert_cmpint(ptpip_emu_new(p, &o, &emu), ==, BK_OK);
    pic_free(p);
    return emu;
}

/* How long a test waits for an event. Generous: a 6000x4000 capture made, sent and checked under
 * the sanitizers on a loaded 2-core machine takes many seconds. */
#define EVENT_WAIT_S 120
/* The driver's capture deadline in these tests: short enough that the no-capture-event fault
 * ends soon, long enough for a real capture under the sanitizers on a loaded machine. */
#define CAPTURE_TIMEOUT_MS 15000

static camera *open_camera(const char *port, int capture_timeout_ms)
{
    camera_config c = {"PTP/IP Camera", port, capture_timeout_ms, 5000, 200, 2};
    camera *cam = NULL;
    g_assert_cmpint(camera_new(&c, &cam), ==, BK_OK);
    return cam;
}

static void setup(fixture *f, gconstpointer data)
{
    f->emu = start_emu(0, 0);
    g_snprintf(f->port, sizeof(f->port), "ptpip:127.0.0.1:%d:%d", ptpip_emu_port(f->emu),
               ptpip_emu_event_port(f->emu));
    f->cam = open_camera(f->port, CAPTURE_TIMEOUT_MS);
}

static void teardown(fixture *f, gconstpointer data)
{
    camera_free(f->cam);
    ptpip_emu_free(f->emu);
}

/* The next event of `kind` (frames skipped unless asked for); fails the test after
 * EVENT_WAIT_S. A problem other than `allowed` fails it at once. */
static camera_event *wait_for(camera *cam, camera_event_kind kind, camera_problem problem)
{
    gint64 end = g_get_monotonic_time() + EVENT_WAIT_S * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        camera_event *ev = NULL;
        if (!camera_next_event(cam, 200, &ev))
            continue;
        if (ev->kind == kind && (kind != CAMERA_EVENT_PROBLEM || ev->problem == problem))
            return ev;
        /* while a camera is away, "lost" and then "not found" are its right messages; but a
         * capture that ends in "lost" is gone, and waiting on for it would only time out */
        if (ev->kind == CAMERA_EVENT_PROBLEM &&
            ((ev->problem != CAMERA_PROBLEM_LOST && ev->problem != CAMERA_PROBLEM_NOT_FOUND) ||
             kind == CAMERA_EVENT_CAPTURED))
            g_error("unexpected problem %s: %s", camera_problem_name(ev->problem), ev->text);
        camera_event_free(ev);
    }
    g_error("no event of kind %d (problem %s) within %d s", kind, camera_problem_name(problem),
            EVENT_WAIT_S);
    return NULL;
}

static void test_open_and_live_view(fixture *f, gconstpointer data)
{
    camera_event *ready = wait_for(f->cam, CAMERA_EVENT_READY, 0);
    /* the serial number of the camera's DeviceInfo, read through libgphoto2 */
    g_assert_cmpstr(ready->serial, ==, PTPIP_EMU_SERIAL);
    g_assert_cmpstr(ready->model, ==, "PTP/IP Camera");
    camera_event_free(ready);
    camera_set_live(f->cam, true);
    uint64_t last = 0;
    guint8 first_bytes[64];
    gboolean moved = FALSE;
    for (int i = 0; i < 100; i++) {
        camera_event *ev = wait_for(f->cam, CAMERA_EVENT_FRAME, 0);
        g_assert_cmpuint(ev->seq, >, last);
        last = ev->seq;
        int w = 0, h = 0;
        g_assert_cmpint(picio_peek_size(ev->data, ev->size, &w, &h), ==, BK_OK);
        g_assert_cmpint(w, ==, 1024);
        g_assert_cmpint(h, ==, 680);
        if (i == 0 || i == 99) {
            pic *p = NULL;
            g_assert_cmpint(picio_decode(ev->data, ev->size, 2, &p), ==, BK_OK);
            g_assert_cmpint(p->width, ==, 512);
            /* the face moves between frames: the same row is not the same */
            if (i == 0)
                memcpy(first_bytes, p->px + (size_t)170 * 512 * 3 + 600, sizeof(first_bytes));
            else
                moved = memcmp(first_bytes, p->px + (size_t)170 * 512 * 3 + 600,
                               sizeof(first_bytes)) != 0;
            pic_free(p);
        }
        camera_event_free(ev);
    }
    g_assert_true(moved);
    ptpip_emu_stats st;
    ptpip_emu_get_stats(f->emu, &st);
    g_assert_cmpint(st.frames, >=, 100);
    g_assert_cmpint(st.connections, ==, 1);
    /* live view off ends it on the camera too */
    camera_set_live(f->cam, false);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    do {
        camera_event *ev = NULL;
        if (camera_next_event(f->cam, 50, &ev))
            camera_event_free(ev);
        ptpip_emu_get_stats(f->emu, &st);
    } while (st.live_on && g_get_monotonic_time() < end);
    g_assert_false(st.live_on);
}

static void test_capture_and_download(fixture *f, gconstpointer data)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    ptpip_emu_stats st;
    ptpip_emu_get_stats(f->emu, &st);
    /* the driver set the largest size and fine JPEG when it opened the camera */
    g_assert_cmpstr(st.image_size, ==, "6000x4000");
    g_assert_cmpint(st.quality, ==, 2);
    camera_set_live(f->cam, true);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
    camera_capture(f->cam);
    camera_event *ev = wait_for(f->cam, CAMERA_EVENT_CAPTURED, 0);
    int w = 0, h = 0;
    g_assert_cmpint(picio_peek_size(ev->data, ev->size, &w, &h), ==, BK_OK);
    g_assert_cmpint(w, ==, 6000);
    g_assert_cmpint(h, ==, 4000);
    g_assert_true(ev->data[ev->size - 2] == 0xFF && ev->data[ev->size - 1] == 0xD9);
    camera_event_free(ev);
    /* live view goes on after the capture */
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
}

static void test_reconnect_after_restart(fixture *f, gconstpointer data)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    camera_set_live(f->cam, true);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
    int port = ptpip_emu_port(f->emu), event_port = ptpip_emu_event_port(f->emu);
    ptpip_emu_free(f->emu);
    f->emu = NULL;
    camera_event *ev = wait_for(f->cam, CAMERA_EVENT_PROBLEM, CAMERA_PROBLEM_LOST);
    g_assert_nonnull(strstr(ev->text, "reconnecting"));
    camera_event_free(ev);
    f->emu = start_emu(port, event_port);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
}

static void test_unplug_and_plug(fixture *f, gconstpointer data)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    camera_set_live(f->cam, true);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
    ptpip_emu_set_plugged(f->emu, false);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_PROBLEM, CAMERA_PROBLEM_LOST));
    ptpip_emu_set_plugged(f->emu, true);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
}

static void expect_problem(fixture *f, ptpip_emu_fault fault, int times, camera_problem problem)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    ptpip_emu_set_fault(f->emu, fault, times);
    camera_capture(f->cam);
    camera_event *ev = wait_for(f->cam, CAMERA_EVENT_PROBLEM, problem);
    g_assert_cmpstr(ev->text, ==, camera_problem_message(problem));
    camera_event_free(ev);
    /* and the camera is usable again afterwards */
    ptpip_emu_set_fault(f->emu, PTPIP_EMU_FAULT_NONE, 0);
    camera_capture(f->cam);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_CAPTURED, 0));
}

static void test_fault_busy(fixture *f, gconstpointer data)
{
    expect_problem(f, PTPIP_EMU_FAULT_BUSY, -1, CAMERA_PROBLEM_BUSY);
}

static void test_fault_busy_then_ready(fixture *f, gconstpointer data)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    /* busy once: the driver backs off and retries by itself */
    ptpip_emu_set_fault(f->emu, PTPIP_EMU_FAULT_BUSY, 1);
    camera_capture(f->cam);
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_CAPTURED, 0));
    ptpip_emu_stats st;
    ptpip_emu_get_stats(f->emu, &st);
    g_assert_cmpint(st.captures, ==, 1);
}

static void test_fault_no_capture_event(fixture *f, gconstpointer data)
{
    expect_problem(f, PTPIP_EMU_FAULT_NO_CAPTURE_EVENT, 1, CAMERA_PROBLEM_CAPTURE_TIMEOUT);
}

static void test_fault_dropped_connection(fixture *f, gconstpointer data)
{
    expect_problem(f, PTPIP_EMU_FAULT_DROP, 1, CAMERA_PROBLEM_LOST);
}

static void test_fault_corrupt_jpeg(fixture *f, gconstpointer data)
{
    expect_problem(f, PTPIP_EMU_FAULT_CORRUPT_JPEG, 1, CAMERA_PROBLEM_CORRUPT);
}

static void test_fault_slow_frames(fixture *f, gconstpointer data)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    ptpip_emu_set_fault(f->emu, PTPIP_EMU_FAULT_SLOW_FRAMES, 5);
    camera_set_live(f->cam, true);
    /* slow frames are still frames: no problem is reported, and they keep coming */
    for (int i = 0; i < 8; i++)
        camera_event_free(wait_for(f->cam, CAMERA_EVENT_FRAME, 0));
}

static void test_claimed_by_another(fixture *f, gconstpointer data)
{
    camera_event_free(wait_for(f->cam, CAMERA_EVENT_READY, 0));
    camera *second = open_camera(f->port, CAPTURE_TIMEOUT_MS);
    camera_event *ev = wait_for(second, CAMERA_EVENT_PROBLEM, CAMERA_PROBLEM_CLAIMED);
    g_assert_nonnull(strstr(ev->text, "another program"));
    camera_event_free(ev);
    camera_free(second);
}

/* BIOKIOSK_GPHOTO_LOG=1 shows libgphoto2's own log, to see what the ptp2 driver sent. */
static void print_gp_log(GPLogLevel level, const char *domain, const char *text, void *data)
{
    fprintf(stderr, "gphoto2 %s: %s\n", domain, text);
}

/* The emulator as the demo runs it: the ptpip-camera program, driven on its stdin. */
static void test_program(void)
{
    const char *bin = g_getenv("PTPIP_CAMERA_BIN");
    if (bin == NULL) {
        g_test_skip("PTPIP_CAMERA_BIN not set");
        return;
    }
    char *dir = g_dir_make_tmp("biokiosk-ptpip-XXXXXX", NULL);
    char *image = g_build_filename(dir, "portrait.jpg", NULL);
    pic *p = portrait();
    uint8_t *jpeg = NULL;
    size_t size = 0;
    g_assert_cmpint(picio_encode_jpeg(p, 90, &jpeg, &size), ==, BK_OK);
    g_assert_true(g_file_set_contents(image, (const char *)jpeg, (gssize)size, NULL));
    biomem_free(jpeg);
    pic_free(p);
    const char *argv[] = {bin, "--serial", "BK-TEST-42", image, NULL};
    GPid pid;
    int in = -1, out = -1;
    GError *error = NULL;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, &in, &out, NULL, &error));
    FILE *from = fdopen(out, "r");
    FILE *to = fdopen(in, "w");
    char line[256];
    int port = 0, event_port = 0;
    g_assert_nonnull(fgets(line, sizeof(line), from));
    g_assert_cmpint(sscanf(line, "ptpip-camera: %d %d", &port, &event_port), ==, 2);
    char spec[96];
    g_snprintf(spec, sizeof(spec), "ptpip:127.0.0.1:%d:%d", port, event_port);
    camera *cam = open_camera(spec, CAPTURE_TIMEOUT_MS);
    camera_event *ready = wait_for(cam, CAMERA_EVENT_READY, 0);
    g_assert_cmpstr(ready->serial, ==, "BK-TEST-42");
    camera_event_free(ready);
    camera_set_live(cam, true);
    camera_event_free(wait_for(cam, CAMERA_EVENT_FRAME, 0));
    fprintf(to, "fault corrupt-jpeg 1\n");
    fflush(to);
    g_assert_nonnull(fgets(line, sizeof(line), from));
    g_assert_cmpstr(line, ==, "fault corrupt-jpeg\n");
    camera_capture(cam);
    camera_event_free(wait_for(cam, CAMERA_EVENT_PROBLEM, CAMERA_PROBLEM_CORRUPT));
    camera_capture(cam);
    camera_event_free(wait_for(cam, CAMERA_EVENT_CAPTURED, 0));
    camera_free(cam);
    fprintf(to, "quit\n");
    fclose(to);
    int status = 0;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_spawn_close_pid(pid);
    fclose(from);
    g_remove(image);
    g_rmdir(dir);
    g_free(image);
    g_free(dir);
}

/* The demo's portrait (the astronaut of python3-skimage; ../shared keeps a copy) through the
 * emulated camera and libgphoto2: the camera's frame holds the whole head, so that the checks
 * of the picture's geometry pass on the capture and on a live-view frame. (The portrait's own
 * content fails other checks: see docs/photo.md.) */
static void test_astronaut_framing(void)
{
    const char *faces = g_getenv("BIOKIOSK_FACES"), *cascades = g_getenv("BIOKIOSK_CASCADES");
    char *path = faces ? g_build_filename(faces, "other", "skimage_astronaut.png", NULL) : NULL;
    char *cascade =
        cascades ? g_build_filename(cascades, "haarcascade_frontalface_default.xml", NULL) : NULL;
    if (path == NULL || !g_file_test(path, G_FILE_TEST_EXISTS) || cascade == NULL ||
        !g_file_test(cascade, G_FILE_TEST_EXISTS)) {
        g_test_skip("SKIP: the astronaut portrait (../shared/data/faces/other) or opencv-data's "
                    "cascades are not there");
        g_free(path);
        g_free(cascade);
        return;
    }
    g_free(cascade);
    char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_free(path);
    pic *p = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data, len, 1, &p), ==, BK_OK);
    g_free(data);
    ptpip_emu_options o = ptpip_emu_options_default();
    ptpip_emu *emu = NULL;
    g_assert_cmpint(ptpip_emu_new(p, &o, &emu), ==, BK_OK);
    pic_free(p);
    char spec[96];
    g_snprintf(spec, sizeof(spec), "ptpip:127.0.0.1:%d:%d", ptpip_emu_port(emu),
               ptpip_emu_event_port(emu));
    camera *cam = open_camera(spec, CAPTURE_TIMEOUT_MS);
    camera_event_free(wait_for(cam, CAMERA_EVENT_READY, 0));
    camera_set_live(cam, true);
    camera_event *frame = wait_for(cam, CAMERA_EVENT_FRAME, 0);
    camera_capture(cam);
    camera_event *shot = wait_for(cam, CAMERA_EVENT_CAPTURED, 0);
    camera_free(cam);
    ptpip_emu_free(emu);

    face_finder *finder = NULL;
    g_assert_cmpint(face_finder_new(cascades, &finder), ==, BK_OK);
    static const char *const geometry[] = {"faces",    "head_in_frame", "eye_distance",
                                           "roll",     "head_width",    "head_height",
                                           "eye_line", "face_centre"};
    for (int live = 0; live < 2; live++) {
        const camera_event *ev = live ? frame : shot;
        pic *q = NULL;
        g_assert_cmpint(picio_decode(ev->data, ev->size, live ? 2 : 1, &q), ==, BK_OK);
        face_options fo = live ? face_options_live() : face_options_still();
        icao_settings set = icao_settings_default(false);
        if (live) {
            set.live = true;
            set.capture_scale = 6000.0 / q->width;
        }
        face_result fr;
        icao_result ir;
        g_assert_cmpint(face_find(finder, q, &fo, &fr), ==, BK_OK);
        g_assert_cmpint(icao_check_picture(q, &fr, &set, &ir), ==, BK_OK);
        for (int i = 0; i < ir.n_checks; i++) {
            const icao_check *c = &ir.checks[i];
            bool geo = false;
            for (size_t k = 0; k < G_N_ELEMENTS(geometry); k++)
                geo = geo || strcmp(c->name, geometry[k]) == 0;
            g_test_message("%s %s: %.3f %s", live ? "live" : "capture", c->name, c->value,
                           c->pass ? "pass" : "FAIL");
            if (geo && !c->pass)
                g_error("%s: the check %s failed (%.3f)", live ? "live view" : "capture", c->name,
                        c->value);
        }
        icao_result_clear(&ir);
        pic_free(q);
    }
    face_finder_free(finder);
    camera_event_free(frame);
    camera_event_free(shot);
}

/* libgphoto2 loads its camera and port drivers with libltdl and unloads them again, and some
 * keep allocations (iconv descriptors, tables) to the end. Loaded here once more and never
 * unloaded, their frames keep a module name, so that tests/photo/lsan.supp can name them and
 * a leak of our own still shows. */
static void pin_drivers(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_suffix(name, ".so"))
            continue;
        char *path = g_build_filename(dir, name, NULL);
        (void)dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        g_free(path);
    }
    g_dir_close(d);
}

static void pin_all_drivers(void)
{
    const char *camlibs = g_getenv("BIOKIOSK_GPHOTO_CAMLIBS");
    if (camlibs == NULL)
        return;
    pin_drivers(camlibs);
    /* the port drivers live beside: .../libgphoto2_port/VERSION */
    char *parent = g_path_get_dirname(camlibs);
    char *lib = g_path_get_dirname(parent);
    char *ports = g_build_filename(lib, "libgphoto2_port", NULL);
    GDir *d = g_dir_open(ports, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        char *sub = g_build_filename(ports, name, NULL);
        pin_drivers(sub);
        g_free(sub);
    }
    if (d != NULL)
        g_dir_close(d);
    g_free(ports);
    g_free(lib);
    g_free(parent);
}

int main(int argc, char **argv)
{
    pin_all_drivers();
    if (g_getenv("BIOKIOSK_GPHOTO_LOG") != NULL)
        gp_log_add_func(GP_LOG_DEBUG, print_gp_log, NULL);
    g_test_init(&argc, &argv, NULL);
    /* libgphoto2 writes its host GUID under $HOME/.gphoto: a home of this test's own */
    char *home = g_dir_make_tmp("biokiosk-camera-XXXXXX", NULL);
    g_assert_nonnull(home);
    g_setenv("HOME", home, TRUE);
#define ADD(name, fn) g_test_add(name, fixture, NULL, setup, fn, teardown)
    ADD("/camera/open-and-100-live-frames", test_open_and_live_view);
    ADD("/camera/capture-and-download", test_capture_and_download);
    ADD("/camera/reconnect-after-restart", test_reconnect_after_restart);
    ADD("/camera/unplug-and-plug", test_unplug_and_plug);
    ADD("/camera/fault/busy", test_fault_busy);
    ADD("/camera/fault/busy-once-then-ready", test_fault_busy_then_ready);
    ADD("/camera/fault/no-capture-event", test_fault_no_capture_event);
    ADD("/camera/fault/dropped-connection", test_fault_dropped_connection);
    ADD("/camera/fault/corrupt-jpeg", test_fault_corrupt_jpeg);
    ADD("/camera/fault/slow-frames", test_fault_slow_frames);
    ADD("/camera/claimed-by-another-program", test_claimed_by_another);
    g_test_add_func("/camera/emulator-program", test_program);
    g_test_add_func("/camera/astronaut-framing", test_astronaut_framing);
    int r = g_test_run();
    char *gphoto = g_build_filename(home, ".gphoto", "settings", NULL);
    g_remove(gphoto);
    g_free(gphoto);
    gphoto = g_build_filename(home, ".gphoto", NULL);
    g_rmdir(gphoto);
    g_free(gphoto);
    g_rmdir(home);
    g_free(home);
    return r;
}
