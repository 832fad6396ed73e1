"""Webhooks: registration, HMAC signatures, and the delivery worker that empties the outbox.

A decision's transaction writes its event and one ``deliveries`` row per
active webhook (``workflow._event``); nothing is sent on the request path. The
worker (a thread in each service process) claims due rows with a lease, POSTs
the payload with ``X-Artgate-Signature: sha256=<hex HMAC-SHA256 of the body>``,
and records the outcome on the row: a 2xx marks it delivered; anything else
(an error status, a refused connection, a timeout) schedules the next attempt
with exponential back-off, up to ``max_attempts``, after which the row stays
as ``failed`` for an admin to retry. A receiver that is down or slow therefore
never slows a request and loses no event; a service that dies mid-send
leaves the lease to expire and the row is sent again (deliveries are
at-least-once; ``X-Artgate-Delivery`` lets a receiver drop duplicates).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update

from .db import Database
from .models import Delivery, Webhook, utcnow
from .tokens import Actor
from .workflow import InvalidInput, NotFound

log = logging.getLogger("artgate.webhooks")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Artgate-Signature`` header value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


def _webhook_dict(w: Webhook) -> dict:
    return {"id": w.id, "url": w.url, "active": w.active, "created_by": w.created_by,
            "created_at": w.created_at.isoformat()}


def create_webhook(db: Database, actor: Actor, url: str, secret: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("the webhook URL must be an absolute http:// or https:// URL", "url")
    if len(secret) < 16:
        raise InvalidInput("the webhook secret must be at least 16 characters", "secret")
    with db.transaction() as s:
        w = Webhook(url=url, secret=secret, active=True, created_by=actor.name, created_at=utcnow())
        s.add(w)
        s.flush()
        return _webhook_dict(w)


def list_webhooks(db: Database) -> list[dict]:
    with db.session() as s:
        return [_webhook_dict(w) for w in s.scalars(select(Webhook).order_by(Webhook.id))]


def deactivate_webhook(db: Database, webhook_id: int) -> dict:
    """Stop queueing deliveries for a webhook (its past deliveries stay on record)."""
    with db.transaction() as s:
        w = s.get(Webhook, webhook_id)
        if w is None:
            raise NotFound(f"no webhook with id {webhook_id}", "webhook_id")
        w.active = False
        return _webhook_dict(w)


def delivery_dict(d: Delivery) -> dict:
    return {"id": d.id, "webhook_id": d.webhook_id, "event_id": d.event_id, "status": d.status,
            "attempts": d.attempts, "next_attempt_at": d.next_attempt_at.isoformat(), "last_status": d.last_status,
            "last_error": d.last_error, "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            "created_at": d.created_at.isoformat()}


def list_deliveries(db: Database, webhook_id: int, limit: int = 100) -> list[dict]:
    with db.session() as s:
        if s.get(Webhook, webhook_id) is None:
            raise NotFound(f"no webhook with id {webhook_id}", "webhook_id")
        return [delivery_dict(d) for d in s.scalars(select(Delivery).where(Delivery.webhook_id == webhook_id)
                                                   .order_by(Delivery.id.desc()).limit(limit))]


def retry_delivery(db: Database, webhook_id: int, delivery_id: int) -> dict:
    """Queue a failed (or any) delivery to be sent again now."""
    with db.transaction() as s:
        d = s.get(Delivery, delivery_id)
        if d is None or d.webhook_id != webhook_id:
            raise NotFound(f"webhook {webhook_id} has no delivery {delivery_id}", "delivery_id")
        if d.status != "delivered":
            d.status, d.next_attempt_at, d.lease_until = "pending", utcnow(), None
        s.info["outbox"] = True
        return delivery_dict(d)


@dataclass
class RetryPolicy:
    base_delay: float = 2.0  # seconds before the 2nd attempt; doubled each time
    max_delay: float = 900.0
    max_attempts: int = 12  # 2 s, 4 s … 512 s, then 900 s: about 45 minutes of trying

    def delay(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` failed attempts, with jitter so receivers are not stampeded."""
        return min(self.max_delay, self.base_delay * 2 ** (attempts - 1)) * random.uniform(0.8, 1.0)


class DeliveryWorker:
    """Sends due deliveries in a background thread; ``run_once`` does one pass (tests call it directly)."""

    def __init__(self, db: Database, policy: RetryPolicy | None = None, *, timeout: float = 5.0,
                 poll: float = 1.0, lease: float = 60.0, batch: int = 20):
        self.db, self.policy, self.timeout, self.poll, self.lease, self.batch = (
            db, policy or RetryPolicy(), timeout, poll, lease, batch)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self.db.outbox_listeners.append(self.wake)
        self._thread = threading.Thread(target=self._loop, name="artgate-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
        if self.wake in self.db.outbox_listeners:
            self.db.outbox_listeners.remove(self.wake)
        if self._client is not None:
            self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_once()
            except Exception:  # a database outage must not kill the worker: log it and try again later
                log.exception("webhook delivery pass failed; retrying in %.0f s", self.poll)
                sent = 0
            if not sent:
                self._wake.wait(self.poll)
                self._wake.clear()

    def _claim(self) -> list[tuple[int, str, str, str, int]]:
        now = utcnow()
        with self.db.session() as s:
            due = s.scalars(select(Delivery.id).where(
                Delivery.status == "pending", Delivery.next_attempt_at <= now,
                or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            ).order_by(Delivery.next_attempt_at).limit(self.batch)).all()
        claimed = []
        for did in due:
            with self.db.transaction() as s:
                got = s.execute(update(Delivery).where(
                    Delivery.id == did, Delivery.status == "pending",
                    or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
                ).values(lease_until=now + timedelta(seconds=self.lease))).rowcount
                if got == 1:
                    row = s.execute(select(Delivery.id, Webhook.url, Webhook.secret, Delivery.payload,
                                           Delivery.attempts).join(Webhook, Webhook.id == Delivery.webhook_id)
                                    .where(Delivery.id == did)).one()
                    claimed.append(tuple(row))
        return claimed

    def run_once(self) -> int:
        """Send every delivery that is due now; returns how many were attempted."""
        claimed = self._claim()
        if claimed and self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=False)
        for did, url, secret, payload, attempts in claimed:
            self._send(did, url, secret, payload, attempts)
        return len(claimed)

    def _send(self, did: int, url: str, secret: str, payload: str, attempts: int) -> None:
        body = payload.encode("utf-8")
        event = str(json.loads(payload).get("event", ""))
        headers = {"Content-Type": "application/json", "User-Agent": "artgate-webhooks/1",
                   "X-Artgate-Signature": sign(secret, body), "X-Artgate-Delivery": str(did),
                   "X-Artgate-Event": event}
        status, error = None, ""
        try:
            response = self._client.post(url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        now = utcnow()
        values: dict = {"attempts": attempts + 1, "last_status": status, "last_error": error, "lease_until": None}
        if not error:
            values.update(status="delivered", delivered_at=now)
        elif attempts + 1 >= self.policy.max_attempts:
            values.update(status="failed")
            log.warning("webhook delivery %s to %s failed %d times; giving up: %s", did, url, attempts + 1, error)
        else:
            values.update(next_attempt_at=now + timedelta(seconds=self.policy.delay(attempts + 1)))
        with self.db.transaction() as s:
            s.execute(update(Delivery).where(Delivery.id == did).values(**values))
