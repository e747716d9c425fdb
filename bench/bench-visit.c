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
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bench.h"
#include "uicamera.h"

#define DESK     "DEN-HAAG"
#define DAY      "2026-11-23"
#define PORTRAIT "frontal/frl_london_001_03.jpg"
#define RUNS     ((int)bench_n(5, 1))
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
 * screen to the end of the visit (steps one a line; @CODE@ is the code). A line "=N" (not sent
 * to the kiosk) says that the steps after it are those of the N-th person who gives something
 * (names[N - 1]); "=0": the visit's own (check-in, documents, a person with nothing to give,
 * review and finish), shared by its applicants. */
typedef struct visit_kind {
    const char *what; /* as demo-set --list says it */
    const char *names[4];
    int applicants;    /* persons who give something at the desk */
    bool needs_camera; /* the script takes a photo */
    const char *script;
} visit_kind;

#define START                                                                                      \
    "=0\ntap \"Start\"\ntype @CODE@\nkey Return\nexpect-screen appointment\ntap \"Continue\"\n"    \
    "expect-screen documents\nstaff demo 246810\ntap \"Close this menu\"\n"
#define PHOTO                                                                                      \
    "expect-screen capture-photo\ncamera-wait ready 90\ncamera-wait frame 90\n"                    \
    "camera-wait analysis 90\ncamera-mark\ntap \"Take the photo\"\nwait 3000\ncamera-wait result " \
    "90\n"                                                                                         \
    "tap \"Use this photo\"\n"
#define FINGERS(a, b)                                                                              \
    "expect-screen capture-finger\ntap \"Start the fingerprints\"\nfinger synthetic:" #a "\n"      \
    "tap \"Continue\"\nfinger synthetic:" #b "\ntap \"Continue\"\n"                                \
    "tap \"Accept the fingerprints\"\n"
#define SIGN                                                                                       \
    "expect-screen capture-signature\nstroke 60,180 84,237 108,268 132,257 156,210 180,149 "       \
    "204,102 228,92 252,124 276,181 300,239 324,268 348,256 372,208 396,148 420,101 444,92 "       \
    "468,125 492,183 516,240 540,269 564,256 588,207 612,146 636,101 660,93\ntap \"Accept\"\n"
#define FINISH "=0\nexpect-screen review\ntap \"Finish\"\nexpect-screen done\ntap \"Close\"\n"

static const visit_kind kinds[] = {
    {"adult, nothing on file",
     {"Amira Haddad"},
     1,
     true,
     START "tap \"Amira Haddad\"\ntap \"Continue\"\nexpect-screen person\n=1\ntap \"Start\"\n" PHOTO
         FINGERS(11, 12) SIGN FINISH},
    {"EU family member",
     {"Kwame Mensah"},
     1,
     true,
     START "tap \"Kwame Mensah\"\ntap \"Continue\"\nexpect-screen person\n=1\ntap \"Start\"\n" PHOTO
         FINGERS(11, 12) SIGN FINISH},
    {"adult, everything on file can be reused",
     {"Mateo Alvarez Ruiz"},
     1,
     false,
     START "tap \"Mateo Alvarez Ruiz\"\ntap \"Continue\"\nexpect-screen person\n=1\n"
           "tap \"Continue\"\n" FINISH},
    {"adult, fingerprints on file were poor",
     {"Ahmet Yilmaz"},
     1,
     false,
     START
     "tap \"Ahmet Yilmaz\"\ntap \"Continue\"\nexpect-screen person\n=1\ntap \"Start\"\n" FINGERS(
         11, 12) FINISH},
    /* a parent, an infant (photo posted: nothing at the desk), children of 8 (photo in child
     * mode, fingerprints) and 15 (photo, fingerprints, signature) */
    {"parent with an infant",
     {"Olena Kovalenko", "Taras Kovalenko", "Iryna Kovalenko"},
     3,
     true,
     START "tap \"Olena Kovalenko\"\ntap \"Sofiia Kovalenko\"\ntap \"Taras Kovalenko\"\n"
           "tap \"Iryna Kovalenko\"\ntap \"A parent is present\"\ntap \"Continue\"\n"
           "expect-screen person\n=1\ntap \"Start\"\n" PHOTO FINGERS(21, 22) SIGN
     "=0\nexpect-screen person\ntap \"Continue\"\n=2\nexpect-screen person\n"
     "tap \"Start\"\n" PHOTO FINGERS(
         31, 32) "=3\nexpect-screen person\ntap \"Start\"\n" PHOTO FINGERS(41, 42) SIGN FINISH},
};

/* What the figures are grouped by: the step's command (and the camera's wait). */
enum { L_TAP, L_READY, L_FRAME, L_ANALYSIS, L_RESULT, L_FINGER, L_STAFF, L_MODELS, L_COUNT };
static const char *const label_text[L_COUNT] = {
    "tap to next screen ready",       "camera ready on the step",
    "live view: first frame",         "live view: first analysis",
    "photo: countdown end to result", "fingerprint read",
    "officer's sign-in (PIN check)",  "face models loaded"};

/* The step's group; -1: not the machine's time (checks of what is shown, which take no time of
 * their own); -2: the countdown's `wait` (the kiosk's clock; the real time it takes, drawing the
 * countdown and starting the capture, goes to the next step, the photo's result). */
static int step_label(const char *line)
{
    static const char *const prefix[] = {"camera-wait ready", "camera-wait frame",
                                         "camera-wait analysis", "camera-wait result", "finger "};
    for (int i = 0; i < (int)G_N_ELEMENTS(prefix); i++)
        if (g_str_has_prefix(line, prefix[i]))
            return L_READY + i;
    if (g_str_has_prefix(line, "camera-wait models"))
        return L_MODELS;
    if (g_str_has_prefix(line, "staff "))
        return L_STAFF;
    if (g_str_has_prefix(line, "wait "))
        return -2;
    if (g_str_has_prefix(line, "tap") || g_str_has_prefix(line, "key") ||
        g_str_has_prefix(line, "type") || g_str_has_prefix(line, "stroke"))
        return L_TAP;
    return -1;
}

#define MAX_RUNS 16
typedef struct figures {
    double ms[L_COUNT][MAX_STEP]; /* every timed step of every run, per group */
    int n[L_COUNT];
    double worst_tap; /* and which tap it was */
    char worst_tap_line[64];
    /* per run: the machine's time (the officer's sign-in and the device's part apart), per
     * person (0: the visit's own) and in all; the device's part (the camera's capture and
     * download); the kiosk's CPU time */
    double person[MAX_RUNS][4];
    double device[MAX_RUNS][4];
    double cpu[MAX_RUNS];
    double camera_cpu[MAX_RUNS];
    double peak_mb[MAX_RUNS]; /* the kiosk's peak resident memory (VmHWM) by the visit's end */
    int runs;
} figures;

/* The kiosk-wide figures: start-up, models. */
typedef struct startup {
    double welcome[64], models[64];
    int n_welcome, n_models;
} startup;

/* user + system CPU time of a process so far (ms; 0 when unreadable). */
static double cpu_ms(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    const char *p = strrchr(text, ')'); /* after the command's name */
    unsigned long long ut = 0, st = 0;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* The camera's part of each photo's wait, in order, from the kiosk's log (photo_pump.c). */
static int device_times(const char *log, double *ms, int max)
{
    int n = 0;
    const char *key = "the camera delivered the photo in ";
    for (const char *at = log; at != NULL && n < max && (at = strstr(at, key)) != NULL;) {
        at += strlen(key);
        ms[n++] = g_ascii_strtod(at, NULL);
    }
    return n;
}

typedef struct step {
    char *line;
    int person;
} step;

/* Plays the script once (a `memory` line after every line) and adds its figures. */
static bool play(const char *bin, const char *conf, const char *dir, const char *now,
                 const char *body, bool camera, GPid camera_pid, figures *f, startup *su)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    GString *s = g_string_new("memory\n");
    GArray *steps = g_array_new(FALSE, FALSE, sizeof(step));
    if (camera) /* the kiosk ready for the first applicant: its face models loaded */
        g_array_append_val(steps, ((step){"camera-wait models 300", -1}));
    int person = 0;
    for (int i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == '=')
            person = atoi(lines[i] + 1);
        else if (lines[i][0] != '\0')
            g_array_append_val(steps, ((step){lines[i], person}));
    }
    for (guint i = 0; i < steps->len; i++)
        g_string_append_printf(s, "%s\nmemory\n", g_array_index(steps, step, i).line);
    g_autofree char *path = g_build_filename(dir, "visit.txt", NULL);
    g_file_set_contents(path, s->str, -1, NULL);
    g_string_free(s, TRUE);
    const char *const argv[] = {bin, "--config", conf, "--now", now, "--script", path, NULL};
    GPid pid;
    int out_fd = -1;
    GError *error = NULL;
    g_autofree char *err_path = g_build_filename(dir, "kiosk.err", NULL);
    int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    double cam0 = cpu_ms(camera_pid);
    gint64 spawned = g_get_monotonic_time();
    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                          -1, -1, err_fd, NULL, NULL, 0, &pid, NULL, &out_fd, NULL,
                                          &error)) {
        fprintf(stderr, "bench-visit: %s\n", error->message);
        close(err_fd);
        g_array_free(steps, TRUE);
        return false;
    }
    close(err_fd);
    FILE *out = fdopen(out_fd, "r");
    char buf[512];
    gint64 last = -1;
    int last_line = 0;
    double carry = 0, cpu_last = 0, cpu = 0, run[4] = {0};
    int result_person[8], n_results = 0;
    long peak_kb = -1;
    while (fgets(buf, sizeof buf, out) != NULL) {
        int line = 0;
        if (sscanf(buf, "memory: line=%d", &line) != 1)
            continue;
        const char *pk = strstr(buf, "peak_rss_kb=");
        if (pk != NULL)
            peak_kb = MAX(peak_kb, strtol(pk + strlen("peak_rss_kb="), NULL, 10));
        gint64 t = g_get_monotonic_time();
        double c = cpu_ms(pid);
        if (line == 1 && su->n_welcome < (int)G_N_ELEMENTS(su->welcome))
            su->welcome[su->n_welcome++] = (double)(t - spawned) / 1000.0;
        /* memory on line 2k + 1 follows step k (from 1) on line 2k */
        int k = (line - 1) / 2;
        if (last >= 0 && line == last_line + 2 && k >= 1 && k <= (int)steps->len) {
            const step *st = &g_array_index(steps, step, k - 1);
            int l = step_label(st->line);
            double ms = (double)(t - last) / 1000.0 + carry;
            carry = 0;
            if (l == -2)
                carry = ms;
            if (l == L_MODELS && su->n_models < (int)G_N_ELEMENTS(su->models))
                su->models[su->n_models++] = (double)(t - spawned) / 1000.0;
            if (l >= 0 && l != L_MODELS && f->n[l] < MAX_STEP) {
                f->ms[l][f->n[l]++] = ms;
                if (l != L_STAFF && st->person >= 0) {
                    run[MIN(st->person, 3)] += ms;
                    cpu += c - cpu_last;
                }
            }
            if (l == L_RESULT && n_results < (int)G_N_ELEMENTS(result_person))
                result_person[n_results++] = st->person;
            if (l == L_TAP && ms > f->worst_tap) {
                f->worst_tap = ms;
                g_strlcpy(f->worst_tap_line, st->line, sizeof f->worst_tap_line);
            }
        }
        last = t;
        last_line = line;
        cpu_last = c;
    }
    fclose(out);
    g_array_free(steps, TRUE);
    int status = 0;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    g_autofree char *err = NULL;
    g_file_get_contents(err_path, &err, NULL, NULL);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const char *tail = err != NULL && strlen(err) > 2000 ? err + strlen(err) - 2000 : err;
        fprintf(stderr, "bench-visit: the kiosk stopped in the visit (status %d): ...%s\n", status,
                tail != NULL ? tail : "");
        return false;
    }
    if (f->runs >= MAX_RUNS)
        return true;
    /* the camera's capture and download: the device's time, taken out of the machine's */
    double dev[8];
    int n_dev = device_times(err != NULL ? err : "", dev, n_results);
    for (int i = 0; i < n_dev; i++) {
        int p = MIN(result_person[i], 3);
        f->device[f->runs][p] += dev[i];
        run[p] -= dev[i];
    }
    memcpy(f->person[f->runs], run, sizeof run);
    f->cpu[f->runs] = cpu;
    f->camera_cpu[f->runs] = cpu_ms(camera_pid) - cam0;
    f->peak_mb[f->runs] = (double)peak_kb / 1024.0;
    f->runs++;
    return true;
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp);
    return n > 0 ? (v[(n - 1) / 2] + v[n / 2]) / 2 : 0;
}

static void print_row(const char *what, double *v, int n)
{
    if (n == 0) {
        printf("    %-31s none\n", what);
        return;
    }
    qsort(v, (size_t)n, sizeof v[0], cmp);
    printf("    %-31s median %7.1f ms, worst %7.1f ms (%d)\n", what,
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

/* The script's `finger synthetic:N` as image files made beforehand by the emulator's
 * biokiosk-fingersynth (BIOKIOSK_FINGERSYNTH), so that making a synthetic print (the emulated
 * finger, not the kiosk) is not in the reader's time; as it is without the program (said so). */
static char *fingers_made(const char *body, const char *dir)
{
    static const char *const pattern[] = {"arch", "left-loop", "right-loop", "whorl"};
    const char *tool = g_getenv("BIOKIOSK_FINGERSYNTH");
    if (tool == NULL)
        return g_strdup(body);
    GString *out = g_string_new(NULL);
    const char *key = "synthetic:";
    const char *at = body, *hit;
    while ((hit = strstr(at, key)) != NULL) {
        g_string_append_len(out, at, hit - at);
        char *end = NULL;
        unsigned long n = strtoul(hit + strlen(key), &end, 10);
        g_autofree char *png = g_strdup_printf("%s/finger-%lu.png", dir, n);
        g_autofree char *seed = g_strdup_printf("%lu", n);
        if (!g_file_test(png, G_FILE_TEST_EXISTS))
            g_free(cli(tool, NULL, (const char *const[]){seed, pattern[n % 4], png, NULL}));
        g_string_append(out, png);
        at = end;
    }
    g_string_append(out, at);
    return g_string_free(out, FALSE);
}

static void print_load(const char *when)
{
    g_autofree char *load = NULL;
    if (g_file_get_contents("/proc/loadavg", &load, NULL, NULL))
        printf("machine load (%s): %s", when, load);
}

static void print_kind(const visit_kind *v, figures *f)
{
    printf("  %s (%d applicant(s)), %d run(s):\n", v->what, v->applicants, f->runs);
    for (int l = 0; l < L_MODELS; l++)
        print_row(label_text[l], f->ms[l], f->n[l]);
    printf("    the slowest tap: %s\n", f->worst_tap_line);
    if (f->runs == 0)
        return;
    double per[MAX_RUNS], dev[MAX_RUNS], cpu[MAX_RUNS], cam[MAX_RUNS], peak[MAX_RUNS];
    for (int r = 0; r < f->runs; r++) {
        double t = 0, d = 0;
        for (int p = 0; p < 4; p++)
            t += f->person[r][p], d += f->device[r][p];
        per[r] = t / v->applicants / 1000.0;
        dev[r] = d / v->applicants / 1000.0;
        cpu[r] = f->cpu[r] / v->applicants / 1000.0;
        cam[r] = f->camera_cpu[r] / v->applicants / 1000.0;
        peak[r] = f->peak_mb[r];
    }
    double m = median_of(per, f->runs), w = per[f->runs - 1];
    printf("    MACHINE'S TIME PER APPLICANT (the officer's sign-in and the camera's part apart): "
           "median %.2f s, worst %.2f s (goal: under 2 s)\n",
           m, w);
    m = median_of(dev, f->runs);
    printf("    device's time per applicant (the emulated camera's capture and download): median "
           "%.2f s, worst %.2f s\n",
           m, dev[f->runs - 1]);
    m = median_of(cpu, f->runs);
    printf("    the kiosk's CPU time per applicant in those steps: median %.2f s, worst %.2f s; "
           "the camera emulator's: median %.2f s\n",
           m, cpu[f->runs - 1], median_of(cam, f->runs));
    m = median_of(peak, f->runs);
    printf("    KIOSK'S PEAK RESIDENT MEMORY from its start to the visit's end (VmHWM; with the "
           "photo step the face landmark model is in it): median %.0f MB, worst %.0f MB (goal: "
           "at most 250 MB)\n",
           m, peak[f->runs - 1]);
    if (v->applicants < 2)
        return;
    for (int p = 1; p <= v->applicants && p < 4; p++) {
        double own[MAX_RUNS];
        for (int r = 0; r < f->runs; r++) /* the visit's own steps shared evenly */
            own[r] = (f->person[r][p] + f->person[r][0] / v->applicants) / 1000.0;
        double om = median_of(own, f->runs);
        printf("      %-20s machine's time (own steps + a share of the visit's): median %.2f s, "
               "worst %.2f s\n",
               v->names[p - 1], om, own[f->runs - 1]);
    }
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
    printf("The machine's time in the demo's visits (offscreen 1920x1080, %d run(s) each, each "
           "run a freshly started kiosk that is ready (face models loaded) before the visit; "
           "the applicant's own time not counted; fingerprints %s):\n",
           RUNS,
           g_getenv("BIOKIOSK_FINGERSYNTH") ? "from image files made beforehand"
                                            : "synthesised by the test hook (counted)");
    print_load("start");
    int rc = 0;
    startup su = {0};
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        const visit_kind *v = &kinds[k];
        char code[12], now[26];
        if ((v->needs_camera && camera == NULL) || !find_visit(list, v->what, code, now))
            continue;
        g_auto(GStrv) parts = g_strsplit(v->script, "@CODE@", -1);
        g_autofree char *joined = g_strjoinv(code, parts);
        g_autofree char *body = fingers_made(joined, dir);
        figures *f = g_new0(figures, 1);
        for (int r = 0; r < RUNS; r++) {
            /* each run on a fresh store: the visit completes its appointment; a run that stops
             * is said (and fails the benchmark) but the others are still measured */
            fresh_store(argv[1], dir);
            if (!play(argv[1], conf, dir, now, body, camera != NULL, cam.pid, f, &su))
                rc = 1;
        }
        print_kind(v, f);
        g_free(f);
    }
    printf("  the kiosk's start (each run):\n");
    print_row("start to the welcome screen", su.welcome, su.n_welcome);
    print_row("start to face models loaded", su.models, su.n_models);
    print_load("end");
    uicamera_stop(&cam);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
