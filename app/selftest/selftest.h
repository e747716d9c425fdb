/* The hardware and installation self-test behind `biokiosk selftest`.
 *
 * Each check ends as pass, fail or skip with a measured value in words (and a number with its
 * unit when there is one) and, when it fails, what the technician should do. Checks that depend
 * on an earlier one (live view after "camera found") are skipped when it failed, so one missing
 * device gives one failure, not a cascade. Devices are reached through the same drivers the
 * kiosk uses (drivers/camera, drivers/fingerprint, drivers/sigpad), never around them.
 *
 * Every check runs in the calling thread and gives up after its own time limit; the whole test
 * takes a few seconds without --interactive (the camera's live view alone runs 3 s). The
 * technician screen of the kiosk (ui/technician.h) runs the same checks on a worker thread.
 */
#ifndef BIOKIOSK_SELFTEST_H
#define BIOKIOSK_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

typedef enum selftest_status {
    SELFTEST_PASS,
    SELFTEST_FAIL,
    SELFTEST_SKIP,
} selftest_status;

typedef struct selftest_check {
    char *name; /* "camera.found": group, a dot, the check */
    selftest_status status;
    char *value;     /* what was measured, in words; never NULL */
    bool has_number; /* number and unit hold the measurement */
    double number;
    const char *unit;   /* static: "fps", "MB", "ms", "points", ... or NULL */
    char *action;       /* what to do; set for a failure (and for some skips), else NULL */
    double duration_ms; /* how long the check took */
} selftest_check;

typedef struct selftest_report {
    selftest_check *checks;
    size_t n;
    size_t cap;
} selftest_report;

/* The kiosk's text as the ui draws it (fonts, catalogues), given by the caller (app/cli) so the
 * self-test needs nothing above its floor. */
typedef struct selftest_text {
    /* The file of a font family through fontconfig (transfer full), or NULL. */
    char *(*find_font)(const char *family);
    int font_px; /* the body text's size, to open the fonts at */
    /* Loads every language's catalogue from dir (NULL: the installed ones), counts the
     * translated strings of all but English, and unloads them again. On failure *missing
     * (transfer full) names the language whose catalogue failed; BK_ERR_CORRUPT: damaged. */
    bk_err (*count_translations)(const char *dir, size_t *languages, size_t *strings,
                                 char **missing);
} selftest_text;

/* What to test and how. */
typedef struct selftest_options {
    const config *cfg; /* the kiosk's configuration (transfer none) */
    bool interactive;  /* ask the technician to take a photo, place a finger, sign */
    int prompt_fd;     /* where the interactive prompts go (stderr: 2) */
    /* Where the prompts go instead, when set (the technician screen); called on the checking
     * thread with the prompt's text, NULL when the prompt is over. */
    void (*prompt)(void *data, const char *text);
    void *prompt_data;
    /* When set and non-zero, interactive waits end early and report "cancelled" (the
     * technician left the screen). Read atomically. */
    const int *cancel;
    double live_seconds;       /* how long live view is measured; 0 = 3 */
    const char *cascade_dir;   /* Haar cascades; NULL = [photo] cascades, BIOKIOSK_CASCADES or
                                  opencv-data's */
    long long now;             /* seconds since 1970 for "today" (the kiosk's --now); 0 = the
                                  system clock */
    const selftest_text *text; /* display.fonts and display.translations; NULL: skipped */
} selftest_options;

/* Runs every check in a fixed order and appends the results to report. */
void selftest_run(const selftest_options *opt, selftest_report *report);

/* The checks one by one (selftest_run calls them in this order). */
void selftest_camera(const selftest_options *opt, selftest_report *report);
void selftest_fingerprint(const selftest_options *opt, selftest_report *report);
void selftest_sigpad(const selftest_options *opt, selftest_report *report);
void selftest_display(const selftest_options *opt, selftest_report *report);
void selftest_store(const selftest_options *opt, selftest_report *report);
void selftest_files(const selftest_options *opt, selftest_report *report);
void selftest_clock(const selftest_options *opt, selftest_report *report);
/* -- delivery (selftest_outbox.c): outbox.delivery fails when a record has waited longer than
 * [delivery] alert_hours, or when [delivery] is set up with keys that cannot be used. */
void selftest_outbox_delivery(const selftest_options *opt, selftest_report *report);
/* The clock check's verdict for what counts days (the purge of delivered records): false, with
 * `why`, when any clock check fails. */
bool selftest_clock_trusted(const config *cfg, char *why, size_t why_size);
/* record.trial: encodes, seals and opens a made-up record with the kiosk's settings and keys
 * (kiosk id, desk, outbox limits), so a kiosk that cannot write records fails here, not at the
 * first applicant. */
void selftest_record(const selftest_options *opt, selftest_report *report);

/* config.load: a configuration that could not be read, with what to do (`biokiosk selftest`
 * without a readable configuration: this result and the checks that need no configuration). */
void selftest_config_failed(const char *path, const char *message, selftest_report *report);

/* The kiosk's own screen, for the display checks inside the running kiosk (the technician
 * screen): SDL's video and the fonts belong to the kiosk there, so they are read, never opened or
 * closed again, and the catalogues are those the kiosk loaded. */
typedef struct selftest_screen {
    int window_w, window_h;   /* what the kiosk draws in */
    int display_w, display_h; /* the display's mode; 0 when SDL does not say */
    int refresh_hz;           /* 0: unknown */
    const char *video_driver;
    int sdl_touch_devices;
    const char *font_path, *font_arabic_path; /* the kiosk's fonts; NULL when one did not open */
    const char *const *languages;             /* the languages the kiosk offers (loaded) */
    const size_t *strings; /* per language: the translated strings its catalogue has */
    size_t n_languages;
} selftest_screen;

/* display.mode, display.touch, display.fonts, display.translations from what the kiosk has
 * (call on the kiosk's main thread; fast). */
void selftest_display_screen(const selftest_options *opt, const selftest_screen *k,
                             selftest_report *report);

/* Inside the kiosk (the technician screen): points libfprint's virtual reader at [fingerprint]
 * virtual_socket when no capture service holds the reader, so the self-test's own check finds
 * it. Sets the environment: call on the main thread before the checks' worker starts. */
void selftest_prepare_environment(const config *cfg, bool reader_held);

/* Moves every check of `from` to the end of `to`, leaving `from` empty. */
void selftest_report_move(selftest_report *to, selftest_report *from);

/* Appends one result (for checks made outside this library, e.g. from the kiosk's capture
 * modules); `action` is kept for failures and skips. Returns it (transfer none). */
selftest_check *selftest_report_add(selftest_report *report, const char *name,
                                    selftest_status status, const char *action, const char *value);

/* Counts of the results. */
size_t selftest_count(const selftest_report *report, selftest_status status);

/* "pass", "fail", "skip". */
const char *selftest_status_name(selftest_status status);

/* Frees what the report holds and empties it; the struct itself is the caller's. */
void selftest_report_clear(selftest_report *report);

/* The build's date as seconds since 1970 (the clock check's lower bound). */
long long selftest_build_time(void);

#endif
