/* The libgphoto2 backend of camera.h. */
#include "drivers/camera/camera.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <gphoto2/gphoto2.h>

#include "core/biomem.h"
#include "imaging/picio.h"

#define MAX_WAITING_FRAMES 2

typedef enum command {
    CMD_LIVE_ON = 1,
    CMD_LIVE_OFF,
    CMD_CAPTURE,
    CMD_QUIT,
} command;

struct camera {
    char *model, *port;
    int capture_timeout_ms, frame_timeout_ms, open_retry_ms, busy_retries;
    int ptpip_ports[2]; /* command and event port when the port is PTP/IP, else 0 */
    GThread *worker;
    gpointer worker_self; /* atomic: the worker thread, set by itself */
    GThread *watchdog;
    GAsyncQueue *commands; /* GINT_TO_POINTER(command) */
    GAsyncQueue *events;   /* camera_event * */
    GMutex lock;           /* guards the fields marked (locked) */
    GCond cond;
    gint64 deadline;     /* (locked) monotonic us; 0 = no call under way */
    bool overran;        /* (locked) the call under way passed its deadline */
    bool busy_seen;      /* (locked) libgphoto2 logged DeviceBusy during this call */
    bool refused_seen;   /* (locked) the camera refused the connection (held elsewhere) */
    bool quit;           /* (locked) */
    gint waiting_frames; /* atomic */
    int log_id;
    /* the worker's own */
    GPContext *ctx;
    Camera *gp;
    bool live;
    bool was_open;
    camera_problem last_problem; /* not repeated while it lasts */
    uint64_t seq;
};

static const char *const problem_names[CAMERA_PROBLEM_COUNT_] = {
    "none", "not-found", "claimed", "busy", "capture-timeout", "lost", "corrupt",
};

static const char *const problem_messages[CAMERA_PROBLEM_COUNT_] = {
    "",
    "No camera found: check that the camera is switched on and connected.",
    "The camera is in use by another program: close that program, or switch the camera off and "
    "on.",
    "The camera stayed busy: wait a moment and take the photo again.",
    "The camera did not deliver the photo in time: take it again; if this repeats, switch the "
    "camera off and on.",
    "The connection to the camera was lost: reconnecting automatically. Check the cable or "
    "network if this stays.",
    "The photo from the camera was damaged or incomplete: take it again.",
};

const char *camera_problem_message(camera_problem p)
{
    return (int)p >= 0 && p < CAMERA_PROBLEM_COUNT_ ? problem_messages[p] : "";
}

const char *camera_problem_name(camera_problem p)
{
    return (int)p >= 0 && p < CAMERA_PROBLEM_COUNT_ ? problem_names[p] : "unknown";
}

void camera_event_free(camera_event *ev)
{
    if (ev == NULL)
        return;
    biomem_free(ev->data);
    g_free(ev);
}

static void emit(camera *cam, camera_event *ev)
{
    if (ev->kind == CAMERA_EVENT_FRAME)
        g_atomic_int_inc(&cam->waiting_frames);
    g_async_queue_push(cam->events, ev);
}

static void emit_problem(camera *cam, camera_problem p, bk_err err)
{
    camera_event *ev = g_new0(camera_event, 1);
    ev->kind = CAMERA_EVENT_PROBLEM;
    ev->problem = p;
    ev->err = err;
    ev->text = camera_problem_message(p);
    g_message("camera: problem %s (%s)", camera_problem_name(p), bk_err_str(err));
    emit(cam, ev);
}

bool camera_next_event(camera *cam, int timeout_ms, camera_event **out)
{
    camera_event *ev = timeout_ms > 0
                           ? g_async_queue_timeout_pop(cam->events, (guint64)timeout_ms * 1000)
                           : g_async_queue_try_pop(cam->events);
    if (ev == NULL)
        return false;
    if (ev->kind == CAMERA_EVENT_FRAME)
        g_atomic_int_dec_and_test(&cam->waiting_frames);
    *out = ev;
    return true;
}

/* --- deadlines: a libgphoto2 call that overruns is broken off --- */

/* Shuts the process's TCP connections to the camera's PTP/IP ports, which makes libgphoto2's
 * pending read or wait fail at once. libgphoto2 keeps its sockets to itself; they are found by
 * their peer port. USB calls end by libgphoto2's own port timeout instead. */
static void break_connection(camera *cam)
{
    if (cam->ptpip_ports[0] == 0)
        return;
    for (int fd = 0; fd < 4096; fd++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof(peer);
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_family != AF_INET)
            continue;
        int port = ntohs(peer.sin_port);
        if (port == cam->ptpip_ports[0] || port == cam->ptpip_ports[1]) {
            g_debug("camera: breaking off connection %d", fd);
            shutdown(fd, SHUT_RDWR);
        }
    }
}

static gpointer watchdog_run(gpointer data)
{
    camera *cam = data;
    g_mutex_lock(&cam->lock);
    while (!cam->quit) {
        gint64 now = g_get_monotonic_time();
        if (cam->deadline != 0 && !cam->overran && (now > cam->deadline || cam->busy_seen)) {
            cam->overran = true;
            break_connection(cam);
        }
        g_cond_wait_until(&cam->cond, &cam->lock, now + 50 * 1000);
    }
    g_mutex_unlock(&cam->lock);
    return NULL;
}

static void deadline_start(camera *cam, int ms)
{
    g_mutex_lock(&cam->lock);
    cam->deadline = g_get_monotonic_time() + (gint64)ms * 1000;
    cam->overran = false;
    cam->busy_seen = false;
    g_mutex_unlock(&cam->lock);
}

/* Ends the deadline; true when the call overran it (or was broken off for busy). */
static bool deadline_end(camera *cam, bool *busy)
{
    g_mutex_lock(&cam->lock);
    bool overran = cam->overran;
    if (busy)
        *busy = cam->busy_seen;
    cam->deadline = 0;
    cam->overran = false;
    cam->busy_seen = false;
    g_mutex_unlock(&cam->lock);
    return overran;
}

/* libgphoto2 reports DeviceBusy and a refused PTP/IP connection only in its log (its capture
 * then waits for an event that never comes, and the open returns a bare error). */
static void gp_log_watch(GPLogLevel level, const char *domain, const char *text, void *data)
{
    camera *cam = data;
    if (text == NULL || g_thread_self() != g_atomic_pointer_get(&cam->worker_self))
        return;
    bool busy = strstr(text, "Device Busy") != NULL || strstr(text, "(0x2019)") != NULL;
    bool refused = strstr(text, "bad type returned 5") != NULL ||
                   strstr(text, "Access Denied") != NULL || strstr(text, "access denied") != NULL;
    if (!busy && !refused)
        return;
    g_mutex_lock(&cam->lock);
    if (busy && cam->deadline != 0)
        cam->busy_seen = true;
    if (refused)
        cam->refused_seen = true;
    g_cond_signal(&cam->cond);
    g_mutex_unlock(&cam->lock);
}

/* --- open and close --- */

/* libgphoto2 2.5.30 closes its PTP/IP socket numbers more than once when a connection ends
 * badly, and closes fd 0 when the socket was never made. Keeping 0-2 open (on /dev/null) stops
 * the next sockets from landing there, where stray closes and stdio would hit them. */
static void guard_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1) {
            int nul = open("/dev/null", O_RDWR);
            if (nul >= 0 && nul != fd) {
                dup2(nul, fd);
                close(nul);
            }
        }
}

static void close_camera(camera *cam)
{
    if (cam->gp == NULL)
        return;
    gp_camera_exit(cam->gp, cam->ctx);
    gp_camera_free(cam->gp);
    cam->gp = NULL;
    guard_standard_fds();
}

static int find_widget_choice(CameraWidget *w, bool (*better)(const char *, const char *),
                              const char **best)
{
    int n = gp_widget_count_choices(w);
    *best = NULL;
    for (int i = 0; i < n; i++) {
        const char *c = NULL;
        if (gp_widget_get_choice(w, i, &c) == GP_OK && c != NULL && better(c, *best))
            *best = c;
    }
    return *best ? GP_OK : GP_ERROR;
}

static bool larger_size(const char *c, const char *best)
{
    int w, h, bw = 0, bh = 0;
    if (sscanf(c, "%dx%d", &w, &h) != 2)
        return false;
    if (best != NULL && sscanf(best, "%dx%d", &bw, &bh) != 2)
        return true;
    return (long)w * h > (long)bw * bh;
}

/* JPEG only (no raw), the finest offered. */
static int jpeg_rank(const char *c)
{
    if (c == NULL || strstr(c, "JPEG") == NULL || strstr(c, "RAW") != NULL ||
        strstr(c, "NEF") != NULL || strstr(c, "+") != NULL)
        return -1;
    if (strstr(c, "Fine") || strstr(c, "fine"))
        return 3;
    if (strstr(c, "Normal") || strstr(c, "normal"))
        return 2;
    return 1;
}

static bool better_jpeg(const char *c, const char *best)
{
    return jpeg_rank(c) > jpeg_rank(best);
}

/* The camera's own settings where they matter for the photo: JPEG (not raw) at its finest and
 * the largest image size, when the camera offers them. Failures here are not fatal. */
static void apply_settings(camera *cam)
{
    static const struct {
        const char *name;
        bool (*better)(const char *, const char *);
    } wanted[] = {
        {"imagequality", better_jpeg}, {"imageformat", better_jpeg}, {"imagesize", larger_size}};
    for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++) {
        CameraWidget *w = NULL;
        if (gp_camera_get_single_config(cam->gp, wanted[i].name, &w, cam->ctx) != GP_OK)
            continue;
        const char *best = NULL, *cur = NULL;
        if (find_widget_choice(w, wanted[i].better, &best) == GP_OK &&
            gp_widget_get_value(w, &cur) == GP_OK && (cur == NULL || strcmp(cur, best) != 0)) {
            int r = gp_widget_set_value(w, best);
            if (r == GP_OK)
                r = gp_camera_set_single_config(cam->gp, wanted[i].name, w, cam->ctx);
            if (r == GP_OK)
                g_message("camera: %s set to %s", wanted[i].name, best);
            else
                g_message("camera: cannot set %s: %s", wanted[i].name, gp_result_as_string(r));
        }
        gp_widget_free(w);
    }
}

/* The camera's serial number as libgphoto2 reads it from the camera (PTP: DeviceInfo's
 * SerialNumber, shown in the summary as "Serial Number: ..."); "" when it does not say. Only
 * [A-Za-z0-9._-] are kept: the number goes into records. */
static void read_serial(camera *cam, char *out, size_t size)
{
    out[0] = '\0';
    CameraText summary;
    if (gp_camera_get_summary(cam->gp, &summary, cam->ctx) != GP_OK)
        return;
    summary.text[sizeof(summary.text) - 1] = '\0';
    const char *at = strstr(summary.text, "Serial Number:");
    if (at == NULL)
        return;
    at += strlen("Serial Number:");
    while (*at == ' ' || *at == '\t')
        at++;
    size_t n = 0;
    for (const char *c = at; *c && *c != '\n' && n + 1 < size; c++)
        if (g_ascii_isalnum(*c) || *c == '.' || *c == '_' || *c == '-')
            out[n++] = *c;
    out[n] = '\0';
}

static camera_problem open_problem(camera *cam, int r)
{
    g_mutex_lock(&cam->lock);
    bool refused = cam->refused_seen;
    cam->refused_seen = false;
    g_mutex_unlock(&cam->lock);
    if (refused || r == GP_ERROR_IO_USB_CLAIM || r == GP_ERROR_CAMERA_BUSY)
        return CAMERA_PROBLEM_CLAIMED;
    return CAMERA_PROBLEM_NOT_FOUND;
}

/* Opens the camera; on failure reports the problem once (not again while it lasts). */
static bool open_camera(camera *cam, bool quiet)
{
    char model[64] = "";
    int r = gp_camera_new(&cam->gp);
    if (r == GP_OK && cam->model != NULL) {
        CameraAbilitiesList *al = NULL;
        GPPortInfoList *pl = NULL;
        CameraAbilities a;
        GPPortInfo pi;
        r = gp_abilities_list_new(&al);
        if (r == GP_OK)
            r = gp_abilities_list_load(al, cam->ctx);
        int i = r == GP_OK ? gp_abilities_list_lookup_model(al, cam->model) : r;
        r = i < 0 ? i : gp_abilities_list_get_abilities(al, i, &a);
        if (r == GP_OK)
            r = gp_camera_set_abilities(cam->gp, a);
        if (r == GP_OK)
            r = gp_port_info_list_new(&pl);
        if (r == GP_OK)
            r = gp_port_info_list_load(pl);
        int k = r == GP_OK ? gp_port_info_list_lookup_path(pl, cam->port) : r;
        r = k < 0 ? k : gp_port_info_list_get_info(pl, k, &pi);
        if (r == GP_OK)
            r = gp_camera_set_port_info(cam->gp, pi);
        if (al)
            gp_abilities_list_free(al);
        if (pl)
            gp_port_info_list_free(pl);
        g_strlcpy(model, cam->model, sizeof(model));
    } else if (r == GP_OK) {
        CameraList *list = NULL;
        r = gp_list_new(&list);
        if (r == GP_OK)
            r = gp_camera_autodetect(list, cam->ctx);
        const char *name = NULL;
        if (r >= 0 && gp_list_count(list) > 0)
            r = gp_list_get_name(list, 0, &name);
        else if (r >= 0)
            r = GP_ERROR_MODEL_NOT_FOUND;
        if (r == GP_OK && name != NULL)
            g_strlcpy(model, name, sizeof(model));
        /* with the abilities and port left unset, init takes the first camera found */
        if (list)
            gp_list_free(list);
    }
    if (r >= GP_OK) {
        deadline_start(cam, cam->capture_timeout_ms);
        r = gp_camera_init(cam->gp, cam->ctx);
        if (deadline_end(cam, NULL))
            r = GP_ERROR_TIMEOUT;
    }
    if (r < GP_OK) {
        camera_problem p = open_problem(cam, r);
        if (cam->gp) {
            gp_camera_free(cam->gp);
            cam->gp = NULL;
        }
        guard_standard_fds();
        if (!quiet && p != cam->last_problem)
            emit_problem(cam, p, p == CAMERA_PROBLEM_CLAIMED ? BK_ERR_BUSY : BK_ERR_NO_DEVICE);
        cam->last_problem = p;
        return false;
    }
    apply_settings(cam);
    cam->last_problem = CAMERA_PROBLEM_NONE;
    camera_event *ev = g_new0(camera_event, 1);
    ev->kind = CAMERA_EVENT_READY;
    g_strlcpy(ev->model, model, sizeof(ev->model));
    deadline_start(cam, cam->frame_timeout_ms);
    read_serial(cam, ev->serial, sizeof(ev->serial));
    deadline_end(cam, NULL);
    ev->text = ev->model;
    g_message("camera: ready%s", cam->was_open ? " again" : "");
    cam->was_open = true;
    emit(cam, ev);
    return true;
}

/* The connection broke: close, say so once; the main loop reopens. */
static void lost(camera *cam)
{
    close_camera(cam);
    if (cam->last_problem != CAMERA_PROBLEM_LOST)
        emit_problem(cam, CAMERA_PROBLEM_LOST, BK_ERR_NO_DEVICE);
    cam->last_problem = CAMERA_PROBLEM_LOST;
}

/* Copies a CameraFile's bytes into a biomem buffer. */
static bk_err take_file(CameraFile *f, uint8_t **data, size_t *size)
{
    const char *d = NULL;
    unsigned long n = 0;
    if (gp_file_get_data_and_size(f, &d, &n) != GP_OK || d == NULL || n == 0)
        return BK_ERR_CORRUPT;
    uint8_t *copy = biomem_alloc(n);
    if (copy == NULL)
        return BK_ERR_NOMEM;
    memcpy(copy, d, n);
    *data = copy;
    *size = n;
    return BK_OK;
}

/* Drops a CameraFile after wiping its bytes: libgphoto2 frees them without, and a frame or a
 * photo is the applicant's face. */
static void file_drop(CameraFile *f)
{
    const char *d = NULL;
    unsigned long n = 0;
    if (f != NULL && gp_file_get_data_and_size(f, &d, &n) == GP_OK && d != NULL && n > 0)
        biomem_wipe((void *)d, n);
    gp_file_unref(f);
}

static void live_frame(camera *cam)
{
    if (g_atomic_int_get(&cam->waiting_frames) >= MAX_WAITING_FRAMES) {
        /* the screen is behind: do not pile frames up, wait a little for it */
        g_usleep(5000);
        return;
    }
    CameraFile *f = NULL;
    gp_file_new(&f);
    deadline_start(cam, cam->frame_timeout_ms);
    int r = gp_camera_capture_preview(cam->gp, f, cam->ctx);
    bool overran = deadline_end(cam, NULL);
    if (r != GP_OK || overran) {
        file_drop(f); /* a late or partial frame may hold part of a face */
        lost(cam);
        return;
    }
    camera_event *ev = g_new0(camera_event, 1);
    ev->kind = CAMERA_EVENT_FRAME;
    ev->seq = ++cam->seq;
    if (take_file(f, &ev->data, &ev->size) != BK_OK || ev->size < 4 || ev->data[0] != 0xFF ||
        ev->data[1] != 0xD8) {
        camera_event_free(ev); /* a bad frame is skipped; the next one follows at once */
    } else {
        emit(cam, ev);
    }
    file_drop(f);
}

static void capture(camera *cam)
{
    if (cam->gp == NULL && !open_camera(cam, false))
        return;
    CameraFilePath path;
    int r = GP_ERROR;
    bool busy = false, overran = false;
    for (int attempt = 0; attempt <= cam->busy_retries; attempt++) {
        memset(&path, 0, sizeof(path));
        deadline_start(cam, cam->capture_timeout_ms);
        r = gp_camera_capture(cam->gp, GP_CAPTURE_IMAGE, &path, cam->ctx);
        overran = deadline_end(cam, &busy);
        if (!busy)
            break;
        /* the connection was broken off to end libgphoto2's wait: back off, reopen, retry */
        g_message("camera: busy, attempt %d", attempt + 1);
        close_camera(cam);
        g_usleep((gulong)(250000u << attempt));
        if (!open_camera(cam, true))
            break;
    }
    if (busy) {
        emit_problem(cam, CAMERA_PROBLEM_BUSY, BK_ERR_BUSY);
        return;
    }
    if (overran) {
        close_camera(cam);
        emit_problem(cam, CAMERA_PROBLEM_CAPTURE_TIMEOUT, BK_ERR_TIMEOUT);
        return;
    }
    if (r != GP_OK || cam->gp == NULL) {
        lost(cam);
        return;
    }
    CameraFile *f = NULL;
    gp_file_new(&f);
    deadline_start(cam, cam->capture_timeout_ms);
    r = gp_camera_file_get(cam->gp, path.folder, path.name, GP_FILE_TYPE_NORMAL, f, cam->ctx);
    overran = deadline_end(cam, NULL);
    if (r != GP_OK || overran) {
        file_drop(f); /* a late or partial frame may hold part of a face */
        lost(cam);
        return;
    }
    /* the card is not an archive: the kiosk keeps its own copy only as long as it needs it */
    deadline_start(cam, cam->frame_timeout_ms);
    (void)gp_camera_file_delete(cam->gp, path.folder, path.name, cam->ctx);
    deadline_end(cam, NULL);
    camera_event *ev = g_new0(camera_event, 1);
    ev->kind = CAMERA_EVENT_CAPTURED;
    bk_err err = take_file(f, &ev->data, &ev->size);
    file_drop(f);
    pic *check = NULL;
    /* decoded at 1/8 scale: cheap, and still reads every byte, so a cut-off file shows */
    if (err == BK_OK)
        err = picio_decode(ev->data, ev->size, 8, &check);
    pic_free(check);
    if (err != BK_OK) {
        camera_event_free(ev);
        emit_problem(cam, CAMERA_PROBLEM_CORRUPT, BK_ERR_CORRUPT);
        return;
    }
    emit(cam, ev);
}

/* Ends the camera's live view (mirror down, sensor off) when the kiosk stops showing it;
 * libgphoto2 offers that as the "viewfinder" setting. Cameras without it need nothing. */
static void end_live_view(camera *cam)
{
    CameraWidget *w = NULL;
    if (cam->gp == NULL ||
        gp_camera_get_single_config(cam->gp, "viewfinder", &w, cam->ctx) != GP_OK)
        return;
    int off = 0;
    deadline_start(cam, cam->frame_timeout_ms);
    if (gp_widget_set_value(w, &off) == GP_OK)
        (void)gp_camera_set_single_config(cam->gp, "viewfinder", w, cam->ctx);
    deadline_end(cam, NULL);
    gp_widget_free(w);
}

static gpointer worker_run(gpointer data)
{
    camera *cam = data;
    g_atomic_pointer_set(&cam->worker_self, g_thread_self());
    /* A capture asked for while the camera is away (reconnecting after a fault) is kept until
     * it is back, up to the capture timeout; then staff hear that there is no camera. */
    gint64 pending_until = 0;
    for (;;) {
        if (cam->gp == NULL)
            open_camera(cam, false);
        if (pending_until != 0 && cam->gp != NULL) {
            pending_until = 0;
            capture(cam);
            continue;
        }
        if (pending_until != 0 && g_get_monotonic_time() > pending_until) {
            pending_until = 0;
            emit_problem(cam, CAMERA_PROBLEM_NOT_FOUND, BK_ERR_NO_DEVICE);
        }
        gint64 wait_us =
            cam->gp == NULL ? (gint64)cam->open_retry_ms * 1000 : (cam->live ? 0 : 100000);
        gpointer c = wait_us > 0 ? g_async_queue_timeout_pop(cam->commands, (guint64)wait_us)
                                 : g_async_queue_try_pop(cam->commands);
        int cmd = GPOINTER_TO_INT(c);
        if (cmd == CMD_QUIT)
            break;
        if (cmd == CMD_LIVE_ON)
            cam->live = true;
        else if (cmd == CMD_LIVE_OFF && cam->live) {
            cam->live = false;
            end_live_view(cam);
        } else if (cmd == CMD_CAPTURE && cam->gp == NULL)
            pending_until = g_get_monotonic_time() + (gint64)cam->capture_timeout_ms * 1000;
        else if (cmd == CMD_CAPTURE)
            capture(cam);
        else if (cam->live && cam->gp != NULL)
            live_frame(cam);
    }
    close_camera(cam);
    return NULL;
}

static void parse_ptpip_ports(camera *cam)
{
    int a = 0, b = 0;
    char host[64];
    if (cam->port == NULL || strncmp(cam->port, "ptpip:", 6) != 0)
        return;
    int n = sscanf(cam->port + 6, "%63[^:]:%d:%d", host, &a, &b);
    cam->ptpip_ports[0] = n >= 2 ? a : 15740;
    cam->ptpip_ports[1] = n >= 3 ? b : 15740;
}

bk_err camera_new(const camera_config *config, camera **out)
{
    if (config == NULL || (config->model != NULL) != (config->port != NULL))
        return BK_ERR_INVALID;
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
    camera *cam = g_new0(camera, 1);
    cam->model = g_strdup(config->model);
    cam->port = g_strdup(config->port);
    cam->capture_timeout_ms = config->capture_timeout_ms > 0 ? config->capture_timeout_ms : 20000;
    cam->frame_timeout_ms = config->frame_timeout_ms > 0 ? config->frame_timeout_ms : 5000;
    cam->open_retry_ms = config->open_retry_ms > 0 ? config->open_retry_ms : 1000;
    cam->busy_retries = config->busy_retries > 0 ? config->busy_retries : 3;
    parse_ptpip_ports(cam);
    g_mutex_init(&cam->lock);
    g_cond_init(&cam->cond);
    cam->commands = g_async_queue_new();
    cam->events = g_async_queue_new_full((GDestroyNotify)camera_event_free);
    cam->ctx = gp_context_new();
    cam->log_id = gp_log_add_func(GP_LOG_ERROR, gp_log_watch, cam);
    cam->watchdog = g_thread_new("camera-watchdog", watchdog_run, cam);
    cam->worker = g_thread_new("camera", worker_run, cam);
    *out = cam;
    return BK_OK;
}

void camera_set_live(camera *cam, bool on)
{
    g_async_queue_push(cam->commands, GINT_TO_POINTER(on ? CMD_LIVE_ON : CMD_LIVE_OFF));
}

void camera_capture(camera *cam)
{
    g_async_queue_push(cam->commands, GINT_TO_POINTER(CMD_CAPTURE));
}

void camera_free(camera *cam)
{
    if (cam == NULL)
        return;
    g_async_queue_push_front(cam->commands, GINT_TO_POINTER(CMD_QUIT));
    g_thread_join(cam->worker);
    g_mutex_lock(&cam->lock);
    cam->quit = true;
    g_cond_signal(&cam->cond);
    g_mutex_unlock(&cam->lock);
    g_thread_join(cam->watchdog);
    gp_log_remove_func(cam->log_id);
    gp_context_unref(cam->ctx);
    g_async_queue_unref(cam->commands);
    g_async_queue_unref(cam->events);
    g_mutex_clear(&cam->lock);
    g_cond_clear(&cam->cond);
    g_free(cam->model);
    g_free(cam->port);
    g_free(cam);
}
