"""One widget per module; each gets its data from its parent and reports back with messages."""
