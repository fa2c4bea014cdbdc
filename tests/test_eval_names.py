"""eval.names counts the name check's verdicts on XQuAD-format data: a name missing from a question's own
article, and from another article."""
import json

from eval import names


def test_counts_a_name_missing_from_its_own_article_and_from_another(tmp_path):
    paragraphs = [{"pid": "0-0", "text_ar": "وسجل لوك كوتشلي 118 عرقلة في الموسم."},
                  {"pid": "1-0", "text_ar": "تقع وارسو على نهر فيستولا."}]
    questions = [{"qid": "a", "pid": "0-0", "question_en": "How many tackles did Luke Kuechly register?",
                  "question_ar": "كم عرقلة سجل لوك كوتشلي؟"},
                 {"qid": "b", "pid": "1-0", "question_en": "On which river is Warsaw?",
                  "question_ar": "على أي نهر تقع وارسو؟"}]
    for name, rows in (("paragraphs.jsonl", paragraphs), ("questions.jsonl", questions)):
        (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    c = names.counts(*names.load(tmp_path))
    # "Kuechly" is كوتشلي and "Warsaw" وارسو in their own article; each is missing from the other
    assert c == {"asked": 4, "missing_own": 0, "missing_other": 2}
    assert names.main(["--data", str(tmp_path)]) == 0


def test_bad_input_is_one_line_and_an_exit_code(tmp_path, capsys):
    assert names.main(["--data", str(tmp_path / "none")]) != 0
    assert names.main(["--bogus"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("eval.names: error:") == 2

