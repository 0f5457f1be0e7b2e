#include "io/media/images.h"
#include "io/media/png.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

void mae_av_quiet(void)
{
    /* FFmpeg prints decoder complaints to stderr by default; a library must not.
     * The level is process-wide, so a level the program chose is left alone. */
    if (av_log_get_level() == AV_LOG_INFO)
        av_log_set_level(AV_LOG_QUIET);
}

static int check_args(const char *what, int channels, int h, int w, memae_err *err)
{
    if (!what)
        return mae_seterr(err, MEMAE_E_ARG, "image or folder path is NULL");
    if (channels != 1 && channels != 3)
        return mae_seterr(err, MEMAE_E_ARG, "%s: channels must be 1 (grey) or 3 (RGB), got %d",
                            what, channels);
    if (h < 0 || w < 0 || (h == 0) != (w == 0))
        return mae_seterr(err, MEMAE_E_ARG,
                            "%s: resize to %dx%d: give both sizes > 0, or both 0 to keep the size",
                            what, h, w);
    if (h > 0 && av_image_check_size((unsigned)w, (unsigned)h, 0, NULL) < 0)
        return mae_seterr(err, MEMAE_E_ARG, "%s: resize to %dx%d: size too large", what, h, w);
    return MEMAE_OK;
}

static int av_status(int ret, int fallback)
{
    return ret == AVERROR(ENOMEM) ? MEMAE_E_NOMEM : fallback;
}

/*
 * swscale recognises full-range YUV only through the deprecated YUVJ formats;
 * newer decoders flag it with color_range instead, so both are mapped to a
 * plain format plus a range flag set explicitly.
 */
static enum AVPixelFormat plain_format(const struct AVFrame *f, int *full_range)
{
    *full_range = 1;
    switch (f->format) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P;
    default: break;
    }
    *full_range = f->color_range == AVCOL_RANGE_JPEG;
    return (enum AVPixelFormat)f->format;
}

int mae_frame_to_planar(const struct AVFrame *f, int channels, int h, int w, uint8_t *dst,
                          struct SwsContext **sws, const char *what, memae_err *err)
{
    int full;
    enum AVPixelFormat src = plain_format(f, &full);
    /* GBRP is swscale's planar RGB; its planes are G, B, R. */
    enum AVPixelFormat out = channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_GBRP;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(src);
    if (!desc || f->width <= 0 || f->height <= 0)
        return mae_seterr(err, MEMAE_E_FORMAT, "%s: decoded frame has no pixel format or size",
                            what);
    *sws = sws_getCachedContext(*sws, f->width, f->height, src, w, h, out,
                                SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!*sws)
        return mae_seterr(err, MEMAE_E_UNSUPPORTED,
                            "%s: cannot convert pixel format %s (%dx%d) to %s %dx%d", what,
                            desc->name, f->height, f->width, channels == 1 ? "grey" : "RGB", h, w);
    int is_yuv =
        !(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) && desc->nb_components >= 3;
    if (is_yuv) {
        int *inv, *table, src_range, dst_range, bright, contrast, sat;
        if (sws_getColorspaceDetails(*sws, &inv, &src_range, &table, &dst_range, &bright, &contrast,
                                     &sat) >= 0) {
            /* AVColorSpace values are SWS_CS_* values; 0 (RGB) would pick BT.709. */
            int cs = f->colorspace > 0 ? (int)f->colorspace : SWS_CS_DEFAULT;
            sws_setColorspaceDetails(*sws, sws_getCoefficients(cs), full, table, dst_range, bright,
                                     contrast, sat);
        }
    }

    /* swscale's SIMD code wants aligned rows, so scale into padded planes and copy. */
    uint8_t *planes[4];
    int pitch[4];
    int ret = av_image_alloc(planes, pitch, w, h, out, 64);
    if (ret < 0)
        return mae_seterr(err, av_status(ret, MEMAE_E_ARG), "%s: cannot allocate %dx%d: %s", what,
                            h, w, av_err2str(ret));
    const uint8_t *const *src_planes = (const uint8_t *const *)f->data;
    ret = sws_scale(*sws, src_planes, f->linesize, 0, f->height, planes, pitch);
    if (ret != h) {
        av_freep(&planes[0]);
        return mae_seterr(err, MEMAE_E_UNSUPPORTED, "%s: pixel conversion from %s failed: %s",
                            what, desc->name, ret < 0 ? av_err2str(ret) : "short output");
    }
    static const int from_gbrp[3] = {2, 0, 1}; /* R, G, B taken from planes 2, 0, 1 */
    for (int c = 0; c < channels; c++) {
        int k = channels == 1 ? 0 : from_gbrp[c];
        for (int y = 0; y < h; y++)
            memcpy(dst + ((size_t)c * h + y) * w, planes[k] + (size_t)y * pitch[k], (size_t)w);
    }
    av_freep(&planes[0]);
    return MEMAE_OK;
}

int mae_av_open(const char *path, const char *what, struct AVFormatContext **fmt_out,
                  struct AVCodecContext **dec_out, int *stream, memae_err *err)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVDictionary *opts = NULL;
    const AVCodec *codec = NULL;
    int st = MEMAE_OK, ret;
    *fmt_out = NULL;
    *dec_out = NULL;

    struct stat sb;
    if (stat(path, &sb) != 0)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return mae_seterr(err, MEMAE_E_IO, "%s: is a directory, not %s", path, what);

    /* "file:" so that a name with a colon is not taken for a protocol; the
     * whitelist keeps playlist-like formats from opening URLs; pattern_type none
     * keeps image2 from reading "%d" or "*" in a name as a sequence of files. */
    char *url = av_asprintf("file:%s", path);
    if (!url || av_dict_set(&opts, "protocol_whitelist", "file", 0) < 0 ||
        av_dict_set(&opts, "pattern_type", "none", 0) < 0) {
        av_free(url);
        av_dict_free(&opts);
        return mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
    }
    ret = avformat_open_input(&fmt, url, NULL, &opts);
    av_dict_free(&opts);
    av_free(url);
    if (ret < 0)
        return mae_seterr(err,
                            av_status(ret, ret == AVERROR_INVALIDDATA ? MEMAE_E_FORMAT : MEMAE_E_IO),
                            "%s: cannot open as %s: %s", path, what, av_err2str(ret));
    /* Containers without a global header (mpeg-ts, raw streams) need a probe
     * to know the stream's codec or size; a probe decodes frames, so it is
     * skipped when the header says enough (every image of a frame folder).
     * A failure of the probe is left to the decoder to report. */
    int known = fmt->nb_streams > 0;
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        known = known && fmt->streams[i]->codecpar->codec_id != AV_CODEC_ID_NONE &&
                fmt->streams[i]->codecpar->width > 0;
    if (!known)
        avformat_find_stream_info(fmt, NULL);
    ret = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (ret < 0) {
        st = mae_seterr(
            err, ret == AVERROR_DECODER_NOT_FOUND ? MEMAE_E_UNSUPPORTED : MEMAE_E_FORMAT,
            "%s: no decodable %s (%s format): %s", path, what, fmt->iformat->name,
            av_err2str(ret));
        goto done;
    }
    *stream = ret;
    if (!(dec = avcodec_alloc_context3(codec))) {
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
        goto done;
    }
    /* Not AV_EF_EXPLODE: it would catch some damaged files, but it also
     * refuses valid ones (FFmpeg's own tif, for a tag it does not know). */
    ret = avcodec_parameters_to_context(dec, fmt->streams[*stream]->codecpar);
    if (ret >= 0)
        ret = avcodec_open2(dec, codec, NULL);
    if (ret < 0)
        st = mae_seterr(err, av_status(ret, MEMAE_E_UNSUPPORTED),
                          "%s: cannot start the %s decoder: %s", path, codec->name,
                          av_err2str(ret));
done:
    if (st != MEMAE_OK) {
        avcodec_free_context(&dec);
        avformat_close_input(&fmt);
        return st;
    }
    *fmt_out = fmt;
    *dec_out = dec;
    return MEMAE_OK;
}

/* Demuxes and decodes until the first frame of the best video stream. */
static int decode_first(const char *path, AVFrame **out, memae_err *err)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    int st, ret = 0, index = 0;
    *out = NULL;
    if ((st = mae_av_open(path, "an image", &fmt, &dec, &index, err)) != MEMAE_OK)
        return st;
    mae_png_check_crc(path, err); /* FFmpeg decodes it anyway: a warning */
    const AVCodec *codec = dec->codec;
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!pkt || !frame) {
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory", path);
        goto done;
    }

    for (;;) {
        ret = av_read_frame(fmt, pkt);
        if (ret == AVERROR_EOF) {
            ret = avcodec_send_packet(dec, NULL); /* drain a decoder that holds frames back */
            if (ret >= 0 || ret == AVERROR_EOF)
                ret = avcodec_receive_frame(dec, frame);
            if (ret == AVERROR_EOF)
                st = mae_seterr(err, MEMAE_E_FORMAT, "%s: no image in the file (%s)", path,
                                  codec->name);
            break;
        }
        if (ret < 0) {
            st = mae_seterr(err, av_status(ret, MEMAE_E_FORMAT), "%s: cannot read: %s", path,
                              av_err2str(ret));
            break;
        }
        ret = pkt->stream_index == index ? avcodec_send_packet(dec, pkt) : AVERROR(EAGAIN);
        av_packet_unref(pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN))
            break;
        ret = avcodec_receive_frame(dec, frame);
        if (ret != AVERROR(EAGAIN))
            break;
    }
    if (st == MEMAE_OK && ret < 0)
        st = mae_seterr(err, av_status(ret, MEMAE_E_FORMAT), "%s: cannot decode as %s: %s", path,
                          codec->name, av_err2str(ret));
    if (st == MEMAE_OK && ((frame->flags & AV_FRAME_FLAG_CORRUPT) || frame->decode_error_flags))
        st = mae_seterr(err, MEMAE_E_FORMAT, "%s: damaged %s data", path, codec->name);
    if (st == MEMAE_OK) {
        *out = frame;
        frame = NULL;
    }
done:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return st;
}

int mae_image_decode(const char *path, int channels, int h, int w, uint8_t **out, int *oh,
                       int *ow, memae_err *err)
{
    if (!out || !oh || !ow)
        return mae_seterr(err, MEMAE_E_ARG, "%s: NULL output pointer", path ? path : "image");
    *out = NULL;
    *oh = *ow = 0;
    int st = check_args(path, channels, h, w, err);
    if (st != MEMAE_OK)
        return st;
    mae_av_quiet();
    AVFrame *f;
    if ((st = decode_first(path, &f, err)) != MEMAE_OK)
        return st;
    if (h == 0) {
        h = f->height;
        w = f->width;
    }
    uint8_t *buf = malloc((size_t)channels * h * w);
    struct SwsContext *sws = NULL;
    if (!buf)
        st = mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot allocate %dx%dx%d bytes", path, channels,
                          h, w);
    else
        st = mae_frame_to_planar(f, channels, h, w, buf, &sws, path, err);
    sws_freeContext(sws);
    av_frame_free(&f);
    if (st != MEMAE_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *oh = h;
    *ow = w;
    return MEMAE_OK;
}

/* ------------------------------------------------------------- folders */

typedef struct name_list {
    char **v;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int has_image_ext(const char *name)
{
    static const char *const exts[] = {"png", "jpg", "jpeg", "bmp", "tif", "tiff"};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot + 1, exts[i]) == 0)
            return 1;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name)
{
    size_t nd = strlen(dir), nn = strlen(name);
    int slash = nd > 0 && dir[nd - 1] != '/';
    char *p = malloc(nd + slash + nn + 1);
    if (p) {
        memcpy(p, dir, nd);
        if (slash)
            p[nd] = '/';
        memcpy(p + nd + slash, name, nn + 1);
    }
    return p;
}

/* Full paths of the image files of dir, sorted by name. */
static int list_images(const char *dir, name_list *l, memae_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return mae_seterr(err, MEMAE_E_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    int st = MEMAE_OK;
    struct dirent *e;
    for (errno = 0; (e = readdir(d)) != NULL; errno = 0) {
        if (e->d_name[0] == '.' || !has_image_ext(e->d_name))
            continue;
        char *p = join(dir, e->d_name);
        if (p && l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 64;
            char **v = realloc(l->v, cap * sizeof *v);
            if (v) {
                l->v = v;
                l->cap = cap;
            }
        }
        if (!p || l->n == l->cap) {
            free(p);
            st = mae_seterr(err, MEMAE_E_NOMEM, "%s: out of memory listing the folder", dir);
            break;
        }
        /* A sub-folder named x.png is skipped; a broken link stays, to fail by name. */
        struct stat sb;
        if (stat(p, &sb) == 0 && !S_ISREG(sb.st_mode)) {
            free(p);
            continue;
        }
        l->v[l->n++] = p;
    }
    if (st == MEMAE_OK && errno != 0)
        st = mae_seterr(err, MEMAE_E_IO, "%s: cannot read folder: %s", dir, strerror(errno));
    closedir(d);
    if (st == MEMAE_OK && l->n == 0)
        st = mae_seterr(err, MEMAE_E_IO, "%s: no image files (%s) in the folder", dir,
                          MEMAE_IMAGE_EXTS);
    if (st != MEMAE_OK)
        names_free(l);
    else
        qsort(l->v, l->n, sizeof *l->v, cmp_names);
    return st;
}

int mae_images_read_dir(const char *dir, int channels, int h, int w, memae_array *out,
                          memae_err *err)
{
    if (!out)
        return mae_seterr(err, MEMAE_E_ARG, "%s: NULL output array", dir ? dir : "folder");
    memset(out, 0, sizeof *out);
    int st = check_args(dir, channels, h, w, err);
    if (st != MEMAE_OK)
        return st;
    mae_av_quiet();
    name_list l = {0};
    if ((st = list_images(dir, &l, err)) != MEMAE_OK)
        return st;

    memae_array a = {.dtype = MEMAE_U8, .ndim = 4};
    struct SwsContext *sws = NULL;
    int fh = 0, fw = 0; /* the first image's own size */
    for (size_t i = 0; i < l.n && st == MEMAE_OK; i++) {
        AVFrame *f;
        if ((st = decode_first(l.v[i], &f, err)) != MEMAE_OK)
            break;
        if (i == 0) {
            fh = f->height;
            fw = f->width;
            a.shape[0] = (int64_t)l.n;
            a.shape[1] = channels;
            a.shape[2] = h ? h : fh;
            a.shape[3] = w ? w : fw;
            st = mae_array_size(&a, dir, err);
            if (st == MEMAE_OK && !(a.data = malloc(a.nbytes)))
                st =
                    mae_seterr(err, MEMAE_E_NOMEM, "%s: cannot allocate %zu bytes for %zu images",
                                 dir, a.nbytes, l.n);
        } else if (h == 0 && (f->height != fh || f->width != fw)) {
            st = mae_seterr(err, MEMAE_E_SHAPE,
                              "%s: image is %dx%d (HxW) but the first one, %s, is %dx%d; give a "
                              "size to resize to",
                              l.v[i], f->height, f->width, l.v[0], fh, fw);
        }
        if (st == MEMAE_OK) {
            size_t one = (size_t)channels * a.shape[2] * a.shape[3];
            st = mae_frame_to_planar(f, channels, (int)a.shape[2], (int)a.shape[3],
                                       (uint8_t *)a.data + i * one, &sws, l.v[i], err);
        }
        av_frame_free(&f);
    }
    sws_freeContext(sws);
    names_free(&l);
    if (st != MEMAE_OK)
        mae_array_free(&a);
    else
        *out = a;
    return st;
}

int mae_image_list(const char *dir, char ***paths, size_t *n, memae_err *err)
{
    name_list l = {0};
    *paths = NULL;
    *n = 0;
    int st = list_images(dir, &l, err);
    if (st == MEMAE_OK) {
        *paths = l.v;
        *n = l.n;
    }
    return st;
}

int mae_is_image_name(const char *name)
{
    return has_image_ext(name);
}
