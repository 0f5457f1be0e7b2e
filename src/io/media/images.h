/*
 * Still images decoded with FFmpeg (libavformat, libavcodec, libswscale): any
 * file FFmpeg recognises by its contents or its extension (png, jpg, bmp, tif,
 * webp, ...).  No parser of our own.
 *
 * Output is uint8, planar C x H x W (outermost first):
 *   channels 1: grey.  Grey files are copied as they are; colour ones become
 *               ITU-R BT.601 luma, full range (what swscale does).
 *   channels 3: R, G, B planes in that order; grey files are replicated.
 * Alpha is dropped (not composited onto a background), 16-bit samples are
 * reduced to 8 bits, and of an animated file (gif, webp) the first frame is taken.
 * When h, w > 0 the image is resized to h x w with bilinear interpolation
 * (SWS_BILINEAR; when shrinking its tent filter widens to the source footprint,
 * like PIL's bilinear and unlike OpenCV's INTER_LINEAR);
 * h == w == 0 keeps the image's own size.
 *
 * Statuses:
 *   MEMAE_E_ARG         channels not 1 or 3, h or w negative or only one of them 0,
 *                       a size FFmpeg refuses
 *   MEMAE_E_IO          the file or folder cannot be opened or read, a folder
 *                       without image files
 *   MEMAE_E_FORMAT      not an image, or damaged (FFmpeg's error text in the message).
 *                       Damage that the decoder conceals is not seen: a cut jpg
 *                       may decode with its lower part grey.
 *   MEMAE_E_UNSUPPORTED no decoder for the file's format, or a pixel format
 *                       swscale cannot convert
 *   MEMAE_E_SHAPE       (folders) an image whose size differs from the first one's
 *   MEMAE_E_NOMEM       an allocation failed
 *
 * Failures are reported through memae_err only: each call lowers FFmpeg's own
 * log to AV_LOG_QUIET while it is still at FFmpeg's default (AV_LOG_INFO), so a
 * program that chose a level keeps it.
 */
#ifndef MEMAE_IO_IMAGES_H
#define MEMAE_IO_IMAGES_H

#include <stdint.h>

#include "core/error.h"
#include "io/formats/array.h"

/* Image extensions mae_images_read_dir takes (case-insensitive), for messages and help. */
#define MEMAE_IMAGE_EXTS "png, jpg, jpeg, bmp, tif, tiff"

/*
 * Decodes the first image of path.  *out is malloc'd (channels * *oh * *ow
 * bytes, free with free()); on failure *out is NULL and *oh, *ow are 0.
 */
int mae_image_decode(const char *path, int channels, int h, int w, uint8_t **out, int *oh, int *ow,
                     memae_err *err);

/*
 * Every image file of dir (extension in MEMAE_IMAGE_EXTS; names starting with
 * '.' and sub-folders are skipped), in strcmp order of the names, as one
 * MEMAE_U8 array of shape (N, C, H, W).  With h == w == 0 every image must have
 * the size of the first one.  On failure *out is zeroed.
 */
int mae_images_read_dir(const char *dir, int channels, int h, int w, memae_array *out,
                        memae_err *err);

/* ---- shared with other FFmpeg-based loaders in src/io (video); not for other callers ---- */

struct AVFrame;
struct SwsContext;
struct AVFormatContext;
struct AVCodecContext;

/*
 * Opens path with libavformat (local files only, no name patterns) and a
 * decoder for its best video stream; what ("an image", "a video") goes into
 * messages.  On success the caller owns *fmt and *dec (avformat_close_input,
 * avcodec_free_context); *stream is the stream's index.
 */
int mae_av_open(const char *path, const char *what, struct AVFormatContext **fmt,
                struct AVCodecContext **dec, int *stream, memae_err *err);

/*
 * Converts a decoded frame to planar uint8 as above, at h x w (both > 0), into
 * dst (channels * h * w bytes).  *sws is a conversion context kept between
 * calls (start with NULL, free with sws_freeContext): it is rebuilt only when
 * the frame's size or format changes, so a run of video frames sets it up once.
 * Full-range YUV (YUVJ formats, or color_range JPEG) and the frame's YUV
 * matrix (BT.709, ...) are honoured.  what names the source in messages.
 */
int mae_frame_to_planar(const struct AVFrame *f, int channels, int h, int w, uint8_t *dst,
                        struct SwsContext **sws, const char *what, memae_err *err);

/*
 * Full paths of dir's image files as mae_images_read_dir takes them (same
 * filter and order); *paths and each entry are malloc'd (free each, then the
 * array).  A folder without image files is MEMAE_E_IO.
 */
int mae_image_list(const char *dir, char ***paths, size_t *n, memae_err *err);

/* 1 when name has one of MEMAE_IMAGE_EXTS (case-insensitive). */
int mae_is_image_name(const char *name);

/* Lowers FFmpeg's log level as described above; call before other FFmpeg calls. */
void mae_av_quiet(void);

#endif
