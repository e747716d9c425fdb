/* Buffers that hold biometric data: images, prints, pen points.
 *
 * Every such buffer is allocated here. biomem_free() overwrites the whole buffer before giving
 * it back, and buffers are locked into memory (kept out of swap) where the system allows it; a
 * refused lock is not an error. The whole pages of a buffer are marked MADV_DONTDUMP (left out
 * of a core dump); the kiosk process is also not dumpable at all. The module counts what is live,
 * so a session's end can check that nothing biometric is left.
 *
 * Thread-safe.
 */
#ifndef BIOKIOSK_BIOMEM_H
#define BIOKIOSK_BIOMEM_H

#include <stddef.h>

/* Zero-filled buffer of `size` bytes (transfer full: free with biomem_free), or NULL when out of
 * memory or size is 0. */
void *biomem_alloc(size_t size);

/* Like biomem_alloc, for n elements of `size` bytes; NULL on overflow. */
void *biomem_calloc(size_t n, size_t size);

/* Grows or shrinks a biomem buffer, wiping the old one. Returns NULL and leaves `ptr` untouched
 * when out of memory. biomem_realloc(NULL, n) is biomem_alloc(n). */
void *biomem_realloc(void *ptr, size_t size);

/* Wipes and frees a buffer from biomem_alloc/calloc/realloc. NULL does nothing. */
void biomem_free(void *ptr);

/* The usable size of a biomem buffer. */
size_t biomem_size(const void *ptr);

/* Overwrites `size` bytes at ptr with zeros in a way the compiler cannot remove. */
void biomem_wipe(void *ptr, size_t size);

/* Number of live biomem buffers and their total size, for leak checks at the end of a session. */
size_t biomem_live_count(void);
size_t biomem_live_bytes(void);

#endif
