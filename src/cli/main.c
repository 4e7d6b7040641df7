#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli/analyze.h"
#include "cli/commands.h"
#include "cli/explain.h"
#include "cli/probe.h"
#include "cli/serve.h"

/* Add new sub-commands here (declare their entry point above the table). */
static const struct cli_command commands[] = {
	{"analyze", "read a capture (or listen) and say why SMB connections in it failed", cmd_analyze},
	{"explain", "what a status, Kerberos error or finding means; causes, checks, fixes", cmd_explain},
	{"probe", "walk a server through negotiate, session setup and tree connect; say why it fails", cmd_probe},
	{"serve", "run an SMB server with a chosen policy; show what clients offer and why they fail", cmd_serve},
	{"hash", "print the NT hash of a password (for serve's [user] NtHash)", cmd_hash},
	{NULL, NULL, NULL},
};

static void
usage(FILE *out)
{
	const struct cli_command *c;

	fprintf(out, "usage: smbdiag COMMAND [OPTIONS] ...\n\n"
		     "smbdiag tells why an SMB connection fails in NEGOTIATE, SESSION_SETUP\n"
		     "or TREE_CONNECT, and what to change.\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'smbdiag COMMAND --help' for a command's options.\n");
}

int
main(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("smbdiag %s\n", SMBDIAG_VERSION);
		return CLI_EXIT_OK;
	}
	for (c = commands; c->name; c++) {
		if (strcmp(argv[1], c->name) != 0)
			continue;
		/* A probe is a short process whose few big allocations (a
		 * connection's 64 KiB read buffer, the client's buffers) are
		 * mostly never touched. From a heap that grows by exactly what
		 * is asked (no top padding) they arrive as fresh zero pages:
		 * calloc clears only the part of the old top it reuses, and only
		 * the pages used fault in. They stay off mmap, and the heap is
		 * never trimmed, because unmapping at exit costs a TLB shootdown
		 * on every CPU the probe ran on while it waited for the server
		 * (bench/probe.sh, perf: about a tenth of a probe's CPU against
		 * smbd). Not for serve, whose connections come and go. */
		if (c->run == cmd_probe) {
			mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024); /* glibc's maximum */
			mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
			mallopt(M_TOP_PAD, 0);
		}
		return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "smbdiag: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
