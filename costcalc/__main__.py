"""`python -m costcalc` runs the command-line interface."""

from costcalc.cli import main

main()
