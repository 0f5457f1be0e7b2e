/*
 * The data set handle behind memae_dataset_* (memae.h): samples in memory
 * (arrays, tables) or videos streamed as clips from the frame cache.
 */
#ifndef MEMAE_DATA_DATASET_H
#define MEMAE_DATA_DATASET_H

#include <stdint.h>

#include "core/error.h"
#include "io/formats/array.h"
#include "io/tables/table.h"
#include "data/clips.h"
#include "memae.h"
#include "source.h"

struct memae_dataset {
    int kind;           /* MEMAE_DATA_* */
    memae_err err;
    char *path;
    memae_data_opts o;
    memae_model *m;     /* the model it is read for (not owned); NULL before bind */
    /* arrays read before their model (memae_dataset_read) */
    memae_array raw;
    /* samples in memory (arrays, tables) */
    float *x;
    int64_t n, n_read;
    uint8_t *labels;    /* a table's labels (1 = anomaly), NULL when none */
    memae_encoding enc; /* a table read for training: its fitted encoding */
    int has_enc;
    memae_array_source as;
    /* videos */
    memae_video_set set;
    memae_clips clips;
    int has_videos;
};

/* Opens the videos of d->path for m (one channel, C x T x H x W). */
int mae_dataset_open_videos(memae_dataset *d, memae_model *m);



/* Per-frame ground truth of the videos, concatenated (io/labels/gt.h forms). */
int mae_dataset_video_labels(memae_dataset *d, const char *path, uint8_t **labels);
#endif
