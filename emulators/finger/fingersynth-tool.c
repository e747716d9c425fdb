/* biokiosk-fingersynth: writes a synthetic fingerprint as a grey PNG, for the demo and for
 * feeding the virtual reader by hand.
 *
 *   biokiosk-fingersynth SEED arch|left-loop|right-loop|whorl OUT.png [again N | smudge]
 *
 * "again N" writes the same finger captured again (moved and turned, N picks how);
 * "smudge" a poor capture of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulators/finger/fingersynth.h"

static int usage(void)
{
    fprintf(stderr, "usage: biokiosk-fingersynth SEED arch|left-loop|right-loop|whorl OUT.png "
                    "[again N | smudge]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5 && argc != 6)
        return usage();
    char *end = NULL;
    unsigned long seed = strtoul(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0')
        return usage();
    int pattern = -1;
    for (int p = FINGERSYNTH_ARCH; p <= FINGERSYNTH_WHORL; p++)
        if (strcmp(argv[2], fingersynth_pattern_str((fingersynth_pattern)p)) == 0)
            pattern = p;
    if (pattern < 0)
        return usage();
    fingerimg *img = NULL, *out = NULL;
    if (fingersynth_make((uint32_t)seed, (fingersynth_pattern)pattern, 256, 320, &img) != BK_OK)
        return 1;
    bk_err err = BK_OK;
    if (argc == 6 && strcmp(argv[4], "again") == 0) {
        int n = atoi(argv[5]);
        err = fingersynth_recapture(img, (uint32_t)n, (n % 5) * 4 - 8, (n % 3) * 5 - 5,
                                    (double)(n % 7) * 2.0 - 6.0, &out);
    } else if (argc == 5 && strcmp(argv[4], "smudge") == 0) {
        err = fingersynth_smudge(img, (uint32_t)seed, &out);
    } else if (argc != 4) {
        fingerimg_free(img);
        return usage();
    }
    if (err == BK_OK)
        err = fingerimg_save_png(out ? out : img, argv[3]);
    fingerimg_free(img);
    fingerimg_free(out);
    if (err != BK_OK) {
        fprintf(stderr, "biokiosk-fingersynth: cannot write %s\n", argv[3]);
        return 1;
    }
    return 0;
}
