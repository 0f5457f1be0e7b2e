/*
 * Model configuration: the JSON a user writes (a preset plus overrides) and
 * its resolved form, which is what a model file stores.
 */
#ifndef MEMAE_NN_CONFIG_H
#define MEMAE_NN_CONFIG_H

#include <stdint.h>

#include "core/error.h"

#define MEMAE_MAX_LAYERS 16
#define MEMAE_AUTO (-1) /* padding / output_padding chosen to reach the mirrored size */
/* The largest sizes a configuration may ask for (docs/configuration.md); with
 * them no size of a layer overflows 64-bit arithmetic. */
#define MEMAE_MAX_INPUT (1 << 24)   /* each input_shape entry */
#define MEMAE_MAX_OUT (1 << 16)     /* a layer's "out" (channels or features) */
#define MEMAE_MAX_KERNEL 64         /* kernel, stride, padding, output_padding */
#define MEMAE_MAX_SLOTS (1 << 20)   /* memory.slots */

enum memae_kind { MEMAE_KIND_CONV = 0, MEMAE_KIND_MLP = 1 };

typedef struct memae_layer_cfg {
    int out;                      /* output channels / features */
    int k[3], s[3], p[3], op[3];  /* D, H, W; a 2D layer has D = 1 */
} memae_layer_cfg;

typedef struct memae_config {
    char preset[16];
    int kind;
    int in_ndim;                  /* 1 (D), 3 (C,H,W) or 4 (C,T,H,W) */
    int64_t input[4];
    int n_enc, n_dec;
    memae_layer_cfg enc[MEMAE_MAX_LAYERS], dec[MEMAE_MAX_LAYERS];
    int batch_norm;
    int act;                      /* MEMAE_ACT_* */
    int code_activation;          /* BN and activation after the last encoder layer */
    int mem_enabled;
    int slots;
    float shrink;
    int addressing;               /* MEMAE_ADDR_* */
    int query;                    /* MEMAE_QUERY_* */
    float entropy_weight;
} memae_config;

/* Parse user JSON (NULL: the image2d preset) over its preset's defaults. */
int mae_config_parse(const char *json, memae_config *cfg, memae_err *err);

/* The configuration as compact JSON (malloc'd; NULL when out of memory). */
char *mae_config_to_json(const memae_config *cfg);

/* The preset's defaults as a JSON object for the given input shape (NULL: its
 * default shape); in presets.c. */
struct cJSON;
struct cJSON *mae_preset_json(const char *name, const int64_t *shape, int ndim,
                                memae_err *err);

#endif
