/* Scripted-mode commands for TESTS ONLY (registered through testhooks_register,
 * in --script mode alone, in a -Dtest_hooks=true build):
 *
 *   test-scan-memory FILE found|absent|report
 *                                 search this process's readable memory (/proc/self/maps and
 *                                 /proc/self/mem) for the byte pattern in FILE, which holds the
 *                                 pattern XOR 0xA5 so that the plain pattern never exists in
 *                                 memory because of the search itself; print
 *                                 "scan: regions=N bytes=N found=0|1" and fail unless the
 *                                 outcome is the one named (report: never fail, the test judges)
 *   test-wait-file PATH SECONDS   wait in real time until PATH exists (a test's signal that it
 *                                 changed the world, e.g. freed disk space); fail after SECONDS
 *   test-say "TEXT"               print "script says: TEXT" on stderr (the script's signal to the
 *                                 test that it has seen what it waited for, e.g. a device's pause,
 *                                 so that the test changes the world only then)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/biomem.h"
#include "testhooks/hooks.h"
#include "ui/script.h"

#define MASK  0xA5
#define CHUNK (1u << 20)

/* Finds the masked needle in [p, p+n). */
static bool contains(const uint8_t *p, size_t n, const uint8_t *masked, size_t m)
{
    uint8_t first = masked[0] ^ MASK;
    for (size_t i = 0; i + m <= n; i++) {
        if (p[i] != first)
            continue;
        size_t j = 1;
        while (j < m && (uint8_t)(p[i + j] ^ MASK) == masked[j])
            j++;
        if (j == m)
            return true;
    }
    return false;
}

static bk_err cmd_scan_memory(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    bool want_found = strcmp(argv[2], "found") == 0;
    bool report = strcmp(argv[2], "report") == 0;
    if (!want_found && !report && strcmp(argv[2], "absent") != 0)
        return script_fail(sc, "test-scan-memory: say found, absent or report");
    script_settle(sc);
    gchar *masked = NULL;
    gsize m = 0;
    if (!g_file_get_contents(argv[1], &masked, &m, NULL) || m < 16 || m > 4096) {
        g_free(masked);
        return script_fail(sc, "test-scan-memory: '%s' is not a pattern of 16-4096 bytes", argv[1]);
    }
    uint8_t *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FILE *maps = fopen("/proc/self/maps", "re");
    /* the kiosk is not dumpable (no core dumps of biometric memory), which makes /proc/self/mem
     * root's: dumpable only while the file is opened */
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    (void)prctl(PR_SET_DUMPABLE, dumpable > 0 ? 1 : 0, 0, 0, 0);
    if (buf == MAP_FAILED || maps == NULL || mem < 0) {
        if (buf != MAP_FAILED)
            munmap(buf, CHUNK);
        if (maps)
            fclose(maps);
        if (mem >= 0)
            close(mem);
        g_free(masked);
        return script_fail(sc, "test-scan-memory: cannot read this process's memory");
    }
    bool found = false;
    size_t regions = 0, bytes = 0;
    char line[512];
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r')
            continue;
        /* huge reservations (sanitizer shadow) hold no data of ours */
        if (hi - lo > (1ul << 32) || strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
            continue;
        regions++;
        /* The scratch buffer is skipped, not its whole region: the kernel merges neighbouring
         * anonymous mappings, so the region may hold the allocator's buffers too. */
        unsigned long skip_lo = (unsigned long)(uintptr_t)buf, skip_hi = skip_lo + CHUNK;
        for (unsigned long at = lo; at < hi && !found;) {
            if (at >= skip_lo && at < skip_hi) {
                at = skip_hi;
                continue;
            }
            unsigned long end = MIN(hi, at + CHUNK);
            if (at < skip_lo && end > skip_lo)
                end = skip_lo;
            size_t want = (size_t)(end - at);
            ssize_t n = pread(mem, buf, want, (off_t)at);
            if (n <= 0)
                break;
            bytes += (size_t)n;
            found = contains(buf, (size_t)n, (const uint8_t *)masked, m);
            /* overlap so that a pattern across two chunks is seen */
            if ((size_t)n < want)
                break;
            if (end == hi || end == skip_lo || (size_t)n < m)
                at = end;
            else
                at += (size_t)n - (m - 1);
        }
    }
    memset(buf, 0, CHUNK);
    munmap(buf, CHUNK);
    fclose(maps);
    close(mem);
    g_free(masked);
    printf("scan: regions=%zu bytes=%zu found=%d\n", regions, bytes, found ? 1 : 0);
    fflush(stdout);
    if (!report && found != want_found)
        return script_fail(sc,
                           "test-scan-memory: the pattern is %s in memory (%zu regions, %zu bytes)",
                           found ? "still" : "not", regions, bytes);
    return BK_OK;
}

static bk_err cmd_wait_file(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    int64_t until = g_get_monotonic_time() + (int64_t)atoi(argv[2]) * G_USEC_PER_SEC;
    printf("waiting: %s\n", argv[1]);
    fflush(stdout);
    while (!g_file_test(argv[1], G_FILE_TEST_EXISTS)) {
        if (g_get_monotonic_time() > until)
            return script_fail(sc, "test-wait-file: '%s' did not appear", argv[1]);
        g_usleep(20 * 1000);
    }
    script_settle(sc);
    return BK_OK;
}

static bk_err cmd_say(script *sc, int argc, char **argv, const char *rest)
{
    (void)sc;
    (void)argc;
    (void)rest;
    fprintf(stderr, "script says: %s\n", argv[1]);
    fflush(stderr);
    return BK_OK;
}

void kioskrec_register_test_commands(void)
{
    script_register("test-scan-memory", 2, 2, cmd_scan_memory,
                    "test-scan-memory PATTERN-FILE found|absent|report");
    script_register("test-wait-file", 2, 2, cmd_wait_file, "test-wait-file PATH SECONDS");
    script_register("test-say", 1, 1, cmd_say, "test-say \"TEXT\"");
}
