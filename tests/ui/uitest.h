/* Small helpers shared by the ui tests that run the real kiosk. Included by each test file. */
#ifndef BIOKIOSK_UITEST_H
#define BIOKIOSK_UITEST_H

#include <glib.h>
#include <glib/gstdio.h>

/* Writes text to path; fails the test when it cannot. */
static inline void write_file(const char *path, const char *text)
{
    GError *error = NULL;
    if (!g_file_set_contents(path, text, -1, &error))
        g_error("cannot write %s: %s", path, error->message);
}

/* Removes a test's temporary directory and everything in it (symbolic links are not followed). */
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

#endif
