"""Kind-agnostic build stage: the build plan and its digest, build directories, provenance, templates."""
