/* cfgdump: print an .ini file as "section.key=value" lines, or a .csv file
 * as "row:col=value" lines, using libini and libcsv (both built on libstr). */
#include <stdio.h>
#include <string.h>
#include <str.h>
#include <csv.h>
#include <ini.h>

static int print_kv(const char *section, const char *key, const char *value, void *ctx)
{
    (void)ctx;
    printf("%s%s%s=%s\n", section, *section ? "." : "", key, value);
    return 0;
}

static int print_row(size_t lineno, char **fields, size_t n, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        printf("%zu:%zu=%s\n", lineno, i + 1, fields[i]);
    return 0;
}

int main(int argc, char **argv)
{
    FILE *f;
    int rc;
    size_t len;
    if (argc != 2) {
        fprintf(stderr, "usage: cfgdump FILE.ini|FILE.csv\n");
        return 2;
    }
    if (!(f = fopen(argv[1], "r"))) {
        perror(argv[1]);
        return 1;
    }
    len = strlen(argv[1]);
    if (len > 4 && strcmp(argv[1] + len - 4, ".csv") == 0)
        rc = csv_read(f, print_row, NULL);
    else
        rc = ini_parse(f, print_kv, NULL);
    fclose(f);
    if (rc > 0)
        fprintf(stderr, "%s:%d: malformed line\n", argv[1], rc);
    return rc != 0;
}
