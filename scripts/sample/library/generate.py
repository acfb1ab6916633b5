"""Seeded rows for library: members and their loans (authors and books are hand-written in rows.sql)."""

from datetime import date, timedelta

SEED = 101


def generate(rng, rows):
    cities = ["Springfield", "Riverton", "Lakeside", "Hillcrest"]
    member = [
        (
            i,
            name,
            rng.choice(cities),
            rng.day("1950-01-01", "2008-12-31"),
            rng.day("2018-01-01", "2023-12-31"),
        )
        for i, name in enumerate(rng.people(22), 1)
    ]
    loan = []
    for i in range(1, 51):
        start = rng.day("2024-01-02", "2024-06-30")
        returned = rng.maybe(
            (date.fromisoformat(start) + timedelta(days=rng.randint(3, 40))).isoformat(), 0.18
        )
        fee = 0.0 if returned is None or rng.random() < 0.6 else rng.choice([0.5, 1.0, 1.5, 2.0, 3.5])
        loan.append((i, rng.randint(1, 24), rng.randint(1, 19), start, returned, fee))
    return {"member": member, "loan": loan}
