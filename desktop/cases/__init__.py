"""What every part that touches a case shares, without loading any service: the state machine and case numbers.

Import the modules directly (`desktop.cases.states`, `desktop.cases.numbers`); this package file loads
nothing, so the sync server and the reports can use the state machine without reception or the case desk.
"""
