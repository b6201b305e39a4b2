"""The NLU's data: training, validation and held-out sets that never share a sentence, and cover what the models
must tell apart (every intent in every language and script, out-of-scope messages in each)."""
from __future__ import annotations

import difflib
import re
from collections import Counter

import pytest

from dialog.embedded_nlu import normalise
from dialog.nlu import calibration, corpus

NEAR_COPY = 0.93  # SequenceMatcher ratio of two normalised sentences from which one is a light rewording
IN_SCOPE_SPLITS = tuple(split for split in corpus.SPLITS if split != corpus.OUT_OF_SCOPE)
TRAINING_FILES = ("fr", "ar", "en", "darija_ar", "darija_latin")
INTENTS = {*calibration.FLOW_INTENTS, "affirm", "deny", "cancel"}


def _worded(example: corpus.Example) -> str | None:
    """The sentence, normalised, when it has words to compare ("PAY 2611482735" is a keyword and a number)."""
    text = normalise(example.text)
    return text if len(re.sub(r"0+", " ", text).split()) >= 2 else None


def near_copies(sentences: list[corpus.Example], of: list[corpus.Example]) -> list[str]:
    """Each sentence equal to one of `of` once normalised, or nearly the same words."""
    known = {normalise(example.text): example for example in of}
    worded = [text for text in map(_worded, of) if text]
    found = []
    for example in sentences:
        text = normalise(example.text)
        close = difflib.get_close_matches(text, worded, n=1, cutoff=NEAR_COPY) if _worded(example) else []
        if text in known or close:
            found.append(f"[{example.split}] {example.text!r} ~ {(close or [text])[0]!r}")
    return found


def every(directory) -> list[corpus.Example]:
    return [example for split in corpus.SPLITS for example in corpus.split_examples(split, directory)]


def test_no_held_out_sentence_is_trained_on_nor_a_near_copy_of_a_training_one():
    assert near_copies(every(corpus.HELDOUT_DIR), corpus.training_examples()) == []


def test_no_validation_sentence_is_trained_on_nor_a_near_copy_of_a_training_one():
    assert near_copies(every(corpus.VALIDATION_DIR), corpus.training_examples()) == []


def test_validation_and_held_out_sentences_are_different_ones():
    assert near_copies(every(corpus.VALIDATION_DIR), every(corpus.HELDOUT_DIR)) == []


def test_a_copy_with_other_accents_and_digits_is_caught():
    trained = [corpus.Example("fr", "track", "où en est ma commande 2611482735")]

    assert near_copies([corpus.Example("fr", "track", "Ou en est ma commande 3318204476 ?")], trained)
    assert not near_copies([corpus.Example("fr", "track", "je voudrais suivre mon dossier")], trained)


@pytest.mark.parametrize("directory", [corpus.HELDOUT_DIR, corpus.VALIDATION_DIR], ids=["heldout", "validation"])
@pytest.mark.parametrize("split", IN_SCOPE_SPLITS)
def test_every_language_split_has_every_intent(directory, split):
    counts = Counter(example.intent for example in corpus.split_examples(split, directory))

    assert set(counts) == INTENTS
    assert min(counts.values()) >= 3


@pytest.mark.parametrize("name", TRAINING_FILES)
def test_each_language_and_script_trains_every_intent_and_fifty_out_of_scope_messages(name):
    counts = Counter(example.intent for example in corpus.examples_in(corpus.DATA_DIR / f"{name}.yml"))

    assert set(counts) == INTENTS | {corpus.OUT_OF_SCOPE}
    assert counts[corpus.OUT_OF_SCOPE] >= 50
    assert counts["complain"] >= 20  # late, not received, wrong data, payment, rejected: each in every language


def test_several_hundred_out_of_scope_messages_are_trained_on_and_a_hundred_more_kept_apart():
    trained = [e for e in corpus.training_examples() if e.intent == corpus.OUT_OF_SCOPE]
    held_out = corpus.split_examples(corpus.OUT_OF_SCOPE)

    assert len(trained) >= 300
    assert len(held_out) >= 80 and {e.intent for e in held_out} == {corpus.OUT_OF_SCOPE}
