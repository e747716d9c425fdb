/* Test inputs made with the real libraries: a colour JPEG and an 8-bit grey PNG in memory. */
#ifndef BIOKIOSK_TESTIMG_H
#define BIOKIOSK_TESTIMG_H

#include <stddef.h>
#include <stdint.h>

/* A baseline JPEG of w x h (transfer full, g_free); `seed` varies the content. */
uint8_t *testimg_jpeg(unsigned w, unsigned h, unsigned seed, size_t *len);

/* A PNG of w x h with bit depth 8 and colour type `colour` (0 grey, 2 RGB), g_free. */
uint8_t *testimg_png(unsigned w, unsigned h, int colour, unsigned seed, size_t *len);

/* A grey PNG with ridge-like rings and noise, about the size a real flat print compresses to
 * (g_free). */
uint8_t *testimg_print(unsigned w, unsigned h, unsigned seed, size_t *len);

/* Writes data to dir/name and returns the path (g_free). */
char *testimg_save(const char *dir, const char *name, const void *data, size_t len);

#endif
