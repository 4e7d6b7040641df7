/* PDU framing on reassembled TCP bytes: NetBIOS session service / direct
 * TCP for SMB, record marking for Kerberos (RFC 4120 7.2.2).
 *
 * Only the head of a PDU is stored (CAP_PDU_HEAD_MAX bytes): the rest of a
 * large READ or WRITE is counted and skipped, so memory does not follow
 * the PDU size, and a hole inside the skipped part costs nothing. A hole
 * anywhere else throws away the partial PDU; the framer then looks for
 * the next plausible PDU start (a session-message header followed by an
 * SMB protocol id, or a record marker followed by a Kerberos application
 * tag). Decisions look only at buffered bytes, never at how they arrived,
 * so any segmentation gives the same PDUs. */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/wire/smb2.h"

#define PROBE_LEN 8              /* header + protocol id */
#define SMB_PDU_MAX (NBSS_HEADER_SIZE + NBSS_MAX_LENGTH_DIRECT)
#define KRB_RECORD_MAX ((size_t)1 << 20)
#define KRB_RESERVED_BIT 0x80000000u
#define BUF_MIN 4096

/* Kerberos messages are DER [APPLICATION n]: 0x6a..0x6f (AS-REQ..AP-REP),
 * 0x7e (KRB-ERROR). */
static bool
krb_app_tag(uint8_t b)
{
	return (b >= 0x6a && b <= 0x6f) || b == 0x7e;
}

/* How long the PDU starting at buf is. 1: *pdu_len set; 0: more bytes
 * needed; -1: not a PDU start here. */
static int
pdu_start(const struct cap_flow *f, const struct cap_appdir *ad, size_t *pdu_len)
{
	const uint8_t *p = ad->buf;
	size_t len = ad->len;

	if (f->app == CAP_APP_KRB) {
		uint32_t rec;

		if (len < PROBE_LEN - 3)
			return 0;
		rec = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if ((rec & KRB_RESERVED_BIT) || rec == 0 || rec > KRB_RECORD_MAX || !krb_app_tag(p[4]))
			return -1;
		*pdu_len = 4 + (size_t)rec;
		return 1;
	}
	if (len < NBSS_HEADER_SIZE)
		return 0;
	/* Control PDUs (session request and responses, keep-alive) are shorter
	 * than 8 bytes and are trusted only in a stream that is in step. */
	if (p[0] != NBSS_SESSION_MESSAGE && !ad->synced)
		return -1;
	if (p[0] == NBSS_SESSION_MESSAGE) {
		if (len < PROBE_LEN)
			return 0;
		if (f->transport == NBSS_TRANSPORT_NETBIOS && (p[1] & ~NBSS_FLAG_LENGTH_EXT) != 0)
			return -1;
		if (!smb_protocol_magic(p + NBSS_HEADER_SIZE, len - NBSS_HEADER_SIZE))
			return -1;
	}
	switch (nbss_frame_length(p, len, f->transport, SMB_PDU_MAX, pdu_len)) {
	case SD_OK:
	case SD_ERR_TRUNCATED:
		return *pdu_len >= NBSS_HEADER_SIZE ? 1 : -1;
	default:
		return -1;
	}
}

static bool
append(struct cap_analyzer *a, struct cap_appdir *ad, const uint8_t *p, size_t n)
{
	if (ad->len + n > ad->alloc) {
		size_t want = ad->alloc ? ad->alloc : BUF_MIN;
		uint8_t *nb;

		while (want < ad->len + n)
			want *= 2;
		if (!cap_mem_take(a, want - ad->alloc))
			return false;
		nb = realloc(ad->buf, want);
		if (nb == NULL) {
			cap_mem_give(a, want - ad->alloc);
			return false;
		}
		ad->buf = nb;
		ad->alloc = want;
	}
	memcpy(ad->buf + ad->len, p, n);
	ad->len += n;
	return true;
}

/* Gives back a buffer that a large head made grow. */
static void
shrink(struct cap_analyzer *a, struct cap_appdir *ad)
{
	if (ad->alloc > BUF_MIN * 4 && ad->len == 0) {
		free(ad->buf);
		cap_mem_give(a, ad->alloc);
		ad->buf = NULL;
		ad->alloc = 0;
	}
}

static void
emit(struct cap_analyzer *a, struct cap_flow *f, int di, bool truncated)
{
	struct cap_appdir *ad = &f->dir[di].app;
	uint32_t end_seq = ad->start_seq + (uint32_t)ad->pdu_len;

	if (f->app == CAP_APP_SMB) {
		a->stats.smb_pdus++;
		cap_smb_pdu(a, f, di, ad->buf, ad->len, truncated, end_seq);
	} else if (f->app == CAP_APP_KRB && ad->len > 4) {
		cap_krb_message(a, &f->addr[di], f->port[di], &f->addr[!di], f->port[!di], ad->buf + 4, ad->len - 4,
				false);
	}
}

static void
next_pdu(struct cap_analyzer *a, struct cap_appdir *ad)
{
	ad->start_seq += (uint32_t)ad->pdu_len;
	ad->len = 0;
	ad->pdu_len = 0;
	ad->skip_left = 0;
	shrink(a, ad);
}

static void
lose_sync(struct cap_analyzer *a, struct cap_appdir *ad)
{
	ad->len = 0;
	ad->pdu_len = 0;
	ad->skip_left = 0;
	ad->synced = false;
	shrink(a, ad);
}

/* Drops the first buffered byte while looking for a PDU start. */
static void
slide(struct cap_analyzer *a, struct cap_appdir *ad)
{
	if (ad->synced)
		a->stats.desyncs++;
	ad->synced = false;
	memmove(ad->buf, ad->buf + 1, ad->len - 1);
	ad->len--;
	ad->start_seq++;
	a->stats.resync_bytes++;
}

/* Header bytes: taken one probe at a time so a PDU start is decided on
 * the same bytes whatever the segmentation. Returns bytes consumed. */
static size_t
feed_header(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t n)
{
	struct cap_appdir *ad = &f->dir[di].app;
	size_t k = PROBE_LEN - ad->len < n ? PROBE_LEN - ad->len : n, used = 0;
	int r;

	if (ad->len >= PROBE_LEN)
		k = 0;
	if (k > 0 && !append(a, ad, p, k))
		return n;  /* out of memory: drop the bytes */
	used = k;
	while ((r = pdu_start(f, ad, &ad->pdu_len)) < 0 && ad->len > 0)
		slide(a, ad);
	if (r > 0) {
		ad->synced = true;
		ad->skip_left = 0;
	}
	return used;
}

/* Bytes of a PDU whose length is known. Returns bytes consumed. */
static size_t
feed_body(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t n)
{
	struct cap_appdir *ad = &f->dir[di].app;
	size_t head = ad->pdu_len < CAP_PDU_HEAD_MAX ? ad->pdu_len : CAP_PDU_HEAD_MAX, used = 0, k;

	if (ad->len > ad->pdu_len) {
		/* The probe read past a short control PDU: keep the excess. */
		size_t extra = ad->len - ad->pdu_len;
		uint8_t keep[PROBE_LEN];

		memcpy(keep, ad->buf + ad->pdu_len, extra);
		ad->len = ad->pdu_len;
		emit(a, f, di, false);
		next_pdu(a, ad);
		append(a, ad, keep, extra);
		return 0;
	}
	if (ad->len + ad->skip_left < head) {
		k = head - ad->len - ad->skip_left;
		k = k < n ? k : n;
		if (ad->skip_left == 0 && append(a, ad, p, k)) {
			used = k;
		} else {
			/* No memory for the head: skip the PDU instead. */
			a->stats.oversize_pdus++;
			ad->skip_left += k;
			used = k;
		}
	}
	if (used < n && ad->len + ad->skip_left < ad->pdu_len) {
		k = ad->pdu_len - ad->len - ad->skip_left;
		k = k < n - used ? k : n - used;
		ad->skip_left += k;
		used += k;
	}
	if (ad->len + ad->skip_left == ad->pdu_len) {
		emit(a, f, di, ad->len < ad->pdu_len);
		next_pdu(a, ad);
	}
	return used;
}

void
cap_stream_probe_magic(struct cap_flow *f, int di, const uint8_t *p, size_t n)
{
	/* SMB on a port nobody named: a direct-TCP header and an SMB magic
	 * at the start of the first data seen. */
	f->magic_checked[di] = true;
	if (n >= PROBE_LEN && p[0] == NBSS_SESSION_MESSAGE && smb_protocol_magic(p + NBSS_HEADER_SIZE, n - NBSS_HEADER_SIZE)) {
		f->app = CAP_APP_SMB;
		f->transport = NBSS_TRANSPORT_DIRECT;
	}
}

void
cap_stream_data(struct cap_analyzer *a, struct cap_flow *f, int di, uint32_t seq, const uint8_t *p, size_t n)
{
	struct cap_tcpdir *d = &f->dir[di];
	struct cap_appdir *ad = &d->app;

	if (!ad->started) {
		/* Seen from its SYN, a stream starts with a PDU. */
		ad->started = true;
		ad->synced = d->syn && seq == d->base_seq + 1;
		if (ad->synced && f->app == CAP_APP_SMB && f->client >= 0 && di != f->client)
			cap_smb_server_first_bytes(a, f, p, n);
	}
	if (ad->len == 0 && ad->pdu_len == 0)
		ad->start_seq = seq;
	while (n > 0) {
		size_t used;

		if (ad->pdu_len == 0)
			used = feed_header(a, f, di, p, n);
		else
			used = feed_body(a, f, di, p, n);
		p += used;
		n -= used;
	}
	/* Bytes left over from a probe may hold whole short control PDUs. */
	for (;;) {
		if (ad->pdu_len == 0 && ad->len > 0) {
			feed_header(a, f, di, NULL, 0);
			if (ad->pdu_len == 0)
				break;
		} else if (ad->pdu_len != 0 && ad->len >= ad->pdu_len && ad->skip_left == 0) {
			feed_body(a, f, di, NULL, 0);
		} else {
			break;
		}
	}
}

void
cap_stream_gap(struct cap_analyzer *a, struct cap_flow *f, int di, size_t n, bool snapped)
{
	struct cap_appdir *ad = &f->dir[di].app;
	size_t head = ad->pdu_len < CAP_PDU_HEAD_MAX ? ad->pdu_len : CAP_PDU_HEAD_MAX;

	/* A hole inside the skipped tail of a large PDU loses nothing. */
	if (ad->pdu_len != 0 && ad->len >= head && ad->len + ad->skip_left + n <= ad->pdu_len) {
		ad->skip_left += n;
		if (ad->len + ad->skip_left == ad->pdu_len) {
			emit(a, f, di, true);
			next_pdu(a, ad);
		}
		return;
	}
	/* The snap length cut this PDU: what is there is all there will be. */
	if (!snapped && f->smb != NULL)
		cap_conn(a, f->smb)->capture_gaps = true;
	if (snapped && f->smb != NULL)
		cap_conn(a, f->smb)->capture_snapped = true;
	if (snapped && ad->pdu_len != 0 && ad->synced && ad->len > NBSS_HEADER_SIZE && f->app == CAP_APP_SMB)
		emit(a, f, di, true);
	lose_sync(a, ad);
}

void
cap_stream_free(struct cap_analyzer *a, struct cap_flow *f)
{
	int di;

	for (di = 0; di < 2; di++) {
		struct cap_appdir *ad = &f->dir[di].app;

		if (ad->alloc)
			cap_mem_give(a, ad->alloc);
		free(ad->buf);
		memset(ad, 0, sizeof(*ad));
	}
}
