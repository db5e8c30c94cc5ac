"""Shipped PAR framework files (YAML). A package only so the files ship with the wheel."""
