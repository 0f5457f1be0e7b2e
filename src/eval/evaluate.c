/* The public face of the metrics: every number a user asks of a set of scores. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "eval/metrics.h"
#include "nn/model.h"

int memae_model_threshold(const memae_model *m, double *threshold)
{
    const char *t = memae_model_get_meta(m, "memae_threshold");
    cJSON *j = t ? cJSON_Parse(t) : NULL;
    const cJSON *v = cJSON_GetObjectItem(j, "value");
    int ok = cJSON_IsNumber(v);
    if (ok)
        *threshold = v->valuedouble;
    cJSON_Delete(j);
    return ok ? MEMAE_OK : MEMAE_E_ARG;
}

int memae_model_evaluate(memae_model *m, const float *scores, const uint8_t *labels, size_t n,
                         double threshold, memae_eval_result *out)
{
    memae_metrics mt;
    memset(out, 0, sizeof *out);
    int st = mae_metrics_compute(scores, labels, n, &mt, &m->err);
    if (st)
        return st;
    out->roc_auc = mt.roc_auc;
    out->pr_auc = mt.pr_auc;
    out->eer = mt.eer;
    out->eer_threshold = mt.eer_threshold;
    out->best_f1 = mt.best_f1;
    out->best_f1_threshold = mt.best_f1_threshold;
    out->n = (int64_t)n;
    for (size_t i = 0; i < n; i++)
        out->anomalies += labels[i];
    out->threshold = threshold;
    out->precision = out->recall = out->f1 = NAN;
    if (!isnan(threshold))
        st = mae_prf_at(scores, labels, n, threshold, &out->precision, &out->recall, &out->f1,
                        &m->err);
    return st;
}
