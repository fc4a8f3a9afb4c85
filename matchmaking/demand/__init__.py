"""Staff view of demand: which organizations foreign firms are shown, keep, and ask for."""
