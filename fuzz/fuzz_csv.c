/* CSV tables: fitted, and applied with a stored encoding.  The input is the
 * encoding's JSON (as a model's memae_table holds it), a line "%%\n", then
 * the CSV; without the separator, all of it is the CSV. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "io/tables/csv.h"
#include "io/tables/table.h"

static void apply(const memae_encoding *e, const memae_csv *c)
{
    float *x = NULL;
    uint8_t *y = NULL;
    memae_err err = {0};
    mae_encoding_apply(e, c, "t.csv", &x, &y, &err);
    free(x);
    free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = size >= 3 ? memmem(data, size, "%%\n", 3) : NULL;
    size_t jlen = sep ? (size_t)(sep - data) : 0, skip = sep ? jlen + 3 : 0;
    char path[256];
    if (fuzz_file("t.csv", data + skip, size - skip, path, NULL))
        return 0;
    memae_err err = {0};
    memae_csv c;
    if (mae_csv_read(path, MEMAE_CSV_AUTO, ',', &c, &err))
        return 0;
    memae_table_opts o = {.label_column = "label", .header = MEMAE_CSV_AUTO};
    memae_encoding e;
    if (!mae_encoding_fit(&c, path, &o, &e, &err)) {
        apply(&e, &c);
        mae_encoding_free(&e);
    }
    char *json = sep ? strndup((const char *)data, jlen) : NULL;
    if (json && !mae_encoding_from_json(json, &e, &err)) {
        apply(&e, &c);
        mae_encoding_free(&e);
    }
    free(json);
    mae_csv_free(&c);
    return 0;
}
