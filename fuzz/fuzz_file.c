#include "fuzz_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int fuzz_file(const char *name, const uint8_t *data, size_t size, char path[256], char dir[256])
{
    char d[256];
    snprintf(d, sizeof d, "%s/memae-fuzz-%d", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm",
             (int)getpid());
    if (mkdir(d, 0700) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, 256, "%s/%s", d, name);
    if (dir)
        snprintf(dir, 256, "%s", d);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    return close(fd) == 0 && off == size ? 0 : -1;
}
