/* libini: an INI reader built on libstr. */
#include <string.h>
#include <str.h>
#include "ini.h"

int ini_parse(FILE *f, ini_kv_fn fn, void *ctx)
{
    char line[4096], section[256] = "";
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        char *s, *fields[2];
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        s = str_trim(line);
        if (*s == '\0' || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end)
                return lineno;
            *end = '\0';
            strncpy(section, str_trim(s + 1), sizeof section - 1);
            continue;
        }
        if (str_split(s, '=', fields, 2) != 2)
            return lineno;
        if (fn(section, str_trim(fields[0]), str_trim(fields[1]), ctx))
            break;
    }
    return ferror(f) ? -1 : 0;
}
