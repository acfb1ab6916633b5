"""Seeded rows for hospital: patients, appointments, prescriptions (departments and doctors are in rows.sql)."""

SEED = 202


def generate(rng, rows):
    cities = ["Springfield", "Riverton", "Lakeside", "Oakdale"]
    insurers = ["CareWell", "HealthFirst", "MediPlus", None]
    patient = [
        (
            i,
            name,
            rng.choice("FM"),
            rng.day("1940-01-01", "2020-12-31"),
            rng.choice(cities),
            rng.choice(insurers),
        )
        for i, name in enumerate(rng.people(30), 1)
    ]
    reasons = [
        "Checkup",
        "Chest pain",
        "Headache",
        "Fever",
        "Skin rash",
        "Follow-up",
        "Fracture",
        "Vaccination",
    ]
    appointment = [
        (i, rng.randint(1, 27), rng.randint(1, 12), rng.day("2024-01-02", "2024-06-28"), rng.choice(reasons),
         float(rng.randrange(60, 905, 5)))
        for i in range(1, 51)
    ]  # fmt: skip
    meds = ["Aspirin", "Ibuprofen", "Amoxicillin", "Atorvastatin", "Metformin", "Lisinopril", "Cetirizine"]
    prescription = [
        (
            i,
            rng.randint(1, 50),
            rng.choice(meds),
            rng.choice([50, 100, 200, 400, 500]),
            rng.choice([5, 7, 10, 14, 30]),
        )
        for i in range(1, 36)
    ]
    return {"patient": patient, "appointment": appointment, "prescription": prescription}
