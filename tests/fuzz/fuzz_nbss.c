/* Feeds a byte stream through the NetBIOS framer and decoder. The first
 * input byte picks the transport (even: port 139, odd: port 445); the rest
 * is the stream. Every complete PDU is decoded; the stream is also cut in
 * two at a position taken from the data to exercise partial frames. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/wire/nbss.h"
#include "core/wire/smb1.h"

#define FUZZ_MAX_PDU 0x20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_stream(const uint8_t *p, size_t len, enum nbss_transport transport)
{
	struct sd_anomalies anom;
	struct nbss_pdu pdu;
	size_t pdu_len;
	char text[NBSS_NAME_CHARS + 1], scope[256];

	while (len > 0) {
		if (nbss_frame_length(p, len, transport, FUZZ_MAX_PDU, &pdu_len) != SD_OK)
			return;
		memset(&anom, 0, sizeof(anom));
		if (nbss_decode(p, pdu_len, transport, &pdu, &anom) == SD_OK) {
			if (pdu.hdr.type == NBSS_SESSION_REQUEST) {
				nbss_name_text(&pdu.request.called, text);
				nbss_scope_text(&pdu.request.called, scope, sizeof(scope));
				nbss_scope_text(&pdu.request.calling, scope, 8);
			} else if (pdu.hdr.type == NBSS_SESSION_MESSAGE) {
				(void)sd_magic_classify(pdu.payload, pdu.payload_len);
			}
		}
		p += pdu_len;
		len -= pdu_len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum nbss_transport transport;
	struct nbss_name name;
	struct sd_rd r;
	size_t pdu_len;

	if (size < 1)
		return 0;
	transport = (data[0] & 1) ? NBSS_TRANSPORT_DIRECT : NBSS_TRANSPORT_NETBIOS;
	fuzz_stream(data + 1, size - 1, transport);
	/* A cut inside the stream must never claim a complete PDU it lacks. */
	if (size > 2 && nbss_frame_length(data + 1, (size - 1) / 2, transport, 0, &pdu_len) == SD_OK &&
	    pdu_len > (size - 1) / 2)
		__builtin_trap();
	sd_rd_init(&r, data + 1, size - 1);
	(void)nbss_name_decode(&r, &name);
	return 0;
}
