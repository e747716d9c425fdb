#include "biomem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Each buffer is preceded by a header that records its size, so the whole buffer can be wiped
 * and unlocked on free. The header is padded to keep the payload aligned for any type. */
typedef union header {
    size_t size;
    max_align_t align;
} header;

static atomic_size_t live_count;
static atomic_size_t live_bytes;

void biomem_wipe(void *ptr, size_t size)
{
    if (ptr == NULL || size == 0)
        return;
    /* explicit_bzero is not removed by the optimiser, unlike a memset before free */
    explicit_bzero(ptr, size);
}

void *biomem_alloc(size_t size)
{
    if (size == 0 || size > SIZE_MAX - sizeof(header))
        return NULL;
    header *h = calloc(1, sizeof(header) + size);
    if (h == NULL)
        return NULL;
    h->size = size;
    /* Best effort: RLIMIT_MEMLOCK is small for ordinary users; a refusal leaves it swappable. */
    (void)mlock(h, sizeof(header) + size);
    atomic_fetch_add(&live_count, 1);
    atomic_fetch_add(&live_bytes, size);
    return h + 1;
}

void *biomem_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return biomem_alloc(n * size);
}

size_t biomem_size(const void *ptr)
{
    return ptr ? ((const header *)ptr - 1)->size : 0;
}

void biomem_free(void *ptr)
{
    if (ptr == NULL)
        return;
    header *h = (header *)ptr - 1;
    size_t size = h->size;
    biomem_wipe(h, sizeof(header) + size);
    (void)munlock(h, sizeof(header) + size);
    free(h);
    atomic_fetch_sub(&live_count, 1);
    atomic_fetch_sub(&live_bytes, size);
}

void *biomem_realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return biomem_alloc(size);
    void *fresh = biomem_alloc(size);
    if (fresh == NULL)
        return NULL;
    size_t old = biomem_size(ptr);
    memcpy(fresh, ptr, old < size ? old : size);
    biomem_free(ptr);
    return fresh;
}

size_t biomem_live_count(void)
{
    return atomic_load(&live_count);
}

size_t biomem_live_bytes(void)
{
    return atomic_load(&live_bytes);
}
