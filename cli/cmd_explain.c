/* memae explain: per-column reconstruction errors, the top K columns of each record. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "commands.h"
#include "data.h"
#include "eval/explain.h"

static const char usage[] =
    "usage: memae explain -m MODEL --data X [--top K] [--anomalies] [-o out.csv|out.json]\n"
    "\n"
    "For each record: its score and the K columns with the largest squared reconstruction\n"
    "error (in the model's scaled space; a categorical column's one-hot group summed into\n"
    "the column), largest first.  The columns' errors divided by the number of encoded\n"
    "features add up to the mse score.  CSV rows index,score,anomaly,rank,column,error\n"
    "(one per record and rank); --json or an .json output: one JSON array.  Without -o,\n"
    "stdout.\n"
    "\n" CLI_APPLY_HELP
    "  --top K           columns per record (default 5; at most the number of columns)\n"
    "  --anomalies       only the records above the threshold\n"
    "  --threshold T     the threshold (default: the stored one)\n"
    "  --contamination C threshold at the (1 - C) quantile of the scores of X\n"
    "  -o, --output F    out.csv or out.json (default: stdout)\n"
    "  --json            JSON instead of CSV\n" CLI_COMMON_HELP;

typedef struct ranked {
    int col;
    float err;
} ranked;

static int by_error(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return x->err < y->err ? 1 : x->err > y->err ? -1 : x->col - y->col;
}

static void emit(FILE *f, cJSON *arr, const memae_encoding *e, int64_t i, float score, int anom,
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
        const char *name = e->cols[r[t].col].name;
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

static int report(cli_apply *a, const memae_encoding *e, const float *s, const float *err,
                  double thr)
{
    int json = a->common.json ||
               (a->out && strlen(a->out) > 5 && !strcmp(a->out + strlen(a->out) - 5, ".json"));
    int k = a->top < e->ncols ? a->top : e->ncols;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ranked *r = malloc((size_t)e->ncols * sizeof *r);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (!f || !r || (json && !arr)) {
        if (f)
            fclose(f);
        free(buf);
        free(r);
        return cli_fail("out of memory");
    }
    if (!json)
        fputs("index,score,anomaly,rank,column,error\n", f);
    for (int64_t i = 0; i < a->n; i++) {
        int anom = !isnan(thr) && s[i] > thr;
        if (a->anomalies_only && !anom)
            continue;
        for (int c = 0; c < e->ncols; c++)
            r[c] = (ranked){c, err[i * e->ncols + c]};
        qsort(r, (size_t)e->ncols, sizeof *r, by_error);
        emit(f, arr, e, i, s[i], anom, r, k);
    }
    if (json) {
        char *t = cJSON_Print(arr);
        fprintf(f, "%s\n", t ? t : "[]");
        free(t);
        cJSON_Delete(arr);
    }
    int rc = fclose(f) ? cli_fail("out of memory") : cli_write_text(a->out, buf, len);
    free(buf);
    free(r);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    cli_apply a;
    int rc = cli_apply_begin(argc, argv, usage, &a);
    memae_encoding e = {0};
    memae_err merr = {0};
    float *s = NULL, *err = NULL;
    if (!rc && memae_model_encoding(a.m, &e, &merr))
        rc = cli_fail("%s: %s", a.model, merr.msg);
    if (!rc && !(s = cli_apply_scores(&a)))
        rc = 1;
    double thr = rc ? NAN : cli_apply_threshold(&a, s);
    if (!rc && a.anomalies_only && isnan(thr))
        rc = cli_fail("%s: --anomalies needs a threshold (stored, --threshold or "
                      "--contamination)",
                      a.model);
    if (!rc && !(err = malloc((size_t)a.n * (size_t)e.ncols * sizeof *err)))
        rc = cli_fail("out of memory");
    int st;
    if (!rc && (st = memae_explain(a.m, &e, a.x, a.n, a.batch, err)))
        rc = cli_model_fail(a.m, st);
    if (!rc)
        rc = report(&a, &e, s, err, thr);
    free(s);
    free(err);
    memae_encoding_free(&e);
    cli_apply_end(&a);
    return rc < 0 ? 0 : rc;
}
