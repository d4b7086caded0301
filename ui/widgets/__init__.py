"""Reusable widgets of the desk; each stands alone and talks through sig_* signals, the window wires them."""
