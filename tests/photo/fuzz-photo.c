/* libFuzzer target: the photo's decoders of outside data - JPEG and PNG files (picio) and
 * cascade XML (haar). The first byte chooses the decoder and the JPEG scale. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "imaging/haar.h"
#include "imaging/picio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    if (mode & 1) {
        haar *h = NULL;
        if (haar_parse((const char *)data, size, &h) == BK_OK) {
            /* a cascade that loads must also run without reading outside its arrays */
            pic *g = NULL;
            if (pic_new(48, 48, 1, &g) == BK_OK) {
                for (size_t i = 0; i < 48 * 48; i++)
                    g->px[i] = (uint8_t)(i * 7);
                haar_params p = {1.25, 0, 0, 1, 0};
                haar_hit *hits = NULL;
                size_t n = 0;
                if (haar_detect(h, g, &p, &hits, &n) == BK_OK)
                    free(hits);
                pic_free(g);
            }
            haar_free(h);
        }
        return 0;
    }
    int w = 0, h = 0;
    /* big but valid headers only cost time: the 100-megapixel limit is tested elsewhere */
    if (picio_peek_size(data, size, &w, &h) != BK_OK || (int64_t)w * h > 4000000)
        return 0;
    static const int scales[4] = {1, 2, 4, 8};
    pic *p = NULL;
    if (picio_decode(data, size, scales[(mode >> 1) & 3], &p) == BK_OK)
        pic_free(p);
    return 0;
}
