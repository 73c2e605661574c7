"""In a real kernel: model loads and other quick steps leave no progress bar, slow ones leave plain text (never a
widget a reopened notebook cannot redraw), an unanswered stub echoes nothing, and a crash in an exercise is
reported at the learner's own line of their cell."""

import nbformat
from nbclient import NotebookClient

WIDGET = "application/vnd.jupyter.widget-view+json"

CELLS = [
    "from course_utils.notebook_outputs import tidy_notebook_outputs\ntidy_notebook_outputs()",
    "from transformers import AutoModel\nfrom course_utils.shelf.recipes.common import minilm_path\n"
    "body = AutoModel.from_pretrained(str(minilm_path()))",
    "import time\nfrom tqdm.auto import tqdm\nfor _ in tqdm(range(15), desc='slow step'):\n    time.sleep(0.1)",
    "from datasets import Dataset\nrows = Dataset.from_dict({'n': list(range(300))}).map(lambda r: {'m': r['n'] + 1})",
    "def count_tokens(text):\n    # YOUR CODE HERE\n    return ...\n\n\ncount_tokens('Tokenizers are fun!')",
    "def count_tokens(text):\n    pieces = text.split()\n    return pieces['input_ids']",
    "from course_utils.exercises import lesson02\nfrom transformers import AutoTokenizer\n"
    "lesson02.check_count_tokens(count_tokens, AutoTokenizer.from_pretrained(str(minilm_path())))",
]


def test_a_lesson_kernel_leaves_clean_outputs_and_points_at_the_learners_line():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert not any(WIDGET in o.get("data", {}) for cell in outputs for o in cell)
    assert outputs[1] == [] and outputs[3] == [], "quick steps (a model load, a small map) show no bar"
    slow = "".join(o.get("text", "") for o in outputs[2])
    assert "slow step: 100%" in slow and all(o.output_type == "stream" for o in outputs[2])
    assert outputs[4] == [], "an unanswered stub echoes nothing (no 'Ellipsis')"
    (check,) = outputs[6]
    text = check["data"]["text/plain"]
    assert "TypeError" in text and "in count_tokens (line 3): `return pieces['input_ids']`" in text
