/* pthread_rwlockattr_setkind_np, to let a lone run go before new shared ones. */
#define _GNU_SOURCE

#include "cimaging.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>
#include <libexif/exif-data.h>

static pd_log_handler log_handler = NULL;

/* ---- Errors: one message per failed call ----
 *
 * libvips appends every error, from every thread, to one process-wide buffer. Calls that can
 * fail hold `guard` shared while they run, and never read or clear the buffer. When one fails it
 * takes `guard` alone (no other libvips call is running), clears the buffer, runs again and keeps
 * what the buffer then says for its own thread: a decode or a save fails again the same way, and
 * its message is its own. Failures are rare, so the lone runs cost little. Guarded calls never
 * call one another, so the shared lock is never taken twice by one thread. */

static pthread_rwlock_t guard;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static __thread char *last_error = NULL;

static void make_guard(void) {
    pthread_rwlockattr_t attributes;
    pthread_rwlockattr_init(&attributes);
    /* A waiting lone run stops new shared runs from starting, so it cannot starve. */
    pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&guard, &attributes);
    pthread_rwlockattr_destroy(&attributes);
}

static void keep_error(const char *text) {
    g_free(last_error);
    last_error = text ? g_strdup(text) : NULL;
}

static void enter_shared(void) {
    pthread_once(&guard_once, make_guard);
    pthread_rwlock_rdlock(&guard);
}

static void enter_alone(void) {
    pthread_rwlock_wrlock(&guard);
    vips_error_clear();
}

static void keep_buffer(void) {
    keep_error(vips_error_buffer());
    vips_error_clear();
}

static void leave(void) { pthread_rwlock_unlock(&guard); }

/* Runs CALL (a statement that sets a result) shared; while FAILED (an expression over that
 * result) holds, runs it again alone and keeps its message. */
#define GUARDED(failed, call)                                                                      \
    do {                                                                                           \
        keep_error(NULL);                                                                          \
        enter_shared();                                                                            \
        call;                                                                                      \
        leave();                                                                                   \
        if (failed) {                                                                              \
            enter_alone();                                                                         \
            call;                                                                                  \
            if (failed) keep_buffer();                                                             \
            leave();                                                                               \
        }                                                                                          \
    } while (0)

/* Runs CALL, which cannot fail but may touch the error buffer, shared. */
#define SHARED(call)                                                                               \
    do {                                                                                           \
        enter_shared();                                                                            \
        call;                                                                                      \
        leave();                                                                                   \
    } while (0)

static void forward_log(const gchar *domain, GLogLevelFlags flags, const gchar *message,
                        gpointer user_data) {
    (void)user_data;
    if (!log_handler) return;
    int level = 3;
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) level = 0;
    else if (flags & G_LOG_LEVEL_WARNING) level = 1;
    else if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) level = 2;
    log_handler(level, domain ? domain : "", message ? message : "");
}

int pd_init(const char *argv0, pd_log_handler handler) {
    log_handler = handler;
    if (handler) {
        GLogLevelFlags all = G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION;
        g_log_set_handler("VIPS", all, forward_log, NULL);
        g_log_set_handler("GLib", all, forward_log, NULL);
        g_log_set_handler("GLib-GObject", all, forward_log, NULL);
    }
    pthread_once(&guard_once, make_guard);
    if (VIPS_INIT(argv0 ? argv0 : "photodesk")) {
        keep_buffer();
        return -1;
    }
    /* Image servers keep the operation cache off and run each job single-threaded,
     * with jobs in parallel: memory stays bounded by the number of jobs. */
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_concurrency_set(1);
    vips_block_untrusted_set(TRUE);
    return 0;
}

char *pd_take_error(void) {
    char *message = last_error;
    last_error = NULL;
    return message;
}

void pd_free(void *pointer) { g_free(pointer); }

void pd_unref(pd_image *image) {
    if (image) g_object_unref(image);
}

const char *pd_loader_for_file(const char *path) {
    const char *loader = NULL;
    SHARED(loader = vips_foreign_find_load(path));
    return loader;
}

const char *pd_loader_for_buffer(const void *data, size_t length) {
    const char *loader = NULL;
    SHARED(loader = vips_foreign_find_load_buffer(data, length));
    return loader;
}

pd_image *pd_open(const char *path) {
    VipsImage *out = NULL;
    GUARDED(!out, out = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL));
    return out;
}

/* A lazy image decoded into memory; the lazy one is released either way. */
static VipsImage *into_memory(VipsImage *lazy) {
    if (!lazy) return NULL;
    VipsImage *memory = vips_image_copy_memory(lazy);
    g_object_unref(lazy);
    return memory;
}

pd_image *pd_load_file(const char *path) {
    VipsImage *out = NULL;
    GUARDED(!out, out = into_memory(vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
                                                             NULL)));
    return out;
}

pd_image *pd_load_buffer(const void *data, size_t length) {
    VipsImage *out = NULL;
    /* libvips reads the buffer lazily without copying it: decoded before this returns. */
    GUARDED(!out, out = into_memory(vips_image_new_from_buffer(data, length, "", "access",
                                                               VIPS_ACCESS_SEQUENTIAL, NULL)));
    return out;
}

int pd_width(pd_image *image) { return vips_image_get_width(image); }
int pd_height(pd_image *image) { return vips_image_get_height(image); }
int pd_bands(pd_image *image) { return vips_image_get_bands(image); }
int pd_orientation(pd_image *image) { return vips_image_get_orientation(image); }
int pd_n_pages(pd_image *image) { return vips_image_get_n_pages(image); }

const char *pd_image_loader(pd_image *image) {
    const char *loader = NULL;
    int failed = 0;
    SHARED(failed = !vips_image_get_typeof(image, VIPS_META_LOADER) ||
                    vips_image_get_string(image, VIPS_META_LOADER, &loader));
    return failed ? NULL : loader;
}

int pd_get_blob(pd_image *image, const char *name, const void **data, size_t *length) {
    int failed = 0;
    SHARED(failed = !vips_image_get_typeof(image, name) ||
                    vips_image_get_blob(image, name, data, length));
    return failed ? -1 : 0;
}

void pd_set_blob(pd_image *image, const char *name, const void *data, size_t length) {
    vips_image_set_blob_copy(image, name, data, length);
}

void pd_set_int(pd_image *image, const char *name, int value) {
    vips_image_set_int(image, name, value);
}

const char *pd_get_string(pd_image *image, const char *name) {
    const char *value = NULL;
    /* Strings are stored as G_TYPE_STRING or as VipsRefString ("heif-compression"). */
    GType type = vips_image_get_typeof(image, name);
    if (type != G_TYPE_STRING && type != VIPS_TYPE_REF_STRING) return NULL;
    int failed = 0;
    SHARED(failed = vips_image_get_string(image, name, &value));
    return failed ? NULL : value;
}

void pd_remove(pd_image *image, const char *name) { vips_image_remove(image, name); }

int pd_needs_colour_conversion(pd_image *image) {
    return vips_image_get_typeof(image, VIPS_META_ICC_NAME) != 0 ||
           image->Type == VIPS_INTERPRETATION_CMYK;
}

static VipsImage *decode_file(const char *path, int width, int height, int fail_on, int colour) {
    VipsImage *out = NULL;
    /* export_profile: an embedded ICC profile is honoured and the result converted to sRGB. Files
     * without a profile are sRGB already: asking for the export then only builds an sRGB-to-sRGB
     * colour transform per file, which costs more than resizing a small photo. CMYK files keep
     * the export (they need a profile to become sRGB). `colour` is what the caller's header read
     * found (1 or 0), or -1 to read the header here. */
    gboolean colour_manage = colour > 0;
    if (colour < 0) {
        colour_manage = TRUE;
        VipsImage *header = vips_image_new_from_file(path, NULL);
        if (header) {
            colour_manage = pd_needs_colour_conversion(header);
            g_object_unref(header);
        }
    }
    int failed = colour_manage
                     ? vips_thumbnail(path, &out, width, "height", height, "size", VIPS_SIZE_DOWN,
                                      "fail_on", (VipsFailOn)fail_on, "export_profile", "srgb", NULL)
                     : vips_thumbnail(path, &out, width, "height", height, "size", VIPS_SIZE_DOWN,
                                      "fail_on", (VipsFailOn)fail_on, NULL);
    if (failed) return NULL;
    return into_memory(out);
}

pd_image *pd_decode_file(const char *path, int width, int height, int fail_on, int colour) {
    VipsImage *out = NULL;
    GUARDED(!out, out = decode_file(path, width, height, fail_on, colour));
    return out;
}

static VipsImage *thumbnail_image(pd_image *image, int width, int height) {
    VipsImage *out = NULL;
    if (vips_thumbnail_image(image, &out, width, "height", height, "size", VIPS_SIZE_DOWN,
                             "no_rotate", TRUE, NULL))
        return NULL;
    return out;
}

pd_image *pd_thumbnail_image(pd_image *image, int width, int height) {
    VipsImage *out = NULL;
    GUARDED(!out, out = thumbnail_image(image, width, height));
    return out;
}

static VipsImage *extract_area(pd_image *image, int left, int top, int width, int height) {
    VipsImage *out = NULL;
    if (vips_extract_area(image, &out, left, top, width, height, NULL)) return NULL;
    return out;
}

pd_image *pd_extract_area(pd_image *image, int left, int top, int width, int height) {
    VipsImage *out = NULL;
    GUARDED(!out, out = extract_area(image, left, top, width, height));
    return out;
}

pd_image *pd_copy_memory(pd_image *image) {
    VipsImage *out = NULL;
    GUARDED(!out, out = vips_image_copy_memory(image));
    return out;
}

static void *remove_field(VipsImage *image, const char *field, GValue *value, void *a) {
    (void)value;
    (void)a;
    /* Keep the fields libvips derives from the pixels; drop the metadata. */
    if (vips_isprefix("exif-", field) || vips_isprefix("xmp-", field) ||
        vips_isprefix("iptc-", field) || vips_isprefix("icc-", field) ||
        vips_isprefix("ipct-", field) || strcmp(field, "orientation") == 0 ||
        vips_isprefix("png-comment", field) || vips_isprefix("gif-", field) ||
        vips_isprefix("heif-", field))
        vips_image_remove(image, field);
    return NULL;
}

static VipsImage *copy_without_metadata(pd_image *image) {
    VipsImage *out = NULL;
    if (vips_copy(image, &out, NULL)) return NULL;
    gchar **fields = vips_image_get_fields(out);
    for (int i = 0; fields[i]; i++) remove_field(out, fields[i], NULL, NULL);
    g_strfreev(fields);
    return out;
}

pd_image *pd_copy_without_metadata(pd_image *image) {
    VipsImage *out = NULL;
    GUARDED(!out, out = copy_without_metadata(image));
    return out;
}

static int save_file(pd_image *image, const char *path, const char *format, int quality, int strip,
                     int interlace) {
    if (strcmp(format, "jpeg") == 0)
        return vips_jpegsave(image, path, "Q", quality, "strip", strip, "optimize_coding", TRUE,
                             "interlace", interlace, NULL);
    if (strcmp(format, "webp") == 0)
        return vips_webpsave(image, path, "Q", quality, "strip", strip, NULL);
    if (strcmp(format, "avif") == 0 || strcmp(format, "heic") == 0)
        return vips_heifsave(image, path, "Q", quality, "strip", strip, "compression",
                             strcmp(format, "avif") == 0 ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1
                                                         : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                             NULL);
    if (strcmp(format, "png") == 0)
        return vips_pngsave(image, path, "strip", strip, "interlace", interlace, NULL);
    if (strcmp(format, "tiff") == 0) return vips_tiffsave(image, path, "strip", strip, NULL);
    if (strcmp(format, "gif") == 0)
        return vips_gifsave(image, path, "strip", strip, "interlace", interlace, NULL);
    vips_error("photodesk", "unknown output format %s", format);
    return -1;
}

static int save_buffer(pd_image *image, const char *format, int quality, int strip, int interlace,
                       void **data, size_t *length) {
    if (strcmp(format, "jpeg") == 0)
        return vips_jpegsave_buffer(image, data, length, "Q", quality, "strip", strip,
                                    "interlace", interlace, NULL);
    if (strcmp(format, "webp") == 0)
        return vips_webpsave_buffer(image, data, length, "Q", quality, "strip", strip, NULL);
    if (strcmp(format, "avif") == 0 || strcmp(format, "heic") == 0)
        return vips_heifsave_buffer(image, data, length, "Q", quality, "strip", strip,
                                    "compression",
                                    strcmp(format, "avif") == 0
                                        ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1
                                        : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
                                    NULL);
    if (strcmp(format, "png") == 0)
        return vips_pngsave_buffer(image, data, length, "strip", strip, "interlace", interlace,
                                   NULL);
    if (strcmp(format, "tiff") == 0)
        return vips_tiffsave_buffer(image, data, length, "strip", strip, NULL);
    if (strcmp(format, "gif") == 0)
        return vips_gifsave_buffer(image, data, length, "strip", strip, "interlace", interlace,
                                   NULL);
    vips_error("photodesk", "unknown output format %s", format);
    return -1;
}

int pd_save_file(pd_image *image, const char *path, const char *format, int quality, int strip,
                 int interlace) {
    int failed = 0;
    GUARDED(failed, failed = save_file(image, path, format, quality, strip, interlace));
    return failed ? -1 : 0;
}

int pd_save_buffer(pd_image *image, const char *format, int quality, int strip, int interlace,
                   void **data, size_t *length) {
    int failed = 0;
    GUARDED(failed, failed = save_buffer(image, format, quality, strip, interlace, data, length));
    return failed ? -1 : 0;
}

static int getpoint(pd_image *image, int x, int y, double *out, int capacity) {
    double *vector = NULL;
    int n = 0;
    if (vips_getpoint(image, &vector, &n, x, y, NULL)) return -1;
    for (int i = 0; i < n && i < capacity; i++) out[i] = vector[i];
    g_free(vector);
    return n;
}

int pd_getpoint(pd_image *image, int x, int y, double *out, int capacity) {
    int bands = -1;
    GUARDED(bands < 0, bands = getpoint(image, x, y, out, capacity));
    return bands;
}

static double average(pd_image *image) {
    double mean = 0;
    if (vips_avg(image, &mean, NULL)) return -1;
    return mean;
}

double pd_average(pd_image *image) {
    double mean = -1;
    GUARDED(mean < 0, mean = average(image));
    return mean;
}

static double mean_abs_difference(pd_image *left, pd_image *right) {
    VipsImage *difference = NULL, *absolute = NULL;
    double mean = -1;
    if (vips_subtract(left, right, &difference, NULL)) return -1;
    if (!vips_abs(difference, &absolute, NULL)) {
        if (vips_avg(absolute, &mean, NULL)) mean = -1;
        g_object_unref(absolute);
    }
    g_object_unref(difference);
    return mean;
}

double pd_mean_abs_difference(pd_image *left, pd_image *right) {
    double mean = -1;
    GUARDED(mean < 0, mean = mean_abs_difference(left, right));
    return mean;
}

static VipsImage *from_memory(const void *data, size_t length, int width, int height, int bands) {
    return vips_image_new_from_memory_copy(data, length, width, height, bands,
                                           VIPS_FORMAT_UCHAR);
}

pd_image *pd_from_memory(const void *data, size_t length, int width, int height, int bands) {
    VipsImage *out = NULL;
    GUARDED(!out, out = from_memory(data, length, width, height, bands));
    return out;
}

static VipsImage *noise(int width, int height, double mean, double sigma, int seed) {
    VipsImage *out = NULL;
    if (vips_gaussnoise(&out, width, height, "mean", mean, "sigma", sigma, "seed", seed, NULL))
        return NULL;
    return out;
}

pd_image *pd_noise(int width, int height, double mean, double sigma, int seed) {
    VipsImage *out = NULL;
    GUARDED(!out, out = noise(width, height, mean, sigma, seed));
    return out;
}

static VipsImage *add(pd_image *left, pd_image *right) {
    VipsImage *out = NULL;
    if (vips_add(left, right, &out, NULL)) return NULL;
    return out;
}

pd_image *pd_add(pd_image *left, pd_image *right) {
    VipsImage *out = NULL;
    GUARDED(!out, out = add(left, right));
    return out;
}

static VipsImage *cast_uchar(pd_image *image) {
    VipsImage *out = NULL;
    if (vips_cast(image, &out, VIPS_FORMAT_UCHAR, NULL)) return NULL;
    return out;
}

pd_image *pd_cast_uchar(pd_image *image) {
    VipsImage *out = NULL;
    GUARDED(!out, out = cast_uchar(image));
    return out;
}

static VipsImage *rotate(pd_image *image, int angle) {
    VipsImage *out = NULL;
    VipsAngle a = angle == 90 ? VIPS_ANGLE_D90 : angle == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
    if (vips_rot(image, &out, a, NULL)) return NULL;
    return out;
}

pd_image *pd_rotate(pd_image *image, int angle) {
    VipsImage *out = NULL;
    GUARDED(!out, out = rotate(image, angle));
    return out;
}

static VipsImage *flip_horizontal(pd_image *image) {
    VipsImage *out = NULL;
    if (vips_flip(image, &out, VIPS_DIRECTION_HORIZONTAL, NULL)) return NULL;
    return out;
}

pd_image *pd_flip_horizontal(pd_image *image) {
    VipsImage *out = NULL;
    GUARDED(!out, out = flip_horizontal(image));
    return out;
}

static VipsImage *resize(pd_image *image, double scale) {
    VipsImage *out = NULL;
    if (vips_resize(image, &out, scale, NULL)) return NULL;
    return out;
}

pd_image *pd_resize(pd_image *image, double scale) {
    VipsImage *out = NULL;
    GUARDED(!out, out = resize(image, scale));
    return out;
}

static VipsImage *icc_export(pd_image *image, const char *profile) {
    VipsImage *out = NULL;
    if (vips_icc_export(image, &out, "output_profile", profile, NULL)) return NULL;
    return out;
}

pd_image *pd_icc_export(pd_image *image, const char *profile) {
    VipsImage *out = NULL;
    GUARDED(!out, out = icc_export(image, profile));
    return out;
}

static VipsImage *zoom(pd_image *image, int xfactor, int yfactor) {
    VipsImage *out = NULL;
    if (vips_zoom(image, &out, xfactor, yfactor, NULL)) return NULL;
    return out;
}

pd_image *pd_zoom(pd_image *image, int xfactor, int yfactor) {
    VipsImage *out = NULL;
    GUARDED(!out, out = zoom(image, xfactor, yfactor));
    return out;
}

/* ---- EXIF ---- */

struct pd_exif {
    ExifData *data;
    ExifMem *mem;
};

static pd_exif *wrap_exif(void) {
    pd_exif *exif = calloc(1, sizeof(pd_exif));
    if (!exif) return NULL;
    exif->mem = exif_mem_new_default();
    exif->data = exif_data_new_mem(exif->mem);
    if (!exif->data) {
        exif_mem_unref(exif->mem);
        free(exif);
        return NULL;
    }
    /* Keep what the file says: no invented defaults, no unknown tags dropped. */
    exif_data_unset_option(exif->data, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_unset_option(exif->data, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    return exif;
}

pd_exif *pd_exif_load(const void *data, size_t length) {
    if (!data || length < 6 || length > 0xFFFFFFFFu) return NULL;
    pd_exif *exif = wrap_exif();
    if (!exif) return NULL;
    exif_data_load_data(exif->data, data, (unsigned int)length);
    return exif;
}

pd_exif *pd_exif_new(int big_endian) {
    pd_exif *exif = wrap_exif();
    if (!exif) return NULL;
    exif_data_set_byte_order(exif->data,
                             big_endian ? EXIF_BYTE_ORDER_MOTOROLA : EXIF_BYTE_ORDER_INTEL);
    return exif;
}

void pd_exif_free(pd_exif *exif) {
    if (!exif) return;
    exif_data_unref(exif->data);
    exif_mem_unref(exif->mem);
    free(exif);
}

static ExifEntry *find_entry(pd_exif *exif, int ifd, int tag) {
    if (!exif || ifd < 0 || ifd >= EXIF_IFD_COUNT) return NULL;
    return exif_content_get_entry(exif->data->ifd[ifd], (ExifTag)tag);
}

int pd_exif_has(pd_exif *exif, int ifd, int tag) { return find_entry(exif, ifd, tag) != NULL; }

int pd_exif_entry(pd_exif *exif, int ifd, int tag, int *format, unsigned long *components,
                  const unsigned char **data, unsigned int *size) {
    ExifEntry *entry = find_entry(exif, ifd, tag);
    if (!entry || !entry->data) return -1;
    *format = (int)entry->format;
    *components = entry->components;
    *data = entry->data;
    *size = entry->size;
    return 0;
}

int pd_exif_big_endian(pd_exif *exif) {
    return exif_data_get_byte_order(exif->data) == EXIF_BYTE_ORDER_MOTOROLA;
}

int pd_exif_set(pd_exif *exif, int ifd, int tag, int format, unsigned long components,
                const void *data, unsigned int size) {
    if (!exif || ifd < 0 || ifd >= EXIF_IFD_COUNT) return -1;
    ExifEntry *old = find_entry(exif, ifd, tag);
    if (old) exif_content_remove_entry(exif->data->ifd[ifd], old);
    ExifEntry *entry = exif_entry_new_mem(exif->mem);
    if (!entry) return -1;
    entry->data = exif_mem_alloc(exif->mem, size ? size : 1);
    if (!entry->data) {
        exif_entry_unref(entry);
        return -1;
    }
    memcpy(entry->data, data, size);
    entry->tag = (ExifTag)tag;
    entry->format = (ExifFormat)format;
    entry->components = components;
    entry->size = size;
    exif_content_add_entry(exif->data->ifd[ifd], entry);
    exif_entry_unref(entry);
    return 0;
}

int pd_exif_save(pd_exif *exif, unsigned char **data, unsigned int *length) {
    unsigned char *raw = NULL;
    unsigned int size = 0;
    exif_data_save_data(exif->data, &raw, &size);
    if (!raw || !size) return -1;
    /* libexif allocates with its own allocator; hand back glib memory for pd_free. */
    *data = g_malloc(size);
    memcpy(*data, raw, size);
    *length = size;
    exif_mem_free(exif->mem, raw);
    return 0;
}

/* The picture as 9 columns by 8 rows of grey levels (0-255), row by row, for the difference
 * hash: squeezed to exactly that size whatever its shape, alpha dropped, 16-bit levels shifted
 * down to 8. */
static int grey_9x8(pd_image *image, unsigned char *out) {
    VipsImage *small = NULL, *grey = NULL, *band = NULL, *levels = NULL;
    int failed = -1;
    if (vips_thumbnail_image(image, &small, 9, "height", 8, "size", VIPS_SIZE_FORCE, "no_rotate",
                             TRUE, NULL))
        goto done;
    if (vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL)) goto done;
    if (vips_extract_band(grey, &band, 0, NULL)) goto done;
    if (vips_cast(band, &levels, VIPS_FORMAT_UCHAR, "shift",
                  vips_image_get_format(band) == VIPS_FORMAT_USHORT, NULL))
        goto done;
    if (vips_image_get_width(levels) != 9 || vips_image_get_height(levels) != 8) {
        vips_error("photodesk", "the grey thumbnail is %dx%d, not 9x8", vips_image_get_width(levels),
                   vips_image_get_height(levels));
        goto done;
    }
    size_t length = 0;
    void *pixels = vips_image_write_to_memory(levels, &length);
    if (!pixels) goto done;
    if (length == 72) {
        memcpy(out, pixels, 72);
        failed = 0;
    } else {
        vips_error("photodesk", "the grey thumbnail has %zu bytes, not 72", length);
    }
    g_free(pixels);
done:
    if (levels) g_object_unref(levels);
    if (band) g_object_unref(band);
    if (grey) g_object_unref(grey);
    if (small) g_object_unref(small);
    return failed;
}

int pd_grey_9x8(pd_image *image, unsigned char *out) {
    int failed = 0;
    GUARDED(failed, failed = grey_9x8(image, out));
    return failed ? -1 : 0;
}
