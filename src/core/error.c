#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const status_names[MEMAE_STATUS_COUNT] = {
    [MEMAE_OK] = "ok",
    [MEMAE_E_NOMEM] = "out of memory",
    [MEMAE_E_IO] = "input/output error",
    [MEMAE_E_TRUNCATED] = "file is truncated",
    [MEMAE_E_FORMAT] = "malformed file",
    [MEMAE_E_NAME] = "unexpected or missing tensor name",
    [MEMAE_E_SHAPE] = "wrong shape",
    [MEMAE_E_DTYPE] = "wrong data type",
    [MEMAE_E_CONFIG] = "invalid model configuration",
    [MEMAE_E_ARG] = "invalid argument",
    [MEMAE_E_NUMERIC] = "non-finite value",
    [MEMAE_E_UNSUPPORTED] = "not supported",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == MEMAE_STATUS_COUNT,
               "every status needs a name");

const char *memae_strerror(int status)
{
    if (status < 0 || status >= MEMAE_STATUS_COUNT || !status_names[status])
        return "unknown status";
    return status_names[status];
}

int mae_seterr(memae_err *err, int status, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return status;
}

void mae_warn(const memae_err *err, const char *fmt, ...)
{
    if (!err || !err->warn)
        return;
    char msg[MEMAE_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err->warn(msg, err->warn_user);
}

void mae_clearerr(memae_err *err)
{
    if (err) {
        err->status = MEMAE_OK;
        err->msg[0] = '\0';
    }
}
