/* The kiosk program: `biokiosk` without a subcommand. Wires the configuration, the appointment
 * store, the languages and the screens together, then runs the screens (or plays a script).
 */
#ifndef BIOKIOSK_KIOSK_H
#define BIOKIOSK_KIOSK_H

/* Runs the kiosk with argv[0] = "biokiosk" and the kiosk's options. Returns the exit status:
 * 0 when it ended normally (a script passed), 1 when a script's expectation failed, 2 for bad
 * options or configuration (one line on stderr naming the key and line), 3 when the store or the
 * screen cannot be reached. */
int kiosk_main(int argc, char **argv);

#endif
