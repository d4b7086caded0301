"""Sync between the desk PCs and the central server: the wire protocol shared by both sides."""
