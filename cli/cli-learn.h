/* cli-learn.h: what the learning commands (train, predict, explain, next)
 * share (not installed). */
#ifndef DERUSH_CLI_LEARN_H
#define DERUSH_CLI_LEARN_H

#include "cli.h"
#include "derush-learn.h"

G_BEGIN_DECLS

int cli_cmd_train(CliContext *ctx, int argc, char **argv);
int cli_cmd_predict(CliContext *ctx, int argc, char **argv);
int cli_cmd_explain(CliContext *ctx, int argc, char **argv);
int cli_cmd_next(CliContext *ctx, int argc, char **argv);

/* "model_version": the version, or null when the quality prior answered. */
void cli_json_add_model_version(JsonBuilder *builder, gint64 version);

/* Prints on stderr what a model state that is not TRAINED means, so a
 * user reading predictions knows they are a prior. */
void cli_print_model_state(const DerushTrainResult *result);

G_END_DECLS

#endif /* DERUSH_CLI_LEARN_H */
