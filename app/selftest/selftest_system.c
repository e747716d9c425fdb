/* The screen, the store, the files the kiosk writes, its keys and the clock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <glib/gstdio.h>

#include "record/audit.h"
#include "core/biomem.h"
#include "record/seal.h"
#include "selftest/selftest-priv.h"
#include "store/store.h"

/* A touch screen as the kernel describes it: an input device with INPUT_PROP_DIRECT (bit 1 of
 * `properties`) and absolute axes. SDL lists touch devices only once a window is open on a real
 * display, so sysfs is asked as well. */
static int count_touch_in_sysfs(void)
{
    const char *base = "/sys/class/input";
    GDir *d = g_dir_open(base, 0, NULL);
    if (d == NULL)
        return 0;
    int n = 0;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_prefix(name, "input"))
            continue;
        g_autofree char *pp = g_build_filename(base, name, "properties", NULL);
        g_autofree char *ap = g_build_filename(base, name, "capabilities", "abs", NULL);
        g_autofree char *props = NULL, *abs = NULL;
        if (!g_file_get_contents(pp, &props, NULL, NULL) ||
            !g_file_get_contents(ap, &abs, NULL, NULL))
            continue;
        unsigned long p = strtoul(g_strstrip(props), NULL, 16);
        g_strstrip(abs);
        if ((p & 0x2) && strcmp(abs, "0") != 0 && abs[0] != 0)
            n++;
    }
    g_dir_close(d);
    return n;
}

static void display_mode(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        selftest_add(r, "display.mode", SELFTEST_FAIL, t0,
                     "Start the self-test inside the kiosk's session (cage), or set "
                     "WAYLAND_DISPLAY or DISPLAY.",
                     "no display: %s", SDL_GetError());
    } else {
        SDL_DisplayMode mode;
        int displays = SDL_GetNumVideoDisplays();
        if (displays < 1 || SDL_GetCurrentDisplayMode(0, &mode) != 0) {
            selftest_add(r, "display.mode", SELFTEST_FAIL, t0,
                         "Check the screen's cable and that it is switched on.",
                         "video driver %s reports no screen", SDL_GetCurrentVideoDriver());
        } else {
            long min_w = config_get_int(opt->cfg, CONFIG_SELFTEST_MIN_WIDTH);
            long min_h = config_get_int(opt->cfg, CONFIG_SELFTEST_MIN_HEIGHT);
            bool small = mode.w < min_w || mode.h < min_h;
            char hz[16] = "unknown";
            if (mode.refresh_rate > 0)
                g_snprintf(hz, sizeof(hz), "%d", mode.refresh_rate);
            selftest_check *c = selftest_add(
                r, "display.mode", small ? SELFTEST_FAIL : SELFTEST_PASS, t0,
                "Set the screen's native resolution; the kiosk needs at least [selftest] "
                "min_width x min_height.",
                "%dx%d at %s Hz (%d screen%s, video driver %s)", mode.w, mode.h, hz, displays,
                displays == 1 ? "" : "s", SDL_GetCurrentVideoDriver());
            if (mode.refresh_rate > 0)
                selftest_number(c, mode.refresh_rate, "Hz");
        }
    }
    t0 = g_get_monotonic_time();
    int sdl_touch = SDL_WasInit(SDL_INIT_VIDEO) ? SDL_GetNumTouchDevices() : 0;
    int sys_touch = count_touch_in_sysfs();
    int touch = sdl_touch > sys_touch ? sdl_touch : sys_touch;
    selftest_check *c = selftest_add(
        r, "display.touch", touch > 0 ? SELFTEST_PASS : SELFTEST_FAIL, t0,
        "Connect the touch screen's USB cable; `libinput list-devices` should show it.",
        "%d touch device%s", touch, touch == 1 ? "" : "s");
    selftest_number(c, touch, "devices");
    if (SDL_WasInit(SDL_INIT_VIDEO))
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

/* Opens the font at path (or the text's family) at body size; NULL path when not found. */
static bool font_loads(const selftest_text *text, const char *configured, const char *family,
                       char **path)
{
    *path = configured[0] ? g_strdup(configured) : text->find_font(family);
    if (*path == NULL)
        return false;
    TTF_Font *f = TTF_OpenFont(*path, text->font_px);
    if (f == NULL)
        return false;
    TTF_CloseFont(f);
    return true;
}

static void display_fonts(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    if (TTF_Init() != 0) {
        selftest_add(r, "display.fonts", SELFTEST_FAIL, t0, "Reinstall libsdl2-ttf-2.0-0.",
                     "SDL_ttf does not start: %s", TTF_GetError());
        return;
    }
    g_autofree char *latin = NULL, *arabic = NULL;
    bool a =
        font_loads(opt->text, config_get_string(opt->cfg, CONFIG_KIOSK_FONT), "Noto Sans", &latin);
    bool b = font_loads(opt->text, config_get_string(opt->cfg, CONFIG_KIOSK_FONT_ARABIC),
                        "Noto Sans Arabic", &arabic);
    selftest_add(r, "display.fonts", a && b ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                 "Install Debian's fonts-noto-core, or correct [kiosk] font and font_arabic.",
                 "Latin and Cyrillic: %s%s; Arabic: %s%s", latin ? latin : "not found",
                 latin && !a ? " (does not open)" : "", arabic ? arabic : "not found",
                 arabic && !b ? " (does not open)" : "");
    TTF_Quit();
}

static void display_text(const selftest_options *opt, selftest_report *r)
{
    if (opt->text == NULL) {
        selftest_add(r, "display.fonts", SELFTEST_SKIP, 0, NULL, "not checked here");
        selftest_add(r, "display.translations", SELFTEST_SKIP, 0, NULL, "not checked here");
        return;
    }
    display_fonts(opt, r);
    gint64 t0 = g_get_monotonic_time();
    const char *dir = config_get_string(opt->cfg, CONFIG_KIOSK_LOCALE_DIR);
    g_autofree char *missing = NULL;
    size_t languages = 0, strings = 0;
    bk_err err = opt->text->count_translations(dir[0] ? dir : NULL, &languages, &strings, &missing);
    selftest_check *c;
    if (err != BK_OK)
        c = selftest_add(r, "display.translations", SELFTEST_FAIL, t0,
                         "Reinstall biokiosk (meson install puts the catalogues in the locale "
                         "directory), or correct [kiosk] locale_dir.",
                         "the catalogue of '%s' %s", missing ? missing : "?",
                         err == BK_ERR_CORRUPT ? "is damaged" : "is missing");
    else
        c = selftest_add(r, "display.translations", SELFTEST_PASS, t0, NULL,
                         "%zu languages, %zu translated strings", languages, strings);
    selftest_number(c, (double)strings, "strings");
}

void selftest_display(const selftest_options *opt, selftest_report *r)
{
    display_mode(opt, r);
    display_text(opt, r);
}

void selftest_display_screen(const selftest_options *opt, const selftest_screen *k,
                             selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    long min_w = config_get_int(opt->cfg, CONFIG_SELFTEST_MIN_WIDTH);
    long min_h = config_get_int(opt->cfg, CONFIG_SELFTEST_MIN_HEIGHT);
    bool small = k->window_w < min_w || k->window_h < min_h;
    char hz[16] = "unknown";
    if (k->refresh_hz > 0)
        g_snprintf(hz, sizeof(hz), "%d", k->refresh_hz);
    selftest_check *c = selftest_add(
        r, "display.mode", small ? SELFTEST_FAIL : SELFTEST_PASS, t0,
        "Set the screen's native resolution; the kiosk needs at least [selftest] min_width x "
        "min_height.",
        "the kiosk draws %dx%d; display %dx%d at %s Hz (video driver %s)", k->window_w, k->window_h,
        k->display_w, k->display_h, hz, k->video_driver ? k->video_driver : "unknown");
    if (k->refresh_hz > 0)
        selftest_number(c, k->refresh_hz, "Hz");

    t0 = g_get_monotonic_time();
    int sys_touch = count_touch_in_sysfs();
    int touch = k->sdl_touch_devices > sys_touch ? k->sdl_touch_devices : sys_touch;
    c = selftest_add(r, "display.touch", touch > 0 ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                     "Connect the touch screen's USB cable; `libinput list-devices` should show "
                     "it.",
                     "%d touch device%s (SDL %d, kernel %d)", touch, touch == 1 ? "" : "s",
                     k->sdl_touch_devices, sys_touch);
    selftest_number(c, touch, "devices");

    t0 = g_get_monotonic_time();
    selftest_add(r, "display.fonts",
                 k->font_path && k->font_arabic_path ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                 "Install Debian's fonts-noto-core, or correct [kiosk] font and font_arabic.",
                 "the kiosk's fonts: Latin and Cyrillic: %s; Arabic: %s",
                 k->font_path ? k->font_path : "not open",
                 k->font_arabic_path ? k->font_arabic_path : "not open");

    /* the kiosk loaded its catalogues when it started (it does not start without them): count
     * what each offered language translates */
    t0 = g_get_monotonic_time();
    size_t strings = 0, empty = 0;
    for (size_t i = 0; i < k->n_languages; i++) {
        if (strcmp(k->languages[i], "en") == 0)
            continue;
        size_t n = k->strings ? k->strings[i] : 0;
        strings += n;
        empty += n == 0;
    }
    c = selftest_add(r, "display.translations", empty ? SELFTEST_FAIL : SELFTEST_PASS, t0,
                     "Reinstall biokiosk (meson install puts the catalogues in the locale "
                     "directory), or correct [kiosk] locale_dir.",
                     "%zu languages offered, %zu translated strings loaded%s", k->n_languages,
                     strings, empty ? ", a catalogue is empty" : "");
    selftest_number(c, (double)strings, "strings");
}

void selftest_store(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    const char *uri = config_get_string(opt->cfg, CONFIG_STORE_URI);
    store *s = NULL;
    g_autofree char *message = NULL;
    bk_err err = store_open(uri, &s, &message);
    if (err != BK_OK) {
        selftest_add(r, "store.reachable", SELFTEST_FAIL, t0,
                     err == BK_ERR_CORRUPT
                         ? "The store's schema is newer than this program: update biokiosk."
                         : "Check [store] uri, the network and that the database server runs; "
                           "for SQLite that /var/lib/biokiosk is writable by the biokiosk user.",
                     "%s", message ? message : bk_err_str(err));
        selftest_add(r, "store.today", SELFTEST_SKIP, 0, NULL, "Skipped: no store.");
        return;
    }
    selftest_check *c = selftest_add(r, "store.reachable", SELFTEST_PASS, t0, NULL,
                                     "%s store opened", store_backend_name(s));
    selftest_number(c, (double)(g_get_monotonic_time() - t0) / 1000.0, "ms");
    t0 = g_get_monotonic_time();
    const char *desk = config_get_string(opt->cfg, CONFIG_KIOSK_DESK);
    /* today as the kiosk sees it: its local date, or the date of opt->now (the kiosk's --now) */
    GDateTime *now =
        opt->now > 0 ? g_date_time_new_from_unix_local(opt->now) : g_date_time_new_now_local();
    caldate day = {g_date_time_get_year(now), g_date_time_get_month(now),
                   g_date_time_get_day_of_month(now)};
    g_date_time_unref(now);
    char ds[11];
    caldate_format(day, ds);
    size_t today = 0;
    err = store_count_day(s, desk, day, &today);
    if (err == BK_OK) {
        /* an opened store has this program's schema: store_open migrates an older one and
         * refuses a newer one */
        c = selftest_add(r, "store.today", SELFTEST_PASS, t0, NULL,
                         "schema version %d; %zu appointment%s today (%s) at desk %s",
                         store_schema_version(s), today, today == 1 ? "" : "s", ds, desk);
        selftest_number(c, (double)today, "appointments");
    } else {
        selftest_add(r, "store.today", SELFTEST_FAIL, t0,
                     "The store opened but does not answer: check the database server's log.",
                     "today's appointments could not be counted: %s", bk_err_str(err));
    }
    store_free(s);
}

/* Writes, syncs and removes a small file in dir. errno-based message on failure. */
static bool dir_writable(const char *dir, char *why, size_t why_size)
{
    g_autofree char *tmpl = g_build_filename(dir, ".selftest-XXXXXX", NULL);
    int fd = g_mkstemp_full(tmpl, O_RDWR, 0600);
    if (fd < 0) {
        g_snprintf(why, why_size, "%s", g_strerror(errno));
        return false;
    }
    bool ok = write(fd, "selftest\n", 9) == 9 && fsync(fd) == 0;
    if (!ok)
        g_snprintf(why, why_size, "%s", g_strerror(errno));
    close(fd);
    g_unlink(tmpl);
    return ok;
}

void selftest_files(const selftest_options *opt, selftest_report *r)
{
    const char *outbox = config_get_string(opt->cfg, CONFIG_RECORD_OUTBOX);
    gint64 t0 = g_get_monotonic_time();
    char why[200] = "";
    if (dir_writable(outbox, why, sizeof(why)))
        selftest_add(r, "outbox.writable", SELFTEST_PASS, t0, NULL, "%s is writable", outbox);
    else
        selftest_add(r, "outbox.writable", SELFTEST_FAIL, t0,
                     "Create the outbox directory, owned by the biokiosk user (systemd's "
                     "StateDirectory does this), or correct [record] outbox.",
                     "%s: %s", outbox, why);

    t0 = g_get_monotonic_time();
    long min_mb = config_get_int(opt->cfg, CONFIG_SELFTEST_MIN_FREE_MB);
    struct statvfs sv;
    if (statvfs(outbox, &sv) != 0) {
        selftest_add(r, "outbox.free_space", SELFTEST_FAIL, t0,
                     "Create the outbox directory or correct [record] outbox.", "%s: %s", outbox,
                     g_strerror(errno));
    } else {
        double mb = (double)sv.f_bavail * (double)sv.f_frsize / (1024.0 * 1024.0);
        selftest_check *c =
            selftest_add(r, "outbox.free_space", mb >= min_mb ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                         "Transfer the outbox (biokiosk outbox export) and free disk space.",
                         "%.0f MB free, at least %ld MB needed", mb, min_mb);
        selftest_number(c, mb, "MB");
    }

    /* the keys: the kiosk's secret signing key and the back office's public sealing key */
    uint8_t sk[SEAL_SIGN_SECRET_BYTES], pk[SEAL_PUBLIC_BYTES];
    char fp[17];
    const char *kpath = config_get_string(opt->cfg, CONFIG_RECORD_KIOSK_KEY);
    t0 = g_get_monotonic_time();
    bool have_kiosk = false;
    bk_err err = seal_init();
    if (err == BK_OK)
        err = seal_key_read(kpath, SEAL_KEY_KIOSK_SECRET, sk, sizeof(sk), why, sizeof(why));
    if (err == BK_OK) {
        have_kiosk = true;
        seal_fingerprint(sk + 32, fp);
        selftest_add(r, "keys.kiosk", SELFTEST_PASS, t0, NULL, "%s, public key %s", kpath, fp);
    } else {
        selftest_add(r, "keys.kiosk", SELFTEST_FAIL, t0,
                     "Make the kiosk's keys with `biokiosk keys kiosk-init --dir DIR` (as the "
                     "biokiosk user) and set [record] kiosk_key.",
                     "%s: %s", kpath[0] ? kpath : "[record] kiosk_key not set",
                     err == BK_ERR_INVALID ? why : bk_err_str(err));
    }
    const char *bpath = config_get_string(opt->cfg, CONFIG_RECORD_BACKOFFICE_KEY);
    t0 = g_get_monotonic_time();
    err = seal_key_read(bpath, SEAL_KEY_BACKOFFICE_PUBLIC, pk, sizeof(pk), why, sizeof(why));
    if (err == BK_OK) {
        seal_fingerprint(pk, fp);
        selftest_add(r, "keys.backoffice", SELFTEST_PASS, t0, NULL, "%s, key %s", bpath, fp);
    } else {
        selftest_add(r, "keys.backoffice", SELFTEST_FAIL, t0,
                     "Copy the back office's backoffice.pub to the kiosk and set [record] "
                     "backoffice_key.",
                     "%s: %s", bpath[0] ? bpath : "[record] backoffice_key not set",
                     err == BK_ERR_INVALID ? why : bk_err_str(err));
    }

    /* the audit-hash key: the log's subjects and the tags of its entries */
    uint8_t hk[SEAL_AUDIT_KEY_BYTES];
    const char *hpath = config_get_string(opt->cfg, CONFIG_RECORD_AUDIT_HASH_KEY);
    t0 = g_get_monotonic_time();
    err = seal_init();
    if (err == BK_OK)
        err = seal_key_read(hpath, SEAL_KEY_AUDIT_HASH, hk, sizeof(hk), why, sizeof(why));
    bool have_hash = err == BK_OK;
    if (have_hash)
        selftest_add(r, "keys.audit_hash", SELFTEST_PASS, t0, NULL, "%s", hpath);
    else
        selftest_add(r, "keys.audit_hash", SELFTEST_FAIL, t0,
                     "Make the kiosk's keys with `biokiosk keys kiosk-init --dir DIR` (it writes "
                     "audit-hash.key beside kiosk.key) and set [record] audit_hash_key.",
                     "%s: %s", hpath[0] ? hpath : "[record] audit_hash_key not set",
                     err == BK_ERR_INVALID ? why : bk_err_str(err));

    const char *log = config_get_string(opt->cfg, CONFIG_AUDIT_LOG);
    t0 = g_get_monotonic_time();
    if (!have_kiosk) {
        selftest_add(r, "audit.verify", SELFTEST_SKIP, 0, NULL,
                     "Skipped: the kiosk key is needed to verify the audit log.");
    } else if (!g_file_test(log, G_FILE_TEST_EXISTS)) {
        selftest_add(r, "audit.verify", SELFTEST_SKIP, t0, NULL,
                     "no audit log yet at %s (the kiosk starts one)", log);
    } else {
        audit_report ar = {0};
        audit_verify_options vo = {.kiosk_sk = sk}; /* the tags too */
        err = audit_verify_with(log, sk + 32, &vo, &ar);
        selftest_check *c;
        if (err == BK_OK)
            c = selftest_add(r, "audit.verify", SELFTEST_PASS, t0, NULL,
                             "%zu entries, %zu checkpoints, all verify, tags checked", ar.entries,
                             ar.checkpoints);
        else
            c = selftest_add(r, "audit.verify", SELFTEST_FAIL, t0,
                             "The audit log was changed or damaged: keep the file for the "
                             "security officer (`biokiosk audit verify` lists the problems).",
                             "%zu problem%s, the first: %s", ar.n_problems,
                             ar.n_problems == 1 ? "" : "s",
                             ar.n_problems ? ar.problems[0].text : bk_err_str(err));
        selftest_number(c, (double)ar.entries, "entries");
        audit_report_clear(&ar);
    }
    biomem_wipe(sk, sizeof(sk));
    biomem_wipe(hk, sizeof(hk));
}

/* "yes", "no" or NULL when timedatectl cannot tell (no systemd, a container). */
static char *ntp_synchronised(void)
{
    g_autofree char *out = NULL;
    int status = 0;
    const char *argv[] = {"timedatectl", "show", "--property=NTPSynchronized", "--value", NULL};
    /* Leaving the descriptors open lets GLib start it with posix_spawn: inside the kiosk (the
     * technician screen) other threads run meanwhile, and a forked child that runs code before
     * exec (closing descriptors, an LD_PRELOAD's hooks) can wait forever for a lock one of them
     * held at the fork. The kiosk opens its descriptors close-on-exec. */
    if (!g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL |
                          G_SPAWN_LEAVE_DESCRIPTORS_OPEN,
                      NULL, NULL, &out, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL) || out == NULL)
        return NULL;
    g_strstrip(out);
    if (strcmp(out, "yes") != 0 && strcmp(out, "no") != 0)
        return NULL;
    return g_strdup(out);
}

void selftest_clock(const selftest_options *opt, selftest_report *r)
{
    gint64 t0 = g_get_monotonic_time();
    long long now = g_get_real_time() / G_USEC_PER_SEC, built = selftest_build_time();
    GDateTime *b = g_date_time_new_from_unix_utc(built);
    g_autofree char *bs = g_date_time_format(b, "%Y-%m-%d");
    g_date_time_unref(b);
    GDateTime *n = g_date_time_new_from_unix_utc(now);
    g_autofree char *ns = g_date_time_format(n, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(n);
    selftest_add(r, "clock.plausible", now >= built ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                 "Set the clock (timedatectl set-ntp true, or set-time) and check the network "
                 "time server.",
                 "%s, not before the build date %s", ns, bs);
    t0 = g_get_monotonic_time();
    g_autofree char *sync = ntp_synchronised();
    if (sync == NULL)
        selftest_add(r, "clock.ntp", SELFTEST_SKIP, t0, NULL,
                     "the system does not report its time synchronisation (no timedatectl)");
    else if (strcmp(sync, "no") == 0 && !config_get_bool(opt->cfg, CONFIG_SELFTEST_REQUIRE_NTP))
        selftest_add(r, "clock.ntp", SELFTEST_SKIP, t0, NULL,
                     "NTP synchronised: no (not required: [selftest] require_ntp = false)");
    else
        selftest_add(r, "clock.ntp", strcmp(sync, "yes") == 0 ? SELFTEST_PASS : SELFTEST_FAIL, t0,
                     "Enable time synchronisation: timedatectl set-ntp true, and let the kiosk "
                     "reach a time server.",
                     "NTP synchronised: %s", sync);
}
