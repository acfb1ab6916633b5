"""Seeded rows for soccer_league: squads, the first half of the season, and who scored (teams are in rows.sql)."""

from datetime import date, timedelta

SEED = 505


def generate(rng, rows):
    team = rows["team"]
    nations = ["England", "Spain", "Brazil", "Nigeria", "France", "Japan", "Norway"]
    positions = ["Goalkeeper", "Defender", "Defender", "Midfielder", "Forward"]
    shirts = {
        "Goalkeeper": [1, 13],
        "Defender": [2, 3, 4, 5],
        "Midfielder": [6, 8, 10],
        "Forward": [7, 9, 11],
    }
    player = []
    names = rng.people(50)
    for t in range(1, 11):
        used: set[int] = set()
        for pos in positions:
            shirt = rng.choice([s for s in shirts[pos] if s not in used])
            used.add(shirt)
            salary = rng.maybe(float(rng.randrange(30000, 150001, 2500)), 0.1)
            player.append(
                (len(player) + 1, names[len(player)], t, pos, rng.choice(nations),
                 rng.day("1990-01-01", "2005-12-31"), shirt, salary)
            )  # fmt: skip
    game, goal = [], []
    pairs = [(h, a) for h in range(1, 11) for a in range(h + 1, 11)]
    rng.shuffle(pairs)
    pairs = pairs[:30]  # the first half of the season
    kickoff = date(2023, 8, 5)
    for i, (h, a) in enumerate(pairs, 1):
        if rng.random() < 0.5:
            h, a = a, h
        hg, ag = rng.choice([0, 0, 1, 1, 1, 2, 2]), rng.choice([0, 0, 0, 1, 1, 2])
        cap = team[h - 1][5] or 9000
        game.append((i, (kickoff + timedelta(days=7 * (i // 2))).isoformat(), h, a, hg, ag,
                     int(cap * rng.uniform(0.55, 0.98))))  # fmt: skip
        for side, n in ((h, hg), (a, ag)):
            squad = [p for p in player if p[2] == side and p[3] != "Goalkeeper"]
            weights = [3 if p[3] == "Forward" else 2 if p[3] == "Midfielder" else 1 for p in squad]
            for _ in range(n):
                scorer = rng.choices(squad, weights)[0]
                goal.append((len(goal) + 1, i, scorer[0], rng.randint(1, 90), int(rng.random() < 0.15)))
    return {"player": player, "game": game, "goal": goal}
