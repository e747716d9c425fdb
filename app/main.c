/* biokiosk: the command line. Parses the subcommand and hands over; nothing else lives here. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib.h>

#include "cli/commands.h"
#include "kiosk.h"
#include "version.h"

typedef struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} command;

#define BIOKIOSK_COMMAND_ROW(name, summary) {#name, summary, cmd_##name},
static const command commands[] = {BIOKIOSK_COMMANDS(BIOKIOSK_COMMAND_ROW)};
#undef BIOKIOSK_COMMAND_ROW

static void usage(FILE *out)
{
    fprintf(out, "Usage: biokiosk [--version | --help]\n"
                 "       biokiosk [--windowed] [--config FILE] [--now ISO-TIME]\n"
                 "                [--script FILE --screenshots DIR]   (the kiosk)\n"
                 "       biokiosk COMMAND [OPTIONS...]\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'biokiosk COMMAND --help' shows the options of a command.\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* A file-size limit reached fails the write (EFBIG), which every writer reports and
     * recovers from, instead of killing the process between a record and its audit entry. */
    signal(SIGXFSZ, SIG_IGN);
    /* Structured logging to the journal when run by systemd, else to stderr; debug output per
     * module with G_MESSAGES_DEBUG=<domain>. */
    g_log_set_writer_func(g_log_writer_default, NULL, NULL);

    /* No command: the kiosk itself (its options start with '-'). */
    if (argc < 2)
        return kiosk_main(argc, argv);
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("biokiosk %s\n", BIOKIOSK_VERSION);
        return 0;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    /* The command-line tools read and write faces, prints, pen points and keys like the kiosk:
     * no core dump of them, and no ptrace by other users (issue 17). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        g_warning("cannot make biokiosk non-dumpable: core dumps may hold biometrics");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);

    if (name[0] == '-')
        return kiosk_main(argc, argv);
    fprintf(stderr, "biokiosk: unknown command '%s'\n", name);
    usage(stderr);
    return 2;
}
