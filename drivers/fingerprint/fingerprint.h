/* Fingerprint readers: list, open, capture images, close; results arrive as events.
 *
 * The backend is libfprint (any reader it can capture images from, including its virtual image
 * device and umockdev replays). libfprint runs on GLib's main context: the reader does its work
 * on the thread-default main context of the thread that opened it, and never blocks. The kiosk's
 * main loop calls fingerprint_poll() once per frame; it runs whatever GLib work is ready, without
 * waiting, and hands back queued events one by one. Nothing here calls into screen code.
 *
 * Every image is resampled to 500 ppi (19.685 pixels per mm) from the resolution libfprint
 * reports for it (fp_image_get_ppmm) before its quality is computed, so quality, comparison and
 * the record all see 500 ppi; when libfprint reports none, `assume_ppmm` is taken. Images are
 * only ever shrunk: a reader below 500 ppi (reported or assumed) gives no IMAGE but an ERROR
 * (err BK_ERR_UNSUPPORTED) whose text tells staff it does not meet the standard.
 *
 * A reader that is unplugged is reported (FINGERPRINT_EVENT_READER_REMOVED); the module then
 * looks for a reader again every `rescan_ms` and reports FINGERPRINT_EVENT_READER_ADDED when one
 * is open again. The screen pauses in between and calls fingerprint_capture() again to resume.
 */
#ifndef BIOKIOSK_FINGERPRINT_H
#define BIOKIOSK_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"

typedef enum fingerprint_event_kind {
    FINGERPRINT_EVENT_NONE = 0,
    FINGERPRINT_EVENT_READY,          /* the reader is open (first time) */
    FINGERPRINT_EVENT_FINGER_NEEDED,  /* waiting for a finger: show "place your finger" */
    FINGERPRINT_EVENT_FINGER_PRESENT, /* a finger is on the reader */
    FINGERPRINT_EVENT_FINGER_REMOVED, /* the finger was lifted */
    FINGERPRINT_EVENT_RETRY,          /* the scan failed; `text` tells the person what to do; the
                                       * module waits for the finger again by itself */
    FINGERPRINT_EVENT_IMAGE,          /* a capture finished: `image` and `features` */
    FINGERPRINT_EVENT_READER_REMOVED, /* the reader went away (or none is there yet): pause */
    FINGERPRINT_EVENT_READER_ADDED,   /* a reader is open again: resume */
    FINGERPRINT_EVENT_ERROR,          /* the reader failed: `text` is for staff, `err` the code */
    FINGERPRINT_EVENT_CANCELLED,      /* a capture ended by fingerprint_cancel() */
} fingerprint_event_kind;

typedef enum fingerprint_retry {
    FINGERPRINT_RETRY_GENERAL,   /* poor scan */
    FINGERPRINT_RETRY_TOO_SHORT, /* finger lifted too soon */
    FINGERPRINT_RETRY_CENTER,    /* finger not centred */
    FINGERPRINT_RETRY_REMOVE,    /* lift and place again */
} fingerprint_retry;

/* libfprint's image devices find the minutiae of every image they capture (NIST's mindtct inside
 * libfprint, fp_image_detect_minutiae, also when only an image is asked for); the driver copies
 * their positions and NBIS's binarised image with the image (wiped when freed) and, on the
 * analysis worker, gives them directions (imaging/fingerlfp.h) when they belong to the image the
 * event carries: the reader's own, not resampled. They are then what a detection of that image
 * gives, except for images libfprint's driver marks partial (swipe readers that assemble strips:
 * aes2501, egis0570, upektc_img among the recorded ones), where libfprint leaves out the minutiae
 * on the print's perimeter (as in its own matching). What an IMAGE's `lfp_features` are: */
typedef enum fingerprint_lfp {
    FINGERPRINT_LFP_NONE = 0,  /* none: the capture came without minutiae, or the analysis (ours
                                * or the directions) failed */
    FINGERPRINT_LFP_CAPTURE,   /* the capture's, at the image as delivered (a 500 ppi reader) */
    FINGERPRINT_LFP_RESAMPLED, /* none: the image was resampled to 500 ppi, and the capture's
                                * positions and binarised image belong to the reader's image */
} fingerprint_lfp;

typedef struct fingerprint_event {
    fingerprint_event_kind kind;
    fingerprint_retry retry; /* RETRY only */
    bk_err err;              /* ERROR only */
    const char *text;        /* RETRY: for the person; ERROR: for staff; READY/ADDED: reader
                              * name. Static or owned by the event; valid until cleared. */
    fingerimg *image;        /* IMAGE only (owned by the event; take it with image = NULL):
                              * resampled to 500 ppi (app/imaging/fingerscale.h) */
    fingerfeat *features;    /* IMAGE only: quality, minutiae, foreground, computed on a worker
                              * thread before the event is queued (owned like image; NULL when
                              * the analysis failed) */
    double sensor_ppmm;      /* IMAGE only: the resolution the image came in (pixels per mm),
                              * as libfprint reported it or, when it reported none, as assumed */
    bool ppmm_assumed;       /* IMAGE only: libfprint reported no resolution (sensor_ppmm is
                              * fingerprint_options.assume_ppmm) */
    int sensor_width;        /* IMAGE only: the image's size as the reader delivered it */
    int sensor_height;
    /* IMAGE only: a copy of `features` with libfprint's minutiae of the capture instead of ours
     * (their directions measured by imaging/fingerlfp.h), owned like image; NULL unless `lfp` is
     * FINGERPRINT_LFP_CAPTURE */
    fingerfeat *lfp_features;
    fingerprint_lfp lfp; /* IMAGE only: what lfp_features are (see fingerprint_lfp) */
    char *owned_text_;   /* private */
} fingerprint_event;

typedef struct fingerprint_options {
    const char *driver; /* libfprint driver id to use ("virtual_image", "vfs5011"); NULL = the
                         * first reader that can capture images */
    unsigned rescan_ms; /* how often to look for a reader after removal; 0 = 1000;
                         * FINGERPRINT_RESCAN_MANUAL = only when fingerprint_rescan() is called
                         * (emulation: the scripted "reader-plug") */
    double assume_ppmm; /* the reader's resolution in pixels per mm when libfprint reports none
                         * (libfprint 1.94's drivers report none: 0); 0 = 500 ppi. Logged
                         * once per reader when used. */
} fingerprint_options;

#define FINGERPRINT_RESCAN_MANUAL 0xffffffffu

typedef struct fingerprint_reader fingerprint_reader;

/* The readers present now that can capture images, as "driver-id: name" lines in *out
 * (transfer full, NULL-terminated; free with fingerprint_list_free). Enumeration is quick and
 * synchronous. BK_OK with an empty list when there is none. */
bk_err fingerprint_list(char ***out);
void fingerprint_list_free(char **list);

/* Starts opening a reader (asynchronously) into *out (transfer full). READY follows when it is
 * open; ERROR when opening failed. When no suitable reader is present, READER_REMOVED comes
 * first, a reader is looked for every rescan_ms, and READY follows when one turns up.
 * `opt` may be NULL. BK_OK (allocation failures abort, as everywhere in GLib). */
bk_err fingerprint_open(const fingerprint_options *opt, fingerprint_reader **out);

/* Starts one capture: FINGER_NEEDED, FINGER_PRESENT, then IMAGE (or RETRY and waiting again,
 * ERROR, READER_REMOVED, CANCELLED). BK_ERR_BUSY while a capture or the opening runs,
 * BK_ERR_NO_DEVICE while no reader is open. */
bk_err fingerprint_capture(fingerprint_reader *r);

/* Looks for a reader now (after READER_REMOVED); READY or READER_ADDED follows when one is
 * found. BK_ERR_BUSY while a reader is open or opening, BK_ERR_NO_DEVICE when none is there. */
bk_err fingerprint_rescan(fingerprint_reader *r);

/* Stops a running capture; CANCELLED follows. Nothing when none runs. */
void fingerprint_cancel(fingerprint_reader *r);

/* true while a reader is open and usable. */
bool fingerprint_is_ready(const fingerprint_reader *r);

/* Runs the GLib work that is ready without waiting, then moves the oldest event into *ev and
 * returns true; false when there is none (ev is then cleared). */
bool fingerprint_poll(fingerprint_reader *r, fingerprint_event *ev);

/* Like fingerprint_poll but waits up to timeout_ms for an event (tests and command-line tools;
 * never from the kiosk's drawing loop). false on timeout. */
bool fingerprint_wait(fingerprint_reader *r, fingerprint_event *ev, unsigned timeout_ms);

/* Frees what an event owns (image, features, lfp_features, text) and zeroes it. */
void fingerprint_event_clear(fingerprint_event *ev);

/* Short stable name of an event kind for logs ("finger-needed"). */
const char *fingerprint_event_str(fingerprint_event_kind kind);

/* Cancels what runs, closes the reader and frees. May run the main context briefly (at most a
 * few seconds) to let libfprint finish. NULL does nothing. */
void fingerprint_close(fingerprint_reader *r);

#endif
