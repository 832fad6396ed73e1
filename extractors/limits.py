"""Bounds that keep every check fast on any input (shared by extraction and the rules that report them)."""

MAX_ROOT_MENTIONS = 40_000  # root notations read per article; beyond it the report says where reading stopped
MAX_ARTICLE_CHARS = 20_000_000  # the longest text the pipeline reads (its nlp.max_length); --max-bytes stops here
