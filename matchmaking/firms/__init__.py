"""The foreign firm's own pages: profile, suggested partners, shortlist, feedback."""
