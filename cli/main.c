/* memae: the command-line tool.  One subcommand per file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "memae.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"init", cmd_init, "write a freshly initialised model"},
    {"info", cmd_info, "show a model's configuration, layers and metadata"},
    {"train", cmd_train, "train a model on normal samples"},
    {"score", cmd_score, "one anomaly score per sample"},
    {"predict", cmd_predict, "0/1 per sample by the stored threshold"},
    {"reconstruct", cmd_reconstruct, "the model's reconstructions"},
    {"explain", cmd_explain, "which columns made each record abnormal (tables)"},
    {"eval", cmd_eval, "ROC-AUC, PR-AUC, EER, F1 of a model on labelled data"},
    {"oneclass", cmd_oneclass, "the paper's one-class protocol, class by class"},
    {"bench", cmd_bench, "training and scoring throughput and peak memory"},
};

static void usage(FILE *out)
{
    fprintf(out, "memae %s: anomaly detection with memory-augmented autoencoders\n\n"
                 "usage: memae COMMAND [options]   (memae COMMAND --help for its options)\n\n",
            memae_version());
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  --version    print the version\n");
}

/* Output to stdout lost (a full disk, /dev/full, a closed pipe) is an error:
 * the stream's error flag holds any failed write, then flush and close. */
static int close_stdout(int rc)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    bad |= fclose(stdout) != 0;
    if (!bad || rc > 0)
        return rc;
    fprintf(stderr, "memae: cannot write to standard output: %s\n",
            strerror(errno ? errno : EIO));
    return 1;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("memae %s\n", memae_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].run(argc - 1, argv + 1);
            return rc < 0 ? 0 : rc; /* -1: --help was printed */
        }
    fprintf(stderr, "memae: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    return close_stdout(run(argc, argv));
}
