"""`khabar`: one CLI for ingest, search, ask and serve. Errors are one line on stderr and an exit code."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index.config import offline_env

from .config import Settings

EXIT_USAGE, EXIT_INPUT, EXIT_SETUP = 2, 3, 4


def _settings() -> Settings:
    offline_env()
    return Settings()


def cmd_ingest(args, settings: Settings) -> int:
    from index.embed import LazyEmbedder, load_embedder
    from index.feeds import ingest_url, is_url
    from index.fetch import FetchError
    from index.ingest import ingest, resume
    from index.store import Store

    if args.path and is_url(args.path):  # a web page or an RSS/Atom feed
        if args.prune:
            return _fail("--prune works on a folder, not a URL", EXIT_USAGE)
        from index.fetch import Fetcher

        try:
            with Fetcher(settings) as fetcher:
                fetcher.check(args.path)  # a refused address fails before any model loads
                # the model loads only when something new or changed has to be embedded
                report = ingest_url(args.path, Store(settings), LazyEmbedder(settings), settings, fetcher)
        except FetchError as exc:
            return _fail(f"{exc.code}: {exc.message}", EXIT_INPUT)
        return _print_report(report, args)
    path = Path(args.path) if args.path else settings.articles_dir
    if not path.exists():
        return _fail(f"no such file or folder: {path}", EXIT_INPUT)
    store, embedder = Store(settings), load_embedder(settings)
    resume(store, embedder, settings)  # first what a crash left half-written
    report = ingest(path, store, embedder, settings, prune=args.prune, progress=sys.stderr.isatty())
    return _print_report(report, args)


def _print_report(report, args) -> int:
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(f"articles {report.articles}  chunks {report.chunks}  added {report.added}  updated {report.updated}  "
              f"deleted {report.deleted}  unchanged {report.unchanged}  ({report.seconds:.1f}s)")
        if report.relabelled:
            print(f"relabelled {report.relabelled} chunks (date / outlet / url changed, not re-embedded)")
        for s in report.skipped:
            print(f"skipped {s.file}: {s.reason}")
        for d in report.duplicates:
            print(f"near-duplicate {d.file}: kept {d.duplicate_of} (similarity {d.similarity:.2f})")
    return 0


def cmd_search(args, settings: Settings) -> int:
    from qa.pipeline import Pipeline, clean_question

    from index.meta import hit_json, public

    q = clean_question(args.question, settings.max_question_chars)
    where = _where(args)
    pipe = Pipeline.from_settings(settings, llm="none")
    hits = pipe.search(q, args.k, where=where)
    if args.json:
        print(json.dumps([hit_json(h) for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("no results (is the index empty? run `khabar ingest`)" if where is None else "no results for these filters")
    for i, h in enumerate(hits, 1):
        print(f"{i}. [{h.score:.3f}] {h.title}  ({h.chunk_id}){_byline(public(h.metadata))}\n"
              f"   {' '.join(h.text.split())[:400]}\n")
    return 0


def cmd_ask(args, settings: Settings) -> int:
    from qa.pipeline import Pipeline, clean_question

    q = clean_question(args.question, settings.max_question_chars)
    where = _where(args)
    pipe = Pipeline.from_settings(settings, llm="none" if args.llm == "none" else None)
    answer = pipe.ask(q, k=args.k, where=where)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return 0
    print(answer.answer)
    for c in answer.citations:
        print(f"  [{c.n}] {c.title} ({c.chunk_id}){_byline(c.to_dict())}\n      {c.quote}")
    return 0


def _where(args) -> dict | None:
    """--since / --until / --source as a Chroma where (index/meta.py); a bad date is a usage error."""
    from index.meta import parse_date_arg, where

    try:
        return where(parse_date_arg(args.since), parse_date_arg(args.until), args.source)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _byline(fields: dict) -> str:
    parts = [p for p in (fields.get("source"), fields.get("published")) if p]
    return "  " + " · ".join(parts) if parts else ""


class UsageError(ValueError):
    pass


def cmd_serve(args, settings: Settings) -> int:
    from ui.server import serve

    if args.llm:
        settings.llm = args.llm
    return serve(settings, host=args.host or settings.host, port=args.port or settings.port)


def _fail(message: str, code: int) -> int:
    print(f"khabar: error: {message}", file=sys.stderr)
    return code


def _filters(s: argparse.ArgumentParser) -> None:
    s.add_argument("--since", metavar="YYYY-MM-DD", help="only articles published on or after this date")
    s.add_argument("--until", metavar="YYYY-MM-DD", help="only articles published on or before this date")
    s.add_argument("--source", metavar="OUTLET", help="only these outlets (comma-separated, any case)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="khabar", description="Questions about news articles, answered with citations.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("ingest", help="index a folder of .txt/.md/.html articles (default: the bundled ones), "
                                      "a web page URL or an RSS/Atom feed URL")
    s.add_argument("path", nargs="?", help="file, folder, or http(s) URL of a page or a feed")
    s.add_argument("--prune", action="store_true", help="delete articles that are no longer in PATH")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ingest)
    s = sub.add_parser("search", help="ranked passages for a question")
    s.add_argument("question")
    s.add_argument("-k", type=int, default=None, help="passages (default KHABAR_TOP_K)")
    s.add_argument("--json", action="store_true")
    _filters(s)
    s.set_defaults(func=cmd_search)
    s = sub.add_parser("ask", help="a cited answer in the question's language")
    s.add_argument("question")
    s.add_argument("-k", type=int, default=None, help="passages retrieved (default KHABAR_TOP_K)")
    s.add_argument("--llm", choices=["none", "local", "openai"], default=None,
                   help="none: extractive answers without an LLM")
    s.add_argument("--json", action="store_true")
    _filters(s)
    s.set_defaults(func=cmd_ask)
    s = sub.add_parser("serve", help="index the bundled articles if the index is empty, then serve chat + REST")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.add_argument("--llm", choices=["none", "local", "openai"], default=None)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = _settings()
    except Exception as exc:  # pydantic validation of KHABAR_* values
        return _fail(f"bad configuration: {exc}".splitlines()[0], EXIT_USAGE)
    if getattr(args, "k", None) is not None and not 1 <= args.k <= 50:
        return _fail("-k must be between 1 and 50", EXIT_USAGE)
    from index.models import ModelError
    from qa.answer import QuestionError

    try:
        return args.func(args, settings)
    except QuestionError as exc:
        return _fail(f"{exc.code}: {exc.message}", EXIT_INPUT)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except (ModelError, FileNotFoundError) as exc:
        return _fail(str(exc), EXIT_SETUP)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: one line, never a traceback
        return _fail(f"{type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    sys.exit(main())
