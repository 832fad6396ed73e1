"""``artgate lsp``: the Language Server Protocol over stdio, for the editor a writer already uses.

- **Diagnostics**: one per finding that is not suppressed, on its first piece of
  evidence (the exact characters the report quotes), the others as related
  locations; blocker → Error, warning → Warning, info → Information; the rule
  id is the code. The document is checked on open and on save at once, and
  after changes once typing pauses (``debounce_ms``, default 300 ms), so a burst
  of keystrokes costs one check. A result that arrives after a newer edit is
  dropped, never shown on the wrong text.
- **Hover** on a claim (its root or movement, else anywhere in its sentence):
  the claim as extracted and what the reference table says, with its sources.
- **Code actions**: where a rule suggests a term ("plantar dorsiflexion" →
  "dorsiflexion"), replace the evidence with it (keeping capitals); for every
  finding, add the ``artgate-disable RULE:`` directive before each paragraph
  holding its evidence, with the cursor's place for the reason left empty: a
  directive without a reason is reported and not honoured, so the writer has
  to say why before the finding is silenced.

Checks run one at a time in a worker thread (the language pipeline is built
once, at start-up) through ``flows.check.check_article``, as ``artgate check``
does. ``initializationOptions`` may give ``{"config": "path/to/artgate.toml",
"debounceMs": 300}``; without a config, the nearest ``artgate.toml`` (or
``pyproject.toml`` with ``[tool.artgate]``) above each document is used.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from extractors.types import Assertion, Finding, Report
from flows.check import check_article

from .documents import Buffer, path_of
from .positions import Lines

log = logging.getLogger("artgate.lsp")

SEVERITY = {"blocker": t.DiagnosticSeverity.Error, "warning": t.DiagnosticSeverity.Warning,
            "info": t.DiagnosticSeverity.Information}
DEFAULT_DEBOUNCE_MS = 300
_TERM = re.compile(r"[^\W\d_][\w'’ -]{0,58}")  # a suggestion that is a wording, not advice


class ArtgateServer(LanguageServer):
    """The server's state: open buffers, their last reports, pending checks."""

    def __init__(self, config: str | None = None, debounce_ms: int = DEFAULT_DEBOUNCE_MS):
        from rules.engine import ruleset_version

        super().__init__("artgate", ruleset_version(config), text_document_sync_kind=t.TextDocumentSyncKind.Full)
        self.config = config
        self.debounce = debounce_ms / 1000
        self.buffers: dict[str, Buffer] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="artgate-check")

    # -- checking ----------------------------------------------------------------------------------------

    def config_for(self, uri: str) -> str | None:
        """The configuration given at start-up, else the nearest one above the document (or the defaults)."""
        if self.config:
            return self.config
        from rules.config import find_config

        path = path_of(uri)
        if path == uri:
            return None
        found = find_config(Path(path).parent)
        return str(found) if found else None

    def check_now(self, buffer: Buffer) -> Report:
        return check_article(buffer.article, self.config_for(buffer.uri))

    async def check(self, uri: str) -> None:
        """Check the buffer as it is now and publish, unless it changed while the check ran."""
        buffer = self.buffers.get(uri)
        if buffer is None:
            return
        report = buffer.report or await asyncio.get_running_loop().run_in_executor(self.checker, self.check_now,
                                                                                   buffer)
        if self.buffers.get(uri) is not buffer:
            return  # edited or closed meanwhile: the newer text gets its own check
        buffer.report = report
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
            uri=uri, version=buffer.version, diagnostics=diagnostics(buffer, self.encoding)))

    def schedule(self, uri: str, delay: float) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        async def later() -> None:
            if delay:
                await asyncio.sleep(delay)
            try:
                await self.check(uri)
            except Exception:  # one failed check is logged; the server and the other documents go on
                log.exception("checking %s failed", uri)
            finally:
                if self.pending.get(uri) is task:
                    del self.pending[uri]

        task = asyncio.ensure_future(later())
        self.pending[uri] = task

    async def current(self, uri: str) -> Buffer | None:
        """The buffer with a report on its current text (checked now if an edit is still waiting)."""
        buffer = self.buffers.get(uri)
        if buffer is not None and buffer.report is None:
            buffer.report = await asyncio.get_running_loop().run_in_executor(self.checker, self.check_now, buffer)
        return buffer

    @property
    def encoding(self) -> str:
        try:
            return str(self.workspace.position_encoding or "utf-16")
        except RuntimeError:  # before initialize
            return "utf-16"

    def open(self, uri: str, text: str, version: int | None, language_id: str | None) -> None:
        self.buffers[uri] = Buffer.read(uri, text, version, language_id)


# -- what the client sees ----------------------------------------------------------------------------------


def _range(buffer: Buffer, lines: Lines, start: int, end: int) -> t.Range:
    (sl, sc), (el, ec) = lines.position(buffer.to_file(start)), lines.position(buffer.to_file(end))
    return t.Range(start=t.Position(line=sl, character=sc), end=t.Position(line=el, character=ec))


def _finding_range(buffer: Buffer, lines: Lines, f: Finding) -> t.Range:
    if f.evidence:
        return _range(buffer, lines, f.evidence[0].start, f.evidence[0].end)
    start, end = buffer.article.title_span  # an ingest problem or a finding about the whole article
    return _range(buffer, lines, start, end)


def diagnostics(buffer: Buffer, encoding: str) -> list[t.Diagnostic]:
    lines = Lines(buffer.text, encoding)
    out = []
    for f in buffer.report.findings if buffer.report else ():
        if f.suppressed:
            continue
        message = f.message + (f"\nsuggestion: {f.suggestion}" if f.suggestion else "")
        related = [t.DiagnosticRelatedInformation(
            location=t.Location(uri=buffer.uri, range=_range(buffer, lines, ev.start, ev.end)),
            message=f"{ev.section or 'evidence'}: {ev.text[:120]}") for ev in f.evidence[1:]]
        out.append(t.Diagnostic(range=_finding_range(buffer, lines, f), message=message,
                                severity=SEVERITY[f.severity], code=f.rule, source="artgate",
                                related_information=related or None, data={"finding": f.id}))
    return out


def _label(target: str) -> str:
    return target.replace("_", " ")


def _claims_at(report: Report, offset: int) -> list[Assertion]:
    on_words = [a for a in report.assertions
                if a.root_start <= offset < a.root_end or a.target_start <= offset < a.target_end]
    return on_words or [a for a in report.assertions if a.start <= offset < a.end]


def describe_claim(a: Assertion, reference) -> str:
    """The claim and the reference table's answer, in Markdown."""
    how = [a.polarity, "given as the main root" if a.primary else "", f"confidence {a.confidence:.2f}"]
    lines = [f"**{a.root} → {_label(a.target)}** ({a.target_kind}) · {' · '.join(h for h in how if h)}",
             f"section: {a.section}" + (f" › {a.subsection}" if a.subsection and a.subsection != a.section else "")]
    entry = reference.entries.get(a.target)
    if entry is None:
        lines.append(f"Reference table ({reference.title} {reference.version}): {_label(a.target)} is not in it.")
        return "\n\n".join(lines)
    answer = f"{', '.join(entry.standard)} (primary {entry.primary})"
    if entry.variants:
        answer += f"; some sources also give {', '.join(entry.variants)}"
    if a.root == entry.primary:
        standing = f"{a.root} is its primary root"
    elif a.root in entry.standard:
        standing = f"{a.root} is in its standard set"
    elif a.root in entry.variants:
        standing = f"{a.root} is a variant only some sources give (disputed)"
    else:
        standing = f"{a.root} is not among its roots"
    if a.polarity == "negated":
        standing += "; the article denies it"
    elif a.polarity == "uncertain":
        standing += "; the article only suggests it"
    given = entry.sources_for(a.root)
    lines += [f"Reference table ({reference.title} {reference.version}): {_label(a.target)} is {answer}. "
              f"{standing}.",
              (f"Sources giving {a.root}: " + "; ".join(given)) if given else
              f"No source consulted gives {a.root}.",
              "Sources consulted: " + "; ".join(entry.sources)]
    return "\n\n".join(lines)


def hover(buffer: Buffer, position: t.Position, encoding: str, reference) -> t.Hover | None:
    lines = Lines(buffer.text, encoding)
    offset = buffer.from_file(lines.offset(position.line, position.character))
    if offset is None or buffer.report is None:
        return None
    claims = list(dict.fromkeys((a.root, a.target, a.polarity) for a in _claims_at(buffer.report, offset)))
    if not claims:
        return None
    chosen = [next(a for a in buffer.report.assertions if (a.root, a.target, a.polarity) == key) for key in claims]
    first = chosen[0]
    span = ((first.root_start, first.root_end) if first.root_start <= offset < first.root_end
            else (first.target_start, first.target_end) if first.target_start <= offset < first.target_end
            else (first.start, first.end))
    text = "\n\n---\n\n".join(describe_claim(a, reference) for a in chosen)
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=text),
                   range=_range(buffer, lines, *span))


def _cased(found: str, term: str) -> str:
    """``term`` written with the capitals of the words it replaces ("Plantar Dorsiflexion" → "Dorsiflexion")."""
    if found.isupper() and len(found) > 1:
        return term.upper()
    words = found.split()
    if len(words) > 1 and all(w[:1].isupper() for w in words):
        return " ".join(w[:1].upper() + w[1:] for w in term.split(" "))
    return term[:1].upper() + term[1:] if found[:1].isupper() else term


def _replaceable(f: Finding) -> bool:
    """A suggestion that is a wording to put in place of the evidence (a term), not advice."""
    return bool(f.suggestion and _TERM.fullmatch(f.suggestion) and f.evidence and
                all(len(ev.text) <= 80 and "\n" not in ev.text for ev in f.evidence))


def _directive(buffer: Buffer, rule: str) -> str:
    if buffer.body_format in ("markdown", "html"):
        return f"<!-- artgate-disable {rule}: -->"
    return f"[artgate-disable {rule}: ]"


def _block_start(buffer: Buffer, offset: int) -> int:
    for b in buffer.article.blocks:
        if b.start <= offset < b.end:
            return b.start
    return offset


def code_actions(buffer: Buffer, rng: t.Range, encoding: str) -> list[t.CodeAction]:
    if buffer.report is None:
        return []
    lines = Lines(buffer.text, encoding)
    lo, hi = lines.offset(rng.start.line, rng.start.character), lines.offset(rng.end.line, rng.end.character)
    body = Lines(buffer.article.text)
    out: list[t.CodeAction] = []
    diags = {d.data["finding"]: d for d in diagnostics(buffer, encoding)}
    for f in buffer.report.findings:
        if f.suppressed or not f.evidence:
            continue
        spans = [(buffer.to_file(ev.start), buffer.to_file(ev.end)) for ev in f.evidence]
        if not any(s <= hi and lo <= e for s, e in spans):
            continue
        diag = [diags[f.id]] if f.id in diags else None
        if _replaceable(f):
            edits = [t.TextEdit(range=_range(buffer, lines, ev.start, ev.end),
                                new_text=buffer.escape(_cased(ev.text, f.suggestion))) for ev in f.evidence]
            what = f"'{f.evidence[0].text}'" if len(f.evidence) == 1 else f"{len(f.evidence)} uses"
            out.append(t.CodeAction(title=f"Replace {what} with '{f.suggestion}' ({f.rule})",
                                    kind=t.CodeActionKind.QuickFix, diagnostics=diag, is_preferred=True,
                                    edit=t.WorkspaceEdit(changes={buffer.uri: edits})))
        inserts = []
        for start in sorted({_block_start(buffer, ev.start) for ev in f.evidence}):
            at = body.line_start(start)
            indent = re.match(r"[ \t]*", buffer.article.text[at:start]).group()
            pos = _range(buffer, lines, at, at).start
            inserts.append(t.TextEdit(range=t.Range(start=pos, end=pos),
                                      new_text=buffer.escape(f"{indent}{_directive(buffer, f.rule)}\n")))
        where = "this paragraph" if len(inserts) == 1 else f"the {len(inserts)} paragraphs of its evidence"
        out.append(t.CodeAction(title=f"Suppress {f.rule} for {where} (then write the reason after the colon)",
                                kind=t.CodeActionKind.QuickFix, diagnostics=diag,
                                edit=t.WorkspaceEdit(changes={buffer.uri: inserts})))
    return out


# -- the protocol ------------------------------------------------------------------------------------------


def build(config: str | None = None, debounce_ms: int = DEFAULT_DEBOUNCE_MS) -> ArtgateServer:
    server = ArtgateServer(config, debounce_ms)

    @server.feature(t.INITIALIZE)
    def initialize(ls: ArtgateServer, params: t.InitializeParams) -> None:
        options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        if isinstance(options.get("config"), str) and options["config"]:
            from rules.engine import load_ruleset

            load_ruleset(options["config"])  # a bad file fails the initialisation, naming it
            ls.config = options["config"]
        if isinstance(options.get("debounceMs"), int | float) and options["debounceMs"] >= 0:
            ls.debounce = options["debounceMs"] / 1000

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ArtgateServer, params: t.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        ls.open(doc.uri, doc.text, doc.version, doc.language_id)
        ls.schedule(doc.uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ArtgateServer, params: t.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        old = ls.buffers.get(uri)
        text = ls.workspace.get_text_document(uri).source
        ls.open(uri, text, params.text_document.version, None if old is None else _language(old))
        ls.schedule(uri, ls.debounce)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE, t.SaveOptions(include_text=True))
    def did_save(ls: ArtgateServer, params: t.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        old = ls.buffers.get(uri)
        if params.text is not None and (old is None or params.text != old.text):
            ls.open(uri, params.text, None if old is None else old.version, None if old is None else _language(old))
        ls.schedule(uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ArtgateServer, params: t.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.buffers.pop(uri, None)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: ArtgateServer, params: t.HoverParams) -> t.Hover | None:
        buffer = await ls.current(params.text_document.uri)
        if buffer is None:
            return None
        from rules.engine import load_ruleset

        return hover(buffer, params.position, ls.encoding, load_ruleset(ls.config_for(buffer.uri)).reference)

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
    async def on_code_action(ls: ArtgateServer, params: t.CodeActionParams) -> list[t.CodeAction] | None:
        buffer = await ls.current(params.text_document.uri)
        if buffer is None:
            return None
        return code_actions(buffer, params.range, ls.encoding)

    @server.feature(t.SHUTDOWN)
    def shutdown(ls: ArtgateServer, *_args) -> None:
        for task in ls.pending.values():
            task.cancel()
        ls.pending.clear()

    return server


def _language(buffer: Buffer) -> str:
    return {"text": "plaintext"}.get(buffer.fmt, buffer.fmt)


def serve(config: str | None = None, debounce_ms: int = DEFAULT_DEBOUNCE_MS) -> int:
    """Build the pipeline, then speak LSP on stdin/stdout until the client says exit."""
    from extractors.pipeline import get_nlp
    from rules.engine import load_ruleset

    load_ruleset(config)  # a bad configuration is a one-line error before the editor connects
    get_nlp()  # the first diagnostics then come as fast as the later ones
    build(config, debounce_ms).start_io()
    return 0
