/* Duplicate keys in JSON objects: cJSON keeps both and finds the first, so a
 * second "preset" or "__metadata__" would slip past checks made on the first. */
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One object's own keys, sorted so a duplicate sits next to its twin. */
static const char *object_duplicate(const cJSON *obj)
{
    size_t n = 0, i = 0;
    for (const cJSON *it = obj->child; it; it = it->next)
        n++;
    if (n < 2)
        return NULL;
    const char **keys = malloc(n * sizeof *keys);
    if (!keys)
        return "";
    for (const cJSON *it = obj->child; it; it = it->next)
        keys[i++] = it->string ? it->string : "";
    qsort(keys, n, sizeof *keys, by_key);
    const char *dup = NULL;
    for (i = 1; i < n && !dup; i++)
        if (!strcmp(keys[i - 1], keys[i]))
            dup = keys[i];
    free(keys);
    return dup;
}

const char *mae_json_duplicate_key(const cJSON *item)
{
    if (!item)
        return NULL;
    const char *dup = cJSON_IsObject(item) ? object_duplicate(item) : NULL;
    for (const cJSON *it = item->child; it && !dup; it = it->next)
        dup = mae_json_duplicate_key(it);
    return dup;
}
