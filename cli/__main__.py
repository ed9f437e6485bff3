"""`python -m hotdsl.cli`: the same as the `hotdsl` command."""

from hotdsl.cli.main import main

main()
