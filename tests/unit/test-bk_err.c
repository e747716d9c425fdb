#include <errno.h>

#include <glib.h>

#include "core/bk_err.h"

/* The one errno mapping: what the record library's three former copies agreed on, and where they
 * differed, the answer each caller's tests rely on (EEXIST: the key files and outbox commits;
 * ENOTDIR: a path through a file is as missing as a path that is not there). */
static void test_from_errno(void)
{
    static const struct {
        int errnum;
        bk_err expect;
    } cases[] = {
        {ENOENT, BK_ERR_NOT_FOUND},
        {ENOTDIR, BK_ERR_NOT_FOUND},
        {EEXIST, BK_ERR_EXISTS},
        {EACCES, BK_ERR_PERMISSION},
        {EPERM, BK_ERR_PERMISSION},
        {EROFS, BK_ERR_PERMISSION},
        {ENOSPC, BK_ERR_NO_SPACE},
        {EDQUOT, BK_ERR_NO_SPACE},
        {EFBIG, BK_ERR_NO_SPACE},
        {ENOMEM, BK_ERR_NOMEM},
        {EBUSY, BK_ERR_BUSY},
        {ETIMEDOUT, BK_ERR_TIMEOUT},
        {ENODEV, BK_ERR_NO_DEVICE},
        {ENXIO, BK_ERR_NO_DEVICE},
        {EIO, BK_ERR_IO},
        {EINTR, BK_ERR_IO},
        {0, BK_ERR_IO},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        bk_err got = bk_err_from_errno(cases[i].errnum);
        if (got != cases[i].expect)
            g_error("%s: %s, expected %s", g_strerror(cases[i].errnum), bk_err_str(got),
                    bk_err_str(cases[i].expect));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bk_err/from-errno", test_from_errno);
    return g_test_run();
}
