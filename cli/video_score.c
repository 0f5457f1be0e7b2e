/* memae score on videos: per video and frame, the error and the anomaly score. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "io/array.h"
#include "data.h"
#include "video.h"

/* The CSV rows; unscored frames have empty error and score fields. */
static int write_rows(FILE *fp, const memae_video_set *s, const cli_video_scores *sc,
                      const char *column)
{
    int ok = fprintf(fp, "video,frame,error,%s\n", column) > 0;
    for (int64_t v = 0; ok && v < s->nv; v++)
        for (int64_t f = 0; ok && f < s->frames[v]; f++) {
            if (isnan(sc->err[v][f]))
                ok = fprintf(fp, "%s,%lld,,\n", s->names[v], (long long)f) > 0;
            else
                ok = fprintf(fp, "%s,%lld,%.9g,%.9g\n", s->names[v], (long long)f, sc->err[v][f],
                             sc->score[v][f]) > 0;
        }
    return ok;
}

typedef struct score_rows {
    const memae_video_set *s;
    const cli_video_scores *sc;
    const char *column;
} score_rows;

static int fill_rows(FILE *fp, void *ctx, memae_err *err)
{
    (void)err;
    const score_rows *r = ctx;
    write_rows(fp, r->s, r->sc, r->column); /* a failed write sets the stream's error flag */
    return MEMAE_OK;
}

int cli_video_write_csv(const char *path, const memae_video_set *s, const cli_video_scores *sc,
                        const char *column)
{
    if (!path)
        return write_rows(stdout, s, sc, column) && fflush(stdout) == 0 ? 0
                                                                        : cli_fail("cannot write");
    if (cli_video_check_output(path))
        return 1;
    score_rows r = {s, sc, column};
    return cli_write_with(path, fill_rows, &r);
}

int cli_video_check_output(const char *path)
{
    return path && !memae_path_ends_with(path, ".csv")
               ? cli_fail("%s: video scores are written as .csv", path)
               : 0;
}

int cli_video_score(cli_apply *a)
{
    cli_video_data d;
    if (cli_video_check_output(a->out)) /* before minutes of scoring */
        return 1;
    if (cli_video_open(a->m, a->data, &a->video, 1, &d))
        return 1;
    cli_video_scores sc;
    int rc = cli_video_score_all(a->m, &d, a->kind, a->batch_given ? a->batch : 2, &a->video, &sc);
    if (!rc && a->video.heatmaps)
        rc = cli_video_figures(a, &d, &sc);
    if (!rc)
        rc = cli_video_write_csv(a->out, &d.set, &sc, "score");
    cli_video_scores_free(&sc);
    cli_video_close(&d);
    return rc;
}
