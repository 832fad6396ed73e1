"""The editorial review gate as a service: article store, status machine, waivers, history and HTTP API.

- ``review.models``: the SQLAlchemy models (the store's schema; ``review/migrations`` creates it).
- ``review.db``: engines for SQLite (default, embedded) and PostgreSQL, transactions, migrations.
- ``review.checking``: the one check path (``flows.check.check_article``) as the service calls it.
- ``review.workflow``: submissions, the status machine and its gate, waivers, history, re-checks:
  plain functions that own their transactions and know nothing of HTTP.
- ``review.listing``: the filtered, cursor-paged article list and the counts per status.
- ``review.tokens``: API tokens (random, shown once, stored hashed) and roles.
- ``review.webhooks``: the outbox and its delivery worker (HMAC-signed, retried with back-off).
- ``review.api``: thin FastAPI routes that translate HTTP to workflow calls and back.
- ``review.server``: uvicorn's HTTP protocol with TCP_NODELAY (see its docstring for why).
- ``review.cli``: what ``artgate serve``, ``artgate token create`` and ``artgate recheck`` run.
- ``review.audit_source``: the store's current versions as the nightly audit's corpus.
- ``review.web``: the reviewer dashboard, server-rendered pages on the same app (each with a JSON twin).
"""
