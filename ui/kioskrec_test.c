/* Scripted-mode commands for TESTS ONLY (registered by app/kiosk.c in --script mode alone):
 *
 *   test-take-face FILE QUALITY   put FILE (a 1244x1600 baseline JPEG) into the takes as the
 *                                 current person's face, with one accepted attempt of QUALITY
 *                                 (threshold 50), and end the photo step, as a capture screen
 *                                 would; stands in for the photo screen in record tests
 *   test-scan-memory FILE found|absent
 *                                 search this process's readable memory (/proc/self/maps and
 *                                 /proc/self/mem) for the byte pattern in FILE, which holds the
 *                                 pattern XOR 0xA5 so that the plain pattern never exists in
 *                                 memory because of the search itself; fail unless the outcome
 *                                 is the one named
 *   test-wait-file PATH SECONDS   wait in real time until PATH exists (a test's signal that it
 *                                 changed the world, e.g. freed disk space); fail after SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "biomem.h"
#include "kioskrec.h"
#include "script.h"

#define MASK  0xA5
#define CHUNK (1u << 20)

/* Reads a whole file straight into biomem (no stdio or GLib copy that would not be wiped). */
static uint8_t *read_bio(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (64 << 20)) {
        buf = biomem_alloc((size_t)st.st_size);
        size_t got = 0;
        while (buf && got < (size_t)st.st_size) {
            ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
            if (n <= 0) {
                biomem_free(buf);
                buf = NULL;
                break;
            }
            got += (size_t)n;
        }
        *len = got;
    }
    close(fd);
    return buf;
}

static bk_err cmd_take_face(script *sc, int argc, char **argv, const char *rest)
{
    (void)argc;
    (void)rest;
    session *s = script_session(sc);
    takes *tk = session_takes(s);
    const flow_step *st = flow_get_step(session_flow(s));
    if (tk == NULL || st == NULL || st->item != FLOW_ITEM_PHOTO)
        return script_fail(sc, "test-take-face: not at a photo step");
    size_t len = 0;
    uint8_t *jpeg = read_bio(argv[1], &len);
    if (jpeg == NULL)
        return script_fail(sc, "test-take-face: cannot read '%s'", argv[1]);
    size_t person = flow_current_person(session_flow(s));
    bk_err err = takes_set_face(tk, person, jpeg, len);
    biomem_free(jpeg);
    takes_attempt a = {TAKES_ITEM_PHOTO,    0,   atoi(argv[2]),  50,
                       atoi(argv[2]) >= 50, 'N', session_wall(s)};
    if (err == BK_OK)
        err = takes_add_attempt(tk, person, &a);
    if (err == BK_OK)
        err = takes_set_device(tk, "camera", "test hook", "none");
    if (err != BK_OK)
        return script_fail(sc, "test-take-face: %s", bk_err_str(err));
    session_capture_done(s);
    script_settle(sc);
    return BK_OK;
}

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
    if (!want_found && strcmp(argv[2], "absent") != 0)
        return script_fail(sc, "test-scan-memory: say found or absent");
    script_settle(sc);
    gchar *masked = NULL;
    gsize m = 0;
    if (!g_file_get_contents(argv[1], &masked, &m, NULL) || m < 16 || m > 4096) {
        g_free(masked);
        return script_fail(sc, "test-scan-memory: '%s' is not a pattern of 16-4096 bytes", argv[1]);
    }
    uint8_t *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FILE *maps = fopen("/proc/self/maps", "re");
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
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
    if (found != want_found)
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

void kioskrec_register_test_commands(void)
{
    script_register("test-take-face", 2, 2, cmd_take_face, "test-take-face FILE QUALITY");
    script_register("test-scan-memory", 2, 2, cmd_scan_memory,
                    "test-scan-memory PATTERN-FILE found|absent");
    script_register("test-wait-file", 2, 2, cmd_wait_file, "test-wait-file PATH SECONDS");
}
