#include "kiosk.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h> /* -- record */

#include <glib.h>

#include "ui/capture_finger.h"
#include "ui/capture_photo.h"
#include "ui/capture_signature.h"
#include "cli/cli.h"
#include "config/config.h"
#include "ui/i18n.h"
#include "capture/speech.h" /* -- guide */
#include "ui/pictogram.h"   /* -- guide */
#include "capture/photo.h"  /* -- photo */
#include "capture/finger.h" /* -- fingerprints */
#include "ui/script.h"
#include "ui/session.h"
#include "store/store.h"
#include "ui/technician.h" /* -- technicians */
#include "ui/ui.h"
#include "visit/deliver.h" /* -- delivery */
#include "visit/kioskrec.h"
#include "selftest/selftest.h" /* -- delivery: the clock check */
#include "visit/visit.h"
#ifdef BIOKIOSK_TEST_HOOKS
#include "testhooks/hooks.h"
#endif

typedef struct options {
    gboolean windowed;
    char *config_path;
    char *now;
    char *script;
    char *screenshots;
    char *size;
} options;

/* A stop request from systemd (SIGTERM) or a terminal (SIGINT): the session releases the
 * appointment and the kiosk ends. SDL's own handlers would turn it into a quit event, which the
 * kiosk ignores (no way out for the applicant). */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* -- photo: the service's wake, called on its threads: an SDL user event of the type in `data`
 * wakes the main loop, and the photo screen drains the service's events (SDL_PushEvent is
 * thread-safe). */
static void wake_photo_screen(void *data)
{
    SDL_Event ev = {.type = GPOINTER_TO_UINT(data)};
    SDL_PushEvent(&ev);
}

/* The visit controller's wake, called on its worker: an SDL user event wakes the main loop, and
 * the session drains the controller's answers (SDL_PushEvent is thread-safe). */
static void wake_visit(void *data)
{
    SDL_Event ev = {.type = GPOINTER_TO_UINT(data)};
    SDL_PushEvent(&ev);
}

/* -- delivery: the worker purges delivered records only when the self-test's clock check
 * passes (called once, on the worker's thread) */
static bool delivery_clock_trusted(void *data, char *why, size_t size)
{
    return selftest_clock_trusted(data, why, size);
}

/* -- delivery: the worker that sends the outbox to the receiver ([delivery]; without a URL it
 * only purges delivered records and watches how long records wait) */
static bk_err start_delivery(const config *cfg, deliver_worker **out, char **message)
{
    deliver_settings ds = {
        .outbox = config_get_string(cfg, CONFIG_RECORD_OUTBOX),
        .url = config_get_string(cfg, CONFIG_DELIVERY_URL),
        .ca = config_get_string(cfg, CONFIG_DELIVERY_CA),
        .receiver_key = config_get_string(cfg, CONFIG_DELIVERY_RECEIVER_KEY),
        .interval_seconds = (unsigned)config_get_int(cfg, CONFIG_DELIVERY_INTERVAL_SECONDS),
        .alert_hours = (unsigned)config_get_int(cfg, CONFIG_DELIVERY_ALERT_HOURS),
        .retention_days = (unsigned)config_get_int(cfg, CONFIG_RECORD_RETENTION_DAYS),
        .audit_log = config_get_string(cfg, CONFIG_AUDIT_LOG),
        .kiosk_key = config_get_string(cfg, CONFIG_RECORD_KIOSK_KEY),
        .audit_hash_key = config_get_string(cfg, CONFIG_RECORD_AUDIT_HASH_KEY),
        .clock_trusted = delivery_clock_trusted,
        .clock_data = (void *)cfg,
    };
    return deliver_worker_new(&ds, out, message);
}

static void options_clear(options *o)
{
    g_free(o->config_path);
    g_free(o->now);
    g_free(o->script);
    g_free(o->screenshots);
    g_free(o->size);
}

static int fail(int status, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "biokiosk: %s\n", text);
    return status;
}

/* -- fingerprints: the service (app/capture/finger.h) with the [fingerprint] settings and its
 * screen, woken by an SDL user event; with the test hooks, the reader is fed in the demo and the
 * scripted mode (app/testhooks/finger_hooks.c). 0, or the exit status after saying why. */
static int fingerprints_setup(const config *cfg, const char *path, bool scripted,
                              finger_service **fs, capture_finger **finger_screen)
{
    fingerplan_settings plan;
    fingerplan_default_settings(&plan);
    plan.threshold[FINGERPLAN_INDEX] = (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_INDEX);
    plan.threshold[FINGERPLAN_THUMB] = (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_THUMB);
    plan.threshold[FINGERPLAN_MIDDLE] =
        (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_MIDDLE);
    plan.threshold[FINGERPLAN_RING] = (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_RING);
    plan.max_attempts = (int)config_get_int(cfg, CONFIG_FINGERPRINT_ATTEMPTS);
    if (fingerplan_parse_order(config_get_string(cfg, CONFIG_FINGERPRINT_FALLBACK_ORDER), &plan) !=
        BK_OK)
        return fail(2, "%s: [fingerprint] fallback_order: thumb, middle and ring, each once", path);
    uint32_t wake_event = SDL_RegisterEvents(1);
    finger_service_settings set = {
        .driver = config_get_string(cfg, CONFIG_FINGERPRINT_DRIVER),
        .virtual_socket = config_get_string(cfg, CONFIG_FINGERPRINT_VIRTUAL_SOCKET),
        .manual_rescan = scripted, /* the script's reader-plug looks for the reader */
        .match_threshold = (int)config_get_int(cfg, CONFIG_FINGERPRINT_MATCH_THRESHOLD),
        .lfp_match_threshold = (int)config_get_int(cfg, CONFIG_FINGERPRINT_LFP_MATCH_THRESHOLD),
        .assume_ppi = (int)config_get_int(cfg, CONFIG_FINGERPRINT_ASSUME_PPI),
        .wake = wake_photo_screen, /* (any screen's: it pushes the event type in data) */
        .wake_data = GUINT_TO_POINTER(wake_event),
    };
    g_autofree char *message = NULL;
    if (finger_service_new(&set, fs, &message) != BK_OK)
        return fail(2, "%s: %s", path, message);
    *finger_screen = capture_finger_register(*fs, &plan, wake_event, &message);
    if (*finger_screen == NULL)
        return fail(2, "%s: %s", path, message);
#ifdef BIOKIOSK_TEST_HOOKS
    finger_hooks_attach(*fs, set.virtual_socket, scripted);
#endif
    return 0;
}

static bool parse_size(const char *text, int *w, int *h)
{
    return text && sscanf(text, "%dx%d", w, h) == 2 && *w >= 640 && *h >= 480 && *w <= 7680 &&
           *h <= 4320;
}

/* Everything the composition root makes, freed in reverse order by kiosk_teardown. */
typedef struct kiosk {
    options o;
    int width, height;
    int64_t wall_base;
    const char *path; /* the configuration file */
    config *cfg;
    char **languages;
    const char *def_lang;
    store *st;
    kioskrec *rec;            /* -- record */
    deliver_worker *delivery; /* -- delivery */
    ui *u;
    visit *vis;
    session *sess;
    signature_service *sigsvc; /* -- signature */
    capture_signature *sig_screen;
    technician *tech;     /* -- technicians */
    photo_service *photo; /* -- photo */
    capture_photo *photo_screen;
    finger_service *finger; /* -- fingerprints */
    capture_finger *finger_screen;
    speech *speech;         /* -- guide: spoken prompts and instructions */
    pictograms *pictograms; /* -- guide: the capture steps' pictures */
    char *message;
} kiosk;

/* The command line. 0, or the exit status after saying why. */
static int parse_options(kiosk *k, int argc, char **argv)
{
    options *o = &k->o;
    const GOptionEntry entries[] = {
        {"windowed", 'w', 0, G_OPTION_ARG_NONE, &o->windowed, "Open a window, not full screen",
         NULL},
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config_path,
         "The configuration file (default " CONFIG_DEFAULT_PATH ")", "FILE"},
        {"now", 0, 0, G_OPTION_ARG_STRING, &o->now,
         "Fix the kiosk's clock at this time (2026-11-23T09:30:00+01:00)", "ISO-TIME"},
        {"script", 0, 0, G_OPTION_ARG_FILENAME, &o->script,
         "Play this script with no screen (the scripted mode)", "FILE"},
        {"screenshots", 0, 0, G_OPTION_ARG_FILENAME, &o->screenshots,
         "Where the script's screenshots go", "DIR"},
        {"size", 0, 0, G_OPTION_ARG_STRING, &o->size, "Window size in pixels (1920x1080)", "WxH"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, "Without a command, biokiosk runs the kiosk screens.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &error);
    g_option_context_free(ctx);
    if (!parsed) {
        const char *prefix = "Unknown option ";
        int status = 2;
        if (g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION) &&
            g_str_has_prefix(error->message, prefix))
            status = fail(2, "unknown option '%s' (biokiosk --help lists the options)",
                          error->message + strlen(prefix));
        else
            status = fail(2, "%s", error->message);
        g_error_free(error);
        return status;
    }
    if (argc > 1)
        return fail(2, "unknown command '%s' (biokiosk --help lists them)", argv[1]);
    if (o->size && !parse_size(o->size, &k->width, &k->height))
        return fail(2, "--size: '%s' is not WIDTHxHEIGHT (640x480 to 7680x4320)", o->size);
    if (o->screenshots && !o->script)
        return fail(2, "--screenshots needs --script");
    if (o->screenshots && g_mkdir_with_parents(o->screenshots, 0755) != 0)
        return fail(2, "--screenshots: cannot create '%s'", o->screenshots);
    k->wall_base = g_get_real_time() / G_USEC_PER_SEC;
    if (o->now && store_time_parse(o->now, &k->wall_base, NULL) != BK_OK)
        return fail(2, "--now: '%s' is not an ISO time with an offset", o->now);
    return 0;
}

/* The configuration and the languages: all or nothing, the kiosk does not start
 * half-configured. 0, or the exit status after saying why. */
static int load_configuration(kiosk *k)
{
    k->path = k->o.config_path ? k->o.config_path : CONFIG_DEFAULT_PATH;
    if (config_load(k->path, &k->cfg, &k->message) != BK_OK)
        return fail(2, "%s", k->message);
    k->languages = g_strsplit(config_get_string(k->cfg, CONFIG_KIOSK_LANGUAGES), ",", -1);
    for (char **l = k->languages; *l; l++)
        g_strstrip(*l);
    k->def_lang = config_get_string(k->cfg, CONFIG_KIOSK_DEFAULT_LANGUAGE);
    if (!g_strv_contains((const char *const *)k->languages, k->def_lang))
        return fail(2, "%s: [kiosk] default_language: '%s' is not in [kiosk] languages", k->path,
                    k->def_lang);
    const char *locale_dir = config_get_string(k->cfg, CONFIG_KIOSK_LOCALE_DIR);
    const char *missing = NULL;
    bk_err err = i18n_load(locale_dir[0] ? locale_dir : NULL, (const char *const *)k->languages,
                           g_strv_length(k->languages), &missing);
    if (err != BK_OK)
        return fail(2, "%s: [kiosk] languages: no usable translation for '%s' (%s)", k->path,
                    missing ? missing : "?", bk_err_str(err));
    return 0;
}

/* The appointment store, the record's keys, outbox and audit log, and the delivery worker.
 * 0, or the exit status after saying why. */
static int open_store_and_record(kiosk *k)
{
    const config *cfg = k->cfg;
    bk_err err = store_open(config_get_string(cfg, CONFIG_STORE_URI), &k->st, &k->message);
    if (err != BK_OK)
        return fail(err == BK_ERR_INVALID ? 2 : 3, "[store] uri: %s",
                    k->message ? k->message : bk_err_str(err));
    /* persons of finished appointments leave the store after [store] keep_days */
    if (store_purge_persons_today(k->st, (int)config_get_int(cfg, CONFIG_STORE_KEEP_DAYS), NULL) !=
        BK_OK)
        g_warning("store: the persons of finished appointments could not be removed now");

    /* -- record: no kiosk without its keys, its outbox and its audit log. The process holds
     * faces, prints and pen points: no core dump of it, and no ptrace by other users */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        g_warning("cannot make the kiosk process non-dumpable: core dumps may hold biometrics");
    kioskrec_settings rs = {
        .outbox = config_get_string(cfg, CONFIG_RECORD_OUTBOX),
        .kiosk_key = config_get_string(cfg, CONFIG_RECORD_KIOSK_KEY),
        .backoffice_key = config_get_string(cfg, CONFIG_RECORD_BACKOFFICE_KEY),
        .audit_hash_key = config_get_string(cfg, CONFIG_RECORD_AUDIT_HASH_KEY),
        .audit_log = config_get_string(cfg, CONFIG_AUDIT_LOG),
        .retention_days = (unsigned)config_get_int(cfg, CONFIG_RECORD_RETENTION_DAYS),
        .desk = config_get_string(cfg, CONFIG_KIOSK_DESK),
        .kiosk_id = config_get_string(cfg, CONFIG_KIOSK_ID),
        .signature_box_width = (int)config_get_int(cfg, CONFIG_SIGNATURE_IMAGE_WIDTH),
        .signature_box_height = (int)config_get_int(cfg, CONFIG_SIGNATURE_IMAGE_HEIGHT),
        .signature_min_points = (unsigned)config_get_int(cfg, CONFIG_SIGNATURE_MIN_POINTS),
    };
    err = kioskrec_open(&rs, k->wall_base, &k->rec, &k->message);
    if (err == BK_OK)
        err = start_delivery(cfg, &k->delivery, &k->message); /* -- delivery */
    if (err != BK_OK)
        return fail(err == BK_ERR_INVALID ? 2 : 3, "%s: %s", k->path, k->message);
    return 0;
}

/* -- guide: the speech handle ([speech]; SDL's audio subsystem, none is no error) and the
 * pictograms ([kiosk] pictograms). Neither stops the kiosk: without them nothing is said or no
 * pictogram is drawn, and the log says why. */
static void guide_setup(kiosk *k)
{
    const config *cfg = k->cfg;
    speech_settings ss = {
        .enabled = config_get_bool(cfg, CONFIG_SPEECH_ENABLED),
        .volume = (int)config_get_int(cfg, CONFIG_SPEECH_VOLUME),
        .repeat_ms = (int)config_get_int(cfg, CONFIG_SPEECH_REPEAT_SECONDS) * 1000,
    };
    if (ss.enabled) {
        if (k->o.script) /* offscreen: SDL's dummy audio unless SDL_AUDIODRIVER says otherwise */
            SDL_SetHint(SDL_HINT_AUDIODRIVER, "dummy");
        ss.audio = SDL_InitSubSystem(SDL_INIT_AUDIO) == 0;
        if (!ss.audio)
            g_message("speech: no audio (%s): instructions are not spoken", SDL_GetError());
    }
    g_autofree char *why = NULL;
    if (speech_new(&ss, &k->speech, &why) != BK_OK)
        g_warning("speech: %s: instructions are not spoken", why);
    g_clear_pointer(&why, g_free);
    const char *dir = config_get_string(cfg, CONFIG_KIOSK_PICTOGRAMS);
    if (pictograms_load(dir[0] ? dir : NULL, &k->pictograms, &why) != BK_OK)
        g_warning("pictograms: %s: the capture steps show none", why);
}

/* The window (or the offscreen screen of the scripted mode). 0, or the exit status. */
static int open_ui(kiosk *k)
{
    const config *cfg = k->cfg;
    bool scripted = k->o.script != NULL;
    ui_options uo = {
        .width = k->width,
        .height = k->height,
        .fullscreen = !k->o.windowed && config_get_bool(cfg, CONFIG_KIOSK_FULLSCREEN) && !scripted,
        .headless = scripted,
        .width_mm = config_get_double(cfg, CONFIG_SCREEN_WIDTH_MM),
        .height_mm = config_get_double(cfg, CONFIG_SCREEN_HEIGHT_MM),
        .font = config_get_string(cfg, CONFIG_KIOSK_FONT),
        .font_arabic = config_get_string(cfg, CONFIG_KIOSK_FONT_ARABIC),
    };
    if (scripted && k->width == 0) {
        uo.width = 1920;
        uo.height = 1080;
    }
    bk_err err = ui_new(&uo, &k->u, &k->message);
    if (err != BK_OK)
        return fail(err == BK_ERR_NOT_FOUND ? 2 : 3, "%s", k->message);
    guide_setup(k); /* -- guide */
    return 0;
}

/* The visit controller (its worker wakes the main loop) and the session that hosts the screens
 * around it; the stop signals. */
static void make_visit_and_session(kiosk *k)
{
    const config *cfg = k->cfg;
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* the per-kiosk count of wrong PINs lives beside the audit log, in the kiosk's state */
    g_autofree char *state_dir = g_path_get_dirname(config_get_string(cfg, CONFIG_AUDIT_LOG));
    g_autofree char *limit_file = g_build_filename(state_dir, "staff-limit", NULL);
    visit_settings vs = {
        .desk = config_get_string(cfg, CONFIG_KIOSK_DESK),
        .kiosk_id = config_get_string(cfg, CONFIG_KIOSK_ID),
        .early_minutes = (int)config_get_int(cfg, CONFIG_ARRIVAL_EARLY_MINUTES),
        .late_minutes = (int)config_get_int(cfg, CONFIG_ARRIVAL_LATE_MINUTES),
        .idle_seconds = (int)config_get_int(cfg, CONFIG_SESSION_IDLE_SECONDS),
        .countdown_seconds = (int)config_get_int(cfg, CONFIG_SESSION_IDLE_COUNTDOWN_SECONDS),
        .max_pin_failures = (int)config_get_int(cfg, CONFIG_STAFF_MAX_PIN_FAILURES),
        .lockout_minutes = (int)config_get_int(cfg, CONFIG_STAFF_LOCKOUT_MINUTES),
        .kiosk_pin_failures = (int)config_get_int(cfg, CONFIG_STAFF_KIOSK_PIN_FAILURES),
        .limit_file = limit_file,
        .wake = wake_visit,
        .wake_data = GUINT_TO_POINTER(SDL_RegisterEvents(1)),
    };
    k->vis = visit_new(&vs, k->st, k->rec);
    session_settings set = {
        .kiosk_id = vs.kiosk_id,
        .idle_seconds = vs.idle_seconds,
        .courier = strcmp(config_get_string(cfg, CONFIG_SESSION_AFTER_DESK), "courier") == 0,
        .working_days = (int)config_get_int(cfg, CONFIG_SESSION_WORKING_DAYS),
        .pin_pad_timeout_seconds = (int)config_get_int(cfg, CONFIG_STAFF_PIN_PAD_TIMEOUT_SECONDS),
        .reconnect_seconds = (int)config_get_int(cfg, CONFIG_DEVICES_RECONNECT_SECONDS),
        .languages = (const char *const *)k->languages,
        .n_languages = g_strv_length(k->languages),
        .default_language = k->def_lang,
        .wall_base = k->wall_base,
        .virtual_clock = k->o.script != NULL,
        .stop = (const volatile int *)&stop_requested,
        .delivery = k->delivery, /* -- delivery */
        /* -- guide */
        .speech = k->speech,
        .pictograms = k->pictograms,
    };
    k->sess = session_new(&set, k->vis, k->u);
}

/* -- photo: the service (app/capture/photo.h) wakes its screen with an SDL user event. 0, or the
 * exit status after saying why. */
static int photo_setup(kiosk *k)
{
    if (!config_get_bool(k->cfg, CONFIG_PHOTO_ENABLED))
        return 0;
    photo_service_settings ps_set;
    photo_service_settings_from_config(k->cfg, &ps_set);
    uint32_t photo_wake = SDL_RegisterEvents(1);
    ps_set.wake = wake_photo_screen;
    ps_set.wake_data = GUINT_TO_POINTER(photo_wake);
    if (photo_service_new(&ps_set, &k->photo, &k->message) != BK_OK)
        return fail(2, "%s: %s", k->path, k->message);
    k->photo_screen = capture_photo_register(k->photo, photo_wake);
    return 0;
}

/* -- signature: the service (app/capture/signature.h) and its screen. 0, or the exit status. */
static int signature_setup(kiosk *k)
{
    const config *cfg = k->cfg;
    capture_signature_settings sig = {
        .min_points = (int)config_get_int(cfg, CONFIG_SIGNATURE_MIN_POINTS),
        .min_box_share = config_get_double(cfg, CONFIG_SIGNATURE_MIN_BOX_SHARE),
        .image_width = (int)config_get_int(cfg, CONFIG_SIGNATURE_IMAGE_WIDTH),
        .image_height = (int)config_get_int(cfg, CONFIG_SIGNATURE_IMAGE_HEIGHT),
    };
    signature_service_settings ss = {.source = SIGNATURE_SOURCE_AUTO};
    signature_source_parse(config_get_string(cfg, CONFIG_SIGNATURE_SOURCE), &ss.source);
    k->sigsvc = signature_service_new(&ss, &k->message);
    if (k->sigsvc == NULL)
        return fail(2, "%s: %s", k->path, k->message);
    k->sig_screen = capture_signature_register(&sig, k->sigsvc);
    return 0;
}

/* Capture devices: each area makes its service and registers its capture screen (ui/capture.h),
 * one helper each; then the technician screen. 0, or the exit status. */
static int capture_setup(kiosk *k)
{
    int status = photo_setup(k); /* -- photo */
    /* -- fingerprints */
    if (status == 0 && config_get_bool(k->cfg, CONFIG_FINGERPRINT_ENABLED))
        status =
            fingerprints_setup(k->cfg, k->path, k->o.script != NULL, &k->finger, &k->finger_screen);
    if (status == 0)
        status = signature_setup(k); /* -- signature */
    if (status != 0)
        return status;
    /* -- technicians: the technician screen (staff menu, technician role) */
    technician_settings ts = {.cfg = k->cfg};
    k->tech = technician_new(&ts);
    return 0;
}

/* Plays the script or runs the screens until a stop. The exit status. */
static int run(kiosk *k)
{
#ifdef BIOKIOSK_TEST_HOOKS
    if (k->o.script) {
        testhooks_context hc = {.sess = k->sess,
                                .visit = k->vis,
                                .cfg = k->cfg,
                                .signature = k->sigsvc,
                                .photo = k->photo};
        testhooks_register(&hc);
    }
#endif
    /* -- record */
    visit_audit(k->vis, "kiosk.start", "mode=%s", k->o.script ? "script" : "kiosk");
    const visit_settings *vs = visit_get_settings(k->vis);
    g_message("kiosk started: desk=%s kiosk=%s store=%s screen=%dx%d", vs->desk, vs->kiosk_id,
              store_backend_name(k->st), k->u->w, k->u->h);
    if (k->o.script == NULL) {
        runner_run(session_runner(k->sess));
        return 0;
    }
    g_autofree char *why = NULL;
    if (script_run(k->sess, k->o.script, k->o.screenshots, &why) == BK_OK)
        return 0;
    fprintf(stderr, "biokiosk: %s\n", why ? why : "the script failed");
    return 1;
}

/* Frees what was made, the screens first, then the controller, the services, the record. */
static void kiosk_teardown(kiosk *k, int status)
{
    session_free(k->sess);
    visit_free(k->vis); /* its worker ends once it did what was asked */
    /* -- technicians: its checks use the configuration and the capture modules, freed below */
    technician_free(k->tech);
    /* Capture devices, closed after the session whose screens use them: one block each. */
    /* -- photo */
    capture_photo_free(k->photo_screen);
    photo_service_free(k->photo);
    /* -- fingerprints */
#ifdef BIOKIOSK_TEST_HOOKS
    finger_hooks_detach(k->finger);
#endif
    capture_finger_free(k->finger_screen);
    finger_service_free(k->finger);
    /* -- signature */
    capture_signature_free(k->sig_screen);
    signature_service_free(k->sigsvc);
    deliver_worker_free(k->delivery); /* -- delivery: an attempt under way ends first */
    /* -- record */
    if (k->rec)
        kioskrec_audit(k->rec, "kiosk.stop", NULL, "status=%d", status);
    kioskrec_free(k->rec);
    speech_free(k->speech);         /* -- guide: its audio device closes before SDL quits */
    pictograms_free(k->pictograms); /* -- guide: its textures before the renderer */
    ui_free(k->u);
    store_free(k->st);
    i18n_unload();
    config_free(k->cfg);
    g_strfreev(k->languages);
    g_free(k->message);
    options_clear(&k->o);
}

int kiosk_main(int argc, char **argv)
{
    kiosk k = {0};
    int status = parse_options(&k, argc, argv);
    if (status == 0)
        status = load_configuration(&k);
    if (status == 0)
        status = open_store_and_record(&k);
    if (status == 0)
        status = open_ui(&k);
    if (status == 0) {
        make_visit_and_session(&k);
        status = capture_setup(&k);
    }
    if (status == 0)
        status = run(&k);
    kiosk_teardown(&k, status);
    return status;
}
