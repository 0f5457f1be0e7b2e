/*
 * Media through FFmpeg, knowing no model: still images and folders of them
 * (images.h), videos as grey frames (video.h), which videos a path names
 * (video_list.h), and PNG output (png.h).
 */
#ifndef MEMAE_IO_MEDIA_H
#define MEMAE_IO_MEDIA_H

#include "io/media/images.h"
#include "io/media/png.h"
#include "io/media/video.h"
#include "io/media/video_list.h"

#endif
