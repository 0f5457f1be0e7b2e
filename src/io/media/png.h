/*
 * PNG output through FFmpeg's PNG encoder (libavcodec, AV_CODEC_ID_PNG): no
 * PNG code of our own, the same library that reads images (io/media/images.h).
 */
#ifndef MEMAE_IO_PNG_H
#define MEMAE_IO_PNG_H

#include <stdint.h>

#include "core/error.h"

/*
 * Writes an 8-bit RGB image, rgb interleaved row by row (h rows of w * 3
 * bytes, R G B), to path atomically (io/formats/atomic.h).
 * Statuses: MEMAE_E_ARG (w or h < 1 or too large, NULL pointers),
 * MEMAE_E_UNSUPPORTED (this FFmpeg has no PNG encoder), MEMAE_E_FORMAT (the
 * encoder failed; FFmpeg's text in the message), MEMAE_E_IO, MEMAE_E_NOMEM.
 */
int mae_png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, memae_err *err);

/*
 * When path is a PNG file (by its signature), checks the CRC-32 of every
 * chunk (FFmpeg's decoder does not): a wrong one is a warning to err's sink
 * naming the file, the chunk and its offset.  Nothing else is reported here
 * (the decoder reports what it cannot read).
 */
void mae_png_check_crc(const char *path, const memae_err *err);

#endif
