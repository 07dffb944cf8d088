#ifndef FARM_INI_H
#define FARM_INI_H
#include <stdio.h>

typedef int (*ini_kv_fn)(const char *section, const char *key, const char *value, void *ctx);

/* Parses "[section]" headers and "key = value" lines; ';' and '#' start comments.
 * Returns 0, -1 on read error, or the line number of the first malformed line. */
int ini_parse(FILE *f, ini_kv_fn fn, void *ctx);
#endif
