"""Pure cost model: validated inputs in, numbers out; no files, clock, environment or printing.

Money is float64 USD throughout and is rounded only when rendered; every volume-dependent function
is vectorised over an array of requests/day so the break-even search evaluates thousands of volumes
in one call.
"""
