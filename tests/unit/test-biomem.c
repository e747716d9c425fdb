#include <string.h>

#include <glib.h>

#include "core/biomem.h"

static void test_alloc_free(void)
{
    size_t count = biomem_live_count(), bytes = biomem_live_bytes();
    unsigned char *a = biomem_alloc(1000);
    g_assert_nonnull(a);
    g_assert_cmpuint(biomem_size(a), ==, 1000);
    for (size_t i = 0; i < 1000; i++)
        g_assert_cmpint(a[i], ==, 0);
    memset(a, 0xAB, 1000);
    g_assert_cmpuint(biomem_live_count(), ==, count + 1);
    g_assert_cmpuint(biomem_live_bytes(), ==, bytes + 1000);

    a = biomem_realloc(a, 3000);
    g_assert_nonnull(a);
    g_assert_cmpint(a[999], ==, 0xAB);
    g_assert_cmpint(a[1000], ==, 0);
    g_assert_cmpuint(biomem_live_bytes(), ==, bytes + 3000);
    biomem_free(a);
    g_assert_cmpuint(biomem_live_count(), ==, count);
    g_assert_cmpuint(biomem_live_bytes(), ==, bytes);

    biomem_free(NULL);
    g_assert_null(biomem_alloc(0));
    g_assert_null(biomem_calloc((size_t)-1, 16));
    int *v = biomem_calloc(10, sizeof(int));
    g_assert_nonnull(v);
    g_assert_cmpuint(biomem_size(v), ==, 10 * sizeof(int));
    biomem_free(v);
}

static void test_wipe(void)
{
    unsigned char buf[64];
    memset(buf, 0x5A, sizeof buf);
    biomem_wipe(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        g_assert_cmpint(buf[i], ==, 0);
    biomem_wipe(NULL, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/biomem/alloc-free", test_alloc_free);
    g_test_add_func("/biomem/wipe", test_wipe);
    return g_test_run();
}
