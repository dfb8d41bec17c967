"""A local HTTP server on 127.0.0.1 responding like OpenAlex, Semantic Scholar, arXiv and Google Scholar.

The responses are built from the JSON, XML and HTML files in ``fixtures/``, in
each API's documented shape and with its pagination (OpenAlex cursors,
Semantic Scholar offsets). Faults are queued per path prefix: ``403``, ``500``,
``429:<seconds>`` (with Retry-After), ``sleep:<seconds>``, ``malformed``
and ``captcha``. Every request is recorded in ``hits``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from efficientdl.pipeline.sources import SourceSettings

FIXTURES = Path(__file__).parent / "fixtures"

#: A minimal PDF body (the download checks only the magic bytes and the size).
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class FakeApis:
    """The state behind the server: fixture data, queued faults and recorded hits."""

    def __init__(self) -> None:
        self.works = {w["id"].rsplit("/", 1)[-1]: w for w in json.loads((FIXTURES / "openalex_works.json").read_text())}
        s2 = json.loads((FIXTURES / "s2_papers.json").read_text())
        self.s2_papers, self.s2_refs, self.s2_cits = s2["papers"], s2["references"], s2["citations"]
        self.openalex_page = 1
        self.s2_page = 2
        self.faults: list[tuple[str, str]] = []
        self.hits: list[str] = []
        self.lock = threading.Lock()

    def fault(self, prefix: str, action: str, times: int = 1) -> None:
        self.faults.extend([(prefix, action)] * times)

    def take_fault(self, target: str) -> str | None:
        with self.lock:
            for i, (prefix, action) in enumerate(self.faults):
                if target.startswith(prefix):
                    del self.faults[i]
                    return action
        return None

    def hits_under(self, prefix: str) -> list[str]:
        return [h for h in self.hits if h.startswith(prefix)]

    # -- OpenAlex ---------------------------------------------------------------------------

    def _openalex_find(self, key: str) -> dict | None:
        if key in self.works:
            return self.works[key]
        if key.lower().startswith("doi:"):
            doi = key[4:].lower()
            for work in self.works.values():
                if (work.get("doi") or "").lower().endswith(doi):
                    return work
                if doi.startswith("10.48550/arxiv."):
                    arxiv_id = doi.split("arxiv.", 1)[1]
                    if any(arxiv_id in (loc.get("landing_page_url") or "") for loc in work.get("locations") or []):
                        return work
        return None

    def openalex(self, path: str, query: dict[str, str]):
        if path.startswith("/openalex/works/"):
            work = self._openalex_find(unquote(path[len("/openalex/works/") :]))
            return (200, "application/json", json.dumps(work)) if work else (404, "application/json", '{"error": "not found"}')

        flt = query.get("filter", "")
        if flt.startswith("openalex:"):
            results = [self.works[w] for w in flt.split(":", 1)[1].split("|") if w in self.works]
            return 200, "application/json", json.dumps({"meta": {"count": len(results), "next_cursor": None}, "results": results})
        if flt.startswith("cites:"):
            target = flt.split(":", 1)[1]
            citing = [w for w in self.works.values() if any(r.endswith("/" + target) for r in w.get("referenced_works") or [])]
            start = 0 if query.get("cursor", "*") == "*" else int(query["cursor"])
            page = citing[start : start + self.openalex_page]
            nxt = str(start + self.openalex_page) if start + self.openalex_page < len(citing) else None
            return 200, "application/json", json.dumps({"meta": {"count": len(citing), "next_cursor": nxt}, "results": page})
        if flt.startswith("title.search:"):
            words = flt.split(":", 1)[1].lower()
            results = [w for w in self.works.values() if words in w["display_name"].lower()]
            return 200, "application/json", json.dumps({"meta": {"count": len(results), "next_cursor": None}, "results": results})
        return 400, "application/json", '{"error": "unsupported filter"}'

    # -- Semantic Scholar --------------------------------------------------------------------

    def _s2_find(self, key: str) -> dict | None:
        if key in self.s2_papers:
            return self.s2_papers[key]
        kind, _, value = key.partition(":")
        for paper in self.s2_papers.values():
            ext = paper.get("externalIds") or {}
            if kind == "arXiv" and ext.get("ArXiv") == value:
                return paper
            if kind == "DOI" and (ext.get("DOI") or "").lower() == value.lower():
                return paper
        return None

    def s2(self, path: str, query: dict[str, str]):
        parts = path[len("/s2/paper/") :].split("/")
        if parts[0] == "search":
            words = query.get("query", "").lower()
            data = [p for p in self.s2_papers.values() if words and words in p["title"].lower().replace(":", "")]
            return 200, "application/json", json.dumps({"total": len(data), "offset": 0, "data": data})
        paper = self._s2_find(unquote(parts[0]))
        if paper is None:
            return 404, "application/json", '{"error": "Paper not found"}'
        if len(parts) == 1:
            return 200, "application/json", json.dumps(paper)

        endpoint = parts[1]
        ids = (self.s2_refs if endpoint == "references" else self.s2_cits).get(paper["paperId"], [])
        key = "citedPaper" if endpoint == "references" else "citingPaper"
        offset = int(query.get("offset", 0))
        size = min(int(query.get("limit", 100)), self.s2_page)
        body = {"offset": offset, "data": [{key: self.s2_papers[i]} for i in ids[offset : offset + size]]}
        if offset + size < len(ids):
            body["next"] = offset + size
        return 200, "application/json", json.dumps(body)

    # -- arXiv and Scholar --------------------------------------------------------------------

    def arxiv(self, path: str, query: dict[str, str]):
        name = f"arxiv_{query.get('id_list')}.xml"
        body = (FIXTURES / name).read_text() if (FIXTURES / name).exists() else (FIXTURES / "arxiv_empty.xml").read_text()
        return 200, "application/atom+xml; charset=utf-8", body

    def scholar(self, path: str, query: dict[str, str]):
        if "cites" in query:
            name = "scholar_citedby.html" if query["cites"] == "9281510746729853742" else None
        else:
            name = "scholar_search.html" if "residual" in query.get("q", "").lower() or "1512.03385" in query.get("q", "") else None
        body = (FIXTURES / name).read_text() if name else "<html><body><div id='gs_res_glb'></div></body></html>"
        return 200, "text/html; charset=UTF-8", body

    def pdf(self, path: str):
        name = path.rsplit("/", 1)[-1]
        if name == "html":
            return 200, "text/html", b"<html>not a pdf</html>"
        if name == "nomagic":
            return 200, "application/pdf", b"<html>" + b"x" * 100
        if name == "big":
            return 200, "application/pdf", PDF_BYTES + b"0" * 300_000
        return 200, "application/pdf", PDF_BYTES

    def answer(self, target: str):
        split = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        if split.path.startswith("/openalex/"):
            return self.openalex(split.path, query)
        if split.path.startswith("/s2/paper/"):
            return self.s2(split.path, query)
        if split.path.startswith("/arxiv/"):
            return self.arxiv(split.path, query)
        if split.path.startswith("/scholar"):
            return self.scholar(split.path, query)
        if split.path.startswith("/pdf/"):
            return self.pdf(split.path)
        return 404, "text/plain", "no such route"


def _make_handler(apis: FakeApis):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, content_type: str, body, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            with apis.lock:
                apis.hits.append(self.path)
            action = apis.take_fault(self.path)
            if action == "403":
                return self._send(403, "text/html", "<html>Forbidden</html>")
            if action == "500":
                return self._send(500, "application/json", '{"error": "internal"}')
            if action and action.startswith("429"):
                return self._send(429, "application/json", '{"error": "rate limited"}', {"Retry-After": action.split(":")[1]})
            if action and action.startswith("sleep"):
                time.sleep(float(action.split(":")[1]))
            if action == "malformed":
                return self._send(200, "application/json", '{"results": [ {"id": "W1", ')
            if action == "captcha":
                return self._send(200, "text/html", (FIXTURES / "scholar_captcha.html").read_text())
            status, content_type, body = apis.answer(self.path)
            self._send(status, content_type, body)

    return Handler


@pytest.fixture
def api_server():
    """Start the fake APIs on a free port of 127.0.0.1; yield (base URL, FakeApis)."""
    apis = FakeApis()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(apis))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", apis
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api_env(api_server, monkeypatch, tmp_path):
    """Point every online source at the fake server through its environment variable."""
    base, apis = api_server
    monkeypatch.setenv("EFFICIENTDL_OPENALEX_URL", f"{base}/openalex")
    monkeypatch.setenv("EFFICIENTDL_S2_URL", f"{base}/s2")
    monkeypatch.setenv("EFFICIENTDL_ARXIV_URL", f"{base}/arxiv/query")
    monkeypatch.setenv("EFFICIENTDL_ARXIV_PDF_URL", f"{base}/pdf")
    monkeypatch.setenv("EFFICIENTDL_SCHOLAR_URL", base)
    monkeypatch.setenv("EFFICIENTDL_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("OPENALEX_API_KEY", "OPENALEX_MAILTO", "S2_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return base, apis


@pytest.fixture
def fast_settings(tmp_path) -> SourceSettings:
    """Transport settings for tests: no waits between requests, short timeouts and backoff."""
    return SourceSettings(
        cache_dir=tmp_path / "cache", timeout=0.4, max_retries=2, backoff=0.02, min_interval=0.0
    )


@pytest.fixture
def pdf_bytes() -> bytes:
    """Return the body the fake server sends for an arXiv PDF."""
    return PDF_BYTES
