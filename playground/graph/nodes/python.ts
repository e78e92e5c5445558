// Python classes for the attention family, emitted once into an exported file when a graph uses them. They
// mirror engine/nn's modules (issue 4) name for name — in_proj_weight, out_proj, self_attn, linear1, norm1, … —
// which are PyTorch's own names, so a state dict moves between the two without renaming.
import type { PyHelper } from '../node-type';

const alibiAndRope: PyHelper = {
  name: 'alibi_slopes',
  code: `def alibi_slopes(heads):
    """ALiBi's per-head slopes (Press et al.), as the engine computes them."""
    def pow2(n):
        start = 2 ** (-8 / n)
        return [start ** (i + 1) for i in range(n)]
    if math.log2(heads).is_integer():
        return pow2(heads)
    lower = 2 ** math.floor(math.log2(heads))
    return pow2(lower) + pow2(2 * lower)[0::2][: heads - lower]


def rope(x, base=10000.0):
    """Rotary position embedding, half-split layout: x (..., T, d) with rows at positions 0 .. T-1."""
    t, d = x.shape[-2], x.shape[-1]
    half = d // 2
    k = torch.arange(half, device=x.device, dtype=x.dtype)
    theta = torch.arange(t, device=x.device, dtype=x.dtype)[:, None] * base ** (-2 * k / d)  # (T, d/2)
    cos, sin = theta.cos(), theta.sin()
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)`,
};

// PyTorch 2.0 added F.scaled_dot_product_attention (fused kernels on GPUs); 1.13 lacks it, so the file falls back
// to the same sum written out. A causal mask is aligned top-left, as SDPA's is_causal is.
const attend: PyHelper = {
  name: 'attend',
  code: `def attend(q, k, v, mask=None, causal=False):
    """softmax(q kᵀ / √d + mask) v over (B, H, T, d) tensors; mask is added to the scores, causal hides later keys."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal and mask is None)
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5  # (B, H, Tq, Tk)
    if mask is not None:
        scores = scores + mask
    elif causal:
        later = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device).triu(1)  # key after query
        scores = scores.masked_fill(later, float("-inf"))
    return scores.softmax(dim=-1) @ v  # (B, H, Tq, d)`,
};

export const PY_MHA: PyHelper[] = [
  alibiAndRope,
  attend,
  {
    name: 'MultiHeadAttention',
    code: `class MultiHeadAttention(nn.Module):
    """Batch-first multi-head attention with torch.nn.MultiheadAttention's parameters (in_proj_weight, in_proj_bias,
    out_proj), optionally with ALiBi or RoPE positions inside attention."""

    def __init__(self, embed_dim, num_heads, positional="none"):
        super().__init__()
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.positional = positional
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)
        if positional == "alibi":
            self.register_buffer("slopes", torch.tensor(alibi_slopes(num_heads)), persistent=False)

    def forward(self, query, key=None, causal=False):
        key = query if key is None else key
        b, tq, e = query.shape
        tk = key.shape[1]
        w, bias = self.in_proj_weight, self.in_proj_bias
        q = F.linear(query, w[:e], bias[:e])
        k = F.linear(key, w[e : 2 * e], bias[e : 2 * e])
        v = F.linear(key, w[2 * e :], bias[2 * e :])
        q, k, v = (t.view(b, -1, self.num_heads, self.head_dim).transpose(1, 2) for t in (q, k, v))  # (B, H, T, d)
        if self.positional == "rope":
            q, k = rope(q), rope(k)
        mask = None
        if self.positional == "alibi":
            qpos = torch.arange(tq, device=q.device)[:, None] + (tk - tq)
            kpos = torch.arange(tk, device=q.device)[None, :]
            dist = (qpos - kpos).clamp(min=0) if causal else (qpos - kpos).abs()
            mask = -self.slopes.view(-1, 1, 1) * dist  # (H, Tq, Tk)
            if causal:
                mask = mask.masked_fill(kpos > qpos, float("-inf"))
        out = attend(q, k, v, mask, causal)  # (B, H, Tq, d)
        return self.out_proj(out.transpose(1, 2).reshape(b, tq, e))`,
  },
];

export const PY_TRANSFORMER: PyHelper[] = [
  ...PY_MHA,
  {
    name: 'TransformerLayer',
    code: `class TransformerLayer(nn.Module):
    """A transformer encoder layer, or a decoder layer when cross=True, with torch.nn.Transformer*Layer's names."""

    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0, activation="gelu", norm_first=True, positional="none", cross=False):
        super().__init__()
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.self_attn = MultiHeadAttention(d_model, nhead, positional)
        self.multihead_attn = MultiHeadAttention(d_model, nhead) if cross else None
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model) if cross else None
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        self.activation = F.gelu if activation == "gelu" else F.relu
        self.norm_first = norm_first

    def residual(self, x, norm, drop, f):
        # pre-LN: x + f(norm(x)); post-LN: norm(x + f(x))
        return x + drop(f(norm(x))) if self.norm_first else norm(x + drop(f(x)))

    def forward(self, x, memory=None, causal=False):
        x = self.residual(x, self.norm1, self.dropout1, lambda h: self.self_attn(h, causal=causal))
        if memory is not None:
            x = self.residual(x, self.norm2, self.dropout2, lambda h: self.multihead_attn(h, memory))
            last_norm, last_drop = self.norm3, self.dropout3
        else:
            last_norm, last_drop = self.norm2, self.dropout2
        return self.residual(x, last_norm, last_drop, lambda h: self.linear2(self.dropout(self.activation(self.linear1(h)))))`,
  },
];

export const PY_SINUSOIDAL: PyHelper = {
  name: 'SinusoidalPositionalEncoding',
  code: `class SinusoidalPositionalEncoding(nn.Module):
    """x + PE[:T], PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...); a fixed table, no parameters."""

    def __init__(self, dim, max_len):
        super().__init__()
        pos = torch.arange(max_len, dtype=torch.float32)[:, None]
        angle = pos / 10000 ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim)
        pe = torch.zeros(max_len, dim)
        pe[:, 0::2] = torch.sin(angle)
        pe[:, 1::2] = torch.cos(angle)[:, : dim // 2]
        self.register_buffer("pe", pe, persistent=False)

    def forward(self, x):
        return x + self.pe[: x.shape[-2]]`,
};

export const PY_LEARNED: PyHelper = {
  name: 'LearnedPositionalEmbedding',
  code: `class LearnedPositionalEmbedding(nn.Module):
    """x + W[:T] with a trainable (max_len, dim) table W."""

    def __init__(self, max_len, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(max_len, dim) * 0.02)

    def forward(self, x):
        return x + self.weight[: x.shape[-2]]`,
};
