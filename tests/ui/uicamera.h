/* The emulated PTP/IP camera (emulators/ptpip) for the ui tests that run the real kiosk with a
 * camera: a portrait from ../shared's faces framed as a desk camera would, the emulator started
 * with its commands on a named pipe (the kiosk's `[camera] emulator_control`), and stopped.
 * Include after uitest.h; link picio (photo_imaging_dep). Environment: PTPIP_CAMERA_BIN and
 * BIOKIOSK_FACES. */
#ifndef BIOKIOSK_UICAMERA_H
#define BIOKIOSK_UICAMERA_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "core/biomem.h"
#include "imaging/picio.h"

typedef struct uicamera {
    GPid pid;    /* 0 while not started */
    FILE *out;   /* the emulator's answers, a few short lines per command */
    int fifo_fd; /* its stdin, held open read-write so it never sees the end */
    int port;    /* PTP/IP command and event ports on 127.0.0.1 */
    int event_port;
} uicamera;

/* A portrait of BIOKIOSK_FACES (relative path `rel`) widened to the camera's 3:2 by repeating each
 * row's edge pixels (the studio background is plain), so that the picture holds the whole head
 * as a camera framed for a passport photo would; written as DIR/portrait.jpg. Transfer full. */
static inline char *uicamera_portrait(const char *dir, const char *rel)
{
    g_autofree char *src = g_build_filename(g_getenv("BIOKIOSK_FACES"), rel, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(src, &data, &len, NULL));
    pic *in = NULL, *out = NULL;
    g_assert_cmpint(picio_decode((const uint8_t *)data, len, 1, &in), ==, BK_OK);
    int w = in->height * 3 / 2, pad = (w - in->width) / 2;
    g_assert_cmpint(pad, >=, 0);
    g_assert_cmpint(pic_new(w, in->height, 3, &out), ==, BK_OK);
    for (int y = 0; y < in->height; y++) {
        const uint8_t *row = in->px + (size_t)y * (size_t)in->width * 3;
        for (int x = 0; x < w; x++) {
            int sx = CLAMP(x - pad, 0, in->width - 1);
            memcpy(out->px + ((size_t)y * (size_t)w + (size_t)x) * 3, row + (size_t)sx * 3, 3);
        }
    }
    uint8_t *jpeg = NULL;
    size_t size = 0;
    g_assert_cmpint(picio_encode_jpeg(out, 95, &jpeg, &size), ==, BK_OK);
    char *path = g_build_filename(dir, "portrait.jpg", NULL);
    g_assert_true(g_file_set_contents(path, (const char *)jpeg, (gssize)size, NULL));
    biomem_free(jpeg);
    pic_free(in);
    pic_free(out);
    return path;
}

/* What a test with the camera lacks: the portrait `rel` of BIOKIOSK_FACES or opencv-data's Haar
 * cascades in BIOKIOSK_CASCADES, as the line to print after "SKIP: "; NULL when nothing is. */
static inline const char *uicamera_missing(const char *rel)
{
    const char *faces = g_getenv("BIOKIOSK_FACES");
    g_autofree char *portrait = faces ? g_build_filename(faces, rel, NULL) : NULL;
    const char *cascades = g_getenv("BIOKIOSK_CASCADES");
    g_autofree char *cascade =
        cascades ? g_build_filename(cascades, "haarcascade_frontalface_default.xml", NULL) : NULL;
    if (portrait == NULL || !g_file_test(portrait, G_FILE_TEST_EXISTS))
        return "the portraits of ../shared/data/faces are not there";
    if (cascade == NULL || !g_file_test(cascade, G_FILE_TEST_EXISTS))
        return "opencv-data's Haar cascades are not installed";
    return NULL;
}

/* In the camera's process: end with the test, even when an assertion aborts it. */
static inline void uicamera_die_with_parent(gpointer data)
{
    (void)data;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts the emulator on `portrait` with its stdin on a new fifo at `fifo`; fills c. */
static inline void uicamera_start(uicamera *c, const char *portrait, const char *fifo)
{
    *c = (uicamera){.fifo_fd = -1};
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    c->fifo_fd = open(fifo, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(c->fifo_fd, >=, 0);
    /* 3600 x 2400: eyes about 380 px apart in the capture (300 needed), and quick enough for
     * the emulator under ASan */
    const char *argv[] = {g_getenv("PTPIP_CAMERA_BIN"), "--capture-size", "3600x2400", portrait,
                          NULL};
    int out = -1;
    GError *error = NULL;
    gboolean ok = g_spawn_async_with_pipes_and_fds(
        NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
        uicamera_die_with_parent, NULL, c->fifo_fd, -1, -1, NULL, NULL, 0, &c->pid, NULL, &out,
        NULL, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    c->out = fdopen(out, "r");
    char line[128];
    g_assert_nonnull(fgets(line, sizeof line, c->out));
    g_assert_cmpint(sscanf(line, "ptpip-camera: %d %d", &c->port, &c->event_port), ==, 2);
}

/* The configuration's [photo] lines (the photo step on, opencv-data's cascades from
 * BIOKIOSK_CASCADES) and [camera] lines for the started emulator c, with its commands through the
 * pipe `fifo` (the kiosk's camera.emulator_control); transfer full. */
static inline char *uicamera_conf_lines(const uicamera *c, const char *fifo)
{
    const char *cascades = g_getenv("BIOKIOSK_CASCADES");
    return g_strdup_printf("[photo]\n"
                           "enabled = true\n"
                           "cascades = %s\n"
                           "[camera]\n"
                           "model = PTP/IP Camera\n"
                           "port = ptpip:127.0.0.1:%d:%d\n"
                           "emulator_control = %s\n",
                           cascades ? cascades : "", c->port, c->event_port, fifo);
}

/* Asks the emulator to quit (SIGTERM, then SIGKILL after 5 s) and closes its pipes. A camera
 * that was never started is fine. */
static inline void uicamera_stop(uicamera *c)
{
    if (c->pid > 0) {
        if (write(c->fifo_fd, "quit\n", 5) != 5)
            kill(c->pid, SIGTERM);
        int status = 0;
        for (int i = 0; i < 100 && waitpid(c->pid, &status, WNOHANG) == 0; i++)
            g_usleep(50 * 1000);
        if (waitpid(c->pid, &status, WNOHANG) == 0) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, &status, 0);
        }
        g_spawn_close_pid(c->pid);
        c->pid = 0;
    }
    if (c->fifo_fd >= 0)
        close(c->fifo_fd);
    c->fifo_fd = -1;
    if (c->out)
        fclose(c->out);
    c->out = NULL;
}

#endif
