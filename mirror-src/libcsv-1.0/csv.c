/* libcsv: a line-oriented CSV reader built on libstr. */
#include <string.h>
#include <str.h>
#include "csv.h"

int csv_read(FILE *f, csv_row_fn fn, void *ctx)
{
    char line[4096];
    char *fields[CSV_MAX_FIELDS];
    size_t lineno = 0;
    while (fgets(line, sizeof line, f)) {
        char *s;
        size_t n;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        s = str_trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        n = str_split(s, ',', fields, CSV_MAX_FIELDS);
        for (size_t i = 0; i < n; i++)
            fields[i] = str_trim(fields[i]);
        if (fn(lineno, fields, n, ctx))
            return 1;
    }
    return ferror(f) ? -1 : 0;
}
