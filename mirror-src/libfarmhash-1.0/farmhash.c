/* libfarmhash: CRC-32, CRC-32C and FNV-1a 64 over byte buffers.
 * The CRC tables come from tables.h, generated at build time by mktable. */
#include "farmhash.h"
#include "tables.h"

uint32_t fh_crc32(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    crc = ~crc;
    while (len--)
        crc = crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t fh_crc32c(uint32_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    crc = ~crc;
    while (len--)
        crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint64_t fh_fnv1a64(uint64_t h, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len--) {
        h ^= *p++;
        h *= 0x100000001b3ULL;
    }
    return h;
}

const char *fh_version(void)
{
    return "libfarmhash 1.0 (abi 1)";
}
