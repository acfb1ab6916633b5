"""Build the bundled sample benchmark (`text2sql/sample_data/`) in Spider format, from scratch.

Seven small SQLite databases in distinct domains, a Spider `tables.json`, `train_spider.json`
(five databases) and `dev.json` (two other databases). Everything here was written by the t2s
authors; rows that are not listed by hand come from `random.Random` with a fixed seed per
database, so two runs produce the same files.

    python scripts/build_sample.py                 # rebuild text2sql/sample_data/
    python scripts/build_sample.py --out /tmp/s    # build elsewhere (tests check determinism)
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "text2sql" / "sample_data"

TRAIN_DBS = ["library", "hospital", "flight_network", "music_store", "soccer_league"]
DEV_DBS = ["university", "bakery_chain"]

FIRST = [
    "Alice", "Bruno", "Chen", "Dalia", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
    "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wen", "Ximena",
    "Yusuf", "Zoe", "Liam", "Maya", "Noah", "Ana",
]  # fmt: skip
LAST = [
    "Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kim",
    "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka", "Usman", "Varga",
    "Walsh", "Yilmaz", "Zhang", "Nowak", "Berg",
]  # fmt: skip


# -- helpers for generated rows -----------------------------------------------------------------
def people(rng: random.Random, n: int) -> list[str]:
    """n distinct full names."""
    names: list[str] = []
    while len(names) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    return names


def day(rng: random.Random, start: str, end: str) -> str:
    a, b = date.fromisoformat(start).toordinal(), date.fromisoformat(end).toordinal()
    return date.fromordinal(rng.randint(a, b)).isoformat()


def maybe(rng: random.Random, value, p_null: float):
    return None if rng.random() < p_null else value


# -- the databases ------------------------------------------------------------------------------
# Each builder returns (DDL, rows by table, natural-language names, [(question, query), ...]).
# Natural-language names: "table" -> name, "table.column" -> name; the default replaces "_" by " ".


def library():
    ddl = """
CREATE TABLE author (
    author_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    birth_year INTEGER,
    nationality TEXT
);

CREATE TABLE book (
    book_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    author_id INTEGER NOT NULL,
    genre TEXT,
    pub_year INTEGER,
    pages INTEGER,
    price REAL,
    FOREIGN KEY (author_id) REFERENCES author(author_id)
);

CREATE TABLE member (
    member_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    dob DATE,
    join_date DATE
);

CREATE TABLE loan (
    loan_id INTEGER PRIMARY KEY,
    book_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    loan_date DATE NOT NULL,
    return_date DATE,
    fee REAL,
    FOREIGN KEY (book_id) REFERENCES book(book_id),
    FOREIGN KEY (member_id) REFERENCES member(member_id)
);
"""
    author = [
        (1, "Jane Austen", 1775, "United Kingdom"),
        (2, "Mark Twain", 1835, "United States"),
        (3, "Leo Tolstoy", 1828, "Russia"),
        (4, "Gabriel Garcia Marquez", 1927, "Colombia"),
        (5, "Haruki Murakami", 1949, "Japan"),
        (6, "Chinua Achebe", 1930, "Nigeria"),
        (7, "Toni Morrison", 1931, "United States"),
        (8, "Isabel Allende", 1942, "Chile"),
        (9, "George Orwell", 1903, "United Kingdom"),
        (10, "Virginia Woolf", 1882, "United Kingdom"),
        (11, "Italo Calvino", 1923, "Italy"),
        (12, "Orhan Pamuk", 1952, "Turkey"),
        (13, "Elena Ferrante", None, "Italy"),
        (14, "Wole Soyinka", 1934, "Nigeria"),
    ]
    book = [
        (1, "Pride and Prejudice", 1, "Romance", 1813, 432, 9.99),
        (2, "Emma", 1, "Romance", 1815, 474, 8.5),
        (3, "Sense and Sensibility", 1, "Romance", 1811, 409, 8.5),
        (4, "Adventures of Huckleberry Finn", 2, "Adventure", 1884, 366, 7.25),
        (5, "The Adventures of Tom Sawyer", 2, "Adventure", 1876, 274, 6.99),
        (6, "War and Peace", 3, "Historical", 1869, 1225, 14.99),
        (7, "Anna Karenina", 3, "Romance", 1878, 864, 12.5),
        (8, "One Hundred Years of Solitude", 4, "Magical Realism", 1967, 417, 11.0),
        (9, "Love in the Time of Cholera", 4, "Romance", 1985, 348, 10.5),
        (10, "Norwegian Wood", 5, "Romance", 1987, 296, 10.99),
        (11, "Kafka on the Shore", 5, "Magical Realism", 2002, 505, 12.99),
        (12, "1Q84", 5, "Magical Realism", 2009, 928, 16.5),
        (13, "Things Fall Apart", 6, "Historical", 1958, 209, 8.99),
        (14, "Beloved", 7, "Historical", 1987, 324, 11.5),
        (15, "Song of Solomon", 7, "Literary Fiction", 1977, 337, 10.0),
        (16, "The House of the Spirits", 8, "Magical Realism", 1982, 433, 11.25),
        (17, "Nineteen Eighty-Four", 9, "Dystopian", 1949, 328, 9.5),
        (18, "Animal Farm", 9, "Satire", 1945, 112, 6.5),
        (19, "Mrs Dalloway", 10, "Literary Fiction", 1925, 194, 7.99),
        (20, "To the Lighthouse", 10, "Literary Fiction", 1927, 209, 7.99),
        (21, "Invisible Cities", 11, "Literary Fiction", 1972, 165, 9.0),
        (22, "The Baron in the Trees", 11, "Adventure", 1957, 217, None),
        (23, "My Name Is Red", 12, "Historical", 1998, 417, 13.0),
        (24, "Snow", 12, "Literary Fiction", 2002, 463, 12.0),
        (25, "Orlando", 10, "Satire", 1928, 333, None),
        (26, "Persuasion", 1, "Romance", 1817, 249, 7.5),
        (27, "Homage to Catalonia", 9, "Memoir", 1938, 232, 8.25),
    ]
    rng = random.Random(101)
    cities = ["Springfield", "Riverton", "Lakeside", "Hillcrest"]
    member = [
        (
            i,
            name,
            rng.choice(cities),
            day(rng, "1950-01-01", "2008-12-31"),
            day(rng, "2018-01-01", "2023-12-31"),
        )
        for i, name in enumerate(people(rng, 22), 1)
    ]
    loan = []
    for i in range(1, 51):
        start = day(rng, "2024-01-02", "2024-06-30")
        returned = maybe(
            rng, (date.fromisoformat(start) + timedelta(days=rng.randint(3, 40))).isoformat(), 0.18
        )
        fee = 0.0 if returned is None or rng.random() < 0.6 else rng.choice([0.5, 1.0, 1.5, 2.0, 3.5])
        loan.append((i, rng.randint(1, 24), rng.randint(1, 19), start, returned, fee))
    rows = {"author": author, "book": book, "member": member, "loan": loan}
    nl = {
        "author.birth_year": "birth year",
        "book.pub_year": "publication year",
        "book.pages": "number of pages",
        "member": "library member",
        "member.dob": "date of birth",
        "member.join_date": "membership start date",
        "loan.fee": "late fee",
    }
    qs = [
        ("How many books does the library have?", "SELECT count(*) FROM book"),
        ("List the titles of all romance books.", 'SELECT title FROM book WHERE genre = "Romance"'),
        ("What are the names of the authors from the United Kingdom?",
         'SELECT name FROM author WHERE nationality = "United Kingdom"'),
        ("How many members live in Riverton?", 'SELECT count(*) FROM member WHERE city = "Riverton"'),
        ("What is the average number of pages of a book?", "SELECT avg(pages) FROM book"),
        ("Which loans have not been returned yet? Give their ids.",
         "SELECT loan_id FROM loan WHERE return_date IS NULL"),
        ("Show all the different genres in the catalogue.", "SELECT DISTINCT genre FROM book"),
        ("What is the highest price of any book?", "SELECT max(price) FROM book"),
        ("List every book's title and publication year, from the oldest to the newest.",
         "SELECT title, pub_year FROM book ORDER BY pub_year"),
        ("How many books are there in each genre?", "SELECT genre, count(*) FROM book GROUP BY genre"),
        ("What is the title of the longest book?", "SELECT title FROM book ORDER BY pages DESC LIMIT 1"),
        ("Give the titles of the books written by Haruki Murakami.",
         "SELECT T1.title FROM book AS T1 JOIN author AS T2 ON T1.author_id = T2.author_id "
         'WHERE T2.name = "Haruki Murakami"'),
        ("Which genre has the most books?",
         "SELECT genre FROM book GROUP BY genre ORDER BY count(*) DESC LIMIT 1"),
        ("For each city, how many library members live there?",
         "SELECT city, count(*) FROM member GROUP BY city"),
        ("Show the names of members together with the titles of the books they borrowed.",
         "SELECT T3.name, T2.title FROM loan AS T1 JOIN book AS T2 ON T1.book_id = T2.book_id "
         "JOIN member AS T3 ON T1.member_id = T3.member_id"),
        ("What are the names and nationalities of authors born before 1900?",
         "SELECT name, nationality FROM author WHERE birth_year < 1900"),
        ("What is the total of late fees paid by members from Lakeside?",
         "SELECT sum(T1.fee) FROM loan AS T1 JOIN member AS T2 ON T1.member_id = T2.member_id "
         'WHERE T2.city = "Lakeside"'),
        ("Which three books were published most recently?",
         "SELECT title FROM book ORDER BY pub_year DESC LIMIT 3"),
        ("What is the average book price for each author nationality?",
         "SELECT T2.nationality, avg(T1.price) FROM book AS T1 JOIN author AS T2 "
         "ON T1.author_id = T2.author_id GROUP BY T2.nationality"),
        ("Which authors have no books in the library?",
         "SELECT name FROM author WHERE author_id NOT IN (SELECT author_id FROM book)"),
        ("List the titles of books that are longer than the average book.",
         "SELECT title FROM book WHERE pages > (SELECT avg(pages) FROM book)"),
        ("Which genres have more than three books?",
         "SELECT genre FROM book GROUP BY genre HAVING count(*) > 3"),
        ("Which genres include both books published before 1900 and books published after 1950?",
         "SELECT genre FROM book WHERE pub_year < 1900 INTERSECT SELECT genre FROM book WHERE pub_year > 1950"),
        ("Find the names of authors who are Italian or Japanese.",
         'SELECT name FROM author WHERE nationality = "Italy" '
         'UNION SELECT name FROM author WHERE nationality = "Japan"'),
        ("Which members have never borrowed a book?",
         "SELECT name FROM member WHERE member_id NOT IN (SELECT member_id FROM loan)"),
        ("Which authors have at least three books in the catalogue?",
         "SELECT T2.name FROM book AS T1 JOIN author AS T2 ON T1.author_id = T2.author_id "
         "GROUP BY T1.author_id HAVING count(*) >= 3"),
        ("Whose books have been borrowed the most times? Give the author's name.",
         "SELECT T3.name FROM loan AS T1 JOIN book AS T2 ON T1.book_id = T2.book_id "
         "JOIN author AS T3 ON T2.author_id = T3.author_id GROUP BY T3.author_id ORDER BY count(*) DESC LIMIT 1"),
        ("List the title and author of every book that has never been lent out, sorted by title.",
         "SELECT T1.title, T2.name FROM book AS T1 JOIN author AS T2 ON T1.author_id = T2.author_id "
         "WHERE T1.book_id NOT IN (SELECT book_id FROM loan) ORDER BY T1.title"),
        ("For members living in Springfield, how many loans has each made? Show the busiest borrowers first.",
         "SELECT T2.name, count(*) FROM loan AS T1 JOIN member AS T2 ON T1.member_id = T2.member_id "
         'WHERE T2.city = "Springfield" GROUP BY T1.member_id ORDER BY count(*) DESC'),
        ("Which books published after 1900 cost more than the average romance book?",
         'SELECT title FROM book WHERE price > (SELECT avg(price) FROM book WHERE genre = "Romance") '
         "AND pub_year > 1900"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


def hospital():
    ddl = """
CREATE TABLE department (
    department_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    floor INTEGER,
    budget REAL
);

CREATE TABLE doctor (
    doctor_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    specialty TEXT,
    department_id INTEGER NOT NULL,
    hire_year INTEGER,
    salary REAL,
    FOREIGN KEY (department_id) REFERENCES department(department_id)
);

CREATE TABLE patient (
    patient_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    gender TEXT,
    dob DATE,
    city TEXT,
    insurance TEXT
);

CREATE TABLE appointment (
    appointment_id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL,
    doctor_id INTEGER NOT NULL,
    appointment_date DATE NOT NULL,
    reason TEXT,
    cost REAL,
    FOREIGN KEY (patient_id) REFERENCES patient(patient_id),
    FOREIGN KEY (doctor_id) REFERENCES doctor(doctor_id)
);

CREATE TABLE prescription (
    prescription_id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL,
    medication TEXT NOT NULL,
    dosage_mg INTEGER,
    days INTEGER,
    FOREIGN KEY (appointment_id) REFERENCES appointment(appointment_id)
);
"""
    department = [
        (1, "Cardiology", 3, 1250000.0),
        (2, "Neurology", 4, 980000.0),
        (3, "Pediatrics", 2, 760000.0),
        (4, "Oncology", 5, 1430000.0),
        (5, "Emergency", 1, 1100000.0),
        (6, "Dermatology", 2, 410000.0),
        (7, "Orthopedics", 3, 870000.0),
        (8, "Radiology", 1, 650000.0),
        (9, "Psychiatry", 4, 540000.0),
        (10, "Geriatrics", 2, None),
    ]
    doctor = [
        (1, "Amelia Hart", "Cardiologist", 1, 2008, 245000.0),
        (2, "Rahul Mehta", "Cardiologist", 1, 2015, 198000.0),
        (3, "Sofia Lind", "Neurologist", 2, 2011, 231000.0),
        (4, "Daniel Osei", "Neurologist", 2, 2019, 176000.0),
        (5, "Mei Wong", "Pediatrician", 3, 2005, 188000.0),
        (6, "Lucas Brandt", "Pediatrician", 3, 2017, 162000.0),
        (7, "Hannah Cole", "Oncologist", 4, 2010, 268000.0),
        (8, "Tomas Reyes", "Oncologist", 4, 2021, 171000.0),
        (9, "Aisha Bello", "Emergency Physician", 5, 2013, 205000.0),
        (10, "Victor Petrov", "Emergency Physician", 5, 2018, 189000.0),
        (11, "Clara Jensen", "Emergency Physician", 5, 2022, 150000.0),
        (12, "Omar Haddad", "Dermatologist", 6, 2009, 210000.0),
        (13, "Nina Kovacs", "Cardiologist", 1, 2023, None),
        (14, "Peter Quinn", "Pediatrician", 3, 2001, 201000.0),
        (15, "Julia Novak", "Orthopedic Surgeon", 7, 2016, 236000.0),
        (16, "Ken Adeyemi", "Radiologist", 8, 2012, 221000.0),
        (17, "Laura Fontaine", "Psychiatrist", 9, 2020, 183000.0),
    ]
    rng = random.Random(202)
    cities = ["Springfield", "Riverton", "Lakeside", "Oakdale"]
    insurers = ["CareWell", "HealthFirst", "MediPlus", None]
    patient = [
        (
            i,
            name,
            rng.choice("FM"),
            day(rng, "1940-01-01", "2020-12-31"),
            rng.choice(cities),
            rng.choice(insurers),
        )
        for i, name in enumerate(people(rng, 30), 1)
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
        (i, rng.randint(1, 27), rng.randint(1, 12), day(rng, "2024-01-02", "2024-06-28"), rng.choice(reasons),
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
    rows = {
        "department": department,
        "doctor": doctor,
        "patient": patient,
        "appointment": appointment,
        "prescription": prescription,
    }
    nl = {
        "doctor.hire_year": "year hired",
        "patient.dob": "date of birth",
        "patient.insurance": "insurance provider",
        "appointment.reason": "reason for visit",
        "prescription.dosage_mg": "dosage in milligrams",
        "prescription.days": "number of days",
    }
    qs = [
        ("How many doctors work at the hospital?", "SELECT count(*) FROM doctor"),
        ("List the names of the departments on the second floor.", "SELECT name FROM department WHERE floor = 2"),
        ("Which patients have no insurance on record?", "SELECT name FROM patient WHERE insurance IS NULL"),
        ("What is the combined budget of all departments?", "SELECT sum(budget) FROM department"),
        ("How many different medications have been prescribed?",
         "SELECT count(DISTINCT medication) FROM prescription"),
        ("What was the most expensive appointment?", "SELECT max(cost) FROM appointment"),
        ("Give the names of doctors hired after 2015.", "SELECT name FROM doctor WHERE hire_year > 2015"),
        ("What reasons have patients given for their visits?", "SELECT DISTINCT reason FROM appointment"),
        ("Show the name and salary of every doctor, best paid first.",
         "SELECT name, salary FROM doctor ORDER BY salary DESC"),
        ("How many patients live in each city?", "SELECT city, count(*) FROM patient GROUP BY city"),
        ("Which department does Sofia Lind work in?",
         "SELECT T2.name FROM doctor AS T1 JOIN department AS T2 ON T1.department_id = T2.department_id "
         'WHERE T1.name = "Sofia Lind"'),
        ("Who is the youngest patient?", "SELECT name FROM patient ORDER BY dob DESC LIMIT 1"),
        ("What is the average doctor salary for each specialty?",
         "SELECT specialty, avg(salary) FROM doctor GROUP BY specialty"),
        ("List the doctors who work in the emergency department.",
         "SELECT T1.name FROM doctor AS T1 JOIN department AS T2 ON T1.department_id = T2.department_id "
         'WHERE T2.name = "Emergency"'),
        ("For each doctor, what is the total cost of their appointments?",
         "SELECT T2.name, sum(T1.cost) FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id "
         "GROUP BY T1.doctor_id"),
        ("Give the names and birth dates of female patients from Oakdale.",
         'SELECT name, dob FROM patient WHERE gender = "F" AND city = "Oakdale"'),
        ("Which two departments have the largest budgets?",
         "SELECT name FROM department ORDER BY budget DESC LIMIT 2"),
        ("Which doctors have not had any appointments?",
         "SELECT name FROM doctor WHERE doctor_id NOT IN (SELECT doctor_id FROM appointment)"),
        ("Which doctors earn more than the average doctor?",
         "SELECT name FROM doctor WHERE salary > (SELECT avg(salary) FROM doctor)"),
        ("In which cities do we have patients insured by CareWell as well as patients insured by HealthFirst?",
         'SELECT city FROM patient WHERE insurance = "CareWell" '
         'INTERSECT SELECT city FROM patient WHERE insurance = "HealthFirst"'),
        ("Which specialties have more than two doctors?",
         "SELECT specialty FROM doctor GROUP BY specialty HAVING count(*) > 2"),
        ("What are the names of the patients who were prescribed amoxicillin?",
         "SELECT T3.name FROM prescription AS T1 JOIN appointment AS T2 ON T1.appointment_id = T2.appointment_id "
         'JOIN patient AS T3 ON T2.patient_id = T3.patient_id WHERE T1.medication = "Amoxicillin"'),
        ("Which departments are on the ground floor or have a budget above 1.2 million?",
         "SELECT name FROM department WHERE floor = 1 UNION SELECT name FROM department WHERE budget > 1200000"),
        ("Which patients have never seen a doctor here?",
         "SELECT name FROM patient WHERE patient_id NOT IN (SELECT patient_id FROM appointment)"),
        ("Which department's doctors handled the most appointments?",
         "SELECT T3.name FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id "
         "JOIN department AS T3 ON T2.department_id = T3.department_id "
         "GROUP BY T3.department_id ORDER BY count(*) DESC LIMIT 1"),
        ("Which doctors have seen patients from Riverton but never a patient from Lakeside?",
         "SELECT T2.name FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id "
         'JOIN patient AS T3 ON T1.patient_id = T3.patient_id WHERE T3.city = "Riverton" '
         "EXCEPT SELECT T2.name FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id "
         'JOIN patient AS T3 ON T1.patient_id = T3.patient_id WHERE T3.city = "Lakeside"'),
        ("For each department with more than two doctors, give its name and the average salary of its doctors.",
         "SELECT T2.name, avg(T1.salary) FROM doctor AS T1 JOIN department AS T2 "
         "ON T1.department_id = T2.department_id GROUP BY T1.department_id HAVING count(*) > 2"),
        ("Show patient names and costs of appointments that cost more than average, most expensive first.",
         "SELECT T2.name, T1.cost FROM appointment AS T1 JOIN patient AS T2 ON T1.patient_id = T2.patient_id "
         "WHERE T1.cost > (SELECT avg(cost) FROM appointment) ORDER BY T1.cost DESC"),
        ("Which medication has been prescribed for the most days in total?",
         "SELECT medication FROM prescription GROUP BY medication ORDER BY sum(days) DESC LIMIT 1"),
        ("How many appointments were there for patients of each gender?",
         "SELECT T2.gender, count(*) FROM appointment AS T1 JOIN patient AS T2 ON T1.patient_id = T2.patient_id "
         "GROUP BY T2.gender"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


def flight_network():
    ddl = """
CREATE TABLE airport (
    airport_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    country TEXT,
    latitude REAL,
    longitude REAL,
    elevation_ft INTEGER
);

CREATE TABLE airline (
    airline_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT,
    founded_year INTEGER,
    alliance TEXT
);

CREATE TABLE aircraft (
    aircraft_id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    manufacturer TEXT,
    seats INTEGER,
    range_km INTEGER
);

CREATE TABLE flight (
    flight_id INTEGER PRIMARY KEY,
    flight_number TEXT NOT NULL,
    airline_id INTEGER NOT NULL,
    aircraft_id INTEGER NOT NULL,
    origin TEXT NOT NULL,
    destination TEXT NOT NULL,
    distance_km INTEGER,
    duration_min INTEGER,
    price REAL,
    FOREIGN KEY (airline_id) REFERENCES airline(airline_id),
    FOREIGN KEY (aircraft_id) REFERENCES aircraft(aircraft_id),
    FOREIGN KEY (origin) REFERENCES airport(airport_code),
    FOREIGN KEY (destination) REFERENCES airport(airport_code)
);
"""
    airport = [
        ("JFK", "John F. Kennedy International", "New York", "United States", 40.64, -73.78, 13),
        ("LAX", "Los Angeles International", "Los Angeles", "United States", 33.94, -118.41, 128),
        ("ORD", "O'Hare International", "Chicago", "United States", 41.98, -87.90, 672),
        ("LHR", "Heathrow", "London", "United Kingdom", 51.47, -0.45, 83),
        ("CDG", "Charles de Gaulle", "Paris", "France", 49.01, 2.55, 392),
        ("FRA", "Frankfurt am Main", "Frankfurt", "Germany", 50.04, 8.56, 364),
        ("NRT", "Narita International", "Tokyo", "Japan", 35.77, 140.39, 141),
        ("HND", "Haneda", "Tokyo", "Japan", 35.55, 139.78, 35),
        ("SYD", "Kingsford Smith", "Sydney", "Australia", -33.95, 151.18, 21),
        ("DXB", "Dubai International", "Dubai", "United Arab Emirates", 25.25, 55.36, 62),
        ("SIN", "Changi", "Singapore", "Singapore", 1.36, 103.99, 22),
        ("GRU", "Guarulhos International", "Sao Paulo", "Brazil", -23.43, -46.47, 2459),
        ("YYZ", "Toronto Pearson", "Toronto", "Canada", 43.68, -79.63, 569),
    ]
    airline = [
        (1, "Atlantic Air", "United States", 1962, "Star Horizon"),
        (2, "Crown Airways", "United Kingdom", 1974, "OneSky"),
        (3, "Sakura Wings", "Japan", 1988, "OneSky"),
        (4, "Southern Cross Airlines", "Australia", 1995, None),
        (5, "Gulf Falcon", "United Arab Emirates", 2003, None),
        (6, "Maple Jet", "Canada", 1979, "Star Horizon"),
        (7, "Lumiere Air", "France", 1951, "Star Horizon"),
        (8, "Condor Verde", "Brazil", 2009, None),
        (9, "Nordic Aurora", "Norway", 1998, "OneSky"),
        (10, "Pacific Pearl Airways", "Singapore", 1972, None),
    ]
    aircraft = [
        (1, "A320neo", "Airbus", 180, 6300),
        (2, "A350-900", "Airbus", 325, 15000),
        (3, "737 MAX 8", "Boeing", 178, 6570),
        (4, "787-9", "Boeing", 296, 14140),
        (5, "777-300ER", "Boeing", 396, 13650),
        (6, "E195-E2", "Embraer", 132, 4800),
        (7, "A380-800", "Airbus", 525, 14800),
        (8, "A220-300", "Airbus", 140, 6300),
        (9, "ATR 72-600", "ATR", 70, 1500),
        (10, "CRJ900", "Bombardier", 90, 2900),
    ]
    prefix = {1: "AT", 2: "CW", 3: "SW", 4: "SC", 5: "GF", 6: "MJ", 7: "LA", 8: "CV", 9: "NA", 10: "PP"}
    coords = {a[0]: (a[4], a[5]) for a in airport}

    def km(a: str, b: str) -> int:
        (la1, lo1), (la2, lo2) = (map(math.radians, coords[a]), map(math.radians, coords[b]))
        h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        return round(2 * 6371 * math.asin(math.sqrt(h)))

    rng = random.Random(303)
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
        number = f"{prefix[airline_id]}{rng.randint(100, 999)}"
        price = round(60 + dist * 0.09 + rng.randint(-20, 80), 2)
        flight.append(
            (len(flight) + 1, number, airline_id, plane[0], o, d, dist, round(dist / 820 * 60 + 35), price)
        )
    rows = {"airport": airport, "airline": airline, "aircraft": aircraft, "flight": flight}
    nl = {
        "airport.elevation_ft": "elevation in feet",
        "airline.founded_year": "year founded",
        "aircraft.range_km": "range in kilometers",
        "flight.origin": "origin airport code",
        "flight.destination": "destination airport code",
        "flight.distance_km": "distance in kilometers",
        "flight.duration_min": "duration in minutes",
        "flight.price": "ticket price",
    }
    qs = [
        ("How many airports are in the network?", "SELECT count(*) FROM airport"),
        ("What are the names of the airports in Tokyo?", 'SELECT name FROM airport WHERE city = "Tokyo"'),
        ("Which airlines were founded before 1980?", "SELECT name FROM airline WHERE founded_year < 1980"),
        ("What is the average number of seats on an aircraft?", "SELECT avg(seats) FROM aircraft"),
        ("How many flights leave from JFK?", 'SELECT count(*) FROM flight WHERE origin = "JFK"'),
        ("List the aircraft manufacturers without repeats.", "SELECT DISTINCT manufacturer FROM aircraft"),
        ("What is the longest flight distance in kilometers?", "SELECT max(distance_km) FROM flight"),
        ("Which airlines are not part of any alliance?", "SELECT name FROM airline WHERE alliance IS NULL"),
        ("Show every airport code with its elevation, from the highest airport to the lowest.",
         "SELECT airport_code, elevation_ft FROM airport ORDER BY elevation_ft DESC"),
        ("How many airports does each country have?", "SELECT country, count(*) FROM airport GROUP BY country"),
        ("Which aircraft model has the most seats?", "SELECT model FROM aircraft ORDER BY seats DESC LIMIT 1"),
        ("List the flight numbers operated by Sakura Wings.",
         "SELECT T1.flight_number FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id "
         'WHERE T2.name = "Sakura Wings"'),
        ("What is the average ticket price of each airline? Show the airline names.",
         "SELECT T2.name, avg(T1.price) FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id "
         "GROUP BY T1.airline_id"),
        ("Give the names and cities of the airports in the United States.",
         'SELECT name, city FROM airport WHERE country = "United States"'),
        ("How many flights are flown with aircraft from each manufacturer?",
         "SELECT T2.manufacturer, count(*) FROM flight AS T1 JOIN aircraft AS T2 ON T1.aircraft_id = T2.aircraft_id "
         "GROUP BY T2.manufacturer"),
        ("What are the flight numbers of the five shortest flights by duration?",
         "SELECT flight_number FROM flight ORDER BY duration_min LIMIT 5"),
        ("From which airport does the most expensive flight depart?",
         "SELECT T2.name FROM flight AS T1 JOIN airport AS T2 ON T1.origin = T2.airport_code "
         "ORDER BY T1.price DESC LIMIT 1"),
        ("How many airlines belong to each alliance?",
         "SELECT alliance, count(*) FROM airline WHERE alliance IS NOT NULL GROUP BY alliance"),
        ("Which airports have no departing flights?",
         "SELECT name FROM airport WHERE airport_code NOT IN (SELECT origin FROM flight)"),
        ("Which flights are more expensive than the average flight? Give their flight numbers.",
         "SELECT flight_number FROM flight WHERE price > (SELECT avg(price) FROM flight)"),
        ("Which airports are both the origin of some flight and the destination of another?",
         "SELECT origin FROM flight INTERSECT SELECT destination FROM flight"),
        ("Which aircraft models are built by Airbus or can fly more than 14000 km?",
         'SELECT model FROM aircraft WHERE manufacturer = "Airbus" '
         "UNION SELECT model FROM aircraft WHERE range_km > 14000"),
        ("Which airlines operate more than five flights?",
         "SELECT T2.name FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id "
         "GROUP BY T1.airline_id HAVING count(*) > 5"),
        ("Which aircraft models are not used on any flight?",
         "SELECT model FROM aircraft WHERE aircraft_id NOT IN (SELECT aircraft_id FROM flight)"),
        ("Which cities can you fly to directly from London Heathrow?",
         "SELECT T2.city FROM flight AS T1 JOIN airport AS T2 ON T1.destination = T2.airport_code "
         'WHERE T1.origin = "LHR"'),
        ("Which airline covers the greatest total distance with its flights?",
         "SELECT T2.name FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id "
         "GROUP BY T1.airline_id ORDER BY sum(T1.distance_km) DESC LIMIT 1"),
        ("List the flight numbers and prices of flights departing from American airports, cheapest first.",
         "SELECT T1.flight_number, T1.price FROM flight AS T1 JOIN airport AS T2 ON T1.origin = T2.airport_code "
         'WHERE T2.country = "United States" ORDER BY T1.price'),
        ("Which airlines fly out of Paris but not out of Frankfurt?",
         "SELECT T2.name FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id "
         'WHERE T1.origin = "CDG" EXCEPT SELECT T2.name FROM flight AS T1 JOIN airline AS T2 '
         'ON T1.airline_id = T2.airline_id WHERE T1.origin = "FRA"'),
        ("For each destination country, how many flights arrive there and how long do they take on average? "
         "Show the busiest countries first.",
         "SELECT T2.country, count(*), avg(T1.duration_min) FROM flight AS T1 JOIN airport AS T2 "
         "ON T1.destination = T2.airport_code GROUP BY T2.country ORDER BY count(*) DESC"),
        ("Which aircraft models are used on flights longer than the average flight distance?",
         "SELECT DISTINCT T2.model FROM flight AS T1 JOIN aircraft AS T2 ON T1.aircraft_id = T2.aircraft_id "
         "WHERE T1.distance_km > (SELECT avg(distance_km) FROM flight)"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


def music_store():
    ddl = """
CREATE TABLE artist (
    artist_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT,
    formed_year INTEGER
);

CREATE TABLE album (
    album_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    artist_id INTEGER NOT NULL,
    release_year INTEGER,
    genre TEXT,
    price REAL,
    FOREIGN KEY (artist_id) REFERENCES artist(artist_id)
);

CREATE TABLE track (
    track_id INTEGER PRIMARY KEY,
    album_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    duration_sec INTEGER,
    track_number INTEGER,
    FOREIGN KEY (album_id) REFERENCES album(album_id)
);

CREATE TABLE customer (
    customer_id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    country TEXT,
    email TEXT
);

CREATE TABLE purchase (
    purchase_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    album_id INTEGER NOT NULL,
    purchase_date DATE NOT NULL,
    quantity INTEGER NOT NULL,
    FOREIGN KEY (customer_id) REFERENCES customer(customer_id),
    FOREIGN KEY (album_id) REFERENCES album(album_id)
);
"""
    artist = [
        (1, "The Velvet Foxes", "United Kingdom", 1998),
        (2, "Luna Park", "France", 2005),
        (3, "Neon Harbor", "United States", 2011),
        (4, "Amara Diallo", "Senegal", 2009),
        (5, "Kenji Sato Trio", "Japan", 1994),
        (6, "Rio Bravo", "Brazil", 2001),
        (7, "Echo Valley", "Canada", 2014),
        (8, "Silver Pines", "United States", 1987),
        (9, "Marta Ruiz", "Spain", 2016),
        (10, "Northern Lights Orchestra", "Norway", 1979),
        (11, "Paper Satellites", "Ireland", 2019),
        (12, "Dust and Diamonds", "Australia", None),
    ]
    album = [
        (1, "Midnight Static", 1, 1999, "Rock", 12.99),
        (2, "Glass Houses", 1, 2004, "Rock", 11.99),
        (3, "Electric Orchard", 1, 2016, "Rock", 13.99),
        (4, "Carousel", 2, 2007, "Pop", 10.99),
        (5, "Paper Moons", 2, 2018, "Pop", 11.49),
        (6, "Neon Harbor", 3, 2012, "Electronic", 9.99),
        (7, "Tidal Lights", 3, 2020, "Electronic", 12.49),
        (8, "Sahel Sunrise", 4, 2010, "Afrobeat", 10.49),
        (9, "Blue Kyoto", 5, 1996, "Jazz", 14.99),
        (10, "Late Trains", 5, 2003, "Jazz", 13.49),
        (11, "Autumn Standards", 5, 2019, "Jazz", 15.99),
        (12, "Samba do Mar", 6, 2002, "Latin", 9.49),
        (13, "Northern Roads", 7, 2015, "Folk", 10.99),
        (14, "Cabin Songs", 7, 2021, "Folk", 11.99),
        (15, "Pine Needle Blues", 8, 1988, "Rock", 8.99),
        (16, "Highway Hymns", 8, 1993, "Folk", 8.99),
        (17, "Flamenco Nights", 9, 2017, "Latin", 12.99),
        (18, "Aurora Suite", 10, 1981, "Classical", 16.99),
        (19, "Fjord Symphonies", 10, 1997, "Classical", 17.49),
        (20, "Orbiting", 11, 2022, "Pop", 10.99),
        (21, "Red Dust", 12, 2008, "Rock", 9.99),
        (22, "Live at the Quay", 1, 2023, "Rock", None),
    ]
    rng = random.Random(404)
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
    for i, full in enumerate(people(rng, 20), 1):
        first, last = full.split(" ")
        email = maybe(rng, f"{first.lower()}.{last.lower()}@example.com", 0.25)
        customer.append((i, first, last, rng.choice(countries), email))
    purchase = [
        (
            i,
            rng.randint(1, 18),
            rng.randint(1, 20),
            day(rng, "2023-01-01", "2023-12-31"),
            rng.choice([1, 1, 1, 2, 3]),
        )
        for i in range(1, 46)
    ]
    rows = {"artist": artist, "album": album, "track": track, "customer": customer, "purchase": purchase}
    nl = {
        "artist.formed_year": "year formed",
        "track.duration_sec": "duration in seconds",
        "track.name": "track name",
        "customer.email": "email address",
    }
    qs = [
        ("How many artists does the store carry?", "SELECT count(*) FROM artist"),
        ("List the titles of all jazz albums.", 'SELECT title FROM album WHERE genre = "Jazz"'),
        ("What is the average length of a track in seconds?", "SELECT avg(duration_sec) FROM track"),
        ("Which customers have not given an email address? List their last names.",
         "SELECT last_name FROM customer WHERE email IS NULL"),
        ("How many albums came out after 2015?", "SELECT count(*) FROM album WHERE release_year > 2015"),
        ("Which countries do our customers come from?", "SELECT DISTINCT country FROM customer"),
        ("What does the cheapest album cost?", "SELECT min(price) FROM album"),
        ("Find the names of the artists from the United States.",
         'SELECT name FROM artist WHERE country = "United States"'),
        ("Show the title and price of each album, from the most to the least expensive.",
         "SELECT title, price FROM album ORDER BY price DESC"),
        ("How many albums are there in each genre?", "SELECT genre, count(*) FROM album GROUP BY genre"),
        ("What is the title of the oldest album?", "SELECT title FROM album ORDER BY release_year LIMIT 1"),
        ("List the albums by Neon Harbor.",
         "SELECT T1.title FROM album AS T1 JOIN artist AS T2 ON T1.artist_id = T2.artist_id "
         'WHERE T2.name = "Neon Harbor"'),
        ("How many tracks are on each album? Give the album titles.",
         "SELECT T2.title, count(*) FROM track AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id "
         "GROUP BY T1.album_id"),
        ("How many customers are there in each country?",
         "SELECT country, count(*) FROM customer GROUP BY country"),
        ("What are the full names of our customers in Germany?",
         'SELECT first_name, last_name FROM customer WHERE country = "Germany"'),
        ("What is the name of the longest track?", "SELECT name FROM track ORDER BY duration_sec DESC LIMIT 1"),
        ("How many copies has each customer bought in total?",
         "SELECT T2.first_name, T2.last_name, sum(T1.quantity) FROM purchase AS T1 JOIN customer AS T2 "
         "ON T1.customer_id = T2.customer_id GROUP BY T1.customer_id"),
        ("Which albums have never been bought?",
         "SELECT title FROM album WHERE album_id NOT IN (SELECT album_id FROM purchase)"),
        ("Which albums are priced above the average album?",
         "SELECT title FROM album WHERE price > (SELECT avg(price) FROM album)"),
        ("Which genres have albums released before 2000 as well as albums released after 2015?",
         "SELECT genre FROM album WHERE release_year < 2000 "
         "INTERSECT SELECT genre FROM album WHERE release_year > 2015"),
        ("Which artists have released more than two albums?",
         "SELECT T2.name FROM album AS T1 JOIN artist AS T2 ON T1.artist_id = T2.artist_id "
         "GROUP BY T1.artist_id HAVING count(*) > 2"),
        ("Name the artists that have a rock album or that formed before 1990.",
         "SELECT T2.name FROM album AS T1 JOIN artist AS T2 ON T1.artist_id = T2.artist_id "
         'WHERE T1.genre = "Rock" UNION SELECT name FROM artist WHERE formed_year < 1990'),
        ("Which customers have never made a purchase? Give their first and last names.",
         "SELECT first_name, last_name FROM customer WHERE customer_id NOT IN (SELECT customer_id FROM purchase)"),
        ("Which tracks are longer than every track on Blue Kyoto?",
         "SELECT name FROM track WHERE duration_sec > (SELECT max(T1.duration_sec) FROM track AS T1 "
         'JOIN album AS T2 ON T1.album_id = T2.album_id WHERE T2.title = "Blue Kyoto")'),
        ("Which genre has the highest average album price?",
         "SELECT genre FROM album GROUP BY genre ORDER BY avg(price) DESC LIMIT 1"),
        ("Which artist has sold the most copies?",
         "SELECT T3.name FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id "
         "JOIN artist AS T3 ON T2.artist_id = T3.artist_id GROUP BY T3.artist_id "
         "ORDER BY sum(T1.quantity) DESC LIMIT 1"),
        ("What albums have customers from Canada bought? List each title once, alphabetically.",
         "SELECT DISTINCT T2.title FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id "
         'JOIN customer AS T3 ON T1.customer_id = T3.customer_id WHERE T3.country = "Canada" ORDER BY T2.title'),
        ("Which countries have customers who bought jazz albums but none who bought pop albums?",
         "SELECT T3.country FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id "
         'JOIN customer AS T3 ON T1.customer_id = T3.customer_id WHERE T2.genre = "Jazz" '
         "EXCEPT SELECT T3.country FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id "
         'JOIN customer AS T3 ON T1.customer_id = T3.customer_id WHERE T2.genre = "Pop"'),
        ("For every genre with at least three albums, what is the average album price?",
         "SELECT genre, avg(price) FROM album GROUP BY genre HAVING count(*) >= 3"),
        ("Which albums released after 2010 have a track longer than five minutes?",
         "SELECT title FROM album WHERE release_year > 2010 "
         "AND album_id IN (SELECT album_id FROM track WHERE duration_sec > 300)"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


def soccer_league():
    ddl = """
CREATE TABLE team (
    team_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    founded_year INTEGER,
    stadium TEXT,
    capacity INTEGER
);

CREATE TABLE player (
    player_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    team_id INTEGER NOT NULL,
    position TEXT,
    nationality TEXT,
    dob DATE,
    shirt_number INTEGER,
    salary REAL,
    FOREIGN KEY (team_id) REFERENCES team(team_id)
);

CREATE TABLE game (
    game_id INTEGER PRIMARY KEY,
    game_date DATE NOT NULL,
    home_team_id INTEGER NOT NULL,
    away_team_id INTEGER NOT NULL,
    home_goals INTEGER,
    away_goals INTEGER,
    attendance INTEGER,
    FOREIGN KEY (home_team_id) REFERENCES team(team_id),
    FOREIGN KEY (away_team_id) REFERENCES team(team_id)
);

CREATE TABLE goal (
    goal_id INTEGER PRIMARY KEY,
    game_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL,
    minute INTEGER,
    is_penalty BOOLEAN,
    FOREIGN KEY (game_id) REFERENCES game(game_id),
    FOREIGN KEY (player_id) REFERENCES player(player_id)
);
"""
    team = [
        (1, "Harbor City FC", "Harbor City", 1899, "Dockside Arena", 42000),
        (2, "Northvale United", "Northvale", 1905, "Pine Road", 31000),
        (3, "Redcliff Rovers", "Redcliff", 1921, "Cliff Park", 18500),
        (4, "Eastbrook Athletic", "Eastbrook", 1887, "The Meadow", 26000),
        (5, "Westport Wanderers", "Westport", 1932, "Seaview Stadium", 22500),
        (6, "Kingsford Town", "Kingsford", 1910, "Crown Ground", 15000),
        (7, "Ashford City", "Ashford", 1948, "Ashford Bowl", 12800),
        (8, "Millbrook Rangers", "Millbrook", 1963, "Mill Lane", None),
        (9, "Southgate Albion", "Southgate", 1919, "Albion Park", 20500),
        (10, "Lakeview Harriers", "Lakeview", 1975, "Harrier Field", 9800),
    ]
    rng = random.Random(505)
    nations = ["England", "Spain", "Brazil", "Nigeria", "France", "Japan", "Norway"]
    positions = ["Goalkeeper", "Defender", "Defender", "Midfielder", "Forward"]
    shirts = {
        "Goalkeeper": [1, 13],
        "Defender": [2, 3, 4, 5],
        "Midfielder": [6, 8, 10],
        "Forward": [7, 9, 11],
    }
    player = []
    names = people(rng, 50)
    for t in range(1, 11):
        used: set[int] = set()
        for pos in positions:
            shirt = rng.choice([s for s in shirts[pos] if s not in used])
            used.add(shirt)
            salary = maybe(rng, float(rng.randrange(30000, 150001, 2500)), 0.1)
            player.append(
                (len(player) + 1, names[len(player)], t, pos, rng.choice(nations),
                 day(rng, "1990-01-01", "2005-12-31"), shirt, salary)
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
    rows = {"team": team, "player": player, "game": game, "goal": goal}
    nl = {
        "team.founded_year": "year founded",
        "team.capacity": "stadium capacity",
        "player.dob": "date of birth",
        "game": "match",
        "game.game_date": "match date",
        "game.home_team_id": "home team id",
        "game.away_team_id": "away team id",
        "game.home_goals": "home team goals",
        "game.away_goals": "away team goals",
        "goal.minute": "minute scored",
        "goal.is_penalty": "is penalty",
    }
    qs = [
        ("How many teams are in the league?", "SELECT count(*) FROM team"),
        ("List the names of all goalkeepers.", 'SELECT name FROM player WHERE position = "Goalkeeper"'),
        ("What is the largest stadium capacity in the league?", "SELECT max(capacity) FROM team"),
        ("How many goals were scored from the penalty spot?", "SELECT count(*) FROM goal WHERE is_penalty = 1"),
        ("What is the average attendance at a match?", "SELECT avg(attendance) FROM game"),
        ("What nationalities do the players have?", "SELECT DISTINCT nationality FROM player"),
        ("Which clubs were founded before 1900?", "SELECT name FROM team WHERE founded_year < 1900"),
        ("How many players have no salary on record?", "SELECT count(*) FROM player WHERE salary IS NULL"),
        ("Show the name and shirt number of every forward.",
         'SELECT name, shirt_number FROM player WHERE position = "Forward"'),
        ("How many players play in each position?", "SELECT position, count(*) FROM player GROUP BY position"),
        ("On what date was the best attended match played?",
         "SELECT game_date FROM game ORDER BY attendance DESC LIMIT 1"),
        ("Who plays for Redcliff Rovers?",
         "SELECT T1.name FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id "
         'WHERE T2.name = "Redcliff Rovers"'),
        ("Who is the youngest player in the league?", "SELECT name FROM player ORDER BY dob DESC LIMIT 1"),
        ("What is the average player salary of each team? Show team names.",
         "SELECT T2.name, avg(T1.salary) FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id "
         "GROUP BY T1.team_id"),
        ("How many goals has each player scored?",
         "SELECT T2.name, count(*) FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id "
         "GROUP BY T1.player_id"),
        ("Which matches ended in a draw? Give the date and the number of goals each side scored.",
         "SELECT game_date, home_goals, away_goals FROM game WHERE home_goals = away_goals"),
        ("List the team names and stadiums, starting with the biggest stadium.",
         "SELECT name, stadium FROM team ORDER BY capacity DESC"),
        ("Which players have never scored?",
         "SELECT name FROM player WHERE player_id NOT IN (SELECT player_id FROM goal)"),
        ("Which players earn more than the average player?",
         "SELECT name FROM player WHERE salary > (SELECT avg(salary) FROM player)"),
        ("Which nationalities have both a forward and a goalkeeper in the league?",
         'SELECT nationality FROM player WHERE position = "Forward" '
         'INTERSECT SELECT nationality FROM player WHERE position = "Goalkeeper"'),
        ("Which teams scored more than five goals in their home matches?",
         "SELECT T2.name FROM game AS T1 JOIN team AS T2 ON T1.home_team_id = T2.team_id "
         "GROUP BY T1.home_team_id HAVING sum(T1.home_goals) > 5"),
        ("Players of which team scored the most goals?",
         "SELECT T3.name FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id "
         "JOIN team AS T3 ON T2.team_id = T3.team_id GROUP BY T3.team_id ORDER BY count(*) DESC LIMIT 1"),
        ("Which teams never won a home match?",
         "SELECT name FROM team WHERE team_id NOT IN (SELECT home_team_id FROM game WHERE home_goals > away_goals)"),
        ("In which positions is the average salary above 80000?",
         "SELECT position FROM player GROUP BY position HAVING avg(salary) > 80000"),
        ("List the cities of clubs founded after 1940 or playing in a stadium with fewer than 16000 seats.",
         "SELECT city FROM team WHERE founded_year > 1940 UNION SELECT city FROM team WHERE capacity < 16000"),
        ("Who scored penalties, and in which minute? Order by the minute.",
         "SELECT T2.name, T1.minute FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id "
         "WHERE T1.is_penalty = 1 ORDER BY T1.minute"),
        ("Which team draws the biggest crowds at home on average?",
         "SELECT T2.name FROM game AS T1 JOIN team AS T2 ON T1.home_team_id = T2.team_id "
         "GROUP BY T1.home_team_id ORDER BY avg(T1.attendance) DESC LIMIT 1"),
        ("Which players scored in the first 20 minutes of a match but never from a penalty?",
         "SELECT T2.name FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id WHERE T1.minute <= 20 "
         "EXCEPT SELECT T2.name FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id "
         "WHERE T1.is_penalty = 1"),
        ("For each team, how many defenders does it have and what do they earn on average? Sort by team name.",
         "SELECT T2.name, count(*), avg(T1.salary) FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id "
         'WHERE T1.position = "Defender" GROUP BY T1.team_id ORDER BY T2.name'),
        ("Which players at clubs founded before 1910 earn more than the league average?",
         "SELECT T1.name FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id WHERE T2.founded_year < 1910 "
         "AND T1.salary > (SELECT avg(salary) FROM player)"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


def university():
    ddl = """
CREATE TABLE department (
    dept_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    building TEXT,
    budget REAL
);

CREATE TABLE instructor (
    instructor_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    dept_id INTEGER NOT NULL,
    position TEXT,
    salary REAL,
    hire_year INTEGER,
    FOREIGN KEY (dept_id) REFERENCES department(dept_id)
);

CREATE TABLE student (
    student_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    dept_id INTEGER,
    enroll_year INTEGER,
    gpa REAL,
    home_state TEXT,
    FOREIGN KEY (dept_id) REFERENCES department(dept_id)
);

CREATE TABLE course (
    course_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    dept_id INTEGER NOT NULL,
    instructor_id INTEGER,
    credits INTEGER,
    FOREIGN KEY (dept_id) REFERENCES department(dept_id),
    FOREIGN KEY (instructor_id) REFERENCES instructor(instructor_id)
);

CREATE TABLE enrollment (
    student_id INTEGER NOT NULL,
    course_id TEXT NOT NULL,
    semester TEXT NOT NULL,
    grade TEXT,
    PRIMARY KEY (student_id, course_id, semester),
    FOREIGN KEY (student_id) REFERENCES student(student_id),
    FOREIGN KEY (course_id) REFERENCES course(course_id)
);
"""
    department = [
        (1, "Computer Science", "Turing Hall", 1500000.0),
        (2, "Mathematics", "Euler Building", 900000.0),
        (3, "Physics", "Curie Hall", 1200000.0),
        (4, "History", "Founders Hall", 600000.0),
        (5, "Biology", "Darwin Center", 1100000.0),
        (6, "Economics", "Founders Hall", 800000.0),
        (7, "Chemistry", "Curie Hall", 950000.0),
        (8, "Philosophy", "Founders Hall", 350000.0),
        (9, "Music", "Harmony Hall", 420000.0),
        (10, "Psychology", "Darwin Center", None),
    ]
    rng = random.Random(606)
    ranks = ["Professor", "Associate Professor", "Assistant Professor", "Lecturer"]
    base = {
        "Professor": 150000,
        "Associate Professor": 118000,
        "Assistant Professor": 96000,
        "Lecturer": 70000,
    }
    instructor = []
    for i, name in enumerate(people(rng, 15), 1):
        rank = ranks[(i - 1) % 4] if i > 6 else ranks[(i - 1) // 2 % 2]
        dept = [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 1, 5, 8, 9, 1][i - 1]  # Computer Science is the largest
        instructor.append((i, name, dept, rank, float(base[rank] + rng.randrange(0, 30001, 500)),
                           rng.randint(1995, 2023)))  # fmt: skip
    states = ["California", "Texas", "New York", "Ohio", "Oregon", "Florida"]
    student = []
    for i, name in enumerate(people(rng, 35), 1):
        year = rng.randint(2020, 2024)
        gpa = None if year == 2024 and rng.random() < 0.7 else round(rng.uniform(2.0, 4.0), 2)
        major = maybe(rng, rng.randint(1, 9), 0.08)
        student.append((i, name, major, year, gpa, rng.choice(states)))
    course = [
        ("CS101", "Introduction to Programming", 1, 1, 4),
        ("CS201", "Data Structures", 1, 8, 4),
        ("CS310", "Databases", 1, 11, 3),
        ("CS420", "Machine Learning", 1, 15, 3),
        ("MATH101", "Calculus I", 2, 2, 4),
        ("MATH210", "Linear Algebra", 2, 9, 3),
        ("MATH330", "Probability", 2, 2, 3),
        ("PHYS101", "Mechanics", 3, 3, 4),
        ("PHYS220", "Electromagnetism", 3, 10, 4),
        ("HIST105", "World History", 4, 4, 3),
        ("HIST240", "History of Science", 4, 4, 3),
        ("BIO110", "Cell Biology", 5, 5, 4),
        ("BIO250", "Genetics", 5, 12, 3),
        ("ECON101", "Principles of Economics", 6, None, 3),
        ("CHEM110", "General Chemistry", 7, 7, 4),
        ("PHIL101", "Introduction to Philosophy", 8, 13, 3),
        ("MUS120", "Music Theory", 9, 14, 3),
    ]
    offered = [c[0] for c in course if c[0] != "HIST240"]
    enrollment: list[tuple] = []
    keys: set[tuple] = set()
    while len(enrollment) < 60:
        sid, cid, sem = rng.randint(1, 33), rng.choice(offered), rng.choice(["Fall 2023", "Spring 2024"])
        if (sid, cid, sem) in keys:
            continue
        keys.add((sid, cid, sem))
        grade = rng.choice(["A", "A", "B", "B", "B", "C", "C", "D", "F"])
        enrollment.append((sid, cid, sem, maybe(rng, grade, 0.4) if sem == "Spring 2024" else grade))
    rows = {
        "department": department,
        "instructor": instructor,
        "student": student,
        "course": course,
        "enrollment": enrollment,
    }
    nl = {
        "department.dept_id": "department id",
        "instructor.dept_id": "department id",
        "instructor.position": "academic rank",
        "instructor.hire_year": "year hired",
        "student.dept_id": "major department id",
        "student.enroll_year": "enrollment year",
        "student.gpa": "grade point average",
        "course.dept_id": "department id",
        "enrollment": "course enrollment",
    }
    qs = [
        ("How many students are there?", "SELECT count(*) FROM student"),
        ("What are the titles of the four-credit courses?", "SELECT title FROM course WHERE credits = 4"),
        ("Which instructors are full professors?", 'SELECT name FROM instructor WHERE position = "Professor"'),
        ("What is the average GPA of all students?", "SELECT avg(gpa) FROM student"),
        ("Which buildings house departments?", "SELECT DISTINCT building FROM department"),
        ("How many students come from Texas?", 'SELECT count(*) FROM student WHERE home_state = "Texas"'),
        ("What is the highest salary paid to an instructor?", "SELECT max(salary) FROM instructor"),
        ("Which students do not have a GPA yet?", "SELECT name FROM student WHERE gpa IS NULL"),
        ("List each instructor's name and salary, highest salary first.",
         "SELECT name, salary FROM instructor ORDER BY salary DESC"),
        ("How many students major in each department? Show the department names.",
         "SELECT T2.name, count(*) FROM student AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id "
         "GROUP BY T1.dept_id"),
        ("Which student has the highest GPA?", "SELECT name FROM student ORDER BY gpa DESC LIMIT 1"),
        ("Which courses does the Mathematics department offer?",
         "SELECT T1.title FROM course AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id "
         'WHERE T2.name = "Mathematics"'),
        ("What is the average salary for each academic rank?",
         "SELECT position, avg(salary) FROM instructor GROUP BY position"),
        ("Give the names and GPAs of students from California who started in 2022.",
         'SELECT name, gpa FROM student WHERE home_state = "California" AND enroll_year = 2022'),
        ("How many students took each course in fall 2023? Show the course titles.",
         "SELECT T2.title, count(*) FROM enrollment AS T1 JOIN course AS T2 ON T1.course_id = T2.course_id "
         'WHERE T1.semester = "Fall 2023" GROUP BY T1.course_id'),
        ("Which three departments have the biggest budgets?",
         "SELECT name FROM department ORDER BY budget DESC LIMIT 3"),
        ("Who teaches Databases?",
         "SELECT T2.name FROM course AS T1 JOIN instructor AS T2 ON T1.instructor_id = T2.instructor_id "
         'WHERE T1.title = "Databases"'),
        ("Which students are not enrolled in any course?",
         "SELECT name FROM student WHERE student_id NOT IN (SELECT student_id FROM enrollment)"),
        ("Which instructors earn more than the average instructor salary?",
         "SELECT name FROM instructor WHERE salary > (SELECT avg(salary) FROM instructor)"),
        ("Which home states have both Computer Science majors and Biology majors?",
         "SELECT T1.home_state FROM student AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id "
         'WHERE T2.name = "Computer Science" INTERSECT SELECT T1.home_state FROM student AS T1 '
         'JOIN department AS T2 ON T1.dept_id = T2.dept_id WHERE T2.name = "Biology"'),
        ("Which courses have more than five enrollments?",
         "SELECT T2.title FROM enrollment AS T1 JOIN course AS T2 ON T1.course_id = T2.course_id "
         "GROUP BY T1.course_id HAVING count(*) > 5"),
        ("Which courses has nobody enrolled in?",
         "SELECT title FROM course WHERE course_id NOT IN (SELECT course_id FROM enrollment)"),
        ("Which states do the students who started in 2020 or in 2024 come from?",
         "SELECT home_state FROM student WHERE enroll_year = 2020 "
         "UNION SELECT home_state FROM student WHERE enroll_year = 2024"),
        ("Which students have a higher GPA than the average student who enrolled in 2021?",
         "SELECT name FROM student WHERE gpa > (SELECT avg(gpa) FROM student WHERE enroll_year = 2021)"),
        ("Which department has the most instructors?",
         "SELECT T2.name FROM instructor AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id "
         "GROUP BY T1.dept_id ORDER BY count(*) DESC LIMIT 1"),
        ("For departments with more than four majors, what is the average GPA of their students? "
         "Best departments first.",
         "SELECT T2.name, avg(T1.gpa) FROM student AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id "
         "GROUP BY T1.dept_id HAVING count(*) > 4 ORDER BY avg(T1.gpa) DESC"),
        ("Which students took a Computer Science course but never a Mathematics course?",
         "SELECT T1.name FROM student AS T1 JOIN enrollment AS T2 ON T1.student_id = T2.student_id "
         "JOIN course AS T3 ON T2.course_id = T3.course_id JOIN department AS T4 ON T3.dept_id = T4.dept_id "
         'WHERE T4.name = "Computer Science" EXCEPT SELECT T1.name FROM student AS T1 JOIN enrollment AS T2 '
         "ON T1.student_id = T2.student_id JOIN course AS T3 ON T2.course_id = T3.course_id "
         'JOIN department AS T4 ON T3.dept_id = T4.dept_id WHERE T4.name = "Mathematics"'),
        ("What are the titles of courses taught by instructors hired before 2010, in alphabetical order?",
         "SELECT T1.title FROM course AS T1 JOIN instructor AS T2 ON T1.instructor_id = T2.instructor_id "
         "WHERE T2.hire_year < 2010 ORDER BY T1.title"),
        ("How many different students have received an A?",
         'SELECT count(DISTINCT student_id) FROM enrollment WHERE grade = "A"'),
        ("Which instructors teach a four-credit course while earning less than the average instructor?",
         "SELECT DISTINCT T2.name FROM course AS T1 JOIN instructor AS T2 ON T1.instructor_id = T2.instructor_id "
         "WHERE T1.credits = 4 AND T2.salary < (SELECT avg(salary) FROM instructor)"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


def bakery_chain():
    ddl = """
CREATE TABLE shop (
    shop_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    opened_date DATE,
    manager TEXT,
    seats INTEGER
);

CREATE TABLE product (
    product_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT,
    price REAL,
    is_vegan BOOLEAN,
    calories INTEGER
);

CREATE TABLE employee (
    employee_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    shop_id INTEGER NOT NULL,
    role TEXT,
    hourly_wage REAL,
    start_date DATE,
    FOREIGN KEY (shop_id) REFERENCES shop(shop_id)
);

CREATE TABLE sale (
    sale_id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    sale_date DATE NOT NULL,
    quantity INTEGER NOT NULL,
    discount REAL,
    FOREIGN KEY (shop_id) REFERENCES shop(shop_id),
    FOREIGN KEY (product_id) REFERENCES product(product_id)
);
"""
    shop = [
        (1, "Golden Crust Downtown", "Portland", "2012-03-15", "Marta Lindqvist", 40),
        (2, "Golden Crust Riverside", "Portland", "2016-09-01", "Sam Okoro", 18),
        (3, "Golden Crust Old Town", "Seattle", "2014-05-20", "Julia Chen", 32),
        (4, "Golden Crust Harbor", "Seattle", "2019-11-02", "Diego Alvarez", 16),
        (5, "Golden Crust Uptown", "Boise", "2018-02-14", "Anna Kowalski", 24),
        (6, "Golden Crust Market", "Spokane", "2021-06-30", None, 12),
        (7, "Golden Crust Station", "Tacoma", "2024-04-01", "Lee Park", 36),
        (8, "Golden Crust Pearl", "Portland", "2022-08-19", "Rita Gomez", 28),
        (9, "Golden Crust Capitol Hill", "Seattle", "2017-04-03", "Ben Howard", 22),
        (10, "Golden Crust North End", "Boise", "2023-01-15", None, 14),
    ]
    product = [
        (1, "Sourdough Loaf", "Bread", 6.5, 1, 1150),
        (2, "Croissant", "Pastry", 3.25, 0, 270),
        (3, "Pain au Chocolat", "Pastry", 3.75, 0, 300),
        (4, "Baguette", "Bread", 3.0, 1, 780),
        (5, "Rye Bread", "Bread", 5.75, 1, 960),
        (6, "Cinnamon Roll", "Pastry", 4.0, 0, 420),
        (7, "Blueberry Muffin", "Muffin", 3.5, 0, 380),
        (8, "Banana Oat Muffin", "Muffin", 3.5, 1, 340),
        (9, "Carrot Cake Slice", "Cake", 4.75, 0, 480),
        (10, "Chocolate Cake Slice", "Cake", 5.0, 0, 520),
        (11, "Lemon Tart", "Tart", 4.5, 0, 350),
        (12, "Apple Tart", "Tart", 4.25, 1, 310),
        (13, "Oat Cookie", "Cookie", 2.0, 1, 210),
        (14, "Chocolate Chip Cookie", "Cookie", 2.25, 0, 240),
        (15, "Espresso", "Drink", 2.75, 1, 5),
        (16, "Cappuccino", "Drink", 3.75, 0, 120),
        (17, "Rosemary Focaccia", "Bread", 4.5, 1, None),
        (18, "Pumpkin Pie Slice", "Cake", 4.5, 0, None),
    ]
    rng = random.Random(707)
    roles = ["Baker", "Cashier", "Barista", "Shift Lead"]
    wage = {"Baker": 19.0, "Cashier": 16.0, "Barista": 17.0, "Shift Lead": 22.0}
    employee = []
    for i, name in enumerate(people(rng, 25), 1):
        role = roles[i % 4] if i > 7 else "Baker"
        employee.append((i, name, (i - 1) % 10 + 1, role, wage[role] + rng.choice([0.0, 0.5, 1.0, 1.5, 2.5]),
                         day(rng, "2015-01-01", "2024-06-30")))  # fmt: skip
    sale = [
        (i, rng.choice([1, 2, 3, 4, 5, 6, 8, 9, 10]), rng.randint(1, 16), day(rng, "2024-03-01", "2024-03-31"), rng.randint(1, 12),
         rng.choice([None, None, None, None, 0.1, 0.15]))
        for i in range(1, 61)
    ]  # fmt: skip
    rows = {"shop": shop, "product": product, "employee": employee, "sale": sale}
    nl = {
        "shop.opened_date": "opening date",
        "shop.seats": "number of seats",
        "product.is_vegan": "is vegan",
        "employee.hourly_wage": "hourly wage",
        "sale.discount": "discount rate",
    }
    qs = [
        ("How many shops does the chain have?", "SELECT count(*) FROM shop"),
        ("List the names of the vegan products.", "SELECT name FROM product WHERE is_vegan = 1"),
        ("What is the average price of a product?", "SELECT avg(price) FROM product"),
        ("Which of our shops are in Seattle?", 'SELECT name FROM shop WHERE city = "Seattle"'),
        ("What product categories do we sell?", "SELECT DISTINCT category FROM product"),
        ("How many sales were made with a discount?", "SELECT count(*) FROM sale WHERE discount IS NOT NULL"),
        ("What is the lowest hourly wage we pay?", "SELECT min(hourly_wage) FROM employee"),
        ("How many bakers work for the chain?", 'SELECT count(*) FROM employee WHERE role = "Baker"'),
        ("Show product names and prices from the cheapest to the most expensive.",
         "SELECT name, price FROM product ORDER BY price"),
        ("How many employees does each shop have? Show the shop names.",
         "SELECT T2.name, count(*) FROM employee AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         "GROUP BY T1.shop_id"),
        ("Which product has the most calories?", "SELECT name FROM product ORDER BY calories DESC LIMIT 1"),
        ("Who works at Golden Crust Harbor?",
         "SELECT T1.name FROM employee AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         'WHERE T2.name = "Golden Crust Harbor"'),
        ("What is the total quantity sold of each product?",
         "SELECT T2.name, sum(T1.quantity) FROM sale AS T1 JOIN product AS T2 ON T1.product_id = T2.product_id "
         "GROUP BY T1.product_id"),
        ("Which shop opened first?", "SELECT name FROM shop ORDER BY opened_date LIMIT 1"),
        ("Give the names and wages of baristas who earn more than 18 dollars an hour.",
         'SELECT name, hourly_wage FROM employee WHERE role = "Barista" AND hourly_wage > 18'),
        ("What is the average price in each product category?",
         "SELECT category, avg(price) FROM product GROUP BY category"),
        ("How many shops are there in each city?", "SELECT city, count(*) FROM shop GROUP BY city"),
        ("Which products have never been sold?",
         "SELECT name FROM product WHERE product_id NOT IN (SELECT product_id FROM sale)"),
        ("Which products cost more than the average product?",
         "SELECT name FROM product WHERE price > (SELECT avg(price) FROM product)"),
        ("Which cities have a shop with more than 30 seats and also a shop with fewer than 20?",
         "SELECT city FROM shop WHERE seats > 30 INTERSECT SELECT city FROM shop WHERE seats < 20"),
        ("Which categories contain more than two products?",
         "SELECT category FROM product GROUP BY category HAVING count(*) > 2"),
        ("Which shop sold the most items?",
         "SELECT T2.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         "GROUP BY T1.shop_id ORDER BY sum(T1.quantity) DESC LIMIT 1"),
        ("Which employees work outside Portland?",
         'SELECT name FROM employee WHERE shop_id NOT IN (SELECT shop_id FROM shop WHERE city = "Portland")'),
        ("Which products are vegan or cost less than 2.50?",
         "SELECT name FROM product WHERE is_vegan = 1 UNION SELECT name FROM product WHERE price < 2.5"),
        ("Which shops sold croissants but never sourdough loaves?",
         "SELECT T2.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         'JOIN product AS T3 ON T1.product_id = T3.product_id WHERE T3.name = "Croissant" '
         "EXCEPT SELECT T2.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         'JOIN product AS T3 ON T1.product_id = T3.product_id WHERE T3.name = "Sourdough Loaf"'),
        ("What revenue did each shop make before discounts? List the shops from highest to lowest revenue.",
         "SELECT T2.name, sum(T1.quantity * T3.price) FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         "JOIN product AS T3 ON T1.product_id = T3.product_id GROUP BY T1.shop_id "
         "ORDER BY sum(T1.quantity * T3.price) DESC"),
        ("Which vegan products were sold in Seattle? List each once, alphabetically.",
         "SELECT DISTINCT T3.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id "
         'JOIN product AS T3 ON T1.product_id = T3.product_id WHERE T2.city = "Seattle" AND T3.is_vegan = 1 '
         "ORDER BY T3.name"),
        ("Which employees of shops with more than 35 seats earn more than the average hourly wage?",
         "SELECT T1.name FROM employee AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id WHERE T2.seats > 35 "
         "AND T1.hourly_wage > (SELECT avg(hourly_wage) FROM employee)"),
        ("Who is our most recently hired employee?", "SELECT name FROM employee ORDER BY start_date DESC LIMIT 1"),
        ("Which products sold more than 20 units in total?",
         "SELECT T2.name FROM sale AS T1 JOIN product AS T2 ON T1.product_id = T2.product_id "
         "GROUP BY T1.product_id HAVING sum(T1.quantity) > 20"),
    ]  # fmt: skip
    return ddl, rows, nl, qs


BUILDERS = {
    "library": library,
    "hospital": hospital,
    "flight_network": flight_network,
    "music_store": music_store,
    "soccer_league": soccer_league,
    "university": university,
    "bakery_chain": bakery_chain,
}
SPIDER_TYPES = {"INTEGER": "number", "REAL": "number", "TEXT": "text", "DATE": "time", "BOOLEAN": "boolean"}


# -- writing ------------------------------------------------------------------------------------
def write_database(path: Path, ddl: str, rows: dict[str, list[tuple]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")  # the generated rows must respect the declared keys
        con.executescript(ddl)
        for table, data in rows.items():
            marks = ", ".join("?" * len(data[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", data)
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def tables_entry(db_id: str, path: Path, nl: dict[str, str]) -> dict:
    """One Spider `tables.json` entry, read back from the database we just wrote."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        ]
        col_orig: list[list] = [[-1, "*"]]
        col_nl: list[list] = [[-1, "*"]]
        types, pks, fks = ["text"], [], []
        index: dict[tuple[str, str], int] = {}
        for ti, t in enumerate(tables):
            info = con.execute(f"PRAGMA table_info({t})").fetchall()
            for _, name, decl, _, _, _ in info:
                index[(t, name)] = len(col_orig)
                col_orig.append([ti, name])
                col_nl.append([ti, nl.get(f"{t}.{name}", name.replace("_", " "))])
                types.append(SPIDER_TYPES[decl])
            key = [index[(t, r[1])] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
            pks.append(key[0] if len(key) == 1 else key)
        for t in tables:
            for r in sorted(con.execute(f"PRAGMA foreign_key_list({t})").fetchall(), key=lambda r: r[0]):
                fks.append([index[(t, r[3])], index[(r[2], r[4])]])
        fks.sort()
    finally:
        con.close()
    return {
        "column_names": col_nl,
        "column_names_original": col_orig,
        "column_types": types,
        "db_id": db_id,
        "foreign_keys": fks,
        "primary_keys": pks,
        "table_names": [nl.get(t, t.replace("_", " ")) for t in tables],
        "table_names_original": tables,
    }


def dump_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def hardness_counts(examples: list[dict]) -> Counter | None:
    try:
        from text2sql.eval.hardness import hardness
    except ImportError:
        return None
    return Counter(hardness(e["query"]) for e in examples)


def write_readme(out: Path, splits: dict[str, list[dict]], sizes: dict[str, tuple[int, int]]) -> None:
    levels = ["easy", "medium", "hard", "extra"]
    lines = [
        "# t2s sample benchmark",
        "",
        "A small text-to-SQL benchmark in Spider format, shipped inside the `text2sql` package so that tests,",
        "the quick start and `load_benchmark(None)` work without downloading anything. Written from scratch by",
        "the t2s authors (databases, rows, questions and queries) and released under the Apache-2.0 license,",
        "like the rest of the project. It is a smoke test, not a leaderboard: use Spider or BIRD to compare models.",
        "",
        "Regenerate it with `python scripts/build_sample.py` (deterministic: fixed seeds, same files every run).",
        "",
        "## Files",
        "- `database/<db_id>/<db_id>.sqlite`: the databases (declared primary and foreign keys, typed columns).",
        "- `tables.json`: the schemas in Spider's format, with natural-language column names.",
        "- `train_spider.json` and `dev.json`: `{db_id, question, query}` examples; split by database.",
        "- `tokenizer/`: a tiny tokenizer trained on this sample by `scripts/build_tokenizer.py` (not built here).",
        "",
        "## Databases",
        "",
        "| db_id | split | tables | rows | questions |",
        "|---|---|---|---|---|",
    ]
    for split, dbs in (("train", TRAIN_DBS), ("dev", DEV_DBS)):
        examples = splits["train_spider.json" if split == "train" else "dev.json"]
        for db in dbs:
            n_tables, n_rows = sizes[db]
            n_q = sum(e["db_id"] == db for e in examples)
            lines.append(f"| {db} | {split} | {n_tables} | {n_rows} | {n_q} |")
    lines += ["", "## Questions per split and hardness", ""]
    counts = {name: hardness_counts(ex) for name, ex in splits.items()}
    if all(c is not None for c in counts.values()):
        lines += ["| file | " + " | ".join(levels) + " | total |", "|---|" + "---|" * (len(levels) + 1)]
        for name, ex in splits.items():
            c = counts[name]
            lines.append(f"| {name} | " + " | ".join(str(c[lv]) for lv in levels) + f" | {len(ex)} |")
        lines += ["", "Hardness follows Spider's official definition (`text2sql.eval.hardness.hardness`)."]
    else:
        for name, ex in splits.items():
            lines.append(f"- `{name}`: {len(ex)} questions")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(out: Path) -> dict[str, list[dict]]:
    """Write the whole sample benchmark under `out`; return the split files' contents."""
    out.mkdir(parents=True, exist_ok=True)
    entries, sizes = [], {}
    splits: dict[str, list[dict]] = {"train_spider.json": [], "dev.json": []}
    for db_id in TRAIN_DBS + DEV_DBS:
        ddl, rows, nl, qs = BUILDERS[db_id]()
        path = out / "database" / db_id / f"{db_id}.sqlite"
        write_database(path, ddl.strip() + "\n", rows)
        entries.append(tables_entry(db_id, path, nl))
        sizes[db_id] = (len(rows), sum(len(r) for r in rows.values()))
        target = splits["train_spider.json" if db_id in TRAIN_DBS else "dev.json"]
        target += [{"db_id": db_id, "question": q, "query": sql} for q, sql in qs]
    dump_json(out / "tables.json", entries)
    for name, examples in splits.items():
        dump_json(out / name, examples)
    write_readme(out, splits, sizes)
    return splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    args = parser.parse_args()
    splits = build(args.out)
    for name, examples in splits.items():
        counts = hardness_counts(examples)
        detail = f" {dict(sorted(counts.items()))}" if counts else ""
        print(f"{name}: {len(examples)} examples{detail}")


if __name__ == "__main__":
    main()
