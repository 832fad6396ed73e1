"""Webhooks: signed deliveries through the outbox, retried with back-off, never slowing the API."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from review.models import Delivery
from review.webhooks import DeliveryWorker, RetryPolicy, sign, verify

from .conftest import CORRECTED, ORACLE, People, free_port

SECRET = "a-shared-secret-of-some-length"


class Receiver:
    """A local HTTP receiver that fails its first ``fail`` requests, recording each one.

    With ``hold`` set it does not answer until ``release()``: a receiver that hangs.
    """

    def __init__(self, fail: int = 0, hold: bool = False):
        self.fail, self.requests = fail, []
        self.released = threading.Event()
        if not hold:
            self.released.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body, time.monotonic()))
                outer.released.wait(30)
                code = 500 if len(outer.requests) <= outer.fail else 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def register(client, people, url):
    r = client.post("/api/v1/webhooks", json={"url": url, "secret": SECRET}, headers=People.auth(people.ada))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def submit(client, people, external_id="w1", body=CORRECTED):
    r = client.post("/api/v1/articles", json={"external_id": external_id, "title": "t", "body": body},
                    headers=People.auth(people.alice))
    assert r.status_code == 201
    return r.json()


def deliveries(db):
    with db.session() as s:
        return s.scalars(select(Delivery).order_by(Delivery.id)).all()


def test_signature_is_hmac_sha256_of_the_body():
    body = b'{"event": "submitted"}'
    import hashlib
    import hmac

    assert sign(SECRET, body) == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert verify(SECRET, body, sign(SECRET, body)) and not verify("other-secret-xxxxxxx", body, sign(SECRET, body))


def test_a_delivery_is_signed_and_carries_the_contract_fields(client, db, people):
    with Receiver() as rx:
        hook = register(client, people, rx.url)
        a = submit(client, people)
        assert DeliveryWorker(db).run_once() == 1
        headers, body, _ = rx.requests[0]
        assert verify(SECRET, body, headers["X-Artgate-Signature"])
        payload = json.loads(body)
        assert {k: payload[k] for k in ("event", "article_id", "external_id", "version", "status", "verdict")} == {
            "event": "submitted", "article_id": a["id"], "external_id": "w1", "version": 1, "status": "submitted",
            "verdict": "pass"}
        assert headers["X-Artgate-Event"] == "submitted" and headers["X-Artgate-Delivery"]
        [d] = client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=People.auth(people.ada)).json()["deliveries"]
        assert d["status"] == "delivered" and d["attempts"] == 1


def test_status_changes_and_waivers_are_announced(client, db, people):
    with Receiver() as rx:
        register(client, people, rx.url)
        a = submit(client, people, "w2", ORACLE)
        client.post(f"/api/v1/articles/{a['id']}/transitions", json={"to": "in_review"},
                    headers=People.auth(people.rob))
        client.post(f"/api/v1/articles/{a['id']}/findings/f1/waive", json={"reason": "r"},
                    headers=People.auth(people.rob))
        worker = DeliveryWorker(db)
        while worker.run_once():
            pass
        events = [json.loads(b)["event"] for _, b, _ in rx.requests]
        assert events == ["submitted", "status_changed", "waived"]
        assert json.loads(rx.requests[1][1])["status"] == "in_review"


def test_a_failing_receiver_is_retried_with_back_off_until_it_succeeds(client, db, people):
    with Receiver(fail=2) as rx:
        register(client, people, rx.url)
        submit(client, people)
        worker = DeliveryWorker(db, RetryPolicy(base_delay=0.2, max_attempts=5))
        assert worker.run_once() == 1
        [d] = deliveries(db)
        assert (d.status, d.attempts, d.last_status) == ("pending", 1, 500)
        assert worker.run_once() == 0  # not due yet: the back-off holds it
        deadline = time.monotonic() + 10
        while deliveries(db)[0].status != "delivered" and time.monotonic() < deadline:
            worker.run_once()
            time.sleep(0.02)
        [d] = deliveries(db)
        assert (d.status, d.attempts) == ("delivered", 3)
        gaps = [b[2] - a[2] for a, b in zip(rx.requests, rx.requests[1:], strict=False)]
        assert gaps[0] >= 0.15 and gaps[1] >= 0.3  # 0.2 s then 0.4 s, less at most 20% jitter
        assert len({b for _, b, _ in rx.requests}) == 1  # the same event each time


def test_a_dead_receiver_loses_nothing_and_an_admin_can_retry(client, db, people):
    dead = f"http://127.0.0.1:{free_port()}/nobody-listens"
    hook = register(client, people, dead)
    submit(client, people)
    worker = DeliveryWorker(db, RetryPolicy(base_delay=0.01, max_attempts=2), timeout=1)
    worker.run_once()
    time.sleep(0.05)
    worker.run_once()
    [d] = deliveries(db)
    assert d.status == "failed" and d.attempts == 2 and "Connect" in d.last_error
    with Receiver() as rx:
        from review.models import Webhook

        with db.transaction() as s:  # the receiver is back, at a new address
            s.get(Webhook, hook).url = rx.url
        r = client.post(f"/api/v1/webhooks/{hook}/deliveries/{d.id}/retry", headers=People.auth(people.ada))
        assert r.json()["status"] == "pending"
        worker.run_once()
        assert deliveries(db)[0].status == "delivered" and len(rx.requests) == 1


@pytest.fixture
def served(db, people):
    """The app with its delivery worker running, as ``artgate serve`` runs it."""
    from fastapi.testclient import TestClient

    from review.api import Settings, create_app

    app = create_app(Settings(warm=False, retry=RetryPolicy(base_delay=0.1)), db)
    with TestClient(app) as c:
        yield c


def test_a_hanging_receiver_never_holds_up_the_api(served, db, people):
    with Receiver(hold=True) as rx:
        register(served, people, rx.url)
        submit(served, people, "first")
        deadline = time.monotonic() + 20
        while not rx.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(rx.requests) == 1  # the worker is now stuck waiting on the receiver
        for i in range(3):  # ... and the API answers all the same
            submit(served, people, f"more-{i}", CORRECTED + f"\nVariant {i}.\n")
        assert len(rx.requests) == 1 and not rx.released.is_set()
        rx.released.set()
        while len(rx.requests) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(rx.requests) == 4
        deadline = time.monotonic() + 10
        while any(d.status != "delivered" for d in deliveries(db)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert {d.status for d in deliveries(db)} == {"delivered"}


def test_a_webhook_url_must_be_http(client, people):
    r = client.post("/api/v1/webhooks", json={"url": "file:///etc/passwd", "secret": SECRET},
                    headers=People.auth(people.ada))
    assert r.status_code == 422 and r.json()["field"] == "url"
