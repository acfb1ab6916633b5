"""Seeded rows for bakery_chain: staff and a month of sales (shops and products are in rows.sql)."""

SEED = 707


def generate(rng, rows):
    roles = ["Baker", "Cashier", "Barista", "Shift Lead"]
    wage = {"Baker": 19.0, "Cashier": 16.0, "Barista": 17.0, "Shift Lead": 22.0}
    employee = []
    for i, name in enumerate(rng.people(25), 1):
        role = roles[i % 4] if i > 7 else "Baker"
        employee.append((i, name, (i - 1) % 10 + 1, role, wage[role] + rng.choice([0.0, 0.5, 1.0, 1.5, 2.5]),
                         rng.day("2015-01-01", "2024-06-30")))  # fmt: skip
    sale = [
        (i, rng.choice([1, 2, 3, 4, 5, 6, 8, 9, 10]), rng.randint(1, 16), rng.day("2024-03-01", "2024-03-31"),
         rng.randint(1, 12), rng.choice([None, None, None, None, 0.1, 0.15]))
        for i in range(1, 61)
    ]  # fmt: skip
    return {"employee": employee, "sale": sale}
