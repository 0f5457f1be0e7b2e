/* The flags of table files (CSV header, delimiter, label column, scaling) and
 * training on a table: shared by train and the commands that read data. */
#ifndef MEMAE_CLI_TABLE_H
#define MEMAE_CLI_TABLE_H

#include <getopt.h>

#include "common.h"
#include "io/tabular.h"

typedef struct cli_table {
    memae_table_opts opts;
    int scale;          /* --scale (train only) */
    int keep_anomalies; /* --keep-anomalies (train only) */
} cli_table;

/* getopt_long entries (val 0: handled by cli_table_flag). */
/* clang-format off */
#define CLI_TABLE_OPTIONS                                                                          \
    {"label-column", required_argument, 0, 0}, {"header", required_argument, 0, 0},                \
    {"delimiter", required_argument, 0, 0}, {"normal-label", required_argument, 0, 0}
/* clang-format on */

#define CLI_TABLE_HELP                                                                             \
    "  --label-column C  CSV: the column (name or 0-based index) holding the labels; it is\n"      \
    "                    not a feature (default: none; a trained model remembers it)\n"            \
    "  --normal-label V  CSV text labels: the normal value, others are anomalies (default:\n"      \
    "                    the most frequent value of the training file); numeric labels:\n"         \
    "                    0 is normal, anything else an anomaly\n"                                  \
    "  --header H        CSV header: yes, no or auto (default auto)\n"                             \
    "  --delimiter D     CSV field delimiter: one character or 'tab' (default ',' or the\n"        \
    "                    training file's)\n"

void cli_table_init(cli_table *t);
/* 1 handled, 0 not a table flag, -1 bad value (reported). */
int cli_table_flag(cli_table *t, const char *name, const char *arg);

/* Training on a table file (CSV, npz, mat, npy): fit the encoding, drop the
 * records labelled anomalous (unless keep_anomalies), fit the scaling on the
 * rest, then train and save. */
int cli_train_table(const char *data, const char *out, const char *config, const cli_table *t,
                    memae_train_config *tc, const cli_common *c);

#endif
