"""The Textual console: a view over the supervisor's events, with no process code of its own."""
