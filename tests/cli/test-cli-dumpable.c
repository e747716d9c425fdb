/* The command-line tools are not dumpable, like the kiosk (issue 17): no core dump of a process
 * that holds faces, prints, pen points or keys, and no ptrace or /proc reading by other users.
 *
 * A non-dumpable process's /proc/PID files belong to root. The test runs `biokiosk staff add`,
 * which waits for its PIN on stdin, as an unprivileged user (nobody, when the test runs as root),
 * and looks at who owns its /proc/PID/environ while it waits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#define NOBODY 65534

/* The state letter of /proc/pid/stat ('S' sleeping, ...), or 0. */
static char proc_state(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return 0;
    const char *close_paren = strrchr(text, ')');
    return close_paren != NULL && close_paren[1] == ' ' ? close_paren[2] : 0;
}

static gboolean runs(pid_t pid, const char *bin)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *exe = g_file_read_link(path, NULL);
    g_autofree char *want = realpath(bin, NULL);
    return exe != NULL && want != NULL && strcmp(exe, want) == 0;
}

static void test_cli_not_dumpable(void)
{
    const char *bin = g_getenv("BIOKIOSK_BIN");
    if (bin == NULL) {
        g_test_skip("BIOKIOSK_BIN is not set");
        return;
    }
    uid_t user = getuid() == 0 ? NOBODY : getuid();
    g_autofree char *dir = g_dir_make_tmp("biokiosk-dumpable-XXXXXX", NULL);
    g_assert_cmpint(g_chmod(dir, 0777), ==, 0);
    g_autofree char *db = g_strdup_printf("sqlite:%s/store.db", dir);
    int in[2];
    g_assert_cmpint(pipe(in), ==, 0);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        dup2(in[0], 0);
        close(in[1]);
        if (getuid() == 0 && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
            _exit(126);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(bin, bin, "staff", "add", "anna", "--name", "Anna", "--role", "desk", "--store", db,
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    /* wait until it runs biokiosk and waits for its PIN */
    gboolean waiting = FALSE;
    int early = 0;
    for (int i = 0; i < 400 && !waiting; i++) {
        waiting = runs(pid, bin) && proc_state(pid) == 'S';
        if (!waiting && waitpid(pid, &early, WNOHANG) == pid) {
            /* it ended before asking: 127 when the unprivileged user cannot run the program
             * (a directory above it that only root may enter, as a private temporary
             * directory is), which says nothing about the kiosk: skipped, saying why */
            close(in[1]);
            g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
            g_assert_cmpint(system(cmd), ==, 0);
            if (WIFEXITED(early) && WEXITSTATUS(early) == 127) {
                g_test_skip("the unprivileged user cannot run BIOKIOSK_BIN from where it is");
                return;
            }
            g_error("biokiosk staff add ended before asking for the PIN (status %d)", early);
        }
        if (!waiting)
            g_usleep(25 * 1000);
    }
    g_assert_true(waiting);
    g_autofree char *environ_path = g_strdup_printf("/proc/%d/environ", (int)pid);
    GStatBuf st;
    g_assert_cmpint(g_stat(environ_path, &st), ==, 0);
    g_test_message("running as uid %u; /proc/%d/environ belongs to uid %u", (unsigned)user,
                   (int)pid, (unsigned)st.st_uid);
    g_assert_cmpuint(st.st_uid, ==, 0); /* dumpable: it would be the user's */
    close(in[1]);
    kill(pid, SIGTERM);
    int ws = 0;
    g_assert_cmpint(waitpid(pid, &ws, 0), ==, pid);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    g_assert_cmpint(system(cmd), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/not-dumpable", test_cli_not_dumpable);
    return g_test_run();
}
