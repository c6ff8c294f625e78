"""PyTorch's scaled_dot_product_attention at bench/tc-attention.ts's cases (same B, L, H, dh, prefix-LM mask with
16 padding keys a row): forward, and forward + backward (dQ, dK, dV), in fp32 (TF32 off), fp16 and bf16, from CUDA
events over back-to-back runs; also bf16 with is_causal=True (the flash kernel, which takes no mask: a lower
bound for the masked case). One JSON line per case. Run in the same device command as tc-attention.mjs and pass
its output there with --torch."""
import json, sys, torch
import torch.nn.functional as F

CASES = [("small", 32, 593, 4, 64, 81), ("base", 32, 593, 8, 64, 81), ("tiny", 32, 593, 2, 32, 81),
         ("long", 4, 4096, 8, 64, 256)]
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
wanted = sys.argv[2].split(",") if len(sys.argv) > 2 else None


def timed(f):
    for _ in range(3): f()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize(); start.record()
    for _ in range(reps): f()
    end.record(); torch.cuda.synchronize()
    return start.elapsed_time(end) / reps


for name, b, l, h, dh, prefix in CASES:
    if wanted and name not in wanted: continue
    i = torch.arange(l, device="cuda")
    visible = (i[None, :] < prefix) | (i[None, :] <= i[:, None])  # [L, L]: key j visible to query i
    padding = torch.zeros(b, l, dtype=torch.bool, device="cuda"); padding[:, l - 16:] = True
    row = {"case": name}
    for dtype, key in ((torch.float32, "fp32"), (torch.float16, "fp16"), (torch.bfloat16, "bf16")):
        mask = torch.zeros(b, 1, l, l, device="cuda", dtype=dtype)
        mask.masked_fill_(~visible[None, None], -1e4).masked_fill_(padding[:, None, None, :], -1e4)
        q, k, v = (torch.randn(b, h, l, dh, device="cuda", dtype=dtype, requires_grad=True) for _ in range(3))
        do = torch.randn(b, h, l, dh, device="cuda", dtype=dtype)
        row[f"{key}_fwd_ms"] = timed(lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask))
        row[f"{key}_fwdbwd_ms"] = timed(lambda: torch.autograd.grad(F.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k, v), do))
        if dtype == torch.bfloat16:
            row["bf16_causal_fwd_ms"] = timed(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
            row["bf16_causal_fwdbwd_ms"] = timed(lambda: torch.autograd.grad(F.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v), do))
    print(json.dumps(row), flush=True)
