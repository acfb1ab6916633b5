"""Seeded rows for music_store: tracks, customers, purchases (artists and albums are in rows.sql)."""

SEED = 404


def generate(rng, rows):
    words_a = ["Silent", "Golden", "Broken", "Little", "Endless", "Hidden", "Wild", "Paper", "Slow", "Bright"]
    words_b = [
        "River",
        "Morning",
        "Letters",
        "Engine",
        "Garden",
        "Summer",
        "Lanterns",
        "Harbor",
        "Waltz",
        "Skies",
    ]
    track = []
    for album_id in range(1, 23):
        for n in range(1, 4 if album_id % 3 else 3):
            name = f"{rng.choice(words_a)} {rng.choice(words_b)}"
            track.append((len(track) + 1, album_id, name, rng.randint(125, 420), n))
    countries = ["Canada", "Germany", "United States", "Brazil", "Japan", "France"]
    customer = []
    for i, full in enumerate(rng.people(20), 1):
        first, last = full.split(" ")
        email = rng.maybe(f"{first.lower()}.{last.lower()}@example.com", 0.25)
        customer.append((i, first, last, rng.choice(countries), email))
    purchase = [
        (
            i,
            rng.randint(1, 18),
            rng.randint(1, 20),
            rng.day("2023-01-01", "2023-12-31"),
            rng.choice([1, 1, 1, 2, 3]),
        )
        for i in range(1, 46)
    ]
    return {"track": track, "customer": customer, "purchase": purchase}
