/* --config JSON: parsed over its preset, then the model's layout (shapes,
 * sizes) built from it without its buffers. */
#include <stdlib.h>
#include <string.h>

#include "nn/config.h"
#include "memae.h"
#include "nn/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = strndup((const char *)data, size);
    if (!json)
        return 0;
    memae_config cfg;
    memae_err err = {0};
    if (!mae_config_parse(json, &cfg, &err)) {
        memae_model *m = NULL;
        mae_model_layout(&cfg, &m);
        memae_model_free(m);
        char *back = mae_config_to_json(&cfg);
        free(back);
    }
    free(json);
    return 0;
}
