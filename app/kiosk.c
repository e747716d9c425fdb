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
#include "capture/photo.h" /* -- photo */
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

static bool parse_size(const char *text, int *w, int *h)
{
    return text && sscanf(text, "%dx%d", w, h) == 2 && *w >= 640 && *h >= 480 && *w <= 7680 &&
           *h <= 4320;
}

int kiosk_main(int argc, char **argv)
{
    options o = {0};
    const GOptionEntry entries[] = {
        {"windowed", 'w', 0, G_OPTION_ARG_NONE, &o.windowed, "Open a window, not full screen",
         NULL},
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_path,
         "The configuration file (default " CONFIG_DEFAULT_PATH ")", "FILE"},
        {"now", 0, 0, G_OPTION_ARG_STRING, &o.now,
         "Fix the kiosk's clock at this time (2026-11-23T09:30:00+01:00)", "ISO-TIME"},
        {"script", 0, 0, G_OPTION_ARG_FILENAME, &o.script,
         "Play this script with no screen (the scripted mode)", "FILE"},
        {"screenshots", 0, 0, G_OPTION_ARG_FILENAME, &o.screenshots,
         "Where the script's screenshots go", "DIR"},
        {"size", 0, 0, G_OPTION_ARG_STRING, &o.size, "Window size in pixels (1920x1080)", "WxH"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    int status = 0;
    config *cfg = NULL;
    store *st = NULL;
    ui *u = NULL;
    session *sess = NULL;
    visit *vis = NULL;
    kioskrec *rec = NULL;             /* -- record */
    deliver_worker *delivery = NULL;  /* -- delivery */
    signature_service *sigsvc = NULL; /* -- signature */
    photo_service *photo = NULL;      /* -- photo */
    capture_photo *photo_screen = NULL;
    char *message = NULL;
    char **languages = NULL;

    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, "Without a command, biokiosk runs the kiosk screens.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &error);
    g_option_context_free(ctx);
    if (!parsed) {
        const char *prefix = "Unknown option ";
        if (g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION) &&
            g_str_has_prefix(error->message, prefix))
            status = fail(2, "unknown option '%s' (biokiosk --help lists the options)",
                          error->message + strlen(prefix));
        else
            status = fail(2, "%s", error->message);
        g_error_free(error);
        goto out;
    }
    if (argc > 1) {
        status = fail(2, "unknown command '%s' (biokiosk --help lists them)", argv[1]);
        goto out;
    }
    int width = 0, height = 0;
    if (o.size && !parse_size(o.size, &width, &height)) {
        status = fail(2, "--size: '%s' is not WIDTHxHEIGHT (640x480 to 7680x4320)", o.size);
        goto out;
    }
    if (o.screenshots && !o.script) {
        status = fail(2, "--screenshots needs --script");
        goto out;
    }
    if (o.screenshots && g_mkdir_with_parents(o.screenshots, 0755) != 0) {
        status = fail(2, "--screenshots: cannot create '%s'", o.screenshots);
        goto out;
    }
    int64_t wall_base = g_get_real_time() / G_USEC_PER_SEC;
    if (o.now && store_time_parse(o.now, &wall_base, NULL) != BK_OK) {
        status = fail(2, "--now: '%s' is not an ISO time with an offset", o.now);
        goto out;
    }

    /* All or nothing: the kiosk does not start half-configured. */
    const char *path = o.config_path ? o.config_path : CONFIG_DEFAULT_PATH;
    if (config_load(path, &cfg, &message) != BK_OK) {
        status = fail(2, "%s", message);
        goto out;
    }
    languages = g_strsplit(config_get_string(cfg, CONFIG_KIOSK_LANGUAGES), ",", -1);
    for (char **l = languages; *l; l++)
        g_strstrip(*l);
    const char *def_lang = config_get_string(cfg, CONFIG_KIOSK_DEFAULT_LANGUAGE);
    if (!g_strv_contains((const char *const *)languages, def_lang)) {
        status = fail(2, "%s: [kiosk] default_language: '%s' is not in [kiosk] languages", path,
                      def_lang);
        goto out;
    }
    const char *locale_dir = config_get_string(cfg, CONFIG_KIOSK_LOCALE_DIR);
    const char *missing = NULL;
    bk_err err = i18n_load(locale_dir[0] ? locale_dir : NULL, (const char *const *)languages,
                           g_strv_length(languages), &missing);
    if (err != BK_OK) {
        status = fail(2, "%s: [kiosk] languages: no usable translation for '%s' (%s)", path,
                      missing ? missing : "?", bk_err_str(err));
        goto out;
    }

    err = store_open(config_get_string(cfg, CONFIG_STORE_URI), &st, &message);
    if (err != BK_OK) {
        status = fail(err == BK_ERR_INVALID ? 2 : 3, "[store] uri: %s",
                      message ? message : bk_err_str(err));
        goto out;
    }
    /* persons of finished appointments leave the store after [store] keep_days */
    if (store_purge_persons_today(st, (int)config_get_int(cfg, CONFIG_STORE_KEEP_DAYS), NULL) !=
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
    err = kioskrec_open(&rs, wall_base, &rec, &message);
    if (err == BK_OK)
        err = start_delivery(cfg, &delivery, &message); /* -- delivery */
    if (err != BK_OK) {
        status = fail(err == BK_ERR_INVALID ? 2 : 3, "%s: %s", path, message);
        goto out;
    }

    ui_options uo = {
        .width = width,
        .height = height,
        .fullscreen = !o.windowed && config_get_bool(cfg, CONFIG_KIOSK_FULLSCREEN) && !o.script,
        .headless = o.script != NULL,
        .width_mm = config_get_double(cfg, CONFIG_SCREEN_WIDTH_MM),
        .height_mm = config_get_double(cfg, CONFIG_SCREEN_HEIGHT_MM),
        .font = config_get_string(cfg, CONFIG_KIOSK_FONT),
        .font_arabic = config_get_string(cfg, CONFIG_KIOSK_FONT_ARABIC),
    };
    if (o.script && width == 0) {
        uo.width = 1920;
        uo.height = 1080;
    }
    err = ui_new(&uo, &u, &message);
    if (err != BK_OK) {
        status = fail(err == BK_ERR_NOT_FOUND ? 2 : 3, "%s", message);
        goto out;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    visit_settings vs = {
        .desk = config_get_string(cfg, CONFIG_KIOSK_DESK),
        .kiosk_id = config_get_string(cfg, CONFIG_KIOSK_ID),
        .early_minutes = (int)config_get_int(cfg, CONFIG_ARRIVAL_EARLY_MINUTES),
        .late_minutes = (int)config_get_int(cfg, CONFIG_ARRIVAL_LATE_MINUTES),
        .idle_seconds = (int)config_get_int(cfg, CONFIG_SESSION_IDLE_SECONDS),
        .countdown_seconds = (int)config_get_int(cfg, CONFIG_SESSION_IDLE_COUNTDOWN_SECONDS),
        .max_pin_failures = (int)config_get_int(cfg, CONFIG_STAFF_MAX_PIN_FAILURES),
        .lockout_minutes = (int)config_get_int(cfg, CONFIG_STAFF_LOCKOUT_MINUTES),
        .wake = wake_visit,
        .wake_data = GUINT_TO_POINTER(SDL_RegisterEvents(1)),
    };
    vis = visit_new(&vs, st, rec);
    session_settings set = {
        .kiosk_id = vs.kiosk_id,
        .idle_seconds = vs.idle_seconds,
        .courier = strcmp(config_get_string(cfg, CONFIG_SESSION_AFTER_DESK), "courier") == 0,
        .working_days = (int)config_get_int(cfg, CONFIG_SESSION_WORKING_DAYS),
        .pin_pad_timeout_seconds = (int)config_get_int(cfg, CONFIG_STAFF_PIN_PAD_TIMEOUT_SECONDS),
        .reconnect_seconds = (int)config_get_int(cfg, CONFIG_DEVICES_RECONNECT_SECONDS),
        .languages = (const char *const *)languages,
        .n_languages = g_strv_length(languages),
        .default_language = def_lang,
        .wall_base = wall_base,
        .virtual_clock = o.script != NULL,
        .stop = (const volatile int *)&stop_requested,
        .delivery = delivery, /* -- delivery */
    };
    sess = session_new(&set, vis, u);

    /* Capture devices: each area opens its device, registers its capture screen
     * (ui/capture.h) and its script commands here, one block each. */
    /* -- photo: the service (app/capture/photo.h) wakes its screen with an SDL user event */
    if (config_get_bool(cfg, CONFIG_PHOTO_ENABLED)) {
        photo_service_settings ps_set;
        photo_service_settings_from_config(cfg, &ps_set);
        uint32_t photo_wake = SDL_RegisterEvents(1);
        ps_set.wake = wake_photo_screen;
        ps_set.wake_data = GUINT_TO_POINTER(photo_wake);
        err = photo_service_new(&ps_set, &photo, &message);
        if (err != BK_OK) {
            status = fail(2, "%s: %s", path, message);
            goto out;
        }
        photo_screen = capture_photo_register(photo, photo_wake);
    }
    /* -- fingerprints */
    if (config_get_bool(cfg, CONFIG_FINGERPRINT_ENABLED)) {
        capture_finger_settings fs = {
            .driver = config_get_string(cfg, CONFIG_FINGERPRINT_DRIVER),
            .virtual_socket = config_get_string(cfg, CONFIG_FINGERPRINT_VIRTUAL_SOCKET),
            .scripted = o.script != NULL,
            .match_threshold = (int)config_get_int(cfg, CONFIG_FINGERPRINT_MATCH_THRESHOLD),
            .assume_ppi = (int)config_get_int(cfg, CONFIG_FINGERPRINT_ASSUME_PPI),
        };
        fingerplan_default_settings(&fs.plan);
        fs.plan.threshold[FINGERPLAN_INDEX] =
            (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_INDEX);
        fs.plan.threshold[FINGERPLAN_THUMB] =
            (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_THUMB);
        fs.plan.threshold[FINGERPLAN_MIDDLE] =
            (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_MIDDLE);
        fs.plan.threshold[FINGERPLAN_RING] =
            (int)config_get_int(cfg, CONFIG_FINGERPRINT_THRESHOLD_RING);
        fs.plan.max_attempts = (int)config_get_int(cfg, CONFIG_FINGERPRINT_ATTEMPTS);
        if (fingerplan_parse_order(config_get_string(cfg, CONFIG_FINGERPRINT_FALLBACK_ORDER),
                                   &fs.plan) != BK_OK) {
            status = fail(2, "%s: [fingerprint] fallback_order: thumb, middle and ring, each once",
                          path);
            goto out;
        }
        if (capture_finger_setup(&fs, &message) != BK_OK) {
            status = fail(2, "%s: %s", path, message);
            goto out;
        }
    }
    /* -- signature */
    {
        capture_signature_settings sig = {
            .min_points = (int)config_get_int(cfg, CONFIG_SIGNATURE_MIN_POINTS),
            .min_box_share = config_get_double(cfg, CONFIG_SIGNATURE_MIN_BOX_SHARE),
            .image_width = (int)config_get_int(cfg, CONFIG_SIGNATURE_IMAGE_WIDTH),
            .image_height = (int)config_get_int(cfg, CONFIG_SIGNATURE_IMAGE_HEIGHT),
        };
        signature_service_settings ss = {.source = SIGNATURE_SOURCE_AUTO};
        signature_source_parse(config_get_string(cfg, CONFIG_SIGNATURE_SOURCE), &ss.source);
        sigsvc = signature_service_new(&ss, &message);
        if (sigsvc == NULL) {
            status = fail(2, "%s: %s", path, message);
            goto out;
        }
        capture_signature_setup(&sig, sigsvc);
    }
    /* -- technicians: the technician screen (staff menu, technician role) */
    {
        technician_settings ts = {.cfg = cfg};
        technician_setup(&ts);
    }
#ifdef BIOKIOSK_TEST_HOOKS
    if (o.script) {
        testhooks_context hc = {
            .sess = sess, .visit = vis, .cfg = cfg, .signature = sigsvc, .photo = photo};
        testhooks_register(&hc);
    }
#endif
    /* -- record */
    visit_audit(vis, "kiosk.start", "mode=%s", o.script ? "script" : "kiosk");

    g_message("kiosk started: desk=%s kiosk=%s store=%s screen=%dx%d", vs.desk, vs.kiosk_id,
              store_backend_name(st), u->w, u->h);
    if (o.script) {
        g_autofree char *why = NULL;
        if (script_run(sess, o.script, o.screenshots, &why) != BK_OK) {
            fprintf(stderr, "biokiosk: %s\n", why ? why : "the script failed");
            status = 1;
        }
    } else {
        runner_run(session_runner(sess));
    }

out:
    session_free(sess);
    visit_free(vis); /* its worker ends once it did what was asked */
    /* -- technicians: its checks use the configuration and the capture modules, freed below */
    technician_teardown();
    /* Capture devices, closed after the session whose screens use them: one block each. */
    /* -- photo */
    capture_photo_free(photo_screen);
    photo_service_free(photo);
    /* -- fingerprints */
    capture_finger_teardown();
    /* -- signature */
    capture_signature_teardown();
    signature_service_free(sigsvc);
    deliver_worker_free(delivery); /* -- delivery: an attempt under way ends first */
    /* -- record */
    if (rec)
        kioskrec_audit(rec, "kiosk.stop", NULL, "status=%d", status);
    kioskrec_free(rec);
    ui_free(u);
    store_free(st);
    i18n_unload();
    config_free(cfg);
    g_strfreev(languages);
    g_free(message);
    options_clear(&o);
    return status;
}
