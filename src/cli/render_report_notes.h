/* What the capture let analyze see of a connection: SMB3-encrypted
 * messages (hidden, or decrypted with the secret given), missing TCP data
 * and connections that began before the capture. SPEC has no finding id
 * for these (they are about the evidence, not the peers), so the
 * renderers show them as connection notes (text) and a "capture" object
 * (JSON). Both renderers take their words from here so they agree. */
#ifndef SMBDIAG_CLI_RENDER_REPORT_NOTES_H
#define SMBDIAG_CLI_RENDER_REPORT_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/render_report.h"

#define REPORT_MAX_NOTES 4
#define REPORT_NOTE_TEXT 640

struct report_capture_view {
	bool any;                   /* something to say */
	uint32_t encrypted;         /* SMB2 TRANSFORM messages */
	uint32_t decrypted;         /* ... decrypted */
	uint32_t hidden;            /* ... left unread */
	bool tree_connect_hidden;   /* no TREE_CONNECT seen in clear: it went encrypted */
	unsigned n_decrypt_with;    /* options that would open the hidden messages */
	const char *decrypt_with[3];  /* "--password", "--nt-hash", "--keytab" */
	bool gaps;
	bool mid_stream;
	bool snapped;
	unsigned n_notes;
	char notes[REPORT_MAX_NOTES][REPORT_NOTE_TEXT];  /* sentences, translated when asked */
	bool translate;
};

/* Fills view from the connection (all zero for probe and serve); the
 * notes in the reader's language with translate (text), else English
 * (JSON, which scripts read). */
void report_capture_view(const struct ev_connection *c, struct report_capture_view *view, bool translate);
/* How many connections shown under o have messages encryption hid. */
size_t report_hidden_connections(const struct ev_timeline *t, const struct render_opts *o);

#endif
