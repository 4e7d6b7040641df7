/* pcapng writer (src/capture/pcapng_write.h): exact block bytes, IP and
 * TCP headers with checksums that verify, output-space errors at every
 * size, the per-connection helper's sequence numbers and segmentation,
 * and the file layer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/pcapng_write.h"

#define MEM_CAP (1u << 20)

struct mem_sink {
	uint8_t *p;
	size_t len;
	bool fail;
};

static bool
mem_write(void *user, const uint8_t *p, size_t len)
{
	struct mem_sink *m = user;

	if (m->fail || m->len + len > MEM_CAP)
		return false;
	memcpy(m->p + m->len, p, len);
	m->len += len;
	return true;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct sockaddr_in
v4(const char *ip, uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6
v6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return a;
}

/* Ones' complement sum, folded: 0xFFFF when a checksum inside verifies. */
static uint16_t
csum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
tcp_sum(const uint8_t *pkt, size_t ip_hdr, size_t alen, size_t src_off)
{
	size_t seg = (alen == 4 ? be16(pkt + 2) : be16(pkt + 4) + 40u) - ip_hdr;
	uint32_t sum = csum(0, pkt + src_off, 2 * alen);

	sum += 6 + (uint32_t)seg;
	return csum(sum, pkt + ip_hdr, seg);
}

static void
shb_idb_epb_bytes(void **state)
{
	static const uint8_t shb[] = {
		0x0A, 0x0D, 0x0D, 0x0A, 0x30, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		4, 0, 10, 0, 's', 'm', 'b', 'd', 'i', 'a', 'g', ' ', 'x', 'y', 0, 0,
		0, 0, 0, 0, 0x30, 0, 0, 0,
	};
	static const uint8_t shb_plain[] = {
		0x0A, 0x0D, 0x0D, 0x0A, 0x1C, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1C, 0, 0, 0,
	};
	static const uint8_t idb[] = {
		1, 0, 0, 0, 0x14, 0, 0, 0, 101, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0,
	};
	static const uint8_t epb[] = {
		6, 0, 0, 0, 0x28, 0, 0, 0, 0, 0, 0, 0,
		0x01, 0, 0, 0, 0x05, 0x04, 0x03, 0x02,   /* 0x0000000102030405 us */
		5, 0, 0, 0, 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0x28, 0, 0, 0,
	};
	uint8_t buf[128];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(pcapng_build_shb(&w, "smbdiag xy"), SD_OK);
	assert_int_equal(w.len, sizeof(shb));
	assert_memory_equal(buf, shb, sizeof(shb));
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(pcapng_build_shb(&w, NULL), SD_OK);
	assert_memory_equal(buf, shb_plain, sizeof(shb_plain));
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(pcapng_build_idb(&w), SD_OK);
	assert_int_equal(w.len, sizeof(idb));
	assert_memory_equal(buf, idb, sizeof(idb));
	sd_wr_init(&w, buf, sizeof(buf));
	assert_int_equal(pcapng_build_epb(&w, 0x0000000102030405ull, (const uint8_t *)"hello", 5), SD_OK);
	assert_int_equal(w.len, sizeof(epb));
	assert_memory_equal(buf, epb, sizeof(epb));
	assert_int_equal(pcapng_build_epb(&w, 0, NULL, 1), SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_build_epb(&w, 0, buf, PCAPNG_MAX_PACKET + 1), SD_ERR_INVALID_ARG);
}

static void
tcp_over_ipv4(void **state)
{
	struct sockaddr_in a = v4("192.0.2.1", 50000), b = v4("198.51.100.7", 445);
	uint8_t pkt[128];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, pkt, sizeof(pkt));
	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1000, 2000,
					  PCAPNG_TCP_PSH | PCAPNG_TCP_ACK, (const uint8_t *)"abc", 3),
			 SD_OK);
	assert_int_equal(w.len, 20 + 20 + 3);
	assert_int_equal(pkt[0], 0x45);
	assert_int_equal(be16(pkt + 2), 43);
	assert_int_equal(be16(pkt + 6), 0x4000);
	assert_int_equal(pkt[8], 64);
	assert_int_equal(pkt[9], 6);
	assert_int_equal(be32(pkt + 12), 0xC0000201u);
	assert_int_equal(be32(pkt + 16), 0xC6336407u);
	assert_int_equal(csum(0, pkt, 20), 0xFFFF);
	assert_int_equal(be16(pkt + 20), 50000);
	assert_int_equal(be16(pkt + 22), 445);
	assert_int_equal(be32(pkt + 24), 1000);
	assert_int_equal(be32(pkt + 28), 2000);
	assert_int_equal(pkt[32], 0x50);
	assert_int_equal(pkt[33], 0x18);
	assert_int_equal(be16(pkt + 34), 65535);
	assert_memory_equal(pkt + 40, "abc", 3);
	assert_int_equal(tcp_sum(pkt, 20, 4, 12), 0xFFFF);
	/* Without ACK the acknowledgment number is zero. */
	sd_wr_init(&w, pkt, sizeof(pkt));
	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&a, (struct sockaddr *)&b, 7, 99, PCAPNG_TCP_SYN,
					  NULL, 0),
			 SD_OK);
	assert_int_equal(be32(pkt + 28), 0);
	assert_int_equal(tcp_sum(pkt, 20, 4, 12), 0xFFFF);
}

static void
tcp_over_ipv6_and_bad_args(void **state)
{
	struct sockaddr_in6 a = v6("2001:db8::1", 40000), b = v6("::1", 4455);
	struct sockaddr_in c = v4("127.0.0.1", 1);
	struct sockaddr un = {.sa_family = AF_UNIX};
	uint8_t pkt[128];
	static uint8_t big[PCAPNG_MAX_SEGMENT + 1];
	struct sd_wr w;

	(void)state;
	sd_wr_init(&w, pkt, sizeof(pkt));
	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 2, PCAPNG_TCP_ACK,
					  (const uint8_t *)"xyzzy", 5),
			 SD_OK);
	assert_int_equal(w.len, 40 + 20 + 5);
	assert_int_equal(be32(pkt), 0x60000000u);
	assert_int_equal(be16(pkt + 4), 25);
	assert_int_equal(pkt[6], 6);
	assert_int_equal(pkt[7], 64);
	assert_int_equal(be32(pkt + 8), 0x20010db8u);
	assert_int_equal(pkt[39], 1);
	assert_int_equal(be16(pkt + 42), 4455);
	assert_int_equal(tcp_sum(pkt, 40, 16, 8), 0xFFFF);

	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&a, (struct sockaddr *)&c, 1, 2, 0, NULL, 0),
			 SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_build_tcp(&w, &un, &un, 1, 2, 0, NULL, 0), SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&c, (struct sockaddr *)&c, 1, 2, 0, big, sizeof(big)),
			 SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&c, NULL, 1, 2, 0, NULL, 0), SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&c, (struct sockaddr *)&c, 1, 2, 0, NULL, 3),
			 SD_ERR_INVALID_ARG);
}

/* Every output size short of the block fails with SD_ERR_NO_SPACE. */
static void
no_space_at_every_size(void **state)
{
	struct sockaddr_in6 a = v6("::1", 1), b = v6("::1", 2);
	uint8_t buf[256];
	size_t cap;
	struct sd_wr w;

	(void)state;
	for (cap = 0; cap < 64; cap++) {
		sd_wr_init(&w, buf, cap);
		assert_int_equal(pcapng_build_shb(&w, "smbdiag"), cap >= 44 ? SD_OK : SD_ERR_NO_SPACE);
		sd_wr_init(&w, buf, cap);
		assert_int_equal(pcapng_build_idb(&w), cap >= 20 ? SD_OK : SD_ERR_NO_SPACE);
		sd_wr_init(&w, buf, cap);
		assert_int_equal(pcapng_build_epb(&w, 1, buf + 128, 3), cap >= 36 ? SD_OK : SD_ERR_NO_SPACE);
	}
	for (cap = 0; cap < 70; cap++) {
		sd_wr_init(&w, buf, cap);
		assert_int_equal(pcapng_build_tcp(&w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 1, 0,
						  (const uint8_t *)"abcd", 4),
				 cap >= 64 ? SD_OK : SD_ERR_NO_SPACE);
	}
}

struct seen {
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t sport;
	size_t payload;
	uint64_t ts;
};

/* Walks the blocks of a stream written by the writer: SHB, IDB, EPBs. */
static size_t
parse(const uint8_t *p, size_t len, struct seen *out, size_t cap)
{
	size_t off = 0, n = 0;

	assert_true(len >= 48);
	assert_int_equal(le32(p), PCAPNG_BLOCK_SHB);
	off += le32(p + 4);
	assert_int_equal(le32(p + off), PCAPNG_BLOCK_IDB);
	off += le32(p + off + 4);
	while (off < len) {
		const uint8_t *b = p + off, *pkt = b + 28;
		uint32_t blen = le32(b + 4), plen = le32(b + 20);

		assert_int_equal(le32(b), PCAPNG_BLOCK_EPB);
		assert_int_equal(blen % 4, 0);
		assert_int_equal(le32(b + blen - 4), blen);
		assert_int_equal(plen, le32(b + 24));
		assert_true(n < cap);
		out[n].ts = (uint64_t)le32(b + 12) << 32 | le32(b + 16);
		out[n].sport = be16(pkt + 20);
		out[n].seq = be32(pkt + 24);
		out[n].ack = be32(pkt + 28);
		out[n].flags = pkt[33];
		out[n].payload = plen - 40;
		assert_int_equal(csum(0, pkt, 20), 0xFFFF);
		assert_int_equal(tcp_sum(pkt, 20, 4, 12), 0xFFFF);
		n++;
		off += blen;
	}
	assert_int_equal(off, len);
	return n;
}

static void
connection_helper(void **state)
{
	struct sockaddr_in cl = v4("10.0.0.5", 51234), sv = v4("10.0.0.9", 445);
	struct mem_sink m = {malloc(MEM_CAP), 0, false};
	struct pcapng_writer *w = NULL;
	struct pcapng_conn c;
	struct seen s[32];
	uint8_t *big = calloc(1, 150000);
	size_t n;

	(void)state;
	assert_non_null(m.p);
	assert_non_null(big);
	assert_int_equal(pcapng_open_sink(mem_write, &m, &w), SD_OK);
	assert_int_equal(pcapng_conn_init(&c, w, (struct sockaddr *)&cl, (struct sockaddr *)&sv, 1000, 5000), SD_OK);
	/* Data before open opens the connection. */
	assert_int_equal(pcapng_conn_data(&c, PCAPNG_C2S, big, 100, 10), SD_OK);
	assert_int_equal(pcapng_conn_open(&c, 11), SD_ERR_STATE);
	assert_int_equal(pcapng_conn_data(&c, PCAPNG_S2C, big, 150000, 20), SD_OK);
	assert_int_equal(pcapng_conn_close(&c, PCAPNG_C2S, 30), SD_OK);
	assert_int_equal(pcapng_conn_data(&c, PCAPNG_C2S, big, 1, 40), SD_ERR_STATE);
	assert_int_equal(pcapng_conn_close(&c, PCAPNG_C2S, 40), SD_ERR_STATE);
	assert_int_equal(pcapng_close(w), SD_OK);

	n = parse(m.p, m.len, s, 32);
	assert_int_equal(n, 3 + 2 + 4 + 3);
	/* Handshake. */
	assert_int_equal(s[0].flags, PCAPNG_TCP_SYN);
	assert_int_equal(s[0].seq, 1000);
	assert_int_equal(s[1].flags, PCAPNG_TCP_SYN | PCAPNG_TCP_ACK);
	assert_int_equal(s[1].seq, 5000);
	assert_int_equal(s[1].ack, 1001);
	assert_int_equal(s[2].flags, PCAPNG_TCP_ACK);
	assert_int_equal(s[2].ack, 5001);
	/* 100 bytes from the client, acknowledged. */
	assert_int_equal(s[3].flags, PCAPNG_TCP_PSH | PCAPNG_TCP_ACK);
	assert_int_equal(s[3].seq, 1001);
	assert_int_equal(s[3].payload, 100);
	assert_int_equal(s[3].sport, 51234);
	assert_int_equal(s[4].ack, 1101);
	assert_int_equal(s[4].sport, 445);
	/* 150000 bytes from the server: 65000 + 65000 + 20000. */
	assert_int_equal(s[5].payload, 65000);
	assert_int_equal(s[5].seq, 5001);
	assert_int_equal(s[6].payload, 65000);
	assert_int_equal(s[6].seq, 70001);
	assert_int_equal(s[7].payload, 20000);
	assert_int_equal(s[7].seq, 135001);
	assert_int_equal(s[8].ack, 155001);
	assert_int_equal(s[8].sport, 51234);
	assert_true(s[8].ts == 20);
	/* Close. */
	assert_int_equal(s[9].flags, PCAPNG_TCP_FIN | PCAPNG_TCP_ACK);
	assert_int_equal(s[9].seq, 1101);
	assert_int_equal(s[10].flags, PCAPNG_TCP_FIN | PCAPNG_TCP_ACK);
	assert_int_equal(s[10].ack, 1102);
	assert_int_equal(s[11].flags, PCAPNG_TCP_ACK);
	assert_int_equal(s[11].ack, 155002);
	free(big);
	free(m.p);
}

static void
refused_and_reset(void **state)
{
	struct sockaddr_in cl = v4("10.0.0.5", 51234), sv = v4("10.0.0.9", 445);
	struct sockaddr_in6 sv6 = v6("::1", 445);
	struct mem_sink m = {malloc(MEM_CAP), 0, false};
	struct pcapng_writer *w = NULL;
	struct pcapng_conn c;
	struct seen s[8];

	(void)state;
	assert_int_equal(pcapng_open_sink(mem_write, &m, &w), SD_OK);
	assert_int_equal(pcapng_conn_init(&c, w, (struct sockaddr *)&cl, (struct sockaddr *)&sv6, 1, 2),
			 SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_conn_init(&c, w, (struct sockaddr *)&cl, (struct sockaddr *)&sv, 1, 2), SD_OK);
	assert_int_equal(pcapng_conn_close(&c, PCAPNG_C2S, 1), SD_ERR_STATE);
	assert_int_equal(pcapng_conn_reset(&c, PCAPNG_S2C, 1), SD_OK);
	assert_int_equal(pcapng_conn_reset(&c, PCAPNG_S2C, 1), SD_ERR_STATE);
	assert_int_equal(pcapng_close(w), SD_OK);
	assert_int_equal(parse(m.p, m.len, s, 8), 2);
	assert_int_equal(s[0].flags, PCAPNG_TCP_SYN);
	assert_int_equal(s[1].flags, PCAPNG_TCP_RST | PCAPNG_TCP_ACK);
	assert_int_equal(s[1].ack, 2);
	free(m.p);
}

static void
sink_failure_is_sticky(void **state)
{
	struct sockaddr_in a = v4("127.0.0.1", 1), b = v4("127.0.0.1", 2);
	struct mem_sink m = {malloc(MEM_CAP), 0, true};
	struct pcapng_writer *w = NULL;

	(void)state;
	assert_int_equal(pcapng_open_sink(mem_write, &m, &w), SD_ERR_IO);
	assert_null(w);
	m.fail = false;
	assert_int_equal(pcapng_open_sink(mem_write, &m, &w), SD_OK);
	m.fail = true;
	assert_int_equal(pcapng_add_tcp(w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 1, 0, NULL, 0, 1),
			 SD_ERR_IO);
	m.fail = false;
	assert_int_equal(pcapng_add_tcp(w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 1, 0, NULL, 0, 1),
			 SD_ERR_IO);
	assert_int_equal(pcapng_close(w), SD_ERR_IO);
	assert_int_equal(pcapng_close(NULL), SD_OK);
	assert_int_equal(pcapng_open_sink(NULL, &m, &w), SD_ERR_INVALID_ARG);
	assert_int_equal(pcapng_add_tcp(NULL, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 1, 0, NULL, 0, 1),
			 SD_ERR_INVALID_ARG);
	free(m.p);
}

/* The file layer writes what the sink layer writes. */
static void
file_layer(void **state)
{
	struct sockaddr_in a = v4("127.0.0.1", 1), b = v4("127.0.0.1", 2);
	struct mem_sink m = {malloc(MEM_CAP), 0, false};
	struct pcapng_writer *w = NULL;
	char path[] = "/tmp/test_pcapng_write_XXXXXX";
	uint8_t *back = malloc(MEM_CAP);
	size_t got;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pcapng_open(path, &w), SD_OK);
	assert_int_equal(pcapng_add_tcp(w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 2, PCAPNG_TCP_ACK,
					(const uint8_t *)"x", 1, 77),
			 SD_OK);
	assert_int_equal(pcapng_close(w), SD_OK);
	assert_int_equal(pcapng_open_sink(mem_write, &m, &w), SD_OK);
	assert_int_equal(pcapng_add_tcp(w, (struct sockaddr *)&a, (struct sockaddr *)&b, 1, 2, PCAPNG_TCP_ACK,
					(const uint8_t *)"x", 1, 77),
			 SD_OK);
	assert_int_equal(pcapng_close(w), SD_OK);
	f = fopen(path, "rb");
	assert_non_null(f);
	got = fread(back, 1, MEM_CAP, f);
	fclose(f);
	unlink(path);
	assert_int_equal(got, m.len);
	assert_memory_equal(back, m.p, m.len);
	assert_int_equal(pcapng_open("/nonexistent-dir/x.pcapng", &w), SD_ERR_IO);
	free(back);
	free(m.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shb_idb_epb_bytes),
		cmocka_unit_test(tcp_over_ipv4),
		cmocka_unit_test(tcp_over_ipv6_and_bad_args),
		cmocka_unit_test(no_space_at_every_size),
		cmocka_unit_test(connection_helper),
		cmocka_unit_test(refused_and_reset),
		cmocka_unit_test(sink_failure_is_sticky),
		cmocka_unit_test(file_layer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
