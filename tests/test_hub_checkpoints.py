"""Every faithful checkpoint loads from the test Hub with the class or pipeline the lessons use, and carries what the
lessons can see of the real one (labels, tokenizer, processor settings, chat template).

The loads run in one child process that reaches the server only through HF_ENDPOINT, as a learner's kernel does."""

import json
import subprocess
import sys

from course_utils.checkpoints import ROLES
from hubserver.fixtures import hub_environment, hub_repos, hub_server  # noqa: F401 (fixtures)

CHECKS = r'''
import json, sys, warnings
warnings.filterwarnings("ignore")
import torch
from PIL import Image
import transformers
from transformers import (AutoConfig, AutoImageProcessor, AutoModel, AutoModelForQuestionAnswering,
                          AutoModelForSeq2SeqLM, AutoProcessor, AutoTokenizer, BlipForConditionalGeneration,
                          BlipForImageTextRetrieval, BlipForQuestionAnswering, DistilBertForSequenceClassification,
                          pipeline)
transformers.logging.set_verbosity_error()
image = Image.new("RGB", (96, 64), "red")
results = {}

def check(repo, fn):
    try:
        results[repo] = fn()
    except Exception as error:
        results[repo] = f"FAILED {type(error).__name__}: {error}"

def sst2():
    run = pipeline("sentiment-analysis", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    return [type(run.model).__name__, run.model.config.id2label, run.tokenizer.model_max_length,
            run.tokenizer("Hello world")["input_ids"], run("A lovely afternoon.")[0]["label"] in ("POSITIVE", "NEGATIVE")]

def minilm():
    run = pipeline("feature-extraction", model="sentence-transformers/all-MiniLM-L6-v2")
    return [type(run.model).__name__, run.tokenizer("Hello world")["input_ids"], len(run("Hello world")[0])]

def fill_mask():
    run = pipeline("fill-mask", model="google-bert/bert-base-uncased")
    return [type(run.model).__name__, run.tokenizer.mask_token, len(run("A cup of [MASK].", top_k=5))]

def ner():
    run = pipeline("ner", model="dslim/bert-base-NER", aggregation_strategy="simple")
    run("My name is Wolfgang and I live in Berlin.")
    return [type(run.model).__name__, sorted(run.model.config.label2id), run.tokenizer.tokenize("Berlin")[0][0]]

def mnli():
    run = pipeline("zero-shot-classification", model="facebook/bart-large-mnli")
    out = run("The striker scored twice.", candidate_labels=["sports", "politics"])
    return [type(run.model).__name__, run.model.config.id2label, sorted(out["labels"])]

def squad():
    repo = "distilbert/distilbert-base-cased-distilled-squad"
    tokenizer, model = AutoTokenizer.from_pretrained(repo), AutoModelForQuestionAnswering.from_pretrained(repo)
    with torch.no_grad():
        out = model(**tokenizer("Where?", "In Berlin.", return_tensors="pt"))
    return [type(model).__name__, tokenizer.tokenize("Berlin")[0][0], out.start_logits.shape[0]]

def seq2seq(repo, text):
    tokenizer, model = AutoTokenizer.from_pretrained(repo), AutoModelForSeq2SeqLM.from_pretrained(repo)
    ids = model.generate(**tokenizer(text, return_tensors="pt"), max_new_tokens=5, num_beams=1)
    return [type(model).__name__, type(tokenizer).__name__, model.generation_config.num_beams,
            isinstance(tokenizer.decode(ids[0], skip_special_tokens=True), str)]

def gpt2():
    run = pipeline("text-generation", model="distilbert/distilgpt2")
    out = run("Once upon a time", max_new_tokens=5, do_sample=False)[0]["generated_text"]
    return [type(run.model).__name__, run.tokenizer.eos_token, out.startswith("Once upon a time")]

def vit():
    run = pipeline("image-classification", model="google/vit-base-patch16-224")
    processor = AutoImageProcessor.from_pretrained("google/vit-base-patch16-224")
    config = run.model.config
    return [type(run.model).__name__, config.num_labels, config.id2label[0], config.id2label[999],
            [processor.size["height"], processor.size["width"]], list(processor.image_mean), len(run(image))]

def clip():
    run = pipeline("zero-shot-image-classification", model="openai/clip-vit-base-patch32")
    processor = AutoProcessor.from_pretrained("openai/clip-vit-base-patch32")
    out = run(image, candidate_labels=["a red square", "a cat"])
    return [type(run.model).__name__, type(processor.tokenizer).__name__, processor.tokenizer.bos_token,
            [round(m, 4) for m in processor.image_processor.image_mean], len(out)]

def blip(model_class, repo, text=None):
    processor, model = AutoProcessor.from_pretrained(repo), model_class.from_pretrained(repo)
    inputs = processor(images=image, text=text, return_tensors="pt")
    with torch.no_grad():
        out = model(**inputs) if model_class is BlipForImageTextRetrieval else model.generate(**inputs, max_new_tokens=3)
    shape = list(out.itm_score.shape) if model_class is BlipForImageTextRetrieval else out.shape[0]
    return [type(model).__name__, type(processor).__name__, processor.image_processor.size["height"], shape]

def stars():
    run = pipeline("sentiment-analysis", model="nlptown/bert-base-multilingual-uncased-sentiment")
    labels = list(run.model.config.id2label.values())
    return [type(run.model).__name__, labels, run("Ce cours est vraiment excellent.")[0]["label"] in labels]

def distilbert():
    model = DistilBertForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=10)
    return [type(model).__name__, model.config.model_type, [name for name, _ in model.named_children()]]

def chat():
    run = pipeline("text-generation", model="HuggingFaceTB/SmolLM2-135M-Instruct")
    messages = [{"role": "user", "content": "Translate into English: Le chat dort."}]
    prompt = run.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    reply = run(messages, max_new_tokens=3, do_sample=False)[0]["generated_text"][-1]
    return [type(run.model).__name__, run.tokenizer.eos_token, prompt.startswith("<|im_start|>system\nYou are a helpful"),
            prompt.endswith("<|im_start|>assistant\n"), reply["role"]]

for repo, fn in [
    ("distilbert/distilbert-base-uncased-finetuned-sst-2-english", sst2),
    ("sentence-transformers/all-MiniLM-L6-v2", minilm), ("google-bert/bert-base-uncased", fill_mask),
    ("dslim/bert-base-NER", ner), ("facebook/bart-large-mnli", mnli),
    ("distilbert/distilbert-base-cased-distilled-squad", squad),
    ("sshleifer/distilbart-cnn-12-6", lambda: seq2seq("sshleifer/distilbart-cnn-12-6", "Crowds gathered on Friday.")),
    ("Helsinki-NLP/opus-mt-fr-en", lambda: seq2seq("Helsinki-NLP/opus-mt-fr-en", "Le chat dort dans le jardin.")),
    ("distilbert/distilgpt2", gpt2), ("google/vit-base-patch16-224", vit), ("openai/clip-vit-base-patch32", clip),
    ("Salesforce/blip-image-captioning-base", lambda: blip(BlipForConditionalGeneration, "Salesforce/blip-image-captioning-base")),
    ("Salesforce/blip-itm-base-coco", lambda: blip(BlipForImageTextRetrieval, "Salesforce/blip-itm-base-coco", "a red square")),
    ("nlptown/bert-base-multilingual-uncased-sentiment", stars),
    ("distilbert/distilbert-base-uncased", distilbert), ("HuggingFaceTB/SmolLM2-135M-Instruct", chat),
    ("Salesforce/blip-vqa-base", lambda: blip(BlipForQuestionAnswering, "Salesforce/blip-vqa-base", "what is it?")),
]:
    check(repo, fn)
print("RESULTS " + json.dumps(results))
'''

NER = ["B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG", "I-PER", "O"]
EXPECTED = {
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": [
        "DistilBertForSequenceClassification", {"0": "NEGATIVE", "1": "POSITIVE"}, 512, [101, 7592, 2088, 102], True],
    "sentence-transformers/all-MiniLM-L6-v2": ["BertModel", [101, 7592, 2088, 102], 4],
    "google-bert/bert-base-uncased": ["BertForMaskedLM", "[MASK]", 5],
    "dslim/bert-base-NER": ["BertForTokenClassification", NER, "B"],
    "facebook/bart-large-mnli": ["BartForSequenceClassification",
                                 {"0": "contradiction", "1": "neutral", "2": "entailment"}, ["politics", "sports"]],
    "distilbert/distilbert-base-cased-distilled-squad": ["DistilBertForQuestionAnswering", "B", 1],
    "sshleifer/distilbart-cnn-12-6": ["BartForConditionalGeneration", "RobertaTokenizer", 4, True],
    "Helsinki-NLP/opus-mt-fr-en": ["MarianMTModel", "MarianTokenizer", 4, True],
    "distilbert/distilgpt2": ["GPT2LMHeadModel", "<|endoftext|>", True],
    "google/vit-base-patch16-224": ["ViTForImageClassification", 1000, "tench, Tinca tinca",
                                    "toilet tissue, toilet paper, bathroom tissue", [224, 224], [0.5, 0.5, 0.5], 5],
    "openai/clip-vit-base-patch32": ["CLIPModel", "CLIPTokenizer", "<|startoftext|>", [0.4815, 0.4578, 0.4082], 2],
    "Salesforce/blip-image-captioning-base": ["BlipForConditionalGeneration", "BlipProcessor", 384, 1],
    "Salesforce/blip-itm-base-coco": ["BlipForImageTextRetrieval", "BlipProcessor", 384, [1, 2]],
    "nlptown/bert-base-multilingual-uncased-sentiment": [
        "BertForSequenceClassification", ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"], True],
    "distilbert/distilbert-base-uncased": ["DistilBertForSequenceClassification", "distilbert",
                                           ["distilbert", "pre_classifier", "classifier", "dropout"]],
    "HuggingFaceTB/SmolLM2-135M-Instruct": ["LlamaForCausalLM", "<|im_end|>", True, True, "assistant"],
    "Salesforce/blip-vqa-base": ["BlipForQuestionAnswering", "BlipProcessor", 384, 1],
}


def test_every_role_and_extra_is_served(hub_server):
    assert {role.hub_id for role in ROLES.values()} <= set(hub_server.repos) == set(EXPECTED)


def test_every_checkpoint_loads_as_the_lessons_load_it(hub_server, tmp_path):
    env = hub_environment(hub_server.url, tmp_path / "hf-cache")
    done = subprocess.run([sys.executable, "-c", CHECKS], env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    results = json.loads(lines[0][len("RESULTS "):])
    wrong = {repo: (results.get(repo), wanted) for repo, wanted in EXPECTED.items() if results.get(repo) != wanted}
    assert not wrong, json.dumps(wrong, indent=1)
