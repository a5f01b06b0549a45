"""Screens of the grt TUI: one per job (home, meeting…), plus the windows they open."""
