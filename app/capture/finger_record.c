/* The record's form of a print (finger.h: finger_print_png). */
#include <string.h>

#include "capture/finger.h"
#include "imaging/fingerscale.h"
#include "imaging/picio.h"

#define MIN_PRINT_W 315 /* 16 mm at 500 ppi: the record's smallest flat print */
#define MIN_PRINT_H 394 /* 20 mm */

/* An 8-bit grey PNG that says 500 ppi, through the project's one PNG writer. */
static bk_err encode_png(const fingerimg *img, uint8_t **out, size_t *len)
{
    pic p = {.width = img->width, .height = img->height, .channels = 1, .px = img->pix};
    return picio_encode_png(&p, FINGERSCALE_PPMM_500, out, len);
}

bk_err finger_print_png(const fingerimg *img, uint8_t **out, size_t *len)
{
    int w = img->width < MIN_PRINT_W ? MIN_PRINT_W : img->width;
    int h = img->height < MIN_PRINT_H ? MIN_PRINT_H : img->height;
    if (w == img->width && h == img->height)
        return encode_png(img, out, len);
    fingerimg *big = NULL;
    bk_err err = fingerimg_new(w, h, &big);
    if (err != BK_OK)
        return err;
    memset(big->pix, 255, (size_t)w * (size_t)h);
    int x0 = (w - img->width) / 2, y0 = (h - img->height) / 2;
    for (int y = 0; y < img->height; y++)
        memcpy(big->pix + (size_t)(y + y0) * (size_t)w + (size_t)x0,
               img->pix + (size_t)y * (size_t)img->width, (size_t)img->width);
    err = encode_png(big, out, len);
    fingerimg_free(big);
    return err;
}
