"""Answer evaluation: cited-answer rate on the public questions, refusal on the out-of-scope set, verbatim check,
latency. Used by `helpdesk eval --answers` and by the tests."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import yaml

from catalogue.settings import PROJECT_ROOT
from indexer.evaluate import load_questions, percentile

OUT_OF_SCOPE_FILE = PROJECT_ROOT / "benchmarks" / "out_of_scope.yaml"
# Everyday employer HR questions, reported apart: set 1 was later used to choose out-of-scope topics (so it is no
# longer held out); set 2 was written before that change and never used for tuning.
HOLDOUT_FILES = {
    "holdout1": PROJECT_ROOT / "benchmarks" / "out_of_scope_holdout.yaml",
    "holdout2": PROJECT_ROOT / "benchmarks" / "out_of_scope_holdout2.yaml",
}
# Questions from real employers' FAQ pages (answerable ones labelled, others `relevant: []`), written while the
# catalogue's employer questions were written and by someone else. The holdout set was used to choose among a few
# settings (question_weight, the refusal features); the test set, from other sites, was measured only at the end.
FAQ_HOLDOUT_FILE = PROJECT_ROOT / "benchmarks" / "questions_faq_holdout.yaml"
FAQ_FILES = {"faq_holdout": FAQ_HOLDOUT_FILE, "faq_test": PROJECT_ROOT / "benchmarks" / "questions_faq_test.yaml"}
# Pooled relevance judgements: each section an answer cited (public and FAQ sets, under several settings), judged by
# reviewers who saw only the question and that section's text, not the labels nor which setting cited it. A second
# measure beside the labels; a cited section nobody has judged counts as not relevant and is counted apart.
JUDGEMENTS_FILE = PROJECT_ROOT / "benchmarks" / "judgements.jsonl"
MARKER = re.compile(r"\s*\[(\d+)\]")


def load_out_of_scope(path: Path = OUT_OF_SCOPE_FILE) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def quoted_sentences(answer: dict) -> list[tuple[str, int]]:
    """The (sentence, citation number) pairs of an answer text 'Zin. [1] Zin. [2]'."""
    pairs, start = [], 0
    text = answer["answer"]
    for match in MARKER.finditer(text):
        pairs.append((text[start : match.start()].strip(), int(match.group(1))))
        start = match.end()
    return pairs


def verbatim_violations(answer: dict) -> list[str]:
    """Sentences of an answered answer that are not found verbatim in the passage of the citation they name,
    and any answer text that is not such a quoted sentence."""
    if answer["status"] != "answered":
        return []
    passages = {c["n"]: c["passage"] for c in answer["citations"]}
    pairs = quoted_sentences(answer)
    problems = [s for s, n in pairs if not s or n not in passages or s not in passages[n]]
    if not pairs or " ".join(f"{s} [{n}]" for s, n in pairs) != answer["answer"]:
        problems.append("answer text has parts outside quoted sentences")
    return problems


def right_citations(q, answer: dict) -> list[bool]:
    """Per citation of an answered answer, whether it is one of the question's relevant passages ([] otherwise)."""
    if answer["status"] != "answered":
        return []
    return [q.is_relevant({"entry_id": c["entry_id"], "anchor": c["anchor"]}) for c in answer["citations"]]


def load_judgements(path: Path = JUDGEMENTS_FILE) -> dict[tuple[str, str, str], bool]:
    """(question id, entry id, section anchor) → judged relevant."""
    if not Path(path).exists():
        return {}
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["question"], r["entry"], r["section"]): bool(r["relevant"]) for r in rows}


def judged_citations(q, answer: dict, judgements: dict) -> tuple[bool, int]:
    """Whether a cited section of an answered answer is judged relevant, and how many cited sections are unjudged."""
    if answer["status"] != "answered":
        return False, 0
    keys = [(q.id, c["entry_id"], c["anchor"]) for c in answer["citations"]]
    return any(judgements.get(k, False) for k in keys), sum(k not in judgements for k in keys)


def evaluate_answers(assistant) -> dict:
    """Run every public and out-of-scope question through the assistant (each in a new conversation)."""
    questions = load_questions()
    judgements = load_judgements()
    latencies, statuses, correct, first_correct, violations, false_refusals = [], Counter(), 0, 0, [], []
    judged_correct = unjudged = 0
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q.question).to_api()
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[answer["status"]] += 1
        violations += [(q.id, v) for v in verbatim_violations(answer)]
        right = right_citations(q, answer)
        if any(right):
            correct += 1
            first_correct += right[0]
        judged, not_judged = judged_citations(q, answer, judgements)
        judged_correct += judged
        unjudged += not_judged
        if answer["status"] == "no_answer":
            false_refusals.append(q.id)
    out_of_scope = load_out_of_scope()
    refused, answered_oos = 0, []
    for q in out_of_scope:
        started = time.perf_counter()
        answer = assistant.ask(q["question"]).to_api()
        latencies.append((time.perf_counter() - started) * 1000)
        if answer["status"] == "no_answer":
            refused += 1
        else:
            answered_oos.append(q["id"])
    holdouts = {}
    for name, path in HOLDOUT_FILES.items():
        held = load_out_of_scope(path)
        refused_held = sum(assistant.ask(q["question"]).status == "no_answer" for q in held)
        holdouts[name] = {"questions": len(held), "refused": refused_held / len(held)}
    faq = {name: evaluate_faq(assistant, path, judgements) for name, path in FAQ_FILES.items() if path.exists()}
    return {
        "faq": faq,
        "holdout_refusal": holdouts,
        "public_questions": len(questions),
        "answered_with_correct_citation": correct / len(questions),
        "first_citation_correct": first_correct / len(questions),
        "judged_correct_citation": judged_correct / len(questions),
        "unjudged_citations": unjudged,
        "false_refusal": len(false_refusals) / len(questions),
        "statuses": dict(statuses),
        "verbatim_violations": violations,
        "out_of_scope_questions": len(out_of_scope),
        "out_of_scope_refusal": refused / len(out_of_scope),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "false_refusals": false_refusals,
        "answered_out_of_scope": answered_oos,
    }


def evaluate_faq(assistant, path: Path, judgements: dict | None = None) -> dict:
    """Answerable questions: share answered with a correct citation (by the labels and by the judgements), share
    refused; the others: share refused."""
    questions = load_questions(path)
    judgements = load_judgements() if judgements is None else judgements
    answerable = [q for q in questions if q.relevant]
    unanswerable = [q for q in questions if not q.relevant]
    correct = refused = refused_out = judged_correct = unjudged = 0
    for q in answerable:
        answer = assistant.ask(q.question).to_api()
        correct += any(right_citations(q, answer))
        refused += answer["status"] == "no_answer"
        judged, not_judged = judged_citations(q, answer, judgements)
        judged_correct += judged
        unjudged += not_judged
    for q in unanswerable:
        refused_out += assistant.ask(q.question).status == "no_answer"
    return {
        "answerable": len(answerable),
        "answered_with_correct_citation": correct / max(1, len(answerable)),
        "judged_correct_citation": judged_correct / max(1, len(answerable)),
        "unjudged_citations": unjudged,
        "false_refusal": refused / max(1, len(answerable)),
        "unanswerable": len(unanswerable),
        "unanswerable_refused": refused_out / max(1, len(unanswerable)),
    }


def format_answer_report(r: dict) -> str:
    return "\n".join(
        [
            f"publieke vragen: {r['public_questions']}, buiten scope: {r['out_of_scope_questions']}",
            f"beantwoord met juiste bron:  {r['answered_with_correct_citation']:.3f} "
            f"(eerste bron juist: {r['first_citation_correct']:.3f})",
            f"  idem volgens beoordeling:  {r['judged_correct_citation']:.3f} "
            f"(niet beoordeelde bronnen: {r['unjudged_citations']})",
            f"onterecht geweigerd:         {r['false_refusal']:.3f}",
            f"buiten scope geweigerd:      {r['out_of_scope_refusal']:.3f}",
            *(
                f"  idem, {name} ({h['questions']} alledaagse HR-vragen): {h['refused']:.3f}"
                for name, h in r.get("holdout_refusal", {}).items()
            ),
            *(
                f"{name} ({f['answerable']} + {f['unanswerable']} vragen van werkgevers-FAQ's): juiste bron "
                f"{f['answered_with_correct_citation']:.3f} (beoordeling {f['judged_correct_citation']:.3f}, "
                f"{f['unjudged_citations']} niet beoordeeld), onterecht geweigerd {f['false_refusal']:.3f}, "
                f"niet te beantwoorden geweigerd {f['unanswerable_refused']:.3f}"
                for name, f in r.get("faq", {}).items()
            ),
            f"status per soort:            {r['statuses']}",
            f"niet-letterlijke zinnen:     {len(r['verbatim_violations'])}",
            f"latency p50 {r['latency_p50_ms']:.1f} ms, p95 {r['latency_p95_ms']:.1f} ms",
            f"onterecht geweigerd: {', '.join(r['false_refusals']) or '-'}",
            f"buiten scope beantwoord: {', '.join(r['answered_out_of_scope']) or '-'}",
        ]
    )
