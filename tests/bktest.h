/* Helpers shared by the tests that keep files in a temporary directory (tests/cli, tests/delivery,
 * tests/record, tests/store, tests/ui). Header only: include it as "../bktest.h"; bkrun.h runs
 * the biokiosk program. */
#ifndef BIOKIOSK_BKTEST_H
#define BIOKIOSK_BKTEST_H

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

/* Removes path and everything in it; symbolic links are removed, not followed. */
static inline void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *name;
        while ((name = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(path, name, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                remove_tree(p);
            else
                g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(path);
}

/* A new temporary directory from template ("name-XXXXXX"); the test fails when it cannot be
 * made (transfer full). */
static inline char *make_tmpdir(const char *template)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp(template, &error);
    g_assert_no_error(error);
    return dir;
}

/* dir/name made as a directory of this user only (transfer full: its path). */
static inline char *make_subdir(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    return path;
}

/* Lines in text (its '\n's). */
static inline int count_lines(const char *text)
{
    int n = 0;
    for (const char *c = text; *c != '\0'; c++)
        n += *c == '\n';
    return n;
}

#endif
