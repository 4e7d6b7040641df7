#include "shared_vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "walk_pcap.h"

void
shared_vec_need(struct shared_vec *v)
{
	const char *shared = getenv("SMBDIAG_SHARED");
	char path[4096];
	size_t len;
	int rc;

	if (v->p)
		return;
	if (!shared || !shared[0]) {
		print_message("# SKIP: needs %s frame %lu of the shared capture corpus (SMBDIAG_SHARED is not set)\n",
			      v->capture, v->frame);
		skip();
	}
	snprintf(path, sizeof(path), "%s/captures/%s", shared, v->capture);
	rc = v->pdu ? walk_pcap_frame_pdu(path, v->frame, &v->buf, &len)
		    : walk_pcap_frame_payload(path, v->frame, &v->buf, &len);
	if (rc == 2) {
		print_message("# SKIP: needs %s of the shared capture corpus (../shared is absent)\n", path);
		skip();
	}
	if (rc != 0 || len < v->offset + v->length)
		fail_msg("%s frame %lu: no vector there (%d, %zu bytes)", path, v->frame, rc, len);
	v->p = v->buf + v->offset;
	v->len = v->length ? v->length : len - v->offset;
}
