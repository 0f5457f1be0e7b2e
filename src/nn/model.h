/*
 * The model: a sequence of layers built from a configuration, one flat
 * buffer of parameters (and of gradients and Adam moments), one of running
 * statistics, and a plan (activations and workspace) made once per batch
 * size and reused by every step.
 */
#ifndef MEMAE_NN_MODEL_H
#define MEMAE_NN_MODEL_H

#include "core/error.h"
#include "nn/config.h"
#include "nn/layer.h"
#include "recipe.h"

#define MEMAE_MAX_MODEL_LAYERS (6 * MEMAE_MAX_LAYERS + 1)
#define MEMAE_MAX_TENSORS (5 * MEMAE_MAX_MODEL_LAYERS)
#define MEMAE_MAX_META 32
#define MEMAE_MAX_SAMPLE (1 << 30) /* values per sample in any layer's output */

typedef struct memae_meta_kv {
    char *key, *value;
} memae_meta_kv;

struct memae_model {
    memae_err err;
    memae_config cfg;
    int nlayers;
    memae_layer layers[MEMAE_MAX_MODEL_LAYERS];
    int mem_layer; /* index of the memory layer, -1 without memory */
    int ntensors;
    memae_tensor_desc tensors[MEMAE_MAX_TENSORS];
    size_t nparams, nbuffers;
    float *params, *grads, *adam_m, *adam_v, *buffers;
    int64_t step;
    memae_recipe recipe; /* how it trains and scores; mirrors "memae_recipe" metadata */
    /* recipe.pixel: turns x sample floats, each element's error weight
     * (stored as the tensor "memae_recipe.pixel_weight"); NULL until calibrated */
    float *pixel_weight;
    /* free-form metadata stored in the model file (normalisation, threshold, ...) */
    int nmeta;
    memae_meta_kv meta[MEMAE_MAX_META];
    /* execution */
    int threads;
    int backend;
    const memae_kernels *be;
    /* plan for plan_batch samples */
    int plan_batch;
    float *arena;
    float *act[MEMAE_MAX_MODEL_LAYERS + 1];
    float *grad_buf[2];
};

/* Build layers and buffers from cfg (shapes checked, "auto" paddings resolved
 * into m->cfg); parameters are zero until mae_model_init_params. */
int mae_model_build(const memae_config *cfg, memae_model **out);
/* mae_model_build in two steps: the layers and tensor names and shapes
 * (no buffers, so a file's tensors can be checked first), then the buffers,
 * refused when they would not fit in mae_memory_limit(). */
int mae_model_layout(const memae_config *cfg, memae_model **out);
int mae_model_alloc(memae_model *m);
/* The smallest training batch: batch norm needs two values per channel, so
 * 2 when some batch-norm layer sees one position per sample, else 1. */
int mae_model_min_batch(const memae_model *m);

/* Destroy the model's backend instance unless it is the shared ref one. */
void mae_model_release_backend(memae_model *m);
/* The library's default backend for a new or loaded model: dnnl, or ref when
 * this build or machine has no oneDNN (the failure is not an error). */
void mae_model_default_backend(memae_model *m);

/* A handle that only carries the error of a failed create or load. */
memae_model *mae_model_failed(const memae_err *err);
void mae_model_init_params(memae_model *m, uint64_t seed);

/* Make the plan for up to batch samples (no-op when one that large exists). */
int mae_model_plan(memae_model *m, int batch);

/* Forward over act[0] = x; returns the reconstruction (act[nlayers]). */
const float *mae_model_forward(memae_model *m, const float *x, int batch, int train);
/* Backward from dL/d(reconstruction) in grad_buf[0]; fills m->grads. */
void mae_model_backward(memae_model *m, int batch);

/* r as the model's "memae_recipe" metadata (and so its recipe). */
int mae_model_store_recipe(memae_model *m, const memae_recipe *r);
/* dst = count samples of x under the recipe's transform k: images turned by
 * k quarter turns in their square H x W planes, clips played backwards for
 * k = 1. */
void mae_model_turn(const memae_model *m, const float *x, float *dst, int count, int k);

/* name, or for "default" the name of the best recipe for this model's samples. */
const char *mae_model_resolve_recipe(const memae_model *m, const char *name);

/* A training step whose loss compares the reconstruction of x with target. */
int mae_model_train_step_to(memae_model *m, const float *x, const float *target, int batch,
                            const memae_train_opts *opts, memae_stats *stats);
/* The model's output for x turned by turn quarter turns (turned: scratch of
 * a batch, unused for turn 0), in scoring mode; *recon is the model's. */
int mae_model_restore(memae_model *m, const float *x, int batch, int turn, float *turned,
                      const float **recon);
/* Errors of restoring x (upright) from x turned by turn quarter turns
 * (turned: scratch of a batch; unused for turn 0), one per sample. */
/* memae_model_score of samples first .. first + batch - 1 of a run: a
 * non-finite score is an error naming its sample. */
int mae_model_score_from(memae_model *m, const float *x, int batch, int kind, float *scores,
                         int64_t first);
int mae_model_turn_errors(memae_model *m, const float *x, int batch, int kind, int turn,
                          float *turned, float *errors);

const memae_tensor_desc *mae_model_find_tensor(const memae_model *m, const char *name);

#endif
