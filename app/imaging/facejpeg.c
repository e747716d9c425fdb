#include "imaging/facejpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

typedef struct region_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int warnings; /* a truncated stream only warns in libjpeg */
} region_err;

static void on_error(j_common_ptr cinfo)
{
    longjmp(((region_err *)cinfo->err)->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level)
{
    if (level < 0)
        ((region_err *)cinfo->err)->warnings++;
}

static void on_output(j_common_ptr cinfo)
{
    /* errors are returned as codes */
}

bk_err facejpeg_decode_region(const uint8_t *data, size_t size, int scale_denom, int x, int y,
                              int w, int h, pic **out, int *ox, int *oy)
{
    if (data == NULL || size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF ||
        out == NULL || ox == NULL || oy == NULL ||
        (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8))
        return BK_ERR_INVALID;
    struct jpeg_decompress_struct cinfo;
    region_err e;
    pic *volatile p = NULL;
    volatile bk_err err = BK_ERR_CORRUPT;
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error;
    e.mgr.emit_message = on_message;
    e.mgr.output_message = on_output;
    e.warnings = 0;
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&cinfo);
        pic_free(p);
        return err;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if ((int64_t)cinfo.image_width * cinfo.image_height > PIC_MAX_PIXELS) {
        err = BK_ERR_NO_SPACE;
        longjmp(e.jump, 1);
    }
    cinfo.out_color_space = JCS_RGB;
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)scale_denom;
    jpeg_start_decompress(&cinfo);
    int iw = (int)cinfo.output_width, ih = (int)cinfo.output_height;
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > iw ? iw : x + w, y1 = y + h > ih ? ih : y + h;
    if (x1 <= x0 || y1 <= y0) {
        err = BK_ERR_INVALID;
        longjmp(e.jump, 1);
    }
    JDIMENSION xoff = (JDIMENSION)x0, cw = (JDIMENSION)(x1 - x0);
    jpeg_crop_scanline(&cinfo, &xoff, &cw);
    pic *np = NULL;
    bk_err perr = pic_new((int)cw, y1 - y0, 3, &np);
    if (perr != BK_OK) {
        err = perr;
        longjmp(e.jump, 1);
    }
    p = np;
    /* rows above are entropy-decoded only; rows below are not read at all */
    if (y0 > 0 && jpeg_skip_scanlines(&cinfo, (JDIMENSION)y0) != (JDIMENSION)y0)
        longjmp(e.jump, 1);
    while (cinfo.output_scanline < (JDIMENSION)y1) {
        JSAMPROW row = p->px + (size_t)(cinfo.output_scanline - (JDIMENSION)y0) * cw * 3;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1)
            longjmp(e.jump, 1);
    }
    if (e.warnings > 0)
        longjmp(e.jump, 1);
    jpeg_abort_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *out = p;
    *ox = (int)xoff;
    *oy = y0;
    return BK_OK;
}
