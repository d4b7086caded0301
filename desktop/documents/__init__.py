"""Printed Arabic documents (PDF): the reportlab engine (`arabic_pdf`), the reception's forms (`forms`), the
decision letter (`letters`) and the catalogue of a case's printed documents (`catalogue`).

This file imports nothing: `desktop.documents.catalogue` (titles, CLI names) must load without reportlab.
"""
