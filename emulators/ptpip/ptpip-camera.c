/* ptpip-camera: the emulated PTP/IP camera as a program, for the demo and for trying things by
 * hand with libgphoto2 (model "PTP/IP Camera", port ptpip:127.0.0.1:PORT:EVENT_PORT).
 *
 *   ptpip-camera [--port N] [--event-port N] [--fault NAME] [--capture-size WxH]
 *                [--serial TEXT] PORTRAIT.{jpg,png}
 *
 * Prints "ptpip-camera: PORT EVENT_PORT" once it listens, then reads commands on stdin, one a
 * line: "fault NAME [TIMES]" (busy, no-capture-event, drop, corrupt-jpeg, slow-frames, none),
 * "unplug", "plug", "stats", "quit". Without stdin it runs until SIGINT or SIGTERM. */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/biomem.h"
#include "imaging/picio.h"
#include "emulators/ptpip/ptpip_emu.h"

static int usage(void)
{
    fprintf(stderr, "usage: ptpip-camera [--port N] [--event-port N] [--fault NAME] "
                    "[--capture-size WxH] [--serial TEXT] PORTRAIT\n");
    return 2;
}

static pic *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 20, len = 0;
    uint8_t *data = biomem_alloc(cap);
    while (data != NULL) {
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
        if (len == cap) {
            uint8_t *bigger = biomem_realloc(data, cap * 2);
            if (bigger == NULL) {
                biomem_free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    pic *p = NULL;
    if (data != NULL && picio_decode(data, len, 1, &p) != BK_OK)
        p = NULL;
    biomem_free(data);
    return p;
}

static void command(ptpip_emu *emu, char *line)
{
    char *word = strtok(line, " \t\n");
    if (word == NULL)
        return;
    if (strcmp(word, "fault") == 0) {
        char *name = strtok(NULL, " \t\n");
        char *times = strtok(NULL, " \t\n");
        int f = name ? ptpip_emu_fault_from_name(name) : -1;
        if (f < 0) {
            printf("unknown fault\n");
        } else {
            ptpip_emu_set_fault(emu, (ptpip_emu_fault)f, times ? atoi(times) : -1);
            printf("fault %s\n", ptpip_emu_fault_name((ptpip_emu_fault)f));
        }
    } else if (strcmp(word, "unplug") == 0 || strcmp(word, "plug") == 0) {
        ptpip_emu_set_plugged(emu, word[0] == 'p');
        printf("%s\n", word);
    } else if (strcmp(word, "stats") == 0) {
        ptpip_emu_stats s;
        ptpip_emu_get_stats(emu, &s);
        printf("frames %d captures %d connections %d refused %d imagesize %s quality %d\n",
               s.frames, s.captures, s.connections, s.refused, s.image_size, s.quality);
    } else {
        printf("commands: fault NAME [TIMES], unplug, plug, stats, quit\n");
    }
    fflush(stdout);
}

/* Waits for SIGINT or SIGTERM (blocked in every thread) and ends the process: the sockets close
 * with it, which is all a camera that is switched off does. */
static void *wait_for_stop(void *arg)
{
    int sig;
    sigwait((sigset_t *)arg, &sig);
    _exit(0);
    return NULL;
}

int main(int argc, char **argv)
{
    ptpip_emu_options opt = ptpip_emu_options_default();
    const char *image = NULL, *fault = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            opt.port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--event-port") == 0 && i + 1 < argc)
            opt.event_port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--fault") == 0 && i + 1 < argc)
            fault = argv[++i];
        else if (strcmp(argv[i], "--capture-size") == 0 && i + 1 < argc) {
            /* a smaller largest size: quicker captures for slow (sanitizer) builds */
            if (sscanf(argv[++i], "%dx%d", &opt.capture_width, &opt.capture_height) != 2)
                return usage();
        } else if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc) {
            opt.serial = argv[++i];
            if (strlen(opt.serial) == 0 || strlen(opt.serial) > 31 ||
                strspn(opt.serial,
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
                    strlen(opt.serial))
                return usage();
        } else if (argv[i][0] == '-' || image != NULL)
            return usage();
        else
            image = argv[i];
    }
    if (image == NULL)
        return usage();
    pic *portrait = load(image);
    if (portrait == NULL) {
        fprintf(stderr, "ptpip-camera: cannot read %s as a JPEG or PNG image\n", image);
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    /* blocked before the camera's thread starts, so only sigwait below sees them */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    ptpip_emu *emu = NULL;
    bk_err err = ptpip_emu_new(portrait, &opt, &emu);
    pic_free(portrait);
    if (err != BK_OK) {
        fprintf(stderr, "ptpip-camera: cannot listen on 127.0.0.1: %s\n", bk_err_str(err));
        return 1;
    }
    if (fault != NULL) {
        int f = ptpip_emu_fault_from_name(fault);
        if (f < 0) {
            ptpip_emu_free(emu);
            return usage();
        }
        ptpip_emu_set_fault(emu, (ptpip_emu_fault)f, -1);
    }
    /* SIGINT and SIGTERM end the program at any time, also while it waits for a command on a
     * stdin that never ends (a pipe opened read-write, as the kiosk's tests and demo do). */
    pthread_t stopper;
    pthread_create(&stopper, NULL, wait_for_stop, &stop);
    printf("ptpip-camera: %d %d\n", ptpip_emu_port(emu), ptpip_emu_event_port(emu));
    fflush(stdout);
    char line[256];
    bool quit = false;
    while (!quit && fgets(line, sizeof(line), stdin) != NULL) {
        if (strncmp(line, "quit", 4) == 0)
            quit = true;
        else
            command(emu, line);
    }
    if (!quit)
        pthread_join(stopper, NULL); /* never returns: wait_for_stop ends the process */
    ptpip_emu_free(emu);
    return 0;
}
