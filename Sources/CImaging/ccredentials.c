/* Content Credentials (C2PA) through the reference implementation's C library, libc2pa_c.so,
 * loaded at run time with dlopen: Photodesk builds and runs without it. The few functions used
 * are declared here from the library's public C API; their pointers are looked up once. */

#include "cimaging.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef ssize_t (*pd_c2pa_read_cb)(void *context, uint8_t *data, ssize_t length);
typedef ssize_t (*pd_c2pa_seek_cb)(void *context, ssize_t offset, int whence);
typedef ssize_t (*pd_c2pa_write_cb)(void *context, const uint8_t *data, ssize_t length);
typedef ssize_t (*pd_c2pa_flush_cb)(void *context);

static struct {
    void *handle;
    void *(*settings_new)(void);
    int (*settings_update_from_string)(void *settings, const char *text, const char *format);
    void *(*context_builder_new)(void);
    int (*context_builder_set_settings)(void *builder, void *settings);
    void *(*context_builder_build)(void *builder);
    void *(*reader_from_context)(void *context);
    void *(*reader_with_stream)(void *reader, const char *format, void *stream);
    char *(*reader_json)(void *reader);
    void (*reader_free)(void *reader);
    void *(*create_stream)(void *context, pd_c2pa_read_cb, pd_c2pa_seek_cb, pd_c2pa_write_cb,
                           pd_c2pa_flush_cb);
    void (*release_stream)(void *stream);
    char *(*error)(void);
    void (*string_free)(char *text);
    char *(*version)(void);
} api;
static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;

static char *copy_text(const char *text) { return strdup(text ? text : ""); }

static void set_error(char **error, const char *prefix, const char *detail) {
    if (!error) return;
    size_t length = strlen(prefix) + (detail ? strlen(detail) : 0) + 1;
    *error = malloc(length);
    if (*error) snprintf(*error, length, "%s%s", prefix, detail ? detail : "");
}

/* The library's last error, as a string of ours. */
static char *library_error(void) {
    char *text = api.error ? api.error() : NULL;
    char *copy = copy_text(text ? text : "unknown error");
    if (text && api.string_free) api.string_free(text);
    return copy;
}

int pd_c2pa_load(const char *path, char **error) {
    pthread_mutex_lock(&api_lock);
    if (api.handle) {
        pthread_mutex_unlock(&api_lock);
        return 0;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        set_error(error, "cannot load ", dlerror());
        pthread_mutex_unlock(&api_lock);
        return -1;
    }
#define FIND(field, name)                                                                          \
    do {                                                                                           \
        *(void **)(&api.field) = dlsym(handle, name);                                              \
        if (!api.field) {                                                                          \
            set_error(error, "the library has no function ", name);                               \
            memset(&api, 0, sizeof api);                                                           \
            dlclose(handle);                                                                       \
            pthread_mutex_unlock(&api_lock);                                                       \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)
    FIND(settings_new, "c2pa_settings_new");
    FIND(settings_update_from_string, "c2pa_settings_update_from_string");
    FIND(context_builder_new, "c2pa_context_builder_new");
    FIND(context_builder_set_settings, "c2pa_context_builder_set_settings");
    FIND(context_builder_build, "c2pa_context_builder_build");
    FIND(reader_from_context, "c2pa_reader_from_context");
    FIND(reader_with_stream, "c2pa_reader_with_stream");
    FIND(reader_json, "c2pa_reader_json");
    FIND(reader_free, "c2pa_reader_free");
    FIND(create_stream, "c2pa_create_stream");
    FIND(release_stream, "c2pa_release_stream");
    FIND(error, "c2pa_error");
    FIND(string_free, "c2pa_string_free");
    FIND(version, "c2pa_version");
#undef FIND
    api.handle = handle;
    pthread_mutex_unlock(&api_lock);
    return 0;
}

char *pd_c2pa_version(void) {
    if (!api.handle) return NULL;
    char *text = api.version();
    char *copy = copy_text(text);
    if (text) api.string_free(text);
    return copy;
}

void *pd_c2pa_context(const char *settings_json, char **error) {
    if (!api.handle) {
        set_error(error, "the C2PA library is not loaded", NULL);
        return NULL;
    }
    void *settings = api.settings_new();
    if (!settings || api.settings_update_from_string(settings, settings_json, "json") != 0) {
        char *why = library_error();
        set_error(error, "the C2PA settings were refused: ", why);
        free(why);
        return NULL;
    }
    void *builder = api.context_builder_new();
    if (!builder || api.context_builder_set_settings(builder, settings) != 0) {
        char *why = library_error();
        set_error(error, "the C2PA context cannot be made: ", why);
        free(why);
        return NULL;
    }
    void *context = api.context_builder_build(builder); /* takes the builder */
    if (!context) {
        char *why = library_error();
        set_error(error, "the C2PA context cannot be made: ", why);
        free(why);
    }
    return context;
}

/* A stream over an open file, for reading only. */
static ssize_t read_file(void *context, uint8_t *data, ssize_t length) {
    if (length < 0) return -1;
    size_t count = fread(data, 1, (size_t)length, (FILE *)context);
    if (count == 0 && ferror((FILE *)context)) return -1;
    return (ssize_t)count;
}

static ssize_t seek_file(void *context, ssize_t offset, int whence) {
    int mode = whence == 1 ? SEEK_CUR : whence == 2 ? SEEK_END : SEEK_SET;
    if (fseeko((FILE *)context, (off_t)offset, mode) != 0) return -1;
    return (ssize_t)ftello((FILE *)context);
}

static ssize_t write_nothing(void *context, const uint8_t *data, ssize_t length) {
    (void)context;
    (void)data;
    (void)length;
    return -1;
}

static ssize_t flush_nothing(void *context) {
    (void)context;
    return 0;
}

char *pd_c2pa_read(void *context, const char *path, const char *format, char **error) {
    if (!api.handle || !context) {
        set_error(error, "the C2PA library is not loaded", NULL);
        return NULL;
    }
    FILE *file = fopen(path, "rb");
    if (!file) {
        set_error(error, "cannot open the file: ", strerror(errno));
        return NULL;
    }
    void *stream = api.create_stream(file, read_file, seek_file, write_nothing, flush_nothing);
    char *result = NULL;
    if (!stream) {
        char *why = library_error();
        set_error(error, "", why);
        free(why);
        fclose(file);
        return NULL;
    }
    void *reader = api.reader_from_context(context);
    if (reader) reader = api.reader_with_stream(reader, format, stream); /* takes the reader */
    if (!reader) {
        char *why = library_error();
        set_error(error, "", why);
        free(why);
    } else {
        char *json = api.reader_json(reader);
        if (json) {
            result = copy_text(json);
            api.string_free(json);
        } else {
            char *why = library_error();
            set_error(error, "", why);
            free(why);
        }
        api.reader_free(reader);
    }
    api.release_stream(stream);
    fclose(file);
    return result;
}

void pd_c2pa_free_text(char *text) { free(text); }
