"""Bounds that keep every check fast on any input (shared by extraction and the rules that report them)."""

MAX_ROOT_MENTIONS = 40_000  # root notations read per article; beyond it the report says where reading stopped
