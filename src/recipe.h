/*
 * Recipes: how a model is trained and scored (docs/recipes.md).
 *
 * "paper" is the paper's recipe, exactly: the model reconstructs its input
 * and a sample's score is its reconstruction error.  "restore" trains the
 * same kind of network to restore the sample as it was from a transformed
 * copy: images turned by 0, 90, 180 or 270 degrees, clips played forwards
 * or backwards.  A sample's score is the mean, over its transforms, of the
 * error of restoring it from each, divided by that transform's mean error
 * on the training data.  What scoring needs is stored in the
 * model ("memae_recipe"), so a loaded model scores as the trained one did.
 * "weighted" trains as the paper does and weights each element's error by
 * 1 / (its mean training error + eps); "restore" weights its errors too.
 */
#ifndef MEMAE_RECIPE_H
#define MEMAE_RECIPE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "memae.h"

#define MEMAE_MAX_TURNS 4
/* Pixel weights are 1 / (mu + eps), eps this share of the mean of mu. */
#define MEMAE_PIXEL_EPS 0.1

typedef struct memae_recipe {
    int kind;                           /* MEMAE_RECIPE_* */
    int turns; /* transforms: 1 (none), 4 (quarter turns of images) or 2 (clips forwards and
                  backwards) */
    int pixel; /* errors weighted per element by 1 / (its mean training error + eps) */
    int calibrated;                     /* turn_scale (and pixel weights) measured */
    int score_kind;                     /* the score kind they were measured for */
    double turn_scale[MEMAE_MAX_TURNS]; /* mean training score of each turn */
} memae_recipe;

/* The name of memae's best recipe for samples of this shape (what
 * "default" stands for): restore for square images, else weighted. */
const char *mae_recipe_default(int in_ndim, int64_t h, int64_t w);

/* The recipe named name (NULL or "": the paper's), before calibration, for
 * clips (video models) or not. */
int mae_recipe_named(const char *name, int clips, memae_recipe *r, memae_err *err);
const char *mae_recipe_name(const memae_recipe *r);

/* Epochs when the training configuration leaves them to the recipe (0):
 * the paper's 5, or for the other recipes enough epochs that about
 * MEMAE_AUTO_SAMPLES images (MEMAE_AUTO_RECORDS table records, which an MLP
 * learns from fewer; MEMAE_AUTO_CLIPS video clips, each of which costs as
 * much as thousands of images) are seen, at least 10 (clips: 3) and at most
 * 1000 epochs, so that a few hundred samples train about as long as sixty
 * thousand.  in_ndim: the model's input dimensions (1 records, 3 images,
 * 4 clips). */
#define MEMAE_AUTO_SAMPLES 90000
#define MEMAE_AUTO_RECORDS 6000
#define MEMAE_AUTO_CLIPS 600
#define MEMAE_AUTO_MIN_CLIP_EPOCHS 3
int mae_recipe_auto_epochs(const memae_recipe *r, int64_t n, int in_ndim);

/* "memae_recipe" metadata <-> recipe (JSON; to_json is malloc'd). */
int mae_recipe_parse(const char *json, int clips, memae_recipe *r, memae_err *err);
char *mae_recipe_to_json(const memae_recipe *r);

/* dst = src turned by k quarter turns (counter-clockwise) in the n x n plane
 * of each of planes planes (channels, frames).  dst != src. */
void mae_turn(const float *src, float *dst, size_t planes, int n, int k);

/* dst = each of clips clips of frames frames (plane floats each) played
 * backwards.  dst != src. */
void mae_reverse_time(const float *src, float *dst, size_t clips, int frames, size_t plane);

#endif
