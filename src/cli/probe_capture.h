/* What the probe does with the bytes it moves: -vv prints each message in
 * hex on stderr; --save-capture writes every connection (the probe's and
 * the follow-up experiments') as TCP flows in a pcapng file. */
#ifndef SMBDIAG_CLI_PROBE_CAPTURE_H
#define SMBDIAG_CLI_PROBE_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>

#include "capture/pcapng_write.h"
#include "net/conn.h"

struct probe_capture {
	FILE *hex;                    /* stderr with -vv, else NULL */
	struct pcapng_writer *writer; /* NULL without --save-capture */
	struct pcapng_conn conn;      /* the connection being written */
	bool active;
	int64_t mono_to_unix_us;      /* net_now_us() + this = Unix time */
	bool failed;
};

/* path NULL: no file. Returns 0, or -1 when the file cannot be made. */
int probe_capture_open(struct probe_capture *cap, const char *path, int verbosity);
/* net_tap_fn: user is the probe_capture. */
void probe_capture_tap(void *user, const struct net_conn *c, enum net_dir dir, const uint8_t *p, size_t len,
		       uint64_t at_us);
/* Finishes the file; -1 when a write failed. */
int probe_capture_close(struct probe_capture *cap);

#endif
