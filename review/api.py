"""The HTTP API: thin FastAPI routes that translate requests into workflow calls and results into JSON.

The routes are plain (synchronous) functions returning ``JSONResponse`` (the
workflow already gives plain JSON values, so FastAPI need not walk them again),
and FastAPI runs each in its thread pool: the CPU-bound check of a submission never blocks the event loop,
and it runs before the short transaction that stores the version.

Errors are always JSON ``{"error": CODE, "message": "...", "field": "..."}``
with a 4xx status (a 5xx only when the server itself fails, and then without
any detail of the failure, which goes to the server's log).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import decisions, groups, listing, tokens, webhooks, workflow
from .checking import Content, ruleset_version, warm_up
from .checkpool import DEFAULT_CHECK_TIMEOUT_S, shared_pool
from .db import Database, database_url_from_env
from .tokens import Actor

log = logging.getLogger("artgate.api")

API = "/api/v1"
DOCS_ASSETS = "/docs/assets"  # Swagger UI's and ReDoc's scripts and styles, served by the service itself
DEFAULT_MAX_BODY_BYTES = 1_048_576
MAX_ID = 2**63 - 1


@dataclass
class Settings:
    """How one service process runs; ``from_env`` is what each uvicorn worker reads."""

    database_url: str | None = None
    config: str | None = None  # artgate.toml for the ruleset (default: the nearest one)
    runs_dir: str = "artgate-runs"  # the nightly audit's run folders, listed at /api/v1/audits
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    deliver_webhooks: bool = True
    retry: webhooks.RetryPolicy = field(default_factory=webhooks.RetryPolicy)
    warm: bool = True  # build the NLP pipeline at start-up rather than on the first submission
    # session cookies marked Secure: None follows the request's scheme; True behind a TLS proxy that
    # uvicorn does not trust for X-Forwarded-Proto ($ARTGATE_COOKIE_SECURE=1)
    cookie_secure: bool | None = None
    # each check runs in one of this many worker processes per server process, stopped at the deadline
    check_processes: int = 1
    check_timeout_s: float = DEFAULT_CHECK_TIMEOUT_S

    @classmethod
    def from_env(cls) -> Settings:
        return cls(database_url=database_url_from_env(None), config=os.environ.get("ARTGATE_CONFIG") or None,
                   runs_dir=os.environ.get("ARTGATE_RUNS_DIR", "artgate-runs"),
                   max_body_bytes=int(os.environ.get("ARTGATE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
                   cookie_secure=_flag(os.environ.get("ARTGATE_COOKIE_SECURE")),
                   check_processes=int(os.environ.get("ARTGATE_CHECK_PROCESSES", 1)),
                   check_timeout_s=float(os.environ.get("ARTGATE_CHECK_TIMEOUT_S", DEFAULT_CHECK_TIMEOUT_S)))

    def checker(self) -> Callable[[Content], dict]:
        """The check the service runs on a submission: in a worker process, with a deadline."""
        pool = shared_pool(self.config, self.check_processes)
        return lambda content: pool.check(content, self.check_timeout_s)


def _flag(value: str | None) -> bool | None:
    """'1'/'true'/'yes' → True, '0'/'false'/'no' → False, unset or empty → None."""
    if value is None or not value.strip():
        return None
    low = value.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"ARTGATE_COOKIE_SECURE must be 1 or 0, not {value!r}")


# ---------------------------------------------------------------------------------------------------------------
# Request bodies


def _storable(value: str) -> str:
    """Text the store can keep on both databases: PostgreSQL refuses NUL and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text (it contains a lone surrogate)") from exc
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(_storable)]
Reason = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_storable), AfterValidator(_nonblank)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubmitIn(Strict):
    external_id: Annotated[Text, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$",
                                       description="the CMS's stable id of the article")]
    title: Annotated[Text, Field(max_length=500)] = ""
    body: Annotated[Text, Field(min_length=1, description="the article text")]
    format: Literal["text", "markdown", "html"] = "text"


Target = Literal["in_review", "approved", "changes_requested", "rejected"]


class TransitionIn(Strict):
    to: Target
    reason: Annotated[Text, Field(max_length=5000)] = ""


class WaiveIn(Strict):
    reason: Reason


class TokenIn(Strict):
    name: Annotated[Text, Field(min_length=1, max_length=100), AfterValidator(_nonblank)]
    role: Literal["author", "reviewer", "admin"]


class WebhookIn(Strict):
    url: Annotated[Text, Field(min_length=1, max_length=2000)]
    secret: Annotated[Text, Field(min_length=16, max_length=200)]


Polarity = Literal["affirmed", "negated", "uncertain"]
Offset = Annotated[int, Field(ge=0, le=2**31 - 1)]


class ClaimSeen(Strict):
    """The claim as the reviewer saw it: a claim that has changed since is not decided blind."""

    root: Annotated[Text, Field(max_length=8)] | None = None
    target: Annotated[Text, Field(max_length=64)] | None = None
    polarity: Polarity | None = None


class DecisionIn(Strict):
    decision: Literal["wrong", "correct", "confirm", "retract"] = Field(
        description="wrong: the page does not say this (needs a reason); correct: it says it with another root, "
                    "target or polarity; confirm: it does say this; retract: the earlier decision no longer holds")
    reason: Annotated[Text, Field(max_length=5000)] = ""
    root: Annotated[Text, Field(max_length=8)] | None = None
    target: Annotated[Text, Field(max_length=64)] | None = None
    polarity: Polarity | None = None
    expect: ClaimSeen | None = None


class AddClaimIn(Strict):
    root: Annotated[Text, Field(min_length=1, max_length=8)]
    target: Annotated[Text, Field(min_length=1, max_length=64)]
    polarity: Polarity = "affirmed"
    start: Offset | None = Field(None, description="where the selected sentence starts in the version's text")
    end: Offset | None = None
    sentence: Annotated[Text, Field(max_length=5000)] | None = Field(
        None, description="the selected sentence's text, found in the version's text (instead of start and end)")
    near: Offset | None = Field(None, description="with sentence: take the occurrence nearest this offset")
    reason: Annotated[Text, Field(max_length=5000)] = ""


ArticleId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
ObjectId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


# ---------------------------------------------------------------------------------------------------------------
# Errors


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None, **extra):
        self.status, self.code, self.message, self.field, self.extra = status, code, message, field, extra


STATUS_OF = {"invalid": 422, "not_found": 404, "invalid_transition": 409, "blocked": 409,
             "own_submission": 403, "already_waived": 409}
STATUS_OF.update(decisions.ERROR_STATUS)
CODE_OF = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
           406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
           422: "invalid", 429: "too_many_requests", 503: "unavailable"}


def _error(http_status: int, code: str, message: str, field: str | None = None, headers: dict | None = None,
           **extra) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "field": field, **extra}, status_code=http_status,
                        headers=headers)


def _field(loc: tuple) -> str:
    """'title' for ("body", "title"); 'limit' for ("query", "limit"); 'body' for the body as a whole."""
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts) or "body"


def _plain(e: dict) -> tuple[str | None, str]:
    """(field, message) of one validation error, in plain words.

    The request as a whole (no body, not JSON, not an object) has no field: ``body`` is an article's
    field, and must not be blamed for a request that never reached it.
    """
    loc = tuple(e.get("loc", ()))
    kind, ctx = e.get("type", ""), e.get("ctx") or {}
    whole = loc and loc[0] == "body" and all(isinstance(p, int) for p in loc[1:])
    if kind == "json_invalid":
        where = f" (at character {loc[1]})" if len(loc) > 1 else ""
        return None, f"the request body is not valid JSON{where}: {ctx.get('error', 'JSON decode error')}"
    if whole and kind == "missing":
        return None, "the request has no body: send a JSON object with Content-Type: application/json"
    if whole and kind in ("model_attributes_type", "dict_type", "model_type"):
        return None, "the request body must be a JSON object"
    name = _field(loc)
    if kind == "missing":
        return name, f"{name} is required"
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return name, f"{name} must not be empty"
    if kind in ("string_too_short", "too_short"):
        return name, f"{name} must be at least {ctx.get('min_length')} characters"
    if kind in ("string_too_long", "too_long"):
        return name, f"{name} must be at most {ctx.get('max_length')} characters"
    if kind == "extra_forbidden":
        return name, f"{name} is not a field of this request"
    if kind == "value_error":
        return name, f"{name} {str(e.get('msg', '')).removeprefix('Value error, ')}"
    return name, f"{name}: {e.get('msg', 'invalid')}"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = exc.errors()
        if request.url.path.startswith(API) and media != "application/json" and any(
                tuple(e.get("loc", ()))[:1] == ("body",) for e in raw):
            return _error(415, "unsupported_media_type", "send JSON with Content-Type: application/json"
                          + (f" (this request's is {media})" if media else ""), None)
        errors = [dict(zip(("field", "message"), _plain(e), strict=True)) for e in raw]
        first = errors[0] if errors else {"field": None, "message": "the request is not valid"}
        return _error(422, "invalid", first["message"], first["field"], errors=errors)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, exc.code, exc.message, exc.field, headers, **exc.extra)

    @app.exception_handler(workflow.WorkflowError)
    async def refused(_request: Request, exc: workflow.WorkflowError) -> JSONResponse:
        return _error(STATUS_OF.get(exc.code, 422), exc.code, exc.message, exc.field, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "the request was refused"
        return _error(exc.status_code, CODE_OF.get(exc.status_code, "error"), message, None,
                      getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error(500, "internal", "the service failed on this request; the details are in its log")


class BodyLimit:
    """Refuse a request body over ``max_bytes`` with 413 before any route reads it.

    The body is read (at most ``max_bytes`` + 1 bytes) here and replayed to the
    app, so an oversized upload is cut off whether or not it declared its
    Content-Length.
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope, receive, send) -> None:
        response = _error(413, "too_large", f"the request body is over the limit of {self.max_bytes:,} bytes",
                          "body")
        await response(scope, receive, send)


# ---------------------------------------------------------------------------------------------------------------
# The app


bearer = HTTPBearer(auto_error=False, description="an API token made with `artgate token create`")


def require(role: str) -> Callable[..., Actor]:
    """A dependency: the caller's actor, or 401 (no or unknown token) / 403 (a role below ``role``)."""

    def dependency(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
        if credentials is None or not credentials.credentials:
            raise ApiError(401, "unauthorized", "this needs an 'Authorization: Bearer TOKEN' header",
                           "Authorization")
        actor = tokens.authenticate(request.app.state.db, credentials.credentials)
        if actor is None:
            raise ApiError(401, "unauthorized", "the token is unknown or revoked", "Authorization")
        if not actor.can(role):
            raise ApiError(403, "forbidden", f"this needs the {role} role; the token's role is {actor.role}",
                           "Authorization")
        return actor

    return dependency


Author = Annotated[Actor, Depends(require("author"))]
Reviewer = Annotated[Actor, Depends(require("reviewer"))]
Admin = Annotated[Actor, Depends(require("admin"))]


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """The service: migrates the store, then serves the API (and delivers webhooks in the background)."""
    settings = settings or Settings()
    db = db or Database(settings.database_url)
    db.migrate()
    worker = webhooks.DeliveryWorker(db, settings.retry) if settings.deliver_webhooks else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if settings.warm:
            warm_up(settings.config)
            shared_pool(settings.config, settings.check_processes)  # its workers build their pipelines now
        if worker:
            worker.start()
        try:
            yield
        finally:
            if worker:
                worker.stop()

    # /docs and /redoc load Swagger UI and ReDoc from the pinned fastapi-offline package, never from a CDN
    app = FastAPIOffline(title="artgate review gate", version="1", lifespan=lifespan, static_url=DOCS_ASSETS,
                         description="Submit article versions, see their checks, move them through review.")
    app.state.db, app.state.settings, app.state.worker = db, settings, worker
    _install_errors(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    _routes(app, db, settings)
    _claim_routes(app, db, settings)
    from .web import mount  # the dashboard imports this module: mounted once it is complete

    mount(app)
    return app


def app_from_env() -> FastAPI:
    """The factory each uvicorn worker process calls (``artgate serve`` sets the environment)."""
    return create_app(Settings.from_env())


def _routes(app: FastAPI, db: Database, settings: Settings) -> None:
    @app.get("/healthz", tags=["service"])
    def healthz() -> JSONResponse:
        """Liveness and readiness: answers without a token."""
        try:
            db.ping()
        except SQLAlchemyError as exc:  # "not ready"; the reason goes to the log only
            log.warning("health check: database unreachable: %s", exc)
            return JSONResponse({"status": "unavailable", "database": db.dialect}, status_code=503)
        return JSONResponse({"status": "ok", "database": db.dialect, "ruleset": ruleset_version(settings.config)})

    @app.post(f"{API}/articles", status_code=201, tags=["articles"],
              responses={200: {"description": "unchanged (or reverted to an earlier version)"}})
    def submit(body: SubmitIn, actor: Author) -> JSONResponse:
        """Submit an article's content: a new article or version is checked and stored (201)."""
        result = workflow.submit(db, actor, Content(body.external_id, body.title, body.body, body.format),
                                 settings.config, check=settings.checker())
        a = result.article
        return JSONResponse({
            "id": a["id"], "external_id": a["external_id"], "title": a["title"], "version": a["version"],
            "status": a["status"],
            "verdict": a["verdict"], "counts": a["counts"], "outcome": result.outcome, "ruleset": a["ruleset"]},
            status_code=201 if result.outcome in ("created", "new_version") else 200)

    @app.get(f"{API}/articles", tags=["articles"])
    def list_articles(
        _actor: Author,
        status: Literal["submitted", "in_review", "approved", "changes_requested", "rejected"] | None = None,
        verdict: Literal["pass", "blocked"] | None = None,
        rule: Annotated[Text | None, Query(max_length=120)] = None,
        severity: Literal["blocker", "warning", "info"] | None = None,
        external_id: Annotated[Text | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
        cursor: Annotated[Text | None, Query(max_length=500)] = None,
    ) -> JSONResponse:
        """Articles, most recently changed first, with counts per status; pass ``next_cursor`` for more."""
        return JSONResponse(listing.list_articles(db, status=status, verdict=verdict, rule=rule, severity=severity,
                                                  external_id=external_id, limit=limit, cursor=cursor))

    @app.get(f"{API}/articles/{{article_id}}", tags=["articles"])
    def get_article(article_id: ArticleId, _actor: Author) -> JSONResponse:
        return JSONResponse(workflow.get_article(db, article_id))

    @app.get(f"{API}/articles/{{article_id}}/report", tags=["articles"])
    def get_report(article_id: ArticleId, _actor: Author) -> JSONResponse:
        """The current version's report (``artgate.report/1``), waived findings shown as suppressed."""
        return JSONResponse(workflow.report(db, article_id))

    @app.get(f"{API}/articles/{{article_id}}/versions/{{number}}/report", tags=["articles"])
    def get_version_report(article_id: ArticleId, number: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
                           _actor: Author) -> JSONResponse:
        return JSONResponse(workflow.report(db, article_id, number))

    @app.get(f"{API}/articles/{{article_id}}/events", tags=["articles"])
    def get_events(article_id: ArticleId, _actor: Author) -> JSONResponse:
        """The article's history, oldest first."""
        return JSONResponse({"events": workflow.events(db, article_id)})

    @app.post(f"{API}/articles/{{article_id}}/transitions", tags=["review"],
              responses={409: {"description": "blocked by open blockers, or not a valid move from this status"},
                         403: {"description": "the reviewer submitted the current version"}})
    def move(article_id: ArticleId, body: TransitionIn, actor: Reviewer) -> JSONResponse:
        """Move the article through review; approval is refused while a blocker is open."""
        return JSONResponse(workflow.transition(db, actor, article_id, body.to, body.reason))

    @app.post(f"{API}/articles/{{article_id}}/findings/{{finding_id}}/waive", tags=["review"])
    def waive(article_id: ArticleId, finding_id: Annotated[str, PathParam(pattern=r"^f[0-9]{1,9}$")],
              body: WaiveIn, actor: Reviewer) -> JSONResponse:
        """Waive one finding of the current version, with a reason that stays on record."""
        return JSONResponse(workflow.waive(db, actor, article_id, finding_id, body.reason))

    @app.get(f"{API}/tokens", tags=["admin"])
    def get_tokens(_actor: Admin) -> JSONResponse:
        return JSONResponse({"tokens": tokens.list_tokens(db)})

    @app.post(f"{API}/tokens", status_code=201, tags=["admin"])
    def post_token(body: TokenIn, _actor: Admin) -> JSONResponse:
        """Make a token; the response is the only time the token is shown."""
        t = tokens.create_token(db, body.name, body.role)
        return JSONResponse({"id": t.id, "name": t.name, "role": t.role, "token": t.token}, status_code=201)

    @app.delete(f"{API}/tokens/{{token_id}}", tags=["admin"])
    def delete_token(token_id: ObjectId, _actor: Admin) -> JSONResponse:
        t = tokens.revoke_token(db, token_id)
        if t is None:
            raise ApiError(404, "not_found", f"no token with id {token_id}", "token_id")
        return JSONResponse(t)

    @app.get(f"{API}/webhooks", tags=["admin"])
    def get_webhooks(_actor: Admin) -> JSONResponse:
        return JSONResponse({"webhooks": webhooks.list_webhooks(db)})

    @app.post(f"{API}/webhooks", status_code=201, tags=["admin"])
    def post_webhook(body: WebhookIn, actor: Admin) -> JSONResponse:
        """Register a receiver: every verdict or status change is POSTed to it, signed with the secret."""
        return JSONResponse(webhooks.create_webhook(db, actor, body.url, body.secret), status_code=201)

    @app.delete(f"{API}/webhooks/{{webhook_id}}", tags=["admin"])
    def delete_webhook(webhook_id: ObjectId, _actor: Admin) -> JSONResponse:
        return JSONResponse(webhooks.deactivate_webhook(db, webhook_id))

    @app.get(f"{API}/webhooks/{{webhook_id}}/deliveries", tags=["admin"])
    def get_deliveries(webhook_id: ObjectId, _actor: Admin) -> JSONResponse:
        return JSONResponse({"deliveries": webhooks.list_deliveries(db, webhook_id)})

    @app.post(f"{API}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/retry", tags=["admin"])
    def retry(webhook_id: ObjectId, delivery_id: ObjectId, _actor: Admin) -> JSONResponse:
        return JSONResponse(webhooks.retry_delivery(db, webhook_id, delivery_id))

    @app.get(f"{API}/audits", tags=["articles"])
    def audits(_actor: Author) -> JSONResponse:
        """Summaries of the nightly audit's runs found in the service's runs folder, newest first."""
        return JSONResponse({"runs": audit_runs(Path(settings.runs_dir))})


ClaimId = Annotated[str, PathParam(pattern=r"^a[0-9]{1,9}$")]
FindingId = Annotated[str, PathParam(pattern=r"^f[0-9]{1,9}$")]


def _claim_routes(app: FastAPI, db: Database, settings: Settings) -> None:
    """Claim decisions and group waivers (``review.decisions``, ``review.groups``)."""
    refusals = {403: {"description": "the reviewer submitted the current version (four eyes)"},
                409: {"description": "the article is closed, the claim changed meanwhile, or it is already decided"}}

    @app.get(f"{API}/articles/{{article_id}}/claims", tags=["claims"])
    def get_claims(article_id: ArticleId, _actor: Author,
                   version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> JSONResponse:
        """A version's claims with the decision holding on each, its withdrawn claims, and every decision."""
        return JSONResponse(decisions.claims(db, article_id, version))

    @app.post(f"{API}/articles/{{article_id}}/claims/{{claim_id}}/decisions", tags=["claims"], responses=refusals)
    def decide(article_id: ArticleId, claim_id: ClaimId, body: DecisionIn, actor: Reviewer) -> JSONResponse:
        """Mark a claim of the current version wrong, correct it, confirm it, or retract the decision on it.

        The findings follow: those resting only on claims marked wrong are withdrawn, and the rules
        run again over the corrected claims (which may raise new findings).
        """
        return JSONResponse(decisions.decide(
            db, actor, article_id, claim_id, body.decision, reason=body.reason, root=body.root, target=body.target,
            polarity=body.polarity, expect=body.expect.model_dump() if body.expect else None, config=settings.config))

    @app.post(f"{API}/articles/{{article_id}}/claims", status_code=201, tags=["claims"], responses=refusals)
    def add_claim(article_id: ArticleId, body: AddClaimIn, actor: Reviewer) -> JSONResponse:
        """Add a claim the extractor missed, in a sentence of the current version (by offsets or by its text)."""
        return JSONResponse(decisions.add_claim(
            db, actor, article_id, root=body.root, target=body.target, polarity=body.polarity, start=body.start,
            end=body.end, sentence=body.sentence, near=body.near, reason=body.reason, config=settings.config),
            status_code=201)

    @app.post(f"{API}/articles/{{article_id}}/findings/{{finding_id}}/waive-group", tags=["review"],
              responses=refusals)
    def waive_group(article_id: ArticleId, finding_id: FindingId, body: WaiveIn, actor: Reviewer) -> JSONResponse:
        """Waive every open finding of this finding's group (same rule, same message) for one reason."""
        return JSONResponse(groups.waive_group(db, actor, article_id, finding_id, body.reason))


def audit_runs(runs_dir: Path, limit: int = 30) -> list[dict]:
    """The ``summary.json`` of each finished audit run under ``runs_dir`` (unreadable ones are skipped)."""
    out = []
    for path in sorted(runs_dir.glob("*/summary.json"), reverse=True)[:limit]:
        try:
            s = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            log.warning("audit summary %s unreadable: %s", path, exc)
            continue
        out.append({k: s.get(k) for k in ("run_id", "source", "ruleset", "articles", "blocked", "passed",
                                          "bad_items", "findings", "new_findings", "resolved_findings")})
    return out
