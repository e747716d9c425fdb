/* What record.c (encoding, committing) and record_check.c (the checks) share. */
#ifndef BIOKIOSK_RECORD_PRIV_H
#define BIOKIOSK_RECORD_PRIV_H

#include <stddef.h>

#include <glib.h>

#include "core/bk_err.h"

#define UNIT_MM 0.0254 /* Type-8 coordinates: 1/1000 inch */

/* Writes the reason (printf-style) into why and returns BK_ERR_INVALID. */
bk_err record_refuse(char *why, size_t why_size, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
