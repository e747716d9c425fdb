/* The photo's speed: live-view analysis per 1024x680 frame (decode at half size, find the face
 * and eyes, run the checks) with a full search and with tracking (face_track), and a 6000x4000
 * capture to the checked 1244x1600 output (decode, find, crop, check, encode), as medians; the
 * peak memory of the capture; OpenCV's own Haar face detector on the same frames
 * (bench-photo-opencv.py, python3-opencv), as a ratio; and end to end, the rate of instruction
 * updates the screen gets: the emulated PTP/IP camera (in this process) through libgphoto2, the
 * camera driver and the kiosk's photo service (every frame decoded for the preview and the newest
 * one analysed), for E2E_SECONDS with full searches only and with tracking.
 *
 * With TURNED (a 3/4 view in which the Haar search finds no frontal face), live view of it side by
 * side in one run before and after dlib's detector searched frames without a frontal face
 * (facecheck_live.unfound_every 0 against the default): ms per frame (median, mean, slowest:
 * the detector runs on one frame in FACECHECK_UNFOUND_EVERY), OpenCV on the same frames, the
 * share of frames whose instruction is the turn; and end to end, updates/s and how many say turn.
 *
 * With UNFOUND (a frontal portrait the Haar search misses at the live size), the same before and
 * after: the frames with a face (dlib's detector's, taken as a Haar face) and passing.
 *
 *   bench-photo PORTRAIT CASCADE_DIR [OPENCV_SCRIPT [TURNED [UNFOUND]]]
 *
 * BIOKIOSK_BENCH_SHORT=1: the short mode the test suite runs (4 frames, 1 capture, 2 s).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture/photo.h"
#include "core/biomem.h"
#include "imaging/face.h"
#include "imaging/facecheck.h"
#include "imaging/icao.h"
#include "imaging/landmarks.h"
#include "imaging/picio.h"
#include "emulators/ptpip/ptpip_emu.h"

/* CAPTURES: the capture decoded whole and in two passes, alternately, so many times each that
 * the medians hold while other programs share the machine */
#define FRAMES      40
#define CAPTURES    21
#define E2E_SECONDS 10
/* The short mode (BIOKIOSK_BENCH_SHORT=1, as the other benchmarks; run by the test suite): a
 * few frames, one capture, 2 s end to end, so the benchmark's code is run, not its figures. */
static int n_frames = FRAMES, n_captures = CAPTURES, e2e_seconds = E2E_SECONDS;
#define FULL_EVERY 10 /* as the photo screen tracks */

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
 * frame, at the given size (a tighter framing than the emulated camera's, which shows the whole
 * portrait: the face is larger here, the detector's work the same or more). */
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

/* The face landmark model (libdlib-data); NULL when absent: the landmark figures are skipped. */
static landmarks *model;

/* Thread CPU time: on a loaded machine the wall clock measures the neighbours too. */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One capture as the kiosk processes it (facecheck_capture: the face found on a 1/8 decode,
 * only the crop's region decoded, landmarks and every check) to the encoded output; returns
 * faces found. */
static int process_capture(const face_finder *finder, const uint8_t *jpeg, size_t size,
                           size_t *out_size)
{
    face_result fr;
    icao_result ir;
    icao_settings s = icao_settings_default(false);
    if (facecheck_capture(finder, model, jpeg, size, &s, &fr, &ir, NULL, NULL) != BK_OK)
        exit(1);
    uint8_t *out = NULL;
    *out_size = 0;
    if (ir.output != NULL && picio_encode_jpeg(ir.output, 95, &out, out_size) != BK_OK)
        exit(1);
    biomem_free(out);
    icao_result_clear(&ir);
    return fr.n_faces;
}

/* The same before the two-pass decode: the whole capture decoded, no landmarks. */
static int process_capture_whole(const face_finder *finder, const uint8_t *jpeg, size_t size,
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

/* ---- end to end: camera -> libgphoto2 -> driver -> the photo service ---- */

/* Live view for E2E_SECONDS through the emulated camera and the kiosk's own photo service
 * (app/capture/photo.h: its pump decodes every frame for the preview and hands the newest to its
 * analysis thread), drained as the photo screen drains it; prints frames and analyses per second
 * (overall and the median second). Returns the analyses per second, or -1. */
static double e2e_run(const pic *portrait, const char *cascade_dir, int full_every,
                      int unfound_every, const char *label)
{
    ptpip_emu *emu = NULL;
    ptpip_emu_options eo = ptpip_emu_options_default();
    if (ptpip_emu_new(portrait, &eo, &emu) != BK_OK)
        return -1;
    char port[96];
    snprintf(port, sizeof(port), "ptpip:127.0.0.1:%d:%d", ptpip_emu_port(emu),
             ptpip_emu_event_port(emu));
    photo_service_settings set;
    photo_service_settings_init(&set);
    set.camera_model = "PTP/IP Camera";
    set.camera_port = port;
    set.cascade_dir = cascade_dir;
    set.full_search_every = full_every;
    set.unfound_every = unfound_every;
    /* the landmark checks too, as the kiosk runs them (its analysis thread loads the model
     * first: the median second is the figure that leaves that out) */
    set.landmark_model = model != NULL ? LANDMARKS_DEFAULT_MODEL : NULL;
    photo_service *ps = NULL;
    char *message = NULL;
    if (photo_service_new(&set, &ps, &message) != BK_OK) {
        free(message);
        ptpip_emu_free(emu);
        return -1;
    }
    photo_snapshot snap = {0};
    double until = now_ms() + 30000;
    while (photo_service_snapshot(ps, &snap), !snap.ready && now_ms() < until)
        usleep(20000);
    if (!snap.ready) {
        photo_service_free(ps);
        ptpip_emu_free(emu);
        return -1;
    }
    photo_service_begin(ps, false);
    photo_service_set_live(ps, true);
    /* the first analysis starts the clock: opening live view and loading the landmark model
     * (once when the kiosk starts, 1-7 s on this machine depending on its load) are not part of
     * the rate; the analysis thread loads the model before its first analysis */
    int frames = 0, analyses = 0, turn = 0, face = 0, pass = 0, per_second[E2E_SECONDS] = {0};
    double start = 0, end = now_ms() + 60000;
    while (now_ms() < end) {
        photo_event ev;
        if (!photo_service_next_event(ps, &ev)) {
            usleep(2000); /* the screen waits for the wake; a short sleep is as good here */
            continue;
        }
        if (ev.kind == PHOTO_EVENT_ANALYSIS && start == 0) {
            start = now_ms();
            end = start + e2e_seconds * 1000.0;
            photo_attempt_free(ev.attempt);
            continue; /* the clock starts with it: counted are the analyses after it */
        }
        int sec = start > 0 ? (int)((now_ms() - start) / 1000) : -1;
        frames += ev.kind == PHOTO_EVENT_FRAME && sec >= 0;
        if (ev.kind == PHOTO_EVENT_ANALYSIS && sec >= 0 && sec < e2e_seconds) {
            analyses++;
            turn += strcmp(ev.analysis.check, "yaw") == 0;
            face += strcmp(ev.analysis.check, "faces") != 0;
            pass += ev.analysis.pass;
            per_second[sec]++;
        }
        photo_attempt_free(ev.attempt);
    }
    photo_service_end(ps);
    photo_service_free(ps);
    ptpip_emu_free(emu);
    double secs[E2E_SECONDS];
    for (int i = 0; i < e2e_seconds; i++)
        secs[i] = per_second[i];
    double rate = analyses / (double)e2e_seconds;
    double load[1] = {NAN};
    getloadavg(load, 1); /* the machine is shared: the rate depends on its load */
    printf("end to end, %s: %d s of live view: %.1f frames/s, %.1f instruction updates/s "
           "(median second %.0f; of %d: %d say turn your head, %d a face or head found, %d pass), "
           "load "
           "average %.1f\n",
           label, e2e_seconds, frames / (double)e2e_seconds, rate, median(secs, e2e_seconds),
           analyses, turn, face, pass, load[0]);
    return start > 0 ? rate : -1;
}

/* OpenCV's detector (the script) on the frames in `dir`: median ms, or NAN; *found its count. */
static double opencv_ms(const char *script, const char *dir, const char *cascade_dir, char *found,
                        size_t found_size)
{
    char cmd[1600];
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 '%s' '%s' '%s/haarcascade_frontalface_default.xml'", script, dir,
             cascade_dir);
    FILE *p = popen(cmd, "r");
    double cv = 0;
    found[0] = '\0';
    bool got = p != NULL && fscanf(p, "%lf", &cv) == 1 && cv > 0;
    /* read the script's output to its end before closing: closing the pipe early gives the
     * script a broken pipe */
    if (p != NULL) {
        char line[200];
        while (fgets(line, sizeof(line), p) != NULL)
            if (strncmp(line, "faces", 5) == 0)
                snprintf(found, found_size, "%s", line);
        pclose(p);
    }
    return got ? cv : NAN;
}

static double mean(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return n ? s / n : NAN;
}

/* Frame i of live view of `portrait` as the camera sends it (a JPEG, *size bytes), also
 * written to dir/frameNN.jpg for the OpenCV script; exits when it cannot be written. */
static uint8_t *live_frame(const pic *portrait, int i, const char *dir, size_t *size)
{
    *size = 0;
    uint8_t *jpeg = view(portrait, i, 1024, 680, 80, size);
    char path[600];
    snprintf(path, sizeof(path), "%s/frame%02d.jpg", dir, i);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(jpeg, 1, *size, f) != *size)
        exit(1);
    fclose(f);
    return jpeg;
}

static void remove_frames(const char *dir)
{
    for (int i = 0; i < n_frames; i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/frame%02d.jpg", dir, i);
        remove(path);
    }
}

/* Live view of a head the Haar search misses (TURNED, UNFOUND: `what`) frame by frame as
 * facecheck_frame analyses it, before (unfound_every 0) and after, the two alternately on the same
 * frames, and OpenCV's detector on them; the frames are written to `dir` for the script and
 * removed after. */
static void live_turned(const pic *turned, const face_finder *finder, const char *dir,
                        const char *script, const char *cascade_dir, const char *what)
{
    facecheck_live st[2];
    facecheck_live_init(&st[0], FULL_EVERY);
    facecheck_live_init(&st[1], FULL_EVERY);
    st[0].unfound_every = 0;
    double t[2][FRAMES];
    int turn[2] = {0, 0}, face[2] = {0, 0}, pass[2] = {0, 0}, haar = 0;
    icao_settings s = icao_settings_default(false);
    s.live = true;
    s.capture_scale = 6000.0 / 512;
    for (int i = 0; i < n_frames; i++) {
        size_t size;
        uint8_t *jpeg = live_frame(turned, i, dir, &size);
        for (int k = 0; k < 2; k++) {
            face_result fr;
            icao_result ir;
            pic *q = NULL;
            double c0 = now_ms();
            if (picio_decode(jpeg, size, 2, &q) != BK_OK ||
                facecheck_frame(finder, model, &st[k], q, &s, &fr, &ir) != BK_OK)
                exit(1);
            t[k][i] = now_ms() - c0;
            const icao_check *c = icao_first_failure(&ir);
            turn[k] += c != NULL && strcmp(c->name, "yaw") == 0;
            face[k] += fr.n_faces > 0;
            pass[k] += ir.compliant;
            haar += k == 0 && fr.n_faces > 0;
            icao_result_clear(&ir);
            pic_free(q);
        }
        biomem_free(jpeg);
    }
    char found[200];
    double cv = script ? opencv_ms(script, dir, cascade_dir, found, sizeof(found)) : NAN;
    for (int k = 0; k < 2; k++) {
        /* median() sorts: the last is then the slowest */
        double avg = mean(t[k], n_frames), med = median(t[k], n_frames);
        printf("live view of the %s, %s: median %.1f ms per frame, mean %.1f, slowest %.1f (/ "
               "OpenCV: median %.2f, mean %.2f); of %d frames: turn instruction on %d, a face on "
               "%d, passing %d (Haar face in %d before)\n",
               what,
               k ? "after (dlib's detector on frames without a frontal face)"
                 : "before (no detector)",
               med, avg, t[k][n_frames - 1], med / cv, avg / cv, n_frames, turn[k], face[k],
               pass[k], haar);
        if (k)
            printf("  dlib's detector ran over %ld of %d frames and near a lost head on %ld; a "
                   "turned head followed on %ld, its face on %ld\n",
                   st[1].unfound_searches, n_frames, st[1].near_searches, st[1].turned_frames,
                   st[1].dlib_frames);
    }
    if (isfinite(cv))
        printf("OpenCV 4.6 Haar face detector on the %s's frames: median %.1f ms, found %s", what,
               cv, found[0] ? found : "?\n");
    remove_frames(dir);
}

int main(int argc, char **argv)
{
    if (getenv("BIOKIOSK_BENCH_SHORT") != NULL) {
        n_frames = 4;
        n_captures = 1;
        e2e_seconds = 2;
    }
    if (argc < 3) {
        fprintf(stderr,
                "usage: bench-photo PORTRAIT CASCADE_DIR [OPENCV_SCRIPT [TURNED [UNFOUND]]]\n");
        return 2;
    }
    pic *portrait = load(argv[1]);
    face_finder *finder = NULL;
    if (portrait == NULL || face_finder_new(argv[2], &finder) != BK_OK) {
        fprintf(stderr, "bench-photo: cannot read %s or the cascades in %s\n", argv[1], argv[2]);
        /* the test suite's short run skips without ../shared or opencv-data */
        return getenv("BIOKIOSK_BENCH_SHORT") != NULL ? 77 : 2;
    }
    printf("portrait %s (%dx%d)\n", argv[1], portrait->width, portrait->height);
    double m0 = now_ms();
    if (landmarks_new(LANDMARKS_DEFAULT_MODEL, &model) == BK_OK)
        printf("landmark model loaded in %.0f ms\n", now_ms() - m0);
    else
        printf("landmark model %s absent (libdlib-data): no landmark figures\n",
               LANDMARKS_DEFAULT_MODEL);

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
    double t_live[FRAMES], t_detect[FRAMES], t_tracked[FRAMES], t_tracker[FRAMES];
    int with_face = 0, with_eyes = 0, n_tracked = 0, tracked_face = 0;
    face_tracker tracker;
    face_tracker_init(&tracker, FULL_EVERY);
    facecheck_live live_state;
    facecheck_live_init(&live_state, FULL_EVERY);
    double t_shape[FRAMES];
    int with_shape = 0;
    for (int i = 0; i < n_frames; i++) {
        size_t size;
        uint8_t *jpeg = live_frame(portrait, i, dir, &size);
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
        /* tracked, with the landmarks and every check (facecheck_frame) */
        if (model != NULL) {
            double c0 = now_ms();
            pic *q = NULL;
            if (picio_decode(jpeg, size, 2, &q) != BK_OK ||
                facecheck_frame(finder, model, &live_state, q, &s, &fr, &ir) != BK_OK)
                return 1;
            t_shape[i] = now_ms() - c0;
            with_shape += fr.has_shape;
            icao_result_clear(&ir);
            pic_free(q);
        }
        pic_free(p);
        /* the same frame as the screen analyses it: tracked, a full search every FULL_EVERY */
        double u0 = now_ms();
        bool full = false;
        if (picio_decode(jpeg, size, 2, &p) != BK_OK ||
            face_track(finder, &tracker, p, &o, &fr, &full) != BK_OK ||
            icao_check_picture(p, &fr, &s, &ir) != BK_OK)
            return 1;
        t_tracker[i] = now_ms() - u0;
        if (!full) {
            t_tracked[n_tracked++] = t_tracker[i];
            tracked_face += fr.n_faces > 0;
        }
        icao_result_clear(&ir);
        pic_free(p);
        biomem_free(jpeg);
    }
    double live = median(t_live, n_frames), detect = median(t_detect, n_frames);
    printf("live view 1024x680, full search every frame: median %.1f ms per frame (face and eyes "
           "%.1f ms), %.0f frames/s; face in %d/%d frames, both eyes by cascade in %d\n",
           live, detect, 1000 / live, with_face, n_frames, with_eyes);
    double tracked = n_tracked ? median(t_tracked, n_tracked) : NAN;
    double tracker_all = median(t_tracker, n_frames);
    printf("live view 1024x680, tracked (face_track, full search every %d): median %.1f ms per "
           "tracked frame (%d frames, face in %d), %.1f ms over all frames, %.0f frames/s; "
           "full / tracked = %.1f\n",
           FULL_EVERY, tracked, n_tracked, tracked_face, tracker_all, 1000 / tracker_all,
           live / tracked);

    double shape = model != NULL ? median(t_shape, n_frames) : NAN;
    if (model != NULL)
        printf(
            "live view 1024x680, tracked + landmarks + every check (facecheck_frame): median "
            "%.1f ms per frame, landmarks in %d/%d frames, %ld followed by their landmarks alone\n",
            shape, with_shape, n_frames, live_state.shape_tracked);

    double t_cap[CAPTURES], c_cap[CAPTURES], t_whole[CAPTURES], c_whole[CAPTURES];
    int faces = 0, faces_whole = 0;
    size_t whole_size = 0;
    for (int i = 0; i < n_captures; i++) {
        double t0 = now_ms(), c0 = cpu_ms();
        faces_whole = process_capture_whole(finder, capture, csize, &whole_size);
        t_whole[i] = now_ms() - t0;
        c_whole[i] = cpu_ms() - c0;
        t0 = now_ms();
        c0 = cpu_ms();
        faces = process_capture(finder, capture, csize, &out_size);
        t_cap[i] = now_ms() - t0;
        c_cap[i] = cpu_ms() - c0;
    }
    double cap_load[1] = {NAN};
    getloadavg(cap_load, 1);
    printf("capture 6000x4000 (%.1f MB JPEG) to checked 1244x1600 JPEG, %d times each, the two "
           "ways alternately, load average %.1f:\n",
           csize / 1e6, n_captures, cap_load[0]);
    /* median() sorts: [0] is then the fastest (read after the sort, not beside it in one call) */
    double mw = median(t_whole, n_captures), mc = median(c_whole, n_captures);
    printf("  decoded whole, no landmarks: median %.0f ms wall, %.0f ms CPU (fastest %.0f ms CPU; "
           "faces %d)\n",
           mw, mc, c_whole[0], faces_whole);
    mw = median(t_cap, n_captures);
    mc = median(c_cap, n_captures);
    printf("  1/8 decode + crop region + landmarks + every check (facecheck_capture): median %.0f "
           "ms wall, %.0f ms CPU (fastest %.0f ms CPU; faces %d, output %zu bytes)\n",
           mw, mc, c_cap[0], faces, out_size);
    biomem_free(capture);

    /* OpenCV's detector on the same frames */
    if (argc > 3) {
        char found_line[200];
        double cv = opencv_ms(argv[3], dir, argv[2], found_line, sizeof(found_line));
        if (isfinite(cv))
            printf("OpenCV 4.6 Haar face detector on the same frames (half-size decode + detect):"
                   " median %.1f ms; ours (decode + face + eyes + checks) / OpenCV = %.2f, "
                   "face detection alone / OpenCV = %.2f, tracked + landmarks + every check / "
                   "OpenCV = %.2f; OpenCV found %s",
                   cv, live / cv, detect / cv, shape / cv, found_line[0] ? found_line : "?\n");
        else
            printf("OpenCV: not measured (python3-opencv missing?)\n");
    }
    remove_frames(dir);
    /* a turned head the Haar search does not find: before and after, side by side */
    pic *turned = argc > 4 ? load(argv[4]) : NULL;
    if (turned != NULL && model != NULL) {
        printf("turned head %s (%dx%d)\n", argv[4], turned->width, turned->height);
        live_turned(turned, finder, dir, argc > 3 ? argv[3] : NULL, argv[2], "turned head");
    }
    pic *unfound = argc > 5 ? load(argv[5]) : NULL;
    if (unfound != NULL && model != NULL) {
        printf("frontal portrait the Haar search misses %s (%dx%d)\n", argv[5], unfound->width,
               unfound->height);
        live_turned(unfound, finder, dir, argc > 3 ? argv[3] : NULL, argv[2],
                    "frontal portrait the Haar search misses");
    }
    rmdir(dir);

    /* end to end; libgphoto2 keeps its PTP/IP GUID under $HOME: a home of our own */
    char home[512];
    snprintf(home, sizeof(home), "%s/bench-photo-home-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(home) != NULL && setenv("HOME", home, 1) == 0) {
        double full_rate = e2e_run(portrait, argv[2], 1, 0, "full search every frame");
        double track_rate = e2e_run(portrait, argv[2], FULL_EVERY, 0, "tracked (as the screen)");
        /* before and after dlib's detector in live view, the frontal portrait and the turned
         * head, twice in turn, so that the machine's changing load falls on each alike */
        for (int round = 0; round < 2 && turned != NULL && model != NULL; round++) {
            track_rate = fmin(track_rate, e2e_run(portrait, argv[2], FULL_EVERY, -1,
                                                  "tracked, before (no detector in live view)"));
            track_rate = fmin(track_rate, e2e_run(portrait, argv[2], FULL_EVERY, 0,
                                                  "tracked, after (dlib's detector)"));
            track_rate = fmin(track_rate, e2e_run(turned, argv[2], FULL_EVERY, -1,
                                                  "turned head, before (no detector)"));
            track_rate = fmin(track_rate, e2e_run(turned, argv[2], FULL_EVERY, 0,
                                                  "turned head, after (dlib's detector)"));
            if (unfound != NULL) {
                e2e_run(unfound, argv[2], FULL_EVERY, -1,
                        "frontal the Haar search misses, before (no detector)");
                e2e_run(unfound, argv[2], FULL_EVERY, 0,
                        "frontal the Haar search misses, after (dlib's detector)");
            }
        }
        if (full_rate < 0 || track_rate < 0)
            printf("end to end: the emulated camera did not open\n");
        char path[600];
        snprintf(path, sizeof(path), "%s/.gphoto/settings", home);
        remove(path);
        snprintf(path, sizeof(path), "%s/.gphoto", home);
        rmdir(path);
        rmdir(home);
    }
    face_finder_free(finder);
    landmarks_free(model);
    pic_free(unfound);
    pic_free(turned);
    pic_free(portrait);
    return 0;
}
