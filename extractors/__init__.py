"""Reading articles and extracting what they assert about spinal roots.

Kept import-light: ``extractors.ingest`` and ``extractors.types`` need no NLP
libraries; ``extractors.pipeline`` builds the spaCy pipeline on first use.
"""
