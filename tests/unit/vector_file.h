/* Loader for the test-vector files in tests/vectors/: "name = hex" lines,
 * tab-led continuation lines, "#" comments. Test-only code. */
#ifndef SMBDIAG_TESTS_UNIT_VECTOR_FILE_H
#define SMBDIAG_TESTS_UNIT_VECTOR_FILE_H

#include <stddef.h>
#include <stdint.h>

#define VEC_MAX_ENTRIES 64
#define VEC_MAX_NAME 48

struct vec_file {
	char name[VEC_MAX_ENTRIES][VEC_MAX_NAME];
	uint8_t *data[VEC_MAX_ENTRIES];
	size_t len[VEC_MAX_ENTRIES];
	size_t n;
};

/* Loads TEST_VECTORS_DIR/file; fails the running cmocka test on any
 * problem (missing file, bad hex, too many entries). */
void vec_load(struct vec_file *vf, const char *file);
/* The named value; fails the test when absent. len may be NULL. */
const uint8_t *vec_get(const struct vec_file *vf, const char *name, size_t *len);
/* Like vec_get, and also fails unless the value has exactly want bytes. */
const uint8_t *vec_get_n(const struct vec_file *vf, const char *name, size_t want);
void vec_free(struct vec_file *vf);

#endif
