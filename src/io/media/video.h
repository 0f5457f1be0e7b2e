/*
 * Videos as a sequence of grey uint8 frames at a chosen size: a file of any
 * container and codec FFmpeg reads (libavformat + libavcodec), or a folder of
 * image frames (png, jpg, bmp, tif) taken in strcmp order of their names.
 *
 * Frames are converted like still images (io/media/images.h: BT.601 luma of colour
 * frames, honouring full-range and the stream's YUV matrix) and resized to
 * h x w with swscale's bilinear filter.  Frames come one at a time, so a
 * video of any length needs memory for one frame only.
 *
 * Every failure names the video and, once decoding has started, the 0-based
 * index of the frame that could not be produced, so that no later score is
 * silently attached to the wrong frame:
 *   MEMAE_E_IO          cannot open the file or folder, a folder without frames
 *   MEMAE_E_FORMAT      not a video, no video stream, a damaged frame
 *   MEMAE_E_UNSUPPORTED no decoder for the codec, a pixel format swscale refuses
 *   MEMAE_E_ARG         h or w not positive
 *   MEMAE_E_NOMEM       an allocation failed
 */
#ifndef MEMAE_IO_VIDEO_H
#define MEMAE_IO_VIDEO_H

#include <stdint.h>

#include "core/error.h"

/* Extensions taken as video files when a data set folder is listed. */
#define MEMAE_VIDEO_EXTS "avi, mp4, mkv, mov, webm, mpg, mpeg, m4v, wmv, flv, ogv, ts, y4m, nut"

typedef struct memae_video_reader memae_video_reader;

/* Opens path (a video file or a folder of frames) for frames of h x w. */
int mae_video_open(const char *path, int h, int w, memae_video_reader **out, memae_err *err);

/*
 * The next frame into dst (h * w bytes); *got is 1, or 0 after the last frame.
 */
int mae_video_next(memae_video_reader *r, uint8_t *dst, int *got, memae_err *err);

/* After the last frame: 1 when the video is truncated (fewer frames than the
 * container says, *expected, or damaged data after the first frame ended it,
 * *damaged; such data at the first frame is an error of mae_video_next). */
int mae_video_truncated(const memae_video_reader *r, int64_t *expected, int *damaged);

/* Frames handed out so far. */
int64_t mae_video_frames_read(const memae_video_reader *r);

/* NULL-safe. */
void mae_video_close(memae_video_reader *r);

/* 1 when name ends with one of MEMAE_VIDEO_EXTS (case-insensitive). */
int mae_is_video_name(const char *name);

#endif
