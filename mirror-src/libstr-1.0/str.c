/* libstr: small in-place string helpers shared by libcsv and libini. */
#include <ctype.h>
#include <string.h>
#include "str.h"

char *str_trim(char *s)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

size_t str_split(char *s, char sep, char **fields, size_t max)
{
    size_t n = 0;
    if (max == 0)
        return 0;
    fields[n++] = s;
    for (; *s; s++) {
        if (*s == sep) {
            *s = '\0';
            if (n == max)
                break;
            fields[n++] = s + 1;
        }
    }
    return n;
}

int str_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}
