#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "data.h"

void cli_table_init(cli_table *t)
{
    memset(t, 0, sizeof *t);
    t->opts.header = MEMAE_CSV_AUTO;
    t->scale = MEMAE_SCALE_ZSCORE;
}

int cli_table_flag(cli_table *t, const char *name, const char *arg)
{
    if (!strcmp(name, "label-column"))
        t->opts.label_column = arg;
    else if (!strcmp(name, "normal-label"))
        t->opts.normal_label = arg;
    else if (!strcmp(name, "header")) {
        if (!strcmp(arg, "yes"))
            t->opts.header = MEMAE_CSV_HEADER;
        else if (!strcmp(arg, "no"))
            t->opts.header = MEMAE_CSV_NO_HEADER;
        else if (!strcmp(arg, "auto"))
            t->opts.header = MEMAE_CSV_AUTO;
        else {
            cli_fail("--header: '%s' is not yes, no or auto", arg);
            return -1;
        }
    } else if (!strcmp(name, "delimiter")) {
        if (!strcmp(arg, "tab") || !strcmp(arg, "\\t"))
            t->opts.delimiter = '\t';
        else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r')
            t->opts.delimiter = arg[0];
        else {
            cli_fail("--delimiter: '%s' is not one character (or 'tab')", arg);
            return -1;
        }
    } else if (!strcmp(name, "scale")) {
        if ((t->scale = memae_scale_kind(arg)) < 0) {
            cli_fail("--scale: '%s' is not zscore, minmax or none", arg);
            return -1;
        }
    } else if (!strcmp(name, "keep-anomalies"))
        t->keep_anomalies = 1;
    else
        return 0;
    return 1;
}

/* Keeps the rows whose flag is 0; returns the new count. */
static int64_t keep_normal(float *x, int64_t n, int64_t width, const uint8_t *y)
{
    int64_t j = 0;
    for (int64_t i = 0; i < n; i++)
        if (!y[i])
            memmove(x + j++ * width, x + i * width, (size_t)width * sizeof *x);
    return j;
}

/* Encoding and scaling fitted, stored in m; x scaled in place. */
static int fit(const char *data, const cli_table *t, memae_encoding *e, float **x, int64_t *n,
               uint8_t **y)
{
    memae_err err = {0};
    if (memae_table_read(data, &t->opts, NULL, e, x, n, y, &err))
        return cli_fail("%s", err.msg);
    if (*y && !t->keep_anomalies) {
        int64_t k = keep_normal(*x, *n, e->width, *y);
        if (k == 0)
            return cli_fail("%s: every record is labelled anomalous (nothing to train on)", data);
        fprintf(stderr, "training on the %lld of %lld records labelled normal\n", (long long)k,
                (long long)*n);
        *n = k;
    }
    if (memae_scaler_fit(&e->scaler, t->scale, *x, *n, e->width, NULL, &err))
        return cli_fail("%s: %s", data, err.msg);
    memae_scaler_apply(&e->scaler, *x, *n);
    return 0;
}

int cli_train_table(const char *data, const char *out, const char *config, const cli_table *t,
                    memae_train_config *tc, const cli_common *c)
{
    memae_encoding e;
    float *x = NULL;
    uint8_t *y = NULL;
    int64_t n = 0;
    int rc = fit(data, t, &e, &x, &n, &y);
    char shape[32], *enc = NULL, *json = NULL;
    snprintf(shape, sizeof shape, "%lld", (long long)e.width);
    if (!rc && !(enc = memae_encoding_to_json(&e)))
        rc = cli_fail("out of memory");
    if (!rc && !(json = cli_config_json("tabular", config, shape, tc->recipe)))
        rc = 1;
    memae_model *m = NULL;
    int st = rc ? MEMAE_OK : memae_model_create(json, c->seed, &m);
    if (!rc && st)
        rc = cli_model_fail(m, st);
    if (!rc)
        rc = cli_apply_common(c, m);
    if (!rc && (st = memae_model_set_meta(m, "memae_table", enc)))
        rc = cli_model_fail(m, st);
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    tc->checkpoint = ckpt;
    if (!rc && !tc->epochs)
        tc->epochs = memae_train_auto_epochs(m, tc->recipe, n);
    if (!rc && (st = memae_train(m, x, n, tc, cli_progress, NULL)))
        rc = cli_model_fail(m, st);
    if (!rc && (st = memae_model_save(m, out)))
        rc = cli_model_fail(m, st);
    double thr;
    if (!rc && memae_model_threshold(m, &thr) == MEMAE_OK)
        printf("wrote %s: %lld records, %lld features, %d epochs, threshold %.6g "
               "(contamination %g)\n",
               out, (long long)n, (long long)e.width, tc->epochs, thr, tc->contamination);
    free(enc);
    free(json);
    free(x);
    free(y);
    memae_encoding_free(&e);
    memae_model_free(m);
    return rc;
}
