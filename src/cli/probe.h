/* Entry point of `smbdiag probe` (see probe.c). */
#ifndef SMBDIAG_CLI_PROBE_H
#define SMBDIAG_CLI_PROBE_H

int cmd_probe(int argc, char **argv);

#endif
