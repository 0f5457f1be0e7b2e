/* One option parser for every subcommand: getopt_long and --help from one table. */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Every option's name and whether it takes a value, by key. */
static const struct {
    const char *name;
    int has_arg;
} reg[] = {
    [K_MODEL] = {"model", 1},           [K_DATA] = {"data", 1},
    [K_OUTPUT] = {"output", 1},         [K_LABELS] = {"labels", 1},
    [K_NORMAL_CLASS] = {"normal-class", 1}, [K_SCORE] = {"score", 1},
    [K_BATCH] = {"batch", 1},           [K_THRESHOLD] = {"threshold", 1},
    [K_CONTAMINATION] = {"contamination", 1}, [K_TOP] = {"top", 1},
    [K_ANOMALIES] = {"anomalies", 0},   [K_PRESET] = {"preset", 1},
    [K_CONFIG] = {"config", 1},         [K_SHAPE] = {"input-shape", 1},
    [K_EPOCHS] = {"epochs", 1},         [K_LR] = {"lr", 1},
    [K_RESUME] = {"resume", 0},         [K_SCALE] = {"scale", 1},
    [K_KEEP_ANOMALIES] = {"keep-anomalies", 0}, [K_LABEL_COLUMN] = {"label-column", 1},
    [K_NORMAL_LABEL] = {"normal-label", 1}, [K_HEADER] = {"header", 1},
    [K_DELIMITER] = {"delimiter", 1},   [K_CACHE] = {"cache", 1},
    [K_CLIP_STRIDE] = {"clip-stride", 1}, [K_FILL_EDGES] = {"fill-edges", 0},
    [K_NORMALIZE] = {"normalize", 1},   [K_HEATMAPS] = {"heatmaps", 1},
    [K_HEATMAP_COUNT] = {"heatmap-count", 1}, [K_PROTOCOL] = {"protocol", 1},
    [K_RUNS] = {"runs", 1},             [K_DATA_DIR] = {"data-dir", 1},
    [K_CLASSES] = {"classes", 1},       [K_BASELINE] = {"baseline", 1},
    [K_STEPS] = {"steps", 1},           [K_RECIPE] = {"recipe", 1},
    [K_THREADS] = {"threads", 1},
    [K_SEED] = {"seed", 1},             [K_BACKEND] = {"backend", 1},
    [K_JSON] = {"json", 0},             [K_ALLOW_TRUNCATED] = {"allow-truncated", 0},
    [K_MAX_MEMORY] = {"max-memory", 1},
    [K_HELP] = {"help", 0},
};
#define NKEYS ((int)(sizeof reg / sizeof reg[0]))

const char *const cli_apply_family[] = {
    "model", "data", "output", "score", "batch", "threshold", "labels", "normal-class",
    "threads", "seed", "backend", "json", "contamination", "top", "anomalies", "label-column",
    "header", "delimiter", "normal-label", "cache", "clip-stride", "fill-edges", "normalize",
    "heatmaps", "heatmap-count", "allow-truncated", "max-memory", "help", NULL};

void cli_args_init(cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->normal_class = -1;
    a->kind = MEMAE_SCORE_MSE;
    a->threshold = NAN;
    a->contamination = NAN;
    a->top = 5;
    a->heatmap_count = 10;
    a->seed = 1;
    a->recipe = "default";
    for (int k = 0; k < 10; k++)
        a->classes[k] = 1;
    a->data_opts = memae_data_opts_default();
    a->data_opts.warn = cli_data_warn;
    a->score_opts = memae_score_opts_default();
}

static int key_of(const char *name)
{
    for (int k = 1; k < NKEYS; k++)
        if (reg[k].name && !strcmp(reg[k].name, name))
            return k;
    return -1;
}

static const cli_opt *find(const cli_command *c, int key)
{
    for (const cli_opt *o = c->opts; o->key || o->help; o++)
        if (o->key == key)
            return o;
    return NULL;
}

void cli_usage(const cli_command *c, FILE *out)
{
    fputs(c->head, out);
    for (const cli_opt *o = c->opts; o->key || o->help; o++)
        if (o->help)
            fputs(o->help, out);
    if (c->tail)
        fputs(c->tail, out);
}

/* "--name" appears in the help text as a whole option name. */
static int documented(const char *usage, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(usage, "--"); p; p = strstr(p + 2, "--")) {
        char next = p[2 + n];
        if (!strncmp(p + 2, name, n) && !(next == '-' || (next >= 'a' && next <= 'z')))
            return 1;
    }
    return 0;
}

static int check_table(const cli_command *c)
{
    char *usage = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&usage, &len);
    if (!f)
        return cli_fail("out of memory");
    cli_usage(c, f);
    fclose(f);
    int rc = 0;
    for (const cli_opt *o = c->opts; !rc && (o->key || o->help); o++)
        if (o->key && !documented(usage, reg[o->key].name))
            rc = cli_fail("%s: --%s is not in --help (a bug)", c->name, reg[o->key].name);
    free(usage);
    return rc;
}

static int parse_long(const cli_opt *o, const char *arg, long *v)
{
    char flag[40];
    snprintf(flag, sizeof flag, "--%s", reg[o->key].name);
    return cli_parse_int(flag, arg, (long)o->lo, (long)o->hi, v);
}

static int parse_double(const cli_opt *o, const char *arg, double *v)
{
    char flag[40];
    snprintf(flag, sizeof flag, "--%s", reg[o->key].name);
    return cli_parse_float(flag, arg, o->lo, o->hi, v);
}

static int set_seed(cli_args *a, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long s = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-')
        return cli_fail("--seed: '%s' is not a non-negative integer", arg);
    a->seed = s;
    return 0;
}

static int set_header(memae_data_opts *d, const char *arg)
{
    if (!strcmp(arg, "yes"))
        d->header = MEMAE_CSV_HEADER;
    else if (!strcmp(arg, "no"))
        d->header = MEMAE_CSV_NO_HEADER;
    else if (!strcmp(arg, "auto"))
        d->header = MEMAE_CSV_AUTO;
    else
        return cli_fail("--header: '%s' is not yes, no or auto", arg);
    return 0;
}

static int set_delimiter(memae_data_opts *d, const char *arg)
{
    if (!strcmp(arg, "tab") || !strcmp(arg, "\\t"))
        d->delimiter = '\t';
    else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r')
        d->delimiter = arg[0];
    else
        return cli_fail("--delimiter: '%s' is not one character (or 'tab')", arg);
    return 0;
}

/* Flags whose value is a word from a short list. */
static int set_word(const cli_opt *o, const char *arg, cli_args *a)
{
    switch (o->key) {
    case K_SCORE:
        if (strcmp(arg, "mse") && strcmp(arg, "mae"))
            return cli_fail("--score: '%s' is not mse or mae", arg);
        a->kind = !strcmp(arg, "mae") ? MEMAE_SCORE_MAE : MEMAE_SCORE_MSE;
        a->score_opts.kind = a->kind;
        return 0;
    case K_SCALE:
        if ((a->data_opts.scale = memae_scale_kind(arg)) < 0)
            return cli_fail("--scale: '%s' is not zscore, minmax or none", arg);
        return 0;
    case K_NORMALIZE:
        if ((a->score_opts.normalize = memae_norm_kind(arg)) < 0)
            return cli_fail("--normalize: '%s' is not video, train or none", arg);
        return 0;
    case K_BACKEND:
        if (strcmp(arg, "ref") && strcmp(arg, "dnnl"))
            return cli_fail("--backend: '%s' is not ref or dnnl", arg);
        a->backend = arg;
        return 0;
    case K_PROTOCOL:
        if (strcmp(arg, "kdd"))
            return cli_fail("--protocol: '%s' is not kdd", arg);
        a->protocol = 1;
        return 0;
    case K_BASELINE:
        if (strcmp(arg, "ae"))
            return cli_fail("--baseline: '%s' is not ae", arg);
        a->baseline = 1;
        return 0;
    case K_HEADER:
        return set_header(&a->data_opts, arg);
    case K_DELIMITER:
        return set_delimiter(&a->data_opts, arg);
    case K_CLASSES:
        return cli_parse_classes(arg, a->classes, 10) < 0;
    case K_SEED:
        return set_seed(a, arg);
    }
    return -1;
}

static int set_number(const cli_opt *o, const char *arg, cli_args *a)
{
    long v;
    double d;
    switch (o->key) {
    case K_NORMAL_CLASS: return parse_long(o, arg, &a->normal_class);
    case K_THRESHOLD: return parse_double(o, arg, &a->threshold);
    case K_CONTAMINATION: return parse_double(o, arg, &a->contamination);
    case K_LR:
        if (parse_double(o, arg, &d))
            return 1;
        a->lr = d;
        a->lr_given = 1;
        return 0;
    }
    if (parse_long(o, arg, &v))
        return 1;
    switch (o->key) {
    case K_BATCH: a->batch = (int)v, a->batch_given = 1; break;
    case K_TOP: a->top = (int)v; break;
    case K_EPOCHS: a->epochs = (int)v; break;
    case K_CLIP_STRIDE: a->data_opts.clip_stride = (int)v; break;
    case K_HEATMAP_COUNT: a->heatmap_count = (int)v; break;
    case K_RUNS: a->runs = (int)v; break;
    case K_STEPS: a->steps = (int)v; break;
    case K_THREADS: a->threads = (int)v; break;
    }
    return 0;
}

/* Stores one option's value: 0, or 1 (reported). */
static int set(const cli_opt *o, const char *arg, cli_args *a)
{
    switch (o->key) {
    case K_MODEL: a->model = arg; return 0;
    case K_DATA: a->data = arg; return 0;
    case K_OUTPUT: a->out = arg; return 0;
    case K_LABELS: a->labels = arg; return 0;
    case K_PRESET: a->preset = arg; return 0;
    case K_CONFIG: a->config = arg; return 0;
    case K_SHAPE: a->shape = arg; return 0;
    case K_HEATMAPS: a->heatmaps = arg; return 0;
    case K_DATA_DIR: a->data_dir = arg; return 0;
    case K_RECIPE: a->recipe = arg; return 0;
    case K_MAX_MEMORY:
        if (!(memae_parse_size(arg) > 0))
            return cli_fail("--max-memory: '%s' is not a size such as 512M, 2G or 1048576", arg);
        a->max_memory = arg;
        return 0;
    case K_LABEL_COLUMN: a->data_opts.label_column = arg; return 0;
    case K_NORMAL_LABEL: a->data_opts.normal_label = arg; return 0;
    case K_CACHE: a->data_opts.cache_dir = arg; return 0;
    case K_ANOMALIES: a->anomalies = 1; return 0;
    case K_RESUME: a->resume = 1; return 0;
    case K_KEEP_ANOMALIES: a->data_opts.keep_anomalies = 1; return 0;
    case K_FILL_EDGES: a->score_opts.fill_edges = 1; return 0;
    case K_JSON: a->json = 1; return 0;
    case K_ALLOW_TRUNCATED: a->data_opts.allow_truncated = 1; return 0;
    }
    int w = set_word(o, arg, a);
    return w >= 0 ? w != 0 : set_number(o, arg, a) != 0;
}

static int short_key(int c)
{
    return c == 'm' ? K_MODEL : c == 'o' ? K_OUTPUT : c == 'h' ? K_HELP : -1;
}

int cli_parse(const cli_command *c, int argc, char **argv, cli_args *a)
{
    struct option lo[NKEYS + 1];
    int n = 0;
    cli_args_init(a);
    if (check_table(c))
        return 1;
    if (c->family)
        for (const char *const *f = c->family; *f; f++) {
            int k = key_of(*f);
            lo[n++] = (struct option){reg[k].name, reg[k].has_arg, 0, 256 + k};
        }
    else
        for (const cli_opt *o = c->opts; o->key || o->help; o++)
            if (o->key)
                lo[n++] = (struct option){reg[o->key].name, reg[o->key].has_arg, 0, 256 + o->key};
    lo[n] = (struct option){0, 0, 0, 0};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, c->shorts, lo, NULL)) != -1) {
        int key = ch >= 256 ? ch - 256 : short_key(ch);
        const cli_opt *o = key > 0 ? find(c, key) : NULL;
        if (key > 0 && !o)
            return cli_fail("%s: --%s is not an option of this command (see memae %s --help)",
                            c->name, reg[key].name, c->name);
        if (!o) {
            cli_usage(c, stderr);
            return 2;
        }
        if (key == K_HELP) {
            cli_usage(c, stdout);
            return -1;
        }
        if (set(o, optarg, a))
            return 1;
    }
    if (optind < argc)
        return cli_fail("%s%sunexpected argument '%s'", c->who ? c->who : "", c->who ? ": " : "",
                        argv[optind]);
    for (int i = 0; i < 3 && c->needs[i]; i++) {
        int k = c->needs[i];
        if (!(k == K_MODEL ? a->model : k == K_DATA ? a->data : a->out))
            return cli_fail("%s", c->needs_msg);
    }
    /* The library reads the limit where models plan their memory. */
    if (a->max_memory && setenv("MEMAE_MAX_MEMORY", a->max_memory, 1) != 0)
        return cli_fail("--max-memory: cannot set MEMAE_MAX_MEMORY");
    return 0;
}
