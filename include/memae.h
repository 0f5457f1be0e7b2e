/*
 * memae: memory-augmented deep autoencoders (Gong et al., ICCV 2019) for
 * unsupervised anomaly detection.  The one public header of libmemae.
 *
 * Conventions (sqlite / libuv style):
 *  - handles are opaque and created through an out-parameter;
 *  - every call that can fail returns a status (MEMAE_OK == 0);
 *  - memae_strerror(status) names the status, memae_errmsg(handle) gives the
 *    detail of the last failure on that handle (file, tensor, what was wrong);
 *  - a create/load call that fails may still return a handle in *out that
 *    carries the message: read it with memae_errmsg, then free it;
 *  - freeing NULL is a no-op; the library never exits or aborts on user input.
 *
 * Tensors are float32, NCHW / NCDHW (outermost first) as in PyTorch.
 */
#ifndef MEMAE_H
#define MEMAE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * MEMAE_API marks the library's exported names.  libmemae.so is built with
 * hidden visibility (-fvisibility=hidden -DMEMAE_BUILD), so it exports
 * exactly the declarations of this header; for users it is empty.
 */
#ifndef MEMAE_API
#if defined(MEMAE_BUILD) && defined(__GNUC__)
#define MEMAE_API __attribute__((visibility("default")))
#else
#define MEMAE_API
#endif
#endif

#define MEMAE_VERSION_MAJOR 0
#define MEMAE_VERSION_MINOR 1
#define MEMAE_VERSION_PATCH 0
#define MEMAE_VERSION_STRING "0.1.0"

/* Run-time version, "MAJOR.MINOR.PATCH". */
MEMAE_API const char *memae_version(void);

enum memae_status {
    MEMAE_OK = 0,
    MEMAE_E_NOMEM,       /* an allocation failed */
    MEMAE_E_IO,          /* a file could not be opened, read or written */
    MEMAE_E_TRUNCATED,   /* a file ends before its header says it should */
    MEMAE_E_FORMAT,      /* a file's header or contents are malformed */
    MEMAE_E_NAME,        /* a tensor is missing, or a tensor is not expected */
    MEMAE_E_SHAPE,       /* a tensor or an input has the wrong shape */
    MEMAE_E_DTYPE,       /* a tensor has the wrong data type */
    MEMAE_E_CONFIG,      /* the model configuration is invalid */
    MEMAE_E_ARG,         /* an argument is out of range */
    MEMAE_E_NUMERIC,     /* a NaN or an infinity where a finite value is needed */
    MEMAE_E_UNSUPPORTED, /* a feature this build or backend does not have */
    MEMAE_STATUS_COUNT
};

MEMAE_API const char *memae_strerror(int status);

/* Free memory returned by the library (strings such as configurations). */
MEMAE_API void memae_free(void *p);

/* ------------------------------------------------------------------ model */

typedef struct memae_model memae_model;

/* Names of the presets: "video3d", "image2d", "tabular". */
MEMAE_API extern const char *const memae_preset_names[];

/*
 * Create a freshly initialised model.
 *  config_json: a JSON object.  "preset" selects the defaults to start from
 *    (default "image2d"); every other key overrides the preset's value
 *    ("input_shape", "encoder", "decoder", "memory", ...; see README).
 *    NULL means the image2d preset.
 *  seed: the seed of the initialisation; the same seed gives the same bits.
 */
MEMAE_API int memae_model_create(const char *config_json, uint64_t seed, memae_model **out);

/* Load a model file (safetensors) written by memae or by PyTorch. */
MEMAE_API int memae_model_load(const char *path, memae_model **out);

/* Load a file without memae's metadata (a PyTorch state_dict saved as
 * safetensors) with the given configuration; a file with metadata uses its own. */
MEMAE_API int memae_model_load_with_config(const char *path, const char *config_json,
                                           memae_model **out);

/* Save the model to path atomically (a temporary file, then rename). */
MEMAE_API int memae_model_save(memae_model *m, const char *path);

MEMAE_API void memae_model_free(memae_model *m);

/* Message of the last failure on m ("" when none; a fixed text when m is NULL). */
MEMAE_API const char *memae_errmsg(const memae_model *m);

/* The resolved configuration as JSON (free with memae_free). */
MEMAE_API int memae_model_config(memae_model *m, char **json_out);

/* Number of trainable parameters (floats). */
MEMAE_API size_t memae_model_num_params(const memae_model *m);

/*
 * Shape of one sample: ndim is 1 (tabular: D), 3 (images: C,H,W) or 4
 * (video: C,T,H,W).  shape must hold 4 values.
 */
MEMAE_API int memae_model_input_shape(const memae_model *m, int64_t shape[4], int *ndim);

/* The layers in order (encoder, memory, decoder), for display. */
typedef struct memae_layer_info {
    const char *name;     /* "encoder.0", "mem_rep.memory", ... */
    const char *op;       /* "conv", "convT", "linear", "batchnorm", "activation", "memory" */
    int ndim;             /* of the per-sample shapes below */
    int64_t in_shape[4], out_shape[4];
    size_t params;
} memae_layer_info;

MEMAE_API int memae_model_num_layers(const memae_model *m);
MEMAE_API int memae_model_layer(const memae_model *m, int i, memae_layer_info *out);

/* Floats in one sample (product of the input shape). */
MEMAE_API size_t memae_model_sample_size(const memae_model *m);

/*
 * Free-form metadata stored in the model file's __metadata__ (strings; JSON
 * by convention): "memae_normalization", "memae_threshold", ...  The key
 * "memae_config" is reserved.  get returns NULL when the key is absent.
 */
MEMAE_API int memae_model_set_meta(memae_model *m, const char *key, const char *value);
MEMAE_API const char *memae_model_get_meta(const memae_model *m, const char *key);

/*
 * Backends: DNNL runs convolutions, matrix products and activations on
 * oneDNN (the fast path); REF is portable C, the oracle DNNL is tested
 * against.  A new or loaded model starts on DNNL, or on REF when the library
 * was built without oneDNN (make DNNL=0) or oneDNN has no engine for this
 * CPU; the memae program has the same default.  A seeded run repeats bit for
 * bit on either backend at the same thread count, on REF also across thread
 * counts (oneDNN splits its sums by thread count).  Selecting DNNL in a build
 * without it returns MEMAE_E_UNSUPPORTED with a message.
 */
enum memae_backend { MEMAE_BACKEND_REF = 0, MEMAE_BACKEND_DNNL = 1 };

/* Threads used by this model's kernels (0 = the OpenMP default). */
MEMAE_API int memae_model_set_threads(memae_model *m, int threads);
MEMAE_API int memae_model_set_backend(memae_model *m, int backend);
/* The backend in use (see above for the default). */
MEMAE_API int memae_model_backend(const memae_model *m);

/* ------------------------------------------------------------- recipes */

/*
 * A recipe says how a model is trained and scored (docs/recipes.md):
 *  "paper"    the paper's recipe: the model reconstructs its input, a
 *             sample's score is its mean reconstruction error (a new model's);
 *  "weighted" any data: trained as "paper"; each element's error (pixel,
 *             column) is weighted by 1 / (its mean error on the training
 *             data + eps), so that elements that normal samples always
 *             reconstruct well count most, and the score is divided by its
 *             mean on the training data (1 = a typical normal sample);
 *  "restore"  images with H == W and video clips: the model learns to
 *             restore the sample as it was from transformed copies (images
 *             turned by 0, 90, 180 and 270 degrees; clips played forwards
 *             and backwards); the score is the mean over the transforms of
 *             the weighted error of restoring the sample from each, each
 *             transform's weights and mean measured on the training data
 *             as for "weighted".
 * The statistics are measured at the end of memae_train, for the score kind
 * of its threshold, and stored in the model ("memae_recipe" metadata and the
 * tensor "memae_recipe.pixel_weight"), so memae_model_score applies them.
 */
enum memae_recipe_kind { MEMAE_RECIPE_PAPER = 0, MEMAE_RECIPE_RESTORE = 1, MEMAE_RECIPE_WEIGHTED = 2 };

/* Set the recipe by name; "default" names memae's best recipe for the
 * model's samples (restore for square images, paper for clips, weighted
 * otherwise). */
MEMAE_API int memae_model_set_recipe(memae_model *m, const char *name);
/* The recipe's name ("paper", "restore", "weighted"). */
MEMAE_API const char *memae_model_recipe(const memae_model *m);

/*
 * The configuration a recipe prefers for a preset, as a JSON object of keys
 * for memae_model_create that the caller's own keys override ("{}" when it
 * has none): every recipe but "paper" gives image2d an encoder of 3x3
 * convolutions with padding 1 and 32, 64 and 128 channels (28 -> 14 -> 7 ->
 * 4), where the paper's first 1x1 convolution of stride 2 reads only every
 * other pixel.  recipe NULL is "paper"; the string is static.
 */
MEMAE_API const char *memae_recipe_config(const char *recipe, const char *preset);

/* ------------------------------------------------------------- training */

typedef struct memae_train_opts {
    float lr;             /* Adam learning rate (default 1e-3) */
    float beta1, beta2;   /* Adam betas (0.9, 0.999) */
    float eps;            /* Adam epsilon (1e-8) */
} memae_train_opts;

/* PyTorch's Adam defaults (docs/model.md, "Training"). */
MEMAE_API memae_train_opts memae_train_opts_default(void);

typedef struct memae_stats {
    double loss;      /* MSE + alpha * entropy */
    double mse;       /* reconstruction error, mean over every element */
    double entropy;   /* mean entropy of the addressing weights */
    int64_t zero_queries; /* queries whose weights all fell below lambda */
    int64_t queries;      /* queries addressed in this call */
} memae_stats;

/*
 * One training step on a batch: forward with batch statistics, the loss
 * L = MSE + alpha * entropy (alpha: the configuration's entropy_weight),
 * backward, and an Adam update.  x holds batch samples in the model's input
 * space.  stats may be NULL.
 */
MEMAE_API int memae_model_train_step(memae_model *m, const float *x, int batch,
                                     const memae_train_opts *opts, memae_stats *stats);

/* Steps of Adam taken so far (PyTorch's `step`). */
MEMAE_API int64_t memae_model_steps(const memae_model *m);

/* ------------------------------------------------------------- scoring */

/*
 * Reconstruct a batch in scoring mode (running statistics of batch norm).
 * recon receives batch samples; stats (may be NULL) gets the MSE and the
 * entropy of this batch.
 */
MEMAE_API int memae_model_reconstruct(memae_model *m, const float *x, int batch, float *recon,
                                      memae_stats *stats);

enum memae_score_kind { MEMAE_SCORE_MSE = 0, MEMAE_SCORE_MAE = 1 };

/* One anomaly score per sample (higher = more abnormal). */
MEMAE_API int memae_model_score(memae_model *m, const float *x, int batch, int kind, float *scores);

/* Scores of n samples, batch by batch (batch <= 0: 256). */
MEMAE_API int memae_model_score_all(memae_model *m, const float *x, int64_t n, int kind, int batch,
                                    float *scores);

/* ------------------------------------------------------------- data */

/*
 * Samples for this model from a file or folder: NumPy .npy (uint8 or
 * float32, C order), IDX (gzipped or not), or a folder of images (png, jpg,
 * bmp, tif; resized to the model's size).  Image arrays may be (N, H, W) or
 * (N, C, H, W); tabular ones (N, D).  uint8 data is mapped by the model's
 * "memae_normalization" (image2d: / 255); float data is taken as already in
 * the model's input space.  *x is malloc'd (free with memae_free).
 * Tabular models also read tables (.csv .tsv .txt, .npz with X, .mat with
 * X), encoded and scaled by the rule stored at training ("memae_table").
 */
MEMAE_API int memae_data_load(memae_model *m, const char *path, float **x, int64_t *n);

/* Integer labels (IDX or .npy, one per sample); *labels is malloc'd. */
MEMAE_API int memae_labels_load(memae_model *m, const char *path, int64_t **labels, int64_t *n);

/* ------------------------------------------------------------- training */

typedef struct memae_progress {
    int epoch, epochs;          /* 1-based epoch */
    int64_t batch, batches;     /* 1-based batch within the epoch */
    int64_t step;               /* Adam steps so far */
    double loss, mse, entropy;  /* running means over this epoch */
    double samples_per_s;       /* over this epoch */
    double seconds;             /* since this epoch started */
    int epoch_done;             /* 1 on the call that ends an epoch */
} memae_progress;

typedef void (*memae_progress_fn)(const memae_progress *p, void *user);

typedef struct memae_train_config {
    int epochs;            /* default 5; 0: the recipe's (memae_train_auto_epochs) */
    int batch;             /* default 64 */
    memae_train_opts adam; /* lr 1e-3, betas (0.9, 0.999), eps 1e-8 */
    uint64_t seed;         /* shuffling: epoch e uses a permutation from (seed, e) */
    const char *checkpoint; /* written atomically after every epoch; NULL: none */
    int resume;            /* continue from checkpoint (model, Adam state, epoch) */
    double contamination;  /* threshold = (1 - c) quantile of training scores (0.1) */
    int score_kind;        /* MEMAE_SCORE_MSE or MEMAE_SCORE_MAE for the threshold */
    const char *recipe;    /* "paper", "restore", "weighted", "default" (see recipes);
                              NULL: the model's own */
} memae_train_config;

MEMAE_API memae_train_config memae_train_config_default(void);

/* The epochs that training n samples with a recipe (NULL: the model's own;
 * "default" as memae_model_set_recipe) takes when memae_train_config.epochs
 * is 0: 5 for "paper"; for the others enough epochs to see about 90,000
 * images, 6,000 table records or 600 video clips, at least 10 (clips: 3)
 * and at most 1000.
 * Negative (minus a status) for an unknown recipe. */
MEMAE_API int memae_train_auto_epochs(memae_model *m, const char *recipe, int64_t n);

/*
 * Train on n samples for cfg->epochs epochs (shuffled mini-batches; a last
 * batch of 1 is dropped when a batch-norm layer would see one value per
 * channel), then store the decision threshold in the model's
 * "memae_threshold" metadata.  With cfg->resume the model and optimiser
 * state come from cfg->checkpoint and the run continues to the same result
 * as one that was never interrupted.
 */
MEMAE_API int memae_train(memae_model *m, const float *x, int64_t n, const memae_train_config *cfg,
                          memae_progress_fn progress, void *user);

/*
 * Samples produced on demand, for data that is not one array in memory (clips
 * streamed from a video frame cache).  get copies sample i (0 <= i < n), in
 * the model's input space, into dst (memae_model_sample_size floats); on
 * failure it returns a status and writes a message into msg (msg_len bytes).
 */
typedef struct memae_source {
    int64_t n;
    int (*get)(void *ctx, int64_t i, float *dst, char *msg, size_t msg_len);
    void *ctx;
} memae_source;

/* memae_train over a source: the same batches, results and checkpoints as
 * memae_train over an array holding the same samples. */
MEMAE_API int memae_train_source(memae_model *m, const memae_source *src,
                                 const memae_train_config *cfg, memae_progress_fn progress,
                                 void *user);

/* Scores of all samples of a source, batch by batch (batch <= 0: 256). */
MEMAE_API int memae_model_score_source(memae_model *m, const memae_source *src, int kind, int batch,
                                       float *scores);

/* Save with the Adam state (a checkpoint) / load one into m (same configuration). */
MEMAE_API int memae_model_save_checkpoint(memae_model *m, const char *path, const char *train_json);
MEMAE_API int memae_model_load_checkpoint(memae_model *m, const char *path, char **train_json);

/* The stored threshold (from "memae_threshold"); MEMAE_E_ARG when there is none. */
MEMAE_API int memae_model_threshold(const memae_model *m, double *threshold);

/* ------------------------------------------------------------- evaluation */

typedef struct memae_eval_result {
    double roc_auc, pr_auc;          /* PR-AUC: average precision */
    double eer, eer_threshold;
    double best_f1, best_f1_threshold;
    double threshold;                /* the one used below (NaN: none) */
    double precision, recall, f1;    /* at threshold: score > threshold is anomalous */
    int64_t n, anomalies;
} memae_eval_result;

/* labels: 1 = anomaly.  threshold NaN: precision/recall/F1 are NaN. */
MEMAE_API int memae_model_evaluate(memae_model *m, const float *scores, const uint8_t *labels,
                                   size_t n, double threshold, memae_eval_result *out);

/* ------------------------------------------------------------- data sets */

/*
 * A data set of any kind the memae program reads, opened for a model:
 *  - arrays: NumPy .npy and IDX files, folders of images (memae_data_load);
 *  - tables: .csv .tsv .txt, .npz with X (and y), .mat with X (and y),
 *    encoded and scaled by the rule stored in a tabular model ("memae_table");
 *  - videos, for a model of 1 x T x H x W clips: a folder of video files or of
 *    frame folders, one video file, or a .txt / .lst list of them; every
 *    video is decoded once into a frame cache and read as clips of T frames.
 * memae_dataset_source turns any of them into a memae_source, so training
 * and scoring take one path whatever the data.  Failures are reported on the
 * data set (memae_dataset_errmsg); a failed open may return a handle that
 * only carries the message.  Calls that also run the model (score, explain,
 * figures) report on the model.
 */
typedef struct memae_dataset memae_dataset;

enum memae_data_kind { MEMAE_DATA_ARRAY = 0, MEMAE_DATA_TABLE = 1, MEMAE_DATA_VIDEO = 2 };

/* CSV header: MEMAE_CSV_AUTO decides from the first row. */
enum { MEMAE_CSV_AUTO = -1, MEMAE_CSV_NO_HEADER = 0, MEMAE_CSV_HEADER = 1 };
/* Per-feature scaling of table records, fitted on the training records. */
enum { MEMAE_SCALE_NONE = 0, MEMAE_SCALE_ZSCORE = 1, MEMAE_SCALE_MINMAX = 2 };
/* "none", "zscore", "minmax" -> MEMAE_SCALE_*; -1 for anything else. */
MEMAE_API int memae_scale_kind(const char *name);

/* Progress of the slow steps of video data (decoding a video into the cache,
 * scoring a video): stage 0 decoding (decoded: 1 when it was decoded, 0 when
 * it came from the cache; frames: its frame count), stage 1 scoring. */
typedef void (*memae_data_progress_fn)(int stage, int64_t v, int64_t nv, const char *name,
                                       int64_t frames, int decoded, void *user);

/* A warning about the data (one line, naming the file): a truncated video
 * accepted with allow_truncated, a PNG whose checksums are wrong. */
typedef void (*memae_data_warn_fn)(const char *msg, void *user);

typedef struct memae_data_opts {
    /* tables */
    const char *label_column; /* CSV: the label column, a name or 0-based index (NULL: none,
                                 or the one the model was trained with) */
    const char *normal_label; /* CSV text labels: the normal value (NULL: the most frequent) */
    int header;               /* MEMAE_CSV_AUTO (default), _NO_HEADER, _HEADER */
    char delimiter;           /* 0: ',' (or the training file's) */
    int scale;                /* training data: MEMAE_SCALE_ZSCORE (default) */
    int keep_anomalies;       /* training data: keep the records labelled anomalous */
    int as_table;             /* memae_dataset_read: a table whatever the extension (.npy: X) */
    /* image folders read with memae_dataset_read: decoded at channels x height x width
     * (0: a folder is refused) */
    int channels, height, width;
    /* videos */
    const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/memae, else ~/.cache/memae */
    int clip_stride;          /* first frames of the clips this far apart (default 1) */
    /* A video that ends before its container says, or stops at a decode error, is
     * an error (MEMAE_E_TRUNCATED: frames expected and decoded); 1: its frames are
     * used, with a warning. */
    int allow_truncated;
    memae_data_progress_fn progress;
    memae_data_warn_fn warn; /* NULL: warnings are dropped */
    void *user;              /* for progress and warn */
} memae_data_opts;

MEMAE_API memae_data_opts memae_data_opts_default(void);

/*
 * How path is read: MEMAE_DATA_VIDEO when the model takes clips (clips != 0)
 * and path is a folder, a video file or a .txt / .lst list; else
 * MEMAE_DATA_TABLE for .csv .tsv .txt .npz .mat; else MEMAE_DATA_ARRAY.
 */
MEMAE_API int memae_data_kind(const char *path, int clips);

/* The data set at path for model m (which must outlive it): samples in m's
 * input space, tables as m was trained, videos at m's clip size. */
MEMAE_API int memae_dataset_open(memae_model *m, const char *path, const memae_data_opts *o,
                       memae_dataset **out);

/*
 * Training data read before its model exists (arrays and tables, whose
 * shape decides the model's): arrays as they are, tables with an encoding
 * learnt from them, the records labelled anomalous dropped (unless
 * keep_anomalies) and the scaling fitted on the rest.  Then
 * memae_dataset_input_shape gives the model's input shape and
 * memae_dataset_bind maps the data into the new model (and stores a table's
 * encoding in it).
 */
MEMAE_API int memae_dataset_read(const char *path, const memae_data_opts *o, memae_dataset **out);

/* The sample shape for a model of preset ("video3d", "image2d", "tabular"):
 * an array's shape after N, with a channel of 1 added when it has none;
 * a table's width.  shape must hold 4 values. */
MEMAE_API int memae_dataset_input_shape(const memae_dataset *d, const char *preset, int64_t shape[4],
                              int *ndim);
MEMAE_API int memae_dataset_bind(memae_dataset *d, memae_model *m);

MEMAE_API void memae_dataset_free(memae_dataset *d);
MEMAE_API const char *memae_dataset_errmsg(const memae_dataset *d);

typedef struct memae_dataset_info {
    int kind;          /* MEMAE_DATA_* */
    int64_t n;         /* samples: array samples (once bound), table records (kept), clips */
    int64_t n_read;    /* tables: records in the file, before anomalies were dropped */
    int has_labels;    /* tables: the file has labels (memae_dataset_labels) */
    int64_t width;     /* tables: floats per encoded record */
    int64_t videos;    /* videos: how many */
    int64_t frames;    /* videos: frames of all videos */
    int clip_length;   /* videos: T */
} memae_dataset_info;

MEMAE_API int memae_dataset_info_get(const memae_dataset *d, memae_dataset_info *out);
/* Video v's name (its file stem, or the folder's name), path and frame count. */
MEMAE_API const char *memae_dataset_video_name(const memae_dataset *d, int64_t v);
MEMAE_API const char *memae_dataset_video_path(const memae_dataset *d, int64_t v);
MEMAE_API int64_t memae_dataset_video_frames(const memae_dataset *d, int64_t v);

/* The samples as a source (for memae_train_source, memae_model_score_source). */
MEMAE_API memae_source memae_dataset_source(memae_dataset *d);
/* Samples held in memory (arrays, tables: n x sample size), NULL for videos. */
MEMAE_API const float *memae_dataset_samples(const memae_dataset *d);
/* A table's own labels (1 = anomaly), one per sample; NULL when it has none. */
MEMAE_API const uint8_t *memae_dataset_labels(const memae_dataset *d);

/*
 * Labels from a file, as 0/1 (1 = anomaly), one per sample, or for videos one
 * per frame of all videos in order (*labels: malloc'd, free with memae_free).
 * Arrays and tables: integer labels (IDX or .npy); with normal_class >= 0,
 * label != normal_class is an anomaly, else the labels must be 0/1.  Videos:
 * the forms of the public data sets (one file per video in a folder, matched
 * by name; interval lists as UCSD's; Test_gt/ *.mat; Avenue's volLabel masks;
 * ShanghaiTech's test_frame_mask/ *.npy; normal_class is ignored).
 */
MEMAE_API int memae_dataset_load_labels(memae_dataset *d, const char *path, long normal_class,
                              uint8_t **labels);

/* Keeps the samples whose flag is 0 (arrays and tables in memory); the count left. */
MEMAE_API int64_t memae_dataset_keep_normal(memae_dataset *d, const uint8_t *anomalous);

/* ------------------------------------------------------------- results */

/* Frame scores of videos, from clip scores (the official test script): the
 * clip of frames s .. s+T-1 scores frame s + T/2 (s+8 for 16-frame clips). */
enum memae_norm {
    MEMAE_NORM_VIDEO = 0, /* (e - min) / (max - min) over each video: 1 - regularity (paper) */
    MEMAE_NORM_TRAIN = 1, /* (e - mean) / std of the training clips' errors: causal */
    MEMAE_NORM_NONE = 2   /* the raw error */
};
/* "video", "train", "none" -> MEMAE_NORM_*; -1 when unknown. */
MEMAE_API int memae_norm_kind(const char *name);

typedef struct memae_score_opts {
    int kind;       /* MEMAE_SCORE_MSE (default) or MEMAE_SCORE_MAE */
    int batch;      /* samples per forward pass; <= 0: 256, or 2 clips for videos */
    int normalize;  /* videos: MEMAE_NORM_VIDEO (default), _TRAIN, _NONE */
    int fill_edges; /* videos: frames no clip scores get the nearest scored frame's value */
} memae_score_opts;

MEMAE_API memae_score_opts memae_score_opts_default(void);

/*
 * Scores of a data set: one per sample, or for videos one per frame of every
 * video, one video after the other (error: the aligned raw error; score: the
 * normalised one; NaN for a frame no clip scores).  For samples error and
 * score are the same.  Free with memae_results_free.
 */
typedef struct memae_results {
    int64_t n;      /* samples, or frames of all videos */
    float *score;   /* n */
    float *error;   /* n */
    int64_t videos; /* 0 for samples */
    int64_t *first; /* videos + 1: the frames of video v are first[v] .. first[v+1]-1 */
} memae_results;

MEMAE_API int memae_dataset_score(memae_model *m, memae_dataset *d, const memae_score_opts *o,
                        memae_results *out);
MEMAE_API void memae_results_free(memae_results *r);

/* The reconstruction of every sample (clip) of a data set, in the model's
 * input space: out holds n x memae_model_sample_size(m) floats (batch <= 0:
 * 256 samples, or 2 clips). */
MEMAE_API int memae_dataset_reconstruct(memae_model *m, memae_dataset *d, int batch, float *out);

/* The q-quantile (0 <= q <= 1) of n finite values, numpy's linear method:
 * the threshold that flags the share 1 - q of them. */
MEMAE_API int memae_score_quantile(const float *x, int64_t n, double q, double *out);

/*
 * Frame-level evaluation of video results against per-frame labels (as
 * memae_dataset_load_labels gives them): micro, the ROC-AUC of all frames
 * together (the papers' number) and its EER; macro, the mean of the per-video
 * ROC-AUCs over the videos with both classes.  Unscored frames are left out.
 */
typedef struct memae_frame_eval {
    double micro_auc, macro_auc, micro_eer;
    int64_t frames_used; /* frames with a score */
    int64_t videos_used; /* videos with an AUC (both classes) */
    double *video_auc;   /* one per video, NaN for a one-class video; free with
                            memae_frame_eval_free */
} memae_frame_eval;

MEMAE_API int memae_model_evaluate_frames(memae_model *m, const memae_results *r, const uint8_t *labels,
                                memae_frame_eval *out);
MEMAE_API void memae_frame_eval_free(memae_frame_eval *e);

/* ------------------------------------------------------------- explain, figures */

/* The feature columns of a tabular model, in order: *names is one block
 * (free with memae_free) of ncols strings. */
MEMAE_API int memae_model_columns(memae_model *m, char ***names, int *ncols);

/* Per record and column of a table data set, the squared reconstruction error
 * summed over the column's encoded features (a one-hot group counts as its
 * column); divided by the width they add up to the mse score.  out: n x ncols. */
MEMAE_API int memae_dataset_explain(memae_model *m, memae_dataset *d, int batch, float *out);

/*
 * Pictures of video results into folder dir (created when missing):
 * <video>_scores.png, the score over time of each video (labels: per-frame
 * ground truth to shade, or NULL), and <video>_<frame>.png for the count most
 * abnormal frames, the frame with its per-pixel error laid over it.
 */
MEMAE_API int memae_dataset_figures(memae_model *m, memae_dataset *d, const memae_results *r,
                          const uint8_t *labels, const char *dir, int count);

/* ------------------------------------------------------------- protocols */

/* The paper's KDDCUP99 protocol (after DAGMM) on a labelled table data set
 * read with memae_dataset_read (keep_anomalies, scaling none): the minority
 * label is the anomaly; each run trains a fresh model on a random half of the
 * normal records (scaling fitted on that half), tests on the other half plus
 * every anomaly and flags the share flag_share with the highest scores. */
typedef struct memae_kdd_opts {
    const char *config_json;  /* the model; its input width must be the table's */
    memae_train_config train; /* epochs, batch, Adam; seed and checkpoint are set per run */
    int runs;                 /* >= 1 */
    uint64_t seed;            /* run r uses seed + r for the split, the weights and batches */
    double flag_share;        /* share of test records flagged (0.2) */
    int scale;                /* MEMAE_SCALE_* fitted on each run's training half */
    int threads, backend;     /* backend: MEMAE_BACKEND_*, or -1 for the library's default */
} memae_kdd_opts;

typedef struct memae_kdd_run {
    double precision, recall, f1, roc_auc, threshold;
    int64_t train_n, test_n, test_anomalies;
} memae_kdd_run;

typedef struct memae_kdd_result {
    int anomaly_label;      /* the label value (0 or 1) treated as the anomaly */
    double mean[4], std[4]; /* precision, recall, F1, ROC-AUC over the runs (std: population) */
} memae_kdd_result;

/* runs: o->runs entries (filled).  Failures on d. */
MEMAE_API int memae_dataset_kdd(memae_dataset *d, const memae_kdd_opts *o, memae_kdd_run *runs,
                      memae_kdd_result *out);

/* ------------------------------------------------------------- files */

/* A size such as "512M", "2G" or "1048576" (bytes; K, M, G, T: powers of
 * 1024) in bytes; -1 when malformed.  The most memory a model may plan to use
 * is MEMAE_MAX_MEMORY, so written, when set (the CLI's --max-memory sets it),
 * else the machine's physical memory. */
MEMAE_API double memae_parse_size(const char *s);

/* Writes len bytes to path atomically (a temporary file, then rename); on
 * failure msg (msg_len bytes) says what failed. */
MEMAE_API int memae_write_file(const char *path, const void *data, size_t len, char *msg, size_t msg_len);

/* An array as .npy, atomically: dtype_u8 0 for float32, 1 for uint8. */
MEMAE_API int memae_write_npy(const char *path, const void *data, int dtype_u8, const int64_t *shape,
                    int ndim, char *msg, size_t msg_len);

/* One writer per output file: an advisory lock (flock) on path.lock, taken
 * without waiting.  Fails, with msg naming path, when another process holds
 * it or path's folder cannot be written.  Once locked, the temporaries
 * path.tmp.<pid> and path.ckpt.tmp.<pid> that killed runs left are removed.
 * *lock is for memae_unlock_output, which removes path.lock. */
MEMAE_API int memae_lock_output(const char *path, int *lock, char *msg, size_t msg_len);
MEMAE_API void memae_unlock_output(const char *path, int lock);

#ifdef __cplusplus
}
#endif

#endif
