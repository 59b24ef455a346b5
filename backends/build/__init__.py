"""Kind-agnostic build stage: the build plan and its digest, build directories, provenance, templates, and the
host stream port every build carries (stream.py)."""
