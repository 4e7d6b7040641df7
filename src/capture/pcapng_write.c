/* pcapng writer: see pcapng_write.h. */
#include "capture/pcapng_write.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define SHB_OPT_USERAPPL 4
#define OPT_ENDOFOPT 0
#define SYNTH_PROTO_TCP 6
#define SYNTH_TTL 64
#define TCP_WINDOW 65535
#define APP_NAME_MAX 256
/* Block type and both length fields. */
#define BLOCK_FRAME 12

static size_t
pad4(size_t n)
{
	return (4 - n % 4) % 4;
}

/* Opens a block: type and a length patched by end_block. */
static size_t
begin_block(struct sd_wr *w, uint32_t type)
{
	size_t start = w->len;

	sd_wr_u32le(w, type);
	sd_wr_u32le(w, 0);
	return start;
}

static enum sd_err
end_block(struct sd_wr *w, size_t start)
{
	size_t total = w->len - start + 4;

	sd_wr_u32le(w, (uint32_t)total);
	if (!sd_wr_ok(w))
		return w->err;
	sd_wr_put_u32le_at(w, start + 4, (uint32_t)total);
	return w->err;
}

enum sd_err
pcapng_build_shb(struct sd_wr *w, const char *app)
{
	size_t start = begin_block(w, PCAPNG_BLOCK_SHB), n;

	sd_wr_u32le(w, PCAPNG_BYTE_ORDER_MAGIC);
	sd_wr_u16le(w, 1);
	sd_wr_u16le(w, 0);
	sd_wr_u64le(w, UINT64_MAX);  /* section length not given */
	if (app != NULL) {
		n = strlen(app);
		if (n > APP_NAME_MAX)
			n = APP_NAME_MAX;
		sd_wr_u16le(w, SHB_OPT_USERAPPL);
		sd_wr_u16le(w, (uint16_t)n);
		sd_wr_bytes(w, app, n);
		sd_wr_zero(w, pad4(n));
		sd_wr_u16le(w, OPT_ENDOFOPT);
		sd_wr_u16le(w, 0);
	}
	return end_block(w, start);
}

enum sd_err
pcapng_build_idb(struct sd_wr *w)
{
	size_t start = begin_block(w, PCAPNG_BLOCK_IDB);

	sd_wr_u16le(w, PCAPNG_LINKTYPE_RAW);
	sd_wr_u16le(w, 0);
	sd_wr_u32le(w, 0);  /* SnapLen 0: no limit */
	return end_block(w, start);
}

enum sd_err
pcapng_build_epb(struct sd_wr *w, uint64_t unix_us, const uint8_t *packet, size_t len)
{
	size_t start;

	if (len > PCAPNG_MAX_PACKET || (packet == NULL && len > 0))
		return SD_ERR_INVALID_ARG;
	start = begin_block(w, PCAPNG_BLOCK_EPB);
	sd_wr_u32le(w, 0);                         /* interface 0 */
	sd_wr_u32le(w, (uint32_t)(unix_us >> 32));
	sd_wr_u32le(w, (uint32_t)unix_us);
	sd_wr_u32le(w, (uint32_t)len);             /* captured */
	sd_wr_u32le(w, (uint32_t)len);             /* on the wire */
	sd_wr_bytes(w, packet, len);
	sd_wr_zero(w, pad4(len));
	return end_block(w, start);
}

/* ------------------------------------------------------------------ */
/* IP + TCP                                                             */

/* Ones' complement sum of big-endian 16-bit words (an odd last byte is
 * padded with zero), folded later. */
static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The address bytes of an AF_INET / AF_INET6 sockaddr, and its port. */
static size_t
addr_bytes(const struct sockaddr *sa, const uint8_t **bytes, uint16_t *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		*bytes = (const uint8_t *)&in->sin_addr;
		*port = ntohs(in->sin_port);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		*bytes = (const uint8_t *)&in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
		return 16;
	}
	return 0;
}

static void
write_ip_header(struct sd_wr *w, size_t alen, const uint8_t *s, const uint8_t *d, size_t tcp_len)
{
	size_t start = w->len;

	if (alen == 4) {
		sd_wr_u8(w, 0x45);                          /* version 4, IHL 5 */
		sd_wr_u8(w, 0);
		sd_wr_u16be(w, (uint16_t)(PCAPNG_IPV4_HEADER + tcp_len));
		sd_wr_u16be(w, 0);                          /* identification */
		sd_wr_u16be(w, 0x4000);                     /* don't fragment */
		sd_wr_u8(w, SYNTH_TTL);
		sd_wr_u8(w, SYNTH_PROTO_TCP);
		sd_wr_u16be(w, 0);                          /* checksum, below */
		sd_wr_bytes(w, s, 4);
		sd_wr_bytes(w, d, 4);
		if (sd_wr_ok(w))
			store_be16(w->p + start + 10, fold(sum16(0, w->p + start, PCAPNG_IPV4_HEADER)));
		return;
	}
	sd_wr_u32be(w, 0x60000000u);                        /* version 6 */
	sd_wr_u16be(w, (uint16_t)tcp_len);
	sd_wr_u8(w, SYNTH_PROTO_TCP);
	sd_wr_u8(w, SYNTH_TTL);
	sd_wr_bytes(w, s, 16);
	sd_wr_bytes(w, d, 16);
}

/* TCP checksum over the pseudo-header (RFC 793 / RFC 8200 8.1) and the
 * segment. */
static uint16_t
tcp_checksum(size_t alen, const uint8_t *s, const uint8_t *d, const uint8_t *seg, size_t seg_len)
{
	uint32_t sum = sum16(0, s, alen);

	sum = sum16(sum, d, alen);
	sum += SYNTH_PROTO_TCP;
	sum += (uint32_t)(seg_len & 0xFFFF) + (uint32_t)(seg_len >> 16);
	return fold(sum16(sum, seg, seg_len));
}

enum sd_err
pcapng_build_tcp(struct sd_wr *w, const struct sockaddr *src, const struct sockaddr *dst, uint32_t seq,
		 uint32_t ack, uint8_t flags, const uint8_t *payload, size_t len)
{
	const uint8_t *s, *d;
	uint16_t sport, dport;
	size_t alen, seg_start;

	if (src == NULL || dst == NULL || len > PCAPNG_MAX_SEGMENT || (payload == NULL && len > 0))
		return SD_ERR_INVALID_ARG;
	alen = addr_bytes(src, &s, &sport);
	if (alen == 0 || addr_bytes(dst, &d, &dport) != alen)
		return SD_ERR_INVALID_ARG;
	write_ip_header(w, alen, s, d, PCAPNG_TCP_HEADER + len);
	seg_start = w->len;
	sd_wr_u16be(w, sport);
	sd_wr_u16be(w, dport);
	sd_wr_u32be(w, seq);
	sd_wr_u32be(w, (flags & PCAPNG_TCP_ACK) ? ack : 0);
	sd_wr_u8(w, (PCAPNG_TCP_HEADER / 4) << 4);
	sd_wr_u8(w, flags);
	sd_wr_u16be(w, TCP_WINDOW);
	sd_wr_u16be(w, 0);                                   /* checksum, below */
	sd_wr_u16be(w, 0);                                   /* urgent pointer */
	sd_wr_bytes(w, payload, len);
	if (!sd_wr_ok(w))
		return w->err;
	store_be16(w->p + seg_start + 16, tcp_checksum(alen, s, d, w->p + seg_start, w->len - seg_start));
	return SD_OK;
}

/* ------------------------------------------------------------------ */
/* Writer                                                               */

struct pcapng_writer {
	pcapng_sink_fn sink;
	void *user;
	FILE *file;             /* pcapng_open only */
	bool failed;
	uint8_t block[PCAPNG_MAX_EPB];
	uint8_t packet[PCAPNG_MAX_PACKET];
};

static bool
file_sink(void *user, const uint8_t *p, size_t len)
{
	return fwrite(p, 1, len, user) == len;
}

static enum sd_err
emit(struct pcapng_writer *w, const struct sd_wr *b)
{
	if (w->failed || !w->sink(w->user, b->p, b->len)) {
		w->failed = true;
		return SD_ERR_IO;
	}
	return SD_OK;
}

enum sd_err
pcapng_open_sink(pcapng_sink_fn sink, void *user, struct pcapng_writer **out)
{
	struct pcapng_writer *w;
	struct sd_wr b;
	enum sd_err err;

	if (sink == NULL || out == NULL)
		return SD_ERR_INVALID_ARG;
	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return SD_ERR_NOMEM;
	w->sink = sink;
	w->user = user;
	sd_wr_init(&b, w->block, sizeof(w->block));
	pcapng_build_shb(&b, "smbdiag " SMBDIAG_VERSION);
	pcapng_build_idb(&b);
	err = b.err != SD_OK ? b.err : emit(w, &b);
	if (err != SD_OK) {
		free(w);
		return err;
	}
	*out = w;
	return SD_OK;
}

enum sd_err
pcapng_open(const char *path, struct pcapng_writer **out)
{
	FILE *f;
	enum sd_err err;
	int saved;

	if (path == NULL || out == NULL)
		return SD_ERR_INVALID_ARG;
	f = fopen(path, "wb");
	if (f == NULL)
		return SD_ERR_IO;
	err = pcapng_open_sink(file_sink, f, out);
	if (err != SD_OK) {
		saved = errno;
		fclose(f);
		errno = saved;
		return err;
	}
	(*out)->file = f;
	return SD_OK;
}

enum sd_err
pcapng_add_tcp(struct pcapng_writer *w, const struct sockaddr *src, const struct sockaddr *dst, uint32_t seq,
	       uint32_t ack, uint8_t flags, const uint8_t *payload, size_t len, uint64_t unix_us)
{
	struct sd_wr pkt, b;
	enum sd_err err;

	if (w == NULL)
		return SD_ERR_INVALID_ARG;
	if (w->failed)
		return SD_ERR_IO;
	sd_wr_init(&pkt, w->packet, sizeof(w->packet));
	err = pcapng_build_tcp(&pkt, src, dst, seq, ack, flags, payload, len);
	if (err != SD_OK)
		return err;
	sd_wr_init(&b, w->block, sizeof(w->block));
	err = pcapng_build_epb(&b, unix_us, pkt.p, pkt.len);
	if (err != SD_OK)
		return err;
	return emit(w, &b);
}

enum sd_err
pcapng_close(struct pcapng_writer *w)
{
	enum sd_err err;

	if (w == NULL)
		return SD_OK;
	err = w->failed ? SD_ERR_IO : SD_OK;
	if (w->file != NULL && fclose(w->file) != 0)
		err = SD_ERR_IO;
	free(w);
	return err;
}

/* ------------------------------------------------------------------ */
/* One connection                                                       */

static size_t
sockaddr_len(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

enum sd_err
pcapng_conn_init(struct pcapng_conn *c, struct pcapng_writer *w, const struct sockaddr *client,
		 const struct sockaddr *server, uint32_t client_isn, uint32_t server_isn)
{
	size_t clen, slen;

	if (c == NULL || w == NULL || client == NULL || server == NULL)
		return SD_ERR_INVALID_ARG;
	clen = sockaddr_len(client);
	slen = sockaddr_len(server);
	if (clen == 0 || client->sa_family != server->sa_family)
		return SD_ERR_INVALID_ARG;
	memset(c, 0, sizeof(*c));
	c->w = w;
	memcpy(&c->addr[PCAPNG_C2S], client, clen);
	memcpy(&c->addr[PCAPNG_S2C], server, slen);
	c->next_seq[PCAPNG_C2S] = client_isn;
	c->next_seq[PCAPNG_S2C] = server_isn;
	return SD_OK;
}

/* A segment from side `from` acknowledging everything the other side
 * sent so far. */
static enum sd_err
segment(struct pcapng_conn *c, enum pcapng_dir from, uint8_t flags, const uint8_t *p, size_t len, uint64_t unix_us)
{
	enum pcapng_dir to = from == PCAPNG_C2S ? PCAPNG_S2C : PCAPNG_C2S;

	return pcapng_add_tcp(c->w, (const struct sockaddr *)&c->addr[from], (const struct sockaddr *)&c->addr[to],
			      c->next_seq[from], c->next_seq[to], flags, p, len, unix_us);
}

enum sd_err
pcapng_conn_open(struct pcapng_conn *c, uint64_t unix_us)
{
	enum sd_err err;

	if (c == NULL || c->w == NULL)
		return SD_ERR_INVALID_ARG;
	if (c->established || c->closed)
		return SD_ERR_STATE;
	err = segment(c, PCAPNG_C2S, PCAPNG_TCP_SYN, NULL, 0, unix_us);
	c->next_seq[PCAPNG_C2S]++;
	if (err == SD_OK)
		err = segment(c, PCAPNG_S2C, PCAPNG_TCP_SYN | PCAPNG_TCP_ACK, NULL, 0, unix_us);
	c->next_seq[PCAPNG_S2C]++;
	if (err == SD_OK)
		err = segment(c, PCAPNG_C2S, PCAPNG_TCP_ACK, NULL, 0, unix_us);
	c->established = true;
	return err;
}

enum sd_err
pcapng_conn_data(struct pcapng_conn *c, enum pcapng_dir dir, const uint8_t *p, size_t len, uint64_t unix_us)
{
	enum sd_err err = SD_OK;
	size_t n;

	if (c == NULL || c->w == NULL || (dir != PCAPNG_C2S && dir != PCAPNG_S2C) || (p == NULL && len > 0))
		return SD_ERR_INVALID_ARG;
	if (c->closed)
		return SD_ERR_STATE;
	if (!c->established)
		err = pcapng_conn_open(c, unix_us);
	while (err == SD_OK && len > 0) {
		n = len > PCAPNG_MAX_SEGMENT ? PCAPNG_MAX_SEGMENT : len;
		err = segment(c, dir, PCAPNG_TCP_PSH | PCAPNG_TCP_ACK, p, n, unix_us);
		c->next_seq[dir] += (uint32_t)n;
		p += n;
		len -= n;
	}
	if (err == SD_OK)
		err = segment(c, dir == PCAPNG_C2S ? PCAPNG_S2C : PCAPNG_C2S, PCAPNG_TCP_ACK, NULL, 0, unix_us);
	return err;
}

enum sd_err
pcapng_conn_close(struct pcapng_conn *c, enum pcapng_dir by, uint64_t unix_us)
{
	enum pcapng_dir other = by == PCAPNG_C2S ? PCAPNG_S2C : PCAPNG_C2S;
	enum sd_err err;

	if (c == NULL || c->w == NULL || (by != PCAPNG_C2S && by != PCAPNG_S2C))
		return SD_ERR_INVALID_ARG;
	if (c->closed || !c->established)
		return SD_ERR_STATE;
	c->closed = true;
	err = segment(c, by, PCAPNG_TCP_FIN | PCAPNG_TCP_ACK, NULL, 0, unix_us);
	c->next_seq[by]++;
	if (err == SD_OK)
		err = segment(c, other, PCAPNG_TCP_FIN | PCAPNG_TCP_ACK, NULL, 0, unix_us);
	c->next_seq[other]++;
	if (err == SD_OK)
		err = segment(c, by, PCAPNG_TCP_ACK, NULL, 0, unix_us);
	return err;
}

enum sd_err
pcapng_conn_reset(struct pcapng_conn *c, enum pcapng_dir by, uint64_t unix_us)
{
	if (c == NULL || c->w == NULL || (by != PCAPNG_C2S && by != PCAPNG_S2C))
		return SD_ERR_INVALID_ARG;
	if (c->closed)
		return SD_ERR_STATE;
	c->closed = true;
	if (!c->established && by == PCAPNG_S2C) {
		/* A refused connection: the client's SYN, the server's RST. */
		enum sd_err err = segment(c, PCAPNG_C2S, PCAPNG_TCP_SYN, NULL, 0, unix_us);

		c->next_seq[PCAPNG_C2S]++;
		if (err != SD_OK)
			return err;
	}
	return segment(c, by, PCAPNG_TCP_RST | PCAPNG_TCP_ACK, NULL, 0, unix_us);
}
