/* The subcommands of the memae program, one file each: each returns the exit
 * status, or -1 after printing its --help. */
#ifndef MEMAE_CLI_COMMANDS_H
#define MEMAE_CLI_COMMANDS_H

int cmd_init(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_reconstruct(int argc, char **argv);
int cmd_eval(int argc, char **argv);
/* memae eval --protocol kdd (cli/cmd_eval_kdd.c). */
int cmd_eval_kdd(int argc, char **argv);
int cmd_oneclass(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_explain(int argc, char **argv);

#endif
