/* Shared by the files of the signature service only (signature.c, signature_check.c). */
#ifndef BIOKIOSK_CAPTURE_SIGNATURE_PRIV_H
#define BIOKIOSK_CAPTURE_SIGNATURE_PRIV_H

#include <glib.h>

#include "capture/signature.h"
#include "drivers/sigpad/sigcapture.h"
#include "drivers/sigpad/sigpad.h"

struct signature_service {
    signature_source source;

    /* under lock: shared with the worker and with status/check on other threads */
    GMutex lock;
    GCond cond; /* the worker waits for a request; a check waits for the pad to be let go */
    void (*wake)(void *data);
    void *wake_data;
    sigpad *pad; /* open by the worker between an open request and the close */
    signature_pad_info info;
    sigpad_event *queue; /* ring of QUEUE_CAP (biomem: pen samples) */
    size_t head, len;
    bool wake_pending; /* the owner was woken and has not found the queue empty since */
    bool requested;    /* the owner asked for an open the worker has not begun */
    bool keep;         /* the owner wants the pad (asked for it and did not close it) */
    bool opening;      /* the worker is opening the pad (a check must not open it too) */
    bool checking;     /* the technician check has the pad (an open is answered busy) */
    bool held;         /* test hooks: an open request waits (signature_service_hold_open) */
    bool quit;         /* the worker ends (signature_service_free) */
    bool answered;     /* an open's answer waits for the owner (answer, answer_err) */
    signature_event_type answer;
    bk_err answer_err;
    uint64_t dropped; /* events lost to a full queue */

    /* the owner's thread only */
    GThread *thread; /* the worker: started by the first open request */
    sigcapture *cap; /* the ink: NULL outside a signing */
};

#endif
