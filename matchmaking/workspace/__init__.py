"""The curation workspace for prefecture staff, under /workspace/."""
