"""What one answer cost and what happened on the way: timings, the checks that fired, the model's raw
text. Kept beside the Answer (Answer.trace), not in it: clients get `timings`, eval reads `notes`."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, fields

from .evidence import Evidence


@dataclass
class Timings:
    """Milliseconds since the question arrived (choose_ms / generate_ms: since generation started)."""
    condense_ms: int | None = None
    retrieve_ms: int | None = None
    evidence_ms: int | None = None
    prompt_tokens: int | None = None  # of the passage-choice prompt (0: code chose the passage, no prompt sent)
    choose_ms: int | None = None
    first_token_ms: int | None = None
    generate_ms: int | None = None
    total_ms: int | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class ModelText:
    """What the model wrote, before code checked it."""
    choice: str | None = None  # the passage the model chose (0 = none); None when code chose
    reply: str | None = None  # a free-text answer, before it was snapped to a span of the evidence
    span: str | None = None  # the answer span in the evidence's language
    translation: str | None = None  # the model's English for the span
    gloss: str | None = None  # its English for the whole cited clause


@dataclass
class Outcome:
    """What an answering step produced: the answer's sentences with the evidence each cites ([] =
    declined), the rules and guards that fired, and the model text they were made from."""
    sentences: list[tuple[str, Evidence]] = field(default_factory=list)
    fired: Counter = field(default_factory=Counter)
    model: ModelText = field(default_factory=ModelText)
    machine_translation: bool = False

    @classmethod
    def of(cls, text: str | None, ev: Evidence | None, *fired: str, **model: str) -> "Outcome":
        """One sentence (or none when text is empty), with what fired on the way."""
        sentences = [(text, ev)] if text and ev is not None else []
        return cls(sentences, Counter(fired), ModelText(**model))

    @property
    def text(self) -> str | None:
        return self.sentences[0][0] if self.sentences else None

    @property
    def evidence(self) -> Evidence | None:
        return self.sentences[0][1] if self.sentences else None

    def after(self, earlier: "Outcome") -> "Outcome":
        """This outcome, with what an earlier step noticed added in front."""
        model = ModelText(**{f.name: getattr(self.model, f.name) or getattr(earlier.model, f.name)
                             for f in fields(ModelText)})
        return Outcome(self.sentences, earlier.fired + self.fired, model,
                       self.machine_translation or earlier.machine_translation)


@dataclass
class Trace:
    timings: Timings = field(default_factory=Timings)
    best_dense: float | None = None  # the best chunk's cosine: what the refusal threshold is compared with
    reason: str | None = None  # refused before the model: "below_threshold" | "entity_missing"
    missing: list[str] = field(default_factory=list)  # names the question has and no passage mentions
    margin: float | None = None  # best evidence sentence's score minus the second's (generate.margin)
    qtype: str | None = None  # what the question asks for (qa/support.py: question_type)
    standalone: str | None = None  # a follow-up as the model rewrote it (None: not a follow-up)
    outcome: Outcome = field(default_factory=Outcome)

    def notes(self) -> dict:
        """Everything but the timings as one flat dict (eval reports, tests): counters, the model's text."""
        out: dict = {}
        if self.best_dense is not None:
            out["best_dense"] = self.best_dense
        if self.reason:
            out["reason"] = self.reason
        if self.missing:
            out["missing"] = list(self.missing)
        if self.qtype:
            out["qtype"] = self.qtype
        if self.standalone:
            out["standalone"] = self.standalone
        if self.margin is not None:
            out["margin"] = self.margin
        out.update(self.outcome.fired)
        model = self.outcome.model
        out.update({"raw" if k == "reply" else k: v for k, v in asdict(model).items() if v is not None})
        if self.outcome.machine_translation:
            out["machine_translation"] = True
        return out
