/* Frame cache files: the header, the frame count against the size, the checksum. */
#include "data/frame_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memae_frame_sig sig = {.size = 100, .mtime = 5, .files = 1};
    mae_frame_cache_check(data, size, 4, 4, NULL);
    mae_frame_cache_check(data, size, 4, 4, &sig);
    mae_frame_cache_check(data, size, 1, 3, NULL);
    return 0;
}
