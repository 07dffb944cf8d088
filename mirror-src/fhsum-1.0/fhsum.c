/* fhsum: print CRC-32, CRC-32C and FNV-1a 64 of files (or stdin),
 * using libfarmhash. Usage: fhsum [-V] [FILE...] */
#include <stdio.h>
#include <string.h>
#include <inttypes.h>
#include <farmhash.h>

static int sum(FILE *f, const char *name)
{
    unsigned char buf[65536];
    uint32_t c = 0, cc = 0;
    uint64_t h = FH_FNV1A64_INIT;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        c = fh_crc32(c, buf, n);
        cc = fh_crc32c(cc, buf, n);
        h = fh_fnv1a64(h, buf, n);
    }
    if (ferror(f)) {
        perror(name);
        return 1;
    }
    printf("%08" PRIx32 " %08" PRIx32 " %016" PRIx64 "  %s\n", c, cc, h, name);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    if (argc > 1 && strcmp(argv[1], "-V") == 0) {
        puts(fh_version());
        return 0;
    }
    if (argc == 1)
        return sum(stdin, "-");
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            rc = 1;
            continue;
        }
        rc |= sum(f, argv[i]);
        fclose(f);
    }
    return rc;
}
