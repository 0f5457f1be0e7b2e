/* Recipes: their names, their stored form and the transforms of "restore". */
#include "recipe.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"paper", "restore", "weighted"};

const char *memae_recipe_config(const char *recipe, const char *preset)
{
    if (!recipe || !strcmp(recipe, "paper") || !preset || strcmp(preset, "image2d"))
        return "{}";
    return "{\"encoder\":[{\"out\":32,\"kernel\":3,\"stride\":2,\"padding\":1},"
           "{\"out\":64,\"kernel\":3,\"stride\":2,\"padding\":1},"
           "{\"out\":128,\"kernel\":3,\"stride\":2,\"padding\":1}]}";
}

const char *mae_recipe_default(int in_ndim, int64_t h, int64_t w)
{
    if (in_ndim == 4)
        return "paper"; /* videos: restore lost on a real scene (README "Detection quality") */
    return in_ndim == 3 && h == w ? "restore" : "weighted";
}

int mae_recipe_named(const char *name, int clips, memae_recipe *r, memae_err *err)
{
    memset(r, 0, sizeof *r);
    r->turns = 1;
    if (!name || !*name || !strcmp(name, "paper"))
        return MEMAE_OK;
    if (!strcmp(name, "restore")) {
        r->kind = MEMAE_RECIPE_RESTORE;
        r->turns = clips ? 2 : 4;
        r->pixel = 1;
        return MEMAE_OK;
    }
    if (!strcmp(name, "weighted")) {
        r->kind = MEMAE_RECIPE_WEIGHTED;
        r->pixel = 1;
        return MEMAE_OK;
    }
    return mae_seterr(err, MEMAE_E_ARG,
                        "unknown recipe '%s' (paper, weighted, restore or default)", name);
}

const char *mae_recipe_name(const memae_recipe *r)
{
    return names[r->kind];
}

int mae_recipe_auto_epochs(const memae_recipe *r, int64_t n, int in_ndim)
{
    if (r->kind == MEMAE_RECIPE_PAPER)
        return 5;
    int64_t s = in_ndim == 1   ? MEMAE_AUTO_RECORDS
                : in_ndim == 4 ? MEMAE_AUTO_CLIPS
                               : MEMAE_AUTO_SAMPLES;
    int lo = in_ndim == 4 ? MEMAE_AUTO_MIN_CLIP_EPOCHS : 10;
    int64_t e = n > 0 ? (s + n - 1) / n : 1000;
    return e < lo ? lo : e > 1000 ? 1000 : (int)e;
}

int mae_recipe_parse(const char *json, int clips, memae_recipe *r, memae_err *err)
{
    cJSON *j = cJSON_Parse(json);
    const cJSON *name = cJSON_GetObjectItem(j, "name");
    int st = cJSON_IsString(name) ? mae_recipe_named(name->valuestring, clips, r, err)
                                  : mae_seterr(err, MEMAE_E_FORMAT,
                                                 "memae_recipe: not an object with a \"name\"");
    const cJSON *sc = cJSON_GetObjectItem(j, "turn_scale"), *kind = cJSON_GetObjectItem(j, "score");
    if (!st && sc) {
        r->calibrated = 1;
        if (!cJSON_IsString(kind) ||
            (strcmp(kind->valuestring, "mse") && strcmp(kind->valuestring, "mae")))
            st = mae_seterr(err, MEMAE_E_FORMAT, "memae_recipe: score must be mse or mae");
        else
            r->score_kind = strcmp(kind->valuestring, "mae") ? MEMAE_SCORE_MSE : MEMAE_SCORE_MAE;
        if (!st && (!cJSON_IsArray(sc) || cJSON_GetArraySize(sc) != r->turns))
            st = mae_seterr(err, MEMAE_E_FORMAT,
                              "memae_recipe: turn_scale must hold %d numbers", r->turns);
        for (int k = 0; !st && k < r->turns; k++) {
            const cJSON *v = cJSON_GetArrayItem(sc, k);
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble <= 0)
                st = mae_seterr(err, MEMAE_E_FORMAT,
                                  "memae_recipe: turn_scale[%d] is not a positive number", k);
            else
                r->turn_scale[k] = v->valuedouble;
        }
    }
    cJSON_Delete(j);
    return st;
}

char *mae_recipe_to_json(const memae_recipe *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", mae_recipe_name(r));
    if (r->calibrated) {
        cJSON_AddStringToObject(j, "score", r->score_kind == MEMAE_SCORE_MAE ? "mae" : "mse");
        cJSON *a = cJSON_AddArrayToObject(j, "turn_scale");
        for (int k = 0; k < r->turns; k++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber(r->turn_scale[k]));
    }
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

void mae_turn(const float *src, float *dst, size_t planes, int n, int k)
{
    size_t nn = (size_t)n * n;
    k &= 3;
    for (size_t p = 0; p < planes; p++) {
        const float *s = src + p * nn;
        float *d = dst + p * nn;
        /* d[i][j] = s turned: 1 quarter counter-clockwise is d[i][j] = s[j][n-1-i]. */
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                size_t from = k == 0   ? (size_t)i * n + j
                              : k == 1 ? (size_t)j * n + (n - 1 - i)
                              : k == 2 ? (size_t)(n - 1 - i) * n + (n - 1 - j)
                                       : (size_t)(n - 1 - j) * n + i;
                d[(size_t)i * n + j] = s[from];
            }
    }
}

void mae_reverse_time(const float *src, float *dst, size_t clips, int frames, size_t plane)
{
    for (size_t c = 0; c < clips; c++)
        for (int f = 0; f < frames; f++)
            memcpy(dst + (c * frames + f) * plane, src + (c * frames + (frames - 1 - f)) * plane,
                   plane * sizeof *dst);
}
