// artgate review dashboard: keyboard use and the links between findings and their evidence.
// Every page works without this file; it only adds shortcuts and focus handling.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function reveal(el) {
    el.scrollIntoView({ block: "center", behavior: "instant" });
    el.focus({ preventScroll: true });
  }

  // The nearest ancestor that scrolls on its own (the text pane, the findings pane), or null for the window.
  function pane(el) {
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) { return p; }
    }
    return null;
  }

  // Show an element inside its own pane: that pane scrolls, then the window only as far as needed to show
  // the pane. So selecting a finding and its evidence never scrolls the other pane out of view.
  function revealInPane(el) {
    var box = pane(el);
    if (!box) { reveal(el); return; }
    var r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.top < b.top || r.bottom > b.bottom) {
      box.scrollTop += (r.top - b.top) - (box.clientHeight - Math.min(r.height, box.clientHeight)) / 2;
    }
    b = box.getBoundingClientRect();
    if (b.top < 0 || b.bottom > window.innerHeight) {
      window.scrollBy(0, b.top < 0 || b.height > window.innerHeight ? b.top - 8 : b.bottom - window.innerHeight + 8);
    }
    el.focus({ preventScroll: true });
  }

  // ----- the queue: j/k move through the rows, Enter opens, / searches, f goes to the filters -----
  function queue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
    var at = -1;

    function select(i) {
      if (!rows.length) { return; }
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, k) { r.classList.toggle("current", k === at); });
      var link = rows[at].querySelector("a.row-link");
      reveal(link);
    }

    rows.forEach(function (row, k) {
      row.querySelector("a.row-link").addEventListener("focus", function () {
        at = k;
        rows.forEach(function (r, n) { r.classList.toggle("current", n === k); });
      });
    });

    return {
      j: function () { select(at + 1); },
      k: function () { select(at < 0 ? 0 : at - 1); },
      "/": function () { reveal(document.getElementById("f-q")); },
      f: function () { reveal(document.getElementById("f-status")); }
    };
  }

  // ----- an article: findings <-> highlights, j/k through findings, one key per action -----
  function article() {
    var findings = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
    var text = document.getElementById("article-text");
    var at = -1;

    function marksOf(fid) {
      return text ? text.querySelectorAll('mark[data-findings~="' + fid + '"]') : [];
    }

    function selectFinding(i, focus) {
      if (!findings.length) { return null; }
      at = Math.max(0, Math.min(findings.length - 1, i));
      findings.forEach(function (f, k) { f.classList.toggle("selected", k === at); });
      if (focus !== false) { revealInPane(findings[at]); }
      return findings[at];
    }

    function findingById(fid) {
      for (var k = 0; k < findings.length; k++) {
        if (findings[k].dataset.finding === fid) { return k; }
      }
      return -1;
    }

    // A finding's evidence link: highlight every piece of that finding, scroll to the chosen evidence, focus it.
    function showEvidence(fid, n) {
      if (!text) { return; }
      text.querySelectorAll("mark.current").forEach(function (m) { m.classList.remove("current"); });
      marksOf(fid).forEach(function (m) { m.classList.add("current"); });
      var anchor = document.getElementById("ev-" + fid + "-" + (n || 0));
      var target = anchor;
      while (target && target.tagName !== "MARK") { target = target.nextElementSibling; }
      target = target || marksOf(fid)[0];
      if (target) {
        text.dataset.shown = fid;
        var k = findingById(fid);
        if (k >= 0) { revealInPane(findings[k]); }  // the finding in its pane, then its evidence in the text
        revealInPane(target);
        history.replaceState(null, "", "#ev-" + fid + "-" + (n || 0));
      }
    }

    // A highlight: go to its finding (a piece several findings quote cycles through them on each click);
    // a finding listed on another page of the findings is a link to that page.
    function showFinding(mark) {
      var ids = mark.dataset.findings.split(" ");
      var shown = findings[at] ? findings[at].dataset.finding : "";
      var next = ids[(ids.indexOf(shown) + 1) % ids.length];
      var k = findingById(next);
      if (k >= 0) {
        selectFinding(k);
        history.replaceState(null, "", "#finding-" + next);
      } else if (text.dataset.locate) {
        location.href = text.dataset.locate + next + (text.dataset.version ? "?version=" + text.dataset.version : "");
      }
    }

    // Selecting a sentence in the text fills the form that adds a claim (its text and where it is).
    var addForm = document.getElementById("add-claim");
    function selected() {
      var sel = window.getSelection();
      if (!text || !sel || sel.isCollapsed || !sel.rangeCount) { return null; }
      var range = sel.getRangeAt(0);
      if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) { return null; }
      var before = document.createRange();
      before.selectNodeContents(text);
      before.setEnd(range.startContainer, range.startOffset);
      var said = range.toString(), lead = said.length - said.replace(/^\s+/, "").length;
      said = said.trim().split("\n")[0];
      return said ? { text: said, start: parseInt(text.dataset.offset || "0", 10) + before.toString().length + lead }
        : null;
    }
    function takeSelection() {
      var got = addForm && selected();
      if (!got) { return false; }
      document.getElementById("add-sentence").value = got.text;
      document.getElementById("add-near").value = String(got.start);
      addForm.open = true;
      var box = pane(addForm);
      if (box) { box.scrollTop = Math.max(0, addForm.offsetTop - box.offsetTop - 8); }
      return true;
    }
    if (text && addForm) {
      text.addEventListener("mouseup", function () { setTimeout(takeSelection, 0); });
      text.addEventListener("keyup", function (event) { if (event.shiftKey) { takeSelection(); } });
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest("a.evidence-link");
      if (link) {
        event.preventDefault();
        selectFinding(findingById(link.dataset.finding), false);
        showEvidence(link.dataset.finding, parseInt(link.dataset.evidence, 10));
        return;
      }
      var ref = event.target.closest("a.finding-ref");
      if (ref) {
        event.preventDefault();
        selectFinding(findingById(ref.dataset.finding));
        return;
      }
      var mark = event.target.closest("#article-text mark");
      var sel = window.getSelection();
      if (mark && (!sel || sel.isCollapsed)) { showFinding(mark); }
    });

    findings.forEach(function (f, k) {
      f.addEventListener("focus", function () { at = k; findings.forEach(function (g, n) { g.classList.toggle("selected", n === k); }); });
    });

    document.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) { return; }
      var el = document.activeElement;
      if (el && el.matches("li.finding")) {
        event.preventDefault();
        var link = el.querySelector("a.evidence-link");
        if (link) { showEvidence(el.dataset.finding, 0); }
      } else if (el && el.matches("#article-text mark")) {
        event.preventDefault();
        showFinding(el);
      }
    });

    function focusControl(selector, openDetails) {
      var el = document.querySelector(selector);
      if (!el) { return; }
      if (openDetails) { var d = el.closest("details"); if (d) { d.open = true; } }
      if (el.disabled) {
        var why = document.getElementById("approve-why");
        if (why) { reveal(why); }
        return;
      }
      reveal(el);
    }

    var hash = location.hash.match(/^#finding-(f\d+)$/);
    if (hash && findingById(hash[1]) >= 0) { selectFinding(findingById(hash[1])); }
    var ev = location.hash.match(/^#ev-(f\d+)-(\d+)$/);
    if (ev) { selectFinding(findingById(ev[1]), false); showEvidence(ev[1], parseInt(ev[2], 10)); }

    return {
      j: function () { selectFinding(at + 1); },
      k: function () { selectFinding(at < 0 ? 0 : at - 1); },
      w: function () {
        var f = findings[at] || selectFinding(0, false);
        var input = f && f.querySelector("input.waive-reason");
        if (input) { input.closest("details").open = true; revealInPane(input); }
      },
      n: function () {
        if (!addForm) { return; }
        takeSelection();
        addForm.open = true;
        var field = document.getElementById(document.getElementById("add-sentence").value ? "add-root" : "add-sentence");
        revealInPane(field);
      },
      r: function () { focusControl("#act-review"); },
      c: function () { focusControl("#changes-reason"); },
      a: function () { focusControl("#act-approve"); },
      x: function () { focusControl("#reject-reason", true); },
      g: function () { location.href = "/"; }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.dataset.page;
    var keys = page === "queue" ? queue() : page === "article" ? article() : null;
    if (!keys) { return; }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
      if (typing(event) || event.altKey || event.ctrlKey || event.metaKey) { return; }
      var action = keys[event.key];
      if (action) {
        event.preventDefault();
        action();
      }
    });
  });
})();
