/* libFuzzer target: image decoding (PNG, PGM), resampling to 500 ppi, feature extraction and
 * comparison. */
#include <stddef.h>
#include <stdint.h>

#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"
#include "imaging/fingermatch.h"
#include "imaging/fingerscale.h"

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
    /* a resolution from the input's last byte: 19.7 .. 45.2 px/mm (500 .. 1148 ppi; below 500
     * the resampling refuses, images are never enlarged) */
    if ((size_t)img->width * (size_t)img->height <= 400000) {
        fingerimg *scaled = NULL;
        double ppmm = FINGERSCALE_PPMM_500 + (double)data[size - 1] / 10.0;
        if (fingerscale_resample(img, ppmm, FINGERSCALE_PPMM_500, &scaled) == BK_OK)
            fingerimg_free(scaled);
    }
    fingerimg_free(img);
    return 0;
}
