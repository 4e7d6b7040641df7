/* One SMB2 message (header first): CREATE, CLOSE, READ and WRITE bodies in
 * both directions, the create context chain, and the encoders fed with
 * what was decoded. */
#include <stddef.h>
#include <stdint.h>

#include "core/wire/smb2.h"
#include "core/wire/smb2_file.h"
#include "core/wire/utf16.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[1 << 17];

/* A writer holding the message's header, for the body encoders. */
static struct sd_wr *
begin(const uint8_t *msg, size_t len)
{
	static struct sd_wr w;
	struct smb2_header h;

	sd_wr_init(&w, out, sizeof(out));
	if (smb2_header_decode(msg, len, &h) != SD_OK && len >= SMB2_HEADER_SIZE)
		sd_wr_bytes(&w, msg, SMB2_HEADER_SIZE);
	else
		smb2_header_encode(&h, &w);
	return &w;
}

static void
create_msgs(const uint8_t *msg, size_t len)
{
	struct smb2_create_req q;
	struct smb2_create_rsp r;
	char name[128];

	if (smb2_create_req_decode(msg, len, &q) == SD_OK) {
		(void)sd_utf16le_to_utf8(q.name, q.name_len, name, sizeof(name), NULL);
		(void)smb2_create_req_encode(&q, begin(msg, len));
	}
	if (smb2_create_rsp_decode(msg, len, &r) == SD_OK)
		(void)smb2_create_rsp_encode(&r, begin(msg, len));
}

static void
rw_msgs(const uint8_t *msg, size_t len)
{
	struct smb2_close_req cq;
	struct smb2_close_rsp cr;
	struct smb2_read_req rq;
	struct smb2_read_rsp rr;
	struct smb2_write_req wq;
	struct smb2_write_rsp wr;

	if (smb2_close_req_decode(msg, len, &cq) == SD_OK)
		(void)smb2_close_req_encode(&cq, begin(msg, len));
	if (smb2_close_rsp_decode(msg, len, &cr) == SD_OK)
		(void)smb2_close_rsp_encode(&cr, begin(msg, len));
	if (smb2_read_req_decode(msg, len, &rq) == SD_OK)
		(void)smb2_read_req_encode(&rq, begin(msg, len));
	if (smb2_read_rsp_decode(msg, len, &rr) == SD_OK)
		(void)smb2_read_rsp_encode(&rr, begin(msg, len));
	if (smb2_write_req_decode(msg, len, &wq) == SD_OK)
		(void)smb2_write_req_encode(&wq, begin(msg, len));
	if (smb2_write_rsp_decode(msg, len, &wr) == SD_OK)
		(void)smb2_write_rsp_encode(&wr, begin(msg, len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_create_ctx_list l;
	struct sd_anomalies anom = {0};

	create_msgs(data, size);
	rw_msgs(data, size);
	if (smb2_create_ctx_decode(data, size, 0, &l, &anom) == SD_OK) {
		struct sd_wr w;

		sd_wr_init(&w, out, sizeof(out));
		(void)smb2_create_ctx_encode(l.ctx, l.n, &w);
	}
	return 0;
}
