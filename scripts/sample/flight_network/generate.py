"""Seeded rows for flight_network: flights between the hand-written airports, flown by aircraft that have the range."""

import math

SEED = 303
PREFIX = {
    1: "AT",
    2: "CW",
    3: "SW",
    4: "SC",
    5: "GF",
    6: "MJ",
    7: "LA",
    8: "CV",
    9: "NA",
    10: "PP",
}  # by airline_id


def generate(rng, rows):
    airport, aircraft = rows["airport"], rows["aircraft"]
    coords = {a[0]: (a[4], a[5]) for a in airport}

    def km(a: str, b: str) -> int:
        (la1, lo1), (la2, lo2) = (map(math.radians, coords[a]), map(math.radians, coords[b]))
        h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        return round(2 * 6371 * math.asin(math.sqrt(h)))

    origins = [a[0] for a in airport if a[0] != "YYZ"]  # Toronto only receives flights
    flight = []
    while len(flight) < 45:
        o, d = rng.choice(origins), rng.choice([a[0] for a in airport])
        if o == d:
            continue
        dist = km(o, d)
        usable = [a for a in aircraft if a[4] >= dist and a[0] != 8]  # the A220 is not yet in service
        if not usable:
            continue
        plane, airline_id = rng.choice(usable), rng.randint(1, 10)
        number = f"{PREFIX[airline_id]}{rng.randint(100, 999)}"
        price = round(60 + dist * 0.09 + rng.randint(-20, 80), 2)
        flight.append(
            (len(flight) + 1, number, airline_id, plane[0], o, d, dist, round(dist / 820 * 60 + 35), price)
        )
    return {"flight": flight}
