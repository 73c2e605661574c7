import numpy as np

from course_utils.checks import Wrong, call_learner, exercise, expect


@exercise("9.1", "double a number")
def check_double(double):
    result = call_learner(double, 21, part="double(21)")
    if not isinstance(result, (int, float)):
        raise Wrong("type", f"got {type(result).__name__}, expected a number", "Return x * 2.")
    expect(result == 42, "value", f"double(21) gave {result}", "Multiply by two.")


@exercise("9.2", "an array of shape (2, 3)")
def check_array(array):
    if not isinstance(array, np.ndarray):
        raise Wrong("type", f"expected a numpy array, got {type(array).__name__}", "Use np.zeros((2, 3)).")
    expect(array.shape == (2, 3), "shape", f"shape is {array.shape}", "Two rows, three columns.")
    expect(array.dtype.kind == "f", "dtype", "not floating point", "Floats, please.")


def _status(check, *args):
    check(*args)
    return check.last


def test_placeholder_is_not_attempted(capsys):
    assert _status(check_double, ...).status == "not attempted"
    assert "not attempted" in capsys.readouterr().out


def test_function_returning_placeholder_is_not_attempted():
    assert _status(check_double, lambda x: ...).status == "not attempted"


def test_right_answer_passes():
    assert _status(check_double, lambda x: x * 2).status == "pass"


def test_wrong_value_names_the_part_and_gives_a_hint(capsys):
    feedback = _status(check_double, lambda x: x + 2)
    assert feedback.status == "fail"
    text = capsys.readouterr().out
    assert "value" in text and "Hint: Multiply by two." in text and "Traceback" not in text


def test_exception_inside_learner_function_is_feedback_not_a_traceback(capsys):
    def broken(x):
        return x / 0

    feedback = _status(check_double, broken)
    assert feedback.status == "fail"
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Traceback" not in out


def test_wrong_type_none_and_non_callable():
    assert _status(check_double, lambda x: "42").status == "fail"
    assert _status(check_double, None).status == "fail"
    assert _status(check_double, 42).status == "fail"


def test_partial_feedback_lists_each_part():
    feedback = _status(check_array, np.zeros((3, 2), dtype=int))
    assert [(p.name, p.ok) for p in feedback.parts] == [("shape", False), ("dtype", False)]
    feedback = _status(check_array, np.zeros((2, 3), dtype=int))
    assert [(p.name, p.ok) for p in feedback.parts] == [("shape", True), ("dtype", False)]


def test_a_checker_tripping_on_odd_input_still_reports():
    @exercise("9.3", "a list")
    def check_list(items):
        expect(items[0] == 1, "first item")

    assert _status(check_list, 5).status == "fail"


def test_require_type_names_the_function_and_what_was_expected(capsys):
    from course_utils.checks import require_type

    @exercise("9.4", "a string")
    def check_word(word):
        require_type(call_learner(word, part="word()"), str, "word", "a string", "Return the word itself.")

    assert _status(check_word, lambda: 3).status == "fail"
    out = capsys.readouterr().out
    assert "word returned int, expected a string" in out and "Hint: Return the word itself." in out
    assert _status(check_word, lambda: "ok").status == "pass"


def test_not_attempted_says_to_run_the_exercise_cell_first_and_names_what_is_missing(capsys):
    def double(x):
        return ...

    text = _status(check_double, double).as_text()
    assert "`double` still returns the placeholder `...`" in text
    assert "run that cell, then run this check again" in text
    assert "`array` is still the placeholder" in _status(check_array, ...).as_text()
    assert "Your function still returns the placeholder" in _status(check_double, lambda x: ...).as_text()


def test_a_crash_is_reported_at_the_learners_line_even_inside_a_library():
    import json

    def double(x):
        settings = json.loads("{broken")
        return settings["factor"] * x

    part = _status(check_double, double).parts[-1]
    assert "JSONDecodeError" in part.message and "in double (line" in part.message
    assert 'json.loads("{broken")' in part.message and "inside the library code it called" in part.message

    def missing(x):
        return [x * factor for _ in range(2)][0]

    part = _status(check_double, missing).parts[-1]
    assert "NameError" in part.message and "in missing (line" in part.message and "run the cells above" in part.hint
    part = _status(check_double, lambda x: {"x": x}["y"]).parts[-1]
    assert "in a lambda" in part.message and "keys" in part.hint


def test_long_values_are_shortened():
    from course_utils.checks import LONGEST_MESSAGE, brief

    assert brief(0.123456789) == "0.1235"
    assert brief({"label": "POSITIVE", "score": 0.98765432101}) == "{'label': 'POSITIVE', 'score': 0.9877}"
    assert brief(list(range(100))) == "[0, 1, 2, 3, ...]"
    assert brief(np.zeros((30, 30))) == "array of shape (30, 30)"
    assert len(brief("x" * 500)) < 80

    @exercise("9.5", "long")
    def check_long(value):
        expect(False, "value", "x" * 5000, "Shorter.")

    assert len(_status(check_long, 1).parts[0].message) <= LONGEST_MESSAGE


def test_calls_to_records_calls_and_restores_the_original():
    import json

    from course_utils.checks import calls_to

    original = json.dumps
    with calls_to(json, "dumps") as calls:
        assert json.dumps([1]) == "[1]"
    assert calls == [(([1],), {})] and json.dumps is original
