/*
 * Sequential decoding of a video file or a folder of frames into grey frames
 * of a fixed size (see video.h).  The file path keeps one demuxer, one
 * decoder and one swscale context for the whole video.
 */
#include "io/media/video.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "io/media/images.h"

struct memae_video_reader {
    char *path;
    int h, w;
    int64_t index; /* frames handed out */
    /* a video file */
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    int stream, flushed, ended;
    int64_t expected; /* frames the container says it holds (0: it does not say) */
    int exact;        /* expected is a count, not a duration times a rate */
    int damaged;      /* decoding stopped at a damaged frame */
    /* a folder of frames */
    char **files;
    size_t nfiles;
};

int mae_is_video_name(const char *name)
{
    static const char *const exts[] = {"avi", "mp4", "mkv", "mov", "webm", "mpg", "mpeg",
                                       "m4v", "wmv", "flv", "ogv", "ts",   "y4m", "nut"};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
        if (!strcasecmp(dot + 1, exts[i]))
            return 1;
    return 0;
}

void mae_video_close(memae_video_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    free(r->files);
    sws_freeContext(r->sws);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fmt);
    free(r->path);
    free(r);
}

static int open_file(memae_video_reader *r, memae_err *err)
{
    int st = mae_av_open(r->path, "a video", &r->fmt, &r->dec, &r->stream, err);
    if (st != MEMAE_OK)
        return st;
    r->pkt = av_packet_alloc();
    r->frame = av_frame_alloc();
    if (!r->pkt || !r->frame)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", r->path);
    /* What the container says: a frame count, else its duration times the rate
     * (the file's duration only when the video is its one stream). */
    const AVStream *s = r->fmt->streams[r->stream];
    double fps = av_q2d(s->avg_frame_rate), secs = -1;
    if (s->duration != AV_NOPTS_VALUE && s->duration > 0)
        secs = (double)s->duration * av_q2d(s->time_base);
    else if (r->fmt->nb_streams == 1 && r->fmt->duration != AV_NOPTS_VALUE && r->fmt->duration > 0)
        secs = (double)r->fmt->duration / AV_TIME_BASE;
    if (s->nb_frames > 0)
        r->expected = s->nb_frames, r->exact = 1;
    else if (fps > 0 && secs > 0 && secs * fps < 1e12)
        r->expected = (int64_t)(secs * fps + 0.5);
    return MEMAE_OK;
}

int mae_video_truncated(const memae_video_reader *r, int64_t *expected, int *damaged)
{
    *expected = r->expected;
    *damaged = r->damaged;
    /* A count must be met; a duration times a rate may round one frame off. */
    int64_t need = r->exact ? r->expected : r->expected - 1;
    return r->damaged || (r->ended && r->index < need);
}

int mae_video_open(const char *path, int h, int w, memae_video_reader **out, memae_err *err)
{
    *out = NULL;
    if (!path)
        return mae_seterr(err, MEMAE_E_ARG, "video path is NULL");
    if (h <= 0 || w <= 0)
        return mae_seterr(err, MEMAE_E_ARG, "%s: frame size %dx%d must be positive", path, h, w);
    mae_av_quiet();
    memae_video_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    }
    r->h = h;
    r->w = w;
    struct stat sb;
    int st;
    if (stat(path, &sb) != 0)
        st = mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        st = mae_image_list(path, &r->files, &r->nfiles, err);
    else
        st = open_file(r, err);
    if (st != MEMAE_OK) {
        mae_video_close(r);
        return st;
    }
    *out = r;
    return MEMAE_OK;
}

/* Receives the next decoded frame, feeding packets (and the final flush) as needed. */
static int decode_next(memae_video_reader *r, int *got, memae_err *err)
{
    for (;;) {
        int ret = avcodec_receive_frame(r->dec, r->frame);
        if (ret >= 0) {
            *got = 1;
            return MEMAE_OK;
        }
        if (ret == AVERROR_EOF) {
            r->ended = 1;
            *got = 0;
            return MEMAE_OK;
        }
        if (ret != AVERROR(EAGAIN))
            return mae_seterr(err, ret == AVERROR(ENOMEM) ? MEMAE_E_NOMEM : MEMAE_E_FORMAT,
                              "%s: frame %lld: cannot decode (%s): %s", r->path,
                              (long long)r->index, r->dec->codec->name, av_err2str(ret));
        if (r->flushed) { /* a decoder that wants input after the flush: treat as the end */
            r->ended = 1;
            *got = 0;
            return MEMAE_OK;
        }
        ret = av_read_frame(r->fmt, r->pkt);
        if (ret == AVERROR_EOF) {
            r->flushed = 1;
            ret = avcodec_send_packet(r->dec, NULL);
        } else if (ret < 0) {
            return mae_seterr(err, ret == AVERROR(ENOMEM) ? MEMAE_E_NOMEM : MEMAE_E_FORMAT,
                              "%s: frame %lld: cannot read the file: %s", r->path,
                              (long long)r->index, av_err2str(ret));
        } else {
            ret = r->pkt->stream_index == r->stream ? avcodec_send_packet(r->dec, r->pkt) : 0;
            av_packet_unref(r->pkt);
        }
        if (ret < 0 && ret != AVERROR_EOF)
            return mae_seterr(err, ret == AVERROR(ENOMEM) ? MEMAE_E_NOMEM : MEMAE_E_FORMAT,
                              "%s: frame %lld: damaged %s data: %s", r->path, (long long)r->index,
                              r->dec->codec->name, av_err2str(ret));
    }
}

/* Damaged data after the first frame ends the video there, marked damaged
 * (mae_video_truncated tells); at the first frame it is an error. */
static int damaged_end(memae_video_reader *r, int st, int *got, memae_err *err)
{
    if (st == MEMAE_E_NOMEM || r->index == 0)
        return st;
    mae_clearerr(err);
    r->damaged = r->ended = 1;
    *got = 0;
    return MEMAE_OK;
}

static int next_from_file(memae_video_reader *r, uint8_t *dst, int *got, memae_err *err)
{
    *got = 0;
    if (r->ended)
        return MEMAE_OK;
    int st = decode_next(r, got, err);
    if (st != MEMAE_OK)
        return damaged_end(r, st, got, err);
    if (!*got)
        return st;
    /* A concealed frame would be scored as if it were real: refuse it. */
    if ((r->frame->flags & AV_FRAME_FLAG_CORRUPT) || r->frame->decode_error_flags) {
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: frame %lld: damaged %s data", r->path,
                        (long long)r->index, r->dec->codec->name);
        av_frame_unref(r->frame);
        return damaged_end(r, st, got, err);
    } else {
        char what[64 + 4096];
        snprintf(what, sizeof what, "%s: frame %lld", r->path, (long long)r->index);
        st = mae_frame_to_planar(r->frame, 1, r->h, r->w, dst, &r->sws, what, err);
    }
    av_frame_unref(r->frame);
    if (st != MEMAE_OK)
        *got = 0;
    return st;
}

static int next_from_folder(memae_video_reader *r, uint8_t *dst, int *got, memae_err *err)
{
    *got = 0;
    if ((size_t)r->index >= r->nfiles)
        return MEMAE_OK;
    uint8_t *px = NULL;
    int oh, ow;
    memae_err e = {.warn = err ? err->warn : NULL, .warn_user = err ? err->warn_user : NULL};
    int st = mae_image_decode(r->files[r->index], 1, r->h, r->w, &px, &oh, &ow, &e);
    if (st != MEMAE_OK)
        return mae_seterr(err, st, "%s: frame %lld: %s", r->path, (long long)r->index, e.msg);
    memcpy(dst, px, (size_t)r->h * r->w);
    free(px);
    *got = 1;
    return MEMAE_OK;
}

int mae_video_next(memae_video_reader *r, uint8_t *dst, int *got, memae_err *err)
{
    int st = r->files ? next_from_folder(r, dst, got, err) : next_from_file(r, dst, got, err);
    if (st == MEMAE_OK && *got)
        r->index++;
    return st;
}

int64_t mae_video_frames_read(const memae_video_reader *r)
{
    return r->index;
}
