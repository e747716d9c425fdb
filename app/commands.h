/* The subcommands of `biokiosk`. Each is `int cmd_NAME(int argc, char **argv)` in
 * app/cmd_NAME.c, called with argv[0] = "NAME"; it returns the process's exit status
 * (0 success, 1 a negative answer, 2 bad usage, 3 a service that cannot be reached).
 *
 * To add one: a line below and the file in app/meson.build. */
#ifndef BIOKIOSK_COMMANDS_H
#define BIOKIOSK_COMMANDS_H

#define BIOKIOSK_COMMANDS(X)                                                                       \
    X(rules, "what a person gives at the desk, by the age and category rules")

#define BIOKIOSK_DECLARE_COMMAND(name, summary) int cmd_##name(int argc, char **argv);
BIOKIOSK_COMMANDS(BIOKIOSK_DECLARE_COMMAND)
#undef BIOKIOSK_DECLARE_COMMAND

#endif
