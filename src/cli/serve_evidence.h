/* The server's events turned into the evidence timeline (diag/evidence.h),
 * one timeline per client connection, so that when the connection ends the
 * same rules as probe and analyze (diag/rules.h) produce its findings. */
#ifndef SMBDIAG_CLI_SERVE_EVIDENCE_H
#define SMBDIAG_CLI_SERVE_EVIDENCE_H

#include <stdint.h>

#include "core/proto/server.h"
#include "diag/evidence.h"
#include "net/serve_loop.h"

struct serve_evidence;

/* origin_us: serve_now_us() at start (times are seconds from it). */
struct serve_evidence *serve_evidence_open(const struct serve_conn_info *c, uint64_t origin_us, uint16_t port);
void serve_evidence_add(struct serve_evidence *e, const struct smb2s_event *ev);
/* The connection ended: runs the rules and returns the timeline (owned by
 * e, valid until serve_evidence_free). */
struct ev_timeline *serve_evidence_finish(struct serve_evidence *e, uint64_t now_us, const char *how);
void serve_evidence_free(struct serve_evidence *e);

#endif
