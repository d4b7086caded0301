"""Who is at the desk, on screen (issue 13): the sign-in gate and idle lock (`gate`, `idle`), the accounts box of
the settings (`accounts`). Nothing is imported here: the gate is part of the first window, kept light."""
