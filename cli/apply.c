#include "apply.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_apply_begin(const cli_command *c, int argc, char **argv, cli_apply *p)
{
    memset(p, 0, sizeof *p);
    cli_args *a = &p->a;
    int rc = cli_parse(c, argc, argv, a);
    if (rc)
        return rc;
    a->data_opts.progress = cli_data_progress;
    a->score_opts.batch = a->batch; /* 0: 256 samples, 2 clips */
    if (cli_load_model(a->model, a, &p->m))
        return 1;
    int64_t shape[4];
    int nd = 0;
    memae_model_input_shape(p->m, shape, &nd);
    p->videos = memae_data_kind(a->data, nd == 4) == MEMAE_DATA_VIDEO;
    return p->videos ? 0 : cli_apply_open(p);
}

int cli_apply_open(cli_apply *p)
{
    int st = memae_dataset_open(p->m, p->a.data, &p->a.data_opts, &p->d);
    return st ? cli_data_fail(p->d, st) : 0;
}

void cli_apply_end(cli_apply *p)
{
    memae_dataset_free(p->d);
    memae_model_free(p->m);
}

int cli_apply_score(cli_apply *p, const memae_score_opts *o, memae_results *r)
{
    int st = memae_dataset_score(p->m, p->d, o, r);
    return st ? cli_model_fail(p->m, st) : 0;
}

double cli_apply_threshold(cli_apply *p, const float *s, int64_t n)
{
    double t = p->a.threshold;
    if (!isnan(t))
        return t;
    /* Without the training data at hand, the quantile is of the scores being judged. */
    if (!isnan(p->a.contamination))
        return memae_score_quantile(s, n, 1.0 - p->a.contamination, &t) ? NAN : t;
    return memae_model_threshold(p->m, &t) == MEMAE_OK ? t : NAN;
}

int cli_frames_check_output(const char *path)
{
    return path && !cli_has_ext(path, ".csv")
               ? cli_fail("%s: video scores are written as .csv", path)
               : 0;
}

int cli_frames_write(const char *path, const memae_dataset *d, const memae_results *r,
                     const float *value, const char *column)
{
    if (cli_frames_check_output(path))
        return 1;
    cli_text t;
    FILE *fp = cli_text_open(&t);
    if (!fp)
        return 1;
    fprintf(fp, "video,frame,error,%s\n", column);
    for (int64_t v = 0; v < r->videos; v++)
        for (int64_t f = 0, i = r->first[v]; i < r->first[v + 1]; f++, i++) {
            const char *name = memae_dataset_video_name(d, v);
            if (isnan(r->error[i]))
                fprintf(fp, "%s,%lld,,\n", name, (long long)f);
            else
                fprintf(fp, "%s,%lld,%.9g,%.9g\n", name, (long long)f, r->error[i],
                        (value ? value : r->score)[i]);
        }
    return cli_text_close(&t, path);
}

int cli_apply_write(cli_apply *p, const memae_results *r, const char *column, int as_u8)
{
    if (p->videos)
        return cli_frames_write(p->a.out, p->d, r, NULL, column);
    if (p->a.out)
        return cli_write_table(p->a.out, r->score, r->n, 1, as_u8, column);
    for (int64_t i = 0; i < r->n; i++)
        if (as_u8)
            printf("%lld,%d\n", (long long)i, (int)r->score[i]);
        else
            printf("%lld,%.9g\n", (long long)i, r->score[i]);
    return 0;
}
