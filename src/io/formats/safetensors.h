/*
 * safetensors files (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header naming every tensor's dtype,
 * shape and byte range, then the raw little-endian data.  Readable by any
 * safetensors reader; no pickle.
 */
#ifndef MEMAE_IO_SAFETENSORS_H
#define MEMAE_IO_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define MEMAE_ST_MAX_DIMS 8

typedef struct memae_st_entry {
    char *name;
    char dtype[8];        /* "F32", "I64", ... as written */
    int ndim;
    int64_t shape[MEMAE_ST_MAX_DIMS];
    const void *data;     /* into the file's data section */
    size_t nbytes;
} memae_st_entry;

typedef struct memae_st_meta {
    char *key, *value;
} memae_st_meta;

typedef struct memae_st_file {
    char *path;
    int n;
    memae_st_entry *entries;
    int nmeta;
    memae_st_meta *meta;
    uint8_t *blob;        /* the whole file */
} memae_st_file;

/* Read and check a whole file: every offset, size and dtype. */
int mae_st_read(const char *path, memae_st_file *f, memae_err *err);
void mae_st_free(memae_st_file *f);
const memae_st_entry *mae_st_find(const memae_st_file *f, const char *name);
const char *mae_st_meta_get(const memae_st_file *f, const char *key);
/* Bytes per element of a dtype name, 0 when unknown. */
size_t mae_st_dtype_size(const char *dtype);

typedef struct memae_st_tensor {
    const char *name;
    const char *dtype;
    int ndim;
    const int64_t *shape;
    const void *data;
} memae_st_tensor;

/* Write atomically: a temporary file beside path, fsync, then rename. */
int mae_st_write(const char *path, const memae_st_tensor *t, int n, const memae_st_meta *meta,
                   int nmeta, memae_err *err);

#endif
