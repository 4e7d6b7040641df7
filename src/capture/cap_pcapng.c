#include "capture/cap_pcapng.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "capture/pcapng_read.h"

#define PROGRESS_EVERY 8192

/* Reads the next block into *buf (grown as needed, never past
 * PCAPNG_READ_MAX_BLOCK). SD_ERR_NOT_FOUND at a clean end of file. */
static enum sd_err
next_block(const struct pcapng_reader *r, FILE *f, uint8_t **buf, size_t *cap, uint32_t *len)
{
	size_t got = fread(*buf, 1, PCAPNG_READ_HEADER, f);
	enum sd_err err;

	if (got == 0 && feof(f))
		return SD_ERR_NOT_FOUND;
	if (got < PCAPNG_READ_HEADER)
		return ferror(f) ? SD_ERR_IO : SD_ERR_TRUNCATED;
	if ((err = pcapng_block_length(r, *buf, got, len)) != SD_OK)
		return err;
	if (*len > *cap) {
		uint8_t *bigger = realloc(*buf, *len);

		if (bigger == NULL)
			return SD_ERR_NOMEM;
		*buf = bigger;
		*cap = *len;
	}
	if (fread(*buf + PCAPNG_READ_HEADER, 1, *len - PCAPNG_READ_HEADER, f) != *len - PCAPNG_READ_HEADER)
		return ferror(f) ? SD_ERR_IO : SD_ERR_TRUNCATED;
	return SD_OK;
}

/* A stream that gives `head` first, then the rest of `in`. */
struct prefixed {
	FILE *in;
	uint8_t *head;
	size_t len, off;
};

static ssize_t
prefixed_read(void *cookie, char *out, size_t size)
{
	struct prefixed *p = cookie;
	size_t n = 0;

	if (p->off < p->len) {
		n = p->len - p->off < size ? p->len - p->off : size;
		memcpy(out, p->head + p->off, n);
		p->off += n;
	}
	if (n < size)
		n += fread(out + n, 1, size - n, p->in);
	return n == 0 && ferror(p->in) ? -1 : (ssize_t)n;
}

static int
prefixed_close(void *cookie)
{
	struct prefixed *p = cookie;

	free(p->head);
	free(p);
	return 0;
}

/* Appends n bytes of in to the head (what came, when the input ends
 * first); false when not all came, or past the bound. */
static bool
take(struct prefixed *p, FILE *in, size_t n)
{
	uint8_t *bigger;
	size_t got;

	if (n > PCAPNG_READ_MAX_BLOCK || p->len + n > 2 * (size_t)PCAPNG_READ_MAX_BLOCK)
		return false;
	bigger = realloc(p->head, p->len + n);
	if (bigger == NULL)
		return false;
	p->head = bigger;
	got = fread(p->head + p->len, 1, n, in);
	p->len += got;
	return got == n;
}

/* Reads the leading blocks of in into p->head: a pcapng's section and its
 * interfaces, up to the first packet (4 bytes of anything else), and
 * whether those interfaces differ. A short read keeps what came: the
 * reader that follows reports it. */
static bool
peek_head(struct prefixed *p, FILE *in)
{
	struct pcapng_reader *r = malloc(sizeof(*r));
	bool differ = false;

	if (r == NULL)
		return false;
	pcapng_reader_init(r);
	if (take(p, in, 4) && pcapng_is_pcapng(p->head, p->len) && take(p, in, PCAPNG_READ_HEADER - 4)) {
		for (;;) {
			size_t at = p->len - PCAPNG_READ_HEADER;
			struct pcapng_packet pkt;
			bool has_packet;
			uint32_t len;

			if (pcapng_block_length(r, p->head + at, PCAPNG_READ_HEADER, &len) != SD_OK ||
			    !take(p, in, len - PCAPNG_READ_HEADER) ||
			    pcapng_block_read(r, p->head + at, len, &pkt, &has_packet) != SD_OK || has_packet ||
			    !take(p, in, PCAPNG_READ_HEADER) ||
			    pcapng_is_pcapng(p->head + p->len - PCAPNG_READ_HEADER, PCAPNG_READ_HEADER))
				break;
		}
		differ = pcapng_interfaces_differ(r);
	}
	free(r);
	return differ;
}

bool
cap_pcapng_interfaces_differ(FILE *f)
{
	struct prefixed p = {.in = f};
	bool differ = peek_head(&p, f);

	free(p.head);
	return differ;
}

FILE *
cap_pcapng_peek_stream(FILE *in, bool *differ)
{
	static const cookie_io_functions_t io = {.read = prefixed_read, .close = prefixed_close};
	struct prefixed *p = calloc(1, sizeof(*p));
	FILE *f;

	*differ = false;
	if (p == NULL)
		return NULL;
	p->in = in;
	*differ = peek_head(p, in);
	f = fopencookie(p, "rb", io);
	if (f == NULL)
		prefixed_close(p);
	return f;
}

enum sd_err
cap_run_pcapng(struct cap_analyzer *a, const struct cap_source *src, FILE *f, uint64_t total, char *errbuf,
	       size_t errcap)
{
	struct pcapng_reader *r = malloc(sizeof(*r));
	size_t cap = 65536 + 64;
	uint8_t *buf = malloc(cap);
	unsigned long blocks = 0, packets = 0, skipped = 0;
	int unsupported = -1;
	enum sd_err err = SD_OK;

	if (r == NULL || buf == NULL) {
		free(r);
		free(buf);
		snprintf(errbuf, errcap, "out of memory");
		return SD_ERR_NOMEM;
	}
	pcapng_reader_init(r);
	for (;;) {
		struct pcapng_packet pkt;
		bool has_packet;
		uint32_t len;

		if (src->stop != NULL && *src->stop)
			break;
		err = next_block(r, f, &buf, &cap, &len);
		if (err == SD_ERR_NOT_FOUND) {
			err = SD_OK;
			break;
		}
		if (err == SD_OK)
			err = pcapng_block_read(r, buf, len, &pkt, &has_packet);
		if (err != SD_OK) {
			snprintf(errbuf, errcap, "pcapng block %lu: %s", blocks + 1, sd_err_text(err));
			break;
		}
		blocks++;
		if (!has_packet)
			continue;
		if (!cap_linktype_supported(pkt.linktype)) {
			skipped++;
			unsupported = pkt.linktype;
			continue;
		}
		cap_analyzer_packet(a, pkt.ts, pkt.data, pkt.caplen, pkt.len, pkt.linktype);
		packets++;
		if (src->progress != NULL && packets % PROGRESS_EVERY == 0) {
			long pos = ftell(f);

			src->progress(src->progress_ctx, pos > 0 ? (uint64_t)pos : 0, total);
		}
	}
	if (err == SD_OK && packets == 0 && skipped > 0) {
		snprintf(errbuf, errcap, "link type %d is not supported (no interface of the capture has one that is)",
			 unsupported);
		err = SD_ERR_UNSUPPORTED;
	}
	free(buf);
	free(r);
	return err;
}
