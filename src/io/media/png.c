#include "io/media/png.h"

#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include <libavcodec/avcodec.h>
#include <libavutil/error.h>

#include "io/formats/atomic.h"
#include "io/media/images.h"

/* The largest side written: far above any figure, and w * h * 3 fits an int. */
#define PNG_MAX_SIDE 16384

static int av_fail(const char *path, const char *what, int e, memae_err *err)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(e, msg, sizeof msg);
    return mae_seterr(err, e == AVERROR(ENOMEM) ? MEMAE_E_NOMEM : MEMAE_E_FORMAT,
                        "%s: PNG encoder: %s: %s", path, what, msg);
}

/* One RGB24 frame holding a copy of rgb (FFmpeg wants its own aligned rows). */
static int make_frame(const char *path, const uint8_t *rgb, int w, int h, AVFrame **out,
                      memae_err *err)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    f->format = AV_PIX_FMT_RGB24;
    f->width = w;
    f->height = h;
    int e = av_frame_get_buffer(f, 0);
    if (e < 0) {
        av_frame_free(&f);
        return av_fail(path, "frame", e, err);
    }
    for (int y = 0; y < h; y++)
        memcpy(f->data[0] + (size_t)y * f->linesize[0], rgb + (size_t)y * w * 3, (size_t)w * 3);
    *out = f;
    return MEMAE_OK;
}

static int encode(const char *path, AVCodecContext *c, AVFrame *f, AVPacket *pkt, memae_err *err)
{
    int e = avcodec_open2(c, c->codec, NULL);
    if (e < 0)
        return av_fail(path, "open", e, err);
    if ((e = avcodec_send_frame(c, f)) < 0)
        return av_fail(path, "send", e, err);
    if ((e = avcodec_send_frame(c, NULL)) < 0) /* flush: the one packet is ready now */
        return av_fail(path, "flush", e, err);
    if ((e = avcodec_receive_packet(c, pkt)) < 0)
        return av_fail(path, "receive", e, err);
    return MEMAE_OK;
}

int mae_png_write_rgb(const char *path, const uint8_t *rgb, int w, int h, memae_err *err)
{
    if (!path || !rgb || w < 1 || h < 1 || w > PNG_MAX_SIDE || h > PNG_MAX_SIDE)
        return mae_seterr(err, MEMAE_E_ARG, "%s: cannot write a %d x %d PNG",
                            path ? path : "(null)", w, h);
    mae_av_quiet();
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec)
        return mae_seterr(err, MEMAE_E_UNSUPPORTED, "%s: this FFmpeg has no PNG encoder", path);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = NULL;
    int st = c && pkt ? MEMAE_OK : mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    if (!st) {
        c->width = w;
        c->height = h;
        c->pix_fmt = AV_PIX_FMT_RGB24;
        c->time_base = (AVRational){1, 1};
        st = make_frame(path, rgb, w, h, &f, err);
    }
    if (!st)
        st = encode(path, c, f, pkt, err);
    if (!st) {
        const void *buf = pkt->data;
        size_t len = (size_t)pkt->size;
        st = mae_write_atomic(path, &buf, &len, 1, err);
    }
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&c);
    return st;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void mae_png_check_crc(const char *path, const memae_err *err)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!err || !err->warn)
        return;
    FILE *fp = fopen(path, "rb");
    uint8_t head[8], crcb[4], buf[65536];
    if (!fp)
        return;
    if (fread(head, 1, 8, fp) != 8 || memcmp(head, sig, 8)) {
        fclose(fp);
        return;
    }
    /* Chunks: length, type, data, the CRC of type and data.  A short chunk
     * ends the check (the decoder tells about truncation). */
    for (long at = 8; fread(head, 1, 8, fp) == 8;) {
        uint32_t len = be32(head), left = len;
        uLong crc = crc32(0L, head + 4, 4);
        size_t got = 1;
        while (left && (got = fread(buf, 1, left < sizeof buf ? left : sizeof buf, fp)) > 0) {
            crc = crc32(crc, buf, (uInt)got);
            left -= (uint32_t)got;
        }
        if (left || fread(crcb, 1, 4, fp) != 4)
            break;
        char type[5];
        for (int i = 0; i < 4; i++) /* printable, whatever the bytes */
            type[i] = head[4 + i] >= 0x21 && head[4 + i] <= 0x7e ? (char)head[4 + i] : '?';
        type[4] = '\0';
        if (be32(crcb) != (uint32_t)crc) {
            mae_warn(err, "%s: damaged PNG: the CRC of its %s chunk (at byte %ld) is wrong",
                       path, type, at);
            break;
        }
        if (!strcmp(type, "IEND"))
            break;
        at += 12 + (long)len;
    }
    fclose(fp);
}
