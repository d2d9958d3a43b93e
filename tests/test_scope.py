"""The refusal decision: named persons, the score floor, the logistic model (Dutch) and the key contrast (English)."""

import pytest

from assistant.scope import ScopeChecker, decide_from_signals, in_scope_probability, scope_config

THRESHOLDS = scope_config()["thresholds"]
CLASSIFIER = scope_config()["classifier"]


@pytest.fixture(scope="module")
def checker(searcher):
    return ScopeChecker(searcher)


def signals(**changes):
    """Signals of a typical in-scope Dutch question (the classifier's training means), with changes."""
    base = dict(zip(CLASSIFIER["features"], CLASSIFIER["mean"], strict=True))
    return {"named_person": False, "english": False, "coverage": 0.6, "key_best": 0.93, **base, **changes}


def test_probability_is_the_logistic_of_the_standardised_features():
    assert in_scope_probability(CLASSIFIER["mean"], CLASSIFIER) == pytest.approx(
        1 / (1 + 2.718281828459045 ** -CLASSIFIER["bias"])
    )
    worse = [m - 2 * sd for m, sd in zip(CLASSIFIER["mean"], CLASSIFIER["scale"], strict=True)]
    assert in_scope_probability(worse, CLASSIFIER) < in_scope_probability(CLASSIFIER["mean"], CLASSIFIER)


def test_typical_question_is_answered_and_one_nearer_an_out_of_scope_example_is_refused():
    assert decide_from_signals(signals(), THRESHOLDS, CLASSIFIER).in_scope
    off = decide_from_signals(signals(key_contrast5=-0.1, key_margin=-0.02), THRESHOLDS, CLASSIFIER)
    assert (off.in_scope, off.reason) == (False, "off_topic")


def test_named_person_and_low_score_refuse_before_the_model():
    assert decide_from_signals(signals(named_person=True), THRESHOLDS, CLASSIFIER).reason == "named_person"
    low = decide_from_signals(signals(top_dense=THRESHOLDS["min_top_dense"] - 0.01), THRESHOLDS, CLASSIFIER)
    assert (low.in_scope, low.reason) == (False, "low_score")


def test_english_questions_need_a_key_contrast():
    english = signals(english=True, margin=None, coverage=None, top_dense=0.86)
    assert decide_from_signals({**english, "key_contrast": 0.03}, THRESHOLDS, CLASSIFIER).in_scope
    assert not decide_from_signals({**english, "key_contrast": -0.05}, THRESHOLDS, CLASSIFIER).in_scope


def test_without_employer_questions_the_thresholds_decide():
    no_keys = signals(key_best=None, key_margin=None, key_contrast=None, key_contrast5=None)
    assert decide_from_signals(no_keys, THRESHOLDS, CLASSIFIER).in_scope
    assert decide_from_signals({**no_keys, "coverage": 0.05}, THRESHOLDS, CLASSIFIER).reason == "low_coverage"


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Heeft mijn medewerker Fatima recht op loonkostensubsidie?", True),
        ("Mag ik Jan de Vries ontslaan?", True),
        ("Our employee John is ill, who pays?", True),
        ("When does the employer receive sickness benefits for his employee under the no-risk policy?", False),
        ("Mag ik een werknemer ontslaan terwijl hij ziek is?", False),
        ("Mijn medewerker krijgt loonkostensubsidie, wat nu?", False),
    ],
)
def test_a_named_person_needs_a_capitalised_unknown_name(checker, question, named):
    from indexer.keyword import looks_english

    assert checker.names_a_person(question, looks_english(question)) is named


def test_topic_and_example_vectors_are_cached_beside_the_index(searcher):
    import numpy as np

    from assistant import scope

    texts = ["Hoeveel vakantiedagen krijgt een parttimer?", "Wat is het minimumloon?"]
    scope._VECTOR_CACHE.clear()
    first = scope.cached_vectors(searcher, "queries", texts)
    assert np.allclose(first, searcher.embedder.encode_queries(texts), atol=1e-5)
    files = set(searcher.index_dir.glob("scope-*.npy"))
    scope._VECTOR_CACHE.clear()
    assert np.array_equal(scope.cached_vectors(searcher, "queries", texts), first)  # read back from the file
    assert set(searcher.index_dir.glob("scope-*.npy")) == files
    scope.cached_vectors(searcher, "passages", texts)  # another kind (or text) is another file
    assert len(set(searcher.index_dir.glob("scope-*.npy"))) == len(files) + 1
    ScopeChecker(searcher)  # keeps only the files of the texts in use
    assert len(set(searcher.index_dir.glob("scope-*.npy"))) == 3
