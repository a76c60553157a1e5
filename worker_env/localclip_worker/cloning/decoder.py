"""Many chunks decoded together in one copy of fish-speech's ``DualARTransformer``: the batched dual-AR
decoder.

fish-speech 0.1.0 generates one sequence at a time (``setup_caches(max_batch_size=1)``). Here R rows share
the model's weights; each row is one chunk of one line and has its own

- KV cache row and position (rows of very different lengths decode side by side),
- causal mask and rotary positions (taken per row from its position),
- sampling parameters, repetition-penalty window and random generator (seeded as the line's seed is),
- stop: the end token, or its token limit (then :attr:`BatchDecoder.ended_at_limit` says so).

A row is filled by :meth:`BatchDecoder.start` (the chunk's prompt prefilled into that row alone, its first
token sampled) while the others wait between steps, so a new row never disturbs them; :meth:`step` then
advances every active row by one token. Per row the arithmetic is fish-speech's own ``generate``:
the same embeddings, layers (its modules and weights), rotary table, sampling (repetition penalty over a
window of 16, top-p, temperature, ``argmax(probs / exponential noise)``) and the same random draws in the
same order. So a chunk's codes do not depend on its partners: identical in float64, equal within rounding
in lower precisions. Differences from fish-speech that change no result:

- attention reads only the live part of the cache (fish-speech attends over the whole ``max_seq_len``
  with a mask), and grouped-query attention groups the query heads over the shared keys instead of
  repeating the keys and values of every layer each step;
- the fast transformer's first position computes no logits (fish-speech computes and discards them);
- top-p looks at the top ``NUCLEUS_PREFIX`` tokens first; a larger nucleus (random weights' near-uniform
  logits) is checked only at the draw's best ``DRAW_CANDIDATES`` tokens, and the whole vocabulary is sorted
  only when none of them is in it or ranks tie (eager mode; a captured CUDA graph cannot branch, so it
  always sorts);
- on the CPU in float32 the linear layers are oneDNN's (cpu_linear.py): rounding differs from ``F.linear``'s.

On CUDA the decode step is captured in CUDA graphs (static shapes: all rows, the cache read in buckets of
``GRAPH_BUCKET`` positions), replayed with one host synchronisation per step; without Triton or
``torch.compile``, which Windows lacks. Any failure to capture falls back to eager steps.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

log = logging.getLogger(__name__)

PENALTY_WINDOW = 16  # fish-speech's repetition-penalty window (decode_n_tokens' win_size)
FAST_VOCAB = 1024  # fish-speech samples the residual codebooks from the first 1024 logits only
NUCLEUS_PREFIX = 128  # top-p first looks among this many tokens; the whole vocabulary only if needed
DRAW_CANDIDATES = 8  # a large nucleus: the draw's best tokens checked against it before any sort
CAPACITY_STEP = 256  # caches grow in steps of this many positions
GRAPH_BUCKET = 512  # a captured step reads the cache up to a multiple of this (16 graphs for 8,192)
PROMPT_MARGIN = 2048  # room generate_long keeps for new tokens: prompts up to max_seq_len - 2048
PARAM_DTYPE = torch.bfloat16  # fish-speech's generate holds temperature, top_p and penalty in bfloat16


class TooLong(ValueError):
    """A prompt longer than the model allows (fish-speech: max_seq_len - 2048)."""


@dataclass(frozen=True)
class RowSampling:
    temperature: float
    top_p: float
    repetition_penalty: float
    max_new_tokens: int  # 0: up to the model's length


@dataclass
class _Row:
    steps_left: int  # decode steps still allowed (fish-speech: max_new_tokens - 1 after the first token)
    steps: int = 0  # decode steps done (fish-speech's i)
    position: int = 0  # where the next token's key and value go


def fish_prompt_limit(max_seq_len: int) -> int:
    """fish-speech's generate_long refuses prompts longer than max_seq_len - PROMPT_MARGIN."""
    return max_seq_len - PROMPT_MARGIN


class BatchDecoder:
    """R rows of generation over one ``DualARTransformer`` (see the module docstring)."""

    def __init__(
        self,
        llm: torch.nn.Module,
        rows: int,
        device: torch.device,
        cuda_graphs: bool | None = None,
        capacity: int = 0,
    ) -> None:
        config = llm.config
        self.llm, self.rows, self.device = llm, rows, device
        self.dtype = next(llm.parameters()).dtype
        self.codebooks = int(config.num_codebooks)
        self.max_seq_len = int(config.max_seq_len)
        tokenizer = llm.tokenizer
        self.semantic_begin = int(tokenizer.semantic_begin_id)
        self.semantic_end = int(tokenizer.semantic_end_id)
        self.end_token = int(tokenizer.get_token_id("<|im_end|>"))
        self.fast_vocab = min(FAST_VOCAB, int(config.codebook_size))
        # The head is the embedding table unless untied, or given a packed copy of it (cpu_linear.py).
        self.own_head = isinstance(getattr(llm, "output", None), torch.nn.Module)
        # Top-p within a prefix needs a host check per sample: free on the CPU, a stall on a GPU.
        self._cpu = device.type == "cpu"
        self._slots: list[_Row | None] = [None] * rows
        # For the rows the last step() returned: True where the chunk stopped at its token limit
        # (max_new_tokens, or the model's length) without sampling the end token.
        self.ended_at_limit: dict[int, bool] = {}
        self.generators = [torch.Generator(device=device) for _ in range(rows)]
        self._state(rows)
        self.capacity = 0
        self.ensure_capacity(capacity or CAPACITY_STEP)
        use_graphs = device.type == "cuda" if cuda_graphs is None else cuda_graphs
        self.graphs = _StepGraphs(self) if use_graphs else None
        self.graph_error = ""

    # -- memory ----------------------------------------------------------------------------------------------

    def _state(self, rows: int) -> None:
        n, dev = self.codebooks, self.device
        self.last = torch.zeros((rows, n + 1), dtype=torch.int32, device=dev)  # each row's latest token
        self.first = torch.zeros((rows, n + 1), dtype=torch.int32, device=dev)  # its chunk's first token
        self.ring = torch.zeros((rows, n + 1, PENALTY_WINDOW), dtype=torch.int32, device=dev)
        self.positions = torch.zeros(rows, dtype=torch.long, device=dev)
        self.counts = torch.zeros(rows, dtype=torch.long, device=dev)
        self.live_rows = torch.zeros(rows, dtype=torch.long, device=dev)  # 1 for a decoding row
        self.temperature = torch.ones((rows, 1), dtype=self.dtype, device=dev)
        self.top_p = torch.ones((rows, 1), dtype=self.dtype, device=dev)
        self.penalty = torch.ones((rows, 1), dtype=self.dtype, device=dev)
        self.row_index = torch.arange(rows, device=dev)
        config = self.llm.config
        fast_shape = (rows, config.fast_n_local_heads, n, config.fast_head_dim)
        self.fast_k = [torch.zeros(fast_shape, dtype=self.dtype, device=dev) for _ in self.llm.fast_layers]
        self.fast_v = [torch.zeros(fast_shape, dtype=self.dtype, device=dev) for _ in self.llm.fast_layers]

    def ensure_capacity(self, positions: int) -> None:
        """Caches (and the token record) for at least ``positions`` per row; contents kept."""
        positions = min(self.max_seq_len, _round_up(positions, CAPACITY_STEP))
        if positions <= self.capacity:
            return
        config, old = self.llm.config, self.capacity
        shape = (self.rows, config.n_local_heads, positions, config.head_dim)
        new_k = [torch.zeros(shape, dtype=self.dtype, device=self.device) for _ in self.llm.layers]
        new_v = [torch.zeros(shape, dtype=self.dtype, device=self.device) for _ in self.llm.layers]
        tokens = torch.zeros(
            (self.rows, self.codebooks + 1, positions), dtype=torch.int32, device=self.device
        )
        if old:
            for new, current in zip(new_k + new_v, self.keys + self.values, strict=True):
                new[:, :, :old] = current
            tokens[:, :, :old] = self.tokens
        self.keys, self.values, self.tokens, self.capacity = new_k, new_v, tokens, positions
        if getattr(self, "graphs", None) is not None:
            self.graphs.reset()

    @staticmethod
    def bytes_per_position(llm: torch.nn.Module, dtype: torch.dtype) -> int:
        """KV cache bytes one row needs per position (every slow layer's keys and values)."""
        config = llm.config
        element = torch.empty((), dtype=dtype).element_size()
        return int(config.n_layer) * 2 * int(config.n_local_heads) * int(config.head_dim) * element

    # -- rows ------------------------------------------------------------------------------------------------

    def free_rows(self) -> list[int]:
        return [row for row, slot in enumerate(self._slots) if slot is None]

    def busy(self) -> bool:
        return any(slot is not None for slot in self._slots)

    @torch.inference_mode()
    def start(
        self, row: int, prompt: torch.Tensor, sampling: RowSampling, generator_seed: int | None
    ) -> None:
        """Prefill ``prompt`` ([codebooks + 1, T] tokens) into ``row`` and sample its first token, as
        fish-speech's generate does. ``generator_seed`` seeds the row's generator (a line's first chunk);
        None goes on with its stream (the line's next chunk)."""
        assert self._slots[row] is None, f"row {row} is busy"
        length = int(prompt.shape[1])
        if length > fish_prompt_limit(self.max_seq_len):
            raise TooLong(f"Prompt is too long: {length} > {fish_prompt_limit(self.max_seq_len)}")
        new_tokens = sampling.max_new_tokens
        if not new_tokens or length + new_tokens > self.max_seq_len:
            new_tokens = self.max_seq_len - length
        self.ensure_capacity(length + new_tokens)
        if generator_seed is not None:
            self.generators[row].manual_seed(generator_seed)
        self._set_params(row, sampling)
        rows = slice(row, row + 1)
        tokens = prompt.to(self.device, dtype=torch.int32)[None]
        logits, hidden = self._prefill(row, tokens)
        first = self._sample_tokens(logits, hidden, rows, windows=None, exact_prefix=self._cpu)
        self.last[row] = first[0]
        self.ring[row] = 0
        self.positions[row] = length
        self.counts[row] = 0
        self.live_rows[row] = 1
        self._slots[row] = _Row(steps_left=new_tokens - 1, position=length)
        self.first[row] = first[0]

    def stop(self, row: int) -> None:
        """Drop a row's chunk (cancelled, or forced to stop): the row is free at once."""
        self._slots[row] = None
        self.live_rows[row] = 0

    def stop_all(self) -> None:
        for row, slot in enumerate(self._slots):
            if slot is not None:
                self.stop(row)

    @torch.inference_mode()
    def step(self) -> list[tuple[int, torch.Tensor]]:
        """One token for every active row. Returns the rows whose chunk ended, with its codes
        ([codebooks, frames] on the CPU: fish-speech's ``y[1:, prompt:-1]``); :attr:`ended_at_limit` then
        says, for each of them, whether it ran out of tokens rather than ending at its end token."""
        self.ended_at_limit = {}
        active = [row for row, slot in enumerate(self._slots) if slot is not None]
        if not active:
            return []
        live = max(self._slots[row].position for row in active) + 1  # type: ignore[union-attr]
        if self.graphs is not None:
            try:
                self.graphs.replay(live)
            except Exception as error:  # capture unsupported here: eager steps from now on
                self.graph_error = f"{type(error).__name__}: {error}"
                log.warning("CUDA graphs off, decoding eagerly: %s", self.graph_error)
                self.graphs = None
        if self.graphs is None:
            self._step_rows(max(active) + 1, live, exact_prefix=self._cpu)
        ended = self.last[:, 0].tolist()  # the step's one host synchronisation
        finished = []
        for row in active:
            slot = self._slots[row]
            assert slot is not None
            slot.steps += 1
            slot.position += 1
            slot.steps_left -= 1
            at_end = ended[row] == self.end_token
            if at_end or slot.steps_left <= 0:
                # The end token wins when it comes on the last step allowed: the chunk said all it had.
                self.ended_at_limit[row] = not at_end
                finished.append((row, self._codes(row, slot)))
                self.stop(row)
        return finished

    def _codes(self, row: int, slot: _Row) -> torch.Tensor:
        # fish-speech keeps the first token and every decoded one, then drops the last (the end token, or
        # simply the last one when the limit was reached) and the semantic row.
        generated = torch.cat([self.first[row][:, None], self.tokens[row, :, : slot.steps]], dim=1)
        return generated[1:, :-1].cpu()

    # -- the model -------------------------------------------------------------------------------------------

    def _set_params(self, row: int, sampling: RowSampling) -> None:
        # Rounded to bfloat16 as fish-speech's generate holds them, then used at the logits' precision.
        for target, value in (
            (self.temperature, sampling.temperature),
            (self.top_p, sampling.top_p),
            (self.penalty, sampling.repetition_penalty),
        ):
            rounded = torch.tensor(value, dtype=PARAM_DTYPE)
            if target is self.temperature:
                rounded = torch.clip(rounded, min=1e-5)
            target[row] = rounded.to(self.dtype)

    def _embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """fish-speech's forward_generate embedding of [B, codebooks + 1, S] tokens: [B, S, dim]."""
        llm, config = self.llm, self.llm.config
        embeds = [
            llm.codebook_embeddings(tokens[:, i + 1] + i * config.codebook_size)
            for i in range(self.codebooks)
        ]
        vq_sum = torch.stack(embeds, dim=1).sum(dim=1)
        is_vq = (tokens[:, 0] >= self.semantic_begin) & (tokens[:, 0] <= self.semantic_end)
        vq_sum = vq_sum.masked_fill(~is_vq[..., None], 0)
        x = llm.embeddings(tokens[:, 0]) + vq_sum
        if config.scale_codebook_embeddings:
            x = torch.where(is_vq[..., None], x / math.sqrt(self.codebooks + 1), x)
        return x

    def _head(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Slow logits [B, V] and the fast transformer's input [B, fast_dim] from the last hidden state."""
        llm = self.llm
        out = llm.norm(x)
        logits = llm.output(out) if self.own_head else F.linear(out, llm.embeddings.weight)
        return logits[:, -1], llm.fast_project_in(x)[:, -1]

    def _prefill(self, row: int, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        length = tokens.shape[2]
        x = self._embed(tokens)
        freqs = self.llm.freqs_cis[:length].view(1, length, 1, -1, 2)
        for layer, keys, values in zip(self.llm.layers, self.keys, self.values, strict=True):
            attention = layer.attention
            q, k, v = _project(attention, layer.attention_norm(x), freqs)
            keys[row, :, :length] = k[0].transpose(0, 1)
            values[row, :, :length] = v[0].transpose(0, 1)
            y = _causal_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
            h = x + attention.wo(y.transpose(1, 2).reshape(1, length, -1))
            x = h + layer.feed_forward(layer.ffn_norm(h))
        return self._head(x[:, -1:])

    def _slow_step(self, n: int, live: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Rows [0, n) one position on: logits [n, V] and fast input [n, fast_dim]."""
        # A row that ended at the last position keeps it while idle: clamped, its writes stay in bounds.
        positions = self.positions[:n].clamp_max(self.capacity - 1)
        x = self._embed(self.last[:n, :, None])
        freqs = self.llm.freqs_cis[positions].view(n, 1, 1, -1, 2)
        visible = torch.arange(live, device=self.device)[None, :] <= positions[:, None]
        mask = visible[:, None, None, :]  # [n, 1, 1, live]: each row sees its own past
        rows = self.row_index[:n]
        for layer, keys, values in zip(self.llm.layers, self.keys, self.values, strict=True):
            attention = layer.attention
            q, k, v = _project(attention, layer.attention_norm(x), freqs)
            keys[rows, :, positions] = k[:, 0]
            values[rows, :, positions] = v[:, 0]
            y = _grouped_attention(q[:, 0], keys[:n, :, :live], values[:n, :, :live], mask)
            h = x + attention.wo(y)
            x = h + layer.feed_forward(layer.ffn_norm(h))
        return self._head(x)

    def _fast_layers(self, x: torch.Tensor, rows: slice, position: int) -> torch.Tensor:
        freqs = self.llm.fast_freqs_cis[position].view(1, 1, 1, -1, 2)
        for layer, keys, values in zip(self.llm.fast_layers, self.fast_k, self.fast_v, strict=True):
            attention = layer.attention
            q, k, v = _project(attention, layer.attention_norm(x), freqs)
            keys[rows, :, position] = k[:, 0]
            values[rows, :, position] = v[:, 0]
            span = slice(0, position + 1)
            y = _grouped_attention(q[:, 0], keys[rows, :, span], values[rows, :, span], None)
            h = x + attention.wo(y)
            x = h + layer.feed_forward(layer.ffn_norm(h))
        return x

    def fast_logits(self, x: torch.Tensor, rows: slice, position: int) -> torch.Tensor:
        """Codebook logits [B, fast_vocab] at a fast position (x: [B, 1, fast_dim])."""
        out = self._fast_layers(x, rows, position)
        return self.llm.fast_output(self.llm.fast_norm(out))[:, 0, : self.fast_vocab]

    def _sample_tokens(
        self,
        logits: torch.Tensor,
        hidden: torch.Tensor,
        rows: slice,
        windows: torch.Tensor | None,
        exact_prefix: bool,
    ) -> torch.Tensor:
        """One step's tokens [B, codebooks + 1] from the slow logits, as decode_one_token_ar samples them."""
        params = (self.temperature[rows], self.top_p[rows], self.penalty[rows])
        generators = self.generators[rows]
        slow_window = None
        if windows is not None:  # fish-speech penalises the slow token with the window's first column
            counts = self.counts[rows]
            column = torch.where(counts < PENALTY_WINDOW, 0, counts % PENALTY_WINDOW)
            slow_window = windows.gather(2, column.view(-1, 1, 1).expand(-1, windows.shape[1], 1))[:, :, 0]
        # The slow head's vocabulary is large (151 k for S1): a prefix first. A codebook's is 1,024: sorted.
        slow = sample(logits, *params, slow_window, generators, NUCLEUS_PREFIX if exact_prefix else 0)
        codes = [slow]
        self._fast_layers(hidden[:, None], rows, 0)  # position 0 reads the slow state; no logits needed
        code = (slow - self.semantic_begin).clamp_min(0)
        codes.append(code)
        for index in range(1, self.codebooks):
            x = self.llm.fast_embeddings(code)
            short = self.fast_logits(x, rows, index)
            window = windows[:, index + 1] if windows is not None else None
            code = sample(short, *params, window, generators, 0)
            codes.append(code)
        return torch.cat(codes, dim=1)

    def _step_rows(self, n: int, live: int, exact_prefix: bool) -> None:
        """The decode step of rows [0, n): what a CUDA graph captures (no host synchronisation unless
        ``exact_prefix`` may fall back to a full sort)."""
        rows = slice(0, n)
        logits, hidden = self._slow_step(n, live)
        tokens = self._sample_tokens(logits, hidden, rows, self.ring[:n], exact_prefix)
        counts = self.counts[:n]
        index = self.row_index[:n]
        self.tokens[index, :, counts.clamp_max(self.capacity - 1)] = tokens
        self.ring[index, :, counts % PENALTY_WINDOW] = tokens
        self.last[:n] = tokens
        self.positions[:n] += self.live_rows[:n]
        self.counts[:n] += self.live_rows[:n]

    # -- teacher forcing (tests and measurements) ------------------------------------------------------------

    @torch.inference_mode()
    def forced_step(self, tokens: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Feed given tokens ([rows, codebooks + 1], one per row) instead of sampled ones: the slow logits
        [rows, V] and each fast position's logits, for rows that all started."""
        n = self.rows
        self.last[:n] = tokens.to(self.device, torch.int32)
        live = int(self.positions[:n].max()) + 1
        logits, hidden = self._slow_step(n, live)
        rows = slice(0, n)
        self._fast_layers(hidden[:, None], rows, 0)
        fast = []
        for index in range(1, self.codebooks):
            code = tokens[:, index].to(self.device, torch.int32)[:, None]
            fast.append(self.fast_logits(self.llm.fast_embeddings(code), rows, index))
        self.positions[:n] += 1
        return logits, fast


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def _project(
    attention: torch.nn.Module, x: torch.Tensor, freqs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """fish-speech's Attention up to the cache: q [B, S, H, D], k and v [B, S, KV heads, D], rotated."""
    bsz, seqlen, _ = x.shape
    q_size = attention.n_head * attention.head_dim
    kv_size = attention.n_local_heads * attention.head_dim
    q, k, v = attention.wqkv(x).split([q_size, kv_size, kv_size], dim=-1)
    q = q.view(bsz, seqlen, attention.n_head, attention.head_dim)
    k = k.view(bsz, seqlen, attention.n_local_heads, attention.head_dim)
    v = v.view(bsz, seqlen, attention.n_local_heads, attention.head_dim)
    if attention.attention_qk_norm:
        q, k = attention.q_norm(q), attention.k_norm(k)
    return _rotate(q, freqs), _rotate(k, freqs), v


def _rotate(x: torch.Tensor, freqs: torch.Tensor) -> torch.Tensor:
    """fish-speech's apply_rotary_emb with one rotation per row: freqs [B or 1, S, 1, D/2, 2]."""
    pairs = x.float().reshape(*x.shape[:-1], -1, 2)
    rotated = torch.stack(
        [
            pairs[..., 0] * freqs[..., 0] - pairs[..., 1] * freqs[..., 1],
            pairs[..., 1] * freqs[..., 0] + pairs[..., 0] * freqs[..., 1],
        ],
        -1,
    )
    return rotated.flatten(3).type_as(x)


def _grouped_attention(
    q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, mask: torch.Tensor | None
) -> torch.Tensor:
    """One query per row over its cache: q [B, H, D], keys/values [B, KV heads, L, D] -> [B, 1, H * D].

    The H query heads are laid out as KV heads x group, the group standing where a sequence would: every
    query head reads its shared keys in place (fish-speech repeats them per head, over the whole cache)."""
    bsz, heads, dim = q.shape
    grouped = q.view(bsz, keys.shape[1], heads // keys.shape[1], dim)
    y = F.scaled_dot_product_attention(grouped, keys, values, attn_mask=mask)
    return y.reshape(bsz, 1, heads * dim)


def _causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Prefill attention: q [1, H, T, D], k and v [1, KV heads, T, D], causal."""
    group = q.shape[1] // k.shape[1]
    if group > 1:  # once per prompt, not per step
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def sample(
    logits: torch.Tensor,
    temperature: torch.Tensor,
    top_p: torch.Tensor,
    penalty: torch.Tensor,
    window: torch.Tensor | None,
    generators: list[torch.Generator],
    prefix: int,
) -> torch.Tensor:
    """fish-speech's sample() for each row of logits [B, V]: repetition penalty over ``window`` [B, K],
    top-p, temperature, then argmax(probs / q) with q exponential noise drawn from the row's generator.
    Returns [B, 1] int32 tokens."""
    if window is not None:
        ids = window.long()
        score = logits.gather(-1, ids)
        score = torch.where(score < 0, score * penalty, score / penalty)
        logits = logits.scatter(-1, ids, score)
    noise = torch.empty_like(logits)
    for row, generator in enumerate(generators):
        noise[row].exponential_(1, generator=generator)
    if 0 < prefix < logits.shape[-1]:
        probs = F.softmax(logits, dim=-1)  # top-p's, before temperature: both paths below read it
        token = _nucleus_in_prefix(logits, probs, temperature, top_p, noise, prefix)
        if token is None:
            token = _best_draws_in_nucleus(logits, probs, temperature, top_p, noise)
        if token is not None:
            return token
    sorted_logits, order = torch.sort(logits, descending=True)
    cumulative = torch.cumsum(F.softmax(sorted_logits, dim=-1), dim=-1)
    remove = cumulative > top_p
    remove[:, 0] = False  # keep at least one option
    remove = remove.scatter(-1, order, remove)
    probs = F.softmax(logits.masked_fill(remove, -float("inf")) / temperature, dim=-1)
    return torch.argmax(probs / noise, dim=-1, keepdim=True).to(torch.int32)


def _nucleus_in_prefix(
    logits: torch.Tensor,
    probs: torch.Tensor,
    temperature: torch.Tensor,
    top_p: torch.Tensor,
    noise: torch.Tensor,
    prefix: int,
) -> torch.Tensor | None:
    """The same token without sorting the vocabulary, when every row's top-p nucleus lies within its top
    ``prefix`` tokens (the tokens outside have probability 0 in fish-speech's draw); None otherwise."""
    top_logits, top = torch.topk(logits, prefix, dim=-1)
    cumulative = probs.gather(-1, top).cumsum(-1)
    if not bool((cumulative[:, -1] > top_p[:, 0]).all()):  # host check: eager mode only
        return None
    remove = cumulative > top_p
    remove[:, 0] = False
    kept = F.softmax(top_logits.masked_fill(remove, -float("inf")) / temperature, dim=-1)
    choice = torch.argmax(kept / noise.gather(-1, top), dim=-1, keepdim=True)
    return top.gather(-1, choice).to(torch.int32)


class _StepGraphs:
    """The decode step captured once per cache bucket and replayed (CUDA only)."""

    def __init__(self, decoder: BatchDecoder) -> None:
        self.decoder = decoder
        self.graphs: dict[int, Any] = {}
        self.pool: Any = None
        self.capture_seconds = 0.0

    def reset(self) -> None:
        self.graphs.clear()

    def bucket(self, live: int) -> int:
        return min(self.decoder.capacity, _round_up(live, GRAPH_BUCKET))

    @torch.inference_mode()
    def capture_all(self) -> float:
        """Capture every bucket of the current capacity; the seconds it took."""
        for live in range(GRAPH_BUCKET, self.decoder.capacity + 1, GRAPH_BUCKET):
            self._graph(self.bucket(live))
        return self.capture_seconds

    def replay(self, live: int) -> None:
        self._graph(self.bucket(live)).replay()

    def _graph(self, bucket: int) -> Any:
        graph = self.graphs.get(bucket)
        if graph is None:
            graph = self.graphs[bucket] = self._capture(bucket)
        return graph

    def _capture(self, bucket: int) -> Any:
        decoder = self.decoder
        started = time.perf_counter()
        snapshot = _Snapshot(decoder)
        try:
            graph = self._record(bucket)
        finally:  # the warm-up ran a step, whether the capture worked or not: undo it for the rows
            snapshot.restore()
        self.capture_seconds += time.perf_counter() - started
        return graph

    def _record(self, bucket: int) -> Any:
        decoder = self.decoder
        stream = torch.cuda.Stream(decoder.device)
        stream.wait_stream(torch.cuda.current_stream(decoder.device))
        with torch.cuda.stream(stream):  # warm-up outside the graph, as capture requires
            decoder._step_rows(decoder.rows, bucket, exact_prefix=False)
        torch.cuda.current_stream(decoder.device).wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        for generator in decoder.generators:
            graph.register_generator_state(generator)
        if self.pool is None:
            self.pool = torch.cuda.graph_pool_handle()
        with torch.cuda.graph(graph, pool=self.pool):
            decoder._step_rows(decoder.rows, bucket, exact_prefix=False)
        return graph


class _Snapshot:
    """Row state before a capture, restored after it. Generators are not: each line reseeds its row's."""

    def __init__(self, decoder: BatchDecoder) -> None:
        self.decoder = decoder
        self.tensors = [t.clone() for t in self._tensors()]

    def _tensors(self) -> list[torch.Tensor]:
        d = self.decoder
        return [d.last, d.ring, d.positions, d.counts]

    def restore(self) -> None:
        for target, saved in zip(self._tensors(), self.tensors, strict=True):
            target.copy_(saved)


def _best_draws_in_nucleus(
    logits: torch.Tensor,
    probs: torch.Tensor,
    temperature: torch.Tensor,
    top_p: torch.Tensor,
    noise: torch.Tensor,
) -> torch.Tensor | None:
    """The same token without sorting the vocabulary when the nucleus is large: the draw's best token
    over the whole vocabulary, or its next best while one lies outside the nucleus. A token is in the
    nucleus when the probability of the tokens above it plus its own is at most ``top_p``, or nothing is
    above it: one pass over the vocabulary per token checked, where a sort orders all of them. None when
    none of the best ``DRAW_CANDIDATES`` lies in a row's nucleus, or a tie makes a token's rank unclear."""
    draws = F.softmax(logits / temperature, dim=-1) / noise
    candidates = torch.topk(draws, DRAW_CANDIDATES, dim=-1).indices
    token = torch.full_like(candidates[:, :1], -1)
    for column in range(DRAW_CANDIDATES):
        open_rows = (token < 0).nonzero()[:, 0]  # host synchronisation: eager mode only
        if open_rows.numel() == 0:
            break
        candidate = candidates[open_rows, column : column + 1]
        row_logits, row_probs = logits[open_rows], probs[open_rows]
        level = row_logits.gather(-1, candidate)
        if bool(((row_logits == level).sum(-1) > 1).any()):
            return None
        above = torch.where(row_logits > level, row_probs, 0).sum(-1, keepdim=True)
        inside = ((above + row_probs.gather(-1, candidate)) <= top_p[open_rows]) | (above == 0)
        token[open_rows] = torch.where(inside, candidate, -1)
    if bool((token < 0).any()):
        return None
    return token.to(torch.int32)
