"""The `hotdsl` command line: thin commands over the library."""
