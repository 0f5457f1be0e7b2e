/* Shared by the subcommands: errors, flags that every command takes, helpers. */
#ifndef MEMAE_CLI_COMMON_H
#define MEMAE_CLI_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "commands.h"
#include "memae.h"

/* Prints "memae: <message>" on stderr; returns the exit status 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The model's message (or the status name) as one line; returns 1. */
int cli_model_fail(const memae_model *m, int status);

/* Options common to every subcommand. */
typedef struct cli_common {
    int threads;     /* --threads N (0: all cores) */
    uint64_t seed;   /* --seed S */
    const char *backend; /* --backend ref|dnnl; NULL: dnnl when this build has it, else ref */
    int json;        /* --json */
} cli_common;

#define CLI_COMMON_HELP                                                                    \
    "  --threads N       threads for the kernels (default: all cores)\n"                     \
    "  --seed S          random seed (default 1)\n"                                          \
    "  --backend B       dnnl (oneDNN) or ref (portable C, reproducible across --threads);\n" \
    "                    default dnnl, or ref when oneDNN is unavailable\n" \
    "  -h, --help        this help\n"

/* Handles a common flag (getopt_long's long option name and optarg):
 * 1 when handled, 0 when not a common flag, -1 on a bad value (already reported). */
int cli_common_flag(cli_common *c, const char *name, const char *arg);
int cli_apply_common(const cli_common *c, memae_model *m);

/* Commands that share an option table accept only the long options their
 * --help text documents: 0 when "--name" is in usage, else one error line
 * (returns 1). */
int cli_check_documented(const char *cmd, const char *usage, const char *name);

/* "1x28x28" -> shape; returns ndim, or -1 (reported) on bad text. */
int cli_parse_shape(const char *text, int64_t shape[4]);
/* --config: inline JSON when it starts with '{', else a file to read. malloc'd. */
char *cli_read_config(const char *arg);
int cli_parse_int(const char *flag, const char *arg, long lo, long hi, long *out);
int cli_parse_float(const char *flag, const char *arg, double lo, double hi, double *out);

/* Loads -m MODEL with the common options applied; prints the error. */
int cli_load_model(const char *path, const cli_common *c, memae_model **out);

#endif
