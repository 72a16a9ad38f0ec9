"""The command line: argument parsing and each command's printing (library, history, audio)."""
