"""Entry points: the plain check path, the Prefect flows and the command line.

Importing this package imports no Prefect: only ``flows.review_gate`` does.
"""
