/* Errors: a status code plus a message that names the file and what was wrong. */
#ifndef MEMAE_CORE_ERROR_H
#define MEMAE_CORE_ERROR_H

#include "memae.h"

#define MEMAE_ERRMSG_MAX 512

typedef struct memae_err {
    int status;
    char msg[MEMAE_ERRMSG_MAX];
    /* Where warnings go (a damaged file accepted, say); NULL: nowhere. */
    memae_data_warn_fn warn;
    void *warn_user;
} memae_err;

/* Sets err (if not NULL) and returns status, so callers can `return mae_seterr(...)`. */
int mae_seterr(memae_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mae_clearerr(memae_err *err);
/* One line to err's warning sink, if it has one. */
void mae_warn(const memae_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
