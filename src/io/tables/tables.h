/*
 * Tables, knowing no model: the CSV parser (csv.h), the encoding of columns
 * into floats with its labels and JSON form (table.h), and per-feature
 * scaling (scaler.h).  Reading a table for a model is data/tables.h.
 */
#ifndef MEMAE_IO_TABLES_H
#define MEMAE_IO_TABLES_H

#include "io/tables/csv.h"
#include "io/tables/scaler.h"
#include "io/tables/table.h"

#endif
