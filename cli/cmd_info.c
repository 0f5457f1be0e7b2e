/* memae info: what a model file holds. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const char usage[] =
    "usage: memae info -m MODEL [--json]\n"
    "\n"
    "Prints a model's configuration, layers, parameter count and metadata.\n"
    "\n"
    "  -m, --model F     the model file (required)\n"
    "  --json            one JSON object instead of text\n" CLI_COMMON_HELP;

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
    char *s = cJSON_Print(r);
    puts(s);
    free(s);
    cJSON_Delete(r);
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
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'}, {"json", no_argument, 0, 0},
        {"threads", required_argument, 0, 0}, {"seed", required_argument, 0, 0},
        {"backend", required_argument, 0, 0}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_common c = {.seed = 1};
    const char *path = NULL;
    int o, idx;
    while ((o = getopt_long(argc, argv, "m:h", opts, &idx)) != -1) {
        switch (o) {
        case 'm': path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case 0:
            if (cli_common_flag(&c, opts[idx].name, optarg) < 0)
                return 1;
            break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        return cli_fail("info: unexpected argument '%s'", argv[optind]);
    memae_model *m;
    if (cli_load_model(path, &c, &m))
        return 1;
    int rc = 0;
    if (c.json)
        rc = print_json(m, path);
    else
        print_text(m, path);
    memae_model_free(m);
    return rc;
}
