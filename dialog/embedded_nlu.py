"""The embedded NLU: free text understood in-process when no Rasa server is configured, or when it is down.

A character n-gram TF-IDF and a logistic regression (scikit-learn), trained from the same YAML as Rasa
(dialog/nlu/data), out-of-scope intent included. scikit-learn costs ~110 MB of RSS once imported, more than the
web and RQ processes may grow (150 MB target), so it runs only in a short-lived child process that trains the
model and hands back its numbers; this process keeps a vocabulary and a weight table (a few MB) and scores a
message with them: the same sums scikit-learn's `predict_proba` does (tests/nlu/test_embedded_nlu.py checks that
both agree). Built lazily, at the first free text a process sees. Imports nothing of the application.
"""
from __future__ import annotations

import base64
import json
import logging
import math
import os
import re
import subprocess
import sys
import threading
import time
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .nlu import corpus
from .nlu_client import Understanding

__all__ = ["EmbeddedClassifier", "LinearModel", "EntityFinder", "features", "normalise", "fit", "numbers_of", "train",
           "build", "shared"]

log = logging.getLogger(__name__)
BUILD_TIMEOUT = 180  # seconds for the child process: import scikit-learn, read the YAML, train
RETRY_AFTER = 300  # seconds before a failed build is tried again
MAX_TEXT_CHARS = 500
REGULARISATION = 10.0  # C of the logistic regression, chosen on the validation split

_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Arabic letters typed interchangeably on phones: hamza-carrying alefs, final ta marbuta and alef maqsura.
_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_NOT_A_LETTER = re.compile(r"[^\w]+")
_NUMBER = re.compile(r"\b\d+\b")


def normalise(text: str) -> str:
    """Lower case, no accents or Arabic short vowels, one spelling of the variant letters, every digit a 0."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_EASTERN_DIGITS))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_ARABIC_VARIANTS)
    # A number means nothing by its digits ("2611482735"), only by its shape: a reference, a PIN, a count. Digits
    # inside a word are letters of Latin-script Darija (3 = ع, 7 = ح, 9 = ق: "m3a", "ch7al") and stay.
    return _NUMBER.sub(lambda number: "0" * len(number.group()), _NOT_A_LETTER.sub(" ", bare.replace("_", " "))).strip()


def features(text: str) -> list[str]:
    """Its words, and every 2- to 5-character piece of the text, across word boundaries (spelling drift, missing
    accents, words run together or split: "lextrait", "l extrait")."""
    padded = f" {normalise(text)} "
    grams = [padded[i:i + n] for n in range(2, 6) for i in range(len(padded) - n + 1)]
    return [f"w:{word}" for word in padded.split()] + grams


@dataclass(frozen=True)
class LinearModel:
    """A trained TF-IDF + logistic regression, as plain numbers: feature -> column, idf and weights per class."""

    classes: tuple[str, ...]
    columns: dict[str, int]
    idf: array  # float32, one per feature
    weights: array  # float32, row-major: feature after feature, one weight per class
    intercepts: tuple[float, ...]

    @classmethod
    def from_numbers(cls, numbers: dict) -> LinearModel:
        """From numbers_of's output: float arrays travel as base64 bytes (a JSON list of floats costs 10x more)."""
        return cls(tuple(numbers["classes"]), {name: column for column, name in enumerate(numbers["columns"])},
                   _floats(numbers["idf"]), _floats(numbers["weights"]), tuple(numbers["intercept"]))

    def ranking(self, text: str) -> list[tuple[str, float]]:
        """Every intent with its probability, most likely first."""
        found = Counter(column for column in map(self.columns.get, features(text)) if column is not None)
        # As TfidfVectorizer(sublinear_tf=True): (1 + log tf) * idf, then scaled to unit length.
        tfidf = {column: (1 + math.log(count)) * self.idf[column] for column, count in found.items()}
        norm = math.sqrt(sum(value * value for value in tfidf.values())) or 1.0
        scores = list(self.intercepts)
        width = len(self.classes)
        for column, value in tfidf.items():
            for k in range(width):
                scores[k] += self.weights[column * width + k] * value / norm
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return sorted(zip(self.classes, (e / total for e in exps)), key=lambda pair: -pair[1])


def fit(examples: list[corpus.Example]):
    """The fitted scikit-learn vectorizer and model (imported here: only the child process pays for them)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectorizer.fit_transform([example.text for example in examples])
    # newton-cg: 10x faster here than the default lbfgs on these few hundred sparse rows. Balanced: out-of-scope
    # has five times the examples of an intent, and must not win for that reason alone.
    model = LogisticRegression(C=REGULARISATION, solver="newton-cg", max_iter=1000, class_weight="balanced")
    return vectorizer, model.fit(matrix, [example.intent for example in examples])


def numbers_of(vectorizer, model) -> dict:
    """A fitted vectorizer and model as JSON-ready numbers, for LinearModel.from_numbers."""
    coef, intercept = model.coef_.tolist(), model.intercept_.tolist()
    if len(model.classes_) == 2:  # one row z for the second class: softmax of (-z/2, z/2) is its sigmoid
        coef = [[-w / 2 for w in coef[0]], [w / 2 for w in coef[0]]]
        intercept = [-intercept[0] / 2, intercept[0] / 2]
    columns = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return {"classes": [str(name) for name in model.classes_], "intercept": intercept, "columns": columns,
            "idf": _encoded(vectorizer.idf_.tolist()), "weights": _encoded(w for row in zip(*coef) for w in row)}


def _encoded(floats) -> str:
    return base64.b64encode(array("f", floats).tobytes()).decode("ascii")


def _floats(encoded: str) -> array:
    floats = array("f")
    floats.frombytes(base64.b64decode(encoded))
    return floats


def train(examples: list[corpus.Example]) -> dict:
    """Fit the model with scikit-learn; plain numbers out."""
    return numbers_of(*fit(examples))


def build(data_dir: Path = corpus.DATA_DIR, python: str = sys.executable,
          timeout: float = BUILD_TIMEOUT) -> LinearModel:
    """Train in a child process and keep only the numbers; raises when the child fails."""
    # One BLAS thread: the child shares the machine with the process that waits for it.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([python, "-m", "dialog.embedded_nlu", str(data_dir)], capture_output=True,
                          timeout=timeout, cwd=Path(__file__).resolve().parents[1], env=env)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"embedded NLU training exited with {done.returncode}: {tail[0]}")
    return LinearModel.from_numbers(json.loads(done.stdout))


class EmbeddedClassifier:
    """The in-process NLU, with NluClient's `parse`: built at first use, None while it cannot be built."""

    def __init__(self, build_model: Callable[[], LinearModel] | None = None,
                 clock: Callable[[], float] = time.monotonic, data_dir: Path = corpus.DATA_DIR):
        self._build = build_model or (lambda: build(data_dir))
        self._clock, self._data_dir = clock, data_dir
        self._model: LinearModel | None = None
        self._entities: EntityFinder | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def parse(self, text: str) -> Understanding | None:
        """What `text` most likely means, the ranking of every intent and the entities found; None if no model."""
        if not text or not text.strip():
            return None
        model = self.model()
        if model is None:
            return None
        text = text[:MAX_TEXT_CHARS]
        ranking = model.ranking(text)
        return Understanding(ranking[0][0], ranking[0][1], self._entities.find(text), tuple(ranking))

    def model(self) -> LinearModel | None:
        """The trained model, building it on first call (once, whatever the threads); None while it fails."""
        with self._lock:
            if self._model is None and (self._failed_at is None or self._clock() - self._failed_at > RETRY_AFTER):
                started = self._clock()
                try:
                    self._entities = EntityFinder(corpus.patterns(self._data_dir), corpus.lookups(self._data_dir))
                    self._model = self._build()
                except Exception as error:  # no model: free text falls back to keywords and the menu
                    self._failed_at = self._clock()
                    log.warning("embedded NLU not built: %s", error)
                else:
                    log.info("embedded NLU built in %.1f s (%d features)", self._clock() - started,
                             len(self._model.columns))
            return self._model


_SHARED: dict[Path, EmbeddedClassifier] = {}
_SHARED_LOCK = threading.Lock()


def shared(data_dir: Path = corpus.DATA_DIR) -> EmbeddedClassifier:
    """The process's classifier for `data_dir`: every composition root of the process shares one model."""
    with _SHARED_LOCK:
        return _SHARED.setdefault(data_dir, EmbeddedClassifier(data_dir=data_dir))


class EntityFinder:
    """The entities Rasa finds by pattern or lookup (RegexEntityExtractor): references, PINs, documents."""

    def __init__(self, patterns: dict[str, list[str]], lookups: dict[str, dict[str, str]]):
        # A PIN first: a reference must never be cut out of its fifteen digits.
        order = sorted(patterns, key=lambda name: name != "pin")
        self._patterns = [(name, re.compile("|".join(patterns[name]))) for name in order]
        self._lookups = {name: sorted(words.items(), key=lambda pair: -len(pair[0]))
                         for name, words in lookups.items() if name == "doc_type"}

    def find(self, text: str) -> dict[str, str]:
        found, taken = {}, []
        for name, pattern in self._patterns:
            for match in pattern.finditer(text):
                if name not in found and not any(s < match.end() and match.start() < e for s, e in taken):
                    found[name] = match.group()
                    taken.append(match.span())
        lowered = text.lower()
        for name, words in self._lookups.items():
            value = next((value for word, value in words
                          if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered)), None)
            if value is not None:
                found[name] = value
        return found


def _main(argv: list[str]) -> int:
    """Child process: train from the YAML under argv[0] and print the model's numbers as JSON."""
    data_dir = Path(argv[0]) if argv else corpus.DATA_DIR
    examples = corpus.training_examples(data_dir) if data_dir.is_dir() else []
    if not examples:
        print(f"no training examples under {str(data_dir)!r}", file=sys.stderr)
        return 1
    json.dump(train(examples), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
