/* "capture-photo": the photo step. Live view mirrored like a mirror with a head-shaped guide and
 * the most important instruction; capture by itself after about a second of passing checks, or
 * by the button with a 3-second countdown; the cropped result with its checks; retakes; after
 * the last attempt the desk officer chooses (or rejects) a photo.
 *
 * Threads: the camera's own worker (drivers/camera) delivers events; the "pump" thread here
 * collects them, decodes live-view frames at half size for the screen and hands the newest frame
 * to the "analysis" thread, which finds the face, runs the checks and processes full-size
 * captures. Neither touches the screen: they keep their results in `mod` under its lock and push
 * one SDL user event to wake the main thread, which then reads what is new.
 */
#include "ui/capture_photo.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/biomem.h"
#include "drivers/camera/camera.h"
#include "ui/capture.h"
#include "ui/devwait.h"
#include "imaging/face.h"
#include "imaging/icao.h"
#include "imaging/picio.h"
#include "ui/screens/screens.h"
#include "ui/script.h"

#define DEFAULT_CASCADES   "/usr/share/opencv4/haarcascades"
#define MAX_ATTEMPTS       8
#define AUTO_PASS_MS       1000
#define COUNTDOWN_MS       3000
#define THUMB_W            311
#define THUMB_H            400
#define LIVE_DECODE_SCALE  2
#define CAPTURE_LIVE_RATIO (6000.0 / 1024.0) /* capture width over live width, until known */
/* Live view tracks the face between full searches (face_track): a full search every this many
 * frames still sees a second person stepping in within about half a second. */
#define FULL_SEARCH_EVERY 10
/* The camera driver's own deadline for capture plus download, and the screen's: a driver whose
 * watchdog does not end a hung call (a USB camera relies on libgphoto2's port timeout) must not
 * hold the person on "Hold still" for ever. */
#define CAPTURE_TIMEOUT_MS        20000
#define SCREEN_CAPTURE_TIMEOUT_MS (CAPTURE_TIMEOUT_MS + 10000)

enum { ID_TAKE = 500, ID_USE, ID_RETAKE, ID_STAFF_REJECT, ID_STAFF_ACCEPT = 520 };

/* What the analysis thread says about the newest frame. */
typedef struct analysis {
    uint64_t seq;
    bool pass;
    bool has_face;
    char check[32];          /* the first failed check's name, or "" */
    const char *instruction; /* static (icao.c) */
    bool for_staff;
} analysis;

typedef struct shown_check {
    const char *name; /* static (icao.c) */
    double value;
    bool pass;
} shown_check;

/* A processed capture. */
typedef struct attempt {
    uint8_t *jpeg; /* the 1244 x 1600 crop (biomem) */
    size_t len;
    pic *thumb; /* THUMB_W x THUMB_H for the screen */
    bool compliant, cropped;
    int n_checks, n_passed;
    shown_check checks[ICAO_MAX_CHECKS];
    const char *instruction; /* first failure's, or NULL */
    bool for_staff;
    int64_t when;
    bool rejected; /* the officer rejected it ("Reject these and take another photo") */
} attempt;

/* Shared between the threads and the screen; everything under `lock`. */
static struct {
    bool up;
    camera *cam;
    face_finder *finder;
    int max_attempts;
    /* the check limits: [0] adults, [1] children under 10 */
    icao_settings limits[2];
    char *control; /* the emulator's command pipe (scripted mode) */
    uint32_t ev_type;
    GThread *pump, *worker;
    GMutex lock;
    GCond cond;
    bool stopping;
    gint wake_pending; /* an SDL event is queued and not yet read */
    /* camera */
    bool ready;
    camera_problem problem;     /* the one that paused the camera (not-found, claimed, lost) */
    camera_problem gone_why;    /* the first of them since the camera was last ready */
    camera_problem cap_problem; /* a failed capture (busy, capture-timeout, corrupt) */
    uint64_t cap_problem_seq;
    char model[64];
    char serial[64];
    bool capturing;
    /* captures the screen gave up on (its deadline) whose answer has not come: the camera
     * answers captures in order, so the next answers are theirs and are dropped */
    int stale_captures;
    /* live view */
    pic *preview;
    uint64_t preview_seq;
    pic *live_pic;     /* newest frame for the analysis thread: a copy of the decoded preview (the
                          frame is decoded once, not again for the analysis) */
    int capture_width; /* of the last capture (0: unknown) */
    bool child;
    bool live_wanted;   /* the screen shows live view */
    bool working;       /* the analysis thread is on a frame or a capture */
    bool track_reset;   /* the analysis thread forgets the tracked face (a new person) */
    face_tracker track; /* the analysis thread's own */
    analysis an;
    /* capture */
    uint8_t *cap_jpeg;
    size_t cap_len;
    attempt *result; /* processed, not yet taken by the screen */
    uint64_t result_seq;
    /* a technician's check (photo_check): while `checking` and the photo step is not on screen,
     * frames, the capture and its problems are the check's, not the screen's */
    bool screen_up;
    bool checking;
    GCond chk_cond;       /* the check waits on this one (mod.cond is the analysis thread's) */
    bool chk_live;        /* live-view frames are counted */
    bool chk_capturing;   /* the test photo is on its way */
    gint64 chk_first;     /* when the first frame came (monotonic, us; 0: none yet) */
    gint64 chk_last;      /* when the last counted one came */
    unsigned chk_frames;  /* after the first */
    unsigned chk_decoded; /* of all, the first included */
    pic *chk_sample;      /* the newest decoded frame */
    char chk_problem[160];
    uint8_t *chk_jpeg; /* the test photo (biomem) */
    size_t chk_len;
    camera_problem chk_cap_problem;
    pic *chk_face_pic; /* a frame for the analysis thread's face finder */
    bool chk_face_done;
    bk_err chk_face_err;
    int chk_faces;
    double chk_face_ms;
} mod;

static void attempt_free(attempt *a)
{
    if (a == NULL)
        return;
    biomem_free(a->jpeg);
    pic_free(a->thumb);
    g_free(a);
}

/* Wakes the main thread once; the screen reads everything new when the event arrives. */
static void wake(void)
{
    if (!g_atomic_int_compare_and_exchange(&mod.wake_pending, 0, 1))
        return;
    SDL_Event ev = {0};
    ev.type = mod.ev_type;
    if (SDL_PushEvent(&ev) != 1)
        g_atomic_int_set(&mod.wake_pending, 0);
}

/* ---- the pump thread: camera events in, preview and jobs out ---- */

/* A live-view frame during a technician's check: counted, timed and decoded as the self-test
 * does (at half size), never shown or analysed for a person. */
static void check_frame(const camera_event *ev)
{
    gint64 now = g_get_monotonic_time();
    pic *p = NULL;
    bool ok = picio_decode(ev->data, ev->size, LIVE_DECODE_SCALE, &p) == BK_OK;
    g_mutex_lock(&mod.lock);
    if (mod.chk_first == 0) {
        mod.chk_first = now;
    } else {
        mod.chk_frames++;
        mod.chk_last = now;
    }
    if (ok) {
        mod.chk_decoded++;
        pic_free(mod.chk_sample);
        mod.chk_sample = p;
        p = NULL;
    }
    g_cond_broadcast(&mod.chk_cond);
    g_mutex_unlock(&mod.lock);
    pic_free(p);
}

static gpointer pump_main(gpointer data)
{
    (void)data;
    for (;;) {
        g_mutex_lock(&mod.lock);
        bool stop = mod.stopping;
        g_mutex_unlock(&mod.lock);
        if (stop)
            break;
        camera_event *ev = NULL;
        if (!camera_next_event(mod.cam, 100, &ev))
            continue;
        switch (ev->kind) {
        case CAMERA_EVENT_FRAME: {
            g_mutex_lock(&mod.lock);
            bool wanted = mod.live_wanted;
            bool check = mod.chk_live && !mod.screen_up;
            g_mutex_unlock(&mod.lock);
            if (check) {
                check_frame(ev);
                break;
            }
            if (!wanted)
                break; /* a frame still in flight after live view was switched off */
            pic *p = NULL, *copy = NULL;
            if (picio_decode(ev->data, ev->size, LIVE_DECODE_SCALE, &p) != BK_OK)
                break; /* a damaged frame is skipped */
            if (pic_new(p->width, p->height, p->channels, &copy) == BK_OK)
                memcpy(copy->px, p->px, (size_t)p->width * (size_t)p->height * (size_t)p->channels);
            g_mutex_lock(&mod.lock);
            if (!mod.live_wanted) {
                /* the step ended while this frame was decoded: nothing of the person stays */
                g_mutex_unlock(&mod.lock);
                pic_free(p);
                pic_free(copy);
                break;
            }
            pic_free(mod.preview);
            mod.preview = p;
            mod.preview_seq = ev->seq ? ev->seq : mod.preview_seq + 1;
            if (copy != NULL) {
                pic_free(mod.live_pic);
                mod.live_pic = copy;
            }
            g_cond_signal(&mod.cond);
            g_mutex_unlock(&mod.lock);
            wake();
            break;
        }
        case CAMERA_EVENT_CAPTURED:
            g_mutex_lock(&mod.lock);
            if (mod.chk_capturing) {
                /* the technician's test photo: never processed as an attempt (one that comes
                 * after its check ended is dropped with the event). The camera answers captures
                 * in order, so the first answer after the test photo's request is its own, also
                 * when the photo step has asked for a photo since. */
                if (mod.checking) {
                    biomem_free(mod.chk_jpeg);
                    mod.chk_jpeg = ev->data;
                    mod.chk_len = ev->size;
                    ev->data = NULL;
                }
                mod.chk_capturing = false;
                g_cond_broadcast(&mod.chk_cond);
                g_mutex_unlock(&mod.lock);
                break;
            }
            if (mod.stale_captures > 0) {
                mod.stale_captures--;
                g_mutex_unlock(&mod.lock);
                g_message("photo: a capture came after the screen's deadline, dropped");
                break;
            }
            biomem_free(mod.cap_jpeg);
            mod.cap_jpeg = ev->data;
            mod.cap_len = ev->size;
            ev->data = NULL;
            g_cond_signal(&mod.cond);
            g_mutex_unlock(&mod.lock);
            break;
        case CAMERA_EVENT_PROBLEM:
            g_mutex_lock(&mod.lock);
            if (mod.chk_live)
                g_strlcpy(mod.chk_problem, ev->text ? ev->text : "", sizeof mod.chk_problem);
            if (mod.chk_capturing) {
                /* the test photo failed, or was lost with the connection */
                mod.chk_cap_problem = ev->problem;
                mod.chk_capturing = false;
                g_cond_broadcast(&mod.chk_cond);
                if (ev->problem == CAMERA_PROBLEM_BUSY ||
                    ev->problem == CAMERA_PROBLEM_CAPTURE_TIMEOUT ||
                    ev->problem == CAMERA_PROBLEM_CORRUPT) {
                    g_mutex_unlock(&mod.lock);
                    g_message("camera problem in the technician's check: %s",
                              camera_problem_name(ev->problem));
                    break;
                }
            }
            if (ev->problem == CAMERA_PROBLEM_BUSY ||
                ev->problem == CAMERA_PROBLEM_CAPTURE_TIMEOUT ||
                ev->problem == CAMERA_PROBLEM_CORRUPT) {
                if (mod.stale_captures > 0) {
                    /* a capture the screen already gave up on (and said so) */
                    mod.stale_captures--;
                } else {
                    mod.cap_problem = ev->problem;
                    mod.cap_problem_seq++;
                    mod.capturing = false;
                }
            } else {
                mod.stale_captures = 0; /* nothing in flight survives the connection */
                if (mod.ready || mod.gone_why == CAMERA_PROBLEM_NONE)
                    mod.gone_why = ev->problem;
                mod.ready = false;
                mod.problem = ev->problem;
                if (mod.capturing) {
                    /* the photo in flight is lost with the connection */
                    mod.capturing = false;
                    mod.cap_problem = ev->problem;
                    mod.cap_problem_seq++;
                }
            }
            g_mutex_unlock(&mod.lock);
            g_message("camera problem: %s", camera_problem_name(ev->problem));
            wake();
            break;
        case CAMERA_EVENT_READY:
            g_mutex_lock(&mod.lock);
            mod.ready = true;
            mod.stale_captures = 0;
            mod.problem = CAMERA_PROBLEM_NONE;
            mod.gone_why = CAMERA_PROBLEM_NONE;
            g_strlcpy(mod.model, ev->model[0] ? ev->model : (ev->text ? ev->text : ""),
                      sizeof mod.model);
            g_strlcpy(mod.serial, ev->serial, sizeof mod.serial);
            g_mutex_unlock(&mod.lock);
            g_message("camera ready");
            wake();
            break;
        }
        camera_event_free(ev);
    }
    return NULL;
}

/* ---- the analysis thread: live frames and full-size captures ---- */

/* The checks on one live frame (transfer full: the frame is freed here). */
static void analyse_frame(pic *p, bool child, int capture_width)
{
    face_result fr;
    face_options fo = face_options_live();
    icao_settings set = mod.limits[child ? 1 : 0];
    set.live = true;
    /* the checks are about the photo that will be taken, not the frame */
    set.capture_scale = capture_width > 0 ? (double)capture_width / p->width
                                          : CAPTURE_LIVE_RATIO * LIVE_DECODE_SCALE;
    icao_result ir;
    memset(&ir, 0, sizeof ir);
    analysis an = {0};
    g_mutex_lock(&mod.lock);
    if (mod.track_reset) {
        face_tracker_init(&mod.track, FULL_SEARCH_EVERY);
        mod.track_reset = false;
    }
    g_mutex_unlock(&mod.lock);
    if (face_track(mod.finder, &mod.track, p, &fo, &fr, NULL) == BK_OK &&
        icao_check_picture(p, &fr, &set, &ir) == BK_OK) {
        an.has_face = fr.n_faces > 0;
        an.pass = ir.compliant;
        const icao_check *c = icao_first_failure(&ir);
        if (c) {
            g_strlcpy(an.check, c->name, sizeof an.check);
            an.instruction = c->instruction;
            an.for_staff = c->for_staff;
        }
    } else {
        an.instruction = "Look into the camera";
        g_strlcpy(an.check, "faces", sizeof an.check);
    }
    icao_result_clear(&ir);
    pic_free(p);
    g_mutex_lock(&mod.lock);
    an.seq = mod.an.seq + 1;
    mod.an = an;
    g_mutex_unlock(&mod.lock);
    wake();
}

static void process_capture(const uint8_t *jpeg, size_t len, bool child)
{
    attempt *a = g_new0(attempt, 1);
    pic *p = NULL;
    icao_result ir;
    memset(&ir, 0, sizeof ir);
    int width = 0;
    if (picio_decode(jpeg, len, 1, &p) == BK_OK) {
        width = p->width;
        face_result fr;
        face_options fo = face_options_still();
        icao_settings set = mod.limits[child ? 1 : 0];
        if (face_find(mod.finder, p, &fo, &fr) == BK_OK &&
            icao_check_picture(p, &fr, &set, &ir) == BK_OK) {
            a->compliant = ir.compliant;
            a->n_checks = ir.n_checks;
            for (int i = 0; i < ir.n_checks; i++) {
                a->checks[i] =
                    (shown_check){ir.checks[i].name, ir.checks[i].value, ir.checks[i].pass};
                a->n_passed += ir.checks[i].pass;
            }
            const icao_check *c = icao_first_failure(&ir);
            if (c) {
                a->instruction = c->instruction;
                a->for_staff = c->for_staff;
            }
            if (ir.output && picio_encode_jpeg(ir.output, 95, &a->jpeg, &a->len) == BK_OK &&
                pic_resize(ir.output, THUMB_W, THUMB_H, &a->thumb) == BK_OK)
                a->cropped = true;
        }
    }
    if (!a->cropped) {
        a->compliant = false;
        if (a->instruction == NULL)
            a->instruction = "Look into the camera";
    }
    icao_result_clear(&ir);
    pic_free(p);
    g_message("photo processed: compliant=%s cropped=%s checks_passed=%d/%d first_failure=%s",
              a->compliant ? "yes" : "no", a->cropped ? "yes" : "no", a->n_passed, a->n_checks,
              a->instruction ? a->instruction : "none");
    g_mutex_lock(&mod.lock);
    if (width > 0)
        mod.capture_width = width;
    attempt_free(mod.result);
    mod.result = a;
    mod.result_seq++;
    mod.capturing = false;
    g_mutex_unlock(&mod.lock);
    wake();
}

static gpointer worker_main(gpointer data)
{
    (void)data;
    g_mutex_lock(&mod.lock);
    while (!mod.stopping) {
        if (mod.chk_face_pic) {
            /* a technician's check: one face search on a live frame, timed */
            pic *f = mod.chk_face_pic;
            mod.chk_face_pic = NULL;
            mod.working = true;
            g_mutex_unlock(&mod.lock);
            face_options fo = face_options_live();
            face_result fr;
            gint64 t0 = g_get_monotonic_time();
            bk_err err = face_find(mod.finder, f, &fo, &fr);
            double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
            pic_free(f);
            g_mutex_lock(&mod.lock);
            mod.working = false;
            mod.chk_face_err = err;
            mod.chk_faces = err == BK_OK ? fr.n_faces : 0;
            mod.chk_face_ms = ms;
            mod.chk_face_done = true;
            g_cond_broadcast(&mod.chk_cond);
        } else if (mod.cap_jpeg) {
            uint8_t *j = mod.cap_jpeg;
            size_t n = mod.cap_len;
            bool child = mod.child;
            mod.cap_jpeg = NULL;
            mod.working = true;
            g_mutex_unlock(&mod.lock);
            process_capture(j, n, child);
            biomem_free(j);
            g_mutex_lock(&mod.lock);
            mod.working = false;
        } else if (mod.live_pic && !mod.capturing) {
            pic *f = mod.live_pic;
            bool child = mod.child;
            int cw = mod.capture_width;
            mod.live_pic = NULL;
            mod.working = true;
            g_mutex_unlock(&mod.lock);
            analyse_frame(f, child, cw);
            g_mutex_lock(&mod.lock);
            mod.working = false;
        } else {
            g_cond_wait(&mod.cond, &mod.lock);
        }
    }
    g_mutex_unlock(&mod.lock);
    return NULL;
}

/* ---- the screen ---- */

typedef enum phase {
    PHASE_LIVE,
    PHASE_COUNTDOWN,
    PHASE_CAPTURING,
    PHASE_RESULT,
    PHASE_OFFICER, /* the last attempt is taken: the desk officer decides */
} phase;

typedef struct photo_priv {
    phase phase;
    bool child;
    attempt *attempts[MAX_ATTEMPTS];
    int n_attempts;
    int allowed; /* attempts before the officer decides (grows when the officer asks another) */
    int64_t pass_since; /* -1: the checks are not passing */
    int64_t countdown_end;
    int64_t capture_deadline; /* PHASE_CAPTURING: the screen gives up at this time */
    bool live_on;
    SDL_Texture *live_tex;
    int live_w, live_h;
    uint64_t preview_seq, an_seq, result_seq, cap_problem_seq;
    analysis an;
    bool ready;
    camera_problem problem, cap_problem, gone_why;
    char model[64];
    char serial[64];
    devwait wait; /* the camera away: audit, and staff's choice after reconnect_seconds */
    /* counters for camera-wait and camera-watch */
    uint64_t frames_shown, analyses_seen, results_seen, problems_seen, readies_seen;
    uint64_t drawn_an_seq, instructions_drawn; /* analysis results drawn as an instruction */
} photo_priv;

static uint32_t photo_event_types[2];

/* The person's instructions, marked for the catalogues (icao.c says them in English). */
static const char *const person_texts[] G_GNUC_UNUSED = {
    N_("Look into the camera"),
    N_("Only one person in the picture, please"),
    N_("Move so that your whole head is in the picture"),
    N_("Come a little closer"),
    N_("Keep your head straight"),
    N_("Move back a little"),
    N_("Sit up a little"),
    N_("Lower your head a little"),
    N_("Move a little to your left"),
    N_("Move a little to your right"),
    N_("Hold still, please"),
};

/* The staff's message for a camera problem, by its code (the driver's own text is English,
 * for logs). */
static const char *problem_text(camera_problem problem)
{
    switch (problem) {
    case CAMERA_PROBLEM_NOT_FOUND:
        return _("No camera found: check that the camera is switched on and connected.");
    case CAMERA_PROBLEM_CLAIMED:
        return _("The camera is in use by another program: close that program, or switch the "
                 "camera off and on.");
    case CAMERA_PROBLEM_BUSY:
        return _("The camera stayed busy: wait a moment and take the photo again.");
    case CAMERA_PROBLEM_CAPTURE_TIMEOUT:
        return _("The camera did not deliver the photo in time: take it again; if this repeats, "
                 "switch the camera off and on.");
    case CAMERA_PROBLEM_LOST:
        return _("The connection to the camera was lost: reconnecting automatically. Check the "
                 "cable or network if this stays.");
    case CAMERA_PROBLEM_CORRUPT:
        return _("The photo from the camera was damaged or incomplete: take it again.");
    default:
        return "";
    }
}

/* The checks' instructions for staff (icao.c says them in English, after "staff: "). */
static const char *const staff_texts[] G_GNUC_UNUSED = {
    N_("too dark, check the lights"),
    N_("too bright, check the lights"),
    N_("the background is not plain, check the screen behind the person"),
    N_("the background is too dark, check the lights"),
    N_("the background is too bright, check the lights"),
    N_("the background is not grey, check the screen behind the person"),
    N_("colour cast, check the camera's white balance"),
};

/* A check's staff instruction without its "staff: " prefix, translated. */
static const char *staff_instruction(const char *instruction)
{
    if (instruction == NULL)
        return "";
    return _(instruction + (g_str_has_prefix(instruction, "staff: ") ? 7 : 0));
}

/* Tells the device wait whether the camera is there: a camera that went away (lost, not
 * found, claimed by another program) is audited once; its return too. Starting up is neither. */
static void sync_device(photo_priv *p, session *s)
{
    if (p->ready)
        devwait_update(&p->wait, s, true, NULL);
    else if (p->problem != CAMERA_PROBLEM_NONE)
        devwait_update(
            &p->wait, s, false,
            camera_problem_name(p->gone_why != CAMERA_PROBLEM_NONE ? p->gone_why : p->problem));
}

static size_t person_index(const screen *scr)
{
    return flow_current_person(session_flow(SCREEN_SESSION(scr)));
}

static bool is_child(const screen *scr)
{
    flow *f = session_flow(SCREEN_SESSION(scr));
    const flow_person *p = flow_get_person(f, flow_current_person(f));
    return p && p->plan.age_on_appointment < 10;
}

static void set_live(photo_priv *p, bool on)
{
    if (p->live_on == on)
        return;
    p->live_on = on;
    g_mutex_lock(&mod.lock);
    mod.live_wanted = on;
    g_mutex_unlock(&mod.lock);
    camera_set_live(mod.cam, on);
}

static void enter(screen *scr)
{
    photo_priv *p = scr->priv;
    p->child = is_child(scr);
    p->allowed = mod.max_attempts;
    devwait_init(&p->wait, "camera");
    p->pass_since = -1;
    p->phase = PHASE_LIVE;
    g_mutex_lock(&mod.lock);
    mod.child = p->child;
    attempt_free(mod.result);
    mod.result = NULL;
    p->result_seq = mod.result_seq;
    p->cap_problem_seq = mod.cap_problem_seq;
    p->ready = mod.ready;
    p->problem = mod.problem;
    p->gone_why = mod.gone_why;
    g_strlcpy(p->model, mod.model, sizeof p->model);
    g_strlcpy(p->serial, mod.serial, sizeof p->serial);
    mod.track_reset = true;
    mod.screen_up = true; /* a technician's check still running gives the camera back */
    g_cond_broadcast(&mod.chk_cond);
    g_mutex_unlock(&mod.lock);
    g_atomic_int_set(&mod.wake_pending, 0);
    sync_device(p, SCREEN_SESSION(scr));
    set_live(p, true);
    g_message("photo step: child=%s", p->child ? "yes" : "no");
}

static void exit_(screen *scr)
{
    photo_priv *p = scr->priv;
    set_live(p, false);
    if (p->live_tex)
        SDL_DestroyTexture(p->live_tex);
    for (int i = 0; i < p->n_attempts; i++)
        attempt_free(p->attempts[i]);
    memset(p, 0, sizeof *p);
    /* nothing of this person's face stays behind in the module */
    g_mutex_lock(&mod.lock);
    pic_free(mod.preview);
    mod.preview = NULL;
    pic_free(mod.live_pic);
    mod.live_pic = NULL;
    attempt_free(mod.result);
    mod.result = NULL;
    mod.an = (analysis){.seq = mod.an.seq};
    mod.screen_up = false;
    g_mutex_unlock(&mod.lock);
}

static void start_capture(screen *scr)
{
    photo_priv *p = scr->priv;
    if (!p->ready || p->n_attempts >= MAX_ATTEMPTS)
        return;
    g_mutex_lock(&mod.lock);
    mod.capturing = true;
    pic_free(mod.live_pic);
    mod.live_pic = NULL;
    g_mutex_unlock(&mod.lock);
    p->phase = PHASE_CAPTURING;
    p->pass_since = -1;
    p->capture_deadline = session_now_ms(SCREEN_SESSION(scr)) + SCREEN_CAPTURE_TIMEOUT_MS;
    camera_capture(mod.cam);
    g_message("photo capture started: attempt=%d", p->n_attempts + 1);
}

static void copy_preview(screen *scr, ui *u)
{
    photo_priv *p = scr->priv;
    g_mutex_lock(&mod.lock);
    pic *pv = mod.preview;
    if (pv && pv->channels == 3) {
        if (p->live_tex == NULL || p->live_w != pv->width || p->live_h != pv->height) {
            if (p->live_tex)
                SDL_DestroyTexture(p->live_tex);
            p->live_tex = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24,
                                            SDL_TEXTUREACCESS_STREAMING, pv->width, pv->height);
            p->live_w = pv->width;
            p->live_h = pv->height;
        }
        if (p->live_tex)
            SDL_UpdateTexture(p->live_tex, NULL, pv->px, pv->width * 3);
    }
    g_mutex_unlock(&mod.lock);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    photo_priv *p = scr->priv;
    if (ev->type != mod.ev_type)
        return false;
    g_atomic_int_set(&mod.wake_pending, 0);
    session *s = SCREEN_SESSION(scr);
    attempt *got = NULL;
    g_mutex_lock(&mod.lock);
    bool was_ready = p->ready;
    p->ready = mod.ready;
    p->problem = mod.problem;
    p->gone_why = mod.gone_why;
    g_strlcpy(p->model, mod.model, sizeof p->model);
    g_strlcpy(p->serial, mod.serial, sizeof p->serial);
    if (p->ready && !was_ready)
        p->readies_seen++;
    if (!p->ready && was_ready)
        p->problems_seen++;
    if (mod.preview_seq != p->preview_seq) {
        p->preview_seq = mod.preview_seq;
        p->frames_shown++;
    }
    if (mod.an.seq != p->an_seq) {
        p->an_seq = mod.an.seq;
        p->an = mod.an;
        p->analyses_seen++;
    }
    if (mod.cap_problem_seq != p->cap_problem_seq) {
        p->cap_problem_seq = mod.cap_problem_seq;
        p->cap_problem = mod.cap_problem;
        p->problems_seen++;
        if (p->phase == PHASE_CAPTURING)
            p->phase = PHASE_LIVE;
    }
    if (mod.result_seq != p->result_seq && mod.result) {
        p->result_seq = mod.result_seq;
        got = mod.result;
        mod.result = NULL;
    }
    g_mutex_unlock(&mod.lock);
    sync_device(p, s);
    if (p->ready && !was_ready && p->phase != PHASE_CAPTURING) {
        /* back: live view resumes (the camera resumes it itself after a reconnect) */
        p->live_on = false;
        if (p->phase == PHASE_LIVE || p->phase == PHASE_COUNTDOWN)
            set_live(p, true);
    }
    if (!p->ready && p->phase == PHASE_COUNTDOWN)
        p->phase = PHASE_LIVE;
    if (got && p->phase != PHASE_CAPTURING) {
        /* the screen gave up on this capture: the person was told to take it again */
        g_message("photo: a capture came after the screen's deadline, dropped");
        attempt_free(got);
        got = NULL;
    }
    if (got) {
        got->when = session_wall(s);
        p->attempts[p->n_attempts++] = got;
        p->results_seen++;
        p->cap_problem = CAMERA_PROBLEM_NONE;
        p->phase = p->n_attempts >= p->allowed ? PHASE_OFFICER : PHASE_RESULT;
        set_live(p, false);
        g_message("photo attempt %d of %d: compliant=%s", p->n_attempts, p->allowed,
                  got->compliant ? "yes" : "no");
    }
    /* automatic capture: every check passing for about a second */
    if (p->phase == PHASE_LIVE && p->ready && p->an.pass) {
        if (p->pass_since < 0)
            p->pass_since = session_now_ms(s);
    } else if (p->phase == PHASE_LIVE) {
        p->pass_since = -1;
    }
    return true;
}

static int64_t update(screen *scr, int64_t now)
{
    photo_priv *p = scr->priv;
    if (devwait_away(&p->wait)) {
        /* paused: the staff strip appears after reconnect_seconds and counts the seconds */
        session *s = SCREEN_SESSION(scr);
        int limit = session_get_settings(s)->reconnect_seconds;
        int64_t due = (int64_t)(limit > 0 ? limit : 120) * 1000 - devwait_away_ms(&p->wait, s);
        if (due > 0)
            return due;
        runner_invalidate(scr->owner);
        return 1000;
    }
    if (p->phase == PHASE_CAPTURING) {
        if (now < p->capture_deadline)
            return p->capture_deadline - now;
        g_message("photo: no photo from the camera within %d s, back to live view",
                  SCREEN_CAPTURE_TIMEOUT_MS / 1000);
        g_mutex_lock(&mod.lock);
        mod.capturing = false;
        mod.stale_captures++;
        g_mutex_unlock(&mod.lock);
        p->cap_problem = CAMERA_PROBLEM_CAPTURE_TIMEOUT;
        p->problems_seen++;
        p->phase = PHASE_LIVE;
        p->live_on = false;
        set_live(p, true);
        runner_invalidate(scr->owner);
        return -1;
    }
    if (p->phase == PHASE_COUNTDOWN) {
        if (now >= p->countdown_end) {
            start_capture(scr);
            runner_invalidate(scr->owner);
            return -1;
        }
        runner_invalidate(scr->owner);
        int64_t left = p->countdown_end - now;
        return left % 1000 ? left % 1000 : 1000;
    }
    if (p->phase == PHASE_LIVE && p->ready && p->pass_since >= 0) {
        if (now - p->pass_since >= AUTO_PASS_MS) {
            g_message("photo: every check passed for a second, capturing");
            start_capture(scr);
            runner_invalidate(scr->owner);
            return -1;
        }
        return AUTO_PASS_MS - (now - p->pass_since);
    }
    return -1;
}

static void accept_attempt(screen *scr, int i, char veto)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    takes *t = session_takes(s);
    size_t person = person_index(scr);
    attempt *a = p->attempts[i];
    if (t == NULL || a == NULL || !a->cropped)
        return;
    if (takes_set_face(t, person, a->jpeg, a->len) != BK_OK)
        return;
    for (int k = 0; k < p->n_attempts; k++) {
        const attempt *b = p->attempts[k];
        takes_attempt ta = {
            .item = TAKES_ITEM_PHOTO,
            .position = 0,
            .quality = b->n_checks ? 100 * b->n_passed / b->n_checks : 0,
            .threshold = 100,
            .accepted = k == i,
            /* a passing photo the officer rejected: veto R (TR 4.7) */
            .veto = k == i ? veto : (b->rejected && b->compliant ? 'R' : 'N'),
            .when = b->when,
        };
        takes_add_attempt(t, person, &ta);
    }
    /* the serial number as the camera reports it (libgphoto2's summary) */
    takes_set_device(t, "camera", p->model[0] ? p->model : "unknown",
                     p->serial[0] ? p->serial : "unknown");
    g_message("photo accepted: attempt=%d of %d veto=%c", i + 1, p->n_attempts, veto);
    session_capture_done(s); /* the last thing: this screen is replaced */
}

static void retake(screen *scr)
{
    photo_priv *p = scr->priv;
    p->phase = PHASE_LIVE;
    p->pass_since = -1;
    p->an = (analysis){0};
    set_live(p, true);
}

static void action(screen *scr, int id)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (devwait_action(&p->wait, s, id))
        return;
    if (session_language_action(s, id))
        return;
    session_touch(s);
    bool staff = session_staff_active(s);
    if (id == ID_TAKE && p->phase == PHASE_LIVE && p->ready) {
        p->phase = PHASE_COUNTDOWN;
        p->countdown_end = session_now_ms(s) + COUNTDOWN_MS;
        p->pass_since = -1;
    } else if (id == ID_USE && p->phase == PHASE_RESULT && p->n_attempts > 0 &&
               p->attempts[p->n_attempts - 1]->compliant) {
        accept_attempt(scr, p->n_attempts - 1, 'N');
    } else if (id == ID_RETAKE && p->phase == PHASE_RESULT) {
        retake(scr);
    } else if (id >= ID_STAFF_ACCEPT && id < ID_STAFF_ACCEPT + p->n_attempts && staff) {
        int i = id - ID_STAFF_ACCEPT;
        session_staff_touch(s);
        accept_attempt(scr, i, p->attempts[i]->compliant ? 'N' : 'A');
    } else if (id == ID_STAFF_REJECT && staff && p->n_attempts < MAX_ATTEMPTS) {
        session_staff_touch(s);
        g_message("photo: staff=%s rejected the photos taken, one more attempt",
                  session_staff_id(s));
        for (int k = 0; k < p->n_attempts; k++)
            p->attempts[k]->rejected = true;
        p->allowed = p->n_attempts + 1;
        retake(scr);
    }
}

/* An ellipse outline (the head) of the given thickness. */
static void draw_ellipse(SDL_Renderer *rd, int cx, int cy, int rx, int ry, int thick)
{
    for (int t = 0; t < thick; t++) {
        int ax = rx - t, ay = ry - t;
        int n = 180;
        SDL_Point pts[181];
        for (int i = 0; i <= n; i++) {
            double a = 2 * M_PI * i / n;
            pts[i].x = cx + (int)lround(ax * cos(a));
            pts[i].y = cy + (int)lround(ay * sin(a));
        }
        SDL_RenderDrawLines(rd, pts, n + 1);
    }
}

/* The guide: a head with a neck and shoulders; bigger and warmer for a child. */
static void draw_guide(ui *u, SDL_Rect v, bool child, bool pass)
{
    SDL_Renderer *rd = u->renderer;
    double hh = child ? 0.66 : 0.56; /* head height over the view's height */
    int ry = (int)(v.h * hh / 2), rx = (int)(ry * 0.74);
    int cx = v.x + v.w / 2, cy = v.y + (int)(v.h * 0.44);
    if (pass)
        SDL_SetRenderDrawColor(rd, 40, 200, 90, 255);
    else if (child)
        SDL_SetRenderDrawColor(rd, 255, 200, 40, 255);
    else
        SDL_SetRenderDrawColor(rd, 255, 255, 255, 255);
    int thick = ui_px(u, child ? 10 : 6);
    draw_ellipse(rd, cx, cy, rx, ry, thick);
    /* shoulders: two arcs from the neck down to the edge of the view */
    int neck_y = cy + ry, bottom = v.y + v.h - 1;
    for (int t = 0; t < thick; t++) {
        SDL_Point l[2] = {{cx - rx / 2 - t, neck_y},
                          {cx - rx / 2 - t, neck_y + (bottom - neck_y) / 3}};
        SDL_Point r[2] = {{cx + rx / 2 + t, neck_y},
                          {cx + rx / 2 + t, neck_y + (bottom - neck_y) / 3}};
        SDL_RenderDrawLines(rd, l, 2);
        SDL_RenderDrawLines(rd, r, 2);
        SDL_RenderDrawLine(rd, cx - rx / 2 - t, neck_y + (bottom - neck_y) / 3, v.x + v.w / 10,
                           bottom - t);
        SDL_RenderDrawLine(rd, cx + rx / 2 + t, neck_y + (bottom - neck_y) / 3,
                           v.x + v.w - v.w / 10, bottom - t);
    }
}

static void draw_pic(ui *u, const pic *pc, SDL_Rect dst, bool mirror)
{
    if (pc == NULL || pc->channels != 3)
        return;
    SDL_Texture *tx = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24,
                                        SDL_TEXTUREACCESS_STATIC, pc->width, pc->height);
    if (tx == NULL)
        return;
    SDL_UpdateTexture(tx, NULL, pc->px, pc->width * 3);
    SDL_RenderCopyEx(u->renderer, tx, NULL, &dst, 0, NULL,
                     mirror ? SDL_FLIP_HORIZONTAL : SDL_FLIP_NONE);
    SDL_DestroyTexture(tx);
}

/* The staff's line (a camera problem's or a check's message, translated). */
static void draw_staff_line(ui *u, SDL_Rect r, int *y, const char *text)
{
    char line[320];
    g_snprintf(line, sizeof line, "%s %s", _("For the desk officer:"), text);
    *y += ui_text(u, line, (SDL_Rect){r.x, *y, r.w, r.h}, UI_FONT_SMALL, UI_COLOR_ALERT,
                  UI_ALIGN_START);
}

static const char *instruction_text(const analysis *an, bool child)
{
    if (an->seq == 0)
        return child ? _("Can you fit your head into the yellow shape? Look at the screen like in "
                         "a mirror.")
                     : _("Look at the screen like in a mirror and put your head in the shape.");
    if (an->pass)
        return _("Good! Hold still.");
    if (an->for_staff || an->instruction == NULL)
        return _("Please wait: the desk officer will help you.");
    return _(an->instruction);
}

static void draw_live(screen *scr, ui *u, SDL_Rect r)
{
    photo_priv *p = scr->priv;
    copy_preview(scr, u);
    int vw = r.w * 3 / 5, vh = vw * 2 / 3;
    if (vh > r.h) {
        vh = r.h;
        vw = vh * 3 / 2;
    }
    SDL_Rect v = ui_mirror(u, (SDL_Rect){r.x, r.y, vw, vh});
    ui_fill(u, v, UI_COLOR_TEXT);
    if (p->live_tex)
        /* mirrored, as a mirror shows the person */
        SDL_RenderCopyEx(u->renderer, p->live_tex, NULL, &v, 0, NULL, SDL_FLIP_HORIZONTAL);
    draw_guide(u, v, p->child, p->an.pass && p->phase == PHASE_LIVE);

    SDL_Rect side =
        ui_mirror(u, (SDL_Rect){r.x + vw + ui_px(u, 32), r.y, r.w - vw - ui_px(u, 32), r.h});
    int y = side.y;
    if (p->phase == PHASE_COUNTDOWN) {
        int64_t left = p->countdown_end - session_now_ms(SCREEN_SESSION(scr));
        char num[8];
        g_snprintf(num, sizeof num, "%d", (int)((left + 999) / 1000));
        y += ui_text(u, _("Look into the camera"), (SDL_Rect){side.x, y, side.w, side.h},
                     UI_FONT_HUGE, UI_COLOR_TEXT, UI_ALIGN_START);
        y += ui_text(u, num, (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_HUGE, UI_COLOR_PRIMARY,
                     UI_ALIGN_CENTER);
    } else if (p->phase == PHASE_CAPTURING) {
        y += ui_text(u, _("Hold still: the photo is being taken."),
                     (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_HUGE, UI_COLOR_TEXT,
                     UI_ALIGN_START);
    } else {
        y += ui_text(u, instruction_text(&p->an, p->child), (SDL_Rect){side.x, y, side.w, side.h},
                     UI_FONT_HUGE, UI_COLOR_TEXT, UI_ALIGN_START);
        if (p->an.seq != p->drawn_an_seq) {
            /* every analysis result reaches the screen (input() marks it dirty) */
            p->drawn_an_seq = p->an.seq;
            p->instructions_drawn++;
        }
    }
    y += ui_px(u, 16);
    if (p->an.for_staff && p->an.instruction && p->phase == PHASE_LIVE)
        draw_staff_line(u, side, &y, staff_instruction(p->an.instruction));
    if (p->cap_problem != CAMERA_PROBLEM_NONE && p->phase == PHASE_LIVE) {
        y += ui_text(u, _("The photo could not be taken. Please try again."),
                     (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                     UI_ALIGN_START);
        draw_staff_line(u, side, &y, problem_text(p->cap_problem));
    }
    char line[96];
    g_snprintf(line, sizeof line, _("Photo %d of %d"), p->n_attempts + 1, p->allowed);
    ui_text(u, line,
            (SDL_Rect){side.x, side.y + side.h - 2 * u->target - ui_px(u, 40), side.w, side.h},
            UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
    if (p->phase == PHASE_LIVE && p->ready)
        screens_main_button(u, side, _("Take the photo"), ID_TAKE);
}

static const char *check_label(const char *name)
{
    static const struct {
        const char *name, *label;
    } labels[] = {
        {"faces", N_("One face")},
        {"head_in_frame", N_("Whole head in the picture")},
        {"eye_distance", N_("Size of the face")},
        {"roll", N_("Head straight")},
        {"head_width", N_("Width of the head")},
        {"head_height", N_("Height of the head")},
        {"eye_line", N_("Height of the eyes")},
        {"face_centre", N_("Face in the middle")},
        {"face_brightness", N_("Light on the face")},
        {"overexposure", N_("Not too bright")},
        {"sharpness", N_("Sharpness")},
        {"background_uniformity", N_("Plain background")},
        {"background_brightness", N_("Light of the background")},
        {"background_grey", N_("Grey background")},
        {"colour_cast", N_("Natural colours")},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(labels); i++)
        if (strcmp(labels[i].name, name) == 0)
            return _(labels[i].label);
    return name;
}

/* What no check of icao.c covers (icao_not_checked()), said wherever "meets the rules" is. */
static const char not_checked_text[] =
    N_("Not checked by the kiosk: head turned or tilted forward, eyes open, mouth closed and "
       "expression, glasses and reflections, shadows, head covering, gaze — the officer "
       "looks.");

static void draw_result(screen *scr, ui *u, SDL_Rect r)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    const attempt *a = p->attempts[p->n_attempts - 1];
    int th = r.h - u->target - ui_px(u, 24), tw = th * THUMB_W / THUMB_H;
    draw_pic(u, a->thumb, ui_mirror(u, (SDL_Rect){r.x, r.y, tw, th}), false);
    SDL_Rect side =
        ui_mirror(u, (SDL_Rect){r.x + tw + ui_px(u, 32), r.y, r.w - tw - ui_px(u, 32), r.h});
    int y = side.y;
    y += ui_text(u,
                 a->compliant ? _("This photo meets the rules.")
                              : _("This photo does not meet the rules."),
                 (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_TITLE,
                 a->compliant ? UI_COLOR_PRIMARY : UI_COLOR_ALERT, UI_ALIGN_START);
    if (!a->compliant && a->instruction && !a->for_staff)
        y += ui_text(u, _(a->instruction), (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_BODY,
                     UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 8);
    int col = side.w / 2;
    for (int i = 0; i < a->n_checks; i++) {
        char line[160];
        g_snprintf(line, sizeof line, "%s: %s", check_label(a->checks[i].name),
                   a->checks[i].pass ? _("passed") : _("not passed"));
        SDL_Rect cr = {side.x + (i % 2) * col, y + (i / 2) * ui_line_height(u, UI_FONT_SMALL, line),
                       col - ui_px(u, 8), ui_line_height(u, UI_FONT_SMALL, line)};
        ui_text(u, line, cr, UI_FONT_SMALL, a->checks[i].pass ? UI_COLOR_TEXT : UI_COLOR_ALERT,
                UI_ALIGN_START);
    }
    y += ((a->n_checks + 1) / 2) * ui_line_height(u, UI_FONT_SMALL, "A") + ui_px(u, 8);
    if (a->for_staff && a->instruction)
        draw_staff_line(u, side, &y, staff_instruction(a->instruction));
    /* "meets the rules" covers only the checks above (a failing photo with a staff line says
     * nothing of the kind, and the lines would not fit above the buttons) */
    if (a->compliant)
        ui_text(u, _(not_checked_text), (SDL_Rect){side.x, y, side.w, side.h}, UI_FONT_SMALL,
                UI_COLOR_TEXT, UI_ALIGN_START);
    if (a->compliant)
        screens_main_button(u, side, _("Use this photo"), ID_USE);
    screens_side_button(u, side, _("Take it again"), ID_RETAKE);
    (void)s;
}

static void draw_officer(screen *scr, ui *u, SDL_Rect r)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    bool staff = session_staff_active(s);
    int y = r.y;
    y += ui_text(u,
                 staff ? _("Choose the photo to keep, or take another one.")
                       : _("The desk officer chooses the photo. Please wait."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    if (staff)
        y += ui_text(u, _(not_checked_text), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_SMALL,
                     UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 12);
    int n = p->n_attempts;
    int gap = ui_px(u, 24);
    /* A column per photo, as wide as the screen allows (its texts do not wrap): the photo, its
     * verdict, the checks it failed (at most three lines) and its button. */
    int small = ui_line_height(u, UI_FONT_SMALL, "Ag");
    int cols = MAX(n, 3);
    int col = MIN((r.w - (cols - 1) * gap) / cols, ui_px(u, 560));
    int below = 4 * small + u->target + ui_px(u, 20);
    int th = r.y + r.h - y - below - u->target - gap;
    int tw = th * THUMB_W / THUMB_H;
    if (tw > col) {
        tw = col;
        th = tw * THUMB_H / THUMB_W;
    }
    for (int i = 0; i < n; i++) {
        const attempt *a = p->attempts[i];
        SDL_Rect cr = ui_mirror(u, (SDL_Rect){r.x + i * (col + gap), y, col, th});
        SDL_Rect tr = {cr.x, y, tw, th};
        if (a->thumb)
            draw_pic(u, a->thumb, tr, false);
        else
            ui_fill(u, tr, UI_COLOR_PANEL);
        char line[96];
        g_snprintf(line, sizeof line, "%d: %s", i + 1,
                   a->compliant ? _("meets the rules") : _("does not meet the rules"));
        int ty = y + th + ui_px(u, 4);
        ty += ui_text(u, line, (SDL_Rect){cr.x, ty, col, small}, UI_FONT_SMALL,
                      a->compliant ? UI_COLOR_TEXT : UI_COLOR_ALERT, UI_ALIGN_START);
        /* the officer decides knowing why: the checks that failed, by name */
        int shown = 0;
        for (int c = 0; c < a->n_checks && shown < 3; c++) {
            if (a->checks[c].pass)
                continue;
            ty += ui_text(u, check_label(a->checks[c].name), (SDL_Rect){cr.x, ty, col, small},
                          UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
            shown++;
        }
        if (staff && a->cropped) {
            char label[64];
            g_snprintf(label, sizeof label, _("Keep photo %d"), i + 1);
            button_draw(u,
                        (SDL_Rect){cr.x, y + th + 4 * small + ui_px(u, 12),
                                   MIN(col, MAX(tw, ui_px(u, 300))), u->target},
                        label, ID_STAFF_ACCEPT + i, BUTTON_STAFF);
        }
    }
    if (staff && p->n_attempts < MAX_ATTEMPTS) {
        /* as wide as its words need */
        const char *again = _("Reject these and take another photo");
        int w = 0, h = 0;
        ui_text_size(u, again, UI_FONT_BODY, &w, &h);
        w = MIN(r.w, MAX(ui_px(u, 480), w + ui_px(u, 64)));
        button_draw(u, ui_mirror(u, (SDL_Rect){r.x, r.y + r.h - u->target, w, u->target}), again,
                    ID_STAFF_REJECT, BUTTON_SECONDARY);
    }
}

static void draw(screen *scr, ui *u)
{
    photo_priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = session_draw_frame(s, u, screens_item_name(FLOW_ITEM_PHOTO), true);
    if (!p->ready && p->phase != PHASE_RESULT && p->phase != PHASE_OFFICER) {
        int y = r.y;
        y += ui_text(u, _("The camera is not ready. Please wait: the desk officer will help you."),
                     (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE, UI_COLOR_TEXT, UI_ALIGN_START);
        y += ui_px(u, 16);
        if (p->problem != CAMERA_PROBLEM_NONE)
            draw_staff_line(u, r, &y, problem_text(p->problem));
        else
            ui_text(u, _("Starting the camera..."), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY,
                    UI_COLOR_TEXT, UI_ALIGN_START);
        if (p->n_attempts > 0) {
            char line[96];
            g_snprintf(line, sizeof line, _("Photos taken so far: %d"), p->n_attempts);
            ui_text(u, line, (SDL_Rect){r.x, y + ui_px(u, 80), r.w, r.h}, UI_FONT_BODY,
                    UI_COLOR_TEXT, UI_ALIGN_START);
        }
        /* away longer than reconnect_seconds: staff may skip the step or end the visit */
        devwait_draw(&p->wait, s, u, r);
        return;
    }
    switch (p->phase) {
    case PHASE_LIVE:
    case PHASE_COUNTDOWN:
    case PHASE_CAPTURING:
        draw_live(scr, u, r);
        break;
    case PHASE_RESULT:
        draw_result(scr, u, r);
        break;
    case PHASE_OFFICER:
        draw_officer(scr, u, r);
        break;
    }
}

static screen_class photo_screen = {
    .name = "capture-photo",
    .applicant = true,
    .priv_size = sizeof(photo_priv),
    .enter = enter,
    .exit = exit_,
    .input = input,
    .action = action,
    .update = update,
    .draw = draw,
    .events = photo_event_types,
};

/* ---- the technician's check (ui/capture.h) ---- */

#define CHECK_LIVE_US    (3 * G_USEC_PER_SEC)  /* live view measured (the self-test's 3 s) */
#define CHECK_FIRST_US   (13 * G_USEC_PER_SEC) /* the first frame (the self-test's 3 + 10 s) */
#define CHECK_FACE_US    (20 * G_USEC_PER_SEC)
#define CHECK_CAPTURE_US (60 * G_USEC_PER_SEC) /* the self-test's CAPTURE_MS */

/* Under mod.lock. */
static bool check_cancelled(const capture_check_run *run)
{
    return (run->cancel && g_atomic_int_get(run->cancel)) || mod.screen_up || mod.stopping;
}

/* Waits on the check's condition until `end` (under mod.lock), in slices so that a cancel is
 * seen at once; false when `end` has passed. */
static bool check_sleep(gint64 end)
{
    gint64 now = g_get_monotonic_time();
    if (now >= end)
        return false;
    g_cond_wait_until(&mod.chk_cond, &mod.lock, MIN(end, now + 100 * G_TIME_SPAN_MILLISECOND));
    return true;
}

static void check_report(const capture_check_run *run, const char *name, capture_check_status st,
                         gint64 t0, const char *action, const char *unit, double number,
                         const char *fmt, ...) G_GNUC_PRINTF(8, 9);

/* One result (unit NULL: no number); `t0` 0: no duration. */
static void check_report(const capture_check_run *run, const char *name, capture_check_status st,
                         gint64 t0, const char *action, const char *unit, double number,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    capture_check_result r = {
        .name = name,
        .status = st,
        .value = value,
        .has_number = unit != NULL,
        .number = number,
        .unit = unit,
        .action = st == CAPTURE_CHECK_PASS ? NULL : action,
        .duration_ms = t0 ? (double)(g_get_monotonic_time() - t0) / 1000.0 : 0,
    };
    run->result(run->data, &r);
}

static void check_skip_all(const capture_check_run *run, const char *why)
{
    static const char *const names[] = {"camera.live_view", "camera.frames_decode",
                                        "camera.face_detection", "camera.capture"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        check_report(run, names[i], CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0, "%s", why);
}

/* Live view for 3 s, then the frames' rate and how many decoded; the newest decoded frame in
 * *sample (transfer full). False when the check was cancelled. */
static bool check_live(const capture_check_run *run, pic **sample)
{
    gint64 t0 = g_get_monotonic_time();
    g_mutex_lock(&mod.lock);
    if (check_cancelled(run)) {
        g_mutex_unlock(&mod.lock);
        return false;
    }
    mod.chk_live = true;
    /* under the lock: the photo step coming on screen switches live view on after this */
    camera_set_live(mod.cam, true);
    gint64 end = t0 + CHECK_FIRST_US;
    while (!check_cancelled(run)) {
        if (mod.chk_first != 0)
            end = mod.chk_first + CHECK_LIVE_US;
        if (!check_sleep(end))
            break;
    }
    mod.chk_live = false;
    bool cancelled = check_cancelled(run);
    if (!mod.screen_up)
        camera_set_live(mod.cam, false);
    gint64 first = mod.chk_first, last = mod.chk_last;
    unsigned frames = mod.chk_frames, decoded = mod.chk_decoded;
    *sample = mod.chk_sample;
    mod.chk_sample = NULL;
    char problem[sizeof mod.chk_problem];
    g_strlcpy(problem, mod.chk_problem, sizeof problem);
    g_mutex_unlock(&mod.lock);
    if (cancelled)
        return false;

    /* as `biokiosk selftest` reports them */
    unsigned total = frames + (first != 0);
    double fps =
        frames > 0 && last > first ? frames / ((double)(last - first) / G_USEC_PER_SEC) : 0.0;
    double seconds = (double)CHECK_LIVE_US / G_USEC_PER_SEC;
    if (total == 0)
        check_report(run, "camera.live_view", CAPTURE_CHECK_FAIL, t0,
                     "Switch the camera off and on; check that it is in a mode with live view.",
                     "fps", fps, "no live-view frame in %.0f s%s%s", seconds + 10,
                     problem[0] ? ": " : "", problem);
    else
        check_report(run, "camera.live_view", CAPTURE_CHECK_PASS, t0, NULL, "fps", fps,
                     "%u frames, %.1f frames per second over %.1f s", total, fps, seconds);
    if (total == 0)
        check_report(run, "camera.frames_decode", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                     "Skipped: no frames.");
    else
        check_report(run, "camera.frames_decode",
                     decoded == total ? CAPTURE_CHECK_PASS : CAPTURE_CHECK_FAIL, t0,
                     "Frames from the camera are damaged: check the cable, then switch the camera "
                     "off and on.",
                     "share", (double)decoded / total, "%u of %u frames decode", decoded, total);
    return true;
}

/* One face search on the frame, by the analysis thread with the module's face finder (so that
 * it never runs beside the step's own analysis). False when cancelled. */
static bool check_faces(const capture_check_run *run, pic *sample)
{
    if (sample == NULL) {
        check_report(run, "camera.face_detection", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                     "Skipped: no frame.");
        return true;
    }
    gint64 t0 = g_get_monotonic_time();
    int w = sample->width, h = sample->height;
    g_mutex_lock(&mod.lock);
    mod.chk_face_done = false;
    mod.chk_face_pic = sample;
    g_cond_signal(&mod.cond);
    gint64 end = t0 + CHECK_FACE_US;
    while (!mod.chk_face_done && !check_cancelled(run)) {
        if (!check_sleep(end))
            break;
    }
    bool done = mod.chk_face_done, cancelled = check_cancelled(run);
    /* a frame the analysis thread has not taken yet is the check's to free */
    pic_free(mod.chk_face_pic);
    mod.chk_face_pic = NULL;
    bk_err err = mod.chk_face_err;
    int faces = mod.chk_faces;
    double ms = mod.chk_face_ms;
    g_mutex_unlock(&mod.lock);
    if (!done && cancelled)
        return false;
    if (!done)
        check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                     "The face detector failed on a live frame: report it.", NULL, 0,
                     "no answer from the face detector within %d s",
                     (int)(CHECK_FACE_US / G_USEC_PER_SEC));
    else if (err != BK_OK)
        check_report(run, "camera.face_detection", CAPTURE_CHECK_FAIL, t0,
                     "The face detector failed on a live frame: report it.", "ms", ms, "%s",
                     bk_err_str(err));
    else
        check_report(run, "camera.face_detection", CAPTURE_CHECK_PASS, t0, NULL, "ms", ms,
                     "%d face%s found in %.0f ms on a %dx%d frame", faces, faces == 1 ? "" : "s",
                     ms, w, h);
    return true;
}

/* A test photo taken and downloaded; its size. */
static void check_capture(const capture_check_run *run)
{
    run->prompt(run->data, N_("Camera: taking a test photo now."));
    gint64 t0 = g_get_monotonic_time();
    g_mutex_lock(&mod.lock);
    bool cancelled = check_cancelled(run);
    if (!cancelled) {
        mod.chk_capturing = true;
        mod.chk_cap_problem = CAMERA_PROBLEM_NONE;
        camera_capture(mod.cam);
        gint64 end = t0 + CHECK_CAPTURE_US;
        while (mod.chk_capturing && !check_cancelled(run)) {
            if (!check_sleep(end))
                break;
        }
        cancelled = mod.chk_capturing && check_cancelled(run);
    }
    uint8_t *jpeg = mod.chk_jpeg;
    size_t len = mod.chk_len;
    mod.chk_jpeg = NULL;
    camera_problem problem = mod.chk_cap_problem;
    g_mutex_unlock(&mod.lock);
    int w = 0, h = 0;
    if (jpeg && picio_peek_size(jpeg, len, &w, &h) == BK_OK)
        check_report(run, "camera.capture", CAPTURE_CHECK_PASS, t0, NULL, "ms",
                     (double)(g_get_monotonic_time() - t0) / 1000.0,
                     "%dx%d photo, %zu bytes, taken and downloaded", w, h, len);
    else
        check_report(run, "camera.capture", CAPTURE_CHECK_FAIL, t0,
                     "Check the camera's battery, lens cap and memory; switch it off and on.", NULL,
                     0, "%s",
                     jpeg                             ? "the photo does not decode"
                     : problem != CAMERA_PROBLEM_NONE ? camera_problem_message(problem)
                     : cancelled                      ? "cancelled"
                                                      : "no photo within 60 s");
    /* the technician's photo is not kept */
    biomem_free(jpeg);
    run->prompt(run->data, NULL);
}

/* camera.live_view, camera.frames_decode, camera.face_detection and (hands-on) camera.capture as
 * `biokiosk selftest` makes them, with the camera this module holds. */
static bk_err photo_check(const capture_check_run *run)
{
    g_mutex_lock(&mod.lock);
    if (mod.screen_up || mod.checking || mod.capturing || mod.working || mod.cap_jpeg ||
        mod.live_wanted) {
        g_mutex_unlock(&mod.lock);
        return BK_ERR_BUSY;
    }
    bool ready = mod.ready;
    mod.checking = true;
    mod.chk_first = mod.chk_last = 0;
    mod.chk_frames = mod.chk_decoded = 0;
    mod.chk_problem[0] = '\0';
    g_mutex_unlock(&mod.lock);
    g_message("technician's check: camera (hands-on %s)", run->hands_on ? "yes" : "no");
    pic *sample = NULL;
    if (!ready)
        check_skip_all(run, "Skipped: no camera.");
    else if (!check_live(run, &sample))
        check_skip_all(run, "cancelled");
    else if (!check_faces(run, sample))
        check_report(run, "camera.capture", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0, "cancelled");
    else if (!run->hands_on)
        check_report(run, "camera.capture", CAPTURE_CHECK_SKIP, 0, NULL, NULL, 0,
                     "Only with the hands-on steps.");
    else
        check_capture(run);
    g_mutex_lock(&mod.lock);
    mod.checking = false;
    mod.chk_live = false;
    pic_free(mod.chk_sample);
    mod.chk_sample = NULL;
    biomem_free(mod.chk_jpeg);
    mod.chk_jpeg = NULL;
    g_mutex_unlock(&mod.lock);
    return BK_OK;
}

static void status_line(char *buf, size_t size)
{
    g_mutex_lock(&mod.lock);
    if (mod.ready)
        g_snprintf(buf, size, "camera: %s, serial %s, ready", mod.model[0] ? mod.model : "camera",
                   mod.serial[0] ? mod.serial : "unknown");
    else if (mod.problem != CAMERA_PROBLEM_NONE)
        g_snprintf(buf, size, "camera: %s", camera_problem_message(mod.problem));
    else
        g_snprintf(buf, size, "camera: starting");
    g_mutex_unlock(&mod.lock);
}

static const capture_class photo_capture = {
    .item = FLOW_ITEM_PHOTO,
    .screen = &photo_screen,
    .status = status_line,
    .check = photo_check,
};

/* ---- script commands ---- */

/* Writes one line to the emulated camera's command pipe. */
static bk_err control(script *sc, const char *line)
{
    if (mod.control == NULL)
        return script_fail(sc, "no emulated camera: set BIOKIOSK_CAMERA_CONTROL");
    int fd = open(mod.control, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return script_fail(sc, "cannot open the camera's command pipe: %s", g_strerror(errno));
    g_autofree char *text = g_strconcat(line, "\n", NULL);
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    if (n != (ssize_t)strlen(text))
        return script_fail(sc, "cannot write to the camera's command pipe");
    /* the emulator reads its commands on another process: give it a moment (real time) */
    g_usleep(100 * 1000);
    script_settle(sc);
    return BK_OK;
}

static bk_err cmd_camera_fault(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    static const char *const names[][2] = {
        {"busy", "busy"},        {"no-capture-event", "no-capture-event"},
        {"drop", "drop"},        {"corrupt", "corrupt-jpeg"},
        {"slow", "slow-frames"}, {"none", "none"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(argv[1], names[i][0]) == 0) {
            g_autofree char *line =
                g_strdup_printf("fault %s %s", names[i][1], argc > 2 ? argv[2] : "1");
            return control(sc, line);
        }
    }
    return script_fail(sc,
                       "camera-fault: unknown fault '%s' (busy, no-capture-event, drop, "
                       "corrupt, slow, none)",
                       argv[1]);
}

static bk_err cmd_camera_unplug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return control(sc, "unplug");
}

static bk_err cmd_camera_plug(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)argv;
    (void)rest;
    return control(sc, "plug");
}

/* The screen's counter for an event name, or -1. */
static int64_t wait_value(const photo_priv *p, const char *what)
{
    if (strcmp(what, "frame") == 0)
        return (int64_t)p->frames_shown;
    if (strcmp(what, "analysis") == 0)
        return (int64_t)p->analyses_seen;
    if (strcmp(what, "result") == 0)
        return (int64_t)p->results_seen;
    if (strcmp(what, "problem") == 0)
        return (int64_t)p->problems_seen;
    if (strcmp(what, "ready") == 0)
        return p->ready ? 1 : 0;
    if (strcmp(what, "paused") == 0)
        return p->ready ? 0 : 1;
    if (strcmp(what, "pass") == 0)
        return p->an.pass ? 1 : 0;
    return -1;
}

/* camera-wait EVENT [SECONDS]: lets real time pass (the kiosk's clock stands) until the photo
 * screen has seen EVENT: frame, analysis, result, problem (a new one each), or until it is
 * ready, paused, or the checks pass; `idle` (any screen): until the photo's threads hold no
 * frame or photo. Fails after SECONDS (default 20). */
static bk_err cmd_camera_wait(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    session *s = script_session(sc);
    runner *r = session_runner(s);
    long secs = argc > 2 ? strtol(argv[2], NULL, 10) : 20;
    if (secs <= 0 || secs > 600)
        return script_fail(sc, "camera-wait: SECONDS must be 1..600");
    int64_t deadline = g_get_monotonic_time() + secs * G_USEC_PER_SEC;
    if (strcmp(argv[1], "idle") == 0) {
        /* the photo's threads hold no frame or photo (after the step, for memory checks) */
        for (;;) {
            g_mutex_lock(&mod.lock);
            bool idle = !mod.working && !mod.live_pic && !mod.cap_jpeg && !mod.live_wanted;
            g_mutex_unlock(&mod.lock);
            if (idle)
                break;
            if (g_get_monotonic_time() > deadline)
                return script_fail(sc, "camera-wait idle: still busy after %ld s", secs);
            runner_wait(r, 50);
        }
        script_settle(sc);
        return BK_OK;
    }
    screen *scr = runner_find(r, &photo_screen);
    if (scr == NULL)
        return script_fail(sc, "camera-wait: the photo screen is not shown (screen '%s')",
                           session_screen_name(s));
    int64_t start = wait_value(scr->priv, argv[1]);
    if (start < 0)
        return script_fail(sc,
                           "camera-wait: unknown event '%s' (frame, analysis, result, "
                           "problem, ready, paused, pass)",
                           argv[1]);
    bool level = strcmp(argv[1], "ready") == 0 || strcmp(argv[1], "paused") == 0 ||
                 strcmp(argv[1], "pass") == 0;
    for (;;) {
        runner_wait(r, 50);
        scr = runner_find(r, &photo_screen);
        if (scr == NULL)
            return script_fail(sc, "camera-wait: the photo screen went away");
        int64_t v = wait_value(scr->priv, argv[1]);
        if (level ? v == 1 : v > start)
            break;
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *texts = ui_texts_joined(session_ui(s));
            return script_fail(sc, "camera-wait %s: nothing after %ld s; showing: %s", argv[1],
                               secs, texts);
        }
    }
    script_settle(sc);
    return BK_OK;
}

/* camera-watch SECONDS: lets real time pass on the photo screen and prints on stdout how many
 * live-view frames were shown, how many analysis results arrived and how many were drawn as
 * the instruction, in all and per second (for benchmarks; tests must not assert rates). */
static bk_err cmd_camera_watch(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    session *s = script_session(sc);
    runner *r = session_runner(s);
    long secs = strtol(argv[1], NULL, 10);
    if (secs <= 0 || secs > 600)
        return script_fail(sc, "camera-watch: SECONDS must be 1..600");
    screen *scr = runner_find(r, &photo_screen);
    if (scr == NULL)
        return script_fail(sc, "camera-watch: the photo screen is not shown (screen '%s')",
                           session_screen_name(s));
    const photo_priv *p = scr->priv;
    uint64_t f0 = p->frames_shown, a0 = p->analyses_seen, d0 = p->instructions_drawn;
    int64_t start = g_get_monotonic_time(), end = start + secs * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        runner_wait(r, 20);
        if (runner_find(r, &photo_screen) != scr)
            return script_fail(sc, "camera-watch: the photo screen went away");
    }
    double t = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
    uint64_t f = p->frames_shown - f0, a = p->analyses_seen - a0, d = p->instructions_drawn - d0;
    printf("camera-watch: seconds=%.1f frames=%" G_GUINT64_FORMAT " frames_per_s=%.1f "
           "analyses=%" G_GUINT64_FORMAT
           " analyses_per_s=%.1f instructions_drawn=%" G_GUINT64_FORMAT
           " instructions_per_s=%.1f\n",
           t, f, f / t, a, a / t, d, d / t);
    fflush(stdout);
    script_settle(sc);
    return BK_OK;
}

/* ---- set-up ---- */

bk_err capture_photo_setup(const capture_photo_config *cfg, char **message)
{
    if (mod.up)
        return BK_ERR_EXISTS;
    const char *dir = cfg->cascade_dir && cfg->cascade_dir[0] ? cfg->cascade_dir : DEFAULT_CASCADES;
    bk_err err = face_finder_new(dir, &mod.finder);
    if (err != BK_OK) {
        if (message)
            *message = g_strdup_printf(
                "[photo] cascades: cannot load the face models from %s (package opencv-data): %s",
                dir, bk_err_str(err));
        return BK_ERR_NOT_FOUND;
    }
    bool model = cfg->camera_model && cfg->camera_model[0];
    camera_config cc = {
        .model = model ? cfg->camera_model : NULL,
        .port = model ? cfg->camera_port : NULL,
        .capture_timeout_ms = CAPTURE_TIMEOUT_MS,
    };
    err = camera_new(&cc, &mod.cam);
    if (err != BK_OK) {
        face_finder_free(mod.finder);
        mod.finder = NULL;
        if (message)
            *message = g_strdup_printf("[camera]: cannot start the camera: %s", bk_err_str(err));
        return err;
    }
    mod.max_attempts = cfg->attempts > 0 ? MIN(cfg->attempts, MAX_ATTEMPTS) : 3;
    mod.limits[0] = cfg->limits ? *cfg->limits : icao_settings_default(false);
    mod.limits[1] = cfg->child_limits ? *cfg->child_limits : icao_settings_default(true);
    mod.control = cfg->emulator_control ? g_strdup(cfg->emulator_control) : NULL;
    mod.ev_type = SDL_RegisterEvents(1);
    photo_event_types[0] = mod.ev_type;
    mod.stopping = false;
    g_mutex_init(&mod.lock);
    g_cond_init(&mod.cond);
    g_cond_init(&mod.chk_cond);
    face_tracker_init(&mod.track, FULL_SEARCH_EVERY);
    mod.pump = g_thread_new("photo-pump", pump_main, NULL);
    mod.worker = g_thread_new("photo-analysis", worker_main, NULL);
    mod.up = true;
    capture_register(&photo_capture);
    script_register("camera-fault", 1, 2, cmd_camera_fault, "camera-fault NAME [TIMES]");
    script_register("camera-unplug", 0, 0, cmd_camera_unplug, "camera-unplug");
    script_register("camera-plug", 0, 0, cmd_camera_plug, "camera-plug");
    script_register("camera-wait", 1, 2, cmd_camera_wait, "camera-wait EVENT [SECONDS]");
    script_register("camera-watch", 1, 1, cmd_camera_watch, "camera-watch SECONDS");
    return BK_OK;
}

void capture_photo_teardown(void)
{
    if (!mod.up)
        return;
    g_mutex_lock(&mod.lock);
    mod.stopping = true;
    g_cond_broadcast(&mod.cond);
    g_mutex_unlock(&mod.lock);
    g_thread_join(mod.pump);
    g_thread_join(mod.worker);
    camera_free(mod.cam);
    face_finder_free(mod.finder);
    pic_free(mod.preview);
    pic_free(mod.live_pic);
    biomem_free(mod.cap_jpeg);
    attempt_free(mod.result);
    pic_free(mod.chk_sample);
    pic_free(mod.chk_face_pic);
    biomem_free(mod.chk_jpeg);
    g_free(mod.control);
    g_mutex_clear(&mod.lock);
    g_cond_clear(&mod.cond);
    g_cond_clear(&mod.chk_cond);
    memset(&mod, 0, sizeof mod);
}
