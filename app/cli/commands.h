/* The subcommands of `biokiosk`. Each is `int cmd_NAME(int argc, char **argv)` in
 * app/cmd_NAME.c, called with argv[0] = "NAME"; it returns the process's exit status
 * (0 success, 1 a negative answer, 2 bad usage, 3 a service that cannot be reached).
 *
 * To add one: a line in the list below, and the file in app/meson.build. */
#ifndef BIOKIOSK_COMMANDS_H
#define BIOKIOSK_COMMANDS_H

#define BIOKIOSK_COMMANDS(X)                                                                       \
    X(config, "print an example configuration, or check one")                                      \
    X(rules, "what a person gives at the desk, by the age and category rules")                     \
    X(appointment, "appointment codes: import, check, check in, find, unnecessary")                \
    X(staff, "staff accounts that sign in on the kiosk: add, remove, list")                        \
    X(photo, "check a portrait against the passport photo rules and crop it")                      \
    X(finger, "fingerprint image quality, comparison of two, the readers, one capture")            \
    X(signature, "render a signature points file to its image, or list the USB pads")              \
    X(keys, "make the kiosk's signing key or the back office's sealing key pair")                  \
    X(record, "build a signed, sealed record from files, or open one at the back office")          \
    X(outbox, "list, verify, export or purge the sealed records waiting for transfer")             \
    X(receiver, "the back office's receiver of delivered records, or what its store holds")        \
    X(audit, "verify the tamper-evident audit log, or append to it")                               \
    X(selftest, "check the devices, screen, store, outbox, keys and clock of this kiosk")          \
    /* end of the list: add a line above, ending in a backslash */

#define BIOKIOSK_DECLARE_COMMAND(name, summary) int cmd_##name(int argc, char **argv);
BIOKIOSK_COMMANDS(BIOKIOSK_DECLARE_COMMAND)
#undef BIOKIOSK_DECLARE_COMMAND

#endif
