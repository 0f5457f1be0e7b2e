/*
 * The table encoding as JSON, stored in a model's "memae_table" metadata:
 * {"header":true,"delimiter":",","label":"class","label_index":4,
 *  "normal_label":"normal.","columns":[{"name":"a"},{"name":"proto",
 *  "categories":["tcp","udp"]}],"scaling":{"kind":"zscore","shift":[...],
 *  "scale":[...]}}
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "io/tables/table.h"

static cJSON *doubles(const double *v, int64_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (int64_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

char *mae_encoding_to_json(const memae_encoding *e)
{
    cJSON *j = cJSON_CreateObject();
    char delim[2] = {e->delimiter ? e->delimiter : ',', 0};
    cJSON_AddBoolToObject(j, "header", e->header);
    cJSON_AddStringToObject(j, "delimiter", delim);
    if (e->label) {
        cJSON_AddStringToObject(j, "label", e->label);
        cJSON_AddNumberToObject(j, "label_index", e->label_index);
    }
    if (e->normal_label)
        cJSON_AddStringToObject(j, "normal_label", e->normal_label);
    cJSON *cols = cJSON_AddArrayToObject(j, "columns");
    for (int k = 0; k < e->ncols; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", e->cols[k].name);
        if (e->cols[k].ncat)
            cJSON_AddItemToObject(
                c, "categories",
                cJSON_CreateStringArray((const char *const *)e->cols[k].cats, e->cols[k].ncat));
        cJSON_AddItemToArray(cols, c);
    }
    cJSON *s = cJSON_AddObjectToObject(j, "scaling");
    cJSON_AddStringToObject(s, "kind", mae_scale_name(e->scaler.kind));
    if (e->scaler.kind != MEMAE_SCALE_NONE) {
        cJSON_AddItemToObject(s, "shift", doubles(e->scaler.shift, e->scaler.width));
        cJSON_AddItemToObject(s, "scale", doubles(e->scaler.scale, e->scaler.width));
    }
    char *out = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return out;
}

static int read_doubles(const cJSON *a, int64_t n, double **out)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n)
        return -1;
    *out = malloc((size_t)(n + 1) * sizeof **out);
    if (!*out)
        return -1;
    int64_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, a)
    {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return -1;
        (*out)[i++] = v->valuedouble;
    }
    return 0;
}

static int read_column(const cJSON *c, memae_table_column *col)
{
    const cJSON *name = cJSON_GetObjectItem(c, "name"),
                *cats = cJSON_GetObjectItem(c, "categories");
    if (!cJSON_IsString(name) || !(col->name = strdup(name->valuestring)))
        return -1;
    if (!cats)
        return 0;
    int n = cJSON_GetArraySize(cats);
    if (!cJSON_IsArray(cats) || n < 1 || !(col->cats = calloc((size_t)n, sizeof *col->cats)))
        return -1;
    const cJSON *v;
    cJSON_ArrayForEach(v, cats)
    {
        if (!cJSON_IsString(v) || !(col->cats[col->ncat] = strdup(v->valuestring)))
            return -1;
        col->ncat++;
    }
    return 0;
}

static int parse(const cJSON *j, memae_encoding *e)
{
    const cJSON *cols = cJSON_GetObjectItem(j, "columns"), *c;
    const cJSON *label = cJSON_GetObjectItem(j, "label"),
                *li = cJSON_GetObjectItem(j, "label_index");
    const cJSON *nl = cJSON_GetObjectItem(j, "normal_label"),
                *d = cJSON_GetObjectItem(j, "delimiter");
    if (!cJSON_IsArray(cols) || cJSON_GetArraySize(cols) < 1 || !cJSON_IsString(d) ||
        strlen(d->valuestring) != 1 || strchr("\"\r\n", d->valuestring[0]))
        return -1;
    e->header = cJSON_IsTrue(cJSON_GetObjectItem(j, "header"));
    e->delimiter = d->valuestring[0];
    if (label &&
        (!cJSON_IsString(label) || !cJSON_IsNumber(li) || !(e->label = strdup(label->valuestring))))
        return -1;
    e->label_index = -1;
    e->ncols = cJSON_GetArraySize(cols);
    /* The label is one of the training file's ncols + 1 columns. */
    if (label) {
        if (!(li->valuedouble >= 0 && li->valuedouble <= e->ncols) ||
            li->valuedouble != floor(li->valuedouble))
            return -1;
        e->label_index = (int)li->valuedouble;
    }
    if (nl && (!cJSON_IsString(nl) || !(e->normal_label = strdup(nl->valuestring))))
        return -1;
    if (!(e->cols = calloc((size_t)e->ncols, sizeof *e->cols)))
        return -1;
    int k = 0;
    cJSON_ArrayForEach(c, cols)
    {
        if (read_column(c, &e->cols[k]))
            return -1;
        e->width += e->cols[k].ncat ? e->cols[k].ncat : 1;
        k++;
    }
    const cJSON *s = cJSON_GetObjectItem(j, "scaling"), *kind = cJSON_GetObjectItem(s, "kind");
    e->scaler.width = e->width;
    e->scaler.kind = cJSON_IsString(kind) ? memae_scale_kind(kind->valuestring) : -1;
    if (e->scaler.kind < 0)
        return -1;
    if (e->scaler.kind == MEMAE_SCALE_NONE)
        return 0;
    if (read_doubles(cJSON_GetObjectItem(s, "shift"), e->width, &e->scaler.shift) ||
        read_doubles(cJSON_GetObjectItem(s, "scale"), e->width, &e->scaler.scale))
        return -1;
    for (int64_t i = 0; i < e->width; i++)
        if (!(e->scaler.scale[i] > 0))
            return -1;
    return 0;
}

int mae_encoding_from_json(const char *json, memae_encoding *e, memae_err *err)
{
    memset(e, 0, sizeof *e);
    cJSON *j = cJSON_Parse(json);
    int bad = !j || mae_json_duplicate_key(j) || !cJSON_IsObject(j) || parse(j, e);
    cJSON_Delete(j);
    if (bad) {
        mae_encoding_free(e);
        return mae_seterr(err, MEMAE_E_FORMAT, "the model's memae_table metadata is malformed");
    }
    return MEMAE_OK;
}
