"""Score the NLU models on sentences they never saw: macro-F1 per language/script split, and how often a message
is taken into the wrong flow at the app's thresholds (out-of-scope ones above all); or choose those thresholds.

    python -m dialog.nlu.evaluate [--url http://127.0.0.1:5005] [--no-rasa] [--no-embedded] [--errors]
    python -m dialog.nlu.evaluate --calibrate    # thresholds chosen on the validation split

macro_f1 is over the intents a split expects; "(all)" also counts each intent predicted but not expected (an
in-scope message taken for out-of-scope) as a class of F1 0, as scikit-learn's default does.

Runs inside the Rasa environment (.venv-rasa) as well as the service's: it imports nothing of the application.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import calibration
from .corpus import HELDOUT_DIR, OUT_OF_SCOPE, SPLITS, VALIDATION_DIR, Example, split_examples

__all__ = ["SPLITS", "IN_SCOPE_SPLITS", "Prediction", "Score", "predict", "score", "accepted_into_flow",
           "wrongly_accepted", "choose_threshold", "models", "main"]

IN_SCOPE_SPLITS = tuple(split for split in SPLITS if split != OUT_OF_SCOPE)
NO_INTENT = "<none>"
THRESHOLDS = tuple(round(0.30 + 0.05 * step, 2) for step in range(14))  # 0.30 .. 0.95

Pair = tuple[str, str]  # (expected intent, predicted intent)


@dataclass(frozen=True)
class Prediction:
    """What a model said of one example: its top intent and how sure it was."""

    example: Example
    intent: str
    confidence: float

    @property
    def pair(self) -> Pair:
        return self.example.intent, self.intent


@dataclass(frozen=True)
class Score:
    """How well a set of predictions matched."""

    examples: int
    accuracy: float
    macro_f1: float


def predict(parse: Callable[[str], object], examples: list[Example]) -> list[Prediction]:
    """Ask a model (a `parse` returning dialog.nlu_client.Understanding or None) about each example."""
    predictions = []
    for example in examples:
        found = parse(example.text)
        predictions.append(Prediction(example, found.intent, found.confidence) if found is not None
                           else Prediction(example, NO_INTENT, 0.0))
    return predictions


def f1(pairs: list[Pair], label: str) -> float:
    """F1 of one label, treating it as the positive class."""
    true_pos = sum(1 for expected, got in pairs if expected == label and got == label)
    predicted = sum(1 for _, got in pairs if got == label)
    actual = sum(1 for expected, _ in pairs if expected == label)
    if true_pos == 0:
        return 0.0
    precision, recall = true_pos / predicted, true_pos / actual
    return 2 * precision * recall / (precision + recall)


def score(pairs: list[Pair], expected_only: bool = False) -> Score:
    """Accuracy and macro-F1 over every label expected or predicted (scikit-learn's default), or over the expected
    labels only: the intents of a language split, where a message taken for out-of-scope already costs its own
    intent's recall and should not add a class of its own at F1 0."""
    if not pairs:
        return Score(0, 0.0, 0.0)
    labels = {expected for expected, _ in pairs} if expected_only else {label for pair in pairs for label in pair}
    correct = sum(1 for expected, got in pairs if expected == got)
    macro = sum(f1(pairs, label) for label in labels) / len(labels)
    return Score(len(pairs), correct / len(pairs), macro)


def accepted_into_flow(predictions: list[Prediction], threshold: float) -> float:
    """Share of the messages that would open a flow at `threshold` (for out-of-scope ones: every one is wrong)."""
    taken = [p for p in predictions if p.intent in calibration.FLOW_INTENTS and p.confidence >= threshold]
    return len(taken) / len(predictions) if predictions else 0.0


def wrongly_accepted(predictions: list[Prediction], threshold: float) -> float:
    """Share of in-scope messages that would open a flow other than the one meant."""
    wrong = [p for p in predictions if p.intent != p.example.intent and p.intent in calibration.FLOW_INTENTS
             and p.confidence >= threshold]
    return len(wrong) / len(predictions) if predictions else 0.0


def understood_at_once(predictions: list[Prediction], threshold: float) -> float:
    """Share of in-scope messages whose right intent is taken without a clarifying question."""
    right = [p for p in predictions if p.intent == p.example.intent and p.confidence >= threshold]
    return len(right) / len(predictions) if predictions else 0.0


def choose_threshold(in_scope: list[Prediction], out_of_scope: list[Prediction], most_accepted: float) -> float:
    """The lowest threshold keeping out-of-scope and wrong acceptances under their bounds (the highest if none)."""
    for threshold in THRESHOLDS:
        if (accepted_into_flow(out_of_scope, threshold) <= most_accepted
                and wrongly_accepted(in_scope, threshold) <= calibration.WRONG_ACCEPTED):
            return threshold
    return THRESHOLDS[-1]


def split_table(results: dict[str, list[Prediction]], threshold: float) -> list[str]:
    """One row per split: macro-F1 of the top intent, and what the app would do at `threshold`."""
    lines = [f"{'split':<14}{'examples':>9}{'accuracy':>10}{'macro_f1':>10}{'(all)':>7}{'wrong_flow':>12}"
             f"{'at_once':>9}"]
    for split in IN_SCOPE_SPLITS:
        predictions = results[split]
        pairs = [p.pair for p in predictions]
        row, every_label = score(pairs, expected_only=True), score(pairs)
        lines.append(f"{split:<14}{row.examples:>9}{row.accuracy:>10.2f}{row.macro_f1:>10.2f}"
                     f"{every_label.macro_f1:>7.2f}{wrongly_accepted(predictions, threshold):>12.1%}"
                     f"{understood_at_once(predictions, threshold):>9.1%}")
    in_scope = [p for split in IN_SCOPE_SPLITS for p in results[split]]
    lines.append(f"{'in-scope':<14}{len(in_scope):>9}  wrong_flow={wrongly_accepted(in_scope, threshold):.1%}")
    out = results[OUT_OF_SCOPE]
    recognised = sum(p.intent == OUT_OF_SCOPE for p in out) / len(out) if out else 0.0
    lines.append(f"{OUT_OF_SCOPE:<14}{len(out):>9}  recognised={recognised:.1%}"
                 f"  accepted_into_flow={accepted_into_flow(out, threshold):.1%}")
    return lines


def misses(predictions: list[Prediction], threshold: float) -> list[str]:
    """One line per example taken for another intent, for whoever improves the training data."""
    return [f"  [{p.example.split}] {p.example.intent} -> {p.intent} ({p.confidence:.2f}"
            f"{', opens a flow' if p.intent in calibration.FLOW_INTENTS and p.confidence >= threshold else ''}):"
            f" {p.example.text}" for p in predictions if p.intent != p.example.intent]


def models(url: str | None, embedded: bool) -> dict[str, tuple[Callable, float]]:
    """The models to score, by name, with their `parse` and the app's threshold for them."""
    chosen = {}
    if url:
        from dialog.nlu_client import NluClient
        # Generous timeout and no breaker: a slow first parse must not be scored as a wrong answer.
        chosen["rasa"] = (NluClient(url, timeout=10, failure_threshold=10**6).parse, calibration.RASA_ACCEPT)
    if embedded:
        from dialog.embedded_nlu import EmbeddedClassifier
        chosen["embedded"] = (EmbeddedClassifier().parse, calibration.EMBEDDED_ACCEPT)
    return chosen


class Unanswered(Exception):
    """The model answered none of the examples: a server down is not a model that understands nothing."""


def predictions_of(parse: Callable, directory: Path) -> dict[str, list[Prediction]]:
    results = {split: predict(parse, split_examples(split, directory)) for split in SPLITS}
    if all(p.intent == NO_INTENT for predictions in results.values() for p in predictions):
        raise Unanswered("no answer to any example")
    return results


def evaluate(name: str, parse: Callable, threshold: float, errors: bool) -> list[str]:
    results = predictions_of(parse, HELDOUT_DIR)
    lines = [f"{name}: held-out splits, accepted into a flow at confidence >= {threshold:.2f}",
             *split_table(results, threshold)]
    if errors:
        lines += [line for split in SPLITS for line in misses(results[split], threshold)]
    return lines


def calibrate(name: str, parse: Callable) -> list[str]:
    results = predictions_of(parse, VALIDATION_DIR)
    in_scope = [p for split in IN_SCOPE_SPLITS for p in results[split]]
    out = results[OUT_OF_SCOPE]
    lines = [f"{name}: validation split", f"{'threshold':>10}{'oos_accepted':>14}{'wrong_flow':>12}{'at_once':>9}"]
    lines += [f"{t:>10.2f}{accepted_into_flow(out, t):>14.1%}{wrongly_accepted(in_scope, t):>12.1%}"
              f"{understood_at_once(in_scope, t):>9.1%}" for t in THRESHOLDS]
    chosen = choose_threshold(in_scope, out, calibration.OUT_OF_SCOPE_ACCEPTED[name])
    return lines + [f"{name}: chosen threshold {chosen:.2f}"]


def main(argv: list[str] | None = None) -> int:
    """Evaluate (or calibrate) the models asked for and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005", help="base URL of the Rasa server")
    parser.add_argument("--no-rasa", action="store_true", help="skip the Rasa server")
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded classifier")
    parser.add_argument("--errors", action="store_true", help="also list the misclassified examples")
    parser.add_argument("--calibrate", action="store_true", help="choose the thresholds on the validation split")
    args = parser.parse_args(argv)
    logging.getLogger("dialog.nlu_client").setLevel(logging.ERROR)  # one line below says when the server is down
    for name, (parse, threshold) in models(None if args.no_rasa else args.url, not args.no_embedded).items():
        try:
            lines = calibrate(name, parse) if args.calibrate else evaluate(name, parse, threshold, args.errors)
        except Unanswered as error:
            print(f"{name}: {error} (is it running at {args.url}?)", file=sys.stderr)
            return 2
        print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
