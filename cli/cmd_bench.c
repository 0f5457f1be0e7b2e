/* memae bench: training and scoring throughput and peak memory of a model. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "commands.h"
#include "common.h"

static const char usage[] =
    "usage: memae bench [--preset P] [--input-shape S] [--batch B] [--steps N] [--json]\n"
    "\n"
    "Times training steps (forward, backward, Adam) and scoring passes of a freshly\n"
    "initialised model on random inputs, after one warm-up step each, and reports\n"
    "samples/s and the process's peak resident memory.\n"
    "\n"
    "  --preset P        video3d, image2d or tabular (default image2d)\n"
    "  --config JSON     configuration overriding the preset\n"
    "  --input-shape S   one sample's shape (default: the preset's)\n"
    "  --batch B         samples per step (default 64)\n"
    "  --steps N         timed steps of each kind (default 20)\n"
    "  --json            one JSON object instead of text\n" CLI_COMMON_HELP;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds per call of a training step (kind 0) or a scoring pass (kind 1). */
static int time_steps(memae_model *m, const float *x, int batch, int steps, int kind,
                      double *secs)
{
    float *scores = malloc((size_t)batch * sizeof *scores);
    int st = scores ? MEMAE_OK : MEMAE_E_NOMEM;
    double t0 = 0;
    for (int i = 0; !st && i <= steps; i++) {
        if (i == 1)
            t0 = now(); /* step 0 plans and warms up */
        st = kind ? memae_model_score(m, x, batch, MEMAE_SCORE_MSE, scores)
                  : memae_model_train_step(m, x, batch, NULL, NULL);
    }
    *secs = (now() - t0) / steps;
    free(scores);
    return st;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {
        {"preset", required_argument, 0, 'p'}, {"config", required_argument, 0, 'c'},
        {"input-shape", required_argument, 0, 's'}, {"batch", required_argument, 0, 'b'},
        {"steps", required_argument, 0, 'n'}, {"threads", required_argument, 0, 0},
        {"seed", required_argument, 0, 0}, {"backend", required_argument, 0, 0},
        {"json", no_argument, 0, 0}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_common c = {.seed = 1};
    const char *preset = "image2d", *config = NULL, *shape = NULL;
    long batch = 64, steps = 20;
    int o, idx;
    while ((o = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
        switch (o) {
        case 'p': preset = optarg; break;
        case 'c': config = optarg; break;
        case 's': shape = optarg; break;
        case 'b':
            if (cli_parse_int("--batch", optarg, 1, 100000, &batch))
                return 1;
            break;
        case 'n':
            if (cli_parse_int("--steps", optarg, 1, 100000, &steps))
                return 1;
            break;
        case 'h': fputs(usage, stdout); return 0;
        case 0:
            if (cli_common_flag(&c, opts[idx].name, optarg) < 0)
                return 1;
            break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        return cli_fail("bench: unexpected argument '%s'", argv[optind]);
    char *json = cli_config_json(preset, config, shape, NULL);
    memae_model *m = NULL;
    int st = json ? memae_model_create(json, c.seed, &m) : MEMAE_E_CONFIG;
    free(json);
    if (!json || st || cli_apply_common(&c, m)) {
        int rc = json && st ? cli_model_fail(m, st) : 1;
        memae_model_free(m);
        return rc;
    }
    size_t n = memae_model_sample_size(m) * (size_t)batch;
    float *x = malloc(n * sizeof *x);
    if (!x) {
        memae_model_free(m);
        return cli_fail("out of memory for a batch of %ld", batch);
    }
    srand((unsigned)c.seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)rand() / (float)RAND_MAX;
    double ts = 0, ss = 0;
    if ((st = time_steps(m, x, (int)batch, (int)steps, 0, &ts)) ||
        (st = time_steps(m, x, (int)batch, (int)steps, 1, &ss))) {
        int rc = cli_model_fail(m, st);
        free(x);
        memae_model_free(m);
        return rc;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int64_t sh[4];
    int nd;
    char sbuf[64];
    memae_model_input_shape(m, sh, &nd);
    cli_format_shape(sh, nd, sbuf, sizeof sbuf);
    const char *be = memae_model_backend(m) == MEMAE_BACKEND_DNNL ? "dnnl" : "ref";
    if (c.json)
        printf("{\"preset\":\"%s\",\"input_shape\":\"%s\",\"batch\":%ld,\"backend\":\"%s\","
               "\"threads\":%d,\"train_samples_per_s\":%.2f,\"score_samples_per_s\":%.2f,"
               "\"peak_rss_mib\":%.1f}\n", preset, sbuf, batch, be, c.threads,
               batch / ts, batch / ss, ru.ru_maxrss / 1024.0);
    else
        printf("%s %s batch %ld, %s backend: train %.1f samples/s, score %.1f samples/s, "
               "peak memory %.1f MiB\n", preset, sbuf, batch, be, batch / ts, batch / ss,
               ru.ru_maxrss / 1024.0);
    free(x);
    memae_model_free(m);
    return 0;
}
