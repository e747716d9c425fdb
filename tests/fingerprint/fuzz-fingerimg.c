/* libFuzzer target: image decoding (PNG, PGM), feature extraction and comparison. */
#include <stddef.h>
#include <stdint.h>

#include "fingerfeat.h"
#include "fingerimg.h"
#include "fingermatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fingerimg *img = NULL;
    if (fingerimg_decode(data, size, &img, NULL) != BK_OK)
        return 0;
    /* the analysis is linear in the pixels; huge declared images only slow the fuzzer down */
    if ((size_t)img->width * (size_t)img->height <= 400000) {
        fingerfeat *f = NULL;
        if (fingerfeat_analyse(img->pix, img->width, img->height, &f) == BK_OK) {
            fingermatch_result r;
            fingermatch_compare(f, f, &r);
            fingerfeat_free(f);
        }
    }
    fingerimg_free(img);
    return 0;
}
