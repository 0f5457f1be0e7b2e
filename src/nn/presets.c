/*
 * The three model families of the paper as JSON defaults (docs/presets.md).
 * A preset is only a starting configuration: every key can be overridden.
 */
#include "nn/config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "memae.h"

const char *const memae_preset_names[] = {"video3d", "image2d", "tabular", NULL};

static const char video3d_json[] =
    "{\"preset\":\"video3d\",\"kind\":\"conv\",\"input_shape\":[1,16,256,256],"
    "\"encoder\":["
    "{\"out\":96,\"kernel\":3,\"stride\":[1,2,2],\"padding\":1},"
    "{\"out\":128,\"kernel\":3,\"stride\":2,\"padding\":1},"
    "{\"out\":256,\"kernel\":3,\"stride\":2,\"padding\":1},"
    "{\"out\":256,\"kernel\":3,\"stride\":2,\"padding\":1}],"
    "\"decoder\":["
    "{\"out\":256,\"kernel\":3,\"stride\":2},"
    "{\"out\":128,\"kernel\":3,\"stride\":2},"
    "{\"out\":96,\"kernel\":3,\"stride\":2},"
    "{\"kernel\":3,\"stride\":[1,2,2]}],"
    "\"batch_norm\":true,\"activation\":\"leaky_relu\",\"code_activation\":true,"
    "\"memory\":{\"enabled\":true,\"slots\":2000,\"shrink_thres\":0.0025,"
    "\"addressing\":\"dot\",\"query\":\"position\"},"
    "\"entropy_weight\":0.0002}";

static const char image2d_json[] =
    "{\"preset\":\"image2d\",\"kind\":\"conv\",\"input_shape\":[1,28,28],"
    "\"encoder\":["
    "{\"out\":16,\"kernel\":1,\"stride\":2,\"padding\":0},"
    "{\"out\":32,\"kernel\":3,\"stride\":2,\"padding\":0},"
    "{\"out\":64,\"kernel\":3,\"stride\":2,\"padding\":0}],"
    "\"decoder\":["
    "{\"out\":64,\"kernel\":3,\"stride\":2},"
    "{\"out\":32,\"kernel\":3,\"stride\":2},"
    "{\"kernel\":3,\"stride\":2}],"
    "\"batch_norm\":true,\"activation\":\"leaky_relu\",\"code_activation\":true,"
    "\"memory\":{\"enabled\":true,\"slots\":100,"
    "\"addressing\":\"dot\",\"query\":\"flat\"},"
    "\"entropy_weight\":0.0002}";

static const char tabular_json[] =
    "{\"preset\":\"tabular\",\"kind\":\"mlp\",\"input_shape\":[120],"
    "\"batch_norm\":false,\"activation\":\"tanh\",\"code_activation\":false,"
    "\"memory\":{\"enabled\":true,\"slots\":50,"
    "\"addressing\":\"dot\",\"query\":\"position\"},"
    "\"entropy_weight\":0.0002}";

static int ceil_div(int64_t a, int b)
{
    return (int)((a + b - 1) / b);
}

/* d - d/2 - d/4 - d/12 - 3 (the paper's 120-60-30-10-3), never narrower than the code. */
static void tabular_layers(cJSON *root, int64_t d)
{
    int h[4] = {ceil_div(d, 2), ceil_div(d, 4), ceil_div(d, 12), 3};
    for (int i = 0; i < 3; i++)
        h[i] = h[i] < 4 ? 4 : h[i];
    cJSON *enc = cJSON_AddArrayToObject(root, "encoder");
    cJSON *dec = cJSON_AddArrayToObject(root, "decoder");
    for (int i = 0; i < 4; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "out", h[i]);
        cJSON_AddItemToArray(enc, e);
    }
    for (int i = 2; i >= -1; i--) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "out", i >= 0 ? h[i] : (double)d);
        cJSON_AddItemToArray(dec, e);
    }
}

cJSON *mae_preset_json(const char *name, const int64_t *shape, int ndim, memae_err *err)
{
    const char *text = NULL;
    if (!strcmp(name, "video3d"))
        text = video3d_json;
    else if (!strcmp(name, "image2d"))
        text = image2d_json;
    else if (!strcmp(name, "tabular"))
        text = tabular_json;
    if (!text) {
        mae_seterr(err, MEMAE_E_CONFIG, "unknown preset '%s' (video3d, image2d, tabular)",
                     name);
        return NULL;
    }
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        mae_seterr(err, MEMAE_E_NOMEM, "out of memory building preset %s", name);
        return NULL;
    }
    if (shape) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < ndim; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)shape[i]));
        cJSON_ReplaceItemInObject(root, "input_shape", arr);
    }
    if (!strcmp(name, "tabular")) {
        cJSON *in = cJSON_GetObjectItem(root, "input_shape");
        cJSON *d = cJSON_GetArrayItem(in, 0);
        tabular_layers(root, d && cJSON_IsNumber(d) && d->valuedouble >= 1 ? (int64_t)d->valuedouble
                                                                           : 1);
    }
    return root;
}
