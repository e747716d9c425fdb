/* Benchmark of the record: encode + sign + seal of one person's record (a 1244x1600 face
 * JPEG, two flat prints, a signature as pen data and as an image), the signature image alone,
 * and the outbox commit with its fsyncs. Prints medians.
 *   bench-record [FACE.jpg] [RUNS]
 * With a face photo of at least 1244x1600 the centre is cropped from it (a realistic JPEG
 * size); without one a synthetic image is used. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <jpeglib.h>
#include <sodium.h>

#include "bench.h"
#include "core/biomem.h"
#include "record/outbox.h"
#include "record/record.h"
#include "record/seal.h"
#include "testimg.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The centre 1244x1600 of a photo, re-encoded at quality 90; NULL when it is too small. */
static uint8_t *crop_face(const char *path, size_t *len)
{
    gchar *data = NULL;
    gsize size = 0;
    if (!g_file_get_contents(path, &data, &size, NULL))
        return NULL;
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr err;
    d.err = jpeg_std_error(&err);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, (unsigned char *)data, size);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    unsigned w = d.output_width, h = d.output_height;
    if (w < RECORD_FACE_WIDTH || h < RECORD_FACE_HEIGHT) {
        jpeg_destroy_decompress(&d);
        g_free(data);
        return NULL;
    }
    guint8 *pix = g_malloc((size_t)w * h * 3);
    while (d.output_scanline < h) {
        JSAMPROW row = pix + (size_t)d.output_scanline * w * 3;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    g_free(data);

    struct jpeg_compress_struct c;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_len = 0;
    jpeg_mem_dest(&c, &out, &out_len);
    c.image_width = RECORD_FACE_WIDTH;
    c.image_height = RECORD_FACE_HEIGHT;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    unsigned x0 = (w - RECORD_FACE_WIDTH) / 2, y0 = (h - RECORD_FACE_HEIGHT) / 2;
    while (c.next_scanline < RECORD_FACE_HEIGHT) {
        JSAMPROW row = pix + ((size_t)(y0 + c.next_scanline) * w + x0) * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    g_free(pix);
    uint8_t *copy = g_memdup2(out, out_len);
    free(out);
    *len = out_len;
    return copy;
}

int main(int argc, char **argv)
{
    const char *face_path = argc > 1 ? argv[1] : NULL;
    int runs = argc > 2 ? atoi(argv[2]) : (int)bench_n(30, 1);
    if (runs < 1 || seal_init() != BK_OK)
        return 2;
    size_t face_len = 0;
    uint8_t *face = face_path ? crop_face(face_path, &face_len) : NULL;
    const char *face_kind = "photo crop";
    if (face == NULL) {
        face = testimg_jpeg(RECORD_FACE_WIDTH, RECORD_FACE_HEIGHT, 1, &face_len);
        face_kind = "synthetic";
    }
    size_t p1_len, p2_len;
    uint8_t *p1 = testimg_print(416, 512, 1, &p1_len);
    uint8_t *p2 = testimg_print(416, 512, 2, &p2_len);
    record_point pts[2][300];
    record_stroke strokes[2];
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 300; i++)
            pts[s][i] = (record_point){20 + 0.2 * i, 10 + 5 * sin(i / 10.0) + 10 * s,
                                       0.5 + 0.3 * sin(i / 7.0), 5.0 * i + 2000 * s};
        strokes[s] = (record_stroke){pts[s], 300};
    }
    record_session s = {
        .v_number = "1234567890",
        .surname = "Jansen",
        .given_names = "Anna",
        .birth_date = "1990-04-12",
        .category = RULES_CATEGORY_THIRD_COUNTRY,
        .appointment_code = "AB12-CD34",
        .desk = "DEN-HAAG",
        .kiosk_id = "DH-03",
        .staff_id = "S1",
        .started = "20261122100000Z",
        .ended = "20261122100700Z",
        .photo = RULES_ACTION_CAPTURE,
        .fingerprints = RULES_ACTION_CAPTURE,
        .signature = RULES_ACTION_CAPTURE,
        .photo_reason = "r",
        .fingerprints_reason = "r",
        .signature_reason = "r",
        .face_jpeg = face,
        .face_len = face_len,
        .fingers = {{2, p1, p1_len, 57, 15, 2}, {7, p2, p2_len, 44, 15, 2}},
        .n_fingers = 2,
        .strokes = strokes,
        .n_strokes = 2,
    };
    uint8_t kpk[32], ksk[64], opk[32], osk[32];
    crypto_sign_keypair(kpk, ksk);
    crypto_box_keypair(opk, osk);
    char *dir = g_dir_make_tmp("bench-record-XXXXXX", NULL);
    double *encode = g_new(double, runs), *commit = g_new(double, runs);
    double *enc_only = g_new(double, runs), *render = g_new(double, runs);
    size_t sealed_len = 0;
    char why[256];
    for (int i = 0; i < runs; i++) {
        /* the signature image alone (it is part of the encoding below) */
        double r0 = now_ms();
        sigrender_image img;
        if (record_signature_image(&s, &img) != BK_OK) {
            fprintf(stderr, "bench-record: the signature image failed\n");
            return 1;
        }
        render[i] = now_ms() - r0;
        if (i == 0)
            printf("record: signature image %dx%d px (%.2f px/mm)\n", img.width, img.height,
                   img.px_per_mm);
        sigrender_image_clear(&img);
        double t0 = now_ms();
        uint8_t *an2 = NULL, *sealed = NULL;
        size_t an2_len = 0;
        bk_err err =
            record_encode(&s, "DH-03-20261122100700Z-00000000", &an2, &an2_len, why, sizeof(why));
        enc_only[i] = now_ms() - t0;
        if (err != BK_OK || seal_record(an2, an2_len, ksk, opk, &sealed, &sealed_len) != BK_OK) {
            fprintf(stderr, "bench-record: %s\n", why);
            return 1;
        }
        double t1 = now_ms();
        char name[32];
        snprintf(name, sizeof(name), "r%04d.bkrec", i);
        if (outbox_commit(dir, name, sealed, sealed_len) != BK_OK) {
            fprintf(stderr, "bench-record: commit failed\n");
            return 1;
        }
        double t2 = now_ms();
        encode[i] = t1 - t0;
        commit[i] = t2 - t1;
        biomem_free(an2);
        g_free(sealed);
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
    printf("record: face %s %zu bytes, prints %zu + %zu bytes, signature 600 points\n", face_kind,
           face_len, p1_len, p2_len);
    printf("record: sealed file %zu bytes, %d runs\n", sealed_len, runs);
    printf("record: encode+sign+seal median %.2f ms (of which encoding %.2f ms)\n",
           median(encode, runs), median(enc_only, runs));
    printf("record: signature image (render into the 600x200 box) median %.2f ms\n",
           median(render, runs));
    printf("record: outbox commit (write, fsync, rename, fsync dir) median %.2f ms\n",
           median(commit, runs));
    g_free(encode);
    g_free(commit);
    g_free(enc_only);
    g_free(render);
    g_free(dir);
    g_free(face);
    g_free(p1);
    g_free(p2);
    return 0;
}
