/* Checks on parsed JSON that cJSON does not make: duplicate keys. */
#ifndef MEMAE_CORE_JSON_H
#define MEMAE_CORE_JSON_H

#include <cjson/cJSON.h>

/* The first key that appears twice in one object anywhere under item (NULL:
 * none).  With out of memory for the check, returns "" (treat as an error). */
const char *mae_json_duplicate_key(const cJSON *item);

#endif
