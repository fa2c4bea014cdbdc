"""KHABAR_SENTENCE_VECTORS=joined: each token encoded once, most of the way (issue 16 item 4).

Every distinct evidence sentence is encoded on its own, exactly as `separate` encodes it, so the stored
sentence vectors are unchanged. On the way through, each sentence's token states are kept at layer
JOIN_LAYER. A chunk's vector is then made by joining them: the chunk's prompt (`title: <title> | text: `,
run through the first JOIN_LAYER layers on its own; it is a dozen tokens), its sentences' kept states in
order, and an end token, run through the model's last layers with the whole chunk in view, then the
model's own pooling and projection. The first JOIN_LAYER layers of a chunk's tokens are the sentence
pass's; only the last ones run twice.

With JOIN_LAYER = 0 this rebuilds the chunk's own encode (cosine 1.000 on XQuAD paragraphs); the higher
it is, the cheaper and the further from it. `pooled` (no layer joined: the mean of the sentence vectors)
is the far end. Measured in eval/reports/joined.md.

Written by hand against the transformers Gemma3 text model's forward (embed, masks, rotary tables, the
decoder layers, the final norm), because no library splits a forward pass at a layer. Any model whose
transformer exposes `embed_tokens`, `layers`, `rotary_emb`, `norm` and `config.layer_types` works;
another one is encoded as `separate` encodes it (joinable() says which).
"""
from __future__ import annotations

from typing import Sequence

JOIN_LAYER = 15  # layers 0..14 shared with the sentence pass, 15..23 run over the joined chunk: chosen on XQuAD dev

Vector = list[float]


def way_name(way: str) -> str:
    """KHABAR_SENTENCE_VECTORS as reports name it: `joined` with its layer."""
    return f"joined at layer {JOIN_LAYER}" if way == "joined" else way


def joinable(model) -> bool:
    """Whether this sentence-transformers model's transformer can be split at a layer here."""
    hf = getattr(model[0], "auto_model", None)
    return all(hasattr(hf, a) for a in ("embed_tokens", "layers", "rotary_emb", "norm")) and \
        hasattr(getattr(hf, "config", None), "layer_types")


class Layers:
    """A sentence-transformers model's transformer, run a slice of layers at a time (bidirectional, as
    EmbeddingGemma is; right-padded batches)."""

    def __init__(self, model) -> None:
        self.hf = model[0].auto_model
        self.config = self.hf.config
        self.tail = list(model)[1:]  # Pooling, Dense, Dense, Normalize
        self.count = self.config.num_hidden_layers

    def _masks(self, h, attention_mask):
        import torch
        import transformers.models.gemma3.modeling_gemma3 as gemma3

        window = getattr(self.config, "sliding_window", None)
        if getattr(self.config, "_attn_implementation", None) == "sdpa":
            # what transformers' mask functions build for a bidirectional model, made directly (they run a
            # vmap per call: 3 % of a joined encode): a key is seen if it is no padding, and for the
            # sliding layers if it is fewer than `window` positions away
            keys = attention_mask.bool()[:, None, None, :].expand(-1, 1, h.shape[1], -1)
            sliding = keys
            if window and h.shape[1] > window:
                at = torch.arange(h.shape[1])
                sliding = keys & ((at[:, None] - at[None, :]).abs() < window)
            return {"full_attention": keys, "sliding_attention": sliding}

        args = dict(config=self.config, inputs_embeds=h, attention_mask=attention_mask, past_key_values=None,
                    position_ids=torch.arange(h.shape[1]).unsqueeze(0))
        full = gemma3.create_causal_mask(**args, or_mask_function=lambda *a: torch.tensor(True, dtype=torch.bool))
        sliding = gemma3.create_sliding_window_causal_mask(
            **args, or_mask_function=gemma3._bidirectional_window_overlay(window)) if window else full
        return {"full_attention": full, "sliding_attention": sliding}

    def embed(self, input_ids):
        return self.hf.embed_tokens(input_ids)

    def run(self, h, attention_mask, start: int, stop: int):
        """Hidden states after layers start..stop-1, from the states before layer `start`."""
        import torch

        if start >= stop:
            return h
        pos = torch.arange(h.shape[1]).unsqueeze(0).expand(h.shape[0], -1)
        masks = self._masks(h, attention_mask)
        types = self.config.layer_types
        rope = {t: self.hf.rotary_emb(h, pos, t) for t in set(types[start:stop])}
        for i in range(start, stop):
            h = self.hf.layers[i](h, attention_mask=masks[types[i]], position_embeddings=rope[types[i]],
                                  position_ids=pos)
        return h

    def vectors(self, h, attention_mask) -> list[Vector]:
        """The final norm, then the model's own pooling and projection modules; L2-normalised."""
        import torch

        feats = {"token_embeddings": self.hf.norm(h), "attention_mask": attention_mask}
        for module in self.tail:
            feats = module(feats)
        return torch.nn.functional.normalize(feats["sentence_embedding"].float(), p=2, dim=1).numpy().tolist()


def content_tokens(offsets: Sequence[tuple[int, int]], prompt_chars: int) -> list[int]:
    """The positions of a prompted text's own tokens: those ending after the prompt (the first one may
    start on the prompt's last space: `▁word`). Special tokens have empty offsets and are never in."""
    return [i for i, (a, b) in enumerate(offsets) if b > a and b > prompt_chars]


def prompt_tokens(offsets: Sequence[tuple[int, int]], text: str) -> list[int]:
    """The positions of a prompt encoded alone, as it sits before a text: the start token and its own
    tokens, without a trailing space token (in context that space starts the text's first token) or
    the end token."""
    keep = [i for i, (a, b) in enumerate(offsets) if b > a or i == 0]
    while keep and offsets[keep[-1]][1] > offsets[keep[-1]][0] and not text[slice(*offsets[keep[-1]])].strip():
        keep.pop()
    return keep


def joined_vectors(model, tokenizer, prompt_of, titles: Sequence[str | None], sentences: Sequence[Sequence[str]],
                   join: Sequence[bool], batch_size: int = 8, layer: int | None = None
                   ) -> tuple[list[Vector | None], dict[str, Vector]]:
    """Every distinct sentence's vector, and the vector of each chunk whose `join` is true, joined from its
    sentences (None for the others, and for one whose joined tokens would run past the model's window:
    encode those yourself). prompt_of(title) is the document prompt with the title filled in (the
    sentences get prompt_of(None), as `separate` encodes them)."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    layer = JOIN_LAYER if layer is None else layer
    net = Layers(model)
    limit = model.max_seq_length
    bare = prompt_of(None)
    unique = list(dict.fromkeys(s for ss in sentences for s in ss))
    sent_vecs: dict[str, Vector] = {}
    kept: dict[str, tuple] = {}  # sentence -> (its own tokens' states at `layer`, its end token's)
    with torch.inference_mode():
        for batch in _by_length(unique, batch_size):
            enc = tokenizer([bare + s for s in batch], padding=True, truncation=True, max_length=limit,
                            return_offsets_mapping=True, return_tensors="pt")
            mask = enc["attention_mask"]
            h = net.run(net.embed(enc["input_ids"]), mask, 0, layer)
            for j, s in enumerate(batch):
                n = int(mask[j].sum())
                own = content_tokens(enc["offset_mapping"][j][:n].tolist(), len(bare))
                kept[s] = (h[j, own], h[j, n - 1:n])
            sent_vecs.update(zip(batch, net.vectors(net.run(h, mask, layer, net.count), mask)))
        prompts = {}
        for title in dict.fromkeys(t for t, yes in zip(titles, join) if yes):
            text = prompt_of(title)
            enc = tokenizer([text], return_offsets_mapping=True, return_tensors="pt")
            h = net.run(net.embed(enc["input_ids"]), enc["attention_mask"], 0, layer)
            prompts[title] = h[0, prompt_tokens(enc["offset_mapping"][0].tolist(), text)]
        seqs: dict[int, object] = {}
        for i, (title, ss, yes) in enumerate(zip(titles, sentences, join)):
            if yes and ss:
                seq = torch.cat([prompts[title]] + [kept[s][0] for s in ss] + [kept[ss[-1]][1]])
                if seq.shape[0] <= limit:
                    seqs[i] = seq
        chunk_vecs: list[Vector | None] = [None] * len(sentences)
        order = sorted(seqs, key=lambda i: seqs[i].shape[0])
        for k in range(0, len(order), batch_size):
            idx = order[k:k + batch_size]
            h = pad_sequence([seqs[i] for i in idx], batch_first=True)  # right-padded with zeros
            mask = pad_sequence([torch.ones(seqs[i].shape[0], dtype=torch.int64) for i in idx], batch_first=True)
            for i, v in zip(idx, net.vectors(net.run(h, mask, layer, net.count), mask)):
                chunk_vecs[i] = v
    return chunk_vecs, sent_vecs


def _by_length(texts: list[str], size: int):
    """Batches of similar length (as sentence-transformers' encode sorts them): less padding."""
    order = sorted(texts, key=len, reverse=True)
    for i in range(0, len(order), size):
        yield order[i:i + size]
