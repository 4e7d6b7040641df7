/* libpcap, loaded on first use.
 *
 * Only `smbdiag analyze` reads captures, but linking libpcap makes every
 * start of smbdiag (probe, serve, explain) map and relocate it together
 * with what Debian's libpcap pulls in (dbus, systemd, gcrypt, lzma, zstd,
 * lz4, ...): bench/probe.sh measured about 2 ms of CPU per process for
 * nothing. This file defines the pcap_* functions the analyzer calls and
 * forwards them to libpcap opened with dlopen() the first time a capture
 * is opened, so the call sites stay plain libpcap.
 *
 * The smbdiag executable does not link libpcap (src/cli/meson.build), so
 * calling a pcap_* function that is not in PCAP_FORWARDED below fails the
 * link with "undefined reference to `pcap_...'". To add one: add an X(...)
 * line with the prototype from <pcap/pcap.h>; if it opens a capture (takes
 * an errbuf and no pcap_t), write it like the entry points at the bottom,
 * which report a missing libpcap through errbuf.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

/* X(return type, name, (parameters), (arguments)): functions that take a
 * pcap_t (or need no library state), reachable only after an entry point
 * succeeded, i.e. with the library loaded. */
#define PCAP_FORWARDED(X) \
	X(int, pcap_activate, (pcap_t *p), (p)) \
	X(int, pcap_compile, (pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask), \
	    (p, fp, str, optimize, netmask)) \
	X(int, pcap_datalink, (pcap_t *p), (p)) \
	X(const char *, pcap_datalink_val_to_name, (int dlt), (dlt)) \
	X(FILE *, pcap_file, (pcap_t *p), (p)) \
	X(int, pcap_get_selectable_fd, (pcap_t *p), (p)) \
	X(char *, pcap_geterr, (pcap_t *p), (p)) \
	X(int, pcap_next_ex, (pcap_t *p, struct pcap_pkthdr **h, const u_char **data), (p, h, data)) \
	X(int, pcap_set_immediate_mode, (pcap_t *p, int on), (p, on)) \
	X(int, pcap_set_snaplen, (pcap_t *p, int snaplen), (p, snaplen)) \
	X(int, pcap_set_timeout, (pcap_t *p, int ms), (p, ms)) \
	X(int, pcap_setfilter, (pcap_t *p, struct bpf_program *fp), (p, fp)) \
	X(int, pcap_setnonblock, (pcap_t *p, int nonblock, char *errbuf), (p, nonblock, errbuf))

/* The same, returning nothing (C has no `return f();` in a void function). */
#define PCAP_FORWARDED_VOID(X) \
	X(void, pcap_close, (pcap_t *p), (p)) \
	X(void, pcap_freecode, (struct bpf_program *fp), (fp))

/* Entry points: they create a pcap_t, so they load the library. */
#define PCAP_ENTRY(X) \
	X(pcap_t *, pcap_create, (const char *source, char *errbuf), (source, errbuf)) \
	X(pcap_t *, pcap_fopen_offline, (FILE *fp, char *errbuf), (fp, errbuf)) \
	X(pcap_t *, pcap_open_offline, (const char *fname, char *errbuf), (fname, errbuf))

#define PCAP_POINTER(ret, name, params, args) ret(*name) params;

struct pcap_api {
	PCAP_FORWARDED(PCAP_POINTER)
	PCAP_FORWARDED_VOID(PCAP_POINTER)
	PCAP_ENTRY(PCAP_POINTER)
};

/* The sonames Debian and others ship; the first is the one we build with. */
static const char *const pcap_sonames[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

static struct pcap_api pcap_api;
static const struct pcap_api *pcap_loaded;
static char pcap_load_error[PCAP_ERRBUF_SIZE];
static pthread_once_t pcap_once = PTHREAD_ONCE_INIT;

/* dlsym returns void *; ISO C has no conversion to a function pointer, so
 * the address is copied into the pointer object instead. */
static int
resolve(void *lib, const char *name, void *slot, size_t slot_size)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL) {
		snprintf(pcap_load_error, sizeof(pcap_load_error), "libpcap has no %s (too old?)", name);
		return -1;
	}
	memcpy(slot, &sym, slot_size);
	return 0;
}

#define PCAP_RESOLVE(ret, name, params, args) \
	if (resolve(lib, #name, &pcap_api.name, sizeof(pcap_api.name)) < 0) \
		return;

static void
load_pcap(void)
{
	void *lib = NULL;
	size_t i;

	for (i = 0; lib == NULL && i < sizeof(pcap_sonames) / sizeof(pcap_sonames[0]); i++)
		lib = dlopen(pcap_sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(pcap_load_error, sizeof(pcap_load_error),
		    "cannot load libpcap (install libpcap0.8 to read captures): %s", dlerror());
		return;
	}
	PCAP_FORWARDED(PCAP_RESOLVE)
	PCAP_FORWARDED_VOID(PCAP_RESOLVE)
	PCAP_ENTRY(PCAP_RESOLVE)
	pcap_loaded = &pcap_api;   /* the handle stays open until exit */
}

static const struct pcap_api *
pcap_lib(void)
{
	pthread_once(&pcap_once, load_pcap);
	return pcap_loaded;
}

/* Unreachable without a pcap_t, which only a loaded library hands out. */
static const struct pcap_api *
pcap_lib_loaded(void)
{
	const struct pcap_api *api = pcap_lib();

	if (api == NULL) {
		fprintf(stderr, "smbdiag: libpcap used before it was loaded: %s\n", pcap_load_error);
		abort();
	}
	return api;
}

#define PCAP_FORWARD(ret, name, params, args) \
	ret name params { return pcap_lib_loaded()->name args; }

PCAP_FORWARDED(PCAP_FORWARD)

#define PCAP_FORWARD_VOID(ret, name, params, args) \
	ret name params { pcap_lib_loaded()->name args; }

PCAP_FORWARDED_VOID(PCAP_FORWARD_VOID)

#define PCAP_FORWARD_ENTRY(ret, name, params, args) \
	ret name params \
	{ \
		const struct pcap_api *api = pcap_lib(); \
		if (api == NULL) { \
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_load_error); \
			return NULL; \
		} \
		return api->name args; \
	}

PCAP_ENTRY(PCAP_FORWARD_ENTRY)
