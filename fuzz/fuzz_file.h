/* The fuzz targets' one helper: an input as a file, since the parsers take paths. */
#ifndef MEMAE_FUZZ_FILE_H
#define MEMAE_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Writes data to <dir>/<name> in this process's scratch folder (in /dev/shm
 * when there is one) and puts that path in path; dir, if not NULL, receives
 * the folder.  Returns 0, or -1 when it cannot (the target then skips). */
int fuzz_file(const char *name, const uint8_t *data, size_t size, char path[256], char dir[256]);

#endif
