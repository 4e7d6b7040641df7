#include "vector_file.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int
hex_value(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Appends the hex digits of text to entry i (whitespace skipped). */
static void
append_hex(struct vec_file *vf, size_t i, const char *text, const char *file)
{
	size_t digits = 0, k;
	const char *s;
	uint8_t *grown;
	int hi = -1, v;

	for (s = text; *s; s++)
		if (!isspace((unsigned char)*s))
			digits++;
	if (digits % 2 != 0)
		fail_msg("%s: odd number of hex digits for %s", file, vf->name[i]);
	grown = realloc(vf->data[i], vf->len[i] + digits / 2 + 1);
	assert_non_null(grown);
	vf->data[i] = grown;
	k = vf->len[i];
	for (s = text; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		v = hex_value((unsigned char)*s);
		if (v < 0)
			fail_msg("%s: bad hex digit in %s", file, vf->name[i]);
		if (hi < 0) {
			hi = v;
		} else {
			grown[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	vf->len[i] = k;
}

static void
new_entry(struct vec_file *vf, char *line, const char *file)
{
	char *eq = strchr(line, '='), *name = line, *end;

	if (eq == NULL)
		fail_msg("%s: line without '=': %s", file, line);
	if (vf->n == VEC_MAX_ENTRIES)
		fail_msg("%s: more than %d entries", file, VEC_MAX_ENTRIES);
	*eq = '\0';
	end = eq;
	while (end > name && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (strlen(name) >= VEC_MAX_NAME)
		fail_msg("%s: name too long: %s", file, name);
	strcpy(vf->name[vf->n], name);
	vf->data[vf->n] = NULL;
	vf->len[vf->n] = 0;
	vf->n++;
	append_hex(vf, vf->n - 1, eq + 1, file);
}

void
vec_load(struct vec_file *vf, const char *file)
{
	char path[512], line[4096];
	FILE *f;

	memset(vf, 0, sizeof(*vf));
	snprintf(path, sizeof(path), "%s/%s", TEST_VECTORS_DIR, file);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
			continue;
		if (line[0] == '\t') {
			if (vf->n == 0)
				fail_msg("%s: continuation before any entry", file);
			append_hex(vf, vf->n - 1, line, file);
		} else {
			new_entry(vf, line, file);
		}
	}
	fclose(f);
}

const uint8_t *
vec_get(const struct vec_file *vf, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < vf->n; i++) {
		if (strcmp(vf->name[i], name) == 0) {
			if (len != NULL)
				*len = vf->len[i];
			return vf->data[i];
		}
	}
	fail_msg("vector %s not found", name);
	return NULL;
}

const uint8_t *
vec_get_n(const struct vec_file *vf, const char *name, size_t want)
{
	size_t len = 0;
	const uint8_t *p = vec_get(vf, name, &len);

	if (len != want)
		fail_msg("vector %s has %zu bytes, expected %zu", name, len, want);
	return p;
}

void
vec_free(struct vec_file *vf)
{
	size_t i;

	for (i = 0; i < vf->n; i++)
		free(vf->data[i]);
	memset(vf, 0, sizeof(*vf));
}
