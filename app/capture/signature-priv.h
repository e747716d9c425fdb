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
    void (*wake)(void *data);
    void *wake_data;
    sigpad *pad; /* open between open_pad and close_pad */
    signature_pad_info info;
    sigpad_event *queue; /* ring of QUEUE_CAP (biomem: pen samples) */
    size_t head, len;
    bool wake_pending; /* the owner was woken and has not found the queue empty since */
    bool opening;      /* open_pad is opening the pad (a check must not open it too) */
    bool checking;     /* the technician check has the pad (open_pad answers busy) */
    uint64_t dropped;  /* events lost to a full queue */

    /* the owner's thread only */
    GThread *thread;
    gint stop;       /* atomic: the worker ends */
    sigcapture *cap; /* the ink: NULL outside a signing */
};

#endif
