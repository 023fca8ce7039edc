"""CI gates: budgets on one option (check) and the change between two reports (diff)."""
