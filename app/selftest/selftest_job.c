/* The self-test as an asynchronous run (selftest_job.h): the technician screen's worker. */
#include "selftest/selftest_job.h"

#include <string.h>

#include <glib.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "biokiosk-technician"

/* A kiosk that has just started may still be opening a device: its status line is awaited this
 * long for "... ready". */
#define SETTLE_MS 10000

struct selftest_job {
    selftest_job_settings set;
    GThread *thread;
    int cancel; /* atomic */

    GMutex lock; /* guards what follows, shared with the worker */
    selftest_report reps[SELFTEST_GROUP_COUNT_];
    selftest_state states[SELFTEST_GROUP_COUNT_];
    selftest_source sources[SELFTEST_GROUP_COUNT_];
    char *prompt;
    char *last_prompt;
    bool running;
};

static const char *const held_hands_on =
    "not possible here: the kiosk holds the device; use a test visit, or stop the kiosk and run "
    "`biokiosk selftest --interactive`";

static void wake(selftest_job *job)
{
    if (job->set.wake)
        job->set.wake(job->set.wake_data);
}

static void on_prompt(void *data, const char *text)
{
    selftest_job *job = data;
    if (text)
        g_message("prompt shown: %s", text);
    g_mutex_lock(&job->lock);
    g_free(job->prompt);
    job->prompt = g_strdup(text);
    if (text) {
        g_free(job->last_prompt);
        job->last_prompt = g_strdup(text);
    }
    g_mutex_unlock(&job->lock);
    wake(job);
}

/* Shows what a group has so far (the rest follows as it is made). */
static void publish(selftest_job *job, selftest_group g, selftest_report *local)
{
    g_mutex_lock(&job->lock);
    selftest_report_move(&job->reps[g], local);
    g_mutex_unlock(&job->lock);
    wake(job);
}

static bool held_line(const selftest_held *h, char *buf, size_t size)
{
    if (h->status == NULL)
        return false;
    buf[0] = '\0';
    h->status(h->data, buf, size);
    return true;
}

/* The status line of a service that holds its device, once it reads "... ready" or after
 * SETTLE_MS. */
static void settled_line(selftest_job *job, const selftest_held *h, char *buf, size_t size)
{
    gint64 end = g_get_monotonic_time() + (gint64)SETTLE_MS * 1000;
    while (held_line(h, buf, size) && !g_str_has_suffix(buf, "ready") &&
           g_get_monotonic_time() < end && !g_atomic_int_get(&job->cancel))
        g_usleep(100000);
}

static void add_kiosk(selftest_report *r, const char *name, selftest_status st, const char *action,
                      const char *value)
{
    selftest_report_add(r, name, st, action, value);
    g_message("check %s: %s (from the kiosk)", name, selftest_status_name(st));
}

static void kiosk_camera(selftest_report *r, const char *line)
{
    bool ready = g_str_has_suffix(line, "ready");
    bool starting = g_str_has_suffix(line, "starting");
    add_kiosk(r, "camera.found", ready ? SELFTEST_PASS : SELFTEST_FAIL,
              starting ? "The kiosk is still opening the camera: wait a minute and run the "
                         "checks again."
                       : "Switch the camera on, check its cable (or network), and that [camera] "
                         "model and port in the configuration name it.",
              line);
}

static void kiosk_finger(selftest_report *r, const char *line)
{
    bool ready = g_str_has_suffix(line, "ready");
    add_kiosk(r, "fingerprint.found", ready ? SELFTEST_PASS : SELFTEST_FAIL,
              "Plug the fingerprint reader in (a USB port on the computer itself, not a hub); "
              "the kiosk opens it again by itself.",
              line);
    add_kiosk(r, "fingerprint.open_close", SELFTEST_SKIP, NULL,
              ready ? "not run here: the kiosk's fingerprint module has the reader open"
                    : "Skipped: no reader.");
}

/* The checks a capture service makes with the device it holds, in the self-test's order. */
static const char *const camera_module_checks[] = {"camera.live_view", "camera.frames_decode",
                                                   "camera.face_detection", "camera.capture", NULL};
static const char *const finger_module_checks[] = {"fingerprint.capture", NULL};

typedef struct module_run {
    selftest_job *job;
    selftest_group g;
    const char *from; /* the log line's ending */
} module_run;

/* A service's result, shown at once (on the worker). */
static void on_module_result(void *data, const capture_check_result *res)
{
    module_run *mr = data;
    static const selftest_status map[] = {
        [CAPTURE_CHECK_PASS] = SELFTEST_PASS,
        [CAPTURE_CHECK_FAIL] = SELFTEST_FAIL,
        [CAPTURE_CHECK_SKIP] = SELFTEST_SKIP,
    };
    selftest_status st = map[res->status];
    g_mutex_lock(&mr->job->lock);
    selftest_check *c = selftest_report_add(&mr->job->reps[mr->g], res->name, st, res->action,
                                            res->value ? res->value : "");
    if (res->has_number) {
        c->has_number = true;
        c->number = res->number;
        c->unit = res->unit;
    }
    c->duration_ms = res->duration_ms;
    g_mutex_unlock(&mr->job->lock);
    /* the measured number too: the tests read it (never anything of a person) */
    if (res->has_number)
        g_message("check %s: %s%s %.2f %s", res->name, selftest_status_name(st), mr->from,
                  res->number, res->unit ? res->unit : "");
    else
        g_message("check %s: %s%s", res->name, selftest_status_name(st), mr->from);
    wake(mr->job);
}

static void on_module_prompt(void *data, const char *text)
{
    module_run *mr = data;
    on_prompt(mr->job, text);
}

static bk_err run_held_check(selftest_job *job, selftest_group g, const selftest_held *h,
                             const char *from)
{
    if (h->check == NULL)
        return BK_ERR_UNAVAILABLE;
    module_run mr = {job, g, from};
    capture_check_run run = {
        .hands_on = job->set.interactive,
        .result = on_module_result,
        .prompt = on_module_prompt,
        .data = &mr,
        .cancel = &job->cancel,
    };
    return h->check(h->data, &run);
}

/* The rest of a group whose device the kiosk's service holds: through the service's own check,
 * never a second handle. A service without one leaves these steps undone and says so. */
static void module_checks(selftest_job *job, selftest_group g, const selftest_held *h, bool ready)
{
    bool camera = g == SELFTEST_GROUP_CAMERA;
    const char *const *names = camera ? camera_module_checks : finger_module_checks;
    bk_err err =
        ready ? run_held_check(job, g, h, " (from the kiosk's module)") : BK_ERR_UNAVAILABLE;
    if (err == BK_OK)
        return;
    const char *why;
    if (!ready)
        why = camera ? "Skipped: no camera." : "Skipped: no reader.";
    else if (err == BK_ERR_BUSY)
        why = "not possible now: the kiosk's capture step is using the device";
    else
        why = camera ? "not run here: the kiosk's photo module holds the camera and cannot run "
                       "these checks with it"
                     : "not run here: the kiosk's fingerprint module holds the reader and cannot "
                       "run this check with it";
    selftest_report local = {0};
    for (const char *const *n = names; *n; n++) {
        bool hands_on = g_str_has_suffix(*n, ".capture");
        const char *value = why;
        if (hands_on && !job->set.interactive && ready)
            value = "Only with the hands-on steps.";
        else if (hands_on && err == BK_ERR_UNAVAILABLE && ready)
            value = held_hands_on;
        add_kiosk(&local, *n, SELFTEST_SKIP, NULL, value);
    }
    publish(job, g, &local);
}

/* A device group: from the holding service, or the self-test's own check. */
static void run_device(selftest_job *job, selftest_group g, const selftest_options *opt,
                       selftest_report *local)
{
    const selftest_held *h = g == SELFTEST_GROUP_CAMERA ? &job->set.camera : &job->set.finger;
    if (job->sources[g] != SELFTEST_SOURCE_KIOSK) {
        if (g == SELFTEST_GROUP_CAMERA)
            selftest_camera(opt, local);
        else
            selftest_fingerprint(opt, local);
        return;
    }
    char line[160] = "";
    settled_line(job, h, line, sizeof line);
    if (g == SELFTEST_GROUP_CAMERA)
        kiosk_camera(local, line);
    else
        kiosk_finger(local, line);
    publish(job, g, local);
    module_checks(job, g, h, g_str_has_suffix(line, "ready"));
}

/* The pad: the signature service's check reports from the pad it holds at the step, or opens the
 * pad itself; without a service, the self-test's own check. */
static void run_sigpad(selftest_job *job, const selftest_options *opt, selftest_report *local)
{
    bool kiosk = job->sources[SELFTEST_GROUP_SIGPAD] == SELFTEST_SOURCE_KIOSK;
    bk_err err = run_held_check(job, SELFTEST_GROUP_SIGPAD, &job->set.sigpad,
                                kiosk ? " (from the kiosk)" : "");
    if (err == BK_ERR_UNAVAILABLE)
        selftest_sigpad(opt, local);
    else if (err != BK_OK)
        add_kiosk(local, "sigpad.found", SELFTEST_SKIP, NULL,
                  "not possible now: the kiosk's signature step is using the pad");
}

static void run_group(selftest_job *job, selftest_group g, const selftest_options *opt,
                      selftest_report *local)
{
    switch (g) {
    case SELFTEST_GROUP_CAMERA:
    case SELFTEST_GROUP_FINGER:
        run_device(job, g, opt, local);
        break;
    case SELFTEST_GROUP_SIGPAD:
        run_sigpad(job, opt, local);
        break;
    case SELFTEST_GROUP_STORE:
        selftest_store(opt, local);
        break;
    case SELFTEST_GROUP_FILES:
        selftest_files(opt, local);
        selftest_outbox_delivery(opt, local); /* -- delivery */
        selftest_record(opt, local);
        break;
    case SELFTEST_GROUP_CLOCK:
        selftest_clock(opt, local);
        break;
    case SELFTEST_GROUP_DISPLAY:
    case SELFTEST_GROUP_COUNT_:
        break;
    }
}

static gpointer worker(gpointer data)
{
    selftest_job *job = data;
    selftest_options opt = {
        .cfg = job->set.cfg,
        .interactive = job->set.interactive,
        .prompt = on_prompt,
        .prompt_data = job,
        .cancel = &job->cancel,
        .now = job->set.now,
    };
    for (int g = 0; g < SELFTEST_GROUP_COUNT_; g++) {
        /* the screen's checks were made on the main thread */
        if (g == SELFTEST_GROUP_DISPLAY)
            continue;
        g_mutex_lock(&job->lock);
        job->states[g] = SELFTEST_STATE_RUNNING;
        g_mutex_unlock(&job->lock);
        wake(job);
        selftest_report local = {0};
        run_group(job, (selftest_group)g, &opt, &local);
        for (size_t i = 0; i < local.n && job->sources[g] == SELFTEST_SOURCE_DIRECT; i++)
            g_message("check %s: %s", local.checks[i].name,
                      selftest_status_name(local.checks[i].status));
        g_mutex_lock(&job->lock);
        selftest_report_move(&job->reps[g], &local);
        job->states[g] = SELFTEST_STATE_DONE;
        g_mutex_unlock(&job->lock);
        wake(job);
    }
    g_mutex_lock(&job->lock);
    job->running = false;
    g_clear_pointer(&job->prompt, g_free);
    g_mutex_unlock(&job->lock);
    wake(job);
    return NULL;
}

selftest_job *selftest_job_start(const selftest_job_settings *settings, selftest_report *display)
{
    selftest_job *job = g_new0(selftest_job, 1);
    job->set = *settings;
    g_mutex_init(&job->lock);
    if (job->set.camera.status)
        job->sources[SELFTEST_GROUP_CAMERA] = SELFTEST_SOURCE_KIOSK;
    if (job->set.finger.status)
        job->sources[SELFTEST_GROUP_FINGER] = SELFTEST_SOURCE_KIOSK;
    /* the signature service opens the pad only at its step: while it has it open, its line */
    char line[160];
    if (held_line(&job->set.sigpad, line, sizeof line) && g_str_has_prefix(line, "signature: pad "))
        job->sources[SELFTEST_GROUP_SIGPAD] = SELFTEST_SOURCE_KIOSK;
    job->sources[SELFTEST_GROUP_DISPLAY] = SELFTEST_SOURCE_KIOSK;
    selftest_report_move(&job->reps[SELFTEST_GROUP_DISPLAY], display);
    job->states[SELFTEST_GROUP_DISPLAY] = SELFTEST_STATE_DONE;
    job->running = true;
    job->thread = g_thread_new("technician-checks", worker, job);
    return job;
}

void selftest_job_cancel(selftest_job *job)
{
    g_atomic_int_set(&job->cancel, 1);
}

bool selftest_job_running(selftest_job *job)
{
    g_mutex_lock(&job->lock);
    bool r = job->running;
    g_mutex_unlock(&job->lock);
    return r;
}

/* A deep copy of a report. */
static void report_copy(selftest_report *to, const selftest_report *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const selftest_check *c = &from->checks[i];
        selftest_check *d = selftest_report_add(to, c->name, c->status, c->action, c->value);
        d->has_number = c->has_number;
        d->number = c->number;
        d->unit = c->unit;
        d->duration_ms = c->duration_ms;
    }
}

void selftest_job_snapshot(selftest_job *job, selftest_job_view *view)
{
    selftest_job_view_clear(view);
    g_mutex_lock(&job->lock);
    for (int g = 0; g < SELFTEST_GROUP_COUNT_; g++) {
        report_copy(&view->reps[g], &job->reps[g]);
        view->states[g] = job->states[g];
        view->sources[g] = job->sources[g];
    }
    view->prompt = g_strdup(job->prompt);
    view->last_prompt = g_strdup(job->last_prompt);
    view->running = job->running;
    g_mutex_unlock(&job->lock);
}

void selftest_job_view_clear(selftest_job_view *view)
{
    for (int g = 0; g < SELFTEST_GROUP_COUNT_; g++)
        selftest_report_clear(&view->reps[g]);
    g_free(view->prompt);
    g_free(view->last_prompt);
    memset(view, 0, sizeof *view);
}

void selftest_job_view_count(const selftest_job_view *view, size_t *pass, size_t *fail,
                             size_t *skip)
{
    *pass = *fail = *skip = 0;
    for (int g = 0; g < SELFTEST_GROUP_COUNT_; g++) {
        *pass += selftest_count(&view->reps[g], SELFTEST_PASS);
        *fail += selftest_count(&view->reps[g], SELFTEST_FAIL);
        *skip += selftest_count(&view->reps[g], SELFTEST_SKIP);
    }
}

void selftest_job_free(selftest_job *job)
{
    if (job == NULL)
        return;
    g_atomic_int_set(&job->cancel, 1);
    g_thread_join(job->thread);
    for (int g = 0; g < SELFTEST_GROUP_COUNT_; g++)
        selftest_report_clear(&job->reps[g]);
    g_free(job->prompt);
    g_free(job->last_prompt);
    g_mutex_clear(&job->lock);
    g_free(job);
}
