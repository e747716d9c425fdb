/* The kiosk's languages: gettext catalogues (.mo files built from assets/po/) read by the kiosk
 * itself, so that the language can switch instantly on any screen, whatever the process locale,
 * and a test can walk through every translated string.
 *
 * Catalogues are looked up as DIR/LANG/LC_MESSAGES/biokiosk.mo. English is the source language:
 * a message without a translation is shown in English.
 */
#ifndef BIOKIOSK_I18N_H
#define BIOKIOSK_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bk_err.h"

/* Marks a string for translation and looks it up in the current language (transfer none). */
#define _(s) i18n_text(s)
/* Marks a string for translation without looking it up (for static tables). */
#define N_(s) (s)

/* The language codes the kiosk knows, in the order of the configuration's choices. */
extern const char *const i18n_languages[];
extern const size_t i18n_n_languages;

/* Loads the catalogues of the given languages from `dir` (NULL: the installed locale directory).
 * "en" needs no catalogue. BK_ERR_NOT_FOUND naming the language in *missing (static) when one
 * is absent, BK_ERR_CORRUPT when one is not a valid .mo file. Replaces what was loaded. */
bk_err i18n_load(const char *dir, const char *const *languages, size_t n, const char **missing);

/* Frees every catalogue. */
void i18n_unload(void);

/* Makes `code` the current language. BK_ERR_NOT_FOUND when it was not loaded. */
bk_err i18n_set_language(const char *code);
const char *i18n_language(void);

/* The translation of msgid in the current language, or msgid itself. */
const char *i18n_text(const char *msgid) __attribute__((format_arg(1)));
/* The same in a given loaded language. */
const char *i18n_text_in(const char *code, const char *msgid) __attribute__((format_arg(2)));

/* True for languages written right to left. */
bool i18n_is_rtl(const char *code);
/* The language's own name ("Nederlands", "العربية"). */
const char *i18n_native_name(const char *code);

/* Calls fn for every translated string of a loaded language; returns how many there were. */
size_t i18n_each(const char *code, void (*fn)(const char *msgid, const char *text, void *data),
                 void *data);

#endif
