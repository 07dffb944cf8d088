#ifndef FARMHASH_H
#define FARMHASH_H
#include <stddef.h>
#include <stdint.h>

/* ABI version 1 (the subslot of dev-libs/libfarmhash). */
#define FARMHASH_ABI 1

uint32_t fh_crc32(uint32_t crc, const void *buf, size_t len);
uint32_t fh_crc32c(uint32_t crc, const void *buf, size_t len);
uint64_t fh_fnv1a64(uint64_t h, const void *buf, size_t len);
#define FH_FNV1A64_INIT 0xcbf29ce484222325ULL
const char *fh_version(void);
#endif
