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
