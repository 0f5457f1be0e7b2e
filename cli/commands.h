/* The subcommands of the memae program, one file each. */
#ifndef MEMAE_CLI_COMMANDS_H
#define MEMAE_CLI_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

int cmd_init(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_reconstruct(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_oneclass(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_explain(int argc, char **argv);
/* memae eval --protocol NAME (cli/eval_protocol.c). */
int cli_eval_protocol(int argc, char **argv);

/* Shared helpers of the commands. */
/* recipe: its preferred configuration goes under --config (NULL: none). */
char *cli_config_json(const char *preset, const char *config_arg, const char *shape_arg,
                      const char *recipe);
void cli_format_shape(const int64_t *shape, int n, char *buf, size_t len);

#endif
