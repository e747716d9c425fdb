/* What the kiosk says aloud (app/capture/speech.h): the key prompt of each applicant screen and
 * the photo step's live instructions, as msgids of the catalogues. One table, so the speech test
 * can synthesise every text in every language.
 */
#ifndef BIOKIOSK_UI_SPOKEN_H
#define BIOKIOSK_UI_SPOKEN_H

#include <stddef.h>

/* The prompt said when the screen `name` (a screen class's stable name) comes up, as a msgid;
 * NULL for screens that say nothing. */
const char *spoken_prompt(const char *screen_name);

/* Every msgid the kiosk may say: row i of spoken_count() (NULL past the end). */
const char *spoken_text(size_t i);
size_t spoken_count(void);

#endif
