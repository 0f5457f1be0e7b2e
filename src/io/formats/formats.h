/*
 * File formats, knowing no model: n-d arrays and their readers (array.h: IDX,
 * npy, npz), MATLAB files (matfile.h), safetensors (safetensors.h), and
 * whole-file atomic writes that every writer uses (atomic.h).
 */
#ifndef MEMAE_IO_FORMATS_H
#define MEMAE_IO_FORMATS_H

#include "io/formats/array.h"
#include "io/formats/atomic.h"
#include "io/formats/matfile.h"
#include "io/formats/safetensors.h"

#endif
