/* The visit as the applicant waits for it: the demo's visits played headless by the real kiosk
 * (offscreen, scripted, on the emulated PTP/IP camera and libfprint's virtual image reader), and,
 * per kind of visit, the time the machine adds: from each tap (key, typed code, staff sign-in,
 * signature stroke) to the next screen being ready, and the capture waits (the camera ready, its
 * first frame and analysis, the photo's result; each fingerprint read). The applicant's own time
 * (the countdown of the photo, which the script's `wait` plays on the kiosk's clock) is not
 * counted. Goal: under 2 s per applicant in total. Figures only, no assertion on them.
 *
 * How: the script has a `memory` line after every step; the kiosk prints (and flushes) one line
 * for it once the step has settled (the screen drawn, the store's worker done), and this program
 * stamps each line as it arrives: the time between two stamps is the step's.
 *
 * Usage: bench-visit BIOKIOSK LOCALE_DIR (environment as the ui tests: PTPIP_CAMERA_BIN,
 * BIOKIOSK_FACES, BIOKIOSK_CASCADES; without a portrait the photo step is off and said so). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bench.h"
#include "uicamera.h"

#define DESK     "DEN-HAAG"
#define DAY      "2026-11-23"
#define PORTRAIT "frontal/frl_london_001_03.jpg"
#define RUNS     ((int)bench_n(3, 1))
#define MAX_STEP 256

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs the biokiosk command line; stdin text may be NULL; the output (transfer full). */
static char *cli(const char *bin, const char *input, const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)bin);
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    GError *error = NULL;
    GSubprocess *p =
        g_subprocess_newv((const char *const *)argv->pdata,
                          G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    char *out = NULL;
    if (p == NULL || !g_subprocess_communicate_utf8(p, input, NULL, &out, NULL, &error) ||
        !g_subprocess_get_successful(p)) {
        fprintf(stderr, "bench-visit: biokiosk %s failed%s%s\n", args[0], error ? ": " : "",
                error ? error->message : "");
        exit(1);
    }
    g_object_unref(p);
    g_ptr_array_free(argv, TRUE);
    return out;
}

/* One kind of visit: the appointment's line in `demo-set --list` and the script from the welcome
 * screen to the end of the visit (steps one a line; @CODE@ is the code). */
typedef struct visit_kind {
    const char *what;  /* as demo-set --list says it */
    int applicants;    /* persons who give something at the desk */
    bool needs_camera; /* the script takes a photo */
    const char *script;
} visit_kind;

#define START                                                                                      \
    "tap \"Start\"\ntype @CODE@\nkey Return\nexpect-screen appointment\ntap \"Continue\"\n"        \
    "expect-screen documents\nstaff demo 246810\ntap \"Close this menu\"\n"
#define PHOTO                                                                                      \
    "expect-screen capture-photo\ncamera-wait ready 90\ncamera-wait frame 90\n"                    \
    "camera-wait analysis 90\ntap \"Take the photo\"\nwait 3000\ncamera-wait result 90\n"          \
    "tap \"Use this photo\"\n"
#define FINGERS                                                                                    \
    "expect-screen capture-finger\ntap \"Start the fingerprints\"\nfinger synthetic:11\n"          \
    "tap \"Continue\"\nfinger synthetic:12\ntap \"Continue\"\ntap \"Accept the fingerprints\"\n"
#define SIGN                                                                                       \
    "expect-screen capture-signature\nstroke 60,180 84,237 108,268 132,257 156,210 180,149 "       \
    "204,102 228,92 252,124 276,181 300,239 324,268 348,256 372,208 396,148 420,101 444,92 "       \
    "468,125 492,183 516,240 540,269 564,256 588,207 612,146 636,101 660,93\ntap \"Accept\"\n"
#define FINISH "expect-screen review\ntap \"Finish\"\nexpect-screen done\ntap \"Close\"\n"

static const visit_kind kinds[] = {
    {"adult, nothing on file", 1, true,
     START
     "tap \"Amira Haddad\"\ntap \"Continue\"\nexpect-screen person\ntap \"Start\"\n" PHOTO FINGERS
         SIGN FINISH},
    {"EU family member", 1, true,
     START
     "tap \"Kwame Mensah\"\ntap \"Continue\"\nexpect-screen person\ntap \"Start\"\n" PHOTO FINGERS
         SIGN FINISH},
    {"adult, everything on file can be reused", 1, false,
     START "tap \"Mateo Alvarez Ruiz\"\ntap \"Continue\"\nexpect-screen person\n"
           "tap \"Continue\"\n" FINISH},
    {"adult, fingerprints on file were poor", 1, false,
     START "tap \"Ahmet Yilmaz\"\ntap \"Continue\"\nexpect-screen person\ntap \"Start\"\n" FINGERS
         FINISH},
};

/* What the figures are grouped by: the step's command (and the camera's wait). */
enum { L_TAP, L_READY, L_FRAME, L_ANALYSIS, L_RESULT, L_FINGER, L_STAFF, L_COUNT };
static const char *const label_text[L_COUNT] = {
    "tap to next screen ready",     "camera ready on the step",       "live view: first frame",
    "live view: first analysis",    "photo: countdown end to result", "fingerprint read",
    "officer's sign-in (PIN check)"};

/* The step's group; -1: not the machine's time (the script's own waits, checks of what is
 * shown, which take no time of their own). */
static int step_label(const char *line)
{
    static const char *const prefix[] = {"camera-wait ready", "camera-wait frame",
                                         "camera-wait analysis", "camera-wait result", "finger "};
    for (int i = 0; i < (int)G_N_ELEMENTS(prefix); i++)
        if (g_str_has_prefix(line, prefix[i]))
            return L_READY + i;
    if (g_str_has_prefix(line, "staff "))
        return L_STAFF;
    if (g_str_has_prefix(line, "tap") || g_str_has_prefix(line, "key") ||
        g_str_has_prefix(line, "type") || g_str_has_prefix(line, "stroke"))
        return L_TAP;
    return -1;
}

typedef struct figures {
    double ms[L_COUNT][MAX_STEP]; /* every timed step of every run, per group */
    int n[L_COUNT];
    double worst_tap; /* and which tap it was */
    char worst_tap_line[64];
    double totals[16]; /* the machine's time of each run (the officer's sign-in apart) */
    int n_totals;
} figures;

/* Plays the script once (a `memory` line after every line) and adds its figures. */
static bool play(const char *bin, const char *conf, const char *dir, const char *now,
                 const char *body, figures *f)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    GString *s = g_string_new("memory\n");
    for (int i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
            g_string_append_printf(s, "%s\nmemory\n", lines[i]);
    g_autofree char *path = g_build_filename(dir, "visit.txt", NULL);
    g_file_set_contents(path, s->str, -1, NULL);
    g_string_free(s, TRUE);
    const char *const argv[] = {bin, "--config", conf, "--now", now, "--script", path, NULL};
    GPid pid;
    int out_fd = -1;
    GError *error = NULL;
    g_autofree char *err_path = g_build_filename(dir, "kiosk.err", NULL);
    int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                          -1, -1, err_fd, NULL, NULL, 0, &pid, NULL, &out_fd, NULL,
                                          &error)) {
        fprintf(stderr, "bench-visit: %s\n", error->message);
        close(err_fd);
        return false;
    }
    close(err_fd);
    GPtrArray *steps = g_ptr_array_new();
    for (int i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
            g_ptr_array_add(steps, lines[i]);
    FILE *out = fdopen(out_fd, "r");
    char buf[512];
    gint64 last = -1;
    int last_line = 0;
    double total = 0;
    while (fgets(buf, sizeof buf, out) != NULL) {
        int line = 0;
        if (sscanf(buf, "memory: line=%d", &line) != 1)
            continue;
        gint64 t = g_get_monotonic_time();
        /* memory on line 2k + 1 follows step k (from 1) on line 2k */
        int k = (line - 1) / 2;
        if (last >= 0 && line == last_line + 2 && k >= 1 && k <= (int)steps->len) {
            const char *step = g_ptr_array_index(steps, k - 1);
            int l = step_label(step);
            double ms = (double)(t - last) / 1000.0;
            if (l >= 0 && f->n[l] < MAX_STEP) {
                f->ms[l][f->n[l]++] = ms;
                total += l == L_STAFF ? 0 : ms;
            }
            if (l == L_TAP && ms > f->worst_tap) {
                f->worst_tap = ms;
                g_strlcpy(f->worst_tap_line, step, sizeof f->worst_tap_line);
            }
        }
        last = t;
        last_line = line;
    }
    fclose(out);
    g_ptr_array_free(steps, TRUE);
    int status = 0;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_autofree char *err = NULL;
        g_file_get_contents(err_path, &err, NULL, NULL);
        const char *tail = err != NULL && strlen(err) > 2000 ? err + strlen(err) - 2000 : err;
        fprintf(stderr, "bench-visit: the kiosk stopped in the visit (status %d): ...%s\n", status,
                tail != NULL ? tail : "");
        return false;
    }
    if (f->n_totals < (int)G_N_ELEMENTS(f->totals))
        f->totals[f->n_totals++] = total;
    return true;
}

static void print_row(const char *what, double *v, int n)
{
    if (n == 0) {
        printf("    %-28s none\n", what);
        return;
    }
    qsort(v, (size_t)n, sizeof v[0], cmp);
    printf("    %-28s median %7.1f ms, worst %7.1f ms (%d)\n", what,
           (v[(n - 1) / 2] + v[n / 2]) / 2, v[n - 1], n);
}

/* A fresh store in dir with the day's demo set and the staff account. */
static void fresh_store(const char *bin, const char *dir)
{
    g_autofree char *db = g_build_filename(dir, "appointments.db", NULL);
    g_autofree char *store = g_strconcat("sqlite:", db, NULL);
    g_autofree char *json = g_build_filename(dir, "appointments.json", NULL);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
        g_autofree char *f = g_strconcat(db, suffix[i], NULL);
        g_unlink(f);
    }
    char *set =
        cli(bin, NULL,
            (const char *const[]){"appointment", "demo-set", "--desk", DESK, "--date", DAY, NULL});
    g_file_set_contents(json, set, -1, NULL);
    g_free(set);
    g_free(cli(bin, NULL,
               (const char *const[]){"appointment", "import", json, "--store", store, NULL}));
    g_free(cli(bin, "246810\n",
               (const char *const[]){"staff", "add", "demo", "--name", "Demo officer", "--role",
                                     "desk+technician", "--store", store, NULL}));
}

/* The keys and the kiosk's configuration in dir; the configuration's path (transfer full). */
static char *prepare(const char *bin, const char *locale, const char *dir, const char *camera)
{
    g_autofree char *store = g_strdup_printf("sqlite:%s/appointments.db", dir);
    g_autofree char *keys = g_build_filename(dir, "keys", NULL);
    g_autofree char *office = g_build_filename(dir, "backoffice", NULL);
    g_mkdir_with_parents(keys, 0700);
    g_mkdir_with_parents(office, 0700);
    g_free(cli(bin, NULL, (const char *const[]){"keys", "kiosk-init", "--dir", keys, NULL}));
    g_free(cli(bin, NULL, (const char *const[]){"keys", "backoffice-init", "--dir", office, NULL}));
    char *conf = g_build_filename(dir, "biokiosk.conf", NULL);
    g_autofree char *text = g_strdup_printf(
        "[kiosk]\ndesk = %s\nid = %s-BENCH\nfullscreen = false\ndefault_language = en\n"
        "locale_dir = %s\n[store]\nuri = %s\n%s\n"
        "[fingerprint]\nenabled = true\nvirtual_socket = %s/finger.sock\n"
        "[signature]\nsource = touch\n"
        "[record]\noutbox = %s/outbox\nkiosk_key = %s/kiosk.key\n"
        "backoffice_key = %s/backoffice.pub\naudit_hash_key = %s/audit-hash.key\n"
        "[audit]\nlog = %s/audit.log\n",
        DESK, DESK, locale, store, camera ? camera : "[photo]\nenabled = false\n", dir, dir, keys,
        office, keys, dir);
    g_autofree char *outbox = g_build_filename(dir, "outbox", NULL);
    g_mkdir_with_parents(outbox, 0700);
    g_file_set_contents(conf, text, -1, NULL);
    return conf;
}

/* The code and start of the demo's appointment of that kind (from demo-set --list). */
static bool find_visit(const char *list, const char *what, char code[static 12],
                       char now[static 26])
{
    g_auto(GStrv) lines = g_strsplit(list, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        char hhmm[6];
        if (strstr(lines[i], what) == NULL || sscanf(lines[i], "%11s %5s", code, hhmm) != 2)
            continue;
        g_snprintf(now, 26, DAY "T%s:00+01:00", hhmm);
        return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench-visit BIOKIOSK LOCALE_DIR\n");
        return 2;
    }
    g_setenv("SDL_VIDEODRIVER", "offscreen", TRUE);
    g_autofree char *dir = g_dir_make_tmp("bench-visit-XXXXXX", NULL);
    const char *missing = uicamera_missing(PORTRAIT);
    uicamera cam = {.fifo_fd = -1};
    g_autofree char *camera = NULL;
    if (missing == NULL && g_getenv("PTPIP_CAMERA_BIN") != NULL) {
        g_autofree char *portrait = uicamera_portrait(dir, PORTRAIT);
        g_autofree char *fifo = g_build_filename(dir, "camera.ctl", NULL);
        uicamera_start(&cam, portrait, fifo);
        camera = uicamera_conf_lines(&cam, fifo);
    } else {
        printf("bench-visit: no camera (%s): the visits with a photo are left out\n",
               missing ? missing : "PTPIP_CAMERA_BIN is not set");
    }
    g_autofree char *conf = prepare(argv[1], argv[2], dir, camera);
    g_autofree char *list = cli(argv[1], NULL,
                                (const char *const[]){"appointment", "demo-set", "--desk", DESK,
                                                      "--date", DAY, "--list", NULL});
    printf("The machine's time in the demo's visits (offscreen 1920x1080, %d run(s) each; "
           "the applicant's own time not counted):\n",
           RUNS);
    int rc = 0;
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        const visit_kind *v = &kinds[k];
        char code[12], now[26];
        if ((v->needs_camera && camera == NULL) || !find_visit(list, v->what, code, now))
            continue;
        g_auto(GStrv) parts = g_strsplit(v->script, "@CODE@", -1);
        g_autofree char *body = g_strjoinv(code, parts);
        figures f = {0};
        for (int r = 0; r < RUNS; r++) {
            /* each run on a fresh store: the visit completes its appointment */
            fresh_store(argv[1], dir);
            if (!play(argv[1], conf, dir, now, body, &f)) {
                rc = 1;
                break;
            }
        }
        double *t = f.totals;
        qsort(t, (size_t)f.n_totals, sizeof t[0], cmp);
        printf("  %s (%d applicant(s)):\n", v->what, v->applicants);
        for (int l = 0; l < L_COUNT; l++)
            print_row(label_text[l], f.ms[l], f.n[l]);
        printf("    the slowest tap: %s\n", f.worst_tap_line);
        if (f.n_totals > 0)
            printf("    machine's time per applicant, the officer's sign-in apart: median %.2f s, "
                   "worst %.2f s (goal: under 2 s)\n",
                   (t[(f.n_totals - 1) / 2] + t[f.n_totals / 2]) / 2 / 1000.0 / v->applicants,
                   t[f.n_totals - 1] / 1000.0 / v->applicants);
    }
    uicamera_stop(&cam);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
