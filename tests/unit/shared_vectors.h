/* Real messages of the shared capture corpus (../shared/captures, named by
 * SMBDIAG_SHARED), read at run time from the capture and frame they are
 * in: that corpus is not ours to copy into the project, and a user's clone
 * has none. A test that needs one skips itself, saying why, when the
 * corpus is not there. */
#ifndef SMBDIAG_TESTS_SHARED_VECTORS_H
#define SMBDIAG_TESTS_SHARED_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shared_vec {
	const char *capture;   /* file name in <shared>/captures; "tests/..." names our own, in the source tree */
	unsigned long frame;   /* 1-based, as tshark counts */
	size_t offset;         /* where the vector starts (4: after the NetBIOS header) */
	size_t length;         /* 0: to the end */
	bool pdu;              /* the SMB PDU the frame completed, not the frame's payload */
	/* Filled by shared_vec_need. */
	uint8_t *buf;
	const uint8_t *p;
	size_t len;
};

/* Loads v (once) or skip()s the running test; the bytes stay for the
 * program's life. */
void shared_vec_need(struct shared_vec *v);

/* A vector as an expression: NAME for its bytes and NAME_len for its
 * length, loaded (or the test skipped) where it is first used. A capture
 * named "tests/..." is one of ours (tests/scenarios, tests/fuzz/corpus):
 * always there, never skipped. */
#define SHARED_VECTOR(name, capture, frame, offset, length, pdu)                                                   \
	static inline struct shared_vec *name##_vec(void)                                                          \
	{                                                                                                          \
		static struct shared_vec v = {capture, frame, offset, length, pdu, NULL, NULL, 0};                 \
		shared_vec_need(&v);                                                                               \
		return &v;                                                                                         \
	}

#endif
