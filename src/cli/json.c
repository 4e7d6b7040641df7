#include "cli/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void
cli_json_init(struct cli_json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void
newline_indent(struct cli_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Called before every value: writes the separator a value needs here. */
static bool
before_value(struct cli_json *j)
{
	if (j->err)
		return false;
	if (j->in_object[j->depth]) {
		if (j->key_due) {
			j->err = true;
			return false;
		}
		j->key_due = true;
		return true;
	}
	if (j->depth == 0 && j->count[0] > 0) {
		j->err = true;
		return false;
	}
	if (j->depth > 0) {
		if (j->count[j->depth] > 0)
			fputc(',', j->out);
		newline_indent(j);
	}
	j->count[j->depth]++;
	return true;
}

static void
begin(struct cli_json *j, char open, bool object)
{
	if (!before_value(j))
		return;
	if (j->depth == CLI_JSON_MAX_DEPTH) {
		j->err = true;
		return;
	}
	fputc(open, j->out);
	j->depth++;
	j->in_object[j->depth] = object;
	j->count[j->depth] = 0;
	j->key_due = object;
}

static void
end(struct cli_json *j, char close, bool object)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->in_object[j->depth] != object || (object && !j->key_due)) {
		j->err = true;
		return;
	}
	j->depth--;
	if (j->count[j->depth + 1] > 0)
		newline_indent(j);
	fputc(close, j->out);
	j->key_due = j->in_object[j->depth];
}

void
cli_json_begin_object(struct cli_json *j)
{
	begin(j, '{', true);
}

void
cli_json_end_object(struct cli_json *j)
{
	end(j, '}', true);
}

void
cli_json_begin_array(struct cli_json *j)
{
	begin(j, '[', false);
}

void
cli_json_end_array(struct cli_json *j)
{
	end(j, ']', false);
}

/* Length of a valid UTF-8 sequence at p (at most left bytes), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values above U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static void
write_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	fputc('"', out);
	while (i < len) {
		unsigned char c = p[i];

		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		default:
			if (c < 0x20 || c == 0x7F) {
				fprintf(out, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, out);
			} else if ((n = utf8_seq(p + i, len - i)) > 0) {
				fwrite(p + i, 1, n, out);
				i += n;
				continue;
			} else {
				fputs("\\ufffd", out);
			}
		}
		i++;
	}
	fputc('"', out);
}

void
cli_json_key(struct cli_json *j, const char *key)
{
	if (j->err)
		return;
	if (!j->in_object[j->depth] || !j->key_due || !key) {
		j->err = true;
		return;
	}
	if (j->count[j->depth] > 0)
		fputc(',', j->out);
	newline_indent(j);
	j->count[j->depth]++;
	write_string(j->out, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->out);
	j->key_due = false;
}

void
cli_json_stringn(struct cli_json *j, const char *s, size_t len)
{
	if (!s) {
		cli_json_null(j);
		return;
	}
	if (before_value(j))
		write_string(j->out, s, len);
}

void
cli_json_string(struct cli_json *j, const char *s)
{
	cli_json_stringn(j, s, s ? strlen(s) : 0);
}

void
cli_json_int(struct cli_json *j, int64_t v)
{
	if (before_value(j))
		fprintf(j->out, "%" PRId64, v);
}

void
cli_json_uint(struct cli_json *j, uint64_t v)
{
	if (before_value(j))
		fprintf(j->out, "%" PRIu64, v);
}

void
cli_json_double(struct cli_json *j, double v)
{
	char buf[40];
	int prec;

	if (!isfinite(v)) {
		cli_json_null(j);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (before_value(j))
		fputs(buf, j->out);
}

void
cli_json_fixed(struct cli_json *j, double v, int decimals)
{
	if (!isfinite(v)) {
		cli_json_null(j);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	if (before_value(j))
		fprintf(j->out, "%.*f", decimals, v);
}

void
cli_json_bool(struct cli_json *j, bool v)
{
	if (before_value(j))
		fputs(v ? "true" : "false", j->out);
}

void
cli_json_null(struct cli_json *j)
{
	if (before_value(j))
		fputs("null", j->out);
}

void
cli_json_kv_string(struct cli_json *j, const char *key, const char *s)
{
	cli_json_key(j, key);
	cli_json_string(j, s);
}

void
cli_json_kv_int(struct cli_json *j, const char *key, int64_t v)
{
	cli_json_key(j, key);
	cli_json_int(j, v);
}

void
cli_json_kv_uint(struct cli_json *j, const char *key, uint64_t v)
{
	cli_json_key(j, key);
	cli_json_uint(j, v);
}

void
cli_json_kv_bool(struct cli_json *j, const char *key, bool v)
{
	cli_json_key(j, key);
	cli_json_bool(j, v);
}

int
cli_json_finish(struct cli_json *j)
{
	if (!j->err && (j->depth != 0 || j->count[0] != 1))
		j->err = true;
	if (!j->err)
		fputc('\n', j->out);
	if (fflush(j->out) != 0 || ferror(j->out))
		j->err = true;
	return j->err ? -1 : 0;
}
