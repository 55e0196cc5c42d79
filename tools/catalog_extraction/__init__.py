"""Babel extractors for the catalogs' messages that live outside Python and the templates."""
