/* The registry of the test hooks (hooks.h): one call per area. */
#include "testhooks/hooks.h"

void testhooks_register(const testhooks_context *ctx)
{
    (void)ctx;
    /* -- record */
    kioskrec_register_test_commands();
    /* -- photo */
    photo_hooks_register(ctx);
    /* -- fingerprints */
    finger_hooks_register(ctx);
    /* -- signature */
    signature_hooks_register(ctx);
    /* -- technicians */
    technician_hooks_register(ctx);
    /* -- guide */
    speech_hooks_register(ctx);
    /* -- review */
    review_hooks_register(ctx);
}
