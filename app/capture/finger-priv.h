/* Shared by the files of the fingerprint service only (finger.c, finger_prints.c,
 * finger_check.c). */
#ifndef BIOKIOSK_CAPTURE_FINGER_PRIV_H
#define BIOKIOSK_CAPTURE_FINGER_PRIV_H

#include <glib.h>

#include "capture/finger.h"
#include "drivers/fingerprint/fingerprint.h"

/* `running` and the wanted capture: the technician's check's capture (no finger of a person). */
#define FINGER_CHECK_CAPTURE (-1)

struct finger_service {
    /* settings, read-only once the thread runs */
    char *driver;
    bool manual_rescan;
    double assume_ppmm;
    int match_threshold;
    unsigned lfp_timeout_ms; /* libfprint's minutiae detection may take this long (finger_lfp.c) */
    int lfp_threshold;       /* the uniqueness check's threshold on libfprint's minutiae */
    GThread *thread;
    GMainContext *ctx; /* the global default context, which the thread runs */

    GMutex lock; /* guards the fields below, up to the thread's own */
    GCond cond;  /* broadcast when an event is queued */
    void (*wake)(void *data);
    void *wake_data;
    finger_service_tap tap;
    void *tap_data;
    GQueue events;       /* finger_event * for the screen */
    GQueue check_events; /* finger_event * for the technician's check */
    bool ready;
    char name[96];
    bool step_up;  /* between finger_service_begin and finger_service_end */
    bool claimed;  /* a technician's check runs (finger_service_check, on its caller's thread) */
    bool checking; /* the check has the reader's events, from its request on the service's thread
                    * until its capture has ended: set and cleared there only, so an event of
                    * before the check cannot take the routing away from it */

    /* the thread's own */
    fingerprint_reader *reader;
    int step_want;   /* the finger the step wants, 0 none */
    bool check_want; /* the check wants its capture (wins over the step's) */
    int running;     /* the capture the reader runs: a finger, FINGER_CHECK_CAPTURE, 0 none */
    bool cancelling; /* the running capture was cancelled; its end is awaited */
    bool needed;     /* the running capture waits for a finger */
    bool quit;
    int plug_tries;       /* finger_service_rescan's tries so far */
    unsigned plug_source; /* its next try (a timeout source), 0 none */
    GHashTable *prints;   /* print id -> finger_print * (the features of delivered images) */
    unsigned next_print;
    unsigned kept[FINGERPLAN_FINGERS]; /* print id kept per finger, 0 none */
    GMainContext *lfp_ctx; /* where libfprint's minutiae detections answer (finger_lfp.c) */
    int lfp_pending;       /* detections started and not answered (those given up included) */
    unsigned lfp_told;     /* the ways of libfprint's minutiae logged for this reader: bit
                            * 1 << finger_lfp_source; each logged once per reader */
};

/* A delivered image's features: ours (quality, foreground, our minutiae) and a copy with
 * libfprint's minutiae (NULL when its detection failed or timed out). */
typedef struct finger_print {
    fingerfeat *ours;
    fingerfeat *lfp;
    /* each prepared once for the uniqueness check (imaging/fingermatch.h), NULL when the
     * features are NULL or preparing failed (then compared from the features) */
    struct fingermatch_print *ours_match, *lfp_match;
} finger_print;

/* finger_prints.c, each under fs->lock (not held by the caller). On the service's thread: the
 * features of an IMAGE are kept under a new id in ev->print (transfer full of ours and lfp), and
 * the uniqueness check of ev->finger against the kept prints of the other fingers goes into
 * ev->check (ours NULL: nothing kept, UNIQUE): a kept print is the same finger when our minutiae
 * match at fs->match_threshold or libfprint's at fs->lfp_threshold. On any thread: forget, keep,
 * clear. */
void finger_prints_add(finger_service *fs, fingerfeat *ours, fingerfeat *lfp, finger_event *ev);
void finger_prints_forget(finger_service *fs, unsigned print);
void finger_prints_keep(finger_service *fs, int finger, unsigned print);
void finger_prints_clear(finger_service *fs);
void finger_print_free(gpointer print);

/* finger_lfp.c, on the service's thread: a copy of ours (measured on img, the 500 ppi image) with
 * libfprint's minutiae of img and their directions (imaging/fingerlfp.h), in *lfp (transfer
 * full). false, with the reason (for staff, nothing of the print) in why, when libfprint's
 * detection failed or gave no answer within fs->lfp_timeout_ms. Blocks for the detection (tens
 * of ms). */
bool finger_lfp_detect(finger_service *fs, const fingerimg *img, const fingerfeat *ours,
                       fingerfeat **lfp, char *why, size_t why_size);

/* Waits (up to 10 s) for detections that were given up, before fs->lfp_ctx goes. */
void finger_lfp_drain(finger_service *fs);

/* finger.c: queues a request for the service's thread (finger: CAPTURE's, CHECK's). */
typedef enum finger_req_kind {
    FINGER_REQ_CAPTURE,
    FINGER_REQ_CANCEL,
    FINGER_REQ_RESET,
    FINGER_REQ_CHECK, /* finger 1: the check's capture begins; 0: it ends */
    FINGER_REQ_RESCAN,
    FINGER_REQ_QUIT,
} finger_req_kind;

void finger_service_request(finger_service *fs, finger_req_kind kind, int finger, unsigned id);

#endif
