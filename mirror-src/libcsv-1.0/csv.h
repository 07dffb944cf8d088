#ifndef FARM_CSV_H
#define FARM_CSV_H
#include <stdio.h>

#define CSV_MAX_FIELDS 32
typedef int (*csv_row_fn)(size_t lineno, char **fields, size_t nfields, void *ctx);

/* Reads comma-separated rows from f, trims each field, skips blank lines
 * and lines starting with '#'. Stops early when fn returns non-zero. */
int csv_read(FILE *f, csv_row_fn fn, void *ctx);
#endif
