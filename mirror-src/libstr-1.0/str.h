#ifndef FARM_STR_H
#define FARM_STR_H
#include <stddef.h>

/* Trim leading and trailing ASCII whitespace in place; returns s. */
char *str_trim(char *s);
/* Split s in place at sep; stores up to max field pointers; returns the count. */
size_t str_split(char *s, char sep, char **fields, size_t max);
/* 1 if s starts with prefix. */
int str_startswith(const char *s, const char *prefix);
#endif
