#include "apply.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "eval/metrics.h"

int cli_apply_begin(int argc, char **argv, const char *usage, cli_apply *a)
{
    static const struct option opts[] = {{"model", required_argument, 0, 'm'},
                                         {"data", required_argument, 0, 'd'},
                                         {"output", required_argument, 0, 'o'},
                                         {"score", required_argument, 0, 'S'},
                                         {"batch", required_argument, 0, 'b'},
                                         {"threshold", required_argument, 0, 't'},
                                         {"labels", required_argument, 0, 'l'},
                                         {"normal-class", required_argument, 0, 'k'},
                                         {"threads", required_argument, 0, 0},
                                         {"seed", required_argument, 0, 0},
                                         {"backend", required_argument, 0, 0},
                                         {"json", no_argument, 0, 0},
                                         {"contamination", required_argument, 0, 'C'},
                                         {"top", required_argument, 0, 'K'},
                                         {"anomalies", no_argument, 0, 'A'},
                                         CLI_TABLE_OPTIONS,
                                         CLI_VIDEO_LONGOPTS,
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    cli_video_opts_default(&a->video);
    a->batch = 256;
    a->threshold = NAN;
    a->contamination = NAN;
    a->top = 5;
    cli_table_init(&a->table);
    a->normal_class = -1;
    a->common.seed = 1;
    int o, idx = -1;
    long v;
    optind = 1;
    /* The command's name, for messages: "usage: memae NAME ...". */
    char cmd[32] = "memae";
    sscanf(usage, "usage: memae %31s", cmd);
    while ((idx = -1, o = getopt_long(argc, argv, "m:o:h", opts, &idx)) != -1) {
        /* One option table serves five commands: each takes the flags its
         * --help documents (short -m, -o, -h are everyone's). */
        int is_long = o != '?' && idx >= 0 && idx < (int)(sizeof opts / sizeof *opts) - 1 &&
                      opts[idx].name && (o == 0 || o == opts[idx].val);
        if (is_long && o != 'm' && o != 'o' && o != 'h' &&
            cli_check_documented(cmd, usage, opts[idx].name))
            return 1;
        switch (o) {
        case 'm':
            a->model = optarg;
            break;
        case 'd':
            a->data = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'l':
            a->labels = optarg;
            break;
        case 'k':
            if (cli_parse_int("--normal-class", optarg, 0, 1000000000L, &a->normal_class))
                return 1;
            break;
        case 'S':
            if (strcmp(optarg, "mse") && strcmp(optarg, "mae"))
                return cli_fail("--score: '%s' is not mse or mae", optarg);
            a->kind = !strcmp(optarg, "mae") ? MEMAE_SCORE_MAE : MEMAE_SCORE_MSE;
            break;
        case 'b':
            if (cli_parse_int("--batch", optarg, 1, 1000000, &v))
                return 1;
            a->batch = (int)v;
            a->batch_given = 1;
            break;
        case 't':
            if (cli_parse_float("--threshold", optarg, -INFINITY, INFINITY, &a->threshold))
                return 1;
            break;
        case 'C':
            if (cli_parse_float("--contamination", optarg, 1e-9, 1 - 1e-9, &a->contamination))
                return 1;
            break;
        case 'K':
            if (cli_parse_int("--top", optarg, 1, 1000000, &v))
                return 1;
            a->top = (int)v;
            break;
        case 'A':
            a->anomalies_only = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        case 0: {
            int h = cli_table_flag(&a->table, opts[idx].name, optarg);
            if (h == 0)
                h = cli_video_flag(&a->video, opts[idx].name, optarg);
            if (h == 0)
                h = cli_common_flag(&a->common, opts[idx].name, optarg);
            if (h < 0)
                return 1;
            break;
        }
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc)
        return cli_fail("unexpected argument '%s'", argv[optind]);
    if (!a->model || !a->data)
        return cli_fail("-m MODEL and --data X are required (see --help)");
    if (cli_load_model(a->model, &a->common, &a->m))
        return 1;
    int64_t shape[4];
    int nd = 0;
    memae_model_input_shape(a->m, shape, &nd);
    if (nd == 4 && cli_is_video_path(a->data)) {
        a->videos = 1; /* streamed by the video commands (cli/video_*.c) */
        return 0;
    }
    if (memae_is_table_path(a->data)) {
        int st = memae_table_load(a->m, a->data, &a->table.opts, &a->x, &a->n, &a->y);
        return st ? cli_model_fail(a->m, st) : 0;
    }
    return cli_load_samples(a->m, a->data, &a->x, &a->n);
}

void cli_apply_end(cli_apply *a)
{
    free(a->y);
    memae_free(a->x);
    memae_model_free(a->m);
}

float *cli_apply_scores(cli_apply *a)
{
    float *s = malloc((size_t)a->n * sizeof *s);
    if (!s) {
        cli_fail("out of memory for %lld scores", (long long)a->n);
        return NULL;
    }
    int st = memae_model_score_all(a->m, a->x, a->n, a->kind, a->batch, s);
    if (st) {
        cli_model_fail(a->m, st);
        free(s);
        return NULL;
    }
    return s;
}

double cli_apply_threshold(cli_apply *a, const float *s)
{
    double t = a->threshold;
    memae_err err = {0};
    if (!isnan(t))
        return t;
    /* Without the training data at hand, the quantile is of the scores being judged. */
    if (!isnan(a->contamination))
        return memae_quantile(s, (size_t)a->n, 1.0 - a->contamination, &t, &err) ? NAN : t;
    return memae_model_threshold(a->m, &t) == MEMAE_OK ? t : NAN;
}
