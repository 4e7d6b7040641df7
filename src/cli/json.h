/* A small streaming JSON writer for the command line's --json outputs.
 *
 * Calls nest like the document: begin_object, key, value, ..., end_object.
 * Commas, indentation (pretty) and string escaping are the writer's job;
 * strings are UTF-8, and invalid UTF-8 bytes are written as U+FFFD so the
 * output always parses. Misuse (a value where a key is due, unbalanced
 * ends, nesting deeper than CLI_JSON_MAX_DEPTH) is sticky and reported by
 * cli_json_finish(). */
#ifndef SMBDIAG_CLI_JSON_H
#define SMBDIAG_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_JSON_MAX_DEPTH 32

struct cli_json {
	FILE *out;
	bool pretty;
	bool err;
	int depth;
	bool key_due;                          /* inside an object, a key comes next */
	bool in_object[CLI_JSON_MAX_DEPTH + 1];
	size_t count[CLI_JSON_MAX_DEPTH + 1];  /* members written at each level */
};

void cli_json_init(struct cli_json *j, FILE *out, bool pretty);
void cli_json_begin_object(struct cli_json *j);
void cli_json_end_object(struct cli_json *j);
void cli_json_begin_array(struct cli_json *j);
void cli_json_end_array(struct cli_json *j);
void cli_json_key(struct cli_json *j, const char *key);
/* NULL writes null. */
void cli_json_string(struct cli_json *j, const char *s);
void cli_json_stringn(struct cli_json *j, const char *s, size_t len);
void cli_json_int(struct cli_json *j, int64_t v);
void cli_json_uint(struct cli_json *j, uint64_t v);
/* Shortest form that reads back the same; NaN and infinities write null. */
void cli_json_double(struct cli_json *j, double v);
/* Fixed decimals, e.g. seconds with 6 digits. */
void cli_json_fixed(struct cli_json *j, double v, int decimals);
void cli_json_bool(struct cli_json *j, bool v);
void cli_json_null(struct cli_json *j);

/* key + value in one call. */
void cli_json_kv_string(struct cli_json *j, const char *key, const char *s);
void cli_json_kv_int(struct cli_json *j, const char *key, int64_t v);
void cli_json_kv_uint(struct cli_json *j, const char *key, uint64_t v);
void cli_json_kv_bool(struct cli_json *j, const char *key, bool v);

/* Ends the document with a newline; 0 when it was well formed and written. */
int cli_json_finish(struct cli_json *j);

#endif
