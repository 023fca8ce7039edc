"""Writes support-bot.jsonl.gz: two days of a made-up support chatbot behind a logging proxy.

Synthetic, deterministic (seeded): conversations of 1-4 turns, each request carrying the system
prompt and the turns before it, busiest in the afternoon (UTC), every response with `usage`;
a few requests rate-limited (status 429) and a few lines logged twice (the same response id),
as proxies do on a retry of the log shipper. Run from the repository root:

    python examples/logs/make_support_bot_log.py
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

START = 1_793_836_800  # 2026-11-04 00:00:00 UTC
SYSTEM = (
    "You are the support assistant of Acme Cloud. Answer in two or three sentences, cite the "
    "help-center article you used, and hand over to a human when the user asks for a refund."
)
QUESTIONS = ["How do I reset my password?", "Why was my card declined?",
             "Can I move my project to another region?", "Where do I find my invoices?",
             "The dashboard shows a 502 error, what now?", "How do I add a teammate?"]  # fmt: skip
ANSWERS = ["Open Settings, then Security, and choose Reset password (article 112).",
           "Your bank declined the charge; try another card or contact the bank (article 87).",
           "Regions cannot be changed in place; export and re-import the project (article 45).",
           "Invoices are under Billing, then History, as PDF (article 9)."]  # fmt: skip
HOURLY = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 10, 11, 12, 12, 11, 9, 7, 5, 4, 3, 2, 1]


def main() -> None:
    rng = random.Random(2026)
    lines: list[dict[str, object]] = []
    for day in range(2):
        for hour, weight in enumerate(HOURLY):
            for _ in range(weight * 2):  # conversations starting this hour
                start = START + day * 86_400 + hour * 3600 + rng.randrange(3600)
                lines += conversation(rng, f"c{len(lines)}", start)
    lines.sort(key=lambda line: float(line["created"]))  # type: ignore[arg-type]
    for i in rng.sample(range(len(lines)), 12):  # rate-limited: an error, no answer
        lines[i] = {
            **lines[i],
            "status_code": 429,
            "response": {
                "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit"}
            },
        }
    for i in sorted(rng.sample(range(len(lines)), 3), reverse=True):  # shipped twice
        lines.insert(i + 1, lines[i])
    out = Path(__file__).with_name("support-bot.jsonl.gz")
    text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    out.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"wrote {out}: {len(lines)} lines")


def conversation(rng: random.Random, name: str, start: int) -> list[dict[str, object]]:
    messages: list[dict[str, str]] = [{"role": "system", "content": SYSTEM}]
    lines = []
    for turn in range(rng.choice([1, 1, 2, 2, 3, 4])):
        messages.append({"role": "user", "content": rng.choice(QUESTIONS)})
        answer = rng.choice(ANSWERS)
        chars = sum(len(m["content"]) for m in messages)
        usage = {"prompt_tokens": chars // 4 + 4 * len(messages),
                 "completion_tokens": len(answer) // 4 + 1,
                 "prompt_tokens_details": {"cached_tokens": 0}}  # fmt: skip
        response = {"id": f"chatcmpl-{name}-{turn}", "model": "gpt-4o-mini-2024-07-18",
                    "choices": [{"message": {"role": "assistant", "content": answer}}],
                    "usage": usage}  # fmt: skip
        lines.append({"created": start + 90 * turn, "conversation_id": name,
                      "request": {"model": "gpt-4o-mini", "messages": list(messages)},
                      "response": response})  # fmt: skip
        messages.append({"role": "assistant", "content": answer})
    return lines


if __name__ == "__main__":
    main()
