/* -- review: expect-review-pictures, the pictures the review screen drew (ui/review.h). */
#include <stdio.h>
#include <stdlib.h>

#include "testhooks/hooks.h"
#include "ui/review.h"
#include "ui/script.h"

/* expect-review-pictures PHOTO_PERCENT PRINTS SIGNATURE: the review screen drew the photo at
 * least PHOTO_PERCENT % of the screen's height high, PRINTS prints and (SIGNATURE 1) the
 * signature or (0) none. Prints the rectangles ("review: ...") on stdout for the test's log. */
static bk_err cmd_expect_pictures(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    script_settle(sc);
    review_drawn d;
    if (!review_get_drawn(script_session(sc), &d))
        return script_fail(sc, "the review screen is not shown");
    int percent = atoi(argv[1]);
    int prints = atoi(argv[2]);
    int signature = atoi(argv[3]);
    printf("review: person %zu screen %dx%d photo %s %d,%d %dx%d", d.person + 1, d.screen_w,
           d.screen_h, d.photo ? "yes" : "no", d.photo_rect.x, d.photo_rect.y, d.photo_rect.w,
           d.photo_rect.h);
    for (size_t i = 0; i < d.n_prints; i++)
        printf(" print %d,%d %dx%d", d.print_rects[i].x, d.print_rects[i].y, d.print_rects[i].w,
               d.print_rects[i].h);
    printf(" signature %s %d,%d %dx%d\n", d.signature ? "yes" : "no", d.signature_rect.x,
           d.signature_rect.y, d.signature_rect.w, d.signature_rect.h);
    fflush(stdout);
    if (percent > 0 && (!d.photo || d.photo_rect.h * 100 < percent * d.screen_h))
        return script_fail(sc, "the photo is %s%d px high, under %d %% of %d",
                           d.photo ? "" : "not drawn: ", d.photo_rect.h, percent, d.screen_h);
    if (percent == 0 && d.photo)
        return script_fail(sc, "a photo is drawn where none was expected");
    if ((int)d.n_prints != prints)
        return script_fail(sc, "%zu prints drawn, expected %d", d.n_prints, prints);
    if (d.signature != (signature != 0))
        return script_fail(sc, "the signature is %sdrawn", d.signature ? "" : "not ");
    return BK_OK;
}

void review_hooks_register(const testhooks_context *ctx)
{
    (void)ctx;
    script_register("expect-review-pictures", 3, 3, cmd_expect_pictures,
                    "expect-review-pictures PHOTO_PERCENT PRINTS SIGNATURE");
}
