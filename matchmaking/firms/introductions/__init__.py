"""Introductions: a firm asks, the curators of the organization's prefecture broker."""
