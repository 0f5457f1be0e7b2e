/* memae bench: training and scoring throughput and peak memory of a model. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "commands.h"
#include "common.h"

static const cli_opt opts[] = {
    {"preset", K_PRESET, 0, 0, "  --preset P        video3d, image2d or tabular (default image2d)\n"},
    {"config", K_CONFIG, 0, 0, "  --config JSON     configuration overriding the preset\n"},
    {"input-shape", K_SHAPE, 0, 0, "  --input-shape S   one sample's shape (default: the preset's)\n"},
    {"batch", K_BATCH, 1, 100000, "  --batch B         samples per step (default 64)\n"},
    {"steps", K_STEPS, 1, 100000, "  --steps N         timed steps of each kind (default 20)\n"},
    {"json", K_JSON, 0, 0, "  --json            one JSON object instead of text\n"},
    CLI_OPT_MAX_MEMORY,
    CLI_OPTS_COMMON,
    {0}};

static const cli_command cmd = {
    .name = "bench",
    .head = "usage: memae bench [--preset P] [--input-shape S] [--batch B] [--steps N] [--json]\n"
            "\n"
            "Times training steps (forward, backward, Adam) and scoring passes of a freshly\n"
            "initialised model on random inputs, after one warm-up step each, and reports\n"
            "samples/s and the process's peak resident memory.\n"
            "\n",
    .opts = opts,
    .shorts = "h",
    .who = "bench",
};

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
    cli_args c;
    int rc = cli_parse(&cmd, argc, argv, &c);
    if (rc)
        return rc;
    const char *preset = c.preset ? c.preset : "image2d";
    long batch = c.batch_given ? c.batch : 64, steps = c.steps ? c.steps : 20;
    memae_model *m = NULL;
    if (cli_create_model(preset, c.config, c.shape, NULL, &c, &m))
        return 1;
    int st;
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
