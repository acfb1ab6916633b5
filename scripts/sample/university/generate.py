"""Seeded rows for university: instructors, students, enrollments (departments and courses are in rows.sql)."""

SEED = 606


def generate(rng, rows):
    ranks = ["Professor", "Associate Professor", "Assistant Professor", "Lecturer"]
    base = {
        "Professor": 150000,
        "Associate Professor": 118000,
        "Assistant Professor": 96000,
        "Lecturer": 70000,
    }
    instructor = []
    for i, name in enumerate(rng.people(15), 1):
        rank = ranks[(i - 1) % 4] if i > 6 else ranks[(i - 1) // 2 % 2]
        dept = [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 1, 5, 8, 9, 1][i - 1]  # Computer Science is the largest
        instructor.append((i, name, dept, rank, float(base[rank] + rng.randrange(0, 30001, 500)),
                           rng.randint(1995, 2023)))  # fmt: skip
    states = ["California", "Texas", "New York", "Ohio", "Oregon", "Florida"]
    student = []
    for i, name in enumerate(rng.people(35), 1):
        year = rng.randint(2020, 2024)
        gpa = None if year == 2024 and rng.random() < 0.7 else round(rng.uniform(2.0, 4.0), 2)
        major = rng.maybe(rng.randint(1, 9), 0.08)
        student.append((i, name, major, year, gpa, rng.choice(states)))
    offered = [c[0] for c in rows["course"] if c[0] != "HIST240"]
    enrollment: list[tuple] = []
    keys: set[tuple] = set()
    while len(enrollment) < 60:
        sid, cid, sem = rng.randint(1, 33), rng.choice(offered), rng.choice(["Fall 2023", "Spring 2024"])
        if (sid, cid, sem) in keys:
            continue
        keys.add((sid, cid, sem))
        grade = rng.choice(["A", "A", "B", "B", "B", "C", "C", "D", "F"])
        enrollment.append((sid, cid, sem, rng.maybe(grade, 0.4) if sem == "Spring 2024" else grade))
    return {"instructor": instructor, "student": student, "enrollment": enrollment}
