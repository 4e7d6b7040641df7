/* Sub-commands of the smbdiag program. Each parses its own options, builds
 * its pipeline and renders; none holds protocol logic. Each returns the
 * process exit status (see SPEC: 0 ok, 2 usage/input, 1 internal, ...). */
#ifndef SMBDIAG_CLI_COMMANDS_H
#define SMBDIAG_CLI_COMMANDS_H

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_INTERNAL = 1,
	CLI_EXIT_USAGE = 2,
};

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);  /* argv[0] is the sub-command name */
};

#endif
