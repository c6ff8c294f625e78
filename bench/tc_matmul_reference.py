"""PyTorch's matmul at bench/tc-matmul.ts's cases (same shapes and transposes), fp32 (TF32 off), fp16, bf16:
one JSON line per case with the ms per product from CUDA events over back-to-back runs. Run in the same device
command as tc-matmul.mjs and pass its output there with --torch."""
import json, sys, torch

ROWS = 32 * (81 + 512)
CASES = [("sq1024", 1024, 1024, 1024, False, False), ("sq2048", 2048, 2048, 2048, False, False),
         ("sq4096", 4096, 4096, 4096, False, False),
         ("small.up", ROWS, 1024, 256, False, False), ("small.down", ROWS, 256, 1024, False, False),
         ("small.dx", ROWS, 256, 1024, False, True), ("small.dW", 256, 1024, ROWS, True, False),
         ("base.up", ROWS, 2048, 512, False, False), ("base.dx", ROWS, 512, 2048, False, True),
         ("base.dW", 512, 2048, ROWS, True, False)]
torch.backends.cuda.matmul.allow_tf32 = False
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 30
for name, m, n, k, ta, tb in CASES:
    row = {"case": name}
    for dtype, key in ((torch.float32, "fp32_ms"), (torch.float16, "fp16_ms"), (torch.bfloat16, "bf16_ms")):
        a = torch.randn(*((k, m) if ta else (m, k)), device="cuda", dtype=dtype)
        b = torch.randn(*((n, k) if tb else (k, n)), device="cuda", dtype=dtype)
        f = lambda: (a.t() if ta else a) @ (b.t() if tb else b)
        for _ in range(3): f()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize(); start.record()
        for _ in range(reps): f()
        end.record(); torch.cuda.synchronize()
        row[key] = start.elapsed_time(end) / reps
    row["fp16_tflops"] = 2 * m * n * k / (row["fp16_ms"] * 1e9)
    print(json.dumps(row), flush=True)
