/*
 * Test-only oracle: reads "setting<TAB>password" lines (password as hex) and prints crypt(3) of
 * each, from libxcrypt, to check the exporter's Java bcrypt against an independent implementation.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        char *tab = strchr(line, '\t');
        if (!tab) {
            return 2;
        }
        *tab = 0;
        char *hex = tab + 1;
        char password[2048];
        size_t n = 0;
        for (char *h = hex; h[0] && h[0] != '\n' && h[1]; h += 2) {
            unsigned v;
            sscanf(h, "%2x", &v);
            password[n++] = (char) v;
        }
        password[n] = 0;
        struct crypt_data data;
        memset(&data, 0, sizeof data);
        char *out = crypt_r(password, line, &data);
        printf("%s\n", out ? out : "*");
        fflush(stdout);
    }
    return 0;
}
