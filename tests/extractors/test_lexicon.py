import pytest

from extractors.errors import DataFileError
from extractors.lexicon import lexicon_from_dict, load_lexicon

CONTRACT_TARGETS = {
    "shoulder_abduction", "elbow_flexion", "elbow_extension", "wrist_extension", "wrist_flexion", "finger_flexion",
    "finger_extension", "finger_abduction", "thumb_extension", "hip_flexion", "hip_extension", "hip_abduction",
    "hip_adduction", "knee_extension", "knee_flexion", "ankle_dorsiflexion", "ankle_plantarflexion",
    "great_toe_extension", "foot_inversion", "foot_eversion", "biceps_reflex", "brachioradialis_reflex",
    "triceps_reflex", "patellar_reflex", "achilles_reflex", "medial_hamstring_reflex", "lateral_hamstring_reflex",
}


def test_shipped_lexicon_covers_the_contract_vocabulary():
    lex = load_lexicon()
    assert set(lex.kinds) >= CONTRACT_TARGETS


@pytest.mark.parametrize(("phrase", "target"), [
    ("dorsal extension of the foot", "ankle_dorsiflexion"),
    ("lifting the foot upward toward the shin", "ankle_dorsiflexion"),
    ("foot dorsiflexion", "ankle_dorsiflexion"),
    ("dorsiflexors", "ankle_dorsiflexion"),
    ("knee jerk", "patellar_reflex"),
    ("ankle jerk", "achilles_reflex"),
    ("ankle reflexes", "achilles_reflex"),
    ("big toe extension", "great_toe_extension"),
    ("ehl", "great_toe_extension"),
    ("tibialis anterior", "ankle_dorsiflexion"),
    ("foot drop", "ankle_dorsiflexion"),
    ("toe walking", "ankle_plantarflexion"),
])
def test_synonyms(phrase, target):
    assert load_lexicon().phrases[phrase].target == target


def test_unknown_key_is_rejected_with_the_file_named():
    with pytest.raises(DataFileError, match=r"my\.json.*unknown key"):
        lexicon_from_dict({"targets": {"x": {"kind": "movement", "synonyms": ["x"]}}, "colour": 1}, "my.json")


def test_a_synonym_cannot_name_two_targets():
    data = {"targets": {"a": {"kind": "movement", "synonyms": ["lift"]},
                        "b": {"kind": "movement", "synonyms": ["lift"]}}}
    with pytest.raises(DataFileError, match="already names a"):
        lexicon_from_dict(data, "dup.json")


def test_muscle_must_name_a_known_target():
    data = {"targets": {"a": {"kind": "movement", "synonyms": ["a"]}},
            "muscles": {"m": {"target": "nope", "synonyms": ["m"]}}}
    with pytest.raises(DataFileError, match="unknown target 'nope'"):
        lexicon_from_dict(data, "m.json")


def test_bad_kind():
    with pytest.raises(DataFileError, match="kind must be one of"):
        lexicon_from_dict({"targets": {"a": {"kind": "sensation", "synonyms": ["a"]}}}, "k.json")
