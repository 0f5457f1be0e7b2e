/* memae info: what a model file holds. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const cli_opt opts[] = {
    {"model", K_MODEL, 0, 0, "  -m, --model F     the model file (required)\n"},
    {"json", K_JSON, 0, 0, "  --json            one JSON object instead of text\n"},
    CLI_OPTS_COMMON,
    {0}};

static const cli_command cmd = {
    .name = "info",
    .head = "usage: memae info -m MODEL [--json]\n"
            "\n"
            "Prints a model's configuration, layers, parameter count and metadata.\n"
            "\n",
    .opts = opts,
    .shorts = "m:h",
    .who = "info",
};

/* Metadata values are JSON by convention; anything else is shown as a string. */
static cJSON *meta_value(const char *v)
{
    cJSON *j = cJSON_Parse(v);
    return j ? j : cJSON_CreateString(v);
}

static const char *const meta_keys[] = {"memae_version", "memae_normalization",
                                        "memae_threshold", "memae_train", "memae_table",
                                        "memae_recipe", NULL};

static int print_json(memae_model *m, const char *path)
{
    char *cfg;
    if (memae_model_config(m, &cfg))
        return cli_model_fail(m, MEMAE_E_NOMEM);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "model", path);
    cJSON_AddItemToObject(r, "config", cJSON_Parse(cfg));
    cJSON_AddNumberToObject(r, "parameters", (double)memae_model_num_params(m));
    cJSON_AddStringToObject(r, "recipe", memae_model_recipe(m));
    cJSON *layers = cJSON_AddArrayToObject(r, "layers");
    for (int i = 0; i < memae_model_num_layers(m); i++) {
        memae_layer_info li;
        memae_model_layer(m, i, &li);
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "name", li.name);
        cJSON_AddStringToObject(l, "op", li.op);
        cJSON *in = cJSON_AddArrayToObject(l, "in"), *out = cJSON_AddArrayToObject(l, "out");
        for (int d = 0; d < li.ndim; d++) {
            cJSON_AddItemToArray(in, cJSON_CreateNumber((double)li.in_shape[d]));
            cJSON_AddItemToArray(out, cJSON_CreateNumber((double)li.out_shape[d]));
        }
        cJSON_AddNumberToObject(l, "parameters", (double)li.params);
        cJSON_AddItemToArray(layers, l);
    }
    cJSON *meta = cJSON_AddObjectToObject(r, "metadata");
    for (int i = 0; meta_keys[i]; i++) {
        const char *v = memae_model_get_meta(m, meta_keys[i]);
        if (v)
            cJSON_AddItemToObject(meta, meta_keys[i], meta_value(v));
    }
    cli_print_json(r);
    memae_free(cfg);
    return 0;
}

static void print_text(memae_model *m, const char *path)
{
    char *cfg = NULL;
    memae_model_config(m, &cfg);
    cJSON *c = cJSON_Parse(cfg);
    cJSON *mem = cJSON_GetObjectItem(c, "memory");
    int64_t sh[4];
    int nd;
    char buf[64];
    memae_model_input_shape(m, sh, &nd);
    cli_format_shape(sh, nd, buf, sizeof buf);
    printf("model        %s\n", path);
    printf("preset       %s (%s)\n", cJSON_GetObjectItem(c, "preset")->valuestring,
           cJSON_GetObjectItem(c, "kind")->valuestring);
    printf("input        %s\n", buf);
    printf("parameters   %zu\n", memae_model_num_params(m));
    if (cJSON_IsTrue(cJSON_GetObjectItem(mem, "enabled")))
        printf("memory       %d slots, shrink_thres %g, %s addressing, %s queries\n",
               cJSON_GetObjectItem(mem, "slots")->valueint,
               cJSON_GetObjectItem(mem, "shrink_thres")->valuedouble,
               cJSON_GetObjectItem(mem, "addressing")->valuestring,
               cJSON_GetObjectItem(mem, "query")->valuestring);
    else
        printf("memory       off (plain autoencoder)\n");
    printf("entropy      weight %g\n", cJSON_GetObjectItem(c, "entropy_weight")->valuedouble);
    const char *rc = memae_model_get_meta(m, "memae_recipe");
    printf("recipe       %s%s\n", memae_model_recipe(m),
           rc && strstr(rc, "turn_scale") && strcmp(memae_model_recipe(m), "paper")
               ? " (per-element error weights in the tensor memae_recipe.pixel_weight)"
               : "");
    printf("layers\n");
    for (int i = 0; i < memae_model_num_layers(m); i++) {
        memae_layer_info li;
        char in[48], out[48];
        memae_model_layer(m, i, &li);
        cli_format_shape(li.in_shape, li.ndim, in, sizeof in);
        cli_format_shape(li.out_shape, li.ndim, out, sizeof out);
        printf("  %-16s %-11s %16s -> %-16s %9zu\n", li.name, li.op, in, out, li.params);
    }
    for (int i = 0; meta_keys[i]; i++) {
        const char *v = memae_model_get_meta(m, meta_keys[i]);
        if (v)
            printf("%-20s %s\n", meta_keys[i] + 6, v);
    }
    cJSON_Delete(c);
    memae_free(cfg);
}

int cmd_info(int argc, char **argv)
{
    cli_args c;
    int rc = cli_parse(&cmd, argc, argv, &c);
    if (rc)
        return rc;
    memae_model *m;
    if (cli_load_model(c.model, &c, &m))
        return 1;
    if (c.json)
        rc = print_json(m, c.model);
    else
        print_text(m, c.model);
    memae_model_free(m);
    return rc;
}
