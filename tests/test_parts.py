"""Two-part questions (issue 15): split only at a second question word, each part answered and cited."""
from __future__ import annotations

import re

import pytest

from qa.parts import split_question
from tests.fakes import ScriptedLLM


@pytest.mark.parametrize("question,language,parts", [
    ("How many requests did Russia send, and how many got answers?", "en",
     ["How many requests did Russia send?", "How many got answers?"]),
    ("According to Lavrov, how many requests got answers, and roughly what share came from the US?", "en",
     ["According to Lavrov, how many requests got answers?", "According to Lavrov, roughly what share came from the US?"]),
    ("Who described the call as frank and which spokeswoman commented on it?", "en",
     ["Who described the call as frank?", "Which spokeswoman commented on it?"]),
    ("في أي عام ضمت روسيا القرم، وفي أي عام انتهت الحرب؟", "ar", ["في أي عام ضمت روسيا القرم؟", "في أي عام انتهت الحرب؟"]),
    ("كم طلباً أرسلت روسيا، وعن كم منها تلقت إجابات؟", "ar", ["كم طلباً أرسلت روسيا؟", "عن كم منها تلقت إجابات؟"]),
])
def test_a_second_question_word_after_and_splits_the_question(question, language, parts):
    assert split_question(question, language) == parts


@pytest.mark.parametrize("question,language", [
    ("On which dates were the meeting in Brussels and the talks in Vienna scheduled?", "en"),
    ("Who led both the Russian and the American delegations?", "en"),
    ("من ترأس الوفد الروسي في جنيف وفي الاجتماع الثاني أيضاً؟", "ar"),
    ("ما الذي قاله ريابكوف عن الناتو، وعن أوكرانيا؟", "ar"),  # "and about Ukraine": no second question word
    ("And how?", "en"),
])
def test_one_question_stays_one(question, language):
    assert split_question(question, language) == [question]


def test_each_part_is_answered_from_its_own_evidence_and_cited(make_pipeline):
    q = "كم طلباً أرسلت روسيا إلى واشنطن بشأن الهجمات الإلكترونية، وفي أي عام ضمت روسيا شبه جزيرة القرم؟"
    llm = ScriptedLLM("1")  # each part: passage 1; the count and the year are then taken by code
    a = make_pipeline(llm=llm, choice_margin=9.0).ask(q)
    assert not a.refused and a.notes.get("two_part") == 1
    first, second = re.findall(r"([^\[\]]+?) \[(\d)\]\.", a.answer)
    assert first[1] == "1" and second[1] == "2" and len(a.citations) == 2, a.answer
    assert "45" in first[0] and "45" in a.citations[0].quote
    year = re.search(r"\d{4}", second[0]).group()  # a year of the second part's own cited sentence
    assert year in a.citations[1].quote and a.citations[1].quote != a.citations[0].quote
    part_two = llm.prompts[1][-1]["content"]  # the second choice prompt asks part two alone
    assert "ضمت روسيا" in part_two and "كم طلباً" not in part_two
    by_code = ScriptedLLM("0")  # code chooses each part's passage (KHABAR_CHOICE_MARGIN=0): the model is not asked
    assert make_pipeline(llm=by_code).ask(q).answer == a.answer and by_code.prompts == []


def test_a_part_that_repeats_the_other_parts_answer_is_left_out():
    """"How many requests got answers, and roughly what share of the attacks came from the US?" (gold dev
    en-092): both parts took "45 requests" from one sentence, and the answer said it twice."""
    from qa.evidence import Evidence
    from qa.parts import combine
    from qa.trace import Outcome

    ev = Evidence(1, "a:0", "a", "t", "أرسلت روسيا 45 طلباً.", 0.9)
    same = Evidence(3, "a:0", "a", "t", "أرسلت روسيا 45 طلباً.", 0.7)  # the second part's own selection
    first, again = Outcome.of("45 requests", ev), Outcome.of("45 requests", same)
    out = combine([first, again])
    assert out.sentences == [("45 requests", ev)]
    assert out.fired["two_part_repeated"] == 1 and out.fired["two_part_partial"] == 1
    other = Outcome.of("nine", Evidence(2, "a:1", "a", "t", "وتلقت إجابات عن تسع منها.", 0.8))
    assert [t for t, _ in combine([first, other]).sentences] == ["45 requests", "nine"]
