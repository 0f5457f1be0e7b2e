/* memae init: write a freshly initialised model. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const char usage[] =
    "usage: memae init --preset P [--config JSON] [--input-shape S] [--seed S] -o MODEL\n"
    "\n"
    "Writes a model with freshly initialised weights (safetensors).\n"
    "\n"
    "  --preset P        video3d, image2d or tabular (default image2d)\n"
    "  --config JSON     configuration overriding the preset: inline JSON or a file\n"
    "                    (keys: input_shape, encoder, decoder, batch_norm, activation,\n"
    "                    code_activation, memory{enabled,slots,shrink_thres,addressing,\n"
    "                    query}, entropy_weight; see README)\n"
    "  --input-shape S   one sample's shape: 1x28x28 (CxHxW), 30 (D), 1x16x256x256 (CxTxHxW);\n"
    "                    default: the preset's (1x28x28, 120, 1x16x256x256)\n"
    "  -o, --output F    the model file to write (required)\n" CLI_COMMON_HELP;

/* The JSON the library gets: the recipe's preferred keys for the preset,
 * --config over them, and --preset and --input-shape over both. */
char *cli_config_json(const char *preset, const char *config_arg, const char *shape_arg,
                      const char *recipe)
{
    cJSON *root = cJSON_Parse(memae_recipe_config(recipe, preset ? preset : "image2d"));
    if (config_arg) {
        char *text = cli_read_config(config_arg);
        if (!text) {
            cJSON_Delete(root);
            return NULL;
        }
        cJSON *user = cJSON_Parse(text);
        free(text);
        if (!cJSON_IsObject(user)) {
            cJSON_Delete(user);
            cJSON_Delete(root);
            cli_fail("--config: %s is not a JSON object", config_arg);
            return NULL;
        }
        for (cJSON *k = user->child; k; k = k->next)
            cJSON_DeleteItemFromObject(root, k->string);
        while (user->child) {
            cJSON *k = cJSON_DetachItemViaPointer(user, user->child);
            cJSON_AddItemToObject(root, k->string, k);
        }
        cJSON_Delete(user);
    }
    if (preset)
        cJSON_DeleteItemFromObject(root, "preset"), cJSON_AddStringToObject(root, "preset", preset);
    if (shape_arg) {
        int64_t shape[4];
        int n = cli_parse_shape(shape_arg, shape);
        if (n < 0) {
            cJSON_Delete(root);
            return NULL;
        }
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)shape[i]));
        cJSON_DeleteItemFromObject(root, "input_shape");
        cJSON_AddItemToObject(root, "input_shape", arr);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"preset", required_argument, 0, 'p'}, {"config", required_argument, 0, 'c'},
        {"input-shape", required_argument, 0, 's'}, {"output", required_argument, 0, 'o'},
        {"threads", required_argument, 0, 0}, {"seed", required_argument, 0, 0},
        {"backend", required_argument, 0, 0}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_common c = {.seed = 1};
    const char *preset = NULL, *config = NULL, *shape = NULL, *out = NULL;
    int o, idx;
    while ((o = getopt_long(argc, argv, "o:h", opts, &idx)) != -1) {
        switch (o) {
        case 'p': preset = optarg; break;
        case 'c': config = optarg; break;
        case 's': shape = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case 0:
            if (cli_common_flag(&c, opts[idx].name, optarg) < 0)
                return 1;
            break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind < argc)
        return cli_fail("init: unexpected argument '%s'", argv[optind]);
    if (!out)
        return cli_fail("init: -o MODEL is required (see memae init --help)");
    char *json = cli_config_json(preset, config, shape, NULL);
    if (!json)
        return 1;
    memae_model *m = NULL;
    int st = memae_model_create(json, c.seed, &m);
    free(json);
    if (st || cli_apply_common(&c, m)) {
        int rc = st ? cli_model_fail(m, st) : 1;
        memae_model_free(m);
        return rc;
    }
    if ((st = memae_model_save(m, out))) {
        cli_model_fail(m, st);
        memae_model_free(m);
        return 1;
    }
    int64_t sh[4];
    int nd;
    memae_model_input_shape(m, sh, &nd);
    char shs[64];
    cli_format_shape(sh, nd, shs, sizeof shs);
    printf("wrote %s: input %s, %zu parameters\n", out, shs, memae_model_num_params(m));
    memae_model_free(m);
    return 0;
}
