"""Decide which applications carry which planted red flags (deterministic for a seed)."""

from __future__ import annotations

import random

TRADE_RULES = (
    "trade.duplicate_financing", "trade.party_mismatch", "trade.amount_exceeds_contract",
    "trade.invoice_before_contract", "trade.invoice_outside_window", "trade.goods_mismatch",
    "trade.related_parties", "trade.circular_trade", "trade.no_delivery_evidence",
    "trade.payment_back_to_borrower", "trade.red_or_void_invoice", "trade.missing_contract",
)
DOC_RULES = ("amount.upper_mismatch", "uscc.checksum")
ALL_RULES = TRADE_RULES + DOC_RULES
# flags that need the application to stay otherwise simple (no second flag)
EXCLUSIVE = {"trade.duplicate_financing", "trade.circular_trade", "trade.missing_contract"}
SECONDS = ("trade.no_delivery_evidence", "trade.payment_back_to_borrower", "amount.upper_mismatch", "uscc.checksum")


class FlagPlan:
    """``flags[i]``: rule ids planted in application i; ``cycle[i]``: (position 0..2, cycle id) for
    applications in a circular chain; ``clean``: applications kept clean on purpose (duplicate sources)."""

    def __init__(self, n: int, rng: random.Random, share: float = 0.35, double_share: float = 0.08) -> None:
        self.flags: list[list[str]] = [[] for _ in range(n)]
        self.cycle: dict[int, tuple[int, int]] = {}
        self.clean: set[int] = set()
        reserved: set[int] = set()
        n_flagged = max(1, round(share * n)) if n >= 2 else 0
        order = list(ALL_RULES)
        rng.shuffle(order)
        wanted = [order[k % len(order)] for k in range(n_flagged)]

        def free(i: int) -> bool:
            return 0 <= i < n and not self.flags[i] and i not in reserved

        for k, rule in enumerate(sorted(wanted, key=lambda r: (r != "trade.circular_trade",
                                                            r != "trade.duplicate_financing"))):
            if rule == "trade.circular_trade":
                cands = [i for i in range(2, n) if free(i) and free(i - 1) and free(i - 2)]
            elif rule == "trade.duplicate_financing":
                cands = [i for i in range(1, n) if free(i) and any(free(j) or j in self.clean for j in range(max(0, i - 4), i))]
            else:
                cands = [i for i in range(n) if free(i)]
            if not cands:
                continue
            i = rng.choice(cands)
            self.flags[i].append(rule)
            if rule == "trade.circular_trade":
                reserved.update((i - 1, i - 2))
                for pos, j in enumerate((i - 2, i - 1, i)):
                    self.cycle[j] = (pos, k)
            elif rule == "trade.duplicate_financing":
                src = max(j for j in range(max(0, i - 4), i) if free(j) or j in self.clean)
                self.clean.add(src)
                reserved.add(src)
        singles = [i for i in range(n) if len(self.flags[i]) == 1 and self.flags[i][0] not in EXCLUSIVE]
        used: dict[str, int] = {r: sum(r in f for f in self.flags) for r in SECONDS}
        for i in sorted(rng.sample(singles, min(len(singles), round(double_share * n)))):
            extra = min((r for r in SECONDS if r != self.flags[i][0]), key=lambda r: (used[r], SECONDS.index(r)))
            used[extra] += 1
            self.flags[i].append(extra)
