#include "core/bk_err.h"

#include <stddef.h>

static const char *const names[BK_ERR_COUNT_] = {
    [BK_OK] = "success",
    [BK_ERR_INVALID] = "invalid input",
    [BK_ERR_NOMEM] = "out of memory",
    [BK_ERR_IO] = "input/output error",
    [BK_ERR_NOT_FOUND] = "not found",
    [BK_ERR_EXISTS] = "already exists",
    [BK_ERR_CONFLICT] = "conflict",
    [BK_ERR_BUSY] = "busy",
    [BK_ERR_TIMEOUT] = "timed out",
    [BK_ERR_NO_DEVICE] = "no device",
    [BK_ERR_DEVICE] = "device error",
    [BK_ERR_UNAVAILABLE] = "unavailable",
    [BK_ERR_CORRUPT] = "corrupt data",
    [BK_ERR_CRYPTO] = "signature or key check failed",
    [BK_ERR_NO_SPACE] = "no space left",
    [BK_ERR_PERMISSION] = "permission denied",
    [BK_ERR_UNSUPPORTED] = "not supported",
    [BK_ERR_CANCELLED] = "cancelled",
    [BK_ERR_INTERNAL] = "internal error",
};

const char *bk_err_str(bk_err err)
{
    if ((int)err < 0 || err >= BK_ERR_COUNT_ || names[err] == NULL)
        return "unknown error";
    return names[err];
}
