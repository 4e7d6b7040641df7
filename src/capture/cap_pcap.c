/* Driving the analyzer from libpcap: pcap and pcapng files, standard
 * input, an open stream, or a live interface with a BPF filter, a
 * duration and a stop flag. A pcapng file libpcap refuses goes to our own
 * reader (cap_pcapng.c). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <pcap/pcap.h>

#include "capture/cap_internal.h"
#include "capture/cap_pcapng.h"

#define LIVE_SNAPLEN 262144
#define LIVE_TIMEOUT_MS 200
#define PROGRESS_EVERY 8192     /* packets between progress calls */
/* libpcap reads files through stdio, whose default 4 KiB buffer makes one
 * read() per few packets: with 1 MiB the syscalls stop dominating the run
 * (bench/analyze.sh measured 4-6x less time just reading a 1 GB capture). */
#define FILE_READ_BUFFER (1u << 20)

static pcap_t *
open_file(const char *path, char *iobuf, char *errbuf)
{
	FILE *f = fopen(path, "rb");
	pcap_t *pc;

	if (f == NULL) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (iobuf != NULL)
		setvbuf(f, iobuf, _IOFBF, FILE_READ_BUFFER);
	pc = pcap_fopen_offline(f, errbuf);
	if (pc == NULL)
		fclose(f);
	return pc;
}

static bool
is_stdin(const struct cap_source *src)
{
	return src->iface == NULL && src->stream == NULL && src->path != NULL && strcmp(src->path, "-") == 0;
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* iobuf (FILE_READ_BUFFER bytes, may be NULL) must outlive the pcap_t. */
static pcap_t *
open_source(const struct cap_source *src, char *iobuf, char *errbuf, uint64_t *total)
{
	pcap_t *pc;

	*total = 0;
	if (src->stream != NULL)
		return pcap_fopen_offline(src->stream, errbuf);
	if (src->iface == NULL) {
		if (src->path != NULL && strcmp(src->path, "-") != 0) {
			*total = file_size(src->path);
			return open_file(src->path, iobuf, errbuf);
		}
		return pcap_open_offline("-", errbuf);
	}
	pc = pcap_create(src->iface, errbuf);
	if (pc == NULL)
		return NULL;
	pcap_set_snaplen(pc, LIVE_SNAPLEN);
	pcap_set_timeout(pc, LIVE_TIMEOUT_MS);
	pcap_set_immediate_mode(pc, 1);
	if (pcap_activate(pc) < 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", src->iface, pcap_geterr(pc));
		pcap_close(pc);
		return NULL;
	}
	/* Non-blocking with our own poll: in immediate mode the read timeout
	 * does not apply, and --duration and Ctrl-C must be seen on a quiet
	 * interface. */
	if (pcap_setnonblock(pc, 1, errbuf) < 0) {
		pcap_close(pc);
		return NULL;
	}
	return pc;
}

/* Destination unreachable messages: how a KDC's host refuses a UDP
 * Kerberos request (cap_icmp.c). The ICMPv6 test reads the type right
 * after the IPv6 header, as libpcap's icmp6[] does. */
#define REFUSAL_FILTER " or icmp[icmptype] == icmp-unreach or icmp6[icmp6type] == icmp6-destinationunreach"

static enum sd_err
set_filter(pcap_t *pc, const char *filter, char *errbuf, size_t errcap)
{
	struct bpf_program prog;

	if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(pc, &prog) < 0) {
		snprintf(errbuf, errcap, "filter '%s': %s", filter, pcap_geterr(pc));
		return SD_ERR_INVALID_ARG;
	}
	pcap_freecode(&prog);
	return SD_OK;
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum sd_err
loop(struct cap_analyzer *a, const struct cap_source *src, pcap_t *pc, uint64_t total, char *errbuf, size_t errcap)
{
	struct pcap_pkthdr *ph;
	const u_char *data;
	int linktype = pcap_datalink(pc), rc;
	double deadline = src->duration > 0 ? mono_now() + src->duration : 0;
	unsigned long n = 0;

	if (!cap_linktype_supported(linktype)) {
		snprintf(errbuf, errcap, "link type %s (%d) is not supported",
			 pcap_datalink_val_to_name(linktype) ? pcap_datalink_val_to_name(linktype) : "?", linktype);
		return SD_ERR_UNSUPPORTED;
	}
	while ((rc = pcap_next_ex(pc, &ph, &data)) >= 0) {
		if (src->stop != NULL && *src->stop)
			break;
		if (deadline > 0 && mono_now() >= deadline)
			break;
		if (rc == 0) {  /* live: nothing waiting */
			struct pollfd pfd = {.fd = pcap_get_selectable_fd(pc), .events = POLLIN};

			if (pfd.fd >= 0)
				poll(&pfd, 1, LIVE_TIMEOUT_MS);
			continue;
		}
		cap_analyzer_packet(a, (double)ph->ts.tv_sec + (double)ph->ts.tv_usec / 1e6, data, ph->caplen, ph->len,
				    linktype);
		if (src->progress != NULL && ++n % PROGRESS_EVERY == 0) {
			FILE *fp = src->iface ? NULL : pcap_file(pc);
			long pos = fp ? ftell(fp) : -1;

			src->progress(src->progress_ctx, pos > 0 ? (uint64_t)pos : 0, total);
		}
	}
	if (rc == PCAP_ERROR) {
		snprintf(errbuf, errcap, "%s", pcap_geterr(pc));
		return SD_ERR_IO;
	}
	return SD_OK;
}

/* A named pcapng file whose interfaces differ in link type or snap length
 * goes to our own reader (pcapng_read.h says why): libpcap stops at the
 * second interface of such a file. */
static enum sd_err
own_pcapng(struct cap_analyzer *a, const struct cap_source *src, char *iobuf, char *errbuf, size_t errcap,
	   bool *taken)
{
	enum sd_err err;
	FILE *f;

	*taken = false;
	if (src->iface != NULL || src->stream != NULL || src->path == NULL || is_stdin(src))
		return SD_OK;
	if ((f = fopen(src->path, "rb")) == NULL)
		return SD_OK;  /* libpcap's open says why */
	if (!cap_pcapng_interfaces_differ(f) || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return SD_OK;
	}
	*taken = true;
	if (iobuf != NULL)
		setvbuf(f, iobuf, _IOFBF, FILE_READ_BUFFER);
	err = cap_run_pcapng(a, src, f, file_size(src->path), errbuf, errcap);
	fclose(f);
	return err;
}

enum sd_err
cap_run(struct cap_analyzer *a, const struct cap_source *src, char *errbuf, size_t errcap)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	uint64_t total;
	enum sd_err err;
	char *iobuf = src->iface == NULL ? malloc(FILE_READ_BUFFER) : NULL;
	struct cap_source stdin_src;
	bool taken;
	pcap_t *pc;

	err = own_pcapng(a, src, iobuf, errbuf, errcap, &taken);
	if (taken) {
		free(iobuf);
		return err;
	}
	if (is_stdin(src)) {
		/* The peeked blocks come back in front of the rest. */
		bool differ;

		stdin_src = *src;
		stdin_src.path = NULL;
		stdin_src.stream = cap_pcapng_peek_stream(stdin, &differ);
		if (stdin_src.stream == NULL) {
			free(iobuf);
			snprintf(errbuf, errcap, "out of memory");
			return SD_ERR_NOMEM;
		}
		if (differ) {
			err = cap_run_pcapng(a, src, stdin_src.stream, 0, errbuf, errcap);
			fclose(stdin_src.stream);
			free(iobuf);
			return err;
		}
		src = &stdin_src;
	}
	pc = open_source(src, iobuf, pcap_err, &total);

	if (pc == NULL) {
		/* libpcap closes the stream only once it has taken it. */
		if (src->stream != NULL)
			fclose(src->stream);
		free(iobuf);
		snprintf(errbuf, errcap, "%s", pcap_err);
		return SD_ERR_IO;
	}
	if (src->iface != NULL) {
		char filter[sizeof(CAP_DEFAULT_FILTER) + sizeof(REFUSAL_FILTER) +
			    (CAP_MAX_SMB_PORTS + CAP_MAX_KRB_PORTS) * 20];
		size_t used = (size_t)snprintf(filter, sizeof(filter), "%s%s", CAP_DEFAULT_FILTER, REFUSAL_FILTER);
		unsigned i;

		/* The ports named with --smb-port and --krb-port are captured too
		 * (Kerberos on TCP and UDP). */
		for (i = 0; i < a->opts.n_smb_ports && used < sizeof(filter); i++)
			used += (size_t)snprintf(filter + used, sizeof(filter) - used, " or tcp port %u",
						 a->opts.smb_ports[i]);
		for (i = 0; i < a->opts.n_krb_ports && used < sizeof(filter); i++)
			used += (size_t)snprintf(filter + used, sizeof(filter) - used, " or port %u",
						 a->opts.krb_ports[i]);
		err = set_filter(pc, src->filter ? src->filter : filter, errbuf, errcap);
		if (err != SD_OK) {
			pcap_close(pc);
			return err;
		}
	}
	err = loop(a, src, pc, total, errbuf, errcap);
	pcap_close(pc);   /* closes the FILE that used iobuf */
	free(iobuf);
	return err;
}
