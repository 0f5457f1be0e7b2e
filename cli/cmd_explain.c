/* memae explain: per-column reconstruction errors, the top K columns of each record. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "commands.h"

static const cli_opt opts[] = {
    CLI_OPTS_APPLY,
    {"top", K_TOP, 1, 1000000,
     "  --top K           columns per record (default 5; at most the number of columns)\n"},
    {"anomalies", K_ANOMALIES, 0, 0, "  --anomalies       only the records above the threshold\n"},
    {"threshold", K_THRESHOLD, -INFINITY, INFINITY,
     "  --threshold T     the threshold (default: the stored one)\n"},
    {"contamination", K_CONTAMINATION, 1e-9, 1 - 1e-9,
     "  --contamination C threshold at the (1 - C) quantile of the scores of X\n"},
    {"output", K_OUTPUT, 0, 0, "  -o, --output F    out.csv or out.json (default: stdout)\n"},
    {"json", K_JSON, 0, 0, "  --json            JSON instead of CSV\n"},
    CLI_OPTS_COMMON,
    {0}};

static const cli_command cmd = {
    .name = "explain",
    .head = "usage: memae explain -m MODEL --data X [--top K] [--anomalies] [-o out.csv|out.json]\n"
            "\n"
            "For each record: its score and the K columns with the largest squared reconstruction\n"
            "error (in the model's scaled space; a categorical column's one-hot group summed into\n"
            "the column), largest first.  The columns' errors divided by the number of encoded\n"
            "features add up to the mse score.  CSV rows index,score,anomaly,rank,column,error\n"
            "(one per record and rank); --json or an .json output: one JSON array.  Without -o,\n"
            "stdout.\n"
            "\n",
    .opts = opts,
    CLI_APPLY_COMMAND,
};

/* The columns of the model's table, as the report names them. */
typedef struct columns {
    char **names;
    int n;
} columns;

typedef struct ranked {
    int col;
    float err;
} ranked;

static int by_error(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return x->err < y->err ? 1 : x->err > y->err ? -1 : x->col - y->col;
}

static void emit(FILE *f, cJSON *arr, const columns *e, int64_t i, float score, int anom,
                 ranked *r, int k)
{
    cJSON *o = arr ? cJSON_CreateObject() : NULL, *top = NULL;
    if (o) {
        cJSON_AddNumberToObject(o, "index", (double)i);
        cJSON_AddNumberToObject(o, "score", score);
        cJSON_AddBoolToObject(o, "anomaly", anom);
        top = cJSON_AddArrayToObject(o, "top");
        cJSON_AddItemToArray(arr, o);
    }
    for (int t = 0; t < k; t++) {
        const char *name = e->names[r[t].col];
        if (top) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "column", name);
            cJSON_AddNumberToObject(c, "error", r[t].err);
            cJSON_AddItemToArray(top, c);
            continue;
        }
        /* Column names come from the user's header: quote them as RFC 4180 says. */
        fprintf(f, "%lld,%.9g,%d,%d,\"", (long long)i, score, anom, t + 1);
        for (const char *p = name; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fprintf(f, "\",%.9g\n", r[t].err);
    }
}

static int report(const cli_args *a, int64_t n, const columns *e, const float *s,
                  const float *err, double thr)
{
    int json = a->json ||
               (a->out && strlen(a->out) > 5 && !strcmp(a->out + strlen(a->out) - 5, ".json"));
    int k = a->top < e->n ? a->top : e->n;
    ranked *r = malloc((size_t)e->n * sizeof *r);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    cli_text out;
    FILE *f = r && (!json || arr) ? cli_text_open(&out) : NULL;
    if (!f) {
        free(r);
        cJSON_Delete(arr);
        return r && (!json || arr) ? 1 : cli_fail("out of memory");
    }
    if (!json)
        fputs("index,score,anomaly,rank,column,error\n", f);
    for (int64_t i = 0; i < n; i++) {
        int anom = !isnan(thr) && s[i] > thr;
        if (a->anomalies && !anom)
            continue;
        for (int c = 0; c < e->n; c++)
            r[c] = (ranked){c, err[i * e->n + c]};
        qsort(r, (size_t)e->n, sizeof *r, by_error);
        emit(f, arr, e, i, s[i], anom, r, k);
    }
    if (json) {
        char *t = cJSON_Print(arr);
        fprintf(f, "%s\n", t ? t : "[]");
        free(t);
        cJSON_Delete(arr);
    }
    free(r);
    return cli_text_close(&out, a->out);
}

int cmd_explain(int argc, char **argv)
{
    cli_apply p;
    int rc = cli_apply_begin(&cmd, argc, argv, &p);
    columns e = {0};
    memae_results r = {0};
    float *err = NULL;
    int st;
    if (!rc && (st = memae_model_columns(p.m, &e.names, &e.n)))
        rc = cli_fail("%s: %s", p.a.model, memae_errmsg(p.m));
    if (!rc && p.videos)
        rc = cli_fail("explain: %s: videos have no columns (explain is for tables and arrays)",
                      p.a.data);
    if (!rc)
        rc = cli_apply_score(&p, &p.a.score_opts, &r);
    double thr = rc ? NAN : cli_apply_threshold(&p, r.score, r.n);
    if (!rc && p.a.anomalies && isnan(thr))
        rc = cli_fail("%s: --anomalies needs a threshold (stored, --threshold or "
                      "--contamination)",
                      p.a.model);
    if (!rc && !(err = malloc((size_t)r.n * (size_t)e.n * sizeof *err)))
        rc = cli_fail("out of memory");
    if (!rc && (st = memae_dataset_explain(p.m, p.d, p.a.batch, err)))
        rc = cli_model_fail(p.m, st);
    if (!rc)
        rc = report(&p.a, r.n, &e, r.score, err, thr);
    memae_results_free(&r);
    free(err);
    memae_free(e.names);
    cli_apply_end(&p);
    return rc;
}
