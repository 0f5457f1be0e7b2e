#include "io/formats/safetensors.h"
#include "io/formats/atomic.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"

/* The format's own limit on the header, which also bounds what we parse. */
#define ST_MAX_HEADER (100u * 1024 * 1024)

size_t mae_st_dtype_size(const char *d)
{
    static const struct {
        const char *name;
        size_t size;
    } t[] = {
        {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4},  {"I16", 2},
        {"I8", 1},  {"U64", 8}, {"U32", 4}, {"U16", 2},  {"U8", 1},  {"BOOL", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(d, t[i].name))
            return t[i].size;
    return 0;
}

void mae_st_free(memae_st_file *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        free(f->entries[i].name);
    for (int i = 0; i < f->nmeta; i++) {
        free(f->meta[i].key);
        free(f->meta[i].value);
    }
    free(f->entries);
    free(f->meta);
    free(f->blob);
    free(f->path);
    memset(f, 0, sizeof *f);
}

static int slurp(const char *path, uint8_t **out, size_t *len, memae_err *err)
{
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    int st = MEMAE_OK;
    struct stat sb;
    if (fstat(fileno(fp), &sb) != 0)
        st = mae_seterr(err, MEMAE_E_IO, "%s: cannot stat: %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        st = mae_seterr(err, MEMAE_E_IO, "%s: is a directory, not a model file", path);
    else if (!S_ISREG(sb.st_mode))
        st = mae_seterr(err, MEMAE_E_IO, "%s: not a regular file", path);
    else if (!(*out = malloc(sb.st_size ? (size_t)sb.st_size : 1)))
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory reading %lld bytes", path,
                          (long long)sb.st_size);
    else if (fread(*out, 1, (size_t)sb.st_size, fp) != (size_t)sb.st_size)
        st = mae_seterr(err, MEMAE_E_IO, "%s: read error", path);
    else
        *len = (size_t)sb.st_size;
    fclose(fp);
    return st;
}

static int parse_entry(const char *path, const cJSON *it, size_t data_len, const uint8_t *data,
                       memae_st_entry *e, memae_err *err)
{
    const char *name = it->string;
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(it, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(it, "shape");
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(it, "data_offsets");
    if (!cJSON_IsObject(it) || !cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(off) ||
        cJSON_GetArraySize(off) != 2)
        return mae_seterr(err, MEMAE_E_FORMAT,
                            "%s: tensor '%s' needs dtype, shape and data_offsets", path, name);
    size_t esz = mae_st_dtype_size(dt->valuestring);
    if (!esz || strlen(dt->valuestring) >= sizeof e->dtype)
        return mae_seterr(err, MEMAE_E_DTYPE, "%s: tensor '%s' has unknown dtype '%s'", path,
                            name, dt->valuestring);
    snprintf(e->dtype, sizeof e->dtype, "%s", dt->valuestring);
    e->ndim = cJSON_GetArraySize(sh);
    if (e->ndim > MEMAE_ST_MAX_DIMS)
        return mae_seterr(err, MEMAE_E_SHAPE, "%s: tensor '%s' has %d dimensions (max %d)", path,
                            name, e->ndim, MEMAE_ST_MAX_DIMS);
    double count = 1;
    for (int i = 0; i < e->ndim; i++) {
        const cJSON *d = cJSON_GetArrayItem(sh, i);
        if (!cJSON_IsNumber(d) || !(d->valuedouble >= 0 && d->valuedouble <= 9e15) ||
            d->valuedouble != (double)(int64_t)d->valuedouble)
            return mae_seterr(err, MEMAE_E_FORMAT, "%s: tensor '%s' has a bad shape", path, name);
        e->shape[i] = (int64_t)d->valuedouble;
        count *= (double)e->shape[i];
    }
    const cJSON *ob = cJSON_GetArrayItem(off, 0), *oe = cJSON_GetArrayItem(off, 1);
    double b = cJSON_IsNumber(ob) ? ob->valuedouble : -1,
           en = cJSON_IsNumber(oe) ? oe->valuedouble : -1;
    if (!(b >= 0 && en >= b && en < 9e15) || b != (double)(int64_t)b ||
        en != (double)(int64_t)en)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: tensor '%s' has bad data_offsets", path,
                            name);
    if (en - b != count * (double)esz)
        return mae_seterr(err, MEMAE_E_FORMAT,
                            "%s: tensor '%s' spans %.0f bytes but its shape and dtype need %.0f",
                            path, name, en - b, count * (double)esz);
    if (en > (double)data_len)
        return mae_seterr(err, MEMAE_E_TRUNCATED,
                            "%s: truncated: tensor '%s' ends at byte %.0f of the data, which has "
                            "only %zu bytes",
                            path, name, en, data_len);
    e->data = data + (size_t)b;
    e->nbytes = (size_t)(en - b);
    e->name = strdup(name);
    return e->name ? MEMAE_OK : mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
}

static int parse_meta(const char *path, const cJSON *it, memae_st_file *f, memae_err *err)
{
    if (!cJSON_IsObject(it))
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: __metadata__ must be an object", path);
    int n = cJSON_GetArraySize(it);
    f->meta = calloc(n ? n : 1, sizeof *f->meta);
    if (!f->meta)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (const cJSON *kv = it->child; kv; kv = kv->next) {
        if (!cJSON_IsString(kv))
            return mae_seterr(err, MEMAE_E_FORMAT, "%s: __metadata__ value '%s' is not a string",
                                path, kv->string);
        memae_st_meta *m = &f->meta[f->nmeta++];
        m->key = strdup(kv->string);
        m->value = strdup(kv->valuestring);
        if (!m->key || !m->value)
            return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    }
    return MEMAE_OK;
}

static int by_offset(const void *a, const void *b)
{
    const memae_st_entry *x = *(const memae_st_entry *const *)a,
                         *y = *(const memae_st_entry *const *)b;
    return x->data < y->data ? -1 : x->data > y->data;
}

/* The tensors tile the data section: no overlap, no gap, no trailing bytes. */
static int check_layout(const memae_st_file *f, const uint8_t *data, size_t data_len,
                        memae_err *err)
{
    const memae_st_entry **order = malloc((f->n ? (size_t)f->n : 1) * sizeof *order);
    if (!order)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (int i = 0; i < f->n; i++)
        order[i] = &f->entries[i];
    qsort(order, (size_t)f->n, sizeof *order, by_offset);
    size_t at = 0;
    int st = MEMAE_OK;
    for (int i = 0; i < f->n && !st; i++) {
        size_t b = (size_t)((const uint8_t *)order[i]->data - data);
        if (b < at)
            st = mae_seterr(err, MEMAE_E_FORMAT,
                              "%s: tensor '%s' overlaps tensor '%s' (data_offsets)", f->path,
                              order[i]->name, order[i - 1]->name);
        else if (b > at)
            st = mae_seterr(err, MEMAE_E_FORMAT,
                              "%s: a gap of %zu bytes before tensor '%s' (data_offsets)",
                              f->path, b - at, order[i]->name);
        at = b + order[i]->nbytes;
    }
    if (!st && at != data_len)
        st = mae_seterr(err, MEMAE_E_FORMAT,
                          "%s: %zu trailing bytes after the last tensor", f->path, data_len - at);
    free(order);
    return st;
}

static int parse_header(memae_st_file *f, size_t flen, memae_err *err)
{
    const char *path = f->path;
    if (flen < 8)
        return mae_seterr(err, MEMAE_E_TRUNCATED,
                            "%s: truncated: %zu bytes, less than the 8-byte header length", path,
                            flen);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | f->blob[i];
    if (hlen < 2 || hlen > ST_MAX_HEADER || hlen > flen - 8)
        return mae_seterr(err, MEMAE_E_FORMAT,
                            "%s: header length %llu is impossible for a file of %zu bytes", path,
                            (unsigned long long)hlen, flen);
    /* The whole header must be the JSON object (and its padding spaces): a
     * wrong length shows as trailing bytes or a cut object. */
    char *text = malloc((size_t)hlen + 1);
    if (!text)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    memcpy(text, f->blob + 8, (size_t)hlen);
    text[hlen] = '\0';
    cJSON *h = cJSON_ParseWithLengthOpts(text, (size_t)hlen + 1, NULL, 1);
    free(text);
    if (!h || !cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return mae_seterr(err, MEMAE_E_FORMAT,
                            "%s: the %llu-byte header is not a JSON object (wrong header length?)",
                            path, (unsigned long long)hlen);
    }
    const char *dup = mae_json_duplicate_key(h);
    if (dup) {
        int st = *dup ? mae_seterr(err, MEMAE_E_FORMAT, "%s: the header has the key '%s' twice",
                                     path, dup)
                      : mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
        cJSON_Delete(h);
        return st;
    }
    int st = MEMAE_OK, n = cJSON_GetArraySize(h);
    const uint8_t *data = f->blob + 8 + hlen;
    size_t data_len = flen - 8 - (size_t)hlen;
    f->entries = calloc(n ? n : 1, sizeof *f->entries);
    if (!f->entries)
        st = mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    for (const cJSON *it = h->child; it && !st; it = it->next) {
        if (!strcmp(it->string, "__metadata__"))
            st = parse_meta(path, it, f, err);
        else if (!(st = parse_entry(path, it, data_len, data, &f->entries[f->n], err)))
            f->n++;
    }
    cJSON_Delete(h);
    return st ? st : check_layout(f, data, data_len, err);
}

int mae_st_read(const char *path, memae_st_file *f, memae_err *err)
{
    memset(f, 0, sizeof *f);
    size_t flen = 0;
    f->path = strdup(path);
    int st = f->path ? slurp(path, &f->blob, &flen, err)
                     : mae_seterr(err, MEMAE_E_NOMEM, "out of memory");
    if (!st)
        st = parse_header(f, flen, err);
    if (st)
        mae_st_free(f);
    return st;
}

const memae_st_entry *mae_st_find(const memae_st_file *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->entries[i].name, name))
            return &f->entries[i];
    return NULL;
}

const char *mae_st_meta_get(const memae_st_file *f, const char *key)
{
    for (int i = 0; i < f->nmeta; i++)
        if (!strcmp(f->meta[i].key, key))
            return f->meta[i].value;
    return NULL;
}

static char *build_header(const memae_st_tensor *t, int n, const memae_st_meta *meta, int nmeta,
                          size_t *data_len)
{
    cJSON *h = cJSON_CreateObject();
    if (nmeta) {
        cJSON *m = cJSON_AddObjectToObject(h, "__metadata__");
        for (int i = 0; i < nmeta; i++)
            cJSON_AddStringToObject(m, meta[i].key, meta[i].value);
    }
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_AddObjectToObject(h, t[i].name);
        cJSON_AddStringToObject(e, "dtype", t[i].dtype);
        cJSON *sh = cJSON_AddArrayToObject(e, "shape");
        size_t bytes = mae_st_dtype_size(t[i].dtype);
        for (int d = 0; d < t[i].ndim; d++) {
            cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t[i].shape[d]));
            bytes *= (size_t)t[i].shape[d];
        }
        cJSON *o = cJSON_AddArrayToObject(e, "data_offsets");
        cJSON_AddItemToArray(o, cJSON_CreateNumber((double)off));
        cJSON_AddItemToArray(o, cJSON_CreateNumber((double)(off + bytes)));
        off += bytes;
    }
    *data_len = off;
    char *s = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    return s;
}

int mae_st_write(const char *path, const memae_st_tensor *t, int n, const memae_st_meta *meta,
                   int nmeta, memae_err *err)
{
    size_t data_len;
    char *hdr = build_header(t, n, meta, nmeta, &data_len);
    if (!hdr)
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory writing %s", path);
    size_t hlen = strlen(hdr), padded = (hlen + 7) / 8 * 8;
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)((uint64_t)padded >> (8 * i));
    const void **parts = malloc(((size_t)n + 3) * sizeof *parts);
    size_t *lens = malloc(((size_t)n + 3) * sizeof *lens);
    if (!parts || !lens) {
        free(parts);
        free(lens);
        free(hdr);
        return mae_seterr(err, MEMAE_E_NOMEM, "out of memory writing %s", path);
    }
    /* The format pads the header with spaces to a multiple of 8. */
    static const char spaces[8] = "        ";
    parts[0] = len8, lens[0] = 8;
    parts[1] = hdr, lens[1] = hlen;
    parts[2] = spaces, lens[2] = padded - hlen;
    for (int i = 0; i < n; i++) {
        size_t bytes = mae_st_dtype_size(t[i].dtype);
        for (int d = 0; d < t[i].ndim; d++)
            bytes *= (size_t)t[i].shape[d];
        parts[3 + i] = t[i].data, lens[3 + i] = bytes;
    }
    int st = mae_write_atomic(path, parts, lens, n + 3, err);
    free(parts);
    free(lens);
    free(hdr);
    return st;
}
