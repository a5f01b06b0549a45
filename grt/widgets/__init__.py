"""Widgets shared by the grt screens."""
