"""The desk's sync screens: the background controller, enrolment, first-sync progress, conflicts, settings box."""
