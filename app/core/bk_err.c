#include "core/bk_err.h"

#include <errno.h>
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

bk_err bk_err_from_errno(int errnum)
{
    switch (errnum) {
    case ENOENT:
    case ENOTDIR:
        return BK_ERR_NOT_FOUND;
    case EEXIST:
        return BK_ERR_EXISTS;
    case EACCES:
    case EPERM:
    case EROFS:
        return BK_ERR_PERMISSION;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return BK_ERR_NO_SPACE;
    case ENOMEM:
        return BK_ERR_NOMEM;
    case EBUSY:
        return BK_ERR_BUSY;
    case ETIMEDOUT:
        return BK_ERR_TIMEOUT;
    case ENODEV:
    case ENXIO:
        return BK_ERR_NO_DEVICE;
    default:
        return BK_ERR_IO;
    }
}
