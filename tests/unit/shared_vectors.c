#include "shared_vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "walk_pcap.h"

/* Reads v from the capture at path: 0, or walk_pcap's answer. */
static int
load(struct shared_vec *v, const char *path)
{
	size_t len;
	int rc = v->pdu ? walk_pcap_frame_pdu(path, v->frame, &v->buf, &len)
			: walk_pcap_frame_payload(path, v->frame, &v->buf, &len);

	if (rc == 2)
		return rc;
	if (rc != 0 || len < v->offset + v->length)
		fail_msg("%s frame %lu: no vector there (%d)", path, v->frame, rc);
	v->p = v->buf + v->offset;
	v->len = v->length ? v->length : len - v->offset;
	return 0;
}

void
shared_vec_need(struct shared_vec *v)
{
	const char *shared = getenv("SMBDIAG_SHARED");
	char path[4096];

	if (v->p)
		return;
	if (strncmp(v->capture, "tests/", 6) == 0) {
		snprintf(path, sizeof(path), "%s/../../%s", TEST_VECTORS_DIR, v->capture);
		if (load(v, path) != 0)
			fail_msg("%s cannot be read (a broken checkout)", path);
		return;
	}
	if (!shared || !shared[0]) {
		print_message("# SKIP: needs %s frame %lu of the shared capture corpus (SMBDIAG_SHARED is not set)\n",
			      v->capture, v->frame);
		skip();
	}
	snprintf(path, sizeof(path), "%s/captures/%s", shared, v->capture);
	if (load(v, path) == 2) {
		print_message("# SKIP: needs %s of the shared capture corpus (../shared is absent)\n", path);
		skip();
	}
}
