/* memae init: write a freshly initialised model. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const cli_opt opts[] = {
    {"preset", K_PRESET, 0, 0, "  --preset P        video3d, image2d or tabular (default image2d)\n"},
    {"config", K_CONFIG, 0, 0,
     "  --config JSON     configuration overriding the preset: inline JSON or a file\n"
     "                    (keys: input_shape, encoder, decoder, batch_norm, activation,\n"
     "                    code_activation, memory{enabled,slots,shrink_thres,addressing,\n"
     "                    query}, entropy_weight; see README)\n"},
    {"input-shape", K_SHAPE, 0, 0,
     "  --input-shape S   one sample's shape: 1x28x28 (CxHxW), 30 (D), 1x16x256x256 (CxTxHxW);\n"
     "                    default: the preset's (1x28x28, 120, 1x16x256x256)\n"},
    {"output", K_OUTPUT, 0, 0, "  -o, --output F    the model file to write (required)\n"},
    CLI_OPT_MAX_MEMORY,
    CLI_OPTS_COMMON,
    {0}};

static const cli_command cmd = {
    .name = "init",
    .head = "usage: memae init --preset P [--config JSON] [--input-shape S] [--seed S] -o MODEL\n"
            "\n"
            "Writes a model with freshly initialised weights (safetensors).\n"
            "\n",
    .opts = opts,
    .shorts = "o:h",
    .who = "init",
    .needs = {K_OUTPUT},
    .needs_msg = "init: -o MODEL is required (see memae init --help)",
};

int cmd_init(int argc, char **argv)
{
    cli_args c;
    int rc = cli_parse(&cmd, argc, argv, &c);
    if (rc)
        return rc;
    memae_model *m = NULL;
    if (cli_create_model(c.preset, c.config, c.shape, NULL, &c, &m))
        return 1;
    int st;
    if ((st = memae_model_save(m, c.out))) {
        cli_model_fail(m, st);
        memae_model_free(m);
        return 1;
    }
    int64_t sh[4];
    int nd;
    memae_model_input_shape(m, sh, &nd);
    char shs[64];
    cli_format_shape(sh, nd, shs, sizeof shs);
    printf("wrote %s: input %s, %zu parameters\n", c.out, shs, memae_model_num_params(m));
    memae_model_free(m);
    return 0;
}
