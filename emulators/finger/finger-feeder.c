/* biokiosk-finger-feeder: the demo's fingers, as a process of their own (like the PTP/IP camera
 * emulator). It feeds libfprint's virtual image device (the kiosk's [fingerprint] virtual_socket)
 * a synthetic print each time it is told that the reader waits for a finger.
 *
 *   biokiosk-finger-feeder DEVICE_SOCKET [CONTROL_SOCKET]
 *
 * The control socket (default DEVICE_SOCKET + ".feeder", FINGERFEED_CONTROL_SUFFIX) takes
 * datagrams: "need N" places the demo's print of finger N (1..10; 0: any finger, a technician's
 * check), the same finger a little differently each time it is placed again; "quit" ends the
 * program, as SIGTERM and SIGINT do. The kiosk's test hooks (app/testhooks/finger_hooks.c) send
 * "need N" when its reader asks for a finger. Once listening it prints one line,
 * "finger-feeder: ready CONTROL_SOCKET", on standard output. */
#include <errno.h>
#include <signal.h>
#include <glib-unix.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "emulators/finger/fingerfeed.h"
#include "emulators/finger/fingersynth.h"

#define SYNTH_W 256
#define SYNTH_H 320

typedef struct feeder {
    GMainLoop *loop;
    fingerfeed *feed;
    unsigned placed; /* prints placed so far */
} feeder;

/* A synthetic finger per position, recaptured a little differently each time. */
static void place(feeder *fd, int finger)
{
    uint32_t seed = (uint32_t)(finger > 0 ? finger : 1) + 97u * (fd->placed / 8u);
    fingerimg *img = NULL, *again = NULL;
    fd->placed++;
    if (fingersynth_make(seed, (fingersynth_pattern)(seed % 4), SYNTH_W, SYNTH_H, &img) == BK_OK &&
        fingersynth_recapture(img, fd->placed, 4, -3, 3.0, &again) == BK_OK &&
        fingerfeed_queue_image(fd->feed, again) == BK_OK)
        fingerfeed_finger_needed(fd->feed);
    else
        g_warning("cannot make the print of finger %d", finger);
    fingerimg_free(img);
    fingerimg_free(again);
}

static gboolean on_control(gint sock, GIOCondition cond, gpointer data)
{
    (void)cond;
    feeder *fd = data;
    char msg[64];
    ssize_t n = recv(sock, msg, sizeof msg - 1, 0);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
    msg[n] = '\0';
    g_strchomp(msg);
    int finger = 0;
    if (sscanf(msg, "need %d", &finger) == 1 && finger >= 0 && finger <= 10)
        place(fd, finger);
    else if (strcmp(msg, "quit") == 0)
        g_main_loop_quit(fd->loop);
    else
        g_warning("unknown control message '%s'", msg);
    return G_SOURCE_CONTINUE;
}

static gboolean on_signal(gpointer data)
{
    g_main_loop_quit(((feeder *)data)->loop);
    return G_SOURCE_CONTINUE;
}

static int listen_on(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "biokiosk-finger-feeder: socket path too long: %s\n", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    unlink(path); /* left over from a feeder that was killed */
    if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "biokiosk-finger-feeder: %s: %s\n", path, g_strerror(errno));
        if (sock >= 0)
            close(sock);
        return -1;
    }
    return sock;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: biokiosk-finger-feeder DEVICE_SOCKET [CONTROL_SOCKET]\n");
        return 2;
    }
    g_autofree char *control =
        argc == 3 ? g_strdup(argv[2]) : g_strconcat(argv[1], FINGERFEED_CONTROL_SUFFIX, NULL);
    int sock = listen_on(control);
    if (sock < 0)
        return 1;
    feeder fd = {.loop = g_main_loop_new(NULL, FALSE), .feed = fingerfeed_new(argv[1])};
    guint watch = g_unix_fd_add(sock, G_IO_IN, on_control, &fd);
    g_unix_signal_add(SIGTERM, on_signal, &fd);
    g_unix_signal_add(SIGINT, on_signal, &fd);
    printf("finger-feeder: ready %s\n", control);
    fflush(stdout);
    g_main_loop_run(fd.loop);
    g_source_remove(watch);
    fingerfeed_free(fd.feed);
    g_main_loop_unref(fd.loop);
    close(sock);
    unlink(control);
    return 0;
}
