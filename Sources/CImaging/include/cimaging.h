#ifndef CIMAGING_H
#define CIMAGING_H

/* A small, plain C surface over libvips and libexif for Swift.
 * Swift cannot call variadic C functions or macros (VIPS_INIT, vips_thumbnail's options,
 * exif_data_get_entry), so each call Photodesk needs has a fixed signature here.
 * No glib, vips or libexif header is included: their types are opaque to Swift. */

#include <stddef.h>
#include <stdint.h>

typedef struct _VipsImage pd_image;
typedef struct pd_exif pd_exif;

/* Receives libvips' and glib's log messages: level 0 error, 1 warning, 2 info, 3 debug. */
typedef void (*pd_log_handler)(int level, const char *domain, const char *message);

/* Initialises libvips once per process: operation cache off, concurrency 1 per operation,
 * untrusted loaders blocked, log messages routed to handler. Returns 0 on success. */
int pd_init(const char *argv0, pd_log_handler handler);

/* libvips keeps one error buffer for the whole process, so concurrent operations would mix
 * their messages. Every call below that can fail runs under a shared lock; when it fails it runs
 * again alone, on a cleared buffer, and the message of that run is kept for the calling thread.
 *
 * The message of the last call that failed on this thread (empty when libvips gave none), as a
 * newly allocated string to free with pd_free, or NULL when the last call succeeded. */
char *pd_take_error(void);
void pd_free(void *pointer);

/* Image lifetime. */
void pd_unref(pd_image *image);

/* Loader nickname that would open the file (for example "jpegload"), found by content, or NULL. */
const char *pd_loader_for_file(const char *path);
const char *pd_loader_for_buffer(const void *data, size_t length);

/* Opens a file lazily: only the header is read until pixels are asked for. */
pd_image *pd_open(const char *path);
/* Opens a file or an encoded buffer and decodes every pixel into memory. */
pd_image *pd_load_file(const char *path);
pd_image *pd_load_buffer(const void *data, size_t length);
int pd_width(pd_image *image);
int pd_height(pd_image *image);
int pd_bands(pd_image *image);
int pd_orientation(pd_image *image);
int pd_n_pages(pd_image *image);
/* The loader that made the image (for example "jpegload"), or NULL. */
const char *pd_image_loader(pd_image *image);
/* A metadata blob ("exif-data", "xmp-data", "iptc-data", "icc-profile-data"): 0 and the bytes
 * (owned by the image) when present, -1 when absent. */
int pd_get_blob(pd_image *image, const char *name, const void **data, size_t *length);
void pd_set_blob(pd_image *image, const char *name, const void *data, size_t length);
void pd_set_int(pd_image *image, const char *name, int value);
/* A string metadata field (owned by the image), or NULL. */
const char *pd_get_string(pd_image *image, const char *name);
void pd_remove(pd_image *image, const char *name);

/* Whether an image needs a colour conversion to become sRGB: an ICC profile, or CMYK. */
int pd_needs_colour_conversion(pd_image *image);
/* Decodes the file into memory with shrink-on-load to fit width x height (only ever shrinking),
 * upright per its orientation, in sRGB. fail_on: 0 none, 1 truncated, 2 error, 3 warning.
 * colour: 1 converts to sRGB through the file's profile, 0 does not, -1 reads the header to
 * decide. */
pd_image *pd_decode_file(const char *path, int width, int height, int fail_on, int colour);
/* Shrinks an image already in memory to fit width x height (never enlarging). */
pd_image *pd_thumbnail_image(pd_image *image, int width, int height);
/* The rectangle of an image (it must lie inside). */
pd_image *pd_extract_area(pd_image *image, int left, int top, int width, int height);
/* Decodes every pixel into memory, so later operations read it without decoding again. */
pd_image *pd_copy_memory(pd_image *image);
/// The picture as 9x8 grey levels, row by row, into `out` (72 bytes); 0 on success.
int pd_grey_9x8(pd_image *image, unsigned char *out);
/* Removes every metadata field, so a save embeds nothing but what is set afterwards. */
pd_image *pd_copy_without_metadata(pd_image *image);

/* format: "jpeg", "webp", "avif", "heic", "png", "tiff", "gif". quality 1..100; strip: 1 drops
 * metadata from the saved file; interlace: 1 for progressive JPEG or interlaced PNG/GIF.
 * Returns 0 on success. */
int pd_save_file(pd_image *image, const char *path, const char *format, int quality, int strip,
                 int interlace);
int pd_save_buffer(pd_image *image, const char *format, int quality, int strip, int interlace,
                   void **data, size_t *length);

/* Pixel access: fills out (up to capacity values) with the bands at x, y. Returns bands or -1. */
int pd_getpoint(pd_image *image, int x, int y, double *out, int capacity);
/* Mean absolute difference of two images of the same size, per band and pixel, or -1. */
double pd_mean_abs_difference(pd_image *left, pd_image *right);
/* Mean of every pixel of every band, or -1 on error. */
double pd_average(pd_image *image);

/* Construction, for generated photos. */
pd_image *pd_from_memory(const void *data, size_t length, int width, int height, int bands);
pd_image *pd_noise(int width, int height, double mean, double sigma, int seed);
pd_image *pd_add(pd_image *left, pd_image *right);
pd_image *pd_cast_uchar(pd_image *image);
/* angle: 90, 180 or 270 degrees clockwise. */
pd_image *pd_rotate(pd_image *image, int angle);
pd_image *pd_flip_horizontal(pd_image *image);
pd_image *pd_resize(pd_image *image, double scale);
/* Converts to the colour space of an ICC profile ("cmyk", "srgb" or a file), embedding it. */
pd_image *pd_icc_export(pd_image *image, const char *profile);
/* Enlarges by whole factors, replicating pixels. */
pd_image *pd_zoom(pd_image *image, int xfactor, int yfactor);

/* EXIF, through libexif. Parsing keeps what the file says: no default entry is invented. */
pd_exif *pd_exif_load(const void *data, size_t length);
pd_exif *pd_exif_new(int big_endian);
void pd_exif_free(pd_exif *exif);
/* ifd: 0 IFD0, 1 IFD1, 2 EXIF, 3 GPS, 4 Interoperability. */
int pd_exif_has(pd_exif *exif, int ifd, int tag);
/* Raw entry: format (libexif ExifFormat), component count and bytes (owned by exif). */
int pd_exif_entry(pd_exif *exif, int ifd, int tag, int *format, unsigned long *components,
                  const unsigned char **data, unsigned int *size);
/* 1 when the EXIF data is stored big-endian (Motorola). */
int pd_exif_big_endian(pd_exif *exif);

int pd_exif_set(pd_exif *exif, int ifd, int tag, int format, unsigned long components,
                const void *data, unsigned int size);
/* Serialises to an "Exif\0\0" blob as libvips expects; free with pd_free. */
int pd_exif_save(pd_exif *exif, unsigned char **data, unsigned int *length);

/* Content Credentials (ccredentials.c): the C2PA library loaded at run time. Strings these
 * return are the caller's, freed with pd_c2pa_free_text. */
/// Loads libc2pa_c.so from `path`; 0 on success, else -1 with `*error` set.
int pd_c2pa_load(const char *path, char **error);
/// The library's version text, or NULL when it is not loaded.
char *pd_c2pa_version(void);
/// A reading context with these settings (JSON), kept for the process; NULL with `*error`.
void *pd_c2pa_context(const char *settings_json, char **error);
/// The manifest store report of a file as JSON, or NULL with `*error` (the library's words).
char *pd_c2pa_read(void *context, const char *path, const char *format, char **error);
void pd_c2pa_free_text(char *text);

#endif
