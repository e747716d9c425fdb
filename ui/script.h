/* The scripted mode: plays a script against the real kiosk (offscreen), one command a line.
 *
 *   tap "Label"        tap the button showing Label (in the current language)
 *   tap X Y            tap at pixel X, Y
 *   type TEXT          type the rest of the line (as a keyboard or barcode scanner would)
 *   key NAME           press a key: SDL key names (Return, Backspace, Escape, F12), with
 *                      modifiers as Alt+F4, Ctrl+Q
 *   press X Y MS       hold a finger at X, Y for MS milliseconds (the staff corner's long press)
 *   wait MS            let MS milliseconds pass on the kiosk's clock
 *   idle SECONDS       let SECONDS pass without input (the idle timer)
 *   expect-screen NAME fail unless the screen on top is NAME
 *   expect-text "T"    fail unless text containing T is on screen
 *   expect-no-text "T" fail when text containing T is on screen
 *   expect-targets     fail when a button on screen is smaller than the 15 mm touch target
 *   expect-still MS    let MS milliseconds pass; fail when anything was drawn meanwhile
 *   screenshot NAME    write DIR/NAME.png (--screenshots DIR)
 *   memory             print "memory: line=N rss_kb=N biomem_live=N" on stdout (benchmarks)
 *   staff ID PIN       open the staff PIN pad, type ID, Enter, type PIN, Enter (no ids listed)
 *   language CODE      tap the language button of CODE (nl, en, ar, ...)
 *   # ...              a comment; blank lines are ignored
 *
 * A failing command stops the script: the message names the line and what was on screen
 * instead. Areas that add devices register their own commands (finger, stroke, camera-fault)
 * with script_register.
 */
#ifndef BIOKIOSK_SCRIPT_H
#define BIOKIOSK_SCRIPT_H

#include <stdbool.h>

#include <glib.h>

#include "core/bk_err.h"
#include "ui/session.h"

typedef struct script script;

/* A command: argv[0] is its name; `rest` is the line after the name, unparsed (for `type`).
 * Returns BK_OK, or calls script_fail and returns its value. */
typedef bk_err (*script_fn)(script *sc, int argc, char **argv, const char *rest);

/* Adds a command (transfer none: name and usage are static). BK_ERR_EXISTS when the name is
 * taken. Commands registered before script_run are available to every script. */
bk_err script_register(const char *name, int min_args, int max_args, script_fn fn,
                       const char *usage);

/* Records why the current command failed (the line number is added); returns BK_ERR_INVALID. */
bk_err script_fail(script *sc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

session *script_session(const script *sc);
/* Handles every queued event and draws, as between two commands. */
void script_settle(script *sc);
/* Queues an event as input from a device would arrive, then settles. */
void script_push(script *sc, SDL_Event *ev);

/* Plays the file at path. BK_OK when every command passed; otherwise *message (transfer full,
 * g_free) says "FILE:LINE: ...". shots_dir may be NULL (screenshot then fails). */
bk_err script_run(session *s, const char *path, const char *shots_dir, char **message);

#endif
