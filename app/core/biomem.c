#include "core/biomem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* The whole pages inside [p, p + len): madvise works on pages, and a page the buffer shares
 * with its neighbours in the heap must keep its flags. Zero length when there is none. */
static size_t inner_pages(void *p, size_t len, uintptr_t *start)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return 0;
    uintptr_t a = (uintptr_t)p, e = a + len, ps = (uintptr_t)page;
    uintptr_t first = (a + ps - 1) & ~(ps - 1), last = e & ~(ps - 1);
    *start = first;
    return last > first ? (size_t)(last - first) : 0;
}

/* Keeps a buffer's pages out of core dumps (MADV_DONTDUMP) or gives them back (MADV_DODUMP,
 * before free, so that the heap's mappings merge again and memory reused for other data is
 * dumped as before). Only the buffer's own whole pages: small buffers are covered by the kiosk
 * process being non-dumpable (prctl PR_SET_DUMPABLE 0). Best effort. */
static void dump_advice(void *p, size_t len, int advice)
{
    uintptr_t start = 0;
    size_t n = inner_pages(p, len, &start);
    if (n > 0)
        (void)madvise((void *)start, n, advice);
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
    dump_advice(h, sizeof(header) + size, MADV_DONTDUMP);
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
    dump_advice(h, sizeof(header) + size, MADV_DODUMP);
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
