/* The photo's speed: live-view analysis per 1024x680 frame (decode at half size, find the face
 * and eyes, run the checks) and a 6000x4000 capture to the checked 1244x1600 output (decode,
 * find, crop, check, encode), as medians; the peak memory of the capture; and OpenCV's own Haar
 * face detector on the same frames (bench-photo-opencv.py, python3-opencv), as a ratio.
 *
 *   bench-photo PORTRAIT CASCADE_DIR [OPENCV_SCRIPT]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "biomem.h"
#include "face.h"
#include "icao.h"
#include "picio.h"

#define FRAMES   40
#define CAPTURES 5

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static pic *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *d = malloc((size_t)n);
    pic *p = NULL;
    if (d != NULL && fread(d, 1, (size_t)n, f) == (size_t)n)
        picio_decode(d, (size_t)n, 1, &p);
    free(d);
    fclose(f);
    return p;
}

/* A camera's view of the portrait: a 3:2 window around its upper middle, shifted a little per
 * frame (as the emulated camera does), at the given size. */
static uint8_t *view(const pic *portrait, int frame, int w, int h, int quality, size_t *size)
{
    double pw = portrait->width, ph = portrait->height;
    double ww = pw, wh = pw / 1.5;
    if (wh > ph) {
        wh = ph;
        ww = ph * 1.5;
    }
    ww *= 0.92;
    wh *= 0.92;
    double cx = pw / 2 + 0.03 * ww * sin(frame * 0.21);
    double cy = fmin(fmax(ph * 0.42, wh / 2), ph - wh / 2) + 0.02 * wh * sin(frame * 0.13 + 1);
    double x0 = fmin(fmax(cx - ww / 2, 0), pw - ww), y0 = fmin(fmax(cy - wh / 2, 0), ph - wh);
    double step = ww / w;
    pic *p = NULL;
    uint8_t *jpeg = NULL;
    if (pic_warp(portrait, x0, y0, 0, step, w, h, &p) != BK_OK ||
        picio_encode_jpeg(p, quality, &jpeg, size) != BK_OK)
        exit(1);
    pic_free(p);
    return jpeg;
}

/* One capture from JPEG bytes to the checked, encoded output; returns faces found. */
static int process_capture(const face_finder *finder, const uint8_t *jpeg, size_t size,
                           size_t *out_size)
{
    pic *p = NULL;
    face_result fr;
    icao_result ir;
    face_options o = face_options_still();
    icao_settings s = icao_settings_default(false);
    if (picio_decode(jpeg, size, 1, &p) != BK_OK || face_find(finder, p, &o, &fr) != BK_OK ||
        icao_check_picture(p, &fr, &s, &ir) != BK_OK)
        exit(1);
    uint8_t *out = NULL;
    *out_size = 0;
    if (ir.output != NULL && picio_encode_jpeg(ir.output, 95, &out, out_size) != BK_OK)
        exit(1);
    biomem_free(out);
    icao_result_clear(&ir);
    pic_free(p);
    return fr.n_faces;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench-photo PORTRAIT CASCADE_DIR [OPENCV_SCRIPT]\n");
        return 2;
    }
    pic *portrait = load(argv[1]);
    face_finder *finder = NULL;
    if (portrait == NULL || face_finder_new(argv[2], &finder) != BK_OK) {
        fprintf(stderr, "bench-photo: cannot read %s or the cascades in %s\n", argv[1], argv[2]);
        return 2;
    }
    printf("portrait %s (%dx%d)\n", argv[1], portrait->width, portrait->height);

    /* peak memory first, in a child forked while this process is still small */
    size_t csize = 0;
    uint8_t *capture = view(portrait, 0, 6000, 4000, 92, &csize);
    size_t out_size = 0;
    struct rusage before;
    getrusage(RUSAGE_SELF, &before);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        process_capture(finder, capture, csize, &out_size);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("capture peak memory: %.0f MB resident (the process before: %.0f MB)\n",
           ru.ru_maxrss / 1024.0, before.ru_maxrss / 1024.0);

    /* live view */
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/bench-photo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 1;
    double t_live[FRAMES], t_detect[FRAMES];
    int with_face = 0, with_eyes = 0;
    for (int i = 0; i < FRAMES; i++) {
        size_t size = 0;
        uint8_t *jpeg = view(portrait, i, 1024, 680, 80, &size);
        char path[600];
        snprintf(path, sizeof(path), "%s/frame%02d.jpg", dir, i);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(jpeg, 1, size, f) != size)
            return 1;
        fclose(f);
        double t0 = now_ms();
        pic *p = NULL;
        face_result fr;
        icao_result ir;
        face_options o = face_options_live();
        icao_settings s = icao_settings_default(false);
        s.live = true;
        s.capture_scale = 6000.0 / 512;
        if (picio_decode(jpeg, size, 2, &p) != BK_OK)
            return 1;
        double t1 = now_ms();
        if (face_find(finder, p, &o, &fr) != BK_OK)
            return 1;
        double t2 = now_ms();
        if (icao_check_picture(p, &fr, &s, &ir) != BK_OK)
            return 1;
        t_live[i] = now_ms() - t0;
        t_detect[i] = t2 - t1;
        with_face += fr.n_faces > 0;
        with_eyes += fr.eyes_found;
        icao_result_clear(&ir);
        pic_free(p);
        biomem_free(jpeg);
    }
    double live = median(t_live, FRAMES), detect = median(t_detect, FRAMES);
    printf("live view 1024x680: median %.1f ms per frame (face and eyes %.1f ms), %.0f frames/s;"
           " face in %d/%d frames, both eyes by cascade in %d\n",
           live, detect, 1000 / live, with_face, FRAMES, with_eyes);

    double t_cap[CAPTURES];
    int faces = 0;
    for (int i = 0; i < CAPTURES; i++) {
        double t0 = now_ms();
        faces = process_capture(finder, capture, csize, &out_size);
        t_cap[i] = now_ms() - t0;
    }
    printf("capture 6000x4000 (%.1f MB JPEG) to checked 1244x1600 JPEG: median %.0f ms "
           "(faces %d, output %zu bytes)\n",
           csize / 1e6, median(t_cap, CAPTURES), faces, out_size);
    biomem_free(capture);

    /* OpenCV's detector on the same frames */
    if (argc > 3) {
        char cmd[1600];
        snprintf(cmd, sizeof(cmd),
                 "/usr/bin/python3 '%s' '%s' '%s/haarcascade_frontalface_default.xml'", argv[3],
                 dir, argv[2]);
        FILE *p = popen(cmd, "r");
        double cv = 0;
        if (p != NULL && fscanf(p, "%lf", &cv) == 1 && cv > 0)
            printf("OpenCV 4.6 Haar face detector on the same frames (half-size decode + detect):"
                   " median %.1f ms; ours (decode + face + eyes + checks) / OpenCV = %.2f, "
                   "face detection alone / OpenCV = %.2f\n",
                   cv, live / cv, detect / cv);
        else
            printf("OpenCV: not measured (python3-opencv missing?)\n");
        if (p != NULL)
            pclose(p);
    }
    for (int i = 0; i < FRAMES; i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/frame%02d.jpg", dir, i);
        remove(path);
    }
    rmdir(dir);
    face_finder_free(finder);
    pic_free(portrait);
    return 0;
}
