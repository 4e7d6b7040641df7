#ifndef SMBDIAG_CLI_ANALYZE_H
#define SMBDIAG_CLI_ANALYZE_H

/* smbdiag analyze FILE|- | -i IFACE: see analyze.c. */
int cmd_analyze(int argc, char **argv);

#endif
