/* The test hooks: scripted-mode commands for tests and the demo that drive the emulators or look
 * into the process (memory scans), compiled into the kiosk only with -Dtest_hooks=true
 * (meson_options.txt). A production build (-Dtest_hooks=false) has none of this code: app/kiosk.c
 * calls testhooks_register only when BIOKIOSK_TEST_HOOKS is defined, and only in --script mode.
 *
 * Each area keeps its commands in its own file here (photo_hooks.c, finger_hooks.c,
 * signature_hooks.c, kioskrec_test.c), lists it in app/testhooks/meson.build (testhooks_sources)
 * and declares its register function below; testhooks_register (hooks.c) calls each one.
 * Commands are added with script_register (ui/script.h); they reach the emulators through their
 * control channels, and the kiosk's parts through the handles in testhooks_context.
 */
#ifndef BIOKIOSK_TESTHOOKS_HOOKS_H
#define BIOKIOSK_TESTHOOKS_HOOKS_H

#include "config/config.h"
#include "ui/session.h"

/* What the composition root made, for the hooks to drive (all transfer none; a service is NULL
 * when its area is switched off in the configuration). Valid until the script ends. */
typedef struct testhooks_context {
    session *sess;                       /* the ui host (script_session gives it too) */
    struct visit *visit;                 /* the visit controller (app/visit/visit.h) */
    struct photo_service *photo;         /* app/capture/photo.h */
    struct finger_service *finger;       /* app/capture/finger.h */
    struct signature_service *signature; /* app/capture/signature.h */
    const config *cfg;                   /* the configuration the kiosk runs with */
} testhooks_context;

/* Registers every area's test commands with the scripted mode. Call once, before script_run. */
void testhooks_register(const testhooks_context *ctx);

/* -- record: test-scan-memory, test-wait-file (kioskrec_test.c) */
void kioskrec_register_test_commands(void);

/* -- photo: camera-fault, camera-unplug, camera-plug, camera-wait, camera-watch (photo_hooks.c) */
void photo_hooks_register(const testhooks_context *ctx);
/* -- fingerprints (finger_hooks.c): the scripted commands that feed libfprint's virtual reader
 * (finger IMAGE, finger-retry, finger-error, reader-unplug, reader-plug, finger-auto,
 * finger-wait, expect-finger-images, expect-finger-hands) */
void finger_hooks_register(const testhooks_context *ctx);
/* The composition root hands over the fingerprint service (transfer none), in every mode: the
 * hooks feed its virtual reader (virtual_socket; nothing without it), and when not scripted the
 * demo's feeder process gives a finger whenever one is asked. NULL does nothing. */
void finger_hooks_attach(struct finger_service *fs, const char *virtual_socket, bool scripted);
/* Before finger_service_free: the hooks let go of the service. */
void finger_hooks_detach(struct finger_service *fs);
/* -- signature: stroke, mouse-stroke, pad-strokes, pad-points, pad-wait-paused, signature-count,
 * pad-wait-open, pad-hold-open, pad-open-pending (signature_hooks.c) */
void signature_hooks_register(const testhooks_context *ctx);
/* -- technicians: technician-wait, technician-show, technician-prompt (technician_hooks.c) */
void technician_hooks_register(const testhooks_context *ctx);
/* -- guide: expect-said (speech_hooks.c) */
void speech_hooks_register(const testhooks_context *ctx);
/* -- review: expect-review-pictures (review_hooks.c) */
void review_hooks_register(const testhooks_context *ctx);

#endif
