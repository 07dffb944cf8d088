// The floor for reading XPAK metadata: per file the system calls farmctl's reader makes (stat, open, fstat,
// pread of the 8-byte tail, pread of the trailer, close) and nothing else: no parsing, no decoding.
// Usage: floor PKGDIR   (reads PKGDIR/files.txt; prints a line in the format of read_xpak.py)
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned char trailer[64 << 20];

int main(int argc, char **argv) {
    char line[4096], full[8192];
    if (argc != 2) return 2;
    snprintf(full, sizeof full, "%s/files.txt", argv[1]);
    FILE *list = fopen(full, "r");
    if (!list) return 1;
    char **paths = NULL;
    size_t count = 0, capacity = 0;
    while (fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (count == capacity) paths = realloc(paths, (capacity = capacity ? 2 * capacity : 1024) * sizeof *paths);
        snprintf(full, sizeof full, "%s/%s", argv[1], line);
        paths[count++] = strdup(full);
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (size_t i = 0; i < count; i++) {
        struct stat status;
        unsigned char tail[8];
        int fd;
        if (stat(paths[i], &status) != 0 || (fd = open(paths[i], O_RDONLY | O_CLOEXEC)) < 0) return 1;
        if (fstat(fd, &status) != 0 || pread(fd, tail, 8, status.st_size - 8) != 8) return 1;
        long length = (long)tail[0] << 24 | tail[1] << 16 | tail[2] << 8 | tail[3];
        if (length > (long)sizeof trailer || pread(fd, trailer, length, status.st_size - 8 - length) != length) return 1;
        close(fd);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("floor files=%zu keys=0 seconds=%.4f files_per_s=%.0f\n", count, seconds, count / seconds);
    return 0;
}
